"""Uncertain inputs: distributions from the keys an input file gives, seeded vectorised
Monte Carlo, shared draws, and the tornado of the fleet TCO."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from crossfoot.models import tco
from crossfoot.models.inputs import TomlDocument
from crossfoot.models.uncertainty import Quantity, draw, tornado

EXAMPLES = Path(str(resources.files("crossfoot.examples")))


def test_lognormal_from_a_90_percent_interval():
    q = Quantity.build(dist="lognormal", low=1.0, high=4.0)
    assert q.value == pytest.approx(2.0)                                 # the geometric mean
    x = q.sample(np.random.default_rng(0), 200_000)
    assert np.percentile(x, [5, 95]) == pytest.approx([1.0, 4.0], rel=0.02)


def test_normal_from_low_high_or_mean_sd():
    q = Quantity.build(dist="normal", low=8, high=12)
    x = q.sample(np.random.default_rng(1), 200_000)
    assert np.percentile(x, [5, 50, 95]) == pytest.approx([8, 10, 12], rel=0.01)
    q = Quantity.build(mean=5, sd=2)
    assert q.dist == "normal" and q.value == 5
    assert q.sample(np.random.default_rng(1), 100_000).std() == pytest.approx(2, rel=0.02)


def test_range_is_uniform_and_triangular_uses_its_mode():
    q = Quantity.build(low=2, high=4)
    assert q.dist == "uniform" and q.value == 3
    x = q.sample(np.random.default_rng(2), 10_000)
    assert x.min() >= 2 and x.max() <= 4
    t = Quantity.build(dist="triangular", low=0, mode=1, high=4)
    assert t.value == 1
    assert t.sample(np.random.default_rng(2), 100_000).mean() == pytest.approx(5 / 3, rel=0.02)


def test_a_given_value_is_the_base_case_of_a_range():
    q = Quantity.build(value=0.75, low=0.56, high=1.0)
    assert q.value == 0.75 and q.bounds(0.2)[:2] == (0.56, 1.0)
    assert Quantity.fixed(10).bounds(0.2)[:2] == pytest.approx((8, 12))


@pytest.mark.parametrize("kw, words", [
    ({"dist": "beta", "low": 0, "high": 1}, "unknown distribution"),
    ({"dist": "lognormal", "low": 0, "high": 1}, "positive"),
    ({"dist": "triangular", "low": 0, "high": 1, "mode": 2}, "outside"),
    ({"dist": "normal", "mean": 1}, "needs"),
    ({}, "expected a number"),
])
def test_bad_distributions_are_explained(kw, words):
    with pytest.raises(ValueError, match=words):
        Quantity.build(**kw)


def test_draws_are_seeded_and_shared_by_identity():
    a, b = Quantity.build(low=0, high=1), Quantity.build(low=0, high=1)
    d1 = draw([a, b, a], 100, seed=3)
    d2 = draw([a, b], 100, seed=3)
    assert len(d1) == 2
    assert (d1[id(a)] == d2[id(a)]).all() and (d1[id(b)] == d2[id(b)]).all()
    assert not (d1[id(a)] == d1[id(b)]).all()


def test_fleet_monte_carlo_is_reproducible_and_brackets_the_outputs():
    fleet = tco.load_fleet(EXAMPLES / "fleet.toml")
    m1 = tco.tco_monte_carlo(fleet, 5_000, seed=11)
    m2 = tco.tco_monte_carlo(fleet, 5_000, seed=11)
    assert [i.median for i in m1.intervals] == [i.median for i in m2.intervals]
    capex = next(i for i in m1.intervals if i.name == "Fleet capex")
    assert capex.p05 < capex.median < capex.p95
    assert capex.p05 < capex.base < capex.p95


def test_a_region_value_shared_by_every_type_moves_together():
    text = """
region = "us"
[defaults]
pue = {value = 1.25, low = 1.1, high = 1.5}
[[accelerator]]
name = "H100"
count = 10
[[accelerator]]
name = "A100"
count = 10
"""
    fleet = tco.fleet_from_document(TomlDocument(text))
    assert fleet.types[0].inputs["pue"].quantity is fleet.types[1].inputs["pue"].quantity
    bars = {b.input: b for b in tco.tco_tornado(fleet, top=None).bars}
    assert "PUE (all types)" in bars


def test_tornado_of_the_deepseek_fleet_by_hand():
    t = tco.tco_tornado(tco.deepseek_fleet(), swing=0.2, top=None)
    assert t.base == pytest.approx(636e6)
    life = next(b for b in t.bars if b.input.startswith("life"))
    assert (life.low_input, life.high_input) == pytest.approx((3.2, 4.8))
    assert life.output_at_low == pytest.approx(2544e6 / 3.2)           # (1,600 + 944) / 3.2
    assert life.output_at_high == pytest.approx(2544e6 / 4.8)
    assert t.bars[0] is life                                           # the widest bar
    swings = [b.swing for b in t.bars]
    assert swings == sorted(swings, reverse=True)
    assert not any(b.input.startswith("utilisation") for b in t.bars)  # TCO per year does not depend on it


def test_generic_tornado_moves_one_input_at_a_time():
    a, b = Quantity.build(value=2, low=1, high=3), Quantity.fixed(10)
    t = tornado({"a": (a, ""), "b": (b, "")}, lambda ov: ov.get(id(a), a.value) * ov.get(id(b), b.value),
                "product", "", swing=0.1)
    got = {bar.input: (bar.output_at_low, bar.output_at_high, bar.basis) for bar in t.bars}
    assert got["a"] == (10, 30, "range")
    assert got["b"] == pytest.approx((18, 22, "±10%"))
