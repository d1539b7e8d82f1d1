"""Deterministic scenarios: timeline, summary and holder table, one scenario or a batch.

A batch groups scenarios that share event dates (valuation date, horizon, conversion
and exchange dates) and runs each group through ``calc.engine.run_paths`` as one set
of numpy arrays, so a 10,000-row grid costs a handful of array passes, not 10,000.

Summary (per scenario):
  dividend_shares, conversion_shares, redemption_shares  new common by source
  new_shares   = their sum;  total_shares = base_shares + new_shares
  dilution_pct = 100 × new_shares / total_shares
  headroom_shares = authorized common − total_shares (negative: exceeds authorized)
  as_converted_shares = floor(N × CR at the valuation date)  (all preferred converted today)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from calc.dilution import ExitTerms, HolderBook, build_book, holder_arrays, holder_frame
from calc.engine import (
    CONVERT,
    HOLD,
    REDEEM,
    SETTLE_STOCK,
    PathResult,
    Policies,
    ShareLimitError,
    in_the_money,
    run_paths,
)
from calc.params import ScenarioParams
from calc.register import load_register
from calc.rounding import decimal_value
from calc.schedule import Schedule, build_schedule, deterministic_prices
from calc.terms import Terms, load_terms

SUMMARY_KEYS = ("dividend_shares", "conversion_shares", "redemption_shares", "new_shares", "total_shares",
                "dilution_pct", "as_converted_shares", "authorized_shares", "headroom_shares",
                "exceeds_authorized")


@lru_cache(maxsize=1)
def default_book() -> HolderBook:
    """The shipped register as a holder book (cached)."""
    return build_book(load_register(), load_terms().preferred.shares_issued)


def coupon_rate(terms: Terms) -> Fraction:
    """Semiannual coupon r = annual dividend rate / payments per year (exact)."""
    return Fraction(terms.preferred.dividend_rate) / terms.preferred.dividends_per_year


def interest_rate(terms: Terms) -> float:
    """Semiannual debenture interest = annual debenture rate / payments per year."""
    return float(terms.preferred.exchange_debenture_rate) / terms.preferred.dividends_per_year


def project(schedule: Schedule, prices: np.ndarray, pol: Policies, terms: Terms) -> PathResult:
    """``calc.engine.run_paths`` with the instrument's terms filled in."""
    return run_paths(schedule, prices, pol, terms.preferred.shares_issued,
                     Fraction(terms.preferred.initial_liquidation_preference_usd), coupon_rate(terms),
                     interest_rate(terms))


def scenario_schedule(params: ScenarioParams, terms: Terms) -> Schedule:
    conversion_date = params.effective_conversion_date if params.conversion == "all" else None
    return build_schedule(terms, params.valuation_date, params.horizon, conversion_date, params.exchange_date)


def _schedule_key(p: ScenarioParams) -> tuple:
    return (p.valuation_date, p.horizon, p.effective_conversion_date if p.conversion == "all" else None,
            p.exchange_date)


def exit_terms(path: PathResult, schedule: Schedule, pol: Policies, base_shares: np.ndarray,
               pro_rata: np.ndarray) -> ExitTerms:
    """Per-scenario class outcome for the holder allocation (see ``calc.dilution``)."""
    P, E = path.prices.shape
    rows, col = np.arange(P), np.minimum(path.exit_column, E - 1)
    lp_exit = path.lp_end[rows, col]
    conversion = np.where(path.exit_action == CONVERT, lp_exit / 1000.0 * schedule.rate[col], 0.0)
    stock_redeem = (path.exit_action == REDEEM) & (pol.settlement == SETTLE_STOCK)
    redemption = np.where(stock_redeem, lp_exit / (path.prices[rows, col] * pol.put_factor), 0.0)
    holding = path.exit_action == HOLD
    obtainable = np.where(holding, path.lp_end[:, -1] / 1000.0 * schedule.rate[-1], 0.0)
    new = path.new_shares_cumulative()[:, -1]
    rates, lp = schedule.exact_rate, path.lp
    return ExitTerms(
        conversion_per_share=conversion, redemption_per_share=redemption,
        conversion_total=path.conversion_shares, redemption_total=path.redemption_shares,
        obtainable_per_share=obtainable, total_shares=base_shares + new, pro_rata=pro_rata,
        exact_conversion=lambda s: lp.end(s, col[s]) / 1000 * rates[col[s]],
        exact_redemption=lambda s: lp.end(s, col[s]) / (decimal_value(path.prices[s, col[s]])
                                                        * decimal_value(pol.put_factor[s])),
        exact_obtainable=lambda s: lp.end(s, E - 1) / 1000 * rates[-1])


def summary_frame(path: PathResult, base_shares: np.ndarray, schedule: Schedule, terms: Terms) -> pd.DataFrame:
    """One summary row per path (keys ``SUMMARY_KEYS``)."""
    dividend = path.dividend_shares.sum(axis=1)
    new = dividend + path.conversion_shares + path.redemption_shares
    total = base_shares + new
    authorized = terms.market.authorized_common_shares
    as_converted = math.floor(terms.preferred.shares_issued * schedule.exact_rate[0])
    return pd.DataFrame({
        "dividend_shares": dividend, "conversion_shares": path.conversion_shares,
        "redemption_shares": path.redemption_shares, "new_shares": new, "total_shares": total,
        "dilution_pct": 100.0 * new / total, "as_converted_shares": as_converted,
        "authorized_shares": authorized, "headroom_shares": authorized - total,
        "exceeds_authorized": total > authorized,
    })


def timeline_frame(path: PathResult, schedule: Schedule, base_shares: int, n_preferred: int) -> pd.DataFrame:
    """Event-by-event table for the first path."""
    dividend, conversion, redemption = (a[0] for a in path.issued_by_column())
    E = schedule.size
    outstanding = np.where(np.arange(E) < path.exit_column[0], n_preferred, 0)
    cumulative = np.cumsum(dividend + conversion + redemption)
    total = base_shares + cumulative
    as_debentures = schedule.after_exchange | schedule.is_exchange
    return pd.DataFrame({
        "date": pd.to_datetime(list(schedule.dates)).date,
        "event": schedule.labels(),
        "price_usd": path.prices[0],
        "preferred_outstanding": np.where(as_debentures, 0, outstanding),
        "debenture_principal_usd": np.where(as_debentures, outstanding * path.lp_end[0], 0.0),
        "lp_per_share_usd": path.lp_end[0],
        "dividend_due_usd": path.dividend_due_usd[0],
        "interest_due_usd": path.interest_due_usd[0],
        "dividend_shares": dividend,
        "conversion_shares": conversion,
        "redemption_shares": redemption,
        "cumulative_dividend_shares": np.cumsum(dividend),
        "cumulative_conversion_shares": np.cumsum(conversion),
        "cumulative_redemption_shares": np.cumsum(redemption),
        "cumulative_new_shares": cumulative,
        "total_common_shares": total,
        "new_shares_pct": 100.0 * cumulative / total,
        "conversion_price_usd": 1000.0 / schedule.rate,
        "in_the_money": in_the_money(schedule, path.prices[:1])[0],
    })


@dataclass(frozen=True)
class ScenarioResult:
    params: ScenarioParams
    schedule: Schedule
    path: PathResult
    timeline: pd.DataFrame
    summary: dict[str, object]
    holders: pd.DataFrame


def _run_group(group: list[ScenarioParams], terms: Terms) -> tuple[Schedule, Policies, PathResult, np.ndarray]:
    schedule = scenario_schedule(group[0], terms)
    pol = Policies.from_params(group)
    prices = deterministic_prices(np.array([p.price for p in group]), np.array([p.annual_drift for p in group]),
                                  schedule.years)
    path = project(schedule, prices, pol, terms)
    return schedule, pol, path, np.array([p.base_shares for p in group], dtype=np.int64)


def run_scenario(params: ScenarioParams, terms: Terms | None = None, book: HolderBook | None = None) -> ScenarioResult:
    """Project one deterministic scenario: timeline, summary and holder table."""
    terms = terms or load_terms()
    book = book or default_book()
    schedule, pol, path, base = _run_group([params], terms)
    ex = exit_terms(path, schedule, pol, base,
                    np.array([params.holder_basis == "pro_rata"]))
    summary = summary_frame(path, base, schedule, terms).iloc[0].to_dict()
    return ScenarioResult(params, schedule, path,
                          timeline_frame(path, schedule, params.base_shares, terms.preferred.shares_issued),
                          summary, holder_frame(book, ex))


@dataclass(frozen=True)
class BatchResult:
    summary: pd.DataFrame  # S rows, input order
    holders: dict[str, np.ndarray]  # (S, H + F) arrays, input order


def run_batch(params: list[ScenarioParams], terms: Terms | None = None,
              book: HolderBook | None = None, with_holders: bool = True) -> BatchResult:
    """Many deterministic scenarios, vectorized within groups sharing event dates.

    ``with_holders=False`` skips the holder allocation (``holders`` is then empty).
    """
    terms = terms or load_terms()
    book = book or default_book()
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(params):
        groups.setdefault(_schedule_key(p), []).append(i)
    summaries, holder_parts, order = [], [], []
    for indices in groups.values():
        group = [params[i] for i in indices]
        try:
            schedule, pol, path, base = _run_group(group, terms)
        except ShareLimitError as exc:
            rows = np.array(indices)[exc.paths]
            more = f" (and {len(rows) - 1:,} more)" if len(rows) > 1 else ""
            raise ShareLimitError(rows, exc.source, exc.date,
                                  f"scenario {rows[0] + 1} of {len(params):,}{more}: ") from None
        summaries.append(summary_frame(path, base, schedule, terms))
        if with_holders:
            pro_rata = np.array([p.holder_basis == "pro_rata" for p in group])
            holder_parts.append(holder_arrays(book, exit_terms(path, schedule, pol, base, pro_rata)))
        order.extend(indices)
    inverse = np.argsort(np.array(order), kind="stable")
    summary = pd.concat(summaries, ignore_index=True).iloc[inverse].reset_index(drop=True)
    holders = {k: np.concatenate([part[k] for part in holder_parts])[inverse] for k in holder_parts[0]} \
        if holder_parts else {}
    return BatchResult(summary, holders)
