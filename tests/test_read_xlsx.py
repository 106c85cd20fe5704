"""The one-pass .xlsx reader against openpyxl's two loads (formulas, then cached values).

Workbooks are generated: xlsxwriter writes cached values (``write_formula(..., value=)``);
Excel-style shared formulas, inline strings and other things xlsxwriter cannot write are
produced by rewriting the sheet XML or by writing a package by hand (``handmade_xlsx``).
The helpers here are imported by the other reader tests.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossfoot.grid.formula import info_for
from crossfoot.grid.model import ExcelError
from crossfoot.read import load
from crossfoot.read.xlsx import looks_numeric, read_xlsx

BIG = 1 << 30
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCREL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# -- builders shared by the reader tests ---------------------------------------------

def rich_workbook(path: Path) -> Path:
    """A workbook with every value kind, formats, layout facts and names."""
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": '"$"#,##0.00'})
    pct = wb.add_format({"num_format": "0.0%"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    builtin = wb.add_format({"num_format": 3})  # #,##0
    ws = wb.add_worksheet("P&L")
    ws.write_row(0, 0, ["Item", "Q1", "Q2", "Q3", "Q4", "Total"], bold)
    for i, name in enumerate(["Rent", "Staff", "Power"]):
        r = i + 1
        vals = [10 * (i + 1), 11 * (i + 1), 12.5 * (i + 1), 13 * (i + 1)]
        ws.write_string(r, 0, name)
        ws.write_row(r, 1, vals, money)
        ws.write_formula(r, 5, f"=SUM(B{r + 1}:E{r + 1})", money, sum(vals))
    ws.write_formula(4, 5, "=SUM(F2:F4)", money, 0 + 46 * 6 + 0.5 * 6)
    ws.write_formula(5, 0, '=IF(F5>0,"ok","bad")', None, "ok")
    ws.write_formula(5, 1, "=F5>100", None, True)
    ws.write_formula(5, 2, "=1/0", None, "#DIV/0!")
    ws.write_boolean(5, 3, False)
    ws.write_number(5, 4, 0.125, pct)
    ws.write_datetime(6, 0, dt.datetime(2024, 2, 29), date)
    ws.write_number(6, 1, 1234567, builtin)
    ws.write_string(6, 2, "1,234")          # a number stored as text
    ws.write_string(6, 3, "12 units")       # text, not a number
    ws.write_rich_string(6, 4, "plain ", bold, "bold", " end")
    ws.write_array_formula("H2:H4", "{=B2:B4*C2:C4}", None, 110)
    ws.write_formula(7, 0, "='Other sheet'!A1*2", None, 84)
    ws.merge_range("A10:C10", "merged title", bold)
    ws.set_row(8, None, None, {"hidden": True})
    ws.set_column("G:G", None, None, {"hidden": True})
    other = wb.add_worksheet("Other sheet")
    other.write_number(0, 0, 42)
    other.write_formula(1, 0, "=A1+'P&L'!B2", None, 52)
    hidden = wb.add_worksheet("Secret")
    hidden.write_string(0, 0, "hidden text")
    hidden.hide()
    wb.define_name("Rate", "=0.05")
    wb.define_name("Costs", "='P&L'!$B$2:$E$4")
    wb.define_name("'Other sheet'!Local", "='Other sheet'!$A$1")
    wb.close()
    return path


_F_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"([^>]*)><f>([^<]*)</f>')


def make_shared(src: Path, dst: Path, columns: set[str] | None = None) -> Path:
    """Rewrite formula columns into Excel-style shared formulas (master + children)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                last: dict[str, int] = {}
                for m in _F_CELL.finditer(text):
                    last[m.group(1)] = max(last.get(m.group(1), 0), int(m.group(2)))
                groups: dict[str, int] = {}

                def sub(m: re.Match) -> str:
                    col, row, attrs, ftext = m.group(1), int(m.group(2)), m.group(3), m.group(4)
                    if columns is not None and col not in columns:
                        return m.group(0)
                    if col not in groups:
                        groups[col] = len(groups)
                        return (f'<c r="{col}{row}"{attrs}><f t="shared" ref="{col}{row}:{col}{last[col]}" '
                                f'si="{groups[col]}">{ftext}</f>')
                    return f'<c r="{col}{row}"{attrs}><f t="shared" si="{groups[col]}"/>'

                data = _F_CELL.sub(sub, text).encode()
            zout.writestr(info, data)
    return dst


def handmade_xlsx(path: Path, sheets: list[tuple[str, str]] | None = None, *, shared_strings: str | None = None,
                  styles: str | None = None, workbook_extra: str = "", workbook_pr: str = "",
                  drop: tuple[str, ...] = (), replace: dict[str, bytes] | None = None,
                  absolute_targets: bool = False) -> Path:
    """Write a minimal package by hand. ``sheets`` is [(name, sheetData inner XML)];
    ``drop`` leaves parts out; ``replace`` swaps a part's bytes."""
    sheets = sheets if sheets is not None else [("Sheet1", '<row r="1"><c r="A1"><v>1</v></c></row>')]
    parts: dict[str, bytes] = {}
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(len(sheets)))
        + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared_strings is not None else "")
        + ('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' if styles is not None else "")
        + "</Types>").encode()
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOCREL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()
    sheet_entries = "".join(f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, (name, _) in enumerate(sheets))
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOCREL}">{workbook_pr}'
        f'<sheets>{sheet_entries}</sheets>{workbook_extra}</workbook>').encode()
    prefix = "/xl/" if absolute_targets else ""
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{DOCREL}/worksheet" Target="{prefix}worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(sheets)))
    n = len(sheets)
    if shared_strings is not None:
        rels += f'<Relationship Id="rId{n + 1}" Type="{DOCREL}/sharedStrings" Target="{prefix}sharedStrings.xml"/>'
        parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
                                         f'{shared_strings}</sst>').encode()
    if styles is not None:
        rels += f'<Relationship Id="rId{n + 2}" Type="{DOCREL}/styles" Target="{prefix}styles.xml"/>'
        parts["xl/styles.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
                                  f'{styles}</styleSheet>').encode()
    parts["xl/_rels/workbook.xml.rels"] = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
                                           f'{rels}</Relationships>').encode()
    for i, (_, data) in enumerate(sheets):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{DOCREL}">'
            f'<sheetData>{data}</sheetData></worksheet>').encode()
    for name, data in (replace or {}).items():
        parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name not in drop:
                z.writestr(name, data)
    return path


def oracle(path: Path) -> dict[str, dict[tuple[int, int], tuple[object, object, str]]]:
    """openpyxl's view, two loads: {sheet: {(row, col): (value, formula, format)}}."""
    fwb = openpyxl.load_workbook(path)
    vwb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in fwb.worksheets:
        vws = vwb[ws.title]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                raw = c.value
                formula = None
                if c.data_type == "f":
                    formula = raw if isinstance(raw, str) else "=" + raw.text.lstrip("=")
                value = vws.cell(c.row, c.column).value if formula else raw
                cells[(c.row, c.column)] = (value, formula, c.number_format)
        out[ws.title] = cells
    return out


def normalise(value: object) -> object:
    if isinstance(value, ExcelError):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    if isinstance(value, dt.time):  # crossfoot keeps a bare time of day as its serial number
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


def assert_matches_oracle(path: Path) -> None:
    ours = read_xlsx(path, max_unzipped_bytes=BIG)
    theirs = oracle(path)
    assert list(ours.sheets) == list(theirs)
    for name, cells in theirs.items():
        sheet = ours[name]
        expected = {k: v for k, v in cells.items() if v[0] is not None or v[1] is not None}
        assert set(sheet.cells) == set(expected), name
        for key, (value, formula, fmt) in expected.items():
            cell = sheet.cells[key]
            assert normalise(cell.value) == normalise(value), (name, cell.address)
            assert cell.formula == formula, (name, cell.address)
            assert cell.number_format == fmt, (name, cell.address)


# -- tests ------------------------------------------------------------------------------

def test_reader_agrees_with_openpyxl_two_loads_on_every_cell(tmp_path):
    assert_matches_oracle(rich_workbook(tmp_path / "rich.xlsx"))


def test_values_are_typed_by_kind(tmp_path):
    wb = read_xlsx(rich_workbook(tmp_path / "rich.xlsx"), max_unzipped_bytes=BIG)
    s = wb["P&L"]
    assert s["A6"].value == "ok" and s["A6"].formula == '=IF(F5>0,"ok","bad")'
    assert s["B6"].value is True
    assert s["C6"].value == ExcelError("#DIV/0!") and s["C6"].is_error
    assert s["D6"].value is False
    assert s["E6"].value == 0.125 and s["E6"].number_format == "0.0%"
    assert s["A7"].value == dt.datetime(2024, 2, 29)
    assert s["B7"].number_format == "#,##0"
    assert s["E7"].value == "plain bold end"
    assert s["F2"].value == 46.5 and s["F2"].number_format == '"$"#,##0.00'


def test_number_stored_as_text_is_marked_but_words_are_not(tmp_path):
    s = read_xlsx(rich_workbook(tmp_path / "rich.xlsx"), max_unzipped_bytes=BIG)["P&L"]
    assert s["C7"].value == "1,234" and s["C7"].text_number
    assert not s["D7"].text_number
    assert not s["A2"].text_number


def test_array_formula_keeps_its_range(tmp_path):
    s = read_xlsx(rich_workbook(tmp_path / "rich.xlsx"), max_unzipped_bytes=BIG)["P&L"]
    assert s["H2"].array_ref == "H2:H4"
    assert s["H2"].formula == "=B2:B4*C2:C4"


def test_layout_facts_hidden_sheet_rows_columns_merged_and_names(tmp_path):
    wb = read_xlsx(rich_workbook(tmp_path / "rich.xlsx"), max_unzipped_bytes=BIG)
    assert wb["Secret"].hidden and not wb["P&L"].hidden
    s = wb["P&L"]
    assert 9 in s.hidden_rows
    assert 7 in s.hidden_cols
    assert [m.a1 for m in s.merged] == ["A10:C10"]
    assert wb.defined_names["Rate"] == "=0.05"
    assert wb.defined_names["Costs"] == "='P&L'!$B$2:$E$4"
    assert wb.defined_names["'Other sheet'!Local"] == "='Other sheet'!$A$1"


def test_shared_formula_children_point_to_one_group_and_translate_lazily(tmp_path):
    plain = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(plain))
    ws = wb.add_worksheet("Data")
    for r in range(1, 21):
        ws.write_row(r - 1, 0, [r, r * 2])
        ws.write_formula(r - 1, 2, f"=A{r}*B{r}+$A$1", None, r * r * 2 + 1)
        ws.write_formula(r - 1, 3, f"=SUM(A{r}:C{r})", None, r * 3 + r * r * 2 + 1)
    wb.close()
    shared = make_shared(plain, tmp_path / "shared.xlsx")
    assert b't="shared"' in zipfile.ZipFile(shared).read("xl/worksheets/sheet1.xml")
    book = read_xlsx(shared, max_unzipped_bytes=BIG)
    s = book["Data"]
    groups = {id(s.get(r, 3).shared) for r in range(1, 21)}
    assert len(groups) == 1 and s.get(1, 3).shared is not None
    assert all(s.get(r, 3)._formula is None for r in range(1, 21))  # nothing translated yet
    assert s.get(7, 3).formula == "=A7*B7+$A$1"
    assert info_for(s.get(3, 3)) is info_for(s.get(19, 3))
    assert info_for(s.get(3, 4)).fingerprint == "=SUM(RC[-3]:RC[-1])"
    assert_matches_oracle(shared)


def test_inline_strings_rich_runs_and_phonetic_text(tmp_path):
    sst = ('<si><t>plain</t></si>'
           '<si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>'
           '<si><t>42</t></si>')
    data = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
            '<c r="D1" t="inlineStr"><is><t>inline</t></is></c>'
            '<c r="E1" t="inlineStr"><is><r><t>in</t></r><r><t>runs</t></r></is></c>'
            '<c r="F1" t="inlineStr"><is><t>7.5</t></is></c>'
            '<c r="G1" t="str"><f>"3"&amp;"4"</f><v>34</v></c></row>')
    path = handmade_xlsx(tmp_path / "strings.xlsx", [("S", data)], shared_strings=sst)
    s = read_xlsx(path, max_unzipped_bytes=BIG)["S"]
    assert [s.value(1, c) for c in range(1, 8)] == ["plain", "rich", "42", "inline", "inruns", "7.5", "34"]
    assert s["C1"].text_number and s["F1"].text_number
    assert not s["G1"].text_number  # a formula's text result is not a typed-in number


def test_date1904_and_iso_dates_and_custom_formats(tmp_path):
    styles = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="d mmm yyyy"/></numFmts>'
              '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs>')
    data = ('<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="2"><v>0.25</v></c>'
            '<c r="C1" t="d"><v>2024-03-01T00:00:00</v></c><c r="D1" s="1"><v>366</v></c></row>')
    path = handmade_xlsx(tmp_path / "d1904.xlsx", [("S", data)], styles=styles,
                         workbook_pr='<workbookPr date1904="1"/>')
    wb = read_xlsx(path, max_unzipped_bytes=BIG)
    s = wb["S"]
    assert wb.date1904
    assert s["A1"].value == dt.datetime(1904, 1, 1)
    assert s["D1"].value == dt.datetime(1905, 1, 1)
    assert s["B1"].value == 0.25 and s["B1"].number_format == "0.00%"
    assert s["C1"].value == dt.datetime(2024, 3, 1)
    assert s["A1"].number_format == "d mmm yyyy"
    assert s["A1"].number_format is s["D1"].number_format  # one string per style


def test_absolute_relationship_targets_and_cells_without_addresses(tmp_path):
    data = '<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="C2"><v>3</v></c></row>'
    path = handmade_xlsx(tmp_path / "abs.xlsx", [("S", data)], absolute_targets=True)
    s = read_xlsx(path, max_unzipped_bytes=BIG)["S"]
    assert {k: c.value for k, c in s.cells.items()} == {(1, 1): 1, (1, 2): 2, (2, 3): 3}


def test_chartsheet_is_skipped_with_a_notice(tmp_path):
    path = tmp_path / "chart.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_column(0, 0, [1, 2, 3])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$A$1:$A$3"})
    cs = wb.add_chartsheet("Chart1")
    cs.set_chart(chart)
    wb.close()
    book = read_xlsx(path, max_unzipped_bytes=BIG)
    assert list(book.sheets) == ["Data"]
    assert any("Chart1" in n and "chartsheet" in n and "skipped" in n for n in book.notices)


def test_load_dispatches_xlsx_and_xlsm_to_the_streaming_reader(tmp_path):
    path = rich_workbook(tmp_path / "rich.xlsx")
    xlsm = tmp_path / "rich.xlsm"
    xlsm.write_bytes(path.read_bytes())
    for p in (path, xlsm):
        wb = load(p)
        assert wb.source_format == "xlsx" and wb["P&L"]["F5"].formula == "=SUM(F2:F4)"


@pytest.mark.parametrize("text,expected", [
    ("12", True), ("-3.5", True), ("1,234.00", True), ("1e6", True), (" 7 ", True),
    ("12 units", False), ("nan", False), ("inf", False), ("", False), ("1,23", False), ("Q1", False),
])
def test_looks_numeric(text, expected):
    assert looks_numeric(text) is expected


_cell_values = st.one_of(
    st.integers(-10**9, 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e12, max_value=1e12),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
      .filter(lambda s: s.strip() == s and not s.startswith("=")),
    st.booleans(),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 8)), _cell_values, min_size=1, max_size=40),
       formula_rows=st.lists(st.integers(1, 30), max_size=6, unique=True))
def test_random_grids_round_trip(tmp_path, grid, formula_rows):
    path = tmp_path / "grid.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    ws = wb.add_worksheet("G")
    for (r, c), v in grid.items():
        ws.write(r - 1, c - 1, v)
    for r in formula_rows:
        ws.write_formula(r - 1, 9, f"=SUM(A{r}:H{r})*2", None, r * 2)
    wb.close()
    s = read_xlsx(path, max_unzipped_bytes=BIG)["G"]
    for (r, c), v in grid.items():
        got = s.value(r, c)
        if isinstance(v, bool):
            assert got is v
        elif isinstance(v, (int, float)):
            # xlsxwriter writes 16 significant digits (as Excel does), not 17
            assert math.isclose(got, v, rel_tol=1e-15) and not isinstance(got, bool)
        else:
            assert got == v
    for r in formula_rows:
        assert s.get(r, 10).formula == f"=SUM(A{r}:H{r})*2" and s.value(r, 10) == r * 2
    assert len(s) == len(grid) + len(formula_rows)


from shared_data import EUSES  # noqa: E402
_EUSES_SAMPLE = sorted(EUSES.iterdir())[::4] if EUSES.is_dir() else []


@pytest.mark.skipif(not EUSES.is_dir(), reason="EUSES benchmark folder is not present")
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("path", _EUSES_SAMPLE, ids=lambda p: p.name[:24])
def test_reader_agrees_with_openpyxl_on_excel_authored_euses_files(path):
    # Every fourth file keeps the test fast; all 32 agree (checked when this was written).
    assert_matches_oracle(path)
