"""The read stage: every supported input becomes a ``grid.Workbook``.

``load(path)`` picks the reader by content and extension: .xlsx/.xlsm through
crossfoot's one-pass streaming reader, .csv/.tsv by value, .xls/.xlsb/.ods through
python-calamine (values only), and an openpyxl ``Workbook`` object directly.
Anything unreadable raises ``ReadError`` with a one-line reason.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from crossfoot.grid.model import Workbook
from crossfoot.read.errors import ReadError

DEFAULT_MAX_UNZIPPED = 2 * 1024**3  # bytes of XML a workbook may inflate to


def load(source: Any, *, max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED) -> Workbook:
    """Read a workbook or table into the grid.

    ``source`` is a path (str or Path) or an openpyxl ``Workbook``.
    """
    if not isinstance(source, (str, os.PathLike)):
        if type(source).__module__.startswith("openpyxl"):
            from crossfoot.read.openpyxl_source import from_openpyxl

            return from_openpyxl(source)
        raise TypeError(f"cannot read a {type(source).__name__}; pass a path or an openpyxl Workbook")
    path = Path(source)
    name = str(source)
    if not path.exists():
        raise ReadError(name, "no such file")
    if path.is_dir():
        raise ReadError(name, "is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        from crossfoot.read.csv_reader import read_csv

        return read_csv(path)
    if suffix in (".xls", ".xlsb", ".ods"):
        from crossfoot.read.calamine_reader import read_calamine

        return read_calamine(path)
    from crossfoot.read.xlsx import read_xlsx

    return read_xlsx(path, max_unzipped_bytes=max_unzipped_bytes)


__all__ = ["ReadError", "load", "DEFAULT_MAX_UNZIPPED"]
