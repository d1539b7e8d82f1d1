"""The fair-value lattice (calc.model.lattice, calc.model.valuation), the implied spread and ``python -m calc value``.

Reference: QuantLib 1.44 on the terms it can express (tests/quantlib_reference.py), valued in the lattice's
``quantlib`` convention.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.errors import InputError
from calc.inputs.data import load_terms
from calc.model.implied_spread import implied_spread
from calc.model.valuation import QUANTLIB_POLICY, ValuationPolicy, value_preferred
from tests.helpers import run_cli
from tests.quantlib_reference import quantlib_value

PROSPECTUS = dt.date(2002, 8, 28)  # SUPP p. 12: the date of the prospectus supplement
DISTRESSED = dt.date(2002, 10, 23)  # the 380-common exchange, common at $0.76 (issue 23)
MARKET: dict[str, Any] = {"volatility_rate": 0.6, "risk_free_rate": 0.03}


@pytest.mark.parametrize("price_usd", [1.89, 0.76])
@pytest.mark.parametrize("spread_rate", [0.05, 0.10, 0.20])
def test_quantlib_convention_equals_quantlib_to_the_cent(price_usd, spread_rate):
    ours = value_preferred(
        price_usd,
        spread_rate=spread_rate,
        steps=800,
        policy=QUANTLIB_POLICY,
        convention="quantlib",
        terms=load_terms(),
        **MARKET,
    )
    assert ours.value_usd[0] == pytest.approx(
        quantlib_value(price_usd, spread_rate, 800, PROSPECTUS, **MARKET), abs=0.005
    )


@pytest.mark.parametrize("steps", [7, 150])
def test_quantlib_convention_equals_quantlib_on_coarse_grids(steps):
    """Coarse grids put several dates on one node and events on the first node: the conventions still agree."""
    ours = value_preferred(
        1.89, spread_rate=0.1, steps=steps, policy=QUANTLIB_POLICY, convention="quantlib", terms=load_terms(), **MARKET
    )
    assert ours.value_usd[0] == pytest.approx(quantlib_value(1.89, 0.1, steps, PROSPECTUS, **MARKET), abs=0.005)


def distressed(spreads: np.ndarray, steps: int) -> np.ndarray:
    """The distressed case of issue 23 (S = $0.76, 2002-10-23, σ 60 %) on the QuantLib-expressible terms."""
    return value_preferred(
        0.76,
        spread_rate=spreads,
        steps=steps,
        valuation_date=DISTRESSED,
        policy=QUANTLIB_POLICY,
        terms=load_terms(),
        **MARKET,
    ).value_usd


@settings(deadline=None)
@given(st.lists(st.floats(0.0, 3.0), min_size=2, max_size=8, unique=True))
def test_distressed_value_never_rises_with_the_spread(spreads):
    """Where QuantLib is non-monotone (issue 23: 545, 348, 329, 223, 259, 289 at 50..300 %), the hazard lattice
    falls with the spread from 0 to 300 %."""
    ordered = np.sort(np.array(spreads))
    values = distressed(ordered, 1000)
    assert np.all(np.diff(values) <= 1e-9 * values[:-1])


def test_distressed_value_converges_in_steps():
    """1,000 and 4,000 steps agree within $1 per $1,000 from 0 to 300 % (QuantLib: 548 vs 551 at 50 %,
    404 vs 284 at 200 %)."""
    spreads = np.linspace(0.0, 3.0, 13)
    assert np.max(np.abs(distressed(spreads, 1000) - distressed(spreads, 4000))) < 1.0


def test_a_sweep_row_equals_its_own_valuation():
    prices = np.linspace(0.5, 12.0, 100)
    sweep = value_preferred(prices, spread_rate=0.1, steps=200, terms=load_terms(), **MARKET)
    for m in (0, 37, 99):
        alone = value_preferred(float(prices[m]), spread_rate=0.1, steps=200, terms=load_terms(), **MARKET)
        assert sweep.value_usd[m] == pytest.approx(alone.value_usd[0], rel=1e-12)
        assert sweep.delta_shares[m] == pytest.approx(alone.delta_shares[0], rel=1e-9)


POLICIES = st.builds(
    ValuationPolicy,
    st.sampled_from(["cash", "stock", "accrue"]),
    st.sampled_from(["cash", "stock"]),
    st.floats(0.5, 1.0),
    st.sampled_from(["none", "rational"]),
    st.floats(0.0, 100.0),
)


@settings(deadline=None)
@given(
    price=st.floats(0.05, 50.0),
    spread=st.floats(0.0, 3.0),
    volatility=st.floats(0.1, 1.0),
    day=st.dates(dt.date(2002, 5, 6), dt.date(2030, 12, 31)),
    policy=POLICIES,
    convention=st.sampled_from(["hazard", "tf"]),
    recovery=st.sampled_from([0.0, 0.4]),
    rate=st.sampled_from([0.03, -0.05]),
)
def test_invariants(price, spread, volatility, day, policy, convention, recovery, rate):
    """V ≥ κS (convertible at will from 2002-05-06), V ≥ 0, 0 ≤ B ≤ V. ``hazard`` (one value under one measure)
    also: Δ ≤ the most common a share can convert into (LP at its most accreted / 1000 × CR); the issuer's call
    never adds value; without a call, V ≥ the bond floor and Δ ≥ 0 (a call forcing conversion of a bond worth
    more than κS makes V fall with S near the trigger). ``tf`` breaks these at high spreads: conversion, forced
    or not, moves value from the part discounted at r + s to the part discounted at r (docs/model.md)."""
    v = value_preferred(
        price, spread_rate=spread, volatility_rate=volatility, risk_free_rate=rate, steps=120,
        valuation_date=day, policy=policy, convention=convention,
        recovery_rate=recovery if convention == "hazard" else 0.0, terms=load_terms(),
    )  # fmt: skip
    value, conversion, debt = v.value_usd[0], v.conversion_value_usd[0], v.debt_usd[0]
    assert value >= conversion * (1 - 1e-12) and value >= 0
    assert -1e-9 <= debt <= value * (1 + 1e-12)
    if convention == "tf":
        return
    most_shares = 168.3502 * (1.04**60 if policy.dividend_policy == "accrue" else 1.0)
    assert v.delta_shares[0] <= most_shares * (1 + 1e-9)
    if policy.call == "none":
        assert value >= v.bond_floor_usd[0] * (1 - 1e-12) and v.delta_shares[0] >= -1e-9
        return
    uncalled = value_preferred(
        price, spread_rate=spread, volatility_rate=volatility, risk_free_rate=rate, steps=120,
        valuation_date=day, policy=dataclasses.replace(policy, call="none"), recovery_rate=recovery, terms=load_terms(),
    )  # fmt: skip
    assert value <= uncalled.value_usd[0] * (1 + 1e-12)


def test_class_value_is_per_share_value_times_shares():
    v = value_preferred(1.89, spread_rate=0.1, steps=100, shares=1_710_000, terms=load_terms(), **MARKET)
    assert v.class_value_usd[0] == v.value_usd[0] * 1_710_000
    assert (
        value_preferred(1.89, spread_rate=0.1, steps=100, terms=load_terms(), **MARKET).shares == 1_885_000
    )  # SUPP p. 1


def test_hazard_rate_with_recovery_raises_the_value():
    """With the spread fixed, a recovery R means λ = s / (1 − R) with R × LP paid at default."""
    base = value_preferred(
        0.76, spread_rate=0.5, steps=200, policy=QUANTLIB_POLICY, terms=load_terms(), **MARKET
    ).value_usd[0]
    recovered = value_preferred(
        0.76, spread_rate=0.5, steps=200, policy=QUANTLIB_POLICY, recovery_rate=0.4, terms=load_terms(), **MARKET
    ).value_usd[0]
    assert recovered > base


@pytest.mark.parametrize("spread_rate", [0.0, 0.35, 1.2, 2.9])
def test_implied_spread_recovers_the_spread(spread_rate):
    common = {"price_usd": 0.76, "valuation_date": DISTRESSED, "steps": 300, "policy": QUANTLIB_POLICY, **MARKET}
    price = common.pop("price_usd")
    target = value_preferred(price, spread_rate=spread_rate, terms=load_terms(), **common).value_usd[0]
    solved = implied_spread(target, price_usd=price, terms=load_terms(), **common)
    assert solved.spread_rate == pytest.approx(spread_rate, abs=1e-4)
    assert value_preferred(price, spread_rate=solved.spread_rate, terms=load_terms(), **common).value_usd[
        0
    ] == pytest.approx(target, abs=0.01)


def test_implied_spread_says_when_no_spread_reaches_the_target():
    common = {"price_usd": 0.76, "valuation_date": DISTRESSED, "steps": 300, "policy": QUANTLIB_POLICY, **MARKET}
    low = implied_spread(50.0, terms=load_terms(), **common)
    assert low.spread_rate is None and "no spread up to 300%" in low.message and low.value_at_max_usd > 50
    high = implied_spread(5000.0, terms=load_terms(), **common)
    assert high.spread_rate is None and "above the value at zero spread" in high.message
    with pytest.raises(InputError, match="target value"):
        implied_spread(-1.0, terms=load_terms(), **common)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("price_usd", {"price_usd": -1.0}),
        ("price_usd", {"price_usd": float("nan")}),
        ("spread_rate", {"spread_rate": float("inf")}),
        ("volatility_rate", {"volatility_rate": 0.0}),
        ("steps", {"steps": 1}),
        ("steps", {"steps": 20_001}),
        ("valuation_date", {"valuation_date": dt.date(2031, 8, 1)}),
    ],
)
def test_bad_inputs_are_named(field, kwargs):
    inputs = {"price_usd": 1.0, "spread_rate": 0.1, "steps": 50, **MARKET, **kwargs}
    with pytest.raises(InputError, match=field):
        value_preferred(inputs.pop("price_usd"), terms=load_terms(), **inputs)


def test_cli_value_json():
    result = run_cli(
        "value", "--price", "0.76", "--volatility", "0.6", "--rate", "0.03", "--spread", "0.2", "--steps", "200",
        "--valuation-date", "2002-10-23", "--dividend-policy", "cash", "--put-settlement", "cash",
        "--call", "rational", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    expected = value_preferred(
        0.76,
        spread_rate=0.2,
        steps=200,
        valuation_date=DISTRESSED,
        policy=QUANTLIB_POLICY,
        terms=load_terms(),
        **MARKET,
    )
    assert payload == expected.row()
    assert payload["class_value_usd"] == pytest.approx(payload["value_usd"] * 1_885_000)
    assert payload["debt_usd"] + payload["equity_usd"] == pytest.approx(payload["value_usd"])


def test_cli_value_implied_spread():
    result = run_cli(
        "value", "--price", "0.76", "--volatility", "0.6", "--rate", "0.03", "--target-value", "288.80",
        "--steps", "200", "--valuation-date", "2002-10-23", "--dividend-policy", "cash",
        "--put-settlement", "cash", "--call", "rational", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert 0 < payload["implied_spread_rate"] < 3 and payload["value_usd"] == pytest.approx(288.80, abs=0.01)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--price", "-1", "--spread", "0.1"], "--price: -1 must be"),
        (["--price", "nan", "--spread", "0.1"], "argument --price"),
        (["--price", "1", "--spread", "-0.1"], "--spread: -0.1 must be"),
        (["--price", "1", "--spread", "0.1", "--steps", "1"], "--steps: 1 must be"),
        (["--price", "1", "--spread", "0.1", "--steps", "50000"], "--steps: 50000 must be"),
        (["--price", "1"], "give exactly one of --spread, --hazard-rate, --target-value"),
        (["--price", "1", "--hazard-rate", "0.2", "--recovery", "1"], "--recovery: 1 must be"),
        (["--price", "1", "--spread", "0.1", "--put-factor", "0"], "--put-factor"),
    ],
)
def test_cli_value_errors(args, message):
    result = run_cli("value", "--volatility", "0.6", "--rate", "0.03", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_cli_hazard_rate_with_recovery_is_a_spread_with_recovery():
    """``--hazard-rate λ --recovery R`` values with s = λ (1 − R) and R × LP paid at default."""
    args = ("value", "--price", "0.76", "--volatility", "0.6", "--rate", "0.03", "--steps", "100", "--json")
    by_hazard = json.loads(run_cli(*args, "--hazard-rate", "0.5", "--recovery", "0.4").stdout)
    expected = value_preferred(0.76, spread_rate=0.3, steps=100, recovery_rate=0.4, terms=load_terms(), **MARKET)
    assert by_hazard["spread_rate"] == pytest.approx(0.3) and by_hazard["value_usd"] == expected.value_usd[0]


def test_a_tree_without_probabilities_is_refused():
    """CRR needs e^(rΔt) between the down and up moves: 10 steps at σ 0.1 % and r 50 % are refused, by name."""
    with pytest.raises(InputError, match="steps: the tree's up probability"):
        value_preferred(
            1.0,
            spread_rate=0.1,
            steps=10,
            volatility_rate=0.001,
            risk_free_rate=0.5,
            convention="tf",
            terms=load_terms(),
        )


def test_tsiveriotis_fernandes_rises_with_the_spread_on_the_distressed_case():
    """The finding docs/model.md reports: under ``tf`` the distressed value rises from 150 % to 200 % at 1,000 and
    at 4,000 steps alike (not a discretization error), which is why ``hazard`` is the default."""
    for steps in (1000, 4000):
        low, high = value_preferred(
            0.76, spread_rate=[1.5, 2.0], steps=steps, valuation_date=DISTRESSED, policy=QUANTLIB_POLICY,
            convention="tf", terms=load_terms(), **MARKET,
        ).value_usd  # fmt: skip
        assert high > low + 5
