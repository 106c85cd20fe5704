"""intensive-aggregation: planted sums and plain averages of intensive figures, each with
a clean twin that must stay silent."""

import pytest

from crossfoot.cases.deepseek import write_published_table
import crossfoot
from meaning_grid import findings, table

RULE = "intensive-aggregation"
HEAD = [None, "A100", "H20", "H800", "H100", "Total"]
GPUS = ["# of GPUs", 10000, 30000, 10000, 10000, ("=SUM(B2:E2)", 60000)]


def fleet(price_total):
    return table([HEAD, GPUS, ["ASP ($)", 12000, 13000, 25000, 22000, price_total]])


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    path = write_published_table(tmp_path_factory.mktemp("case") / "fleet.xlsx")
    return {f.cell: f for f in crossfoot.audit(path, select=[RULE]).findings}


def test_motivating_table_flags_summed_asp_and_per_gpu_totals_with_numbers(published):
    assert set(published) == {"F4", "F5"}
    asp = published["F4"]
    assert asp.severity == "error"
    assert asp.message.startswith("The Total of 'ASP ($)' is 50,000 = 12,000 + 13,000 + 25,000, a sum of prices")
    assert "weighted by '# of GPUs' over all four columns (B:E) it is 16,333" in asp.message
    assert asp.fix.formula == "=SUMPRODUCT(B3:E3,B4:E4)/SUM(B3:E3)"
    assert "26,667" in published["F5"].message and "per-GPU figures" in published["F5"].message


def test_sum_of_prices_is_flagged_and_weighted_average_is_clean():
    assert "F3" in findings(fleet(("=SUM(B3:E3)", 72000)), RULE)
    assert findings(fleet(("=SUMPRODUCT(B2:E2,B3:E3)/SUM(B2:E2)", 16333.33)), RULE) == {}


def test_ratio_of_totals_is_clean():
    wb = table([HEAD, GPUS,
                ["Server CapEx ($m)", 200, 750, 350, 300, ("=SUM(B3:E3)", 1600)],
                ["CapEx per GPU ($)", 20000, 25000, 35000, 30000, ("=F3*10^6/F2", 26666.67)]])
    assert findings(wb, RULE) == {}


def test_count_summed_and_amounts_summed_are_clean():
    wb = table([HEAD, GPUS, ["Server CapEx ($m)", 200, 750, 350, 300, ("=SUM(B3:E3)", 1600)]])
    assert findings(wb, RULE) == {}


def test_plain_average_of_prices_with_different_counts_is_a_warning():
    got = findings(fleet(("=AVERAGE(B3:E3)", 18000)), RULE)
    assert got["F3"].severity == "warning"
    assert "16,333" in got["F3"].message and "18,000" in got["F3"].message


def test_plain_average_with_equal_weights_is_clean():
    wb = table([HEAD, ["# of GPUs", 100, 100, 100, 100, ("=SUM(B2:E2)", 400)],
                ["ASP ($)", 12000, 13000, 25000, 22000, ("=AVERAGE(B3:E3)", 18000)]])
    assert findings(wb, RULE) == {}


MONTHS = [None, "Jan", "Feb", "Mar", "FY"]


def test_margins_summed_over_months_flagged_with_revenue_weight():
    wb = table([MONTHS, ["Revenue ($k)", 100, 300, 600, ("=SUM(B2:D2)", 1000)],
                ["Gross margin (%)", 0.2, 0.3, 0.5, ("=SUM(B3:D3)", 1.0)]], formats={})
    got = findings(wb, RULE)
    assert got["E3"].fix.formula == "=SUMPRODUCT(B2:D2,B3:D3)/SUM(B2:D2)"


def test_growth_rates_not_summed_and_yearly_total_of_monthly_flows_are_clean():
    wb = table([MONTHS, ["Revenue ($k)", 100, 300, 600, ("=SUM(B2:D2)", 1000)],
                ["Growth (%)", None, 2.0, 1.0, None],
                ["Gross margin (%)", 0.2, 0.3, 0.5, ("=SUMPRODUCT(B2:D2,B4:D4)/SUM(B2:D2)", 0.41)]])
    assert findings(wb, RULE) == {}


def test_shares_of_a_total_add_up_and_are_clean():
    wb = table([[None, "Hires", "% of total"], ["Sales", 10, 0.25], ["Ops", 30, 0.75],
                ["Total", ("=SUM(B2:B3)", 40), ("=SUM(C2:C3)", 1.0)]])
    assert findings(wb, RULE) == {}


def test_balance_summed_over_months_is_flagged_and_closing_balance_is_clean():
    bad = table([MONTHS, ["Cash at end of month ($k)", 50, 60, 70, ("=SUM(B2:D2)", 180)]])
    got = findings(bad, RULE)
    assert got["E2"].fix.formula == "=D2" and "70" in got["E2"].message
    good = table([MONTHS, ["Cash at end of month ($k)", 50, 60, 70, ("=D2", 70)]])
    assert findings(good, RULE) == {}


def test_earnings_per_share_over_quarters_add_up_and_are_clean():
    wb = table([[None, "Q1", "Q2", "Q3", "Q4", "FY"],
                ["Earnings per share ($)", 0.1, 0.2, 0.1, 0.3, ("=SUM(B2:E2)", 0.7)]])
    assert findings(wb, RULE) == {}


def test_omitted_range_beside_sum_of_prices_keeps_its_finding_but_not_its_fix(tmp_path):
    path = write_published_table(tmp_path / "fleet.xlsx")
    report = crossfoot.audit(path, select=[RULE, "omitted-range"])
    by = {(f.rule, f.cell): f for f in report.findings}
    short = by[("omitted-range", "F4")]
    assert short.fix.formula is None and short.impact == []
    assert short.message.endswith("The fix of intensive-aggregation on F4 also covers H100 (E4).")
    assert "With H100 it is" not in short.message  # the widened sum of prices is not a figure to quote
    assert "With H100 it is" in by[("omitted-range", "F6")].message
    assert short.evidence["superseded_by"] == RULE and short.evidence["superseded_fix"] == "=SUM(B4:E4)"
    assert by[(RULE, "F4")].fix.formula == "=SUMPRODUCT(B3:E3,B4:E4)/SUM(B3:E3)"
    assert by[("omitted-range", "F6")].fix.formula == "=SUM(B6:E6)"  # an amount: its own fix stands
    assert "superseded_by" not in by[("omitted-range", "F6")].evidence


def test_a_fix_that_does_not_cover_the_left_out_column_supersedes_nothing():
    from crossfoot.rules.base import Finding, Fix
    from crossfoot.rules.overlaps import resolve
    from crossfoot.audit import AuditContext

    wb = fleet(("=SUM(B3:D3)", 50000))
    weighted = Finding(RULE, "error", "Sheet1", "F3", "m", fix=Fix(formula="=SUMPRODUCT(B2:D2,B3:D3)/SUM(B2:D2)"),
                       supersedes=("omitted-range",))
    short = Finding("omitted-range", "error", "Sheet1", "F3", "m", fix=Fix(formula="=SUM(B3:E3)"))
    resolve(AuditContext(wb), [weighted, short])
    assert short.fix.formula == "=SUM(B3:E3)" and short.message == "m"
