"""``crossfoot inspect FILE...``: what crossfoot reads from each file.

Sheets (hidden ones marked), used ranges, counts of values and formulas, each distinct
formula fingerprint with the cells it covers, defined names and the reader's notices.
A file that cannot be read gets one line on stderr; the others are still inspected and
the exit code is 2 at the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crossfoot import __version__
from crossfoot.cli import app, fail
from crossfoot.read import ReadError, load
from crossfoot.read.summary import summarize

_MAX_RANGES = 8


@app.command()
def inspect(
    files: list[Path] = typer.Argument(..., metavar="FILES", help="Workbooks or tables (.xlsx .xlsm .xls .xlsb .ods .csv .tsv)."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text or json."),
    max_fingerprints: int = typer.Option(30, "--max-fingerprints", metavar="N", help="Fingerprints shown per sheet (text)."),
) -> None:
    """Show the sheets, used ranges, values, formulas and formula fingerprints of files."""
    if format not in ("text", "json"):
        raise fail(f"unknown --format {format!r}; use text or json")
    out = Console(highlight=False, soft_wrap=False)
    results = []
    failed = False
    for path in files:
        try:
            summary = summarize(load(path))
        except ReadError as exc:
            failed = True
            fail(str(exc))
            results.append({"path": str(path), "error": exc.reason})
            continue
        summary["error"] = None
        results.append(summary)
        if format == "text":
            _render(out, summary, max_fingerprints)
    if format == "json":
        print(json.dumps({"tool": "crossfoot", "version": __version__, "files": results}, indent=1,
                         ensure_ascii=False))
    if failed:
        raise typer.Exit(2)


def _render(out: Console, s: dict, max_fingerprints: int) -> None:
    out.print(f"[bold]{escape(s['path'])}[/]  ({s['format']}{', 1904 dates' if s['date1904'] else ''})")
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col, justify in (("sheet", "left"), ("used range", "left"), ("values", "right"),
                         ("formulas", "right"), ("fingerprints", "right"), ("merged", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for sh in s["sheets"]:
        name = escape(sh["name"]) + ("  [dim](hidden)[/]" if sh["hidden"] else "")
        table.add_row(name, sh["used_range"] or "-", f"{sh['values']:,}", f"{sh['formulas']:,}",
                      str(len(sh["fingerprints"])), str(len(sh["merged"])))
    out.print(table)
    for sh in s["sheets"]:
        fps = sh["fingerprints"]
        if not fps:
            continue
        ft = Table(title=f"formulas of {escape(sh['name'])}", title_justify="left", show_edge=False,
                   pad_edge=False, box=None, header_style="bold")
        ft.add_column("fingerprint (R1C1)", overflow="fold")
        ft.add_column("cells", justify="right")
        ft.add_column("where", overflow="fold")
        for fp in fps[:max_fingerprints]:
            ranges = fp["ranges"]
            where = ", ".join(ranges[:_MAX_RANGES])
            if len(ranges) > _MAX_RANGES:
                where += f", +{len(ranges) - _MAX_RANGES} more"
            ft.add_row(escape(fp["fingerprint"]), f"{fp['cells']:,}", where)
        out.print(ft)
        if len(fps) > max_fingerprints:
            out.print(f"  [dim]+{len(fps) - max_fingerprints} more fingerprints (--max-fingerprints)[/]")
    if s["defined_names"]:
        out.print("[bold]defined names[/]")
        for name, ref in s["defined_names"].items():
            out.print(f"  {name} {ref}", markup=False)
    for notice in s["notices"]:
        out.print(f"[yellow]notice[/]: {escape(notice)}")
    out.print()
