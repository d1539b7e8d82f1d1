"""Vectorized share-issuance kernel: P paths (or scenarios) × E event dates.

The preferred is a ledger (``calc.ledger``): N_e, the preferred outstanding, falls at
the dates of ledger rows (deterministic, shared by every path); the class policies
below act on what remains, and every per-share rule of a row is one small function
of ``calc.ledger.ACTIONS``. Without ledger rows N_e = N throughout.

Notation (per path p, event column e)
-------------------------------------
N      preferred shares outstanding at the valuation date (1,885,000)
LP     liquidation preference per share, $1,000.00 at the valuation date
r      semiannual coupon = 8.00% / 2
S      common price at the event;  CR  conversion rate in force
Dividend at a dividend date, on LP at the start of the period (LP_start), paid on the
shares of record (outstanding before the date's ledger rows) under the policy in force
(the scenario's, or the last ``dividend_policy`` row dated strictly before the date):
    due_usd = N_record × LP_start × r
    cash:   no shares
    stock:  ceil(due_usd / (S × sale_factor)) shares, sold by the transfer agent
    accrue: unpaid, LP_end = LP_start × (1 + r)  (compounding semiannually)
After an exchange the instrument is a debenture: interest N × LP × r in cash, LP frozen;
debentures from ``exchange_debentures`` rows (principal D_usd) pay interest D_usd × r and
leave with the class.
Decisions (what remains of the class acts together, so it leaves at one date at most):
    in the money  ⇔  conversion value LP/1000 × CR × S ≥ LP  ⇔  S × CR ≥ 1000
    rational = put=rational or conversion=rational   (the holder decides at put dates)
    convert  = conversion=all at its date
             | (not put=all) & rational & (put or mandatory date) & in the money
             | called
    called   = call=rational at a callable dividend date & S × CR ≥ 1000 × (1 + call_trigger_pct/100)
             | call=date at call_date & in the money          (forced conversion)
    redeem   = not convert & (put=all at a put date
                              | put=rational at a put date & not in the money
                              | call=date at call_date
                              | mandatory redemption date)
Shares at the exit date x (LP_x after that date's dividend), principal
P_x = N_x × LP_x + D_usd_x (N_x outstanding after the date's ledger rows):
    conversion  floor(P_x / 1000 × CR_x)          (cash in lieu of the fraction)
    redemption  ceil(P_x / (S_x × put_factor))    if settled in stock, else 0
A ledger row dated after the exit finds nothing outstanding on that path and does nothing.
Capacity policy (``calc.capacity``, with ``caps``): a stock redemption needing n shares with O outstanding
before it (base + every share issued before the settlement) that breaches a cap (n × 100 ≥ 20 × O, or
O + n > authorized) is paid in cash where ``cash_put_allowed``; otherwise the stock is issued and
``stock_settlement_shares``/``outstanding_before_exit`` let the caller record the breach.
Work done once, not per cell: the decisions are evaluated on the decision columns only; LP and the
accrual counts (price-independent) once when every path has the same dividend policy; dividends
and interest on the live columns 0..L−1, L = last exit column + 1 (after it nothing is due on any
path); the exact principal P_x once per (exit column, accrual counts) key.
Every floor/ceil is exact (``calc.rounding``): LP = LP0 × (1 + r)^k with k accruals so far,
CR and r as the decimals in the terms, prices and factors as ``decimal_value``; D_usd_x is
kept exactly as Σ rows n × LP at the row's date.
Model limit: new shares over the window (ledger rows' included) <= ``calc.rounding.MAX_SHARES``
(10^15), else ``ShareLimitError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, partial

import numpy as np

from calc import preferred_rules as rules
from calc.capacity import StockCaps
from calc.errors import InputError
from calc.ledger import ACTIONS, Plan, RowContext, RowResult, row_totals
from calc.params import (
    CALL_POLICIES,
    CONVERSION_POLICIES,
    DIVIDEND_POLICIES,
    PUT_POLICIES,
    SETTLEMENTS,
    ScenarioParams,
)
from calc.rounding import MAX_SHARES, ceil_shares, floor_shares
from calc.schedule import Schedule

CASH, STOCK, ACCRUE = (DIVIDEND_POLICIES.index(x) for x in ("cash", "stock", "accrue"))
NONE, ALL, RATIONAL = (PUT_POLICIES.index(x) for x in ("none", "all", "rational"))
assert PUT_POLICIES == CONVERSION_POLICIES
SETTLE_STOCK = SETTLEMENTS.index("stock")
HOLD, CONVERT, REDEEM = 0, 1, 2
CALL_RATIONAL, CALL_DATE = (CALL_POLICIES.index(x) for x in ("rational", "date"))


@dataclass(frozen=True)
class Policies:
    """Per-path policy arrays, shape (P,)."""

    dividend: np.ndarray  # index into DIVIDEND_POLICIES
    sale_factor: np.ndarray
    put: np.ndarray  # index into PUT_POLICIES
    settlement: np.ndarray  # index into SETTLEMENTS
    put_factor: np.ndarray
    conversion: np.ndarray  # index into CONVERSION_POLICIES
    call: np.ndarray  # index into CALL_POLICIES
    call_trigger_pct: np.ndarray  # g: the call converts the class when S × CR ≥ 1000 × (1 + g/100)
    cash_put_allowed: np.ndarray  # bool: a stock settlement breaching a cap is paid in cash (calc.capacity)
    base_shares: np.ndarray  # int64: common outstanding before the preferred's effects (the caps' O)

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
            call=codes("call", CALL_POLICIES),
            call_trigger_pct=np.array([p.call_trigger_pct for p in params]),
            cash_put_allowed=np.array([p.cash_put_allowed == "yes" for p in params]),
            base_shares=np.array([p.base_shares for p in params], dtype=np.int64),
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
    dividend_due_live: np.ndarray  # (P, L) preferred dividends due (paid or accrued) on the live columns
    interest_due_live: np.ndarray  # (P, L) debenture interest paid in cash
    dividend_shares_live: np.ndarray  # (P, L) int64
    conversion_shares: np.ndarray  # (P,) int64, issued at exit_column
    redemption_shares: np.ndarray  # (P,) int64, issued at exit_column
    units_after: np.ndarray  # (E,) int64 units (preferred, or debentures after exchange_date) after the date's rows
    debenture_after: np.ndarray | None  # (P, E) principal of debentures from ledger rows (None: no such rows)
    called: np.ndarray  # (P,) bool: the exit conversion was forced by the issuer's call
    exit_conversion_per_share: np.ndarray  # (P,) c = LP_x / 1000 × CR_x on conversion, else 0
    exit_redemption_per_share: np.ndarray  # (P,) q = LP_x / (S_x × put_factor) on a stock redemption, else 0
    obtainable_per_share: np.ndarray  # (P,) LP_h / 1000 × CR_h while still held at the horizon, else 0
    rows: tuple[RowResult, ...]  # ledger rows, pinned order
    lp: AccretedLP  # exact LP per share, for exact holder-level rounding
    exact_rate: tuple[Fraction, ...]  # (E,) conversion rates in force, exactly
    put_factor: np.ndarray  # (P,)
    live_columns: int  # L: from column L on, nothing is due or issued on any path (every path has left)
    stock_settlement_shares: np.ndarray  # (P,) int64 the exit's stock settlement needs (before the capacity policy)
    outstanding_before_exit: np.ndarray  # (P,) int64 O: base + new common issued before the exit's settlement
    capacity_cash: np.ndarray  # (P,) bool: the stock settlement breached a cap and was paid in cash (policy)

    @cached_property
    def dividend_due_usd(self) -> np.ndarray:
        """(P, E) preferred dividends due (paid or accrued)."""
        return _padded(self.dividend_due_live, self.prices.shape[1])

    @cached_property
    def interest_due_usd(self) -> np.ndarray:
        """(P, E) debenture interest paid in cash."""
        return _padded(self.interest_due_live, self.prices.shape[1])

    @cached_property
    def dividend_shares(self) -> np.ndarray:
        """(P, E) int64 dividend shares."""
        return _padded(self.dividend_shares_live, self.prices.shape[1])

    @property
    def exit_at(self) -> np.ndarray:
        """(P,) the exit column, or the last column for a path that still holds."""
        return np.minimum(self.exit_column, self.prices.shape[1] - 1)

    def exact_conversion_per_share(self, p: int) -> Fraction:
        """c of path p exactly (0 unless it converted)."""
        e = int(self.exit_at[p])
        converted = self.exit_conversion_per_share[p]
        return rules.exact_conversion_per_share(self.lp.end(p, e), self.exact_rate[e]) if converted else Fraction(0)

    def exact_redemption_per_share(self, p: int) -> Fraction:
        """q of path p exactly (0 unless redeemed in stock)."""
        e = int(self.exit_at[p])
        if not self.exit_redemption_per_share[p]:
            return Fraction(0)
        return rules.exact_redemption_per_share(self.lp.end(p, e), self.prices[p, e], self.put_factor[p])

    def exact_obtainable_per_share(self, p: int) -> Fraction:
        """LP_h / 1000 × CR_h of path p exactly (0 unless it still holds)."""
        e = self.prices.shape[1] - 1
        held = self.obtainable_per_share[p]
        return rules.exact_conversion_per_share(self.lp.end(p, e), self.exact_rate[e]) if held else Fraction(0)

    def _by_column(self, name: str, dtype: type = np.int64, action: str | None = None) -> np.ndarray:
        """(P, E) sum of a ``RowResult`` field placed at each row's column (rows of ``action`` only if given)."""
        out: np.ndarray = np.zeros(self.prices.shape, dtype=dtype)
        for row in self.rows:
            if action is None or row.action == action:
                out[:, row.column] += getattr(row, name)
        return out

    def repurchase_cash_by_column(self) -> np.ndarray:
        """(P, E) USD paid by repurchase_cash rows."""
        return self._by_column("cash_usd", float, "repurchase_cash")

    def _at_exit(self, values: np.ndarray) -> np.ndarray:
        """(P, E): ``values`` (P,) placed at each path's exit column."""
        out = np.zeros(self.prices.shape, dtype=values.dtype)
        exited = np.nonzero(self.exit_column < self.prices.shape[1])[0]
        out[exited, self.exit_column[exited]] = values[exited]
        return out

    def _before_exit(self) -> np.ndarray:
        return np.arange(self.prices.shape[1])[None, :] < self.exit_column[:, None]

    def outstanding(self) -> np.ndarray:
        """(P, E) units outstanding after each date's actions (0 from the exit column on)."""
        return np.where(self._before_exit(), self.units_after[None, :], 0)

    def debenture_usd(self) -> np.ndarray:
        """(P, E) principal of ledger-row debentures outstanding after each date (0 from the exit on)."""
        if self.debenture_after is None:
            return np.zeros(self.prices.shape)
        return np.where(self._before_exit(), self.debenture_after, 0.0)

    def issued_by_column(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dividend, conversion, redemption) shares per (P, E) column, ledger rows included."""
        conversion = self._at_exit(self.conversion_shares) + self._by_column("conversion")
        redemption = self._at_exit(self.redemption_shares) + self._by_column("redemption")
        return self.dividend_shares, conversion, redemption

    def exchange_by_column(self) -> np.ndarray:
        """(P, E) common issued by exchange_common rows."""
        return self._by_column("exchange")

    def issued_by_source(self) -> dict[str, np.ndarray]:
        """(P, E) new common per column by source, keyed as ``totals`` (``calc.issuance.ISSUANCE_SOURCES``)."""
        dividend, conversion, redemption = self.issued_by_column()
        return {
            "dividend_shares": dividend,
            "conversion_shares": conversion,
            "redemption_shares": redemption,
            "exchange_shares": self.exchange_by_column(),
        }

    def call_conversion_by_column(self) -> np.ndarray:
        """(P, E) conversion forced by a call: the class's (called) plus call rows'."""
        out = self._at_exit(np.where(self.called, self.conversion_shares, 0))
        for row in self.rows:
            if row.flow.called:
                out[:, row.column] += row.conversion
        return out

    def totals(self) -> dict[str, np.ndarray]:
        """(P,) totals by source: dividend, conversion, redemption, exchange shares (``calc.issuance``; call
        conversions are inside conversion_shares) and cash USD."""
        return {
            "dividend_shares": self.dividend_shares_live.sum(axis=1),
            "conversion_shares": self.conversion_shares + sum((r.conversion for r in self.rows), np.int64(0)),
            "redemption_shares": self.redemption_shares + sum((r.redemption for r in self.rows), np.int64(0)),
            "exchange_shares": sum((r.exchange for r in self.rows), np.zeros(len(self.prices), dtype=np.int64)),
            "repurchase_cash_usd": sum(
                (r.cash_usd for r in self.rows if r.action == "repurchase_cash"), np.zeros(len(self.prices))
            ),
        }

    def new_shares_cumulative(self) -> np.ndarray:
        """(P, E) cumulative new common shares from all sources."""
        live = self.cumulative_live
        return np.concatenate([live, np.repeat(live[:, -1:], self.prices.shape[1] - live.shape[1], axis=1)], axis=1)

    @cached_property
    def cumulative_live(self) -> np.ndarray:
        """(P, L) cumulative new common shares on the live columns (constant after them; do not modify)."""
        live = self.dividend_shares_live.copy()
        exited = np.nonzero(self.exit_column < self.prices.shape[1])[0]
        live[exited, self.exit_column[exited]] += (self.conversion_shares + self.redemption_shares)[exited]
        for row in self.rows:
            if row.column < self.live_columns:  # later rows found nothing outstanding (0 on every path)
                live[:, row.column] += row.conversion + row.redemption + row.exchange
        return np.cumsum(live, axis=1, out=live)


def in_the_money(schedule: Schedule, prices: np.ndarray, trigger_pct: np.ndarray | None = None) -> np.ndarray:
    """(P, E) bool: ``calc.preferred_rules.in_the_money`` at the schedule's rates; with ``trigger_pct`` g (P,)
    against the call bound ``S × CR ≥ 1000 × (1 + g/100)``."""
    rate = schedule.rate[None, :]
    exact_rate = lambda i: schedule.exact_rate[i[1]]  # noqa: E731
    if trigger_pct is None:
        return rules.in_the_money(prices, rate, exact_rate)
    bound = lambda i: rules.exact_call_bound(trigger_pct[i[0]])  # noqa: E731
    return rules.in_the_money(prices, rate, exact_rate, rules.call_bound(trigger_pct), bound)


def _decisions(schedule: Schedule, prices: np.ndarray, pol: Policies) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(convert, redeem, called) per (P, E); see the module docstring."""
    itm = in_the_money(schedule, prices)
    decision_date = (schedule.is_put | schedule.is_mandatory)[None, :]
    conv_all = (pol.conversion == ALL)[:, None] & schedule.is_conversion[None, :]
    put_all = (pol.put == ALL)[:, None] & schedule.is_put[None, :]
    rational = ((pol.put == RATIONAL) | (pol.conversion == RATIONAL))[:, None]
    rational_convert, rational_put = rules.rational_holder(itm, decision_date, schedule.is_put[None, :])
    conv_rational = rational & rational_convert
    put_rational = (pol.put == RATIONAL)[:, None] & rational_put
    holder_convert = conv_all | (~put_all & conv_rational)
    if not pol.call.any():  # call = none everywhere
        nothing = np.zeros_like(holder_convert)
        return holder_convert, ~holder_convert & (put_all | put_rational | schedule.is_mandatory[None, :]), nothing
    call_on_date = (pol.call == CALL_DATE)[:, None] & schedule.is_call[None, :]
    triggered = (
        (pol.call == CALL_RATIONAL)[:, None]
        & schedule.callable[None, :]
        & in_the_money(schedule, prices, pol.call_trigger_pct)
    )
    called = (triggered | (call_on_date & itm)) & ~holder_convert
    convert = holder_convert | called
    redeem = ~convert & (put_all | put_rational | call_on_date | schedule.is_mandatory[None, :])
    return convert, redeem, called


def dividend_codes(schedule: Schedule, pol: Policies, plan: Plan) -> np.ndarray:
    """(P, E) dividend policy in force: the scenario's, replaced after each ``dividend_policy`` row's date
    ((P, 1) when no row changes it)."""
    codes = pol.dividend[:, None]
    for date, code in plan.dividend_changes:
        after = np.array([d > date for d in schedule.dates])
        codes = np.where(after[None, :], np.int8(code), codes)
    return codes


def _ledger_rows(
    schedule: Schedule,
    prices: np.ndarray,
    lp_end: np.ndarray,
    lp: AccretedLP,
    pol: Policies,
    plan: Plan,
    exit_column: np.ndarray,
) -> tuple[RowResult, ...]:
    """Each row's class totals per path through its rule in ``calc.ledger.ACTIONS``."""
    results = []
    for event, n in zip(plan.rows, plan.counts):
        col = schedule.dates.index(event.date)
        stock = (
            (pol.settlement == SETTLE_STOCK)
            if not event.settlement
            else np.full(len(prices), event.settlement == "stock")
        )
        context = RowContext(
            event,
            int(n),
            col,
            prices[:, col],
            lp_end[:, col],
            partial(lp.end, e=col),
            float(schedule.rate[col]),
            schedule.exact_rate[col],
            pol.put_factor,
            stock,
        )
        flow = ACTIONS[event.action].rule(context)  # type: ignore[misc]
        results.append(row_totals(event.action, flow, int(n), col, col <= exit_column))
    return tuple(results)


def _ledger_debentures(ledger: tuple[RowResult, ...], shape: tuple[int, int]) -> np.ndarray | None:
    """(P, E) cumulative principal of debentures issued by ledger rows; None when there are none."""
    if not any(r.action == "exchange_debentures" for r in ledger):
        return None
    added = np.zeros(shape)
    for r in ledger:
        added[:, r.column] += r.debenture_usd
    return np.cumsum(added, axis=1)


def _accretion(
    schedule: Schedule, pol: Policies, plan: Plan, lp0_usd: Fraction, coupon_rate: Fraction
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Price-independent per-date quantities: (dividend codes, LP_start, LP_end, accruals k), each (R, E)
    with R = 1 when every path has the same dividend policy (broadcast over the paths), else R = P.

    LP_end = LP0 × Π (1 + r) over the preferred dividends accrued through the date; LP_start the
    previous date's LP_end (LP0 at column 0); k = the number of those accruals."""
    codes = dividend_codes(schedule, pol, plan)
    if len(codes) > 1 and (pol.dividend == pol.dividend[0]).all():
        codes = codes[:1]
    preferred_dividend = schedule.is_dividend & ~schedule.after_exchange
    accrues = (codes == ACCRUE) & preferred_dividend[None, :]
    lp_end = float(lp0_usd) * np.cumprod(np.where(accrues, 1.0 + float(coupon_rate), 1.0), axis=1)
    lp_start = np.concatenate([np.full((len(lp_end), 1), float(lp0_usd)), lp_end[:, :-1]], axis=1)
    return codes, lp_start, lp_end, np.cumsum(accrues, axis=1, dtype=np.int16)  # k <= 60 dividend dates


def _exits(schedule: Schedule, prices: np.ndarray, pol: Policies) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(exit column (E where the class never leaves), action HOLD/CONVERT/REDEEM, called) per path.

    The decisions are evaluated on the decision columns only (elsewhere neither convert nor redeem can hold)."""
    P, E = prices.shape
    decision = schedule.decision_columns(callable_dates=bool((pol.call == CALL_RATIONAL).any()))
    if not len(decision):
        return np.full(P, E), np.full(P, HOLD, dtype=np.int8), np.zeros(P, dtype=bool)
    convert, redeem, called = _decisions(schedule.select(decision), prices[:, decision], pol)
    acts = convert | redeem
    leaves = acts.any(axis=1)
    first = acts.argmax(axis=1)
    rows = np.arange(P)
    exit_column = np.where(leaves, decision[first], E)
    action = np.where(leaves & convert[rows, first], CONVERT, np.where(leaves, REDEEM, HOLD)).astype(np.int8)
    return exit_column, action, leaves & called[rows, first]


def outstanding_before_exit(
    base_shares: np.ndarray, dividend_shares_live: np.ndarray, ledger: tuple[RowResult, ...], col: np.ndarray
) -> np.ndarray:
    """(P,) O before the exit's settlement: base + stock dividends through the exit column (paid before the
    date's actions) + the common of ledger rows dated on or before it."""
    rows = np.arange(len(col))
    issued = np.cumsum(dividend_shares_live, axis=1)[rows, col] if dividend_shares_live.shape[1] else 0
    for r in ledger:
        issued = issued + np.where(r.column <= col, r.conversion + r.redemption + r.exchange, 0)
    return base_shares + issued


def _memo_by(key: Callable[[int], Hashable]) -> Callable[[Callable[[int], Fraction]], Callable[[int], Fraction]]:
    """Memoize a per-path exact value on ``key(p)`` (paths with the same key have the same value)."""

    def wrap(value: Callable[[int], Fraction]) -> Callable[[int], Fraction]:
        cache: dict[Hashable, Fraction] = {}

        def at(p: int) -> Fraction:
            k = key(p)
            if k not in cache:
                cache[k] = value(p)
            return cache[k]

        return at

    return wrap


def _padded(live: np.ndarray, columns: int) -> np.ndarray:
    """``live`` (P, L) followed by zeros up to ``columns`` columns."""
    if live.shape[1] == columns:
        return live
    out = np.zeros((live.shape[0], columns), dtype=live.dtype)
    out[:, : live.shape[1]] = live
    return out


def run_paths(
    schedule: Schedule,
    prices: np.ndarray,
    pol: Policies,
    n_preferred: int,
    lp0_usd: Fraction,
    coupon_rate: Fraction,
    interest_rate: float,
    plan: Plan | None = None,
    caps: StockCaps | None = None,
) -> PathResult:
    """Project every path; see the module docstring for the rules.

    ``coupon_rate`` = r, the preferred's semiannual dividend rate (exact, as LP0); ``interest_rate``
    the debentures' semiannual interest rate (8.00% / 2 as well); ``plan`` the ledger rows; ``caps`` the
    capacity policy's caps (None: no cap is checked). Share
    counts are exact floor/ceil (``calc.rounding``); a path whose new shares pass ``MAX_SHARES``
    raises ``ShareLimitError``. Dividends and interest are evaluated on the live columns only
    (up to the last exit; later nothing is due on any path).
    """
    plan = plan or Plan((), np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.int64), ())
    P, E = prices.shape
    rows = np.arange(P)
    dividend, lp_start_r, lp_end_r, accruals = _accretion(schedule, pol, plan, lp0_usd, coupon_rate)
    lp_start, lp_end = np.broadcast_to(lp_start_r, (P, E)), np.broadcast_to(lp_end_r, (P, E))
    lp = AccretedLP(lp0_usd, 1 + coupon_rate, np.broadcast_to(accruals, (P, E)))

    exit_column, action, called = _exits(schedule, prices, pol)
    col = np.minimum(exit_column, E - 1)
    # live columns: through the last exit (after it every path has left)
    live = min(E, int(exit_column.max(initial=0)) + 1)

    ledger = _ledger_rows(schedule, prices, lp_end, lp, pol, plan, exit_column)
    retired = np.zeros(E, dtype=np.int64)
    np.add.at(retired, [r.column for r in ledger], plan.counts)
    units_after = n_preferred - np.cumsum(retired)  # (E,) after the date's ledger rows
    units_record = np.concatenate([[n_preferred], units_after[:-1]])
    debenture_after = _ledger_debentures(ledger, (P, E))

    units_x, lp_exit, price_exit = units_after[col], lp_end[rows, col], prices[rows, col]
    principal = units_x * lp_exit + (0.0 if debenture_after is None else debenture_after[rows, col])
    debenture_rows = [r for r in ledger if r.flow.debenture_usd is not None]

    # what P_x of a path depends on: its exit column and the accrual counts there and at the debenture rows
    keys = np.column_stack([col, lp.accruals[rows, col], *(lp.accruals[:, r.column] for r in debenture_rows)])
    path_key = lambda p: keys[p].tobytes()  # noqa: E731

    @_memo_by(path_key)
    def exact_principal(p: int) -> Fraction:
        """P_x of path p exactly: N_x × LP_x + Σ debenture rows (effective by then) n × LP at their date."""
        e = int(col[p])
        return int(units_x[p]) * lp.end(p, e) + sum(
            (r.exact_debenture_usd(p) for r in debenture_rows if r.column <= e), Fraction(0)
        )

    @_memo_by(path_key)
    def exact_conversion(p: int) -> Fraction:
        """P_x / 1000 × CR_x of path p exactly."""
        return rules.exact_conversion_per_share(exact_principal(p), schedule.exact_rate[col[p]])

    stock_redeem = (action == REDEEM) & (pol.settlement == SETTLE_STOCK)
    conversion = floor_shares(
        rules.conversion_per_share(principal, schedule.rate[col]), lambda i: exact_conversion(i[0]), action == CONVERT
    )
    redemption = ceil_shares(
        rules.redemption_shares(principal, price_exit, pol.put_factor, stock_redeem),
        lambda i: rules.exact_redemption_per_share(exact_principal(i[0]), price_exit[i], pol.put_factor[i]),
        stock_redeem,
    )

    alive = np.arange(live)[None, :] <= exit_column[:, None]  # outstanding when the date's coupon is due
    paid = schedule.is_dividend[:live]
    preferred_dividend = paid & ~schedule.after_exchange[:live]
    record_usd = units_record[:live] * lp_start_r[:, :live]  # (R, L): N_record × LP_start
    dividend_due = np.where(preferred_dividend & alive, rules.dividend_usd(record_usd, float(coupon_rate)), 0.0)
    stock_dividend = (dividend[:, :live] == STOCK) & (dividend_due > 0)
    dividend_shares = ceil_shares(
        rules.dividend_shares(dividend_due, prices[:, :live], pol.sale_factor[:, None], stock_dividend),
        lambda c: rules.exact_dividend_shares(
            int(units_record[c[1]]) * lp.start(*c) * coupon_rate, prices[c], pol.sale_factor[c[0]]
        ),
        stock_dividend,
    )
    interest_due = np.where((paid & schedule.after_exchange[:live]) & alive, record_usd * interest_rate, 0.0)
    if debenture_after is not None:
        debenture_record = np.concatenate([np.zeros((P, 1)), debenture_after[:, : live - 1]], axis=1)
        interest_due += np.where(paid & alive, debenture_record * interest_rate, 0.0)
    needed = redemption  # the shares the exit's stock settlement needs, before the capacity policy
    before = outstanding_before_exit(pol.base_shares, dividend_shares, ledger, col)
    capacity_cash = pol.cash_put_allowed & stock_redeem
    capacity_cash &= caps.binds(needed, before) if caps is not None else False
    if capacity_cash.any():  # the capacity policy: settled in cash instead
        stock_redeem = stock_redeem & ~capacity_cash
        redemption = np.where(capacity_cash, 0, redemption)
    holding = action == HOLD
    result = PathResult(
        prices=prices,
        lp_start=lp_start,
        lp_end=lp_end,
        exit_column=exit_column,
        exit_action=action,
        dividend_due_live=dividend_due,
        interest_due_live=interest_due,
        dividend_shares_live=dividend_shares,
        conversion_shares=conversion,
        redemption_shares=redemption,
        units_after=units_after,
        debenture_after=debenture_after,
        called=called,
        exit_conversion_per_share=np.where(
            action == CONVERT, rules.conversion_per_share(lp_exit, schedule.rate[col]), 0.0
        ),
        exit_redemption_per_share=np.where(
            stock_redeem, rules.redemption_per_share(lp_exit, price_exit, pol.put_factor), 0.0
        ),
        obtainable_per_share=np.where(holding, rules.conversion_per_share(lp_end[:, -1], schedule.rate[-1]), 0.0),
        rows=ledger,
        lp=lp,
        exact_rate=schedule.exact_rate,
        put_factor=pol.put_factor,
        live_columns=live,
        stock_settlement_shares=needed,
        outstanding_before_exit=before,
        capacity_cash=capacity_cash,
    )
    check_share_limit(result, schedule)
    return result


class ShareLimitError(InputError):
    """New shares on some paths pass ``MAX_SHARES``: ``paths`` (row indices) and where the first does."""

    def __init__(self, paths: np.ndarray, source: str, date: dt.date, prefix: str = "") -> None:
        self.paths, self.source, self.date = paths, source, date
        super().__init__(
            f"{prefix}{self.where} would bring the new common shares past the model limit of "
            f"{MAX_SHARES:,} (10^15) shares; choose a higher price or drift, a larger sale/put "
            "factor or cash settlement"
        )

    @property
    def where(self) -> str:
        return f"{self.source} shares at {self.date.isoformat()}"


def check_share_limit(result: PathResult, schedule: Schedule) -> None:
    """Raise ``ShareLimitError`` naming the first date and source where a path passes the limit.

    Rule: cumulative new common shares (dividend + conversion + redemption + exchange, ledger
    rows included) <= MAX_SHARES.
    """
    cumulative = result.cumulative_live
    over = cumulative[:, -1] > MAX_SHARES
    if not over.any():
        return
    p = int(np.argmax(over))
    e = int(np.argmax(cumulative[p] > MAX_SHARES))
    by_source = {column.removesuffix("_shares"): a[p, e] for column, a in result.issued_by_source().items()}
    raise ShareLimitError(np.flatnonzero(over), max(by_source, key=lambda k: by_source[k]), schedule.dates[e])
