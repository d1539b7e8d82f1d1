"""calc.model.schedule: dividend dates of a window, against a day-by-day reference."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from calc.inputs.data import load_terms
from calc.model.schedule import dividend_dates
from tests.strategies import dates


@given(after=dates(), days=st.integers(0, 4000))
def test_dividend_dates_are_every_dividend_day_of_the_window(after, days):
    """Exactly the days d with after < d <= until that are a terms dividend month/day on or after the first
    dividend date (Feb 1 and Aug 1 from 2002-02-01), ascending, each once."""
    terms = load_terms()
    until = min(after + dt.timedelta(days=days), dt.date(2031, 8, 1))
    pairs = set(terms.preferred.dividend_months_days)
    expected = [
        after + dt.timedelta(days=k)
        for k in range(1, (until - after).days + 1)
        if ((after + dt.timedelta(days=k)).month, (after + dt.timedelta(days=k)).day) in pairs
        and after + dt.timedelta(days=k) >= terms.preferred.first_dividend_date
    ]
    assert dividend_dates(terms, after, until) == expected
