"""Impact: what each proposed fix does to the numbers a reader cares about.

For every finding whose fix carries a formula, the fix is applied to a copy of the
workbook and only its dependency cone is recalculated (``repair.cone``). The finding's
``impact`` then lists the key outputs: the fixed cell, the cone cells named by the
caller (``outputs=['Sheet1!F9']``), labelled totals and bottom-line cells (cells nothing
else reads) whose value changes. The combined impact of all fixes applied together is
returned and kept on ``FileReport.impact``.

A fix whose cone cannot be recalculated (a circular reference, a function the engine
lacks, a reference to another file) gets no impact and a notice on the FileReport;
cells that come out as an Excel error (a ``#REF!`` chain) are left out of the impact,
with a notice.

``format_impact`` gives the reader's line: "Server CapEx ($m), Total: 1,300 -> 1,600
(+23%)".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable

from crossfoot.grid.address import CellRange, a1, parse_a1, quote_sheet
from crossfoot.grid.graph import CellKey, DependencyGraph
from crossfoot.grid.model import ExcelError, Workbook
from crossfoot.repair.cone import ConeEvaluator, ConeResult, cell_name
from crossfoot.repair.recalc import Engine, ensure_values
from crossfoot.rules.base import Finding, Impact
from crossfoot.understand.numbers import fmt

if TYPE_CHECKING:
    from crossfoot.audit import FileReport

MAX_IMPACTS = 10  # key outputs listed per finding (named cells always are)
MAX_COMBINED = 20  # key outputs listed for all fixes together
MAX_FIXES = 500  # findings whose impact is measured one by one (errors first)


def fix_changes(finding: Finding, workbook: Workbook) -> dict[CellKey, str]:
    """The formulas a finding's fix writes, by cell: ``evidence["fixes"]`` for a finding
    over a range (``{"F4": "=...", ...}``), else ``fix.formula`` for its single cell.
    Empty when the fix has no formula or names a cell outside the workbook."""
    sheet = workbook.sheet(finding.sheet)
    if sheet is None:
        return {}
    fixes = finding.evidence.get("fixes") if isinstance(finding.evidence, dict) else None
    out: dict[CellKey, str] = {}
    if isinstance(fixes, dict) and fixes:
        for address, formula in fixes.items():
            key = _key(workbook, str(address), sheet.name)
            if key is not None and isinstance(formula, str) and formula.strip():
                out[key] = _with_equals(formula)
        return out
    if finding.fix is None or not finding.fix.formula:
        return {}
    try:
        rng = CellRange.parse(finding.cell)
    except ValueError:
        return {}
    if rng.size != 1:
        return {}
    return {(sheet.name, rng.min_row, rng.min_col): _with_equals(finding.fix.formula)}


def _with_equals(formula: str) -> str:
    formula = formula.strip()
    return formula if formula.startswith("=") else "=" + formula


def _key(workbook: Workbook, text: str, default_sheet: str | None) -> CellKey | None:
    """'Sheet1!F9', "'My sheet'!F9" or (with a default sheet) 'F9' -> a cell key."""
    sheet_name, _, address = text.rpartition("!")
    if not sheet_name:
        sheet_name = default_sheet or ""
    sheet_name = sheet_name.strip()
    if sheet_name.startswith("'") and sheet_name.endswith("'"):
        sheet_name = sheet_name[1:-1].replace("''", "'")
    sheet = workbook.sheet(sheet_name)
    if sheet is None:
        return None
    try:
        row, col = parse_a1(address)
    except ValueError:
        return None
    return (sheet.name, row, col)


# When two findings propose different formulas for one cell, the fix of the rule that
# reads the meaning of the numbers wins over the one that mends a range: a weighted
# average over all columns already includes the column a plain sum left out.
RULE_PRECEDENCE = ("unit-mismatch", "intensive-aggregation", "total-mismatch", "omitted-range",
                   "inconsistent-formula", "reference-to-empty", "hardcoded-value", "number-as-text")


def _precedence(finding: Finding) -> tuple[int, int]:
    from crossfoot.rules.base import severity_rank

    try:
        rank = RULE_PRECEDENCE.index(finding.rule)
    except ValueError:
        rank = len(RULE_PRECEDENCE)
    try:
        severity = -severity_rank(finding.severity)
    except ValueError:
        severity = 0
    return (rank, severity)


def planned_changes(findings: Iterable[Finding], workbook: Workbook
                    ) -> tuple[dict[CellKey, tuple[str, Finding]], list[str]]:
    """Every cell the fixes of ``findings`` write, with the formula and the finding it
    comes from; where fixes disagree about a cell, the one of the rule first in
    ``RULE_PRECEDENCE`` wins, and a notice says so."""
    chosen: dict[CellKey, tuple[str, Finding]] = {}
    rivals: dict[CellKey, list[Finding]] = {}
    for finding in findings:
        for key, formula in fix_changes(finding, workbook).items():
            if key not in chosen:
                chosen[key] = (formula, finding)
                continue
            current_formula, current = chosen[key]
            if current_formula == formula:
                continue
            rivals.setdefault(key, [current]).append(finding)
            if _precedence(finding) < _precedence(current):
                chosen[key] = (formula, finding)
    notices = []
    for key, contenders in rivals.items():
        formula, winner = chosen[key]
        rules = ", ".join(dict.fromkeys(f.rule for f in contenders))
        notices.append(f"fixes of {rules} disagree about {cell_name(key)}; the combined impact and the "
                       f"corrected copy use {winner.rule}'s {formula}")
    return chosen, notices


class _Labeller:
    """Row label + column header of a cell ("Server CapEx ($m), Total").

    The meaning layer's labels (``understand.labels``: units columns, header stacks,
    titles) need the sheet's structure, which costs about a second on a sheet of 100,000
    cells; on sheets above ``STRUCTURE_LIMIT`` cells the nearest text to the left in the
    row and above in the column is used instead.
    """

    STRUCTURE_LIMIT = 20_000

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._ctx: Any = None

    def __call__(self, key: CellKey) -> str | None:
        sheet = self.workbook.sheets[key[0]]
        if len(sheet.cells) <= self.STRUCTURE_LIMIT:
            parts = self._meaning(key)
        else:
            parts = [nearest_text_left(sheet, key[1], key[2]), nearest_text_above(sheet, key[1], key[2])]
        parts = [p for p in parts if p]
        return ", ".join(parts) if parts else None

    def _meaning(self, key: CellKey) -> list[str | None]:
        from crossfoot.understand.labels import cell_labels

        if self._ctx is None:
            from crossfoot.audit import AuditContext

            self._ctx = AuditContext(self.workbook)
        labels = cell_labels(self._ctx, key[0], key[1], key[2])
        return [labels.row_label, labels.header]


def _text(cell) -> str | None:
    if cell is None or cell.has_formula or not cell.is_text:
        return None
    text = cell.value.strip()
    return text or None


def nearest_text_left(sheet, row: int, col: int) -> str | None:
    """The nearest text to the left of (row, col) in its row: the row's label."""
    for cell in reversed(sheet.rows().get(row, ())):
        if cell.col < col and _text(cell):
            return _text(cell)
    return None


def nearest_text_above(sheet, row: int, col: int) -> str | None:
    """The nearest text above (row, col) in its column: the column's header."""
    cells = sheet.columns().get(col, [])
    for cell in reversed(cells[:_row_index(cells, row)]):
        if _text(cell):
            return _text(cell)
    return None


def _row_index(cells, row: int) -> int:
    lo, hi = 0, len(cells)
    while lo < hi:
        mid = (lo + hi) // 2
        if cells[mid].row < row:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _changed(before: Any, after: Any) -> bool:
    if isinstance(before, bool) or isinstance(after, bool):
        return before != after
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return not math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9)
    if before is None and isinstance(after, (int, float)):
        return after != 0
    return before != after


def _plain(value: Any) -> Any:
    if isinstance(value, ExcelError):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class ImpactAnalysis:
    """Impact of fixes on one workbook; keeps the graph and compiled formulas between
    fixes, so that the second and later fixes cost only their cones."""

    def __init__(self, workbook: Workbook, graph: DependencyGraph | None = None,
                 engine: Engine | None = None) -> None:
        self.workbook = workbook
        self.evaluator = ConeEvaluator(workbook, graph=graph, engine=engine)
        self.label = _Labeller(workbook)
        self.notices: list[str] = []
        self._total_cache: dict[CellKey, bool] = {}

    def impact(self, changes: dict[CellKey, str], outputs: Iterable[CellKey] = (), *,
               what: str | None = None, always: bool = False, limit: int = MAX_IMPACTS) -> list[Impact]:
        """The key outputs of applying ``changes``; ``what`` names the fix in notices;
        ``always`` lists every named output even when the fix does not reach it."""
        result = self.evaluator.evaluate(changes)
        what = what or ", ".join(cell_name(k) for k in changes)
        if result.notices:
            self.notices.extend(f"impact of the fix at {what} not computed: {n}" for n in result.notices)
        if any(k in result.failed or k in result.circular for k in changes):
            return []
        named = list(dict.fromkeys(outputs))
        if always:
            extra = [k for k in named if k not in result.before]
            if extra:
                for key in extra:
                    cell = self.workbook.sheets[key[0]].get(key[1], key[2])
                    result.before[key] = result.after[key] = None if cell is None else cell.value
        return self._key_outputs(result, list(changes), named, what, limit)

    def _is_total(self, key: CellKey) -> bool:
        hit = self._total_cache.get(key)
        if hit is None:
            from crossfoot.understand.structure import is_total_label

            label = self.label(key) or ""
            hit = any(is_total_label(part) for part in label.split(", ")) or "total" in label.lower()
            self._total_cache[key] = hit
        return hit

    def _key_outputs(self, result: ConeResult, fixed: list[CellKey], named: list[CellKey],
                     what: str, limit: int) -> list[Impact]:
        graph = self.evaluator.graph
        shown_named = [k for k in named if k in result.after]
        first = [k for k in fixed if k in result.after and k not in shown_named]
        first = first[:max(0, limit - len(shown_named))] + shown_named
        chosen = set(first) | set(fixed)
        bottom, totals, errors = [], [], []
        for key in first:
            if isinstance(result.after[key], ExcelError):
                errors.append(key)
        for key in result.order:
            if key in chosen or key not in result.after:
                continue
            error = isinstance(result.after[key], ExcelError)
            if not error and not _changed(result.before.get(key), result.after[key]):
                continue
            if not graph.has_dependents(*key):
                (errors if error else bottom).append(key)
            elif self._is_total(key):
                (errors if error else totals).append(key)
        keys = first + (bottom + totals)[:max(0, limit - len(first))]
        if errors:
            shown = ", ".join(f"{cell_name(k)} ({result.after[k]})" for k in errors[:3])
            more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
            self.notices.append(f"impact of the fix at {what}: {shown}{more} evaluate to an Excel error "
                                f"(a broken reference upstream); left out of the impact")
        out = []
        for key in keys:
            if key in errors:
                continue
            out.append(Impact(key[0], a1(key[1], key[2]), self.label(key),
                              _plain(result.before.get(key)), _plain(result.after[key])))
        return out


def add_impact(file_report: "FileReport", outputs: list[str] | None = None, *,
               engine: Engine | None = None) -> list[Impact]:
    """Fill ``finding.impact`` for every finding with a fix and return (and keep on
    ``file_report.impact``) the combined impact of all fixes applied together.

    ``outputs`` names cells to report whatever else is chosen: ``['Sheet1!F9']``.
    Problems become notices on ``file_report.notices``; nothing here raises on a bad
    workbook.
    """
    workbook = file_report.workbook
    if workbook is None:
        return []
    known = len(workbook.notices)
    ensure_values(workbook, engine)
    _note(file_report, workbook.notices[known:])
    analysis = ImpactAnalysis(workbook, engine=engine)
    named: list[CellKey] = []
    for text in outputs or ():
        key = _key(workbook, text, None)
        if key is None:
            _note(file_report, [f"output {text} is not a cell of this workbook (write it as Sheet!A1)"])
        else:
            named.append(key)
    fixable = [f for f in file_report.findings if fix_changes(f, workbook)]
    fixable.sort(key=lambda f: -_severity(f))
    for finding in fixable[:MAX_FIXES]:
        finding.impact = analysis.impact(fix_changes(finding, workbook), named, what=_what(finding))
    if len(fixable) > MAX_FIXES:
        analysis.notices.append(f"impact measured for {MAX_FIXES} of {len(fixable):,} fixes one by one "
                                f"(errors first); the combined impact covers all of them")
    plan, conflicts = planned_changes(file_report.findings, workbook)
    analysis.notices.extend(conflicts)
    combined = {key: formula for key, (formula, _) in plan.items()}
    total: list[Impact] = []
    if combined:
        total = analysis.impact(combined, named, what="all fixes together", always=True, limit=MAX_COMBINED)
    _note(file_report, analysis.notices)
    file_report.impact = total
    return total


def _severity(finding: Finding) -> int:
    from crossfoot.rules.base import severity_rank

    try:
        return severity_rank(finding.severity)
    except ValueError:
        return 0


def _what(finding: Finding) -> str:
    return f"{quote_sheet(finding.sheet)}!{finding.cell} ({finding.rule})"


def _note(file_report: "FileReport", notices: Iterable[str]) -> None:
    for notice in notices:
        if notice not in file_report.notices:
            file_report.notices.append(notice)


def format_value(value: Any) -> str:
    """A value as a report shows it: 1600 -> '1,600', 0.2534 -> '0.2534', text as is."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return fmt(float(value))
    if value is None:
        return "(empty)"
    return str(value)


def format_transition(impact: Impact) -> str:
    """'1,300 -> 1,600 (+23%)': the values before and after, and the change."""
    line = f"{format_value(impact.before)} -> {format_value(impact.after)}"
    change = impact.change
    if change is not None and math.isfinite(change):
        line += f" ({format_change(change)})"
    return line


def format_impact(impact: Impact) -> str:
    """'Server CapEx ($m), Total: 1,300 -> 1,600 (+23%)'; the address when unlabelled."""
    where = impact.label or f"{impact.sheet}!{impact.cell}"
    return f"{where}: {format_transition(impact)}"


def format_change(change: float) -> str:
    """0.2308 -> '+23%'; 0.000007 -> '+0.0007%' (two significant digits below 1%)."""
    if change == 0 or abs(change) >= 0.005:
        return f"{change:+.0%}"
    if abs(change) < 1e-6:
        return f"{'+' if change > 0 else '-'}<0.0001%"
    return f"{change * 100:+.2g}%"


def format_impacts(impacts: Iterable[Impact]) -> list[str]:
    return [format_impact(i) for i in impacts]
