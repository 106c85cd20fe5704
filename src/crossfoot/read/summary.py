"""What was read, in brief: the facts ``crossfoot inspect`` shows, as plain data.

``summarize(workbook)`` gives, per sheet, its used range, the counts of values and
formulas and each distinct formula fingerprint (relative R1C1) with the cells it
covers compressed into rectangles; plus defined names and the reader's notices.
"""

from __future__ import annotations

from typing import Iterable

from crossfoot.grid.address import CellRange
from crossfoot.grid.formula import info_for
from crossfoot.grid.model import Sheet, Workbook


def cells_to_ranges(cells: Iterable[tuple[int, int]]) -> list[CellRange]:
    """Cover a set of (row, col) with rectangles: vertical runs per column, then runs
    with the same rows in adjacent columns merged. Ordered by top-left cell."""
    by_col: dict[int, list[int]] = {}
    for r, c in cells:
        by_col.setdefault(c, []).append(r)
    runs: list[tuple[int, int, int]] = []  # (col, first row, last row)
    for col in sorted(by_col):
        rows = sorted(set(by_col[col]))
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((col, start, prev))
                start = r
            prev = r
        runs.append((col, start, prev))
    open_rects: dict[tuple[int, int], list[int]] = {}  # (first, last row) -> [min_col, max_col]
    done: list[CellRange] = []
    for col, r1, r2 in runs:
        rect = open_rects.get((r1, r2))
        if rect is not None and rect[1] == col - 1:
            rect[1] = col
            continue
        if rect is not None:
            done.append(CellRange(r1, rect[0], r2, rect[1]))
        open_rects[(r1, r2)] = [col, col]
    for (r1, r2), (c1, c2) in open_rects.items():
        done.append(CellRange(r1, c1, r2, c2))
    return sorted(done)


def sheet_summary(sheet: Sheet) -> dict:
    values = formulas = 0
    groups: dict[str, list[tuple[int, int]]] = {}
    for (r, c), cell in sheet.cells.items():
        if cell.has_formula:
            formulas += 1
            info = info_for(cell)
            fp = info.fingerprint if info is not None else "?"
            groups.setdefault(fp, []).append((r, c))
        elif not cell.is_empty:
            values += 1
    used = sheet.used_range
    fingerprints = []
    for fp, where in groups.items():
        ranges = cells_to_ranges(where)
        fingerprints.append({"fingerprint": fp, "cells": len(where), "ranges": [rg.a1 for rg in ranges]})
    fingerprints.sort(key=lambda f: (CellRange.parse(f["ranges"][0]).min_row,
                                     CellRange.parse(f["ranges"][0]).min_col))
    return {
        "name": sheet.name,
        "hidden": sheet.hidden,
        "used_range": used.a1 if used else None,
        "values": values,
        "formulas": formulas,
        "hidden_rows": len(sheet.hidden_rows),
        "hidden_cols": len(sheet.hidden_cols),
        "merged": [m.a1 for m in sheet.merged],
        "fingerprints": fingerprints,
    }


def summarize(workbook: Workbook) -> dict:
    """The inspect view of a workbook as JSON-ready data."""
    return {
        "path": workbook.path,
        "format": workbook.source_format,
        "date1904": workbook.date1904,
        "sheets": [sheet_summary(s) for s in workbook],
        "defined_names": dict(workbook.defined_names),
        "notices": list(workbook.notices),
    }
