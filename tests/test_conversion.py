"""Exact conversion arithmetic, checked against figures printed in the filing (SUPP)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.errors import InputError
from calc.model.conversion import (
    adjust_for_distribution,
    adjust_for_stock_split,
    conversion_price,
    convert,
    exact_common_shares,
    rate_at,
    registration_shares,
    round_rate,
)


def test_registered_conversion_shares_from_cover(terms):
    # SUPP p. 1: "252,005,273 SHARES OF COMMON STOCK ISSUABLE UPON EXERCISE OF THE
    # CONVERSION PRIVILEGE" = 1,885,000 × 133.6898 = 252,005,273.0 (initial rate).
    assert registration_shares(1_885_000, rate=Decimal("133.6898")) == 252_005_273
    assert terms.registered.conversion_common_shares == 252_005_273


def test_all_preferred_at_current_rate_is_317_340_127(terms):
    # 1,885,000 × 168.3502 = 317,340,127 exactly (SUPP p. 1 rate; cover share count).
    result = convert(
        1_885_000, lp_usd=Decimal("1000"), rate=rate_at(terms, dt.date(2002, 8, 28)), price_usd=Decimal("1.89")
    )
    assert result.common_shares == 317_340_127
    assert result.fractional_share == 0
    assert result.cash_in_lieu_usd == 0


def test_fraction_and_cash_in_lieu():
    # 3 × 168.3502 = 505.0506 -> 505 shares, fraction 0.0506, cash 0.0506 × $1.89 = $0.095634
    result = convert(3, lp_usd=Decimal("1000"), rate=Decimal("168.3502"), price_usd=Decimal("1.89"))
    assert result.common_shares == 505
    assert result.fractional_share == Fraction("0.0506")
    assert result.cash_in_lieu_usd == Fraction("0.095634")


def test_accreted_liquidation_preference_scales_conversion():
    # LP $1,040 (one unpaid 4% dividend): 10 × 1.04 × 168.3502 = 1,750.84208 -> 1,750
    assert convert(10, lp_usd=Decimal("1040"), rate=Decimal("168.3502"), price_usd=Decimal("2")).common_shares == 1750


def test_rate_history(terms):
    assert rate_at(terms, dt.date(2001, 8, 6)) == Decimal("133.6898")
    assert rate_at(terms, dt.date(2002, 5, 31)) == Decimal("133.6898")
    assert rate_at(terms, dt.date(2002, 6, 1)) == Decimal("168.3502")
    with pytest.raises(InputError, match="before the first conversion rate"):
        rate_at(terms, dt.date(2001, 1, 1))


def test_agere_spinoff_adjustment_reproduces_filing():
    # SUPP p. 1: initial price $7.48 (rate 133.6898) adjusted to $5.94 (rate 168.3502)
    # for the Agere distribution. Any SP, FMV with SP/(SP-FMV) = 34/27 does it,
    # e.g. SP = $3.40, FMV = $0.70 per share.
    initial = Fraction(1000) / Fraction("7.48")
    assert round_rate(initial) == Decimal("133.6898")
    adjusted = adjust_for_distribution(initial, Decimal("3.40"), Decimal("0.70"))
    assert round_rate(adjusted) == Decimal("168.3502")
    assert conversion_price(adjusted) == Fraction("5.94")


def test_adjustment_uses_unrounded_rate():
    # Adjusting the already-rounded 133.6898 would give 168.35011... -> 168.3501, one
    # ten-thousandth short of the filing: the product carries the unrounded rate.
    assert round_rate(adjust_for_distribution(Fraction("133.6898"), 34, 7)) == Decimal("168.3501")


def test_stock_split_adjustment():
    # 2-for-1 split doubles the rate: 168.3502 × 2 = 336.7004
    assert round_rate(adjust_for_stock_split(Fraction("168.3502"), 100, 200)) == Decimal("336.7004")


@pytest.mark.parametrize(
    "call",
    [
        lambda: adjust_for_distribution(Fraction(1), 0, 0),
        lambda: adjust_for_distribution(Fraction(1), 5, 5),
        lambda: adjust_for_distribution(Fraction(1), 5, -1),
        lambda: adjust_for_stock_split(Fraction(1), 0, 10),
        lambda: convert(1, lp_usd=Decimal("1000"), rate=Decimal("168.3502"), price_usd=Decimal("0")),
        lambda: exact_common_shares(-1, lp_usd=1000, rate=Decimal("1")),
        lambda: exact_common_shares(1, lp_usd=0, rate=Decimal("1")),
    ],
)
def test_bad_inputs_rejected(call):
    with pytest.raises(InputError):
        call()


@given(st.integers(0, 10**7), st.integers(1, 10**6))
def test_rounding_never_loses_or_invents_a_share(n, lp_cents):
    lp = Decimal(lp_cents) / 100
    exact = exact_common_shares(n, lp_usd=lp, rate=Decimal("168.3502"))
    delivered = convert(n, lp_usd=lp, rate=Decimal("168.3502"), price_usd=Decimal("1")).common_shares
    registered = registration_shares(n, rate=Decimal("168.3502"), lp_usd=lp)
    assert 0 <= exact - delivered < 1
    assert 0 <= registered - exact < 1
    assert registered - delivered in (0, 1)
    assert delivered == math.floor(exact)
