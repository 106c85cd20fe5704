"""Structural mutators: each plants one error of one class in a copy of a clean model.

omitted-range      an aggregate's range shrunk by one cell, or a term dropped from a + chain
inconsistent-formula  one reference of a copied formula shifted, a region left out of a
                   cross-sheet roll-up, or a typed adjustment added to one copy (=E5*E6-500)
hardcoded-value    a copied formula replaced by its value (pasted) or by a typed figure
total-mismatch     a formula total whose stored value is stale, or, in the values-only
                   version of the model, a total that leaves out a part or carries a typo
"""

from __future__ import annotations

import random
import re

from bench.corpus import _REF, Model, Mutant, a1, evaluate
from crossfoot.grid.address import column_index
from crossfoot.grid.formula import analyse
from crossfoot.understand.structure import is_total_label

_SUM = re.compile(r"^=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")
_CHAIN = re.compile(r"^=([A-Z]+\d+)(\+[A-Z]+\d+){2,}$")


def _fp(model: Model, sheet: str, r: int, c: int) -> str | None:
    v = model.sheets[sheet].get((r, c))
    if isinstance(v, str) and v.startswith("="):
        return analyse(v, r, c).fingerprint
    return None


def _in_run(model: Model, sheet: str, r: int, c: int) -> bool:
    """Is the formula at (r, c) copied on both sides, or twice on one side?"""
    fp = _fp(model, sheet, r, c)
    for dr, dc in ((0, 1), (1, 0)):
        before = _fp(model, sheet, r - dr, c - dc)
        after = _fp(model, sheet, r + dr, c + dc)
        if before == fp == after:
            return True
        if before == fp == _fp(model, sheet, r - 2 * dr, c - 2 * dc):
            return True
        if after == fp == _fp(model, sheet, r + 2 * dr, c + 2 * dc):
            return True
    return False


def _label_of(model: Model, sheet: str, r: int, c: int) -> list[str]:
    s = model.sheets[sheet]
    return [str(s.get((r, 1), "")), str(s.get((2, c), ""))]


def omitted_range(model: Model, rng: random.Random) -> Mutant | None:
    cands = []
    for sheet, r, c, f in model.formulas():
        m = _SUM.match(f)
        if m:
            c1, r1, c2, r2 = column_index(m.group(1)), int(m.group(2)), column_index(m.group(3)), int(m.group(4))
            if (r1 == r2 and c2 - c1 >= 2) or (c1 == c2 and r2 - r1 >= 2):
                cands.append((sheet, r, c, f, (r1, c1, r2, c2)))
        elif _CHAIN.match(f):
            cands.append((sheet, r, c, f, None))
    if not cands:
        return None
    sheet, r, c, f, span = rng.choice(cands)
    mut = model.copy()
    if span is None:
        terms = f[1:].split("+")
        drop = rng.randrange(len(terms))
        new = "=" + "+".join(t for i, t in enumerate(terms) if i != drop)
        desc = f"dropped {terms[drop]} from {f}"
    else:
        r1, c1, r2, c2 = span
        near_end = rng.random() < 0.7
        if r1 == r2:
            c1, c2 = (c1, c2 - 1) if near_end else (c1 + 1, c2)
        else:
            r1, r2 = (r1, r2 - 1) if near_end else (r1 + 1, r2)
        new = f"=SUM({a1(r1, c1)}:{a1(r2, c2)})"
        desc = f"{f} shrunk to {new}"
    mut.sheets[sheet][(r, c)] = new
    return Mutant(mut, "omitted-range", sheet, a1(r, c), desc)


def inconsistent_formula(model: Model, rng: random.Random) -> Mutant | None:
    cands = []
    for sheet, r, c, f in model.formulas():
        if f.startswith("=SUM") or f.startswith("=SUMPRODUCT") or not _in_run(model, sheet, r, c):
            continue
        cands.append((sheet, r, c, f))
    if not cands:
        return None
    sheet, r, c, f = rng.choice(cands)
    mut = model.copy()
    if rng.random() < 0.25:
        # an adjustment typed into one copy: =E5*E6-500 among =B5*B6 ... =F5*F6
        new = f + rng.choice("+-") + str(rng.choice([5, 50, 100, 250, 500, 1000]))
        mut.sheets[sheet][(r, c)] = new
        return Mutant(mut, "inconsistent-formula", sheet, a1(r, c), f"{f} became {new}")
    refs = list(_REF.finditer(f))
    if any(m.group("sheet") for m in refs) and len(refs) >= 3:
        drop = rng.randrange(len(refs))
        terms = f[1:].split("+")
        new = "=" + "+".join(t for i, t in enumerate(terms) if i != drop)
        mut.sheets[sheet][(r, c)] = new
        return Mutant(mut, "inconsistent-formula", sheet, a1(r, c), f"dropped {terms[drop]} from {f}")
    cells = mut.sheets[sheet]
    for _ in range(20):
        m = rng.choice(refs)
        rr, cc = int(m.group("r1")), column_index(m.group("c1"))
        dr, dc = rng.choice([(1, 0), (-1, 0), (0, 1), (0, -1)])
        nr, nc = rr + dr, cc + dc
        target = cells.get((nr, nc))
        if (nr, nc) == (r, c) or nr < 1 or nc < 1 or target is None or isinstance(target, str) and not target.startswith("="):
            continue
        new = f[:m.start()] + a1(nr, nc) + f[m.end():]
        mut.sheets[sheet][(r, c)] = new
        try:
            evaluate(mut)
        except (ValueError, RecursionError):
            mut.sheets[sheet][(r, c)] = f
            continue
        return Mutant(mut, "inconsistent-formula", sheet, a1(r, c), f"{f} became {new}")
    return None


def hardcoded_value(model: Model, rng: random.Random) -> Mutant | None:
    cands = [(s, r, c, f) for s, r, c, f in model.formulas() if _in_run(model, s, r, c)]
    if not cands:
        return None
    sheet, r, c, f = rng.choice(cands)
    value = evaluate(model)[(sheet, r, c)]
    mut = model.copy()
    if rng.random() < 0.7:
        typed = round(value, 6)
        desc = f"{f} pasted as its value {typed}"
    else:
        typed = round(value * rng.uniform(0.8, 1.2), 2)
        desc = f"{f} typed over with {typed}"
    mut.sheets[sheet][(r, c)] = typed
    return Mutant(mut, "hardcoded-value", sheet, a1(r, c), desc)


def _dependents(model: Model, sheet: str) -> set[tuple[int, int]]:
    read: set[tuple[int, int]] = set()
    for s, _, _, f in model.formulas():
        for m in _REF.finditer(f):
            sh = (m.group("sheet") or s).strip("'")
            if sh != sheet:
                continue
            r1, c1 = int(m.group("r1")), column_index(m.group("c1"))
            r2, c2 = (int(m.group("r2")), column_index(m.group("c2"))) if m.group("c2") else (r1, c1)
            read.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    return read


def total_mismatch(model: Model, rng: random.Random) -> Mutant | None:
    values = evaluate(model)
    if rng.random() < 0.5:
        # a stale stored result on a total nothing else reads
        cands = []
        for sheet, r, c, f in model.formulas():
            if (f.startswith("=SUM(") or _CHAIN.match(f)) and (r, c) not in _dependents(model, sheet):
                cands.append((sheet, r, c, f))
        if not cands:
            return None
        sheet, r, c, f = rng.choice(cands)
        mut = model.copy()
        v = values[(sheet, r, c)]
        mut.stale[(sheet, r, c)] = round(v * (1 + rng.choice([-1, 1]) * rng.uniform(0.05, 0.3)), 2)
        return Mutant(mut, "total-mismatch", sheet, a1(r, c), f"stored value of {f} made stale")
    # a values-only table whose total leaves out a part or carries a typo
    cands = []
    for sheet, r, c, f in model.formulas():
        m = _SUM.match(f)
        if not m or not any(is_total_label(x) for x in _label_of(model, sheet, r, c)):
            continue
        cands.append((sheet, r, c, m))
    if not cands:
        return None
    sheet, r, c, m = rng.choice(cands)
    c1, r1, c2, r2 = column_index(m.group(1)), int(m.group(2)), column_index(m.group(3)), int(m.group(4))
    parts = [values.get((sheet, rr, cc), 0.0) for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1)]
    mut = model.copy()
    mut.values_only = True
    total = values[(sheet, r, c)]
    if rng.random() < 0.5 and len(parts) >= 3:
        k = rng.randrange(len(parts))
        typed = total - parts[k]
        desc = f"values-only total leaves out part {k + 1} of {len(parts)}"
    else:
        typed = total + rng.choice([-1, 1]) * max(abs(total) * rng.uniform(0.03, 0.2), 10)
        desc = "values-only total mistyped"
    mut.stale[(sheet, r, c)] = round(typed, 2)
    return Mutant(mut, "total-mismatch", sheet, a1(r, c), desc)


MUTATORS = {
    "omitted-range": omitted_range,
    "inconsistent-formula": inconsistent_formula,
    "hardcoded-value": hardcoded_value,
    "total-mismatch": total_mismatch,
}
