"""Sheet's row and column indexes and its list of formula cells, however cells arrive."""

from __future__ import annotations

import gc
import random

from hypothesis import given, strategies as st

from crossfoot.grid.model import Cell, Sheet, collector_paused


def _expected(sheet: Sheet):
    rows: dict[int, list] = {}
    for key in sorted(sheet.cells):
        rows.setdefault(key[0], []).append(sheet.cells[key])
    cols: dict[int, list] = {}
    for key in sorted(sheet.cells, key=lambda rc: (rc[1], rc[0])):
        cols.setdefault(key[1], []).append(sheet.cells[key])
    return rows, cols


@given(st.sets(st.tuples(st.integers(1, 30), st.integers(1, 12)), max_size=120), st.randoms())
def test_indexes_are_sorted_whatever_the_order_cells_were_added_in(keys, rnd):
    order = list(keys)
    rnd.shuffle(order)
    sheet = Sheet("S")
    for r, c in order:
        sheet.add(Cell(r, c, 1, "=A1" if (r + c) % 3 == 0 else None))
    rows, cols = _expected(sheet)
    assert list(sheet.rows()) == list(rows) and sheet.rows() == rows
    assert list(sheet.columns()) == list(cols) and sheet.columns() == cols
    assert list(sheet.formula_cells()) == [c for line in rows.values() for c in line if c.has_formula]


def test_formula_cells_follow_a_formula_set_after_indexing():
    sheet = Sheet("S")
    a = sheet.add(Cell(1, 1, 5))
    b = sheet.add(Cell(1, 2, 6, "=A1"))
    assert list(sheet.formula_cells()) == [b]
    a.formula = "=B1"
    assert list(sheet.formula_cells()) == [a, b]
    b.formula = None
    assert list(sheet.formula_cells()) == [a]


def test_rows_of_a_read_workbook_are_sorted_and_stable(tmp_path):
    openpyxl = __import__("openpyxl")
    from crossfoot import load

    wb = openpyxl.Workbook()
    ws = wb.active
    rnd = random.Random(3)
    for r in range(1, 40):
        for c in range(1, 8):
            if rnd.random() < 0.7:
                ws.cell(r, c, f"=A{r}+1" if c == 5 else r * c)
    path = tmp_path / "grid.xlsx"
    wb.save(path)
    sheet = next(iter(load(path)))
    built = sheet.rows()
    sheet._rows = sheet._cols = None
    assert sheet.rows() == built and list(sheet.rows()) == list(built)


def test_collector_paused_restores_the_collector_and_nests():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
