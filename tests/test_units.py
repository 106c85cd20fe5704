"""Units and kinds from labels and number formats, and units carried through formulas."""

import pytest

from crossfoot.audit import AuditContext
from crossfoot.understand.units import derived_unit, dim_text, is_period, parse_label, unit_of
from meaning_grid import grid


@pytest.mark.parametrize("text, kind, currency, scale, per, time_base, horizon", [
    ("Server CapEx ($m)", "stock", "USD", 6, None, None, None),
    ("ASP ($)", "intensive", "USD", 0, "unit", None, None),
    ("Server CapEx per GPU ($)", "intensive", "USD", 0, "GPU", None, None),
    ("Cost to Operation ($m)", "flow", "USD", 6, None, None, None),
    ("TCO (4y Ownership) ($m/hr)", "flow", "USD", 6, None, "hour", 4.0),
    ("Cost to operate over 4 years ($m)", "flow", "USD", 6, None, None, 4.0),
    ("4-year opex (RMB bn)", "flow", "CNY", 9, None, None, 4.0),
    ("Opex p.a. (€k)", "flow", "EUR", 3, None, "year", None),
    ("Revenue ($/month)", "flow", "USD", 0, None, "month", None),
    ("# of GPUs", "count", None, 0 if False else None, None, None, None),
    ("Cash at end of month ($k)", "stock", "USD", 3, None, None, None),
    ("Gross margin %", "intensive", None, None, None, None, None),
    ("Revenue growth", "intensive", None, None, None, None, None),
    ("Headcount", "stock", None, None, None, None, None),
])
def test_labels_give_kind_currency_scale_and_time_base(text, kind, currency, scale, per, time_base, horizon):
    q = parse_label(text)
    assert (q.kind, q.currency, q.scale, q.per, q.time_base, q.horizon_years) == \
        (kind, currency, scale, per, time_base, horizon)


def test_balances_are_point_in_time_stocks_and_capex_is_not():
    assert parse_label("Customers at month end").point_in_time
    assert parse_label("Cash balance").point_in_time
    assert not parse_label("Server CapEx ($m)").point_in_time


def test_shares_of_a_total_are_not_intensive():
    assert not parse_label("% of total").is_intensive
    assert parse_label("Operating margin (%)").is_intensive


def test_percent_inside_a_name_is_not_a_unit():
    q = parse_label("Investment in Associates (50% Marriott)")
    assert q.dimension != "percent"


def test_power_energy_and_hours():
    assert parse_label("Power (kW)").dimension == "power" and parse_label("Power (kW)").scale == 3
    assert parse_label("Energy (MWh)").dimension == "energy"
    assert parse_label("GPU hours").dimension == "time"


def test_number_format_gives_percent_and_currency():
    assert parse_label("Q1", "0.0%").dimension == "percent"
    assert parse_label("Amount", '"$"#,##0').currency == "USD"


def test_periods_are_recognised():
    for h in ("Jan", "Q1 2024", "2023", "FY24", "Month 3", "QTR 2", 2024):
        assert is_period(h), h
    for h in ("A100", "Total", "North"):
        assert not is_period(h), h


def _fleet():
    return grid({
        "A3": "# of GPUs", "B3": 10000,
        "A5": "Server CapEx per GPU ($)", "B5": 20000,
        "A6": "Server CapEx ($m)", "B6": ("=B3*B5/10^6", 200),
        "A7": "Cost to operate ($m/yr)", "B7": 41,
        "A8": "Per year ($m/yr)", "B8": ("=(B6+4*B7)/4", 91),
        "A9": "Capex in dollars ($)", "B9": ("=B3*B5", 2e8),
    })


def test_count_times_price_over_a_million_is_millions():
    ctx = AuditContext(_fleet())
    assert dim_text(derived_unit(ctx, "Sheet1", 6, 2).dim) == "$m"
    assert dim_text(derived_unit(ctx, "Sheet1", 9, 2).dim) == "$"


def test_stock_plus_yearly_flow_is_a_conflict_unless_the_flow_is_scaled_by_years():
    wb = _fleet()
    ws = wb.sheets["Sheet1"]
    from crossfoot.grid.model import Cell

    ws.add(Cell(10, 2, 241, formula="=B6+B7"))
    ctx = AuditContext(wb)
    assert [c.reason for c in derived_unit(ctx, "Sheet1", 10, 2).conflicts] == ["time"]
    assert derived_unit(ctx, "Sheet1", 8, 2).conflicts == []


def test_unit_of_reads_the_cell_labels():
    q = unit_of(AuditContext(_fleet()), "Sheet1", 6, 2)
    assert q.kind == "stock" and q.scale == 6


@pytest.mark.parametrize("label", ["Maintenance (% of capex per yr)", "Cost of capital (%/yr)",
                                   "Revenue growth (% p.a.)", "Interest rate (annual)"])
def test_rates_with_a_time_base_are_per_year(label):
    from crossfoot.understand.units import dim_of_quantity

    assert dim_text(dim_of_quantity(parse_label(label))) == "a rate per year"


def test_utilisation_percentage_is_a_pure_number():
    from crossfoot.understand.units import dim_of_quantity

    assert dim_text(dim_of_quantity(parse_label("Utilisation (%)"))) == "a pure number"


def _plan(title, total_label):
    from meaning_grid import table

    return table([[title], [None], [None, "2024", "2025"], ["Hardware", 120, 130], ["Revenue", 900, 1000],
                  ["Headcount", 10, 12], [total_label, ("=B4+B5", 1020), ("=C4+C5", 1130)]])


def test_table_title_gives_the_scale_of_its_amounts_but_not_of_counts():
    from crossfoot.understand.units import unit_text

    ctx = AuditContext(_plan("Operating plan ($k)", "Total ($k)"))
    assert unit_text(unit_of(ctx, "Sheet1", 4, 2)) == "$k"
    assert unit_of(ctx, "Sheet1", 6, 2).scale is None  # headcount


def test_total_in_millions_of_a_table_in_thousands_is_flagged_and_its_twin_clean():
    from meaning_grid import findings

    got = findings(_plan("Operating plan ($k)", "Total cost ($m)"), "unit-mismatch")
    assert got["B7"].fix.formula == "=(B4+B5)/10^3"
    assert findings(_plan("Operating plan ($k)", "Total cost ($k)"), "unit-mismatch") == {}
    assert findings(_plan("Operating plan", "Total cost ($m)"), "unit-mismatch") == {}
