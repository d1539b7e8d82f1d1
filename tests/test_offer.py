"""The offer evaluator (issue 23): value delivered, yield to put, implied spread adapter, break-even, D-42,
inducement and capacity."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import breakeven, offer
from calc.capacity import load_desk_facts
from calc.data import load_terms
from calc.inducement import carrying_per_preferred_usd, eps_effect, inducement_comparison, replayed_exchanges
from calc.params import default_params
from tests.helpers import run_cli

OCT_23 = dt.date(2002, 10, 23)


def offer_json(*extra: str) -> dict:
    result = run_cli(
        "offer", "--common-per-preferred", "380", "--date", "2002-10-23", "--price", "0.76", "--json", *extra
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_october_2002_exchange_delivered_288_80_per_1000():
    """Issue 23 golden: 380 common at $0.76 (Reuters, 2002-10-23) = $288.80 of stock per $1,000 of LP, 28.88%."""
    payload = offer_json()
    assert payload["value_delivered_usd"] == pytest.approx(288.80, abs=1e-9)
    assert payload["value_pct_of_lp"] == pytest.approx(28.88, abs=1e-9)
    assert payload["put_date"] == "2004-08-02"


def test_yield_to_put_by_hand():
    """Hand calculation (actual/365 from 2002-10-23): $40 on 2003-02-01 (101 days), 2003-08-01 (282), 2004-02-01
    (466), 2004-08-01 (648) and $1,000 on the 2004-08-02 put (649 days). At y = 137.42 % their present values are
    31.49 + 20.51 + 13.26 + 8.62 + 214.93 = 288.81 and at 137.43 % 288.79: the yield to put of $288.80 is 137.42 %
    (Goldman Sachs quoted '45 %+' on 2002-07-11, with the common near twice the price)."""
    y = offer_json()["yield_to_put"]
    days = (101, 282, 466, 648, 649)
    flows = (40.0, 40.0, 40.0, 40.0, 1000.0)
    pv = lambda rate: sum(c * (1 + rate) ** (-d / 365) for c, d in zip(flows, days))  # noqa: E731
    assert pv(1.3742) > 288.80 > pv(1.3743)
    assert round(y, 4) == 1.3742
    assert pv(y) == pytest.approx(288.80, abs=1e-8)


def test_put_flows_follow_the_dividend_dates():
    flows = offer.put_flows(OCT_23, 1000.0, load_terms())
    assert [d.isoformat() for d in flows.dates] == [
        "2003-02-01",
        "2003-08-01",
        "2004-02-01",
        "2004-08-01",
        "2004-08-02",
    ]
    assert flows.amounts_usd.tolist() == [40.0, 40.0, 40.0, 40.0, 1000.0]


def test_the_solver_reports_none_rather_than_a_wrong_number():
    flows = offer.put_flows(OCT_23, 1000.0, load_terms())
    outside = offer.yield_to_put(np.array([1e12, 1e-12, 0.0]), flows)
    assert np.isnan(outside).all()
    on_the_put_date = offer.put_flows(dt.date(2004, 8, 2), 1000.0, load_terms())
    assert np.isnan(offer.yield_to_put(1000.0, on_the_put_date)).all()  # every flow due now: no yield


@settings(deadline=None)  # a shared 2-core machine: no timing in tests
@given(st.floats(1.0, 5000.0), st.floats(1.0, 5000.0))
def test_yield_to_put_falls_as_the_value_delivered_rises(a, b):
    flows = offer.put_flows(OCT_23, 1000.0, load_terms())
    ya, yb = offer.yield_to_put(np.array([a, b]), flows)
    if a < b:
        assert ya >= yb
    pv = offer.present_value(flows, np.log1p(np.array([ya])))[0]
    assert pv == pytest.approx(a, rel=1e-9)


def test_implied_spread_adapter_without_and_with_valuation(monkeypatch):
    """The lattice (calc.valuation) is built on another branch: absent, the adapter says so; present (a stub
    here), its answer is passed through and its 'no spread' is reported as such."""
    monkeypatch.setitem(sys.modules, "calc.valuation", None)  # import fails: the module is absent
    spread, note = offer.implied_spread_adapter(288.8, 0.76, OCT_23, 0.6, 0.03)
    assert spread is None and note.startswith("valuation not available")
    stub = types.ModuleType("calc.valuation")
    stub.implied_spread = lambda **kwargs: 0.42 if kwargs["value_usd"] == 288.8 else None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "calc.valuation", stub)
    assert offer.implied_spread_adapter(288.8, 0.76, OCT_23, 0.6, 0.03)[0] == 0.42
    spread, note = offer.implied_spread_adapter(1.0, 0.76, OCT_23, 0.6, 0.03)
    assert spread is None and "no spread up to 300 %" in note


def test_breakeven_is_the_existing_rule():
    terms = load_terms()
    params = default_params(terms)
    params = type(params)(
        **(params.as_dict() | {"price": 0.76, "valuation_date": OCT_23, "horizon": dt.date(2004, 8, 2)})
    )
    expected = breakeven.breakeven_price(breakeven.setup(params, None, (), terms), 380.0)
    assert offer_json()["breakeven_price_usd"] == expected


def test_d42_adjustment_and_eps_effect():
    """CV per preferred = $1,680M / 1,710,000 (2003 annual report); 100,000 retired for $288.80 each add
    100,000 × ($982.46 − $288.80) to income available to common."""
    per_share = float(carrying_per_preferred_usd(load_desk_facts()))
    assert per_share == pytest.approx(982.4561403508772)
    payload = offer_json(
        "--preferred-shares", "100000", "--weighted-shares", "3500000000", "--income-available-usd", "-1e9"
    )
    d42 = payload["d42"]
    assert d42["fair_value_usd"] == pytest.approx(28_880_000)
    assert d42["d42_adjustment_usd"] == pytest.approx(100_000 * per_share - 28_880_000)
    assert d42["basic_eps_effect_usd"] == pytest.approx(d42["d42_adjustment_usd"] / 3.5e9)
    assert d42["basic_eps_after_usd"] - d42["basic_eps_before_usd"] == pytest.approx(d42["basic_eps_effect_usd"])
    given = offer_json("--preferred-shares", "100000", "--carrying-value-usd", "50000000")["d42"]
    assert given["d42_adjustment_usd"] == pytest.approx(50_000_000 - 28_880_000)


def test_eps_effect_needs_a_period():
    with pytest.raises(ValueError, match="weighted_shares"):
        eps_effect(1.0, 0, None)


def test_inducement_of_the_replayed_exchanges_beside_the_reported_125m():
    """58,000,000 common for 175,000 preferred against floor(175,000 × 168.3502) = 29,461,285 by conversion;
    38,000,000 for 100,000 against 16,835,020. The comparison keeps its residual, whatever it is."""
    rows = replayed_exchanges()
    assert [(r.common_shares, r.conversion_shares) for r in rows] == [
        (58_000_000, 29_461_285),
        (38_000_000, 16_835_020),
    ]
    assert rows[1].price_usd == pytest.approx(1.89 + (0.76 - 1.89) * 49 / 57)
    report = inducement_comparison()
    assert report["reported_inducement_usd"] == 125_000_000 and report["reported_preferred_retired_usd"] == 555e6
    assert report["replay_inducement_usd"] == pytest.approx(sum(r.inducement_usd for r in rows))
    assert report["residual_usd"] == pytest.approx(125e6 - report["replay_scaled_to_reported_retired_usd"])
    assert "$275M of the $555M" in report["explanation"]


def test_capacity_of_the_offer_and_its_alternative():
    cap = offer_json()["capacity"]
    assert cap["preferred_shares"] == 1_610_000  # 1,885,000 less the two 2002 exchanges
    assert cap["outstanding_before_shares"] == 3_432_688_763 + 58_000_000 + 38_000_000
    exchange = {line["cap"]: line for line in cap["exchange"]}
    assert exchange["nyse_20pct"]["shares_needed"] == 380 * 1_610_000 and not exchange["nyse_20pct"]["binds"]
    put = {line["cap"]: line for line in cap["stock_put_at_price"]}
    assert put["nyse_20pct"]["binds"] and put["nyse_20pct"]["binding_price_usd"] == pytest.approx(
        1_610_000_000 / (0.2 * cap["outstanding_before_shares"])
    )
    related = offer_json("--related-common-shares", "100000000")["capacity"]["exchange"][-1]
    assert related["cap"] == "nyse_20pct_series" and related["binds"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--price", "0"), "--price"),
        (("--price", "200000"), "price: 200000 must be above 0"),
        (("--price", "1", "--date", "2030-01-01"), "date: 2030-01-01 must be from the issue date to the last put date"),
    ],
)
def test_bad_input_names_the_field(args, message):
    base = {"--price": "0.76", "--date": "2002-10-23"}
    base |= dict(zip(args[::2], args[1::2]))
    result = run_cli("offer", "--common-per-preferred", "380", *[x for kv in base.items() for x in kv])
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_ratio_is_kept_exact():
    assert offer.Offer(Fraction("331.43"), OCT_23, 1.0).ratio == Fraction(33143, 100)
