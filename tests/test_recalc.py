"""Recalculation: the engine adapter, cone evaluation, ensure_values, and the notices for
what cannot be recalculated (circular references, unsupported functions, #REF! chains)."""

from __future__ import annotations

import openpyxl
import pytest

from crossfoot.grid.address import parse_a1
from crossfoot.grid.model import Cell, ExcelError, Workbook
from crossfoot.read import load
from crossfoot.repair.cone import ConeEvaluator
from crossfoot.repair.recalc import FormulasEngine, ensure_values, from_engine, missing_values


def grid(**sheets: dict) -> Workbook:
    """An in-memory workbook: {"A1": 5, "B1": ("=A1*2", 10)} (formula, saved value)."""
    wb = Workbook("mem.xlsx")
    for name, cells in sheets.items():
        sheet = wb.add_sheet(name)
        for address, spec in cells.items():
            row, col = parse_a1(address)
            if isinstance(spec, tuple):
                sheet.add(Cell(row, col, spec[1], spec[0]))
            else:
                sheet.add(Cell(row, col, spec))
    return wb


def P(sheet: str, address: str) -> tuple[str, int, int]:
    return (sheet, *parse_a1(address))


def test_shared_shape_compiles_once_and_reads_placeholders():
    engine = FormulasEngine()
    first = engine.compile("=SUM(_CF0)*_CF1")
    assert engine.compile("=SUM(_CF0)*_CF1") is first
    assert first([[1, 2, None]], [[2]]) == 6.0


def test_engine_results_become_grid_values():
    engine = FormulasEngine()
    assert engine.compile("=_CF0/0")([[1]]) == ExcelError("#DIV/0!")
    assert engine.compile('=_CF0&"x"')([["a"]]) == "ax"
    assert engine.compile("=_CF0+1")([[None]]) == 1.0  # an empty cell reads as 0
    assert engine.compile("=_CF0>1")([[2]]) is True
    assert from_engine(3) == 3.0


def test_engine_names_the_functions_it_lacks():
    assert FormulasEngine().unsupported({"SUM", "OFFSET", "XLOOKUP"}) == {"OFFSET"}


def test_fix_recalculates_its_cone_from_saved_boundary_values():
    wb = grid(S={"A1": 1, "B1": 2, "C1": 3, "D1": ("=SUM(A1:B1)", 3), "E1": ("=D1*10", 30),
                 "F1": ("=A1+100", 101)})
    result = ConeEvaluator(wb).evaluate({P("S", "D1"): "=SUM(A1:C1)"})
    assert set(result.order) == {P("S", "D1"), P("S", "E1")}  # F1 does not depend on D1
    assert result.after[P("S", "D1")] == 6.0 and result.after[P("S", "E1")] == 60.0
    assert result.before[P("S", "E1")] == 30
    assert not result.notices
    assert wb["S"]["D1"].value == 3 and wb["S"]["D1"].formula == "=SUM(A1:B1)"  # the grid is untouched


def test_cone_follows_references_across_sheets_whole_columns_and_names():
    wb = grid(Data={"A1": 1, "A2": 2, "B1": ("=A1*2", 2), "B2": ("=A2*2", 4)},
              Sum={"A1": ("=SUM(Data!B:B)", 6), "A2": ("=Rate*A1", 0.6), "A3": 0.1})
    wb.defined_names["Rate"] = "Sum!$A$3"
    result = ConeEvaluator(wb).evaluate({P("Data", "B1"): "=A1*5"})
    assert result.after[P("Data", "B1")] == 5.0
    assert result.after[P("Sum", "A1")] == 9.0
    assert result.after[P("Sum", "A2")] == pytest.approx(0.9)


def test_position_dependent_functions_are_compiled_where_they_stand():
    wb = grid(S={"A1": 1, "A2": 2, "A3": 3, "B3": ("=ROW()+INDEX(A1:A3,2)", 5), "C3": ("=B3", 5)})
    result = ConeEvaluator(wb).evaluate({P("S", "B3"): "=ROW()*10+INDEX(A1:A3,3)"})
    assert result.after[P("S", "B3")] == 33.0
    assert result.after[P("S", "C3")] == 33.0


def test_fix_that_closes_a_loop_is_a_circular_reference_notice():
    wb = grid(S={"A1": 1, "B1": ("=A1", 1), "C1": ("=B1*2", 2), "D1": ("=C1+1", 3)})
    result = ConeEvaluator(wb).evaluate({P("S", "B1"): "=A1+C1"})
    assert set(result.circular) == {P("S", "B1"), P("S", "C1"), P("S", "D1")}
    assert result.after == {}
    assert len(result.notices) == 1
    assert "circular reference through S!B1, S!C1" in result.notices[0]
    assert "nor the 1 that depend" in result.notices[0]


def test_clean_twin_without_loop_has_no_circular_notice():
    wb = grid(S={"A1": 1, "B1": ("=A1", 1), "C1": ("=B1*2", 2), "D1": ("=C1+1", 3)})
    result = ConeEvaluator(wb).evaluate({P("S", "B1"): "=A1+1"})
    assert result.circular == [] and result.notices == []
    assert result.after[P("S", "D1")] == 5.0


def test_unsupported_function_in_the_cone_is_a_notice_and_blocks_what_depends_on_it():
    wb = grid(S={"A1": 1, "B1": ("=A1", 1), "C1": ("=OFFSET(B1,0,0)*2", 2), "D1": ("=C1+1", 3),
                 "E1": ("=B1+1", 2)})
    result = ConeEvaluator(wb).evaluate({P("S", "B1"): "=A1*3"})
    assert result.after[P("S", "E1")] == 4.0  # a sibling branch is still recalculated
    assert P("S", "C1") not in result.after and P("S", "D1") not in result.after
    assert any("S!C1: uses OFFSET, which the formulas engine does not support" in n for n in result.notices)


def test_ref_error_chain_evaluates_to_ref_error_without_crashing():
    wb = grid(S={"A1": 1, "B1": ("=A1", 1), "C1": ("=B1+#REF!", ExcelError("#REF!")),
                 "D1": ("=C1*2", ExcelError("#REF!"))})
    result = ConeEvaluator(wb).evaluate({P("S", "B1"): "=A1*3"})
    assert result.after[P("S", "B1")] == 3.0
    assert result.after[P("S", "C1")] == ExcelError("#REF!")
    assert result.after[P("S", "D1")] == ExcelError("#REF!")


def test_reference_to_another_workbook_is_a_notice():
    wb = grid(S={"A1": 1, "B1": ("=A1", 1), "C1": ("=B1+[2]Other!A1", 5)})
    result = ConeEvaluator(wb).evaluate({P("S", "B1"): "=A1*3"})
    assert any("reads another workbook" in n for n in result.notices)


def test_formulas_saved_without_values_are_calculated(tmp_path):
    book = openpyxl.Workbook()  # openpyxl saves formulas without values
    ws = book.active
    ws.title = "S"
    ws["A1"], ws["A2"], ws["B1"], ws["B2"], ws["B3"] = 2, 3, "=A1*10", "=A2*10", "=SUM(B1:B2)"
    path = tmp_path / "script.xlsx"
    book.save(path)
    wb = load(path)
    assert len(missing_values(wb)) == 3
    assert ensure_values(wb) == 3
    assert wb["S"]["B3"].value == 50.0
    assert any("3 formula cells had no saved value" in n for n in wb.notices)
    assert ensure_values(wb) == 0  # nothing left: one pass over the cells, no engine


def test_clean_twin_with_saved_values_needs_no_calculation(tmp_path):
    import xlsxwriter

    path = tmp_path / "saved.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("S")
    ws.write_number("A1", 2)
    ws.write_formula("B1", "=A1*10", None, 20)
    book.close()
    wb = load(path)
    assert ensure_values(wb) == 0
    assert wb.notices == [] and wb["S"]["B1"].value == 20


def test_circular_formulas_saved_without_values_stay_empty_with_a_notice():
    wb = grid(S={"A1": ("=B1+1", None), "B1": ("=A1+1", None), "C1": ("=5*2", None)})
    assert ensure_values(wb) == 1
    assert wb["S"]["C1"].value == 10.0 and wb["S"]["A1"].value is None
    assert any("circular reference" in n for n in wb.notices)


def test_numeric_text_in_a_summed_range_is_left_out_as_excel_does(tmp_path):
    """A number typed as text is skipped by SUM over a range (Excel gives 480, not 600),
    so a script-written workbook is not given a total Excel would not show."""
    import openpyxl

    import crossfoot

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "S"
    ws["A1"], ws["B1"] = "Item", "Cost ($)"
    for row, value in ((2, 400), (3, "120"), (4, 80)):
        ws.cell(row, 1, f"item {row}")
        ws.cell(row, 2, value)
    ws["A5"], ws["B5"] = "Total", "=SUM(B2:B4)"
    ws["C5"] = "=B3+1"  # arithmetic on one text cell converts it, as in Excel
    path = tmp_path / "text.xlsx"
    book.save(path)
    report = crossfoot.audit(path)
    sheet = report.files[0].workbook["S"]
    assert sheet["B5"].value == 480
    assert sheet["C5"].value == 121
    assert [f.rule for f in report.findings if f.cell == "B5"] == []
