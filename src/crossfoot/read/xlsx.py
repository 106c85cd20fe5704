"""Interim .xlsx reader through openpyxl's two loads (formulas, then values).

To be replaced by the one-pass streaming reader (issue 2); kept behind the same
``read_xlsx`` signature so nothing else changes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from crossfoot.grid.model import Workbook
from crossfoot.read.errors import ReadError


def read_xlsx(path: Path, *, max_unzipped_bytes: int) -> Workbook:
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise ReadError(str(path), "not a workbook (no zip signature)")
    from crossfoot.read.openpyxl_source import from_openpyxl

    try:
        formulas = openpyxl.load_workbook(path, data_only=False)
        values = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # interim: the streaming reader gives precise reasons
        raise ReadError(str(path), f"cannot read workbook ({exc})") from None
    return from_openpyxl(formulas, values, path=str(path))
