"""`crossfoot demo`: the DeepSeek case end to end, with the figures the engine must reach."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import crossfoot
from crossfoot.cases.deepseek import published_table
from crossfoot.demo import CONTROL, CORRECTED, PUBLISHED, REPORT, run_demo, write_training_cost_table

EXPECTED = published_table().expected


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo"))


def findings(fr, rule):
    return [f for f in fr.findings if f.rule == rule]


def test_demo_writes_the_three_files_and_the_control(demo):
    names = {p.name for p in demo.outdir.iterdir()}
    assert {PUBLISHED, CORRECTED, REPORT, CONTROL} <= names
    assert demo.unavailable == {}, demo.unavailable


def test_demo_runs_within_ten_seconds(demo):
    assert demo.seconds < 10


def test_published_table_total_leaves_out_h100_capex_and_cost_to_operate(demo):
    fr = demo.published_report
    omitted = findings(fr, "omitted-range")
    cells = {f.cell for f in omitted}
    assert {"F6", "F7"} <= cells
    assert demo.figures["capex_total_before"] == pytest.approx(EXPECTED["capex_total_published"])
    assert demo.figures["capex_total_after"] == pytest.approx(EXPECTED["capex_total"])
    assert demo.figures["opex_total_before"] == pytest.approx(EXPECTED["opex_total_published"])
    assert demo.figures["opex_total_after"] == pytest.approx(EXPECTED["opex_total"])


def test_summed_averages_are_flagged_with_gpu_weighted_figures(demo):
    cells = {f.cell for f in findings(demo.published_report, "intensive-aggregation")}
    assert {"F4", "F5"} <= cells
    assert demo.figures["asp_weighted"] == pytest.approx(EXPECTED["asp_weighted"], abs=1)
    assert demo.figures["capex_per_gpu_weighted"] == pytest.approx(EXPECTED["capex_per_gpu_weighted"], abs=1)


def test_tco_row_adding_a_stock_to_a_four_year_cost_under_per_hour_is_flagged(demo):
    flagged = findings(demo.published_report, "unit-mismatch")
    assert any("8" in f.cell for f in flagged), [f.cell for f in flagged]
    assert demo.figures["tco_per_year"] == pytest.approx(EXPECTED["tco_per_year"], abs=0.5)
    assert demo.figures["tco_per_year_hoppers"] == pytest.approx(EXPECTED["tco_per_year_hoppers"], abs=0.5)


def test_corrected_fleet_workbook_has_live_formulas_and_audits_clean(demo):
    wb = crossfoot.load(demo.corrected)
    assert wb.has_formulas
    fr = demo.corrected_report
    assert fr.error is None
    assert [f for f in fr.findings if f.severity in ("error", "warning")] == []


def test_funding_check_sets_claims_against_the_funds_reinvestable_cash(demo):
    reinvest = demo.figures["fund_reinvestable_total"]
    assert 300 < reinvest < 600          # the thread: ~$400m over the fund's life
    claims = demo.figures["claims"]
    assert claims["all_60k_capex"][2] != "fits" and claims["hoppers_capex"][2] != "fits"
    assert claims["cluster_2048_h800"][2] == "fits"


def test_control_table_audits_clean(demo):
    fr = demo.control_report
    assert fr.error is None and fr.findings == []


def test_control_table_twin_with_a_planted_error_is_flagged(tmp_path):
    """The control stays silent because it is right: the same table with a total that
    leaves out a stage is caught."""
    import openpyxl

    path = write_training_cost_table(tmp_path / "v3.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["E3"] = "=SUM(B3:C3)"
    ws["E4"] = "=SUM(B4:D4)"
    wb.save(path)
    fr = crossfoot.audit(path).files[0]
    assert any(f.cell == "E3" for f in fr.findings), [(f.rule, f.cell) for f in fr.findings]


def test_summary_shows_the_figures_with_provenance(demo):
    text = demo.summary
    for figure in ("$1,300m → $1,600m", "$715m → $944m", "$16,333", "$26,667", "$636m", "$545m"):
        assert figure in text, figure
    assert "no findings" in text
    assert re.search(r"\bquoted\b", text) and re.search(r"\breconstructed\b", text)
    assert "S1" in text and "S2" in text
    assert "unavailable" not in text.lower()


def test_report_page_holds_grid_findings_models_and_sources(demo):
    html = demo.html.read_text(encoding="utf-8")
    assert 'id="c0-0-F6"' in html and "r-omitted-range" in html
    assert 'id="fleet"' in html and 'id="funding"' in html and 'id="peers"' in html
    assert 'id="sources"' in html and "SemiAnalysis" in html
    assert html.count("<svg") >= 1                # the models' charts, inline
    assert "https://" not in html.split("<main>")[0]  # nothing fetched from the network


def test_cli_demo_writes_files_to_the_output_folder(tmp_path):
    out = subprocess.run([sys.executable, "-m", "crossfoot", "demo", "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / PUBLISHED).exists() and (tmp_path / "out" / REPORT).exists()
    assert "$1,600m" in out.stdout and "crossfoot-report.html" in out.stdout


def test_cli_demo_refuses_a_file_as_output_folder(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    out = subprocess.run([sys.executable, "-m", "crossfoot", "demo", "-o", str(target)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "not a folder" in out.stderr and "Traceback" not in out.stderr
