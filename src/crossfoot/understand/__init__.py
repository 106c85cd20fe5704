"""The understand stage: what a sheet's cells are to a reader.

``structure`` finds the tables of a sheet (blocks), their header rows and label columns,
their total rows and columns, and the runs of copied formulas along rows and down
columns. ``labels`` and ``units`` (the meaning layer) read what each number is.
Everything here is computed once per audit and shared through ``AuditContext.memo``.
"""

from crossfoot.understand.structure import (
    Block,
    Run,
    SheetStructure,
    is_total_label,
    sheet_structure,
    workbook_structure,
)

__all__ = ["Block", "Run", "SheetStructure", "is_total_label", "sheet_structure", "workbook_structure"]
