"""Reading formulas and cached values: crossfoot's one-pass reader against openpyxl.

openpyxl gives formulas or cached values per load, so it needs two loads (formulas,
then ``data_only=True``). Each reader runs in a fresh subprocess, one after another in
the same run, so that its peak memory (ru_maxrss) is its own:

- crossfoot   ``crossfoot.read.load(path)``: the whole grid in memory (every cell with
              value, formula or shared-formula group, number format);
- crossfoot streamed, ``crossfoot.read.xlsx.stream_xlsx(path, on_cell)``: the same
  one pass, each cell handed to a callback and not kept;
- openpyxl read-only, two loads zipped row by row, keeping nothing (its fastest way to
  see both; memory stays flat because no cell is kept);
- openpyxl read-only, two loads, keeping (formula, value, format) per cell in a dict:
  what it takes to hold the same information crossfoot's grid holds;
- openpyxl normal mode, two loads (``--normal``; slow and memory-hungry);
- openpyxl normal mode, one load (formulas only): the time other benchmarks compare an
  audit with (``bench.workbooks.openpyxl_single_load_seconds``).

    .venv/bin/python bench/read_speed.py [--rows 100000] [--normal]

Prints a table and like-for-like ratios (streamed against streamed, a kept grid against
openpyxl keeping the same cells); never fails.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workbooks import large_workbook, openpyxl_single_load_seconds, shape  # noqa: E402

_PRELUDE = """
import json, resource, sys, time
path = sys.argv[1]
t0 = time.perf_counter()
"""
_EPILOGUE = """
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "cells": cells, "formulas": formulas,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

READERS = {
    "crossfoot (one pass, full grid)": """
from crossfoot.read import load
wb = load(path)
cells = sum(len(s) for s in wb)
formulas = sum(1 for s in wb for c in s.cells.values() if c.has_formula)
""",
    "crossfoot streamed, one pass (keeps nothing)": """
from crossfoot.read.xlsx import stream_xlsx
cells = formulas = 0
def on_cell(sheet, c):
    global cells, formulas
    cells += 1
    if c.has_formula:
        formulas += 1
    _ = (c.value, c.number_format)
stream_xlsx(path, on_cell)
""",
    "openpyxl read-only x2, streamed (keeps nothing)": """
import openpyxl
fw = openpyxl.load_workbook(path, read_only=True)
vw = openpyxl.load_workbook(path, read_only=True, data_only=True)
cells = formulas = 0
for fs, vs in zip(fw.worksheets, vw.worksheets):
    for frow, vrow in zip(fs.iter_rows(), vs.iter_rows()):
        for fc, vc in zip(frow, vrow):
            if fc.value is None:
                continue
            cells += 1
            if fc.data_type == "f":
                formulas += 1
            _ = (fc.value, vc.value, fc.number_format)
fw.close(); vw.close()
""",
    "openpyxl read-only x2, keeping every cell": """
import openpyxl
fw = openpyxl.load_workbook(path, read_only=True)
vw = openpyxl.load_workbook(path, read_only=True, data_only=True)
grid = {}
formulas = 0
for fs, vs in zip(fw.worksheets, vw.worksheets):
    sheet = grid[fs.title] = {}
    for frow, vrow in zip(fs.iter_rows(), vs.iter_rows()):
        for fc, vc in zip(frow, vrow):
            if fc.value is None:
                continue
            f = fc.value if fc.data_type == "f" else None
            formulas += f is not None
            sheet[(fc.row, fc.column)] = (vc.value, f, fc.number_format)
fw.close(); vw.close()
cells = sum(len(s) for s in grid.values())
""",
    "openpyxl normal x2 (--normal)": """
import openpyxl
fw = openpyxl.load_workbook(path)
vw = openpyxl.load_workbook(path, data_only=True)
cells = formulas = 0
for fs in fw.worksheets:
    vs = vw[fs.title]
    for row in fs.iter_rows():
        for fc in row:
            if fc.value is None:
                continue
            cells += 1
            formulas += fc.data_type == "f"
            _ = (vs.cell(fc.row, fc.column).value, fc.number_format)
""",
}


def run_reader(name: str, path: Path) -> dict:
    code = _PRELUDE + READERS[name] + _EPILOGUE
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="rows of the Data sheet (100000 -> 1M cells)")
    ap.add_argument("--normal", action="store_true", help="also time openpyxl's normal mode (two loads)")
    args = ap.parse_args()
    path = large_workbook(args.rows)
    s = shape(args.rows)
    print(f"workbook: {path.name}: {s['cells']:,} cells, {s['formulas']:,} formulas "
          f"({s['formulas'] / s['cells']:.0%}, Excel-style shared), {path.stat().st_size / 1e6:.1f} MB")
    names = [n for n in READERS if args.normal or "--normal" not in n]
    results = {}
    for name in names:
        results[name] = r = run_reader(name, path)
        if "error" in r:
            print(f"  {name}: failed: {r['error']}")
            continue
        print(f"  {name:<48} {r['seconds']:7.2f} s  {r['cells'] / r['seconds']:>10,.0f} cells/s  "
              f"peak {r['peak_mb']:6.0f} MB  ({r['cells']:,} cells, {r['formulas']:,} formulas)", flush=True)
    single = openpyxl_single_load_seconds(path)
    print(f"  {'openpyxl normal, one load (formulas only)':<48} {single['seconds']:7.2f} s  "
          f"{single['cells'] / single['seconds']:>10,.0f} cells/s  peak {single['peak_mb']:6.0f} MB")
    print()
    pairs = [
        ("crossfoot streamed, one pass (keeps nothing)", "openpyxl read-only x2, streamed (keeps nothing)"),
        ("crossfoot (one pass, full grid)", "openpyxl read-only x2, keeping every cell"),
        ("crossfoot (one pass, full grid)", "openpyxl normal x2 (--normal)"),
    ]
    for ours_name, theirs_name in pairs:
        ours, theirs = results.get(ours_name, {}), results.get(theirs_name, {})
        if not ours or not theirs or "error" in ours or "error" in theirs:
            continue
        print(f"  {ours_name} vs {theirs_name}: {theirs['seconds'] / ours['seconds']:.1f}x faster, "
              f"peak memory {ours['peak_mb']:.0f} MB vs {theirs['peak_mb']:.0f} MB "
              f"({ours['peak_mb'] / theirs['peak_mb']:.2f}x)")
    grid = results.get("crossfoot (one pass, full grid)", {})
    if grid and "error" not in grid:
        print(f"  crossfoot full grid vs openpyxl single load: {single['seconds'] / grid['seconds']:.1f}x faster")


if __name__ == "__main__":
    main()
