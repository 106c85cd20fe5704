"""The corrected copy: fixes written in with a comment and a highlight, the rest of the
workbook kept, the input never overwritten, and a round trip: auditing the corrected
copy reports none of the findings it fixed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from crossfoot.audit import FileReport, audit
from crossfoot.cases.deepseek import write_published_table
from crossfoot.read import load
from crossfoot.repair.writer import FixWriteError, write_fixed
from crossfoot.rules.base import Finding, Fix, all_rules

# -- planted-error workbooks (written by openpyxl: formulas without saved values) ------


def pnl(path: Path, planted: bool) -> Path:
    """Quarterly P&L, Total column F = SUM(B:E); planted: one row's total stops at Q3."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "P&L"
    ws.append(["Item", "Q1", "Q2", "Q3", "Q4", "Total"])
    for r, name in enumerate(["Revenue", "Cost of sales", "Salaries", "Rent", "Marketing", "Travel"], 2):
        ws.append([name, 100 + r * 10, 110 + r * 7, 120 + r * 5, 130 + r * 3])
        ws[f"F{r}"] = f"=SUM(B{r}:D{r})" if planted and r == 5 else f"=SUM(B{r}:E{r})"
    book.save(path)
    return path


def column_totals(path: Path, planted: bool) -> Path:
    """Sales by region and product with a total row; planted: one total stops a row short."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sales"
    ws.append(["Region", "Widgets", "Gadgets", "Gizmos", "Doohickeys"])
    for r in range(2, 11):
        ws.append([f"Region {r - 1}"] + [r * 3 + c * 11 for c in range(4)])
    ws["A11"] = "Total"
    for col in "BCDE":
        ws[f"{col}11"] = f"=SUM({col}2:{col}{9 if planted and col == 'D' else 10})"
    book.save(path)
    return path


def copied_run(path: Path, planted: bool) -> Path:
    """Amount = Units * Price copied down; planted: one row reads the price of the row above."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Orders"
    ws.append(["Item", "Units", "Price", "Amount"])
    for r in range(2, 12):
        ws.append([f"Item {r - 1}", r * 2, 5 + r % 4])
        ws[f"D{r}"] = f"=B{r}*C{r - 1}" if planted and r == 6 else f"=B{r}*C{r}"
    ws["A12"], ws["D12"] = "Total", "=SUM(D2:D11)"
    book.save(path)
    return path


def typed_total(path: Path, planted: bool) -> Path:
    """Costs by year with a total row; planted: one total keyed in by hand."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Costs"
    ws.append(["Line", "2023", "2024", "2025"])
    for r in range(2, 10):
        ws.append([f"Line {r - 1}", r * 10, r * 11, r * 12])
    ws["A10"] = "Total"
    for col in "BCD":
        ws[f"{col}10"] = f"=SUM({col}2:{col}9)"
    if planted:
        ws["B10"] = sum(r * 10 for r in range(2, 10))
    book.save(path)
    return path


def fleet(path: Path, planted: bool) -> Path:
    """The published DeepSeek table (planted: as published; clean: its corrected copy)."""
    published = write_published_table(path.with_name("published-" + path.name))
    if planted:
        return published
    report = audit(published).files[0]
    return write_fixed(report, path)


PLANTED = {"pnl": (pnl, "omitted-range"), "column_totals": (column_totals, "omitted-range"),
           "copied_run": (copied_run, "inconsistent-formula"), "typed_total": (typed_total, "hardcoded-value"),
           "fleet": (fleet, "omitted-range")}


def _need(*rules: str) -> None:
    missing = set(rules) - set(all_rules())
    if missing:
        pytest.skip(f"rules not installed: {', '.join(sorted(missing))}")


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_corrected_copy_reports_none_of_the_fixed_findings(name, tmp_path):
    make, rule = PLANTED[name]
    _need(rule)
    report = audit(make(tmp_path / f"{name}.xlsx", True)).files[0]
    fixed = [f for f in report.findings if f.fix is not None and f.fix.formula]
    assert any(f.rule == rule for f in fixed)
    out = write_fixed(report, tmp_path / f"{name}-fixed.xlsx")
    again = audit(out).files[0]
    assert again.error is None
    assert not {(f.rule, f.sheet, f.cell) for f in fixed} & {(f.rule, f.sheet, f.cell) for f in again.findings}
    assert not [f for f in again.findings if f.severity == "error"]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_clean_twin_of_each_planted_workbook_is_silent(name, tmp_path):
    make, rule = PLANTED[name]
    _need(rule)
    report = audit(make(tmp_path / f"{name}.xlsx", False)).files[0]
    assert report.findings == []


def test_sum_of_prices_fixed_to_a_weighted_average_is_not_flagged_again(tmp_path):
    _need("intensive-aggregation")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Products"
    ws.append(["Product", "Units", "Price ($)", "Revenue ($)"])
    for r in range(2, 7):
        ws.append([f"Product {r - 1}", r * 100, 10 + r, f"=B{r}*C{r}"])
    ws.append(["Total", "=SUM(B2:B6)", "=SUM(C2:C6)", "=SUM(D2:D6)"])
    book.save(tmp_path / "prices.xlsx")
    report = audit(tmp_path / "prices.xlsx", select=["intensive-aggregation"]).files[0]
    assert [f.cell for f in report.findings] == ["C7"]
    out = write_fixed(report, tmp_path / "prices-fixed.xlsx")
    assert audit(out, select=["intensive-aggregation"]).files[0].findings == []
    assert load(out)["Products"]["C7"].formula.startswith("=SUMPRODUCT(")


# -- what the copy keeps and marks ----------------------------------------------------


def rich_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Model"
    ws.append(["Item", "Q1", "Q2", "Total"])
    ws.append(["Sales", 10, 20, "=SUM(B2:B2)"])
    ws["B2"].number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 31
    ws.merge_cells("A4:C4")
    ws["A4"] = "Notes span three columns"
    ws["D2"].comment = openpyxl.comments.Comment("checked by Ann", "Ann")
    other = book.create_sheet("Inputs")
    other["A1"] = 0.25
    book.defined_names["Rate"] = DefinedName("Rate", attr_text="Inputs!$A$1")
    book.save(path)
    return path


def report_for(path: Path, *findings: Finding) -> FileReport:
    return FileReport(str(path), list(findings), workbook=load(path))


def test_fixed_cell_gets_formula_comment_and_highlight_and_the_rest_is_kept(tmp_path):
    src = rich_book(tmp_path / "model.xlsx")
    report = report_for(src, Finding("omitted-range", "error", "Model", "D2", "m", fix=Fix(formula="=SUM(B2:C2)")))
    out = write_fixed(report, tmp_path / "out" / "model-fixed.xlsx")
    book = openpyxl.load_workbook(out)
    ws = book["Model"]
    assert ws["D2"].value == "=SUM(B2:C2)"
    assert ws["D2"].fill.fgColor.rgb.endswith("FFFF00")
    assert "checked by Ann" in ws["D2"].comment.text
    assert "crossfoot omitted-range: was =SUM(B2:B2)" in ws["D2"].comment.text
    assert book.sheetnames == ["Model", "Inputs"]
    assert "Rate" in book.defined_names
    assert ws["B2"].number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width == 31
    assert "A4:C4" in {str(r) for r in ws.merged_cells.ranges}
    assert book.calculation.fullCalcOnLoad is True
    assert openpyxl.load_workbook(src)["Model"]["D2"].value == "=SUM(B2:B2)"  # the input is untouched


def test_label_fix_rewrites_the_label_cell(tmp_path):
    src = rich_book(tmp_path / "model.xlsx")
    f = Finding("unit-mismatch", "warning", "Model", "D2", "m", fix=Fix(label="Sales ($m/yr)", label_cell="A2"))
    out = write_fixed(report_for(src, f), tmp_path / "fixed.xlsx")
    cell = openpyxl.load_workbook(out)["Model"]["A2"]
    assert cell.value == "Sales ($m/yr)"
    assert "label was 'Sales'" in cell.comment.text


def test_fixes_that_disagree_write_the_meaning_rule_and_say_so(tmp_path):
    src = rich_book(tmp_path / "model.xlsx")
    report = report_for(src,
                        Finding("intensive-aggregation", "error", "Model", "D2", "m", fix=Fix(formula="=AVERAGE(B2:C2)")),
                        Finding("omitted-range", "error", "Model", "D2", "m", fix=Fix(formula="=SUM(B2:C2)")))
    out = write_fixed(report, tmp_path / "fixed.xlsx")
    cell = openpyxl.load_workbook(out)["Model"]["D2"]
    assert cell.value == "=AVERAGE(B2:C2)"
    assert "crossfoot intensive-aggregation (also flagged by omitted-range)" in cell.comment.text


def test_refuses_to_write_over_its_input(tmp_path):
    src = rich_book(tmp_path / "model.xlsx")
    report = report_for(src, Finding("omitted-range", "error", "Model", "D2", "m", fix=Fix(formula="=SUM(B2:C2)")))
    before = src.read_bytes()
    for dest in (src, tmp_path / "sub" / ".." / "model.xlsx"):
        with pytest.raises(FixWriteError, match="refusing to write the corrected copy over its input"):
            write_fixed(report, dest)
    assert src.read_bytes() == before


def test_refuses_inputs_and_outputs_that_are_not_xlsx(tmp_path):
    csv = tmp_path / "table.csv"
    csv.write_text("a,b\n1,2\n")
    with pytest.raises(FixWriteError, match="only .xlsx and .xlsm"):
        write_fixed(FileReport(str(csv), []), tmp_path / "fixed.xlsx")
    src = rich_book(tmp_path / "model.xlsx")
    with pytest.raises(FixWriteError, match="must be an .xlsx or .xlsm"):
        write_fixed(report_for(src), tmp_path / "fixed.csv")
    assert isinstance(FixWriteError("x"), ValueError) and isinstance(FixWriteError("x"), OSError)


def test_what_openpyxl_drops_from_the_copy_is_a_notice(tmp_path):
    import xlsxwriter

    src = tmp_path / "spark.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("S")
    for i in range(5):
        ws.write_number(i, 0, i + 1)
    ws.write_formula("B1", "=SUM(A1:A4)", None, 10)
    ws.add_sparkline("C1", {"range": "S!A1:A5"})
    book.close()
    report = report_for(src, Finding("omitted-range", "error", "S", "B1", "m", fix=Fix(formula="=SUM(A1:A5)")))
    write_fixed(report, tmp_path / "fixed.xlsx")
    assert any("corrected copy fixed.xlsx: Sparkline Group extension is not supported" in n for n in report.notices)
