"""The HTML report: one self-contained page for any audit, and for the demo.

``render_html(report)`` draws each sheet as a grid (column letters, row numbers) with the
flagged cells coloured by rule and linked both ways to their findings; each finding
shows its message, its fix and its impact. ``extras`` adds sections that are not
findings (the demo's models: tables of figures with their provenance, inline SVG
charts). The page needs nothing from the network: CSS and JS are inlined from
``report/static``, charts are inline SVG, and every string that comes from a workbook
is escaped by Jinja2's autoescape.

Huge sheets are not drawn whole: past ``max_cells`` the grid keeps the first rows and
columns plus a window around each flagged cell, and says what it left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from crossfoot import __version__
from crossfoot.audit import FileReport, Report
from crossfoot.grid.address import CellRange, a1, column_letter
from crossfoot.grid.model import ExcelError, Sheet
from crossfoot.rules.base import Finding, Impact, all_rules

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

MAX_GRID_CELLS = 6000      # a sheet with a larger used range is drawn in windows
HEAD_ROWS = 12             # rows always drawn at the top of a windowed sheet
HEAD_COLS = 10             # columns always drawn at the left of a wide sheet
CONTEXT_ROWS = 4           # rows drawn above and below each flagged cell
CONTEXT_COLS = 3           # columns drawn left and right of each flagged cell
MAX_COLS = 40              # wider sheets keep only the head columns and windows
MAX_FLAGGED_WINDOWS = 150  # flagged cells that get a window of their own
MAX_RANGE_CELLS = 400      # cells of one finding's range that are marked

# Colours of the rules named in the design; a rule added later gets one from FALLBACK.
RULE_COLOURS = {
    "omitted-range": "#f59e0b",
    "intensive-aggregation": "#8b5cf6",
    "unit-mismatch": "#ec4899",
    "total-mismatch": "#ef4444",
    "inconsistent-formula": "#eab308",
    "hardcoded-value": "#06b6d4",
    "reference-to-empty": "#22c55e",
    "number-as-text": "#64748b",
}
FALLBACK = ["#0ea5e9", "#f97316", "#84cc16", "#d946ef", "#14b8a6", "#a16207", "#6366f1"]
PROVENANCE = ("quoted", "derived", "reconstructed", "computed")


# --------------------------------------------------------------------------- extras
@dataclass
class Figure:
    """One external or computed figure, with where it comes from.

    ``provenance`` is quoted, derived, reconstructed (the case README's terms) or
    computed (crossfoot's own arithmetic); ``source`` names the source (S1..S6)."""

    label: str
    value: str
    provenance: str = "computed"
    source: str = ""
    note: str = ""


@dataclass
class Table:
    """A small table of figures; a cell is a str or a Figure (drawn with its tags)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    terminal: bool = True     # also printed in the terminal summary (else the page only)


@dataclass
class Chart:
    title: str
    svg: str
    caption: str = ""


@dataclass
class Section:
    """A part of the page that is not an audit: a model's result, a check."""

    id: str
    title: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)   # longer paragraphs, on the page only
    status: str = "ok"           # ok | warning | unavailable
    place: str = "after"         # before or after the audited files
    terminal: bool = True        # also in the terminal summary (else the page only)


@dataclass
class Extras:
    title: str | None = None
    subtitle: str = ""
    headline: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    file_titles: dict[str, str] = field(default_factory=dict)   # path -> heading
    file_notes: dict[str, str] = field(default_factory=dict)    # path -> note under it
    # The order of the page's parts: section ids and file paths. Parts not named follow
    # in the default order (sections placed "before", the files, the other sections).
    order: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- cells
def format_value(value: Any, number_format: str | None = "General") -> str:
    """A cell value as a spreadsheet would show it, roughly: thousands separators,
    decimals and percent signs from the number format, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, ExcelError):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (int, float)):
        return _format_number(float(value), number_format or "General")
    return str(value)


def _format_number(v: float, fmt: str) -> str:
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    section = fmt.split(";")[0]
    if section.lower() == "general" or not re.search(r"[0#?]", section):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.10g}"
    m = re.search(r"\.([0#?]+)", section)
    decimals = len(m.group(1)) if m else 0
    if "%" in section:
        return f"{v * 100:,.{decimals}f}%"
    thousands = "," in section.split(".")[0]
    text = f"{v:,.{decimals}f}" if thousands else f"{v:.{decimals}f}"
    if "$" in section:
        text = f"-${text[1:]}" if text.startswith("-") else f"${text}"
    return text


def format_number(v: Any, decimals: int = 0) -> str:
    """Impact values and figures: thousands separators, fixed decimals."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if v is None else str(v)
    if float(v).is_integer() and decimals == 0:
        return f"{int(v):,}"
    if decimals == 0 and abs(v) < 100:
        return f"{v:,.2f}"
    return f"{v:,.{decimals}f}"


def rule_colour(rule: str) -> str:
    if rule in RULE_COLOURS:
        return RULE_COLOURS[rule]
    digest = int(hashlib.sha1(rule.encode()).hexdigest(), 16)
    return FALLBACK[digest % len(FALLBACK)]


def css_ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


# ------------------------------------------------------------------------ page model
@dataclass
class GridCell:
    id: str
    text: str
    title: str
    classes: str
    findings: list[str]
    rule: str | None


@dataclass
class GridRow:
    number: int | None          # None: a gap marker
    cells: list[GridCell | None]
    gap: str = ""


@dataclass
class Grid:
    sheet: str
    anchor: str
    columns: list[tuple[str, bool]]     # (letter, is_gap)
    rows: list[GridRow]
    note: str
    flagged: int
    empty: bool = False


@dataclass
class FindingView:
    id: str
    finding: Finding
    cell_id: str | None
    colour: str
    impact: list[dict[str, str]]


@dataclass
class FileView:
    index: int
    anchor: str
    path: str
    title: str
    note: str
    error: str | None
    notices: list[str]
    findings: list[FindingView]
    grids: list[Grid]
    counts: dict[str, int]
    impact: list[dict[str, str]] = field(default_factory=list)   # all fixes together


def _cell_id(file_index: int, sheet_index: int, row: int, col: int) -> str:
    return f"c{file_index}-{sheet_index}-{a1(row, col)}"


def _finding_cells(finding: Finding) -> list[tuple[int, int]]:
    """The (row, col) cells a finding points at; a long range is cut to its head."""
    try:
        rng = CellRange.parse(finding.cell)
    except ValueError:
        return []
    out = []
    for rc in rng.cells():
        out.append(rc)
        if len(out) >= MAX_RANGE_CELLS:
            break
    return out


def _keep(indices: Iterable[int], lo: int, hi: int) -> list[int]:
    return sorted(i for i in set(indices) if lo <= i <= hi)


def _window(sheet: Sheet, flagged: Sequence[tuple[int, int]], max_cells: int) -> tuple[list[int], list[int], str]:
    """Rows and columns to draw, and a note when some are left out."""
    used = sheet.used_range
    if used is None:
        rows_all = sorted({r for r, _ in flagged}) or [1]
        cols_all = sorted({c for _, c in flagged}) or [1]
        return list(range(1, max(rows_all) + 1)), list(range(1, max(cols_all) + 1)), ""
    max_row = max([used.max_row, *(r for r, _ in flagged)])
    max_col = max([used.max_col, *(c for _, c in flagged)])
    if max_row * max_col <= max_cells:
        return list(range(1, max_row + 1)), list(range(1, max_col + 1)), ""
    windows = list(flagged)[:MAX_FLAGGED_WINDOWS]
    if max_col <= MAX_COLS:
        cols = list(range(1, max_col + 1))
    else:
        keep = set(range(1, HEAD_COLS + 1))
        for _, c in windows:
            keep.update(range(c - CONTEXT_COLS, c + CONTEXT_COLS + 1))
        cols = _keep(keep, 1, max_col)
    budget_rows = max(HEAD_ROWS, max_cells // max(1, len(cols)))
    keep_rows = set(range(1, HEAD_ROWS + 1))
    for r, _ in sorted(windows):
        span = set(range(r - CONTEXT_ROWS, r + CONTEXT_ROWS + 1))
        if len(keep_rows | span) > budget_rows:
            break
        keep_rows |= span
    rows = _keep(keep_rows, 1, max_row)
    total = used.size
    shown = len(rows) * len(cols)
    note = (f"This sheet's used range {used.a1} has {total:,} cells; drawn: {shown:,} cells "
            f"({len(rows):,} of {max_row:,} rows, {len(cols):,} of {max_col:,} columns): "
            f"the first rows and columns and a window around each flagged cell.")
    return rows, cols, note


def _grid(file_index: int, sheet_index: int, sheet: Sheet, findings: list[FindingView],
          max_cells: int) -> Grid:
    by_cell: dict[tuple[int, int], list[FindingView]] = {}
    for fv in findings:
        for rc in _finding_cells(fv.finding):
            by_cell.setdefault(rc, []).append(fv)
    rows, cols, note = _window(sheet, list(by_cell), max_cells)
    columns: list[tuple[str, bool]] = []
    prev = 0
    for c in cols:
        if c != prev + 1 and prev:
            columns.append(("…", True))
        columns.append((column_letter(c), False))
        prev = c
    grid_rows: list[GridRow] = []
    prev = 0
    for r in rows:
        if r != prev + 1:
            if prev or r > 1:
                grid_rows.append(GridRow(None, [], gap=f"rows {prev + 1:,}–{r - 1:,} not drawn"))
        cells: list[GridCell | None] = []
        prev_c = 0
        for c in cols:
            if c != prev_c + 1 and prev_c:
                cells.append(None)
            prev_c = c
            cell = sheet.get(r, c)
            address = a1(r, c)
            classes = []
            text = ""
            title = address
            if cell is not None:
                text = format_value(cell.value, cell.number_format)
                if cell.is_number:
                    classes.append("num")
                if cell.is_error:
                    classes.append("err")
                if cell.has_formula:
                    classes.append("fx")
                    title = f"{address}  {cell.formula}"
                    if text:
                        title += f"  → {text}"
                elif text:
                    title = f"{address}  {text}"
            fvs = by_cell.get((r, c), [])
            rule = None
            if fvs:
                worst = max(fvs, key=lambda fv: _severity_order(fv.finding.severity))
                rule = worst.finding.rule
                classes += ["flag", f"r-{css_ident(rule)}", f"sev-{worst.finding.severity}"]
                if len(fvs) > 1:
                    classes.append("multi")
                title += "\n" + "\n".join(f"[{fv.finding.rule}] {fv.finding.message}" for fv in fvs)
            cells.append(GridCell(_cell_id(file_index, sheet_index, r, c), text, title,
                                  " ".join(classes), [fv.id for fv in fvs], rule))
        grid_rows.append(GridRow(r, cells))
        prev = r
    used = sheet.used_range
    if used is not None and rows and rows[-1] < used.max_row:
        grid_rows.append(GridRow(None, [], gap=f"rows {rows[-1] + 1:,}–{used.max_row:,} not drawn"))
    return Grid(sheet.name, f"s{file_index}-{sheet_index}", columns, grid_rows, note,
                flagged=len(by_cell), empty=not sheet.cells)


def _severity_order(severity: str) -> int:
    return {"info": 0, "warning": 1, "error": 2}.get(severity, 0)


def _impact_rows(finding: Finding | None, impacts: list[Impact] | None = None,
                 home: str | None = None) -> list[dict[str, str]]:
    rows = []
    home = finding.sheet if finding is not None else home
    for imp in (finding.impact if finding is not None else impacts or []):
        change = imp.change
        rows.append({
            "where": f"{imp.sheet}!{imp.cell}" if imp.sheet != home else imp.cell,
            "label": imp.label or "",
            "before": format_number(imp.before),
            "after": format_number(imp.after),
            "change": "" if change is None else f"{change:+.0%}" if abs(change) >= 0.01 else f"{change:+.2%}",
        })
    return rows


def _file_view(index: int, fr: FileReport, extras: Extras, max_cells: int) -> FileView:
    wb = fr.workbook
    sheet_index = {name: i for i, name in enumerate(wb.sheets)} if wb is not None else {}
    views: list[FindingView] = []
    for n, f in enumerate(fr.findings):
        cell_id = None
        si = sheet_index.get(f.sheet)
        if si is None and wb is not None:
            match = next((i for nm, i in sheet_index.items() if nm.lower() == f.sheet.lower()), None)
            si = match
        cells = _finding_cells(f)
        if si is not None and cells:
            cell_id = _cell_id(index, si, *cells[0])
        views.append(FindingView(f"f{index}-{n}", f, cell_id, rule_colour(f.rule), _impact_rows(f)))
    grids = []
    if wb is not None:
        for si, sheet in enumerate(wb):
            mine = [fv for fv in views if sheet_index.get(fv.finding.sheet) == si
                    or fv.finding.sheet.lower() == sheet.name.lower()]
            grids.append(_grid(index, si, sheet, mine, max_cells))
    drawn = {c.id for g in grids for row in g.rows for c in row.cells if c is not None}
    for fv in views:
        if fv.cell_id is not None and fv.cell_id not in drawn:
            fv.cell_id = None        # its cell is outside the part of a huge sheet drawn
    counts: dict[str, int] = {}
    for f in fr.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return FileView(index, f"file{index}", fr.path, extras.file_titles.get(fr.path, Path(fr.path).name),
                    extras.file_notes.get(fr.path, ""), fr.error, list(fr.notices), views, grids, counts,
                    _impact_rows(None, list(getattr(fr, "impact", []) or []),
                                 home=next(iter(wb.sheets)) if wb is not None and len(wb.sheets) == 1 else None))


def _rule_docs(names: Iterable[str]) -> list[dict[str, str]]:
    rules = all_rules()
    out = []
    for name in sorted(set(names)):
        cls = rules.get(name)
        doc = {"name": name, "colour": rule_colour(name), "summary": "", "what": "", "why": "", "fix": ""}
        if cls is not None:
            for key in ("summary", "what", "why", "fix"):
                doc[key] = " ".join(str(getattr(cls, key, "") or "").split())
        out.append(doc)
    return out


_SVG_START = re.compile(r"<svg\b", re.I)
_UNSAFE_SVG = re.compile(r"<\s*(script|foreignObject|iframe)\b|\bon[a-z]+\s*=|javascript:", re.I)


def inline_svg(svg: str) -> Markup:
    """An SVG document made fit to inline: no XML prolog or DOCTYPE; anything that
    could run script is refused (charts come from crossfoot's own plotting code)."""
    m = _SVG_START.search(svg)
    if m is None:
        raise ValueError("not an SVG document")
    body = svg[m.start():]
    if _UNSAFE_SVG.search(body):
        raise ValueError("SVG with script content is not inlined")
    return Markup(body)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = format_number
    env.filters["css_ident"] = css_ident
    env.filters["numlike"] = lambda v: isinstance(v, (int, float)) or (
        isinstance(v, str) and bool(re.fullmatch(r"[-+]?\$?[0-9][0-9,.]*(m|bn|%|x)?( [A-Za-z/$-]+)?", v.strip())))
    return env


def render_html(report: Report, *, extras: Extras | dict | None = None,
                max_cells: int = MAX_GRID_CELLS) -> str:
    """The whole report as one HTML document (str)."""
    if extras is None:
        extras = Extras()
    elif isinstance(extras, dict):
        extras = Extras(**extras)
    files = [_file_view(i, fr, extras, max_cells) for i, fr in enumerate(report.files)]
    rules_seen = [fv.finding.rule for f in files for fv in f.findings]
    severities = {"error": 0, "warning": 0, "info": 0}
    for f in report.findings:
        severities[f.severity] = severities.get(f.severity, 0) + 1
    by_rule: dict[str, int] = {}
    for r in rules_seen:
        by_rule[r] = by_rule.get(r, 0) + 1
    sections = [replace(s, charts=[{"title": c.title, "caption": c.caption, "svg_markup": inline_svg(c.svg)}
                                   for c in s.charts]) for s in extras.sections]
    extras = replace(extras, sections=sections)
    env = _environment()
    template = env.get_template("report.html.j2")
    return template.render(
        blocks=_blocks(files, extras),
        title=extras.title or ("crossfoot report: " + ", ".join(Path(f.path).name for f in report.files)),
        extras=extras,
        files=files,
        severities=severities,
        by_rule=by_rule,
        rule_docs=_rule_docs(rules_seen),
        rule_colours={r: rule_colour(r) for r in by_rule},
        version=__version__,
        generated=dt.date.today().isoformat(),
        css=Markup((STATIC / "report.css").read_text(encoding="utf-8")),
        js=Markup((STATIC / "report.js").read_text(encoding="utf-8")),
        provenance=PROVENANCE,
    )


def _blocks(files: list[FileView], extras: Extras) -> list[tuple[str, Any]]:
    """The page's parts in order: ("file", FileView) and ("section", Section)."""
    default: list[tuple[str, Any]] = [("section", s) for s in extras.sections if s.place == "before"]
    default += [("file", f) for f in files]
    default += [("section", s) for s in extras.sections if s.place != "before"]
    key = {id(b): (b.path if kind == "file" else b.id) for kind, b in default}
    named = {key[id(b)]: (kind, b) for kind, b in default}
    ordered = [named[k] for k in extras.order if k in named]
    seen = {id(b) for _, b in ordered}
    return ordered + [(kind, b) for kind, b in default if id(b) not in seen]


def write_html(report: Report, path: str | Path, *, extras: Extras | dict | None = None) -> Path:
    path = Path(path)
    path.write_text(render_html(report, extras=extras), encoding="utf-8")
    return path


__all__ = ["Chart", "Extras", "Figure", "Section", "Table", "format_value", "inline_svg",
           "render_html", "write_html"]
