"""The DeepSeek fleet case: the research table as it was published, rebuilt cell by cell.

The published table is an image; ``fleet_table.toml`` (package data, copied from the case
folder with its sources) gives its layout, the formulas as the reader of the table found
them (errors included) and the per-column inputs reconstructed so that every published
total holds. ``write_published_table`` writes it as a workbook whose cached values are
what those formulas give, so that the file looks like one saved by Excel.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from crossfoot.grid.address import column_letter

CASE_PACKAGE = "crossfoot.data.cases.deepseek"


def case_file(name: str) -> Path:
    """Path of a bundled case file, e.g. ``case_file("fund.toml")``."""
    return Path(str(resources.files(CASE_PACKAGE).joinpath(name)))


def load_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(case_file(name).read_text(encoding="utf-8"))


@dataclass
class TableRow:
    key: str
    label: str
    values: list[float] | None
    formula: str | None
    total_formula: str
    provenance: str | None


@dataclass
class PublishedTable:
    title: str
    columns: list[str]
    rows: list[TableRow]
    expected: dict[str, float]

    FIRST_ROW = 3  # row 1 title, row 2 headers
    FIRST_COL = 2  # column A holds the labels

    def row_of(self, key: str) -> int:
        return self.FIRST_ROW + [r.key for r in self.rows].index(key)

    @property
    def total_col(self) -> int:
        return self.FIRST_COL + len(self.columns)


def published_table() -> PublishedTable:
    data = load_toml("fleet_table.toml")
    rows = [TableRow(key, spec["label"], spec.get("values"), spec.get("formula"),
                     spec["total_as_published"], spec.get("provenance"))
            for key, spec in data["rows"].items()]
    return PublishedTable(data["title"], data["columns"], rows, data.get("expected", {}))


def _column_formula(table: PublishedTable, template: str, col: int) -> str:
    """'=gpus*capex_per_gpu/10^6' in column C -> '=C3*C5/10^6'."""
    letter = column_letter(col)
    keys = sorted((r.key for r in table.rows), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, keys)) + r")\b")
    return pattern.sub(lambda m: f"{letter}{table.row_of(m.group(1))}", template)


def _total_formula(template: str, row: int) -> str:
    """'=SUM(B:D)' on row 6 -> '=SUM(B6:D6)': the row's own cells of those columns."""
    return re.sub(r"\b([A-Z]{1,3}):([A-Z]{1,3})\b", rf"\g<1>{row}:\g<2>{row}", template)


def write_published_table(path: str | Path) -> Path:
    """Write the table as published (its formulas and its errors) to ``path``.

    Cached values are what the table's formulas give (as Excel would have stored them),
    calculated from the case inputs by the recalculation engine.
    """
    import xlsxwriter

    table = published_table()
    path = Path(path)
    formulas: dict[tuple[int, int], str] = {}
    constants: dict[tuple[int, int], float] = {}
    for row in table.rows:
        r = table.row_of(row.key)
        for i in range(len(table.columns)):
            c = table.FIRST_COL + i
            if row.values is not None:
                constants[(r, c)] = row.values[i]
            else:
                assert row.formula is not None
                formulas[(r, c)] = _column_formula(table, row.formula, c)
        formulas[(r, table.total_col)] = _total_formula(row.total_formula, r)
    values = _evaluate(formulas, constants)

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Fleet")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    sheet.write(0, 0, table.title, bold)
    sheet.write(1, 0, "", bold)
    for i, name in enumerate([*table.columns, "Total"]):
        sheet.write(1, table.FIRST_COL - 1 + i, name, bold)
    for row in table.rows:
        r = table.row_of(row.key)
        sheet.write(r - 1, 0, row.label)
        for c in range(table.FIRST_COL, table.total_col + 1):
            if (r, c) in formulas:
                sheet.write_formula(r - 1, c - 1, formulas[(r, c)], money, values[(r, c)])
            else:
                sheet.write_number(r - 1, c - 1, constants[(r, c)], money)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, table.total_col - 1, 11)
    book.close()
    return path


def _evaluate(formulas: dict[tuple[int, int], str], constants: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Values of the table's formulas, calculated by crossfoot's recalculation engine
    (``repair.recalc``) on an in-memory grid of the table, as Excel would have cached them."""
    from crossfoot.grid.model import Cell, Workbook
    from crossfoot.repair.recalc import ensure_values

    book = Workbook(path="<published table>")
    sheet = book.add_sheet("Fleet")
    for (r, c), value in constants.items():
        sheet.add(Cell(r, c, value))
    for (r, c), text in formulas.items():
        sheet.add(Cell(r, c, None, text))
    ensure_values(book)
    values: dict[tuple[int, int], float] = {}
    for key in [*constants, *formulas]:
        value = sheet.cells[key].value
        if not isinstance(value, (int, float)):
            raise ValueError(f"the table's formula at {key} did not calculate: {book.notices}")
        values[key] = float(value)
    return values
