"""The shape of a sheet: its tables, their headers, labels and totals, and the runs of
copied formulas in them.

A reader of a spreadsheet sees tables before cells: a block of numbers with a header row
on top ("A100 | H20 | H800 | H100 | Total"), a label column on the left ("# of GPUs",
"Server CapEx ($m)"), total rows and columns, and formulas copied along a row or down a
column. The structural rules (and the meaning layer) ask these questions; this module
answers them once per sheet and caches the answer on the audit context.

Public API (names are stable; other modules import them)::

    from crossfoot.understand.structure import sheet_structure, workbook_structure

    st = sheet_structure(ctx, sheet)          # SheetStructure, cached per audit
    st.blocks                                 # [Block]: the tables of the sheet
    st.block_at(row, col)                     # Block containing the cell, or None
    st.row_label(row, col=None)               # 'Server CapEx ($m)': the row's label
    st.col_header(col, row=None)              # 'H100': the column's header
    st.run_along_row(row, col)                # Run of copied formulas along the row, or None
    st.run_down_col(row, col)                 # Run of copied formulas down the column, or None
    st.runs                                   # every Run of two or more cells
    st.info(cell)                             # FormulaInfo of a formula cell (or None)
    st.shape(cell)                            # fingerprint with numeric constants as '#'
    st.formula_at(cell, row, col)             # the cell's formula copied to (row, col)
    st.aggregate_refs(cell)                   # ("SUM", [Area]) / ("+", [Area]) or None
    st.aggregate_axis(cell)                   # "row" (sums its own row), "col", or None
    workbook_structure(ctx)                   # {sheet name: SheetStructure}
    is_total_label('Grand total')             # True: Total, Sum, Subtotal, FY, Full year...

``Block`` fields: ``min_row, min_col, max_row, max_col`` (the bounding box),
``header_rows`` and ``label_cols`` (lists of row / column numbers), ``total_rows`` and
``total_cols`` (rows / columns recognised as totals by their label or by the shape of
their formulas: aggregates over the block), ``data_rows`` / ``data_cols`` (the rest),
``contains(row, col)``, ``range`` (a CellRange).

``Run`` fields: ``axis`` ("row": cells side by side in one row; "col": cells one under
another in one column), ``line`` (the row number of a "row" run, the column number of a
"col" run), ``start``/``end`` (first and last column, or row), ``fingerprint`` (the
shared relative R1C1 form) and ``cells``.

How blocks are found: non-empty cells are joined into row segments (cells of a row at
most one empty column apart), segments of rows at most one empty row apart that overlap
are joined, and each connected group is a block. Header rows are the top rows of a block
holding only text (or year-like numbers); label columns are the left columns holding
mostly text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from crossfoot.grid.address import CellRange, a1
from crossfoot.grid.formula import FormulaInfo, info_for
from crossfoot.grid.model import Cell, Sheet

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

_TOTAL_RE = re.compile(
    r"^\s*(grand\s+total|sub[\s-]?totals?|totals?|sum|summe|gesamt|toplam|totaal|"
    r"full[\s-]?year|year\s+total|annual\s+total|fy\s*'?\d{0,4}|ytd|all\s+regions|overall)\b"
    r"|\b(totals?|subtotals?|sum|toplami?)\s*[:.]?\s*(\(.*\))?\s*$",
    re.IGNORECASE,
)
_YEARLIKE = range(1900, 2101)


def is_total_label(text: object) -> bool:
    """Does a label name a total? 'Total', 'Grand total', 'Subtotal', 'Sum', 'FY 2024',
    'Full year', 'Total Net Sales', 'Net sales total'."""
    if not isinstance(text, str):
        return False
    return _total_label(text)


@lru_cache(maxsize=16384)
def _total_label(text: str) -> bool:
    # labels repeat down a sheet ("Category 7" on every seventh row): decide each once
    return bool(_TOTAL_RE.search(text.strip()))


def _is_fy_label(text: object) -> bool:
    return isinstance(text, str) and bool(re.match(r"^\s*fy\s*'?\d{0,4}\b", text.strip(), re.IGNORECASE))


@dataclass
class Run:
    """Formulas copied along a row (axis "row") or down a column (axis "col")."""

    axis: str
    line: int
    start: int
    end: int
    fingerprint: str
    cells: list[Cell] = field(repr=False)

    def __len__(self) -> int:
        return len(self.cells)

    def positions(self) -> Iterator[tuple[int, int]]:
        for c in self.cells:
            yield c.row, c.col

    @property
    def range(self) -> CellRange:
        if self.axis == "row":
            return CellRange(self.line, self.start, self.line, self.end)
        return CellRange(self.start, self.line, self.end, self.line)


@dataclass
class Block:
    """One table of a sheet: its bounding box and the roles of its rows and columns."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int
    header_rows: list[int] = field(default_factory=list)
    label_cols: list[int] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)
    total_cols: list[int] = field(default_factory=list)
    n_cells: int = 0

    def contains(self, row: int, col: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col

    @property
    def range(self) -> CellRange:
        return CellRange(self.min_row, self.min_col, self.max_row, self.max_col)

    @property
    def data_rows(self) -> list[int]:
        heads = set(self.header_rows)
        return [r for r in range(self.min_row, self.max_row + 1) if r not in heads]

    @property
    def data_cols(self) -> list[int]:
        labels = set(self.label_cols)
        return [c for c in range(self.min_col, self.max_col + 1) if c not in labels]

    @property
    def first_data_row(self) -> int:
        return (max(self.header_rows) + 1) if self.header_rows else self.min_row

    @property
    def first_data_col(self) -> int:
        return (max(self.label_cols) + 1) if self.label_cols else self.min_col


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_text(cell: Cell) -> bool:
    v = cell.value
    return isinstance(v, str) and not cell.has_formula and bool(v.strip()) and not cell.text_number


def _nonempty(cell: Cell) -> bool:
    if cell.has_formula:
        return True
    v = cell.value
    if v is None:
        return False
    if isinstance(v, str):
        return bool(v.strip())
    return True


_NUMBER_TOKEN = re.compile(r"(?<![A-Z\[\]\-0-9.])-?\d+(\.\d+)?(E[+-]?\d+)?(?![\]0-9])")


class SheetStructure:
    """Blocks, labels, headers, totals and formula runs of one sheet."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self._infos: dict[int, FormulaInfo | None] = {}
        self._shapes: dict[str, str] = {}
        self._axis_by_info: dict[int, tuple[FormulaInfo, str | None]] = {}
        self.blocks: list[Block] = []
        self._row_segments: dict[int, list[tuple[int, int, int]]] = {}
        # runs by line (row number / column number): their starts and the runs, in order
        self._row_runs: dict[int, tuple[list[int], list[Run]]] = {}
        self._col_runs: dict[int, tuple[list[int], list[Run]]] = {}
        self.runs: list[Run] = []
        self._find_blocks()
        self._find_runs()
        for block in self.blocks:
            self._classify(block)

    # -- formulas -------------------------------------------------------------------
    def info(self, cell: Cell | None) -> FormulaInfo | None:
        """The FormulaInfo of a formula cell (cached), None for a constant."""
        if cell is None:
            return None
        shared = cell.shared
        if shared is not None and shared.fingerprint_cache is not None:
            return shared.fingerprint_cache  # type: ignore[return-value]
        if not cell.has_formula:
            return None
        key = id(cell)
        try:
            return self._infos[key]
        except KeyError:
            info = info_for(cell)
            self._infos[key] = info
            return info

    def formula_at(self, cell: Cell, row: int, col: int) -> str | None:
        """The cell's formula as it reads when copied to (row, col) (relative references
        move, absolute ones stay): what a typed-over cell would hold."""
        text = cell.formula
        if text is None:
            return None
        from openpyxl.formula.translate import Translator

        try:
            return Translator(text, origin=a1(cell.row, cell.col)).translate_formula(a1(row, col))
        except Exception:  # noqa: BLE001 - an untranslatable formula has no proposal
            return None

    def fingerprint(self, cell: Cell | None) -> str | None:
        info = self.info(cell)
        return None if info is None else info.fingerprint

    def shape(self, cell: Cell | None) -> str | None:
        """The fingerprint with numeric constants replaced by '#': ``=54585-R[-1]C`` and
        ``=57123-R[-1]C`` share the shape ``=#-R[-1]C``."""
        fp = self.fingerprint(cell)
        if fp is None:
            return None
        out = self._shapes.get(fp)
        if out is None:
            out = _NUMBER_TOKEN.sub("#", fp)
            self._shapes[fp] = out
        return out

    # -- blocks ---------------------------------------------------------------------
    def _find_blocks(self) -> None:
        rows = self.sheet.rows()
        parent: list[int] = []
        segs_by_row: dict[int, list[tuple[int, int, int]]] = {}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        counts: list[int] = []
        for r, line in rows.items():  # in order: Sheet.rows() is sorted
            # segments (first col, last col, id): non-empty cells at most one empty
            # column apart
            segs: list[tuple[int, int, int]] = []
            c1 = c2 = n = 0
            for cell in line:
                if cell._formula is None and cell.shared is None:  # _nonempty, inlined
                    v = cell.value
                    if v is None or (isinstance(v, str) and not v.strip()):
                        continue
                c = cell.col
                if n and c - c2 <= 2:
                    c2 = c
                    n += 1
                else:
                    if n:
                        segs.append((c1, c2, len(parent)))
                        parent.append(len(parent))
                        counts.append(n)
                    c1 = c2 = c
                    n = 1
            if n:
                segs.append((c1, c2, len(parent)))
                parent.append(len(parent))
                counts.append(n)
            if not segs:
                continue
            segs_by_row[r] = segs
            for dr in (1, 2):
                above = segs_by_row.get(r - dr)
                if not above:
                    continue
                i = j = 0
                while i < len(segs) and j < len(above):
                    a, b = segs[i], above[j]
                    if a[0] <= b[1] and b[0] <= a[1]:
                        ra, rb = find(a[2]), find(b[2])
                        if ra != rb:
                            parent[ra] = rb
                    if a[1] < b[1]:
                        i += 1
                    else:
                        j += 1
        boxes: dict[int, list[int]] = {}
        for r, segs in segs_by_row.items():
            for c1, c2, sid in segs:
                root = find(sid)
                box = boxes.get(root)
                if box is None:
                    boxes[root] = [r, c1, r, c2, counts[sid]]
                else:
                    box[0] = min(box[0], r)
                    box[1] = min(box[1], c1)
                    box[2] = max(box[2], r)
                    box[3] = max(box[3], c2)
                    box[4] += counts[sid]
        index: dict[int, int] = {}
        for root, (r1, c1, r2, c2, n) in sorted(boxes.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            index[root] = len(self.blocks)
            self.blocks.append(Block(r1, c1, r2, c2, n_cells=n))
        for r, segs in segs_by_row.items():
            self._row_segments[r] = [(c1, c2, index[find(sid)]) for c1, c2, sid in segs]

    def block_at(self, row: int, col: int) -> Block | None:
        """The block containing (row, col): the one whose cells touch that row near the
        column, else the one whose bounding box contains it."""
        for c1, c2, bi in self._row_segments.get(row, ()):
            if c1 - 1 <= col <= c2 + 1:
                return self.blocks[bi]
        for block in self.blocks:
            if block.contains(row, col):
                return block
        return None

    # -- runs -----------------------------------------------------------------------
    def _find_runs(self) -> None:
        for r, cells in self.sheet.rows().items():
            self._runs_in_line(cells, "row", r)
        for c, cells in self.sheet.columns().items():
            self._runs_in_line(cells, "col", c)

    def _runs_in_line(self, cells: list[Cell], axis: str, line: int) -> None:
        target = self._row_runs if axis == "row" else self._col_runs
        cur: list[Cell] = []
        cur_fp: str | None = None
        prev = -10
        by_row = axis == "row"
        for cell in cells:
            shared = cell.shared
            if shared is not None and shared.fingerprint_cache is not None:
                fp = shared.fingerprint_cache.fingerprint  # type: ignore[attr-defined]
            elif cell._formula is None and shared is None:
                if cur:
                    self._close_run(cur, cur_fp, axis, line, target)
                cur, cur_fp, prev = [], None, -10
                continue
            else:
                fp = self.fingerprint(cell)
            pos = cell.col if by_row else cell.row
            if fp == cur_fp and pos == prev + 1:
                cur.append(cell)
            else:
                self._close_run(cur, cur_fp, axis, line, target)
                cur, cur_fp = [cell], fp
            prev = pos
        self._close_run(cur, cur_fp, axis, line, target)

    def _close_run(self, cells: list[Cell], fp: str | None, axis: str, line: int,
                   target: dict[int, tuple[list[int], list[Run]]]) -> None:
        if len(cells) < 2 or fp is None:
            return
        if axis == "row":
            run = Run(axis, line, cells[0].col, cells[-1].col, fp, cells)
        else:
            run = Run(axis, line, cells[0].row, cells[-1].row, fp, cells)
        self.runs.append(run)
        entry = target.get(line)
        if entry is None:
            target[line] = ([run.start], [run])
        else:
            entry[0].append(run.start)
            entry[1].append(run)

    def run_along_row(self, row: int, col: int) -> Run | None:
        """The run of equal formulas side by side in ``row`` that holds (row, col)."""
        return _run_at(self._row_runs.get(row), col)

    def run_down_col(self, row: int, col: int) -> Run | None:
        """The run of equal formulas one under another in ``col`` that holds (row, col)."""
        return _run_at(self._col_runs.get(col), row)

    # -- roles ----------------------------------------------------------------------
    def _classify(self, block: Block) -> None:
        sheet = self.sheet
        get = sheet.cells.get
        # header rows: top rows holding text or year-like numbers, no formulas
        for r in range(block.min_row, block.max_row + 1):
            cells = [c for c in self._row_cells(r, block) if _nonempty(c)]
            if not cells:
                if block.header_rows:
                    block.header_rows.append(r)
                continue
            if any(c.has_formula for c in cells):
                break
            numbers = [c for c in cells if _is_number(c.value)]
            if any(not (float(c.value).is_integer() and int(c.value) in _YEARLIKE) for c in numbers):
                break
            if r == block.max_row:
                break
            block.header_rows.append(r)
        while block.header_rows and not any(_nonempty(c) for c in self._row_cells(block.header_rows[-1], block)):
            block.header_rows.pop()
        first = block.first_data_row
        # label columns: left columns that hold mostly text below the header rows
        columns = sheet.columns()
        for c in range(block.min_col, block.max_col + 1):
            texts = numbers = 0
            for cell in self._col_cells(columns, c, first, block.max_row):
                if cell.has_formula or _is_number(cell.value):
                    numbers += 1
                elif _is_text(cell):
                    texts += 1
            if texts == 0 and numbers == 0:
                if block.label_cols:
                    block.label_cols.append(c)
                continue
            if texts >= max(1, numbers) and c < block.max_col:
                block.label_cols.append(c)
            else:
                break
        while block.label_cols and not any(
                get((r, block.label_cols[-1])) is not None and _nonempty(get((r, block.label_cols[-1])))
                for r in range(first, block.max_row + 1)):
            block.label_cols.pop()
        # total rows and columns
        rows = sheet.rows()
        for r in range(first, block.max_row + 1):
            if r in rows and self._is_total_row(block, r):  # a row without cells is no total
                block.total_rows.append(r)
        for c in range(block.first_data_col, block.max_col + 1):
            if self._is_total_col(block, c):
                block.total_cols.append(c)

    @staticmethod
    def _col_cells(columns: dict[int, list[Cell]], col: int, first: int, last: int) -> list[Cell]:
        """The cells of column ``col`` in rows first..last, top to bottom."""
        cells = columns.get(col)
        if not cells:
            return []
        if cells[0].row >= first and cells[-1].row <= last:
            return cells
        lo = bisect_left(cells, first, key=_row_of)
        hi = bisect_right(cells, last, key=_row_of)
        return cells[lo:hi]

    def _row_cells(self, row: int, block: Block) -> list[Cell]:
        cells = self.sheet.rows().get(row, ())
        return [c for c in cells if block.min_col <= c.col <= block.max_col]

    def _is_total_row(self, block: Block, row: int) -> bool:
        label = self.row_label(row, block=block)
        if is_total_label(label):
            return True
        first_col, last_col = block.first_data_col, block.max_col
        formulas = [c for c in self.sheet.rows().get(row, ())
                    if first_col <= c.col <= last_col and (c._formula is not None or c.shared is not None)]
        return self._aggregates_along(formulas, "col")

    def _is_total_col(self, block: Block, col: int) -> bool:
        header = self.col_header(col, block=block)
        if is_total_label(header):
            if _is_fy_label(header):
                others = [self.col_header(c, block=block) for c in block.data_cols if c != col]
                if any(_is_fy_label(h) for h in others):
                    return False
            return True
        formulas = [c for c in self._col_cells(self.sheet.columns(), col, block.first_data_row, block.max_row)
                    if c._formula is not None or c.shared is not None]
        return self._aggregates_along(formulas, "row")

    def _aggregates_along(self, formulas: list[Cell], axis: str) -> bool:
        """Are at least two, and at least half, of these formulas aggregates along
        ``axis`` ("col": each sums its own column; "row": its own row)?"""
        if len(formulas) < 2:
            return False
        n = 0
        for c in formulas:
            shared = c.shared
            i = shared.fingerprint_cache if shared is not None else None
            if i is None:
                i = self.info(c)
            if i is not None and i.maybe_aggregate and self.aggregate_axis(c) == axis:  # type: ignore[attr-defined]
                n += 1
        return n >= 2 and n * 2 >= len(formulas)

    def aggregate_refs(self, cell: Cell) -> tuple[str, list] | None:
        """(function, areas) when the cell is one aggregate call (``=SUM(B5:D5)``) or a
        chain of ``+`` (function "+"), with areas resolved at the cell; else None."""
        info = self.info(cell)
        if info is None or not info.maybe_aggregate:
            return None
        if info.aggregate is not None:
            return info.aggregate[0], info.areas(cell.row, cell.col)
        if info.plus_chain is not None:
            return "+", info.areas(cell.row, cell.col)
        toks = info.tokens
        if len(toks) >= 4 and toks[0].type == "OPERATOR-PREFIX" and toks[0].value == "+" and info.refs and \
                all((t.type == "OPERAND" and t.subtype == "RANGE") if i % 2 == 0 else
                    (t.type == "OPERATOR-INFIX" and t.value == "+") for i, t in enumerate(toks[1:])) and \
                len(toks) % 2 == 0:
            return "+", info.areas(cell.row, cell.col)  # =+B5+C5+D5, as Lotus users write it
        return None

    def aggregate_axis(self, cell: Cell) -> str | None:
        """"row" when the cell aggregates cells of its own row (a total column), "col"
        when it aggregates cells of its own column (a total row), else None."""
        info = self.info(cell)
        if info is None or not info.maybe_aggregate or info.other_sheet:
            return None
        if info.relative:
            # what a relative formula reads, seen from its cell, is the same in every
            # copy: decide once per formula
            hit = self._axis_by_info.get(id(info))
            if hit is not None and hit[0] is info:
                return hit[1]
            axis = self._aggregate_axis(cell)
            self._axis_by_info[id(info)] = (info, axis)
            return axis
        return self._aggregate_axis(cell)

    def _aggregate_axis(self, cell: Cell) -> str | None:
        agg = self.aggregate_refs(cell)
        if agg is None:
            return None
        areas = agg[1]
        if not areas or any(a.sheet is not None for a in areas):
            return None
        n = sum(a.size for a in areas)
        if n < 2:
            return None
        if all(a.min_row == a.max_row == cell.row for a in areas):
            return "row"
        if all(a.min_col == a.max_col == cell.col for a in areas):
            return "col"
        return None

    # -- labels ---------------------------------------------------------------------
    def row_label(self, row: int, col: int | None = None, *, block: Block | None = None) -> str | None:
        """The label of a row: the text in the block's label columns (the longest one),
        else the nearest text to the left of ``col``."""
        if block is None:
            block = self.block_at(row, col if col is not None else self._first_col(row))
        get = self.sheet.cells.get
        best: str | None = None
        if block is not None:
            for c in block.label_cols:
                cell = get((row, c))
                if cell is not None and _is_text(cell):
                    text = str(cell.value).strip()
                    if best is None or _letters(text) > _letters(best):
                        best = text
        if best is not None:
            return best
        cells = self.sheet.rows().get(row, ())
        for cell in reversed(cells):
            if col is not None and cell.col >= col:
                continue
            if _is_text(cell):
                return str(cell.value).strip()
        return None

    def col_header(self, col: int, row: int | None = None, *, block: Block | None = None) -> str | None:
        """The header of a column: the text (or year) in the block's header rows, else the
        nearest text above ``row`` in the block."""
        if block is None:
            block = self.block_at(row if row is not None else self._first_row(col), col)
        get = self.sheet.cells.get
        parts: list[str] = []
        if block is not None:
            for r in block.header_rows:
                cell = get((r, col))
                if cell is None:
                    continue
                if _is_text(cell):
                    parts.append(str(cell.value).strip())
                elif _is_number(cell.value) and not cell.has_formula:
                    v = cell.value
                    parts.append(str(int(v)) if float(v).is_integer() else str(v))
        if parts:
            return " ".join(parts)
        if block is not None:
            stop = row if row is not None else block.max_row + 1
            for r in range(stop - 1, block.min_row - 1, -1):
                cell = get((r, col))
                if cell is not None and _is_text(cell):
                    return str(cell.value).strip()
        return None

    def _first_col(self, row: int) -> int:
        cells = self.sheet.rows().get(row)
        return cells[0].col if cells else 1

    def _first_row(self, col: int) -> int:
        cells = self.sheet.columns().get(col)
        return cells[0].row if cells else 1


def _run_at(entry: tuple[list[int], list[Run]] | None, pos: int) -> Run | None:
    """The run of a line (its starts and runs, in order) that covers position ``pos``."""
    if entry is None:
        return None
    starts, runs = entry
    i = bisect_right(starts, pos) - 1
    if i >= 0 and pos <= runs[i].end:
        return runs[i]
    return None


def _row_of(cell: Cell) -> int:
    return cell.row


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def sheet_structure(ctx: "AuditContext", sheet: Sheet | str) -> SheetStructure:
    """The SheetStructure of a sheet, computed once per audit."""
    if isinstance(sheet, str):
        sheet = ctx.workbook[sheet]
    return ctx.memo(f"structure:{sheet.name}", lambda: SheetStructure(sheet))


def workbook_structure(ctx: "AuditContext") -> dict[str, SheetStructure]:
    """{sheet name: SheetStructure} for every sheet of the workbook."""
    return {s.name: sheet_structure(ctx, s) for s in ctx.workbook}
