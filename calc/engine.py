"""Vectorized share-issuance kernel: P paths (or scenarios) × E event dates.

Notation (per path p, event column e)
-------------------------------------
N      preferred shares outstanding at the valuation date (1,885,000)
LP     liquidation preference per share, $1,000.00 at the valuation date
r      semiannual coupon = 8.00% / 2
S      common price at the event;  CR  conversion rate in force
Dividend at a dividend date, on LP at the start of the period (LP_start):
    due_usd = N × LP_start × r
    cash:   no shares
    stock:  ceil(due_usd / (S × sale_factor)) shares, sold by the transfer agent
    accrue: unpaid, LP_end = LP_start × (1 + r)  (compounding semiannually)
After an exchange the instrument is a debenture: interest N × LP × r in cash, LP frozen.
Decisions (the whole class acts together, so the preferred leaves at one date at most):
    in the money  ⇔  conversion value LP/1000 × CR × S ≥ LP  ⇔  S × CR ≥ 1000
    rational = put=rational or conversion=rational   (the holder decides at put dates)
    convert  = conversion=all at its date
             | (not put=all) & rational & (put or mandatory date) & in the money
    redeem   = not convert & (put=all at a put date
                              | put=rational at a put date & not in the money
                              | mandatory redemption date)
Shares at the exit date x (LP_x after that date's dividend):
    conversion  floor(N × LP_x / 1000 × CR_x)          (cash in lieu of the fraction)
    redemption  ceil(N × LP_x / (S_x × put_factor))    if settled in stock, else 0
Every floor/ceil is exact (``calc.rounding``): LP = LP0 × (1 + r)^k with k accruals so far,
CR and r as the decimals in the terms, prices and factors as ``decimal_value``.
Model limit: new shares over the window <= ``calc.rounding.MAX_SHARES`` (10^15), else ``ShareLimitError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from calc.errors import InputError
from calc.params import CONVERSION_POLICIES, DIVIDEND_POLICIES, PUT_POLICIES, SETTLEMENTS, ScenarioParams
from calc.rounding import MAX_SHARES, ceil_shares, decimal_value, floor_shares, quotient
from calc.schedule import Schedule

CASH, STOCK, ACCRUE = (DIVIDEND_POLICIES.index(x) for x in ("cash", "stock", "accrue"))
NONE, ALL, RATIONAL = (PUT_POLICIES.index(x) for x in ("none", "all", "rational"))
assert PUT_POLICIES == CONVERSION_POLICIES
SETTLE_STOCK = SETTLEMENTS.index("stock")
HOLD, CONVERT, REDEEM = 0, 1, 2


@dataclass(frozen=True)
class Policies:
    """Per-path policy arrays, shape (P,)."""

    dividend: np.ndarray  # index into DIVIDEND_POLICIES
    sale_factor: np.ndarray
    put: np.ndarray  # index into PUT_POLICIES
    settlement: np.ndarray  # index into SETTLEMENTS
    put_factor: np.ndarray
    conversion: np.ndarray  # index into CONVERSION_POLICIES

    @classmethod
    def from_params(cls, params: list[ScenarioParams]) -> Policies:
        def codes(name: str, choices: tuple[str, ...]) -> np.ndarray:
            return np.array([choices.index(getattr(p, name)) for p in params], dtype=np.int8)

        return cls(
            dividend=codes("dividend_policy", DIVIDEND_POLICIES),
            sale_factor=np.array([p.sale_factor for p in params]),
            put=codes("put", PUT_POLICIES),
            settlement=codes("put_settlement", SETTLEMENTS),
            put_factor=np.array([p.put_factor for p in params]),
            conversion=codes("conversion", CONVERSION_POLICIES),
        )

    def repeat(self, paths: int) -> Policies:
        """The same (single) policy set for ``paths`` paths."""
        return Policies(**{k: np.repeat(v, paths) for k, v in vars(self).items()})


@dataclass(frozen=True)
class AccretedLP:
    """Exact LP per share: ``LP0 × growth^k`` with k = dividends accrued so far (growth = 1 + r)."""

    lp0_usd: Fraction
    growth: Fraction
    accruals: np.ndarray  # (P, E) int: dividends accrued into LP through each date (after its events)

    def end(self, p: int, e: int) -> Fraction:
        """LP after the events of column e on path p."""
        return self.lp0_usd * self.growth ** int(self.accruals[p, e])

    def start(self, p: int, e: int) -> Fraction:
        """LP before the events of column e on path p."""
        return self.end(p, e - 1) if e > 0 else self.lp0_usd


@dataclass(frozen=True)
class PathResult:
    prices: np.ndarray  # (P, E) USD
    lp_start: np.ndarray  # (P, E) LP per share before the date's events, USD
    lp_end: np.ndarray  # (P, E) LP per share after them, USD
    exit_column: np.ndarray  # (P,) column where the preferred leaves; E if it never does
    exit_action: np.ndarray  # (P,) HOLD, CONVERT or REDEEM
    dividend_due_usd: np.ndarray  # (P, E) preferred dividends due (paid or accrued)
    interest_due_usd: np.ndarray  # (P, E) debenture interest paid in cash
    dividend_shares: np.ndarray  # (P, E) int64
    conversion_shares: np.ndarray  # (P,) int64, issued at exit_column
    redemption_shares: np.ndarray  # (P,) int64, issued at exit_column
    lp: AccretedLP  # exact LP per share, for exact holder-level rounding

    def issued_by_column(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dividend, conversion, redemption) shares per (P, E) column."""
        P, E = self.prices.shape
        at_exit = np.arange(E)[None, :] == self.exit_column[:, None]
        conversion = np.where(at_exit, self.conversion_shares[:, None], 0)
        redemption = np.where(at_exit, self.redemption_shares[:, None], 0)
        return self.dividend_shares, conversion, redemption

    def new_shares_cumulative(self) -> np.ndarray:
        """(P, E) cumulative new common shares from all three sources."""
        dividend, conversion, redemption = self.issued_by_column()
        return np.cumsum(dividend + conversion + redemption, axis=1)


def in_the_money(schedule: Schedule, prices: np.ndarray) -> np.ndarray:
    """(P, E) bool: conversion value ≥ LP, i.e. ``S × CR ≥ 1000`` (price ≥ conversion price)."""
    return prices * schedule.rate[None, :] >= 1000.0


def _decisions(schedule: Schedule, prices: np.ndarray, pol: Policies) -> tuple[np.ndarray, np.ndarray]:
    itm = in_the_money(schedule, prices)
    decision_date = (schedule.is_put | schedule.is_mandatory)[None, :]
    conv_all = (pol.conversion == ALL)[:, None] & schedule.is_conversion[None, :]
    put_all = (pol.put == ALL)[:, None] & schedule.is_put[None, :]
    rational = ((pol.put == RATIONAL) | (pol.conversion == RATIONAL))[:, None]
    conv_rational = rational & decision_date & itm
    put_rational = (pol.put == RATIONAL)[:, None] & schedule.is_put[None, :] & ~itm
    convert = conv_all | (~put_all & conv_rational)
    redeem = ~convert & (put_all | put_rational | schedule.is_mandatory[None, :])
    return convert, redeem


def run_paths(schedule: Schedule, prices: np.ndarray, pol: Policies, n_preferred: int,
              lp0_usd: Fraction, coupon_rate: Fraction, interest_rate: float) -> PathResult:
    """Project every path; see the module docstring for the rules.

    ``coupon_rate`` = r, the preferred's semiannual dividend rate (exact, as LP0); ``interest_rate``
    the debentures' semiannual interest rate (8.00% / 2 as well). Share counts are exact floor/ceil
    (``calc.rounding``); a path whose new shares pass ``MAX_SHARES`` raises ``ShareLimitError``.
    """
    P, E = prices.shape
    rows = np.arange(P)
    preferred_dividend = schedule.is_dividend & ~schedule.after_exchange
    accrues = (pol.dividend == ACCRUE)[:, None] & preferred_dividend[None, :]
    lp_end = float(lp0_usd) * np.cumprod(np.where(accrues, 1.0 + float(coupon_rate), 1.0), axis=1)
    lp_start = np.concatenate([np.full((P, 1), float(lp0_usd)), lp_end[:, :-1]], axis=1)
    accruals = np.cumsum(accrues, axis=1, dtype=np.int16)  # k <= 60 dividend dates
    lp = AccretedLP(lp0_usd, 1 + coupon_rate, accruals)

    convert, redeem = _decisions(schedule, prices, pol)
    acts = convert | redeem
    exit_column = np.where(acts.any(axis=1), acts.argmax(axis=1), E)
    col = np.minimum(exit_column, E - 1)
    exited = exit_column < E
    action = np.where(exited & convert[rows, col], CONVERT, np.where(exited, REDEEM, HOLD)).astype(np.int8)

    lp_exit, price_exit = lp_end[rows, col], prices[rows, col]
    stock_redeem = (action == REDEEM) & (pol.settlement == SETTLE_STOCK)
    conversion = floor_shares(
        n_preferred * lp_exit / 1000.0 * schedule.rate[col],
        lambda i: n_preferred * lp.end(i[0], col[i]) / 1000 * schedule.exact_rate[col[i]], action == CONVERT)
    redemption = ceil_shares(
        quotient(n_preferred * lp_exit, price_exit * pol.put_factor, stock_redeem),
        lambda i: n_preferred * lp.end(i[0], col[i]) / (decimal_value(price_exit[i]) * decimal_value(
            pol.put_factor[i])), stock_redeem)

    alive = np.arange(E)[None, :] <= exit_column[:, None]  # outstanding when the date's coupon is due
    due = n_preferred * lp_start * float(coupon_rate)
    dividend_due = np.where(preferred_dividend[None, :] & alive, due, 0.0)
    stock_dividend = (pol.dividend == STOCK)[:, None] & (dividend_due > 0)
    dividend_shares = ceil_shares(
        quotient(dividend_due, prices * pol.sale_factor[:, None], stock_dividend),
        lambda c: n_preferred * lp.start(*c) * coupon_rate / (decimal_value(prices[c]) * decimal_value(
            pol.sale_factor[c[0]])), stock_dividend)
    interest = n_preferred * lp_start * interest_rate
    interest_due = np.where((schedule.is_dividend & schedule.after_exchange)[None, :] & alive, interest, 0.0)
    result = PathResult(
        prices=prices, lp_start=lp_start, lp_end=lp_end, exit_column=exit_column, exit_action=action,
        dividend_due_usd=dividend_due, interest_due_usd=interest_due, dividend_shares=dividend_shares,
        conversion_shares=conversion, redemption_shares=redemption, lp=lp,
    )
    check_share_limit(result, schedule)
    return result


class ShareLimitError(InputError):
    """New shares on some paths pass ``MAX_SHARES``: ``paths`` (row indices) and where the first does."""

    def __init__(self, paths: np.ndarray, source: str, date: dt.date, prefix: str = "") -> None:
        self.paths, self.source, self.date = paths, source, date
        super().__init__(f"{prefix}{self.where} would bring the new common shares past the model limit of "
                         f"{MAX_SHARES:,} (10^15) shares; choose a higher price or drift, a larger sale/put "
                         "factor or cash settlement")

    @property
    def where(self) -> str:
        return f"{self.source} shares at {self.date.isoformat()}"


def check_share_limit(result: PathResult, schedule: Schedule) -> None:
    """Raise ``ShareLimitError`` naming the first date and source where a path passes the limit.

    Rule: cumulative new common shares (dividend + conversion + redemption) <= MAX_SHARES.
    """
    cumulative = result.new_shares_cumulative()
    over = cumulative[:, -1] > MAX_SHARES
    if not over.any():
        return
    p = int(np.argmax(over))
    e = int(np.argmax(cumulative[p] > MAX_SHARES))
    by_source = dict(zip(("dividend", "conversion", "redemption"), (a[p, e] for a in result.issued_by_column())))
    raise ShareLimitError(np.flatnonzero(over), max(by_source, key=lambda k: by_source[k]), schedule.dates[e])
