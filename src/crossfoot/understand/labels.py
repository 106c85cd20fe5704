"""Labels: for every number, the words a reader would read it by.

A number in a table is read by its row label (the nearest text to its left in its
table, "Server CapEx ($m)") and its column header(s) (the text above it in its table,
"H100"; several rows of headers read top-down, "2024 | Q1"; a merged header cell counts
for every column it spans). Units written in a column of their own ("$m", "GPUs",
"%/yr") between the label and the numbers are kept apart as ``units``. Title rows (a
lone long text over the table, "DeepSeek GPU fleet: ...") are not headers.

The table of a cell comes from ``understand.structure`` (blocks, header rows and label
columns); labels add what the meaning layer needs on top: merged cells, multi-row
header stacks, unit columns and title rows.

Public API::

    labels = cell_labels(ctx, sheet, row, col)      # CellLabels, cached per audit
    labels.row_label      # 'Server CapEx ($m)'
    labels.headers        # ('H100',) top-down
    labels.units          # '$m' from a units column, or None
    labels.text           # everything above joined, for display
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crossfoot.grid.address import a1
from crossfoot.grid.model import Cell, Sheet
from crossfoot.understand.structure import Block, SheetStructure, sheet_structure

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

# A text that is only a unit: "$m", "($m)", "US$ bn", "%", "GPUs", "$/GPU-hr", "kW".
_UNIT_ONLY = re.compile(
    r"^\(?\s*(?:(?:us)?\$|usd|eur|€|£|gbp|rmb|¥|cny|yuan)?\s*(?:'?000s?|k|m|mm|mn|bn|b|"
    r"thousands?|millions?|billions?)?\s*(?:/\s*[a-z\- ]{1,12})?\s*\)?$"
    r"|^\(?\s*(?:%|%\s*/\s*yr|%\s*p\.?a\.?|x|w|kw|mw|gw|kwh|mwh|hrs?|hours|gpus?|units?|#|"
    r"people|ftes?|headcount|years?|yrs?|months?)\s*\)?$",
    re.IGNORECASE,
)
_BLANKISH = {"", "-", "--", "n/a", "na", "n.a.", "—", "–"}


def is_unit_text(text: str) -> bool:
    """Does the text consist of a unit alone ('$m', '(GPUs)', '%')?"""
    t = text.strip()
    if not re.search(r"[a-z$€£¥%#]", t, re.IGNORECASE):
        return False
    return bool(_UNIT_ONLY.match(t))


@dataclass(frozen=True)
class CellLabels:
    """What a number is read by: its row label, column headers and unit column."""

    row_label: str | None = None
    row_label_cell: str | None = None
    headers: tuple[str, ...] = ()
    header_cells: tuple[str, ...] = field(default=())
    units: str | None = None
    title: str | None = None  # the table's title row ("Operating plan ($k)")

    @property
    def header(self) -> str | None:
        """The nearest header (the bottom of the stack), e.g. 'Q1' under '2024'."""
        return self.headers[-1] if self.headers else None

    @property
    def text(self) -> str:
        parts = [p for p in (self.row_label, self.units, " | ".join(self.headers) or None) if p]
        return " / ".join(parts)


def _text_of(cell: Cell | None) -> str | None:
    if cell is None or cell.has_formula or not isinstance(cell.value, str) or cell.is_error:
        return None
    text = cell.value.strip()
    if text.lower() in _BLANKISH or getattr(cell, "text_number", False):
        return None
    return text


class SheetLabels:
    """Labels of the numbers of one sheet (computed lazily, cached per cell)."""

    def __init__(self, sheet: Sheet, structure: SheetStructure) -> None:
        self.sheet = sheet
        self.structure = structure
        self._merged_text: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
        for rng in sheet.merged:
            if rng.size > 400:
                continue
            top = sheet.get(rng.min_row, rng.min_col)
            text = _text_of(top)
            if text is None:
                continue
            for r, c in rng.cells():
                self._merged_text[(r, c)] = (text, (rng.min_row, rng.min_col))
        self._cache: dict[tuple[int, int], CellLabels] = {}
        self._titles: dict[int, bool] = {}
        self._block_titles: dict[int, str | None] = {}

    def text_at(self, row: int, col: int) -> tuple[str, tuple[int, int]] | None:
        """The text shown at (row, col): its own, or its merged range's."""
        hit = self._merged_text.get((row, col))
        if hit is not None:
            return hit
        text = _text_of(self.sheet.get(row, col))
        return None if text is None else (text, (row, col))

    def is_title_row(self, row: int) -> bool:
        """A row holding one text only, long or merged across columns, and no numbers."""
        hit = self._titles.get(row)
        if hit is not None:
            return hit
        cells = [c for c in self.sheet.rows().get(row, ()) if not c.is_empty]
        out = False
        if len(cells) == 1:
            text = _text_of(cells[0])
            if text is not None:
                rng = self.sheet.merged_at(cells[0].row, cells[0].col)
                out = len(text) >= 40 or (rng is not None and rng.max_col - rng.min_col >= 2)
        self._titles[row] = out
        return out

    def labels(self, row: int, col: int) -> CellLabels:
        key = (row, col)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._compute(row, col)
            self._cache[key] = hit
        return hit

    def _compute(self, row: int, col: int) -> CellLabels:
        block = self.structure.block_at(row, col)
        row_label, label_cell, units = self._row_label(row, col, block)
        headers, header_cells = self._headers(row, col, block)
        return CellLabels(row_label, label_cell, headers, header_cells, units, self.title(block))

    def title(self, block: Block | None) -> str | None:
        """The title of a table: the nearest title row (``is_title_row``) above its
        first data row, at most three rows above the table."""
        if block is None:
            return None
        key = id(block)
        if key in self._block_titles:
            return self._block_titles[key]
        out = None
        for r in range(max(1, block.min_row - 3), block.first_data_row):
            cells = [c for c in self.sheet.rows().get(r, ()) if not c.is_empty]
            if len(cells) == 1 and (self.is_title_row(r) or r < block.min_row):
                out = _text_of(cells[0]) or out  # a lone text over the table
        self._block_titles[key] = out
        return out

    def _row_label(self, row: int, col: int, block: Block | None) -> tuple[str | None, str | None, str | None]:
        left = block.min_col if block is not None else 1
        units: str | None = None
        label: str | None = None
        label_cell: str | None = None
        for cell in reversed(self.sheet.rows().get(row, ())):
            if cell.col >= col:
                continue
            if cell.col < left:
                break
            text = _text_of(cell)
            if text is None:
                continue
            if units is None and label is None and is_unit_text(text):
                units = text
                continue
            label, label_cell = text, a1(cell.row, cell.col)
            break
        if label is None:
            hit = self._merged_text.get((row, left))
            if hit is not None and hit[1][1] < col:
                label, label_cell = hit[0], a1(*hit[1])
        return label, label_cell, units

    def _headers(self, row: int, col: int, block: Block | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        above = self.sheet.get(row - 1, col)
        if above is not None and not above.is_empty and self.text_at(row - 1, col) is None:
            hit = self._cache.get((row - 1, col))
            if hit is not None:
                return hit.headers, hit.header_cells
        top = block.min_row if block is not None else 1
        stack: list[tuple[str, str]] = []
        r = row - 1
        seen_text = False
        gap = 0
        while r >= top and r >= row - 200:
            hit = self.text_at(r, col)
            cell = self.sheet.get(r, col)
            if hit is not None and not self.is_title_row(r):
                text, at = hit
                if not stack or stack[-1][0] != text:
                    stack.append((text, a1(*at)))
                seen_text = True
                gap = 0
            elif cell is not None and not cell.is_empty:
                if seen_text:
                    break  # a number above the header stack: another table's data
            else:
                gap += 1
                if seen_text and gap > 1:
                    break
            r -= 1
        stack.reverse()
        return tuple(t for t, _ in stack), tuple(c for _, c in stack)


def sheet_labels(ctx: "AuditContext", sheet: Sheet | str) -> SheetLabels:
    if isinstance(sheet, str):
        sheet = ctx.workbook[sheet]
    return ctx.memo(f"labels:{sheet.name}", lambda: SheetLabels(sheet, sheet_structure(ctx, sheet)))


def cell_labels(ctx: "AuditContext", sheet: Sheet | str, row: int, col: int) -> CellLabels:
    """The row label, column headers and unit column of the cell at (row, col)."""
    return sheet_labels(ctx, sheet).labels(row, col)
