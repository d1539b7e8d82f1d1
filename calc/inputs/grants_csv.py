"""The grants CSV: read and validate employee stock option grants (``calc.model.options.Grant``).

Columns ``GRANT_COLUMNS`` (plus optional ``age_at_termination`` and ``years_of_service``);
every problem of every row is reported at once as ``line L, column C: ...`` (line 1 = header),
with the limits below and the file limits of ``calc.inputs.csv_records``. The form of each grant
must be one of ``calc.inputs.data.load_forms()`` and its termination reason one of the form's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pandas as pd

from calc.errors import InputError, Problem, echo
from calc.inputs.csv_records import (
    MAX_CSV_LINE_CHARS,
    MAX_TEXT_BYTES,
    by_line,
    bytes_lines,
    csv_records,
    opened_lines,
    split_ragged,
    text_lines,
)
from calc.inputs.numbers import parse_decimal, parse_whole
from calc.inputs.option_forms_toml import load_forms
from calc.model.option_forms import REASONS, OptionForm
from calc.model.options import FIRST_DATE, LAST_DATE, Grant

GRANT_COLUMNS = [
    "grant_id",
    "form",
    "shares",
    "exercise_price_usd",
    "grant_date",
    "termination_date",
    "termination_reason",
]
MAX_GRANT_SHARES = 10**10
MAX_EXERCISE_PRICE_USD = Decimal(100_000)
MAX_AGE_YEARS, MAX_SERVICE_YEARS = 120, 100

T = TypeVar("T")


def _parsed(parse: Callable[[str], T], text: str) -> T | None:
    """``parse(text)`` (``calc.inputs.numbers``: no decimal commas, NaN or other digit scripts), or None."""
    try:
        return parse(text)
    except InputError:
        return None


class _Row:
    """Parses one CSV row, appending 'line L, column C: ...' problems."""

    def __init__(self, record: Mapping[str, str], line: int, problems: list[Problem]) -> None:
        self.record, self.line, self.problems = record, line, problems

    def text(self, column: str) -> str:
        return str(self.record.get(column, "") or "").strip()

    def bad(self, column: str, rule: str, value: str | None = None) -> None:
        self.problems.append(Problem(rule, line=self.line, column=column, value=value))

    def whole(self, column: str, limit: int, optional: bool = False) -> int | None:
        text = self.text(column)
        if optional and text == "":
            return None
        value = _parsed(parse_whole, text)
        if value is None or not 0 <= value <= limit:
            self.bad(column, f"must be a whole number from 0 to {limit:,}", echo(text))
            return None
        return value

    def price(self, column: str) -> Decimal | None:
        text = self.text(column)
        value = _parsed(parse_decimal, text)
        if value is None or not 0 <= value <= MAX_EXERCISE_PRICE_USD:
            self.bad(column, f"must be a number from 0 to {MAX_EXERCISE_PRICE_USD:,} (USD)", echo(text))
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
            self.bad(column, "is not a date in YYYY-MM-DD form", text[:40])
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
    retirement_hint = (
        (
            "; termination_reason may be empty, company_action, or company_action_retirement when "
            "the termination was also Retirement (e.g. Service Pension)"
        )
        if len(allowed) > 1
        else ""
    )
    if row.text("termination_date"):
        empty = "termination_date" if len(allowed) > 1 else "termination_date and termination_reason"
        row.bad(
            "termination_date",
            f"form {form.form_id} is for employment that ended before the grant date; "
            f"leave {empty} empty{retirement_hint}",
        )
    elif reason not in allowed and reason in REASONS:
        if len(allowed) > 1:
            message = (
                f"'{reason}' does not apply to form {form.form_id} (employment ended before the grant by "
                f"Company Action){retirement_hint}"
            )
        else:
            message = (
                f"'{reason}' does not apply to form {form.form_id} (employment ended before the grant "
                f"by {form.status.replace('-', ' or ')}); leave termination_date and termination_reason empty"
            )
        row.bad("termination_reason", message)


def _termination(row: _Row, form: OptionForm | None, grant_date: dt.date | None) -> tuple[dt.date | None, str | None]:
    end, reason = row.date("termination_date", optional=True), row.text("termination_reason") or None
    if reason is not None and reason not in REASONS:
        row.bad("termination_reason", f"must be empty or one of {', '.join(REASONS)}", reason)
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
        row.bad("grant_id", "appears more than once", grant_id)
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


def validate_grants(
    frame: pd.DataFrame, source: str = "grants", lines: Sequence[int] | None = None, earlier: Sequence[Problem] = ()
) -> list[Grant]:
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
    problems: list[Problem] = []
    seen: set[str] = set()
    numbers = range(2, len(frame) + 2) if lines is None else lines
    grants = [
        _grant(_Row(rec, line, problems), forms, seen)
        for line, rec in zip(numbers, frame.to_dict("records"), strict=True)
    ]
    if problems or earlier:
        merged = by_line([*earlier, *problems])
        raise InputError(f"{source}: {len(merged)} problem(s)", tuple(merged))
    return [g for g in grants if g is not None]


def _grants_from_lines(lines: Iterable[str], source: str) -> list[Grant]:
    """Parse and validate grants CSV lines (``calc.inputs.csv_records`` limits). A row with more or fewer
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


def grants_text(data: bytes, source: str = "grants") -> str:
    """The decoded text of a grants file's content (the checks of ``parse_grants_bytes``: encoding, size, lines),
    as a scenario document keeps it."""
    return "".join(bytes_lines(data, source, MAX_TEXT_BYTES, MAX_CSV_LINE_CHARS))


def read_grants_csv(path: Path | str) -> list[Grant]:
    """Load and validate a grants CSV (UTF-8, or UTF-16/32 with a byte-order mark; at most ``MAX_TEXT_BYTES``)."""
    source = f"grants {path}"
    with opened_lines(path, source, MAX_TEXT_BYTES, MAX_CSV_LINE_CHARS) as lines:
        return _grants_from_lines(lines, source)
