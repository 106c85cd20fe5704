"""Hostile and broken input: each case is a generated file, each gives a ReadError with
a one-line reason naming the problem, and the CLI turns it into one line on stderr with
exit code 2. The input file is never modified."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from crossfoot.read import ReadError, load
from crossfoot.read.ooxml import Package
from crossfoot.read.xlsx import read_xlsx
from test_read_xlsx import BIG, handmade_xlsx, rich_workbook


def reason(path: Path, **kw) -> str:
    with pytest.raises(ReadError) as info:
        read_xlsx(path, max_unzipped_bytes=kw.get("cap", BIG))
    err = info.value
    assert "\n" not in str(err)
    assert str(err).startswith(str(path))
    return err.reason


def test_random_bytes_are_not_a_workbook(tmp_path):
    p = tmp_path / "noise.xlsx"
    p.write_bytes(bytes(range(256)) * 40)
    assert reason(p) == "not a workbook (no zip signature)"


def test_text_file_renamed_xlsx_is_not_a_workbook(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("Item,Cost\nRent,100\n")
    assert reason(p) == "not a workbook (a text file, no zip signature)"


def test_empty_file_is_not_a_workbook(tmp_path):
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    assert "empty" in reason(p)


def test_truncated_zip(tmp_path):
    good = rich_workbook(tmp_path / "good.xlsx").read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good[: len(good) // 2])
    assert reason(p).startswith("truncated or damaged zip")


def _stored_workbook(tmp_path: Path) -> Path:
    src = rich_workbook(tmp_path / "src.xlsx")
    dst = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            method = zipfile.ZIP_STORED if info.filename == "xl/worksheets/sheet1.xml" else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, zin.read(info.filename), compress_type=method)
    return dst


def _member_offset(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    raw = path.read_bytes()
    name_len = int.from_bytes(raw[info.header_offset + 26: info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28: info.header_offset + 30], "little")
    return info.header_offset + 30 + name_len + extra_len


def test_corrupt_member_with_bad_crc(tmp_path):
    p = _stored_workbook(tmp_path)
    raw = bytearray(p.read_bytes())
    at = _member_offset(p, "xl/worksheets/sheet1.xml") + 300
    raw[at] = ord("7") if raw[at] != ord("7") else ord("8")  # a digit changed: still XML, wrong CRC
    p.write_bytes(bytes(raw))
    assert reason(p) == "corrupt zip member xl/worksheets/sheet1.xml (bad CRC)"


def test_corrupt_member_with_bad_deflate_data(tmp_path):
    p = rich_workbook(tmp_path / "deflated.xlsx")
    raw = bytearray(p.read_bytes())
    start = _member_offset(p, "xl/worksheets/sheet1.xml")
    for i in range(start + 5, start + 60):
        raw[i] ^= 0xFF
    p.write_bytes(bytes(raw))
    r = reason(p)
    assert r.startswith("corrupt zip member xl/worksheets/sheet1.xml") or r.startswith("malformed XML"), r


def test_password_protected_workbook_is_an_ole2_container(tmp_path):
    p = tmp_path / "locked.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = "EncryptionInfo".encode("utf-16-le") + bytes(50) + "EncryptedPackage".encode("utf-16-le")
    p.write_bytes(header + directory + bytes(4096))
    assert reason(p) == "encrypted or password-protected workbook (an OLE2 container), crossfoot cannot read it"


def test_zip_bomb_refused_by_declared_sizes(tmp_path):
    p = handmade_xlsx(tmp_path / "bomb.xlsx", [("S", '<row r="1"><c r="A1"><v>1</v></c></row>' * 2000)])
    r = reason(p, cap=50_000)
    assert r.startswith("zip bomb guard: the zip declares") and "max_unzipped_bytes" in r


def test_zip_bomb_refused_while_streaming_when_parts_inflate_past_the_cap(tmp_path):
    p = handmade_xlsx(tmp_path / "bomb.xlsx", [("S", '<row r="1"><c r="A1"><v>1</v></c></row>' * 2000)])
    with Package(p, BIG) as pkg:
        pkg._budget.cap = 20_000  # the declared sizes passed; the counted bytes do not
        with pytest.raises(ReadError, match="zip bomb guard: parts inflate to more than 20,000 bytes"):
            pkg.read("xl/worksheets/sheet1.xml")


def test_cap_is_configurable_through_load(tmp_path):
    p = rich_workbook(tmp_path / "ok.xlsx")
    assert load(p).sheets
    with pytest.raises(ReadError, match="zip bomb guard"):
        load(p, max_unzipped_bytes=1000)


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
                  + ']>')


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_billion_laughs_doctype_is_refused_in_any_part(tmp_path, part):
    body = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    p = handmade_xlsx(tmp_path / "laughs.xlsx", shared_strings="<si><t>x</t></si>",
                      replace={part: (BILLION_LAUGHS + body).encode()})
    t = time.perf_counter()
    r = reason(p)
    assert time.perf_counter() - t < 2
    assert r == (f"{part} declares a DOCTYPE (entity declarations); refused: crossfoot never expands "
                 f"or fetches XML entities")


def test_external_entity_is_refused_and_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (f'<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE sst [<!ENTITY x SYSTEM "file://{secret}">]>'
           f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>')
    p = handmade_xlsx(tmp_path / "xxe.xlsx", [("S", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>')],
                      shared_strings="", replace={"xl/sharedStrings.xml": xxe.encode()})
    assert "declares a DOCTYPE" in reason(p)


def test_missing_sheet_part(tmp_path):
    p = handmade_xlsx(tmp_path / "missing.xlsx", [("One", ""), ("Two", "")], drop=("xl/worksheets/sheet2.xml",))
    assert reason(p) == "missing sheet part xl/worksheets/sheet2.xml for sheet 'Two'"


def test_malformed_xml_and_dangling_shared_string(tmp_path):
    p = handmade_xlsx(tmp_path / "bad.xlsx", replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"})
    assert reason(p).startswith("malformed XML")
    p = handmade_xlsx(tmp_path / "dangling.xlsx", [("S", '<row r="1"><c r="B1" t="s"><v>5</v></c></row>')],
                      shared_strings="<si><t>only</t></si>")
    assert reason(p) == "cell B1 of sheet 'S' points to shared string 5, but the table has 1"


def test_plain_zip_without_a_workbook(tmp_path):
    p = tmp_path / "other.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    assert reason(p).startswith("not a spreadsheet package")


def test_dimension_claiming_a_million_rows_reads_fast_in_little_memory(tmp_path):
    sheet = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<dimension ref="A1:XFD1048576"/><sheetData>'
             '<row r="1"><c r="A1"><v>1</v></c></row>'
             '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
             '</sheetData></worksheet>')
    p = handmade_xlsx(tmp_path / "huge.xlsx", replace={"xl/worksheets/sheet1.xml": sheet.encode()})
    tracemalloc.start()
    t = time.perf_counter()
    wb = read_xlsx(p, max_unzipped_bytes=BIG)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    s = wb["Sheet1"]
    assert len(s) == 2 and s.value(1048576, 16384) == 2
    assert s.used_range.a1 == "A1:XFD1048576"
    assert elapsed < 1.0
    assert peak < 5_000_000


@pytest.mark.parametrize("kind", ["good", "bad"])
def test_input_file_is_never_modified(tmp_path, kind):
    p = rich_workbook(tmp_path / "book.xlsx")
    if kind == "bad":
        p.write_bytes(p.read_bytes()[:3000])
    past = time.time() - 3600
    os.utime(p, (past, past))
    before = (p.read_bytes(), p.stat().st_mtime_ns)
    try:
        load(p)
    except ReadError:
        pass
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossfoot", *args], capture_output=True, text=True)


def test_cli_bad_file_prints_one_line_naming_file_and_problem_exit_2(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("just text\n")
    out = cli("inspect", str(p))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(p) in lines[0] and "not a workbook" in lines[0]


def test_cli_batch_inspects_the_good_files_and_exits_2_for_the_bad_one(tmp_path):
    good = rich_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "locked.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + bytes(600))
    out = cli("inspect", str(bad), str(good))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "encrypted or password-protected" in out.stderr
    assert "P&L" in out.stdout and "=SUM(RC[-4]:RC[-1])" in out.stdout


def _truncated(tmp_path: Path) -> Path:
    p = tmp_path / "cut.xlsx"
    p.write_bytes(rich_workbook(tmp_path / "whole.xlsx").read_bytes()[:2500])
    return p


def _laughs(tmp_path: Path) -> Path:
    body = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
    return handmade_xlsx(tmp_path / "laughs.xlsx", replace={"xl/worksheets/sheet1.xml": (BILLION_LAUGHS + body).encode()})


def _missing(tmp_path: Path) -> Path:
    return handmade_xlsx(tmp_path / "missing.xlsx", [("One", ""), ("Two", "")], drop=("xl/worksheets/sheet2.xml",))


@pytest.mark.parametrize("make,words", [(_truncated, "truncated"), (_laughs, "DOCTYPE"), (_missing, "missing sheet part")])
def test_cli_each_bad_kind_is_one_line_exit_2(tmp_path, make, words):
    p = make(tmp_path)
    out = cli("inspect", str(p))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(p) in lines[0] and words in lines[0]


def test_very_hidden_sheet_is_hidden(tmp_path):
    p = handmade_xlsx(tmp_path / "vh.xlsx", [("Shown", ""), ("Deep", "")])
    with zipfile.ZipFile(p) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'name="Deep"', b'name="Deep" state="veryHidden"')
    with zipfile.ZipFile(p, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    wb = load(p)
    assert wb["Deep"].hidden and not wb["Shown"].hidden
