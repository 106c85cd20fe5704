"""``crossfoot inspect``: sheets, used ranges, counts, fingerprints with the cells they
cover, defined names, notices; text and JSON; bad files in a batch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossfoot.grid.address import a1, parse_a1
from crossfoot.read import load
from crossfoot.read.summary import cells_to_ranges, summarize
from test_read_xlsx import make_shared, rich_workbook

from shared_data import EUSES  # noqa: E402


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crossfoot", *args], capture_output=True, text=True)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.tuples(st.integers(1, 12), st.integers(1, 6)), min_size=1, max_size=40))
def test_ranges_cover_exactly_the_cells_without_overlap(cells):
    ranges = cells_to_ranges(cells)
    covered = [rc for rg in ranges for rc in rg.cells()]
    assert len(covered) == len(set(covered))
    assert set(covered) == cells


def test_a_copied_block_compresses_to_one_rectangle():
    cells = {(r, c) for r in range(2, 10) for c in range(6, 9)}
    assert [rg.a1 for rg in cells_to_ranges(cells)] == ["F2:H9"]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 1_048_576), st.integers(1, 16_384))
def test_a1_addresses_round_trip(row, col):
    assert parse_a1(a1(row, col)) == (row, col)
    assert parse_a1("$" + a1(row, col).replace(str(row), "$" + str(row))) == (row, col)


def test_summary_lists_fingerprints_with_their_ranges(tmp_path):
    wb = load(rich_workbook(tmp_path / "rich.xlsx"))
    s = summarize(wb)
    pl = next(sh for sh in s["sheets"] if sh["name"] == "P&L")
    assert pl["used_range"] == "A1:H10"
    fps = {f["fingerprint"]: f for f in pl["fingerprints"]}
    assert fps["=SUM(RC[-4]:RC[-1])"]["ranges"] == ["F2:F4"]
    assert fps["=SUM(R[-3]C:R[-1]C)"]["ranges"] == ["F5"]
    assert pl["formulas"] == 9  # F2:F5, A6:C6, H2 (array), A8
    secret = next(sh for sh in s["sheets"] if sh["name"] == "Secret")
    assert secret["hidden"] and secret["formulas"] == 0 and secret["values"] == 1
    assert s["defined_names"]["Rate"] == "=0.05"


def test_cli_text_output_marks_hidden_sheets_and_shows_names(tmp_path):
    out = cli("inspect", str(rich_workbook(tmp_path / "rich.xlsx")))
    assert out.returncode == 0, out.stderr
    assert "Secret  (hidden)" in out.stdout
    assert "=SUM(RC[-4]:RC[-1])" in out.stdout and "F2:F4" in out.stdout
    assert "Costs ='P&L'!$B$2:$E$4" in out.stdout


def test_cli_json_output_for_a_shared_formula_workbook(tmp_path):
    import xlsxwriter

    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    ws = book.add_worksheet("Data")
    for r in range(1, 11):
        ws.write_row(r - 1, 0, [r, r])
        ws.write_formula(r - 1, 2, f"=A{r}*B{r}", None, r * r)
    book.close()
    shared = make_shared(plain, tmp_path / "shared.xlsx")
    out = cli("inspect", "--format", "json", str(shared))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    f = data["files"][0]
    assert data["tool"] == "crossfoot" and f["error"] is None
    assert f["sheets"][0]["fingerprints"] == [{"fingerprint": "=RC[-2]*RC[-1]", "cells": 10, "ranges": ["C1:C10"]}]


def test_cli_json_reports_the_bad_file_and_still_inspects_the_good(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x00\x01garbage")
    good = tmp_path / "t.csv"
    good.write_text("a,b\n1,2\n")
    out = cli("inspect", "--format", "json", str(bad), str(good))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    files = json.loads(out.stdout)["files"]
    assert files[0]["error"] == "not a workbook (no zip signature)"
    assert files[1]["error"] is None and "CSV stores no formulas" in files[1]["notices"][0]


def test_unknown_format_is_a_usage_error(tmp_path):
    out = cli("inspect", "--format", "xml", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "unknown --format" in out.stderr


@pytest.mark.skipif(not EUSES.is_dir(), reason="EUSES benchmark folder is not present")
def test_inspect_reads_every_euses_workbook_without_an_error():
    files = sorted(str(p) for p in EUSES.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))
    assert len(files) >= 32
    out = cli("inspect", "--format", "json", *files)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [f["error"] for f in data["files"]] == [None] * len(files)
    assert sum(sh["formulas"] for f in data["files"] for sh in f["sheets"]) > 1000
