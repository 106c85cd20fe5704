"""The text report, ruff-style: one line per finding, grouped by file and sheet.

    model.xlsx:Sheet1!F5: omitted-range: Total of 'Server CapEx ($m)' ...
      fix: =SUM(B5:E5)
      impact: Server CapEx ($m), Total F6: 1,300 -> 1,600 (+23%)

    Found 5 findings (3 errors, 2 warnings) in 1 file.

``text_lines(report)`` gives rich ``Text`` lines (styled by severity) for a terminal;
``render_text(report)`` the same as plain text.
"""

from __future__ import annotations

from typing import Iterable

from rich.text import Text

from crossfoot.grid.address import quote_sheet
from crossfoot.rules.base import SEVERITIES, Impact

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def format_impact(impact: Impact, home_sheet: str | None = None) -> str:
    """'Server CapEx ($m), Total F6: 1,300 -> 1,600 (+23%)': the label, the cell (with
    its sheet when it is not the finding's), and the change as repair words it."""
    from crossfoot.repair.impact import format_transition

    cell = impact.cell if impact.sheet == home_sheet else f"{quote_sheet(impact.sheet)}!{impact.cell}"
    where = f"{impact.label} {cell}" if impact.label else cell
    return f"{where}: {format_transition(impact)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report) -> str:
    """'Found 5 findings (3 errors, 2 warnings) in 1 file.' or 'All checks passed.'"""
    read = [f for f in report.files if f.error is None]
    failed = len(report.files) - len(read)
    findings = report.findings
    tail = f" {_plural(failed, 'file')} could not be read." if failed else ""
    if not findings:
        if failed and not read:
            return tail.strip()
        if failed:
            return f"No findings in {_plural(len(read), 'file')};{tail}"
        return "All checks passed."
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    parts = [_plural(counts[s], s) for s in reversed(SEVERITIES) if counts.get(s)]
    with_findings = sum(1 for f in read if f.findings)
    where = (_plural(with_findings, "file") if with_findings == len(read)
             else f"{with_findings} of {len(read)} files")
    line = f"Found {_plural(len(findings), 'finding')} ({', '.join(parts)}) in {where}."
    return line + tail


def text_lines(report) -> Iterable[Text]:
    """The report as styled lines."""
    first = True
    for fr in report.files:
        if fr.error is not None:
            yield Text.assemble((fr.path, "bold"), ": ", ("error", "bold red"), f": {fr.error}")
            continue
        group = None
        for finding in fr.findings:
            if finding.sheet != group:
                if not first:
                    yield Text("")
                group = finding.sheet
            first = False
            loc = f"{quote_sheet(finding.sheet)}!{finding.cell}" if finding.sheet else finding.cell
            yield Text.assemble((fr.path, "bold"), ":", (loc, "bold"), ": ",
                                (finding.rule, SEVERITY_STYLE.get(finding.severity, "")),
                                f": {finding.message}")
            if finding.fix is not None:
                fix = finding.fix.formula or finding.fix.description
                if finding.fix.label is not None:
                    label = f"label {finding.fix.label_cell + ' ' if finding.fix.label_cell else ''}-> {finding.fix.label!r}"
                    fix = f"{fix}; {label}" if fix else label
                if fix:
                    yield Text.assemble("  ", ("fix", "green"), f": {fix}")
            for impact in finding.impact:
                yield Text.assemble("  ", ("impact", "magenta"), f": {format_impact(impact, finding.sheet)}")
        for impact in fr.impact:
            yield Text.assemble((fr.path, "bold"), ": ", ("impact of all fixes", "magenta"),
                                f": {format_impact(impact)}")
        for notice in fr.notices:
            yield Text.assemble((fr.path, "bold"), ": ", ("note", "cyan"), f": {notice}")
    if len(report.files) == 1 and report.files[0].error is not None:
        return  # the error line says it all: one line, as for any command that cannot run
    if report.files and (report.findings or any(f.error for f in report.files)):
        yield Text("")
    yield Text(summary_line(report), style="bold")


def render_text(report) -> str:
    """The text report without styling, ending with a newline."""
    return "\n".join(line.plain for line in text_lines(report)) + "\n"
