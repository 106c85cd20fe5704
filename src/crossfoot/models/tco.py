"""GPU fleet cost of ownership: capex, yearly operating cost, TCO and cost per GPU-hour.

A fleet is a list of accelerator types with counts. For each type:

- server capex ($) = GPUs x server capex per GPU, where server capex per GPU is given or
  is GPU price x server overhead;
- networking capex ($) = server capex x share / (1 - share)  (share of total capex);
- facility capex ($) = IT power (MW) x datacentre build cost ($/MW), when one is given;
- IT power (kW) = GPUs x GPU power (kW) x server power ratio;
- energy ($/yr) = IT power x load factor x PUE x hours per year x electricity ($/kWh);
- colocation ($/yr) = IT power x $/kW-month x 12;
- maintenance ($/yr) = share x (server + networking capex); plus other $/GPU-yr;
- operating cost ($/yr) = the sum above, or a given figure (per year, or over the life);
- capital charge ($/yr) = capex x CRF(cost of capital, life)  (capex / life at 0%);
- TCO per year ($/yr) = capital charge + operating cost; TCO over the life = x life;
- cost per GPU-hour ($/GPU-h) = TCO per year / (GPUs x hours per year x utilisation).

Fleet totals sum the stocks ($) and flows ($/yr); per-unit figures are ratios of the
totals, i.e. weighted by GPUs (capex per GPU) or GPU-hours (cost per GPU-hour).

All arithmetic is numpy, so ``evaluate`` takes floats for the base case and arrays for a
Monte Carlo run alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from crossfoot.models import catalogue as cat
from crossfoot.models.inputs import (InputError, Sourced, TomlDocument, check_keys, key_name,
                                     parse_quantity)
from crossfoot.models.uncertainty import Interval, Quantity, Tornado, draw, summarise, tornado

# Per-type inputs, with the bounds a value must respect.
TYPE_KEYS: dict[str, dict[str, Any]] = {
    "count": {"minimum": 0, "integer": True},
    "gpu_price": {"minimum": 0},
    "server_overhead": {"minimum": 0},
    "server_cost_per_gpu": {"minimum": 0},
    "networking_share": {"minimum": 0, "maximum": 0.95},
    "gpu_power_w": {"minimum": 0},
    "server_power_ratio": {"minimum": 0},
    "load_factor": {"minimum": 0, "maximum": 1.5},
    "pue": {"minimum": 1.0, "maximum": 5.0},
    "electricity_per_kwh": {"minimum": 0},
    "colocation_per_kw_month": {"minimum": 0},
    "dc_build_per_mw": {"minimum": 0},
    "maintenance": {"minimum": 0, "maximum": 1.0},
    "other_opex_per_gpu_year": {"minimum": 0},
    "opex_per_year": {"minimum": 0},
    "opex_over_life": {"minimum": 0},
    "life_years": {"minimum": 0.25, "maximum": 50},
    "cost_of_capital": {"minimum": 0, "maximum": 1.0},
    "utilisation": {"minimum": 0.001, "maximum": 1.0},
}
# Inputs used when operating cost is computed rather than given.
OPEX_KEYS = ("gpu_power_w", "server_power_ratio", "load_factor", "pue", "electricity_per_kwh",
             "colocation_per_kw_month", "maintenance", "other_opex_per_gpu_year")
LABELS: dict[str, str] = {
    "count": "GPUs", "gpu_price": "GPU price", "server_overhead": "server overhead",
    "server_cost_per_gpu": "server capex per GPU", "networking_share": "networking share",
    "gpu_power_w": "GPU power", "server_power_ratio": "server power ratio",
    "load_factor": "load factor", "pue": "PUE", "electricity_per_kwh": "electricity",
    "colocation_per_kw_month": "colocation", "dc_build_per_mw": "datacentre build",
    "maintenance": "maintenance", "other_opex_per_gpu_year": "other operating cost",
    "opex_per_year": "operating cost (given)", "opex_over_life": "operating cost over life (given)",
    "life_years": "life", "cost_of_capital": "cost of capital", "utilisation": "utilisation",
    "hours_per_year": "hours per year",
}
# Outputs: name -> (label, unit, kind) where kind is "stock", "flow", "count" or "per-unit".
OUTPUTS: dict[str, tuple[str, str, str]] = {
    "gpus": ("GPUs", "GPUs", "count"),
    "server_capex": ("Server capex", "$", "stock"),
    "networking_capex": ("Networking capex", "$", "stock"),
    "facility_capex": ("Facility capex", "$", "stock"),
    "capex": ("Capex", "$", "stock"),
    "capex_per_gpu": ("Capex per GPU", "$/GPU", "per-unit"),
    "it_power_kw": ("IT power", "kW", "stock"),
    "energy": ("Energy", "$/yr", "flow"),
    "colocation": ("Colocation", "$/yr", "flow"),
    "maintenance": ("Maintenance", "$/yr", "flow"),
    "other_opex": ("Other operating cost", "$/yr", "flow"),
    "given_opex": ("Operating cost as given", "$/yr", "flow"),
    "opex_per_year": ("Operating cost", "$/yr", "flow"),
    "capital_charge": ("Capital charge", "$/yr", "flow"),
    "tco_per_year": ("TCO per year", "$/yr", "flow"),
    "opex_over_life": ("Operating cost over the life", "$", "stock"),
    "tco_over_life": ("TCO over the life", "$", "stock"),
    "gpu_hours_per_year": ("GPU-hours", "GPU-h/yr", "flow"),
    "cost_per_gpu_hour": ("Cost per GPU-hour", "$/GPU-h", "per-unit"),
}


@dataclass
class FleetType:
    """One accelerator type of the fleet with every input resolved to a ``Sourced``."""

    name: str
    model: str | None
    inputs: dict[str, Sourced]
    server_from_price: bool      # server capex per GPU = GPU price x server overhead
    opex_given: str | None       # None, "opex_per_year" or "opex_over_life"

    def used_inputs(self) -> list[str]:
        keys = ["count"]
        keys += ["gpu_price", "server_overhead"] if self.server_from_price else ["server_cost_per_gpu"]
        keys += ["networking_share"]
        if self.opex_given:
            keys += [self.opex_given]
        else:
            keys += list(OPEX_KEYS)
        if self.inputs["dc_build_per_mw"].value or self.inputs["dc_build_per_mw"].quantity.uncertain:
            keys += ["dc_build_per_mw", "gpu_power_w", "server_power_ratio"]
        keys += ["life_years", "cost_of_capital", "utilisation"]
        return list(dict.fromkeys(keys))


@dataclass
class Fleet:
    title: str
    region: str | None
    types: list[FleetType]
    hours_per_year: Sourced
    groups: dict[str, list[str]] = field(default_factory=dict)
    path: str | None = None

    def quantities(self) -> list[tuple[str, str, Quantity]]:
        """(type name, input key, quantity) for every used input."""
        out = [("fleet", "hours_per_year", self.hours_per_year.quantity)]
        for t in self.types:
            out += [(t.name, k, t.inputs[k].quantity) for k in t.used_inputs()]
        return out


FLEET_KEYS = {"title", "region", "hours_per_year", "defaults", "groups", "accelerator"}


def load_fleet(path: str | Path) -> Fleet:
    """Read a fleet file (see docs/economics.md); raises ``InputError``."""
    return fleet_from_document(TomlDocument.read(path))


def fleet_from_document(doc: TomlDocument) -> Fleet:
    data = doc.data
    check_keys(doc, data, (), FLEET_KEYS)
    title = data.get("title", "GPU fleet")
    if not isinstance(title, str):
        raise doc.error(("title",), "expected a string")
    catalogue = cat.accelerators()
    presets = cat.regions()
    defaults = cat.tco_defaults()
    region = data.get("region")
    region_values: dict[str, Sourced] = {}
    if region is not None:
        if not isinstance(region, str) or region.lower() not in presets:
            raise doc.error(("region",), f"unknown region {region!r}; expected one of {', '.join(presets)}")
        region = region.lower()
        region_values = presets[region]
    hours = (parse_quantity(data["hours_per_year"], doc, ("hours_per_year",), unit="h/yr", minimum=1)
             if "hours_per_year" in data else defaults["hours_per_year"])

    file_defaults: dict[str, Sourced] = {}
    if "defaults" in data:
        table = data["defaults"]
        if not isinstance(table, dict):
            raise doc.error(("defaults",), "expected a table of inputs that apply to every accelerator")
        check_keys(doc, table, ("defaults",), set(TYPE_KEYS) - {"count", "opex_per_year", "opex_over_life"})
        for key, raw in table.items():
            file_defaults[key] = parse_quantity(raw, doc, ("defaults", key), unit=cat.TCO_UNITS[key],
                                                **TYPE_KEYS[key])

    rows = data.get("accelerator")
    if not isinstance(rows, list) or not rows:
        raise doc.error(("accelerator",), "expected one or more [[accelerator]] tables, each with a name and a count")
    types: list[FleetType] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        path = ("accelerator", i)
        if not isinstance(row, dict):
            raise doc.error(path, "expected a table")
        check_keys(doc, row, path, set(TYPE_KEYS) | {"name", "model"})
        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            raise doc.error((*path, "name"), "missing: the accelerator's name (e.g. \"H100\")")
        if name in seen:
            raise doc.error((*path, "name"), f"duplicate accelerator name {name!r}")
        seen.add(name)
        model = row.get("model", name if name in catalogue else None)
        if model is not None and model not in catalogue:
            raise doc.error((*path, "model"), f"no catalogue entry {model!r}; expected one of {', '.join(catalogue)}")
        if "count" not in row:
            raise doc.error((*path, "count"), "missing: the number of GPUs of this type")
        given = {key: parse_quantity(raw, doc, (*path, key), unit=cat.TCO_UNITS[key], **TYPE_KEYS[key])
                 for key, raw in row.items() if key in TYPE_KEYS}
        if "opex_per_year" in given and "opex_over_life" in given:
            raise doc.error((*path, "opex_over_life"), "give opex_per_year or opex_over_life, not both")
        entry = catalogue[model].values if model else {}
        inputs: dict[str, Sourced] = {}
        for key in TYPE_KEYS:
            for source in (given, file_defaults, entry, region_values, defaults):
                if key in source:
                    inputs[key] = source[key]
                    break
        file_price = any(k in src for src in (given, file_defaults) for k in ("gpu_price", "server_overhead"))
        file_server = any("server_cost_per_gpu" in src for src in (given, file_defaults))
        server_from_price = (not file_server and file_price) or "server_cost_per_gpu" not in inputs
        if server_from_price and "gpu_price" not in inputs:
            where = f"catalogue entry {model!r} has no GPU price" if model else \
                f"{name!r} is not in the catalogue ({', '.join(catalogue)})"
            raise doc.error((*path, "server_cost_per_gpu"),
                            f"missing: give server_cost_per_gpu or gpu_price ($/GPU); {where}")
        opex_given = next((k for k in ("opex_per_year", "opex_over_life") if k in given), None)
        need_power = not opex_given or inputs["dc_build_per_mw"].value > 0
        if need_power and "gpu_power_w" not in inputs:
            raise doc.error((*path, "gpu_power_w"),
                            "missing: GPU power (W) is needed to compute energy and colocation; "
                            "give gpu_power_w, or opex_per_year / opex_over_life")
        if not opex_given:
            for key in OPEX_KEYS:
                if key not in inputs:
                    raise doc.error((*path, key), f"missing: {LABELS[key]} ({cat.TCO_UNITS[key]}); "
                                    "give it here, in [defaults], or choose a region")
        types.append(FleetType(name, model, inputs, server_from_price, opex_given))

    groups: dict[str, list[str]] = {}
    if "groups" in data:
        table = data["groups"]
        if not isinstance(table, dict):
            raise doc.error(("groups",), "expected a table of name = [accelerator names]")
        for gname, members in table.items():
            if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
                raise doc.error(("groups", gname), "expected a list of accelerator names")
            unknown = [m for m in members if m not in seen]
            if unknown:
                raise doc.error(("groups", gname), f"no accelerator named {unknown[0]!r} in this fleet")
            groups[gname] = members
    return Fleet(title, region, types, hours, groups, doc.path)


# ---------------------------------------------------------------------------- the model

def capital_recovery_factor(rate, years):
    """r / (1 - (1 + r)^-n): the yearly payment that repays 1 over n years at rate r;
    1/n when r = 0."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = rate / (1 - (1 + rate) ** -years)
    return np.where(rate == 0, 1 / years, crf)


def evaluate(fleet: Fleet, overrides: Mapping[int, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Outputs by type name and for ``"total"`` (and each group), as floats or arrays.
    ``overrides`` replaces inputs by quantity id (for Monte Carlo and tornado runs)."""
    ov = overrides or {}

    def val(s: Sourced):
        return ov.get(id(s.quantity), np.float64(s.quantity.value))

    hours = val(fleet.hours_per_year)
    out: dict[str, dict[str, Any]] = {}
    for t in fleet.types:
        v = {k: val(s) for k, s in t.inputs.items()}
        r: dict[str, Any] = {}
        gpus = v["count"]
        r["gpus"] = gpus * 1.0
        per_gpu = v["gpu_price"] * v["server_overhead"] if t.server_from_price else v["server_cost_per_gpu"]
        r["server_capex"] = gpus * per_gpu
        share = v["networking_share"]
        r["networking_capex"] = r["server_capex"] * share / (1 - share)
        if "gpu_power_w" in v:
            r["it_power_kw"] = gpus * v["gpu_power_w"] / 1000 * v["server_power_ratio"]
        else:
            r["it_power_kw"] = gpus * 0.0
        r["facility_capex"] = r["it_power_kw"] / 1000 * v["dc_build_per_mw"]
        r["capex"] = r["server_capex"] + r["networking_capex"] + r["facility_capex"]
        life = v["life_years"]
        zero = r["capex"] * 0.0
        if t.opex_given:
            given = v[t.opex_given] if t.opex_given == "opex_per_year" else v[t.opex_given] / life
            r.update(energy=zero, colocation=zero, maintenance=zero, other_opex=zero, given_opex=given + zero)
        else:
            r["energy"] = r["it_power_kw"] * v["load_factor"] * v["pue"] * hours * v["electricity_per_kwh"]
            r["colocation"] = r["it_power_kw"] * v["colocation_per_kw_month"] * 12
            r["maintenance"] = v["maintenance"] * (r["server_capex"] + r["networking_capex"])
            r["other_opex"] = gpus * v["other_opex_per_gpu_year"]
            r["given_opex"] = zero
        r["opex_per_year"] = r["energy"] + r["colocation"] + r["maintenance"] + r["other_opex"] + r["given_opex"]
        r["capital_charge"] = r["capex"] * capital_recovery_factor(v["cost_of_capital"], life)
        r["tco_per_year"] = r["capital_charge"] + r["opex_per_year"]
        r["opex_over_life"] = r["opex_per_year"] * life
        r["tco_over_life"] = r["tco_per_year"] * life
        r["gpu_hours_per_year"] = gpus * hours * v["utilisation"]
        with np.errstate(divide="ignore", invalid="ignore"):
            r["capex_per_gpu"] = r["capex"] / gpus
            r["cost_per_gpu_hour"] = r["tco_per_year"] / r["gpu_hours_per_year"]
        out[t.name] = r
    out["total"] = _aggregate([out[t.name] for t in fleet.types])
    for gname, members in fleet.groups.items():
        out[gname] = _aggregate([out[m] for m in members])
    return out


def _aggregate(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Stocks and flows summed; per-unit figures as ratios of the sums (weighted)."""
    agg: dict[str, Any] = {}
    for key, (_, _, kind) in OUTPUTS.items():
        if kind != "per-unit":
            agg[key] = sum(p[key] for p in parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["capex_per_gpu"] = agg["capex"] / agg["gpus"]
        agg["cost_per_gpu_hour"] = agg["tco_per_year"] / agg["gpu_hours_per_year"]
    return agg


@dataclass
class TcoResult:
    fleet: Fleet
    outputs: dict[str, dict[str, float]]   # type name / "total" / group -> output -> value

    @property
    def total(self) -> dict[str, float]:
        return self.outputs["total"]

    def by_type(self, name: str) -> dict[str, float]:
        return self.outputs[name]

    def inputs_table(self) -> list[dict[str, Any]]:
        """Every used input of every type with its unit and provenance."""
        rows = [{"type": "fleet", "input": "hours_per_year", "label": LABELS["hours_per_year"],
                 **self.fleet.hours_per_year.to_dict(), "describe": self.fleet.hours_per_year.describe()}]
        for t in self.fleet.types:
            for key in t.used_inputs():
                s = t.inputs[key]
                rows.append({"type": t.name, "input": key, "label": LABELS[key], **s.to_dict(),
                             "describe": s.describe()})
        return rows

    def to_dict(self) -> dict[str, Any]:
        def clean(d):
            return {k: (None if not np.isfinite(x) else float(x)) for k, x in d.items()}

        return {
            "title": self.fleet.title, "region": self.fleet.region,
            "units": {k: u for k, (_, u, _) in OUTPUTS.items()},
            "kinds": {k: kind for k, (_, _, kind) in OUTPUTS.items()},
            "types": [{"name": t.name, "model": t.model, "outputs": clean(self.outputs[t.name]),
                       "opex": "given" if t.opex_given else "computed"} for t in self.fleet.types],
            "groups": {g: {"members": m, "outputs": clean(self.outputs[g])} for g, m in self.fleet.groups.items()},
            "total": clean(self.total),
            "inputs": self.inputs_table(),
        }


def compute(fleet: Fleet) -> TcoResult:
    raw = evaluate(fleet)
    return TcoResult(fleet, {k: {o: float(x) for o, x in d.items()} for k, d in raw.items()})


def run(path: str | Path) -> TcoResult:
    return compute(load_fleet(path))


# ---------------------------------------------------------------------- uncertainty

def _input_names(fleet: Fleet) -> dict[int, tuple[str, str, list[str]]]:
    """quantity id -> (input key, unit, [type names using it])."""
    names: dict[int, tuple[str, str, list[str]]] = {}
    for tname, key, q in fleet.quantities():
        if key in ("count", "hours_per_year"):
            continue
        unit = cat.TCO_UNITS[key]
        if id(q) in names:
            names[id(q)][2].append(tname)
        else:
            names[id(q)] = (key, unit, [tname])
    return names


def tco_tornado(fleet: Fleet, output: str = "tco_per_year", swing: float = 0.2,
                top: int | None = 12) -> Tornado:
    """Each input at its low and high value (its range, or base -/+ ``swing``), the
    others at base, and the fleet's ``output``; widest bars first."""
    all_types = [t.name for t in fleet.types]
    quantities = {}
    lookup = {id(q): q for _, _, q in fleet.quantities()}
    for qid, (key, unit, users) in _input_names(fleet).items():
        who = "all types" if set(users) == set(all_types) and len(users) > 1 else ", ".join(users)
        quantities[f"{LABELS[key]} ({who})"] = (lookup[qid], unit)
    label, unit, _ = OUTPUTS[output]
    return tornado(quantities, lambda ov: evaluate(fleet, ov)["total"][output], f"Fleet {label[0].lower() + label[1:] if not label.startswith('TCO') else label}",
                   unit, swing, top)


@dataclass
class MonteCarlo:
    samples: int
    seed: int | None
    intervals: list[Interval]
    draws: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "seed": self.seed, "outputs": [i.to_dict() for i in self.intervals]}


MC_OUTPUTS = ("capex", "opex_per_year", "tco_per_year", "tco_over_life", "cost_per_gpu_hour")


def tco_monte_carlo(fleet: Fleet, samples: int = 10_000, seed: int | None = 0) -> MonteCarlo:
    """Median and 90% interval of the fleet outputs, for every uncertain input drawn at
    once (vectorised)."""
    quantities = [q for _, _, q in fleet.quantities() if q.uncertain]
    draws = draw(quantities, samples, seed)
    sim = evaluate(fleet, draws)
    base = evaluate(fleet)
    intervals = []
    kept = {}
    for scope in ["total", *fleet.groups, *[t.name for t in fleet.types]]:
        for key in MC_OUTPUTS:
            label, unit, _ = OUTPUTS[key]
            arr = np.broadcast_to(np.asarray(sim[scope][key], dtype=float), (samples,))
            name = f"{'Fleet' if scope == 'total' else scope} {label if label.startswith('TCO') else label[0].lower() + label[1:]}"
            intervals.append(summarise(name, unit, float(base[scope][key]), arr))
            if scope == "total":
                kept[key] = arr
    return MonteCarlo(samples, seed, intervals, kept)


# --------------------------------------------------------------------- DeepSeek case

DEEPSEEK_COUNT_PROVENANCE = {
    "A100": ("quoted", "10,000 A100 bought in 2021 (S1 SemiAnalysis 2025-01-31; S2)"),
    "H20": ("derived", "50,000 Hoppers - 10k H800 - 10k H100 (S1)"),
    "H800": ("quoted", "~10k H800 (S1)"),
    "H100": ("quoted", "~10k H100 (S1)"),
}
DEEPSEEK_OPEX_PROVENANCE = {
    "A100": ("derived", "944 - (4 x 545 - 1,400) (S1, S2)"),
    "H20": ("reconstructed", "H20 + H800 = 551 (derived), split by power 30k x 400 W : 10k x 700 W"),
    "H800": ("reconstructed", "H20 + H800 = 551 (derived), split by power 30k x 400 W : 10k x 700 W"),
    "H100": ("derived", "944 - 715 (S1, S3)"),
}


def deepseek_fleet_data() -> dict[str, Any]:
    """The DeepSeek fleet as a fleet-file dictionary, built from the case's per-column
    values (``fleet_table.toml``) with the provenance of each figure."""
    from crossfoot.cases.deepseek import load_toml

    table = load_toml("fleet_table.toml")
    rows = table["rows"]
    horizon = rows["opex"]["horizon_years"]
    accelerators = []
    for i, name in enumerate(table["columns"]):
        tag, note = DEEPSEEK_COUNT_PROVENANCE.get(name, ("reconstructed", rows["gpus"]["provenance"]))
        otag, onote = DEEPSEEK_OPEX_PROVENANCE.get(name, ("reconstructed", rows["opex"]["provenance"]))
        accelerators.append({
            "name": name,
            "count": {"value": rows["gpus"]["values"][i], "provenance": tag, "note": note},
            "server_cost_per_gpu": {"value": rows["capex_per_gpu"]["values"][i], "provenance": "reconstructed",
                                    "note": "chosen so that the published capex totals hold"},
            "opex_over_life": {"value": rows["opex"]["values"][i] * 1e6, "provenance": otag,
                               "note": f"{onote}; a {horizon}-year cost"},
        })
    return {
        "title": "DeepSeek GPU fleet, corrected (SemiAnalysis 2025-01-31, reconstructed)",
        "defaults": {
            "networking_share": {"value": 0, "provenance": "assumption",
                                 "note": "the table's server capex is taken as the whole capex"},
            "life_years": {"value": horizon, "provenance": "quoted", "note": "the table's 'TCO (4y Ownership)'"},
            "cost_of_capital": {"value": 0, "provenance": "assumption",
                                "note": "the table charges no financing cost"},
        },
        "groups": {"Hoppers": list(table["hoppers"])},
        "accelerator": accelerators,
    }


def deepseek_fleet() -> Fleet:
    return fleet_from_document(TomlDocument.from_data(deepseek_fleet_data(), "deepseek fleet (case data)"))


def write_corrected_fleet(path: str | Path) -> Path:
    """Write the corrected DeepSeek fleet (``deepseek_fleet_corrected.xlsx``) with live
    formulas: capex summed over all four columns, weighted per-GPU figures, TCO per year."""
    from crossfoot.models.xlsx_export import write_tco_xlsx

    return write_tco_xlsx(compute(deepseek_fleet()), path)


__all__ = ["Fleet", "FleetType", "InputError", "MonteCarlo", "TcoResult", "compute", "deepseek_fleet",
           "evaluate", "load_fleet", "run", "tco_monte_carlo", "tco_tornado", "write_corrected_fleet",
           "key_name"]
