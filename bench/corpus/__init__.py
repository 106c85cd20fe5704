"""A mutation corpus for crossfoot's rules.

``shapes.py`` builds clean models (a GPU fleet table, a monthly plan with an FY column, a
multi-sheet regional roll-up, a yearly block with growth rates, a budget with subtotals,
a transposed table) as ``Model`` objects: cells as numbers, text or formula strings.
Mutator modules (``mutators_structural.py``, and ``mutators_meaning.py`` when present)
plant one error each and say where it is and which rule should report it.
``write_model`` writes a model as .xlsx with computed cached values (as Excel would
store them) or, for values-only tables, as numbers only.

Mutator interface (for new mutator modules): a module-level ``MUTATORS`` dict mapping a
rule name to a function ``fn(model, rng) -> Mutant | None``; the function works on a
copy (``model.copy()``), plants one error, and returns the mutant with the cell the rule
should flag. Returning None means the model offers no place for that error.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossfoot.grid.address import column_index, column_letter

Key = tuple[int, int]


@dataclass
class Model:
    """A workbook to write: sheets of cells; a string starting with '=' is a formula."""

    name: str
    sheets: dict[str, dict[Key, Any]] = field(default_factory=dict)
    values_only: bool = False
    stale: dict[tuple[str, int, int], float] = field(default_factory=dict)
    formats: dict[tuple[str, int, int], str] = field(default_factory=dict)

    def copy(self) -> "Model":
        return copy.deepcopy(self)

    def formulas(self) -> list[tuple[str, int, int, str]]:
        return [(s, r, c, v) for s, cells in self.sheets.items() for (r, c), v in cells.items()
                if isinstance(v, str) and v.startswith("=")]


@dataclass
class Mutant:
    model: Model
    rule: str
    sheet: str
    cell: str
    description: str


# ----------------------------------------------------------------------------- evaluator

_REF = re.compile(
    r"(?:(?P<sheet>'[^']+'|[A-Za-z_][A-Za-z0-9_]*)!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
    r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?")


class Evaluator:
    """Values of a model's formulas: SUM, SUMPRODUCT, AVERAGE, MIN, MAX, + - * / ^ and
    references (ranges and other sheets) cover every formula the shapes write."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.values: dict[tuple[str, int, int], float] = {}
        self._active: set[tuple[str, int, int]] = set()

    def value(self, sheet: str, r: int, c: int) -> float:
        key = (sheet, r, c)
        if key in self.values:
            return self.values[key]
        raw = self.model.sheets.get(sheet, {}).get((r, c))
        if isinstance(raw, str) and raw.startswith("="):
            if key in self._active:
                raise ValueError(f"circular reference at {sheet}!{column_letter(c)}{r}")
            self._active.add(key)
            v = self._eval(sheet, raw)
            self._active.discard(key)
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            v = float(raw)
        else:
            v = 0.0
        self.values[key] = v
        return v

    def _eval(self, sheet: str, formula: str) -> float:
        def sub(m: re.Match) -> str:
            sh = m.group("sheet")
            sh = sh.strip("'") if sh else sheet
            c1, r1 = column_index(m.group("c1")), int(m.group("r1"))
            if m.group("c2"):
                c2, r2 = column_index(m.group("c2")), int(m.group("r2"))
                return f"_rng({sh!r},{r1},{c1},{r2},{c2})"
            return f"_val({sh!r},{r1},{c1})"

        expr = _REF.sub(sub, formula[1:]).replace("^", "**")
        expr = re.sub(r"\b(SUMPRODUCT|SUM|AVERAGE|MIN|MAX)\(", lambda m: f"_{m.group(1).lower()}(", expr)
        env = {"_rng": self._rng, "_val": self.value, "_sum": _sum, "_sumproduct": _sumproduct,
               "_average": lambda *a: _sum(*a) / max(1, _count(*a)), "_min": lambda *a: min(_flat(a)),
               "_max": lambda *a: max(_flat(a)), "__builtins__": {}}
        try:
            out = eval(expr, env)  # noqa: S307 - expressions built above from our own models
        except ZeroDivisionError:
            return math.nan
        return float(out)

    def _rng(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[float]:
        return [self.value(sheet, r, c) for r in range(min(r1, r2), max(r1, r2) + 1)
                for c in range(min(c1, c2), max(c1, c2) + 1)]


def _flat(args) -> list[float]:
    out: list[float] = []
    for a in args:
        out.extend(a if isinstance(a, list) else [a])
    return out


def _sum(*args) -> float:
    return sum(_flat(args))


def _count(*args) -> int:
    return len(_flat(args))


def _sumproduct(*arrays) -> float:
    return sum(math.prod(vals) for vals in zip(*arrays))


def evaluate(model: Model) -> dict[tuple[str, int, int], float]:
    ev = Evaluator(model)
    for s, r, c, _ in model.formulas():
        ev.value(s, r, c)
    return ev.values


def write_model(model: Model, path: Path) -> Path:
    """Write the model as .xlsx: formulas with cached values, or values only."""
    import xlsxwriter

    values = evaluate(model)
    book = xlsxwriter.Workbook(str(path))
    fmts: dict[str, Any] = {}
    for name, cells in model.sheets.items():
        ws = book.add_worksheet(name)
        for (r, c), raw in sorted(cells.items()):
            nf = model.formats.get((name, r, c))
            f = None
            if nf:
                f = fmts.get(nf) or fmts.setdefault(nf, book.add_format({"num_format": nf}))
            if isinstance(raw, str) and raw.startswith("="):
                v = model.stale.get((name, r, c), values[(name, r, c)])
                if model.values_only:
                    ws.write_number(r - 1, c - 1, v, f)
                else:
                    ws.write_formula(r - 1, c - 1, raw, f, v if not math.isnan(v) else 0)
            elif isinstance(raw, str):
                ws.write_string(r - 1, c - 1, raw, f)
            else:
                ws.write_number(r - 1, c - 1, raw, f)
    book.close()
    return path


def a1(r: int, c: int) -> str:
    return f"{column_letter(c)}{r}"
