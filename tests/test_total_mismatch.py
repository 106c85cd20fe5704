"""total-mismatch: stale formula totals, and CSV tables whose totals do not add up."""

import crossfoot
from crossfoot.grid.model import Cell, Workbook

from structural_grid import fleet, write


def findings(report, rule="total-mismatch"):
    return [f for f in report.findings if f.rule == rule]


def _csv_fleet(total_capex):
    wb = Workbook(path="fleet.csv", source_format="csv")
    sheet = wb.add_sheet("fleet")
    rows = [["GPU", "A100", "H20", "H800", "H100", "Total"],
            ["# of GPUs", 10000, 30000, 10000, 10000, 60000],
            ["Server CapEx ($m)", 200, 750, 350, 300, total_capex],
            ["ASP ($/GPU)", 12000, 13000, 25000, 22000, 17000]]
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            sheet.add(Cell(r, c, v))
    return wb


def test_csv_total_equal_to_three_of_four_columns_names_the_one_left_out():
    found = findings(crossfoot.audit_workbook(_csv_fleet(1300)))
    assert [f.cell for f in found] == ["F3"]
    assert "first 3 of 4" in found[0].message and "leaves out H100" in found[0].message
    assert "(1,600)" in found[0].message


def test_csv_totals_that_add_up_are_silent_and_averages_are_left_alone():
    assert findings(crossfoot.audit_workbook(_csv_fleet(1600))) == []


def test_stale_stored_total_is_flagged(tmp_path):
    cells = fleet()
    cells["F4"] = ("=SUM(B4:E4)", 1500.0)
    found = findings(crossfoot.audit(write(tmp_path / "s.xlsx", {"Fleet": cells})))
    assert [f.cell for f in found] == ["F4"]
    assert "1,600" in found[0].message


def test_fresh_stored_totals_are_silent(tmp_path):
    assert findings(crossfoot.audit(write(tmp_path / "s.xlsx", {"Fleet": fleet()}))) == []


def test_csv_total_of_prices_is_left_to_intensive_aggregation():
    wb = _csv_fleet(1600)
    sheet = wb["fleet"]
    for c, v in enumerate(["ASP ($)", 12000, 13000, 25000, 22000, 50000], start=1):
        sheet.add(Cell(5, c, v))
    report = crossfoot.audit_workbook(wb)
    assert findings(report) == []
    assert [f.cell for f in report.findings if f.rule == "intensive-aggregation"] == ["F5"]


def test_csv_total_of_amounts_beside_a_price_row_is_still_checked():
    wb = _csv_fleet(1300)
    sheet = wb["fleet"]
    for c, v in enumerate(["ASP ($)", 12000, 13000, 25000, 22000, 50000], start=1):
        sheet.add(Cell(5, c, v))
    assert [f.cell for f in findings(crossfoot.audit_workbook(wb))] == ["F3"]


def _sections(total):
    """Two sections with subtotals (rows 3 and 7) and a grand total in row 11."""
    cells = {"B1": "Cost", "A3": "1. Design", "B3": ("=SUM(B4:B5)", 30.0), "A4": "1a", "B4": 10, "A5": "1b", "B5": 20,
             "A7": "2. Build", "B7": ("=SUM(B8:B9)", 70.0), "A8": "2a", "B8": 30, "A9": "2b", "B9": 40,
             "A11": "Total project"}
    cells["B11"] = total
    return cells


def test_grand_total_adding_subtotals_and_their_lines_counts_them_twice(tmp_path):
    found = findings(crossfoot.audit(write(tmp_path / "d.xlsx", {"Plan": _sections(("=SUM(B3:B10)", 200.0))})))
    assert [f.cell for f in found] == ["B11"]
    assert "B3, B7" in found[0].message and "count twice" in found[0].message


def test_grand_total_of_the_subtotals_is_silent(tmp_path):
    report = crossfoot.audit(write(tmp_path / "d.xlsx", {"Plan": _sections(("=B3+B7", 100.0))}))
    assert [f for f in report.findings if f.severity != "info"] == []
