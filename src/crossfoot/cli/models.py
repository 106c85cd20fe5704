"""``crossfoot tco``, ``crossfoot fund`` and ``crossfoot check``: the economic models.

Thin commands over ``crossfoot.models``: read the input file, run the model, print text
or JSON, and optionally write the model as a workbook with live formulas and charts.
An input file that cannot be used is a one-line error and exit code 2.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any, Callable

import typer

from crossfoot import __version__
from crossfoot.cli import app, check_output_path, fail


class Format(str, Enum):
    text = "text"
    json = "json"


FORMAT = typer.Option(Format.text, "--format", "-f", help="Output format.")
SAMPLES = typer.Option(0, "--samples", metavar="N", min=0, max=1_000_000,
                       help="Monte Carlo draws over the inputs given as ranges or distributions (0: none).")
SEED = typer.Option(0, "--seed", metavar="N", help="Seed of the Monte Carlo draws (the same seed gives the same numbers).")
CHART = typer.Option(None, "--chart", metavar="DIR", help="Folder for charts (PNG and SVG).", file_okay=False)
XLSX = typer.Option(None, "--xlsx", metavar="FILE.xlsx", help="Write the model as a workbook with live formulas.", dir_okay=False)


def _run(fn: Callable[[], Any]) -> Any:
    """Turn the models' input errors and file-system errors into one-line failures."""
    from xlsxwriter.exceptions import FileCreateError

    from crossfoot.models.inputs import InputError

    try:
        return fn()
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None
    except FileCreateError as exc:  # xlsxwriter wraps the OSError of its output file
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, OSError):
            raise fail(f"{cause.filename or ''}: {cause.strerror or cause}".lstrip(": ")) from None
        raise fail(f"cannot write the workbook ({cause})") from None


def _check_paths(source: Path, xlsx: Path | None = None) -> None:
    """Fail before any work on an input that is a folder, or an --xlsx that would land
    in a missing folder or over the input file."""
    if source.is_dir():
        raise fail(f"{source}: is a folder, not a file")
    if xlsx is not None:
        check_output_path(xlsx, [source], "--xlsx")


def _emit_json(command: str, path: Path, body: dict[str, Any]) -> None:
    out = {"tool": "crossfoot", "version": __version__, "command": command, "input": str(path), **body}
    print(json.dumps(out, indent=2, default=_json_default))


def _json_default(x: Any) -> Any:
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


def _table(headers: list[str], rows: list[list[str]], align_left: int = 1) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for k, r in enumerate([headers, *rows]):
        cells = [str(c).ljust(widths[i]) if i < align_left else str(c).rjust(widths[i]) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _m(x: float) -> str:
    return f"{x / 1e6:,.1f}"


def _num(v: float) -> str:
    """A number for people: 12,000 / 1.82 / 0.065."""
    if v == int(v) or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.4g}"


def _value(v: float, unit: str) -> str:
    if unit == "$":
        return f"${v / 1e6:,.1f}m"
    if unit.startswith("$"):
        return f"{v:,.4g} {unit}" if abs(v) < 1 else f"{v:,.0f} {unit}" if abs(v) >= 100 else f"{v:,.3g} {unit}"
    if unit.startswith("share") or unit in ("per yr",):
        return f"{v:.1%}" + ("/yr" if "yr" in unit else "")
    return f"{_num(v)} {unit}"


# ------------------------------------------------------------------------------ tco

@app.command()
def tco(
    fleet_file: Path = typer.Argument(..., metavar="FLEET.toml", help="The fleet: accelerator types and counts."),
    format: Format = FORMAT,
    xlsx: Path = XLSX,
    chart: Path = CHART,
    samples: int = SAMPLES,
    seed: int = SEED,
    swing: float = typer.Option(0.2, "--swing", metavar="SHARE", min=0.0, max=0.9,
                                help="Tornado: move inputs without a range by -/+ this share."),
) -> None:
    """GPU fleet cost of ownership: capex, yearly operating cost, TCO and cost per GPU-hour.

    Stocks ($) and flows ($/yr) are summed over the fleet; per-unit figures are weighted
    (ratios of the totals). Every input shows where it comes from.
    """
    from crossfoot.models import tco as model

    _check_paths(fleet_file, xlsx)
    result = _run(lambda: model.run(fleet_file))
    torn = model.tco_tornado(result.fleet, swing=swing, top=10)
    mc = model.tco_monte_carlo(result.fleet, samples, seed) if samples else None
    files: dict[str, Any] = {}
    if xlsx is not None:
        from crossfoot.models.xlsx_export import write_tco_xlsx

        files["xlsx"] = str(_run(lambda: write_tco_xlsx(result, xlsx)))
    if chart is not None:
        from crossfoot.models import charts

        files["charts"] = _run(lambda: [c.to_dict() for c in (charts.tco_chart(result, chart),
                                                               charts.tornado_chart(torn, chart))])
    if format is Format.json:
        body: dict[str, Any] = {"result": result.to_dict(), "tornado": torn.to_dict()}
        if mc is not None:
            body["monte_carlo"] = mc.to_dict()
        body["files"] = files
        _emit_json("tco", fleet_file, body)
        return
    print(render_tco(result, torn, mc, files))


def render_tco(result, torn, mc, files: dict[str, Any]) -> str:
    fleet = result.fleet
    scopes = [t.name for t in fleet.types] + list(fleet.groups) + ["total"]
    heads = ["", *[t.name for t in fleet.types], *fleet.groups, "Fleet"]
    spec = [("GPUs", "gpus", lambda v: f"{v:,.0f}"),
            ("Capex ($m)", "capex", _m),
            ("Operating cost ($m/yr)", "opex_per_year", _m),
            ("Capital charge ($m/yr)", "capital_charge", _m),
            ("TCO per year ($m/yr)", "tco_per_year", _m),
            ("TCO over the life ($m)", "tco_over_life", _m),
            ("Capex per GPU ($/GPU)", "capex_per_gpu", lambda v: f"{v:,.0f}"),
            ("Cost per GPU-hour ($/GPU-h)", "cost_per_gpu_hour", lambda v: f"{v:,.3f}")]
    rows = [[label, *(fmt(result.outputs[s][key]) for s in scopes)] for label, key, fmt in spec]
    out = [fleet.title, "", _table(heads, rows), "",
           "Stocks and flows are summed; capex per GPU and cost per GPU-hour are ratios of the totals "
           "(GPU- and GPU-hour-weighted). TCO per year = capex x CRF(cost of capital, life) + operating cost.",
           "", "Inputs (value, and where it comes from):"]
    for r in result.inputs_table():
        out.append(f"  {r['type']:<6} {r['label']:<30} {_value(r['value'], r['unit']):>18}  {r['describe']}")
    if torn.bars:
        out += ["", f"Tornado: {torn.output}, base {_m(torn.base)} $m/yr; each input at its low and high value"]
        out.append(_table(["Input", "Low", "High", "At low ($m/yr)", "At high ($m/yr)", "Basis"],
                          [[b.input, _num(b.low_input), _num(b.high_input), _m(b.output_at_low),
                            _m(b.output_at_high), b.basis] for b in torn.bars]))
    if mc is not None:
        out += ["", f"Monte Carlo ({mc.samples:,} draws, seed {mc.seed}): median and 90% interval"]
        out.append(_table(["Output", "Unit", "Base", "Median", "5%", "95%"],
                          [[i.name, i.unit, *(_fmtu(x, i.unit) for x in (i.base, i.median, i.p05, i.p95))]
                           for i in mc.intervals if i.name.startswith("Fleet")]))
    out += _files_lines(files)
    return "\n".join(out)


def _fmtu(x: float, unit: str) -> str:
    if unit in ("$", "$/yr"):
        return f"{x / 1e6:,.1f}m"
    return f"{x:,.3f}"


def _files_lines(files: dict[str, Any]) -> list[str]:
    lines = []
    if "xlsx" in files:
        lines += ["", f"Workbook with live formulas: {files['xlsx']}"]
    for c in files.get("charts", []):
        lines.append(f"Chart: {c['png']} (and .svg)")
    return lines


# ----------------------------------------------------------------------------- fund

@app.command()
def fund(
    fund_file: Path = typer.Argument(..., metavar="FUND.toml", help="The fund: fees and yearly AUM and returns."),
    format: Format = FORMAT,
    xlsx: Path = XLSX,
    chart: Path = CHART,
    samples: int = SAMPLES,
    seed: int = SEED,
) -> None:
    """Fund fee economics: yearly fees (management on average AUM, performance above a
    high-water mark) and the cumulative cash available to reinvest."""
    from crossfoot.models import fund as model

    _check_paths(fund_file, xlsx)
    inputs = _run(lambda: model.load_fund(fund_file))
    result = model.run_fund(inputs)
    mc = model.fund_monte_carlo(inputs, samples, seed) if samples else None
    files: dict[str, Any] = {}
    if xlsx is not None:
        from crossfoot.models.xlsx_export import write_fund_xlsx

        files["xlsx"] = str(_run(lambda: write_fund_xlsx(result, xlsx)))
    if chart is not None:
        from crossfoot.models import charts

        files["charts"] = _run(lambda: [charts.fund_chart(result, None, chart).to_dict()])
    if format is Format.json:
        body: dict[str, Any] = {"result": result.to_dict()}
        if mc is not None:
            body["monte_carlo"] = mc.to_dict()
        body["files"] = files
        _emit_json("fund", fund_file, body)
        return
    print(render_fund(result, mc, files))


def render_fund(result, mc, files: dict[str, Any]) -> str:
    inp = result.inputs
    fees = inp.fees
    h = fees["hurdle"].value
    hurdle = f" and a {h:.1%} hurdle" if h else ""
    rows = [[str(r["year"]), f"{r['average_aum']:,.0f}", f"{r['gross_return']:+.1%}", f"{r['net_return']:+.1%}",
             f"{r['nav_end']:.4f}", f"{r['high_water_mark']:.4f}", f"{r['management_fee']:,.1f}",
             f"{r['performance_fee']:,.1f}", f"{r['net_revenue']:,.1f}", f"{r['reinvestable']:,.1f}",
             f"{r['cumulative_reinvestable']:,.1f}"] for r in result.rows]
    t = result.totals
    rows.append(["Total", "", "", "", "", "", f"{t['management_fee']:,.1f}", f"{t['performance_fee']:,.1f}",
                 f"{t['net_revenue']:,.1f}", f"{t['reinvestable']:,.1f}", ""])
    head = ["Year", "Avg AUM $m", "Gross", "Net", "NAV/unit", "HWM/unit", "Mgmt fee $m", "Perf fee $m",
            "Net income $m", "Reinvest $m", "Cumulative $m"]
    out = [inp.name, "",
           f"Fees: management {fees['management_fee'].value:.2%} of average AUM a year; performance "
           f"{fees['performance_fee'].value:.0%} of the gain above the "
           f"{'high-water mark' if inp.high_water_mark else 'start-of-year NAV'}"
           f"{hurdle}, crystallised yearly; "
           f"channel share {fees['channel_share'].value:.0%}; operating costs {fees['opex_share_of_aum'].value:.2%} "
           f"of AUM; {fees['reinvested_share'].value:.0%} of net fee income reinvested.",
           "", _table(head, rows), "",
           f"Cash available to reinvest over {result.rows[0]['year']}-{result.rows[-1]['year']}: "
           f"${result.lifetime_reinvestable:,.1f}m."]
    if inp.thread_estimates:
        out.append("For comparison (as given in the file): " + ", ".join(f"{k} = {v:,}" if isinstance(v, (int, float))
                                                                         else f"{k} = {v}" for k, v in
                                                                         inp.thread_estimates.items()))
    out += ["", "Inputs:"]
    for k, s in fees.items():
        out.append(f"  {k:<20} {_value(s.value, s.unit):>10}  {s.describe()}")
    if mc is not None:
        out += ["", f"Monte Carlo ({mc.samples:,} draws, seed {mc.seed}): median and 90% interval ($m)"]
        out.append(_table(["Output", "Base", "Median", "5%", "95%"],
                          [[i.name, *(f"{x:,.1f}" for x in (i.base, i.median, i.p05, i.p95))] for i in mc.intervals]))
    out += _files_lines(files)
    return "\n".join(out)


# ---------------------------------------------------------------------------- check

@app.command()
def check(
    claim_file: Path = typer.Argument(..., metavar="CLAIM.toml", help="Capex claims and the funder's capacity."),
    format: Format = FORMAT,
    chart: Path = CHART,
    samples: int = SAMPLES,
    seed: int = SEED,
) -> None:
    """Check capex claims against the funder's cash to reinvest and peers' capex intensity.

    The verdict of each claim is 'fits' (at most the cash available), 'exceeds' (up to 2x)
    or 'far exceeds', with the ratio and the reasoning; with --samples, the probability
    that the claim fits.
    """
    from crossfoot.models import plausibility as model

    _check_paths(claim_file)
    cf, verdicts = _run(lambda: model.check_file(claim_file, samples or None, seed))
    files: dict[str, Any] = {}
    if chart is not None and cf.fund is not None:
        from crossfoot.models import charts

        claims = [(c.name, c.amount_m) for c in cf.claims]
        files["charts"] = _run(lambda: [charts.fund_chart(cf.fund, claims, chart).to_dict()])
    if format is Format.json:
        _emit_json("check", claim_file, {"title": cf.title, "capacity": cf.capacity.to_dict(),
                                         "verdicts": [v.to_dict() for v in verdicts],
                                         "peers": [p.to_dict() for p in cf.peers], "files": files})
        return
    out = [cf.title, ""]
    rows = [[v.claim.name, f"{v.claim.amount_m:,.0f}", f"{v.capacity.amount_m:,.0f}", f"{v.ratio:.2f}x",
             v.verdict, "" if v.probability_fits is None else f"{v.probability_fits:.0%}"] for v in verdicts]
    out.append(_table(["Claim", "Claim $m", "Cash $m", "Ratio", "Verdict", "P(fits)"], rows))
    for v in verdicts:
        out += ["", f"- {v.reasoning}"]
    out += _files_lines(files)
    print("\n".join(out))
