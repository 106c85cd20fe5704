"""The models as workbooks: live formulas that, recalculated by an independent engine
(the ``formulas`` package), give the Python model's numbers; inputs apart from
calculations; units in every label; and a clean audit by crossfoot's own rules."""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path

import openpyxl
import pytest

import crossfoot
from crossfoot.models import fund, tco
from crossfoot.models.inputs import TomlDocument
from crossfoot.models.xlsx_export import write_fund_xlsx, write_tco_xlsx

EXAMPLES = Path(str(resources.files("crossfoot.examples")))

MIXED = """
title = "mixed fleet"
region = "us"
[groups]
Outer = ["A100", "B200"]
[[accelerator]]
name = "A100"
count = 1000
opex_per_year = 2e6
[[accelerator]]
name = "H100"
count = 2000
dc_build_per_mw = 11.7e6
cost_of_capital = 0.1
[[accelerator]]
name = "B200"
count = 500
gpu_price = 40000
server_overhead = 1.3
"""

FLOWS = """
name = "flows"
management_fee = 0.02
performance_fee = 0.2
hurdle = 0.03
channel_share = 0.3
opex_share_of_aum = 0.004
opening_nav_bn = 1.0
[[years]]
year = 2020
gross_return = 0.15
flow_bn = 0.5
[[years]]
year = 2021
gross_return = -0.2
flow_bn = -0.2
opex_m = 3
[[years]]
year = 2022
gross_return = 0.3
"""


def recalc(path: Path) -> dict[tuple[str, str], float]:
    import formulas

    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, value in solution.items():
        m = re.match(r"'\[[^\]]+\](.+)'!([A-Z]+\d+)$", key)
        if m:
            v = value.value[0][0] if hasattr(value, "value") else value
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out[(m.group(1).upper(), m.group(2))] = float(v)
    return out


def formula_cells(path: Path):
    wb_f = openpyxl.load_workbook(path)
    wb_v = openpyxl.load_workbook(path, data_only=True)
    for ws in wb_f:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    yield ws.title, c.coordinate, c.value, wb_v[ws.title][c.coordinate].value


def assert_recalculates_to_cached(path: Path) -> dict[tuple[str, str], float]:
    """Recalculate; every formula's value equals its cached value (the Python model's)."""
    values = recalc(path)
    n = 0
    for sheet, cell, formula, cached in formula_cells(path):
        got = values[(sheet.upper(), cell)]
        assert math.isclose(got, cached, rel_tol=1e-9, abs_tol=1e-9), (sheet, cell, formula, got, cached)
        n += 1
    assert n > 50
    return values


def by_label(path: Path, sheet: str, label: str, header: str) -> float:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    col = next(c.column for row in ws.iter_rows(max_row=5) for c in row if c.value == header)
    row = next(c.row for c in ws["A"] if c.value == label)
    return ws.cell(row, col).value


@pytest.fixture(scope="module")
def deepseek_xlsx(tmp_path_factory):
    return tco.write_corrected_fleet(tmp_path_factory.mktemp("x") / "deepseek_fleet_corrected.xlsx")


def test_corrected_deepseek_fleet_recalculates_to_the_model(deepseek_xlsx):
    values = assert_recalculates_to_cached(deepseek_xlsx)
    ws = openpyxl.load_workbook(deepseek_xlsx)["Calculations"]
    rows = {c.value: c.row for c in ws["A"] if c.value}
    assert values[("CALCULATIONS", f"F{rows['Capex ($m)']}")] == pytest.approx(1600)
    assert values[("CALCULATIONS", f"F{rows['Operating cost over the life ($m)']}")] == pytest.approx(944)
    assert values[("CALCULATIONS", f"F{rows['TCO per year ($m/yr)']}")] == pytest.approx(636)
    assert values[("GROUPS", f"B{rows['TCO per year ($m/yr)']}")] == pytest.approx(545)
    assert values[("GROUPS", f"B{rows['Capex ($m)']}")] == pytest.approx(1400)
    assert ws[f"F{rows['Capex ($m)']}"].value == f"=SUM(B{rows['Capex ($m)']}:E{rows['Capex ($m)']})"


def test_fleet_workbook_totals_sum_flows_and_weight_per_unit_rows(deepseek_xlsx):
    ws = openpyxl.load_workbook(deepseek_xlsx)["Calculations"]
    rows = {c.value: c.row for c in ws["A"] if c.value}
    r = rows["Capex per GPU ($/GPU)"]
    # the per-unit total is the row's own formula on the totals: capex / GPUs (GPU-weighted)
    assert ws[f"F{r}"].value == f"=F{rows['Capex ($m)']}*10^6/F{rows['GPUs (count)']}"
    assert by_label(deepseek_xlsx, "Calculations", "Capex per GPU ($/GPU)", "Fleet") == pytest.approx(26_666.67, abs=0.01)


def test_example_and_mixed_fleets_recalculate_to_the_model(tmp_path):
    for name, fleet in (("example", tco.load_fleet(EXAMPLES / "fleet.toml")),
                        ("mixed", tco.fleet_from_document(TomlDocument(MIXED)))):
        result = tco.compute(fleet)
        path = write_tco_xlsx(result, tmp_path / f"{name}.xlsx")
        assert_recalculates_to_cached(path)
        assert by_label(path, "Calculations", "TCO per year ($m/yr)", "Fleet") == pytest.approx(
            result.total["tco_per_year"] / 1e6)
        assert by_label(path, "Calculations", "Cost per GPU-hour ($/GPU-h)", "Fleet") == pytest.approx(
            result.total["cost_per_gpu_hour"])


def test_fund_workbooks_recalculate_to_the_model(tmp_path):
    for name, inputs in (("case", fund.deepseek_fund()), ("flows", fund.fund_from_document(TomlDocument(FLOWS)))):
        result = fund.run_fund(inputs)
        path = write_fund_xlsx(result, tmp_path / f"{name}.xlsx")
        assert_recalculates_to_cached(path)
        ws = openpyxl.load_workbook(path, data_only=True)["Calculations"]
        last_year = next(c.row for c in ws["A"] if c.value == "Total") - 1
        header = {c.value: c.column_letter for c in ws[3] if c.value}
        assert ws[f"{header['Cumulative cash to reinvest ($m)']}{last_year}"].value == pytest.approx(
            result.lifetime_reinvestable)


def test_inputs_are_numbers_and_calculations_are_formulas(tmp_path):
    path = write_tco_xlsx(tco.run(EXAMPLES / "fleet.toml"), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    for row in wb["Inputs"].iter_rows(min_row=2):
        for c in row[1:]:
            assert not (isinstance(c.value, str) and c.value.startswith("="))
    for row in wb["Calculations"].iter_rows(min_row=3):
        for c in row[1:]:
            assert isinstance(c.value, str) and c.value.startswith("="), c.coordinate


def test_every_label_states_its_unit(tmp_path):
    unit = re.compile(r"\(.+\)$")
    wb = openpyxl.load_workbook(write_tco_xlsx(tco.run(EXAMPLES / "fleet.toml"), tmp_path / "f.xlsx"))
    labels = [c.value for c in wb["Inputs"]["A"] if c.value and c.row > 1 and c.value != "Input"]
    labels += [c.value for c in wb["Calculations"]["A"] if c.value and c.row > 2]
    wb = openpyxl.load_workbook(write_fund_xlsx(fund.run_fund(fund.deepseek_fund()), tmp_path / "u.xlsx"))
    labels += [c.value for c in wb["Inputs"]["A"] if isinstance(c.value, str) and c.row > 1]
    labels += [c.value for c in wb["Inputs"][next(c.row for c in wb["Inputs"]["A"] if c.value == "Year")] if c.value]
    labels += [c.value for c in wb["Calculations"][3] if c.value]
    assert len(labels) > 40
    for label in labels:
        assert label == "Year" or unit.search(label), label


def test_exported_workbooks_audit_clean(tmp_path, deepseek_xlsx):
    paths = [deepseek_xlsx,
             write_tco_xlsx(tco.run(EXAMPLES / "fleet.toml"), tmp_path / "fleet.xlsx"),
             write_tco_xlsx(tco.compute(tco.fleet_from_document(TomlDocument(MIXED))), tmp_path / "mixed.xlsx"),
             write_fund_xlsx(fund.run_fund(fund.deepseek_fund()), tmp_path / "fund.xlsx"),
             write_fund_xlsx(fund.run_fund(fund.fund_from_document(TomlDocument(FLOWS))), tmp_path / "flows.xlsx")]
    report = crossfoot.audit(*paths)
    assert all(f.error is None for f in report.files)
    serious = [(f.rule, f.sheet, f.cell, f.message) for f in report.findings if f.severity in ("error", "warning")]
    assert serious == []
