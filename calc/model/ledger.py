"""The preferred as a ledger: dated actions on part of the class or on named holders.

Events file (CSV, UTF-8, a BOM is accepted; read by ``calc.inputs.events_csv``), header ``EVENT_COLUMNS``:
  date                   YYYY-MM-DD, inside the scenario window [valuation_date, horizon]
  action                 one of ``ACTIONS`` (below)
  preferred_shares       a whole number >= 0, or ``all`` (of those outstanding at that point,
                         or of the named holder's holding)
  common_shares          exchange_common: common issued in total (as reported)
  common_per_preferred   exchange_common: common per preferred; floor(n × ratio) issued, fraction in cash
  cash_per_preferred_usd repurchase_cash: USD paid per preferred
  settlement             put / call: cash or stock (empty: the scenario's put_settlement);
                         dividend_policy: cash, stock or accrue
  holder                 exact register name (empty: shared pro rata across holders)
  source                 free text (where the row comes from)

Replay columns (optional; ``REPLAY_COLUMNS``, issue 22: every security's exchanges, read by ``calc.model.bridge``):
  instrument             the security a row retires (default ``preferred_8pct``; another registry id of
                         ``data/instruments.toml`` or ``other_debt``)
  face_usd               the amount retired as the sources report it (USD), instead of a count; on the
                         8.00% preferred a whole number of $1,000 shares (preferred_shares = face_usd / 1000);
                         issue_common: the USD value of the stock issued
  package                rows of exchange_common with the same package label and date are one exchange:
                         the common total (common_shares) is on one of them and is split between the rows
                         by the bridge's package rule
  label                  issue_common: what the issuance is (required)
  date_from              the row happened between date_from and date (the bridge spreads it by day)
Replay-only actions (``REPLAY_ACTIONS``): ``issue_common`` (common not tied to a security: at-the-market
sales, settlement stock, employee plans; common_shares or face_usd) and ``retire`` (retired by means the
sources do not give: cash or stock, the row's settlement or the bridge's switch). A scenario refuses
replay-only rows (another instrument, a package, date_from, a replay-only action): the scenario models
the 8.00% preferred; ``python -m calc bridge`` replays them.

Per-share arithmetic of one row retiring n preferred on date d, with LP the liquidation
preference per share after d's dividend, CR the conversion rate in force, S the price:
  exchange_common      floor(n × ratio) common, or common_shares as given
  repurchase_cash      n × cash_per_preferred_usd paid, no shares
  convert              floor(n × LP/1000 × CR) common
  put                  stock: ceil(n × LP / (S × put_factor)); cash: n × LP paid
  call                 call price = LP (accreted unpaid dividends included; assumption);
                       in the money (S × CR ≥ 1000): floor(n × LP/1000 × CR) common (forced
                       conversion), else settled like a put
  exchange_debentures  n × LP of debentures (LP frozen, cash interest, same CR); they leave
                       with the class under its policies
  dividend_policy      dividends on dates after d are paid as ``settlement`` (the dividend on d
                       itself is paid first, under the earlier policy: pinned order)

Every floor/ceil is exact (``calc.model.rounding``): ratio and cash as the typed decimals
(``calc.inputs.numbers``), LP = LP0 × (1 + r)^k exactly, CR as in the terms, S and put_factor as
``decimal_value``; a row's new shares count toward the 10^15 model limit. Files: at most
``MAX_EVENTS_BYTES`` bytes, read through ``calc.inputs.csv_records`` (encodings, NUL, line and cell
limits; a row with more or fewer cells than the header is a problem of its line).

Pinned order on one date: dividend on the shares outstanding before the date's actions,
then ledger rows in file order (``history`` rows before the events file's), then the class
policies on what remains. A row naming a ``holder`` reduces that holder; otherwise the n
shares are shared across holders on the scenario's basis by largest remainder (ties in
filing order). Holder allocations of a row's common use the same largest remainder
(pro_rata basis) or each holder alone (registered basis), as ``calc.model.allocation`` does.

Every problem is reported at once, ``line L: ...`` (``validate_events``). A row dated after the class
has left whatever the price is an error (``certain_exit``; a deterministic scenario also refuses rows after
its own path's exit, ``calc.model.scenario.check_rows_before_exit``); ``all`` finding 0 preferred is what a
literal 0 is; a row's cash (and the ledger's cash total) is at most ``MAX_CASH_USD``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache

import numpy as np

from calc.errors import InputError, Problem
from calc.model import preferred_rules as rules
from calc.model.allocation import HolderBook, allocate_holder_shares, largest_remainder
from calc.model.holder_bases import BASIS_BY_NAME
from calc.model.params import DIVIDEND_POLICIES, SETTLEMENTS, ScenarioParams
from calc.model.rounding import (
    MAX_SHARES,
    ExactAt,
    ScaledExact,
    SumScaledExact,
    ceil_shares,
    floor_shares,
)
from calc.model.terms import Terms

EVENT_COLUMNS = (
    "date",
    "action",
    "preferred_shares",
    "common_shares",
    "common_per_preferred",
    "cash_per_preferred_usd",
    "settlement",
    "holder",
    "source",
)
REPLAY_COLUMNS = ("date_from", "instrument", "face_usd", "package", "label")
KNOWN_COLUMNS = EVENT_COLUMNS + REPLAY_COLUMNS
DEFAULT_INSTRUMENT = "preferred_8pct"
ALL = None  # preferred_shares = all


@dataclass(frozen=True)
class Event:
    """One validated row of an events file (``line``: its line in the file)."""

    line: int
    date: dt.date
    action: str
    preferred_shares: int | None  # None: all
    common_shares: int | None = None
    common_per_preferred: Fraction | None = None  # exact decimal as typed
    cash_per_preferred_usd: Fraction | None = None
    settlement: str = ""
    holder: str = ""
    source: str = ""
    origin: str = "events"  # file label used in messages
    instrument: str = DEFAULT_INSTRUMENT
    face_usd: Fraction | None = None  # exact decimal as typed
    package: str = ""
    label: str = ""
    date_from: dt.date | None = None

    @property
    def replay_only(self) -> str:
        """The field that makes this a row only ``calc.model.bridge`` replays ("" for none): a replay action, another
        instrument, a package or a window (date_from)."""
        reasons = (
            ("action", self.action in REPLAY_ACTIONS),
            ("instrument", self.instrument != DEFAULT_INSTRUMENT),
            ("package", bool(self.package)),
            ("date_from", self.date_from is not None),
        )
        return next((field for field, found in reasons if found), "")


# --------------------------------------------------------------------------- rules (vectorized over P paths)


@dataclass(frozen=True)
class RowContext:
    """Inputs of one row's rule, arrays (P,)."""

    event: Event
    n: int  # preferred retired by the row
    column: int
    price: np.ndarray
    lp: np.ndarray  # LP per share after the date's dividend (float64)
    lp_exact: Callable[[int], Fraction]  # the same LP of path p, exactly
    rate: float  # conversion rate in force
    exact_rate: Fraction
    put_factor: np.ndarray
    settle_stock: np.ndarray  # bool: row settlement, else the scenario's put_settlement


@dataclass(frozen=True)
class PerShare:
    """A per-preferred quantity per path: float64 ``approx`` (P,) and ``exact(p)``."""

    approx: np.ndarray
    exact: Callable[[int], Fraction]
    constant: Fraction | None = None  # the same exact value on every path (``_constant``)

    def masked(self, mask: np.ndarray) -> PerShare:
        """The quantity where ``mask`` (P,), 0 elsewhere."""
        return PerShare(np.where(mask, self.approx, 0.0), lambda p: self.exact(p) if mask[p] else Fraction(0))


def _constant(value: Fraction, paths: int) -> PerShare:
    return PerShare(np.full(paths, float(value)), lambda _: value, value)


@dataclass(frozen=True)
class Flow:
    """Per preferred share retired by a row (None: nothing); ``exchange_total`` fixes the class total."""

    conversion: PerShare | None = None
    redemption: PerShare | None = None
    exchange: PerShare | None = None
    cash_usd: np.ndarray | float = 0.0
    debenture_usd: PerShare | None = None
    exchange_total: int | None = None
    called: bool = False  # its conversion is forced by a call


def _conversion_per_share(c: RowContext) -> PerShare:
    """c = LP / 1000 × CR (``calc.model.preferred_rules``)."""
    return PerShare(
        rules.conversion_per_share(c.lp, c.rate),
        lambda p: rules.exact_conversion_per_share(c.lp_exact(p), c.exact_rate),
    )


def _put_per_share(c: RowContext) -> PerShare:
    """q = LP / (S × put_factor) where settled in stock, else 0 (``calc.model.preferred_rules``)."""
    return PerShare(
        rules.redemption_per_share(c.lp, c.price, c.put_factor),
        lambda p: rules.exact_redemption_per_share(c.lp_exact(p), c.price[p], c.put_factor[p]),
    ).masked(c.settle_stock)


def rule_exchange_common(c: RowContext) -> Flow:
    """ratio given: floor(n × ratio) common; total given: exactly common_shares (per share total / n)."""
    paths = len(c.price)
    if c.event.common_shares is not None:
        per = Fraction(c.event.common_shares, c.n) if c.n else Fraction(0)
        return Flow(exchange=_constant(per, paths), exchange_total=c.event.common_shares)
    return Flow(exchange=_constant(c.event.common_per_preferred or Fraction(0), paths))


def rule_repurchase_cash(c: RowContext) -> Flow:
    """n × cash_per_preferred_usd paid; no shares."""
    return Flow(cash_usd=np.full(c.price.shape, float(c.event.cash_per_preferred_usd or 0)))


def rule_convert(c: RowContext) -> Flow:
    """floor(n × LP/1000 × CR) common."""
    return Flow(conversion=_conversion_per_share(c))


def rule_put(c: RowContext) -> Flow:
    """stock: ceil(n × LP / (S × put_factor)) common; cash: n × LP paid."""
    return Flow(redemption=_put_per_share(c), cash_usd=np.where(c.settle_stock, 0.0, c.lp))


def rule_call(c: RowContext) -> Flow:
    """In the money (S × CR ≥ 1000): forced conversion; otherwise redeemed at LP like a put."""
    itm = rules.in_the_money(c.price, c.rate, lambda _: c.exact_rate)
    put = rule_put(c)
    return Flow(
        conversion=_conversion_per_share(c).masked(itm),
        redemption=put.redemption.masked(~itm) if put.redemption else None,
        cash_usd=np.where(itm, 0.0, put.cash_usd),
        called=True,
    )


def rule_exchange_debentures(c: RowContext) -> Flow:
    """n × LP of debentures."""
    return Flow(debenture_usd=PerShare(c.lp, c.lp_exact))


def _on_or_after(field: str, label: str) -> Callable[[dt.date, Terms], str | None]:
    def check(date: dt.date, terms: Terms) -> str | None:
        first = getattr(terms.preferred, field)
        return f"{date} is before {first} ({label})" if date < first else None

    return check


def _put_date(date: dt.date, terms: Terms) -> str | None:
    dates = ", ".join(str(d) for d in terms.preferred.put_dates)
    return None if date in terms.preferred.put_dates else f"{date} is not a put date ({dates})"


@dataclass(frozen=True)
class Action:
    rule: Callable[[RowContext], Flow] | None  # None: a policy change, no shares retired
    fields: tuple[str, ...] = ()  # value columns the action accepts
    settlements: tuple[str, ...] = ()
    date_rule: Callable[[dt.date, Terms], str | None] | None = None
    retires: bool = True  # the row retires securities (preferred_shares or face_usd required)


ACTIONS: dict[str, Action] = {
    "exchange_common": Action(
        rule_exchange_common, ("preferred_shares", "common_shares", "common_per_preferred", "face_usd")
    ),
    "repurchase_cash": Action(rule_repurchase_cash, ("preferred_shares", "cash_per_preferred_usd")),
    "convert": Action(
        rule_convert,
        ("preferred_shares",),
        date_rule=_on_or_after("conversion_not_before", "conversion is not exercisable earlier"),
    ),
    "put": Action(rule_put, ("preferred_shares", "settlement"), SETTLEMENTS, _put_date),
    "call": Action(
        rule_call,
        ("preferred_shares", "settlement"),
        SETTLEMENTS,
        _on_or_after("issuer_call_from", "the issuer may call from then on"),
    ),
    "exchange_debentures": Action(rule_exchange_debentures, ("preferred_shares",)),
    "dividend_policy": Action(None, ("settlement",), DIVIDEND_POLICIES, retires=False),
}
REPLAY_ACTIONS: dict[str, Action] = {
    "issue_common": Action(None, ("common_shares", "face_usd"), retires=False),
    "retire": Action(None, ("preferred_shares", "face_usd", "settlement"), SETTLEMENTS),
}
PARSED_ACTIONS = ACTIONS | REPLAY_ACTIONS


def field_problem(name: str, rule: str, value: str | None = None) -> Problem:
    """A problem of one field of an events row (``name: 'value' rule``; placed on its line by ``parse_events``)."""
    return Problem(rule, column=name, value=value, column_label=False)


def _field_of(event: Event, name: str, rule: str, value: str | None = None) -> Problem:
    """A problem of one field of an event, placed on the event's line of its file."""
    return field_problem(name, rule, value).at(line=event.line, source=event.origin)


def exchange_ratio(
    preferred_shares: int | None, common_shares: int | None, common_per_preferred: Fraction | None
) -> Fraction | None:
    """Common issued per preferred retired by an exchange_common row, exactly: ``common_per_preferred`` when
    given, else ``common_shares / preferred_shares``; None when it cannot be known from the row (``all``
    preferred (None) or 0 preferred with a total, or neither value)."""
    if common_per_preferred is not None:
        return common_per_preferred
    if common_shares is None or not preferred_shares:
        return None
    return Fraction(common_shares, preferred_shares)


def event_exchange_ratio(event: Event) -> Fraction | None:
    """``exchange_ratio`` of a validated row; None unless it is an exchange_common row."""
    if event.action != "exchange_common":
        return None
    return exchange_ratio(event.preferred_shares, event.common_shares, event.common_per_preferred)


def check_events(
    events: Sequence[Event], problems: Sequence[Problem], params: ScenarioParams, terms: Terms, book: HolderBook
) -> None:
    """Raise one ``InputError`` with the reading ``problems`` and every scenario problem of ``events``."""
    found: list[Problem] = list(problems)
    try:
        resolve(events, params, terms, book, BASIS_BY_NAME[params.holder_basis].holdings(book))
    except InputError as exc:
        found += exc.problems
    if found:
        found.sort(key=_file_order)
        raise InputError(f"events: {len(found)} problem(s); nothing was run", found)


def _file_order(problem: Problem) -> tuple[str, int]:
    """(file, line) of a problem, for reporting in file order (a problem without a line: its text, 0)."""
    return (problem.source, problem.line) if problem.line is not None else (str(problem), 0)


# --------------------------------------------------------------------------- resolving on a scenario


@dataclass(frozen=True)
class Plan:
    """Events resolved for one window and holder basis, in pinned order.

    ``rows`` retire preferred (counts ``counts``, per-holder ``alloc`` (R, H)); policy
    rows become ``dividend_changes`` (date, policy code).
    """

    rows: tuple[Event, ...]
    counts: np.ndarray  # (R,) int64
    alloc: np.ndarray  # (R, H) int64
    dividend_changes: tuple[tuple[dt.date, int], ...]
    emptied_by: int | None = None  # index in ``rows`` of the row that retires the last preferred (None: none)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        return tuple(e.date for e in self.rows) + tuple(d for d, _ in self.dividend_changes)


def _quantity(event: Event, available: int) -> int:
    return available if event.preferred_shares is ALL else int(event.preferred_shares)


def _share(holding: np.ndarray, n: int) -> np.ndarray:
    """n split over holders ∝ holding by largest remainder (ties: filing order).

    Memoized on (holding, n): resolving the same events on the same register for every scenario
    repeats the same splits (a new array each call; the cached one is never handed out)."""
    return _split(np.ascontiguousarray(holding, dtype=np.int64).tobytes(), n).copy()


@lru_cache(maxsize=64)
def _split(holding_bytes: bytes, n: int) -> np.ndarray:
    holding = np.frombuffer(holding_bytes, dtype=np.int64)
    total = int(holding.sum())
    if n == 0 or total == 0:
        return np.zeros_like(holding)
    return largest_remainder(
        (holding * (n / total))[None, :], np.array([n]), ScaledExact(holding[None, :], lambda _: Fraction(n, total))
    )[0]


def certain_exit(params: ScenarioParams, terms: Terms) -> tuple[dt.date, str] | None:
    """(date, why) of the first date on which the class leaves under the scenario's policies whatever the
    price, or None when its exit depends on the price (or it never leaves in the window).

    It leaves for sure at: the ``conversion = all`` date; the first put date in the window when
    ``put = all`` (redeemed) or ``put = rational`` (converted in the money, put otherwise); the
    ``call = date`` date (converted in the money, redeemed otherwise); the mandatory redemption date.
    (``conversion = rational`` with ``put = none`` and ``call = rational`` leave only at some prices.)"""
    window = lambda d: params.valuation_date < d <= params.horizon  # noqa: E731  (calc.model.schedule's put window)
    found: list[tuple[dt.date, str]] = []
    if params.conversion == "all":
        found.append((params.effective_conversion_date, "conversion = all"))
    if params.put in ("all", "rational"):
        puts = [d for d in terms.preferred.put_dates if window(d)]
        found += [(min(puts), f"put = {params.put}")] if puts else []
    if params.call == "date" and params.call_date is not None:
        found.append((params.call_date, "call = date"))
    if window(terms.preferred.mandatory_redemption_date):
        found.append((terms.preferred.mandatory_redemption_date, "mandatory redemption"))
    return min(found, key=lambda f: f[0]) if found else None


def late_row(event: Event, left: dt.date, why: str) -> Problem:
    """The problem of a row dated after the class left on ``left`` (``why``: how it left)."""
    return _field_of(
        event, "date", f"{event.date} is after the class left on {left} ({why}): no preferred is outstanding then"
    )


def resolve(events: Sequence[Event], params: ScenarioParams, terms: Terms, book: HolderBook, basis: np.ndarray) -> Plan:
    """Check every event against the scenario and the register; ``InputError`` listing every problem.

    Rules: date inside [valuation_date, horizon]; the action's date rule (put dates, call from
    2006-08-01, conversion from 2002-05-06); no row dated after the class has left by its policies
    whatever the price (``certain_exit``; a row on that date comes first, pinned order); no more
    preferred than outstanding at that point; a named holder exists and holds enough; ``all`` on
    exchange_common with common_shares must find preferred (common issued for 0 preferred is an error,
    literal or resolved; other rows of 0 preferred change nothing); every row's cash n × cash_per_preferred_usd
    and the ledger's running cash total at most ``MAX_CASH_USD``, and an exchange's floor(n × ratio) at most
    ``MAX_SHARES`` (products of inputs are bounded like the inputs).
    """
    ordered = sorted(events, key=lambda e: e.date)  # stable: file order within a date
    index = {name: i for i, name in enumerate(book.names)}
    outstanding, holding = terms.preferred.shares_issued, basis.astype(np.int64).copy()
    rows: list[Event] = []
    counts, allocs, changes, problems = [], [], [], []
    policy_exit = certain_exit(params, terms)
    emptied_by: int | None = None  # the row that retires the last preferred
    cash_total = Fraction(0)
    for e in ordered:
        if field := e.replay_only:
            problems.append(_field_of(e, field, REPLAY_ONLY, str(getattr(e, field))))
            continue
        spec = ACTIONS[e.action]
        if not params.valuation_date <= e.date <= params.horizon:
            window = f"{params.valuation_date}..{params.horizon}"
            problems.append(_field_of(e, "date", f"{e.date} is outside the window {window}"))
        elif policy_exit and e.date > policy_exit[0]:
            problems.append(late_row(e, *policy_exit))
            continue
        if spec.date_rule and (message := spec.date_rule(e.date, terms)):
            problems.append(_field_of(e, "date", f"{e.action} on {message}"))
        if spec.rule is None:
            changes.append((e.date, DIVIDEND_POLICIES.index(e.settlement)))
            continue
        if e.holder and e.holder not in index:
            problems.append(_field_of(e, "holder", "is not a register name", e.holder))
            continue
        available = int(holding[index[e.holder]]) if e.holder else outstanding
        n = _quantity(e, available)
        whose = f"holder '{e.holder}' holds" if e.holder else "outstanding"
        if n > outstanding or n > available:
            problems.append(
                _field_of(
                    e,
                    "preferred_shares",
                    f"{n:,} is more than the {min(available, outstanding):,} {whose} at that point",
                )
            )
            continue
        if row_problem := _product_problem(e, n, whose, cash_total):
            problems.append(row_problem)
            continue
        if e.action == "repurchase_cash":
            cash_total += n * (e.cash_per_preferred_usd or 0)
        alloc = np.zeros_like(holding)
        if e.holder:
            alloc[index[e.holder]] = n
        else:
            alloc = _share(holding, n)
        holding -= alloc
        outstanding -= n
        if outstanding == 0 and emptied_by is None:
            emptied_by = len(rows)
        rows.append(e)
        counts.append(n)
        allocs.append(alloc)
    if problems:
        raise InputError(f"events: {len(problems)} problem(s); nothing was run", tuple(problems))
    alloc_array = np.array(allocs, dtype=np.int64).reshape(len(allocs), book.size)
    return Plan(tuple(rows), np.array(counts, dtype=np.int64), alloc_array, tuple(changes), emptied_by)


REPLAY_ONLY = (
    "makes this a replay-only row (a replay action, another instrument, a package or date_from): the scenario "
    "models the 8.00% preferred; replay it with python -m calc bridge"
)
MAX_CASH_USD = (
    10**12
)  # a row's cash, and the ledger's total: exact to the cent in float64 (ulp at 10^12 < 1/4,000 cent)


def _product_problem(e: Event, n: int, whose: str, cash_total: Fraction) -> Problem | None:
    """The rule a row's products of inputs break (see ``resolve``), or None."""
    if e.action == "exchange_common" and e.common_shares and n == 0:
        return _field_of(
            e, "preferred_shares", f"'all' finds 0 preferred {whose} at that point: common issued for 0 preferred"
        )
    if e.action == "exchange_common" and e.common_per_preferred is not None:
        common = math.floor(n * e.common_per_preferred)
        if common > MAX_SHARES:
            return _field_of(
                e,
                "common_per_preferred",
                f"{n:,} preferred × {_shown(e.common_per_preferred)} = {_shown(common)} common is more than the "
                f"model limit of {MAX_SHARES:,} (10^15) shares",
            )
    if e.action == "repurchase_cash":
        cash = n * (e.cash_per_preferred_usd or 0)
        if cash > MAX_CASH_USD or cash_total + cash > MAX_CASH_USD:
            what = "" if cash > MAX_CASH_USD else f" (with the earlier rows' ${_shown(cash_total)})"
            return _field_of(
                e,
                "cash_per_preferred_usd",
                f"{n:,} preferred × ${_shown(e.cash_per_preferred_usd or 0)} = ${_shown(cash)}{what} is more than "
                f"the limit of ${MAX_CASH_USD:,} (10^12) of cash paid by the ledger",
            )
    return None


def _shown(value: Fraction | int) -> str:
    """A product for a message, to 4 significant digits (an absurd product is never shown as 100 digits)."""
    return f"{float(value):,.4g}" if value >= 10**6 else f"{float(value):g}"


# --------------------------------------------------------------------------- class totals of a row


@dataclass(frozen=True)
class RowResult:
    """A row's class totals per path (0 where the class had left before the row's date)."""

    action: str
    count: int  # preferred retired by the row where effective
    flow: Flow
    column: int
    effective: np.ndarray  # (P,) bool
    conversion: np.ndarray  # (P,) int64
    redemption: np.ndarray
    exchange: np.ndarray
    cash_usd: np.ndarray  # (P,) float
    debenture_usd: np.ndarray

    def exact_debenture_usd(self, p: int) -> Fraction:
        """Debenture principal the row issued on path p, exactly: n × LP at the row's date."""
        if self.flow.debenture_usd is None or not self.effective[p]:
            return Fraction(0)
        return self.count * self.flow.debenture_usd.exact(p)


def row_totals(action: str, flow: Flow, n: int, column: int, effective: np.ndarray) -> RowResult:
    """conversion floor(n c), redemption ceil(n q), exchange the given total or floor(n x),
    cash n × cash, debentures n × LP; masked by ``effective``. Every floor/ceil is exact."""

    def shares(per: PerShare | None, rounding: Callable[..., np.ndarray]) -> np.ndarray:
        if per is None:
            return np.zeros(effective.shape, dtype=np.int64)
        exact_at: ExactAt = lambda i: n * per.exact(i[0])  # noqa: E731
        return rounding(n * per.approx, exact_at, effective & (per.approx > 0))

    exchange = (
        np.where(effective, flow.exchange_total, 0).astype(np.int64)
        if flow.exchange_total is not None
        else shares(flow.exchange, floor_shares)
    )
    debenture = np.zeros(effective.shape) if flow.debenture_usd is None else flow.debenture_usd.approx
    return RowResult(
        action,
        n,
        flow,
        column,
        effective,
        shares(flow.conversion, floor_shares),
        shares(flow.redemption, ceil_shares),
        exchange,
        np.where(effective, n * np.broadcast_to(flow.cash_usd, effective.shape), 0.0),
        np.where(effective, n * debenture, 0.0),
    )


@dataclass(frozen=True)
class HolderLedger:
    """Per holder (S, H) after the ledger rows: holding at the exit in units of LP_x (preferred
    left plus ledger debentures d_i / LP_x), exactly by cell, and the common the rows gave."""

    holding: np.ndarray  # (S, H) float
    exact_holding: SumScaledExact  # (s, h) -> units + Σ_rows held × d(s) / LP_x(s), exactly
    shares: dict[str, np.ndarray]  # LEDGER_HOLDER_COLUMNS -> (S, H) int64


def holder_ledger(
    plan: Plan,
    rows: Sequence[RowResult],
    basis: np.ndarray,
    split_total: np.ndarray,
    lp_exit: np.ndarray,
    exact_lp_exit: Callable[[int], Fraction],
) -> HolderLedger:
    """Holdings and row shares per holder (see ``HolderLedger``).

    A row's holder shares: entitlement_i = alloc_i × per-share quantity (exact); where ``split_total``
    (the basis splits the class total, ``calc.model.holder_bases``) rows split the class total by largest
    remainder, elsewhere each holder rounds alone.
    Holding_i = units_i + Σ rows alloc_i × LP_row / LP_x (debentures, exact).

    The holder view stops at the class: on a path where a row retires the last preferred
    (``Plan.emptied_by``), every holder's units left are 0 from then on. On the ``registered`` basis the
    listings exceed the class (2,338,914 listed, 1,885,000 issued); rows split the class's own count over
    the listings, so without this rule the 453,914 listed beyond the class would still be converted or
    redeemed after the class had gone (issue 20, item 27). Debentures from rows stay (they are outstanding).
    """
    units = basis.astype(np.int64).copy()
    debentures = np.zeros(basis.shape)
    shares = {k: np.zeros(basis.shape, dtype=np.int64) for k in LEDGER_HOLDER_COLUMNS}
    sources = (
        ("conversion_shares", "conversion", floor_shares),
        ("redemption_shares", "redemption", ceil_shares),
        ("exchange_shares", "exchange", floor_shares),
    )
    debenture_rows = []
    for alloc, row in zip(plan.alloc, rows):
        held = np.where(row.effective[:, None], alloc[None, :], 0)
        units -= held
        for key, name, rounding in sources:
            per: PerShare | None = getattr(row.flow, name)
            if per is not None and per.constant is not None:
                shares[key] += _constant_row_shares(
                    alloc, per.constant, getattr(row, name), row.effective, split_total, rounding
                )
            elif per is not None and per.approx.any():
                shares[key] += allocate_holder_shares(
                    held, per.approx, per.exact, getattr(row, name), split_total, rounding
                )
        if row.flow.debenture_usd is not None:
            debentures += held * row.flow.debenture_usd.approx[:, None]
            debenture_rows.append((held, row))
    if plan.emptied_by is not None:
        units[rows[plan.emptied_by].effective] = 0  # no preferred left: the listing beyond the class stops too

    @cache
    def coefficients(s: int) -> tuple[Fraction, ...]:
        lp_x = exact_lp_exit(s)
        return (Fraction(1), *(row.flow.debenture_usd.exact(s) / lp_x for _, row in debenture_rows))  # type: ignore[union-attr]

    exact_holding = SumScaledExact((units, *(held for held, _ in debenture_rows)), coefficients)
    return HolderLedger(units + debentures / lp_exit[:, None], exact_holding, shares)


def _constant_row_shares(
    alloc: np.ndarray,
    per: Fraction,
    totals: np.ndarray,
    effective: np.ndarray,
    split_total: np.ndarray,
    rounding: Callable[..., np.ndarray],
) -> np.ndarray:
    """(S, H) holder shares of a row whose per-share quantity is the same on every path: where effective,
    path s gets the row ``_holder_row_shares(alloc, per, total, split_total[s])`` (the class total is then
    the same too), elsewhere 0; the same counts as ``allocate_holder_shares`` on every path, one row per split value."""
    shares = np.zeros((len(effective), len(alloc)), dtype=np.int64)
    if per <= 0 or not effective.any():
        return shares
    total = int(totals[np.argmax(effective)])
    key = alloc.astype(np.int64, copy=False).tobytes()
    for split in (False, True):
        rows = effective & (split_total == split)
        if rows.any():
            shares[rows] = _holder_row_shares(key, per, total, split, rounding)
    return shares


@lru_cache(maxsize=64)
def _holder_row_shares(
    alloc_bytes: bytes, per: Fraction, total: int, split: bool, rounding: Callable[..., np.ndarray]
) -> np.ndarray:
    """(H,) one path's holder shares of a constant per-share row (``allocate_holder_shares`` on one row; memoized by
    the allocation, quantity, class total and split: they do not depend on the price path)."""
    alloc = np.frombuffer(alloc_bytes, dtype=np.int64)[None, :]
    row = allocate_holder_shares(
        alloc, np.array([float(per)]), lambda _: per, np.array([total]), np.array([split]), rounding
    )[0]
    row.flags.writeable = False
    return row


LEDGER_HOLDER_COLUMNS = ("conversion_shares", "redemption_shares", "exchange_shares")
