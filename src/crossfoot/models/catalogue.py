"""The bundled, sourced defaults: accelerators, region presets, fleet-wide defaults, fund
fees and peers' capex (``crossfoot/data/catalogue/*.toml``).

Every value is a ``Sourced`` with a citation and the date of the figure; an input file may
override any of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from crossfoot.models.inputs import InputError, Sourced, TomlDocument, parse_quantity

CATALOGUE_PACKAGE = "crossfoot.data.catalogue"

# Units of every per-type TCO input; the catalogue and the input files use these keys.
TCO_UNITS: dict[str, str] = {
    "count": "GPUs",
    "gpu_price": "$/GPU",
    "server_overhead": "x GPU price",
    "server_cost_per_gpu": "$/GPU",
    "networking_share": "share of capex",
    "gpu_power_w": "W",
    "server_power_ratio": "x GPU power",
    "load_factor": "share of peak power",
    "pue": "ratio",
    "electricity_per_kwh": "$/kWh",
    "colocation_per_kw_month": "$/kW-month",
    "dc_build_per_mw": "$/MW",
    "maintenance": "share of capex per yr",
    "other_opex_per_gpu_year": "$/GPU-yr",
    "opex_per_year": "$/yr",
    "opex_over_life": "$",
    "life_years": "years",
    "cost_of_capital": "per yr",
    "utilisation": "share of hours",
    "hours_per_year": "h/yr",
}
FEE_UNITS: dict[str, str] = {
    "management_fee": "share of average AUM per yr",
    "performance_fee": "share of gain above the high-water mark",
    "hurdle": "per yr",
    "channel_share": "share of management fee",
    "opex_share_of_aum": "share of average AUM per yr",
    "reinvested_share": "share of revenue",
}


def catalogue_file(name: str) -> Path:
    return Path(str(resources.files(CATALOGUE_PACKAGE).joinpath(name)))


def _sourced_table(doc: TomlDocument, table: dict[str, Any], path: tuple, origin: str,
                   units: dict[str, str]) -> dict[str, Sourced]:
    out = {}
    for key, raw in table.items():
        if key in ("description",):
            continue
        unit = raw.get("unit") if isinstance(raw, dict) and "unit" in raw else units.get(key, "")
        s = parse_quantity(raw, doc, (*path, key), unit=unit, origin=origin)
        if not s.source or not s.date:
            raise doc.error((*path, key), "every catalogue value needs a 'source' and a 'date'")
        if s.provenance is None:
            s.provenance = "quoted"
        out[key] = s
    return out


@dataclass
class Accelerator:
    name: str
    description: str
    values: dict[str, Sourced]


@lru_cache(maxsize=None)
def _doc(name: str) -> TomlDocument:
    return TomlDocument.read(catalogue_file(name))


def accelerators() -> dict[str, Accelerator]:
    """Catalogue entries by name (A100, H100, H800, H20, H200, B200)."""
    doc = _doc("accelerators.toml")
    return {name: Accelerator(name, spec.get("description", name),
                              _sourced_table(doc, spec, (name,), "catalogue", TCO_UNITS))
            for name, spec in doc.data.items()}


def regions() -> dict[str, dict[str, Sourced]]:
    """Region presets by name (us, china)."""
    doc = _doc("regions.toml")
    return {name: _sourced_table(doc, spec, (name,), f"region {name}", TCO_UNITS)
            for name, spec in doc.data.items()}


def region_description(name: str) -> str:
    return _doc("regions.toml").data[name].get("description", name)


def tco_defaults() -> dict[str, Sourced]:
    doc = _doc("defaults.toml")
    return _sourced_table(doc, doc.data, (), "defaults", TCO_UNITS)


def fee_defaults() -> dict[str, Sourced]:
    doc = _doc("fees.toml")
    return _sourced_table(doc, doc.data, (), "defaults", FEE_UNITS)


@dataclass
class Peer:
    """A firm's annual capex ($m) against its revenue ($m/yr) and AUM ($bn)."""

    name: str
    capex: float
    revenue: float | None = None
    aum_bn: float | None = None
    sources: dict[str, str] | None = None

    @property
    def capex_to_revenue(self) -> float | None:
        return self.capex / self.revenue if self.revenue else None

    @property
    def capex_to_aum(self) -> float | None:
        return self.capex / (self.aum_bn * 1000) if self.aum_bn else None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "capex_m_per_yr": self.capex, "revenue_m_per_yr": self.revenue,
                "aum_bn": self.aum_bn, "capex_to_revenue": self.capex_to_revenue,
                "capex_to_aum": self.capex_to_aum, "sources": self.sources or {}}


def parse_peers(doc: TomlDocument) -> list[Peer]:
    rows = doc.data.get("peers")
    if not isinstance(rows, list) or not rows:
        raise doc.error(("peers",), "expected one or more [[peers]] tables with name and capex ($m/yr)")
    out = []
    for i, row in enumerate(rows):
        path = ("peers", i)
        if not isinstance(row, dict):
            raise doc.error(path, "expected a table")
        if not isinstance(row.get("name"), str):
            raise doc.error((*path, "name"), "expected the firm's name (a string)")
        nums = {}
        for key in ("capex", "revenue", "aum_bn"):
            v = row.get(key)
            if v is None:
                if key == "capex":
                    raise doc.error((*path, key), "missing: the firm's annual capex ($m)")
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                raise doc.error((*path, key), f"expected a positive number, got {v!r}")
            nums[key] = float(v)
        sources = {k: str(v) for k, v in row.items() if k.endswith(("_source", "_note", "_date", "_year"))}
        out.append(Peer(row["name"], nums["capex"], nums.get("revenue"), nums.get("aum_bn"), sources))
    return out


def peers(path: str | Path | None = None) -> list[Peer]:
    """Peers' capex intensity: the bundled list, or a peers file in the same format."""
    doc = _doc("peers.toml") if path is None else TomlDocument.read(path)
    return parse_peers(doc)


def check_catalogue() -> None:
    """Load every catalogue file (raises InputError on a value without source or date)."""
    accelerators(), regions(), tco_defaults(), fee_defaults(), peers()


__all__ = ["Accelerator", "InputError", "Peer", "accelerators", "check_catalogue", "fee_defaults",
           "peers", "regions", "tco_defaults"]
