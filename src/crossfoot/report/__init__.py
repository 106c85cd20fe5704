"""The report stage: render an audit Report as text, JSON, SARIF or HTML, and decide
the exit status.

    >>> from crossfoot.report import render, exit_code
    >>> print(render(report, "sarif"))
    >>> exit_code(report, fail_on="warning")   # 0, 1 or 2 as the CLI returns
"""

from __future__ import annotations

from crossfoot.rules.base import all_rules, severity_rank

FORMATS = ("text", "json", "sarif", "html")


class RenderError(Exception):
    """A format that cannot be produced in this installation (one-line message)."""


def render(report, fmt: str = "text") -> str:
    """The report in ``fmt``: text, json, sarif or html."""
    if fmt == "text":
        from crossfoot.report.text import render_text

        return render_text(report)
    if fmt == "json":
        from crossfoot.report.json_report import render_json

        return render_json(report)
    if fmt == "sarif":
        from crossfoot.report.sarif import render_sarif

        return render_sarif(report)
    if fmt == "html":
        try:
            from crossfoot.report.html import render_html
        except ImportError as exc:
            raise RenderError(f"HTML output is not available in this installation ({exc})") from None
        return render_html(report)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def exit_code(report, fail_on: str = "warning") -> int:
    """2 if a file could not be read; 1 if a finding is at or above ``fail_on``
    (error, warning, info; ``never`` never fails); else 0."""
    if any(f.error is not None for f in report.files):
        return 2
    if fail_on == "never":
        return 0
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in report.findings) else 0


def rules_markdown() -> str:
    """Every rule's page, for docs/rules.md and the README (``crossfoot rules --format markdown``)."""
    rules = all_rules()
    lines = ["# Rules", "",
             "Generated from the rule registry by `crossfoot rules --format markdown`.", "",
             "| Rule | Default severity | What it finds |", "| --- | --- | --- |"]
    for name, rule in rules.items():
        lines.append(f"| [`{name}`](#{name}) | {rule.severity} | {rule.summary.strip()} |")
    lines.append("")
    for rule in rules.values():
        page = rule.documentation().strip()
        # One level down so every page sits under the "# Rules" title.
        lines += [_demote_headings(page), ""]
    return "\n".join(lines)


def _demote_headings(markdown: str) -> str:
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        out.append("#" + line if line.startswith("#") and not fenced else line)
    return "\n".join(out)


__all__ = ["FORMATS", "RenderError", "exit_code", "render", "rules_markdown"]
