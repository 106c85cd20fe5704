"""omitted-range: totals that leave out part of their row, judged against parallel totals."""

import crossfoot
from crossfoot.cases.deepseek import write_published_table

from structural_grid import fleet, write


def findings(path, rule="omitted-range"):
    return [f for f in crossfoot.audit(path).findings if f.rule == rule]


def test_published_table_total_column_leaving_out_h100_is_flagged_per_cell(tmp_path):
    found = findings(write_published_table(tmp_path / "fleet.xlsx"))
    assert [f.cell for f in found] == ["F4", "F5", "F6", "F7", "F8"]
    capex = next(f for f in found if f.cell == "F6")
    assert capex.severity == "error"
    assert "Server CapEx ($m)" in capex.message and "(F6 = 1,300)" in capex.message
    assert "but not H100" in capex.message and "F3 sums all four" in capex.message
    assert "1,600 (+23%)" in capex.message
    assert capex.fix.formula == "=SUM(B6:E6)"
    assert capex.impact[0].before == 1300 and capex.impact[0].after == 1600


def test_complete_total_column_is_silent(tmp_path):
    assert findings(write(tmp_path / "ok.xlsx", {"Fleet": fleet()})) == []


def test_total_row_that_stops_short_of_its_neighbours_is_flagged(tmp_path):
    cells = fleet(["=SUM(B3:E3)", "=SUM(B4:D4)", "=SUM(B5:E5)"])
    found = findings(write(tmp_path / "short.xlsx", {"Fleet": cells}))
    assert [f.cell for f in found] == ["F4"]
    assert found[0].fix.formula == "=SUM(B4:E4)"


def test_short_range_without_a_parallel_total_covering_more_is_a_design(tmp_path):
    # every total sums the first three columns: a deliberate subtotal, not an omission
    cells = fleet(["=SUM(B3:D3)", "=SUM(B4:D4)", "=SUM(B5:D5)"])
    cells["F2"] = "Subtotal A100-H800"
    assert findings(write(tmp_path / "design.xlsx", {"Fleet": cells})) == []


def _budget(grand: dict[str, str]) -> dict[str, object]:
    """Three categories of two items, a subtotal each, and a grand total per year."""
    items = {"B": [10, 5, 7, 3, 2, 4], "C": [11, 5, 8, 3, 2, 5], "D": [12, 5, 9, 3, 1, 4]}
    sheet: dict[str, object] = {"A1": "Budget ($k)", "B1": "2025", "C1": "2026", "D1": "2027"}
    labels = ["Staff", "Rent", "Subtotal ops", "Cloud", "Travel", "Subtotal other", "Fees", "Audit",
              "Subtotal admin", "Grand total"]
    for i, text in enumerate(labels):
        sheet[f"A{i + 2}"] = text
    for col, v in items.items():
        sheet[f"{col}2"], sheet[f"{col}3"] = v[0], v[1]
        sheet[f"{col}4"] = (f"=SUM({col}2:{col}3)", v[0] + v[1])
        sheet[f"{col}5"], sheet[f"{col}6"] = v[2], v[3]
        sheet[f"{col}7"] = (f"=SUM({col}5:{col}6)", v[2] + v[3])
        sheet[f"{col}8"], sheet[f"{col}9"] = v[4], v[5]
        sheet[f"{col}10"] = (f"=SUM({col}8:{col}9)", v[4] + v[5])
        f = grand.get(col, f"={col}4+{col}7+{col}10")
        sheet[f"{col}11"] = (f, float(sum(v) if f.count("+") == 2 else sum(v) - v[2] - v[3]))
    return sheet


def test_grand_total_leaving_out_a_subtotal_is_flagged(tmp_path):
    found = findings(write(tmp_path / "bad.xlsx", {"B": _budget({"C": "=C4+C10"})}))
    assert [f.cell for f in found] == ["C11"]
    assert "Subtotal other" in found[0].message
    assert found[0].fix.formula == "=C4+C7+C10"


def test_grand_total_of_all_subtotals_is_silent(tmp_path):
    report = crossfoot.audit(write(tmp_path / "ok.xlsx", {"B": _budget({})}))
    assert [f for f in report.findings if f.severity != "info"] == []


def _budget_rows(i17="=SUM(C4:C16)"):
    """Projects down (rows 3..6), years across; a total row 8 summing each column."""
    cells = {"B2": "FY02", "C2": "FY03", "D2": "FY04", "A3": "Equipment", "A4": "Dimes", "A5": "ALPS", "A6": "Pisces",
             "A8": "Total"}
    figures = {"B": [25, 208, 50, 1806], "C": [None, 210, 50, 1350], "D": [0, 230, 60, 1450]}
    for col, vals in figures.items():
        for r, v in zip((3, 4, 5, 6), vals):
            if v is not None:
                cells[f"{col}{r}"] = v
        cells[f"{col}8"] = (f"=SUM({col}3:{col}6)", float(sum(v or 0 for v in vals)))
    cells["C8"] = (i17, float(210 + 50 + 1350))
    return cells


def test_total_starting_below_its_neighbours_over_an_empty_cell_is_a_warning(tmp_path):
    found = findings(write(tmp_path / "b.xlsx", {"Budget": _budget_rows("=SUM(C4:C6)")}))
    assert [(f.cell, f.severity) for f in found] == [("C8", "warning")]
    assert "C3 is empty today" in found[0].message
    assert found[0].fix.formula == "=SUM(C3:C6)"


def test_totals_over_the_same_rows_are_silent(tmp_path):
    found = findings(write(tmp_path / "b.xlsx", {"Budget": _budget_rows("=SUM(C3:C6)")}))
    assert found == []


def _spaced(totals: dict[str, str], blank_row_note: str | None = None) -> dict[str, object]:
    """Projects in rows 3..6, a spacer row 7, totals in row 8 (formulas given per column)."""
    cells = _budget_rows("=SUM(C3:C6)")
    for col, formula in totals.items():
        cells[f"{col}8"] = (formula, cells[f"{col}8"][1])
    if blank_row_note is not None:
        cells["A7"] = blank_row_note
    return cells


def test_total_running_on_into_the_blank_spacer_row_is_a_warning(tmp_path):
    cells = _spaced({"B": "=SUM(B3:B7)", "C": "=SUM(C3:C7)", "D": "=SUM(D3:D7)"})
    found = findings(write(tmp_path / "b.xlsx", {"Budget": cells}))
    assert [(f.cell, f.severity) for f in found] == [("B8", "warning"), ("C8", "warning"), ("D8", "warning")]
    assert "runs on into row 7, blank across the table" in found[0].message
    assert found[0].fix.formula == "=SUM(B3:B6)"
    assert found[0].evidence["reason"] == "padded"


def test_total_ending_on_its_last_figure_above_a_spacer_is_silent(tmp_path):
    # the clean twin: the same table, the totals stop at row 6
    assert findings(write(tmp_path / "b.xlsx", {"Budget": _spaced({})})) == []


def test_total_over_a_row_holding_a_label_is_not_padded(tmp_path):
    # row 7 says something (a line with no figures yet): it is part of the table
    cells = _spaced({"B": "=SUM(B3:B7)", "C": "=SUM(C3:C7)", "D": "=SUM(D3:D7)"}, blank_row_note="Contingency")
    assert findings(write(tmp_path / "b.xlsx", {"Budget": cells})) == []


def test_empty_input_column_shares_the_spacer_of_its_copies(tmp_path):
    # column E has no figures yet; its total is a copy of the padded totals beside it
    cells = _spaced({"B": "=SUM(B3:B7)", "C": "=SUM(C3:C7)", "D": "=SUM(D3:D7)"})
    cells["E2"] = "FY05"
    cells["E8"] = ("=SUM(E3:E7)", 0.0)
    found = findings(write(tmp_path / "b.xlsx", {"Budget": cells}))
    assert [f.cell for f in found] == ["B8", "C8", "D8", "E8"]


def test_empty_template_totals_alone_are_silent(tmp_path):
    cells = {"A2": "Item", "B2": "Budget", "C2": "Actual", "A3": "Sales", "A4": "Other", "A6": "Total",
             "B6": ("=SUM(B3:B5)", 0.0), "C6": ("=SUM(C3:C5)", 0.0)}
    assert findings(write(tmp_path / "t.xlsx", {"Plan": cells})) == []


def test_padded_range_warning_can_be_turned_off_by_option(tmp_path):
    import crossfoot

    cells = _spaced({"B": "=SUM(B3:B7)", "C": "=SUM(C3:C7)", "D": "=SUM(D3:D7)"})
    path = write(tmp_path / "b.xlsx", {"Budget": cells})
    quiet = crossfoot.audit(path, select=["omitted-range"],
                            options={"omitted-range": {"padded_ranges": False}})
    assert quiet.findings == []
