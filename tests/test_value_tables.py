"""Tables without formulas: relations recovered from the numbers, judged by meaning."""

import csv

import pytest

import crossfoot
from crossfoot.cases.deepseek import write_published_table
from crossfoot.read import load
from crossfoot.understand.relations import explain_total, find_products
from meaning_grid import findings, table


@pytest.fixture(scope="module")
def published_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("case")
    sheet = load(write_published_table(folder / "fleet.xlsx")).sheets["Fleet"]
    path = folder / "fleet.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        for r in range(1, 9):
            writer.writerow(["" if sheet.get(r, c) is None else sheet.get(r, c).value for c in range(1, 7)])
    return path


def test_published_table_as_csv_yields_omitted_h100_and_summed_averages(published_csv):
    report = crossfoot.audit(published_csv, select=["total-mismatch", "intensive-aggregation"])
    by = {(f.rule, f.cell): f for f in report.findings}
    for cell in ("F6", "F7"):
        assert "H100" in by[("total-mismatch", cell)].message
    asp = by[("intensive-aggregation", "F4")].message
    assert "50,000 = 12,000 + 13,000 + 25,000, a sum of prices" in asp
    assert "weighted by '# of GPUs' over all four columns (B:E) it is 16,333" in asp
    assert "26,667" in by[("intensive-aggregation", "F5")].message


def test_values_only_weighted_average_total_is_clean():
    wb = table([[None, "A100", "H20", "Total"], ["# of GPUs", 10000, 30000, 40000],
                ["ASP ($)", 12000, 13000, 12750]], source_format="csv")
    assert findings(wb, "intensive-aggregation") == {}


def test_values_only_plain_average_of_prices_is_a_warning():
    wb = table([[None, "A100", "H20", "Total"], ["# of GPUs", 10000, 30000, 40000],
                ["ASP ($)", 12000, 20000, 16000]], source_format="csv")
    got = findings(wb, "intensive-aggregation")
    assert got["D3"].severity == "warning" and "18,000" in got["D3"].message


def test_explain_total_finds_sums_subsets_and_averages():
    parts = {2: 12000.0, 3: 13000.0, 4: 25000.0, 5: 22000.0}
    assert explain_total(72000, parts).kind == "sum"
    sub = explain_total(50000, parts)
    assert sub.kind == "sum" and sub.parts == [2, 3, 4]
    assert explain_total(18000, parts).kind == "average"
    assert explain_total(1, parts) is None


def test_products_count_times_price_at_a_scale_are_found():
    wb = table([[None, "A100", "H20"], ["# of GPUs", 10000, 30000], ["CapEx per GPU ($)", 20000, 25000],
                ["Server CapEx ($m)", 200, 750]], source_format="csv")
    (p,) = find_products(wb.sheets["Sheet1"], "row", [2, 3, 4], [2, 3])
    assert p.line == 4 and p.factors == (2, 3) and p.scale == 6


def test_published_tco_row_as_csv_is_a_stock_plus_a_four_year_cost_with_per_year_figures(published_csv):
    got = {f.cell: f for f in crossfoot.audit(published_csv, select=["unit-mismatch"]).findings}
    assert set(got) == {"B8:E8"}
    msg = got["B8:E8"].message
    assert "labelled $m per hour" in msg and "'Server CapEx ($m)' (a stock in $m)" in msg
    assert "B8 = 200 + 164 = 364" in msg
    assert "A100 91, H20 274, H800 138, H100 132" in msg and "(1,600 + 944) / 4 = 636" in msg
    assert got["B8:E8"].fix.label == "TCO (4y Ownership) ($m/yr)"


def _tco_values(label, opex_label):
    return table([[None, "A100", "H20"], ["Server CapEx ($m)", 200, 750], [opex_label, 164, 348],
                  [label, 364, 1098]], source_format="csv")


def test_values_four_year_tco_of_capex_and_four_year_cost_is_clean():
    assert findings(_tco_values("TCO over 4 years ($m)", "Cost to operate over 4 years ($m)"), "unit-mismatch") == {}


def test_values_tco_per_hour_of_capex_and_four_year_cost_is_flagged():
    got = findings(_tco_values("TCO (4y) ($m/hr)", "Cost to operate ($m)"), "unit-mismatch")
    assert "B4:C4" in got and "not $m per hour" in got["B4:C4"].message


def test_values_yearly_flows_adding_up_are_clean():
    wb = table([[None, "2024", "2025"], ["Opex ($m/yr)", 10, 12], ["Depreciation ($m/yr)", 5, 5],
                ["Total cost ($m/yr)", 15, 17]], source_format="csv")
    assert findings(wb, "unit-mismatch") == {}


def test_values_roll_forward_of_a_balance_is_clean():
    wb = table([[None, "2024", "2025"], ["Opening cash ($m)", 100, 120], ["Net cash flow ($m/yr)", 20, 30],
                ["Cash at end of year ($m)", 120, 150]], source_format="csv")
    assert findings(wb, "unit-mismatch") == {}
