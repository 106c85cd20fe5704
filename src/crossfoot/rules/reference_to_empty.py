"""reference-to-empty: arithmetic that reads an empty cell where a number is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from openpyxl.formula.tokenizer import Token

from crossfoot.grid.formula import FormulaInfo, info_for
from crossfoot.grid.model import Cell, Sheet
from crossfoot.rules.base import Finding, Rule

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

# A formula that calls one of these (or compares with "") handles blanks on purpose.
BLANK_AWARE = frozenset({"ISBLANK", "COUNTBLANK", "COUNTA", "ISNUMBER", "ISTEXT", "ISNONTEXT",
                         "ISLOGICAL", "LEN", "N", "T", "IFNA", "ISNA"})
# Direct arguments of these read a blank as nothing, or as a zero, as arithmetic does.
ARITHMETIC_FUNCTIONS = frozenset({"SUM", "PRODUCT", "ROUND", "ROUNDUP", "ROUNDDOWN", "ABS", "SUMPRODUCT",
                                  "INT", "EXP", "LN", "SQRT", "POWER", "MOD"})
_ARITH_OPS = frozenset({"+", "-", "*", "/", "^"})


class ReferenceToEmpty(Rule):
    name = "reference-to-empty"
    severity = "warning"
    summary = "Arithmetic reads an empty cell (as 0) where its row or column holds numbers all around it."
    options = {"min_copies": 1}
    what = """
A formula whose arithmetic reads a single empty cell, where that blank is a gap in
numbers: the cell has numbers on both sides in its row or column (a hole in an otherwise
filled input row or column), or it sits at the edge of a filled block (numbers beside it
and above or below it) while the same formula copied next door reads numbers
(`min_copies` copies at least, default 1). The blank's row and column in its table must
be otherwise filled: sparse tables, columns left empty on purpose (adjustments), blanks in
empty areas, blank padding inside a
`SUM` range, and formulas that test for blanks (`ISBLANK`, `IF(B6="", ...)`,
`COUNTA`) are not flagged. The finding is a warning for a blank at the edge of the
filled cells read by a formula whose copies beside it read numbers (the inputs of a new
column or row never typed), and info for a gap inside filled cells, which is often a
deliberate "nothing"."""
    why = """
An empty cell counts as 0 in arithmetic, with no error: a missing input silently turns a
product into 0 and a total into an understatement. When the cells around it are filled,
the blank is far more likely an input that was never typed, or deleted, than a true zero.
"""
    example = """
| | A | B | C | D |
| --- | --- | --- | --- | --- |
| 2 | | A100 | H800 | H100 |
| 3 | # of GPUs | 10,000 | 2,000 | 1,500 |
| 4 | ASP ($k) | 13 | 23 | *(empty)* |
| 5 | CapEx ($m) | `=B3*B4/1000` | `=C3*C4/1000` | `=D3*D4/1000` -> 0 |

D5 reads D4, which is empty: the H100 capex shows 0 while its neighbours read prices.
"""
    fix = """
Enter the missing number (or an explicit 0 if zero is meant). crossfoot proposes no
formula, because only the author knows the value.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        min_copies = int(ctx.options.get(self.name, {}).get("min_copies", 1))
        workbook = ctx.workbook
        sheets = {s.name.lower(): s for s in workbook}
        cache: dict[int, tuple[FormulaInfo, list[int]]] = {}
        plans: dict[int, tuple[FormulaInfo, list[tuple]]] = {}
        for sheet in workbook:
            for cell in sheet.formula_cells():
                shared = cell.shared
                info = shared.fingerprint_cache if shared is not None else None
                if info is None:
                    info = info_for(cell)
                    if info is None:
                        continue
                hit = plans.get(id(info))
                if hit is not None and hit[0] is info:
                    plan = hit[1]
                else:
                    plan = _plan(info, cache)
                    plans[id(info)] = (info, plan)
                if not plan:
                    continue
                gaps = []
                row, col = cell.row, cell.col
                for i, ref_sheet, tv, ta, lv, la in plan:
                    target_sheet = sheets.get(ref_sheet.lower()) if ref_sheet else sheet
                    if target_sheet is None:
                        continue
                    r = tv if ta else row + tv
                    c = lv if la else col + lv
                    target = target_sheet.cells.get((r, c))
                    if target is not None and (target._formula is not None or target.shared is not None
                                               or (target.value is not None and target.value != "")):
                        continue  # not empty
                    if target_sheet.merged_at(r, c) is not None:
                        continue
                    # Formulas that read the blank are no evidence that it should be filled.
                    readers = {(s.lower(), rr, cc) for s, rr, cc in ctx.graph.dependents(target_sheet.name, r, c)}
                    if not _otherwise_filled(ctx, target_sheet, r, c, readers):
                        continue
                    copied = _copies_reading_numbers(sheet, cell, info, i, sheets) >= min_copies
                    why = _gap(target_sheet, r, c, readers)
                    if why is None and copied:
                        why = _edge(target_sheet, r, c, readers)
                    elif why is not None and copied:
                        why += ", and the same formula next to this one reads numbers"
                    if why is not None:
                        # A missing number at the edge of the filled cells, where the
                        # copies beside read numbers, is what a column added without its
                        # inputs looks like; a lone gap inside is often a deliberate nothing.
                        gaps.append((target_sheet, r, c, why, copied and why.startswith("the cells around")))
                if gaps:
                    yield self._finding(ctx, sheet, cell, gaps)

    def _finding(self, ctx, sheet: Sheet, cell: Cell, gaps) -> Finding:
        from crossfoot.understand.structure import sheet_structure

        target_sheet, r, c, why, _ = gaps[0]
        address = _addr(sheet, target_sheet, r, c)
        st = sheet_structure(ctx, target_sheet)
        names = [x for x in (st.row_label(r, c), st.col_header(c, r)) if x]
        labelled = f"{address} ({', '.join(repr(x) for x in names)})" if names else address
        message = f"{cell.address} reads {labelled}, which is empty and counts as 0; {why}."
        if len(gaps) > 1:
            others = ", ".join(_addr(sheet, s, rr, cc) for s, rr, cc, *_ in gaps[1:])
            message += f" It also reads the empty {others}."
        evidence = {"empty": [_addr(sheet, s, rr, cc) for s, rr, cc, *_ in gaps]}
        severity = "warning" if any(g[4] for g in gaps) else "info"
        return self.finding(sheet.name, cell.address, message, evidence=evidence, severity=severity)


def _addr(home: Sheet, sheet: Sheet, row: int, col: int) -> str:
    from crossfoot.grid.address import a1, quote_sheet

    return a1(row, col) if sheet is home else f"{quote_sheet(sheet.name)}!{a1(row, col)}"


def _plan(info: FormulaInfo, cache: dict) -> list[tuple]:
    """For each single-cell reference that arithmetic reads: (index, sheet, row offset
    or row, row absolute?, column offset or column, column absolute?). Empty for a
    formula that did not parse or tests for blanks."""
    if info.parse_error:
        return []
    out = []
    for i in _arithmetic_cell_refs(info, cache):
        ref = info.refs[i]
        if ref.top is None or ref.left is None:
            continue
        out.append((i, ref.sheet, ref.top.value, ref.top.absolute, ref.left.value, ref.left.absolute))
    return out


def _arithmetic_cell_refs(info: FormulaInfo, cache: dict) -> list[int]:
    """Indices of the single-cell references that arithmetic reads: an operand of
    + - * / ^, a direct argument of SUM/ROUND/..., or the whole formula (``=B6``).
    Empty when the formula tests for blanks."""
    hit = cache.get(id(info))
    if hit is not None and hit[0] is info:
        return hit[1]
    out: list[int] = []
    tokens = info.tokens
    guarded = bool(info.functions & BLANK_AWARE) or any(
        t.type == Token.OPERAND and t.subtype == Token.TEXT and t.value == '""' for t in tokens)
    if not guarded:
        single = len(tokens) == 1
        for ref_index, ref_ctx in enumerate(info.ref_contexts):
            if info.refs[ref_index].kind != "cell":
                continue
            if single:
                out.append(ref_index)
                continue
            prev, nxt = ref_ctx.before, ref_ctx.after
            arith = any(t is not None and t.type in (Token.OP_IN, Token.OP_PRE) and t.value in _ARITH_OPS
                        for t in (prev, nxt))
            direct = (ref_ctx.function in ARITHMETIC_FUNCTIONS and prev is not None and nxt is not None
                      and (prev.subtype == Token.OPEN or prev.type == Token.SEP)
                      and (nxt.subtype == Token.CLOSE or nxt.type == Token.SEP))
            # an operand of a comparison (B6>0) is not arithmetic even beside a +
            compare = any(t is not None and t.type == Token.OP_IN and t.value in ("=", "<>", "<", ">", "<=", ">=")
                          for t in (prev, nxt))
            if (arith or direct) and not compare:
                out.append(ref_index)
    cache[id(info)] = (info, out)
    return out


def _empty(sheet: Sheet, row: int, col: int) -> bool:
    cell = sheet.get(row, col)
    return cell is None or cell.is_empty


def _filled(sheet: Sheet, row: int, col: int, readers: frozenset | set = frozenset()) -> bool:
    """A number, or a formula (whose value may not be cached) that is not text and
    does not itself read the blank (``readers``)."""
    if row < 1 or col < 1 or (sheet.name.lower(), row, col) in readers:
        return False
    cell = sheet.get(row, col)
    if cell is None:
        return False
    if cell.is_number:
        return True
    return cell.has_formula and (cell.value is None or isinstance(cell.value, (int, float)))


def _gap(sheet: Sheet, row: int, col: int, readers: set) -> str | None:
    """The blank is a hole in numbers: numbers on both sides of it along its row or
    its column."""
    for dr, dc, line in ((0, 1, "row"), (1, 0, "column")):
        if _filled(sheet, row - dr, col - dc, readers) and _filled(sheet, row + dr, col + dc, readers):
            before = _addr(sheet, sheet, row - dr, col - dc)
            after = _addr(sheet, sheet, row + dr, col + dc)
            return f"its {line} holds numbers on both sides of it ({before} and {after})"
    return None


def _edge(sheet: Sheet, row: int, col: int, readers: set) -> str | None:
    """The blank sits at the edge of the numbers: one beside it in its row and one
    above or below it in its column."""
    side = next((c for c in (col - 1, col + 1) if _filled(sheet, row, c, readers)), None)
    vertical = next((r for r in (row - 1, row + 1) if _filled(sheet, r, col, readers)), None)
    if side is None or vertical is None:
        return None
    return (f"the cells around it are filled ({_addr(sheet, sheet, row, side)}, "
            f"{_addr(sheet, sheet, vertical, col)}) and the same formula next to this one reads numbers")


def _otherwise_filled(ctx, sheet: Sheet, row: int, col: int, readers: set) -> bool:
    """Is the blank the odd one out in its table: along its row and along its column
    (within the table around it), numbers, with hardly any other blank? Text, and the
    formulas that read the blank, count for neither. A sparse table, a column left
    empty on purpose (adjustments) or a blank area is not otherwise filled."""
    from crossfoot.understand.structure import sheet_structure

    block = sheet_structure(ctx, sheet).block_at(row, col)
    if block is None:
        return False
    lines = (((row, c) for c in range(block.min_col, block.max_col + 1)),
             ((r, col) for r in range(block.min_row, block.max_row + 1)))
    for line in lines:
        states = []  # True: a number; False: another blank; text and readers are left out
        for r, c in line:
            if (r, c) == (row, col):
                states.append(None)
            elif _filled(sheet, r, c, readers):
                states.append(True)
            elif _empty(sheet, r, c) and (sheet.name.lower(), r, c) not in readers:
                states.append(False)
        numbers = [i for i, v in enumerate(states) if v is True]
        if not numbers:
            return False
        # Blanks before the first number or after the last one are the table's margin
        # (or the gap before the next table), not holes.
        holes = sum(1 for v in states[numbers[0]:numbers[-1] + 1] if v is False)
        if holes > len(numbers) // 4:
            return False
    return True


def _copies_reading_numbers(sheet: Sheet, cell: Cell, info: FormulaInfo, index: int, sheets) -> int:
    """How many copies of the formula (the same relative form, up to two cells away
    along its row and column) read a number through the same reference."""
    count = 0
    for dr, dc in ((0, -1), (0, 1), (-1, 0), (1, 0), (0, -2), (0, 2), (-2, 0), (2, 0)):
        other = sheet.get(cell.row + dr, cell.col + dc)
        if other is None or not other.has_formula:
            continue
        other_info = info_for(other)
        if other_info is None or other_info.fingerprint != info.fingerprint:
            continue
        area = other_info.refs[index].resolve(other.row, other.col)
        if area is None:
            continue
        target = sheets.get(area.sheet.lower()) if area.sheet else sheet
        if target is not None and _filled(target, area.min_row, area.min_col):
            count += 1
    return count


__all__ = ["ReferenceToEmpty"]
