"""Meaning mutators: each plants one error of meaning in a copy of a clean model.

intensive-aggregation
    summed-price        a weighted-average total of a price or per-unit row (SUMPRODUCT /
                        SUM, or a ratio of totals) replaced by a SUM of the row: the GPU
                        fleet's ASP or per-GPU capex, the monthly plan's FY price, the
                        transposed table's total price
    unweighted-average  the same total replaced by a plain AVERAGE where the counts differ
    summed-values       the fleet table written as values only, its price total typed as
                        the sum of the prices (a published table, no formulas)
    summed-growth       a Total column added to the growth block that sums the growth rates
    summed-balance      a month-end cash balance row added to the monthly plan whose FY
                        column sums the balances
unit-mismatch
    scale               a summary line "... ($bn)" (or "$k" of a "$m" figure) that repeats a
                        total without the factor of 1,000
    per-year-stock      a summary line "TCO per year ($m/yr)" equal to the 4-year TCO amount
    stock-plus-share    "Annual cost of ownership ($m/yr)" = capex + 4-year opex / 4: the
                        capex is not spread over the years

Every mutator returns a Mutant naming the one cell the rule must flag, or None when the
model offers no place for that error. The clean models of ``shapes.py`` are the twins.
"""

from __future__ import annotations

import random

from bench.corpus import Model, Mutant, a1


def _find(cells: dict, text: str, row: int | None = None, col: int | None = None) -> tuple[int, int] | None:
    for (r, c), v in cells.items():
        if isinstance(v, str) and v == text and (row is None or r == row) and (col is None or c == col):
            return r, c
    return None


def _fleet_geometry(model: Model):
    s = model.sheets.get("Fleet")
    if s is None:
        return None
    tc = _find(s, "Total", row=2)
    if tc is None:
        return None
    return s, tc[1]


def _counts_differ(values: list[float]) -> bool:
    pos = [v for v in values if v > 0]
    return len(pos) == len(values) and max(pos) / min(pos) >= 1.5


# ------------------------------------------------------------------ intensive-aggregation

def _price_totals(model: Model) -> list[tuple[str, int, int, str, list[float], list[float]]]:
    """(sheet, row, col, range, weights, prices) of every weighted price total of the model."""
    out = []
    geo = _fleet_geometry(model)
    if geo is not None:
        s, tc = geo
        for r in (4, 5):
            rng = f"{a1(r, 2)}:{a1(r, tc - 1)}"
            out.append(("Fleet", r, tc, rng, [float(s[(3, c)]) for c in range(2, tc)],
                        [float(s[(r, c)]) for c in range(2, tc)]))
    plan = model.sheets.get("Plan")
    if plan is not None:
        fy = _find(plan, "FY", row=2)
        if fy is not None:
            c = fy[1]
            out.append(("Plan", 4, c, f"{a1(4, 2)}:{a1(4, c - 1)}", [float(plan[(3, k)]) for k in range(2, c)],
                        [float(plan[(4, k)]) for k in range(2, c)]))
    by_year = model.sheets.get("ByYear")
    if by_year is not None:
        t = _find(by_year, "Total", col=1)
        if t is not None:
            r = t[0]
            out.append(("ByYear", r, 3, f"{a1(3, 3)}:{a1(r - 1, 3)}", [float(by_year[(k, 2)]) for k in range(3, r)],
                        [float(by_year[(k, 3)]) for k in range(3, r)]))
    return out


def _matters(weights: list[float], prices: list[float]) -> bool:
    """Does weighting change the average by 2% or more?"""
    plain = sum(prices) / len(prices)
    w = sum(a * b for a, b in zip(weights, prices)) / sum(weights)
    return abs(w - plain) >= 0.02 * abs(plain)


def _price_total_as(func: str, cands: list, model: Model, rng: random.Random, why: str) -> Mutant | None:
    """A price total of the model rewritten as ``func`` over its line (SUM, AVERAGE)."""
    if not cands:
        return None
    sheet, r, c, span, _, _ = rng.choice(cands)
    mut = model.copy()
    old = mut.sheets[sheet][(r, c)]
    mut.sheets[sheet][(r, c)] = f"={func}({span})"
    return Mutant(mut, "intensive-aggregation", sheet, a1(r, c), f"{old} became ={func}({span}): {why}")


def summed_price(model: Model, rng: random.Random) -> Mutant | None:
    return _price_total_as("SUM", _price_totals(model), model, rng, "a sum of prices")


def unweighted_average(model: Model, rng: random.Random) -> Mutant | None:
    cands = [x for x in _price_totals(model) if _counts_differ(x[4]) and _matters(x[4], x[5])]
    return _price_total_as("AVERAGE", cands, model, rng, "unweighted")


def summed_values(model: Model, rng: random.Random) -> Mutant | None:
    geo = _fleet_geometry(model)
    if geo is None:
        return None
    _, tc = geo
    r = rng.choice((4, 5))
    mut = model.copy()
    mut.sheets["Fleet"][(r, tc)] = f"=SUM({a1(r, 2)}:{a1(r, tc - 1)})"
    mut.values_only = True
    return Mutant(mut, "intensive-aggregation", "Fleet", a1(r, tc),
                  "values-only table whose price total is the sum of the prices")


def summed_growth(model: Model, rng: random.Random) -> Mutant | None:
    s = model.sheets.get("Forecast")
    if s is None:
        return None
    last = max(c for (r, c) in s if r == 2)
    mut = model.copy()
    cells = mut.sheets["Forecast"]
    tc = last + 1
    cells[(2, tc)] = "Total"
    cells[(3, tc)] = f"=SUM({a1(3, 2)}:{a1(3, last)})"
    mut.formats[("Forecast", 3, tc)] = "0.0%"
    return Mutant(mut, "intensive-aggregation", "Forecast", a1(3, tc), "a Total column summing growth rates")


def summed_balance(model: Model, rng: random.Random) -> Mutant | None:
    s = model.sheets.get("Plan")
    if s is None:
        return None
    fy = _find(s, "FY", row=2)
    if fy is None:
        return None
    c_fy = fy[1]
    bottom = max(r for (r, c) in s)
    mut = model.copy()
    cells = mut.sheets["Plan"]
    r = bottom + 1
    cells[(r, 1)] = "Cash at end of month ($k)"
    cash = rng.randint(50, 500)
    for c in range(2, c_fy):
        cash += rng.randint(-20, 60)
        cells[(r, c)] = cash
    cells[(r, c_fy)] = f"=SUM({a1(r, 2)}:{a1(r, c_fy - 1)})"
    return Mutant(mut, "intensive-aggregation", "Plan", a1(r, c_fy), "month-end balances summed over the year")


# ------------------------------------------------------------------ unit-mismatch

def _summary_row(cells: dict) -> int:
    return max(r for (r, c) in cells) + 1


def scale(model: Model, rng: random.Random) -> Mutant | None:
    geo = _fleet_geometry(model)
    if geo is not None:
        s, tc = geo
        mut = model.copy()
        cells = mut.sheets["Fleet"]
        r = _summary_row(cells)
        source = rng.choice((6, 8))
        what = "Server CapEx" if source == 6 else "TCO, 4 years"
        cells[(r, 1)] = f"{what} ($bn)"
        cells[(r, tc)] = f"={a1(source, tc)}"
        return Mutant(mut, "unit-mismatch", "Fleet", a1(r, tc), f"{what} in $m shown as $bn without /1000")
    fc = model.sheets.get("Forecast")
    if fc is not None:
        last = max(c for (r, c) in fc if r == 2)
        mut = model.copy()
        cells = mut.sheets["Forecast"]
        r = _summary_row(cells)
        cells[(r, 1)] = rng.choice(["Revenue ($bn)", "Revenue ($k)"])
        cells[(r, last)] = f"={a1(4, last)}"
        return Mutant(mut, "unit-mismatch", "Forecast", a1(r, last), "revenue in $m restated without the factor")
    return None


def revenue_scale(model: Model, rng: random.Random) -> Mutant | None:
    """FY revenue of the monthly plan (units x $k prices) or the transposed table's total
    revenue ($) restated in $m without the factor."""
    plan = model.sheets.get("Plan")
    if plan is not None:
        fy = _find(plan, "FY", row=2)
        if fy is None:
            return None
        mut = model.copy()
        cells = mut.sheets["Plan"]
        r = _summary_row(cells) + 1
        cells[(r, 1)] = "FY revenue ($m)"
        cells[(r, fy[1])] = f"={a1(5, fy[1])}"
        return Mutant(mut, "unit-mismatch", "Plan", a1(r, fy[1]), "revenue in $k restated as $m without /1000")
    by_year = model.sheets.get("ByYear")
    if by_year is not None:
        t = _find(by_year, "Total", col=1)
        if t is None:
            return None
        mut = model.copy()
        cells = mut.sheets["ByYear"]
        r = _summary_row(cells) + 1
        cells[(r, 1)] = rng.choice(["Total revenue ($m)", "Total revenue ($k)"])
        cells[(r, 4)] = f"={a1(t[0], 4)}"
        return Mutant(mut, "unit-mismatch", "ByYear", a1(r, 4), "revenue in $ restated without the factor")
    return None


def per_year_stock(model: Model, rng: random.Random) -> Mutant | None:
    geo = _fleet_geometry(model)
    if geo is None:
        return None
    _, tc = geo
    mut = model.copy()
    cells = mut.sheets["Fleet"]
    r = _summary_row(cells)
    cells[(r, 1)] = rng.choice(["TCO per year ($m/yr)", "TCO ($m p.a.)", "Cost of ownership ($m/hr)"])
    cells[(r, tc)] = f"={a1(8, tc)}"
    return Mutant(mut, "unit-mismatch", "Fleet", a1(r, tc), "a 4-year amount labelled as a rate")


def stock_plus_share(model: Model, rng: random.Random) -> Mutant | None:
    geo = _fleet_geometry(model)
    if geo is None:
        return None
    _, tc = geo
    mut = model.copy()
    cells = mut.sheets["Fleet"]
    r = _summary_row(cells)
    cells[(r, 1)] = "Annual cost of ownership ($m/yr)"
    cells[(r, tc)] = f"={a1(6, tc)}+{a1(7, tc)}/4"
    return Mutant(mut, "unit-mismatch", "Fleet", a1(r, tc), "capex not spread over the 4 years")


def _either(*fns):
    def pick(model: Model, rng: random.Random) -> Mutant | None:
        order = list(fns)
        rng.shuffle(order)
        for fn in order:
            m = fn(model, rng)
            if m is not None:
                return m
        return None
    pick.__name__ = "_or_".join(f.__name__ for f in fns)
    return pick


MUTATORS = {
    "intensive-aggregation": _either(summed_price, unweighted_average, summed_values, summed_growth, summed_balance),
    "unit-mismatch": _either(scale, per_year_stock, stock_plus_share, revenue_scale),
}

