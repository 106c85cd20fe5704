"""The fund fee model: a high-water mark across a drawdown and recovery, management fees
on average AUM, hurdles, returns on net NAV, the manager's P&L, and input errors."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from crossfoot.models import fund
from crossfoot.models.inputs import InputError, TomlDocument

EXAMPLES = Path(str(resources.files("crossfoot.examples")))


def run(text: str) -> fund.FundResult:
    return fund.run_fund(fund.fund_from_document(TomlDocument(text, "fund.toml")))


def years(returns, **extra) -> str:
    lines = []
    for i, r in enumerate(returns):
        lines += ["[[years]]", f"year = {2020 + i}", f"gross_return = {r}"]
        lines += [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


DRAWDOWN = """
management_fee = 0
performance_fee = 0.2
hurdle = 0
reinvested_share = 1.0
opening_nav_bn = 0.1
""" + years([0.20, -0.25, 0.20, 0.20])


def test_high_water_mark_across_a_drawdown_and_recovery():
    r = run(DRAWDOWN)
    nav = r.columns["nav_end"]
    perf = r.columns["performance_fee"]
    # year 1: 1.00 -> 1.20 gross; fee 20% of 0.20 = 0.04 per unit; NAV 1.16 (the mark)
    assert nav[0] == pytest.approx(1.16)
    assert perf[0] == pytest.approx(0.04 * 100)                     # 100m units -> $4.0m
    # year 2: -25% -> 0.87, no fee
    assert nav[1] == pytest.approx(0.87) and perf[1] == 0
    # year 3: +20% -> 1.044, still below the 1.16 mark: no fee although the year gained
    assert nav[2] == pytest.approx(1.044) and perf[2] == 0
    assert r.columns["high_water_mark"][2] == pytest.approx(1.16)
    # year 4: +20% -> 1.2528; fee only on the gain above the mark: 0.2 x (1.2528 - 1.16)
    assert r.columns["performance_fee_per_unit"][3] == pytest.approx(0.2 * (1.2528 - 1.16))
    assert perf[3] == pytest.approx(0.01856 * 100)
    assert nav[3] == pytest.approx(1.2528 - 0.01856)
    assert r.columns["high_water_mark"][3] == pytest.approx(1.23424)


def test_without_a_high_water_mark_the_recovery_is_charged_again():
    r = run(DRAWDOWN.replace("hurdle = 0", "hurdle = 0\nhigh_water_mark = false"))
    assert r.columns["performance_fee"][2] == pytest.approx(0.2 * (1.044 - 0.87) * 100)


def test_returns_apply_to_nav_net_of_fees():
    r = run(DRAWDOWN)
    for start, end in zip(r.columns["nav_start"][1:], r.columns["nav_end"][:-1]):
        assert start == end
    # flows: NAV in money follows the net per-unit NAV (no fee refunded or charged twice)
    assert r.columns["units"][3] == pytest.approx(100)


def test_management_fee_on_average_aum():
    r = run("management_fee = 0.01\nperformance_fee = 0\n" + years([0.1, -0.05], aum_bn=7))
    assert r.columns["management_fee"] == pytest.approx([70.0, 70.0])
    # per unit it is charged on the average of the start and gross end NAV
    assert r.columns["management_fee_per_unit"][0] == pytest.approx(0.01 * (1 + 1.1) / 2)


def test_hurdle_is_measured_from_the_mark_and_compounds_until_a_fee_is_paid():
    text = "management_fee = 0\nperformance_fee = 0.2\nhurdle = 0.05\n" + years([0.10], aum_bn=1)
    r = run(text)
    assert r.columns["hurdle_level"][0] == pytest.approx(1.05)
    assert r.columns["performance_fee_per_unit"][0] == pytest.approx(0.2 * (1.10 - 1.05))
    r = run("management_fee = 0\nperformance_fee = 0.2\nhurdle = 0.05\n" + years([0.02, 0.05], aum_bn=1))
    assert r.columns["performance_fee"] == [0.0, 0.0]
    assert r.columns["hurdle_level"][1] == pytest.approx(1.05 * 1.05)   # 1.1025 > NAV 1.071


def test_manager_pnl_deducts_channel_and_costs_before_reinvesting():
    text = ("management_fee = 0.02\nperformance_fee = 0\nchannel_share = 0.25\nopex_share_of_aum = 0.005\n"
            "reinvested_share = 0.5\n" + years([0.0, 0.0], aum_bn=1))
    r = run(text)
    row = r.rows[0]
    assert row["management_fee"] == pytest.approx(20)
    assert row["channel"] == pytest.approx(5)
    assert row["opex"] == pytest.approx(5)
    assert row["net_revenue"] == pytest.approx(10)
    assert row["reinvestable"] == pytest.approx(5)
    assert r.lifetime_reinvestable == pytest.approx(10)


def test_a_loss_year_reduces_the_cash_in_full():
    r = run("management_fee = 0.01\nperformance_fee = 0\nreinvested_share = 0.5\n"
            + years([0.0], aum_bn=1, opex_m=30))
    assert r.rows[0]["net_revenue"] == pytest.approx(-20)
    assert r.rows[0]["reinvestable"] == pytest.approx(-20)


def test_deepseek_fund_scenario():
    r = fund.run_fund(fund.deepseek_fund())
    assert r.columns["year"] == list(range(2017, 2025))
    assert r.columns["management_fee"][-1] == pytest.approx(70.0)          # 1% of $7B (the thread: ~$70M)
    assert r.columns["performance_fee"][4:] == [0.0, 0.0, 0.0, 0.0]        # flat since 2021: below the mark
    assert r.lifetime_reinvestable == pytest.approx(429.757, abs=0.01)     # the thread: ~$400M
    assert 1600 / r.lifetime_reinvestable == pytest.approx(3.72, abs=0.01)


def test_bundled_example_fund_matches_the_case_scenario():
    assert fund.run(EXAMPLES / "fund.toml").lifetime_reinvestable == pytest.approx(
        fund.run_fund(fund.deepseek_fund()).lifetime_reinvestable)


def test_fee_defaults_come_from_the_catalogue_with_sources():
    r = run(years([0.1], aum_bn=1))
    fees = r.inputs.fees
    assert fees["management_fee"].value == 0.01 and fees["management_fee"].origin == "defaults"
    assert "Bloomberg" in fees["management_fee"].source


def test_monte_carlo_of_the_fund_is_seeded():
    inputs = fund.load_fund(EXAMPLES / "fund.toml")
    a = fund.fund_monte_carlo(inputs, 2000, seed=7)
    b = fund.fund_monte_carlo(inputs, 2000, seed=7)
    assert (a.capacity == b.capacity).all()
    cash = a.intervals[-1]
    assert cash.p05 < cash.median < cash.p95


@pytest.mark.parametrize("text, key, line, words", [
    ("[[years]]\nyear = 2020\naum_bn = 1\n", "years[0].gross_return", 1, "missing"),
    ("[[years]]\nyear = 2020\ngross_return = 0.1\n", "years[0].aum_bn", 1, "average AUM"),
    (years([0.1, 0.1], aum_bn=1).replace("2021", "2023"), "years[1].year", 6, "consecutive"),
    ("management_fee = \"1%\"\n" + years([0.1], aum_bn=1), "management_fee", 1, "expected a number"),
    ("high_water_mark = 1\n" + years([0.1], aum_bn=1), "high_water_mark", 1, "true or false"),
    ("opening_nav_bn = 1\n" + years([0.1], aum_bn=1), "years[0].aum_bn", 5, "not both"),
])
def test_malformed_fund_files_name_the_key_and_line(text, key, line, words):
    with pytest.raises(InputError) as err:
        run(text)
    assert err.value.key == key and err.value.line == line
    assert words in str(err.value)
