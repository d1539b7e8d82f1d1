"""Capacity checks (issue 23): NYSE 312.03(c) 20%, registered shares left, authorized headroom, the price at
which each binds, the capacity policy in the engine and the Monte Carlo tails."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import capacity
from calc.capacity_tails import BREACHES
from calc.data import load_terms
from calc.errors import InputError
from calc.montecarlo import run_monte_carlo
from calc.params import parse_params
from calc.scenario import run_scenario
from tests.helpers import run_cli

SHARES_2002_07_31 = 3_432_688_763  # 10-Q cover (data/common_shares_actual.csv)
CLASS_USD = 1_885_000_000  # 1,885,000 preferred × $1,000 (SUPP p. 1)


def test_nyse_binding_price_of_the_whole_class_is_2_746():
    """Issue 23 golden: $1,885,000,000 ÷ (20 % × 3,432,688,763) = $2.746; the Goldman Sachs note (2002-07-11) said
    'below about $2.75'."""
    prices = capacity.class_binding_prices(CLASS_USD, SHARES_2002_07_31)
    assert round(prices[capacity.NYSE], 3) == 2.746
    assert prices[capacity.NYSE] == pytest.approx(CLASS_USD / (0.2 * SHARES_2002_07_31), rel=1e-15)
    assert round(float(capacity.load_desk_facts().quoted_binding_price_usd), 2) == round(prices[capacity.NYSE], 2)
    # registered: 252,005,273 + 46,328,725 (SUPP p. 1); authorized 10,000,000,000 (assumption, terms.toml)
    assert prices[capacity.REGISTERED] == pytest.approx(CLASS_USD / 298_333_998)
    assert prices[capacity.AUTHORIZED] == pytest.approx(CLASS_USD / (10_000_000_000 - SHARES_2002_07_31))


def test_nyse_threshold_is_equal_to_or_in_excess_of_20_percent_exactly():
    limit = capacity.nyse_limit_shares(SHARES_2002_07_31, capacity.load_desk_facts().nyse_approval_pct)
    assert limit == math.ceil(Fraction(SHARES_2002_07_31, 5)) == 686_537_753
    lines = {n: capacity.check(capacity.Issuance("put", n, SHARES_2002_07_31))[0] for n in (limit - 1, limit)}
    assert not lines[limit - 1].binds and lines[limit].binds
    caps = capacity.stock_caps()
    assert caps.nyse_binds(np.array([limit - 1, limit]), np.array([SHARES_2002_07_31] * 2)).tolist() == [False, True]


def test_registered_left_and_authorized_headroom():
    terms = load_terms()
    assert capacity.registered_pool(terms) == 298_333_998
    lines = capacity.check(capacity.Issuance("dividend", 1000, 9_999_999_000, issued_under_supplement=298_333_000))
    by_cap = {line.cap: line for line in lines}
    assert by_cap[capacity.REGISTERED].limit_shares == 998 and by_cap[capacity.REGISTERED].binds
    assert by_cap[capacity.AUTHORIZED].limit_shares == 1000 and not by_cap[capacity.AUTHORIZED].binds
    assert all(line.binding_price_usd is None for line in lines)  # a fixed count binds at every price or none


def test_the_2002_exchanges_as_a_related_series_stay_below_20_percent():
    """58,000,000 + 38,000,000 common (Reuters, 2002-10-23) against 20% of 3,432,688,763."""
    lines = capacity.series_lines([58_000_000, 38_000_000], SHARES_2002_07_31)
    assert [line.shares_needed for line in lines] == [58_000_000, 96_000_000]
    assert not any(line.binds for line in lines) and lines[-1].limit_shares == 686_537_753


@settings(deadline=None)
@given(st.floats(0.05, 50.0), st.integers(10**8, 10**10))
def test_a_value_settled_issuance_binds_at_and_below_its_binding_price(price, outstanding):
    """n = ceil(A / S) needs approval exactly when S is at or below S* = A / (20% × O) (up to the ceiling)."""
    star = capacity.class_binding_prices(CLASS_USD, outstanding)[capacity.NYSE]
    assert star is not None
    needed = math.ceil(CLASS_USD / price)
    binds = capacity.check(capacity.Issuance("put", needed, outstanding, 0, CLASS_USD))[0].binds
    if price < star * (1 - 1e-9):
        assert binds
    elif price > star * (1 + 1e-9) and CLASS_USD / price + 1 < outstanding / 5:
        assert not binds


def test_every_desk_fact_has_a_source_and_the_cash_put_default_is_an_assumption():
    facts = capacity.load_desk_facts()
    assert set(facts.provenance) == {dotted for dotted, _ in capacity.FIELDS.values()}
    assert all(source.strip() for source in facts.provenance.values())
    assert facts.nyse_approval_pct == 20 and facts.cash_put_allowed is False
    assert facts.source("capacity.cash_put_allowed").startswith("assumption")
    assert "prohibit it from paying the put in cash" in facts.source("capacity.cash_put_allowed")
    assert "312.03(c)" in facts.source("capacity.nyse_approval_pct")


def test_a_desk_file_without_a_source_names_the_field(tmp_path):
    text = capacity.EXCHANGE_DESK_PATH.read_text(encoding="utf-8")
    broken = text.replace(
        '[capacity.nyse_approval_pct]\nvalue = "20"\nsource', '[capacity.nyse_approval_pct]\nvalue = "20"\nnote'
    )
    path = tmp_path / "desk.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InputError, match=r"\[capacity.nyse_approval_pct\] must be a table with 'value' and 'source'"):
        capacity.load_desk_file(path)


def test_cash_put_allowed_pays_a_breaching_put_in_cash_and_keeps_the_default_figures():
    """At $1.00 the 2004-08-02 put needs ceil(1,885,000,000 / 1.00) shares, over 20% of those outstanding: with
    cash_put_allowed = yes it is paid in cash; the default (no) issues the stock as before."""
    stock = run_scenario(parse_params({"price": 1.0}))
    cash = run_scenario(parse_params({"price": 1.0, "cash_put_allowed": "yes"}))
    assert stock.summary["redemption_shares"] == 1_885_000_000
    assert cash.summary["redemption_shares"] == 0
    assert cash.summary["dividend_shares"] == stock.summary["dividend_shares"]
    # no cap binds at $20 (conversion, no stock settlement): the policy changes nothing
    high = [run_scenario(parse_params({"price": 20.0, "cash_put_allowed": c})).summary for c in ("no", "yes")]
    assert high[0] == high[1]


def test_montecarlo_to_2031_at_defaults_completes_and_reports_breach_probabilities():
    """Issue 23: `montecarlo --horizon 2031-08-01 --paths 100000` at the defaults completes and reports them."""
    result = run_cli("montecarlo", "--horizon", "2031-08-01", "--paths", "100000", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["paths"] == 100_000
    for name in BREACHES:
        assert 0 <= payload[f"breach_probability_{name}"] <= 1
    assert payload["breach_probability_settlement_needs_shareholder_approval"] > 0
    assert payload["breaching_settlement_shares_needed_p50"] >= 686_537_753  # at least 20% of the base


def test_no_path_is_dropped_silently():
    """put = none to 2031: paths past the model limit are counted as breaches (exceeding authorized), with cash
    allowed the breaching settlements are paid in cash, and every probability is over every path."""
    params = parse_params({"horizon": "2031-08-01", "put": "none", "cash_put_allowed": "yes"})
    result = run_monte_carlo(params, 0.6, 4000, seed=1, exclude_over_limit=True)
    assert result.capacity is not None
    p = result.capacity.probability
    assert p["past_model_limit"] == result.over_limit_paths / result.paths
    assert p["settlement_exceeds_authorized"] >= p["past_model_limit"]
    assert p["settlement_paid_in_cash"] > 0 and p["settlement_needs_shareholder_approval"] == 0
