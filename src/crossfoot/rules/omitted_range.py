"""omitted-range: an aggregate that leaves out part of the row or column it totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.address import a1, column_letter, range_a1
from crossfoot.grid.model import Cell, Sheet
from crossfoot.rules.base import Finding, Fix, Impact, Rule
from crossfoot.understand.numbers import fmt, looks_intensive, numeric, pct_change
from crossfoot.understand.structure import Block, SheetStructure, is_total_label, sheet_structure

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

_FUNCS = {"SUM", "AVERAGE", "AVERAGEA", "COUNT", "COUNTA", "MIN", "MAX", "PRODUCT", "SUMPRODUCT",
          "MEDIAN", "SUMSQ", "+"}
_ADDITIVE = {"SUM", "+"}


@dataclass
class Aggregate:
    """An aggregate along one axis: "row" (it reads cells side by side in one or more
    rows; positions are columns) or "col" (cells one under another; positions are rows)."""

    cell: Cell
    func: str
    axis: str
    lines: tuple[int, ...]
    positions: frozenset[int]

    @property
    def own_line(self) -> bool:
        line = self.cell.row if self.axis == "row" else self.cell.col
        return self.lines == (line,)

    @property
    def here(self) -> int:
        return self.cell.col if self.axis == "row" else self.cell.row


@dataclass
class Omission:
    """What omitted-range found at one cell (shared with inconsistent-formula)."""

    agg: Aggregate
    omitted: list[int]
    evidence: str
    witness: Cell | None


def aggregate_of(st: SheetStructure, cell: Cell) -> Aggregate | None:
    """The cell as an aggregate over one axis of its own sheet, or None."""
    found = st.aggregate_refs(cell)
    if found is None:
        return None
    func, areas = found
    if func not in _FUNCS or not areas or any(a.sheet is not None for a in areas):
        return None
    one_row = all(a.min_row == a.max_row for a in areas)
    one_col = all(a.min_col == a.max_col for a in areas)
    if one_row and one_col:
        one_row = len({a.min_row for a in areas}) == 1
        one_col = not one_row and len({a.min_col for a in areas}) == 1
    if one_row:
        axis = "row"
        lines = tuple(sorted({a.min_row for a in areas}))
        positions = frozenset(c for a in areas for c in range(a.min_col, a.max_col + 1))
    elif one_col:
        axis = "col"
        lines = tuple(sorted({a.min_col for a in areas}))
        positions = frozenset(r for a in areas for r in range(a.min_row, a.max_row + 1))
    else:
        return None
    if len(positions) < 2 and func != "+":
        return None
    if len(areas) == 1 and areas[0].is_cell:
        return None
    if func == "SUMPRODUCT" and len(lines) < 2:
        return None
    if func != "SUMPRODUCT" and len(lines) != 1:
        return None
    return Aggregate(cell, func, axis, lines, positions)


def _at(sheet: Sheet, axis: str, line: int, pos: int) -> Cell | None:
    return sheet.cells.get((line, pos) if axis == "row" else (pos, line))


def _total_positions(block: Block | None, axis: str) -> set[int]:
    if block is None:
        return set()
    return set(block.total_cols if axis == "row" else block.total_rows)


def _is_part(st: SheetStructure, block: Block | None, agg: Aggregate, line: int, pos: int,
             totals: bool = False) -> bool:
    """Is the cell at ``pos`` of ``line`` a part the aggregate should add: a number of
    the same block, not a header, label, total or aggregate itself."""
    cell = _at(st.sheet, agg.axis, line, pos)
    if cell is None or numeric(cell) is None:
        return False
    if block is None:
        return False
    row, col = (line, pos) if agg.axis == "row" else (pos, line)
    if not block.contains(row, col) or row in block.header_rows or col in block.label_cols:
        return False
    if cell.has_formula:
        other = aggregate_of(st, cell)
        if other is not None and other.axis == agg.axis:
            return totals  # a subtotal is a part only of a total of subtotals
    if pos in _total_positions(block, agg.axis):
        return totals
        info = st.info(cell)
        if info is None or not info.refs:
            return False
    return True


def _header_of(st: SheetStructure, agg: Aggregate, pos: int, block: Block | None) -> str:
    if agg.axis == "row":
        text = st.col_header(pos, agg.lines[0], block=block)
        return text or column_letter(pos)
    text = st.row_label(pos, agg.lines[0], block=block)
    return text or str(pos)


def find_omissions(ctx: "AuditContext", sheet: Sheet) -> dict[tuple[int, int], Omission]:
    """Every aggregate of the sheet that leaves out parts of its line, by (row, col)."""
    return ctx.memo(f"omitted-range:{sheet.name}", lambda: _find(sheet_structure(ctx, sheet)))


def _find(st: SheetStructure) -> dict[tuple[int, int], Omission]:
    sheet = st.sheet
    aggs: list[Aggregate] = []
    for cell in sheet.formula_cells():
        info = st.info(cell)
        if info is None or (info.aggregate is None and info.plus_chain is None):
            continue
        agg = aggregate_of(st, cell)
        if agg is not None:
            aggs.append(agg)
    # parallel aggregates: the same axis, in the same column (row axis) or row (col axis)
    # Grouped by what they cover (relative to themselves when they read their own line),
    # so that a column of 10,000 copied totals is compared group against group, not
    # cell against cell: copies cover the same, and only strict supersets are witnesses.
    by_stack: dict[tuple[str, int], dict[tuple[str, bool, frozenset[int]], list[tuple[int, Aggregate]]]] = {}
    for index, agg in enumerate(aggs):
        stack = agg.cell.col if agg.axis == "row" else agg.cell.row
        groups = by_stack.setdefault((agg.axis, stack), {})
        groups.setdefault((agg.func, agg.own_line, _coverage(agg)), []).append((index, agg))
    out: dict[tuple[int, int], Omission] = {}
    for agg in aggs:
        if agg.func == "+" and len(agg.positions) < 2:
            continue
        block = st.block_at(agg.cell.row, agg.cell.col)
        if block is None:
            continue
        mine = _coverage(agg)
        groups = by_stack.get((agg.axis, agg.cell.col if agg.axis == "row" else agg.cell.row), {})
        wider = [member for (func, own_line, theirs), members in groups.items()
                 if func == agg.func and own_line == agg.own_line and mine < theirs
                 for member in members]
        peers = [p for _, p in sorted(wider, key=lambda m: m[0])
                 if p is not agg and block.contains(p.cell.row, p.cell.col)]
        lo, hi = min(agg.positions), max(agg.positions)
        line = agg.lines[0]
        summands_are_totals = any(_is_same_axis_aggregate(st, _at(sheet, agg.axis, line, p), agg.axis)
                                  for p in agg.positions)
        # what the subtotals it adds already cover: a parallel total that also adds those
        # parts counts them twice (total-mismatch says so); this one leaves nothing out
        covered = subtotal_parts(st, agg) if summands_are_totals else set()
        omitted: list[int] = []
        evidence = ""
        witness: Cell | None = None
        latent: list[tuple[Aggregate, list[int]]] = []
        # 1. parts skipped between the range and the aggregate itself
        if agg.own_line:
            gap = range(hi + 1, agg.here) if agg.here > hi else range(agg.here + 1, lo)
            between = [p for p in gap if _is_part(st, block, agg, line, p) and p not in covered]
            if between and not _intensive(st, agg, between, block):
                omitted, evidence = between, "between"
        # 2. holes inside a + chain
        if not omitted and agg.func == "+" and not summands_are_totals:
            holes = [p for p in range(lo, hi + 1) if p not in agg.positions and p not in covered
                     and _is_part(st, block, agg, line, p)]
            if holes:
                omitted, evidence = holes, "hole"
        # 3. a parallel aggregate covers parts this one leaves out
        if peers:
            offset = agg.here
            for peer in peers:
                theirs = _coverage(peer)
                if peer.func in _ADDITIVE and subtotal_parts(st, peer) & set(peer.positions):
                    continue  # it adds subtotals and their parts: it counts them twice, no witness
                extra = sorted((p + offset if agg.own_line else p) for p in theirs - mine)
                parts = [p for p in extra if _is_part(st, block, agg, line, p, summands_are_totals)
                         and p not in covered]
                if not parts and not omitted and _latent(st, block, agg, peer, extra):
                    latent.append((peer, extra))
                extra = parts
                if extra:
                    if omitted and set(omitted) <= set(extra) or not omitted:
                        omitted = sorted(set(omitted) | set(extra))
                    witness = peer.cell
                    evidence = evidence or "peer"
                    break
        if not omitted and latent:
            peer, extra = latent[0]
            omitted, evidence, witness = extra, "latent", peer.cell
        if not omitted:
            continue
        if witness is None:
            continue  # a range that stops short with no parallel total covering more is a design
        out[(agg.cell.row, agg.cell.col)] = Omission(agg, omitted, evidence, witness)
    return out


@dataclass
class Padding:
    """A total whose range runs on into blank spacer lines before the total."""

    agg: Aggregate
    blank: list[int]   # positions of the blank lines at the end of the range
    keep: tuple[int, int]  # the range without them


def _blank(cell: Cell | None) -> bool:
    if cell is None:
        return True
    if cell.has_formula:
        return False
    v = cell.value
    return v is None or (isinstance(v, str) and not v.strip())


def find_paddings(ctx: "AuditContext", sheet: Sheet) -> dict[tuple[int, int], Padding]:
    """Every SUM of the sheet whose range ends in lines blank across its table, by (row, col)."""
    return ctx.memo(f"omitted-range:padded:{sheet.name}", lambda: _find_padded(sheet_structure(ctx, sheet)))


def _find_padded(st: SheetStructure) -> dict[tuple[int, int], Padding]:
    """A SUM down its own column (or along its own row) whose range ends, next to the
    total, in one or more lines that are blank across the whole table: the spacer row
    between the figures and the total line. Ranges that end on a figure, empty
    templates (no figure in the range), and lines with anything in them (a note, a
    label, a formula) are left alone. Whether a line is blank is decided once per
    line and table width, so a row of copied totals costs one scan of the spacer."""
    sheet = st.sheet
    out: dict[tuple[int, int], Padding] = {}
    blank_line: dict[tuple[str, int, int, int], bool] = {}
    templates: list[Padding] = []
    rows = cols = None
    for cell in sheet.formula_cells():
        info = st.info(cell)
        if info is None or info.aggregate is None or info.aggregate[0] != "SUM":
            continue
        agg = aggregate_of(st, cell)
        if agg is None or not agg.own_line:
            continue
        lo, hi = min(agg.positions), max(agg.positions)
        if len(agg.positions) != hi - lo + 1 or hi >= agg.here or hi - lo < 2:
            continue  # only a contiguous range that ends before (above / left of) the total
        block = st.block_at(cell.row, cell.col)
        if block is None:
            continue
        line = agg.lines[0]
        # nothing but blanks between the end of the range and the total
        if any(not _blank(_at(sheet, agg.axis, line, p)) for p in range(hi + 1, agg.here)):
            continue
        # the figures may sit in a table of their own above two spacer lines
        first = st.block_at(*((lo, line) if agg.axis == "col" else (line, lo)))
        tables = [block] + ([first] if first is not None and first is not block else [])
        if agg.axis == "col":
            span = (min(b.min_col for b in tables), max(b.max_col for b in tables))
            if rows is None:
                rows = sheet.rows()
            index = rows
        else:
            span = (min(b.min_row for b in tables), max(b.max_row for b in tables))
            if cols is None:
                cols = sheet.columns()
            index = cols
        blank: list[int] = []
        p = hi
        while p > lo:
            key = (agg.axis, p, span[0], span[1])
            empty = blank_line.get(key)
            if empty is None:
                empty = all(_blank(c) for c in index.get(p, ())
                            if span[0] <= (c.col if agg.axis == "col" else c.row) <= span[1])
                blank_line[key] = empty
            if not empty:
                break
            blank.append(p)
            p -= 1
        if not blank:
            continue
        end = p
        if end - lo < 1:
            continue  # a "range" of one line
        padding = Padding(agg, sorted(blank), (lo, end))
        if any(_is_part(st, tables[-1], agg, line, q, totals=True) for q in range(lo, end + 1)):
            out[(cell.row, cell.col)] = padding
        else:
            templates.append(padding)  # no figure in its range: judged by its copies below
    # A total with no figure in its range (an input column not filled in yet) shares the
    # spacer of the copies beside it: flagged when one of those, with figures, is.
    for padding in templates:
        agg = padding.agg
        here = (agg.cell.row, agg.cell.col)
        for step in (-1, 1):
            pos = here
            while True:
                pos = (pos[0], pos[1] + step) if agg.axis == "col" else (pos[0] + step, pos[1])
                other = sheet.cells.get(pos)
                if other is None or not other.has_formula or st.info(other) is None:
                    break
                if st.info(other).fingerprint != st.info(agg.cell).fingerprint:  # type: ignore[union-attr]
                    break
                if pos in out:
                    out[here] = padding
                    break
            if here in out:
                break
    return out


def _coverage(agg: Aggregate) -> frozenset[int]:
    """The positions an aggregate covers, relative to itself when it reads its own line
    (so copies of one total cover the same), else as they are."""
    if agg.own_line:
        here = agg.here
        return frozenset(p - here for p in agg.positions)
    return agg.positions


def subtotal_parts(st: SheetStructure, agg: Aggregate) -> set[int]:
    """The positions that the subtotals among the aggregate's summands add up (in its line)."""
    out: set[int] = set()
    line = agg.lines[0]
    todo, seen = list(agg.positions), set(agg.positions)
    depth = 0
    while todo and depth < 4:  # subtotals of subtotals, a few levels deep
        nxt: list[int] = []
        for p in todo:
            cell = _at(st.sheet, agg.axis, line, p)
            if cell is None or not cell.has_formula:
                continue
            sub = aggregate_of(st, cell)
            if sub is not None and sub.axis == agg.axis and sub.lines == agg.lines and sub.func in _ADDITIVE:
                out |= set(sub.positions)
                nxt.extend(q for q in sub.positions if q not in seen)
                seen.update(sub.positions)
        todo, depth = nxt, depth + 1
    return out


def _latent(st: SheetStructure, block: Block, agg: Aggregate, peer: Aggregate, extra: list[int]) -> bool:
    """Does the aggregate leave out cells that are empty here today but hold figures in
    the parallel total's line (a total row whose SUM starts one row lower than its
    neighbours')? The total is right today and misses the next figure typed there."""
    if not agg.own_line or not peer.own_line or agg.func not in _ADDITIVE:
        return False
    line, peer_line = agg.lines[0], peer.lines[0]
    figures = 0
    for p in extra:
        row, col = (line, p) if agg.axis == "row" else (p, line)
        if not block.contains(row, col) or row in block.header_rows or col in block.label_cols:
            return False
        if p in _total_positions(block, agg.axis):
            return False
        here = _at(st.sheet, agg.axis, line, p)
        if here is not None and (here.has_formula or (here.value is not None and str(here.value).strip())):
            return False
        there = _at(st.sheet, peer.axis, peer_line, p + (peer.here - agg.here))
        if there is not None and numeric(there) is not None and not there.has_formula:
            figures += 1
    return figures > 0


def _is_same_axis_aggregate(st: SheetStructure, cell: Cell | None, axis: str) -> bool:
    if cell is None or not cell.has_formula:
        return False
    other = aggregate_of(st, cell)
    return other is not None and other.axis == axis


def _in_total_line(st: SheetStructure, block: Block, agg: Aggregate) -> bool:
    if agg.axis == "row":
        return agg.cell.col in block.total_cols or is_total_label(st.col_header(agg.cell.col, block=block))
    return agg.cell.row in block.total_rows or is_total_label(st.row_label(agg.cell.row, block=block))


def _intensive(st: SheetStructure, agg: Aggregate, positions: list[int], block: Block) -> bool:
    for p in positions:
        cell = _at(st.sheet, agg.axis, agg.lines[0], p)
        if looks_intensive(_header_of(st, agg, p, block), cell):
            return True
    return False


def _fixed_formula(agg: Aggregate, omitted: list[int]) -> str | None:
    positions = sorted(set(agg.positions) | set(omitted))
    line = agg.lines[0]
    contiguous = positions == list(range(positions[0], positions[-1] + 1))

    def ref(p1: int, p2: int) -> str:
        if agg.axis == "row":
            return range_a1(line, p1, line, p2)
        return range_a1(p1, line, p2, line)

    if agg.func == "+":
        if contiguous and len(positions) > 2:
            return f"=SUM({ref(positions[0], positions[-1])})"
        return "=" + "+".join(ref(p, p) for p in positions)
    if agg.func == "SUMPRODUCT":
        if not contiguous:
            return None
        return "=SUMPRODUCT(" + ",".join(
            (range_a1(ln, positions[0], ln, positions[-1]) if agg.axis == "row"
             else range_a1(positions[0], ln, positions[-1], ln)) for ln in agg.lines) + ")"
    if contiguous:
        return f"={agg.func}({ref(positions[0], positions[-1])})"
    return None


def _count_word(n: int) -> str:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve"]
    return words[n] if n < len(words) else str(n)


def _names(items: list[str]) -> str:
    quoted = [f"'{x}'" if " " in x else x for x in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


class OmittedRange(Rule):
    name = "omitted-range"
    severity = "error"
    # padded ranges are a style warning some modellers use on purpose (rows inserted in
    # the spacer are then counted); `padded_ranges = false` turns that check off
    options = {"padded_ranges": True}
    summary = "An aggregate covers fewer rows or columns of its table than it should."
    what = """
An aggregate (SUM, AVERAGE, SUMPRODUCT, COUNT, MIN, MAX and kin, or a chain of `+`) that
leaves out part of the row or column it totals: numbers that sit between the summed
range and the total, a cell skipped in the middle of a `+` chain, or parts that the
parallel totals of the same table include (the total of the next row covers one more
column than this one). Also, as a warning, a SUM whose range runs on into spacer rows
(or columns) blank across the table between its last figure and the total.
"""
    why = """
A column or row added after the totals were written is left out of them, and every
figure built on the total understates (or overstates) by the omitted amount. The total
still looks plausible, so the error survives review.
"""
    example = """
The published GPU table: header `A100 | H20 | H800 | H100 | Total` in B2:F2.

| cell | formula | value |
|---|---|---|
| F3 | `=SUM(B3:E3)` | 60,000 GPUs (all four columns) |
| F6 | `=SUM(B6:D6)` | 1,300 ($m, Server CapEx) |

F6 sums A100, H20 and H800 but not H100 (E6 = 300) which sits between the summed range
and the total; F3 sums all four. With H100 the capex is 1,600 (+23%).
"""
    fix = """
The range extended to the omitted cells: F6 `=SUM(B6:E6)`. The finding's impact gives
the total before and after. When the omitted cells are not contiguous with the range,
the fix lists them (`=B6+C6+D6+E6`); for other functions over disjoint cells no formula
is proposed. A range padded with a blank spacer is cut back to the last figure:
`=SUM(C12:C31)` with row 31 blank becomes `=SUM(C12:C30)`. If your models pad totals on
purpose, turn that warning off with `padded_ranges = false` under
`[tool.crossfoot.rules.omitted-range]`.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        for sheet in ctx.workbook:
            st = sheet_structure(ctx, sheet)
            omissions = find_omissions(ctx, sheet)
            for (row, col), om in sorted(omissions.items()):
                yield self._finding(st, sheet, om)
            if not ctx.options.get(self.name, {}).get("padded_ranges", True):
                continue
            for (row, col), pad in sorted(find_paddings(ctx, sheet).items()):
                if (row, col) not in omissions:
                    yield self._padded(st, sheet, pad)

    def _padded(self, st: SheetStructure, sheet: Sheet, pad: Padding) -> Finding:
        agg = pad.agg
        cell = agg.cell
        block = st.block_at(cell.row, cell.col)
        line = agg.lines[0]
        if agg.axis == "row":
            what = st.row_label(cell.row, cell.col, block=block)
            blank = [column_letter(p) for p in pad.blank]
            noun = "column" if len(blank) == 1 else "columns"
            rng = range_a1(line, min(agg.positions), line, max(agg.positions))
            fixed = range_a1(line, pad.keep[0], line, pad.keep[1])
            across = "down the table"
        else:
            what = st.col_header(cell.col, cell.row, block=block)
            blank = [str(p) for p in pad.blank]
            noun = "row" if len(blank) == 1 else "rows"
            rng = range_a1(min(agg.positions), line, max(agg.positions), line)
            fixed = range_a1(pad.keep[0], line, pad.keep[1], line)
            across = "across the table"
        subject = f"Total of '{what}'" if what else "Total"
        value = numeric(cell)
        shown = f"{cell.address} = {fmt(value)}" if value is not None else cell.address
        last = f"{noun} {' and '.join(blank)}"
        msg = (f"{subject} ({shown}) sums {rng}, which runs on into {last}, blank {across} "
               f"between the figures and the total: anything later typed in that spacer is "
               f"added to the total. The figures end at {noun.rstrip('s')} {pad.keep[1] if agg.axis == 'col' else column_letter(pad.keep[1])}.")
        fix = Fix(formula=f"=SUM({fixed})", description=f"sum the figures only ({fixed})")
        return self.finding(sheet.name, cell.address, msg, fix=fix, severity="warning",
                            evidence={"blank": blank, "range": rng, "reason": "padded"})

    def _finding(self, st: SheetStructure, sheet: Sheet, om: Omission) -> Finding:
        agg = om.agg
        cell = agg.cell
        block = st.block_at(cell.row, cell.col)
        line = agg.lines[0]
        if agg.axis == "row":
            what = st.row_label(cell.row, cell.col, block=block)
            head = st.col_header(cell.col, cell.row, block=block)
        else:
            what = st.col_header(cell.col, cell.row, block=block)
            head = st.row_label(cell.row, cell.col, block=block)
        kind = "Total" if (head is None or is_total_label(head) or agg.func in _ADDITIVE) else agg.func.title()
        if agg.func not in _ADDITIVE:
            kind = {"AVERAGE": "Average", "AVERAGEA": "Average", "COUNT": "Count", "COUNTA": "Count",
                    "MIN": "Minimum", "MAX": "Maximum", "SUMPRODUCT": "Weighted total"}.get(agg.func, agg.func.title())
        subject = f"{kind} of '{what}'" if what else kind
        value = numeric(cell)
        included = [_header_of(st, agg, p, block) for p in sorted(agg.positions)]
        left_out = [_header_of(st, agg, p, block) for p in om.omitted]
        verb = {"SUM": "sums", "+": "adds", "AVERAGE": "averages", "COUNT": "counts"}.get(agg.func, "covers")
        shown = f"{cell.address} = {fmt(value)}" if value is not None else cell.address
        if len(included) > 6:
            inc_text = f"{included[0]} to {included[-1]}"
        else:
            inc_text = _names(included)
        if om.evidence == "latent":
            assert om.witness is not None
            cells = [a1(line, p) if agg.axis == "row" else a1(p, line) for p in om.omitted]
            formula = _fixed_formula(agg, om.omitted)
            msg = (f"{subject} ({shown}) {verb} {inc_text} but not {_names(left_out)}, which "
                   f"{om.witness.address} {om.witness.formula} includes for its own line; "
                   f"{', '.join(cells)} {'are' if len(cells) > 1 else 'is'} empty today, so the total is right now "
                   f"but will leave out a figure entered there.")
            fix = Fix(formula=formula, description=f"cover the same range as {om.witness.address}") if formula else None
            return self.finding(sheet.name, cell.address, msg, fix=fix, severity="warning",
                                evidence={"omitted": cells, "witness": om.witness.address, "reason": "latent"})
        msg = f"{subject} ({shown}) {verb} {inc_text} but not {_names(left_out)}"
        reasons = []
        if om.witness is not None:
            n_all = len(agg.positions) + len(om.omitted)
            reasons.append(f"{om.witness.address} {verb} all {_count_word(n_all)}" if n_all <= 12
                           else f"{om.witness.address} includes {'them' if len(left_out) > 1 else 'it'}")
        if om.evidence == "between":
            reasons.append(f"{'they sit' if len(left_out) > 1 else 'it sits'} between the summed range and the total")
        if head and is_total_label(head) and agg.axis == "row":
            reasons.append(f"the header says '{head}'")
        msg += "; " + "; ".join(reasons) if reasons else ""
        impact: list[Impact] = []
        after = None
        clause = None
        if value is not None and agg.func in _ADDITIVE:
            extra = [numeric(_at(sheet, agg.axis, line, p)) for p in om.omitted]
            if all(x is not None for x in extra):
                after = value + sum(extra)  # type: ignore[arg-type]
                clause = f" With {_names(left_out)} it is {fmt(after)}{pct_change(value, after)}."
                impact.append(Impact(sheet.name, cell.address, what, value, after))
        msg += "." + (clause or "")
        formula = _fixed_formula(agg, om.omitted)
        fix = Fix(formula=formula, description=f"include {_names(left_out)} in {cell.address}") if formula else None
        omitted_cells = [a1(line, p) if agg.axis == "row" else a1(p, line) for p in om.omitted]
        evidence = {"omitted": omitted_cells, "witness": om.witness.address if om.witness else None,
                    "reason": om.evidence}
        if clause:
            evidence["fix_clause"] = clause
        return self.finding(sheet.name, cell.address, msg, fix=fix, impact=impact, evidence=evidence)


__all__ = ["Aggregate", "Omission", "OmittedRange", "Padding", "aggregate_of", "find_omissions", "find_paddings",
           "subtotal_parts"]
