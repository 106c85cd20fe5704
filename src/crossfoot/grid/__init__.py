"""The grid stage: the in-memory model of a workbook, its formulas' references and
the dependency graph between cells."""

from crossfoot.grid.address import CellRange, a1, column_index, column_letter, parse_a1
from crossfoot.grid.model import Cell, ExcelError, SharedFormula, Sheet, Value, Workbook

__all__ = [
    "Cell", "CellRange", "ExcelError", "SharedFormula", "Sheet", "Value", "Workbook",
    "a1", "column_index", "column_letter", "parse_a1",
]
