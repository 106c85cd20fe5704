"""total-mismatch: a total that is not the sum of its parts."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.address import a1
from crossfoot.grid.model import Cell, Sheet
from crossfoot.rules.base import Finding, Impact, Rule
from crossfoot.understand.numbers import close, fmt, looks_intensive, numbers_in, numeric
from crossfoot.understand.structure import Block, SheetStructure, is_total_label, sheet_structure

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext


def _intensive(label: str | None, cell: Cell | None) -> bool:
    """A rate, price or average (left to intensive-aggregation), by the meaning layer
    when it is there, else by the label's words."""
    try:
        from crossfoot.understand.units import parse_label

        if parse_label(label, cell.number_format if cell is not None else "General").kind == "intensive":
            return True
    except Exception:  # noqa: BLE001 - the meaning layer is optional here
        pass
    return looks_intensive(label, cell)


def _per_unit(label: str | None, cell: Cell | None) -> bool:
    """A price, rate or other per-unit figure by the meaning layer (a share of a whole
    is not: shares do add up to their total)."""
    try:
        from crossfoot.understand.units import parse_label

        return parse_label(label, cell.number_format if cell is not None else "General").is_intensive
    except Exception:  # noqa: BLE001 - the meaning layer is optional here
        return False


def _explain(values: list[float], names: list[str], total: float) -> str | None:
    """Name the subset of parts the total does equal: the first k, or all but one/two."""
    n = len(values)
    for k in range(n - 1, 0, -1):
        if k >= 2 and close(sum(values[:k]), total, k, tuple(values[:k])):
            left = names[k:]
            return (f"equals the first {k} of {n} ({', '.join(names[:k])}); leaves out {', '.join(left)}")
    for drop in (1, 2):
        if n - drop < 1:
            break
        for idx in combinations(range(n), drop):
            rest = [v for i, v in enumerate(values) if i not in idx]
            if close(sum(rest), total, len(rest), tuple(rest)):
                return f"equals the sum without {', '.join(names[i] for i in idx)}"
    return None


class TotalMismatch(Rule):
    name = "total-mismatch"
    severity = "error"
    summary = "A total that does not equal the sum of its parts."
    what = """
A total whose value disagrees with the sum of the cells it totals: a SUM or `+` chain
whose stored value is not what its inputs add up to (a stale or pasted result), or, in a
table without formulas (a CSV file or a values-only sheet), a row or column labelled
Total, Sum, Subtotal or FY that does not equal the rows above it or the columns before
it. When a subset of the parts explains the total, the message names it.
"""
    why = """
A published total that does not crossfoot is either a typo or a total over something
else than the table shows (a column dropped, a row added later). Readers quote totals;
a wrong one propagates.
"""
    example = """
CSV: `GPU, A100, H20, H800, H100, Total` / `Server CapEx ($m), 200, 750, 350, 300, 1300`.
The Total 1,300 equals the first three of four columns; it leaves out H100 (300); the
four columns add up to 1,600.
"""
    fix = """
No formula is proposed for a table of values; the finding gives the sum of the parts
and, when one explains the total, the parts it leaves out. For a formula total, the
formula itself is right and its stored value is stale: recalculate the workbook.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        wb = ctx.workbook
        for sheet in wb:
            st = sheet_structure(ctx, sheet)
            has_formulas = any(True for _ in sheet.formula_cells())
            if has_formulas:
                yield from self._stale(st, sheet)
                yield from self._double(st, sheet)
            else:
                for block in st.blocks:
                    yield from self._values(st, sheet, block)

    def _stale(self, st: SheetStructure, sheet: Sheet) -> Iterator[Finding]:
        for cell in sheet.formula_cells():
            agg = st.aggregate_refs(cell)
            if agg is None or agg[0] not in ("SUM", "+"):
                continue
            value = numeric(cell)
            if value is None:
                continue
            parts = numbers_in(sheet.cells, agg[1], max_size=5000, strict=True)
            if not parts:
                continue
            total = sum(parts)
            if close(total, value, len(parts), tuple(parts)):
                continue
            block = st.block_at(cell.row, cell.col)
            label = st.row_label(cell.row, cell.col, block=block)
            msg = (f"{cell.address}{f' ({label!r})' if label else ''} shows {fmt(value)} but {cell.formula} "
                   f"adds up to {fmt(total)} from the values stored beside it: the stored result is stale "
                   f"or was pasted over; recalculate before quoting it.")
            yield self.finding(sheet.name, cell.address, msg,
                               impact=[Impact(sheet.name, cell.address, label, value, total)],
                               evidence={"stored": value, "sum_of_parts": total})

    def _double(self, st: SheetStructure, sheet: Sheet) -> Iterator[Finding]:
        """A SUM over a range holding subtotals together with the parts they add: the
        parts are counted twice (=SUM(D12:D92) over section totals and their lines)."""
        from crossfoot.rules.omitted_range import aggregate_of, subtotal_parts

        for cell in sheet.formula_cells():
            info = st.info(cell)
            if info is None or info.aggregate is None and info.plus_chain is None:
                continue
            agg = aggregate_of(st, cell)
            if agg is None or agg.func not in ("SUM", "+") or len(agg.lines) != 1:
                continue
            twice = sorted(subtotal_parts(st, agg) & set(agg.positions))
            if not twice:
                continue
            line = agg.lines[0]
            subs = []
            for p in sorted(agg.positions):
                sub_cell = st.sheet.cells.get((line, p) if agg.axis == "row" else (p, line))
                sub = aggregate_of(st, sub_cell) if sub_cell is not None and sub_cell.has_formula else None
                if sub is not None and sub.axis == agg.axis and sub.lines == agg.lines and \
                        len(sub.positions) >= 2 and set(sub.positions) <= set(agg.positions):
                    subs.append(sub_cell.address)  # type: ignore[union-attr]
            if not subs:
                continue
            label = st.row_label(cell.row, cell.col) if agg.axis == "row" else st.col_header(cell.col, cell.row)
            addr = [a1(line, p) if agg.axis == "row" else a1(p, line) for p in twice]
            shown = f"{addr[0]}:{addr[-1]}" if len(addr) > 2 else ", ".join(addr)
            value = numeric(cell)
            msg = (f"{cell.address}{f' ({label!r})' if label else ''} {cell.formula}"
                   + (f" (= {fmt(value)})" if value is not None else "")
                   + f" adds the subtotal{'s' if len(subs) > 1 else ''} {', '.join(subs[:6])}{'...' if len(subs) > 6 else ''}"
                   f" and the lines {shown} {'they add' if len(subs) > 1 else 'it adds'}: those figures count twice. "
                   f"Add either the subtotals or the lines.")
            yield self.finding(sheet.name, cell.address, msg,
                               evidence={"subtotals": subs, "counted_twice": addr})

    def _values(self, st: SheetStructure, sheet: Sheet, block: Block) -> Iterator[Finding]:
        get = sheet.cells.get
        data_cols = [c for c in block.data_cols if c not in block.total_cols]
        data_rows = [r for r in block.data_rows if r not in block.total_rows]
        results: dict[tuple[int, int], list[Finding | None]] = {}
        # total columns: each row's total against the columns before it
        for tc in block.total_cols:
            parts_cols = [c for c in data_cols if c < tc]
            if len(parts_cols) < 2:
                continue
            names = {c: st.col_header(c, block=block) or "?" for c in parts_cols}
            for r in block.data_rows:
                found = self._check(sheet, get((r, tc)), [[(get((r, c)), names[c]) for c in parts_cols]],
                                    st.row_label(r, block=block))
                if found is not False:
                    results.setdefault((r, tc), []).append((found, [(r, c) for c in parts_cols]))
        # total rows: each column's total against the rows above it (since the last
        # total; a grand total under subtotals against the subtotals)
        for tr in block.total_rows:
            if not is_total_label(st.row_label(tr, block=block)):
                continue
            prev = max([r for r in block.total_rows if r < tr], default=block.first_data_row - 1)
            parts_rows = [r for r in data_rows if prev < r < tr]
            subtotals = [r for r in block.total_rows if r < tr]
            names = {r: st.row_label(r, block=block) or "?" for r in [*parts_rows, *subtotals]}
            for c in [*data_cols, *block.total_cols]:
                # the parts are the rows just above the total: the longest run of them
                # that adds up, else all of them
                cands = [[(get((r, c)), names[r]) for r in parts_rows[k:]] for k in range(len(parts_rows) - 1)
                         if k == 0 or sum(numeric(get((r, c))) is not None for r in parts_rows[:k]) >= 2]
                if len(subtotals) >= 2:
                    cands.append([(get((r, c)), names[r]) for r in subtotals])
                if not cands:
                    continue
                found = self._check(sheet, get((tr, c)), cands, st.col_header(c, block=block))
                if found is not False:
                    results.setdefault((tr, c), []).append((found, [(r, c) for r in [*parts_rows, *subtotals]]))
        # a grand total that adds up one way is not the wrong one; nor is a total whose
        # own part is a total that does not add up
        wrong = {key for key, outcomes in results.items() if all(o is not None for o, _ in outcomes)}
        for key in sorted(wrong):
            outcomes = results[key]
            if any(p in wrong for _, parts in outcomes for p in parts):
                continue
            yield outcomes[0][0]  # type: ignore[misc]

    def _check(self, sheet: Sheet, total_cell: Cell | None, candidates: list[list[tuple[Cell | None, str]]],
               label: str | None) -> Finding | None | bool:
        """None when the total adds up, a Finding when it does not, False when there is
        nothing to check."""
        total = numeric(total_cell)
        if total is None or total_cell is None:
            return False
        if _per_unit(label, total_cell):
            return False  # a total of prices is not a total: intensive-aggregation's case
        lists = []
        for cand in candidates:
            pairs = [(numeric(p), n) for p, n in cand]
            pairs = [(v, n) for v, n in pairs if v is not None]
            if len(pairs) >= 2:
                lists.append(pairs)
        if not lists:
            return False
        for pairs in lists:
            values = [v for v, _ in pairs]
            if close(sum(values), total, len(values), tuple(values)):
                return None
        explained = None
        pairs = lists[0]
        for cand in lists:
            explained = _explain([v for v, _ in cand], [n for _, n in cand], total)
            if explained:
                pairs = cand
                break
        if explained is None and _intensive(label, total_cell):
            return False
        values = [v for v, _ in pairs]
        whole = sum(values)
        subject = f"Total of '{label}'" if label else "Total"
        msg = f"{subject} ({total_cell.address} = {fmt(total)}) is not the sum of its {len(values)} parts ({fmt(whole)})"
        msg += f"; it {explained}." if explained else "."
        return self.finding(sheet.name, total_cell.address, msg,
                            impact=[Impact(sheet.name, total_cell.address, label, total, whole)],
                            evidence={"sum_of_parts": whole, "explained": explained})


__all__ = ["TotalMismatch"]
