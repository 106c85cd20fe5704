"""Values-only formats through python-calamine. No .xls/.xlsb writer is available here,
so the code path is exercised with a hand-written .ods and with an .xlsx read through
calamine (the same API calamine uses for .xls and .xlsb)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from crossfoot.read import ReadError, load
from crossfoot.read.calamine_reader import NO_FORMULAS_NOTICE, read_calamine
from test_read_xlsx import rich_workbook

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')


def _cell(value) -> str:
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    if isinstance(value, tuple):  # (formula, cached)
        f, v = value
        return (f'<table:table-cell table:formula="{f}" office:value-type="float" office:value="{v}">'
                f'<text:p>{v}</text:p></table:table-cell>')
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f'<text:p>{value}</text:p></table:table-cell>')
    if value is None:
        return "<table:table-cell/>"
    return (f'<table:table-cell office:value-type="float" office:value="{value}">'
            f'<text:p>{value}</text:p></table:table-cell>')


def make_ods(path: Path, tables: dict[str, list[list]]) -> Path:
    body = "".join(
        f'<table:table table:name="{name}">'
        + "".join("<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in tables.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods_values_are_read_with_a_no_formulas_notice(tmp_path):
    p = make_ods(tmp_path / "costs.ods", {
        "Costs": [["Item", "Cost"], ["Rent", 12.5], ["Staff", 40], ["Total", ("of:=SUM([.B2:.B3])", 52.5)],
                  ["Since", dt.date(2024, 1, 31)]],
        "Notes": [[None, "x"]],
    })
    wb = load(p)
    assert wb.source_format == "ods"
    assert NO_FORMULAS_NOTICE in wb.notices
    assert list(wb.sheets) == ["Costs", "Notes"]
    s = wb["Costs"]
    assert s["A1"].value == "Item" and s["B2"].value == 12.5 and s["B3"].value == 40
    assert s["B4"].value == 52.5 and not s["B4"].has_formula
    assert s["B5"].value == dt.datetime(2024, 1, 31)
    assert wb["Notes"]["B1"].value == "x" and wb["Notes"].get(1, 1) is None


def test_xlsx_through_calamine_gives_the_same_values_as_the_streaming_reader(tmp_path):
    path = rich_workbook(tmp_path / "rich.xlsx")
    ours = load(path)
    cal = read_calamine(path)
    assert list(cal.sheets) == list(ours.sheets)
    assert cal["Secret"].hidden
    s, c = ours["P&L"], cal["P&L"]
    for addr in ("A1", "B2", "F2", "F5", "A6", "B6", "E6", "A7", "C7"):
        assert c[addr].value == s[addr].value, addr
    assert [m.a1 for m in c.merged] == ["A10:C10"]


def test_unreadable_legacy_file_is_one_line_error(tmp_path):
    p = tmp_path / "broken.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    with pytest.raises(ReadError) as info:
        load(p)
    assert "\n" not in str(info.value) and info.value.reason.startswith("not a readable .xls file")


def test_unencrypted_ole2_named_xlsx_goes_to_calamine(tmp_path):
    p = tmp_path / "renamed.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    with pytest.raises(ReadError, match="not a readable .xlsx file"):
        load(p)
