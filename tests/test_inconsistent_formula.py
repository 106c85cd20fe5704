"""inconsistent-formula: breaks in runs of copied formulas, including cross-sheet roll-ups."""

import crossfoot

from structural_grid import write


def findings(path, rule="inconsistent-formula"):
    return [f for f in crossfoot.audit(path).findings if f.rule == rule]


def _revenue(e7="=E5*E6"):
    cells = {"A1": "Plan", "B4": "Q1", "C4": "Q2", "D4": "Q3", "E4": "Q4", "F4": "Q5",
             "A5": "Units", "A6": "Price", "A7": "Revenue"}
    for i, col in enumerate("BCDEF"):
        cells[f"{col}5"] = 10 + i
        cells[f"{col}6"] = 2.0 + i
        cells[f"{col}7"] = (f"={col}5*{col}6", float((10 + i) * (2.0 + i)))
    cells["E7"] = (e7, 0.0)
    return cells


def test_shifted_reference_in_the_middle_of_a_run_is_flagged(tmp_path):
    found = findings(write(tmp_path / "t.xlsx", {"P": _revenue("=E5*D6")}))
    assert [f.cell for f in found] == ["E7"]
    assert found[0].fix.formula == "=E5*E6"
    assert "'Revenue'" in found[0].message


def test_consistent_run_is_silent(tmp_path):
    assert findings(write(tmp_path / "t.xlsx", {"P": _revenue()})) == []


def _rollup(b5="=North!B5+South!B5+East!B5"):
    sheets = {}
    for name in ("North", "South", "East"):
        sheets[name] = {"A1": name, "B2": "Q1", "A3": "Hardware", "A4": "Software", "A5": "Services",
                        "A6": "Support", "B3": 1, "B4": 2, "B5": 3, "B6": 4}
    summary = {"A1": "Summary", "B2": "Q1", "A3": "Hardware", "A4": "Software", "A5": "Services", "A6": "Support"}
    for r in range(3, 7):
        summary[f"B{r}"] = (f"=North!B{r}+South!B{r}+East!B{r}", 3.0 * (r - 2))
    summary["B5"] = (b5, 9.0)
    sheets["Summary"] = summary
    return sheets


def test_rollup_cell_leaving_out_a_region_is_flagged(tmp_path):
    found = findings(write(tmp_path / "r.xlsx", _rollup("=North!B5+South!B5")))
    assert [(f.sheet, f.cell) for f in found] == [("Summary", "B5")]
    assert "East" in found[0].message


def test_complete_rollup_is_silent(tmp_path):
    report = crossfoot.audit(write(tmp_path / "r.xlsx", _rollup()))
    assert [f for f in report.findings if f.severity != "info"] == []


def _weighted_fleet(f4):
    """GPUs across, a Total column: sums for amounts, F4 as given for the price row."""
    cells = {"A1": "GPU fleet", "B2": "A100", "C2": "H20", "D2": "H800", "E2": "H100", "F2": "Total",
             "A3": "# of GPUs", "A4": "ASP ($)", "A5": "Server CapEx ($m)", "A6": "Cost to operate ($m)"}
    gpus, asp, capex, opex = [10000, 30000, 10000, 10000], [12000, 13000, 25000, 22000], \
        [200, 750, 350, 300], [164, 348, 203, 229]
    for i, col in enumerate("BCDE"):
        cells[f"{col}3"], cells[f"{col}4"], cells[f"{col}5"], cells[f"{col}6"] = gpus[i], asp[i], capex[i], opex[i]
    cells["F3"] = ("=SUM(B3:E3)", 60000.0)
    cells["F4"] = (f4, 16333.33)
    cells["F5"] = ("=SUM(B5:E5)", 1600.0)
    cells["F6"] = ("=SUM(B6:E6)", 944.0)
    return cells


def test_weighted_average_in_a_total_column_of_sums_is_silent(tmp_path):
    report = crossfoot.audit(write(tmp_path / "w.xlsx", {"Fleet": _weighted_fleet("=SUMPRODUCT(B3:E3,B4:E4)/SUM(B3:E3)")}))
    assert [f for f in report.findings if f.severity != "info"] == []


def _columns_copied_down(e_rate="$C$1"):
    """Calc!B:D scale Inputs by the rate in B1, each column copied down; E uses its own rate."""
    inputs = {"A1": "Rates", "B1": 1.1, "C1": 0.9, "B4": "A", "C4": "B", "D4": "C", "E4": "D"}
    calc = {"A1": "Calc", "B2": "A", "C2": "B", "D2": "C", "E2": "D"}
    for r in range(5, 10):
        for col in "BCDE":
            inputs[f"{col}{r}"] = r * 10 + ord(col)
    for r in range(3, 8):
        for col in "BCD":
            calc[f"{col}{r}"] = (f"=Inputs!{col}{r + 2}*Inputs!$B$1", 1.1 * inputs[f"{col}{r + 2}"])
        calc[f"E{r}"] = (f"=Inputs!E{r + 2}*Inputs!{e_rate}", 0.9 * inputs[f"E{r + 2}"])
    return {"Inputs": inputs, "Calc": calc}


def test_column_copied_down_beside_reference_copies_is_not_a_row_break(tmp_path):
    report = crossfoot.audit(write(tmp_path / "c.xlsx", _columns_copied_down()))
    assert [f for f in report.findings if f.rule == "inconsistent-formula"] == []


def test_one_cell_off_its_column_pattern_is_still_flagged(tmp_path):
    sheets = _columns_copied_down()
    sheets["Calc"]["E5"] = ("=Inputs!E7*Inputs!$B$1", 0.0)
    found = findings(write(tmp_path / "c.xlsx", sheets))
    assert ("Calc", "E5") in [(f.sheet, f.cell) for f in found]


def test_link_to_another_sheet_written_with_a_plus_is_not_a_damaged_copy(tmp_path):
    sheets = {"Fall": {"A1": "x", "B2": 1, "C2": 2, "B3": 3, "C3": 4},
              "Plan": {"A1": "FTE", "B3": ("=+Fall!C2", 2.0)}}
    for r in range(4, 8):
        sheets["Plan"][f"B{r}"] = (f"=IF(Fall!B{r - 1}>0,Fall!B{r - 1}+Fall!C{r - 1},B{r - 1})", 1.0)
    found = findings(write(tmp_path / "l.xlsx", sheets))
    assert [f.cell for f in found] == []


def test_copy_with_a_typed_adjustment_is_flagged(tmp_path):
    found = findings(write(tmp_path / "t.xlsx", {"P": _revenue("=E5*E6-500")}))
    assert [f.cell for f in found] == ["E7"]
    assert found[0].fix.formula == "=E5*E6"
    assert "with -500 typed into it" in found[0].message


def test_adjustment_copied_along_the_whole_row_is_silent(tmp_path):
    cells = _revenue()
    for i, col in enumerate("BCDEF"):
        cells[f"{col}7"] = (f"={col}5*{col}6-500", 0.0)
    assert findings(write(tmp_path / "t.xlsx", {"P": cells})) == []


def _closing(c8: str) -> dict[str, object]:
    """Two years side by side: opening + movements = closing."""
    return {"A1": "Reserves", "C2": "2003", "D2": "2002", "A3": "Opening", "A4": "Additions", "A5": "Disposals",
            "A7": "Closing", "C3": 900, "C4": 120, "C5": 40, "D3": 850, "D4": 90, "D5": 40,
            "C7": (c8, 0.0), "D7": ("=SUM(D3+D4-D5)", 900.0)}


def test_one_of_two_year_columns_with_a_plugged_figure_is_flagged(tmp_path):
    found = findings(write(tmp_path / "t.xlsx", {"R": _closing("=SUM(C3+C4-C5)-400")}))
    assert [f.cell for f in found] == ["C7"]
    assert found[0].fix.formula == "=SUM(C3+C4-C5)"


def test_two_year_columns_computed_alike_are_silent(tmp_path):
    assert findings(write(tmp_path / "t.xlsx", {"R": _closing("=SUM(C3+C4-C5)")})) == []


def _sections(j8="=G8/E8"):
    """Schools by section: places (E), applicants (G), a ratio (J) copied down each row; row 8
    totals the section and its ratio divides the totals (J8 as given)."""
    cells = {"A1": "BTS by section", "A3": "School", "E3": "Places", "G3": "Applicants", "J3": "Ratio"}
    places, applicants = [24, 35, 24, 35], [31, 86, 27, 118]
    for i, r in enumerate(range(4, 8)):
        cells[f"A{r}"] = f"School {i + 1}"
        cells[f"E{r}"], cells[f"G{r}"] = places[i], applicants[i]
        cells[f"J{r}"] = (f"=G{r}/E{r}", applicants[i] / places[i])
    cells["A8"] = "Total"
    cells["E8"] = ("=SUM(E4:E7)", float(sum(places)))
    cells["G8"] = ("=SUM(G4:G7)", float(sum(applicants)))
    cells["J8"] = (j8, 118 / 35 if j8 == "=G7/E7" else sum(applicants) / sum(places))
    return cells


def test_total_line_repeating_the_last_copy_is_flagged(tmp_path):
    found = findings(write(tmp_path / "s.xlsx", {"S": _sections("=G7/E7")}))
    assert [f.cell for f in found] == ["J8"]
    assert found[0].fix.formula == "=G8/E8"
    assert "the same cells as J7" in found[0].message


def test_total_line_reading_its_own_totals_is_silent(tmp_path):
    report = crossfoot.audit(write(tmp_path / "s.xlsx", {"S": _sections()}))
    assert [f for f in report.findings if f.severity != "info"] == []


def test_total_line_with_its_own_formula_is_silent(tmp_path):
    # a total line may compute its own way (an average of the ratios): not a shifted copy
    found = findings(write(tmp_path / "s.xlsx", {"S": _sections("=AVERAGE(J4:J7)")}))
    assert found == []
