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
