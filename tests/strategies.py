"""Shared hypothesis strategies for the property tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st


def crafted_decimals(low: str, high: str) -> st.SearchStrategy[Decimal]:
    """Prices and factors built from the prime factors of N × LP = 2^6 × 5^7 × 13 × 29: they land exactly
    on whole share counts, where float64 error decides."""
    parts = st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 1), st.integers(0, 1), st.integers(0, 4))
    values = parts.map(lambda t: Decimal(2 ** t[0] * 5 ** t[1] * 13 ** t[2] * 29 ** t[3]).scaleb(-t[4]))
    return values.filter(lambda d: Decimal(low) <= d <= Decimal(high))


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    """Crafted decimals (exact share counts) or any decimal in [low, high] with ``places`` decimals."""
    return st.one_of(crafted_decimals(low, high), st.decimals(low, high, places=places))


def share_fractions(max_whole: int = 10**12, max_denominator: int = 9) -> st.SearchStrategy[Fraction]:
    """Non-negative exact entitlements w + n/d: whole part up to ``max_whole`` shares, small denominators
    (so exact ties and values next to a whole number are common)."""
    return st.builds(
        lambda w, d, n: w + Fraction(n % d, d),
        st.integers(0, max_whole),
        st.integers(1, max_denominator),
        st.integers(0, max_denominator),
    )


def dates(first: str = "2001-08-06", last: str = "2031-08-01") -> st.SearchStrategy[dt.date]:
    """Dates in the instrument's life (issue to mandatory redemption) by default."""
    return st.dates(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
