"""unit-mismatch: planted unit errors, each with a clean twin that must stay silent."""

import pytest

import crossfoot
from crossfoot.cases.deepseek import write_published_table
from meaning_grid import findings, table

RULE = "unit-mismatch"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    path = write_published_table(tmp_path_factory.mktemp("case") / "fleet.xlsx")
    return {f.cell: f for f in crossfoot.audit(path, select=[RULE]).findings}


def test_motivating_tco_row_is_flagged_cell_by_cell_with_the_per_year_figure(published):
    assert set(published) == {"B8", "C8", "D8", "E8", "F8"}
    b8 = published["B8"]
    assert "labelled $m per hour" in b8.message and "a stock" in b8.message
    assert "(200 + 164) / 4 = 91" in b8.message
    assert b8.fix.formula == "=(B6+B7)/4"
    assert b8.fix.label == "TCO (4y Ownership) ($m/yr)" and b8.fix.label_cell == "A8"
    f8 = published["F8"]
    assert "(1,600 + 944) / 4 = 636" in f8.message
    assert f8.fix.formula == "=(SUM(B6:E6)+SUM(B7:E7))/4"


def rows(tco_label, tco_formula, tco_value, opex_label="Cost to operate ($m/yr)"):
    return table([[None, "A100"],
                  ["# of GPUs", 10000],
                  ["Server CapEx per GPU ($)", 20000],
                  ["Server CapEx ($m)", ("=B2*B3/10^6", 200)],
                  [opex_label, 41],
                  [tco_label, (tco_formula, tco_value)]])


def test_stock_plus_yearly_flow_is_flagged():
    got = findings(rows("TCO per year ($m/yr)", "=B4+B5", 241), RULE)
    assert "B6" in got and "a stock" in got["B6"].message and "per year" in got["B6"].message


def test_capex_plus_four_years_of_opex_over_four_is_clean():
    assert findings(rows("TCO per year ($m/yr)", "=(B4+4*B5)/4", 91), RULE) == {}


def test_four_year_tco_of_capex_and_four_year_cost_is_clean():
    wb = rows("TCO over 4 years ($m)", "=B4+B5", 364, opex_label="Cost to operate over 4 years ($m)")
    assert findings(wb, RULE) == {}


def test_stock_labelled_per_year_is_flagged_without_a_horizon_fix():
    got = findings(rows("Capex ($m/yr)", "=B4", 200), RULE)
    assert "B6" in got and got["B6"].fix.formula is None


def test_dollars_labelled_millions_is_flagged_with_the_factor():
    wb = table([[None, "A100"], ["# of GPUs", 10000], ["Price per GPU ($)", 20000],
                ["Spend ($m)", ("=B2*B3", 2e8)]])
    got = findings(wb, RULE)
    assert got["B4"].fix.formula == "=(B2*B3)/10^6"
    clean = table([[None, "A100"], ["# of GPUs", 10000], ["Price per GPU ($)", 20000],
                   ["Spend ($m)", ("=B2*B3/10^6", 200)]])
    assert findings(clean, RULE) == {}


def test_adding_dollars_to_millions_is_flagged():
    wb = table([[None, "2024"], ["Hardware ($m)", 12], ["Software ($)", 350000],
                ["Total spend ($m)", ("=B2+B3", 350012)]])
    got = findings(wb, RULE)
    assert "B4" in got and "scale" in got["B4"].message
    clean = table([[None, "2024"], ["Hardware ($m)", 12], ["Software ($)", 350000],
                   ["Total spend ($m)", ("=B2+B3/10^6", 12.35)]])
    assert findings(clean, RULE) == {}


def test_closing_balance_roll_forward_is_clean():
    wb = table([[None, "2024"], ["Opening cash ($m)", 100], ["Net cash flow ($m/yr)", 20],
                ["Cash at end of year ($m)", ("=B2+B3", 120)]])
    assert findings(wb, RULE) == {}


def test_yearly_total_of_monthly_flows_is_clean():
    wb = table([[None, "Jan", "Feb", "Mar", "Q1"], ["Revenue ($k/month)", 10, 20, 30, ("=SUM(B2:D2)", 60)]])
    assert findings(wb, RULE) == {}


def test_total_of_tco_row_keeps_omitted_range_finding_without_its_sum_fix(tmp_path):
    from crossfoot.cases.deepseek import write_published_table

    path = write_published_table(tmp_path / "fleet.xlsx")
    by = {(f.rule, f.cell): f for f in crossfoot.audit(path, select=["unit-mismatch", "omitted-range"]).findings}
    short = by[("omitted-range", "F8")]
    assert short.fix.formula is None
    assert "The fix of unit-mismatch on F8 also covers H100 (E8)." in short.message
    assert by[("unit-mismatch", "F8")].fix.formula == "=(SUM(B6:E6)+SUM(B7:E7))/4"


def _rate_times_stock(rate_label, result_label, value=10):
    return table([[None, "A100"], ["Server CapEx ($m)", 200], [rate_label, 0.05],
                  [result_label, ("=B2*B3", value)]])


@pytest.mark.parametrize("rate_label", ["Maintenance (% of capex per yr)", "Cost of capital (%/yr)",
                                        "Discount rate (% p.a.)", "Interest rate (annual)"])
def test_percentage_with_a_time_base_times_a_stock_is_a_yearly_flow(rate_label):
    assert findings(_rate_times_stock(rate_label, "Maintenance ($m/yr)"), RULE) == {}


def test_yearly_rate_times_a_stock_labelled_a_four_year_amount_is_flagged():
    got = findings(_rate_times_stock("Maintenance (% of capex per yr)", "Maintenance over 4 years ($m)"), RULE)
    assert "B4" in got and "$m per year, not $m" in got["B4"].message


def test_growth_per_year_applied_as_a_factor_keeps_the_yearly_flow():
    wb = table([[None, "2024", "2025"], ["Revenue ($m/yr)", 100, ("=B2*(1+C3)", 110)],
                ["Revenue growth (% p.a.)", None, 0.1]])
    assert findings(wb, RULE) == {}


def test_utilisation_is_a_pure_number():
    wb = table([[None, "A100"], ["Power (kW)", 700], ["Utilisation (%)", 0.8], ["Hours per year", 8766],
                ["Energy (kWh/yr)", ("=B2*B3*B4", 4.9e6)], ["Electricity price ($/kWh)", 0.1],
                ["Electricity ($/yr)", ("=B5*B6", 4.9e5)]])
    assert findings(wb, RULE) == {}
