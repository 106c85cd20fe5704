"""hardcoded-value: a number typed where the table computes its neighbours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.address import range_a1
from crossfoot.grid.formula import FormulaInfo
from crossfoot.grid.model import Cell, Sheet, Workbook
from crossfoot.rules.base import Finding, Fix, Rule
from crossfoot.understand.numbers import close, fmt, looks_intensive, numbers_in, numeric
from crossfoot.understand.structure import Block, SheetStructure, sheet_structure

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext


# a numeric constant of a relative (R1C1) fingerprint: after an operator, a bracket or
# a separator, not inside R[-1] or part of a name; '-12238' in '=+R[-1]C-12238' counts
_CONSTANT = re.compile(r"(?:(?<=[=+*/^(,;<>&\s])|(?<=[^\[]-))\d+(?:\.\d+)?(?:E[+-]?\d+)?(?![\]\d.A-Z(\[])")
_SHAPES: dict[str, str] = {}


def _shape(st: SheetStructure, cell: Cell | None) -> str | None:
    """The cell's fingerprint with numeric constants as '#': ``=+R[-1]C-12238`` and
    ``=+R[-1]C-9412`` are one pattern."""
    fp = st.fingerprint(cell)
    if fp is None:
        return None
    out = _SHAPES.get(fp)
    if out is None:
        out = _CONSTANT.sub("#", fp)
        if len(_SHAPES) < 100_000:
            _SHAPES[fp] = out
    return out


@dataclass
class Hardcode:
    """A constant where a formula is expected, and the formula that sets the pattern."""

    cell: Cell
    axis: str  # "row": the pattern runs along the row; "col": down the column; "total"
    model: Cell | None
    group: list[Cell]
    parts: list[Cell] | None = None
    total: float | None = None  # what the model formula copied here computes, when it equals the typed number


def _line_refs(info: FormulaInfo, axis: str) -> tuple[bool, bool]:
    """Does the formula read its own line behind it (back) or ahead of it (forward)?"""
    back = fwd = False
    for ref in info.refs:
        if ref.sheet is not None or ref.top is None and ref.left is None:
            continue
        if axis == "row":
            same = ref.top is not None and ref.bottom is not None and not ref.top.absolute and \
                ref.top.value == 0 and ref.bottom.value == 0
            coords = (ref.left, ref.right)
        else:
            same = ref.left is not None and ref.right is not None and not ref.left.absolute and \
                ref.left.value == 0 and ref.right.value == 0
            coords = (ref.top, ref.bottom)
        if not same:
            continue
        for co in coords:
            if co is None:
                continue
            if co.absolute:
                back = fwd = True
            elif co.value < 0:
                back = True
            elif co.value > 0:
                fwd = True
    return back, fwd


def _reads_numbers_at(st: SheetStructure, model: Cell, row: int, col: int,
                      workbook: Workbook | None = None) -> bool:
    """Copied to (row, col), would the model formula read numbers (and not itself)? On
    another sheet of the workbook too: a link copied onto a 'Note' column would read
    the other sheet's labels, which no copy of the pattern does."""
    info = st.info(model)
    if info is None or not info.refs:
        return False
    for area in info.areas(row, col):
        if area.sheet is not None:
            other = workbook.sheet(area.sheet) if workbook is not None else None
            if other is None:
                continue  # an unknown sheet: trust the pattern
            get = other.cells.get
        else:
            if area.contains(row, col):
                return False
            get = st.sheet.cells.get
        if area.min_row < 1 or area.min_col < 1:
            return False
        found = False
        if area.size > 400:
            continue
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                cell = get((r, c))
                if cell is not None and numeric(cell) is not None:
                    found = True
                    break
            if found:
                break
        if not found:
            return False
    return True


def _zero_inputs_at(st: SheetStructure, model: Cell, row: int, col: int) -> bool:
    """Copied to (row, col), would the model formula read only zeros and blanks on its
    own sheet (a period or entity without data, where a typed 0 shows what the formula
    would)?"""
    info = st.info(model)
    if info is None:
        return False
    get = st.sheet.cells.get
    seen = False
    for area in info.areas(row, col):
        if area.sheet is not None:
            continue
        if area.size > 400:
            return False
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                v = numeric(get((r, c)))
                if v:
                    return False
                seen = True
    return seen


def _plausible_value(st: SheetStructure, model: Cell, cell: Cell, block: Block | None) -> bool:
    """For a copied total (SUM or + chain), is the typed number the total it replaces, or
    at least an amount of its size (not a rate or a per-unit figure in a total column)?"""
    agg = st.aggregate_refs(model)
    if agg is None or agg[0] not in ("SUM", "+"):
        return True
    label = st.row_label(cell.row, cell.col, block=block) if st.aggregate_axis(model) == "row" else \
        st.col_header(cell.col, cell.row, block=block)
    if looks_intensive(label, cell):
        return False
    info = st.info(model)
    assert info is not None
    total = 0.0
    get = st.sheet.cells.get
    for area in info.areas(cell.row, cell.col):
        if area.sheet is not None or area.size > 10000:
            return True
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                v = numeric(get((r, c)))
                if v is not None:
                    total += v
    value = numeric(cell) or 0.0
    if close(total, value):
        return True
    if total == 0 or value == 0:
        return False
    ratio = value / total
    return 0.5 <= ratio <= 2


def _candidate(cell: Cell, block: Block | None) -> bool:
    if cell.has_formula or numeric(cell) is None or block is None:
        return False
    if not block.contains(cell.row, cell.col):
        return False
    return cell.row not in block.header_rows and cell.col not in block.label_cols


def find_hardcodes(ctx: "AuditContext", sheet: Sheet) -> dict[tuple[int, int], Hardcode]:
    return ctx.memo(f"hardcoded-value:{sheet.name}",
                    lambda: _find(sheet_structure(ctx, sheet), _has_formulas(ctx), ctx.workbook))


def _has_formulas(ctx: "AuditContext") -> bool:
    return ctx.memo("has-formulas", lambda: ctx.workbook.source_format != "csv" and ctx.workbook.has_formulas)


def _find(st: SheetStructure, has_formulas: bool, workbook: Workbook | None = None) -> dict[tuple[int, int], Hardcode]:
    out: dict[tuple[int, int], Hardcode] = {}
    if not has_formulas:
        return out
    for axis, lines in (("row", st.sheet.rows()), ("col", st.sheet.columns())):
        for line, cells in lines.items():
            _scan_line(st, axis, cells, out, workbook)
    for block in st.blocks:
        _typed_totals(st, block, out)
    _copied_totals(st, out)
    return out


_MAX_TOTAL_AREA = 400


def _copied_totals(st: SheetStructure, out: dict) -> None:
    """Typed numbers beside a SUM (or + chain) that, copied to them, adds up to exactly
    the typed number: the total of the next column typed in by hand (C13 =SUM(C8:C12),
    D13 5,078 = the sum of D8:D12). One formula is enough here: the numbers agree."""
    rows, cols = st.sheet.rows(), st.sheet.columns()
    seen: set[tuple[str, int, str]] = set()
    for model in st.sheet.formula_cells():
        axis = st.aggregate_axis(model)  # "col": a total row; its copies go along the row
        if axis is None:
            continue
        agg = st.aggregate_refs(model)
        if agg is None or agg[0] not in ("SUM", "+"):
            continue
        fp = st.fingerprint(model)
        line_axis = "row" if axis == "col" else "col"
        line = model.row if line_axis == "row" else model.col
        key = (line_axis, line, fp or "")
        if key in seen:
            continue
        seen.add(key)
        block = st.block_at(model.row, model.col)
        if block is None:
            continue
        info = st.info(model)
        if info is None:
            continue
        for cell in (rows if line_axis == "row" else cols).get(line, ()):
            k = (cell.row, cell.col)
            if k in out or not _candidate(cell, block):
                continue
            value = numeric(cell)
            if value is None:
                continue
            parts = numbers_in(st.sheet.cells, info.areas(cell.row, cell.col), max_size=_MAX_TOTAL_AREA,
                               inside=(cell.row, cell.col))
            if parts is None or len(parts) < 2 or (value and not any(parts)):
                continue
            if close(sum(parts), value, len(parts), tuple(parts)):
                out[k] = Hardcode(cell, line_axis, model, [model], total=sum(parts))


def _other_axis_run(st: SheetStructure, axis: str, cell: Cell) -> int:
    """The length of the run of copies the cell sits in along the other axis (0: none)."""
    run = st.run_down_col(cell.row, cell.col) if axis == "row" else st.run_along_row(cell.row, cell.col)
    return len(run) if run is not None else 0


def _scan_line(st: SheetStructure, axis: str, cells: list[Cell], out: dict,
               workbook: Workbook | None = None) -> None:
    groups: dict[str, list[Cell]] = {}
    n_formulas = 0
    n_numbers = 0
    for cell in cells:
        if cell.has_formula:
            n_formulas += 1
            shape = _shape(st, cell)
            if shape is not None:
                groups.setdefault(shape, []).append(cell)
        elif numeric(cell) is not None:
            n_numbers += 1
    if n_formulas < 2 or n_numbers == 0 or all(len(g) < 2 for g in groups.values()):
        return
    pos = (lambda c: c.col) if axis == "row" else (lambda c: c.row)
    # what the line's formulas read on their own sheet: those constants are inputs
    # (totals along the line read every part; they do not make a part an input);
    # computed on first use, as most lines have no candidate at all
    read_areas: list = []
    total_areas: list = []
    computed: list[bool] = []

    def compute() -> None:
        computed.append(True)
        for cell in cells:
            if cell.has_formula:
                info = st.info(cell)
                if info is not None:
                    areas = [a for a in info.areas(cell.row, cell.col) if a.sheet is None]
                    (total_areas if st.aggregate_axis(cell) == axis else read_areas).extend(areas)

    def is_read(c: Cell, by_totals: bool = False) -> bool:
        if not computed:
            compute()
        return any(a.contains(c.row, c.col) for a in read_areas) or (
            by_totals and any(a.contains(c.row, c.col) for a in total_areas))

    def read_areas_outside(members: set[int]) -> list:
        out_areas = []
        for c in cells:
            if c.has_formula and id(c) not in members and st.aggregate_axis(c) != axis:
                info = st.info(c)
                if info is not None:
                    out_areas.extend(a for a in info.areas(c.row, c.col) if a.sheet is None)
        return out_areas
    for shape, group in groups.items():
        if len(group) < 2:
            continue
        info = st.info(group[0])
        if info is None or not info.refs or info.parse_error:
            continue
        if all(ref.sheet is None and ref.kind in ("cell", "range") and ref.top is not None and ref.top.absolute
               and ref.left is not None and ref.left.absolute for ref in info.refs):
            continue  # every copy reads the same absolute cells: not a pattern to follow
        back, fwd = _line_refs(info, axis)
        # copies down their columns (=A6+1 beside =B6+1) are not a pattern of this row,
        # unless the typed cell breaks the same formula down its own column too
        across = not (back or fwd) and not _reads_own_line(info, axis) and \
            all(_other_axis_run(st, axis, g) > len(group) for g in group)
        line_aggregate = st.aggregate_axis(group[0]) == axis
        block = st.block_at(group[0].row, group[0].col)
        members = {id(g) for g in group}
        outside = read_areas_outside(members) if (back or fwd) and not line_aggregate else []
        found: list[Cell] = []
        # stretches: unbroken cells of the line that are copies of the pattern or typed
        # numbers; a stretch that holds two adjacent copies (a run) sets the pattern
        stretch: list[Cell] = []
        prev = None
        foreign = 0  # one other formula inside a stretch (a cell computed another way) does not end it
        for cell in [*cells, None]:
            keep = cell is not None and (id(cell) in members or _candidate(cell, block)) and (
                prev is None or pos(cell) == prev + 1)
            if not keep and cell is not None and cell.has_formula and foreign == 0 and stretch and \
                    prev is not None and pos(cell) == prev + 1 and any(id(c) in members for c in stretch):
                foreign = 1
                keep = True
            if keep:
                stretch.append(cell)  # type: ignore[arg-type]
                prev = pos(cell)  # type: ignore[arg-type]
                continue
            foreign = 0
            if stretch:
                found.extend(_from_stretch(stretch, members, pos, back, fwd, line_aggregate,
                                           is_read, outside, _reads_cell(st, group, axis)))
            stretch = []
            prev = None
            if cell is not None and (id(cell) in members or _candidate(cell, block)):
                stretch = [cell]
                prev = pos(cell)
        for cell in found:
            key = (cell.row, cell.col)
            if key in out:
                continue
            if across and not _breaks_other_axis(st, axis, cell, shape):
                continue
            model = min(group, key=lambda g: abs(pos(g) - pos(cell)))
            if not _reads_numbers_at(st, model, cell.row, cell.col, workbook):
                continue
            if numeric(cell) == 0 and _zero_inputs_at(st, model, cell.row, cell.col) and \
                    _blank_cross_line(st, axis, cell, block):
                continue  # a 0 where the formula would read only zeros, in a line of typed zeros: no data yet
            if not _plausible_value(st, model, cell, block):
                continue
            out[key] = Hardcode(cell, axis, model, group)


def _breaks_other_axis(st: SheetStructure, axis: str, cell: Cell, shape: str) -> bool:
    """Does a copy of the formula sit next to the cell along the other axis?"""
    get = st.sheet.cells.get
    steps = ((-1, 0), (1, 0)) if axis == "row" else ((0, -1), (0, 1))
    return any(_shape(st, get((cell.row + dr, cell.col + dc))) == shape for dr, dc in steps)


def _blank_cross_line(st: SheetStructure, axis: str, cell: Cell, block: Block | None) -> bool:
    """Is the line across the cell (its row for a pattern down the column) in the block
    typed zeros and blanks only, without a formula?"""
    if block is None:
        return False
    line = st.sheet.rows().get(cell.row, ()) if axis == "col" else st.sheet.columns().get(cell.col, ())
    first = block.min_col if axis == "col" else block.min_row
    for c in line:
        if not block.contains(c.row, c.col) or c.col in block.label_cols or c.row in block.header_rows:
            continue
        if c.has_formula:
            return False
        if numeric(c) and (c.col if axis == "col" else c.row) != first:  # not the line's label (a year)
            return False
    return True


def _reads_own_line(info: FormulaInfo, axis: str) -> bool:
    """Does the formula read any cell of its own row ("row") or column ("col")?"""
    for ref in info.refs:
        if ref.sheet is not None:
            continue
        lo, hi = (ref.top, ref.bottom) if axis == "row" else (ref.left, ref.right)
        if lo is None or hi is None:
            return True  # a whole row or column
        if lo.absolute or hi.absolute or lo.value <= 0 <= hi.value:
            return True
    return False


def _reads_cell(st: SheetStructure, group: list[Cell], axis: str):
    """A test: is a cell of the line read by one of the group's formulas?"""
    areas: list = []

    def test(cell: Cell) -> bool:
        if not areas:
            for g in group:
                info = st.info(g)
                if info is not None:
                    areas.extend(a for a in info.areas(g.row, g.col) if a.sheet is None)
            areas.append(None)
        return any(a is not None and a.contains(cell.row, cell.col) for a in areas)
    return test


def _from_stretch(stretch: list[Cell], members: set[int], pos, back: bool, fwd: bool,
                  line_aggregate: bool, is_read, outside: list, read_by_group=None) -> list[Cell]:
    idx = [i for i, c in enumerate(stretch) if id(c) in members]
    if len(idx) < 2 or not any(b - a <= 2 for a, b in zip(idx, idx[1:])):
        return []
    interleaved = all(b - a >= 2 for a, b in zip(idx, idx[1:]))
    if len(idx) < 0.25 * len(stretch):
        return []  # a couple of formulas among many typed figures: the figures are the data
    first, last = idx[0], idx[-1]
    out = []
    for i, cell in enumerate(stretch):
        if id(cell) in members or cell.has_formula:
            continue
        inside = first < i < last
        if not inside and (line_aggregate or (i < first and back) or (i > last and fwd)):
            continue
        if inside and interleaved and read_by_group is not None and read_by_group(cell):
            continue  # '$ | % of total' columns side by side: the figures the copies read
        if inside and (back or fwd) and not line_aggregate:
            # a recurrence (each copy reads the one before): the next copy reads a
            # typed-over cell; other formulas of the line reading it make it an input
            if any(a.contains(cell.row, cell.col) for a in outside):
                continue
        elif is_read(cell, by_totals=line_aggregate):
            continue
        out.append(cell)
    return out


def _typed_totals(st: SheetStructure, block: Block, out: dict) -> None:
    """Total rows (by label) whose cells are typed numbers equal to the sum of the parts."""
    get = st.sheet.cells.get
    from crossfoot.understand.structure import is_total_label

    label_totals = [r for r in block.total_rows if is_total_label(st.row_label(r, block=block))]
    for r in label_totals:
        for c in block.data_cols:
            cell = get((r, c))
            if cell is None or cell.has_formula or (r, c) in out:
                continue
            value = numeric(cell)
            if value is None or value == 0:
                continue
            parts: list[Cell] = []
            rr = r - 1
            while rr >= block.first_data_row and rr not in block.total_rows:
                p = get((rr, c))
                if p is None or numeric(p) is None:
                    if parts:
                        break
                    rr -= 1
                    continue
                parts.append(p)
                rr -= 1
            if len(parts) < 2:
                continue
            vals = [numeric(p) for p in parts]
            if close(sum(vals), value, len(vals), tuple(vals)):  # type: ignore[arg-type]
                out[(r, c)] = Hardcode(cell, "total", None, [], parts=list(reversed(parts)))


class HardcodedValue(Rule):
    name = "hardcoded-value"
    severity = "warning"
    summary = "A typed number where the table computes the cells around it."
    what = """
A constant inside (or at the end of) a run of formulas copied along a row or down a
column, where the formula copied to that cell would read numbers just as its neighbours
do; or a total row holding typed numbers that equal the sum of the rows above it.
"""
    why = """
A formula typed over with its value (or a total keyed in by hand) no longer follows
its inputs: when an input changes, every other cell updates and this one silently
stays, so totals and everything built on them drift apart.
"""
    example = """
| | B (FY) | C (Q4) | D (Q3) | E (Q2) |
|---|---|---|---|---|
| 23 Seed EBIT | 183 | -145 | 139 | 146 |
| 24 Productivity EBIT | 0 | -137 | 137 | 55 |
| 25 Total EBIT | **183** | **-282** | `=D24+D23` | `=E24+E23` |

B25 and C25 hold typed numbers where D25:E25 compute the total; the fix is
`=B24+B23` and `=C24+C23`.
"""
    fix = """
The neighbouring formula copied to the cell (relative references moved, absolute
ones kept), e.g. B25 `=+B24+B23`; for a typed total, `=SUM(...)` over its parts.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        for sheet in ctx.workbook:
            st = sheet_structure(ctx, sheet)
            for key, hc in sorted(find_hardcodes(ctx, sheet).items()):
                yield self._finding(st, sheet, hc)

    def _finding(self, st: SheetStructure, sheet: Sheet, hc: Hardcode) -> Finding:
        cell = hc.cell
        block = st.block_at(cell.row, cell.col)
        label = st.row_label(cell.row, cell.col, block=block)
        header = st.col_header(cell.col, cell.row, block=block)
        where = " / ".join(x for x in (f"'{label}'" if label else None, f"'{header}'" if header else None) if x)
        value = numeric(cell)
        if hc.axis == "total":
            parts = hc.parts or []
            rng = range_a1(parts[0].row, parts[0].col, parts[-1].row, parts[-1].col)
            formula = f"=SUM({rng})"
            msg = (f"{cell.address} ({where}) is a typed total: {fmt(value)}, the sum of {rng} today, "
                   f"but it will not follow them when they change.")
            return self.finding(sheet.name, cell.address, msg,
                                fix=Fix(formula=formula, description=f"compute the total from {rng}"),
                                evidence={"parts": rng})
        group = hc.group
        model = hc.model
        assert model is not None
        span = range_a1(group[0].row, group[0].col, group[-1].row, group[-1].col)
        direction = "along the row" if hc.axis == "row" else "down the column"
        proposed = st.formula_at(model, cell.row, cell.col)
        if hc.total is not None:
            msg = (f"{cell.address} ({where}) holds the number {fmt(value)}, which is what {model.address} "
                   f"{model.formula} computes {direction} when copied here (it adds up to {fmt(hc.total)})")
        else:
            msg = (f"{cell.address} ({where}) holds the number {fmt(value)} where the {len(group)} formulas "
                   f"{direction} ({span}) compute it, e.g. {model.address} {model.formula}")
        if proposed:
            msg += f"; here that is {proposed}"
        msg += ". A typed number does not follow its inputs."
        fix = Fix(formula=proposed, description=f"copy the formula of {model.address}") if proposed else None
        return self.finding(sheet.name, cell.address, msg, fix=fix,
                            evidence={"pattern": span, "model": model.address})


__all__ = ["Hardcode", "HardcodedValue", "find_hardcodes"]
