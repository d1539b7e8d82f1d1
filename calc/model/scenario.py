"""Deterministic scenarios: timeline, summary and holder table, one scenario or a batch.

A batch groups scenarios that share event dates (valuation date, horizon, conversion
and exchange dates) and runs each group through ``calc.model.engine.run_paths`` as one set
of numpy arrays, so a 10,000-row grid costs a handful of array passes, not 10,000.

Ledger events (``calc.model.ledger``) are shared by every scenario of a call; policies are
per scenario. Summary (per scenario):
  dividend_shares, conversion_shares, redemption_shares, exchange_shares  new common by
               source (``calc.model.issuance.ISSUANCE_SOURCES``; ledger rows included; exchange_shares from
               exchange_common rows; call conversions inside conversion_shares)
  new_shares   = their sum (``calc.model.issuance.summary_total``);  total_shares = base_shares + new_shares
  repurchase_cash_usd   cash paid by repurchase_cash rows
  preferred_outstanding_after_events   N − preferred retired by ledger rows (on this path)
  preferred_outstanding_at_horizon     preferred (not debentures) left after the horizon's actions
  dilution_pct = 100 × new_shares / total_shares  (``calc.model.measures.new_shares_pct``)
  headroom_shares = authorized common − total_shares (negative: exceeds authorized)
  as_converted_shares = floor(N × CR at the valuation date)  (all preferred converted today)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from calc.errors import InputError
from calc.model import preferred_rules as rules
from calc.model.allocation import ExitTerms, HolderBook, holder_arrays, holder_frame
from calc.model.capacity import DeskFacts, StockCaps
from calc.model.columns import SUMMARY_METRICS
from calc.model.engine import CONVERT, REDEEM, PathResult, Policies, ShareLimitError, in_the_money, run_paths
from calc.model.holder_bases import BASIS_BY_NAME, HolderBasis, basis_holdings, splits_class_total
from calc.model.issuance import ISSUANCE_SOURCES, summary_total, timeline_total
from calc.model.ledger import Event, Plan, holder_ledger, late_row, resolve
from calc.model.measures import new_shares_pct
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario_capacity import ScenarioCapacity, scenario_capacity
from calc.model.scenario_prices import base_prices
from calc.model.schedule import Schedule, build_schedule
from calc.model.terms import Terms

SUMMARY_KEYS = tuple(c.name for c in SUMMARY_METRICS)


def coupon_rate(terms: Terms) -> Fraction:
    """Semiannual coupon r = annual dividend rate / payments per year (exact)."""
    return Fraction(terms.preferred.dividend_rate) / terms.preferred.dividends_per_year


def interest_rate(terms: Terms) -> float:
    """Semiannual debenture interest = annual debenture rate / payments per year."""
    return float(terms.preferred.exchange_debenture_rate) / terms.preferred.dividends_per_year


def project(
    schedule: Schedule, prices: np.ndarray, pol: Policies, terms: Terms, plan: Plan | None = None, *, caps: StockCaps
) -> PathResult:
    """``calc.model.engine.run_paths`` with the instrument's terms filled in; ``caps``: the capacity policy's caps
    (``calc.model.capacity.stock_caps``)."""
    return run_paths(
        schedule,
        prices,
        pol,
        terms.preferred.shares_issued,
        Fraction(terms.preferred.initial_liquidation_preference_usd),
        coupon_rate(terms),
        interest_rate(terms),
        plan,
        caps,
    )


def scenario_schedule(params: ScenarioParams, terms: Terms, plan: Plan | None = None) -> Schedule:
    conversion_date = params.effective_conversion_date if params.conversion == "all" else None
    call_date = params.call_date if params.call == "date" else None
    return build_schedule(
        terms,
        params.valuation_date,
        params.horizon,
        conversion_date,
        params.exchange_date,
        plan.dates if plan else (),
        call_date,
    )


def scenario_plan(params: ScenarioParams, events: tuple[Event, ...], terms: Terms, book: HolderBook) -> Plan | None:
    """The events resolved on the scenario's window and holder basis (None: no events)."""
    if not events:
        return None
    return resolve(events, params, terms, book, BASIS_BY_NAME[params.holder_basis].holdings(book))


def _schedule_key(p: ScenarioParams, events: tuple[Event, ...]) -> tuple:
    return (
        p.valuation_date,
        p.horizon,
        p.effective_conversion_date if p.conversion == "all" else None,
        p.exchange_date,
        p.call_date if p.call == "date" else None,
        events,
        p.holder_basis if events else None,
    )


def exit_terms(
    path: PathResult, base_shares: np.ndarray, bases: tuple[HolderBasis, ...], book: HolderBook, plan: Plan | None
) -> ExitTerms:
    """Per-scenario class outcome for the holder allocation (see ``calc.model.allocation``), from what the
    engine computed; with ledger rows, what each holder still holds and got from the rows."""
    new = path.new_shares_cumulative()[:, -1]
    holding, exact_holding, ledger = None, None, None
    if plan is not None and len(plan.rows):
        P = len(path.prices)
        exit_at = path.exit_at
        rows = holder_ledger(
            plan,
            path.rows,
            basis_holdings(book, bases),
            splits_class_total(bases),
            path.lp_end[np.arange(P), exit_at],
            lambda s: path.lp.end(s, int(exit_at[s])),
        )
        holding, exact_holding, ledger = rows.holding, rows.exact_holding, rows.shares
    return ExitTerms(
        conversion_per_share=path.exit_conversion_per_share,
        redemption_per_share=path.exit_redemption_per_share,
        conversion_total=path.conversion_shares,
        redemption_total=path.redemption_shares,
        obtainable_per_share=path.obtainable_per_share,
        total_shares=base_shares + new,
        bases=bases,
        exact_conversion=path.exact_conversion_per_share,
        exact_redemption=path.exact_redemption_per_share,
        exact_obtainable=path.exact_obtainable_per_share,
        holding=holding,
        exact_holding=exact_holding,
        ledger=ledger,
    )


def _preferred_left(path: PathResult, schedule: Schedule) -> np.ndarray:
    """(P, E) preferred (not debentures) outstanding after each date's actions."""
    as_debentures = schedule.after_exchange | schedule.is_exchange
    return np.where(as_debentures[None, :], 0, path.outstanding())


def summary_columns(
    path: PathResult, base_shares: np.ndarray, schedule: Schedule, terms: Terms
) -> dict[str, np.ndarray | int]:
    """The summary columns (keys ``SUMMARY_KEYS``): (P,) arrays, or one int for every path."""
    totals = path.totals()
    new = summary_total(totals)
    total = base_shares + new
    authorized = terms.market.authorized_common_shares
    as_converted = math.floor(terms.preferred.shares_issued * schedule.exact_rate[0])
    retired = sum(
        (np.where(row.effective, row.count, 0) for row in path.rows), np.zeros(len(base_shares), dtype=np.int64)
    )
    return {
        "dividend_shares": totals["dividend_shares"],
        "conversion_shares": totals["conversion_shares"],
        "redemption_shares": totals["redemption_shares"],
        "new_shares": new,
        "total_shares": total,
        "dilution_pct": new_shares_pct(base_shares, new),
        "as_converted_shares": as_converted,
        "authorized_shares": authorized,
        "headroom_shares": authorized - total,
        "exceeds_authorized": total > authorized,
        "exchange_shares": totals["exchange_shares"],
        "repurchase_cash_usd": totals["repurchase_cash_usd"],
        "preferred_outstanding_after_events": terms.preferred.shares_issued - retired,
        "preferred_outstanding_at_horizon": _preferred_left(path, schedule)[:, -1],
    }


def summary_frame(path: PathResult, base_shares: np.ndarray, schedule: Schedule, terms: Terms) -> pd.DataFrame:
    """One summary row per path (keys ``SUMMARY_KEYS``)."""
    return pd.DataFrame(summary_columns(path, base_shares, schedule, terms))


def first_row(columns: dict[str, np.ndarray | int]) -> dict[str, object]:
    """Path 0's summary as Python scalars (as ``summary_frame(...).iloc[0].to_dict()``, without the frame)."""
    return {k: v[0].item() if isinstance(v, np.ndarray) else v for k, v in columns.items()}


def timeline_frame(path: PathResult, schedule: Schedule, base_shares: int, n_preferred: int) -> pd.DataFrame:
    """Event-by-event table for the first path."""
    by_source = path.issued_by_source()
    issued = {s.timeline_column: by_source[s.summary_column][0] for s in ISSUANCE_SOURCES}
    cumulative = np.cumsum(timeline_total(issued))
    total = base_shares + cumulative
    as_debentures = schedule.after_exchange | schedule.is_exchange
    return pd.DataFrame(
        {
            "date": np.array(list(schedule.dates), dtype=object),
            "event": schedule.labels(),
            "price_usd": path.prices[0],
            "preferred_outstanding": _preferred_left(path, schedule)[0],
            "debenture_principal_usd": np.where(as_debentures, path.outstanding()[0] * path.lp_end[0], 0.0)
            + path.debenture_usd()[0],
            "lp_per_share_usd": path.lp_end[0],
            "dividend_due_usd": path.dividend_due_usd[0],
            "interest_due_usd": path.interest_due_usd[0],
            **issued,
            "repurchase_cash_usd": path.repurchase_cash_by_column()[0],
            "call_conversion_shares": path.call_conversion_by_column()[0],  # part of conversion_shares
            **{s.cumulative_column: np.cumsum(issued[s.timeline_column]) for s in ISSUANCE_SOURCES},
            "cumulative_new_shares": cumulative,
            "total_common_shares": total,
            "new_shares_pct": 100.0 * cumulative / total,
            "conversion_price_usd": rules.conversion_price(schedule.rate),
            "in_the_money": in_the_money(schedule, path.prices[:1])[0],
        }
    )


class _LazyFrame:
    """A ``ScenarioResult`` DataFrame field built by ``build(result)`` on first read (or as given to
    ``__init__``/``dataclasses.replace``); a data descriptor, so it works on the frozen dataclass."""

    def __init__(self, build: Callable[[ScenarioResult], pd.DataFrame]) -> None:
        self._build = build

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = "_" + name

    def __get__(self, result: ScenarioResult | None, owner: type) -> pd.DataFrame | None:
        if result is None:
            return None  # the dataclass default: build on first read
        if result.__dict__.get(self._slot) is None:
            result.__dict__[self._slot] = self._build(result)
        return result.__dict__[self._slot]

    def __set__(self, result: ScenarioResult, frame: pd.DataFrame | None) -> None:
        result.__dict__[self._slot] = frame


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's outcome. The holder counts are computed (exactly) when it is made; the two
    DataFrames, ``timeline`` (``timeline_frame``) and ``holders`` (``calc.model.allocation.holder_frame``),
    are built from them on first read."""

    params: ScenarioParams
    schedule: Schedule
    path: PathResult
    summary: dict[str, object]
    holder_columns: dict[str, np.ndarray]  # (1, H + F) arrays, ``calc.model.allocation.holder_arrays``
    book: HolderBook
    n_preferred: int
    timeline: pd.DataFrame = _LazyFrame(  # type: ignore[assignment]
        lambda r: timeline_frame(r.path, r.schedule, r.params.base_shares, r.n_preferred)
    )
    holders: pd.DataFrame = _LazyFrame(lambda r: holder_frame(r.book, r.holder_columns))  # type: ignore[assignment]
    capacity: ScenarioCapacity | None = None  # ``calc.model.scenario_capacity`` (None: no desk facts given)


def project_group(
    group: list[ScenarioParams],
    terms: Terms,
    plan: Plan | None = None,
    label: Callable[[int], str] | None = None,
    prices_path: PricePath | None = None,
    *,
    caps: StockCaps,
) -> tuple[Schedule, Policies, PathResult, np.ndarray]:
    """Project scenarios that share one event schedule (same window and ledger rows) on their deterministic
    price paths (``calc.model.scenario_prices.base_prices``: the drift path, or ``prices_path``): (schedule, policies,
    engine result, base shares per scenario). ``check_rows_before_exit`` (``label(i)``: how scenario i of the
    group is named in its message)."""
    schedule = scenario_schedule(group[0], terms, plan)
    pol = Policies.from_params(group)
    prices = base_prices(
        np.array([p.price for p in group]),
        np.array([p.annual_drift for p in group]),
        schedule.dates,
        schedule.years,
        prices_path,
    )
    path = project(schedule, prices, pol, terms, plan, caps=caps)
    if plan is not None:
        check_rows_before_exit(path, schedule, plan, label)
    return schedule, pol, path, np.array([p.base_shares for p in group], dtype=np.int64)


EXIT_WORDS = {CONVERT: "converted", REDEEM: "redeemed"}


def check_rows_before_exit(
    path: PathResult, schedule: Schedule, plan: Plan, label: Callable[[int], str] | None = None
) -> None:
    """``InputError`` when a ledger row is dated after the class left on a deterministic path: the price path is
    known, so the row would act on nothing (``calc.model.ledger.resolve`` refuses rows after an exit that happens
    whatever the price; this adds the exits of this path's prices, e.g. a rational conversion in the money).
    A Monte Carlo keeps such rows: on other paths the class is still there."""
    late = [
        (event, int(np.argmax(~row.effective))) for event, row in zip(plan.rows, path.rows) if not row.effective.all()
    ]
    if not late:
        return
    problems = []
    for event, p in late:
        e = int(path.exit_column[p])
        why = f"{EXIT_WORDS.get(int(path.exit_action[p]), 'left')} at the path's price ${path.prices[p, e]:,.4f}"
        problems.append(late_row(event, schedule.dates[e], why))
    prefix = f"{label(late[0][1])}: " if label else ""
    raise InputError(f"{prefix}events: {len(problems)} problem(s); nothing was run", tuple(problems))


def run_scenario(
    params: ScenarioParams,
    terms: Terms,
    book: HolderBook,
    events: tuple[Event, ...] = (),
    prices_path: PricePath | None = None,
    *,
    caps: StockCaps,
    facts: DeskFacts | None = None,
) -> ScenarioResult:
    """Project one deterministic scenario: timeline, summary and holder table (``events``: ledger rows;
    ``prices_path``: a dated price path instead of the drift path; ``caps``: the capacity caps,
    ``calc.model.capacity.stock_caps``; ``facts``: the exchange-desk facts, for the capacity checks of every
    issuance, ``calc.model.scenario_capacity``)."""
    plan = scenario_plan(params, events, terms, book)
    schedule, pol, path, base = project_group([params], terms, plan, prices_path=prices_path, caps=caps)
    ex = exit_terms(path, base, (BASIS_BY_NAME[params.holder_basis],), book, plan)
    summary = first_row(summary_columns(path, base, schedule, terms))
    capacity = scenario_capacity(params, schedule, path, terms, facts) if facts is not None else None
    return ScenarioResult(
        params,
        schedule,
        path,
        summary,
        holder_arrays(book, ex),
        book,
        terms.preferred.shares_issued,
        capacity=capacity,
    )


def _scenario_label(indices: list[int], count: int) -> Callable[[int], str]:
    """How scenario i of a group is named in a message: its row in the batch."""
    return lambda i: f"scenario {indices[i] + 1} of {count:,}"


@dataclass(frozen=True)
class BatchResult:
    summary: pd.DataFrame  # S rows, input order
    holders: dict[str, np.ndarray]  # (S, H + F) arrays, input order


def run_batch(
    params: list[ScenarioParams],
    terms: Terms,
    book: HolderBook,
    with_holders: bool = True,
    events: Sequence[tuple[Event, ...]] | None = None,
    prices_path: PricePath | None = None,
    *,
    caps: StockCaps,
) -> BatchResult:
    """Many deterministic scenarios, vectorized within groups sharing event dates and ledger rows.

    ``with_holders=False`` skips the holder allocation (``holders`` is then empty);
    ``events[i]`` are scenario i's ledger rows (None: none); ``prices_path``: one dated price path for every
    scenario (their price and drift then unused).
    """
    events = events or [()] * len(params)
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(params):
        groups.setdefault(_schedule_key(p, events[i]), []).append(i)
    summaries, holder_parts, order = [], [], []
    for indices in groups.values():
        group = [params[i] for i in indices]
        plan = scenario_plan(group[0], events[indices[0]], terms, book)
        try:
            schedule, pol, path, base = project_group(
                group, terms, plan, _scenario_label(indices, len(params)), prices_path, caps=caps
            )
        except ShareLimitError as exc:
            rows = np.array(indices)[exc.paths]
            more = f" (and {len(rows) - 1:,} more)" if len(rows) > 1 else ""
            raise ShareLimitError(
                rows, exc.source, exc.date, f"scenario {rows[0] + 1} of {len(params):,}{more}: "
            ) from None
        summaries.append(summary_frame(path, base, schedule, terms))
        if with_holders:
            bases = tuple(BASIS_BY_NAME[p.holder_basis] for p in group)
            holder_parts.append(holder_arrays(book, exit_terms(path, base, bases, book, plan)))
        order.extend(indices)
    if len(summaries) == 1:  # one group: already in input order (no reordering copies)
        return BatchResult(summaries[0], holder_parts[0] if holder_parts else {})
    inverse = np.argsort(np.array(order), kind="stable")
    summary = pd.concat(summaries, ignore_index=True).iloc[inverse].reset_index(drop=True)
    holders = (
        {k: np.concatenate([part[k] for part in holder_parts])[inverse] for k in holder_parts[0]}
        if holder_parts
        else {}
    )
    return BatchResult(summary, holders)
