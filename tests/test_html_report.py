"""The HTML report: a self-contained page with grids linked to findings, safe to open."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import crossfoot
from crossfoot.audit import FileReport, Report
from crossfoot.cases.deepseek import write_published_table
from crossfoot.grid.model import Cell, ExcelError, Workbook
from crossfoot.report.html import (MAX_GRID_CELLS, Chart, Extras, Figure, Section, Table, format_value,
                                   inline_svg, render_html)
from crossfoot.rules.base import Finding, Fix, Impact


class Page(HTMLParser):
    """Collects elements by id, their attributes, and every script/style/link tag."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        d = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, d))
        if "id" in d:
            assert d["id"] not in self.by_id, f"duplicate id {d['id']}"
            self.by_id[d["id"]] = {"tag": tag, **d}
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return write_published_table(tmp_path_factory.mktemp("html") / "fleet.xlsx")


def omitted(fr: FileReport) -> Finding:
    return Finding("omitted-range", "error", "Fleet", "F6",
                   "Total of 'Server CapEx ($m)' (F6 = 1,300) leaves out H100.",
                   fix=Fix(formula="=SUM(B6:E6)"),
                   impact=[Impact("Fleet", "F6", "Server CapEx ($m)", 1300, 1600)])


def report_with(path, findings) -> Report:
    report = crossfoot.audit(path, select=[])
    report.files[0].findings = list(findings)
    return report


def test_flagged_cell_and_finding_link_to_each_other(published):
    report = report_with(published, [])
    report.files[0].findings = [omitted(report.files[0])]
    page = Page(render_html(report))
    cell = page.by_id["c0-0-F6"]
    assert "flag" in cell["class"].split() and "r-omitted-range" in cell["class"].split()
    assert cell["data-findings"] == "f0-0"
    finding = page.by_id["f0-0"]
    assert finding["data-cell"] == "c0-0-F6"
    links = [a for tag, a in page.tags if tag == "a" and a.get("class") == "goto-cell"]
    assert links == [{"class": "goto-cell", "href": "#c0-0-F6", "data-cell": "c0-0-F6"}]


def test_clean_twin_has_no_flagged_cells(published):
    html = render_html(report_with(published, []))
    page = Page(html)
    assert not any("flag" in a.get("class", "").split() for _, a in page.tags)
    assert "No findings." in html
    # the grid is still drawn: letters, row numbers and the values as formatted
    assert page.by_id["c0-0-F6"]["title"].startswith("F6  =SUM(B6:D6)")
    assert ">1,300<" in html and ">Total<" in html


def test_finding_shows_message_fix_and_impact(published):
    report = report_with(published, [])
    report.files[0].findings = [omitted(report.files[0])]
    html = render_html(report)
    assert "leaves out H100." in html
    assert "<code>=SUM(B6:E6)</code>" in html
    assert re.search(r"<td class=\"num\">1,300</td><td class=\"num\">1,600</td><td class=\"num\">\+23%</td>", html)


def test_range_finding_flags_every_cell_of_its_range(published):
    report = report_with(published, [Finding("omitted-range", "error", "Fleet", "F4:F8", "lower totals")])
    page = Page(render_html(report))
    for row in range(4, 9):
        assert "r-omitted-range" in page.by_id[f"c0-0-F{row}"]["class"]
    assert "flag" not in page.by_id["c0-0-F3"].get("class", "")


def test_cell_flagged_by_two_rules_lists_both_findings(published):
    report = report_with(published, [
        Finding("omitted-range", "error", "Fleet", "F4", "leaves out H100"),
        Finding("intensive-aggregation", "warning", "Fleet", "F4", "sums prices")])
    page = Page(render_html(report))
    cell = page.by_id["c0-0-F4"]
    assert cell["data-findings"] == "f0-0 f0-1"
    assert "multi" in cell["class"] and "r-omitted-range" in cell["class"]  # the worse one colours it


def test_page_is_self_contained(published):
    report = report_with(published, [Finding("omitted-range", "error", "Fleet", "F6", "x")])
    html = render_html(report)
    page = Page(html)
    for tag, attrs in page.tags:
        for key in ("src", "href"):
            value = attrs.get(key, "")
            assert not re.match(r"^(https?:)?//", value), f"<{tag} {key}={value}> needs the network"
        assert tag != "link", "stylesheets are inlined"
        if tag == "script":
            assert "src" not in attrs
    assert "<style>" in html and "scrollIntoView" in "".join(page.script_text)


def test_hostile_workbook_text_is_escaped(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "<img src=x onerror=alert(1)>"
    ws["A1"] = "<script>alert('cell')</script>"
    ws["A2"] = "\"><svg onload=alert(2)>"
    ws["B2"] = 5
    path = tmp_path / "hostile.xlsx"
    wb.save(path)
    report = crossfoot.audit(path, select=[])
    report.files[0].findings = [Finding("total-mismatch", "error", ws.title, "A2",
                                        "message with <b>markup</b> & </script><script>alert(3)</script>",
                                        fix=Fix(formula="=\"<i>\"", description="<u>desc</u>"))]
    html = render_html(report)
    page = Page(html)
    scripts = [a for t, a in page.tags if t == "script"]
    assert len(scripts) == 1, "only the report's own script"
    assert not any(t in ("img", "svg", "b", "i", "u") for t, _ in page.tags)
    assert "&lt;script&gt;alert(&#39;cell&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert all("onerror" not in a and "onload" not in a for _, a in page.tags)


def test_unreadable_file_is_reported_without_grid(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    html = render_html(crossfoot.audit(bad))
    assert "Could not be read:" in html and "broken.xlsx" in html
    assert "<table class=\"grid\">" not in html


def big_workbook(rows: int, cols: int) -> Workbook:
    wb = Workbook("big.xlsx")
    sheet = wb.add_sheet("Data")
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            sheet.add(Cell(r, c, float(r * c)))
    return wb


def test_huge_sheet_is_drawn_around_its_findings_and_says_so():
    wb = big_workbook(3000, 60)
    finding = Finding("hardcoded-value", "warning", "Data", "AX2500", "typed over a formula")
    report = Report([FileReport("big.xlsx", [finding], workbook=wb)])
    html = render_html(report)
    page = Page(html)
    cells = [a for t, a in page.tags if t == "td" and "id" in a]
    assert len(cells) <= MAX_GRID_CELLS
    assert "r-hardcoded-value" in page.by_id["c0-0-AX2500"]["class"]
    assert {"c0-0-A1", "c0-0-A2500", "c0-0-AX2496"} <= set(page.by_id)  # head rows and columns, the window
    assert "c0-0-A1000" not in page.by_id and "c0-0-Z1" not in page.by_id
    assert "used range A1:BH3000 has 180,000 cells" in html
    assert "not drawn" in html


def test_finding_beyond_the_drawn_windows_is_listed_without_a_dead_link():
    wb = big_workbook(3000, 60)
    many = [Finding("hardcoded-value", "warning", "Data", f"C{r}", "typed over a formula")
            for r in range(20, 3000, 10)]
    html = render_html(Report([FileReport("big.xlsx", many, workbook=wb)]))
    page = Page(html)
    links = [a["data-cell"] for t, a in page.tags if t == "a" and a.get("class") == "goto-cell"]
    assert links and all(cell in page.by_id for cell in links)
    assert len(links) < len(many)
    assert html.count('class="where"') == len(many) - len(links)


def test_small_sheet_is_drawn_whole():
    wb = big_workbook(20, 8)
    html = render_html(Report([FileReport("small.xlsx", [], workbook=wb)]))
    page = Page(html)
    assert all(f"c0-0-{c}20" in page.by_id for c in "ABCDEFGH")
    assert "not drawn" not in html


def test_extras_show_figures_with_provenance_tables_and_inline_charts(published):
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
           'height="10"><rect width="5" height="5"/></svg>')
    extras = Extras(
        title="Demo <title>",
        headline=[Figure("Server capex", "$1,600m", "quoted", "S1")],
        sections=[Section("fund", "Funding", figures=[Figure("Fees", "$70m", "derived", "S2", note="1% of $7B")],
                          tables=[Table("Fees by year", ["Year", "Fees"], [["2024", Figure("", "$70m", "computed")]])],
                          charts=[Chart("Cash", svg)])],
        sources={"S1": "SemiAnalysis"},
    )
    html = render_html(report_with(published, []), extras=extras)
    assert "<title>Demo &lt;title&gt;</title>" in html
    assert 'class="prov prov-quoted"' in html and 'href="#sources">S1</a>' in html
    assert "<svg xmlns" in html and "<?xml" not in html and "DOCTYPE svg" not in html
    assert ">Fees by year</caption>" in html and "1% of $7B" in html
    assert html.index('id="headline"') < html.index('id="file0"') < html.index('id="fund"')


def test_chart_svg_with_script_is_refused():
    with pytest.raises(ValueError):
        inline_svg('<svg><script>alert(1)</script></svg>')
    with pytest.raises(ValueError):
        inline_svg('<svg><rect onclick="x()"/></svg>')
    assert str(inline_svg('<?xml version="1.0"?><svg><rect/></svg>')) == "<svg><rect/></svg>"


@pytest.mark.parametrize("value,fmt,shown", [
    (1300.0, "#,##0", "1,300"),
    (16333.333, "#,##0", "16,333"),
    (0.125, "0.0%", "12.5%"),
    (5.328, "0.000", "5.328"),
    (1234.5, '"$"#,##0.00', "$1,234.50"),
    (1600, "General", "1600"),
    (0.1 + 0.2, "General", "0.3"),
    (ExcelError("#REF!"), "General", "#REF!"),
    (True, "General", "TRUE"),
    (None, "General", ""),
])
def test_cell_values_are_shown_as_their_number_format_says(value, fmt, shown):
    assert format_value(value, fmt) == shown
