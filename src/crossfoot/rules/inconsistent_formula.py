"""inconsistent-formula: a formula that breaks the pattern copied along its row or column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.model import Cell, Sheet
from crossfoot.rules.base import Finding, Fix, Rule
from crossfoot.rules.omitted_range import find_omissions
from crossfoot.understand.numbers import fmt, numeric
from crossfoot.understand.structure import SheetStructure, sheet_structure

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext


@dataclass
class Break:
    cell: Cell
    axis: str
    model: Cell           # a cell of the pattern it breaks
    pattern: list[Cell]   # the cells that agree with each other
    reason: str
    left_out: list[str]


def _skeleton(st: SheetStructure, cell: Cell) -> tuple:
    """The formula's tokens with references as 'ref' and numbers as '#'."""
    info = st.info(cell)
    if info is None:
        return ()
    toks = info.tokens
    return tuple("ref" if (t.type == "OPERAND" and t.subtype == "RANGE") else
                 "#" if (t.type == "OPERAND" and t.subtype == "NUMBER") else t.value.upper()
                 for t in toks)


def _own_line_span(st: SheetStructure, cell: Cell, axis: str) -> set[tuple[int, int]]:
    """The cells of the formula's own line (its row for "row", its column for "col")
    that it reads, on its own sheet."""
    info = st.info(cell)
    if info is None:
        return set()
    out: set[tuple[int, int]] = set()
    for a in info.areas(cell.row, cell.col):
        if a.sheet is not None or a.size > 1000:
            continue
        if axis == "row" and a.min_row == a.max_row == cell.row:
            out.update((cell.row, c) for c in range(a.min_col, a.max_col + 1))
        elif axis == "col" and a.min_col == a.max_col == cell.col:
            out.update((r, cell.col) for r in range(a.min_row, a.max_row + 1))
    return out


def _aggregate_role(st: SheetStructure, cell: Cell) -> str | None:
    """"row" / "col" when the cell aggregates its own row / column (a one-cell range
    such as ``=SUM(K42:K42)`` counts: it is a total of the column, however short)."""
    axis = st.aggregate_axis(cell)
    if axis is not None:
        return axis
    agg = st.aggregate_refs(cell)
    if agg is None or not agg[1] or any(a.sheet is not None for a in agg[1]):
        return None
    if all(a.min_col == a.max_col == cell.col and not a.contains(cell.row, cell.col) for a in agg[1]):
        return "col"
    if all(a.min_row == a.max_row == cell.row and not a.contains(cell.row, cell.col) for a in agg[1]):
        return "row"
    return None


def _same_span_variant(st: SheetStructure, x: Cell, model: Cell) -> bool:
    """A total that weights the same items its neighbours add (``=SUMPRODUCT(B3:E3,B4:E4)
    /SUM(B3:E3)`` in a Total column of ``=SUM(Bn:En)``): a deliberate other aggregate
    of the same row (or column), not a damaged copy."""
    axis = st.aggregate_axis(model)
    if axis is None:
        return False
    ix, im = st.info(x), st.info(model)
    if ix is None or im is None or not (ix.functions - im.functions):
        return False
    theirs = _own_line_span(st, model, axis)
    mine = _own_line_span(st, x, axis)
    if not theirs or not mine:
        return False
    pos = (lambda k: k[1]) if axis == "row" else (lambda k: k[0])
    return {pos(k) for k in mine} == {pos(k) for k in theirs}


def _refs(st: SheetStructure, cell: Cell) -> set[str]:
    info = st.info(cell)
    return set() if info is None else {r.r1c1 for r in info.refs}


def _similar(st: SheetStructure, x: Cell, model: Cell) -> bool:
    """Could x be a damaged copy of model: the same operators with other references, or
    a subset of model's references (a term or a sheet left out)?"""
    sx = _skeleton(st, x)
    if len(sx) <= 1:
        return False  # a bare pointer (=Sheet2!G7): links are placed one by one, not copied
    ix0, im0 = st.info(x), st.info(model)
    if ix0 is None or im0 is None:
        return False
    if sx == ("+", "ref") and all(r.sheet is not None for r in ix0.refs):
        return False  # =+Sheet2!G7, the same link as Lotus users write it
    if {r.sheet for r in ix0.refs} != {r.sheet for r in im0.refs} and not _refs(st, x) < _refs(st, model):
        return False
    ax, am = _aggregate_role(st, x), _aggregate_role(st, model)
    if ax is not None and am is not None and ax != am:
        return False  # a total of the column among totals of the rows: another role
    if _same_span_variant(st, x, model):
        return False
    if sx == _skeleton(st, model):
        return True
    mine, theirs = _refs(st, x), _refs(st, model)
    ix, im = st.info(x), st.info(model)
    if ix is None or im is None:
        return False
    return bool(mine) and mine < theirs and ix.functions <= im.functions


def _empty_reads(st: SheetStructure, cell: Cell) -> int:
    """How many of the formula's single-cell or small references read nothing."""
    info = st.info(cell)
    if info is None:
        return 0
    get = st.sheet.cells.get
    n = 0
    for area in info.areas(cell.row, cell.col):
        if area.sheet is not None or area.size > 200:
            continue
        if not any(numeric(get((r, c))) is not None for r in range(area.min_row, area.max_row + 1)
                   for c in range(area.min_col, area.max_col + 1)):
            n += 1
    return n


# a formula that ends in "+ 1000" / "- 500": the part before it and the constant
_TRAILING_CONSTANT = re.compile(r"^(=.*\S)\s*([+-])\s*(\d+(?:\.\d*)?)$")


def _adjusted(fp: str, cache: dict[str, tuple[str, str] | None]) -> tuple[str, str] | None:
    """(the formula without it, "+1000") when the fingerprint ends in a typed constant
    added or subtracted after the computation; None otherwise."""
    if fp in cache:
        return cache[fp]
    out = None
    m = _TRAILING_CONSTANT.match(fp)
    if m and "R" in m[1] and not m[1].endswith(("*", "/", "^", "(", ",", "+", "-", "&", "=")):
        base = m[1]
        # the constant must apply to the whole computation: no open parenthesis left
        if base.count("(") == base.count(")"):
            out = (base, m[2] + m[3])
    cache[fp] = out
    return out


def _adjusted_copies(st: SheetStructure, sheet: Sheet, out: dict) -> None:
    """A formula that is its neighbour's formula plus or minus a typed number
    (``=SUM(E47:E59)-1000`` beside ``=SUM(D47:D59)`` and ``=SUM(F47:F59)``): the same
    computation with an adjustment typed into it, which the copies do not have. Flagged
    when a neighbour on its row or column holds the formula without the constant and no
    neighbour on that line carries the same adjustment."""
    cache: dict[str, tuple[str, str] | None] = {}
    get = sheet.cells.get
    for cell in sheet.formula_cells():
        key = (cell.row, cell.col)
        if key in out:
            continue
        fp = st.fingerprint(cell)
        if fp is None:
            continue
        adj = _adjusted(fp, cache)
        if adj is None:
            continue
        base, constant = adj
        if float(constant[1:]) == 0:
            continue
        for axis, steps in (("row", ((0, -1), (0, 1))), ("col", ((-1, 0), (1, 0)))):
            near = [get((cell.row + dr, cell.col + dc)) for dr, dc in steps]
            fps = [st.fingerprint(c) if c is not None and c.has_formula else None for c in near]
            if fp in fps:
                continue  # the adjustment is copied too: a pattern of its own
            models = [c for c, f in zip(near, fps) if f == base]
            if not models:
                continue
            model = models[0]
            pattern = [c for c in near if c is not None and st.fingerprint(c) == base]
            out[key] = Break(cell, axis, model, pattern, "adjusted", [constant])
            break


def find_breaks(ctx: "AuditContext", sheet: Sheet) -> dict[tuple[int, int], Break]:
    return ctx.memo(f"inconsistent-formula:{sheet.name}", lambda: _find(ctx, sheet))


def _find(ctx: "AuditContext", sheet: Sheet) -> dict[tuple[int, int], Break]:
    st = sheet_structure(ctx, sheet)
    omitted = find_omissions(ctx, sheet)
    out: dict[tuple[int, int], Break] = {}
    for axis, lines in (("row", sheet.rows()), ("col", sheet.columns())):
        for cells in lines.values():
            segment: list[Cell] = []
            prev = -10
            for cell in cells:
                p = cell.col if axis == "row" else cell.row
                if cell.has_formula and p == prev + 1 and segment:
                    segment.append(cell)
                elif cell.has_formula:
                    _scan_segment(st, axis, segment, omitted, out)
                    segment = [cell]
                else:
                    _scan_segment(st, axis, segment, omitted, out)
                    segment = []
                prev = p
            _scan_segment(st, axis, segment, omitted, out)
    _adjusted_copies(st, sheet, out)
    for key in omitted:
        out.pop(key, None)
    return out


def _scan_segment(st: SheetStructure, axis: str, seg: list[Cell], omitted: dict, out: dict) -> None:
    n = len(seg)
    if n < 3:
        return
    fps = [st.fingerprint(c) for c in seg]
    if len(set(fps)) == 1:
        return
    for i, cell in enumerate(seg):
        key = (cell.row, cell.col)
        if key in out or key in omitted:
            continue
        fp = fps[i]
        model: Cell | None = None
        pattern: list[Cell] = []
        reason = ""
        if 0 < i < n - 1 and fps[i - 1] == fps[i + 1] != fp:
            model = seg[i - 1]
            reason = "middle"
        elif i >= 2 and fps[i - 1] == fps[i - 2] != fp:
            model = seg[i - 1]
            reason = "end"
        elif i + 2 < n and fps[i + 1] == fps[i + 2] != fp:
            model = seg[i + 1]
            reason = "end"
        if model is None or not _similar(st, cell, model):
            continue
        # copied down its column (or along its row), as the pattern's cells are: the
        # pattern of the other axis explains the cell, not a run across this one
        if _other_axis_consistent(st, axis, cell) and _other_axis_consistent(st, axis, model):
            continue
        # the complete cell beside totals that omit something is not the wrong one
        if (model.row, model.col) in omitted:
            continue
        block = st.block_at(cell.row, cell.col)
        if reason == "end" and block is not None:
            if axis == "row" and cell.col in block.total_cols or axis == "col" and cell.row in block.total_rows:
                if not _repeats_copy(st, cell, model):
                    continue  # a total line computes its own way
                reason = "repeat"
        mfp = st.fingerprint(model)
        pattern = [c for c, f in zip(seg, fps) if f == mfp]
        # a split in two: the larger side is not always right
        others = [c for c, f in zip(seg, fps) if f == fp]
        if len(others) >= 2 and len(others) >= len(pattern) // 2:
            mine_bad, theirs_bad = _empty_reads(st, cell), _empty_reads(st, model)
            if theirs_bad > mine_bad:
                continue
        mine, theirs = _refs(st, cell), _refs(st, model)
        left_out = sorted(theirs - mine) if mine < theirs else []
        out[(cell.row, cell.col)] = Break(cell, axis, model, pattern, reason, left_out)


def _repeats_copy(st: SheetStructure, cell: Cell, model: Cell) -> bool:
    """A formula on a total line that computes exactly what the copy next to it computes
    (J109 ``=G108/E108`` under J108 ``=G108/E108``, where the copies read their own row
    and G109, E109 hold the totals): the copy was pasted one line late, with its
    references shifted, so the total line shows the last line's figure. Only when the
    formula read on the total line itself (``=G109/E109``) finds figures in every cell."""
    ic, im = st.info(cell), st.info(model)
    if ic is None or im is None or _skeleton(st, cell) != _skeleton(st, model):
        return False
    mine = ic.areas(cell.row, cell.col)
    if not mine or mine != im.areas(model.row, model.col):
        return False
    own = im.areas(cell.row, cell.col)  # the model copied onto the total line
    if own == mine:
        return False
    get = st.sheet.cells.get
    for area in own:
        if area.sheet is not None or area.size > 200:
            return False
        if any(numeric(get((r, c))) is None for r in range(area.min_row, area.max_row + 1)
               for c in range(area.min_col, area.max_col + 1)):
            return False
    return True


def _other_axis_consistent(st: SheetStructure, axis: str, cell: Cell) -> bool:
    run = st.run_down_col(cell.row, cell.col) if axis == "row" else st.run_along_row(cell.row, cell.col)
    return run is not None and len(run) >= 2


class InconsistentFormula(Rule):
    name = "inconsistent-formula"
    severity = "warning"
    summary = "A formula that differs from the formulas copied on both sides of it."
    what = """
A formula whose relative (R1C1) form differs from the pattern its row or column
follows: the cells on both sides agree with each other and not with it, or the two
cells next to it at the end of a run agree and it is a damaged copy of them (the same
operators with other references, or a term or a sheet left out), or that is its
neighbour's formula with a number typed into it (`=SUM(E47:E59)-1000` beside
`=SUM(D47:D59)`), or that sits on a total line and reads exactly the cells of the
copy next to it (J109 `=G108/E108` under J108 `=G108/E108`). Roll-ups across
sheets count: a summary cell that adds North, South and West but not East, while its
neighbours add all four.
"""
    why = """
Copied formulas are how a model says "the same computation for every period or
entity". One cell that reads a different row, a shifted column or one region fewer
produces a number that looks like its neighbours and means something else.
"""
    example = """
| | C | D | E | F |
|---|---|---|---|---|
| 7 Revenue | `=C5*C6` | `=D5*D6` | **`=E5*D6`** | `=F5*F6` |

E7 multiplies by D6 where its neighbours read their own column; the fix is `=E5*E6`.
"""
    fix = """
The neighbouring formula copied to the cell, e.g. E7 `=E5*E6`. When a run splits in
two, crossfoot flags the side whose references read empty cells, else the smaller side.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        for sheet in ctx.workbook:
            st = sheet_structure(ctx, sheet)
            for key, br in sorted(find_breaks(ctx, sheet).items()):
                yield self._finding(st, sheet, br)

    def _finding(self, st: SheetStructure, sheet: Sheet, br: Break) -> Finding:
        cell = br.cell
        block = st.block_at(cell.row, cell.col)
        label = st.row_label(cell.row, cell.col, block=block)
        header = st.col_header(cell.col, cell.row, block=block)
        where = " / ".join(f"'{x}'" for x in (label, header) if x)
        direction = "along the row" if br.axis == "row" else "down the column"
        proposed = st.formula_at(br.model, cell.row, cell.col)
        value = numeric(cell)
        msg = (f"{cell.address} ({where}) reads {cell.formula}"
               + (f" (= {fmt(value)})" if value is not None else "")
               + f" but {len(br.pattern)} formulas {direction} follow {br.model.address} {br.model.formula}")
        if br.reason == "repeat":
            msg = (f"{cell.address} ({where}) reads {cell.formula}"
                   + (f" (= {fmt(value)})" if value is not None else "")
                   + f", the same cells as {br.model.address} {br.model.formula}: on this total line it repeats"
                   f" that line's figure, where the {len(br.pattern)} formulas {direction} read their own line")
        elif br.reason == "adjusted":
            msg = (f"{cell.address} ({where}) reads {cell.formula}"
                   + (f" (= {fmt(value)})" if value is not None else "")
                   + f": the formula of {br.model.address} {br.model.formula} with {br.left_out[0]} typed into it,"
                   f" an adjustment its neighbours {direction} do not make; if it is meant, it belongs in a"
                   f" labelled cell of its own")
        elif br.left_out:
            msg += f"; it leaves out {', '.join(br.left_out)}"
        if proposed:
            msg += f"; copied here that is {proposed}"
        msg += "."
        fix = Fix(formula=proposed, description=f"follow the pattern of {br.model.address}") if proposed else None
        return self.finding(sheet.name, cell.address, msg, fix=fix,
                            evidence={"pattern": [c.address for c in br.pattern][:20], "model": br.model.address})


__all__ = ["Break", "InconsistentFormula", "find_breaks"]
