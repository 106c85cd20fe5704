"""Tiny in-memory workbooks for the meaning-layer tests (no file round trip: fast).

``grid({"A1": "label", "B1": 12, "C1": ("=SUM(A1:B1)", 12)})`` builds a one-sheet
Workbook; a tuple is a formula with its cached value, as Excel stores it.
"""

from __future__ import annotations

from crossfoot.audit import audit_workbook
from crossfoot.grid.address import parse_a1
from crossfoot.grid.model import Cell, Workbook


def grid(cells: dict, *, sheet: str = "Sheet1", source_format: str = "xlsx", formats: dict | None = None) -> Workbook:
    wb = Workbook(path=f"{sheet}.{source_format}", source_format=source_format)
    ws = wb.add_sheet(sheet)
    for addr, v in cells.items():
        r, c = parse_a1(addr)
        fmt = (formats or {}).get(addr, "General")
        if isinstance(v, tuple):
            ws.add(Cell(r, c, v[1], formula=v[0], number_format=fmt))
        else:
            ws.add(Cell(r, c, v, number_format=fmt))
    return wb


def table(rows: list[list], *, first_row: int = 1, **kw) -> Workbook:
    """Rows of values from column A; None leaves a cell empty."""
    from crossfoot.grid.address import a1

    cells = {}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                cells[a1(first_row + i, 1 + j)] = v
    return grid(cells, **kw)


def findings(wb: Workbook, rule: str) -> dict[str, object]:
    """{cell: Finding} for one rule."""
    return {f.cell: f for f in audit_workbook(wb, select=[rule]).findings}
