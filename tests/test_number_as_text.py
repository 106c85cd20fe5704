"""number-as-text: a number stored as text inside a range an aggregate reads."""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import crossfoot
from crossfoot.audit import audit_workbook
from crossfoot.grid.model import Cell, Workbook
from crossfoot.rules.number_as_text import numeric_text

RULE = ["number-as-text"]


def save(tmp_path, rows, name="model.xlsx", title="Costs"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def findings(path, **kw):
    report = crossfoot.audit(path, select=RULE, **kw)
    assert report.files[0].error is None
    return report.files[0].findings


COLUMN = [("Item", "Cost"), ("A100", 400), ("H800", 120), ("H100", 80), ("Total", "=SUM(B2:B4)")]


def test_text_number_inside_summed_column_is_flagged_with_the_number_as_fix(tmp_path):
    rows = [list(r) for r in COLUMN]
    rows[2][1] = "120"
    [f] = findings(save(tmp_path, rows))
    assert (f.sheet, f.cell, f.severity) == ("Costs", "B3", "error")
    assert "'120'" in f.message and "SUM in B5 leaves it out" in f.message
    assert "it adds up to 480, and to 600 with it" in f.message
    assert f.fix.formula == "120"
    assert f.evidence["read_by"] == ["B5"]


def test_clean_twin_with_the_number_stored_as_number_is_silent(tmp_path):
    assert findings(save(tmp_path, COLUMN)) == []


def test_first_and_last_items_of_the_column_are_flagged_too(tmp_path):
    rows = [list(r) for r in COLUMN]
    rows[1][1] = "400"
    rows[3][1] = "80"
    assert [f.cell for f in findings(save(tmp_path, rows))] == ["B2", "B4"]


def test_formatted_text_in_a_summed_row_is_flagged(tmp_path):
    rows = [("", "Q1", "Q2", "Q3", "Year"), ("Revenue", 100, "$1,200", 300, "=SUM(B2:D2)")]
    [f] = findings(save(tmp_path, rows))
    assert f.cell == "C2" and f.fix.formula == "1200"


def test_text_year_header_on_top_of_a_summed_column_is_silent(tmp_path):
    rows = [("Item", "2024"), ("a", 1), ("b", 2), ("Total", "=SUM(B1:B3)")]
    assert findings(save(tmp_path, rows)) == []


def test_text_number_read_only_by_arithmetic_is_silent_because_excel_converts_it(tmp_path):
    rows = [("a", 400), ("b", "120"), ("c", 80), ("Total", "=B1+B2+B3")]
    assert findings(save(tmp_path, rows)) == []


def test_text_number_that_no_formula_reads_is_silent(tmp_path):
    rows = [("a", 400), ("b", "120"), ("c", 80)]
    assert findings(save(tmp_path, rows)) == []


def test_text_number_inside_an_expression_argument_is_silent(tmp_path):
    # SUM(B1:B3*1) converts each cell before adding: nothing is left out.
    rows = [("a", 400), ("b", "120"), ("c", 80), ("Total", "=SUMPRODUCT(B1:B3*1)")]
    assert findings(save(tmp_path, rows)) == []


def test_text_number_read_from_another_sheet_is_flagged(tmp_path):
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    for row in [("a", 400), ("b", "120"), ("c", 80)]:
        data.append(row)
    summary = wb.create_sheet("Summary")
    summary["A1"] = "Total"
    summary["B1"] = "=SUM(Data!B1:B3)"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    [f] = findings(path)
    assert (f.sheet, f.cell) == ("Data", "B2")
    assert "Summary!B1" in f.message


def _grid_with_text_formula() -> Workbook:
    wb = Workbook("grid.xlsx")
    sheet = wb.add_sheet("S")
    for r, v in ((1, 400.0), (3, 80.0)):
        sheet.add(Cell(r, 2, v))
    sheet.add(Cell(2, 2, "120", '=TEXT(C2,"0")'))
    sheet.add(Cell(2, 3, 120.0))
    sheet.add(Cell(4, 2, 480.0, "=SUM(B1:B3)"))
    return wb


def test_formula_returning_a_text_number_is_flagged_unless_the_option_is_off():
    [f] = audit_workbook(_grid_with_text_formula(), select=RULE).findings
    assert f.cell == "B2" and f.fix.formula == '=VALUE(TEXT(C2,"0"))'
    off = audit_workbook(_grid_with_text_formula(), select=RULE,
                         options={"number-as-text": {"include_formulas": False}})
    assert off.findings == []


@pytest.mark.parametrize("text, number", [
    ("120", 120), (" 1,300 ", 1300), ("$1,200", 1200), ("12%", 0.12), ("(300)", -300),
    ("-4.5e3", -4500), ("€7", 7),
])
def test_numeric_text_reads_what_a_reader_sees_as_a_number(text, number):
    assert numeric_text(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["", "-", "nan", "inf", "n/a", "Q1", "1,2,3", "12,34", "2024-01-01", "A100"])
def test_numeric_text_rejects_words_and_codes(text):
    assert numeric_text(text) is None


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_numeric_text_reads_any_integer_with_thousands_separators(n):
    assert numeric_text(f"{n:,}") == n
