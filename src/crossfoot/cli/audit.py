"""``crossfoot audit FILES...``: find the errors of one or more workbooks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

import crossfoot
from crossfoot.cli import app, check_output_path, fail
from crossfoot.config import FAIL_ON, FORMATS, Config, ConfigError, check_rule_names, resolve_config, split_names


def settings(files: List[str], config: Optional[str], select, ignore, fail_on, fmt, outputs) -> Config:
    """The configuration file's settings with the command line's flags on top."""
    try:
        cfg = resolve_config(files, config)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    select, ignore = split_names(select), split_names(ignore)
    try:
        check_rule_names([*(select or ()), *(ignore or ())])
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    if fail_on is not None and fail_on not in FAIL_ON:
        raise fail(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if fmt is not None and fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    for cell in outputs or ():
        if "!" not in cell:
            raise fail(f"--output {cell!r}: give a sheet and a cell, such as 'Sheet1!F9'")
    return cfg.merged(select=select, ignore=ignore, fail_on=fail_on, format=fmt, output=outputs or None)


def add_impact(report, outputs: list[str]) -> None:
    """Fill each finding's impact through the repair stage, when it is installed."""
    try:
        from crossfoot.repair.impact import add_impact as repair_impact
    except ImportError:
        return
    for fr in report.files:
        if fr.error is not None or not fr.findings:
            continue
        try:
            combined = repair_impact(fr, outputs=list(outputs))
        except Exception as exc:  # the findings stand even when recalculation fails
            fr.notices.append(f"impact not computed ({type(exc).__name__}: {exc})")
            continue
        fr.impact = list(combined or [])


def write_fix(report, dest: str) -> None:
    fr = report.files[0]
    if fr.error is not None:
        return
    try:
        from crossfoot.repair.writer import write_fixed
    except ImportError:
        raise fail("--fix needs crossfoot.repair, which this installation does not have") from None
    try:
        write_fixed(fr, dest)
    except OSError as exc:
        raise fail(f"cannot write {dest} ({exc.strerror or exc})") from None
    fixes = sum(1 for f in fr.findings if f.fix is not None and f.fix.formula)
    typer.echo(f"Wrote {dest} ({fixes} fix{'es' if fixes != 1 else ''} applied).", err=True)


def emit(report, fmt: str, output_file: Optional[str]) -> None:
    """Write the rendered report to ``output_file`` or stdout (text: coloured on a terminal)."""
    from crossfoot.report import RenderError, render

    if fmt == "text" and output_file is None:
        from rich.console import Console

        from crossfoot.report.text import text_lines

        console = Console(highlight=False, soft_wrap=True, emoji=False, markup=False)
        for line in text_lines(report):
            console.print(line)
        return
    try:
        rendered = render(report, fmt)
    except RenderError as exc:
        raise fail(str(exc)) from None
    if output_file is None:
        sys.stdout.write(rendered)
        return
    try:
        Path(output_file).write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output_file} ({exc.strerror or exc})") from None


@app.command("audit")
def audit_command(
    files: List[str] = typer.Argument(..., metavar="FILES",
                                      help="Workbooks or tables to audit (.xlsx .xlsm .xls .xlsb .ods .csv .tsv).",
                                      show_default=False),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="FORMAT",
                                      help="text, json, sarif or html [default: text].",
                                      show_default=False),
    output_file: Optional[str] = typer.Option(None, "--output-file", "-o", metavar="FILE", help="Write the report here, not to stdout."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="RULES", help="Only these rules (comma-separated or repeated)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="RULES", help="Skip these rules (comma-separated or repeated)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="SEVERITY",
                                          help="Exit 1 on findings at or above: error, warning, info or never "
                                               "[default: warning].", show_default=False),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE", help="Configuration file (default: crossfoot.toml or "
                                                                  "[tool.crossfoot] in pyproject.toml, found upward)."),
    fix: Optional[str] = typer.Option(None, "--fix", metavar="FIXED.xlsx",
                                      help="Write a corrected copy of the (single) input workbook here."),
    outputs: Optional[List[str]] = typer.Option(None, "--output", metavar="'SHEET!CELL'",
                                                help="A key output cell whose change each fix reports (repeatable)."),
    no_impact: bool = typer.Option(False, "--no-impact", help="Do not recalculate the impact of the fixes."),
) -> None:
    """Find the errors of one or more workbooks: ranges that stop short, inconsistent
    formulas, typed-over constants, totals that do not add up, and more
    (`crossfoot rules` lists them).

    Exit status: 0 nothing at or above --fail-on, 1 findings, 2 could not run.
    """
    cfg = settings(files, config, select, ignore, fail_on, fmt, outputs)
    if fix is not None:
        if len(files) != 1:
            raise fail("--fix takes exactly one input file")
        check_output_path(fix, files, "--fix")
    if output_file is not None:
        check_output_path(output_file, files, "--output-file")
    report = crossfoot.audit(*files, select=cfg.select, ignore=cfg.ignore, options=cfg.rule_options)
    if not no_impact:
        add_impact(report, cfg.output or [])
    if fix is not None:
        write_fix(report, fix)
    emit(report, cfg.effective_format, output_file)
    from crossfoot.report import exit_code

    raise typer.Exit(exit_code(report, cfg.effective_fail_on))
