"""``crossfoot scan DIR``: audit every workbook under a folder, in parallel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crossfoot.cli import app, fail
from crossfoot.cli.audit import settings


def summary_table(report) -> Table:
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("File", overflow="fold")
    for title, style in (("Errors", "red"), ("Warnings", "yellow"), ("Info", "cyan")):
        table.add_column(title, justify="right", style=style)
    table.add_column("Status")
    for fr in report.files:
        if fr.error is not None:
            table.add_row(Text(fr.path), "", "", "", Text.assemble(("not read: ", "red"), fr.error))
            continue
        counts = {s: sum(1 for f in fr.findings if f.severity == s) for s in ("error", "warning", "info")}
        status = Text("ok", "green") if not fr.findings else Text(", ".join(sorted({f.rule for f in fr.findings})))
        table.add_row(Text(fr.path), *(str(counts[s]) if counts[s] else "" for s in ("error", "warning", "info")), status)
    return table


@app.command("scan")
def scan_command(
    directory: str = typer.Argument(..., metavar="DIR", help="Folder to search (recursively)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, metavar="N", help="Worker processes [default: one per core].",
                                       show_default=False),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT", help="text (a table per file) or json.",
                                      show_default=False),
    globs: Optional[List[str]] = typer.Option(None, "--glob", metavar="PATTERN",
                                                help="Only files matching this pattern (repeatable), "
                                                     "such as `*.xlsx` or `models/**/*.xlsm`."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="RULES", help="Only these rules."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="RULES", help="Skip these rules."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="SEVERITY", help="error, warning, info or never [default: warning].",
                                          show_default=False),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", help="Configuration file."),
) -> None:
    """Audit every workbook (.xlsx .xlsm .xls .xlsb .ods .csv .tsv) under DIR in parallel,
    then show one line per file. Same exit status and JSON as `crossfoot audit`."""
    from crossfoot.report import exit_code, render
    from crossfoot.report.text import summary_line
    from crossfoot.scan import audit_many, find_workbooks

    root = Path(directory)
    if not root.exists():
        raise fail(f"{directory}: no such folder")
    if not root.is_dir():
        raise fail(f"{directory}: not a folder; use crossfoot audit for a single file")
    cfg = settings([directory], config, select, ignore, fail_on, fmt, None)
    fmt = cfg.effective_format
    if fmt not in ("text", "json"):
        raise fail(f"scan writes text or json, not {fmt}; use crossfoot audit for {fmt}")
    paths = find_workbooks(root, globs)
    if not paths:
        raise fail(f"no workbooks under {directory}" + (f" matching {', '.join(globs)}" if globs else ""))
    err = Console(stderr=True, highlight=False)
    kwargs = dict(jobs=jobs, select=cfg.select, ignore=cfg.ignore, options=cfg.rule_options)
    if err.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("Auditing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      TextColumn("{task.description}"), console=err, transient=True) as bar:
            task = bar.add_task("", total=len(paths))

            def progress(done: int, total: int, path: str) -> None:
                bar.update(task, completed=done, description=Path(path).name)

            report = audit_many(paths, progress=progress, **kwargs)
    else:
        report = audit_many(paths, **kwargs)
    if fmt == "json":
        sys.stdout.write(render(report, "json"))
    else:
        out = Console(highlight=False, soft_wrap=True)
        out.print(summary_table(report))
        out.print()
        out.print(summary_line(report), style="bold", markup=False)
    raise typer.Exit(exit_code(report, cfg.effective_fail_on))
