"""The offer evaluator: what an exchange offer of R common per preferred is worth on date D at price S.

Notation (per preferred share; one share carried $1,000 of liquidation preference at issue)
    R     common shares offered per preferred         S   common price on D (USD)
    LP_D  accreted liquidation preference on D (USD; $1,000 while dividends are paid)
    V     value delivered = R × S
    d_i   the remaining dividend dates (Feb 1 / Aug 1) after D up to the first put date T on or after D
    t_i   = (d_i − D) / 365 (actual/365)

Outputs
    value_delivered_usd   V = R × S                               (380 × $0.76 = $288.80)
    value_pct_of_lp       100 × V / LP_D                           (28.88 %)
    yield_to_put          y, annual effective, solving  V = Σ_i c (1 + y)^(−t_i) + LP_D (1 + y)^(−t_T)
                          with c = LP_D × 8% / 2 ($40 per $1,000) on each d_i, and LP_D on T (2004-08-02)
                          (guarded bracketing solver: y in (−99 %, 10^6); None when V is outside the bracket)
    implied_spread        the credit spread at which the lattice's fair value equals V (``calc.model.implied_spread``,
                          through ``implied_spread_adapter``; None with the reason when there is none)
    breakeven_price_usd   the flat price where waiting issues R per preferred (``calc.model.breakeven``)
    d42                   ΔIAC = CV − n × V and its basic EPS effect ΔIAC / W (``calc.model.inducement``)
    inducement_usd        (floor(n × R) − N_k) × S, N_k the conversion at the original terms
    capacity              the exchange's shares floor(n × R) (per transaction, and cumulative with the
                          related issuances the user names) and the alternative, a stock-settled put of the
                          class at T, against the caps of ``calc.model.capacity``, with their binding prices
n defaults to the class outstanding on D, O to the shares outstanding on D (``outstanding_common_on``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from calc.errors import InputError
from calc.model import breakeven, capacity, inducement
from calc.model.allocation import HolderBook
from calc.model.capacity import DeskFacts
from calc.model.implied_spread import implied_spread
from calc.model.inputs_registry import OFFER_PRICE
from calc.model.ledger import Event
from calc.model.params import ScenarioParams
from calc.model.schedule import dividend_dates
from calc.model.terms import Terms

DAYS_PER_YEAR = 365  # actual/365
LOG_GROWTH_BRACKET = (math.log(0.01), math.log(1e6 + 1))  # u = log(1 + y): y from −99 % to 10^6
SOLVER_STEPS = 100  # bisection halvings of the bracket in u (width 18.4 → below 1e-29)
DEFAULT_VOLATILITY = 0.6  # assumption: the issue's distressed case (σ 60 %)
DEFAULT_RATE = 0.03  # assumption: the issue's risk-free rate (r 3 %)


@dataclass(frozen=True, eq=False)
class Desk:
    """What an evaluation reads besides the offer, loaded by the entry points (``calc.inputs.data.load_desk``):
    the terms, the exchange-desk facts, the scenario defaults the break-even runs at, the holder book, the
    cover-page common counts (``date``, ``common_shares_outstanding``) and the replayed 2002 exchanges."""

    terms: Terms
    facts: DeskFacts
    defaults: ScenarioParams
    book: HolderBook
    actual_shares: pd.DataFrame
    history: tuple[Event, ...]

    @property
    def caps(self) -> capacity.StockCaps:
        return capacity.stock_caps(self.terms, self.facts)


@dataclass(frozen=True)
class PutFlows:
    """The holder's cash flows to the first put date on or after D, per preferred share."""

    dates: tuple[dt.date, ...]
    amounts_usd: np.ndarray
    years: np.ndarray  # actual/365 from D


def value_delivered_usd(ratio: Fraction | float, price_usd: np.ndarray | float) -> np.ndarray:
    """V = R × S per preferred share (vectorized over S)."""
    return float(ratio) * np.asarray(price_usd, dtype=float)


def first_put_on_or_after(terms: Terms, date: dt.date) -> dt.date:
    """T: the first holder put date on or after D (InputError when none is left)."""
    later = [d for d in terms.preferred.put_dates if d >= date]
    if not later:
        raise InputError(f"date: {date} is after the last put date {terms.preferred.put_dates[-1]}")
    return later[0]


def put_flows(date: dt.date, lp_usd: float, terms: Terms) -> PutFlows:
    """c = LP × 8% / 2 on each dividend date in (D, T], then LP on T."""
    put = first_put_on_or_after(terms, date)
    coupon = lp_usd * float(terms.preferred.dividend_rate) / terms.preferred.dividends_per_year
    dates = (*dividend_dates(terms, date, put), put)
    amounts = np.array([coupon] * (len(dates) - 1) + [lp_usd])
    years = np.array([(d - date).days / DAYS_PER_YEAR for d in dates])
    return PutFlows(tuple(dates), amounts, years)


def present_value(flows: PutFlows, log_growth: np.ndarray) -> np.ndarray:
    """Σ CF_i exp(−u t_i) for each u = log(1 + y) (vectorized over u)."""
    return np.exp(-np.multiply.outer(log_growth, flows.years)) @ flows.amounts_usd


def yield_to_put(value_usd: np.ndarray | float, flows: PutFlows) -> np.ndarray:
    """y with present_value(log(1 + y)) = V, per V (vectorized bisection on u = log(1 + y)).

    The present value falls strictly in u (every flow is positive), so a bracket [u_lo, u_hi] with
    PV(u_lo) ≥ V ≥ PV(u_hi) holds exactly one root; a V outside it gives NaN, never a wrong number."""
    value = np.atleast_1d(np.asarray(value_usd, dtype=float))
    lo = np.full(value.shape, LOG_GROWTH_BRACKET[0])
    hi = np.full(value.shape, LOG_GROWTH_BRACKET[1])
    inside = (present_value(flows, lo) >= value) & (present_value(flows, hi) <= value) & (value > 0)
    inside &= flows.years[-1] > 0  # on the put date itself no yield is defined (every flow is due now)
    for _ in range(SOLVER_STEPS):
        mid = (lo + hi) / 2
        above = present_value(flows, mid) > value  # root to the right
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.where(inside, np.expm1((lo + hi) / 2), np.nan)


def implied_spread_adapter(
    value_usd: float, price_usd: float, date: dt.date, volatility: float, rate: float, terms: Terms
) -> tuple[float | None, str]:
    """(spread, note): ``calc.model.implied_spread.implied_spread`` (the ``hazard`` lattice, 800 steps) on the
    scenario's default policies (stock dividends, stock-settled puts, no call: ``calc.model.valuation.ValuationPolicy``)
    and ``terms``; no spread up to 300 %, or inputs the lattice refuses, give (None, the reason)."""
    try:
        solved = implied_spread(
            value_usd,
            price_usd=price_usd,
            valuation_date=date,
            volatility_rate=volatility,
            risk_free_rate=rate,
            terms=terms,
        )
    except InputError as exc:
        return None, f"valuation not available: {exc}"
    if solved.spread_rate is None:
        return None, solved.message
    return solved.spread_rate, "the spread at which the lattice fair value equals the value delivered"


def outstanding_common_on(date: dt.date, desk: Desk) -> int:
    """O: the last cover-page count on or before D (``data/common_shares_actual.csv``; else the terms' count)
    plus the common of the replayed exchanges dated after that count and before D (data/history.csv)."""
    actual = desk.actual_shares
    before = actual[actual["date"] <= date]
    if before.empty:
        return desk.terms.market.common_shares_outstanding
    counted = before.iloc[-1]
    since = [e for e in desk.history if counted["date"] < e.date < date]
    return int(counted["common_shares_outstanding"]) + sum(e.common_shares or 0 for e in since)


def preferred_outstanding_on(date: dt.date, desk: Desk) -> int:
    """Preferred left on D: the 1,885,000 issued less the replayed exchanges dated before D (data/history.csv)."""
    retired = sum(e.preferred_shares or 0 for e in desk.history if e.date < date)
    return desk.terms.preferred.shares_issued - retired


@dataclass(frozen=True)
class Offer:
    """The inputs of one evaluation (``preferred_shares`` n: the preferred the offer retires)."""

    ratio: Fraction  # R
    date: dt.date  # D
    price_usd: float  # S
    lp_usd: float = 1000.0  # LP_D
    preferred_shares: int | None = None  # None: the class outstanding on D
    base_shares: int | None = None  # O; None: the cover-page count on or before D
    volatility: float = DEFAULT_VOLATILITY
    rate: float = DEFAULT_RATE
    carrying_value_usd: float | None = None  # CV of the n retired; None: n × $1,680M / 1,710,000
    related_common_shares: int = 0  # common of earlier issuances in a series the user marks as related
    weighted_shares: int | None = None  # W of the period for the EPS effect (None: not asked)
    income_available_usd: float | None = None  # IAC of the period before the adjustment

    def problems(self) -> list[str]:
        found = []
        if not OFFER_PRICE.within(self.price_usd):  # False for NaN; infinity is above the bound
            found.append(f"price: {self.price_usd:.6g} must be above 0 and at most {OFFER_PRICE.bounds[1]:,.0f} USD")
        if not 0 < self.lp_usd <= 1e6 or not math.isfinite(self.lp_usd):
            found.append(f"lp_usd: {self.lp_usd:.6g} must be above 0 and at most 1,000,000 USD")
        if self.preferred_shares is not None and not 1 <= self.preferred_shares <= 10**9:
            found.append(f"preferred_shares: {self.preferred_shares:,} must be from 1 to 1,000,000,000")
        if self.ratio * (self.preferred_shares or 1) > 10**15:
            found.append("common_per_preferred: floor(n × R) must be at most 10^15 shares")
        if self.carrying_value_usd is not None and not 0 <= self.carrying_value_usd <= 1e12:
            found.append(f"carrying_value_usd: {self.carrying_value_usd:.6g} must be from 0 to 10^12 USD")
        if not 0 <= self.related_common_shares <= 10**15:
            found.append("related_common_shares: must be from 0 to 10^15")
        if self.weighted_shares is not None and not 1 <= self.weighted_shares <= 10**13:
            found.append("weighted_shares: must be from 1 to 10^13")
        if self.income_available_usd is not None and not abs(self.income_available_usd) <= 1e12:
            found.append("income_available_usd: must be from -10^12 to 10^12 USD")
        return found


def validated(offer: Offer, desk: Desk) -> Offer:
    """The offer with its defaults filled in (n, O); InputError naming every problem."""
    terms = desk.terms
    problems = offer.problems()
    if not terms.preferred.issue_date <= offer.date <= terms.preferred.put_dates[-1]:
        problems.append(f"date: {offer.date} must be from the issue date to the last put date")
    if problems:
        raise InputError(f"invalid offer: {len(problems)} problem(s)", problems)
    return dataclasses.replace(
        offer,
        preferred_shares=offer.preferred_shares or preferred_outstanding_on(offer.date, desk),
        base_shares=offer.base_shares or outstanding_common_on(offer.date, desk),
    )


def breakeven_price_usd(offer: Offer, desk: Desk) -> float | None:
    """``calc.model.breakeven.breakeven_price`` for R on D, the scenario's defaults with the window D → T."""
    params = dataclasses.replace(
        desk.defaults,
        price=offer.price_usd,
        valuation_date=offer.date,
        horizon=first_put_on_or_after(desk.terms, offer.date),
    )
    s = breakeven.setup(params, None, (), desk.terms, desk.book, caps=desk.caps)
    return breakeven.breakeven_price(s, float(offer.ratio))


def capacity_report(offer: Offer, terms: Terms, facts: DeskFacts) -> dict[str, object]:
    """The exchange (floor(n × R) shares) and its alternative (the class put in stock at T at S, LP) checked."""
    n, o = offer.preferred_shares or 0, offer.base_shares or 0
    exchange = capacity.check(capacity.Issuance("exchange", math.floor(n * offer.ratio), o), terms, facts)
    put_usd = n * offer.lp_usd
    put_shares = math.ceil(Fraction(put_usd) / Fraction(repr(offer.price_usd)))
    put = capacity.check(capacity.Issuance("put", put_shares, o, 0, put_usd), terms, facts)
    series = capacity.series_lines([offer.related_common_shares, exchange[0].shares_needed], o, facts)[-1]
    whole = terms.preferred.shares_issued * float(terms.preferred.initial_liquidation_preference_usd)
    return {
        "preferred_shares": n,
        "outstanding_before_shares": o,
        "exchange": [line.as_dict() for line in (*exchange, series)],
        "stock_put_at_price": [line.as_dict() for line in put],
        "class_put_binding_prices_usd": capacity.class_binding_prices(whole, o, terms, facts),
    }


def d42_report(offer: Offer, value_usd: float, facts: DeskFacts) -> dict[str, object]:
    """ΔIAC of the n retired (``calc.model.inducement``) and, with W, its basic EPS effect."""
    n = offer.preferred_shares or 0
    per_share = float(inducement.carrying_per_preferred_usd(facts))
    carrying = offer.carrying_value_usd if offer.carrying_value_usd is not None else n * per_share
    adjustment = carrying - n * value_usd
    report: dict[str, object] = {
        "fair_value_usd": n * value_usd,
        "carrying_value_usd": carrying,
        "d42_adjustment_usd": adjustment,
    }
    if offer.weighted_shares is not None:
        report |= inducement.eps_effect(adjustment, offer.weighted_shares, offer.income_available_usd)
    return report


def evaluate(offer: Offer, desk: Desk) -> dict[str, object]:
    """The ``offer --json`` payload (module docstring)."""
    terms, facts = desk.terms, desk.facts
    offer = validated(offer, desk)
    value = float(value_delivered_usd(offer.ratio, offer.price_usd))
    flows = put_flows(offer.date, offer.lp_usd, terms)
    ytp = float(yield_to_put(value, flows)[0])
    spread, spread_note = implied_spread_adapter(
        value, offer.price_usd, offer.date, offer.volatility, offer.rate, terms
    )
    return {
        "date": offer.date.isoformat(),
        "common_per_preferred": float(offer.ratio),
        "price_usd": offer.price_usd,
        "lp_usd": offer.lp_usd,
        "value_delivered_usd": value,
        "value_pct_of_lp": 100 * value / offer.lp_usd,
        "yield_to_put": None if math.isnan(ytp) else ytp,
        "put_date": flows.dates[-1].isoformat(),
        "quoted_yield_to_put": float(facts.quoted_yield_to_put),
        "implied_spread": spread,
        "implied_spread_note": spread_note,
        "breakeven_price_usd": breakeven_price_usd(offer, desk),
        "d42": d42_report(offer, value, facts),
        "inducement_usd": inducement_usd(offer, terms),
        "capacity": capacity_report(offer, terms, facts),
    }


def inducement_usd(offer: Offer, terms: Terms) -> float:
    """I = (floor(n × R) − N_k) × S for this offer (``calc.model.inducement.exchange``)."""
    n = offer.preferred_shares or 0
    return inducement.exchange(offer.date, n, math.floor(n * offer.ratio), offer.price_usd, terms).inducement_usd
