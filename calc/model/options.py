"""Employee stock options: vesting, exercisability, expiry and cancellation on any date,
and the treasury stock method (the grants CSV is ``calc.inputs.grants_csv``).

Notation
--------
N    shares originally subject to the option (integer)
r    installment rate (20%); k-th vesting date = grant + 6k months (k = 1..1/r)
V_k  cumulative shares vested after the k-th date = floor(N × k × r); this is the forms'
     "rounded down ... fraction added to the portion becoming vested on the following
     vesting date" (the carried fractions sum to the exact cumulative amount)
T    termination date; E = shares vested at T (vesting dates <= T count)
M    complete months from grant to T; D complete months from grant to full vesting
CAVP Company Action Vesting Portion: floor(r × N) if T is within six months of grant,
     else max(0, floor(N × M / D − E)), and at most the N − E shares not yet vested
K    exercise price, P average market price (USD)

Month arithmetic: grant + m months keeps the day of month, clamped to the month's last
day; M = largest m with grant + m months <= T. Expiration dates are the LAST day an
option can be exercised; the shares are expired from the day after.

Restricted stock (a form with ``award = "restricted_stock"``, e.g. the retirees' letter's 550,000
restricted shares): no exercise and no expiry; each vesting tranche is DELIVERED on its vesting date
(``restricted_deliveries``: the tranches up to a termination T, then the shares the termination rule
keeps beyond them, delivered at T, or from the Exercise Date for a deferred rule; the rest is
forfeited at T). Lifecycle:
  before delivery   potential common shares: the unvested shares (``restricted_unvested``) by the
                    treasury stock method with assumed proceeds K = the grants file's exercise price
                    (0 for the executive example: the unrecognized compensation cost is not in our
                    data), so floor(n × (1 − 0/P)) = n;
  on delivery       issued common (``calc.model.securities``: issued on the delivery date when it falls in
                    the window (valuation date, horizon]);
  after delivery    outstanding common: in basic shares (a delivery on or before the valuation date
                    is in the base shares), never again potential or newly issued.

Treasury stock method, one rounding rule (``tsm_shares``, used by ``eps``, ``options`` and
``dilution``): floor ONCE PER GRANT, ΔS_g = floor(n_g × (1 − K_g/P)), n_g = the grant's shares
that count on the date (options: exercisable and unexercised; restricted stock: unvested), then
ΔS = Σ_g ΔS_g. Never per vesting lot (flooring each lot of a grant loses up to one share per lot).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from calc.errors import InputError
from calc.model.option_forms import OptionForm, TerminationRule

# Accepted ranges of a grants file (issue 9 items 12, 14): every grant can then be computed
# (its last exercise day, at most grant + 10 years, is a valid date) in exact integers.
FIRST_DATE, LAST_DATE = dt.date(1990, 1, 1), dt.date(2040, 12, 31)  # grant and termination dates
LAST_AS_OF_DATE = dt.date(2100, 12, 31)  # as-of dates: FIRST_DATE .. LAST_AS_OF_DATE


@dataclass(frozen=True)
class Grant:
    grant_id: str
    form: OptionForm
    shares: int
    exercise_price_usd: Decimal
    grant_date: dt.date
    termination_date: dt.date | None = None
    termination_reason: str | None = None
    age_at_termination: int | None = None
    years_of_service: int | None = None


@dataclass(frozen=True)
class Lot:
    """Shares that vest, become exercisable and expire together."""

    shares: int
    vests_on: dt.date
    exercisable_from: dt.date
    last_exercise_date: dt.date | None  # None = never expires


@dataclass(frozen=True)
class Position:
    """State of one grant on a date; ``outstanding`` = granted − expired − cancelled."""

    granted: int
    vested: int
    exercisable: int
    expired: int
    cancelled: int

    @property
    def outstanding(self) -> int:
        return self.granted - self.expired - self.cancelled


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` + ``months`` calendar months, the day clamped to the month's last day."""
    total = date.month - 1 + months
    year, month = date.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def complete_months(start: dt.date, end: dt.date) -> int:
    """M: the largest m >= 0 with ``start + m months <= end``."""
    m = max(0, (end.year - start.year) * 12 + end.month - start.month)
    while m > 0 and add_months(start, m) > end:
        m -= 1
    return m


def vesting_schedule(form: OptionForm, shares: int, grant_date: dt.date) -> list[tuple[dt.date, int]]:
    """Vesting dates and tranches: tranche_k = V_k − V_(k−1), V_k = floor(N × k × r)."""
    v = form.vesting
    if v.schedule == "at_grant":
        return [(grant_date, shares)]
    dates = [add_months(grant_date, v.first_months + (k - 1) * v.every_months) for k in range(1, v.installments + 1)]
    cumulative = [math.floor(shares * k * v.installment_rate) for k in range(v.installments + 1)]
    return [(d, cumulative[k + 1] - cumulative[k]) for k, d in enumerate(dates)]


def vested_at(schedule: list[tuple[dt.date, int]], date: dt.date) -> int:
    """Shares vested under the normal schedule on ``date`` (vesting dates <= date)."""
    return sum(n for d, n in schedule if d <= date)


def exercise_date(form: OptionForm, grant_date: dt.date) -> dt.date | None:
    """The French "Exercise Date" (grant + 4 years); None when vested shares are exercisable at once."""
    rule = form.exercise_date
    return add_months(grant_date, 12 * rule.years) if rule.rule == "anniversary" else None


def expiration_date(form: OptionForm, grant_date: dt.date, retirement: bool = False) -> dt.date | None:
    """Last exercise day: day before the n-th anniversary, or grant + d days; None = no expiry."""
    rule = form.expiration_if_retirement if retirement and form.expiration_if_retirement else form.expiration
    if rule.rule == "day_before_anniversary":
        return add_months(grant_date, 12 * rule.years) - dt.timedelta(days=1)
    if rule.rule == "days_after_grant":
        return grant_date + dt.timedelta(days=rule.days)
    return None


def company_action_portion(form: OptionForm, shares: int, grant_date: dt.date, termination: dt.date) -> int:
    """CAVP = floor(r × N) within six months of grant, else max(0, floor(N × M/D − E)), <= N − E."""
    rule = form.company_action_portion
    if rule is None:
        raise InputError(f"form {form.form_id} has no Company Action Vesting Portion rule")
    schedule = vesting_schedule(form, shares, grant_date)
    vested = vested_at(schedule, termination)
    if termination < add_months(grant_date, rule.early_months):
        return math.floor(rule.early_rate * shares)
    full_months = complete_months(grant_date, schedule[-1][0])
    portion = math.floor(Fraction(shares * complete_months(grant_date, termination), full_months)) - vested
    return min(max(0, portion), shares - vested)


def _is_retirement(grant: Grant) -> bool:
    """The termination also meets the form's Retirement definition.

    Either the reason says so (``company_action_retirement``: any route, including the
    pension-based ones the grants file cannot test, e.g. "Service Pension under the Lucent
    Retirement Income Plan", FORMS 2336-2347) or the optional age + service columns meet the
    age/service routes.
    """
    if grant.termination_reason == "company_action_retirement":
        return True
    definition = grant.form.retirement_definition
    if grant.age_at_termination is None or grant.years_of_service is None or definition is None:
        return False
    return definition.qualifies(grant.age_at_termination, grant.years_of_service)


def termination_rule(grant: Grant) -> TerminationRule:
    """The form's rule for the grant's reason; a Company Action that is also Retirement uses its own rule."""
    reason = str(grant.termination_reason)
    if reason == "company_action" and _is_retirement(grant):
        reason = "company_action_retirement"
    return grant.form.termination[reason]


def _window_end(start: dt.date, days: int, expiry: dt.date | None) -> dt.date | None:
    if days == 0:
        return expiry
    end = start + dt.timedelta(days=days)
    return end if expiry is None else min(end, expiry)


def normal_lots(grant: Grant) -> list[Lot]:
    """Lots while employed (or for a form whose termination preceded the grant)."""
    ex_date = exercise_date(grant.form, grant.grant_date)
    expiry = expiration_date(grant.form, grant.grant_date, retirement=_is_retirement(grant))
    return [
        Lot(n, d, d if ex_date is None else max(d, ex_date), expiry)
        for d, n in vesting_schedule(grant.form, grant.shares, grant.grant_date)
        if n
    ]


def _kept_shares(grant: Grant, rule: TerminationRule, vested: int, end: dt.date) -> int:
    if rule.keep == "none":
        return 0
    if rule.keep == "vested":
        return vested
    if rule.keep == "all":
        return grant.shares
    return vested + company_action_portion(grant.form, grant.shares, grant.grant_date, end)


def terminated_lots(grant: Grant) -> tuple[list[Lot], int]:
    """Lots after termination at T and the shares cancelled at T.

    Kept shares (per the rule's ``keep``) split into X = shares exercisable at T, which stay
    exercisable until min(T + window, Expiration), and the rest, which become exercisable at
    T (``at_termination``, same window) or from the Exercise Date until
    min(Exercise Date + deferred window, Expiration). Cancelled = N − kept.
    """
    end = grant.termination_date
    assert end is not None
    rule = termination_rule(grant)
    vested = vested_at(vesting_schedule(grant.form, grant.shares, grant.grant_date), end)
    kept = _kept_shares(grant, rule, vested, end)
    ex_date = exercise_date(grant.form, grant.grant_date)
    expiry = expiration_date(grant.form, grant.grant_date)
    exercisable_now = vested if (ex_date is None or ex_date <= end) and rule.keep != "none" else 0
    rest = kept - exercisable_now
    lots = [Lot(exercisable_now, end, end, _window_end(end, rule.window_days, expiry))]
    if rule.newly_exercisable == "at_termination" or ex_date is None or ex_date <= end:
        lots.append(Lot(rest, end, end, _window_end(end, rule.window_days, expiry)))
    else:
        lots.append(Lot(rest, end, ex_date, _window_end(ex_date, rule.deferred_window_days, expiry)))
    return [lot for lot in lots if lot.shares], grant.shares - kept


def lots_on(grant: Grant, date: dt.date) -> tuple[list[Lot], int]:
    """Lots and cancelled shares in force on ``date`` (termination applies from T on)."""
    if grant.termination_date is None or date < grant.termination_date:
        return normal_lots(grant), 0
    return terminated_lots(grant)


def position(grant: Grant, date: dt.date) -> Position:
    """Vested, exercisable, expired and cancelled shares of a grant on ``date``.

    A lot is expired on days after its last exercise day; vested and exercisable count
    only unexpired shares. Nothing exists before the grant date: every count (granted,
    vested, exercisable, expired, cancelled, hence outstanding) is 0 there.
    """
    if date < grant.grant_date:
        return Position(0, 0, 0, 0, 0)
    lots, cancelled = lots_on(grant, date)
    live = [lot for lot in lots if lot.last_exercise_date is None or date <= lot.last_exercise_date]
    return Position(
        granted=grant.shares,
        vested=sum(lot.shares for lot in live if lot.vests_on <= date),
        exercisable=sum(lot.shares for lot in live if lot.exercisable_from <= date),
        expired=sum(lot.shares for lot in lots if lot not in live),
        cancelled=cancelled,
    )


def key_dates(grant: Grant) -> list[dt.date]:
    """Dates on which the grant's position can change: grant, vesting, exercisability,
    termination and the day after each last exercise day."""
    dates = {grant.grant_date, *(d for d, _ in vesting_schedule(grant.form, grant.shares, grant.grant_date))}
    lots = normal_lots(grant)
    end = grant.termination_date
    if end is not None:
        dates = {d for d in dates if d < end} | {end}
        lots = terminated_lots(grant)[0] + [
            Lot(lot.shares, lot.vests_on, lot.exercisable_from, None) for lot in lots if lot.exercisable_from < end
        ]
    for lot in lots:
        dates.add(lot.exercisable_from)
        if lot.last_exercise_date is not None:
            dates.add(lot.last_exercise_date + dt.timedelta(days=1))
    return sorted(dates)


def schedule_frame(grant: Grant) -> pd.DataFrame:
    """The grant's position at each of its key dates."""
    rows = []
    for date in key_dates(grant):
        p = position(grant, date)
        rows.append(
            {
                "grant_id": grant.grant_id,
                "date": date,
                "vested_shares": p.vested,
                "exercisable_shares": p.exercisable,
                "outstanding_shares": p.outstanding,
                "cancelled_shares": p.cancelled,
                "expired_shares": p.expired,
            }
        )
    return pd.DataFrame(rows)


def option_timeline(grants: list[Grant], dates: list[dt.date] | None = None) -> pd.DataFrame:
    """Shares vested, exercisable and outstanding across all ``grants`` on each date.

    One row per date (ascending, duplicates dropped), columns ``date``, ``vested_shares``,
    ``exercisable_shares``, ``outstanding_shares``: the sums over grants of ``position(grant, date)``.
    ``dates`` defaults to the union of every grant's ``key_dates`` (the only dates on which
    a total can change), so the frame is a complete step function of the totals.
    """
    days = sorted(set(dates) if dates is not None else {d for g in grants for d in key_dates(g)})
    rows = []
    for day in days:
        ps = [position(g, day) for g in grants]
        rows.append(
            {
                "date": day,
                "vested_shares": sum(p.vested for p in ps),
                "exercisable_shares": sum(p.exercisable for p in ps),
                "outstanding_shares": sum(p.outstanding for p in ps),
            }
        )
    return pd.DataFrame(rows, columns=["date", "vested_shares", "exercisable_shares", "outstanding_shares"])


def tsm_incremental_shares(shares: int, exercise_price_usd: Decimal, average_price_usd: Decimal) -> int:
    """Treasury stock method: floor(n × (1 − K/P)) when K < P, else 0 (out of the money).

    n shares under option, K exercise price, P average market price for the period: the
    proceeds n × K buy back n × K / P shares, so n × (1 − K/P) are new. Rounded down.
    """
    if average_price_usd <= 0:
        raise InputError(f"average price must be > 0 USD, got {average_price_usd}")
    k, p = Fraction(str(exercise_price_usd)), Fraction(str(average_price_usd))
    return math.floor(shares * (1 - k / p)) if k < p else 0


def is_restricted(grant: Grant) -> bool:
    """The grant is restricted stock (its form's ``award``), not an option."""
    return grant.form.restricted_stock


def restricted_deliveries(grant: Grant) -> list[tuple[dt.date, int]]:
    """(date, shares) the restricted shares are delivered on: the vesting tranches up to the termination T,
    then the shares the termination rule keeps beyond those (at T, or from the Exercise Date under a
    deferred rule); without a termination, every tranche on its vesting date."""
    schedule = vesting_schedule(grant.form, grant.shares, grant.grant_date)
    end = grant.termination_date
    if end is None:
        return [(d, n) for d, n in schedule if n]
    delivered = [(d, n) for d, n in schedule if d <= end and n]
    vested = sum(n for _, n in delivered)
    rule = termination_rule(grant)
    extra = max(0, _kept_shares(grant, rule, vested, end) - vested)
    ex_date = exercise_date(grant.form, grant.grant_date)
    deferred = rule.newly_exercisable != "at_termination" and ex_date is not None and ex_date > end
    return delivered + ([(ex_date if deferred and ex_date else end, extra)] if extra else [])


def restricted_unvested(grant: Grant, date: dt.date) -> int:
    """Restricted shares granted and not yet delivered on ``date`` (the potential shares): before a
    termination every later tranche, from it the kept shares still to come; 0 before the grant date."""
    if date < grant.grant_date:
        return 0
    if grant.termination_date is None or date < grant.termination_date:
        return grant.shares - vested_at(vesting_schedule(grant.form, grant.shares, grant.grant_date), date)
    return sum(n for d, n in restricted_deliveries(grant) if d > date)


def tsm_counted_shares(grant: Grant, date: dt.date) -> int:
    """n_g: the grant's shares the treasury stock method counts on ``date`` (module docstring): options their
    exercisable (unexercised) shares, restricted stock its unvested shares."""
    return restricted_unvested(grant, date) if is_restricted(grant) else position(grant, date).exercisable


def tsm_shares(grant: Grant, date: dt.date, average_price_usd: Decimal) -> int:
    """ΔS_g = floor(n_g × (1 − K_g/P)) for one grant: the one rounding rule (floor once per grant)."""
    return tsm_incremental_shares(tsm_counted_shares(grant, date), grant.exercise_price_usd, average_price_usd)


def check_as_of_date(date: dt.date) -> None:
    """An as-of date must lie in FIRST_DATE .. LAST_AS_OF_DATE (issue 9 item 14)."""
    if not FIRST_DATE <= date <= LAST_AS_OF_DATE:
        raise InputError(
            f"date {date.isoformat()} must be from {FIRST_DATE.isoformat()} to {LAST_AS_OF_DATE.isoformat()}"
        )


def positions_frame(grants: list[Grant], date: dt.date, price_usd: Decimal | None = None) -> pd.DataFrame:
    """One row per grant: the position on ``date`` and (with a price) TSM incremental shares
    (``tsm_shares``: exercisable options, unvested restricted stock; floor once per grant)."""
    check_as_of_date(date)
    rows = []
    for g in grants:
        p = position(g, date)
        row = {
            "grant_id": g.grant_id,
            "form": g.form.form_id,
            "shares": g.shares,
            "exercise_price_usd": float(g.exercise_price_usd),
            "grant_date": g.grant_date.isoformat(),
            "vested_shares": p.vested,
            "exercisable_shares": p.exercisable,
            "outstanding_shares": p.outstanding,
            "cancelled_shares": p.cancelled,
            "expired_shares": p.expired,
        }
        if price_usd is not None:
            row["tsm_incremental_shares"] = tsm_shares(g, date, price_usd)
        rows.append(row)
    return pd.DataFrame(rows)


TOTAL_COLUMNS = [
    "vested_shares",
    "exercisable_shares",
    "outstanding_shares",
    "cancelled_shares",
    "expired_shares",
    "tsm_incremental_shares",
]


def totals(frame: pd.DataFrame) -> dict[str, int]:
    """Column sums of a ``positions_frame`` (integers)."""
    return {c: int(frame[c].sum()) for c in TOTAL_COLUMNS if c in frame.columns}


def tsm_curve(grants: list[Grant], date: dt.date, prices_usd: list[Decimal]) -> pd.DataFrame:
    """TSM incremental shares of all grants at each average price (``tsm_shares``'s rule)."""
    exercisable = [(tsm_counted_shares(g, date), g.exercise_price_usd) for g in grants]
    return pd.DataFrame(
        {
            "average_price_usd": [float(p) for p in prices_usd],
            "tsm_incremental_shares": [
                sum(tsm_incremental_shares(n, k, p) for n, k in exercisable) for p in prices_usd
            ],
        }
    )
