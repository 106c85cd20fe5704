"""The DeepSeek fleet case end to end: ``run_demo(outdir) -> DemoResult``.

1. write the research table as published (its formulas and errors) to
   ``deepseek_fleet.xlsx``;
2. audit it with the engine every user runs (``crossfoot.audit``) and measure the
   impact of the fixes (``crossfoot.repair.impact``);
3. rebuild the corrected fleet with the TCO model, write
   ``deepseek_fleet_corrected.xlsx`` (live formulas) and audit it;
4. check the funding: the fund's fees by year and the cash it could reinvest, against
   the capex claims; the peers' capex;
5. audit the DeepSeek-V3 training-cost table as a control;
6. write ``crossfoot-report.html`` and a terminal summary.

Every number shown comes out of the engine, the models or the case data; the case data's
figures carry their provenance (quoted, derived, reconstructed) and source (S1..S6). A
piece of the pipeline that is not installed becomes a section marked unavailable, and
the demo says so instead of failing.
"""

from __future__ import annotations

import importlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from crossfoot.audit import FileReport, Report, audit
from crossfoot.cases.deepseek import load_toml, published_table, write_published_table
from crossfoot.grid.address import a1, column_letter
from crossfoot.report.html import Chart, Extras, Figure, Section, Table, render_html
from crossfoot.rules.base import Finding, Impact

if TYPE_CHECKING:
    from rich.table import Table as RichTable

PUBLISHED = "deepseek_fleet.xlsx"
CORRECTED = "deepseek_fleet_corrected.xlsx"
CONTROL = "deepseek_v3_training_cost.xlsx"
REPORT = "crossfoot-report.html"

# What the case README says each source is (shown in the report's source list).
SOURCE_TITLES = {
    "S1": "SemiAnalysis, \u201cDeepSeek Debates: Chinese Leadership On Cost, True Training Cost, "
          "Closed Model Margin Impacts\u201d, 2025-01-31 (semianalysis.com/2025/01/31/deepseek-debates/).",
    "S2": "Glenn Luk, thread of 2025-01-31 (threadreaderapp thread 1885306497346752672).",
    "S3": "news.china.com, 2025-02-01: the article's original figures ($1.3B capex, $715M operating cost).",
    "S4": "DeepSeek-V3 Technical Report (arXiv 2412.19437), Table 1.",
    "S5": "Fire-Flyer AI-HPC (arXiv 2408.14158).",
    "S6": "Aggregated filings data (financialmodelingprep / stockintent; marketbeat for Goldman Sachs revenue).",
}

# The provenance of the case's reference figures (fleet_table.toml [expected]): what each
# one is and where it was published. The values themselves are read from the case data.
EXPECTED_PROVENANCE: dict[str, tuple[str, str, str]] = {
    "gpus_total": ("# of GPUs, all columns", "quoted", "S1, S2"),
    "capex_total_published": ("Server capex as published", "quoted", "S2, S3"),
    "capex_total": ("Server capex, all 60,000 GPUs", "quoted", "S1"),
    "capex_hoppers": ("Server capex, Hoppers only", "quoted", "S2"),
    "opex_total_published": ("Cost to operate as published", "quoted", "S3"),
    "opex_total": ("Cost to operate, 4 years", "quoted", "S1"),
    "opex_hoppers": ("Cost to operate, Hoppers only", "derived", "S2"),
    "tco_total_published": ("TCO row total as published", "derived", "S2"),
    "tco_per_year": ("TCO per year, all GPUs (thread: ~$640m)", "derived", "S2"),
    "tco_per_year_hoppers": ("TCO per year, Hoppers only", "quoted", "S2"),
    "asp_weighted": ("GPU-weighted ASP", "derived", ""),
    "capex_per_gpu_weighted": ("GPU-weighted capex per GPU", "derived", ""),
    "h800_cluster_2048": ("2,048-H800 cluster", "derived", "S2"),
}


@dataclass
class DemoResult:
    """What ``run_demo`` produced: the files, the audits, the figures and the page."""

    outdir: Path
    published: Path
    corrected: Path | None
    control: Path
    html: Path
    report: Report                                    # the three audits, in that order
    figures: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)   # section -> why
    summary: str = ""                                 # the terminal summary as plain text
    seconds: float = 0.0

    @property
    def published_report(self) -> FileReport:
        return self.report.files[0]

    @property
    def corrected_report(self) -> FileReport | None:
        return next((f for f in self.report.files if self.corrected and f.path == str(self.corrected)), None)

    @property
    def control_report(self) -> FileReport:
        return next(f for f in self.report.files if f.path == str(self.control))


# --------------------------------------------------------------------------- helpers
def _optional(module: str) -> Any | None:
    """Import a pipeline piece that may not be installed; None if it is not there."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def money_m(v: float | None, decimals: int = 0) -> str:
    """1600 -> '$1,600m'."""
    if v is None:
        return "n/a"
    return f"${v:,.{decimals}f}m"


def dollars(v: float | None) -> str:
    return "n/a" if v is None else f"${v:,.0f}"


def _case_fig(key: str, expected: dict[str, float], fmt: Callable[[float], str] = money_m) -> Figure:
    label, prov, source = EXPECTED_PROVENANCE[key]
    return Figure(label, fmt(expected[key]), prov, source)


# ------------------------------------------------------------------ 1-2. the audit
@dataclass
class TableCells:
    """Where the published table's cells are: the Total cell of each row."""

    rows: dict[str, int]
    total_col: int
    columns: list[str]
    labels: dict[str, str]

    def total(self, key: str) -> str:
        return a1(self.rows[key], self.total_col)

    def cells(self, key: str) -> list[str]:
        return [a1(self.rows[key], c) for c in range(2, self.total_col + 1)]


def _table_cells() -> TableCells:
    t = published_table()
    return TableCells({r.key: t.row_of(r.key) for r in t.rows}, t.total_col, t.columns,
                      {r.key: r.label for r in t.rows})


def _touches(finding: Finding, cell: str) -> bool:
    from crossfoot.grid.address import CellRange, parse_a1

    try:
        return parse_a1(cell) in CellRange.parse(finding.cell)
    except ValueError:
        return False


def _impact_at(impacts: list[Impact], cell: str) -> Impact | None:
    return next((i for i in impacts if i.cell == cell), None)


def _audit_published(path: Path, unavailable: dict[str, str]) -> tuple[FileReport, dict[str, Any]]:
    fr = audit(path).files[0]
    impact_mod = _optional("crossfoot.repair.impact")
    if fr.error is None and impact_mod is not None:
        impact_mod.add_impact(fr)
    elif impact_mod is None:
        unavailable["impact"] = "crossfoot.repair.impact is not installed: fixes were not recalculated"
    cells = _table_cells()
    figs: dict[str, Any] = {"findings": len(fr.findings), "rules": sorted({f.rule for f in fr.findings})}

    def after(key: str, rule: str | None = None) -> tuple[float | None, float | None, Finding | None]:
        """Before/after of a Total cell: from the combined impact of all fixes when
        repair measured it, else from the finding that touches the cell."""
        cell = cells.total(key)
        found = [f for f in fr.findings if (rule is None or f.rule == rule) and
                 (_touches(f, cell) or _impact_at(f.impact, cell))]
        imp = None
        for f in found:
            imp = _impact_at(f.impact, cell) or imp
        combined = _impact_at(fr.impact, cell)
        if rule is None and combined is not None:
            imp = combined
        if imp is None:
            return None, None, (found[0] if found else None)
        return imp.before, imp.after, (found[0] if found else None)

    for key in ("capex", "opex"):
        b, a, f = after(key, "omitted-range")
        figs[f"{key}_total_before"], figs[f"{key}_total_after"] = b, a
        figs[f"{key}_omitted_finding"] = f
    for key in ("asp", "capex_per_gpu"):
        b, a, f = after(key, "intensive-aggregation")
        figs[f"{key}_total_before"], figs[f"{key}_weighted"] = b, a
        figs[f"{key}_intensive_finding"] = f
    b, a, f = after("tco", "unit-mismatch")
    figs["tco_unit_finding"] = f
    # all fixes together: the TCO row per year over the corrected totals
    cb, ca, _ = after("tco")
    figs["tco_total_before"] = cb if cb is not None else b
    figs["tco_after_all_fixes"] = ca if ca is not None else a
    return fr, figs


def _finding_lines(fr: FileReport) -> list[str]:
    out = []
    for f in fr.findings:
        line = f"[{f.rule}] {f.sheet}!{f.cell}: {f.message}"
        out.append(line)
    return out


# -------------------------------------------------------- 5. the control table
def write_training_cost_table(path: str | Path) -> Path:
    """The DeepSeek-V3 report's Table 1 (S4) as a workbook with formulas: the Total
    column sums the three stages and each cost is GPU hours x the rental price."""
    import xlsxwriter

    spec = load_toml("v3_training_cost.toml")
    stages = spec["columns"][:-1]
    hours = spec["gpu_hours_k"][:len(stages)]
    price_row = 6
    price = _rental_price(spec["title"])
    path = Path(path)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Training cost")
    bold = book.add_format({"bold": True})
    thousands = book.add_format({"num_format": "#,##0"})
    musd = book.add_format({"num_format": "0.000"})
    usd = book.add_format({"num_format": "0.00"})
    sheet.write(0, 0, spec["title"], bold)
    sheet.write(1, 0, "", bold)
    for i, name in enumerate(spec["columns"]):
        sheet.write(1, 1 + i, name, bold)
    sheet.write(2, 0, "H800 GPU hours (thousands)")
    sheet.write(3, 0, "Cost (USD millions)")
    last = column_letter(1 + len(stages))
    for i, h in enumerate(hours):
        col = column_letter(2 + i)
        sheet.write_number(2, 1 + i, h, thousands)
        sheet.write_formula(3, 1 + i, f"={col}3*$B${price_row}/1000", musd, h * price / 1000)
    sheet.write_formula(2, 1 + len(stages), f"=SUM(B3:{last}3)", thousands, sum(hours))
    sheet.write_formula(3, 1 + len(stages), f"=SUM(B4:{last}4)", musd, sum(h * price / 1000 for h in hours))
    sheet.write(price_row - 1, 0, "Rental price of H800 ($ per GPU hour)")
    sheet.write_number(price_row - 1, 1, price, usd)
    sheet.write(price_row, 0, "Cluster size (H800 GPUs)")
    sheet.write_number(price_row, 1, spec["cluster_gpus"], thousands)
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1 + len(stages), 16)
    book.close()
    return path


def _rental_price(title: str) -> float:
    """'... the rental price of H800 is $2 per GPU hour' -> 2.0 (the table's own title)."""
    m = re.search(r"\$\s*([0-9]+(?:\.[0-9]+)?)\s+per GPU hour", title)
    if not m:
        raise ValueError(f"no rental price in the title: {title!r}")
    return float(m.group(1))


# ------------------------------------------------------------- the audit section
def _audit_headline(figs: dict[str, Any], expected: dict[str, float]) -> list[Figure]:
    """The headline: what the audit of the published table found, each figure from the
    engine, set beside the case's published figure it should reproduce."""
    out: list[Figure] = []
    cb, ca = figs.get("capex_total_before"), figs.get("capex_total_after")
    if ca is not None:
        out.append(Figure("Server capex with the H100 column (Total leaves it out)",
                          f"{money_m(cb)} \u2192 {money_m(ca)}", "computed", "S1, S3",
                          f"published {money_m(expected['capex_total_published'])} (S3), "
                          f"later text {money_m(expected['capex_total'])} (S1)"))
    ob, oa = figs.get("opex_total_before"), figs.get("opex_total_after")
    if oa is not None:
        out.append(Figure("Cost to operate with the H100 column",
                          f"{money_m(ob)} \u2192 {money_m(oa)}", "computed", "S1, S3",
                          f"published {money_m(expected['opex_total_published'])} (S3), "
                          f"later text {money_m(expected['opex_total'])} (S1)"))
    for key, label in (("asp", "ASP: GPU-weighted, not a sum of prices"),
                       ("capex_per_gpu", "Server capex per GPU: GPU-weighted")):
        w = figs.get(f"{key}_weighted")
        if w is not None:
            out.append(Figure(label, f"{dollars(figs.get(f'{key}_total_before'))} \u2192 {dollars(w)}",
                              "computed", "", "the Total column summed the per-GPU averages"))
    tb, ta = figs.get("tco_total_before"), figs.get("tco_after_all_fixes")
    if ta is not None:
        model = figs.get("tco_per_year")
        out.append(Figure("TCO row: a stock plus a 4-year cost labelled \u201c$m/hr\u201d; per year",
                          f"{money_m(tb)} \u2192 {money_m(ta)}", "computed", "S2",
                          "(capex + 4-year cost to operate) / 4; the thread: ~$640m p.a."
                          + (f"; TCO model: {money_m(model)}" if model is not None else "")))
    hop = figs.get("tco_per_year_hoppers")
    if hop is not None:
        out.append(Figure("TCO per year, Hoppers only (TCO model)", money_m(hop), "computed", "S2",
                          f"the thread: {money_m(expected['tco_per_year_hoppers'])} p.a."))
    reinvest = figs.get("fund_reinvestable_total")
    if reinvest is not None:
        out.append(Figure("Cash the fund could reinvest, all years", money_m(reinvest), "computed", "S2",
                          f"against claims of {money_m(expected['capex_total'])} and "
                          f"{money_m(expected['capex_hoppers'])}"))
    return out


def _reference_section(expected: dict[str, float]) -> Section:
    """The case's published and derived figures the audit is checked against."""
    figures = []
    for key, (label, prov, source) in EXPECTED_PROVENANCE.items():
        if key not in expected:
            continue
        v = expected[key]
        if key == "gpus_total":
            text = f"{v:,.0f}"
        elif key in ("asp_weighted", "capex_per_gpu_weighted"):
            text = dollars(v)
        else:
            text = money_m(v, 0 if float(v).is_integer() else 2)
        figures.append(Figure(label, text, prov, source))
    t = published_table()
    inputs = Table("The published table's inputs (per-column cells are reconstructed: the table was published as an image)",
                   ["Row", *t.columns, "Provenance"],
                   [[r.label, *(f"{v:,.0f}" for v in r.values), r.provenance or ""] for r in t.rows if r.values])
    return Section("case", "The case: what was published", intro=(
        "A research note of 2025-01-31 (S1) estimated DeepSeek's GPU fleet in a table published as an image. "
        "A reader (S2) found by hand that its Total column leaves out the H100s below the first row, sums "
        "per-GPU averages and labels a stock plus a four-year cost as \u201c$m/hr\u201d. These are the figures "
        "the audit has to reproduce."), figures=figures, tables=[inputs], terminal=False)


def _unavailable(section_id: str, title: str, why: str, unavailable: dict[str, str]) -> Section:
    unavailable[section_id] = why
    return Section(section_id, title, intro=f"Not shown: {why}.", status="unavailable")


# ---------------------------------------------------------------------- the pipeline
def run_demo(outdir: str | Path = ".", *, console: Any | None = None, html: bool = True) -> DemoResult:
    """Run the case end to end into ``outdir``; print the summary on ``console`` (a rich
    Console) when one is given. Returns what was produced."""
    start = time.perf_counter()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    expected = published_table().expected
    unavailable: dict[str, str] = {}

    published = write_published_table(outdir / PUBLISHED)
    pub_report, figs = _audit_published(published, unavailable)

    sections: list[Section] = [_reference_section(expected)]
    fleet, corrected = _fleet_section(outdir, figs, expected, unavailable)
    sections.append(fleet)
    sections.extend(_funding_sections(figs, expected, unavailable))

    control = write_training_cost_table(outdir / CONTROL)
    files = [pub_report]
    if corrected is not None:
        files.append(audit(corrected).files[0])
    files.append(audit(control).files[0])
    report = Report(files)
    figs["control_findings"] = len(report.files[-1].findings)
    if corrected is not None:
        figs["corrected_findings"] = len(files[1].findings)

    result = DemoResult(outdir, published, corrected, control, outdir / REPORT, report, figs,
                        sections, unavailable)
    extras = _extras(result, expected)
    if html:
        result.html.write_text(render_html(report, extras=extras), encoding="utf-8")
    result.seconds = time.perf_counter() - start
    result.summary = print_summary(result, extras, console)
    return result


def _extras(result: DemoResult, expected: dict[str, float]) -> Extras:
    pub, control = result.published_report, result.control_report
    titles = {pub.path: "The table as published: deepseek_fleet.xlsx",
              control.path: "Control: the DeepSeek-V3 training-cost table (S4)"}
    notes = {pub.path: ("Per-column cells are reconstructed so that every published total holds (the table was "
                        "published as an image); the Total column's formulas are as the reader of the table found "
                        "them (S2). Click a finding to see its cell; click a coloured cell to see its finding."),
             control.path: ("Table 1 of the DeepSeek-V3 report (S4), written with formulas: Total = the sum of the "
                            "stages, cost = GPU hours x the $2 rental price. A correct table: the audit must stay "
                            "silent.")}
    if result.corrected_report is not None:
        titles[result.corrected_report.path] = "The corrected fleet, rebuilt by the TCO model: deepseek_fleet_corrected.xlsx"
        notes[result.corrected_report.path] = ("Written by crossfoot's TCO model with live formulas and explicit "
                                               "units; audited by the same engine.")
    return Extras(
        title="crossfoot demo: DeepSeek's GPU fleet, audited",
        subtitle=("The January 2025 research table of DeepSeek's GPU fleet (S1), rebuilt as a workbook and "
                  "audited: mechanics (the Total column), meaning (averages summed, a stock added to a "
                  "4-year cost under a per-hour label) and assumptions (could the funder pay?)."),
        headline=_audit_headline(result.figures, expected),
        sections=result.sections,
        sources=dict(SOURCE_TITLES),
        file_titles=titles,
        file_notes=notes,
        order=[pub.path, "fleet", *([result.corrected_report.path] if result.corrected_report else []),
               "funding", "peers", control.path, "case"],
    )


# ------------------------------------------------------------ the terminal summary
PROV_STYLE = {"quoted": "green", "derived": "cyan", "reconstructed": "yellow", "computed": "magenta"}
SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _figure_table(figures, title: str | None = None) -> RichTable:
    """Figures as the terminal shows them: label (with its note), value, provenance."""
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    t = RichTable(title=title, title_justify="left", title_style="bold", box=None,
                  padding=(0, 1), pad_edge=False, show_header=False)
    t.add_column(ratio=1)
    t.add_column(justify="right", no_wrap=True)
    t.add_column(no_wrap=True)
    for fig in figures:
        label = Text(fig.label)
        if fig.note:
            label.append(f"\n{fig.note}", style="dim")
        t.add_row(Padding(label, (0, 0, 0, 2)), fig.value, _prov_text(fig))
    return t


def _prov_text(fig: Figure):
    from rich.text import Text

    t = Text()
    t.append(fig.provenance, style=PROV_STYLE.get(fig.provenance, ""))
    if fig.source:
        t.append(f" {fig.source}", style="bold")
    return t


def _rich_section(section: Section) -> list[Any]:
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    out: list[Any] = []
    head = Text(section.title, style="bold")
    if section.status == "unavailable":
        head.append("  (unavailable)", style="bold red")
    out.append(head)
    if section.intro and section.status == "unavailable":
        out.append(Text("  " + section.intro, style="red"))
    for b in section.bullets:
        out.append(Padding(Text("\u2022 " + b), (0, 0, 0, 2)))
    if section.figures:
        out.append(_figure_table(section.figures))
    for table in section.tables:
        if not table.terminal:
            continue
        t = RichTable(title=table.title, title_justify="left", title_style="italic", box=None,
                      padding=(0, 1), header_style="bold dim", pad_edge=False)
        for i, c in enumerate(table.columns):
            t.add_column(c, justify="left" if i == 0 else "right", no_wrap=i == 0)
        for row in table.rows:
            cells = []
            for cell in row:
                if isinstance(cell, Figure):
                    txt = Text(cell.value + " ")
                    txt.append_text(_prov_text(cell))
                    cells.append(txt)
                else:
                    cells.append(str(cell))
            t.add_row(*cells)
        out.append(t)
        if table.note:
            out.append(Padding(Text(table.note, style="dim"), (0, 0, 0, 2)))
    if section.charts:
        out.append(Text(f"  ({len(section.charts)} chart{'s' if len(section.charts) > 1 else ''} in the HTML report)",
                        style="dim"))
    return out


def _rich_file(fr: FileReport, title: str) -> list[Any]:
    from rich.padding import Padding
    from rich.table import Table as RichTable
    from rich.text import Text

    out: list[Any] = []
    counts: dict[str, int] = {}
    for f in fr.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    head = Text(title, style="bold")
    if fr.error:
        head.append(f": could not be read: {fr.error}", style="red")
    elif not fr.findings:
        head.append(": no findings \u2713", style="bold green")
    else:
        head.append(f": {len(fr.findings)} finding{'s' if len(fr.findings) != 1 else ''} (" +
                    ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items()) + ")")
    out.append(head)
    from crossfoot.rules.base import all_rules

    rules = all_rules()
    by_rule: dict[str, list[Finding]] = {}
    for f in fr.findings:
        by_rule.setdefault(f.rule, []).append(f)
    for rule, group in by_rule.items():
        head = Text(rule, style=SEV_STYLE.get(group[0].severity, "bold"))
        summary = getattr(rules.get(rule), "summary", "")
        if summary:
            head.append(f": {' '.join(str(summary).split())}", style="dim")
        out.append(Padding(head, (0, 0, 0, 2)))
        t = RichTable(show_header=False, box=None, padding=(0, 1), pad_edge=False)
        t.add_column(no_wrap=True)
        t.add_column()
        t.add_column(no_wrap=True)
        for f in group:
            own = _impact_at(f.impact, f.cell) or (f.impact[0] if f.impact else None)
            covered = f.evidence.get("superseded_by") if isinstance(f.evidence, dict) else None
            t.add_row(Text(f"    {f.cell}", style="bold"),
                      Text(f.fix.formula, style="green") if f.fix is not None and f.fix.formula
                      else Text(f"fixed by {covered}" if covered else "", style="dim"),
                      _impact_text(own, short=True) if own is not None else "")
        out.append(t)
        labels = {f.fix.label for f in group if f.fix is not None and f.fix.label}
        if len(labels) == 1:
            out.append(Padding(Text(f"and relabel: {labels.pop()!r}", style="green"), (0, 0, 0, 4)))
    if fr.impact:
        out.append(Text("  All fixes together:", style="bold"))
        for imp in fr.impact:
            out.append(Padding(Text(_impact_text(imp)), (0, 0, 0, 6)))
    return out


def _num(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}"


def _impact_text(imp: Impact, short: bool = False) -> str:
    change = f" ({imp.change:+.0%})" if imp.change is not None else ""
    if short:
        return f"{_num(imp.before)} -> {_num(imp.after)}{change}"
    label = f"{imp.label} " if imp.label else ""
    return f"{label}{imp.cell}: {_num(imp.before)} -> {_num(imp.after)}{change}"


def print_summary(result: DemoResult, extras: Extras, console: Any | None = None, width: int = 100) -> str:
    """Print the summary on ``console`` (if given); return it as plain text."""
    import io

    from rich.console import Console
    from rich.rule import Rule as RichRule
    from rich.text import Text

    items: list[Any] = [RichRule(Text("crossfoot demo: DeepSeek's GPU fleet, audited", style="bold"))]
    items.append(Text(f"Wrote {result.published.name}: the research table as published (S1), formulas and "
                      "errors included; per-column cells reconstructed so that every published total holds."))
    items.append(Text(""))
    items += _rich_file(result.published_report, "1. Audit of the published table")
    if extras.headline:
        items.append(Text(""))
        items.append(_figure_table(extras.headline, title="What the audit changes"))
    number = 2
    sections = {sec.id: sec for sec in result.sections}
    files = {fr.path: fr for fr in result.report.files}
    keys = list(extras.order)
    keys += [k for k in [*files, *sections] if k not in keys]
    for key in keys:
        if key == result.published_report.path:
            continue
        if key in files:
            fr = files[key]
            title = ("Control: the DeepSeek-V3 training-cost table (S4)" if fr is result.control_report
                     else f"Audit of {Path(fr.path).name}")
            items.append(Text(""))
            items += _rich_file(fr, f"{number}. {title}")
            number += 1
        elif key in sections and sections[key].terminal:
            items.append(Text(""))
            section_items = _rich_section(sections[key])
            items.append(Text(f"{number}. ", style="bold") + section_items[0])
            items += section_items[1:]
            number += 1
    items.append(Text(""))
    items.append(RichRule(style="dim"))
    written = [result.published, *([result.corrected] if result.corrected else []), result.control]
    if result.html.exists():
        written.append(result.html)
    for p in written:
        items.append(Text(f"  {p}", no_wrap=True, overflow="ignore"))
    items.append(Text("Provenance: ", style="dim") + Text("quoted", style="green") + Text(" in the source; ") +
                 Text("derived", style="cyan") + Text(" from quoted figures; ") +
                 Text("reconstructed", style="yellow") + Text(" so that published totals hold; ") +
                 Text("computed", style="magenta") + Text(" by crossfoot. Sources S1..S6: see the report."))
    if result.unavailable:
        for name, why in result.unavailable.items():
            items.append(Text(f"Unavailable: {name}: {why}", style="bold red"))
    items.append(Text("Open the report in a browser for the grid, the findings and the charts:", style="bold"))
    items.append(Text(f"  {result.html}", style="bold", no_wrap=True, overflow="ignore"))

    record = Console(record=True, width=width, file=io.StringIO(), color_system=None, highlight=False)
    for c in (record, console):
        if c is None:
            continue
        for item in items:
            # file paths are printed whole, never folded, so that they can be copied
            c.print(item, soft_wrap=isinstance(item, Text) and bool(item.no_wrap))
    return "\n".join(line.rstrip() for line in record.export_text().splitlines()) + "\n"


# ------------------------------------------------- 3-4. the models (corrected fleet, funding)
def _fleet_section(outdir: Path, figs: dict[str, Any], expected: dict[str, float],
                   unavailable: dict[str, str]) -> tuple[Section, Path | None]:
    tco = _optional("crossfoot.models.tco")
    if tco is None:
        return _unavailable("fleet", "The corrected fleet (TCO model)",
                            "crossfoot.models.tco is not installed", unavailable), None
    return _fleet_from_model(tco, outdir, figs, expected)


def _funding_sections(figs: dict[str, Any], expected: dict[str, float],
                      unavailable: dict[str, str]) -> list[Section]:
    fund = _optional("crossfoot.models.fund")
    if fund is None:
        return [_unavailable("funding", "Could the funder pay? (fund model)",
                             "crossfoot.models.fund is not installed", unavailable)]
    return _funding_from_model(fund, figs, expected, unavailable)


def _sources_in(text: str | None) -> str:
    """'... (S1 SemiAnalysis; S2)' -> 'S1, S2'."""
    return ", ".join(dict.fromkeys(re.findall(r"\bS[1-9]\b", text or "")))


def _fleet_from_model(tco: Any, outdir: Path, figs: dict[str, Any],
                      expected: dict[str, float]) -> tuple[Section, Path | None]:
    fleet = tco.deepseek_fleet()
    result = tco.compute(fleet)
    names = [t.name for t in fleet.types]
    groups = list(fleet.groups)
    scopes = [*names, *groups, "total"]
    out = result.outputs
    figs["tco_per_year"] = out["total"]["tco_per_year"] / 1e6
    figs["capex_model"] = out["total"]["capex"] / 1e6
    figs["opex_model"] = out["total"]["opex_over_life"] / 1e6
    figs["capex_per_gpu_model"] = out["total"]["capex_per_gpu"]
    if "Hoppers" in out:
        figs["tco_per_year_hoppers"] = out["Hoppers"]["tco_per_year"] / 1e6
        figs["capex_hoppers"] = out["Hoppers"]["capex"] / 1e6
        figs["opex_hoppers"] = out["Hoppers"]["opex_over_life"] / 1e6

    def row(label: str, key: str, scale: float, fmt: str) -> list[str]:
        return [label, *(fmt.format(out[s][key] / scale) for s in scopes)]

    per_type = Table(
        "Corrected fleet: stocks and 4-year costs summed over all four columns, per-GPU figures weighted",
        ["", *names, *(f"{g} only" for g in groups), "All GPUs"],
        [
            row("# of GPUs", "gpus", 1, "{:,.0f}"),
            row("Server capex ($m)", "capex", 1e6, "{:,.0f}"),
            row("Cost to operate, 4 yrs ($m)", "opex_over_life", 1e6, "{:,.0f}"),
            row("TCO per year ($m/yr)", "tco_per_year", 1e6, "{:,.0f}"),
            row("Capex per GPU ($)", "capex_per_gpu", 1, "{:,.0f}"),
            row("Cost per GPU-hour ($)", "cost_per_gpu_hour", 1, "{:,.2f}"),
        ],
        note=("TCO per year = (capex + 4-year cost to operate) / 4; capex per GPU and cost per GPU-hour are "
              "ratios of the totals (GPU-weighted). "
              f"Life {fleet.types[0].inputs['life_years'].value:g} years, no financing charge (as the table); "
              f"{fleet.hours_per_year.value:,.0f} hours a year, utilisation "
              f"{fleet.types[0].inputs['utilisation'].value:.0%}."))
    inputs = Table("Inputs of the model and where each comes from", ["Type", "Input", "Value", "Provenance"], [
        [r["type"], r["label"], _unit_value(r["value"], r["unit"]),
         Figure("", "", r.get("provenance") or r.get("origin", ""), _sources_in(r.get("note")) or _sources_in(r.get("source")),
                note="; ".join(x for x in (r.get("note"), r.get("source")) if x))]
        for r in result.inputs_table() if r["input"] in ("count", "server_cost_per_gpu", "opex_over_life", "life_years")
    ], terminal=False)
    tags: dict[str, list[str]] = {}
    for r in result.inputs_table():
        if r["input"] in ("count", "server_cost_per_gpu", "opex_over_life", "life_years"):
            tag = r.get("provenance") or r.get("origin", "")
            tags.setdefault(r["label"], [])
            if tag not in tags[r["label"]]:
                tags[r["label"]].append(tag)
    per_type.note += " Inputs: " + "; ".join(f"{k} {', '.join(v)}" for k, v in tags.items()) + "."
    checks = [
        Figure("Server capex, all GPUs", money_m(figs["capex_model"]), "computed", "",
               f"S1's later text: {money_m(expected['capex_total'])}"),
        Figure("Cost to operate (4 years), all GPUs", money_m(figs["opex_model"]), "computed", "",
               f"S1's later text: {money_m(expected['opex_total'])}"),
        Figure("TCO per year, all 60,000 GPUs", money_m(figs["tco_per_year"]), "computed", "",
               f"the thread: ~$640m p.a. (S2); case: {money_m(expected['tco_per_year'])}"),
    ]
    if "Hoppers" in out:
        checks += [
            Figure("Server capex, Hoppers only", money_m(figs["capex_hoppers"]), "computed", "",
                   f"the thread: {money_m(expected['capex_hoppers'])} (S2)"),
            Figure("TCO per year, Hoppers only", money_m(figs["tco_per_year_hoppers"]), "computed", "",
                   f"the thread: {money_m(expected['tco_per_year_hoppers'])} p.a. (S2)"),
        ]
    charts = _charts("fleet", result)
    corrected: Path | None = None
    section = Section("fleet", "The corrected fleet (TCO model)", intro=(
        "crossfoot's TCO model rebuilds the table with explicit units: capex is a stock ($), the cost to "
        "operate is a 4-year cost ($ over the life), and TCO per year is (capex + 4-year cost to operate) / 4. "
        "Totals cover every column; per-GPU figures are ratios of totals, weighted by GPUs."),
        figures=checks, tables=[per_type, inputs], charts=charts)
    writer = getattr(tco, "write_corrected_fleet", None)
    try:
        corrected = writer(outdir / CORRECTED) if writer is not None else None
    except ImportError as exc:
        section.bullets.append(f"The corrected workbook was not written: {exc}.")
        corrected = None
    if corrected is not None:
        section.bullets.append(f"Written with live formulas to {Path(corrected).name}; audited below.")
    return section, (Path(corrected) if corrected is not None else None)


def _unit_value(value: float, unit: str) -> str:
    """(164e6, '$') -> '$164m'; (25000, '$/GPU') -> '$25,000/GPU'; (4, 'years') -> '4 years'."""
    if unit == "$":
        return money_m(value / 1e6)
    if unit.startswith("$/"):
        return f"${value:,.0f}/{unit[2:]}"
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:g} {unit}"


def _charts(kind: str, result: Any) -> list[Chart]:
    """The models' charts (``crossfoot.models.charts``) as inline SVG; the PNG and SVG
    files the chart functions also write go to a temporary folder."""
    import tempfile

    charts_mod = _optional("crossfoot.models.charts")
    if charts_mod is None:
        return []
    out = []
    with tempfile.TemporaryDirectory(prefix="crossfoot-demo-") as tmp:
        for name, title, caption in CHARTS.get(kind, []):
            fn = getattr(charts_mod, name, None)
            if fn is not None:
                out.append(Chart(title, fn(result, directory=tmp).svg_text, caption))
    return out


# Chart functions of crossfoot.models.charts drawn for each model's result.
CHARTS: dict[str, list[tuple[str, str, str]]] = {
    "fleet": [("tco_chart", "TCO per year by accelerator type", "Stacked by component, $m a year."),
              ("tornado_chart", "What moves the fleet's TCO per year",
               "Each input at its low and high value, the others at base.")],
    "fund": [("fund_chart", "Cash to reinvest against the claims",
              "Yearly cash to reinvest (bars), its running total (line) and each capex claim (dashed).")],
}


def _funding_from_model(fund: Any, figs: dict[str, Any], expected: dict[str, float],
                        unavailable: dict[str, str]) -> list[Section]:
    inputs = fund.deepseek_fund()
    result = fund.run_fund(inputs)
    rows = result.rows
    figs["fund_reinvestable_total"] = result.lifetime_reinvestable
    figs["fund_fees_last_year"] = rows[-1]["management_fee"]
    fees = inputs.fees
    thread = inputs.thread_estimates

    def fee_fig(key: str, label: str) -> Figure:
        s = fees[key]
        # fund.toml marks these as quoted from the thread (S2) in its comments
        return Figure(label, f"{s.value:.0%}", s.provenance or "quoted", _sources_in(s.note) or "S2",
                      note=s.note or "")

    table = Table(
        f"{inputs.name}: fees and cash to reinvest by year ($m; AUM and returns reconstructed to match S2's assumptions)",
        ["Year", "Average AUM", "Gross return", "Management fee", "Performance fee", "Fee revenue",
         "Cash to reinvest", "Cumulative"],
        [[str(r["year"]), f"{r['average_aum']:,.0f}", f"{r['gross_return']:+.0%}", f"{r['management_fee']:,.1f}",
          f"{r['performance_fee']:,.1f}", f"{r['revenue']:,.1f}", f"{r['reinvestable']:,.1f}",
          f"{r['cumulative_reinvestable']:,.1f}"] for r in rows],
        note=("High-water mark: the flat and down years after 2020 earn no performance fee; "
              f"{fees['reinvested_share'].value:.0%} of revenue is reinvested (S2)."))
    capacity = result.lifetime_reinvestable
    claim_labels = {"all_60k_capex": ("Server capex, all 60,000 GPUs", "S1"),
                    "hoppers_capex": ("Server capex, 50,000 Hoppers", "S2"),
                    "cluster_2048_h800": ("A 2,048-H800 cluster", "S2")}
    plaus = _optional("crossfoot.models.plausibility")
    verdicts = []
    if plaus is None:
        unavailable["plausibility"] = "crossfoot.models.plausibility is not installed: claims not checked"
        claims = Table("Capex claims", ["Claim", "Capex"], [
            [claim_labels.get(k, (k, ""))[0], Figure("", money_m(v), "quoted", claim_labels.get(k, ("", "S2"))[1])]
            for k, v in inputs.claims.items()])
    else:
        verdicts = plaus.check_claims(result, inputs.claims)
        claims = Table(
            f"Capex claims against the {money_m(capacity)} the fund could reinvest in {rows[0]['year']}-{rows[-1]['year']}",
            ["Claim", "Capex", "Claim / cash", "Verdict"],
            [[claim_labels.get(v.claim.name, (v.claim.name, ""))[0],
              Figure("", money_m(v.claim.amount_m), "quoted", claim_labels.get(v.claim.name, ("", "S2"))[1]),
              f"{v.ratio:.2f}x", v.verdict] for v in verdicts])
        figs["claims"] = {v.claim.name: (v.claim.amount_m, v.ratio, v.verdict) for v in verdicts}
    if "h800_cluster_2048" in expected:
        claims.note = (f"2,048 H800 at the reconstructed server capex per GPU: {money_m(expected['h800_cluster_2048'], 1)} "
                       "(derived from the case; the thread: ~$70m).")
    figures = [
        fee_fig("management_fee", "Management fee"),
        fee_fig("performance_fee", "Performance fee"),
        fee_fig("reinvested_share", "Share of revenue reinvested"),
        Figure(f"Management fees in {rows[-1]['year']}", money_m(rows[-1]["management_fee"]), "computed", "",
               f"the thread: ~{money_m(thread.get('management_fees_on_7bn'))} on $7B (S2)"),
        Figure(f"Cash to reinvest, {rows[0]['year']}-{rows[-1]['year']}", money_m(capacity), "computed", "",
               f"the thread: ~{money_m(thread.get('lifetime_reinvestable'))} (S2)"),
    ]
    sections = [Section("funding", "Could the funder pay? (fund model)", intro=(
        "The lab's funder is a quant fund of about $7-8B earning 1%/20% fees, flat since 2021, that reinvests "
        "70% of its revenue (S2). crossfoot's fund model computes its fees year by year and the cash it could "
        "have reinvested, and sets the capex claims against it."), figures=figures, tables=[table, claims],
        charts=_charts("fund", result),
        details=[v.reasoning for v in verdicts])]
    sections.append(_peers_section(plaus, figs))
    return sections


def _peers_section(plaus: Any | None, figs: dict[str, Any]) -> Section:
    """Peers' capex from the models' catalogue (with its sources), set beside the fund."""
    from crossfoot.models import catalogue

    peers = catalogue.peers()
    rows = []
    for p in peers:
        src = p.sources or {}
        rows.append([p.name,
                     Figure("", money_m(p.capex), "quoted", "S2, S6" if "filings" in src.get("capex_source", "") else "S2",
                            note=src.get("capex_source", "")),
                     Figure("", money_m(p.revenue), "quoted", "S6", note=src.get("revenue_source", "")) if p.revenue else "",
                     "" if p.capex_to_revenue is None else f"{p.capex_to_revenue:.1%}",
                     "" if p.aum_bn is None else f"${p.aum_bn:,.0f}bn"])
    bullets = []
    fees = figs.get("fund_fees_last_year")
    if fees is not None:
        bullets.append(f"The fund's management fees are about {money_m(fees)} a year; "
                       + " and ".join(f"{p.name} spends about {money_m(p.capex)} a year on capex"
                                      + (f" on {money_m(p.revenue)} of revenue ({p.revenue / fees:,.0f}x the fund's fees)"
                                         if p.revenue else "") for p in peers) + ".")
    return Section("peers", "Peers' capex", intro=(
        "What much larger financial firms spend on capex each year, from crossfoot's sourced catalogue (S2, S6)."),
        tables=[Table("Capex of financial firms ($m a year)", ["Firm", "Capex", "Revenue", "Capex / revenue", "AUM"], rows)],
        bullets=bullets)
