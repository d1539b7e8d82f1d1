"""Employee stock options: vesting, exercisability, expiry and cancellation on any date,
the grants CSV, and the treasury stock method.

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
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import pandas as pd

from calc.csv_records import (
    MAX_CSV_LINE_CHARS,
    MAX_TEXT_BYTES,
    by_line,
    bytes_lines,
    csv_records,
    opened_lines,
    split_ragged,
    text_lines,
)
from calc.data import load_forms
from calc.errors import InputError, echo
from calc.numbers import parse_decimal, parse_whole
from calc.option_forms import OptionForm, TerminationRule

GRANT_COLUMNS = ["grant_id", "form", "shares", "exercise_price_usd", "grant_date",
                 "termination_date", "termination_reason"]
CSV_REASONS = ("retirement", "death", "disability", "cause", "company_action", "company_action_retirement", "other")
# Accepted ranges of a grants file (issue 9 items 12, 14): every grant can then be computed
# (its last exercise day, at most grant + 10 years, is a valid date) in exact integers.
FIRST_DATE, LAST_DATE = dt.date(1990, 1, 1), dt.date(2040, 12, 31)  # grant and termination dates
MAX_GRANT_SHARES = 10**10
MAX_EXERCISE_PRICE_USD = Decimal(100_000)
MAX_AGE_YEARS, MAX_SERVICE_YEARS = 120, 100
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
    return [Lot(n, d, d if ex_date is None else max(d, ex_date), expiry)
            for d, n in vesting_schedule(grant.form, grant.shares, grant.grant_date) if n]


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
        lots = terminated_lots(grant)[0] + [Lot(lot.shares, lot.vests_on, lot.exercisable_from, None)
                                            for lot in lots if lot.exercisable_from < end]
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
        rows.append({"grant_id": grant.grant_id, "date": date, "vested_shares": p.vested,
                     "exercisable_shares": p.exercisable, "outstanding_shares": p.outstanding,
                     "cancelled_shares": p.cancelled, "expired_shares": p.expired})
    return pd.DataFrame(rows)


def option_timeline(grants: list[Grant], dates: list[dt.date] | None = None) -> pd.DataFrame:
    """Shares vested, exercisable and outstanding across all ``grants`` on each date.

    One row per date (ascending, duplicates dropped), columns ``date``, ``vested``,
    ``exercisable``, ``outstanding``: the sums over grants of ``position(grant, date)``.
    ``dates`` defaults to the union of every grant's ``key_dates`` (the only dates on which
    a total can change), so the frame is a complete step function of the totals.
    """
    days = sorted(set(dates) if dates is not None else {d for g in grants for d in key_dates(g)})
    rows = []
    for day in days:
        ps = [position(g, day) for g in grants]
        rows.append({"date": day, "vested": sum(p.vested for p in ps),
                     "exercisable": sum(p.exercisable for p in ps),
                     "outstanding": sum(p.outstanding for p in ps)})
    return pd.DataFrame(rows, columns=["date", "vested", "exercisable", "outstanding"])


def tsm_incremental_shares(shares: int, exercise_price_usd: Decimal, average_price_usd: Decimal) -> int:
    """Treasury stock method: floor(n × (1 − K/P)) when K < P, else 0 (out of the money).

    n shares under option, K exercise price, P average market price for the period: the
    proceeds n × K buy back n × K / P shares, so n × (1 − K/P) are new. Rounded down.
    """
    if average_price_usd <= 0:
        raise InputError(f"average price must be > 0 USD, got {average_price_usd}")
    k, p = Fraction(str(exercise_price_usd)), Fraction(str(average_price_usd))
    return math.floor(shares * (1 - k / p)) if k < p else 0


def check_as_of_date(date: dt.date) -> None:
    """An as-of date must lie in FIRST_DATE .. LAST_AS_OF_DATE (issue 9 item 14)."""
    if not FIRST_DATE <= date <= LAST_AS_OF_DATE:
        raise InputError(f"date {date.isoformat()} must be from {FIRST_DATE.isoformat()} to "
                         f"{LAST_AS_OF_DATE.isoformat()}")


def positions_frame(grants: list[Grant], date: dt.date, price_usd: Decimal | None = None) -> pd.DataFrame:
    """One row per grant: the position on ``date`` and (with a price) TSM incremental shares
    of the exercisable shares."""
    check_as_of_date(date)
    rows = []
    for g in grants:
        p = position(g, date)
        row = {"grant_id": g.grant_id, "form": g.form.form_id, "shares": g.shares,
               "exercise_price_usd": float(g.exercise_price_usd), "grant_date": g.grant_date.isoformat(),
               "vested_shares": p.vested, "exercisable_shares": p.exercisable,
               "outstanding_shares": p.outstanding, "cancelled_shares": p.cancelled, "expired_shares": p.expired}
        if price_usd is not None:
            row["tsm_incremental_shares"] = tsm_incremental_shares(p.exercisable, g.exercise_price_usd, price_usd)
        rows.append(row)
    return pd.DataFrame(rows)


TOTAL_COLUMNS = ["vested_shares", "exercisable_shares", "outstanding_shares", "cancelled_shares",
                 "expired_shares", "tsm_incremental_shares"]


def totals(frame: pd.DataFrame) -> dict[str, int]:
    """Column sums of a ``positions_frame`` (integers)."""
    return {c: int(frame[c].sum()) for c in TOTAL_COLUMNS if c in frame.columns}


def tsm_curve(grants: list[Grant], date: dt.date, prices_usd: list[Decimal]) -> pd.DataFrame:
    """TSM incremental shares of all exercisable options at each average price."""
    exercisable = [(position(g, date).exercisable, g.exercise_price_usd) for g in grants]
    return pd.DataFrame({
        "average_price_usd": [float(p) for p in prices_usd],
        "tsm_incremental_shares": [sum(tsm_incremental_shares(n, k, p) for n, k in exercisable) for p in prices_usd],
    })


# --- grants CSV -----------------------------------------------------------------------------

T = TypeVar("T")


def _parsed(parse: Callable[[str], T], text: str) -> T | None:
    """``parse(text)`` (``calc.numbers``: no decimal commas, NaN or other digit scripts), or None."""
    try:
        return parse(text)
    except InputError:
        return None


class _Row:
    """Parses one CSV row, appending 'line L, column C: ...' problems."""

    def __init__(self, record: Mapping[str, str], line: int, problems: list[str]) -> None:
        self.record, self.line, self.problems = record, line, problems

    def text(self, column: str) -> str:
        return str(self.record.get(column, "") or "").strip()

    def bad(self, column: str, message: str) -> None:
        self.problems.append(f"line {self.line}, column {column}: {message}")

    def whole(self, column: str, limit: int, optional: bool = False) -> int | None:
        text = self.text(column)
        if optional and text == "":
            return None
        value = _parsed(parse_whole, text)
        if value is None or not 0 <= value <= limit:
            self.bad(column, f"'{echo(text)}' must be a whole number from 0 to {limit:,}")
            return None
        return value

    def price(self, column: str) -> Decimal | None:
        text = self.text(column)
        value = _parsed(parse_decimal, text)
        if value is None or not 0 <= value <= MAX_EXERCISE_PRICE_USD:
            self.bad(column, f"'{echo(text)}' must be a number from 0 to {MAX_EXERCISE_PRICE_USD:,} (USD)")
            return None
        return value

    def date(self, column: str, optional: bool = False) -> dt.date | None:
        text = self.text(column)
        if optional and text == "":
            return None
        try:
            value = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.A) else None
        except ValueError:
            value = None
        if value is None:
            self.bad(column, f"'{text[:40]}' is not a date in YYYY-MM-DD form")
        elif not FIRST_DATE <= value <= LAST_DATE:
            self.bad(column, f"{text} must be from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}")
            value = None
        return value


# Reasons a before-grant form accepts (the date stays empty: the form itself says employment
# ended before the grant). A Company Action form also takes "company_action_retirement":
# FORMS 2455-2457 "both a Company Action and Retirement" -> day before the 5th anniversary.
BEFORE_GRANT_REASONS = {"company-action": (None, "company_action", "company_action_retirement")}


def _before_grant_termination(row: _Row, form: OptionForm, reason: str | None) -> None:
    allowed = BEFORE_GRANT_REASONS.get(form.status, (None,))
    retirement_hint = ("; termination_reason may be empty, company_action, or company_action_retirement when "
                       "the termination was also Retirement (e.g. Service Pension)") if len(allowed) > 1 else ""
    if row.text("termination_date"):
        empty = "termination_date" if len(allowed) > 1 else "termination_date and termination_reason"
        row.bad("termination_date", f"form {form.form_id} is for employment that ended before the grant date; "
                                    f"leave {empty} empty{retirement_hint}")
    elif reason not in allowed and reason in CSV_REASONS:
        if len(allowed) > 1:
            message = (f"'{reason}' does not apply to form {form.form_id} (employment ended before the grant by "
                       f"Company Action){retirement_hint}")
        else:
            message = (f"'{reason}' does not apply to form {form.form_id} (employment ended before the grant "
                       f"by {form.status.replace('-', ' or ')}); leave termination_date and termination_reason empty")
        row.bad("termination_reason", message)


def _termination(row: _Row, form: OptionForm | None, grant_date: dt.date | None) -> tuple[dt.date | None, str | None]:
    end, reason = row.date("termination_date", optional=True), row.text("termination_reason") or None
    if reason is not None and reason not in CSV_REASONS:
        row.bad("termination_reason", f"'{reason}' must be empty or one of {', '.join(CSV_REASONS)}")
    if form is not None and form.terminated_before_grant:
        _before_grant_termination(row, form, reason)
        return None, reason
    if bool(row.text("termination_date")) != (reason is not None):
        row.bad("termination_reason", "termination_date and termination_reason must both be given or both be empty")
    if end is not None and grant_date is not None and end < grant_date:
        row.bad("termination_date", f"{end.isoformat()} is before the grant date {grant_date.isoformat()}")
    return end, reason


def _grant(row: _Row, forms: Mapping[str, OptionForm], seen: set[str]) -> Grant | None:
    before = len(row.problems)
    grant_id = row.text("grant_id")
    if not grant_id:
        row.bad("grant_id", "must not be empty")
    elif grant_id in seen:
        row.bad("grant_id", f"'{grant_id}' appears more than once")
    seen.add(grant_id)
    form = forms.get(row.text("form"))
    if form is None:
        row.bad("form", f"unknown form '{row.text('form')}' (python -m calc options --forms lists them)")
    shares, price = row.whole("shares", MAX_GRANT_SHARES), row.price("exercise_price_usd")
    granted = row.date("grant_date")
    end, reason = _termination(row, form, granted)
    age = row.whole("age_at_termination", MAX_AGE_YEARS, optional=True)
    service = row.whole("years_of_service", MAX_SERVICE_YEARS, optional=True)
    if len(row.problems) > before or form is None or shares is None or price is None or granted is None:
        return None
    return Grant(grant_id, form, shares, price, granted, end, reason, age, service)


def validate_grants(frame: pd.DataFrame, source: str = "grants", lines: Sequence[int] | None = None,
                    earlier: Sequence[str] = ()) -> list[Grant]:
    """Validate a grants table (all cells text); every problem is reported at once with its
    CSV line number (line 1 = header). ``lines``: the CSV line of each frame row (default: row i is
    line i + 2); ``earlier``: 'line N: ...' problems already found in rows not in the frame (ragged
    rows), reported together with the frame's, in line order."""
    missing = [c for c in GRANT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing required column(s): {', '.join(missing)}")
    if frame.empty and not earlier:
        raise InputError(f"{source}: no grant rows")
    forms = load_forms()
    problems: list[str] = []
    seen: set[str] = set()
    numbers = range(2, len(frame) + 2) if lines is None else lines
    grants = [_grant(_Row(rec, line, problems), forms, seen)
              for line, rec in zip(numbers, frame.to_dict("records"), strict=True)]
    if problems or earlier:
        merged = by_line([*earlier, *problems])
        raise InputError(f"{source}: {len(merged)} problem(s)", tuple(merged))
    return [g for g in grants if g is not None]


def _grants_from_lines(lines: Iterable[str], source: str) -> list[Grant]:
    """Parse and validate grants CSV lines (``calc.csv_records`` limits). A row with more or fewer
    cells than the header is a problem; it is reported together with every problem of the other rows."""
    records = csv_records(lines, source)
    first = next(records, None)
    if first is None:
        raise InputError(f"{source}: empty file (expected a header: {', '.join(GRANT_COLUMNS)})")
    header = [h.strip() for h in first[1]]
    repeated = [h for h in dict.fromkeys(header) if header.count(h) > 1]
    if repeated:
        raise InputError(f"{source}: line 1: column(s) {', '.join(repeated)} appear more than once")
    kept, lines_kept, ragged = split_ragged(header, records)
    return validate_grants(pd.DataFrame(kept, columns=header, dtype=str), source, lines_kept, ragged)


def parse_grants_text(text: str, source: str = "grants") -> list[Grant]:
    """Parse and validate grants CSV text (a leading byte-order mark is ignored)."""
    return _grants_from_lines(text_lines(text, source, MAX_CSV_LINE_CHARS), source)


def parse_grants_bytes(data: bytes, source: str = "grants") -> list[Grant]:
    """Parse and validate grants CSV file content (an upload): UTF-8, or UTF-16/32 with a byte-order mark."""
    return _grants_from_lines(bytes_lines(data, source, MAX_TEXT_BYTES, MAX_CSV_LINE_CHARS), source)


def read_grants_csv(path: Path | str) -> list[Grant]:
    """Load and validate a grants CSV (UTF-8, or UTF-16/32 with a byte-order mark; at most ``MAX_TEXT_BYTES``)."""
    source = f"grants {path}"
    with opened_lines(path, source, MAX_TEXT_BYTES, MAX_CSV_LINE_CHARS) as lines:
        return _grants_from_lines(lines, source)
