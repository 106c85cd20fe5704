"""The grid: Workbook -> Sheet -> Cell, as every reader produces it.

Sparse by construction: a sheet stores only the cells present in the file, keyed by
(row, column). A cell knows its cached value, its formula (if any) and its number format.
Formulas of one Excel shared-formula group keep a pointer to the group instead of their
own text; the text is translated only when someone asks for it, because on large
workbooks translating every child costs more than reading the file.
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Union

from crossfoot.grid.address import CellRange, a1


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a grid is built or audited.

    A million cells (and the tables, runs and indexes built over them) hold no reference
    cycles, but the collector would traverse all of them in each young collection and
    again as they move up the generations: measured, a fifth of the time of reading and
    auditing a 1,000,000-cell workbook. On leaving, everything allocated meanwhile is
    moved to the oldest generation without a traversal (``freeze`` then ``unfreeze``),
    where only the rare full collections visit it; nothing stays frozen, and garbage is
    collected as usual afterwards. Nested use is a no-op.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


class ExcelError(str):
    """An error value such as ``#REF!`` or ``#DIV/0!``, kept apart from text."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r})"


Value = Union[float, int, str, bool, dt.datetime, ExcelError, None]


class SharedFormula:
    """One ``<f t="shared" si=..>`` group: the master's text and where it stands.

    Children translate the master's text to their own position lazily (and the
    translator is built once per group). Every member has the same relative (R1C1)
    form, so the group's fingerprint is computed once.
    """

    __slots__ = ("text", "row", "col", "_translator", "fingerprint_cache")

    def __init__(self, text: str, row: int, col: int) -> None:
        self.text = text if text.startswith("=") else "=" + text
        self.row = row
        self.col = col
        self._translator = None
        self.fingerprint_cache: object = None

    def formula_at(self, row: int, col: int) -> str:
        if (row, col) == (self.row, self.col):
            return self.text
        if self._translator is None:
            from openpyxl.formula.translate import Translator

            self._translator = Translator(self.text, origin=a1(self.row, self.col))
        return self._translator.translate_formula(a1(row, col))


class Cell:
    """A cell that is present in the file.

    ``value`` is the cached value (what Excel showed when the file was saved), already
    typed: float/int, str, bool, datetime, ExcelError or None. ``formula`` is the formula
    text with its leading ``=`` or None. ``text_number`` marks a number stored as text.
    """

    __slots__ = ("row", "col", "value", "_formula", "shared", "number_format", "array_ref", "text_number")
    formula_generation = 0  # bumped by every formula assignment after construction

    def __init__(
        self,
        row: int,
        col: int,
        value: Value = None,
        formula: str | None = None,
        number_format: str = "General",
        shared: SharedFormula | None = None,
        array_ref: str | None = None,
    ) -> None:
        self.row = row
        self.col = col
        self.value = value
        self._formula = formula
        self.shared = shared
        self.number_format = number_format
        self.array_ref = array_ref
        self.text_number = False

    @property
    def formula(self) -> str | None:
        if self._formula is not None:
            return self._formula
        if self.shared is not None:
            return self.shared.formula_at(self.row, self.col)
        return None

    @formula.setter
    def formula(self, text: str | None) -> None:
        self._formula = text
        self.shared = None
        # sheets cache their list of formula cells; a changed formula renews it
        Cell.formula_generation += 1

    @property
    def has_formula(self) -> bool:
        return self._formula is not None or self.shared is not None

    @property
    def address(self) -> str:
        return a1(self.row, self.col)

    @property
    def is_number(self) -> bool:
        v = self.value
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    @property
    def is_text(self) -> bool:
        return isinstance(self.value, str) and not isinstance(self.value, ExcelError)

    @property
    def is_error(self) -> bool:
        return isinstance(self.value, ExcelError)

    @property
    def is_empty(self) -> bool:
        return not self.has_formula and (self.value is None or self.value == "")

    def __repr__(self) -> str:
        f = f" {self.formula}" if self.has_formula else ""
        return f"<Cell {self.address}={self.value!r}{f}>"


def _by_col(cell: Cell) -> int:
    return cell.col


@dataclass
class Sheet:
    """A worksheet: its cells by (row, col), plus the layout facts rules need."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    merged: list[CellRange] = field(default_factory=list)
    _rows: dict[int, list[Cell]] | None = field(default=None, repr=False)
    _cols: dict[int, list[Cell]] | None = field(default=None, repr=False)
    _formulas: list[Cell] = field(default_factory=list, repr=False)
    _formula_generation: int = field(default=-1, repr=False)

    def add(self, cell: Cell) -> Cell:
        self.cells[(cell.row, cell.col)] = cell
        self._rows = self._cols = None
        return cell

    def get(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    def __getitem__(self, address: str) -> Cell | None:
        from crossfoot.grid.address import parse_a1

        return self.cells.get(parse_a1(address))

    def value(self, row: int, col: int) -> Value:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def _index(self) -> None:
        rows = self._rows if self._rows is not None else self._index_rows()
        cols: dict[int, list[Cell]] = {}
        formulas: list[Cell] = []
        for line in rows.values():
            for cell in line:
                c = cell.col
                col = cols.get(c)
                if col is None:
                    cols[c] = [cell]
                else:
                    col.append(cell)
                if cell._formula is not None or cell.shared is not None:
                    formulas.append(cell)
        self._rows = rows
        self._cols = {c: cols[c] for c in sorted(cols)}
        self._formulas = formulas
        self._formula_generation = Cell.formula_generation

    def _index_rows(self) -> dict[int, list[Cell]]:
        # Readers add cells row by row, left to right, so the usual case is one linear
        # pass; a sort happens only for the rows (or the row order) found out of order.
        rows: dict[int, list[Cell]] = {}
        unsorted: set[int] = set()
        ordered = True
        last = 0
        for cell in self.cells.values():
            r = cell.row
            line = rows.get(r)
            if line is None:
                rows[r] = [cell]
                if r < last:
                    ordered = False
                last = r
            else:
                if cell.col < line[-1].col:
                    unsorted.add(r)
                line.append(cell)
        for r in unsorted:
            rows[r].sort(key=_by_col)
        if not ordered:
            rows = {r: rows[r] for r in sorted(rows)}
        return rows

    def rows(self) -> dict[int, list[Cell]]:
        """Cells grouped by row number, each row sorted by column."""
        if self._rows is None:
            self._rows = self._index_rows()
        return self._rows

    def columns(self) -> dict[int, list[Cell]]:
        """Cells grouped by column number, each column sorted by row."""
        if self._cols is None or self._rows is None:
            self._index()
        assert self._cols is not None
        return self._cols

    def __iter__(self) -> Iterator[Cell]:
        for cells in self.rows().values():
            yield from cells

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def used_range(self) -> CellRange | None:
        if not self.cells:
            return None
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return CellRange(min(rows), min(cols), max(rows), max(cols))

    def formula_cells(self) -> Iterator[Cell]:
        """The cells holding a formula, row by row."""
        if self._cols is None or self._rows is None or self._formula_generation != Cell.formula_generation:
            self._index()
        return iter(self._formulas)

    def merged_at(self, row: int, col: int) -> CellRange | None:
        for rng in self.merged:
            if (row, col) in rng:
                return rng
        return None


@dataclass
class Workbook:
    """A whole file: its sheets in order, defined names, and notices from the reader.

    ``notices`` carry what the reader could not give (for example: "this format stores
    no formulas") so that reports can say so instead of silently auditing less.
    """

    path: str
    sheets: dict[str, Sheet] = field(default_factory=dict)
    defined_names: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    source_format: str = "xlsx"
    date1904: bool = False

    def __getitem__(self, name: str) -> Sheet:
        try:
            return self.sheets[name]
        except KeyError:
            for key, sheet in self.sheets.items():
                if key.lower() == name.lower():
                    return sheet
            raise

    def __iter__(self) -> Iterator[Sheet]:
        return iter(self.sheets.values())

    def add_sheet(self, name: str) -> Sheet:
        sheet = Sheet(name)
        self.sheets[name] = sheet
        return sheet

    def sheet(self, name: str) -> Sheet | None:
        try:
            return self[name]
        except KeyError:
            return None

    @property
    def has_formulas(self) -> bool:
        return any(c.has_formula for s in self for c in s.cells.values())
