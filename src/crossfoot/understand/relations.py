"""Relations among numbers: which line weights which, and, in tables without formulas,
which cells are totals of which parts, products of which factors, or averages.

A published table (a CSV, a values-only sheet, a table pasted from a report) keeps its
numbers but not its arithmetic. The arithmetic can often be recovered from the numbers
themselves: a "Total" cell that equals 12,000 + 13,000 + 25,000 is a sum of those three
cells, a row that equals "# of GPUs" x "CapEx per GPU" / 10^6 is their product in
millions. The meaning layer then judges the recovered arithmetic as it judges formulas.

Public API::

    lines = line_values(sheet, axis, line, positions)     # {position: value}
    w = find_weight(ctx, sheet, axis, line, positions, quantity)   # Weight or None
    rel = explain_total(total, parts, weights=None)       # TotalRelation or None
    find_products(ctx, sheet, block)                      # [Product]: A = B x C x 10^k
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crossfoot.grid.model import Sheet
from crossfoot.understand.labels import cell_labels
from crossfoot.understand.structure import Block
from crossfoot.understand.units import Quantity, quantity_of_labels

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def close(a: float, b: float, rel: float = 0.005, abs_tol: float = 0.5) -> bool:
    """Equal as published figures are: within 0.5% (or half a unit of the last digit
    of small integers)."""
    tol = max(abs(b) * rel, abs_tol if abs(b) >= 50 else abs(b) * rel + 1e-9)
    return abs(a - b) <= tol


def at(axis: str, line: int, pos: int) -> tuple[int, int]:
    """(row, col) of position ``pos`` on a row line (axis "row") or a column line."""
    return (line, pos) if axis == "row" else (pos, line)


def line_values(sheet: Sheet, axis: str, line: int, positions: list[int]) -> dict[int, float] | None:
    """The numbers at ``positions`` of a line; None if one of them is not a number."""
    out: dict[int, float] = {}
    for p in positions:
        cell = sheet.get(*at(axis, line, p))
        if cell is None or not _num(cell.value):
            return None
        out[p] = float(cell.value)
    return out


@dataclass
class Weight:
    """The line that weights an intensive line: its position, label and values."""

    line: int
    label: str
    values: dict[int, float]
    quantity: Quantity
    reason: str  # "count of the same things", "revenue", "product"


_REVENUE = re.compile(r"\brevenues?\b|\bsales\b|\bturnover\b|\bincome\b", re.I)


def line_label(ctx: "AuditContext", sheet: Sheet, axis: str, line: int, pos: int) -> str:
    labels = cell_labels(ctx, sheet, *at(axis, line, pos))
    if axis == "row":
        return labels.row_label or ""
    return labels.headers[-1] if labels.headers else ""


def line_quantity(ctx: "AuditContext", sheet: Sheet, axis: str, line: int, pos: int) -> Quantity:
    cell = sheet.get(*at(axis, line, pos))
    fmt = cell.number_format if cell is not None else "General"
    return quantity_of_labels(cell_labels(ctx, sheet, *at(axis, line, pos)), fmt, axis)


def _singular(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") else word


def find_weight(ctx: "AuditContext", sheet: Sheet, axis: str, line: int, positions: list[int],
                quantity: Quantity, block: Block | None) -> Weight | None:
    """The line of the same table that weights ``line`` over ``positions``: for a price or
    a per-X figure, the count of X ("# of GPUs"); for a margin or a percentage, revenue.
    Weights must be non-negative numbers at every position, not all zero."""
    if block is None:
        return None
    if axis == "row":
        lines = [r for r in range(block.min_row, block.max_row + 1) if r != line and r not in block.header_rows]
    else:
        lines = [c for c in range(block.min_col, block.max_col + 1) if c != line and c not in block.label_cols]
    per = _singular(quantity.per or "")
    best: tuple[int, Weight] | None = None
    for other in lines:
        values = line_values(sheet, axis, other, positions)
        if values is None or any(v < 0 for v in values.values()) or not any(values.values()):
            continue
        q = line_quantity(ctx, sheet, axis, other, positions[0])
        label = line_label(ctx, sheet, axis, other, positions[0])
        score = 0
        reason = ""
        if quantity.word in ("margins", "percentages", "growth rates", "rates", "ratios") and quantity.dimension == "percent":
            if q.dimension == "money" and q.kind in ("flow", None) and _REVENUE.search(label):
                score, reason = 3, "revenue"
            elif q.dimension == "money" and q.kind == "flow" and quantity.word == "margins":
                score, reason = 1, "amount"
        elif q.kind == "count":
            if per and per not in ("unit", "item"):
                if per not in label.lower():
                    continue  # a per-share figure is not weighted by a count of GPUs
                score, reason = 4, "count"
            else:
                score, reason = 2, "count"
        if score == 0:
            continue
        score = score * 1000 - abs(other - line)
        if best is None or score > best[0]:
            best = (score, Weight(other, label, values, q, reason))
    return best[1] if best else None


def weighted(values: dict[int, float], weights: dict[int, float]) -> float | None:
    total = sum(weights[p] for p in values)
    if not total:
        return None
    return sum(values[p] * weights[p] for p in values) / total


@dataclass
class TotalRelation:
    """How a total relates to its line's parts: "sum" of ``parts`` (all of them or a
    subset), "average" (plain), "weighted" (by the weights given)."""

    kind: str
    parts: list[int]
    value: float


def explain_total(total: float, values: dict[int, float], weights: dict[int, float] | None = None) -> TotalRelation | None:
    """Which arithmetic a published total is: a sum of all parts, of a subset of them
    (at least two; the largest subset that fits, leftmost first), a plain average or a
    weighted average. None when none fits."""
    positions = sorted(values)
    if len(positions) < 2:
        return None
    if close(sum(values.values()), total):
        return TotalRelation("sum", positions, total)
    if weights is not None:
        w = weighted(values, weights)
        if w is not None and close(w, total):
            return TotalRelation("weighted", positions, total)
    if close(sum(values.values()) / len(values), total):
        return TotalRelation("average", positions, total)
    if len(positions) <= 12:
        for size in range(len(positions) - 1, 1, -1):
            for combo in itertools.combinations(positions, size):
                if close(sum(values[p] for p in combo), total, rel=0.001):
                    return TotalRelation("sum", list(combo), total)
    return None


@dataclass
class Product:
    """A line equal to the product of two others times 10^-k (``k`` = 0, 3, 6, 9):
    'Server CapEx ($m)' = '# of GPUs' x 'Server CapEx per GPU ($)' / 10^6."""

    axis: str
    line: int
    factors: tuple[int, int]
    scale: int


def find_products(sheet: Sheet, axis: str, lines: list[int], positions: list[int]) -> list[Product]:
    """Products among ``lines`` over ``positions`` (each line must be numbers there)."""
    data = {ln: line_values(sheet, axis, ln, positions) for ln in lines}
    data = {ln: v for ln, v in data.items() if v is not None and any(v.values())}
    out: list[Product] = []
    keys = sorted(data)
    for target in keys:
        for a, b in itertools.combinations([k for k in keys if k != target], 2):
            for k in (0, 3, 6, 9):
                if all(close(data[a][p] * data[b][p] / 10**k, data[target][p], rel=0.01, abs_tol=0.5)
                       for p in positions):
                    out.append(Product(axis, target, (a, b), k))
                    break
    return out
