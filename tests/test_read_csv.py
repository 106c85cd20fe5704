"""CSV/TSV tables: one sheet named after the stem, numbers as analysts write them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossfoot.grid.model import ExcelError
from crossfoot.read import ReadError, load
from crossfoot.read.csv_reader import NO_FORMULAS_NOTICE, parse_number_text, read_csv, sniff_delimiter


@pytest.mark.parametrize("text,value,fmt", [
    ("1,234", 1234, "#,##0"),
    ("$1.2m", 1.2, '"$"#,##0.0"m"'),
    ("(350)", -350, "#,##0;(#,##0)"),
    ("12%", 0.12, "0%"),
    ("12.5%", 0.125, "0.0%"),
    ("¥3.5bn", 3.5, '"¥"#,##0.0"bn"'),
    ("€ 20", 20, '"€ "#,##0'),
    ("20 €", 20, '#,##0" €"'),
    ("RMB 20k", 20, '"RMB "#,##0"k"'),
    ("US$ 1,600 million", 1600, '"US$ "#,##0"million"'),
    ("-$45.50", -45.5, '"$"#,##0.00'),
    ("($1,300m)", -1300, '"$"#,##0"m";("$"#,##0"m")'),
    ("42", 42, "General"),
    ("-0.5", -0.5, "General"),
    ("1e6", 1e6, "0.00E+00"),
])
def test_numbers_written_by_analysts_keep_their_unit_in_the_format(text, value, fmt):
    got = parse_number_text(text)
    assert got is not None
    assert got[0] == pytest.approx(value) and got[1] == fmt


@pytest.mark.parametrize("text", ["Q1", "H100", "12 units", "1,23", "$", "%", "2024 plan", "1.2.3", "--5", "$5€"])
def test_text_that_is_not_a_number_stays_text(text):
    assert parse_number_text(text) is None


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=-10**12, max_value=10**12), cur=st.sampled_from(["", "$", "€", "¥", "RMB "]),
       scale=st.sampled_from(["", "k", "m", "bn"]), paren=st.booleans())
def test_formatted_integers_parse_back(n, cur, scale, paren):
    body = f"{abs(n):,}"
    text = f"{cur}{body}{scale}"
    if n < 0:
        text = f"({text})" if paren else "-" + text
    value, fmt = parse_number_text(text)
    assert value == n
    if scale:
        assert f'"{scale}"' in fmt
    if cur:
        assert cur.strip() in fmt


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), places=st.integers(0, 4))
def test_fixed_point_and_percent_text_parse_back(x, places):
    text = f"{x:,.{places}f}"
    value, _ = parse_number_text(text)
    assert value == pytest.approx(float(text.replace(",", "")))
    value, fmt = parse_number_text(text.replace(",", "") + "%")
    assert value == pytest.approx(float(text.replace(",", "")) / 100)
    assert fmt.endswith("%")


def test_csv_is_one_sheet_named_after_the_stem_first_line_is_row_1(tmp_path):
    p = tmp_path / "fleet table.csv"
    p.write_text('Item,A100,H100,Total\n# of GPUs,"10,000","50,000","60,000"\nASP,$12k,$23k,$35k\n'
                 'Share,20%,80%,100%\nLoss,(350),,#DIV/0!\nDate,2025-01-27,,\n')
    wb = read_csv(p)
    assert wb.source_format == "csv" and list(wb.sheets) == ["fleet table"]
    assert NO_FORMULAS_NOTICE in wb.notices and not wb.has_formulas
    s = wb["fleet table"]
    assert s["A1"].value == "Item" and s["D1"].value == "Total"
    assert s["B2"].value == 10000 and s["B2"].number_format == "#,##0"
    assert s["C3"].value == 23 and s["C3"].number_format == '"$"#,##0"k"'
    assert s["C4"].value == 0.8 and s["C4"].number_format == "0%"
    assert s["B5"].value == -350
    assert s.get(5, 3) is None
    assert s["D5"].value == ExcelError("#DIV/0!")
    assert s["B6"].value.year == 2025


@pytest.mark.parametrize("name,content,delim", [
    ("a.csv", "x,y,z\n1,2,3\n4,5,6\n", ","),
    ("a.csv", "x;y;z\n1,5;2;3\n4;5;6\n", ";"),
    ("a.csv", "x\ty\tz\n1\t2\t3\n", "\t"),
    ("a.tsv", "x,y\tz\n1,2\t3\n", "\t"),
    ("a.csv", 'name,amount\n"Smith, J","1,234"\n"Lee, K","2,000"\n', ","),
])
def test_dialect_is_sniffed(tmp_path, name, content, delim):
    assert sniff_delimiter(content, "." + name.rsplit(".", 1)[1]) == delim


def test_semicolon_files_read_decimal_commas(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("Posten;Betrag\nMiete;1.234,50\nStrom;12,5\n", encoding="utf-8")
    s = read_csv(p)["eu"]
    assert s["B2"].value == 1234.5 and s["B3"].value == 12.5


def test_encodings_bom_and_latin1_fallback(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeffItem,Cost\nCafé,€5\n".encode("utf-8"))
    s = read_csv(p)["bom"]
    assert s["A1"].value == "Item" and s["A2"].value == "Café" and s["B2"].value == 5
    q = tmp_path / "latin.csv"
    q.write_bytes("Item,Cost\nCaf\xe9,5\n".encode("latin-1"))
    wb = read_csv(q)
    assert wb["latin"]["A2"].value == "Café"
    assert any("not valid UTF-8" in n for n in wb.notices)


def test_binary_file_named_csv_is_refused(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"PK\x03\x04\x00\x00" + bytes(100))
    with pytest.raises(ReadError, match="not a text table"):
        load(p)


def test_load_routes_csv_and_tsv(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text("a\tb\n1\t2\n")
    wb = load(p)
    assert wb["t"]["B2"].value == 2


def test_windows_csv_with_a_euro_sign_reads_as_cp1252(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_bytes("Item,ASP (\u20ac)\nA100,12000\n".encode("cp1252"))
    wb = read_csv(p)
    assert wb["eu"]["B1"].value == "ASP (\u20ac)"
    assert any("Windows-1252" in n for n in wb.notices)


def test_empty_csv_is_a_read_error(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(ReadError, match="empty file"):
        read_csv(p)
