"""The plausibility check: capex claims against funding capacity and peers."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from crossfoot.models import fund, plausibility as pl
from crossfoot.models.catalogue import Peer
from crossfoot.models.inputs import InputError

EXAMPLES = Path(str(resources.files("crossfoot.examples")))


def test_claims_against_a_given_revenue_series():
    cap = pl.Capacity.from_revenue([100, 100], 0.5)          # $100m to reinvest
    verdicts = pl.check_claims(cap, {"small": 50, "stretch": 150, "huge": 300}, peers=[])
    assert [v.verdict for v in verdicts] == ["fits", "exceeds", "far exceeds"]
    assert [v.ratio for v in verdicts] == pytest.approx([0.5, 1.5, 3.0])
    assert "1.5x" in verdicts[1].reasoning and "does not fit" in verdicts[1].reasoning


def test_deepseek_claims_against_the_fund():
    result = fund.run_fund(fund.deepseek_fund())
    verdicts = pl.check_claims(result, result.inputs.claims)
    by_name = {v.claim.name: v for v in verdicts}
    big = by_name["all_60k_capex"]
    assert big.ratio == pytest.approx(1600 / result.lifetime_reinvestable)
    assert big.verdict == "far exceeds"
    assert "The claimed $1.6B" in big.reasoning and "3.7x the fund's" in big.reasoning
    assert by_name["hoppers_capex"].verdict == "far exceeds"
    assert by_name["cluster_2048_h800"].verdict == "fits"


def test_peer_intensity_compares_yearly_capex_with_revenue_and_aum():
    cap = pl.Capacity.from_revenue([70, 70, 70, 70], 0.7, aum_bn=7)
    peers = [Peer("Big", capex=250, revenue=8000, aum_bn=1000)]
    (v,) = pl.check_claims(cap, [pl.Claim("gpus", 1600, period_years=4)], peers)
    rev = next(c for c in v.peers if c.metric == "capex/revenue")
    aum = next(c for c in v.peers if c.metric == "capex/AUM")
    assert rev.claim_ratio == pytest.approx(400 / 70)
    assert rev.peer_ratio == pytest.approx(250 / 8000)
    assert aum.claim_ratio == pytest.approx(400 / 7000)
    assert aum.multiple == pytest.approx((400 / 7000) / (250 / 1e6))
    assert "Big spends 3.1% of its revenue on capex" in v.reasoning


def test_probability_that_the_claim_fits_from_capacity_draws():
    cap = pl.Capacity.from_revenue([100], 1.0)
    draws = np.array([50.0, 100.0, 150.0, 200.0])
    (v,) = pl.check_claims(cap, {"c": 120}, peers=[], samples=draws)
    assert v.probability_fits == pytest.approx(0.5)


def test_results_are_json_able():
    result = fund.run_fund(fund.deepseek_fund())
    verdicts = pl.check_claims(result, result.inputs.claims)
    text = json.dumps([v.to_dict() for v in verdicts])
    assert json.loads(text)[0]["verdict"] == "far exceeds"


def test_bundled_claim_file():
    cf, verdicts = pl.check_file(EXAMPLES / "claim.toml", samples=1000, seed=1)
    assert [v.verdict for v in verdicts] == ["far exceeds", "far exceeds", "fits"]
    assert verdicts[0].probability_fits == 0.0
    assert verdicts[2].probability_fits == 1.0
    assert cf.capacity.amount_m == pytest.approx(429.757, abs=0.01)
    assert {p.name for p in cf.peers} == {"Blackstone", "Goldman Sachs"}


def test_claim_file_with_a_revenue_series_and_a_year_window(tmp_path):
    p = tmp_path / "claim.toml"
    p.write_text('[capacity]\nrevenue_m = [100, 200]\nreinvested_share = 0.5\n'
                 '[[claims]]\nname = "x"\namount_m = 100\n')
    _, (v,) = pl.check_file(p)
    assert v.capacity.amount_m == pytest.approx(150) and v.verdict == "fits"
    (tmp_path / "fund.toml").write_text((EXAMPLES / "fund.toml").read_text())
    p.write_text('[capacity]\nfund = "fund.toml"\nfirst_year = 2021\n[[claims]]\nname = "x"\namount_m = 100\n')
    _, (v,) = pl.check_file(p, samples=500)
    assert v.capacity.amount_m == pytest.approx(4 * 49.0)            # 70% of $70m, 2021-2024
    assert v.capacity.years == [2021, 2022, 2023, 2024]


@pytest.mark.parametrize("text, key, words", [
    ('[[claims]]\nname = "x"\namount_m = 1\n', "capacity", "missing"),
    ('[capacity]\nfund = "nope.toml"\n[[claims]]\nname = "x"\namount_m = 1\n', "capacity.fund", "no such fund file"),
    ('[capacity]\nrevenue_m = [1]\n[[claims]]\nname = "x"\namount_m = 1\n', "capacity.reinvested_share", "missing"),
    ('[capacity]\nrevenue_m = [1]\nreinvested_share = 1\n[[claims]]\nname = "x"\n', "claims[0].amount_m", "missing"),
])
def test_malformed_claim_files(tmp_path, text, key, words):
    p = tmp_path / "claim.toml"
    p.write_text(text)
    with pytest.raises(InputError) as err:
        pl.check_file(p)
    assert err.value.key == key and words in str(err.value)
