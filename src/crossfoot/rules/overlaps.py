"""Overlapping findings: two rules on one cell proposing different formulas.

A total of prices that also stops one column short is two real problems: the range
leaves out a column (``omitted-range``) and the figure adds up prices
(``intensive-aggregation``). Each rule proposes its own formula, and only one can go in
the cell: widening the range to ``=SUM(B4:E4)`` gives a larger sum of prices (a
meaningless 72,000), while the weighted average ``=SUMPRODUCT(B3:E3,B4:E4)/SUM(B3:E3)``
already covers every column.

A rule declares which rules' fixes its own fix replaces (``Rule.supersedes``, carried on
each of its findings as ``Finding.supersedes``). After all rules ran, ``resolve``:

- keeps both findings (the range does stop short);
- drops the superseded finding's formula and its impact, when the superseding fix reads
  every cell the superseded fix would add (directly, or through the cells that compute
  it: ``=(SUM(B6:E6)+SUM(B7:E7))/4`` covers ``=SUM(B8:E8)`` when row 8 is ``=B6+B7``);
- removes from the message the clause that only held under the dropped fix (a finding
  records it as ``evidence["fix_clause"]``: "With H100 it is 72,000 (+44%)");
- says so in the superseded finding's message and fix description ("the fix of
  intensive-aggregation on F4 also covers H100 (E4)"), and records it in its evidence
  (``superseded_by``).

When the superseding fix does not cover the cells, both fixes stay and ``repair``
chooses one for the corrected copy, with a notice that they disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from crossfoot.grid.address import CellRange, a1
from crossfoot.grid.formula import analyse, info_for
from crossfoot.rules.base import Finding, Fix

if TYPE_CHECKING:
    from crossfoot.audit import AuditContext

Key = tuple[int, int]


def _single_cell(finding: Finding) -> Key | None:
    try:
        rng = CellRange.parse(finding.cell)
    except ValueError:
        return None
    return (rng.min_row, rng.min_col) if rng.size == 1 else None


def _cells_read(formula: str, row: int, col: int, sheet_names: dict[str, str], sheet: str
                ) -> set[tuple[str, int, int]] | None:
    """Every cell a formula written at (row, col) reads (None if it does not parse or
    reads an area too large to list)."""
    info = analyse(formula, row, col)
    if info.parse_error:
        return None
    out: set[tuple[str, int, int]] = set()
    for area in info.areas(row, col):
        name = sheet if area.sheet is None else sheet_names.get(area.sheet.lower())
        if name is None or area.size > 10_000:
            return None
        for r in range(area.min_row, area.max_row + 1):
            for c in range(area.min_col, area.max_col + 1):
                out.add((name, r, c))
    return out


def _covered(ctx: "AuditContext", key: tuple[str, int, int], read: set[tuple[str, int, int]]) -> bool:
    """Is the cell read by the superseding fix, or is every cell its formula reads?"""
    if key in read:
        return True
    cell = ctx.workbook[key[0]].get(key[1], key[2])
    info = info_for(cell) if cell is not None and cell.has_formula else None
    if info is None or info.parse_error:
        return False
    areas = info.areas(key[1], key[2])
    if not areas or any(a.sheet is not None or a.size > 10_000 for a in areas):
        return False
    return all((key[0], r, c) in read for a in areas
               for r in range(a.min_row, a.max_row + 1) for c in range(a.min_col, a.max_col + 1))


def _name(ctx: "AuditContext", sheet: str, added: list[tuple[str, int, int]]) -> str:
    """'H100 (E4)' for cells along a row, by their column header; by the row label for
    cells down a column; the addresses otherwise."""
    from crossfoot.understand.labels import cell_labels

    names = []
    same_row = len({r for _, r, _ in added}) == 1
    for s, r, c in added[:4]:
        labels = cell_labels(ctx, s, r, c)
        text = labels.header if same_row else labels.row_label
        names.append(f"{text} ({a1(r, c)})" if text else a1(r, c))
    if len(added) > 4:
        names.append(f"{len(added) - 4} more")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def resolve(ctx: "AuditContext", findings: Iterable[Finding]) -> list[Finding]:
    """Apply ``supersedes`` among findings on the same cell (see the module docstring);
    returns the findings in the same order."""
    findings = list(findings)
    by_cell: dict[tuple[str, Key], list[Finding]] = {}
    for f in findings:
        key = _single_cell(f)
        if key is not None and f.fix is not None and f.fix.formula:
            by_cell.setdefault((f.sheet, key), []).append(f)
    names = {s.lower(): s for s in ctx.workbook.sheets}
    for (sheet, (row, col)), group in by_cell.items():
        if len(group) < 2 or sheet not in ctx.workbook.sheets:
            continue
        for winner in group:
            if not winner.supersedes:
                continue
            for loser in group:
                if loser is winner or loser.rule not in winner.supersedes or loser.fix is None \
                        or not loser.fix.formula or loser.fix.formula == winner.fix.formula:
                    continue
                cell = ctx.workbook[sheet].get(row, col)
                now = (_cells_read(cell.formula, row, col, names, sheet) or set()) \
                    if cell is not None and cell.has_formula else set()
                wanted = _cells_read(loser.fix.formula, row, col, names, sheet)
                read = _cells_read(winner.fix.formula, row, col, names, sheet)
                if wanted is None or read is None:
                    continue
                added = sorted(wanted - now, key=lambda k: (k[1], k[2]))
                if not all(_covered(ctx, k, read) for k in added):
                    continue
                where = winner.cell if winner.cell != loser.cell else a1(row, col)
                also = f"also covers {_name(ctx, sheet, added)}" if added else "replaces its own"
                # a clause that only holds under the dropped fix ("With H100 it is 72,000")
                clause = loser.evidence.pop("fix_clause", None)
                if clause:
                    loser.message = loser.message.replace(clause, "")
                loser.message = loser.message.rstrip() + f" The fix of {winner.rule} on {where} {also}."
                loser.evidence = {**loser.evidence, "superseded_by": winner.rule,
                                  "superseded_fix": loser.fix.formula}
                loser.fix = Fix(description=f"covered by the fix of {winner.rule} on {where}: {winner.fix.formula}")
                loser.impact = []
    return findings
