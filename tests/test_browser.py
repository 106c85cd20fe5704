"""The demo report in a real browser: headless Chromium (Debian's) driven by Playwright.

The grid renders, the omitted-range cells are highlighted, clicking a finding brings its
cell into view, clicking a flagged cell shows its finding, nothing is fetched from the
network and the console stays free of errors. Screenshots go to test-artifacts/.

Without Chromium these tests skip, unless CROSSFOOT_REQUIRE_BROWSER is set (CI sets it
in .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CROSSFOOT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CROSSFOOT_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (CROSSFOOT_REQUIRE_BROWSER is set) but /usr/bin/chromium is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CROSSFOOT_REQUIRE_BROWSER"):
            raise
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def report_url(tmp_path_factory):
    from crossfoot.demo import run_demo

    result = run_demo(tmp_path_factory.mktemp("browser-demo"))
    return result.html.resolve().as_uri()


class Watched:
    """A page with its console errors, page errors and requests recorded."""

    def __init__(self, browser, url: str, width: int, height: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def laptop(browser, report_url):
    w = Watched(browser, report_url, 1440, 900)
    yield w
    w.close()


@pytest.fixture
def narrow(browser, report_url):
    w = Watched(browser, report_url, 900, 700)
    yield w
    w.close()


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""sel => {
        const el = document.querySelector(sel);
        if (!el) return false;
        const r = el.getBoundingClientRect();
        const vw = window.innerWidth, vh = window.innerHeight;
        if (r.bottom <= 0 || r.top >= vh || r.right <= 0 || r.left >= vw) return false;
        // also visible inside every scrolling ancestor
        for (let p = el.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (!/(auto|scroll)/.test(s.overflow + s.overflowX + s.overflowY)) continue;
            const pr = p.getBoundingClientRect();
            if (r.bottom <= pr.top || r.top >= pr.bottom || r.right <= pr.left || r.left >= pr.right) return false;
        }
        return true;
    }""", selector)


def test_grid_renders_with_letters_row_numbers_and_values(laptop):
    page = laptop.page
    grid = page.locator("#s0-0 table.grid")
    assert grid.is_visible()
    letters = grid.locator("thead th.col").all_inner_texts()
    assert letters[:6] == ["A", "B", "C", "D", "E", "F"]
    assert grid.locator("th.rownum").first.inner_text() == "1"
    assert page.locator("#c0-0-F6").inner_text() == "1,300"
    assert page.locator("#c0-0-A6").inner_text() == "Server CapEx ($m)"
    assert laptop.errors == []


def test_omitted_range_cells_are_highlighted(laptop):
    page = laptop.page
    flagged = page.locator("#s0-0 td.flag.r-omitted-range")
    assert flagged.count() >= 2
    for cell in ("#c0-0-F6", "#c0-0-F7"):
        classes = page.locator(cell).get_attribute("class").split()
        assert "flag" in classes
        background = page.eval_on_selector(cell, "el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
    plain = page.eval_on_selector("#c0-0-B6", "el => getComputedStyle(el).backgroundColor")
    assert plain == "rgb(255, 255, 255)"


def test_clicking_a_finding_brings_its_cell_into_view(narrow):
    """On a narrow screen the grid sits above the findings: after scrolling down to a
    finding, clicking its cell link scrolls back up and marks the cell."""
    page = narrow.page
    link = page.locator("li.finding.r-omitted-range a.goto-cell").last
    cell_id = link.get_attribute("data-cell")
    link.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 400)")
    link.scroll_into_view_if_needed()
    assert not in_viewport(page, f"#{cell_id}")
    before = page.evaluate("window.scrollY")
    link.click()
    page.wait_for_function("id => document.getElementById(id).classList.contains('hl')", arg=cell_id)
    assert in_viewport(page, f"#{cell_id}")
    assert page.evaluate("window.scrollY") < before
    assert page.evaluate("location.hash") == f"#{cell_id}"
    assert narrow.errors == []


def test_clicking_a_flagged_cell_shows_its_finding(narrow):
    page = narrow.page
    cell = page.locator("#c0-0-F7")
    finding_id = cell.get_attribute("data-findings").split()[0]
    cell.click()
    page.wait_for_function("id => document.getElementById(id).classList.contains('active')", arg=finding_id)
    assert in_viewport(page, f"#{finding_id}")
    assert "F7" in page.locator(f"#{finding_id} .goto-cell").inner_text()


def test_page_fetches_nothing_and_logs_no_errors(laptop):
    page = laptop.page
    page.locator("li.finding a.goto-cell").first.click()
    page.locator("#s0-0 td.flag").first.click()
    assert laptop.errors == []
    assert all(u.startswith(("file:", "data:", "about:")) for u in laptop.requests), laptop.requests
    assert page.locator("figure.chart svg").count() >= 1


def test_print_layout_shows_the_whole_grid(laptop):
    page = laptop.page
    page.emulate_media(media="print")
    assert page.eval_on_selector("nav.toc", "el => getComputedStyle(el).display") == "none"
    assert page.eval_on_selector("#s0-0 .grid-wrap", "el => getComputedStyle(el).overflow") == "visible"
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "report.pdf"))
    assert (ARTIFACTS / "report.pdf").stat().st_size > 10_000


def test_screenshot_of_the_report(laptop):
    page = laptop.page
    page.locator("li.finding a.goto-cell", has_text="F6").first.click()
    page.wait_for_function("document.getElementById('c0-0-F6').classList.contains('hl')")
    page.evaluate("document.getElementById('file0').scrollIntoView({block: 'start'})")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    page.screenshot(path=str(shot))
    full = ARTIFACTS / "report-full.png"
    page.screenshot(path=str(full), full_page=True)
    assert shot.stat().st_size > 20_000 and full.stat().st_size > shot.stat().st_size
