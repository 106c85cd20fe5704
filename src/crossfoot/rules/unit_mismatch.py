"""unit-mismatch: arithmetic that combines different units or time bases, and results
whose unit contradicts their label."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.address import a1, column_letter
from crossfoot.grid.formula import info_for
from crossfoot.grid.model import Sheet
from crossfoot.rules.base import Finding, Fix, Rule
from itertools import combinations

from crossfoot.understand.labels import cell_labels
from crossfoot.understand.relations import at, close, line_label, line_quantity, line_values
from crossfoot.understand.structure import sheet_structure
from crossfoot.understand.units import (
    Conflict,
    Derivation,
    Dim,
    Operand,
    Quantity,
    add,
    adds_terms,
    carries_units,
    dim_of_quantity,
    dim_text,
    format_number,
    unit_index,
)

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

_TIME_LABEL = re.compile(r"(/\s*|\bper\s+)(hr|hrs|hour|h|day|d|week|wk|month|mo|mth|quarter|qtr|year|yr|y|annum)\b", re.I)
_TIME_NAMES = {"hour": "hour", "day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _per_year_label(label: str) -> str:
    """'TCO (4y Ownership) ($m/hr)' -> 'TCO (4y Ownership) ($m/yr)'."""
    out, n = _TIME_LABEL.subn(lambda m: m.group(1) + ("yr" if m.group(1).strip() == "/" else "year"), label, count=1)
    return out if n else f"{label} per year"


@dataclass
class _Contradiction:
    sheet: str
    row: int
    col: int
    horizon: float | None
    per_year: float | None
    operand_cells: list[tuple[str, int, int]]


class UnitMismatch(Rule):
    name = "unit-mismatch"
    severity = "error"
    # the weighted / per-year figure covers every column: a widened plain sum is not needed
    supersedes = ("omitted-range", "total-mismatch", "inconsistent-formula")
    summary = "Arithmetic across different units or time bases, or a result whose unit contradicts its label."
    what = """
A `+` or `-` (or a SUM of separate cells) that combines quantities of different units as
their labels state them: a stock with a per-year flow ("Server CapEx ($m)" + "Cost to
operate ($m/yr)"), $ with $m without the factor of 10^6, dollars with a count, a monthly
with a yearly figure. And a result whose unit, carried through its formula from its
inputs' labels, contradicts its own label: a row labelled "$m/hr" or "$m/yr" whose
formula adds up amounts (a capex stock plus a multi-year cost) with no division by a
number of hours or years; a row labelled "$m" computed as count x $ price without
dividing by 10^6. Totals of such a row are reported with it.
"""
    why = """
Adding a one-off capital cost to a yearly running cost gives a number with no unit; calling
it "per hour" or "per year" makes it look like a run-rate and it is then compared with
revenue or funding per year, overstating the cost several times over. Mixing $ with $m
shifts figures by a factor of a million.
"""
    example = """
| | A | B |
|---|---|---|
| 6 | Server CapEx ($m) | 200 |
| 7 | Cost to Operation ($m) | 164 |
| 8 | TCO (4y Ownership) ($m/hr) | `=B6+B7` 364 |

B8 adds a capex stock and a 4-year operating cost: 364 is a 4-year amount in $m, not $m
per hour. Per year over 4 years it is (200 + 164) / 4 = 91.
"""
    fix = """
When the label states the horizon ("4y", "4-year", "over 4 years") crossfoot proposes the
per-year figure, `=(B6+B7)/4`, and the label to change to ("TCO (4y Ownership) ($m/yr)").
When the horizon is not stated it says what the result is (an amount in $m) and proposes
no formula. For $ mixed with $m it names the factor (divide by 10^6). A yearly total row
of such figures gets the fleet figure with all its columns.
"""

    def check(self, ctx: "AuditContext") -> Iterator[Finding]:
        units = unit_index(ctx)
        if not units.states_units():
            return  # no label states a unit: nothing to compare
        if not ctx.workbook.has_formulas:
            for sheet in ctx.workbook:
                yield from self._check_values(ctx, sheet)
            return
        for sheet in ctx.workbook:
            contradictions: dict[tuple[int, int], _Contradiction] = {}
            findings: list[Finding] = []
            unit_rows = units.sheet_text(sheet.name).unit_rows
            for info, run in units.runs(sheet.name):
                if not info.refs or info.parse_error:
                    continue
                adds = adds_terms(info)
                # cells of a run share their column headers: where the row says nothing
                # about units, the declared unit depends on the number format alone
                by_format: dict[str, Dim | None] = {}
                screened = None
                for i, cell in enumerate(run):
                    if not _num(cell.value):
                        continue
                    fmt = cell.number_format
                    if cell.row in unit_rows:
                        declared = units.declared(sheet.name, cell.row, cell.col)
                    elif fmt in by_format:
                        declared = by_format[fmt]
                    else:
                        declared = by_format[fmt] = units.declared(sheet.name, cell.row, cell.col, fmt)
                    money = _states_money(declared)
                    if not adds and not money:
                        continue  # no +/-: only a label stating money can be contradicted
                    if screened is None:
                        screened = units.screen(sheet.name, info, run)
                    conflict, got = screened[i]
                    if conflict is False and not (money and _may_contradict(declared, got)):
                        continue
                    finding = self._check_cell(ctx, units, sheet, cell, declared, contradictions)
                    if finding is not None:
                        findings.append(finding)
            findings.extend(self._totals_of_contradictions(ctx, sheet, contradictions))
            yield from findings

    def _check_cell(self, ctx, units, sheet: Sheet, cell, declared, contradictions) -> Finding | None:
        deriv = units.derive(sheet.name, cell.row, cell.col)
        if deriv.dim is None and not deriv.conflicts:
            return None
        if not deriv.conflicts:
            if declared is False:
                declared = units.declared(sheet.name, cell.row, cell.col)
            if not _states_money(declared):
                return None
        quantity = units.quantity(sheet.name, cell.row, cell.col)
        finding = self._conflict(ctx, sheet, cell.row, cell.col, deriv, quantity)
        if finding is None:
            finding = self._contradiction(ctx, sheet, cell.row, cell.col, deriv, quantity, contradictions)
        return finding

    # -- tables without formulas --------------------------------------------------
    def _check_values(self, ctx: "AuditContext", sheet: Sheet) -> Iterator[Finding]:
        """A line whose figures equal the sum of two other lines at every position (at
        least two) is read as that sum, and judged as the formula would be."""
        structure = sheet_structure(ctx, sheet)
        for block in structure.blocks:
            for axis in ("row", "col"):
                lines = block.data_rows if axis == "row" else block.data_cols
                totals = set(block.total_cols if axis == "row" else block.total_rows)
                other = set(block.total_rows if axis == "row" else block.total_cols)
                positions = [p for p in (block.data_cols if axis == "row" else block.data_rows) if p not in totals]
                if len(positions) < 2 or len(lines) < 3:
                    continue
                values = {}
                for ln in lines:
                    if ln in other:
                        continue
                    v = line_values(sheet, axis, ln, positions)
                    if v is not None and any(v.values()):
                        values[ln] = v
                if len(values) < 3 or len(values) > 60:
                    continue
                for target in values:
                    finding = self._value_sum(ctx, sheet, axis, target, values, positions, sorted(totals))
                    if finding is not None:
                        yield finding

    def _value_sum(self, ctx, sheet: Sheet, axis: str, target: int, values: dict, positions: list[int],
                   totals: list[int]) -> Finding | None:
        q = line_quantity(ctx, sheet, axis, target, positions[0])
        declared = dim_of_quantity(q)
        if not _states_money(declared):
            return None
        tv = values[target]
        for a, b in combinations([ln for ln in values if ln != target], 2):
            va, vb = values[a], values[b]
            if not all(va[p] and vb[p] and close(va[p] + vb[p], tv[p]) for p in positions):
                continue
            qa = line_quantity(ctx, sheet, axis, a, positions[0])
            qb = line_quantity(ctx, sheet, axis, b, positions[0])
            got, reason = add(dim_of_quantity(qa), dim_of_quantity(qb))
            la, lb = (line_label(ctx, sheet, axis, ln, positions[0]) for ln in (a, b))
            label = line_label(ctx, sheet, axis, target, positions[0])
            first = positions[0]
            cell0 = a1(*at(axis, target, first))
            shown = (f"{cell0} = {format_number(va[first])} + {format_number(vb[first])} = "
                     f"{format_number(tv[first])}")
            where = f"{a1(*at(axis, target, positions[0]))}:{a1(*at(axis, target, positions[-1]))}"
            said = f"'{label}' ({where})"
            if reason is not None:
                if reason == "time" and (q.point_in_time or not (_is_stock(dim_of_quantity(qa))
                                                                 or _is_stock(dim_of_quantity(qb)))):
                    return None  # a roll-forward, or flows of different stated periods
                why = {"time": "a stock and a flow per period", "scale": "different scales",
                       "currency": "different currencies", "dimension": "different units"}[reason]
                message = (f"{said} equals '{la}' + '{lb}' in every {'column' if axis == 'row' else 'row'} "
                           f"({shown}): it adds {why}.")
                return self.finding(sheet.name, where, message, evidence={"reason": reason, "values": True})
            if got is None or not got.has_money or declared.without_time() != got.without_time():
                return None
            if not (declared.time_known and got.time_known and declared.time_dims() != got.time_dims()):
                return None
            horizon = q.horizon_years
            is_amount = not got.time_dims()
            span = (f"amounts over {horizon:g} years" if horizon and is_amount else
                    "amounts" if is_amount else f"figures in {dim_text(got)}")
            message = (f"{said} is labelled {dim_text(declared)}, but its figures are '{la}' ({_kind_words(qa, dim_of_quantity(qa))}) "
                       f"+ '{lb}' ({_kind_words(qb, dim_of_quantity(qb))}) in every "
                       f"{'column' if axis == 'row' else 'row'} ({shown}): {span} in {dim_text(got)}, "
                       f"not {dim_text(declared)}.")
            fix = None
            if horizon and is_amount:
                per = [tv[p] / horizon for p in positions]
                heads = [line_label(ctx, sheet, "col" if axis == "row" else "row", p, target) for p in positions]
                listed = ", ".join(f"{h} {format_number(v)}" if h else format_number(v) for h, v in zip(heads, per))
                sa, sb = sum(va.values()), sum(vb.values())
                n = len(positions)
                message += (f" Per year over {horizon:g} years: {listed}; for all {n} {'columns' if axis == 'row' else 'rows'} "
                            f"({format_number(sa)} + {format_number(sb)}) / {horizon:g} = "
                            f"{format_number((sa + sb) / horizon)}.")
                labels = cell_labels(ctx, sheet.name, *at(axis, target, first))
                new_label = _per_year_label(label) if q.time_base != "year" else None
                fix = Fix(label=new_label, label_cell=labels.row_label_cell if axis == "row" and new_label else None,
                          description=f"divide each figure by {horizon:g} for the yearly figure"
                                      + (f", labelled '{new_label}'" if new_label else ""))
            return self.finding(sheet.name, where, message, fix=fix,
                                evidence={"reason": "label", "values": True, "parts": [la, lb]})
        return None

    # -- operands in words ------------------------------------------------------
    def _operand_text(self, ctx: "AuditContext", op: Operand) -> str:
        if len(op.cells) != 1:
            cells = ", ".join(a1(r, c) for _, r, c in op.cells[:4])
            return f"{cells} ({dim_text(op.dim)})"
        sheet, r, c = op.cells[0]
        cell = ctx.workbook[sheet].get(r, c)
        labels = cell_labels(ctx, sheet, r, c)
        label = _stating_label(labels)[0] or a1(r, c)
        q = unit_index(ctx).quantity(sheet, r, c)
        value = f" = {format_number(float(cell.value))}" if cell is not None and _num(cell.value) else ""
        return f"'{label}' ({a1(r, c)}{value}, {_kind_words(q, op.dim)})"

    # -- + and - of different units -----------------------------------------------
    def _conflict(self, ctx, sheet: Sheet, row: int, col: int, deriv: Derivation, quantity: Quantity) -> Finding | None:
        for conflict in deriv.conflicts:
            if conflict.reason == "time" and quantity.kind == "stock" and quantity.point_in_time:
                continue  # a roll-forward: closing balance = opening + flows of the period
            if conflict.reason == "time" and not (_is_stock(conflict.left.dim) or _is_stock(conflict.right.dim)):
                if not _both_time_based(conflict):
                    continue
            return self._conflict_finding(ctx, sheet, row, col, conflict)
        return None

    def _conflict_finding(self, ctx, sheet: Sheet, row: int, col: int, conflict: Conflict) -> Finding:
        cell = sheet.get(row, col)
        left = self._operand_text(ctx, conflict.left)
        right = self._operand_text(ctx, conflict.right)
        verb = "adds" if conflict.op == "+" else "subtracts"
        joiner = "and" if conflict.op == "+" else "from"
        if conflict.op == "-":
            left, right = right, left
        formula = cell.formula if cell is not None else ""
        reason = {
            "time": "different time bases: the sum is neither a stock nor a flow per period",
            "scale": "different scales, without the conversion factor",
            "currency": "different currencies, without an exchange rate",
            "dimension": "different units",
        }[conflict.reason]
        message = f"{a1(row, col)} {formula} {verb} {left} {joiner} {right}: {reason}."
        fix = None
        if conflict.reason == "scale" and conflict.left.dim and conflict.right.dim:
            ls, rs = conflict.left.dim.scale, conflict.right.dim.scale
            if ls is not None and rs is not None:
                big, small = (conflict.left, conflict.right) if ls > rs else (conflict.right, conflict.left)
                k = abs(ls - rs)
                fix = Fix(description=f"convert {self._cells(small)} to the scale of {self._cells(big)}: divide it by 10^{k}")
        elif conflict.reason == "time":
            fix = Fix(description="bring both terms to one basis: a stock spread over the years it serves "
                                  "(capex / years) plus a yearly flow, or a flow times its number of years plus the stock")
        return self.finding(sheet.name, a1(row, col), message, fix=fix,
                            evidence={"reason": conflict.reason, "operator": conflict.op})

    @staticmethod
    def _cells(op: Operand) -> str:
        return ", ".join(a1(r, c) for _, r, c in op.cells[:4]) or "the term"

    # -- result against its label -------------------------------------------------
    def _contradiction(self, ctx, sheet: Sheet, row: int, col: int, deriv: Derivation, quantity: Quantity,
                       found: dict[tuple[int, int], _Contradiction]) -> Finding | None:
        declared = dim_of_quantity(quantity)
        got = deriv.dim
        if declared is None or got is None or not quantity.explicit or got.constant is not None:
            return None
        if not (declared.has_money and got.has_money):
            return None
        if declared.without_time() != got.without_time():
            return None
        cell = sheet.get(row, col)
        labels = cell_labels(ctx, sheet.name, row, col)
        label, label_cell = _stating_label(labels)
        label = label or ""
        if declared.time_known and got.time_known and declared.time_dims() != got.time_dims():
            return self._time_contradiction(ctx, sheet, row, col, deriv, quantity, declared, got, label,
                                            label_cell, found)
        if (declared.scale is not None and got.scale is not None and declared.scale != got.scale
                and quantity.currency is not None and got.currency is not None):
            k = got.scale - declared.scale
            factor = f"10^{abs(k)}"
            op = "multiply" if k > 0 else "divide"
            message = (f"'{label}' is in {dim_text(declared)}, but {a1(row, col)} {cell.formula} computes "
                       f"{dim_text(got)} from its inputs' labels ({self._inputs(ctx, deriv)}): "
                       f"{op} by {factor} or relabel.")
            formula = f"=({cell.formula.lstrip('=')}){'*' if k > 0 else '/'}{factor}"
            return self.finding(sheet.name, a1(row, col), message,
                                fix=Fix(formula=formula, description=f"{op} by {factor} to state it in {dim_text(declared)}"),
                                evidence={"reason": "scale", "label_scale": declared.scale, "derived_scale": got.scale})
        return None

    def _inputs(self, ctx, deriv: Derivation) -> str:
        parts = []
        for key in deriv.operands[:4]:
            parts.append(self._operand_text(ctx, Operand(unit_index(ctx).operand_unit(*key, 0), [key])))
        return ", ".join(parts)

    def _time_contradiction(self, ctx, sheet: Sheet, row: int, col: int, deriv: Derivation, quantity: Quantity,
                            declared: Dim, got: Dim, label: str, label_cell: str | None,
                            found: dict[tuple[int, int], _Contradiction]) -> Finding:
        cell = sheet.get(row, col)
        value = float(cell.value)
        said = dim_text(declared)
        is_amount = not got.time_dims()
        horizon = quantity.horizon_years
        inputs = self._inputs(ctx, deriv)
        if is_amount:
            span = f"a {horizon:g}-year amount" if horizon else "an amount"
            what = f"{format_number(value)} is {span} in {dim_text(got)}, not {said}"
        else:
            what = f"{format_number(value)} is in {dim_text(got)}, not {said}"
        message = f"'{label}' is labelled {said}, but {a1(row, col)} {cell.formula} combines {inputs}: {what}."
        fix = None
        per_year = None
        if is_amount and horizon:
            terms = [float(ctx.workbook[s].get(r, c).value) for s, r, c in deriv.operands
                     if ctx.workbook[s].get(r, c) is not None and _num(ctx.workbook[s].get(r, c).value)]
            per_year = value / horizon
            info = info_for(cell)
            shown = " + ".join(format_number(t) for t in terms) if info is not None and info.plus_chain else format_number(value)
            if info is not None and info.plus_chain and len(terms) > 1:
                shown = f"({shown})"
            message += f" Per year over {horizon:g} years it is {shown} / {horizon:g} = {format_number(per_year)}."
            new_label = _per_year_label(label) if quantity.time_base != "year" else None
            fix = Fix(formula=f"=({cell.formula.lstrip('=')})/{horizon:g}", label=new_label,
                      label_cell=label_cell if new_label else None,
                      description=f"the yearly figure over the {horizon:g}-year horizon"
                                  + (f", labelled '{new_label}'" if new_label else ""))
        elif is_amount:
            fix = Fix(description=f"divide by the number of {quantity.time_base or 'period'}s the amount covers, "
                                  f"or relabel it as an amount in {dim_text(got)}")
        found[(row, col)] = _Contradiction(sheet.name, row, col, horizon, per_year, list(deriv.operands))
        return self.finding(sheet.name, a1(row, col), message, fix=fix,
                            evidence={"reason": "label", "label_unit": said, "derived_unit": dim_text(got)})

    # -- totals of a contradicted row or column -------------------------------------
    def _totals_of_contradictions(self, ctx, sheet: Sheet, found: dict[tuple[int, int], _Contradiction]) -> list[Finding]:
        out: list[Finding] = []
        if not found:
            return out
        for cell in sheet.formula_cells():
            if (cell.row, cell.col) in found or not _num(cell.value):
                continue
            info = info_for(cell)
            if info is None or info.aggregate is None or info.aggregate[0] != "SUM":
                continue
            areas = info.areas(cell.row, cell.col)
            if not areas or any(a.sheet is not None for a in areas):
                continue
            if all(a.min_row == a.max_row == cell.row for a in areas):
                axis = "row"
            elif all(a.min_col == a.max_col == cell.col for a in areas):
                axis = "col"
            else:
                continue
            covered = [k for k in found if any(a.contains(*k) for a in areas)]
            if not covered:
                continue
            line_cells = sorted(k for k in found if (k[0] == cell.row if axis == "row" else k[1] == cell.col))
            first = found[line_cells[0]]
            labels = cell_labels(ctx, sheet.name, cell.row, cell.col)
            label = labels.row_label if axis == "row" else labels.header
            message = (f"{a1(cell.row, cell.col)} {cell.formula} = {format_number(float(cell.value))} adds up "
                       f"'{label}', whose cells {a1(*line_cells[0])}:{a1(*line_cells[-1])} are amounts, not the "
                       f"rate the label states.")
            fix = None
            horizon = first.horizon
            if horizon:
                lines = self._operand_lines(first, axis)
                positions = [k[1] if axis == "row" else k[0] for k in line_cells]
                if lines is not None:
                    sums = []
                    for ln in lines:
                        total = 0.0
                        for p in positions:
                            r, c = (ln, p) if axis == "row" else (p, ln)
                            v = sheet.get(r, c)
                            total += float(v.value) if v is not None and _num(v.value) else 0.0
                        sums.append(total)
                    per_year = sum(sums) / horizon
                    n = len(positions)
                    where = (f"{column_letter(positions[0])}:{column_letter(positions[-1])}" if axis == "row"
                             else f"{positions[0]}:{positions[-1]}")
                    message += (f" Per year over {horizon:g} years, for all {n} {'columns' if axis == 'row' else 'rows'} "
                                f"({where}): ({' + '.join(format_number(s) for s in sums)}) / {horizon:g} = "
                                f"{format_number(per_year)}.")
                    def span(ln: int) -> str:
                        if axis == "row":
                            return f"{a1(ln, positions[0])}:{a1(ln, positions[-1])}"
                        return f"{a1(positions[0], ln)}:{a1(positions[-1], ln)}"
                    first_cell = sheet.get(first.row, first.col)
                    fi = info_for(first_cell) if first_cell is not None else None
                    formula = None
                    if fi is not None and fi.plus_chain:
                        formula = "=(" + "+".join(f"SUM({span(ln)})" for ln in lines) + f")/{horizon:g}"
                    new_label = _per_year_label(label or "")
                    fix = Fix(formula=formula, label=new_label if label else None,
                              label_cell=labels.row_label_cell if axis == "row" else None,
                              description=f"the yearly figure over {horizon:g} years: {format_number(per_year)}")
            out.append(self.finding(sheet.name, a1(cell.row, cell.col), message, fix=fix,
                                    evidence={"reason": "label-total"}))
        return out

    @staticmethod
    def _operand_lines(c: _Contradiction, axis: str) -> list[int] | None:
        lines = []
        for s, r, col in c.operand_cells:
            if s != c.sheet:
                return None
            if axis == "row":
                if col != c.col:
                    return None
                lines.append(r)
            else:
                if r != c.row:
                    return None
                lines.append(col)
        return lines or None


def _may_contradict(declared: Dim | None, got: Dim | None) -> bool:
    """Can a computed unit contradict the declared one (``_contradiction``'s tests on
    units alone: the same money, another time base or scale)?"""
    if declared is None or got is None or got.constant is not None or not got.has_money:
        return False
    if declared.without_time() != got.without_time():
        return False
    if declared.time_known and got.time_known and declared.time_dims() != got.time_dims():
        return True
    return (declared.scale is not None and got.scale is not None and declared.scale != got.scale
            and bool(declared.currency) and bool(got.currency))


def _stating_label(labels) -> tuple[str | None, str | None]:
    """The label that states the unit, and its cell: the row label ('Server CapEx
    ($m)'), or the column header when only it carries units (a column 'Amount ($m)' of
    rows named 'Category 0', 'Category 1', ...)."""
    if labels.row_label and (carries_units(labels.row_label) or not labels.header
                             or not carries_units(labels.header)):
        return labels.row_label, labels.row_label_cell
    if labels.header:
        return labels.header, labels.header_cells[-1] if labels.header_cells else None
    return labels.row_label, labels.row_label_cell


def _states_money(declared: Dim | None | bool) -> bool:
    """A label that states a unit of money explicitly ('$m/hr', 'Server CapEx')."""
    return isinstance(declared, Dim) and declared.explicit and declared.has_money


def _is_stock(d: Dim | None) -> bool:
    return d is not None and d.stock


def _both_time_based(conflict: Conflict) -> bool:
    ld, rd = conflict.left.dim, conflict.right.dim
    return bool(ld and rd and ld.time_dims() and rd.time_dims())


def _kind_words(q: Quantity, dim: Dim | None) -> str:
    if q.kind == "stock":
        return f"a stock in {dim_text(dim)}" if dim else "a stock"
    if q.kind == "flow":
        if q.time_base:
            return f"a flow in {dim_text(dim)}"
        if q.horizon_years:
            return f"a cost over {q.horizon_years:g} years in {dim_text(dim)}"
        return f"a flow in {dim_text(dim)}, period not stated"
    if dim is not None:
        return dim_text(dim)
    return "unit not stated"
