"""Audit many workbooks at once: every spreadsheet under a folder, in parallel.

    >>> from crossfoot.scan import scan
    >>> report = scan("models/", jobs=2)     # the same Report as crossfoot.audit()

Each file is audited in a worker process; the report lists the files in path order,
whatever order they finished in. A file that cannot be read, or on which crossfoot
itself fails, is reported with ``error`` set and the others are still audited.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Sequence

from crossfoot.audit import FileReport, Report, audit

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".tsv")

Progress = Callable[[int, int, str], None]  # (files done, files in all, path just done)


def find_workbooks(directory: str | Path, globs: Sequence[str] | None = None) -> list[Path]:
    """The spreadsheets under ``directory``, sorted. ``globs`` (``*.xlsx``,
    ``2024/**/*.csv``) replace the default of every workbook suffix; a pattern
    without ``/`` matches at any depth. Hidden folders and Excel's ``~$`` lock files
    are skipped."""
    root = Path(directory)
    found: set[Path] = set()
    if globs:
        for pattern in globs:
            found.update(root.rglob(pattern) if "/" not in pattern else root.glob(pattern))
    else:
        found.update(p for p in root.rglob("*") if p.suffix.lower() in WORKBOOK_SUFFIXES)
    out = []
    for p in found:
        rel = p.relative_to(root)
        if not p.is_file() or p.name.startswith("~$"):
            continue
        if any(part.startswith(".") for part in rel.parts[:-1]):
            continue
        out.append(p)
    return sorted(out)


def _audit_one(path: str, select: Sequence[str] | None, ignore: Sequence[str] | None,
               options: dict[str, Any] | None) -> FileReport:
    try:
        fr = audit(path, select=select, ignore=ignore, options=options).files[0]
    except Exception as exc:  # one bad file must not stop a scan of thousands
        return FileReport(path, error=f"crossfoot failed on this file ({type(exc).__name__}: {exc})")
    fr.workbook = None  # not sent back between processes
    return fr


def audit_many(paths: Sequence[str | Path], *, jobs: int | None = None,
               select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
               options: dict[str, Any] | None = None, progress: Progress | None = None) -> Report:
    """Audit ``paths`` with ``jobs`` worker processes (default: one per core)."""
    names = [str(p) for p in paths]
    jobs = max(1, jobs or os.cpu_count() or 1)
    done: dict[str, FileReport] = {}
    if jobs == 1 or len(names) < 2:
        for name in names:
            done[name] = _audit_one(name, select, ignore, options)
            if progress:
                progress(len(done), len(names), name)
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(names))) as pool:
            futures = {pool.submit(_audit_one, n, select, ignore, options): n for n in names}
            for future in as_completed(futures):
                name = futures[future]
                try:
                    done[name] = future.result()
                except Exception as exc:  # a worker that died (out of memory, killed)
                    done[name] = FileReport(name, error=f"crossfoot failed on this file ({exc})")
                if progress:
                    progress(len(done), len(names), name)
    return Report([done[n] for n in names])


def scan(directory: str | Path, *, globs: Sequence[str] | None = None, jobs: int | None = None,
         select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
         options: dict[str, Any] | None = None, progress: Progress | None = None) -> Report:
    """Audit every workbook under ``directory`` (see ``find_workbooks``)."""
    return audit_many(find_workbooks(directory, globs), jobs=jobs, select=select, ignore=ignore,
                      options=options, progress=progress)
