"""The recalculation engine adapter, and ``ensure_values`` for files saved without values.

crossfoot does not implement Excel's functions; it borrows a maintained engine's. The
adapter is deliberately thin so that the engine can be swapped:

- ``Engine.unsupported(functions)``: the function names the engine cannot evaluate;
- ``Engine.compile(formula, position=None)``: a ``Compiled`` callable. Without a
  position, the formula's references are stand-in names (``=SUM(_CF0)*_CF1``) and the
  compiled function is shared by every cell whose formula has that shape, which is what
  makes recalculating a large dependency cone cheap. With a position (sheet, row, col),
  the formula is compiled where it stands, for functions that look at where they are
  (``ROW()``, ``COLUMN()``) or reference operators (``A1:B2 B2:C3``).
- ``Compiled.inputs`` names what the function reads, in call order: the stand-in names, or
  A1 references (``SHEET!B6:E6``) for a positioned compile. ``Compiled(*grids)`` takes
  one rectangle of grid values (a list of rows) per input and returns a grid value
  (float, str, bool, ``ExcelError`` or None).

``FormulasEngine`` implements it with the ``formulas`` package (645 Excel functions; no
OFFSET, INDIRECT or SUBTOTAL). Walking the dependency graph and feeding the engine is
``crossfoot.repair.cone``'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Iterable, Protocol, Sequence

from crossfoot.grid.model import ExcelError, Value, Workbook

Grid = Sequence[Sequence[Value]]
Position = tuple[str, int, int]

# Functions whose result depends on where the formula stands or on reference identity;
# a formula using them is compiled at its position instead of as a shared shape.
POSITIONAL_FUNCTIONS = frozenset({
    "ROW", "ROWS", "COLUMN", "COLUMNS", "OFFSET", "INDIRECT", "CELL", "ISREF", "AREAS",
    "FORMULATEXT", "ISFORMULA", "SHEET", "SHEETS", "ADDRESS", "INDEX", "MATCH", "XMATCH",
    "LOOKUP", "HLOOKUP", "VLOOKUP", "XLOOKUP",
})


class EngineError(Exception):
    """The engine cannot evaluate a formula; ``str()`` says why in one line."""


class Compiled(Protocol):
    inputs: Sequence[str]

    def __call__(self, *grids: Grid) -> Value: ...


class Engine(Protocol):
    name: str

    def unsupported(self, functions: Iterable[str]) -> set[str]: ...

    def compile(self, formula: str, position: Position | None = None) -> Compiled: ...


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def to_serial(value: dt.datetime, date1904: bool = False) -> float:
    """A datetime as Excel's day number (what a formula computes with)."""
    epoch = dt.datetime(1904, 1, 1) if date1904 else _EXCEL_EPOCH
    delta = value - epoch
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


class _FormulasCompiled:
    """One formula compiled by ``formulas``: a schedula dispatcher behind a callable."""

    __slots__ = ("inputs", "_func")

    def __init__(self, func: Any, inputs: list[str]) -> None:
        self._func = func
        self.inputs = inputs

    def _arguments(self, grids: Sequence[Grid]) -> list[Any]:
        return [_to_engine_array(grid) for grid in grids]

    def __call__(self, *grids: Grid) -> Value:
        import schedula

        try:
            result = self._func(*self._arguments(grids))
        except schedula.utils.exc.DispatcherError as exc:
            raise EngineError(_dispatch_reason(exc)) from None
        except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as exc:
            raise EngineError(f"{type(exc).__name__}: {exc}") from None
        return from_engine(result)


def _dispatch_reason(exc: Exception) -> str:
    args = getattr(exc, "args", ())
    name = args[1] if len(args) > 1 else "?"
    cause = args[2] if len(args) > 2 else exc.__cause__
    if isinstance(cause, NotImplementedError):
        return f"the engine does not implement {name}"
    return f"{name} failed ({type(cause).__name__ if cause else 'error'})"


def _to_engine_array(grid: Grid):
    import numpy as np

    rows = [[to_engine(v) for v in row] for row in grid]
    array = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, row in enumerate(rows):
        array[i, :] = row
    return array


@lru_cache(maxsize=16)
def _xl_error(text: str):
    from formulas.tokens.operand import Error

    return Error.errors.get(text, Error.errors["#VALUE!"])


def to_engine(value: Value) -> Any:
    """A grid value as ``formulas`` expects it (empty cells are schedula's EMPTY)."""
    if value is None:
        import schedula

        return schedula.EMPTY
    if isinstance(value, ExcelError):
        return _xl_error(str(value))
    if isinstance(value, dt.datetime):
        return to_serial(value)
    return value


def from_engine(result: Any) -> Value:
    """The engine's result (an array, a range, a numpy scalar, an error) as a grid value."""
    import numpy as np
    import schedula

    from formulas.tokens.operand import XlError

    if hasattr(result, "ranges") and hasattr(result, "value"):  # formulas.Ranges
        result = result.value
    while isinstance(result, np.ndarray):
        if result.size == 0:
            return None
        result = result.flat[0]  # an array result in one cell shows its top-left value
    if result is schedula.EMPTY:
        return 0.0  # a formula pointing at an empty cell shows 0
    if isinstance(result, XlError):
        return ExcelError(str(result))
    if isinstance(result, (bool, np.bool_)):
        return bool(result)
    if isinstance(result, (int, float, np.integer, np.floating)):
        return float(result)
    if isinstance(result, str):
        return result
    if isinstance(result, dt.datetime):
        return to_serial(result)
    return ExcelError("#VALUE!")


_SHEET_PREFIX = re.compile(r"^'?\[[^\]]*\](.*?)'?!(.+)$")


class FormulasEngine:
    """The ``formulas`` package (vinci1it2000/formulas) as crossfoot's engine."""

    name = "formulas"

    def __init__(self) -> None:
        self._shapes: dict[str, _FormulasCompiled] = {}

    @staticmethod
    @lru_cache(maxsize=1)
    def _registry() -> frozenset[str]:
        import formulas

        return frozenset(formulas.get_functions())

    def unsupported(self, functions: Iterable[str]) -> set[str]:
        known = self._registry()
        return {f for f in functions if f not in known and f"_XLFN.{f}" not in known}

    def compile(self, formula: str, position: Position | None = None) -> Compiled:
        if position is None:
            cached = self._shapes.get(formula)
            if cached is None:
                func = self._build(formula, None)
                cached = _FormulasCompiled(func, list(func.inputs))
                self._shapes[formula] = cached
            return cached
        sheet, row, col = position
        from crossfoot.grid.address import a1

        func = self._build(formula, f"'[crossfoot]{sheet.replace(chr(39), chr(39) * 2)}'!{a1(row, col)}")
        inputs = []
        for key in func.inputs:
            name = str(key)
            m = _SHEET_PREFIX.match(name)
            if m is None:
                raise EngineError(f"reads {name.replace('[crossfoot]', '')}, which is not a cell or range")
            inputs.append(f"'{m.group(1)}'!{m.group(2)}")
        return _Positioned(func, list(func.inputs), inputs)

    @staticmethod
    def _build(formula: str, reference: str | None):
        from formulas import Parser

        try:
            if reference is None:
                return Parser().ast(formula)[1].compile()
            from formulas.cell import Cell

            return Cell(reference, formula).compile().func
        except EngineError:
            raise
        except Exception as exc:  # the parser's own errors: a formula it cannot read
            raise EngineError(f"cannot parse {formula} ({type(exc).__name__})") from None


class _Positioned(_FormulasCompiled):
    """A formula compiled at its own cell: inputs are the A1 references it reads."""

    __slots__ = ("_names",)

    def __init__(self, func: Any, names: list[str], refs: list[str]) -> None:
        super().__init__(func, refs)
        self._names = names

    def _arguments(self, grids: Sequence[Grid]) -> list[Any]:
        from formulas.ranges import Ranges

        return [Ranges().push(_explicit(name, grid), _to_engine_array(grid))
                for name, grid in zip(self._names, grids)]


_WHOLE = re.compile(r"^(.*!)?\$?([A-Za-z]{1,3}|[0-9]{1,7}):\$?([A-Za-z]{1,3}|[0-9]{1,7})$")


def _explicit(name: str, grid: Grid) -> str:
    """'SHEET'!A:A read as its used rows -> 'SHEET'!A1:A<n>, the rectangle the grid covers
    (whole-column and whole-row references are cut to the used range)."""
    m = _WHOLE.match(name)
    if m is None:
        return name
    from crossfoot.grid.address import a1, column_index

    first = m.group(2)
    top, left = (1, column_index(first)) if first.isalpha() else (int(first), 1)
    height, width = len(grid), len(grid[0]) if grid else 1
    return f"{m.group(1) or ''}{a1(top, left)}:{a1(top + height - 1, left + width - 1)}"


_DEFAULT: list[Engine] = []


def default_engine() -> Engine:
    """The engine crossfoot uses unless told otherwise (one per process: it caches
    compiled formula shapes)."""
    if not _DEFAULT:
        _DEFAULT.append(FormulasEngine())
    return _DEFAULT[0]


def missing_values(workbook: Workbook) -> list[tuple[str, int, int]]:
    """Formula cells that carry no saved value (files written by scripts, or by
    crossfoot's own corrected copies)."""
    out = []
    for sheet in workbook:
        for (row, col), cell in sheet.cells.items():
            if cell.value is None and cell.has_formula:
                out.append((sheet.name, row, col))
    return out


def ensure_values(workbook: Workbook, engine: Engine | None = None) -> int:
    """Give every formula cell without a saved value its calculated value, in place.

    Cheap when nothing is missing (one pass over the cells). Returns the number of cells
    calculated; what could not be calculated (a circular reference, a function the
    engine lacks) stays None and is said in ``workbook.notices``.
    """
    keys = missing_values(workbook)
    if not keys:
        return 0
    from crossfoot.repair.cone import ConeEvaluator

    evaluator = ConeEvaluator(workbook, engine=engine)
    result = evaluator.evaluate_cells(keys)
    done = 0
    for key, value in result.after.items():
        sheet, row, col = key
        cell = workbook[sheet].get(row, col)
        if cell is not None and value is not None:
            cell.value = value
            done += 1
    workbook.notices.append(
        f"{len(keys):,} formula cell{'s' if len(keys) != 1 else ''} had no saved value "
        f"(the file was written by a program that does not calculate); crossfoot "
        f"calculated {done:,} with the {evaluator.engine.name} engine")
    for notice in result.notices:
        if notice not in workbook.notices:
            workbook.notices.append(notice)
    return done

