"""calc.model.rounding: exact floor/ceil of float64 approximations (issue 9 item 1), checked against Fraction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from calc.inputs.params import default_params
from calc.model.engine import in_the_money
from calc.model.rounding import (
    MAX_SHARES,
    OVER_LIMIT,
    ScaledExact,
    SumScaledExact,
    ceil_shares,
    decimal_value,
    exact_at_least,
    floor_shares,
)
from calc.model.scenario import scenario_schedule
from tests.strategies import decimals, share_fractions


@given(whole=st.integers(0, MAX_SHARES - 1), denominator=st.integers(2, 10**12), above=st.booleans())
def test_issue9_item1_floor_ceil_exact_next_to_whole_numbers(whole, denominator, above):
    """Values a hair off a whole number (where float64 rounds onto it) still floor/ceil exactly."""
    exact = whole + Fraction(1, denominator) if above else whole - Fraction(1, denominator) + (whole == 0)
    approx = np.array([float(exact)])
    assert floor_shares(approx, lambda _: exact)[0] == math.floor(exact)
    assert ceil_shares(approx, lambda _: exact)[0] == math.ceil(exact)


def test_issue9_item1_past_the_limit_is_marked_not_wrapped():
    assert ceil_shares(np.array([1e19, np.inf]), lambda _: Fraction(0)).tolist() == [OVER_LIMIT, OVER_LIMIT]


@given(values=st.lists(share_fractions(max_whole=MAX_SHARES - 1, max_denominator=10**6), min_size=1, max_size=8))
def test_floor_ceil_equal_fraction_floor_ceil(values):
    """Any exact value below the limit: floor_shares/ceil_shares of its float64 equal math.floor/ceil."""
    approx = np.array([float(v) for v in values])
    assert floor_shares(approx, lambda c: values[c[0]]).tolist() == [math.floor(v) for v in values]
    assert ceil_shares(approx, lambda c: values[c[0]]).tolist() == [math.ceil(v) for v in values]


@given(x=st.floats(min_value=-1e300, max_value=1e300, allow_nan=False))
def test_decimal_value_round_trips_the_float(x):
    """decimal_value(x) is exact: converting it back gives the same float64."""
    assert float(decimal_value(x)) == x


@given(
    ints=st.lists(st.lists(st.integers(0, 10**9), min_size=3, max_size=3), min_size=1, max_size=4),
    per=st.lists(st.fractions(min_value=0, max_value=10**6, max_denominator=10**7), min_size=4, max_size=4),
)
def test_scaled_exact_settles_cells_as_fraction_does(ints, per):
    """Whole holdings × a per-row rational (integer multiples are all flagged near): the batched
    integer settlement equals Fraction floor/ceil cell by cell."""
    held = np.array(ints, dtype=np.int64)
    exact = ScaledExact(held, lambda s: per[s])
    approx = held * np.array([float(per[s]) for s in range(len(held))])[:, None]
    expected = [[h * per[s] for h in row] for s, row in enumerate(ints)]
    assert floor_shares(approx, exact).tolist() == [[math.floor(v) for v in row] for row in expected]
    assert ceil_shares(approx, exact).tolist() == [[math.ceil(v) for v in row] for row in expected]


@given(
    data=st.data(),
    rows=st.integers(1, 4),
    terms=st.integers(1, 3),
    factor=st.fractions(min_value=Fraction(1, 10**6), max_value=10**3, max_denominator=10**7),
)
def test_sum_scaled_exact_settles_cells_as_fraction_does(data, rows, terms, factor):
    """Σ_k whole numbers × a per-row rational (denominators differ: one common denominator per row):
    the batched integer settlement, ``times`` and ``take_rows`` equal Fraction floor/ceil cell by cell.
    The first term's rational is whole (units), so integer holdings are flagged near and settled exactly."""
    ints = [
        np.array(
            data.draw(st.lists(st.lists(st.integers(0, 10**7), min_size=3, max_size=3), min_size=rows, max_size=rows))
        )
        for _ in range(terms)
    ]
    fractions = st.fractions(min_value=0, max_value=10**3, max_denominator=10**6)
    per = [[Fraction(1), *data.draw(st.lists(fractions, min_size=terms - 1, max_size=terms - 1))] for _ in range(rows)]
    exact = SumScaledExact(tuple(ints), lambda s: tuple(per[s]))
    values = [
        [sum((int(n[s, h]) * per[s][k] for k, n in enumerate(ints)), Fraction(0)) for h in range(3)]
        for s in range(rows)
    ]
    for scaled, expected in (
        (exact, values),
        (exact.times(lambda s: factor), [[v * factor for v in r] for r in values]),
    ):
        approx = np.array([[float(v) for v in row] for row in expected])
        assert floor_shares(approx, scaled).tolist() == [[math.floor(v) for v in row] for row in expected]
        assert ceil_shares(approx, scaled).tolist() == [[math.ceil(v) for v in row] for row in expected]
        assert [[scaled((s, h)) for h in range(3)] for s in range(rows)] == expected
    picked = np.arange(rows)[::-1]
    assert [[exact.take_rows(picked)((i, h)) for h in range(3)] for i in range(rows)] == values[::-1]


def test_a_price_exactly_on_a_product_threshold_is_on_it():
    """A conversion price of $1.04 with a 120% contingent trigger makes the threshold exactly $1.248, which float64
    computes as 1.2480000000000002: a typed price of $1.248 sits on the threshold, not below it."""
    threshold = Fraction("1.04") * 120 / 100
    price = np.array([1.248, 1.2479999999999998, 1.2480000000000002])
    assert not bool(price[0] >= 1.04 * 120.0 / 100.0)  # the float comparison gets it wrong
    got = exact_at_least(price, 1.04 * 120.0 / 100.0, lambda i: decimal_value(price[i]) >= threshold)
    assert got.tolist() == [True, False, True]


@given(
    cp=decimals("0.50", "20", 2),
    trigger_pct=st.sampled_from([Decimal(100), Decimal(110), Decimal(120), Decimal(130), Decimal("133.5")]),
    ulps=st.integers(-3, 3),
)
def test_exact_at_least_agrees_with_fraction_next_to_the_threshold(cp, trigger_pct, ulps):
    """Prices on the threshold and a few float64 steps either side compare as their exact decimals do."""
    threshold = Fraction(cp) * Fraction(trigger_pct) / 100
    price = float(threshold)
    for _ in range(abs(ulps)):
        price = float(np.nextafter(price, np.inf if ulps > 0 else -np.inf))
    prices = np.array([[price]])
    got = exact_at_least(prices, float(cp) * float(trigger_pct) / 100, lambda i: decimal_value(prices[i]) >= threshold)
    assert bool(got[0, 0]) == (decimal_value(price) >= threshold)


@given(ulps=st.integers(-4, 4), column=st.integers(0, 5))
def test_in_the_money_is_decided_exactly(terms, ulps, column):
    """``S × CR ≥ 1000`` for prices next to the conversion price 1000/CR (both rates in force over
    2001-2004: 133.6898, then 168.3502 after the Agere spin-off), against Fraction."""
    params = dataclasses.replace(default_params(), valuation_date=dt.date(2001, 8, 6))
    schedule = scenario_schedule(params, terms)
    cr = schedule.exact_rate[column]
    price = float(1000 / cr)
    for _ in range(abs(ulps)):
        price = float(np.nextafter(price, np.inf if ulps > 0 else -np.inf))
    prices = np.full((1, len(schedule.dates)), price)
    assert bool(in_the_money(schedule, prices)[0, column]) == (decimal_value(price) * cr >= 1000)


def test_both_conversion_rates_are_tried(terms):
    params = dataclasses.replace(default_params(), valuation_date=dt.date(2001, 8, 6))
    assert set(scenario_schedule(params, terms).exact_rate[:6]) == {Fraction("133.6898"), Fraction("168.3502")}
