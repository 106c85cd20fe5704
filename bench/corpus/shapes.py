"""Clean model shapes: well-built workbooks that must yield no error or warning.

Each ``build_*`` takes a ``random.Random`` and returns a ``Model`` with random sizes and
figures: complete totals, SUMPRODUCT-weighted averages, consistent formulas, labelled
units.
"""

from __future__ import annotations

import random

from bench.corpus import Model, a1

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def build_gpu_fleet(rng: random.Random) -> Model:
    """GPU types across, quantities down, a Total column: sums for amounts, a
    GPU-weighted average for prices."""
    names = rng.sample(["A100", "H20", "H800", "H100", "B200", "L40S", "MI300"], rng.randint(3, 6))
    m = Model("gpu_fleet")
    s: dict = {}
    m.sheets["Fleet"] = s
    s[(1, 1)] = "GPU fleet: capex and cost of ownership"
    for i, n in enumerate(names):
        s[(2, 2 + i)] = n
    tc = 2 + len(names)
    s[(2, tc)] = "Total"
    rows = ["# of GPUs", "ASP ($/GPU)", "Server CapEx per GPU ($/GPU)", "Server CapEx ($m)",
            "Cost to operate, 4 years ($m)", "TCO, 4 years ($m)"]
    for j, label in enumerate(rows):
        s[(3 + j, 1)] = label
    last = tc - 1
    for i in range(len(names)):
        c = 2 + i
        s[(3, c)] = rng.randint(1, 40) * 1000
        s[(4, c)] = rng.randint(8, 30) * 1000
        s[(5, c)] = rng.randint(15, 45) * 1000
        s[(6, c)] = f"={a1(3, c)}*{a1(5, c)}/10^6"
        s[(7, c)] = rng.randint(50, 400)
        s[(8, c)] = f"={a1(6, c)}+{a1(7, c)}"
    L = a1
    s[(3, tc)] = f"=SUM({L(3, 2)}:{L(3, last)})"
    s[(4, tc)] = f"=SUMPRODUCT({L(3, 2)}:{L(3, last)},{L(4, 2)}:{L(4, last)})/{L(3, tc)}"
    s[(5, tc)] = f"=SUMPRODUCT({L(3, 2)}:{L(3, last)},{L(5, 2)}:{L(5, last)})/{L(3, tc)}"
    for r in (6, 7, 8):
        s[(r, tc)] = f"=SUM({L(r, 2)}:{L(r, last)})"
    return m


def build_monthly_plan(rng: random.Random) -> Model:
    """Twelve months across and an FY column; revenue = units x price, costs with a
    total, profit; FY sums amounts and weights the price."""
    m = Model("monthly_plan")
    s: dict = {}
    m.sheets["Plan"] = s
    s[(1, 1)] = "Operating plan 2025 ($k)"
    n = rng.randint(6, 12)
    for i in range(n):
        s[(2, 2 + i)] = MONTHS[i]
    fy = 2 + n
    s[(2, fy)] = "FY"
    costs = rng.sample(["Salaries", "Rent", "Cloud", "Marketing", "Travel", "Licences", "Legal"], rng.randint(3, 6))
    s[(3, 1)] = "Units sold"
    s[(4, 1)] = "Price ($k/unit)"
    s[(5, 1)] = "Revenue"
    for k, cost in enumerate(costs):
        s[(6 + k, 1)] = cost
    tot = 6 + len(costs)
    s[(tot, 1)] = "Total costs"
    s[(tot + 1, 1)] = "Operating profit"
    for i in range(n):
        c = 2 + i
        s[(3, c)] = rng.randint(20, 200)
        s[(4, c)] = round(rng.uniform(1, 5), 2)
        s[(5, c)] = f"={a1(3, c)}*{a1(4, c)}"
        for k in range(len(costs)):
            s[(6 + k, c)] = rng.randint(5, 90)
        s[(tot, c)] = f"=SUM({a1(6, c)}:{a1(tot - 1, c)})"
        s[(tot + 1, c)] = f"={a1(5, c)}-{a1(tot, c)}"
    last = fy - 1
    for r in [3, 5, *range(6, tot + 2)]:
        s[(r, fy)] = f"=SUM({a1(r, 2)}:{a1(r, last)})"
    s[(4, fy)] = f"={a1(5, fy)}/{a1(3, fy)}"
    return m


def build_regional_rollup(rng: random.Random) -> Model:
    """Identical regional sheets (items down, quarters across) and a Summary sheet that
    adds them cell by cell, with totals."""
    m = Model("regional_rollup")
    regions = rng.sample(["North", "South", "East", "West", "Central"], rng.randint(3, 5))
    items = rng.sample(["Hardware", "Software", "Services", "Support", "Training", "Hosting"], rng.randint(3, 5))
    quarters = ["Q1", "Q2", "Q3", "Q4"]
    tr = 3 + len(items)
    for name in [*regions, "Summary"]:
        s: dict = {}
        m.sheets[name] = s
        s[(1, 1)] = f"{name} sales ($k)"
        for j, q in enumerate(quarters):
            s[(2, 2 + j)] = q
        s[(2, 6)] = "Total"
        for i, item in enumerate(items):
            s[(3 + i, 1)] = item
        s[(tr, 1)] = "Total"
        for i in range(len(items)):
            for j in range(4):
                if name == "Summary":
                    s[(3 + i, 2 + j)] = "=" + "+".join(f"{g}!{a1(3 + i, 2 + j)}" for g in regions)
                else:
                    s[(3 + i, 2 + j)] = rng.randint(10, 500)
            s[(3 + i, 6)] = f"=SUM({a1(3 + i, 2)}:{a1(3 + i, 5)})"
        for j in range(5):
            s[(tr, 2 + j)] = f"=SUM({a1(3, 2 + j)}:{a1(tr - 1, 2 + j)})"
    return m


def build_growth_block(rng: random.Random) -> Model:
    """Years across: a base year of actuals, then revenue grown at a rate per year,
    costs as a share of revenue, and profit."""
    m = Model("growth_block")
    s: dict = {}
    m.sheets["Forecast"] = s
    n = rng.randint(5, 9)
    start = rng.randint(2018, 2024)
    s[(1, 1)] = "Five-year forecast ($m)"
    for i in range(n):
        s[(2, 2 + i)] = start + i
    s[(3, 1)] = "Growth rate (%)"
    s[(4, 1)] = "Revenue ($m)"
    s[(5, 1)] = "Cost share (%)"
    s[(6, 1)] = "Costs ($m)"
    s[(7, 1)] = "Profit ($m)"
    s[(4, 2)] = rng.randint(100, 900)
    for i in range(n):
        c = 2 + i
        s[(3, c)] = round(rng.uniform(0.02, 0.3), 3)
        m.formats[("Forecast", 3, c)] = "0.0%"
        s[(5, c)] = round(rng.uniform(0.4, 0.8), 3)
        m.formats[("Forecast", 5, c)] = "0.0%"
        if i:
            s[(4, c)] = f"={a1(4, c - 1)}*(1+{a1(3, c)})"
        s[(6, c)] = f"={a1(4, c)}*{a1(5, c)}"
        s[(7, c)] = f"={a1(4, c)}-{a1(6, c)}"
    return m


def build_budget_subtotals(rng: random.Random) -> Model:
    """Categories of line items down, Budget / Actual / Variance across; each category
    has a subtotal and the grand total adds the subtotals."""
    m = Model("budget_subtotals")
    s: dict = {}
    m.sheets["Budget"] = s
    s[(1, 1)] = "Department budget ($k)"
    for j, h in enumerate(["Budget", "Actual", "Variance"]):
        s[(2, 2 + j)] = h
    r = 3
    subtotals = []
    cats = rng.sample(["Personnel", "Operations", "Equipment", "Travel", "Facilities"], rng.randint(2, 4))
    for cat in cats:
        s[(r, 1)] = cat
        r += 1
        first = r
        for k in range(rng.randint(2, 5)):
            s[(r, 1)] = f"{cat} item {k + 1}"
            s[(r, 2)] = rng.randint(10, 400)
            s[(r, 3)] = rng.randint(10, 400)
            s[(r, 4)] = f"={a1(r, 3)}-{a1(r, 2)}"
            r += 1
        s[(r, 1)] = f"Subtotal {cat.lower()}"
        for c in (2, 3, 4):
            s[(r, c)] = f"=SUM({a1(first, c)}:{a1(r - 1, c)})"
        subtotals.append(r)
        r += 2
    s[(r, 1)] = "Grand total"
    for c in (2, 3, 4):
        s[(r, c)] = "=" + "+".join(a1(x, c) for x in subtotals)
    return m


def build_transposed(rng: random.Random) -> Model:
    """Years down, quantities across (units, price, revenue = units x price, cost,
    margin), a total row at the bottom."""
    m = Model("transposed")
    s: dict = {}
    m.sheets["ByYear"] = s
    s[(1, 1)] = "Unit economics by year"
    heads = ["Year", "Units", "Price ($/unit)", "Revenue ($)", "Cost ($)", "Margin ($)"]
    for j, h in enumerate(heads):
        s[(2, 1 + j)] = h
    n = rng.randint(4, 10)
    start = rng.randint(2010, 2020)
    for i in range(n):
        r = 3 + i
        s[(r, 1)] = str(start + i)
        s[(r, 2)] = rng.randint(100, 5000)
        s[(r, 3)] = round(rng.uniform(2, 40), 2)
        s[(r, 4)] = f"={a1(r, 2)}*{a1(r, 3)}"
        s[(r, 5)] = rng.randint(100, 30000)
        s[(r, 6)] = f"={a1(r, 4)}-{a1(r, 5)}"
    t = 3 + n
    s[(t, 1)] = "Total"
    for c in (2, 4, 5, 6):
        s[(t, c)] = f"=SUM({a1(3, c)}:{a1(t - 1, c)})"
    s[(t, 3)] = f"={a1(t, 4)}/{a1(t, 2)}"
    return m


SHAPES = {
    "gpu_fleet": build_gpu_fleet,
    "monthly_plan": build_monthly_plan,
    "regional_rollup": build_regional_rollup,
    "growth_block": build_growth_block,
    "budget_subtotals": build_budget_subtotals,
    "transposed": build_transposed,
}
