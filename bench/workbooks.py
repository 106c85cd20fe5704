"""Benchmark workbooks, generated once and cached under bench/out/.

``large_workbook()`` returns the path of a workbook of 1,000,000+ cells, 45% of them
formulas, written with xlsxwriter (cached values supplied) and then rewritten so that
each formula column is an Excel-style shared formula: the first cell of each block of
rows carries ``<f t="shared" ref=".." si="k">text</f>`` and the others ``<f t="shared"
si="k"/>``, as Excel saves them (xlsxwriter and openpyxl cannot write shared formulas).
It has shared strings, dates, number formats, a text-result formula and cross-sheet
references.

``openpyxl_single_load_seconds(path)`` times one openpyxl load (formulas, normal mode)
in a fresh process; other benchmarks compare their own times with it.

Run ``python bench/workbooks.py [ROWS]`` to (re)build the workbook and print its shape.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

DATA_COLS = 7      # A label, B qty, C price, D date, E =B*C, F =E*1.1, G =IF(..,"big","small")
SUMMARY_COLS = 6   # A label, B =Data!E+Data!F, C number, D =B*C, E =ROUND(D/1000,2), F percent
BLOCK = 4096       # rows per shared-formula block (Excel also splits long groups)


def _build(path: Path, data_rows: int, shared: bool = True) -> None:
    import xlsxwriter

    summary_rows = data_rows // 2
    tmp = path.with_suffix(".plain.xlsx")
    book = xlsxwriter.Workbook(str(tmp))
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    pct = book.add_format({"num_format": "0.0%"})
    usd = book.add_format({"num_format": '"$"#,##0'})
    data = book.add_worksheet("Data")
    data.write_row(0, 0, ["Item", "Qty", "Price", "Date", "Amount", "With tax", "Size"])
    base = dt.date(2020, 1, 1)
    cats = [f"Category {i}" for i in range(500)]
    for i in range(data_rows):
        r = i + 1
        n = r + 1
        qty = (i * 7) % 97 + 1
        price = ((i * 13) % 1000) / 10 + 0.5
        amount = qty * price
        data.write_string(r, 0, cats[i % 500])
        data.write_number(r, 1, qty)
        data.write_number(r, 2, price, money)
        data.write_datetime(r, 3, base + dt.timedelta(days=i % 2000), date)
        data.write_formula(r, 4, f"=B{n}*C{n}", usd, amount)
        data.write_formula(r, 5, f"=E{n}*1.1", usd, amount * 1.1)
        data.write_formula(r, 6, f'=IF(E{n}>1000,"big","small")', None, "big" if amount > 1000 else "small")
    summary = book.add_worksheet("Summary")
    summary.write_row(0, 0, ["Line", "Gross", "Factor", "Scaled", "Thousands", "Share"])
    for i in range(summary_rows):
        r = i + 1
        n = r + 1
        qty = (i * 7) % 97 + 1
        price = ((i * 13) % 1000) / 10 + 0.5
        gross = qty * price * 2.1
        factor = (i % 10) / 4 + 1
        scaled = gross * factor
        summary.write_string(r, 0, f"Line {i % 2000}")
        summary.write_formula(r, 1, f"=Data!E{n}+Data!F{n}", usd, gross)
        summary.write_number(r, 2, factor)
        summary.write_formula(r, 3, f"=B{n}*C{n}", usd, scaled)
        summary.write_formula(r, 4, f"=ROUND(D{n}/1000,2)", None, round(scaled / 1000, 2))
        summary.write_number(r, 5, (i % 100) / 100, pct)
    book.close()
    if shared:
        _make_shared(tmp, path)
        tmp.unlink()
    else:
        tmp.replace(path)


_F_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"([^>]*)><f>([^<]*)</f>')


def _make_shared(src: Path, dst: Path) -> None:
    """Rewrite every formula column into shared-formula blocks of BLOCK rows."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _shared_xml(data)
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def _shared_xml(xml: bytes) -> bytes:
    # Pass 1: the last row of each formula column, to size each block's ref.
    last: dict[bytes, int] = {}
    for m in _F_CELL.finditer(xml):
        last[m.group(1)] = max(last.get(m.group(1), 0), int(m.group(2)))
    groups: dict[tuple[bytes, int], int] = {}

    def sub(m: re.Match) -> bytes:
        col, row, attrs = m.group(1), int(m.group(2)), m.group(3)
        if row == 1:
            return m.group(0)
        block = (row - 2) // BLOCK
        key = (col, block)
        if key not in groups:
            groups[key] = len(groups)
            end = min(last[col], 2 + (block + 1) * BLOCK - 1)
            ref = b"%s%d:%s%d" % (col, row, col, end)
            return b'<c r="%s%d"%s><f t="shared" ref="%s" si="%d">%s</f>' % (
                col, row, attrs, ref, groups[key], m.group(4))
        return b'<c r="%s%d"%s><f t="shared" si="%d"/>' % (col, row, attrs, groups[key])

    return _F_CELL.sub(sub, xml)


def large_workbook(data_rows: int = 100_000, rebuild: bool = False, shared: bool = True) -> Path:
    """The cached benchmark workbook: data_rows x 7 + data_rows/2 x 6 cells (+ headers).

    ``shared=False`` keeps every formula written out in full, as scripts and LibreOffice
    save them (no Excel shared-formula groups)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"large_{'shared' if shared else 'plain'}_{data_rows}.xlsx"
    if rebuild or not path.exists():
        _build(path, data_rows, shared)
    return path


def shape(data_rows: int) -> dict[str, int]:
    """Cell and formula counts of ``large_workbook(data_rows)``."""
    summary_rows = data_rows // 2
    cells = (data_rows + 1) * DATA_COLS + (summary_rows + 1) * SUMMARY_COLS
    formulas = data_rows * 3 + summary_rows * 3
    return {"cells": cells, "formulas": formulas}


_SINGLE_LOAD = """
import json, resource, sys, time
t = time.perf_counter()
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only={read_only}, data_only=False)
n = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += len(row)
wb.close()
print(json.dumps({{"seconds": time.perf_counter() - t, "cells": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def openpyxl_single_load_seconds(path: str | Path, read_only: bool = False) -> dict[str, float]:
    """Time one openpyxl load of ``path`` (formulas, no cached values) in a fresh process.

    Returns {"seconds", "cells", "peak_mb"}; ``read_only=False`` (the default) is the
    normal mode, which keeps every cell as a Python object, as an audit must.
    """
    code = _SINGLE_LOAD.format(read_only=bool(read_only))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    p = large_workbook(rows, rebuild="--rebuild" in sys.argv)
    s = shape(rows)
    print(f"{p}: {s['cells']:,} cells, {s['formulas']:,} formulas "
          f"({s['formulas'] / s['cells']:.0%}), {p.stat().st_size / 1e6:.1f} MB")
