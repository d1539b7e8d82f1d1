"""Every dilutive security on one price path: issued and potential common shares by instrument.

The instruments come from the registry (``calc.model.instruments``). All of them are projected on one
date grid (the 8.00% preferred's event dates plus every other instrument's dates in the window
(valuation_date, horizon]) and one price path per row, P paths × E dates, as numpy arrays.

Notation (path p, column e, S = common price on the date)
---------------------------------------------------------
8.00% preferred   the full model (``calc.model.scenario.project``: ledger rows, stock dividends,
                  accretion, exchange, puts, call) on its own event columns, placed on the grid;
                  potential_e = floor((N_e × LP_e + D_e) / 1000 × CR_e) while outstanding.
Convertibles      (debt, trust preferred) A_e face outstanding after the date's registry steps,
                  u face per unit, CR common per unit, CP conversion price, g trigger (% of CP):
    in the money    S × CR ≥ u                     convertible   S ≥ CP × g / 100  (g = 0: always)
    decision dates  puts, the cash call, maturity  (the class acts together, once)
    convert   conversion=rational & decision & in the money & convertible & not put=all
    redeem    not convert & (put=all at a put | put=rational at a put & not (in the money &
              convertible) | the cash call | maturity)
    shares    conversion floor(A_x / u × CR); stock-settled put ceil(A_x / (S × put_factor));
              cash call, maturity and cash puts issue none
    potential_e = floor(A_e / u × CR) while outstanding (if-converted, whatever the contingency)
    exchanges  with the history (``--history``; ``calc.inputs.history_replay.security_exchanges``): the common
              a replayed exchange issued for the security on its date in (valuation_date, horizon] is
              issued (source "exchanged for common (history)"); the face it retired is the registry's
              step (the trust preferred's $598M: 1,750M -> 1,152M, placed at 2003-09-30, so its
              potential shares before that date still count the exchanged face: assumption)
Warrants          n warrants × m shares at K, exercisable issue..expiry:
    exercise  in_the_money: first date in the window with S > K; at_expiry: the expiry date if S > K
    shares    gross n × m;  net (cashless) floor(n × m × (1 − K/S))
    potential_e = n × m while outstanding and not exercised (if-exercised)
Option pools      each grant's lots (``calc.model.options``): a lot of n shares at K is outstanding from
                  the grant (from the termination for post-termination lots) to its last exercise
                  day and exercisable from its exercisable date; exercise as for warrants (gross).
                  Shares exercised before a termination are taken off the post-termination lots
                  (first lot first: the shares exercisable at termination).
                  Restricted stock (a form with award = restricted_stock): no exercise; each
                  delivery (``calc.model.options.restricted_deliveries``) is issued on its date if that is
                  after the valuation date (on or before it: already in the base shares), whatever
                  the price or exercise policy; potential_e = the shares not yet delivered on the
                  date (``restricted_unvested``); once delivered, never potential again.
                  Treasury stock method (diluted EPS): floor once per grant (``calc.model.options``).
Savings plan      optional issuance source (policy match=new_stock): at each period end in the
                  window, floor(match_usd_per_year / periods / S) new shares; no potential shares.
Fully diluted     T = base + Σ issued + Σ potential at the horizon; the measures (new shares % of
                  outstanding, fully diluted % of T, increase over the base) and the bridge base →
                  outstanding → T are named once in ``calc.model.measures``.
Illustrative      instruments marked ``illustrative = true`` in the registry (made-up option grants)
                  are left out by ``setup`` unless ``include_illustrative=True``: out of every figure
                  here (fully diluted, EPS, Monte Carlo).
Every floor/ceil is exact (``calc.model.rounding``); a path whose new shares pass ``MAX_SHARES`` raises
``ShareLimitError``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from calc.errors import InputError, echo
from calc.model import preferred_rules as rules
from calc.model.allocation import HolderBook
from calc.model.capacity import StockCaps
from calc.model.engine import Policies, ShareLimitError
from calc.model.eps import DilutedEps, PotentialShares, diluted_eps, input_problems
from calc.model.inputs_registry import PERIOD_YEARS
from calc.model.instruments import (
    Convertible,
    Instrument,
    OptionPool,
    PreferredRef,
    Registry,
    SavingsPlan,
    Warrant,
)
from calc.model.ledger import Event, Plan
from calc.model.measures import Measures, bridge
from calc.model.montecarlo import CHUNK_PATHS, PERCENTILES, gbm_prices, report_over_limit, validate_mc
from calc.model.options import (
    Grant,
    Lot,
    add_months,
    is_restricted,
    normal_lots,
    restricted_deliveries,
    restricted_unvested,
    terminated_lots,
    tsm_incremental_shares,
)
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.rounding import MAX_SHARES, ceil_shares, decimal_value, exact_at_least, floor_shares, quotient
from calc.model.scenario import project, scenario_plan, scenario_schedule
from calc.model.scenario_prices import base_prices, path_shape
from calc.model.schedule import DAYS_PER_YEAR

DAYS_PER_YEAR_EXACT = Fraction(1461, 4)  # 365.25, the grid's year (calc.model.schedule.DAYS_PER_YEAR)

NEVER = dt.date.max
# the 8.00% preferred's issuance sources, as the scenario summary's dividend/conversion/redemption/exchange_shares
PREFERRED_SOURCES = ("dividends paid in stock", "conversion", "redemption / put paid in stock", "exchange for common")


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class Policy:
    """One instrument's policy; only the fields of its kind apply (``KIND_POLICIES``)."""

    conversion: str = "rational"
    put: str = "rational"
    put_settlement: str = "cash"
    put_factor: float = 1.0
    exercise: str = "in_the_money"
    settlement: str = "gross"
    match: str = "none"


CHOICES = {
    "conversion": ("rational", "none"),
    "put": ("rational", "none", "all"),
    "put_settlement": ("cash", "stock"),
    "exercise": ("in_the_money", "at_expiry", "none"),
    "settlement": ("gross", "net"),
    "match": ("none", "new_stock"),
}
FACTOR_RANGE = (0.01, 1.0)
KIND_POLICIES: dict[type, tuple[str, ...]] = {
    Convertible: ("conversion", "put", "put_settlement", "put_factor"),
    Warrant: ("exercise", "settlement"),
    OptionPool: ("exercise",),
    SavingsPlan: ("match",),
    PreferredRef: (),
}


def _policy_value(instrument: Instrument, field: str, text: str) -> object:
    """One ``--policy`` value checked against the field's rule (InputError naming it)."""
    where = f"policy {instrument.id}.{field}"
    if field == "put_factor":
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{where}: '{echo(text)}' is not a number") from None
        if not FACTOR_RANGE[0] <= value <= FACTOR_RANGE[1]:  # False for NaN
            raise InputError(f"{where}: {echo(text)} must be from {FACTOR_RANGE[0]} to {FACTOR_RANGE[1]}")
        return value
    allowed = CHOICES[field]
    if field == "put_settlement" and isinstance(instrument, Convertible):
        allowed = instrument.put_settlement_options
    if text not in allowed:
        raise InputError(f"{where}: '{echo(text)}' is not one of {', '.join(allowed)}")
    return text


def parse_policies(items: Sequence[str], registry: Registry) -> dict[str, Policy]:
    """Policies by instrument id from ``ID.FIELD=VALUE`` items (defaults: ``Policy()``); every
    problem (unknown id, field not of the instrument's kind, bad value) is reported at once."""
    by_id = {i.id: i for i in registry.instruments}
    changes: dict[str, dict[str, object]] = {}
    problems = []
    for item in items:
        key, sep, text = item.partition("=")
        iid, dot, field = key.strip().partition(".")
        instrument = by_id.get(iid)
        if not sep or not dot:
            problems.append(f"policy '{echo(item)}': expected ID.FIELD=VALUE")
        elif instrument is None:
            problems.append(f"policy '{echo(item)}': unknown instrument '{echo(iid)}' (known: {', '.join(by_id)})")
        elif field not in KIND_POLICIES[type(instrument)]:
            known = ", ".join(KIND_POLICIES[type(instrument)]) or "none: use the scenario flags"
            problems.append(f"policy '{echo(item)}': {instrument.kind} has no policy '{echo(field)}' (known: {known})")
        else:
            try:
                changes.setdefault(iid, {})[field] = _policy_value(instrument, field, text.strip())
            except InputError as exc:
                problems.append(str(exc))
    if problems:
        raise InputError(f"invalid policies: {len(problems)} problem(s)", tuple(problems))
    return {iid: dataclasses.replace(Policy(), **values) for iid, values in changes.items()}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the date grid


Exchange = tuple[str, dt.date, int]  # (instrument id, date, common issued): a replayed exchange


@dataclass(frozen=True)
class Grid:
    dates: tuple[dt.date, ...]
    years: np.ndarray  # (E,) years since the valuation date: (date − valuation) / 365.25 days

    @property
    def size(self) -> int:
        return len(self.dates)

    def column(self, date: dt.date) -> int:
        return self.dates.index(date)

    def between(self, first: dt.date, last: dt.date) -> np.ndarray:
        """(E,) bool: first <= date <= last."""
        return np.array([first <= d <= last for d in self.dates])

    def marks(self, dates: Sequence[dt.date]) -> np.ndarray:
        chosen = set(dates)
        return np.array([d in chosen for d in self.dates])


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def match_dates(plan: SavingsPlan, first: dt.date, last: dt.date) -> list[dt.date]:
    """Period ends (months divisible by 12 / periods) with first < date <= last."""
    step = 12 // plan.match_periods_per_year
    ends = (_month_end(y, m) for y in range(first.year, last.year + 1) for m in range(step, 13, step))
    return [d for d in ends if first < d <= last]


def _lot_dates(lots: list[tuple[Lot, dt.date, dt.date, bool]]) -> list[dt.date]:
    """Outstanding from, exercisable from, last exercise day and the day after (when it expires)."""
    ends = [d for _, _, end, _ in lots if end < NEVER for d in (end, end + dt.timedelta(days=1))]
    return [d for lot, start, _, _ in lots for d in (start, lot.exercisable_from)] + ends


def _instrument_dates(instrument: Instrument, policy: Policy, first: dt.date, last: dt.date) -> list[dt.date]:
    if isinstance(instrument, Convertible):
        return [s.date for s in instrument.outstanding] + list(instrument.decision_dates)
    if isinstance(instrument, Warrant):
        return [instrument.issue_date, instrument.expiry_date, instrument.expiry_date + dt.timedelta(1)]
    if isinstance(instrument, OptionPool):
        return [
            d
            for g in instrument.grants
            for d in ([d for d, _ in restricted_deliveries(g)] if is_restricted(g) else _lot_dates(grant_lots(g)))
        ]
    if isinstance(instrument, SavingsPlan) and policy.match == "new_stock":
        return match_dates(instrument, first, last)
    return []


def build_grid(
    params: ScenarioParams,
    registry: Registry,
    policies: Mapping[str, Policy],
    preferred_dates: tuple[dt.date, ...],
    exchanges: Sequence[Exchange] = (),
) -> Grid:
    """The preferred's event dates plus every instrument's dates (and exchange dates) in (valuation_date, horizon]."""
    first, last = params.valuation_date, params.horizon
    extra = {
        d
        for i in registry.instruments
        for d in _instrument_dates(i, policies.get(i.id, Policy()), first, last)
        if first < d <= last
    } | {d for _, d, _ in exchanges}
    dates = tuple(sorted(set(preferred_dates) | extra))
    return Grid(dates, np.array([(d - first).days / DAYS_PER_YEAR for d in dates]))


# --------------------------------------------------------------------------- one instrument's projection


@dataclass(frozen=True)
class Projection:
    instrument: Instrument
    method: str  # "if-converted", "treasury stock" or "issuance source"
    issued: np.ndarray  # (P, E) int64 new common issued on each date
    potential: np.ndarray  # (P, E) int64 common obtainable from what is outstanding after each date
    dividends_usd_per_year: np.ndarray  # (P,) non-deductible carrying cost at the horizon (preferred dividends)
    interest_usd_per_year: np.ndarray  # (P,) tax-deductible carrying cost at the horizon
    tsm: tuple[tuple[Decimal, np.ndarray], ...] = ()  # (K, unexercised exercisable count (P,)) at the horizon
    sources: tuple[tuple[str, np.ndarray], ...] = ()  # (source, (P,) issued through the horizon): Σ = issued total
    dividends_due_usd: np.ndarray | None = None  # (P, E) the 8.00% preferred's dividends due (paid or accrued) by date


def _zeros(shape: tuple[int, ...]) -> np.ndarray:
    return np.zeros(shape, dtype=np.int64)


def _first(mask: np.ndarray) -> np.ndarray:
    """(P,) first True column of each row of ``mask`` (P, E); E where none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), mask.shape[1])


def _placed(values: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """(P, E) int64: values (P,) at each row's column (none where the column is E)."""
    out = _zeros(shape)
    rows = np.flatnonzero(columns < shape[1])
    out[rows, columns[rows]] = values[rows]
    return out


def _alive(columns: np.ndarray, E: int) -> np.ndarray:
    """(P, E) bool: before each row's exit column."""
    return np.arange(E)[None, :] < columns[:, None]


def _preferred(
    registry: Registry, params: ScenarioParams, plan: Plan | None, grid: Grid, prices: np.ndarray, caps: StockCaps
) -> Projection:
    """The 8.00% preferred's full model on its own columns, placed on the grid (see the module docstring)."""
    terms = registry.terms
    schedule = scenario_schedule(params, terms, plan)
    cols = np.array([grid.column(d) for d in schedule.dates])
    P = len(prices)
    path = project(schedule, prices[:, cols], Policies.from_params([params]).repeat(P), terms, plan, caps=caps)
    by_source = dict(zip(PREFERRED_SOURCES, (*path.issued_by_column(), path.exchange_by_column())))
    issued = _zeros((P, grid.size))
    issued[:, cols] = sum(by_source.values())
    units, debentures = path.outstanding(), path.debenture_usd()
    principal = units * path.lp_end + debentures

    def exact_principal(c: tuple[int, ...]) -> Fraction:
        p, e = c
        rows = sum((r.exact_debenture_usd(p) for r in path.rows if r.column <= e), Fraction(0))
        return int(units[p, e]) * path.lp.end(p, e) + rows

    potential = floor_shares(
        rules.conversion_per_share(principal, schedule.rate[None, :]),
        lambda c: rules.exact_conversion_per_share(exact_principal(c), schedule.exact_rate[c[1]]),
        principal > 0,
    )
    last_event = np.searchsorted(cols, np.arange(grid.size), side="right") - 1  # carried between its columns
    exchanged = bool((schedule.after_exchange | schedule.is_exchange)[-1])
    held_usd = units[:, -1] * path.lp_end[:, -1]
    dividends = np.zeros(P) if exchanged else held_usd * float(terms.preferred.dividend_rate)
    interest = (debentures[:, -1] + (held_usd if exchanged else 0.0)) * float(terms.preferred.exchange_debenture_rate)
    sources = tuple((k, v.sum(axis=1)) for k, v in by_source.items())
    due = np.zeros((P, grid.size))
    due[:, cols] = path.dividend_due_usd
    return Projection(
        registry.preferred,
        "if-converted",
        issued,
        potential[:, last_event],
        dividends,
        interest,
        sources=sources,
        dividends_due_usd=due,
    )


def _amounts(c: Convertible, grid: Grid) -> list[Fraction]:
    """Face outstanding after each date's registry steps (0 before the issue and after maturity)."""
    out = []
    for d in grid.dates:
        steps = [s.amount_usd for s in c.outstanding if s.date <= d]
        out.append(Fraction(steps[-1]) if steps and d <= c.maturity_date else Fraction(0))
    return out


def _convertible(c: Convertible, pol: Policy, grid: Grid, prices: np.ndarray) -> Projection:
    """Convertible debt or trust preferred (see the module docstring)."""
    P, E = prices.shape
    exact_amount = _amounts(c, grid)
    amount = np.array([float(a) for a in exact_amount])
    rate, unit, exact_rate = float(c.conversion_rate), float(c.unit_usd), Fraction(c.conversion_rate)
    exact_unit = Fraction(c.unit_usd)
    trigger = Fraction(c.conversion_price_usd) * Fraction(c.contingent_trigger_pct) / 100
    itm = rules.in_the_money(prices, rate, lambda _: exact_rate, unit, lambda _: exact_unit)
    convertible = exact_at_least(prices, float(trigger), lambda i: decimal_value(prices[i]) >= trigger)
    live = (amount > 0)[None, :]
    is_put = grid.marks(c.put_dates)[None, :]
    final = grid.marks([c.maturity_date, *filter(None, [c.cash_call_date])])[None, :]
    put_all = (pol.put == "all") & is_put
    rational_convert, rational_put = rules.rational_holder(itm & convertible, is_put | final, is_put)
    convert = (pol.conversion == "rational") & rational_convert & ~put_all
    put_rational = (pol.put == "rational") & rational_put
    exit_col = _first(live & (convert | put_all | put_rational | final))
    col = np.minimum(exit_col, E - 1)
    rows = np.arange(P)
    exited = exit_col < E
    converts = exited & convert[rows, col]
    stock = exited & ~converts & is_put[0, col] & (pol.put_settlement == "stock")
    conversion = floor_shares(
        rules.conversion_per_share(amount[col], rate, unit),
        lambda i: rules.exact_conversion_per_share(exact_amount[col[i[0]]], exact_rate, exact_unit),
        converts,
    )
    price_x = prices[rows, col]
    redemption = ceil_shares(
        rules.redemption_shares(amount[col], price_x, pol.put_factor, stock),
        lambda i: rules.exact_redemption_per_share(exact_amount[col[i[0]]], price_x[i], pol.put_factor),
        stock,
    )
    per_column = [rules.exact_conversion_per_share(a, exact_rate, exact_unit) for a in exact_amount]
    potential = floor_shares(
        np.broadcast_to(rules.conversion_per_share(amount, rate, unit), (P, E)),
        lambda i: per_column[i[1]],
        _alive(exit_col, E) & live,
    )
    cost = np.where(exit_col == E, amount[-1] * float(c.coupon_rate), 0.0)
    zero = np.zeros(P)
    return Projection(
        c,
        "if-converted",
        _placed(conversion + redemption, exit_col, (P, E)),
        potential,
        zero if c.interest_deductible else cost,
        cost if c.interest_deductible else zero,
    )


def _exercise_columns(window: np.ndarray, end: dt.date, itm: np.ndarray, policy: str, grid: Grid) -> np.ndarray:
    """(P,) column where a lot is exercised (E: never): see the module docstring."""
    P, E = itm.shape
    if policy == "none" or not window.any():
        return np.full(P, E)
    if policy == "in_the_money":
        return _first(window[None, :] & itm)
    last = int(np.flatnonzero(window)[-1])
    at_end = grid.dates[last] == end
    return np.where(at_end & itm[:, last], last, E)


def _warrant(w: Warrant, pol: Policy, grid: Grid, prices: np.ndarray) -> Projection:
    P, E = prices.shape
    shares = w.count * w.shares_per_warrant
    window = grid.between(w.issue_date, w.expiry_date)
    col = _exercise_columns(window, w.expiry_date, prices > float(w.exercise_price_usd), pol.exercise, grid)
    done = col < E
    strike = Fraction(w.exercise_price_usd)
    if pol.settlement == "net":
        price_x = prices[np.arange(P), np.minimum(col, E - 1)]
        issued = floor_shares(
            shares * (1 - float(strike) / price_x), lambda i: shares * (1 - strike / decimal_value(price_x[i])), done
        )
    else:
        issued = np.where(done, shares, 0).astype(np.int64)
    potential = np.where(window[None, :] & _alive(col, E), shares, 0).astype(np.int64)
    remaining = np.where(window[-1] & ~done, shares, 0).astype(np.int64)
    zero = np.zeros(P)
    return Projection(
        w, "treasury stock", _placed(issued, col, (P, E)), potential, zero, zero, ((w.exercise_price_usd, remaining),)
    )


def grant_lots(grant: Grant) -> list[tuple[Lot, dt.date, dt.date, bool]]:
    """(lot, outstanding from, last exercise day, after termination) of a grant: its lots while
    employed (ending the day before a termination), then its post-termination lots (from it)."""
    end = grant.termination_date
    stop = end - dt.timedelta(days=1) if end else NEVER
    before = [(lot, grant.grant_date, min(lot.last_exercise_date or NEVER, stop), False) for lot in normal_lots(grant)]
    after = [(lot, end, lot.last_exercise_date or NEVER, True) for lot in terminated_lots(grant)[0]] if end else []
    return before + after


def _restricted(grant: Grant, grid: Grid, P: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(issued (P, E), potential (P, E), unvested at the horizon) of a restricted-stock grant: each delivery
    (``calc.model.options.restricted_deliveries``) is issued on its date when it falls after the valuation date
    (grid column 0), whatever the price or exercise policy; one on or before it is in the base shares;
    the undelivered shares (``restricted_unvested``) are potential on every date."""
    E = grid.size
    issued = _zeros((P, E))
    for date, shares in restricted_deliveries(grant):
        if grid.dates[0] < date <= grid.dates[-1]:
            issued[:, grid.column(date)] += shares
    unvested = np.array([restricted_unvested(grant, d) for d in grid.dates], dtype=np.int64)
    return issued, np.broadcast_to(unvested, (P, E)).copy(), int(unvested[-1])


def _options(pool: OptionPool, pol: Policy, grid: Grid, prices: np.ndarray) -> Projection:
    """Option lots and restricted stock (see the module docstring); ``tsm`` holds one entry per grant: the
    treasury stock method floors once per grant (``calc.model.options.tsm_shares``' rule), never per lot."""
    P, E = prices.shape
    issued, potential = _zeros((P, E)), _zeros((P, E))
    tsm = []
    for grant in pool.grants:
        if is_restricted(grant):
            delivered, undelivered, unvested = _restricted(grant, grid, P)
            issued += delivered
            potential += undelivered
            tsm.append((grant.exercise_price_usd, np.full(P, unvested, dtype=np.int64)))
            continue
        itm = prices > float(grant.exercise_price_usd)
        exercised_before = _zeros((P,))  # shares exercised before the termination, taken off the later lots
        counted = _zeros((P,))  # unexercised exercisable shares of the grant at the horizon
        for lot, start, end, after_termination in grant_lots(grant):
            shares = np.full(P, lot.shares, dtype=np.int64)
            if after_termination:
                taken = np.minimum(shares, exercised_before)
                shares, exercised_before = shares - taken, exercised_before - taken
            col = _exercise_columns(grid.between(lot.exercisable_from, end), end, itm, pol.exercise, grid)
            if not after_termination:
                exercised_before += np.where(col < E, shares, 0)
            issued += _placed(shares, col, (P, E))
            potential += np.where(grid.between(start, end)[None, :] & _alive(col, E), shares[:, None], 0)
            horizon_window = lot.exercisable_from <= grid.dates[-1] <= end
            counted += np.where(horizon_window & (col == E), shares, 0)
        tsm.append((grant.exercise_price_usd, counted))
    zero = np.zeros(P)
    return Projection(pool, "treasury stock", issued, potential, zero, zero, tuple(tsm))


def _savings(plan: SavingsPlan, pol: Policy, grid: Grid, prices: np.ndarray) -> Projection:
    P, E = prices.shape
    zero = np.zeros(P)
    on = grid.marks(match_dates(plan, grid.dates[0], grid.dates[-1]) if pol.match == "new_stock" else [])
    per_period = Fraction(plan.match_usd_per_year) / plan.match_periods_per_year
    issued = floor_shares(
        quotient(np.full((P, E), float(per_period)), prices, on[None, :]),
        lambda c: per_period / decimal_value(prices[c]),
        on[None, :] & (per_period > 0),
    )
    return Projection(plan, "issuance source", issued, _zeros((P, E)), zero, zero)


# --------------------------------------------------------------------------- all instruments together

PROJECTORS: dict[type, Callable[..., Projection]] = {
    Convertible: _convertible,
    Warrant: _warrant,
    OptionPool: _options,
    SavingsPlan: _savings,
}


@dataclass(frozen=True)
class DilutionResult:
    params: ScenarioParams
    grid: Grid
    prices: np.ndarray  # (P, E)
    projections: tuple[Projection, ...]

    def issued_total(self) -> np.ndarray:
        """(P,) new common issued by all instruments through the horizon."""
        return sum((p.issued.sum(axis=1) for p in self.projections), _zeros((len(self.prices),)))

    def potential_total(self) -> np.ndarray:
        """(P,) potential common of everything outstanding at the horizon."""
        return sum((p.potential[:, -1] for p in self.projections), _zeros((len(self.prices),)))

    def fully_diluted(self) -> np.ndarray:
        """(P,) T = base + Σ issued + Σ potential at the horizon."""
        return self.params.base_shares + self.issued_total() + self.potential_total()


def project_all(
    params: ScenarioParams,
    registry: Registry,
    policies: Mapping[str, Policy],
    grid: Grid,
    prices: np.ndarray,
    plan: Plan | None,
    caps: StockCaps,
    exchanges: Sequence[Exchange] = (),
) -> DilutionResult:
    """Every instrument of the registry on the same (P, E) prices; ``exchanges`` issued on their dates."""
    out = []
    for instrument in registry.instruments:
        pol = policies.get(instrument.id, Policy())
        if isinstance(instrument, PreferredRef):
            out.append(_preferred(registry, params, plan, grid, prices, caps))
        else:
            projected = PROJECTORS[type(instrument)](instrument, pol, grid, prices)
            out.append(_with_exchanges(projected, [x for x in exchanges if x[0] == instrument.id], grid))
    result = DilutionResult(params, grid, prices, tuple(out))
    _check_limit(result)
    return result


EXCHANGED = "exchanged for common (history)"


def _with_exchanges(x: Projection, exchanges: Sequence[Exchange], grid: Grid) -> Projection:
    """``x`` with the replayed exchanges' common issued on their columns (sources: exchanges, the rest)."""
    if not exchanges:
        return x
    added = _zeros((grid.size,))
    for _, date, common in exchanges:
        added[grid.column(date)] += common
    issued = x.issued + added[None, :]
    rest = x.issued.sum(axis=1)
    sources = ((EXCHANGED, np.full(len(rest), int(added.sum()), dtype=np.int64)), ("conversion and puts", rest))
    return dataclasses.replace(x, issued=issued, sources=sources)


def _check_limit(result: DilutionResult) -> None:
    """ShareLimitError naming the first instrument and date where a path's new shares pass MAX_SHARES."""
    cumulative = np.cumsum(sum(p.issued for p in result.projections), axis=1)
    over = cumulative[:, -1] > MAX_SHARES
    if not over.any():
        return
    p = int(np.argmax(over))
    e = int(np.argmax(cumulative[p] > MAX_SHARES))
    worst = max(result.projections, key=lambda x: int(x.issued[p, e]))
    raise ShareLimitError(np.flatnonzero(over), worst.instrument.name, result.grid.dates[e])


@dataclass(frozen=True)
class Setup:
    """What every run of one scenario shares: registry (the instruments in use), policies, ledger plan and the
    date grid; ``excluded``: the registry's illustrative instruments left out."""

    params: ScenarioParams
    registry: Registry
    policies: Mapping[str, Policy]
    plan: Plan | None
    grid: Grid
    caps: StockCaps
    excluded: tuple[Instrument, ...] = ()
    prices_path: PricePath | None = None  # a dated price path (``calc.model.scenario_prices``; None: the drift path)
    exchanges: tuple[Exchange, ...] = ()  # replayed exchanges of registry securities in the window


def setup(
    params: ScenarioParams,
    registry: Registry,
    policies: Mapping[str, Policy] | None = None,
    events: tuple[Event, ...] = (),
    include_illustrative: bool = False,
    *,
    book: HolderBook,
    caps: StockCaps,
    prices_path: PricePath | None = None,
    exchanges: Sequence[Exchange] = (),
) -> Setup:
    """Instruments, policies and the 8.00% preferred's ledger plan on one date grid. Illustrative instruments
    (``Registry.illustrative``) only with ``include_illustrative``; ``book``: the holder data the events name
    holders of (the shipped filing's: ``calc.inputs.data.default_book``; the shipped registry:
    ``calc.inputs.instruments_toml.load_registry``); ``prices_path``: a dated price path instead of the drift
    path; ``exchanges``: (instrument id, date, common) of replayed exchanges (those of the registry's securities in
    (valuation_date, horizon] are issued)."""
    excluded = () if include_illustrative else registry.illustrative()
    registry = registry if include_illustrative else registry.without_illustrative()
    policies = policies or {}
    plan = scenario_plan(params, events, registry.terms, book)
    schedule = scenario_schedule(params, registry.terms, plan)
    ids = {i.id for i in registry.instruments}
    inside = tuple(x for x in exchanges if x[0] in ids and params.valuation_date < x[1] <= params.horizon)
    grid = build_grid(params, registry, policies, schedule.dates, inside)
    return Setup(params, registry, policies, plan, grid, caps, excluded, prices_path, inside)


def run_dilution(s: Setup, start_prices: np.ndarray | None = None) -> DilutionResult:
    """Deterministic paths ``P_0 × (1 + drift)^t``, one per start price (default: the scenario's price); with a
    price path, the path's closes (``calc.model.scenario_prices.base_prices``), scaled to each start price on the
    valuation date when start prices are given."""
    start = np.array([s.params.price]) if start_prices is None else np.asarray(start_prices, dtype=float)
    drift = np.full(len(start), s.params.annual_drift)
    shape = path_shape(s.prices_path, s.grid.dates, s.params.valuation_date)
    if shape is None or start_prices is None:
        prices = base_prices(start, drift, s.grid.dates, s.grid.years, s.prices_path)
    else:
        prices = start[:, None] * shape[None, :]
    return project_all(s.params, s.registry, s.policies, s.grid, prices, s.plan, s.caps, s.exchanges)


# --------------------------------------------------------------------------- reports


def instrument_rows(result: DilutionResult, p: int = 0) -> list[dict[str, object]]:
    """Per instrument on path p: issued through the horizon, potential at the horizon, share of T."""
    total = int(result.fully_diluted()[p])
    rows = []
    for x in result.projections:
        issued, potential = int(x.issued[p].sum()), int(x.potential[p, -1])
        rows.append(
            {
                "id": x.instrument.id,
                "kind": x.instrument.kind,
                "name": x.instrument.name,
                "method": x.method,
                "issued_shares": issued,
                "potential_shares": potential,
                "issued_and_potential_shares": issued + potential,
                "pct_of_fully_diluted": 100.0 * (issued + potential) / total,
            }
        )
    return rows


def measures(result: DilutionResult, p: int = 0) -> Measures:
    """B, Σ issued and Σ potential on path p (``calc.model.measures``)."""
    return Measures(result.params.base_shares, int(result.issued_total()[p]), int(result.potential_total()[p]))


def issued_sources(result: DilutionResult, p: int = 0) -> list[tuple[str, int]]:
    """(step, shares issued through the horizon) per source: the 8.00% preferred by its sources, others whole."""
    out: list[tuple[str, int]] = []
    for x in result.projections:
        whole = [(x.instrument.name, int(x.issued[p].sum()))]
        out += [(f"{x.instrument.name}: {k}", int(v[p])) for k, v in x.sources] or whole
    return out


def bridge_rows(result: DilutionResult, p: int = 0) -> list[dict[str, object]]:
    """Base → + issued by source → total outstanding → + potential by instrument → fully diluted, path p."""
    potential = [(x.instrument.name, int(x.potential[p, -1])) for x in result.projections]
    return bridge(result.params.base_shares, issued_sources(result, p), potential)


def totals(result: DilutionResult, p: int = 0) -> dict[str, object]:
    """The counts and the three measures by name (``calc.model.measures.Measures.as_dict``) and the ``bridge`` rows."""
    return {**measures(result, p).as_dict(), "bridge": bridge_rows(result, p)}


def stack_frame(result: DilutionResult, p: int = 0) -> pd.DataFrame:
    """Long table on path p: date, price, instrument, cumulative issued and potential shares."""
    frames = []
    for x in result.projections:
        frames.append(
            pd.DataFrame(
                {
                    "date": list(result.grid.dates),
                    "price_usd": result.prices[p],
                    "id": x.instrument.id,
                    "name": x.instrument.name,
                    "issued_cumulative_shares": np.cumsum(x.issued[p]),
                    "potential_shares": x.potential[p],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def price_stack(s: Setup, start_prices: np.ndarray) -> pd.DataFrame:
    """Issued + potential shares by instrument at the horizon against the start price (one path each)."""
    result = run_dilution(s, start_prices)
    frame = pd.DataFrame({"price_usd": np.asarray(start_prices, dtype=float)})
    for x in result.projections:
        frame[x.instrument.id] = x.issued.sum(axis=1) + x.potential[:, -1]
    frame["fully_diluted_shares"] = result.fully_diluted()
    return frame


def holder_rows(registry: Registry, base_shares: int) -> list[dict[str, object]]:
    """The savings plans as holders: shares = fair value / price (floor), DERIVED, and % of ``base_shares``."""
    rows = []
    for plan in registry.of(SavingsPlan):
        prices = {pp.date: pp for pp in plan.price}
        for h in plan.holding:
            price = prices[h.date]
            shares = int(Fraction(h.fair_value_usd) // Fraction(price.price_usd))
            rows.append(
                {
                    "holder": plan.name,
                    "fund": h.fund,
                    "date": h.date.isoformat(),
                    "fair_value_usd": float(h.fair_value_usd),
                    "price_usd": float(price.price_usd),
                    "shares_derived": shares,
                    "pct_of_base_shares": 100.0 * shares / base_shares,
                    "label": "derived: fair value / price (floor)",
                    "fair_value_source": h.source,
                    "price_source": price.source,
                }
            )
    return rows


# --------------------------------------------------------------------------- diluted EPS


def period_start(horizon: dt.date, period_years: Fraction) -> dt.date:
    """The day before the EPS period of t years ending at the horizon: horizon − 12t calendar months when 12t is
    whole (a year to 2005-08-01 starts after 2004-08-01), else horizon − t × 365.25 days (nearest day)."""
    months = period_years * 12
    if months.denominator == 1 and months <= 12 * PERIOD_YEARS.bounds[1]:
        return add_months(horizon, -int(months))
    return horizon - dt.timedelta(days=round(period_years * DAYS_PER_YEAR_EXACT))


def in_period(grid: Grid, period_years: Fraction) -> np.ndarray:
    """(E,) bool: the dates of the EPS period ending at the horizon, ``period_start`` < date <= horizon."""
    start = period_start(grid.dates[-1], period_years)
    return np.array([start < d for d in grid.dates])


def period_dividends(x: Projection, period: np.ndarray, period_years: Fraction, p: int = 0) -> Fraction:
    """Div of one instrument for the period on path p: the 8.00% preferred's dividends due (declared, or accrued
    on the cumulative preferred) on its dividend dates in the period, whatever happens to the class afterwards
    (ASC 260-10-45-11); other instruments: their annual non-deductible cost at the horizon × t."""
    if x.dividends_due_usd is None:
        return decimal_value(x.dividends_usd_per_year[p]) * period_years
    return sum((decimal_value(v) for v in x.dividends_due_usd[p, period]), Fraction(0))


def dilution_eps(
    result: DilutionResult,
    net_income_usd: Fraction,
    period_years: Fraction = Fraction(1),
    tax_rate: Fraction = Fraction(0),
    average_price_usd: Decimal | None = None,
) -> DilutedEps:
    """Diluted EPS at the horizon on path 0 with every instrument (``calc.model.eps.diluted_eps`` ordering).

    B = base + issued through the horizon (delivered restricted shares included); the period is the t years
    ending at the horizon (``period_start``); Div = Σ ``period_dividends``: the 8.00% preferred's dividends
    due on its dividend dates in the period (2 × 1,885,000 × $1,000 × 8% / 2 = $150.8M for a year of the
    whole class), deducted for basic EPS even when the class leaves on or before the horizon (a dividend
    date before the valuation date is outside the projection and not counted); if-converted ΔS = potential
    shares, ΔN = Div of the instrument + interest × (1 − τ) × t; treasury stock ΔS = Σ_g floor(n_g × (1 −
    K_g/P)) floored once per grant (``calc.model.options.tsm_shares``' rule) over the unexercised exercisable
    options and the unvested restricted stock at the average price P (default: the horizon price of the
    path), ΔN = 0. Issuance sources (the savings plan) have no potential shares.
    """
    price = average_price_usd if average_price_usd is not None else Decimal(repr(float(result.prices[0, -1])))
    basic = result.params.base_shares + int(result.issued_total()[0])
    problems = input_problems(net_income_usd, basic, price, period_years, Decimal(rules.BASIS_USD))  # no LP input here
    if not 0 <= tax_rate < 1:
        problems.append(f"tax rate must be in [0, 1), got {float(tax_rate)}")
    if problems:
        raise InputError(f"invalid EPS inputs: {len(problems)} problem(s)", tuple(problems))
    period = in_period(result.grid, period_years)
    dividends = sum((period_dividends(x, period, period_years) for x in result.projections), Fraction(0))
    potentials = [
        _potential(x, period_years, tax_rate, price, period)
        for x in result.projections
        if x.method != "issuance source"
    ]
    return diluted_eps(net_income_usd, dividends, basic, potentials)


def treasury_shares(x: Projection, p: int, price: Decimal) -> int:
    """Treasury stock method on path p: Σ_g floor(n_g × (1 − K_g/P)), one entry per grant (or warrant issue)."""
    return sum(tsm_incremental_shares(int(n[p]), k, price) for k, n in x.tsm)


def _potential(
    x: Projection, period_years: Fraction, tax_rate: Fraction, price: Decimal, period: np.ndarray
) -> PotentialShares:
    if x.method == "treasury stock":
        return PotentialShares(x.instrument.name, "treasury stock", treasury_shares(x, 0, price), Fraction(0))
    interest = decimal_value(x.interest_usd_per_year[0]) * (1 - tax_rate) * period_years
    addback = period_dividends(x, period, period_years) + interest
    return PotentialShares(x.instrument.name, "if-converted", int(x.potential[0, -1]), addback)


# --------------------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class DilutionMonteCarlo:
    paths: int
    by_instrument: pd.DataFrame  # id, name, issued/potential mean, p5, p50, p95, probability_issues
    fully_diluted: dict[str, float]  # mean, p5, p25, p50, p75, p95 of T at the horizon


def _stats(values: np.ndarray, prefix: str) -> dict[str, float]:
    """Mean and percentiles (``inverted_cdf``: values some path reached) of one column."""
    pct = np.percentile(values, PERCENTILES, method="inverted_cdf")
    return {f"{prefix}mean": float(values.mean())} | {f"{prefix}p{q}": float(v) for q, v in zip(PERCENTILES, pct)}


def run_dilution_mc(
    s: Setup, volatility: float, paths: int, seed: int = 0, progress: Callable[[int, int], None] | None = None
) -> DilutionMonteCarlo:
    """GBM prices on the grid (``calc.model.montecarlo.gbm_prices``), every instrument on each path, in chunks."""
    validate_mc(volatility, paths, seed)
    rng = np.random.default_rng(seed)
    price, drift = np.array([s.params.price]), np.array([s.params.annual_drift])
    base = base_prices(price, drift, s.grid.dates, s.grid.years, s.prices_path)[0]
    n = len(s.registry.instruments)
    issued, potential = _zeros((paths, n)), _zeros((paths, n))
    over_limit: list[tuple[int, ShareLimitError]] = []
    for start in range(0, paths, CHUNK_PATHS):
        count = min(CHUNK_PATHS, paths - start)
        prices = gbm_prices(s.params, s.grid.years, volatility, count, rng, base)
        try:
            result = project_all(s.params, s.registry, s.policies, s.grid, prices, s.plan, s.caps, s.exchanges)
        except ShareLimitError as exc:
            over_limit.append((start, exc))
            continue
        issued[start : start + count] = np.stack([x.issued.sum(axis=1) for x in result.projections], axis=1)
        potential[start : start + count] = np.stack([x.potential[:, -1] for x in result.projections], axis=1)
        if progress:
            progress(start + count, paths)
    report_over_limit(over_limit, paths)
    rows = [
        {"id": i.id, "name": i.name}
        | _stats(issued[:, k], "issued_")
        | _stats(potential[:, k], "potential_")
        | {"probability_issues": float((issued[:, k] > 0).mean())}
        for k, i in enumerate(s.registry.instruments)
    ]
    total = s.params.base_shares + issued.sum(axis=1) + potential.sum(axis=1)
    return DilutionMonteCarlo(paths, pd.DataFrame(rows), _stats(total, ""))
