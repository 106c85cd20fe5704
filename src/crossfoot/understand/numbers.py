"""Small facts about numbers that the structural rules share: is a cell a number, is
it a rate or share rather than an amount, are two figures equal up to rounding, and
how to print a figure for a reader."""

from __future__ import annotations

import math
import re

from crossfoot.grid.formula import Area
from crossfoot.grid.model import Cell

_INTENSIVE = re.compile(
    r"%|\bpct\b|percent|\brate\b|ratio|share|average|\bavg\b|mean|median|price|\basp\b|"
    r"\bper\b|/\s*(unit|gpu|hr|hour|yr|year|day|month|head|share|kg|ton|mwh|kwh)|"
    r"growth|change|index|score|\bcagr\b",
    re.IGNORECASE,
)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def numeric(cell: Cell | None) -> float | None:
    """The cell's cached number, or None."""
    if cell is None:
        return None
    v = cell.value
    return float(v) if is_number(v) else None


def looks_intensive(label: str | None, cell: Cell | None = None) -> bool:
    """Does a label (or the cell's number format) say the figure is a rate, share,
    price or average rather than an amount that adds up?"""
    if cell is not None and "%" in (cell.number_format or ""):
        return True
    return bool(label) and bool(_INTENSIVE.search(label or ""))


def _decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text or "E" in text:
        return 6
    frac = text.split(".")[1] if "." in text else ""
    frac = frac.rstrip("0")
    return min(len(frac), 6)


def close(a: float, b: float, parts: int = 1, values: tuple[float, ...] = ()) -> bool:
    """Equal up to floating error, or up to rounding of the shown figures when the
    figures are rounded (a published table of whole numbers may be off by one per part)."""
    if a == b:
        return True
    scale = max(abs(a), abs(b), 1e-12)
    if abs(a - b) <= 1e-6 * scale:
        return True
    if values:
        d = max(_decimals(v) for v in (*values, a, b))
        if d <= 2 and abs(a - b) <= 0.5 * 10 ** (-d) * max(1, parts) and abs(a - b) < 0.01 * scale:
            return True
    return False


def fmt(x: float | None) -> str:
    """1300.0 -> '1,300'; 0.25 -> '0.25'; 1234567.891 -> '1,234,568'."""
    if x is None:
        return "?"
    if not math.isfinite(x):
        return str(x)
    ax = abs(x)
    if ax >= 1000 or float(x).is_integer():
        return f"{x:,.0f}"
    if ax >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.4g}"


def pct_change(before: float, after: float) -> str:
    if not before:
        return ""
    change = (after - before) / abs(before)
    return f" ({change:+.0%})"


def numbers_in(cells: dict[tuple[int, int], Cell], areas: list[Area], *, max_size: int,
               inside: tuple[int, int] | None = None, strict: bool = False) -> list[float] | None:
    """The numbers stored in the areas an aggregate reads on its own sheet, to compare a
    total with its parts.

    None when the parts cannot be read from the sheet: an area on another sheet, larger
    than ``max_size`` cells, off the sheet, or containing ``inside`` (the total itself);
    with ``strict``, also an area holding an error or a formula saved without a value.
    """
    out: list[float] = []
    get = cells.get
    for area in areas:
        if area.sheet is not None or area.size > max_size or area.min_row < 1 or area.min_col < 1:
            return None
        if inside is not None and area.contains(*inside):
            return None
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                cell = get((r, c))
                if cell is None:
                    continue
                if strict and (cell.has_formula and cell.value is None or cell.is_error):
                    return None
                v = numeric(cell)
                if v is not None:
                    out.append(v)
    return out
