"""The dependency graph against a brute-force reading of every formula's areas."""

from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st

from crossfoot.grid.formula import info_for
from crossfoot.grid.graph import DependencyGraph
from crossfoot.grid.model import Cell, Workbook

_REFS = ["A1", "$A$1", "B{r}", "B$2", "$C{r}", "A{r}:B{r}", "C:C", "2:2", "A1:Z200", "Other!A{r}",
         "'other'!B{r}", "Missing!A1", "A1:A100", "B{r}:C{r}", "NAME", "{c}{r}"]


def _workbook(seed: int) -> Workbook:
    rnd = random.Random(seed)
    wb = Workbook("x.xlsx")
    for name in ("Main", "Other"):
        sheet = wb.add_sheet(name)
        for r in range(1, 12):
            for c in range(1, 6):
                if rnd.random() < 0.5:
                    refs = [rnd.choice(_REFS).format(r=max(1, r + rnd.randint(-2, 2)), c="ABCDE"[rnd.randint(0, 4)])
                            for _ in range(rnd.randint(1, 3))]
                    sheet.add(Cell(r, c, 0, "=" + "+".join(refs)))
                elif rnd.random() < 0.5:
                    sheet.add(Cell(r, c, r * c))
    return wb


def _brute(wb: Workbook, sheet: str, row: int, col: int) -> set:
    names = {s.lower(): s for s in wb.sheets}
    out = set()
    for ws in wb:
        for cell in ws.formula_cells():
            info = info_for(cell)
            for area in info.areas(cell.row, cell.col):
                target = ws.name if area.sheet is None else names.get(area.sheet.lower(), area.sheet)
                if target == sheet and area.contains(row, col):
                    out.add((ws.name, cell.row, cell.col))
    return out


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_dependents_are_the_formulas_whose_areas_contain_the_cell(seed):
    wb = _workbook(seed)
    graph = DependencyGraph(wb)
    for sheet in ("Main", "Other", "Missing"):
        for row in range(0, 14):
            for col in range(0, 7):
                assert graph.dependents(sheet, row, col) == _brute(wb, sheet, row, col)


def test_precedents_and_formula_cells():
    wb = _workbook(7)
    graph = DependencyGraph(wb)
    keys = list(graph.formula_cells())
    assert keys == [(ws.name, c.row, c.col) for ws in wb for c in ws.formula_cells()]
    key = keys[0]
    cell = wb[key[0]].get(key[1], key[2])
    assert [a.sheet for a in graph.precedents(*key)] and all(a.sheet in ("Main", "Other", "Missing")
                                                             for a in graph.precedents(*key))
    assert len(graph.precedents(*key)) == len(info_for(cell).areas(cell.row, cell.col))
    assert graph.precedents("Main", 500, 500) == []
