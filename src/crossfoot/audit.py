"""The audit engine: read each file, run the selected rules, collect a Report.

``crossfoot.audit("model.xlsx")`` is the whole public entry point; the CLI is a thin
layer over it. A file that cannot be read becomes a FileReport with ``error`` set, and
the other files of a batch are still audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Sequence

from crossfoot import __version__
from crossfoot.grid.graph import DependencyGraph
from crossfoot.grid.model import Workbook, collector_paused
from crossfoot.read import ReadError, load
from crossfoot.rules.base import Finding, Impact, all_rules, severity_rank


class AuditContext:
    """What rules read: the workbook, its dependency graph, and a cache where the
    understanding stage keeps what it computed (tables, labels, units) so that several
    rules share one analysis."""

    def __init__(self, workbook: Workbook, options: dict[str, Any] | None = None) -> None:
        self.workbook = workbook
        self.options = options or {}
        self.cache: dict[str, Any] = {}

    @cached_property
    def graph(self) -> DependencyGraph:
        return DependencyGraph(self.workbook)

    def memo(self, key: str, compute):
        """Compute once per audit: ``ctx.memo("tables", lambda: find_tables(wb))``."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    workbook: Workbook | None = field(default=None, repr=False)
    impact: list[Impact] = field(default_factory=list)  # of all fixes together (repair)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "findings": [f.to_dict() for f in self.findings],
                               "error": self.error}
        if self.notices:
            out["notices"] = self.notices
        if self.impact:
            out["impact"] = [i.to_dict() for i in self.impact]
        return out


@dataclass
class Report:
    files: list[FileReport] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"tool": "crossfoot", "version": __version__, "files": [f.to_dict() for f in self.files]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def to_dataframe(self):
        """One row per finding (pandas is imported only here)."""
        import pandas as pd

        rows = []
        for fr in self.files:
            for f in fr.findings:
                d = f.to_dict()
                rows.append({"path": fr.path, "rule": d["rule"], "severity": d["severity"],
                             "sheet": d["sheet"], "cell": d["cell"], "message": d["message"],
                             "fix": (d.get("fix") or {}).get("formula")})
        return pd.DataFrame(rows, columns=["path", "rule", "severity", "sheet", "cell", "message", "fix"])

    def worst_severity(self) -> str | None:
        ranks = [severity_rank(f.severity) for f in self.findings]
        return None if not ranks else ("info", "warning", "error")[max(ranks)]

    @property
    def has_errors(self) -> bool:
        return any(f.error for f in self.files)


def select_rules(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[str]:
    """Names of the rules to run; unknown names raise KeyError."""
    rules = all_rules()
    chosen = list(select) if select else list(rules)
    for name in [*chosen, *(ignore or [])]:
        if name not in rules:
            raise KeyError(name)
    skip = set(ignore or ())
    return [n for n in chosen if n not in skip]


def audit_workbook(workbook: Workbook, *, select: Sequence[str] | None = None,
                   ignore: Sequence[str] | None = None, options: dict[str, Any] | None = None) -> FileReport:
    """Run the rules on a workbook already in memory."""
    from crossfoot.repair.recalc import ensure_values

    with collector_paused():  # the analysis of a large grid builds no reference cycles
        ensure_values(workbook)  # formulas saved without values (scripts, corrected copies)
        ctx = AuditContext(workbook, options)
        rules = all_rules()
        findings: list[Finding] = []
        for name in select_rules(select, ignore):
            findings.extend(rules[name]().check(ctx))
    findings.sort(key=lambda f: (list(workbook.sheets).index(f.sheet) if f.sheet in workbook.sheets else 0,
                                 _sort_key(f.cell), f.rule))
    from crossfoot.rules.overlaps import resolve

    findings = resolve(ctx, _dedupe(findings))  # one fix per cell where a rule's fix covers another's
    return FileReport(workbook.path, findings, notices=list(workbook.notices), workbook=workbook)


def _sort_key(cell: str) -> tuple[int, int]:
    from crossfoot.grid.address import parse_a1

    try:
        r, c = parse_a1(cell.split(":")[0])
    except ValueError:
        return (0, 0)
    return (r, c)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.sheet, f.cell)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def audit(*sources: Any, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None,
          options: dict[str, Any] | None = None) -> Report:
    """Audit one or more files (paths or openpyxl workbooks) and return a Report."""
    report = Report()
    for source in sources:
        with collector_paused():
            try:
                workbook = load(source)
            except ReadError as exc:
                report.files.append(FileReport(str(source), error=exc.reason))
                continue
            report.files.append(audit_workbook(workbook, select=select, ignore=ignore, options=options))
    return report
