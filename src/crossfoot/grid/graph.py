"""The dependency graph: which cells a formula reads (precedents) and which formulas
read a cell (dependents), across sheets.

Small references become cell-to-cell edges; large ranges (whole columns, long SUM
ranges) are kept as rectangles in a per-sheet, per-column index so that a
``SUM(A:A)`` does not turn into a million edges.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Iterable, Iterator

from crossfoot.grid.formula import Area, info_for, place
from crossfoot.grid.model import Workbook

CellKey = tuple[str, int, int]  # (sheet name, row, col)

_EXPAND_LIMIT = 64  # rectangles up to this many cells become plain edges
_AREA_KINDS = ("cell", "range", "columns", "rows")


def _pos(row: int, col: int) -> object:
    """One int for a cell position (smaller than a tuple); (row, col) off the sheet."""
    if row >= 0 and 0 <= col < 32768:
        return row << 15 | col
    return (row, col)


class DependencyGraph:
    """Precedents and dependents of every formula cell of a workbook.

    Built in one pass over the formula cells, with the references of each shared
    analysis unpacked once. Memory stays small on large workbooks: precedents are
    resolved when asked (not stored per cell), and a cell read by one formula keeps
    that formula's key itself, not a set (a million-cell workbook: 1.5 s and 400 MB
    before, see docs/structural-rules.md).
    """

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._names = {s.lower(): s for s in workbook.sheets}
        # sheet -> _pos(row, col) -> the dependent's key, or a list of them
        self._cell_dependents: dict[str, dict[object, object]] = defaultdict(dict)
        # sheet -> column -> list of (min_row, max_row, dependent)
        self._range_dependents: dict[str, dict[int, list[tuple[int, int, CellKey]]]] = defaultdict(
            lambda: defaultdict(list))
        self._wide: dict[str, list[tuple[Area, CellKey]]] = defaultdict(list)
        plans: dict[int, tuple[object, list[tuple]]] = {}
        for sheet in workbook:
            own = sheet.name
            for cell in sheet.formula_cells():
                info = info_for(cell)
                if info is None:
                    continue
                hit = plans.get(id(info))
                if hit is not None and hit[0] is info:
                    plan = hit[1]
                else:
                    plan = self._plan(info)
                    plans[id(info)] = (info, plan)
                if not plan:
                    continue
                key = (own, cell.row, cell.col)
                row, col = cell.row, cell.col
                for target, spec, ref in plan:
                    if target is None:
                        target = own
                    if spec is not None:
                        r1, c1, r2, c2 = place(spec, row, col)
                        if r1 == r2 and c1 == c2:
                            self._add_cell(target, r1, c1, key)
                            continue
                        area = Area(target, r1, c1, r2, c2)
                    else:
                        area = ref.resolve(row, col)
                        if area is None:
                            continue
                        area = area._replace(sheet=target)
                    self._index(area, key)

    def _plan(self, info) -> list[tuple]:
        """(target sheet or None for the formula's own, unpacked coordinates or None,
        reference) for each reference that covers cells."""
        out = []
        for ref in info.refs:
            if ref.kind not in _AREA_KINDS:
                continue
            target = None if ref.sheet is None else self._names.get(ref.sheet.lower(), ref.sheet)
            out.append((target, ref._cell_range, ref))
        return out

    def _add_cell(self, sheet: str, row: int, col: int, dependent: CellKey) -> None:
        cells = self._cell_dependents[sheet]
        pos = _pos(row, col)
        held = cells.get(pos)
        if held is None:
            cells[pos] = dependent
        elif type(held) is list:
            held.append(dependent)
        else:
            cells[pos] = [held, dependent]

    def _index(self, area: Area, dependent: CellKey) -> None:
        assert area.sheet is not None
        if area.size <= _EXPAND_LIMIT:
            for r in range(area.min_row, area.max_row + 1):
                for c in range(area.min_col, area.max_col + 1):
                    self._add_cell(area.sheet, r, c, dependent)
        elif area.max_col - area.min_col < 64:
            cols = self._range_dependents[area.sheet]
            for c in range(area.min_col, area.max_col + 1):
                cols[c].append((area.min_row, area.max_row, dependent))
        else:
            self._wide[area.sheet].append((area, dependent))

    def precedents(self, sheet: str, row: int, col: int) -> list[Area]:
        """The rectangles the formula at (sheet, row, col) reads; [] for a constant."""
        ws = self.workbook.sheets.get(sheet)
        cell = ws.get(row, col) if ws is not None else None
        info = info_for(cell) if cell is not None and cell.has_formula else None
        if info is None:
            return []
        out = []
        for area in info.areas(row, col):
            target = sheet if area.sheet is None else self._names.get(area.sheet.lower(), area.sheet)
            out.append(area._replace(sheet=target))
        return out

    def dependents(self, sheet: str, row: int, col: int) -> set[CellKey]:
        """The formula cells that read (sheet, row, col) directly."""
        out: set[CellKey] = set()
        cells = self._cell_dependents.get(sheet)
        if cells is not None:
            held = cells.get(_pos(row, col))
            if held is not None:
                if type(held) is list:
                    out.update(held)
                else:
                    out.add(held)  # type: ignore[arg-type]
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
        for sheet in self.workbook:
            for cell in sheet.formula_cells():
                if info_for(cell) is not None:
                    yield (sheet.name, cell.row, cell.col)

    def has_dependents(self, sheet: str, row: int, col: int) -> bool:
        return bool(self.dependents(sheet, row, col))
