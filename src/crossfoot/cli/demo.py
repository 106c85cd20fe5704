"""``crossfoot demo``: the DeepSeek fleet case end to end, offline, with an HTML report."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console

from crossfoot.cli import app, fail


@app.command()
def demo(
    outdir: Path = typer.Option(Path("."), "-o", "--outdir", metavar="DIR",
                                help="Folder for the workbooks and the report (created if missing)."),
    open_report: bool = typer.Option(False, "--open", help="Open the HTML report in a browser afterwards."),
) -> None:
    """Audit the DeepSeek GPU-fleet table as published, rebuild it corrected, check the funding.

    Writes deepseek_fleet.xlsx (the table as published), deepseek_fleet_corrected.xlsx
    (rebuilt by the TCO model), deepseek_v3_training_cost.xlsx (the control case) and
    crossfoot-report.html to DIR, and prints a summary.
    """
    from crossfoot.demo import run_demo

    if outdir.exists() and not outdir.is_dir():
        raise fail(f"{outdir} is not a folder")
    try:
        # off a terminal (a pipe, a log) rich would wrap at 80 columns; 100 keeps the
        # summary's tables on one line each, as on a laptop terminal
        console = Console(highlight=False) if sys.stdout.isatty() or "COLUMNS" in os.environ \
            else Console(highlight=False, width=100)
        result = run_demo(outdir, console=console)
    except OSError as exc:
        raise fail(f"cannot write to {outdir}: {exc.strerror or exc}") from None
    if open_report:
        import webbrowser

        webbrowser.open(result.html.resolve().as_uri())
