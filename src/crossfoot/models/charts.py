"""Charts of the models for reports: PNG and SVG files, and the SVG text for embedding
in HTML. matplotlib runs on the Agg backend (no display needed).

- ``tco_chart``: yearly TCO by accelerator type, stacked by component;
- ``tornado_chart``: the tornado of a TCO output;
- ``fund_chart``: the fund's cumulative cash to reinvest against the capex claims.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from crossfoot.models.fund import FundResult  # noqa: E402
from crossfoot.models.tco import TcoResult  # noqa: E402
from crossfoot.models.uncertainty import Tornado  # noqa: E402

COLOURS = ["#1f4e79", "#4f81bd", "#9bbb59", "#f79646", "#8064a2", "#c0504d", "#7f7f7f"]


@dataclass
class Chart:
    png: Path
    svg: Path
    svg_text: str = field(repr=False)

    def to_dict(self) -> dict[str, str]:
        return {"png": str(self.png), "svg": str(self.svg)}


def _save(fig, directory: str | Path | None, stem: str) -> Chart:
    """Write PNG and SVG to ``directory`` (a new temporary folder when None)."""
    if directory is None:
        import tempfile

        directory = tempfile.mkdtemp(prefix="crossfoot-charts-")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    png, svg = d / f"{stem}.png", d / f"{stem}.svg"
    fig.savefig(png, dpi=120, bbox_inches="tight", metadata={"Software": None})
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    svg.write_text(text, encoding="utf-8")
    # For embedding in a page: drop the XML prolog and DOCTYPE.
    inline = re.sub(r"^.*?(<svg\b)", r"\1", text, count=1, flags=re.S)
    return Chart(png, svg, inline)


def _money_axis(ax, unit: str = "$m") -> None:
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel(unit)


COMPONENTS = [("capital_charge", "Capital charge"), ("energy", "Energy"), ("colocation", "Colocation"),
              ("maintenance", "Maintenance"), ("other_opex", "Other operating cost"),
              ("given_opex", "Operating cost (as given)")]


def tco_chart(result: TcoResult, directory: str | Path | None = None, stem: str = "tco_by_type") -> Chart:
    """Stacked bars: TCO per year ($m/yr) of each type by component, with the fleet total
    in the title."""
    names = [t.name for t in result.fleet.types]
    fig, ax = plt.subplots(figsize=(7, 4))
    bottom = [0.0] * len(names)
    for i, (key, label) in enumerate(COMPONENTS):
        values = [result.outputs[n][key] / 1e6 for n in names]
        if not any(values):
            continue
        ax.bar(names, values, bottom=bottom, label=label, color=COLOURS[i % len(COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values)]
    for x, total in enumerate(bottom):
        ax.annotate(f"{total:,.0f}", (x, total), ha="center", va="bottom", fontsize=9)
    _money_axis(ax, "TCO per year ($m/yr)")
    total = result.total["tco_per_year"] / 1e6
    ax.set_title(f"{result.fleet.title}\nTCO per year by type: fleet ${total:,.0f}m/yr", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, directory, stem)


def tornado_chart(tornado: Tornado | TcoResult, directory: str | Path | None = None, stem: str = "tco_tornado", scale: float = 1e6,
                  unit: str = "$m/yr") -> Chart:
    """Horizontal bars from the output at each input's low to its high value, widest on
    top, around the base case. Given a ``TcoResult``, charts its TCO-per-year tornado."""
    if isinstance(tornado, TcoResult):
        from crossfoot.models.tco import tco_tornado

        tornado = tco_tornado(tornado.fleet)
    bars = list(reversed(tornado.bars))
    fig, ax = plt.subplots(figsize=(7, 0.4 * max(len(bars), 3) + 1.2))
    base = tornado.base / scale
    for i, b in enumerate(bars):
        lo, hi = b.output_at_low / scale, b.output_at_high / scale
        ax.barh(i, lo - base, left=base, color=COLOURS[1])
        ax.barh(i, hi - base, left=base, color=COLOURS[3])
    ax.set_yticks(range(len(bars)), [f"{b.input} [{_fmt(b.low_input)} to {_fmt(b.high_input)}]" for b in bars],
                  fontsize=8)
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_xlabel(f"{tornado.output} ({unit}); blue: input at low, orange: input at high")
    ax.set_title(f"Sensitivity of {tornado.output[0].lower() + tornado.output[1:]} (base {base:,.0f} {unit})", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, directory, stem)


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.3g}"
    return f"{v:.3g}"


def fund_chart(result: FundResult, claims: dict[str, float] | Sequence[tuple[str, float]] | None = None,
               directory: str | Path | None = None, stem: str = "fund_cash") -> Chart:
    """Yearly cash to reinvest (bars) and its running total (line) in $m, with each claim
    ($m) as a horizontal line (the fund file's own claims when none are given)."""
    if claims is None:
        claims = result.inputs.claims
    items = list(claims.items()) if isinstance(claims, dict) else list(claims)
    years = result.columns["year"]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(years, result.columns["reinvestable"], color=COLOURS[1], label="Cash to reinvest ($m/yr)")
    ax.plot(years, result.columns["cumulative_reinvestable"], color=COLOURS[0], marker="o",
            label="Cumulative cash to reinvest ($m)")
    for i, (name, amount) in enumerate(items):
        ax.axhline(amount, color=COLOURS[(3 + i) % len(COLOURS)], linestyle="--", linewidth=1)
        ax.annotate(f"{name}: ${amount:,.0f}m", (years[0], amount), xytext=(0, 3), textcoords="offset points",
                    fontsize=8, color=COLOURS[(3 + i) % len(COLOURS)])
    _money_axis(ax, "$m")
    ax.set_title(f"{result.inputs.name}: cash to reinvest against the claims", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="center left")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, directory, stem)


__all__ = ["Chart", "fund_chart", "tco_chart", "tornado_chart"]
