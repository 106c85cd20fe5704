"""The dependency graph: which cells a formula reads (precedents) and which formulas
read a cell (dependents), across sheets.

Small references become cell-to-cell edges; large ranges (whole columns, long SUM
ranges) are kept as rectangles in a per-sheet, per-column index so that a
``SUM(A:A)`` does not turn into a million edges.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Iterable, Iterator

from crossfoot.grid.formula import Area, info_for
from crossfoot.grid.model import Workbook

CellKey = tuple[str, int, int]  # (sheet name, row, col)

_EXPAND_LIMIT = 64  # rectangles up to this many cells become plain edges


class DependencyGraph:
    """Precedents and dependents of every formula cell of a workbook."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._precedents: dict[CellKey, list[Area]] = {}
        self._cell_dependents: dict[CellKey, set[CellKey]] = defaultdict(set)
        # sheet -> column -> list of (min_row, max_row, dependent)
        self._range_dependents: dict[str, dict[int, list[tuple[int, int, CellKey]]]] = defaultdict(
            lambda: defaultdict(list))
        self._wide: dict[str, list[tuple[Area, CellKey]]] = defaultdict(list)
        names = {s.lower(): s for s in workbook.sheets}
        for sheet in workbook:
            for cell in sheet.formula_cells():
                info = info_for(cell)
                if info is None:
                    continue
                key = (sheet.name, cell.row, cell.col)
                areas = []
                for area in info.areas(cell.row, cell.col):
                    target = sheet.name if area.sheet is None else names.get(area.sheet.lower(), area.sheet)
                    area = area._replace(sheet=target)
                    areas.append(area)
                    self._index(area, key)
                self._precedents[key] = areas

    def _index(self, area: Area, dependent: CellKey) -> None:
        assert area.sheet is not None
        if area.size <= _EXPAND_LIMIT:
            for r in range(area.min_row, area.max_row + 1):
                for c in range(area.min_col, area.max_col + 1):
                    self._cell_dependents[(area.sheet, r, c)].add(dependent)
        elif area.max_col - area.min_col < 64:
            cols = self._range_dependents[area.sheet]
            for c in range(area.min_col, area.max_col + 1):
                cols[c].append((area.min_row, area.max_row, dependent))
        else:
            self._wide[area.sheet].append((area, dependent))

    def precedents(self, sheet: str, row: int, col: int) -> list[Area]:
        """The rectangles the formula at (sheet, row, col) reads; [] for a constant."""
        return self._precedents.get((sheet, row, col), [])

    def dependents(self, sheet: str, row: int, col: int) -> set[CellKey]:
        """The formula cells that read (sheet, row, col) directly."""
        out = set(self._cell_dependents.get((sheet, row, col), ()))
        for r1, r2, dep in self._range_dependents.get(sheet, {}).get(col, ()):
            if r1 <= row <= r2:
                out.add(dep)
        for area, dep in self._wide.get(sheet, ()):
            if area.contains(row, col):
                out.add(dep)
        return out

    def cone(self, starts: Iterable[CellKey]) -> list[CellKey]:
        """Every cell that depends, directly or not, on any of ``starts`` (starts
        included), in breadth-first order. Cycles are visited once."""
        seen: set[CellKey] = set()
        order: list[CellKey] = []
        queue = deque(starts)
        while queue:
            key = queue.popleft()
            if key in seen:
                continue
            seen.add(key)
            order.append(key)
            queue.extend(self.dependents(*key) - seen)
        return order

    def formula_cells(self) -> Iterator[CellKey]:
        return iter(self._precedents)

    def has_dependents(self, sheet: str, row: int, col: int) -> bool:
        return bool(self.dependents(sheet, row, col))
