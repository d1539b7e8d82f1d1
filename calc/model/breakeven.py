"""Exchange now or wait: common issued per preferred share retired on date D.

exchange  R common per preferred (the negotiated ratio)
wait      what the same share causes if left outstanding under the scenario's policies,
          in exact (unrounded) shares per preferred share:
            wait = Σ_{D < d ≤ exit, stock dividend at d} LP_start,d × r / (S_d × sale_factor)
                 + c_x   (conversion at the exit: LP_x / 1000 × CR_x)
                 + q_x   (stock-settled put/redemption/call: LP_x / (S_x × put_factor))
                 + o_h   (still outstanding at the horizon: LP_h / 1000 × CR_h as converted)
          (the dividend on D itself goes to holders of record before the exchange; a path
          whose class left before D has wait = 0: there is nothing left to exchange).
For a flat price S (every date), within one regime (same exit date, action and dividend
policies) wait(S) = A / S + C with
    A = Σ stock dividends LP_start × r / sale_factor  +  LP_x / put_factor (stock redemption)
    C = c_x + o_h,
so the break-even price where wait(S) = R is S* = A / (R − C) (closed form, exact). The
regime is found on a geometric grid of flat prices; if wait jumps across R between two
prices (a decision boundary, e.g. the conversion price), the break-even is that boundary,
found by bisection. The lowest such price is reported; None when wait never crosses R
on [MIN_PRICE_USD, MAX_PRICE_USD].

With a dated price path P(d) (``calc.model.scenario_prices``) the scenario's wait is on the path, and the break-even
is on the path scaled to a price s on D: S_s(d) = s × P(d) / P(D) =: s × h_d. Then A = Σ LP_start × r /
(sale_factor × h_d) + LP_x / (put_factor × h_x) and wait(s) = A / s + C as above; the break-even s* is the price on
D (a flat path is h = 1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from calc.errors import InputError
from calc.model import preferred_rules as rules
from calc.model.allocation import HolderBook
from calc.model.capacity import StockCaps
from calc.model.engine import STOCK, PathResult, Policies, dividend_codes
from calc.model.ledger import Event, Plan
from calc.model.montecarlo import PERCENTILES, gbm_prices, validate_mc
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario import coupon_rate, project, scenario_plan, scenario_schedule
from calc.model.scenario_prices import base_prices, path_shape
from calc.model.schedule import Schedule
from calc.model.terms import Terms

MIN_PRICE_USD, MAX_PRICE_USD = 0.01, 1000.0
GRID_POINTS = 2001
BISECTION_STEPS = 80


@dataclass(frozen=True)
class WaitTerms:
    """Per path (P,): ``wait`` for any path; wait = A / S + C for flat prices."""

    wait: np.ndarray
    a_usd: np.ndarray  # A (USD per preferred share; divide by the flat price)
    c_shares: np.ndarray  # C


def wait_terms(
    path: PathResult,
    schedule: Schedule,
    pol: Policies,
    plan: Plan | None,
    terms: Terms,
    from_column: int,
    after: int,
    shape: np.ndarray | None = None,
) -> WaitTerms:
    """Decompose the per-share outcome of the paths; ``from_column``: first column dated on or
    after D, ``after``: first column dated after D; ``shape``: h_d of a scaled price path (None: flat, h = 1)."""
    P, E = path.prices.shape
    columns = np.arange(E)[None, :]
    stock = dividend_codes(schedule, pol, plan or _empty_plan()) == STOCK
    paid = stock & (path.dividend_due_usd > 0) & (columns >= after)
    dividend_usd = np.where(
        paid, rules.dividend_usd(path.lp_start, float(coupon_rate(terms))) / pol.sale_factor[:, None], 0.0
    )
    at_exit = np.minimum(path.exit_column, E - 1)
    exit_price = path.prices[np.arange(P), at_exit]
    live = path.exit_column >= from_column
    h = np.ones(E) if shape is None else shape
    a_usd = (dividend_usd / h[None, :]).sum(axis=1) + path.exit_redemption_per_share * exit_price / h[at_exit]
    c_shares = path.exit_conversion_per_share + path.obtainable_per_share
    wait = (dividend_usd / path.prices).sum(axis=1) + path.exit_redemption_per_share + c_shares
    return WaitTerms(np.where(live, wait, 0.0), np.where(live, a_usd, 0.0), np.where(live, c_shares, 0.0))


def _empty_plan() -> Plan:
    return Plan((), np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.int64), ())


@dataclass(frozen=True)
class Setup:
    params: ScenarioParams
    terms: Terms
    caps: StockCaps
    plan: Plan | None
    schedule: Schedule
    date: dt.date  # D
    from_column: int  # first column dated on or after D
    after: int  # first column dated after D
    prices_path: PricePath | None = None  # a dated price path (None: the drift path; flat sweeps)
    shape: np.ndarray | None = None  # h_d = P(d) / P(D) on the schedule's dates (module docstring)


def setup(
    params: ScenarioParams,
    date: str | None,
    events: tuple[Event, ...],
    terms: Terms,
    book: HolderBook,
    prices_path: PricePath | None = None,
    *,
    caps: StockCaps,
) -> Setup:
    """Schedule and ledger for a break-even on ``date`` (default: the valuation date); ``book``: the holder data
    the events name holders of (the shipped filing's: ``calc.inputs.data.default_book``); ``prices_path``: a dated
    price path; ``caps``: the capacity caps (the shipped ones: ``calc.inputs.data.load_caps``)."""
    day = dt.date.fromisoformat(date) if date else params.valuation_date
    if not params.valuation_date <= day <= params.horizon:
        raise InputError(
            f"date: {day} must lie between valuation_date {params.valuation_date} and horizon {params.horizon}"
        )
    plan = scenario_plan(params, events, terms, book)
    schedule = scenario_schedule(params, terms, plan)
    ordinals = np.array([d.toordinal() for d in schedule.dates])
    return Setup(
        params,
        terms,
        caps,
        plan,
        schedule,
        day,
        int(np.searchsorted(ordinals, day.toordinal(), "left")),
        int(np.searchsorted(ordinals, day.toordinal(), "right")),
        prices_path,
        path_shape(prices_path, schedule.dates, day),
    )


def _run(s: Setup, prices: np.ndarray) -> WaitTerms:
    pol = Policies.from_params([s.params]).repeat(len(prices))
    path = project(s.schedule, prices, pol, s.terms, s.plan, caps=s.caps)
    return wait_terms(path, s.schedule, pol, s.plan, s.terms, s.from_column, s.after, s.shape)


def flat_wait(s: Setup, flat_prices_usd: np.ndarray) -> WaitTerms:
    """Wait terms at flat prices (one path per price); with a price path, the path scaled to each price on D."""
    start = np.asarray(flat_prices_usd, dtype=float)[:, None]
    return _run(s, np.repeat(start, s.schedule.size, axis=1) if s.shape is None else start * s.shape[None, :])


def scenario_wait(s: Setup) -> float:
    """Wait shares per preferred on the scenario's deterministic price path (the drift path or the price path)."""
    price, drift = np.array([s.params.price]), np.array([s.params.annual_drift])
    return float(_run(s, base_prices(price, drift, s.schedule.dates, s.schedule.years, s.prices_path)).wait[0])


def breakeven_price(s: Setup, ratio: float) -> float | None:
    """Lowest flat price S with wait(S) = R (see the module docstring), or None."""
    grid = np.geomspace(MIN_PRICE_USD, MAX_PRICE_USD, GRID_POINTS)
    sign = np.sign(flat_wait(s, grid).wait - ratio)
    crossings = np.nonzero(sign[:-1] != sign[1:])[0]
    if not len(crossings):
        return None
    lo, hi = grid[crossings[0]], grid[crossings[0] + 1]
    if sign[crossings[0]] == 0:
        return float(lo)
    for end in (lo, hi):
        terms = flat_wait(s, np.array([end]))
        if ratio > terms.c_shares[0] and terms.a_usd[0] > 0:
            candidate = terms.a_usd[0] / (ratio - terms.c_shares[0])
            if lo <= candidate <= hi and np.isclose(
                flat_wait(s, np.array([candidate])).wait[0], ratio, rtol=1e-12, atol=1e-9
            ):
                return float(candidate)
    low_sign = sign[crossings[0]]
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.sign(flat_wait(s, np.array([mid])).wait[0] - ratio) == low_sign else (lo, mid)
    return float(hi)


def mc_wait(s: Setup, volatility: float, paths: int, seed: int) -> np.ndarray:
    """Wait shares per preferred on ``paths`` GBM price paths (as ``calc.model.montecarlo``)."""
    validate_mc(volatility, paths, seed)
    price, drift = np.array([s.params.price]), np.array([s.params.annual_drift])
    base = base_prices(price, drift, s.schedule.dates, s.schedule.years, s.prices_path)[0]
    prices = gbm_prices(s.params, s.schedule.years, volatility, paths, np.random.default_rng(seed), base)
    return _run(s, prices).wait


def breakeven_report(
    s: Setup, ratio: float, volatility: float | None = None, paths: int = 10_000, seed: int = 0
) -> dict[str, object]:
    """The ``breakeven --json`` payload (with a price path: ``price_path_rule``, the path's close on D)."""
    report: dict[str, object] = {
        "date": s.date.isoformat(),
        "exchange_shares_per_preferred": ratio,
        "wait_shares_per_preferred": scenario_wait(s),
        "breakeven_price_usd": breakeven_price(s, ratio),
    }
    if s.prices_path is not None:
        report["price_path_rule"] = s.prices_path.rule
        report["price_path_close_on_date_usd"] = s.prices_path.close_on(s.date)
    if volatility is not None:
        wait = mc_wait(s, volatility, paths, seed)
        report["probability_exchange_issues_fewer"] = float((ratio < wait).mean())
        values = np.percentile(wait, PERCENTILES, method="inverted_cdf")
        report |= {f"wait_shares_per_preferred_p{q}": float(v) for q, v in zip(PERCENTILES, values)}
    return report
