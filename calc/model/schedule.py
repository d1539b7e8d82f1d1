"""Event dates of a projection window and the price path at those dates.

Window: (valuation_date, horizon]. Events, one column per distinct date:
  start        the valuation date itself (column 0, always present)
  dividend     Feb 1 / Aug 1 strictly after the valuation date, on or before the horizon
  put          holder put dates in the window (terms ``preferred.put_dates``)
  mandatory    the mandatory redemption date, if in the window
  conversion   ``conversion_date`` when ``conversion = all``
  exchange     ``exchange_date`` when given
  ledger       dates of ledger rows (``calc.model.ledger``)
  call         ``call_date`` when ``call = date``
  horizon      the horizon itself (always present)
``callable`` marks the dividend dates on or after the issuer's first call date
(checked by ``call = rational``).
On one date the steps run in this order: dividend, ledger rows (file order),
conversion (all), exchange, put/call decisions, mandatory redemption.

Time: years t = (date − valuation_date) / 365.25 days.
Deterministic price: P_t = P_0 × (1 + drift)^t.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np

from calc.model.conversion import rate_at
from calc.model.terms import Terms

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Schedule:
    dates: tuple[dt.date, ...]
    years: np.ndarray  # (E,) years since the valuation date
    is_dividend: np.ndarray  # (E,) bool
    is_put: np.ndarray
    is_mandatory: np.ndarray
    is_conversion: np.ndarray  # conversion_date column (used only by conversion = all)
    is_exchange: np.ndarray
    after_exchange: np.ndarray  # (E,) bool: strictly after the exchange date
    is_ledger: np.ndarray  # (E,) bool: a ledger row's date
    is_call: np.ndarray  # (E,) bool: call_date (call = date)
    callable: np.ndarray  # (E,) bool: dividend date on or after the issuer's first call date
    rate: np.ndarray  # (E,) conversion rate in force (float)
    exact_rate: tuple[Fraction, ...]  # (E,) the same rates exactly, as stated in the terms

    @property
    def size(self) -> int:
        return len(self.dates)

    def decision_columns(self, callable_dates: bool) -> np.ndarray:
        """Indices of the columns where the class can leave: put, mandatory, conversion and call dates,
        and the callable dividend dates if ``callable_dates`` (some path calls when the price triggers it)."""
        leave = self.is_put | self.is_mandatory | self.is_conversion | self.is_call
        return np.flatnonzero(leave | self.callable if callable_dates else leave)

    def select(self, columns: np.ndarray) -> Schedule:
        """The schedule restricted to ``columns`` (increasing indices)."""
        arrays = {f.name: getattr(self, f.name)[columns] for f in fields(self) if f.name not in ("dates", "exact_rate")}
        return Schedule(
            dates=tuple(self.dates[c] for c in columns),
            exact_rate=tuple(self.exact_rate[c] for c in columns),
            **arrays,
        )

    def labels(self) -> list[str]:
        """Human-readable event names per column, e.g. 'dividend + put'."""
        names = []
        flags = (
            ("dividend", self.is_dividend),
            ("ledger", self.is_ledger),
            ("conversion", self.is_conversion),
            ("exchange", self.is_exchange),
            ("put", self.is_put),
            ("call", self.is_call),
            ("mandatory redemption", self.is_mandatory),
        )
        for e in range(self.size):
            parts = [name for name, mask in flags if mask[e]]
            if e == 0:
                parts.insert(0, "start")
            if e == self.size - 1:
                parts.append("horizon")
            names.append(" + ".join(parts))
        return names


def dividend_dates(terms: Terms, after: dt.date, until: dt.date) -> list[dt.date]:
    """Dividend dates d with after < d <= until (month/day pairs from the terms)."""
    dates = []
    for year in range(after.year, until.year + 1):
        for month, day in terms.preferred.dividend_months_days:
            date = dt.date(year, month, day)
            if after < date <= until and date >= terms.preferred.first_dividend_date:
                dates.append(date)
    return sorted(dates)


def build_schedule(
    terms: Terms,
    valuation_date: dt.date,
    horizon: dt.date,
    conversion_date: dt.date | None,
    exchange_date: dt.date | None,
    ledger_dates: tuple[dt.date, ...] = (),
    call_date: dt.date | None = None,
) -> Schedule:
    """Event columns for a window; ``conversion_date`` only when some path converts all,
    ``call_date`` only when some path calls on a date."""
    in_window = lambda d: valuation_date < d <= horizon  # noqa: E731
    dividends = set(dividend_dates(terms, valuation_date, horizon))
    puts = {d for d in terms.preferred.put_dates if in_window(d)}
    mandatory = {d for d in [terms.preferred.mandatory_redemption_date] if in_window(d)}
    extra = {d for d in (conversion_date, exchange_date, call_date) if d is not None}
    ledger = set(ledger_dates)
    dates = tuple(sorted({valuation_date, horizon} | dividends | puts | mandatory | extra | ledger))
    mark = lambda chosen: np.array([d in chosen for d in dates])  # noqa: E731
    return Schedule(
        dates=dates,
        years=np.array([(d - valuation_date).days / DAYS_PER_YEAR for d in dates]),
        is_dividend=mark(dividends),
        is_put=mark(puts),
        is_mandatory=mark(mandatory),
        is_conversion=mark({conversion_date} if conversion_date else set()),
        is_exchange=mark({exchange_date} if exchange_date else set()),
        after_exchange=np.array([exchange_date is not None and d > exchange_date for d in dates]),
        is_ledger=mark(ledger),
        is_call=mark({call_date} if call_date else set()),
        callable=mark({d for d in dividends if d >= terms.preferred.issuer_call_from}),
        rate=np.array([float(rate_at(terms, d)) for d in dates]),
        exact_rate=tuple(Fraction(rate_at(terms, d)) for d in dates),
    )


def deterministic_prices(price: np.ndarray, drift: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(P, E) prices ``P_0 × (1 + drift)^t`` computed as ``P_0 × exp(t × log1p(drift))``."""
    return price[:, None] * np.exp(years[None, :] * np.log1p(drift)[:, None])
