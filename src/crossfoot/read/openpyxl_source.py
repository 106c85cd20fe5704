"""Build the grid from an openpyxl ``Workbook`` object (for the Python API).

An openpyxl workbook loaded normally holds formulas but no cached values; one loaded
with ``data_only=True`` holds values but no formulas. Pass both to get both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crossfoot.grid.address import CellRange
from crossfoot.grid.model import Cell, ExcelError, Workbook


def _formula_text(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        return value
    text = getattr(value, "text", None)  # ArrayFormula
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    return None


def from_openpyxl(book: Any, values: Any | None = None, path: str = "<openpyxl>") -> Workbook:
    """Convert an openpyxl workbook (and optionally its ``data_only`` twin) to the grid."""
    wb = Workbook(path=path, source_format="openpyxl")
    wb.date1904 = bool(getattr(getattr(book, "epoch", None), "year", 1900) == 1904)
    for ws in book.worksheets:
        sheet = wb.add_sheet(ws.title)
        sheet.hidden = ws.sheet_state != "visible"
        vws = values[ws.title] if values is not None else None
        for row in ws.iter_rows():
            for c in row:
                raw = c.value
                if raw is None:
                    continue
                formula = _formula_text(raw)
                if formula is not None:
                    value = vws[c.coordinate].value if vws is not None else None
                else:
                    value = raw
                if c.data_type == "e" or (isinstance(value, str) and value in _ERRORS):
                    value = ExcelError(value)
                elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    value = dt.datetime(value.year, value.month, value.day)
                elif isinstance(value, (dt.time, dt.timedelta)):
                    value = str(value)
                cell = Cell(c.row, c.column, value, formula, c.number_format or "General")
                if c.data_type == "s" and isinstance(value, str) and _looks_numeric(value):
                    cell.text_number = True
                sheet.add(cell)
        for rng in ws.merged_cells.ranges:
            sheet.merged.append(CellRange(rng.min_row, rng.min_col, rng.max_row, rng.max_col))
        sheet.hidden_rows = {i for i, d in ws.row_dimensions.items() if d.hidden}
        from openpyxl.utils import column_index_from_string

        sheet.hidden_cols = {column_index_from_string(k) for k, d in ws.column_dimensions.items() if d.hidden}
    for name, dn in getattr(book, "defined_names", {}).items():
        wb.defined_names[name] = "=" + str(dn.attr_text)
    return wb


_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").strip())
    except ValueError:
        return False
    return bool(text.strip())
