"""The public Python API: one import audits a path or an openpyxl workbook."""

import openpyxl
import pytest

import crossfoot


def _fleet_book(total_formula: str) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Fleet"
    ws.append(["", "A100", "H20", "H800", "H100", "Total"])
    ws.append(["# of GPUs", 10000, 30000, 10000, 10000, "=SUM(B2:E2)"])
    ws.append(["Server CapEx ($m)", 200, 750, 350, 300, total_formula])
    ws.append(["Cost to Operation ($m)", 164, 348, 203, 229, "=SUM(B4:E4)"])
    return book


def test_openpyxl_workbook_object_is_read_with_its_formulas():
    wb = crossfoot.load(_fleet_book("=SUM(B3:E3)"))
    cell = wb["Fleet"]["F3"]
    assert cell.formula == "=SUM(B3:E3)"
    assert wb["Fleet"]["B3"].value == 200


def test_openpyxl_workbook_with_a_short_total_is_flagged_and_its_clean_twin_is_not():
    short = crossfoot.audit(_fleet_book("=SUM(B3:D3)"))
    assert [(f.rule, f.cell) for f in short.findings] == [("omitted-range", "F3")]
    clean = crossfoot.audit(_fleet_book("=SUM(B3:E3)"))
    assert clean.findings == []


def test_report_converts_to_json_contract_and_dataframe():
    report = crossfoot.audit(_fleet_book("=SUM(B3:D3)"))
    data = report.to_dict()
    assert data["tool"] == "crossfoot" and data["version"] == crossfoot.__version__
    finding = data["files"][0]["findings"][0]
    assert {"rule", "severity", "sheet", "cell", "message"} <= finding.keys()
    assert finding["fix"]["formula"] == "=SUM(B3:E3)"
    frame = report.to_dataframe()
    assert list(frame["cell"]) == ["F3"] and frame.loc[0, "rule"] == "omitted-range"


def test_unreadable_path_is_a_file_report_with_a_reason(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(range(256)) * 4)
    report = crossfoot.audit(bad)
    assert report.files[0].error == "not a workbook (no zip signature)"
    with pytest.raises(crossfoot.ReadError):
        crossfoot.load(bad)
