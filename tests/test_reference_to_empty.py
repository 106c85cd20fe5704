"""reference-to-empty: arithmetic reading a blank that is a gap in numbers."""

from __future__ import annotations

import openpyxl

import crossfoot

RULE = ["reference-to-empty"]


def save(tmp_path, rows, name="model.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Fleet"
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def findings(path):
    report = crossfoot.audit(path, select=RULE)
    assert report.files[0].error is None
    return report.files[0].findings


def fleet(asp_h100):
    return [("", "A100", "H800", "H100"),
            ("# of GPUs", 10000, 2000, 1500),
            ("ASP ($k)", 13, 23, asp_h100),
            ("CapEx ($m)", "=B2*B3/1000", "=C2*C3/1000", "=D2*D3/1000")]


def test_missing_input_at_the_edge_of_a_filled_block_is_flagged(tmp_path):
    [f] = findings(save(tmp_path, fleet(None)))
    assert (f.sheet, f.cell, f.severity) == ("Fleet", "D4", "warning")
    assert "reads D3" in f.message and "'ASP ($k)'" in f.message and "'H100'" in f.message
    assert f.evidence["empty"] == ["D3"]
    assert f.fix is None


def test_clean_twin_with_the_input_filled_is_silent(tmp_path):
    assert findings(save(tmp_path, fleet(25))) == []


def hole_row(middle):
    return [("Units", 5, middle, 7, 8),
            ("Price", 2, 2, 2, 2),
            ("Revenue", "=B1*B2", "=C1*C2", "=D1*D2", "=E1*E2")]


def test_hole_inside_a_filled_input_row_is_flagged(tmp_path):
    [f] = findings(save(tmp_path, hole_row(None)))
    assert (f.cell, f.severity) == ("C3", "info")  # a gap inside filled cells may be a deliberate nothing
    assert "numbers on both sides of it (B1 and D1)" in f.message


def test_clean_twin_of_the_hole_is_silent(tmp_path):
    assert findings(save(tmp_path, hole_row(6))) == []


def test_sparse_row_with_several_blanks_is_silent(tmp_path):
    rows = [("Units", 5, None, 7, None, 9),
            ("Revenue", "=B1*2", "=C1*2", "=D1*2", "=E1*2", "=F1*2")]
    assert findings(save(tmp_path, rows)) == []


def test_sum_range_with_blank_padding_is_silent(tmp_path):
    rows = [("a", 1), ("b", 2), ("c", None), ("d", None), ("Total", "=SUM(B1:B4)")]
    assert findings(save(tmp_path, rows)) == []


def test_reference_into_a_blank_area_is_silent(tmp_path):
    rows = [("x", 1, "=B1+H20")]
    assert findings(save(tmp_path, rows)) == []


def test_formula_that_tests_for_the_blank_is_silent(tmp_path):
    rows = fleet(None)
    rows[3] = ("CapEx ($m)", "=B2*B3/1000", "=C2*C3/1000", '=IF(D3="",0,D2*D3/1000)')
    assert findings(save(tmp_path, rows)) == []


def test_blank_adjustment_column_added_in_each_row_is_silent(tmp_path):
    rows = [("", "Base", "Adj", "Total"), ("a", 10, None, "=B2+C2"), ("b", 20, None, "=B3+C3"),
            ("c", 30, None, "=B4+C4")]
    assert findings(save(tmp_path, rows)) == []


def test_first_row_of_a_running_total_reading_the_blank_above_is_silent(tmp_path):
    rows = [("Month", "Sales", "Cumulative"), ("Jan", 5, None), ("Feb", 6, None), ("Mar", 7, None)]
    path = save(tmp_path, rows)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["C1"] = None
    for r in (2, 3, 4):
        ws[f"C{r}"] = f"=C{r - 1}+B{r}"
    ws["C1"] = None
    wb.save(path)
    assert findings(path) == []


def test_hole_read_from_another_sheet_is_flagged(tmp_path):
    wb = openpyxl.Workbook()
    inputs = wb.active
    inputs.title = "Inputs"
    for row in [("Units", 5, 6, 7), ("Price", 2, None, 2), ("Cost", 1, 1, 1)]:
        inputs.append(row)
    summary = wb.create_sheet("Summary")
    summary["A1"] = "H800 revenue"
    summary["B1"] = "=Inputs!C1*Inputs!C2"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    [f] = findings(path)
    assert (f.sheet, f.cell) == ("Summary", "B1")
    assert "Inputs!C2" in f.message
    assert f.severity == "info"  # a lone formula: no copy of it reads a number there
