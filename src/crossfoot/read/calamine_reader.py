"""Legacy and other formats (.xls, .xlsb, .ods) through python-calamine: values only.

python-calamine (0.9) exposes cached values, sheet visibility and merged ranges, but no
formulas and no number formats, so the workbook carries a notice saying the audit is
by value. Error cells come back from calamine as empty text and are therefore absent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crossfoot.grid.address import CellRange
from crossfoot.grid.model import Cell, Workbook
from crossfoot.read.errors import ReadError

NO_FORMULAS_NOTICE = "this format gives no formulas to crossfoot; values only"

_FORMATS = {".xls": "xls", ".xlsb": "xlsb", ".ods": "ods"}


def read_calamine(path: Path | str) -> Workbook:
    """Read the values of every worksheet of an .xls/.xlsb/.ods (or any file calamine
    reads) into the grid; ReadError with calamine's reason otherwise."""
    import python_calamine as pc

    path = Path(path)
    label = str(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise ReadError(label, "not a workbook (the file is empty)")
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise ReadError(label, "encrypted or password-protected workbook, crossfoot cannot read it") from None
    except Exception as exc:  # calamine raises several unrelated exception types
        raise ReadError(label, f"not a readable {path.suffix or 'spreadsheet'} file ({_one_line(exc)})") from None
    wb = Workbook(path=label, source_format=_FORMATS.get(path.suffix.lower(), "calamine"))
    wb.notices.append(NO_FORMULAS_NOTICE)
    try:
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                wb.notices.append(f"sheet {meta.name!r} is a {str(meta.typ).rsplit('.', 1)[-1]}, not a worksheet; skipped")
                continue
            sheet = wb.add_sheet(meta.name)
            sheet.hidden = meta.visible != pc.SheetVisibleEnum.Visible
            data = book.get_sheet_by_name(meta.name)
            r0, c0 = data.start or (0, 0)
            cells = sheet.cells
            for i, row in enumerate(data.to_python()):
                r = r0 + i + 1
                for j, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    c = c0 + j + 1
                    value, fmt = _typed(value)
                    cells[(r, c)] = Cell(r, c, value, None, fmt)
            for rng in data.merged_cell_ranges or ():
                (ra, ca), (rb, cb) = rng
                sheet.merged.append(CellRange(ra + 1, ca + 1, rb + 1, cb + 1))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(label, f"cannot read its cells ({_one_line(exc)})") from None
    finally:
        book.close()
    return wb


def _typed(value: object) -> tuple[object, str]:
    """calamine's Python values -> grid values and a number format that says so."""
    if isinstance(value, bool):
        return value, "General"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value), "General"
    if isinstance(value, dt.datetime):
        return value, "yyyy-mm-dd h:mm:ss"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "yyyy-mm-dd"
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value), "General"
    return value, "General"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
