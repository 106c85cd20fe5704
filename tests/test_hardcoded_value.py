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
