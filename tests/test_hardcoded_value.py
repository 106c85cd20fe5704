"""hardcoded-value: typed numbers inside runs of copied formulas, and typed totals."""

import crossfoot

from structural_grid import write


def findings(path, rule="hardcoded-value"):
    return [f for f in crossfoot.audit(path).findings if f.rule == rule]


def _ebit(b25, c25):
    """Quarters across; EBIT total row 25 computed in D:F, B25 and C25 as given."""
    cells = {"A1": "Key data ($m)", "B2": "FY", "C2": "Q4", "D2": "Q3", "E2": "Q2", "F2": "Q1",
             "A3": "Seed EBIT", "A4": "Productivity EBIT", "A5": "Total EBIT"}
    seed = [183, -145, 139, 146, 43]
    prod = [0, -137, 137, 55, -55]
    for i, col in enumerate("BCDEF"):
        cells[f"{col}3"] = seed[i]
        cells[f"{col}4"] = prod[i]
        cells[f"{col}5"] = (f"=+{col}4+{col}3", float(seed[i] + prod[i]))
    if b25 is not None:
        cells["B5"] = b25
    if c25 is not None:
        cells["C5"] = c25
    return cells


def test_totals_typed_before_a_run_of_formulas_are_flagged(tmp_path):
    found = findings(write(tmp_path / "t.xlsx", {"Key": _ebit(183, -282)}))
    assert [f.cell for f in found] == ["B5", "C5"]
    assert found[0].fix.formula == "=+B4+B3"
    assert "'Total EBIT'" in found[0].message and "183" in found[0].message


def test_all_formulas_is_silent(tmp_path):
    assert findings(write(tmp_path / "t.xlsx", {"Key": _ebit(None, None)})) == []


def test_formula_typed_over_in_the_middle_of_a_run_is_flagged(tmp_path):
    cells = _ebit(None, None)
    cells["D5"] = 276
    assert [f.cell for f in findings(write(tmp_path / "t.xlsx", {"Key": cells}))] == ["D5"]


def test_inputs_read_by_the_run_are_not_flagged(tmp_path):
    # revenue grows from a typed base year: the base is an input, not a typed-over formula
    cells = {"A1": "Forecast", "B2": 2024, "C2": 2025, "D2": 2026, "E2": 2027,
             "A3": "Growth", "A4": "Revenue ($m)", "B4": 100}
    for i, col in enumerate("BCDE"):
        cells[f"{col}3"] = 0.1
    prev = 100.0
    for col, left in zip("CDE", "BCD"):
        prev *= 1.1
        cells[f"{col}4"] = (f"={left}4*(1+{col}3)", prev)
    assert findings(write(tmp_path / "g.xlsx", {"F": cells})) == []


def test_typed_total_row_equal_to_its_parts_is_flagged(tmp_path):
    cells = {"A1": "Sales", "B2": "2002", "C2": "2003", "A3": "Roundup", "B3": 1804, "C3": 708,
             "A4": "Other", "B4": 1227, "C4": 341, "A5": "Total agricultural", "B5": 3031, "C5": 1049,
             "A6": "Margin", "B6": ("=B5*2", 6062), "C6": ("=C5*2", 2098)}
    assert [f.cell for f in findings(write(tmp_path / "t.xlsx", {"S": cells}))] == ["B5", "C5"]
    cells["B5"] = ("=SUM(B3:B4)", 3031)
    cells["C5"] = ("=SUM(C3:C4)", 1049)
    assert findings(write(tmp_path / "ok.xlsx", {"S": cells})) == []


def _years_down(typed=None):
    """Years down, a counter column and two data columns; I = H * C copied down."""
    cells = {"A4": "Year", "B4": "Years back", "C4": "NPV", "D4": "Cost", "H4": "PM (t)", "I4": "PM * NPV"}
    for k, r in enumerate(range(5, 12)):
        cells[f"A{r}"] = (f"=A{r - 1}+1", 2005.0 + k) if r > 5 else 2005
        cells[f"B{r}"] = (f"=B{r - 1}+1", 3.0 + k) if r > 5 else 3
        cells[f"C{r}"] = round(0.9 ** k, 3)
        cells[f"D{r}"] = 1000 + 37 * k
        cells[f"H{r}"] = 150 - 5 * k
        cells[f"I{r}"] = (f"=H{r}*C{r}", (150 - 5 * k) * round(0.9 ** k, 3))
    if typed:
        cells.update(typed)
    return cells


def test_data_beside_counters_copied_down_is_not_typed_over(tmp_path):
    assert findings(write(tmp_path / "y.xlsx", {"Inventory": _years_down()})) == []


def test_typed_over_cell_in_a_column_copied_down_is_flagged(tmp_path):
    found = findings(write(tmp_path / "y.xlsx", {"Inventory": _years_down({"I8": 120.5})}))
    assert [f.cell for f in found] == ["I8"]


def _shares(typed_rows=(), zeros_row=False):
    """Hours across in pairs 'N | %': % = N / the total on another sheet, copied down."""
    sheets = {"Totals": {"A1": "Total", **{f"C{r}": 100 + r for r in range(2, 12)}}}
    cells = {"A3": "Fall", "B3": "N", "C3": "%", "D3": "N", "E3": "%"}
    for r in range(4, 12):
        for n, p in (("B", "C"), ("D", "E")):
            if zeros_row and r in (4, 5):
                cells[f"{n}{r}"] = 0
                cells[f"{p}{r}"] = 0
            else:
                cells[f"{n}{r}"] = 10 + r
                cells[f"{p}{r}"] = (f"=({n}{r})/(Totals!C{r})", (10 + r) / (100 + r))
        cells[f"A{r}"] = 1990 + r
    for r in typed_rows:
        cells[f"C{r}"] = 0.123
    sheets["Hours"] = cells
    return sheets


def test_figures_read_by_alternating_percentage_columns_are_inputs(tmp_path):
    assert findings(write(tmp_path / "s.xlsx", _shares())) == []


def test_years_without_data_typed_as_zeros_are_silent(tmp_path):
    assert findings(write(tmp_path / "s.xlsx", _shares(zeros_row=True))) == []


def test_percentage_typed_over_in_its_column_is_flagged(tmp_path):
    found = findings(write(tmp_path / "s.xlsx", _shares(typed_rows=(8,))))
    assert [(f.sheet, f.cell) for f in found] == [("Hours", "C8")]


def test_note_numbers_beside_links_to_the_notes_are_not_typed_over(tmp_path):
    notes = {"A1": "Notes", "E10": "Note 1", "F10": 1000, "G10": 900, "E20": "Note 2", "F20": 500, "G20": 450}
    statement = {"B6": "Note", "C6": "2003", "D6": "2002", "A9": "Revenue", "B9": 1,
                 "C9": ("=Notes!F10", 1000.0), "D9": ("=Notes!G10", 900.0),
                 "A10": "Other revenue", "B10": 2, "C10": ("=Notes!F20", 500.0), "D10": ("=Notes!G20", 450.0)}
    assert findings(write(tmp_path / "n.xlsx", {"Notes": notes, "Statement": statement})) == []


def _balance(d8=None):
    """Quarter ends across; C8 totals the assets above it, D8:E8 as given."""
    cells = {"B2": "Aug", "C2": "May", "D2": "Feb", "A3": "Cash", "A4": "Receivables", "A5": "Inventories",
             "A8": "Total current assets"}
    figures = {"B": [281, 2296, 1230], "C": [128, 2868, 1365], "D": [87, 2009, 1369]}
    for col, vals in figures.items():
        for r, v in zip((3, 4, 5), vals):
            cells[f"{col}{r}"] = v
        cells[f"{col}8"] = (f"=SUM({col}3:{col}7)", float(sum(vals)))
    if d8 is not None:
        cells["C8"] = d8[0]
        cells["D8"] = d8[1]
    return cells


def test_totals_typed_beside_a_single_sum_that_adds_up_to_them_are_flagged(tmp_path):
    found = findings(write(tmp_path / "b.xlsx", {"Balance": _balance((4361, 3465))}))
    assert [f.cell for f in found] == ["C8", "D8"]
    assert found[0].fix.formula == "=SUM(C3:C7)"
    assert "4,361" in found[0].message


def test_typed_figures_that_are_not_the_sum_are_not_called_totals(tmp_path):
    assert findings(write(tmp_path / "b.xlsx", {"Balance": _balance((4000, 3000))})) == []


def test_computed_totals_are_silent(tmp_path):
    assert findings(write(tmp_path / "b.xlsx", {"Balance": _balance()})) == []


def _tax(typed_b=True):
    """Years across; income tax = profit less a constant plug in E:G, typed in B:C."""
    cells = {"B2": "2001", "C2": "2002", "D2": "2003", "E2": "2004", "F2": "2005", "G2": "2006",
             "A3": "Net profit", "A4": "Income tax", "A5": "Net profit after tax"}
    profit = [19886, 17709, 16158, 18190, 14995, 12227]
    tax = [6658, 5553, 5233, 5952, 5583, 4174]
    for i, col in enumerate("BCDEFG"):
        cells[f"{col}3"] = profit[i]
        cells[f"{col}4"] = (f"=+{col}3-{profit[i] - tax[i]}", float(tax[i]))
        cells[f"{col}5"] = (f"=+{col}3-{col}4", float(profit[i] - tax[i]))
    if typed_b:
        cells["B4"], cells["C4"] = tax[0], tax[1]
    return cells


def test_formulas_differing_only_in_a_constant_set_a_pattern(tmp_path):
    found = findings(write(tmp_path / "t.xlsx", {"P&L": _tax()}))
    assert [f.cell for f in found] == ["B4", "C4"]


def test_all_computed_with_plugs_is_silent(tmp_path):
    assert findings(write(tmp_path / "t.xlsx", {"P&L": _tax(typed_b=False)})) == []


def _grades(typed=True):
    """Years across; grade A = total of A and A* less A*, copied C:F; G computed another way."""
    cells = {"B2": 1993, "C2": 1994, "D2": 1995, "E2": 1996, "F2": 1997, "G2": 1998, "H2": 1999, "I2": 2000,
             "A3": "A*", "A4": "A"}
    for i, col in enumerate("BCDEFGHI"):
        cells[f"{col}3"] = 11000 + 500 * i
        cells[f"{col}4"] = (f"={54000 + 1000 * i}-{col}3", float(54000 + 1000 * i - 11000 - 500 * i))
    cells["G4"] = ("=0.079*684850", 54103.15)
    if typed:
        cells["H4"], cells["I4"] = 58417, 58849
    return cells


def test_typed_figures_after_a_run_and_one_other_formula_are_flagged(tmp_path):
    found = findings(write(tmp_path / "g.xlsx", {"Data": _grades()}))
    assert [f.cell for f in found] == ["H4", "I4"]


def test_row_computed_throughout_is_silent(tmp_path):
    assert findings(write(tmp_path / "g.xlsx", {"Data": _grades(typed=False)})) == []
