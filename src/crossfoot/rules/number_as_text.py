"""number-as-text: a number stored as text where an aggregate reads it, so the total
silently leaves it out."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterator

from openpyxl.formula.tokenizer import Token

from crossfoot.grid.formula import Area, FormulaInfo, info_for
from crossfoot.grid.model import Cell, ExcelError, Sheet
from crossfoot.rules.base import Finding, Fix, Rule

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

# Functions that skip text in the cells their reference arguments cover. (A text number
# typed straight into the call, or combined with an operator first, is converted.)
TEXT_BLIND = frozenset({
    "SUM", "AVERAGE", "MIN", "MAX", "PRODUCT", "SUMPRODUCT", "MEDIAN", "SUMSQ", "COUNT",
    "STDEV", "STDEV.S", "STDEV.P", "STDEVP", "VAR", "VAR.S", "VAR.P", "VARP",
    "SUBTOTAL", "AGGREGATE", "GEOMEAN", "HARMEAN", "LARGE", "SMALL",
})
_CURRENCY = "$€£¥"


def numeric_text(value: object) -> float | None:
    """The number a text cell spells, or None: '120', ' 1,300 ', '$1,200', '12%',
    '(300)', '-4.5e3'. Needs at least one digit, so 'nan' and '-' are not numbers."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u00a0", "")
    if not text or not any(ch.isdigit() for ch in text):
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith("-") and len(text) > 1 and text[1] in _CURRENCY:
        negative, text = not negative, text[1:]
    if text[:1] in _CURRENCY:
        text = text[1:].strip()
    scale = 1.0
    if text.endswith("%"):
        scale, text = 0.01, text[:-1].strip()
    if "," in text:
        head, *groups = text.split(",")
        if not head.lstrip("+-").isdigit() or not all(len(g.split(".")[0]) == 3 for g in groups):
            return None
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    number *= scale
    return -number if negative else number


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}"


class NumberAsText(Rule):
    name = "number-as-text"
    severity = "error"
    summary = "A number stored as text inside a range that SUM (or another aggregate) reads: it is left out."
    options = {"include_formulas": True}
    what = """
A cell that shows a number but holds text (`'120`, `"1,300"`, `"$1,200"`, `"12%"`), inside
a row or column of numbers that an aggregate such as `SUM`, `AVERAGE`, `SUMPRODUCT`,
`COUNT`, `MIN` or `MAX` reads through a reference. Formulas whose result is such text
(`=TEXT(B4,"0")`) count too, unless the option `include_formulas` is false. A text
header at the top of a summed column (a year such as `"2024"`) is not flagged.
"""
    why = """
Aggregates skip text in the ranges they read, without an error or a warning: the number
is simply not in the total. The sheet looks right (the cell shows 120, usually
left-aligned or with a small green triangle) while the total understates by exactly that
amount. It happens after pasting from a web page, a PDF or a CSV export, or when a cell
was formatted as Text before the number was typed.
"""
    example = """
| | A | B |
| --- | --- | --- |
| 2 | A100 | 400 |
| 3 | H800 | `'120` (text) |
| 4 | H100 | 80 |
| 5 | Total | `=SUM(B2:B4)` -> 480 |

B5 shows 480; with B3 as a number it is 600.
"""
    fix = """
Store the value as a number: crossfoot proposes the number itself for the cell (`120`),
and the impact on the totals that read it. For a formula that returns text, wrap it in
`VALUE(...)` or remove the `TEXT(...)` around it.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        include_formulas = ctx.options.get(self.name, {}).get("include_formulas", True)
        workbook = ctx.workbook
        candidates: list[tuple[Sheet, Cell, float]] = []
        spelled: dict[str, float | None] = {}  # text values repeat (labels, categories)
        for sheet in workbook:
            for cell in sheet.cells.values():
                v = cell.value
                if not isinstance(v, str) or (isinstance(v, ExcelError) and not cell.text_number):
                    continue  # numeric_text is None for anything but text
                if not include_formulas and cell.has_formula:
                    continue
                try:
                    number = spelled[v]
                except KeyError:
                    number = spelled[v] = numeric_text(v)
                if number is not None:
                    candidates.append((sheet, cell, number))
        if not candidates:
            return
        blind: dict[int, tuple[FormulaInfo, list[str | None]]] = ctx.memo("number-as-text:blind", dict)
        sheets = {s.name.lower(): s for s in workbook}
        for sheet, cell, number in sorted(candidates, key=lambda t: (t[1].row, t[1].col)):
            readers = []
            for dep_sheet_name, row, col in sorted(ctx.graph.dependents(sheet.name, cell.row, cell.col)):
                dep_sheet = sheets.get(dep_sheet_name.lower())
                dep = dep_sheet.get(row, col) if dep_sheet else None
                info = info_for(dep) if dep is not None else None
                if info is None:
                    continue
                functions = _blind_arguments(info, blind)
                areas = []
                fn = None
                for ref, function in zip(info.refs, functions):
                    if function is None:
                        continue
                    area = ref.resolve(row, col)
                    if area is None:
                        continue
                    target = (area.sheet or dep_sheet_name).lower()
                    if target == sheet.name.lower():
                        areas.append(area)
                        if area.contains(cell.row, cell.col):
                            fn = fn or function
                if fn is not None:
                    whole_sum = (info.aggregate is not None and info.aggregate[0] == "SUM"
                                 and len(areas) == len(info.refs))
                    readers.append((dep_sheet, dep, fn if fn != "SUM" or whole_sum else "SUM()", areas))
            readers = [r for r in readers if _in_number_line(sheet, cell, r[3])]
            if readers:
                yield self._finding(ctx, sheet, cell, number, readers)

    def _finding(self, ctx, sheet: Sheet, cell: Cell, number: float, readers) -> Finding:
        from crossfoot.understand.structure import sheet_structure

        st = sheet_structure(ctx, sheet)
        label = st.row_label(cell.row, cell.col)
        header = st.col_header(cell.col, cell.row)
        names = ", ".join(repr(x) for x in (label, header) if x)
        where = f"{cell.address} ({names})" if names else cell.address
        dep_sheet, dep, fn, _ = readers[0]
        dep_where = dep.address if dep_sheet is sheet else f"{dep_sheet.name}!{dep.address}"
        what = "returns" if cell.has_formula else "holds"
        message = f"{where} {what} the text {str(cell.value)!r}, not a number; {fn.rstrip('()')} in {dep_where} leaves it out"
        if fn == "SUM":
            # Added up from the cells (a value crossfoot calculated itself may differ
            # from what Excel shows, which skips the text).
            total = _sum_of_numbers(sheet, readers[0][3])
            if total is not None:
                message += f": it adds up to {_fmt(total)}, and to {_fmt(total + number)} with it"
        if len(readers) > 1:
            message += f" (and {len(readers) - 1} other aggregate{'s' if len(readers) > 2 else ''})"
        message += "."
        if cell.has_formula:
            body = (cell.formula or "=")[1:]
            fix = Fix(formula=f"=VALUE({body})", description=f"convert the result of {cell.address} to a number")
        else:
            fix = Fix(formula=_number_text(number), description=f"store {_number_text(number)} as a number")
        evidence = {"text": cell.value, "number": number,
                    "read_by": [f"{d.address}" if s is sheet else f"{s.name}!{d.address}" for s, d, _, _ in readers]}
        return self.finding(sheet.name, cell.address, message, fix=fix, evidence=evidence)


def _sum_of_numbers(sheet: Sheet, areas: list[Area], limit: int = 100_000) -> float | None:
    """What SUM over ``areas`` gives in Excel: the numbers only; None if too large."""
    if sum(a.size for a in areas) > limit:
        return None
    total = 0.0
    for a in areas:
        for r in range(a.min_row, a.max_row + 1):
            for c in range(a.min_col, a.max_col + 1):
                cell = sheet.get(r, c)
                if cell is not None and cell.is_number:
                    total += cell.value
    return total


def _blind_arguments(info: FormulaInfo, cache: dict) -> list[str | None]:
    """For each reference of the formula: the text-blind aggregate it is a direct
    argument of (``SUM(B2:B9)``, ``SUM(B2, B5)``), else None (``SUM(B2:B9*1)`` converts)."""
    hit = cache.get(id(info))
    if hit is not None and hit[0] is info:
        return hit[1]
    out: list[str | None] = []
    for ref_ctx in info.ref_contexts:
        prev, nxt = ref_ctx.before, ref_ctx.after
        direct = (prev is not None and nxt is not None
                  and ((prev.type == Token.FUNC and prev.subtype == Token.OPEN)
                       or (prev.type == Token.SEP and prev.subtype == Token.ARG))
                  and ((nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE)
                       or (nxt.type == Token.SEP and nxt.subtype == Token.ARG)))
        out.append(ref_ctx.function if direct and ref_ctx.function in TEXT_BLIND else None)
    cache[id(info)] = (info, out)
    return out


def _numberish(cell: Cell | None) -> bool:
    if cell is None:
        return False
    if cell.is_number or (cell.has_formula and cell.value is None):
        return True
    return (cell.text_number or cell.is_text) and numeric_text(cell.value) is not None


def _in_number_line(sheet: Sheet, cell: Cell, areas: list[Area]) -> bool:
    """Is the text number one of the numbers of the line the aggregate reads, rather
    than a header (a year such as '2024' on top of a summed column)?"""
    area = next((a for a in areas if a.contains(cell.row, cell.col)), None)
    if area is None:
        return False
    if area.min_col == area.max_col and area.min_row == area.max_row:
        # A single-cell argument: SUM(B2, B5, B7). Its line is the other arguments.
        others = [sheet.get(a.min_row, a.min_col) for a in areas if a is not area and a.is_cell]
        return any(_numberish(c) for c in others) or len(areas) == 1
    by_col = area.min_col == area.max_col or (area.min_row != area.max_row and area.max_col - area.min_col
                                              < area.max_row - area.min_row)
    if by_col:
        line = [c for c in sheet.columns().get(cell.col, ()) if area.min_row <= c.row <= area.max_row]
        before = [c for c in line if c.row < cell.row]
        across = [c for c in sheet.rows().get(cell.row, ()) if c.col != cell.col]
    else:
        line = [c for c in sheet.rows().get(cell.row, ()) if area.min_col <= c.col <= area.max_col]
        before = [c for c in line if c.col < cell.col]
        across = [c for c in sheet.columns().get(cell.col, ()) if c.row != cell.row]
    numbers = [c for c in line if c is not cell and _numberish(c)]
    if not numbers:
        return False
    if any(_numberish(c) for c in before):
        return True
    # First number-like cell of the line: a header when it reads as a year, or when
    # other text numbers stand across it (a header row of periods "1", "2", "3").
    value = numeric_text(cell.value)
    if value is not None and value.is_integer() and 1900 <= value <= 2100:
        return False
    return not any((c.text_number or c.is_text) and numeric_text(c.value) is not None for c in across)


__all__ = ["NumberAsText", "numeric_text"]
