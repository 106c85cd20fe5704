"""The corrected copy: the original workbook with every proposed fix written in.

The original is loaded with openpyxl (formatting, sheets, defined names, comments,
merged cells and data validation survive; see docs/repair.md for what does not), each
fixed cell gets its new formula, a yellow fill and a comment with the rule and the old
formula, label fixes rewrite their label cell, and the copy is saved under a new name.
openpyxl saves no calculated values, so the copy asks Excel to recalculate when it is
opened, and crossfoot calculates the missing values itself when it reads the copy
(``recalc.ensure_values``).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from crossfoot.repair.impact import fix_changes, planned_changes

if TYPE_CHECKING:
    from crossfoot.audit import FileReport

HIGHLIGHT = "FFFF00"  # the fill of every cell crossfoot changed
AUTHOR = "crossfoot"
WRITABLE = (".xlsx", ".xlsm")


class FixWriteError(ValueError, OSError):
    """The corrected copy cannot be written; ``str()`` is a one-line reason. It is an
    OSError too, so that callers handling "cannot write" errors handle it."""


def write_fixed(file_report: "FileReport", dest: str | os.PathLike) -> Path:
    """Write the workbook of ``file_report`` with its findings' fixes applied to ``dest``.

    Refuses (``FixWriteError``) to write over its input, to write a file type other than
    .xlsx/.xlsm, or to start from an input that is not one.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    source = Path(file_report.path)
    target = Path(dest)
    if source.suffix.lower() not in WRITABLE or not source.is_file():
        raise FixWriteError(f"cannot write a corrected copy of {file_report.path}: "
                            f"only .xlsx and .xlsm files can be corrected")
    if target.suffix.lower() not in WRITABLE:
        raise FixWriteError(f"the corrected copy must be an .xlsx or .xlsm file, not {target.name}")
    if _same_file(source, target):
        raise FixWriteError(f"refusing to write the corrected copy over its input {file_report.path}; "
                            f"choose another file name")
    keep_vba = source.suffix.lower() == ".xlsm" and target.suffix.lower() == ".xlsm"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            book = openpyxl.load_workbook(source, keep_vba=keep_vba, keep_links=True, rich_text=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FixWriteError(f"cannot open {file_report.path} to correct it ({type(exc).__name__})") from None
    for message in dict.fromkeys(str(w.message) for w in caught):
        notice = f"corrected copy {target.name}: {message}"  # e.g. "Sparkline Group extension is not supported and will be removed"
        if notice not in file_report.notices:
            file_report.notices.append(notice)
    if source.suffix.lower() == ".xlsm" and not keep_vba:
        file_report.notices.append(f"corrected copy {target.name}: the macros of {source.name} are not kept "
                                   f"(write an .xlsm to keep them)")
    fill = PatternFill(fill_type="solid", fgColor=HIGHLIGHT, bgColor=HIGHLIGHT)
    workbook = file_report.workbook
    plan, _ = planned_changes(file_report.findings, workbook) if workbook is not None else ({}, [])
    flagged: dict[tuple[str, int, int], list[str]] = {}
    for finding in file_report.findings:
        for key in (fix_changes(finding, workbook) if workbook is not None else {}):
            flagged.setdefault(key, []).append(finding.rule)
    for key, (formula, finding) in plan.items():
        sheet_name, row, col = key
        if sheet_name not in book.sheetnames:
            continue
        cell = book[sheet_name].cell(row=row, column=col)
        old = cell.value
        old_text = old.text if hasattr(old, "text") else old
        if isinstance(old_text, str) and old_text.strip() == formula.strip():
            continue
        cell.value = formula
        cell.fill = fill
        was = "empty" if old_text is None else (old_text if isinstance(old_text, str) else repr(old_text))
        others = [r for r in dict.fromkeys(flagged.get(key, ())) if r != finding.rule]
        also = f" (also flagged by {', '.join(others)})" if others else ""
        _comment(cell, f"crossfoot {finding.rule}{also}: was {was}", Comment)
    for finding in file_report.findings:
        if finding.sheet not in book.sheetnames:
            continue
        fix = finding.fix
        if fix is not None and fix.label and fix.label_cell:
            sheet_name, _, address = fix.label_cell.rpartition("!")
            sheet_name = (sheet_name or finding.sheet).strip("'")
            if sheet_name not in book.sheetnames:
                continue
            cell = book[sheet_name][address]
            old = cell.value
            if old == fix.label:
                continue
            cell.value = fix.label
            cell.fill = fill
            _comment(cell, f"crossfoot {finding.rule}: label was {old!r}", Comment)
    if book.calculation is not None:
        book.calculation.fullCalcOnLoad = True  # Excel computes the values openpyxl cannot save
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        book.save(target)
    except OSError as exc:
        raise FixWriteError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        if b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _comment(cell, text: str, comment_type) -> None:
    if cell.comment is not None and cell.comment.text:
        text = cell.comment.text.rstrip() + "\n" + text
    comment = comment_type(text, AUTHOR)
    comment.width, comment.height = 300, 80
    cell.comment = comment


__all__ = ["FixWriteError", "write_fixed", "HIGHLIGHT"]
