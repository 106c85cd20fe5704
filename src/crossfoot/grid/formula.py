"""Formula analysis: references, relative (R1C1) fingerprints and simple shapes.

Formula text is tokenized here and nowhere else (openpyxl's tokenizer). Each formula is
analysed once, at the position where it was written; a reference is kept relative to
that position, so the same ``FormulaInfo`` serves every cell of a shared-formula group
and the fingerprint is equal for formulas copied across a row or down a column:
F3 ``=A3*B3`` and F4 ``=A4*B4`` both read ``RC[-5]*RC[-4]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from crossfoot.grid.model import SharedFormula
from crossfoot.grid.address import MAX_COL, MAX_ROW, column_index, quote_sheet

AGGREGATES = frozenset({
    "SUM", "AVERAGE", "AVERAGEA", "COUNT", "COUNTA", "MIN", "MAX", "PRODUCT", "SUMPRODUCT",
    "SUBTOTAL", "AGGREGATE", "MEDIAN", "SUMSQ", "STDEV", "STDEV.S", "VAR", "VAR.S",
})

_CELL = r"(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})"
_CELL_RE = re.compile(rf"^{_CELL}$")
_RANGE_RE = re.compile(rf"^{_CELL}:{_CELL}$")
_COLS_RE = re.compile(r"^(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})$")
_ROWS_RE = re.compile(r"^(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})$")


class Coord(NamedTuple):
    """One coordinate of a reference: an offset from the formula cell, or absolute."""

    value: int
    absolute: bool

    def at(self, origin: int) -> int:
        return self.value if self.absolute else origin + self.value

    def r1c1(self, axis: str) -> str:
        if self.absolute:
            return f"{axis}{self.value}"
        return axis if self.value == 0 else f"{axis}[{self.value}]"


class Area(NamedTuple):
    """A resolved rectangle on a sheet; ``sheet`` None means the formula's own sheet."""

    sheet: str | None
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def size(self) -> int:
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)

    def contains(self, row: int, col: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col

    @property
    def is_cell(self) -> bool:
        return self.min_row == self.max_row and self.min_col == self.max_col


_new_area = tuple.__new__


def place(spec: tuple, row: int, col: int) -> tuple[int, int, int, int]:
    """A cell or range reference's unpacked coordinates (``Reference._cell_range``:
    top, left, bottom, right, each as value and absolute flag) placed at (row, col):
    (min_row, min_col, max_row, max_col)."""
    tv, ta, lv, la, bv, ba, rv, ra = spec
    r1 = tv if ta else row + tv
    c1 = lv if la else col + lv
    r2 = bv if ba else row + bv
    c2 = rv if ra else col + rv
    if r1 > r2:
        r1, r2 = r2, r1
    if c1 > c2:
        c1, c2 = c2, c1
    return r1, c1, r2, c2


@dataclass(frozen=True)
class Reference:
    """A reference inside a formula, relative to the cell the formula was written in.

    ``kind`` is one of: cell, range, columns, rows, name, structured, external, error.
    For name/structured/external/error references only ``text`` is meaningful.
    """

    kind: str
    text: str
    sheet: str | None = None
    top: Coord | None = None
    left: Coord | None = None
    bottom: Coord | None = None
    right: Coord | None = None
    # For cell and range references: (top value, top absolute, left value, left
    # absolute, bottom value, bottom absolute, right value, right absolute), unpacked
    # once, since resolve() runs for every cell of every copied formula (the unit
    # screen of understand/units.py reads this layout too); None for other kinds.
    _cell_range: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind in ("cell", "range") and self.top and self.left and self.bottom and self.right:
            object.__setattr__(self, "_cell_range", (
                self.top.value, self.top.absolute, self.left.value, self.left.absolute,
                self.bottom.value, self.bottom.absolute, self.right.value, self.right.absolute))

    def resolve(self, row: int, col: int) -> Area | None:
        """The rectangle this reference covers when the formula sits at (row, col)."""
        spec = self._cell_range
        if spec is not None:
            return _new_area(Area, (self.sheet, *place(spec, row, col)))
        if self.kind in ("cell", "range"):
            assert self.top and self.left and self.bottom and self.right
            r1, r2 = self.top.at(row), self.bottom.at(row)
            c1, c2 = self.left.at(col), self.right.at(col)
            return Area(self.sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        if self.kind == "columns":
            assert self.left and self.right
            c1, c2 = self.left.at(col), self.right.at(col)
            return Area(self.sheet, 1, min(c1, c2), MAX_ROW, max(c1, c2))
        if self.kind == "rows":
            assert self.top and self.bottom
            r1, r2 = self.top.at(row), self.bottom.at(row)
            return Area(self.sheet, min(r1, r2), 1, max(r1, r2), MAX_COL)
        return None

    @property
    def r1c1(self) -> str:
        prefix = f"{quote_sheet(self.sheet)}!" if self.sheet else ""
        if self.kind == "cell":
            assert self.top and self.left
            return prefix + self.top.r1c1("R") + self.left.r1c1("C")
        if self.kind == "range":
            assert self.top and self.left and self.bottom and self.right
            return (prefix + self.top.r1c1("R") + self.left.r1c1("C") + ":"
                    + self.bottom.r1c1("R") + self.right.r1c1("C"))
        if self.kind == "columns":
            assert self.left and self.right
            return prefix + self.left.r1c1("C") + ":" + self.right.r1c1("C")
        if self.kind == "rows":
            assert self.top and self.bottom
            return prefix + self.top.r1c1("R") + ":" + self.bottom.r1c1("R")
        return self.text.upper() if self.kind == "name" else self.text


@dataclass
class FormulaInfo:
    """What a formula does, independent of where it is copied to.

    ``fingerprint`` is the formula in relative R1C1 form; ``functions`` the upper-case
    function names it calls; ``aggregate`` is set when the whole formula is one call of
    an aggregate over references only (``=SUM(B5:D5)`` -> ("SUM", refs)); ``plus_chain``
    when it is only references joined by ``+`` (``=B5+C5+D5``). ``tokens`` is the token
    list (whitespace dropped) for rules that need the operators.
    """

    fingerprint: str
    refs: list[Reference]
    functions: frozenset[str]
    tokens: list[Token]
    aggregate: tuple[str, list[Reference]] | None = None
    plus_chain: list[Reference] | None = None
    has_constant: bool = False
    parse_error: str | None = None
    # False when the formula cannot be an aggregate: neither one aggregate call, nor a
    # chain of + (with or without a leading +). Lets callers skip most formulas at once.
    maybe_aggregate: bool = True
    # True when a cell, range, column or row reference names a sheet (even its own)
    other_sheet: bool = False
    # True when every coordinate of every reference is relative, so that what the
    # formula reads, seen from its cell, is the same wherever it is copied
    relative: bool = False

    def areas(self, row: int, col: int) -> list[Area]:
        """The rectangles the formula reads when it sits at (row, col)."""
        out = []
        for ref in self.refs:
            area = ref.resolve(row, col)
            if area is not None:
                out.append(area)
        return out

    @property
    def operators(self) -> list[str]:
        return [t.value for t in self.tokens if t.type == Token.OP_IN]

    @cached_property
    def ref_contexts(self) -> list["RefContext"]:
        """For each reference, in the order of ``refs``: the innermost function it sits
        in and the tokens on either side, so that rules can tell ``SUM(B2:B9)`` (a direct
        argument) from ``SUM(B2:B9*1)`` or ``B6>0`` without walking the tokens."""
        out: list[RefContext] = []
        stack: list[str] = []
        tokens = self.tokens
        for i, tok in enumerate(tokens):
            if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
                stack.append(tok.value[:-1].upper().removeprefix("_XLFN."))
            elif tok.type == Token.PAREN and tok.subtype == Token.OPEN:
                stack.append("(")
            elif tok.subtype == Token.CLOSE and tok.type in (Token.FUNC, Token.PAREN):
                if stack:
                    stack.pop()
            elif tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
                out.append(RefContext(stack[-1] if stack else None,
                                      tokens[i - 1] if i else None,
                                      tokens[i + 1] if i + 1 < len(tokens) else None))
        return out


class RefContext(NamedTuple):
    """Where a reference stands in its formula: ``function`` is the innermost enclosing
    function (upper case, ``"("`` for plain parentheses, None at the top level);
    ``before`` and ``after`` are the neighbouring tokens (None at either end)."""

    function: str | None
    before: Token | None
    after: Token | None


def _split_sheet(text: str) -> tuple[str | None, str, bool]:
    """'Sheet 1'!A1 -> ('Sheet 1', 'A1', external?)."""
    if "!" not in text:
        return None, text, False
    prefix, _, rest = text.rpartition("!")
    external = prefix.startswith("[") or prefix.startswith("'[")
    if prefix.startswith("'") and prefix.endswith("'"):
        prefix = prefix[1:-1].replace("''", "'")
    if "]" in prefix:
        external = True
    return prefix, rest, external


def parse_reference(text: str, row: int, col: int) -> Reference:
    """Parse one range operand token relative to the formula's cell (row, col)."""
    sheet, body, external = _split_sheet(text)
    if external:
        return Reference("external", text, sheet)
    if body.upper().startswith("#REF!"):
        return Reference("error", text, sheet)

    def rc(d_abs: str, value: int, origin: int) -> Coord:
        return Coord(value, True) if d_abs else Coord(value - origin, False)

    m = _CELL_RE.match(body)
    if m:
        top = rc(m.group(3), int(m.group(4)), row)
        left = rc(m.group(1), column_index(m.group(2)), col)
        return Reference("cell", text, sheet, top, left, top, left)
    m = _RANGE_RE.match(body)
    if m:
        return Reference(
            "range", text, sheet,
            rc(m.group(3), int(m.group(4)), row), rc(m.group(1), column_index(m.group(2)), col),
            rc(m.group(7), int(m.group(8)), row), rc(m.group(5), column_index(m.group(6)), col),
        )
    m = _COLS_RE.match(body)
    if m:
        return Reference("columns", text, sheet, None,
                         rc(m.group(1), column_index(m.group(2)), col), None,
                         rc(m.group(3), column_index(m.group(4)), col))
    m = _ROWS_RE.match(body)
    if m:
        return Reference("rows", text, sheet, rc(m.group(1), int(m.group(2)), row), None,
                         rc(m.group(3), int(m.group(4)), row), None)
    if "[" in body:
        return Reference("structured", text, sheet)
    return Reference("name", text, sheet)


_AREA_KINDS = ("cell", "range", "columns", "rows")
_CONSTANT_SUBTYPES = (Token.NUMBER, Token.TEXT, Token.LOGICAL)


@lru_cache(maxsize=65536)
def _analyse_cached(formula: str, row: int, col: int) -> FormulaInfo:
    return analyse(formula, row, col)


def analyse(formula: str, row: int, col: int) -> FormulaInfo:
    """Analyse formula text written at (row, col)."""
    text = formula if formula.startswith("=") else "=" + formula
    try:
        items = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
    except (TokenizerError, IndexError, ValueError) as exc:
        return FormulaInfo(text.upper(), [], frozenset(), [], parse_error=str(exc))
    refs: list[Reference] = []
    parts: list[str] = []
    functions: set[str] = set()
    has_constant = False
    for tok in items:
        if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            ref = parse_reference(tok.value, row, col)
            refs.append(ref)
            parts.append(ref.r1c1)
        elif tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            name = tok.value[:-1].upper()
            if name.startswith("_XLFN."):
                name = name[6:]
            functions.add(name)
            parts.append(name + "(")
        else:
            if tok.type == Token.OPERAND and tok.subtype in _CONSTANT_SUBTYPES:
                has_constant = True
            parts.append(tok.value.upper() if tok.subtype != Token.TEXT else tok.value)
    info = FormulaInfo("=" + "".join(parts), refs, frozenset(functions), items,
                       has_constant=has_constant)
    info.aggregate = _aggregate_shape(items, refs)
    info.plus_chain = _plus_chain_shape(items, refs)
    info.maybe_aggregate = (info.aggregate is not None or info.plus_chain is not None
                            or info.fingerprint.startswith("=+"))
    info.other_sheet = any(r.sheet is not None for r in refs if r.kind in _AREA_KINDS)
    info.relative = all(c is None or not c.absolute for r in refs for c in (r.top, r.left, r.bottom, r.right))
    return info


def _aggregate_shape(items: list[Token], refs: list[Reference]) -> tuple[str, list[Reference]] | None:
    if len(items) < 3 or items[0].type != Token.FUNC or items[-1].type != Token.FUNC:
        return None
    name = items[0].value[:-1].upper()
    if name not in AGGREGATES:
        return None
    inner = items[1:-1]
    expect_ref = True
    for tok in inner:
        if expect_ref and not (tok.type == Token.OPERAND and tok.subtype == Token.RANGE):
            return None
        if not expect_ref and not (tok.type == Token.SEP and tok.subtype == Token.ARG):
            return None
        expect_ref = not expect_ref
    if expect_ref:  # ended on a separator
        return None
    return name, refs


def _plus_chain_shape(items: list[Token], refs: list[Reference]) -> list[Reference] | None:
    if len(items) < 3 or len(items) % 2 == 0:
        return None
    for i, tok in enumerate(items):
        if i % 2 == 0:
            if not (tok.type == Token.OPERAND and tok.subtype == Token.RANGE):
                return None
        elif not (tok.type == Token.OP_IN and tok.value == "+"):
            return None
    return refs


_CELL_IN_TEXT = re.compile(
    r'("(?:[^"]|"")*")'  # a string literal, kept as it is
    r"|(?<![A-Za-z0-9_.$])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![A-Za-z0-9_(!])")
_GROUPS: dict[str, SharedFormula] = {}
_GROUPS_LIMIT = 262_144


def relative_key(formula: str, row: int, col: int) -> str | None:
    """The formula with each cell reference written relative to (row, col), without
    tokenizing: equal for copies of one formula, as Excel's shared formulas are.

    String literals are kept as they are. Returns None for structured or external
    references (``Table1[Amount]``, ``[1]Sheet1!A1``); those formulas are analysed one
    by one.
    """
    if "[" in formula:
        return None

    def relative(m: re.Match) -> str:
        literal, col_abs, letters, row_abs, digits = m.groups()
        if literal is not None:
            return literal
        c = f"${letters.upper()}" if col_abs else f"C{column_index(letters) - col}"
        r = f"${digits}" if row_abs else f"R{int(digits) - row}"
        return f"\x01{c}{r}\x01"

    return _CELL_IN_TEXT.sub(relative, formula)


def info_for(cell) -> FormulaInfo | None:
    """The analysis of a cell's formula, shared by every cell of its shared group.

    A formula that is not part of an Excel shared group (files written by scripts or
    LibreOffice have none) joins the group of its copies on first use, keyed by its
    relative form, so each distinct formula is tokenized once however often it is copied.
    The cell keeps its own text; only the analysis is shared.
    """
    if cell.shared is not None:
        group = cell.shared
        if group.fingerprint_cache is None:
            group.fingerprint_cache = analyse(group.text, group.row, group.col)
        return group.fingerprint_cache  # type: ignore[return-value]
    formula = cell.formula
    if formula is None:
        return None
    key = relative_key(formula, cell.row, cell.col)
    if key is None:
        return _analyse_cached(formula, cell.row, cell.col)
    group = _GROUPS.get(key)
    if group is None:
        if len(_GROUPS) >= _GROUPS_LIMIT:
            _GROUPS.clear()
        group = _GROUPS[key] = SharedFormula(formula, cell.row, cell.col)
    cell.shared = group  # the text stays the cell's own (``cell._formula``)
    if group.fingerprint_cache is None:
        group.fingerprint_cache = analyse(group.text, group.row, group.col)
    return group.fingerprint_cache  # type: ignore[return-value]
