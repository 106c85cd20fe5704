"""intensive-aggregation: prices, averages, rates and percentages added up (or averaged
without their weights), and balances added over periods."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.address import a1, column_letter, range_a1
from crossfoot.grid.formula import info_for
from crossfoot.grid.model import Cell, Sheet
from crossfoot.rules.base import Finding, Fix, Rule
from crossfoot.understand.labels import cell_labels
from crossfoot.understand.relations import (
    at,
    close,
    explain_total,
    find_weight,
    line_label,
    line_quantity,
    line_values,
    weighted,
)
from crossfoot.understand.structure import Block, is_total_label, sheet_structure
from crossfoot.understand.units import Quantity, format_number, is_period, unit_index

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
_WEIGHT_SPREAD = 1.25   # weights must differ by at least this factor for an average to need them
_MATERIAL = 0.01        # a weighted average must differ from the plain one by 1% to matter
# A bare "%" (or a percent number format) most often marks shares of a whole, which do add
# up ("% of hires by function"); only named intensive figures are judged.
_JUDGED = {"prices", "averages", "margins", "growth rates", "ratios", "rates"}


def _totals_like(info) -> bool:
    """A SUM or AVERAGE of references of the formula's own sheet, or a chain of two or
    more of them joined by ``+``: the formulas this rule judges."""
    if info.parse_error or any(r.sheet is not None for r in info.refs):
        return False
    if info.aggregate is not None:
        return info.aggregate[0] in ("SUM", "AVERAGE")
    return info.plus_chain is not None and len(info.plus_chain) >= 2


def _judged(q: Quantity) -> bool:
    return q.is_intensive and (q.word in _JUDGED or (q.word or "").startswith("per-"))


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _span(axis: str, line: int, positions: list[int]) -> str:
    """'B3:E3' for a row line over columns B..E; 'C4:C9' for a column line."""
    r1, c1 = at(axis, line, positions[0])
    r2, c2 = at(axis, line, positions[-1])
    return range_a1(r1, c1, r2, c2)


def _positions_word(axis: str, positions: list[int]) -> str:
    n = len(positions)
    what = "columns" if axis == "row" else "rows"
    if axis == "row":
        where = f"{column_letter(positions[0])}:{column_letter(positions[-1])}"
    else:
        where = f"{positions[0]}:{positions[-1]}"
    return f"all {_NUMBER_WORDS.get(n, str(n))} {what} ({where})"


def _terms(values: list[float], percent: bool) -> str:
    if len(values) <= 6:
        return " + ".join(format_number(v, percent) for v in values)
    return f"the sum of {len(values)} values"


def _extend(sheet: Sheet, block: Block | None, axis: str, line: int, positions: list[int], skip: int) -> list[int]:
    """Widen the aggregated positions to the contiguous numbers of the line on both sides
    (not the aggregate's own position, not total columns or rows): the whole set of items
    a weighted figure should cover."""
    totals = set()
    lo_bound, hi_bound = 1, 10**7
    if block is not None:
        totals = set(block.total_cols if axis == "row" else block.total_rows)
        lo_bound = block.first_data_col if axis == "row" else block.first_data_row
        hi_bound = block.max_col if axis == "row" else block.max_row

    def ok(p: int) -> bool:
        if p == skip or p in totals or not (lo_bound <= p <= hi_bound):
            return False
        cell = sheet.get(*at(axis, line, p))
        if cell is None or not _num(cell.value):
            return False
        info = info_for(cell) if cell.has_formula else None
        return info is None or info.aggregate is None

    lo, hi = positions[0], positions[-1]
    while ok(lo - 1):
        lo -= 1
    while ok(hi + 1):
        hi += 1
    out = [p for p in range(lo, hi + 1) if p in positions or ok(p)]
    return out


_FLOWISH = re.compile(r"\bearnings\b|\bincome\b|\brevenues?\b|\bsales\b|\bcosts?\b|\bexpenses?\b|"
                      r"\bdividends?\b|\bprofits?\b|\bcash\s?flows?\b|\bspend", re.I)


def _headers_along(ctx: "AuditContext", sheet: Sheet, axis: str, line: int, positions: list[int]) -> list[object]:
    structure = sheet_structure(ctx, sheet)
    out: list[object] = []
    for p in positions:
        r, c = at(axis, line, p)
        out.append(structure.col_header(c, r) if axis == "row" else structure.row_label(r, c))
    return out


def _flow_per_unit_over_periods(ctx: "AuditContext", sheet: Sheet, axis: str, line: int, positions: list[int],
                                quantity: Quantity) -> bool:
    """Earnings per share of four quarters do add up to the year's: a flow per unit summed
    over periods is a flow per unit of the longer period."""
    if not (quantity.word or "").startswith("per-") or not _FLOWISH.search(quantity.source):
        return False
    headers = _headers_along(ctx, sheet, axis, line, positions)
    return bool(headers) and all(is_period(h) for h in headers)


class IntensiveAggregation(Rule):
    name = "intensive-aggregation"
    severity = "error"
    # the weighted / per-year figure covers every column: a widened plain sum is not needed
    supersedes = ("omitted-range", "total-mismatch", "inconsistent-formula")
    summary = "A sum of prices, averages, rates or percentages, an unweighted average of them, or a balance summed over periods."
    what = """
A total that adds up intensive figures (a price or ASP, a per-unit cost, an average, a
rate, a margin, a percentage, a ratio) read from the row label or column header of the
cells it adds; a plain AVERAGE of such figures across items whose weights differ (prices
across GPU types with different counts, margins across months with different revenue);
and a SUM of a balance (cash at month end, customers at month end, headcount) across
periods. Works on formulas and, in tables without formulas (CSV, values-only sheets), on
totals whose value is the sum of the line's cells.
"""
    why = """
A sum of prices is not a price: three GPU types at $12,000, $13,000 and $25,000 do not
"total" $50,000 per GPU. An average of prices that ignores how many of each were bought
misstates the fleet's average; a margin averaged over months ignores that some months
sell more. A balance at each month end summed over a year counts the same money twelve
times. Such totals look plausible and travel into headlines.
"""
    example = """
| | A | B | C | D | E | F |
|---|---|---|---|---|---|---|
| 2 | | A100 | H20 | H800 | H100 | Total |
| 3 | # of GPUs | 10,000 | 30,000 | 10,000 | 10,000 | `=SUM(B3:E3)` 60,000 |
| 4 | ASP ($) | 12,000 | 13,000 | 25,000 | 22,000 | `=SUM(B4:D4)` 50,000 |

F4 adds up prices: "the Total of 'ASP ($)' is 50,000 = 12,000 + 13,000 + 25,000, a sum of
prices; weighted by '# of GPUs' over all four columns (B:E) it is 16,333".
"""
    fix = """
The weighted average over every item of the table, with the weight named:
`=SUMPRODUCT(B3:E3,B4:E4)/SUM(B3:E3)` (16,333 above), which equals the ratio of the totals
(total spend / total GPUs; FY gross profit / FY revenue for a margin). For a balance
summed over periods: the last period's balance (`=M5`), or `=AVERAGE(B5:M5)` for an
average balance. When the table holds no weight line, the finding says so and proposes
no formula: the total of an intensive line has no meaning and should be left blank or
replaced by a weighted figure from the source.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        for sheet in ctx.workbook:
            has_formulas = next(sheet.formula_cells(), None) is not None
            if has_formulas:
                texts = unit_index(ctx).sheet_text(sheet.name)
                for info, run in unit_index(ctx).runs(sheet.name):
                    if not _totals_like(info):
                        continue  # decided once per run: not a SUM/AVERAGE/+ chain of this sheet
                    for cell in run:
                        finding = self._check_formula(ctx, sheet, cell, texts)
                        if finding is not None:
                            yield finding
            elif ctx.workbook.source_format == "csv" or not ctx.workbook.has_formulas:
                yield from self._check_values(ctx, sheet)

    # -- formulas ---------------------------------------------------------------
    def _check_formula(self, ctx: "AuditContext", sheet: Sheet, cell: Cell, texts) -> Finding | None:
        info = info_for(cell)
        if info is None or not _num(cell.value):
            return None
        if info.aggregate is not None:
            fn, _ = info.aggregate
            if fn not in ("SUM", "AVERAGE"):
                return None
        elif info.plus_chain is not None and len(info.plus_chain) >= 2:
            fn = "SUM"
        else:
            return None
        areas = info.areas(cell.row, cell.col)
        if not areas or any(a.sheet is not None for a in areas):
            return None
        if all(a.min_row == a.max_row == cell.row for a in areas):
            axis, line = "row", cell.row
            positions = sorted({c for a in areas for c in range(a.min_col, a.max_col + 1)})
        elif all(a.min_col == a.max_col == cell.col for a in areas):
            axis, line = "col", cell.col
            positions = sorted({r for a in areas for r in range(a.min_row, a.max_row + 1)})
        else:
            return None
        if cell.col in positions if axis == "row" else cell.row in positions:
            return None
        if axis == "row" and line not in texts.unit_rows:
            return None  # a row whose texts say nothing about units is not intensive
        values = {p: float(sheet.get(*at(axis, line, p)).value) for p in positions
                  if sheet.get(*at(axis, line, p)) is not None and _num(sheet.get(*at(axis, line, p)).value)}
        if len(values) < 2:
            return None
        positions = sorted(values)
        quantity = line_quantity(ctx, sheet, axis, line, positions[0])
        structure = sheet_structure(ctx, sheet)
        block = structure.block_at(cell.row, cell.col)
        own = cell.col if axis == "row" else cell.row
        if _judged(quantity) and not _flow_per_unit_over_periods(ctx, sheet, axis, line, positions, quantity):
            if fn == "SUM":
                return self._summed_intensive(ctx, sheet, cell, axis, line, values, quantity, block, own, formula=True)
            return self._unweighted_average(ctx, sheet, cell, axis, line, values, quantity, block, own)
        if quantity.kind == "stock" and quantity.point_in_time and fn == "SUM":
            return self._summed_stock(ctx, sheet, cell, axis, line, values, quantity, formula=True)
        return None

    # -- the three findings -----------------------------------------------------
    def _header_of_result(self, ctx: "AuditContext", sheet: Sheet, cell_rc: tuple[int, int], axis: str) -> str:
        labels = cell_labels(ctx, sheet, *cell_rc)
        text = (labels.header if axis == "row" else labels.row_label) or ""
        return text

    def _summed_intensive(self, ctx, sheet, cell_rc, axis, line, values, quantity: Quantity, block, own,
                          formula: bool, total_value: float | None = None) -> Finding | None:
        rc = (cell_rc.row, cell_rc.col) if isinstance(cell_rc, Cell) else cell_rc
        total = float(total_value if total_value is not None else sheet.get(*rc).value)
        percent = quantity.dimension == "percent"
        parts = [values[p] for p in sorted(values)]
        if percent and quantity.word in ("rates", "ratios") and (
                close(sum(parts), 1.0, rel=0.02) or close(sum(parts), 100.0, rel=0.02)):
            return None  # shares of a whole that add up to 100%
        label = line_label(ctx, sheet, axis, line, sorted(values)[0])
        head = self._header_of_result(ctx, sheet, rc, axis)
        what = quantity.word or "per-unit figures"
        name = f"The {head} of '{label}'" if head and is_total_label(head) else f"{a1(*rc)}, the sum of '{label}',"
        message = f"{name} is {format_number(total, percent)} = {_terms(parts, percent)}, a sum of {what}"
        full = _extend(sheet, block, axis, line, sorted(values), own)
        weight = find_weight(ctx, sheet, axis, line, full, quantity, block)
        fix = None
        evidence = {"kind": quantity.kind, "word": what, "parts": sorted(values), "label": label}
        if weight is not None:
            full_values = line_values(sheet, axis, line, full)
            w = weighted(full_values, weight.values) if full_values else None
            if w is not None:
                span_w = _span(axis, weight.line, full)
                span_x = _span(axis, line, full)
                message += (f"; weighted by '{weight.label}' over {_positions_word(axis, full)} it is "
                            f"{format_number(w, percent)}.")
                fix = Fix(formula=f"=SUMPRODUCT({span_w},{span_x})/SUM({span_w})",
                          description=f"an average of '{label}' weighted by '{weight.label}' over "
                                      f"{_positions_word(axis, full)}: {format_number(w, percent)}")
                evidence["weighted"] = w
                evidence["weight_label"] = weight.label
        if fix is None:
            message += ("; a sum of " + what + " has no meaning: show a weighted average (weighted by the "
                        "quantity each figure is per) or leave the total blank.")
        elif not formula:
            fix.formula = None
        return self.finding(sheet.name, a1(*rc), message, severity="error", fix=fix, evidence=evidence)

    def _unweighted_average(self, ctx, sheet, cell, axis, line, values, quantity, block, own,
                            total_value: float | None = None) -> Finding | None:
        rc = (cell.row, cell.col) if isinstance(cell, Cell) else cell
        weight = find_weight(ctx, sheet, axis, line, sorted(values), quantity, block)
        if weight is None:
            return None
        ws = [weight.values[p] for p in values]
        if min(ws) <= 0 or max(ws) / min(ws) < _WEIGHT_SPREAD:
            return None
        plain = sum(values.values()) / len(values)
        w = weighted(values, weight.values)
        if w is None or abs(w - plain) <= _MATERIAL * max(abs(plain), 1e-9):
            return None
        percent = quantity.dimension == "percent"
        label = line_label(ctx, sheet, axis, line, sorted(values)[0])
        span_w = _span(axis, weight.line, sorted(values))
        span_x = _span(axis, line, sorted(values))
        change = (w - plain) / abs(plain) if plain else 0.0
        message = (f"{a1(*rc)} = {format_number(plain, percent)} is a plain average of '{label}' ({quantity.word}) "
                   f"across items whose '{weight.label}' differ ({format_number(min(ws))} to {format_number(max(ws))}); "
                   f"weighted by '{weight.label}' it is {format_number(w, percent)} ({change:+.0%}).")
        fix = Fix(formula=None if total_value is not None else f"=SUMPRODUCT({span_w},{span_x})/SUM({span_w})",
                  description=f"weight '{label}' by '{weight.label}': {format_number(w, percent)}")
        return self.finding(sheet.name, a1(*rc), message, severity="warning", fix=fix,
                            evidence={"plain": plain, "weighted": w, "weight_label": weight.label})

    def _summed_stock(self, ctx, sheet, cell, axis, line, values, quantity, formula: bool,
                      total_value: float | None = None) -> Finding | None:
        rc = (cell.row, cell.col) if isinstance(cell, Cell) else cell
        positions = sorted(values)
        headers = _headers_along(ctx, sheet, axis, line, positions)
        if not headers or not all(is_period(h) for h in headers):
            return None
        label = line_label(ctx, sheet, axis, line, positions[0])
        total = float(total_value if total_value is not None else sheet.get(*rc).value)
        last = at(axis, line, positions[-1])
        message = (f"{a1(*rc)} = {format_number(total)} adds '{label}' over {len(positions)} periods "
                   f"({headers[0]} to {headers[-1]}); a balance at a date does not add over time: at the end "
                   f"({headers[-1]}) it is {format_number(values[positions[-1]])} ({a1(*last)}), and the average "
                   f"balance is {format_number(total / len(positions))}.")
        fix = Fix(formula=f"={a1(*last)}" if formula else None,
                  description=f"the closing balance {a1(*last)}, or =AVERAGE({_span(axis, line, positions)}) for an average balance")
        return self.finding(sheet.name, a1(*rc), message, severity="error", fix=fix,
                            evidence={"kind": "stock", "periods": len(positions)})

    # -- tables without formulas ------------------------------------------------
    def _check_values(self, ctx: "AuditContext", sheet: Sheet) -> Iterator[Finding]:
        structure = sheet_structure(ctx, sheet)
        for block in structure.blocks:
            for axis in ("row", "col"):
                totals = block.total_cols if axis == "row" else block.total_rows
                lines = block.data_rows if axis == "row" else block.data_cols
                other_totals = set(block.total_rows if axis == "row" else block.total_cols)
                for t in totals:
                    for line in lines:
                        if line in other_totals:
                            continue
                        finding = self._check_value_total(ctx, sheet, block, axis, line, t)
                        if finding is not None:
                            yield finding

    def _check_value_total(self, ctx, sheet: Sheet, block: Block, axis: str, line: int, t: int) -> Finding | None:
        rc = at(axis, line, t)
        total_cell = sheet.get(*rc)
        if total_cell is None or not _num(total_cell.value):
            return None
        if axis == "row":
            positions = [c for c in block.data_cols if c not in block.total_cols and c < t]
        else:
            positions = [r for r in block.data_rows if r not in block.total_rows and r < t]
        values = {p: float(sheet.get(*at(axis, line, p)).value) for p in positions
                  if sheet.get(*at(axis, line, p)) is not None and _num(sheet.get(*at(axis, line, p)).value)}
        if len(values) < 2:
            return None
        positions = sorted(values)
        quantity = line_quantity(ctx, sheet, axis, line, positions[0])
        total = float(total_cell.value)
        if _judged(quantity) and not _flow_per_unit_over_periods(ctx, sheet, axis, line, positions, quantity):
            weight = find_weight(ctx, sheet, axis, line, positions, quantity, block)
            rel = explain_total(total, values, weight.values if weight else None)
            if rel is None:
                return None
            if rel.kind == "sum":
                parts = {p: values[p] for p in rel.parts}
                finding = self._summed_intensive(ctx, sheet, rc, axis, line, parts, quantity, block, t,
                                                 formula=False, total_value=total)
                if finding is not None and finding.fix is not None and "weighted" in finding.evidence:
                    finding.fix.description = (f"replace {format_number(total)} by the weighted average "
                                               f"{format_number(finding.evidence['weighted'])}")
                return finding
            if rel.kind == "average":
                return self._unweighted_average(ctx, sheet, rc, axis, line, values, quantity, block, t,
                                                total_value=total)
            return None
        if quantity.kind == "stock" and quantity.point_in_time:
            rel = explain_total(total, values)
            if rel is not None and rel.kind == "sum" and len(rel.parts) == len(positions):
                return self._summed_stock(ctx, sheet, rc, axis, line, values, quantity, formula=False,
                                          total_value=total)
        return None
