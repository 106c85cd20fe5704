"""The fleet TCO model: the DeepSeek figures, hand-computed per-GPU-hour arithmetic,
weighted aggregates, the sourced catalogue, overrides, and input errors."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pytest

from crossfoot.models import catalogue, tco
from crossfoot.models.inputs import InputError, TomlDocument

EXAMPLES = Path(str(resources.files("crossfoot.examples")))


def fleet_of(text: str) -> tco.Fleet:
    return tco.fleet_from_document(TomlDocument(text, "fleet.toml"))


def test_deepseek_fleet_reproduces_the_corrected_totals():
    r = tco.compute(tco.deepseek_fleet())
    assert r.total["gpus"] == 60_000
    assert r.total["capex"] == pytest.approx(1_600e6)
    assert r.total["opex_over_life"] == pytest.approx(944e6)
    assert r.total["tco_per_year"] == pytest.approx(636e6)          # (1,600 + 944) / 4
    assert r.total["tco_over_life"] == pytest.approx(2_544e6)
    hoppers = r.outputs["Hoppers"]
    assert hoppers["capex"] == pytest.approx(1_400e6)
    assert hoppers["opex_over_life"] == pytest.approx(780e6)
    assert hoppers["tco_per_year"] == pytest.approx(545e6)          # (1,400 + 780) / 4


def test_deepseek_fleet_per_type_capex_matches_the_case_columns():
    r = tco.compute(tco.deepseek_fleet())
    assert [r.outputs[n]["capex"] / 1e6 for n in ("A100", "H20", "H800", "H100")] == pytest.approx([200, 750, 350, 300])


def test_deepseek_per_gpu_figures_are_gpu_weighted_not_summed():
    r = tco.compute(tco.deepseek_fleet())
    assert r.total["capex_per_gpu"] == pytest.approx(26_666.67, abs=0.01)   # 1,600m / 60,000
    assert r.outputs["Hoppers"]["capex_per_gpu"] == pytest.approx(28_000)
    # cost per GPU-hour: 636m / (60,000 x 8,766 h)
    assert r.total["cost_per_gpu_hour"] == pytest.approx(636e6 / (60_000 * 8_766))


def test_shipped_deepseek_example_file_matches_the_case_data():
    from_file = tco.run(EXAMPLES / "deepseek_fleet.toml")
    from_case = tco.compute(tco.deepseek_fleet())
    for key in ("capex", "opex_over_life", "tco_per_year"):
        assert from_file.total[key] == pytest.approx(from_case.total[key])
        assert from_file.outputs["Hoppers"][key] == pytest.approx(from_case.outputs["Hoppers"][key])


def test_deepseek_inputs_carry_their_provenance():
    rows = {(r["type"], r["input"]): r for r in tco.compute(tco.deepseek_fleet()).inputs_table()}
    assert rows[("A100", "count")]["provenance"] == "quoted"
    assert rows[("H20", "count")]["provenance"] == "derived"
    assert rows[("H800", "server_cost_per_gpu")]["provenance"] == "reconstructed"
    assert rows[("A100", "opex_over_life")]["provenance"] == "derived"
    assert rows[("H20", "opex_over_life")]["provenance"] == "reconstructed"
    assert "944 - 715" in rows[("H100", "opex_over_life")]["note"]


HAND = """
title = "one type"
hours_per_year = 8766
[[accelerator]]
name = "X"
count = 1000
server_cost_per_gpu = 30000
networking_share = 0.2
gpu_power_w = 700
server_power_ratio = 1.8
load_factor = 0.75
pue = 1.25
electricity_per_kwh = 0.08
colocation_per_kw_month = 180
maintenance = 0.1
other_opex_per_gpu_year = 0
life_years = 4
cost_of_capital = 0
utilisation = 1.0
"""


def test_per_gpu_hour_arithmetic_by_hand():
    r = tco.compute(fleet_of(HAND)).total
    capex = 30_000 * 1000 / 0.8                     # server 30m + networking 7.5m
    kw = 1000 * 0.7 * 1.8                           # 1,260 kW of IT power
    energy = kw * 0.75 * 1.25 * 8766 * 0.08         # $828,387/yr
    colocation = kw * 180 * 12                      # $2,721,600/yr
    maintenance = 0.1 * capex                       # $3.75m/yr
    opex = energy + colocation + maintenance
    assert r["capex"] == pytest.approx(37.5e6)
    assert r["energy"] == pytest.approx(828_387.0)
    assert r["opex_per_year"] == pytest.approx(opex)
    assert r["tco_per_year"] == pytest.approx(capex / 4 + opex)
    assert r["cost_per_gpu_hour"] == pytest.approx((capex / 4 + opex) / (1000 * 8766))
    assert r["cost_per_gpu_hour"] == pytest.approx(1.902235, abs=1e-6)


def test_cost_of_capital_annualises_capex_with_the_capital_recovery_factor():
    r = tco.compute(fleet_of(HAND.replace("cost_of_capital = 0", "cost_of_capital = 0.1"))).total
    crf = 0.1 / (1 - 1.1 ** -4)                      # 0.315471
    assert float(tco.capital_recovery_factor(0.1, 4)) == pytest.approx(0.3154708)
    assert r["capital_charge"] == pytest.approx(37.5e6 * crf)
    assert r["tco_over_life"] == pytest.approx((37.5e6 * crf + r["opex_per_year"]) * 4)


def test_utilisation_spreads_the_same_cost_over_fewer_hours():
    full = tco.compute(fleet_of(HAND)).total
    part = tco.compute(fleet_of(HAND.replace("utilisation = 1.0", "utilisation = 0.8"))).total
    assert part["tco_per_year"] == pytest.approx(full["tco_per_year"])
    assert part["cost_per_gpu_hour"] == pytest.approx(full["cost_per_gpu_hour"] / 0.8)


def test_fleet_totals_sum_stocks_and_weight_per_unit_figures():
    text = """
[defaults]
networking_share = 0
life_years = 4
cost_of_capital = 0
[[accelerator]]
name = "A"
count = 9000
server_cost_per_gpu = 10000
opex_per_year = 9e6
[[accelerator]]
name = "B"
count = 1000
server_cost_per_gpu = 50000
opex_per_year = 1e6
"""
    r = tco.compute(fleet_of(text))
    assert r.total["capex"] == pytest.approx(140e6)
    assert r.total["opex_per_year"] == pytest.approx(10e6)
    assert r.total["capex_per_gpu"] == pytest.approx(14_000)          # not (10,000 + 50,000) / 2
    hours = 8766 * 10_000
    assert r.total["cost_per_gpu_hour"] == pytest.approx((35e6 + 10e6) / hours)


def test_given_operating_cost_over_the_life_is_spread_over_the_life():
    text = """
[[accelerator]]
name = "H100"
count = 100
opex_over_life = 4e6
life_years = 4
"""
    r = tco.compute(fleet_of(text)).total
    assert r["opex_per_year"] == pytest.approx(1e6)
    assert r["energy"] == 0 and r["given_opex"] == pytest.approx(1e6)


def test_catalogue_has_the_required_accelerators_and_regions_with_sources_and_dates():
    catalogue.check_catalogue()
    accels = catalogue.accelerators()
    assert {"A100", "H100", "H800", "H20", "H200", "B200"} <= set(accels)
    for entry in accels.values():
        for s in entry.values.values():
            assert s.source and s.date
    assert {"us", "china"} <= set(catalogue.regions())
    assert catalogue.regions()["us"]["electricity_per_kwh"].date == "2025"


def test_catalogue_region_and_file_values_resolve_in_order():
    text = """
region = "us"
[defaults]
pue = 1.1
[[accelerator]]
name = "H100"
count = 8
[[accelerator]]
name = "B200"
count = 8
electricity_per_kwh = 0.05
"""
    fleet = fleet_of(text)
    h100, b200 = fleet.types
    assert h100.inputs["server_cost_per_gpu"].origin == "catalogue"
    assert h100.inputs["server_cost_per_gpu"].value == 33_810
    assert h100.inputs["electricity_per_kwh"].origin == "region us"
    assert h100.inputs["pue"].value == 1.1 and h100.inputs["pue"].origin == "file"
    assert b200.inputs["electricity_per_kwh"].value == 0.05
    assert h100.inputs["life_years"].origin == "defaults"


def test_a_file_gpu_price_prices_the_server_with_the_overhead():
    text = """
region = "us"
[[accelerator]]
name = "H100"
count = 10
gpu_price = 25000
server_overhead = 1.5
"""
    fleet = fleet_of(text)
    assert fleet.types[0].server_from_price
    r = tco.compute(fleet).total
    assert r["server_capex"] == pytest.approx(10 * 25_000 * 1.5)


def test_datacentre_build_cost_adds_facility_capex():
    text = HAND + "dc_build_per_mw = 10e6\n"
    r = tco.compute(fleet_of(text)).total
    assert r["facility_capex"] == pytest.approx(1.26 * 10e6)          # 1.26 MW of IT power
    assert r["capex"] == pytest.approx(37.5e6 + 12.6e6)


def test_bundled_example_fleet_runs_and_is_bottom_up():
    r = tco.run(EXAMPLES / "fleet.toml")
    assert r.fleet.region == "china"
    assert r.total["gpus"] == 60_000
    assert r.total["energy"] > 0 and r.total["colocation"] > 0
    assert r.total["tco_per_year"] == pytest.approx(r.total["capital_charge"] + r.total["opex_per_year"])


@pytest.mark.parametrize("text, key, line, words", [
    ("[[accelerator]]\nname = \"H100\"\n", "accelerator[0].count", 1, "missing"),
    ("[[accelerator]]\nname = \"H100\"\ncount = \"lots\"\n", "accelerator[0].count", 3, "expected a number"),
    ("[[accelerator]]\nname = \"H100\"\ncount = 10\npeu = 1.2\n", "accelerator[0].peu", 4, "did you mean 'pue'"),
    ("region = \"mars\"\n[[accelerator]]\nname = \"H100\"\ncount = 1\n", "region", 1, "unknown region"),
    ("[[accelerator]]\nname = \"H100\"\ncount = 1\npue = 0.5\n", "accelerator[0].pue", 4, "below the minimum"),
    ("[[accelerator]]\nname = \"Z9\"\ncount = 1\n", "accelerator[0].server_cost_per_gpu", 1, "not in the catalogue"),
    ("title = \"x\"\n", "accelerator", None, "expected one or more [[accelerator]]"),
    ("[[accelerator]]\nname = \"H100\"\ncount = 1\nopex_per_year = 1\nopex_over_life = 4\n",
     "accelerator[0].opex_over_life", 5, "not both"),
    ("[[accelerator]]\nname = \"H100\"\ncount = {low = 5, high = 1}\n", "accelerator[0].count", 3, "'low' (5) is above"),
])
def test_malformed_fleet_files_name_the_key_the_line_and_the_expectation(text, key, line, words):
    with pytest.raises(InputError) as err:
        fleet_of(text)
    e = err.value
    assert e.key == key
    assert e.line == line
    assert words in str(e)
    assert "\n" not in str(e)


def test_invalid_toml_reports_its_line():
    with pytest.raises(InputError) as err:
        fleet_of("title = \"x\"\n[[accelerator]\nname = 1\n")
    assert err.value.line == 2
    assert "not valid TOML" in str(err.value)
    assert str(err.value).startswith("fleet.toml:2")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        tco.load_fleet(tmp_path / "nope.toml")


def test_totals_never_hide_a_type():
    r = tco.compute(tco.deepseek_fleet())
    for key in ("capex", "opex_per_year", "tco_per_year", "gpu_hours_per_year"):
        assert r.total[key] == pytest.approx(sum(r.outputs[t.name][key] for t in r.fleet.types))
    assert math.isfinite(r.total["cost_per_gpu_hour"])
