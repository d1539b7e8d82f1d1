"""The events CSV: reading a ledger file or edited text into ``calc.model.ledger.Event`` rows.

Header ``EVENT_COLUMNS`` (``calc.model.ledger``: the columns, the actions and what each does). Every cell goes
through ``calc.inputs.numbers`` (counts: whole numbers up to the model limit or ``all``; ratios and cash: exact
decimals >= 0); files are at most ``MAX_EVENTS_BYTES`` bytes, read through ``calc.inputs.csv_records``
(encodings, NUL, line and cell limits; a row with more or fewer cells than the header is a problem of its line).
Every problem is reported at once, ``line L: ...``; the scenario checks of the rows are ``calc.model.ledger``'s.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from calc.errors import InputError, Problem, echo
from calc.inputs.csv_records import MAX_CSV_LINE_CHARS, csv_records, opened_lines, split_ragged, text_lines
from calc.inputs.numbers import parse_decimal, parse_whole
from calc.model import preferred_rules as rules
from calc.model.ledger import (
    ACTIONS,
    ALL,
    DEFAULT_INSTRUMENT,
    EVENT_COLUMNS,
    KNOWN_COLUMNS,
    PARSED_ACTIONS,
    REPLAY_COLUMNS,
    Action,
    Event,
    exchange_ratio,
    field_problem,
)
from calc.model.rounding import MAX_SHARES

MAX_EVENTS_BYTES = 1_000_000  # an events file or edited text


REQUIRED = {
    "repurchase_cash": ("preferred_shares", "cash_per_preferred_usd"),
    "dividend_policy": ("settlement",),
    "issue_common": ("label",),
}
ONE_OF = {  # exactly one of these cells
    "exchange_common": ("common_shares", "common_per_preferred"),
    "issue_common": ("common_shares", "face_usd"),
}
VALUE_COLUMNS = (
    "preferred_shares",
    "common_shares",
    "common_per_preferred",
    "cash_per_preferred_usd",
    "settlement",
    "face_usd",
)
INSTRUMENT_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _number(name: str, text: str) -> int | Fraction:
    """A cell through ``calc.inputs.numbers``: whole counts (<= MAX_SHARES) or an exact decimal >= 0."""
    if name in ("preferred_shares", "common_shares"):
        value: int | Fraction = parse_whole(text)
        if value > MAX_SHARES:
            raise InputError(f"{value:,} is more than the model limit of {MAX_SHARES:,} (10^15) shares")
    else:
        value = Fraction(parse_decimal(text))
    if value < 0:
        raise InputError(f"'{echo(text)}' is negative")
    return value


def _row_problems(cells: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values of one row and its syntax problems (field names in the message)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    action = cells["action"]
    try:
        values["date"] = dt.date.fromisoformat(cells["date"])
    except ValueError:
        problems.append(field_problem("date", "is not a date in YYYY-MM-DD form", cells["date"]))
    spec = PARSED_ACTIONS.get(action)
    if spec is None:
        problems.append(field_problem("action", f"is not one of {', '.join(PARSED_ACTIONS)}", action))
        return values, problems
    for name in VALUE_COLUMNS:
        text = cells[name]
        if not text:
            if name in REQUIRED.get(action, ()):
                problems.append(field_problem(name, f"required for {action}"))
            continue
        if name not in spec.fields:
            problems.append(field_problem(name, f"does not apply to {action}", text))
        elif name == "settlement":
            if text not in spec.settlements:
                problems.append(
                    field_problem("settlement", f"is not one of {', '.join(spec.settlements)} for {action}", text)
                )
            values[name] = text
        elif name == "preferred_shares" and text.lower() == "all":
            values[name] = ALL
        else:
            try:
                values[name] = _number(name, text)
            except InputError as exc:
                kind = (
                    "a whole number >= 0" + (" or 'all'" if name == "preferred_shares" else "")
                    if name in ("preferred_shares", "common_shares")
                    else "a number >= 0"
                )
                problems.append(field_problem(name, f"{exc} (expected {kind})"))
    if spec.retires and not cells["preferred_shares"] and not ("face_usd" in spec.fields and cells["face_usd"]):
        problems.append(field_problem("preferred_shares", f"required for {action} (a whole number or 'all')"))
    problems += _replay_problems(cells, values, spec)
    if (group := ONE_OF.get(action)) and not cells["package"]:
        given = [n for n in group if cells[n]]
        if len(given) != 1:
            problems.append(
                field_problem(
                    "/".join(group),
                    f"{action} needs exactly one of them, got {'both' if given else 'neither'}",
                )
            )
        elif values.get("common_shares") and values.get("preferred_shares") == 0:
            problems.append(field_problem("common_shares", "common issued for 0 preferred"))
    return values, problems


def _replay_problems(cells: dict[str, str], values: dict[str, Any], spec: Action) -> list[Problem]:
    """The replay columns' rules (``calc.model.ledger.REPLAY_COLUMNS``); sets ``values`` for them (preferred_shares
    from face_usd on the 8.00% preferred)."""
    problems: list[Problem] = []
    action, instrument = cells["action"], cells["instrument"] or DEFAULT_INSTRUMENT
    if cells["instrument"] and not INSTRUMENT_ID.fullmatch(cells["instrument"]):
        problems.append(
            field_problem("instrument", "is not an instrument id (lower-case letters, digits, _)", instrument)
        )
    elif cells["instrument"] and not spec.retires:
        problems.append(field_problem("instrument", f"does not apply to {action}", instrument))
    values["instrument"] = instrument
    problems += [
        field_problem(n, f"required for {action}")
        for n in REQUIRED.get(action, ())
        if n in REPLAY_COLUMNS and not cells[n]
    ]
    values["package"], values["label"] = cells["package"], cells["label"]
    if cells["package"] and action != "exchange_common":
        problems.append(
            field_problem("package", f"does not apply to {action} (exchange_common only)", cells["package"])
        )
    if cells["label"] and action != "issue_common":
        problems.append(field_problem("label", f"does not apply to {action} (issue_common only)", cells["label"]))
    if cells["date_from"]:
        try:
            values["date_from"] = dt.date.fromisoformat(cells["date_from"])
        except ValueError:
            problems.append(field_problem("date_from", "is not a date in YYYY-MM-DD form", cells["date_from"]))
        else:
            if "date" in values and values["date_from"] > values["date"]:
                problems.append(
                    field_problem("date_from", f"is after the row's date {values['date']}", cells["date_from"])
                )
    face = values.get("face_usd")
    if face is None or not spec.retires:
        return problems
    if cells["preferred_shares"]:
        problems.append(field_problem("preferred_shares/face_usd", f"{action} needs one of them, got both"))
    elif instrument == DEFAULT_INSTRUMENT:
        if face % rules.BASIS_USD:
            problems.append(
                field_problem(
                    "face_usd", f"is not a whole number of ${rules.BASIS_USD:,} preferred shares", cells["face_usd"]
                )
            )
        else:
            values["preferred_shares"] = int(face / rules.BASIS_USD)
    return problems


def missing_cells(cells: Mapping[str, str]) -> tuple[tuple[str, ...], ...]:
    """The required cells of a row that are still empty, each as a group of alternatives (one of them is
    needed): () when the row is complete enough to check.

    Required, as ``_row_problems`` enforces them: date and action; for a known action, preferred_shares when
    the action retires preferred (it has a rule), the action's ``REQUIRED`` cells, and one of its ``ONE_OF``
    cells (the group ``("common_shares", "common_per_preferred")``). A row with one of these empty is
    half-entered; anything else wrong (an unknown action, a bad number, both of a ``ONE_OF`` pair) is a
    problem of a complete row, reported by ``parse_events``."""

    def empty(name: str) -> bool:
        return not cells.get(name, "").strip()

    missing: list[tuple[str, ...]] = [(name,) for name in ("date", "action") if empty(name)]
    action = cells.get("action", "").strip()
    spec = ACTIONS.get(action)
    if spec is None:
        return tuple(missing)
    needed = (("preferred_shares",) if spec.retires else ()) + REQUIRED.get(action, ())
    missing += [(name,) for name in dict.fromkeys(needed) if empty(name)]
    group = ONE_OF.get(action, ())
    if group and all(empty(name) for name in group):
        missing.append(group)
    return tuple(missing)


def cells_exchange_ratio(cells: Mapping[str, str]) -> Fraction | None:
    """``exchange_ratio`` of a row given as cell texts (as typed, possibly half-entered); None unless it is an
    exchange_common row whose cells in use read as numbers >= 0 (``calc.inputs.numbers``; ``all`` preferred: None)."""
    if cells.get("action", "").strip() != "exchange_common":
        return None
    per, total, count = (
        cells.get(name, "").strip() for name in ("common_per_preferred", "common_shares", "preferred_shares")
    )
    try:
        ratio = Fraction(parse_decimal(per)) if per else None
        common = parse_whole(total) if total else None
        preferred = parse_whole(count) if count.lower() not in ("", "all") else None
    except InputError:
        return None
    if min(ratio or 0, common or 0, preferred or 0) < 0:
        return None
    return exchange_ratio(preferred, common, ratio)


def parse_events(
    header: Sequence[str], records: Iterable[tuple[int, list[str]]], origin: str
) -> tuple[tuple[Event, ...], list[Problem]]:
    """(valid rows, problems) so that later checks can report together with these."""
    header = [h.strip() for h in header]
    if "date" not in header and "action" not in header:  # another kind of file: named, its text never quoted
        expected = ",".join(EVENT_COLUMNS)
        return (), [Problem(f"not an events CSV: line 1 is not the header {expected}", source=origin)]
    problems = [
        Problem(f"unknown column '{echo(h)}' (known: {', '.join(KNOWN_COLUMNS)})", line=1, source=origin)
        for h in header
        if h not in KNOWN_COLUMNS
    ]
    problems += [
        Problem(f"column '{h}' appears {header.count(h)} times; give each column once", line=1, source=origin)
        for h in dict.fromkeys(header)
        if h in KNOWN_COLUMNS and header.count(h) > 1
    ]
    problems += [Problem(f"no '{c}' column", line=1, source=origin) for c in ("date", "action") if c not in header]
    events: list[Event] = []
    kept, lines, ragged = split_ragged(header, records)
    problems += [p.at(source=origin) for p in ragged]
    for line, row in zip(lines, kept):
        cells = {c: "" for c in KNOWN_COLUMNS} | {h: v.strip() for h, v in zip(header, row) if h in KNOWN_COLUMNS}
        values, row_problems = _row_problems(cells)
        problems += [p.at(line=line, source=origin) for p in row_problems]
        if not row_problems:
            values.setdefault("preferred_shares", 0)  # dividend_policy rows retire nothing
            events.append(
                Event(
                    line=line,
                    action=cells["action"],
                    holder=cells["holder"],
                    source=cells["source"],
                    origin=origin,
                    **values,
                )
            )
    return tuple(events), problems


def _events_from_lines(lines: Iterable[str], origin: str) -> tuple[tuple[Event, ...], list[Problem]]:
    """(valid rows, problems) of checked CSV lines (``calc.inputs.csv_records`` limits)."""
    try:
        records = csv_records(lines, origin)
        first = next(records, None)
        if first is None:
            return (), [Problem(f"empty; expected the header {','.join(EVENT_COLUMNS)}", source=origin)]
        return parse_events(first[1], list(records), origin)
    except InputError as exc:
        return (), [Problem(str(exc))]


def read_events_text(text: str, origin: str) -> tuple[tuple[Event, ...], list[Problem]]:
    """(valid rows, problems) of CSV text (dashboard editor, uploads)."""
    if len(text) > MAX_EVENTS_BYTES:
        return (), [Problem(f"larger than the {MAX_EVENTS_BYTES:,}-character limit", source=origin)]
    try:
        return _events_from_lines(text_lines(text, origin, MAX_CSV_LINE_CHARS), origin)
    except InputError as exc:
        return (), [Problem(str(exc))]


def read_events(path: Path | str, label: str = "events") -> tuple[Event, ...]:
    """Read an events CSV (see the module docstring); ``InputError`` listing every problem."""
    events, problems = read_events_lenient(path, label)
    if problems:
        raise InputError(f"{label}: {len(problems)} problem(s); nothing was run", tuple(problems))
    return events


def read_events_lenient(path: Path | str, label: str = "events") -> tuple[tuple[Event, ...], list[Problem]]:
    """(valid rows, problems) of an events CSV, so that scenario checks can be reported with them
    (at most ``MAX_EVENTS_BYTES`` bytes; encodings, NUL and line limits of ``calc.inputs.csv_records``)."""
    origin = f"{label} {path}"
    try:
        with opened_lines(path, origin, MAX_EVENTS_BYTES, MAX_CSV_LINE_CHARS) as lines:
            return _events_from_lines(lines, origin)
    except InputError as exc:
        return (), [Problem(str(exc))]
