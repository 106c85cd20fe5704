"""Recalculate only what a change reaches: the dependency cone of the changed cells.

Recalculating a whole workbook after changing one formula is out of the question on a
large model (the ``formulas`` package needs minutes and gigabytes to load 50,000
formulas). A fix changes the fixed cell and what depends on it, nothing else; so the
evaluator takes the cone (the changed cells and their transitive dependents, from
``DependencyGraph``), orders it by its own dependencies, and evaluates each cell with
the engine, reading every precedent outside the cone (the boundary) from the values the
file saved. The same machinery fills in formula cells that carry no saved value
(``recalc.ensure_values``).

Nothing here raises on a bad workbook: a circular reference, a function the engine
lacks or a reference to another file leaves the affected cells without an "after"
value and adds a one-line notice to the result.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Iterable

from crossfoot.grid.address import MAX_COL, MAX_ROW, a1, quote_sheet
from crossfoot.grid.formula import Area, FormulaInfo, analyse, info_for, parse_reference
from crossfoot.grid.graph import CellKey, DependencyGraph
from crossfoot.grid.model import ExcelError, Value, Workbook
from crossfoot.repair.recalc import POSITIONAL_FUNCTIONS, Compiled, Engine, EngineError, default_engine

from openpyxl.formula.tokenizer import Token


class RangeText(str):
    """Text read through a range. Excel's SUM, AVERAGE and kin skip text in ranges
    ("120" typed as text is left out of the total), but ``formulas`` converts numeric
    text to a number there; refusing ``float()`` makes the engine skip it as Excel does.
    Text read through a single-cell reference stays plain, so ``=A2+1`` still converts."""

    __slots__ = ()

    def __float__(self) -> float:
        raise ValueError("text in a range is not a number")


def cell_name(key: CellKey) -> str:
    """('Fleet', 6, 6) -> 'Fleet!F6'."""
    return f"{quote_sheet(key[0])}!{a1(key[1], key[2])}"


@dataclass
class ConeResult:
    """Values of the evaluated cells before (as saved) and after (as recalculated).

    ``order`` is the cone in evaluation order; ``after`` lacks the cells that could not
    be evaluated (``failed`` says why, per cell); ``notices`` are the one-line reasons
    for a reader; ``circular`` lists cells on or behind a circular reference.
    """

    order: list[CellKey] = field(default_factory=list)
    before: dict[CellKey, Value] = field(default_factory=dict)
    after: dict[CellKey, Value] = field(default_factory=dict)
    failed: dict[CellKey, str] = field(default_factory=dict)
    circular: list[CellKey] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    engine_seconds: float = 0.0
    seconds: float = 0.0


@dataclass
class _Plan:
    compiled: Compiled
    inputs: list[Area | ExcelError]


class ConeEvaluator:
    """Evaluates cones of one workbook; keeps the graph and compiled shapes between calls."""

    def __init__(self, workbook: Workbook, graph: DependencyGraph | None = None,
                 engine: Engine | None = None) -> None:
        self.workbook = workbook
        self._graph = graph
        self.engine = engine or default_engine()
        self._sheets = {name.lower(): name for name in workbook.sheets}
        self._extent: dict[str, tuple[int, int]] = {}
        self.engine_seconds = 0.0

    @property
    def graph(self) -> DependencyGraph:
        if self._graph is None:
            self._graph = DependencyGraph(self.workbook)
        return self._graph

    def cone(self, starts: Iterable[CellKey]) -> list[CellKey]:
        return self.graph.cone(starts)

    def evaluate(self, changes: dict[CellKey, str]) -> ConeResult:
        """Apply ``changes`` (cell -> new formula text) to a copy and recalculate their cone."""
        return self._run(self.cone(list(changes)), changes)

    def evaluate_cells(self, keys: Iterable[CellKey]) -> ConeResult:
        """Calculate exactly these formula cells (for cells saved without values), each
        from its precedents; the others are read as saved."""
        return self._run(list(dict.fromkeys(keys)), {})

    # -- planning -------------------------------------------------------------------

    def _formula(self, key: CellKey, changes: dict[CellKey, str]) -> tuple[str | None, FormulaInfo | None]:
        if key in changes:
            text = changes[key]
            text = text if text.startswith("=") else "=" + text
            return text, analyse(text, key[1], key[2])
        cell = self.workbook.sheets[key[0]].get(key[1], key[2])
        if cell is None or not cell.has_formula:
            return None, None
        return cell.formula, info_for(cell)

    def _sheet_name(self, name: str | None, own: str) -> str | None:
        if name is None:
            return own
        return self._sheets.get(name.lower())

    def _plan(self, key: CellKey, text: str, info: FormulaInfo) -> _Plan:
        if info.parse_error:
            raise EngineError(f"cannot parse {text}")
        t0 = time.perf_counter()
        missing = self.engine.unsupported(info.functions)
        self.engine_seconds += time.perf_counter() - t0
        if missing:
            names = ", ".join(sorted(missing))
            raise EngineError(f"uses {names}, which the {self.engine.name} engine does not support")
        if self._needs_position(info):
            return self._plan_positioned(key, text)
        inputs: list[Area | ExcelError] = []
        parts: list[str] = []
        i = 0
        for tok in info.tokens:
            if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
                ref = info.refs[i]
                i += 1
                target = self._resolve(ref, key)
                if isinstance(target, ExcelError):
                    parts.append(str(target))
                else:
                    parts.append(f"_CF{len(inputs)}")
                    inputs.append(target)
            else:
                parts.append(tok.value)
        template = "=" + "".join(parts)
        compiled = self._timed_compile(template, None)
        order = [inputs[int(str(name)[3:])] for name in compiled.inputs]
        return _Plan(compiled, order)

    @staticmethod
    def _needs_position(info: FormulaInfo) -> bool:
        if info.functions & POSITIONAL_FUNCTIONS:
            return True
        previous = None
        for tok in info.tokens:
            if tok.type == Token.OP_IN and tok.value == ":":
                return True  # a range built from references: A1:INDEX(...)
            if tok.type == Token.OPERAND and previous is not None and previous.type == Token.OPERAND:
                return True  # two references side by side: the intersection operator
            previous = tok
        return False

    def _plan_positioned(self, key: CellKey, text: str) -> _Plan:
        compiled = self._timed_compile(text, key)
        inputs: list[Area | ExcelError] = []
        for name in compiled.inputs:
            ref = parse_reference(name, key[1], key[2])
            target = self._resolve(ref, key)
            if isinstance(target, ExcelError):
                raise EngineError(f"reads {name}, which is not a cell or range of this workbook")
            inputs.append(target)
        return _Plan(compiled, inputs)

    def _timed_compile(self, text: str, key: CellKey | None) -> Compiled:
        start = time.perf_counter()
        try:
            return self.engine.compile(text, key)
        finally:
            self.engine_seconds += time.perf_counter() - start

    def _resolve(self, ref, key: CellKey) -> Area | ExcelError:
        if ref.kind == "external":
            raise EngineError(f"reads another workbook ({ref.text})")
        if ref.kind == "structured":
            raise EngineError(f"reads a table column ({ref.text}), which crossfoot cannot resolve")
        if ref.kind == "error":
            return ExcelError("#REF!")
        if ref.kind == "name":
            return self._resolve_name(ref.text, key)
        area = ref.resolve(key[1], key[2])
        sheet = self._sheet_name(area.sheet, key[0])
        if sheet is None:
            return ExcelError("#REF!")
        return area._replace(sheet=sheet)

    def _resolve_name(self, name: str, key: CellKey) -> Area | ExcelError:
        names = {k.lower(): v for k, v in self.workbook.defined_names.items()}
        target = names.get(name.lower())
        if target is None:
            return ExcelError("#NAME?")
        text = target.lstrip("=")
        ref = parse_reference(text, 1, 1)
        if ref.kind not in ("cell", "range", "columns", "rows") or ref.sheet is None:
            raise EngineError(f"uses the name {name} = {text}, which is not a plain cell or range")
        return self._resolve(ref, key)

    # -- values ---------------------------------------------------------------------

    def _used(self, sheet: str) -> tuple[int, int]:
        if sheet not in self._extent:
            used = self.workbook.sheets[sheet].used_range
            self._extent[sheet] = (used.max_row, used.max_col) if used else (1, 1)
        return self._extent[sheet]

    def _grid(self, area: Area, overlay: dict[CellKey, Value]) -> list[list[Value]]:
        sheet_name = area.sheet
        assert sheet_name is not None
        cells = self.workbook.sheets[sheet_name].cells
        max_row, max_col = area.max_row, area.max_col
        if max_row == MAX_ROW or max_col == MAX_COL:  # whole columns or rows: the used part
            used_row, used_col = self._used(sheet_name)
            max_row = max(area.min_row, min(max_row, used_row))
            max_col = max(area.min_col, min(max_col, used_col))
        rows = range(area.min_row, max_row + 1)
        cols = range(area.min_col, max_col + 1)
        in_range = not area.is_cell
        out = []
        for r in rows:
            line = []
            for c in cols:
                k = (sheet_name, r, c)
                if k in overlay:
                    value = overlay[k]
                else:
                    cell = cells.get((r, c))
                    value = None if cell is None else cell.value
                if in_range and type(value) is str:
                    value = RangeText(value)
                line.append(value)
            out.append(line)
        return out

    # -- the run --------------------------------------------------------------------

    def _run(self, cells: list[CellKey], changes: dict[CellKey, str]) -> ConeResult:
        started = time.perf_counter()
        engine_before = self.engine_seconds
        result = ConeResult()
        sheets = self.workbook.sheets
        plans: dict[CellKey, _Plan] = {}
        constants: dict[CellKey, Value] = {}
        for key in cells:
            cell = sheets[key[0]].get(key[1], key[2])
            result.before[key] = None if cell is None else cell.value
            text, info = self._formula(key, changes)
            if text is None or info is None:
                constants[key] = result.before[key]
                continue
            try:
                plans[key] = self._plan(key, text, info)
            except EngineError as exc:
                result.failed[key] = str(exc)
        order, (cycle, behind) = self._order(cells, plans)
        result.order = order
        result.circular = cycle + behind
        overlay: dict[CellKey, Value] = dict(constants)
        unknown: set[CellKey] = set(result.failed) | set(result.circular)
        blocked_by: dict[CellKey, CellKey] = {}
        for key in order:
            if key in constants:
                result.after[key] = constants[key]
                continue
            plan = plans.get(key)
            if plan is None:
                continue
            blocker = self._blocked(plan, unknown)
            if blocker is not None:
                unknown.add(key)
                blocked_by[key] = blocker
                continue
            grids = [[[area]] if isinstance(area, ExcelError) else self._grid(area, overlay)
                     for area in plan.inputs]
            t0 = time.perf_counter()
            try:
                value = plan.compiled(*grids)
            except EngineError as exc:
                result.failed[key] = str(exc)
                unknown.add(key)
                continue
            finally:
                self.engine_seconds += time.perf_counter() - t0
            overlay[key] = value
            result.after[key] = value
        result.notices = self._notices(result, cycle, behind, blocked_by)
        result.engine_seconds = self.engine_seconds - engine_before
        result.seconds = time.perf_counter() - started
        return result

    def _blocked(self, plan: _Plan, unknown: set[CellKey]) -> CellKey | None:
        if not unknown:
            return None
        for area in plan.inputs:
            if isinstance(area, ExcelError):
                continue
            if area.size <= len(unknown):
                for r in range(area.min_row, area.max_row + 1):
                    for c in range(area.min_col, area.max_col + 1):
                        if (area.sheet, r, c) in unknown:
                            return (area.sheet, r, c)  # type: ignore[return-value]
            else:
                for k in unknown:
                    if k[0] == area.sheet and area.contains(k[1], k[2]):
                        return k
        return None

    def _order(self, cells: list[CellKey], plans: dict[CellKey, _Plan]
               ) -> tuple[list[CellKey], tuple[list[CellKey], list[CellKey]]]:
        """Cells in dependency order (Kahn), and those left on a cycle or behind one."""
        index: dict[tuple[str, int], list[int]] = defaultdict(list)
        for sheet, row, col in cells:
            index[(sheet, col)].append(row)
        for rows in index.values():
            rows.sort()
        members = set(cells)
        successors: dict[CellKey, list[CellKey]] = defaultdict(list)
        indegree = {key: 0 for key in cells}
        for key, plan in plans.items():
            seen: set[CellKey] = set()
            for area in plan.inputs:
                if isinstance(area, ExcelError):
                    continue
                for col in range(area.min_col, area.max_col + 1):
                    rows = index.get((area.sheet, col))  # type: ignore[arg-type]
                    if not rows:
                        continue
                    for i in range(bisect_left(rows, area.min_row), bisect_right(rows, area.max_row)):
                        source = (area.sheet, rows[i], col)
                        if source in members and source not in seen:
                            seen.add(source)  # type: ignore[arg-type]
                            successors[source].append(key)  # type: ignore[index]
                            indegree[key] += 1
        queue = deque(k for k in cells if indegree[k] == 0)
        order: list[CellKey] = []
        while queue:
            key = queue.popleft()
            order.append(key)
            for nxt in successors.get(key, ()):
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    queue.append(nxt)
        placed = set(order)
        stuck = [k for k in cells if k not in placed]
        return order, self._on_cycles(stuck, successors)

    @staticmethod
    def _on_cycles(stuck: list[CellKey], successors: dict[CellKey, list[CellKey]]
                   ) -> tuple[list[CellKey], list[CellKey]]:
        """Of the cells Kahn could not place, those on a cycle first (cells merely
        downstream of one are peeled off as sinks), and those downstream."""
        remaining = set(stuck)
        out_degree = {k: sum(1 for n in successors.get(k, ()) if n in remaining) for k in stuck}
        predecessors: dict[CellKey, list[CellKey]] = defaultdict(list)
        for k in stuck:
            for n in successors.get(k, ()):
                if n in remaining:
                    predecessors[n].append(k)
        sinks = deque(k for k in stuck if out_degree[k] == 0)
        downstream = []
        while sinks:
            k = sinks.popleft()
            remaining.discard(k)
            downstream.append(k)
            for p in predecessors.get(k, ()):
                out_degree[p] -= 1
                if out_degree[p] == 0:
                    sinks.append(p)
        return [k for k in stuck if k in remaining], downstream[::-1]

    def _notices(self, result: ConeResult, cycle: list[CellKey], behind: list[CellKey],
                 blocked_by: dict[CellKey, CellKey]) -> list[str]:
        notices = []
        if cycle:
            shown = ", ".join(cell_name(k) for k in cycle[:4])
            more = f" and {len(cycle) - 4} more" if len(cycle) > 4 else ""
            after = f" (nor the {len(behind):,} that depend on them)" if behind else ""
            notices.append(f"circular reference through {shown}{more}: not recalculated{after}")
        by_reason: dict[str, list[CellKey]] = defaultdict(list)
        for key, reason in result.failed.items():
            by_reason[reason].append(key)
        for reason, keys in by_reason.items():
            shown = ", ".join(cell_name(k) for k in keys[:3])
            more = f" and {len(keys) - 3} more" if len(keys) > 3 else ""
            notices.append(f"{shown}{more}: {reason}; not recalculated")
        if blocked_by:
            notices.append(f"{len(blocked_by):,} cell{'s' if len(blocked_by) != 1 else ''} depending on "
                           f"them were not recalculated either")
        return notices
