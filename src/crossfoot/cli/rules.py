"""``crossfoot rules`` (the list) and ``crossfoot rule NAME`` (one rule's page)."""

from __future__ import annotations

import difflib
import json
import sys

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from crossfoot.cli import app, fail
from crossfoot.report import rules_markdown
from crossfoot.rules.base import all_rules


@app.command("rules")
def rules_command(
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT", help="table, markdown (every rule's page) or json."),
) -> None:
    """List every rule: name, default severity, what it finds."""
    rules = all_rules()
    if fmt == "markdown":
        sys.stdout.write(rules_markdown())
        return
    if fmt == "json":
        sys.stdout.write(json.dumps([{"name": n, "severity": r.severity, "summary": r.summary.strip()}
                                     for n, r in rules.items()], indent=2) + "\n")
        return
    if fmt != "table":
        raise fail(f"--format must be table, markdown or json, not {fmt!r}")
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("What it finds")
    for name, rule in rules.items():
        table.add_row(name, rule.severity, rule.summary.strip())
    Console(highlight=False).print(table)


@app.command("rule")
def rule_command(name: str = typer.Argument(..., metavar="NAME", help="A rule name, such as omitted-range.")) -> None:
    """Show one rule's page: what it finds, why it matters, an example, the fix."""
    rules = all_rules()
    if name not in rules:
        close = difflib.get_close_matches(name, list(rules), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else f"rules: {', '.join(rules)}"
        raise fail(f"unknown rule {name!r}; {hint}")
    Console(highlight=False).print(Markdown(rules[name].documentation()))
