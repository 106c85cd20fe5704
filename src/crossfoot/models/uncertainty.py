"""Uncertain inputs, seeded Monte Carlo and tornado sensitivity.

Any model input is a ``Quantity``: a base value and, optionally, a range or a
distribution. The models are written with numpy arithmetic, so the same function that
computes the base case from floats computes every Monte Carlo draw at once from arrays.

Distributions (``dist``):

- ``uniform``: between ``low`` and ``high`` (a bare ``low``/``high`` range means this);
- ``lognormal``: ``low`` and ``high`` are the 5th and 95th percentiles (a 90% interval),
  the convention of Epoch AI's cost-uncertainty notebook;
- ``normal``: ``mean`` and ``sd``, or ``low``/``high`` as a 90% interval;
- ``triangular``: ``low``, ``mode``, ``high``.

A quantity shared by several parts of a model (one region's PUE used by every GPU type)
is one object and gets one draw per sample: draws are keyed by identity, not by value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np

Z90 = 1.6448536269514722  # the standard normal's 95th percentile
DISTRIBUTIONS = ("uniform", "lognormal", "normal", "triangular")


@dataclass(eq=False)
class Quantity:
    """A number with an optional spread. ``value`` is the base case."""

    value: float
    low: float | None = None
    high: float | None = None
    dist: str | None = None
    sd: float | None = None
    mode: float | None = None
    mean: float | None = None

    @property
    def uncertain(self) -> bool:
        return self.dist is not None

    @classmethod
    def fixed(cls, value: float) -> "Quantity":
        return cls(float(value))

    @classmethod
    def build(cls, *, value: float | None = None, low: float | None = None, high: float | None = None,
              dist: str | None = None, mean: float | None = None, sd: float | None = None,
              mode: float | None = None) -> "Quantity":
        """Make a quantity from the keys an input file may give; raises ValueError with a
        reader's explanation when they do not describe a distribution."""
        if dist is None:
            if sd is not None:
                dist = "normal"
            elif mode is not None:
                dist = "triangular"
            elif low is not None or high is not None:
                dist = "uniform"
        if dist is None:
            if value is None and mean is None:
                raise ValueError("expected a number, or a table with 'value' or 'low' and 'high'")
            return cls(float(value if value is not None else mean))
        if dist not in DISTRIBUTIONS:
            raise ValueError(f"unknown distribution {dist!r}; expected one of {', '.join(DISTRIBUTIONS)}")
        if dist == "normal":
            if sd is not None and (low is not None or high is not None):
                raise ValueError("give a normal distribution either 'sd' or 'low' and 'high', not both")
            if sd is None:
                if low is None or high is None:
                    raise ValueError("a normal distribution needs 'mean' and 'sd', or 'low' and 'high' (a 90% interval)")
                if low > high:
                    raise ValueError(f"'low' ({low:g}) is above 'high' ({high:g})")
                mean = (low + high) / 2 if mean is None else mean
                sd = (high - low) / (2 * Z90)
            if mean is None:
                mean = value
            if mean is None:
                raise ValueError("a normal distribution needs 'mean' (or 'value') with its 'sd'")
            if sd < 0:
                raise ValueError("'sd' must not be negative")
            base = value if value is not None else mean
            return cls(float(base), float(mean - Z90 * sd), float(mean + Z90 * sd), dist, float(sd),
                       None, float(mean))
        if low is None or high is None:
            raise ValueError(f"a {dist} distribution needs 'low' and 'high'")
        if low > high:
            raise ValueError(f"'low' ({low:g}) is above 'high' ({high:g})")
        if dist == "lognormal":
            if low <= 0:
                raise ValueError("a lognormal distribution needs a positive 'low'")
            base = value if value is not None else math.sqrt(low * high)
        elif dist == "triangular":
            if mode is None:
                mode = value if value is not None else (low + high) / 2
            if not low <= mode <= high:
                raise ValueError(f"'mode' ({mode:g}) is outside 'low'..'high'")
            base = value if value is not None else mode
        else:
            base = value if value is not None else (low + high) / 2
        return cls(float(base), float(low), float(high), dist, None, None if mode is None else float(mode))

    def scaled(self, factor: float) -> "Quantity":
        """The same quantity in other units (e.g. W -> kW)."""
        f = float(factor)
        return Quantity(self.value * f, None if self.low is None else self.low * f,
                        None if self.high is None else self.high * f, self.dist,
                        None if self.sd is None else self.sd * abs(f),
                        None if self.mode is None else self.mode * f,
                        None if self.mean is None else self.mean * f)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.dist is None:
            return np.full(n, self.value)
        if self.dist == "uniform":
            return rng.uniform(self.low, self.high, n)
        if self.dist == "lognormal":
            mu = (math.log(self.low) + math.log(self.high)) / 2
            sigma = (math.log(self.high) - math.log(self.low)) / (2 * Z90)
            return rng.lognormal(mu, sigma, n)
        if self.dist == "normal":
            return rng.normal(self.mean, self.sd, n)
        if self.low == self.high:
            return np.full(n, self.low)
        return rng.triangular(self.low, self.mode, self.high, n)

    def bounds(self, swing: float) -> tuple[float, float, str]:
        """Low and high values for a tornado: the quantity's own range, or the 5th and
        95th percentiles of its distribution, or ``value * (1 -/+ swing)``."""
        if self.low is not None and self.high is not None:
            return self.low, self.high, "range"
        return self.value * (1 - swing), self.value * (1 + swing), f"±{swing:.0%}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.dist:
            out.update(dist=self.dist, low=self.low, high=self.high)
            if self.sd is not None:
                out["sd"] = self.sd
            if self.mode is not None:
                out["mode"] = self.mode
            if self.mean is not None:
                out["mean"] = self.mean
        return out


def draw(quantities: Iterable[Quantity], n: int, seed: int | None) -> dict[int, np.ndarray]:
    """One array of ``n`` draws per distinct quantity (keyed by ``id``), in a stable order
    so that a seed reproduces the same numbers."""
    rng = np.random.default_rng(seed)
    out: dict[int, np.ndarray] = {}
    for q in quantities:
        if id(q) not in out:
            out[id(q)] = q.sample(rng, n)
    return out


@dataclass
class Interval:
    """Median and 90% interval of one model output."""

    name: str
    unit: str
    base: float
    median: float
    p05: float
    p95: float
    mean: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "base": self.base, "median": self.median,
                "p05": self.p05, "p95": self.p95, "mean": self.mean}


def summarise(name: str, unit: str, base: float, samples: np.ndarray) -> Interval:
    s = np.broadcast_to(np.asarray(samples, dtype=float), np.shape(samples))
    p05, med, p95 = np.percentile(s, [5, 50, 95])
    return Interval(name, unit, float(base), float(med), float(p05), float(p95), float(np.mean(s)))


@dataclass
class TornadoBar:
    """One input moved to its low and its high value, everything else at base."""

    input: str
    unit: str
    low_input: float
    high_input: float
    basis: str
    output_at_low: float
    output_at_high: float
    base_output: float

    @property
    def swing(self) -> float:
        return abs(self.output_at_high - self.output_at_low)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "unit": self.unit, "low_input": self.low_input,
                "high_input": self.high_input, "basis": self.basis,
                "output_at_low": self.output_at_low, "output_at_high": self.output_at_high,
                "base_output": self.base_output, "swing": self.swing}


@dataclass
class Tornado:
    output: str
    unit: str
    base: float
    bars: list[TornadoBar] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"output": self.output, "unit": self.unit, "base": self.base,
                "bars": [b.to_dict() for b in self.bars]}


def tornado(inputs: Mapping[str, tuple[Quantity, str]], evaluate: Callable[[dict[int, float]], float],
            output: str, unit: str, swing: float = 0.2, top: int | None = None) -> Tornado:
    """Move each named input (``name -> (quantity, unit)``) to its low and high value with
    all others at base, and record ``evaluate`` (which takes overrides keyed by quantity
    id). Bars are sorted by swing, widest first."""
    base = float(evaluate({}))
    bars = []
    for name, (q, q_unit) in inputs.items():
        lo, hi, basis = q.bounds(swing)
        if lo == hi:
            continue
        at_lo = float(evaluate({id(q): lo}))
        at_hi = float(evaluate({id(q): hi}))
        if at_lo == at_hi:  # the output does not depend on this input
            continue
        bars.append(TornadoBar(name, q_unit, lo, hi, basis, at_lo, at_hi, base))
    bars.sort(key=lambda b: b.swing, reverse=True)
    if top is not None:
        bars = bars[:top]
    return Tornado(output, unit, base, bars)
