"""Impact of fixes: the fixed cell, labelled totals and bottom lines, named outputs, the
combined impact, the reader's line, and notices instead of crashes."""

from __future__ import annotations

import pytest

from crossfoot.audit import FileReport, audit
from crossfoot.cases.deepseek import write_published_table
from crossfoot.grid.address import parse_a1
from crossfoot.grid.model import Cell, ExcelError, Workbook
from crossfoot.read import load
from crossfoot.repair.impact import add_impact, format_impact, format_value
from crossfoot.rules.base import Finding, Fix, Impact, all_rules


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    return write_published_table(tmp_path_factory.mktemp("case") / "fleet.xlsx")


def finding(cell: str, formula: str | None, rule: str = "omitted-range", sheet: str = "Fleet", **kw) -> Finding:
    fix = Fix(formula=formula) if formula else None
    return Finding(rule, "error", sheet, cell, "planted", fix=fix, **kw)


def by_cell(impacts: list[Impact]) -> dict[str, Impact]:
    return {i.cell: i for i in impacts}


def test_capex_and_opex_totals_of_the_published_table(fleet):
    report = FileReport(str(fleet), [finding("F6", "=SUM(B6:E6)"), finding("F7", "=SUM(B7:E7)")],
                        workbook=load(fleet))
    combined = add_impact(report)
    capex, opex = report.findings
    assert [(i.cell, i.before, i.after) for i in capex.impact] == [("F6", 1300, 1600)]
    assert [(i.cell, i.before, i.after) for i in opex.impact] == [("F7", 715, 944)]
    assert format_impact(capex.impact[0]) == "Server CapEx ($m), Total: 1,300 -> 1,600 (+23%)"
    assert format_impact(opex.impact[0]) == "Cost to Operation ($m), Total: 715 -> 944 (+32%)"
    assert {i.cell for i in combined} == {"F6", "F7"} and report.impact == combined
    assert report.notices == []


def test_fix_of_a_column_reaches_its_total_and_the_tco_row(fleet):
    """Changing E6 (H100 capex) moves E8 (H100 TCO, a bottom line)."""
    report = FileReport(str(fleet), [finding("E6", "=E3*E5/10^6*2")], workbook=load(fleet))
    add_impact(report)
    got = by_cell(report.findings[0].impact)
    assert (got["E6"].before, got["E6"].after) == (300, 600)
    assert (got["E8"].before, got["E8"].after) == (529, 829)
    assert got["E8"].label == "TCO (4y Ownership) ($m/hr), H100"


def test_real_rules_on_the_published_table_give_the_readers_numbers(fleet):
    rules = all_rules()
    if not {"omitted-range", "intensive-aggregation"} <= set(rules):
        pytest.skip("structural and meaning rules not installed")
    report = audit(fleet, select=["omitted-range", "intensive-aggregation"])
    fr = report.files[0]
    combined = by_cell(add_impact(fr))
    assert (combined["F6"].before, combined["F6"].after) == (1300, 1600)
    assert (combined["F7"].before, combined["F7"].after) == (715, 944)
    assert combined["F4"].after == pytest.approx(16333.33, abs=0.01)  # GPU-weighted ASP
    assert combined["F5"].after == pytest.approx(26666.67, abs=0.01)  # weighted capex per GPU
    # the weighted average covers H100 too: omitted-range keeps its finding but not its fix (rules.overlaps)
    assert not any("disagree" in n for n in fr.notices)
    assert {f.cell for f in fr.findings if f.evidence.get("superseded_by") == "intensive-aggregation"} == {"F4", "F5"}


def test_named_output_is_reported_and_a_bad_name_is_a_notice(fleet):
    report = FileReport(str(fleet), [finding("B6", "=B3*B5/10^6+100")], workbook=load(fleet))
    combined = add_impact(report, outputs=["Fleet!B8", "Fleet!F3", "Nowhere!A1"])
    cells = [i.cell for i in report.findings[0].impact]
    assert cells[:2] == ["B6", "B8"]  # the fixed cell, then the named output it reaches
    assert "F3" not in cells  # the fix does not reach F3
    assert by_cell(combined)["F3"].before == by_cell(combined)["F3"].after == 60000  # but the combined lists it
    assert any("output Nowhere!A1 is not a cell" in n for n in report.notices)


def test_finding_without_a_fix_gets_no_impact(fleet):
    report = FileReport(str(fleet), [finding("F6", None)], workbook=load(fleet))
    assert add_impact(report) == []
    assert report.findings[0].impact == [] and report.notices == []


def test_range_finding_with_a_fix_per_cell_uses_evidence_fixes(fleet):
    f = finding("F6:F7", "=SUM(B6:E6)", evidence={"fixes": {"F6": "=SUM(B6:E6)", "F7": "SUM(B7:E7)"}})
    report = FileReport(str(fleet), [f], workbook=load(fleet))
    add_impact(report)
    assert {(i.cell, i.after) for i in f.impact} == {("F6", 1600), ("F7", 944)}


def test_range_finding_with_one_formula_is_skipped(fleet):
    f = finding("F6:F7", "=SUM(B6:E6)")
    report = FileReport(str(fleet), [f], workbook=load(fleet))
    assert add_impact(report) == [] and f.impact == []


def grid(cells: dict) -> Workbook:
    wb = Workbook("mem.xlsx")
    sheet = wb.add_sheet("S")
    for address, spec in cells.items():
        row, col = parse_a1(address)
        sheet.add(Cell(row, col, spec[1], spec[0]) if isinstance(spec, tuple) else Cell(row, col, spec))
    return wb


def test_circular_fix_gets_no_impact_and_a_notice():
    wb = grid({"A1": "Cost", "A2": 5, "B2": ("=A2*2", 10), "C2": ("=B2+1", 11)})
    report = FileReport("mem.xlsx", [finding("B2", "=A2+C2", sheet="S")], workbook=wb)
    assert add_impact(report) == []
    assert report.findings[0].impact == []
    assert any("impact of the fix at S!B2" in n and "circular reference" in n for n in report.notices)


def test_unsupported_function_gets_no_impact_and_a_notice():
    wb = grid({"A2": 5, "B2": ("=A2*2", 10)})
    report = FileReport("mem.xlsx", [finding("B2", "=OFFSET(A2,0,0)*3", sheet="S")], workbook=wb)
    add_impact(report)
    assert report.findings[0].impact == []
    assert any("uses OFFSET, which the formulas engine does not support" in n for n in report.notices)


def test_ref_error_downstream_is_left_out_with_a_notice():
    wb = grid({"A2": 5, "B2": ("=A2*2", 10), "C2": ("=B2+#REF!", ExcelError("#REF!")), "D2": ("=B2+1", 11)})
    report = FileReport("mem.xlsx", [finding("B2", "=A2*3", sheet="S")], workbook=wb)
    add_impact(report)
    assert {(i.cell, i.after) for i in report.findings[0].impact} == {("B2", 15), ("D2", 16)}
    assert any("S!C2 (#REF!)" in n and "Excel error" in n for n in report.notices)


def test_workbook_without_a_grid_is_a_no_op():
    assert add_impact(FileReport("gone.xlsx", error="no such file")) == []


def test_values_are_shown_as_a_reader_reads_them():
    assert format_value(1600.0) == "1,600"
    assert format_value(16333.333) == "16,333"
    assert format_value(0.25) == "0.25"
    assert format_value(True) == "TRUE"
    assert format_impact(Impact("S", "B2", None, 10, 10.0001)) == "S!B2: 10 -> 10 (+0.001%)"
    assert format_impact(Impact("S", "B2", "Price", "n/a", 5)) == "Price: n/a -> 5"


def test_many_fixes_are_measured_one_by_one_up_to_a_cap(fleet, monkeypatch):
    import crossfoot.repair.impact as impact

    monkeypatch.setattr(impact, "MAX_FIXES", 2)
    findings = [finding("F6", "=SUM(B6:E6)", rule="omitted-range"), finding("F7", "=SUM(B7:E7)"),
                finding("F8", "=SUM(B8:E8)")]
    findings[2].severity = "warning"
    report = FileReport(str(fleet), findings, workbook=load(fleet))
    combined = add_impact(report)
    assert [bool(f.impact) for f in findings] == [True, True, False]  # errors first
    assert {i.cell for i in combined} == {"F6", "F7", "F8"}
    assert any("impact measured for 2 of 3 fixes" in n for n in report.notices)
