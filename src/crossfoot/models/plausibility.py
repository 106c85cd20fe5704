"""Can the funder pay for it? A capex claim against funding capacity and peers.

Two tests for each claim (amounts in $m):

1. **Capacity**: the claim against the cash the funder had available to reinvest, from a
   fund model (``FundResult.lifetime_reinvestable``) or a given revenue series times a
   reinvested share. The verdict is ``fits`` (ratio <= 1), ``exceeds`` (<= 2) or
   ``far exceeds``; with a Monte Carlo of the capacity, the probability that it fits.
2. **Peers**: the claim spread over its period as a yearly capex, divided by the
   claimant's yearly revenue and by its AUM, against the same ratios of peers
   (``catalogue.peers()``, with sources).

``check_claims`` is the Python entry point; every result converts to JSON with
``to_dict()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from crossfoot.models import catalogue as cat
from crossfoot.models.catalogue import Peer
from crossfoot.models.fund import FundResult, load_fund, run_fund
from crossfoot.models.fund import evaluate as fund_evaluate
from crossfoot.models.inputs import InputError, TomlDocument, check_keys, parse_quantity
from crossfoot.models.uncertainty import Quantity, draw

FITS, EXCEEDS, FAR_EXCEEDS = "fits", "exceeds", "far exceeds"


def _money(x: float) -> str:
    return f"${x / 1000:,.1f}B" if abs(x) >= 1000 else f"${x:,.0f}M"


@dataclass
class Claim:
    name: str
    amount_m: float
    period_years: float = 1.0
    quantity: Quantity | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "amount_m": self.amount_m, "period_years": self.period_years}
        if self.source:
            out["source"] = self.source
        return out


@dataclass
class Capacity:
    """What the funder could pay: cash available to reinvest over a span of years ($m),
    and the yearly revenue ($m/yr) and AUM ($bn) the peer ratios use."""

    amount_m: float
    description: str
    revenue_m: list[float] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    aum_bn: float | None = None
    samples: np.ndarray | None = None

    @classmethod
    def from_fund(cls, result: FundResult, first_year: int | None = None, last_year: int | None = None,
                  samples: np.ndarray | None = None) -> "Capacity":
        years = [y for y in result.columns["year"]
                 if (first_year is None or y >= first_year) and (last_year is None or y <= last_year)]
        if not years:
            raise ValueError(f"no fund years between {first_year} and {last_year}")
        idx = [result.columns["year"].index(y) for y in years]
        amount = float(sum(result.columns["reinvestable"][i] for i in idx))
        revenue = [float(result.columns["revenue"][i]) for i in idx]
        share = result.inputs.fees["reinvested_share"].value
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
        desc = (f"the fund's cash to reinvest over {span} ({_money(amount)}: {share:.0%} of "
                f"{_money(sum(result.columns['net_revenue'][i] for i in idx))} of net fee income)")
        aum = float(result.columns["average_aum"][idx[-1]]) / 1000
        return cls(amount, desc, revenue, years, aum, samples)

    @classmethod
    def from_revenue(cls, revenue_m: Sequence[float], reinvested_share: float, years: Sequence[int] | None = None,
                     aum_bn: float | None = None, samples: np.ndarray | None = None) -> "Capacity":
        amount = float(sum(revenue_m) * reinvested_share)
        years = list(years) if years is not None else list(range(1, len(revenue_m) + 1))
        desc = (f"the cash to reinvest from the given revenue ({_money(amount)}: {reinvested_share:.0%} "
                f"of {_money(sum(revenue_m))} over {len(revenue_m)} years)")
        return cls(amount, desc, [float(r) for r in revenue_m], years, aum_bn, samples)

    def yearly_revenue(self, period_years: float) -> float:
        """Average yearly revenue over the last ``period_years`` years (at least one)."""
        n = max(1, min(len(self.revenue_m), int(round(period_years))))
        return float(np.mean(self.revenue_m[-n:])) if self.revenue_m else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"amount_m": self.amount_m, "description": self.description, "years": self.years,
                "revenue_m": self.revenue_m, "aum_bn": self.aum_bn}


@dataclass
class PeerComparison:
    peer: str
    metric: str          # "capex/revenue" or "capex/AUM"
    peer_ratio: float
    claim_ratio: float

    @property
    def multiple(self) -> float:
        return self.claim_ratio / self.peer_ratio

    def to_dict(self) -> dict[str, Any]:
        return {"peer": self.peer, "metric": self.metric, "peer_ratio": self.peer_ratio,
                "claim_ratio": self.claim_ratio, "multiple": self.multiple}


@dataclass
class Verdict:
    claim: Claim
    capacity: Capacity
    ratio: float
    verdict: str
    reasoning: str
    probability_fits: float | None = None
    peers: list[PeerComparison] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return self.verdict == FITS

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim.to_dict(), "capacity_m": self.capacity.amount_m,
                "capacity": self.capacity.description, "ratio": self.ratio, "verdict": self.verdict,
                "probability_fits": self.probability_fits, "reasoning": self.reasoning,
                "peers": [p.to_dict() for p in self.peers]}


def _ratio_words(r: float) -> str:
    return f"{r:.1f}x" if r >= 1 else f"{r:.0%} of"


def check_claims(capacity: FundResult | Capacity, claims: Iterable[Claim] | Mapping[str, float],
                 peers: Sequence[Peer] | None = None, *, samples: np.ndarray | None = None,
                 seed: int | None = 0) -> list[Verdict]:
    """Each claim against the capacity (a fund model's result or a ``Capacity``) and
    against peers' capex intensity (the bundled peers when ``peers`` is None).

    ``samples``: Monte Carlo draws of the capacity ($m); the verdict then carries the
    probability that the claim fits (claims given as a spread are drawn too)."""
    cap = capacity if isinstance(capacity, Capacity) else Capacity.from_fund(capacity)
    if samples is None:
        samples = cap.samples
    if isinstance(claims, Mapping):
        claims = [Claim(str(k), float(v)) for k, v in claims.items()]
    peer_list = cat.peers() if peers is None else list(peers)
    out = []
    for claim in claims:
        ratio = claim.amount_m / cap.amount_m if cap.amount_m > 0 else float("inf")
        verdict = FITS if ratio <= 1 else EXCEEDS if ratio <= 2 else FAR_EXCEEDS
        prob = None
        if samples is not None:
            n = len(samples)
            amount = (claim.quantity.sample(np.random.default_rng(seed), n)
                      if claim.quantity is not None and claim.quantity.uncertain else claim.amount_m)
            prob = float(np.mean(np.asarray(amount) <= samples))
        yearly = claim.amount_m / claim.period_years
        comparisons = []
        revenue = cap.yearly_revenue(claim.period_years)
        for peer in peer_list:
            if peer.capex_to_revenue and revenue and np.isfinite(revenue):
                comparisons.append(PeerComparison(peer.name, "capex/revenue", peer.capex_to_revenue, yearly / revenue))
            if peer.capex_to_aum and cap.aum_bn:
                comparisons.append(PeerComparison(peer.name, "capex/AUM", peer.capex_to_aum, yearly / (cap.aum_bn * 1000)))
        reasoning = _reason(claim, cap, ratio, verdict, prob, yearly, revenue, comparisons)
        out.append(Verdict(claim, cap, ratio, verdict, reasoning, prob, comparisons))
    return out


def _reason(claim: Claim, cap: Capacity, ratio: float, verdict: str, prob: float | None, yearly: float,
            revenue: float, comparisons: list[PeerComparison]) -> str:
    words = {FITS: "it fits", EXCEEDS: "it does not fit", FAR_EXCEEDS: "it does not fit by a wide margin"}[verdict]
    text = f"The claimed {_money(claim.amount_m)} ({claim.name}) is {_ratio_words(ratio)} {cap.description}; {words}."
    if prob is not None:
        text += f" Across the uncertain inputs, the probability that it fits is {prob:.0%}."
    rev = [c for c in comparisons if c.metric == "capex/revenue"]
    if rev:
        per = f" spread over {claim.period_years:g} years" if claim.period_years != 1 else ""
        peers_txt = f"{rev[0].peer} spends {rev[0].peer_ratio:.1%} of its revenue on capex"
        peers_txt += "".join(f", {c.peer} {c.peer_ratio:.1%}" for c in rev[1:])
        text += (f" As yearly capex{per} ({_money(yearly)}/yr) it is {yearly / revenue:.0%} of the yearly fee "
                 f"revenue ({_money(revenue)}/yr); {peers_txt}.")
    aum = [c for c in comparisons if c.metric == "capex/AUM"]
    if aum:
        text += " Against AUM: " + ", ".join(f"{c.multiple:,.0f}x {c.peer}'s capex/AUM ({c.peer_ratio:.3%})"
                                              for c in aum) + "."
    return text


def fund_capacity_samples(inputs, years: Sequence[int], samples: int, seed: int | None) -> np.ndarray:
    """Monte Carlo draws of the cash to reinvest over ``years`` ($m)."""
    draws = draw([q for q in inputs.quantities() if q.uncertain], samples, seed)
    sim = fund_evaluate(inputs, draws)
    idx = [[y.year for y in inputs.years].index(y) for y in years]
    total = sum(sim["reinvestable"][i] for i in idx)
    return np.broadcast_to(np.asarray(total, dtype=float), (samples,)).copy()


# ------------------------------------------------------------------------ claim files

CLAIM_FILE_KEYS = {"title", "capacity", "claims", "peers_file", "samples", "seed"}
CAPACITY_KEYS = {"fund", "revenue_m", "reinvested_share", "first_year", "last_year", "aum_bn", "years"}


@dataclass
class ClaimFile:
    title: str
    claims: list[Claim]
    capacity: Capacity
    peers: list[Peer]
    fund: FundResult | None = None
    path: str | None = None


def load_claim_file(path: str | Path, samples: int | None = None, seed: int | None = 0) -> ClaimFile:
    """Read a claim file (see docs/economics.md). With ``samples``, the capacity carries
    Monte Carlo draws (from the fund model's uncertain inputs, or the revenue's)."""
    doc = TomlDocument.read(path)
    data = doc.data
    base = Path(path).parent
    check_keys(doc, data, (), CLAIM_FILE_KEYS)
    title = data.get("title", "Capex claims")
    rows = data.get("claims")
    if not isinstance(rows, list) or not rows:
        raise doc.error(("claims",), "expected one or more [[claims]] tables with name and amount_m ($m)")
    claims = []
    for i, row in enumerate(rows):
        p = ("claims", i)
        if not isinstance(row, dict):
            raise doc.error(p, "expected a table")
        check_keys(doc, row, p, {"name", "amount_m", "period_years", "source"})
        if not isinstance(row.get("name"), str):
            raise doc.error((*p, "name"), "missing: the claim's name (a string)")
        if "amount_m" not in row:
            raise doc.error((*p, "amount_m"), "missing: the claimed capex ($m)")
        amount = parse_quantity(row["amount_m"], doc, (*p, "amount_m"), unit="$m", minimum=0)
        period = parse_quantity(row.get("period_years", 1), doc, (*p, "period_years"), unit="years", minimum=0.1)
        src = row.get("source")
        claims.append(Claim(row["name"], amount.value, period.value, amount.quantity,
                            src if isinstance(src, str) else amount.source))

    table = data.get("capacity")
    if not isinstance(table, dict):
        raise doc.error(("capacity",), "missing: a [capacity] table with fund = \"fund.toml\", "
                        "or revenue_m = [...] and reinvested_share")
    check_keys(doc, table, ("capacity",), CAPACITY_KEYS)
    for key in ("first_year", "last_year"):
        if key in table and (isinstance(table[key], bool) or not isinstance(table[key], int)):
            raise doc.error(("capacity", key), f"expected a year, got {table[key]!r}")
    fund_result = None
    if "fund" in table:
        if not isinstance(table["fund"], str):
            raise doc.error(("capacity", "fund"), "expected the path of a fund file")
        fund_path = base / table["fund"]
        if not fund_path.exists():
            raise doc.error(("capacity", "fund"), f"no such fund file: {fund_path}")
        inputs = load_fund(fund_path)
        fund_result = run_fund(inputs)
        try:
            capacity = Capacity.from_fund(fund_result, table.get("first_year"), table.get("last_year"))
        except ValueError as exc:
            raise doc.error(("capacity", "first_year"), str(exc)) from None
        if samples:
            capacity.samples = fund_capacity_samples(inputs, capacity.years, samples, seed)
    elif "revenue_m" in table:
        raw = table["revenue_m"]
        if not isinstance(raw, list) or not raw:
            raise doc.error(("capacity", "revenue_m"), "expected a list of yearly revenues ($m)")
        revenue = [parse_quantity(r, doc, ("capacity", "revenue_m"), unit="$m/yr") for r in raw]
        if "reinvested_share" not in table:
            raise doc.error(("capacity", "reinvested_share"), "missing: the share of revenue reinvested (0-1)")
        share = parse_quantity(table["reinvested_share"], doc, ("capacity", "reinvested_share"),
                               unit="share", minimum=0, maximum=1)
        years = table.get("years")
        if years is not None and (not isinstance(years, list) or len(years) != len(raw)):
            raise doc.error(("capacity", "years"), f"expected {len(raw)} years, one per revenue figure")
        aum = table.get("aum_bn")
        if aum is not None and (isinstance(aum, bool) or not isinstance(aum, (int, float))):
            raise doc.error(("capacity", "aum_bn"), f"expected a number ($bn), got {aum!r}")
        capacity = Capacity.from_revenue([r.value for r in revenue], share.value, years, aum)
        if samples:
            qs = [r.quantity for r in revenue] + [share.quantity]
            d = draw([q for q in qs if q.uncertain], samples, seed)
            rev = sum(d.get(id(r.quantity), r.value) for r in revenue)
            capacity.samples = np.broadcast_to(np.asarray(rev * d.get(id(share.quantity), share.value), dtype=float),
                                               (samples,)).copy()
    else:
        raise doc.error(("capacity",), "expected fund = \"fund.toml\", or revenue_m = [...] with reinvested_share")
    if "aum_bn" in table and fund_result is not None:
        capacity.aum_bn = float(table["aum_bn"])

    peers_file = data.get("peers_file")
    if peers_file is not None:
        if not isinstance(peers_file, str) or not (base / peers_file).exists():
            raise doc.error(("peers_file",), f"no such peers file: {peers_file!r}")
        peer_list = cat.peers(base / peers_file)
    else:
        peer_list = cat.peers()
    return ClaimFile(title if isinstance(title, str) else "Capex claims", claims, capacity, peer_list,
                     fund_result, doc.path)


def check_file(path: str | Path, samples: int | None = None, seed: int | None = 0) -> tuple[ClaimFile, list[Verdict]]:
    cf = load_claim_file(path, samples, seed)
    return cf, check_claims(cf.capacity, cf.claims, cf.peers, seed=seed)


__all__ = ["Capacity", "Claim", "ClaimFile", "InputError", "PeerComparison", "Verdict", "check_claims",
           "check_file", "load_claim_file"]
