"""Fund fee economics: what a fund manager earns and can reinvest, year by year.

Each year, per unit of the fund (NAV per unit ``N``, high-water mark ``H``):

- gross NAV ``Ng = N0 x (1 + gross return)``; management fee per unit
  ``m x (N0 + Ng) / 2`` (on the average NAV of the year);
- NAV before the performance fee ``Npre = Ng - management fee``;
- hurdle level ``max(H, last year's level) x (1 + h)``: the mark grown by the hurdle, and
  compounding by ``(1 + h)`` each year until a fee is crystallised (``H`` when ``h = 0``);
- performance fee per unit ``p x max(0, Npre - hurdle level)``, crystallised at year end;
- NAV at year end ``N1 = Npre - performance fee``, the next year's start: returns are
  applied to the NAV net of fees; ``H <- max(H, N1)``.

In money: units = average AUM / average gross NAV per unit, so the management fee is
``m x average AUM`` and the performance fee is the per-unit fee x units. Average AUM is
given per year (``aum_bn``), or follows from an opening NAV and yearly flows
(``opening_nav_bn`` and ``flow_bn`` at the start of each year).

The manager's P&L: revenue = management + performance fees; less the channel's share of
the management fee and operating costs; the reinvested share of what is left is the cash
available to reinvest (a loss year reduces it in full). Its running sum is the capacity
a capex claim is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from crossfoot.models import catalogue as cat
from crossfoot.models.inputs import InputError, Sourced, TomlDocument, check_keys, parse_quantity
from crossfoot.models.uncertainty import Interval, Quantity, draw, summarise

FEE_KEYS = {
    "management_fee": {"minimum": 0, "maximum": 0.2},
    "performance_fee": {"minimum": 0, "maximum": 1.0},
    "hurdle": {"minimum": -0.5, "maximum": 1.0},
    "channel_share": {"minimum": 0, "maximum": 1.0},
    "opex_share_of_aum": {"minimum": 0, "maximum": 0.2},
    "reinvested_share": {"minimum": 0, "maximum": 1.0},
}
FUND_KEYS = {"name", "currency", "high_water_mark", "opening_nav_bn", "years", "thread_estimates",
             "claims", "notes", *FEE_KEYS}
YEAR_KEYS = {"year", "aum_bn", "gross_return", "flow_bn", "opex_m"}

# Columns of the yearly P&L: key -> (label, unit).
COLUMNS: dict[str, tuple[str, str]] = {
    "year": ("Year", ""),
    "average_aum": ("Average AUM", "$m"),
    "gross_return": ("Gross return", "%"),
    "nav_start": ("NAV per unit, start", "per unit"),
    "nav_gross": ("Gross NAV per unit", "per unit"),
    "management_fee_per_unit": ("Management fee per unit", "per unit"),
    "nav_before_performance_fee": ("NAV per unit before performance fee", "per unit"),
    "hurdle_level": ("Hurdle level per unit", "per unit"),
    "performance_fee_per_unit": ("Performance fee per unit", "per unit"),
    "nav_end": ("NAV per unit, end", "per unit"),
    "high_water_mark": ("High-water mark per unit, end", "per unit"),
    "net_return": ("Net return to investors", "%"),
    "units": ("Units", "m units"),
    "management_fee": ("Management fee", "$m/yr"),
    "performance_fee": ("Performance fee", "$m/yr"),
    "revenue": ("Fee revenue", "$m/yr"),
    "channel": ("Channel share", "$m/yr"),
    "opex": ("Operating costs", "$m/yr"),
    "net_revenue": ("Net fee income", "$m/yr"),
    "reinvestable": ("Cash to reinvest", "$m/yr"),
    "cumulative_reinvestable": ("Cumulative cash to reinvest", "$m"),
}
FLOW_COLUMNS = ("management_fee", "performance_fee", "revenue", "channel", "opex", "net_revenue", "reinvestable")


@dataclass
class YearInput:
    year: int
    gross_return: Sourced
    aum_bn: Sourced | None = None
    flow_bn: Sourced | None = None
    opex_m: Sourced | None = None


@dataclass
class FundInputs:
    name: str
    currency: str
    fees: dict[str, Sourced]
    high_water_mark: bool
    years: list[YearInput]
    opening_nav_bn: Sourced | None = None
    claims: dict[str, float] = field(default_factory=dict)
    thread_estimates: dict[str, Any] = field(default_factory=dict)
    path: str | None = None

    @property
    def mode(self) -> str:
        return "flows" if self.opening_nav_bn is not None else "aum"

    def quantities(self) -> list[Quantity]:
        out = [s.quantity for s in self.fees.values()]
        if self.opening_nav_bn is not None:
            out.append(self.opening_nav_bn.quantity)
        for y in self.years:
            out += [s.quantity for s in (y.gross_return, y.aum_bn, y.flow_bn, y.opex_m) if s is not None]
        return out


def load_fund(path: str | Path) -> FundInputs:
    return fund_from_document(TomlDocument.read(path))


def fund_from_document(doc: TomlDocument) -> FundInputs:
    data = doc.data
    check_keys(doc, data, (), FUND_KEYS)
    defaults = cat.fee_defaults()
    fees = {}
    for key, bounds in FEE_KEYS.items():
        if key in data:
            fees[key] = parse_quantity(data[key], doc, (key,), unit=cat.FEE_UNITS[key], **bounds)
        else:
            fees[key] = defaults[key]
    hwm = data.get("high_water_mark", True)
    if not isinstance(hwm, bool):
        raise doc.error(("high_water_mark",), f"expected true or false, got {hwm!r}")
    name = data.get("name", "Fund")
    currency = data.get("currency", "USD")
    for key, v in (("name", name), ("currency", currency)):
        if not isinstance(v, str):
            raise doc.error((key,), f"expected a string, got {v!r}")
    opening = (parse_quantity(data["opening_nav_bn"], doc, ("opening_nav_bn",), unit="$bn", minimum=0)
               if "opening_nav_bn" in data else None)
    rows = data.get("years")
    if not isinstance(rows, list) or not rows:
        raise doc.error(("years",), "expected one or more [[years]] tables with year, gross_return and "
                        "aum_bn (or opening_nav_bn at the top and flow_bn per year)")
    years: list[YearInput] = []
    for i, row in enumerate(rows):
        path = ("years", i)
        if not isinstance(row, dict):
            raise doc.error(path, "expected a table")
        check_keys(doc, row, path, YEAR_KEYS)
        year = row.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise doc.error((*path, "year"), f"expected a year (a whole number), got {year!r}")
        if years and year != years[-1].year + 1:
            raise doc.error((*path, "year"), f"expected {years[-1].year + 1} (years must be consecutive), got {year}")
        if "gross_return" not in row:
            raise doc.error((*path, "gross_return"), "missing: the fund's gross return that year (e.g. 0.12 for 12%)")
        gross = parse_quantity(row["gross_return"], doc, (*path, "gross_return"), unit="per yr", minimum=-0.99)
        aum = flow = opex = None
        if opening is None:
            if "aum_bn" not in row:
                raise doc.error((*path, "aum_bn"), "missing: average AUM that year ($bn), "
                                "or give opening_nav_bn at the top and flow_bn per year")
            aum = parse_quantity(row["aum_bn"], doc, (*path, "aum_bn"), unit="$bn", minimum=0)
            if "flow_bn" in row:
                raise doc.error((*path, "flow_bn"), "flows need opening_nav_bn at the top (and no aum_bn)")
        else:
            if "aum_bn" in row:
                raise doc.error((*path, "aum_bn"), "give either aum_bn per year or opening_nav_bn with flow_bn, not both")
            flow = parse_quantity(row.get("flow_bn", 0), doc, (*path, "flow_bn"), unit="$bn")
        if "opex_m" in row:
            opex = parse_quantity(row["opex_m"], doc, (*path, "opex_m"), unit="$m/yr", minimum=0)
        years.append(YearInput(year, gross, aum, flow, opex))
    claims = {}
    if "claims" in data:
        table = data["claims"]
        if not isinstance(table, dict):
            raise doc.error(("claims",), "expected a table of name = amount ($m)")
        for k, v in table.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                raise doc.error(("claims", k), f"expected a positive amount ($m), got {v!r}")
            claims[k] = float(v)
    estimates = data.get("thread_estimates", {})
    return FundInputs(name, currency, fees, hwm, years, opening, claims,
                      estimates if isinstance(estimates, dict) else {}, doc.path)


# ---------------------------------------------------------------------------- the model

def evaluate(inputs: FundInputs, overrides: Mapping[int, Any] | None = None) -> dict[str, list[Any]]:
    """The yearly P&L as lists (one entry per year) of floats or arrays; ``overrides``
    replaces inputs by quantity id (Monte Carlo)."""
    ov = overrides or {}

    def val(s: Sourced | None, default: float = 0.0):
        if s is None:
            return np.float64(default)
        return ov.get(id(s.quantity), np.float64(s.quantity.value))

    m, p, h = (val(inputs.fees[k]) for k in ("management_fee", "performance_fee", "hurdle"))
    cs, ox, rs = (val(inputs.fees[k]) for k in ("channel_share", "opex_share_of_aum", "reinvested_share"))
    cols: dict[str, list[Any]] = {k: [] for k in COLUMNS}
    nav = np.float64(1.0)
    hwm = np.float64(1.0)
    level_prev = np.float64(1.0)   # the last year's hurdle level (the opening NAV at first)
    nav_money = val(inputs.opening_nav_bn) * 1000 if inputs.mode == "flows" else None
    cumulative = np.float64(0.0)
    for y in inputs.years:
        r = val(y.gross_return)
        nav_gross = nav * (1 + r)
        avg_pu = (nav + nav_gross) / 2
        mgmt_pu = m * avg_pu
        pre = nav_gross - mgmt_pu
        if inputs.high_water_mark:
            level = np.maximum(hwm, level_prev) * (1 + h)
        else:
            level = nav * (1 + h)
        perf_pu = p * np.maximum(0.0, pre - level)
        nav_end = pre - perf_pu
        if inputs.mode == "flows":
            units = (nav_money + val(y.flow_bn) * 1000) / nav
            avg_aum = units * avg_pu
            nav_money = units * nav_end
        else:
            avg_aum = val(y.aum_bn) * 1000
            units = avg_aum / avg_pu
        mgmt = m * avg_aum
        perf = perf_pu * units
        revenue = mgmt + perf
        channel = cs * mgmt
        opex = ox * avg_aum + val(y.opex_m)
        net = revenue - channel - opex
        reinvest = np.where(net > 0, rs * net, net)
        cumulative = cumulative + reinvest
        new_hwm = np.maximum(hwm, nav_end)
        row = {"year": y.year, "average_aum": avg_aum, "gross_return": r, "nav_start": nav,
               "nav_gross": nav_gross, "management_fee_per_unit": mgmt_pu,
               "nav_before_performance_fee": pre, "hurdle_level": level,
               "performance_fee_per_unit": perf_pu, "nav_end": nav_end, "high_water_mark": new_hwm,
               "net_return": nav_end / nav - 1, "units": units, "management_fee": mgmt,
               "performance_fee": perf, "revenue": revenue, "channel": channel, "opex": opex,
               "net_revenue": net, "reinvestable": reinvest, "cumulative_reinvestable": cumulative}
        for k, v in row.items():
            cols[k].append(v)
        level_prev = level
        hwm = new_hwm
        nav = nav_end
    return cols


@dataclass
class FundResult:
    inputs: FundInputs
    columns: dict[str, list[float]]

    @property
    def rows(self) -> list[dict[str, float]]:
        n = len(self.columns["year"])
        return [{k: self.columns[k][i] for k in COLUMNS} for i in range(n)]

    @property
    def totals(self) -> dict[str, float]:
        return {k: float(sum(self.columns[k])) for k in FLOW_COLUMNS}

    @property
    def lifetime_reinvestable(self) -> float:
        """Cumulative cash available to reinvest at the end of the last year ($m)."""
        return float(self.columns["cumulative_reinvestable"][-1])

    def reinvestable_between(self, first: int | None = None, last: int | None = None) -> float:
        return float(sum(v for y, v in zip(self.columns["year"], self.columns["reinvestable"])
                         if (first is None or y >= first) and (last is None or y <= last)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.inputs.name, "currency": self.inputs.currency, "mode": self.inputs.mode,
            "high_water_mark": self.inputs.high_water_mark,
            "units": {k: u for k, (_, u) in COLUMNS.items()},
            "fees": {k: s.to_dict() for k, s in self.inputs.fees.items()},
            "years": self.rows, "totals": self.totals,
            "lifetime_reinvestable_m": self.lifetime_reinvestable,
            "thread_estimates": self.inputs.thread_estimates,
        }


def run_fund(inputs: FundInputs) -> FundResult:
    cols = evaluate(inputs)
    return FundResult(inputs, {k: [int(x) if k == "year" else float(x) for x in v] for k, v in cols.items()})


def run(path: str | Path) -> FundResult:
    return run_fund(load_fund(path))


def deepseek_fund() -> FundInputs:
    """The funder's scenario bundled with the DeepSeek case (``fund.toml``)."""
    from crossfoot.cases.deepseek import case_file

    return fund_from_document(TomlDocument.read(case_file("fund.toml")))


@dataclass
class FundMonteCarlo:
    samples: int
    seed: int | None
    intervals: list[Interval]
    capacity: np.ndarray = field(repr=False)   # lifetime reinvestable cash per draw ($m)

    def to_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "seed": self.seed, "outputs": [i.to_dict() for i in self.intervals]}


def fund_monte_carlo(inputs: FundInputs, samples: int = 10_000, seed: int | None = 0) -> FundMonteCarlo:
    """Median and 90% interval of the lifetime fee totals and reinvestable cash."""
    draws = draw([q for q in inputs.quantities() if q.uncertain], samples, seed)
    sim = evaluate(inputs, draws)
    base = evaluate(inputs)
    intervals = []
    for key in ("management_fee", "performance_fee", "revenue", "reinvestable"):
        label, unit = COLUMNS[key]
        total = np.broadcast_to(np.asarray(sum(sim[key]), dtype=float), (samples,))
        intervals.append(summarise(f"Lifetime {label[0].lower() + label[1:]}", unit.replace("/yr", ""),
                                   float(sum(base[key])), total))
    capacity = np.broadcast_to(np.asarray(sim["cumulative_reinvestable"][-1], dtype=float), (samples,)).copy()
    return FundMonteCarlo(samples, seed, intervals, capacity)


__all__ = ["FundInputs", "FundMonteCarlo", "FundResult", "InputError", "deepseek_fund", "evaluate",
           "fund_monte_carlo", "load_fund", "run", "run_fund"]
