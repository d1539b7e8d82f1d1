"""The scenario as one document: everything a result depends on, in one immutable value with a content id.

A ``ScenarioDoc`` holds
  params    every scenario parameter (``calc.model.params.ScenarioParams``), resolved (history defaults applied)
  history   True: the sourced 2002-2004 history of the 8.00% preferred (``calc.inputs.history_replay``) runs before
            ``events``
  events    the ledger rows, each a tuple of cells in ``calc.model.ledger.EVENT_COLUMNS`` order, as text
  holders   the holder data: the filing's register (``csv`` None) or a register CSV's text, by content
  policies  instrument policies of the "All securities" view, sorted ``("id.field", "value")`` pairs
  grants    the option grants: none, a shipped grants file (by name) or a grants CSV's text, by content
  include_illustrative  fully diluted figures count the instruments marked illustrative in data/instruments.toml
  prices    a dated price path (``calc.model.price_path``): the rows of a prices CSV (date, close_usd, source) as
            text and the rule between dates (previous close or log-linear); none: the drift path
            ``price × (1 + annual_drift)^t``. A document without prices has no ``prices`` key in its content,
            so its id is what it was before price paths existed

Its JSON form (``to_json`` / ``from_json``) is the file the command line takes (``--scenario FILE.json``),
the "inputs" sidecar of every download and what the saved-scenarios store keeps. Labels (where the holder
data or grants came from) travel with it but are not part of the content.

  key = SHA-256 of the canonical JSON of the content (sorted keys, no spaces); id = key[:8] (8 hex digits)

so two documents with the same inputs have the same id whatever their labels, and any change of a
parameter, an event cell, a holder row, a policy or a grant changes it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from calc.errors import InputError, Problem
from calc.inputs.numbers import MAX_NUMBER_CHARS
from calc.inputs.params import default_params, param_problems
from calc.inputs.prices_csv import COLUMNS as PRICE_CELLS
from calc.inputs.register import DEFAULT_PARTIAL, PARTIAL_HANDLING
from calc.model.ledger import EVENT_COLUMNS, Event
from calc.model.params import PARAM_NAMES, ScenarioParams
from calc.model.price_path import RULES as PRICE_RULES
from calc.model.terms import Terms

FORMAT = "lucent-scenario"
VERSION = 1
FILING_HOLDERS_LABEL = "Selling Securityholders table, prospectus supplement of Aug 28, 2002"
SHIPPED_GRANTS = ("grants_illustrative.csv", "grants_executive_example.csv")  # files in data/
MAX_DOC_BYTES = 20_000_000  # a document file (an uploaded register of ~100,000 rows fits)
MAX_DECIMAL_PLACES = 250  # calc.inputs.numbers accepts magnitudes down to 1e-100 with 50 characters
TOP_KEYS = (
    "format",
    "version",
    "id",
    "params",
    "history",
    "events",
    "holders",
    "policies",
    "grants",
    "include_illustrative",
    "prices",
)


@dataclass(frozen=True)
class HolderData:
    """The holder table of a scenario: ``csv`` None = the filing's register, else a register CSV's text."""

    csv: str | None = None
    label: str = FILING_HOLDERS_LABEL
    partial: str = DEFAULT_PARTIAL  # how a table listing fewer preferred than issued is read (PARTIAL_HANDLING)

    def content(self) -> dict[str, object]:
        return {"csv": self.csv, "partial": self.partial}


@dataclass(frozen=True)
class GrantsData:
    """Option grants: ``file`` names a shipped grants CSV (``SHIPPED_GRANTS``), or ``csv`` holds one's text;
    neither: no grants."""

    file: str | None = None
    csv: str | None = None
    label: str = "no grants"

    def content(self) -> dict[str, object]:
        return {"file": self.file, "csv": self.csv}


@dataclass(frozen=True)
class PriceData:
    """A price path as a document keeps it: ``rows`` (date, close_usd, source) as typed, ``rule`` between dates
    (``calc.model.price_path.RULES``); no rows: no path (the drift path)."""

    rows: tuple[tuple[str, str, str], ...] = ()
    rule: str = "previous"
    label: str = "no price path"

    def content(self) -> dict[str, object]:
        return {"rows": [dict(zip(PRICE_CELLS, r)) for r in self.rows], "rule": self.rule}


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def params_json_values(params: ScenarioParams) -> dict[str, object]:
    """``params`` as JSON-ready values: dates as YYYY-MM-DD, None as null."""
    return {k: _iso(v) for k, v in params.as_dict().items()}


def decimal_text(value: Fraction) -> str:
    """The exact decimal text of a fraction typed as a decimal (``33143/100`` -> ``331.43``).

    Every ratio and price of an events file is read as the exact value of its decimal text
    (``calc.inputs.numbers``), so its denominator is 2^a × 5^b and the decimal form terminates; any other
    fraction is an error rather than a rounded figure."""
    places = 0
    while (10**places) % value.denominator:
        places += 1
        if places > MAX_DECIMAL_PLACES:
            raise ValueError(f"{value} has no exact decimal form")
    scaled = abs(value.numerator) * (10**places // value.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    whole, frac = (digits[:-places], digits[-places:].rstrip("0")) if places else (digits, "")
    text = f"{whole}.{frac}" if frac else whole
    if len(text) > MAX_NUMBER_CHARS:  # very small or large: significant digits and an exponent
        significant = str(scaled).rstrip("0")
        text = f"{significant}e{len(str(scaled)) - len(significant) - places}"
    return ("-" if value < 0 else "") + text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Fraction):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def event_cells(event: Event) -> tuple[str, ...]:
    """A validated ledger row as the cells of an events file (``EVENT_COLUMNS`` order; ``all`` for every
    preferred share, decimals exactly as typed)."""
    cells = {c: _cell(getattr(event, c)) for c in EVENT_COLUMNS}
    if event.preferred_shares is None:
        cells["preferred_shares"] = "all"
    return tuple(cells[c] for c in EVENT_COLUMNS)


def events_csv(rows: tuple[tuple[str, ...], ...]) -> str:
    """Event rows as an events-file text (header ``EVENT_COLUMNS``, one line per row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


@dataclass(frozen=True)
class ScenarioDoc:
    """Everything a scenario's result depends on (see the module docstring)."""

    params: ScenarioParams
    history: bool = False
    events: tuple[tuple[str, ...], ...] = ()
    holders: HolderData = HolderData()
    policies: tuple[tuple[str, str], ...] = ()
    grants: GrantsData = GrantsData()
    include_illustrative: bool = False  # fully diluted figures count the instruments marked illustrative
    prices: PriceData = PriceData()

    def content(self) -> dict[str, object]:
        """The inputs without labels, JSON-ready: what ``key`` hashes (``prices`` only when the path has rows)."""
        path = {"prices": self.prices.content()} if self.prices.rows else {}
        return path | {
            "include_illustrative": self.include_illustrative,
            "params": params_json_values(self.params),
            "history": self.history,
            "events": [dict(zip(EVENT_COLUMNS, row)) for row in self.events],
            "holders": self.holders.content(),
            "policies": dict(self.policies),
            "grants": self.grants.content(),
        }

    @cached_property
    def key(self) -> str:
        """SHA-256 (hex) of the canonical JSON of ``content()``."""
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def id(self) -> str:
        """The scenario id: the first 8 hex digits of ``key`` (carried by every download's file name)."""
        return self.key[:8]

    def to_dict(self) -> dict[str, object]:
        """The JSON document: format, version, id, then the content with the labels."""
        content = self.content()
        content["holders"] = {**self.holders.content(), "label": self.holders.label}
        content["grants"] = {**self.grants.content(), "label": self.grants.label}
        if self.prices.rows:
            content["prices"] = {**self.prices.content(), "label": self.prices.label}
        return {"format": FORMAT, "version": VERSION, "id": self.id, **content}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def events_text(self) -> str:
        """The ledger rows as an events-file text (``""`` when there are none)."""
        return events_csv(self.events) if self.events else ""

    def replace(self, **changes: Any) -> ScenarioDoc:
        return dataclasses.replace(self, **changes)


def default_doc(terms: Terms | None = None) -> ScenarioDoc:
    """The default scenario: default parameters, the filing's holders, no events, no policies, no grants."""
    return ScenarioDoc(default_params(terms))


# --------------------------------------------------------------------------- reading a document


def _problem(field: str, rule: str) -> Problem:
    return Problem(rule, column=field, column_label=False)


def _text_or_none(values: Mapping[str, object], key: str, field: str, problems: list[Problem]) -> str | None:
    value = values.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(_problem(f"{field}.{key}", f"must be text or null, not {type(value).__name__}"))
    return None


def _object(values: Mapping[str, object], key: str, problems: list[Problem]) -> Mapping[str, object]:
    value = values.get(key, {})
    if isinstance(value, dict):
        return value
    problems.append(_problem(key, f"must be a JSON object, not {type(value).__name__}"))
    return {}


def _holders(values: Mapping[str, object], problems: list[Problem]) -> HolderData:
    raw = _object(values, "holders", problems)
    unknown = sorted(set(raw) - {"csv", "label", "partial"})
    problems += [_problem(f"holders.{k}", "unknown field (known: csv, label, partial)") for k in unknown]
    text = _text_or_none(raw, "csv", "holders", problems)
    partial = raw.get("partial", DEFAULT_PARTIAL)
    if partial not in PARTIAL_HANDLING:
        problems.append(_problem("holders.partial", f"must be one of {', '.join(PARTIAL_HANDLING)}"))
        partial = DEFAULT_PARTIAL
    label = _text_or_none(raw, "label", "holders", problems)
    default_label = FILING_HOLDERS_LABEL if text is None else "holder table from a scenario file"
    return HolderData(text, label or default_label, str(partial))


def _grants(values: Mapping[str, object], problems: list[Problem]) -> GrantsData:
    raw = _object(values, "grants", problems)
    unknown = sorted(set(raw) - {"file", "csv", "label"})
    problems += [_problem(f"grants.{k}", "unknown field (known: file, csv, label)") for k in unknown]
    file, text = _text_or_none(raw, "file", "grants", problems), _text_or_none(raw, "csv", "grants", problems)
    if file is not None and file not in SHIPPED_GRANTS:
        problems.append(_problem("grants.file", f"must be one of {', '.join(SHIPPED_GRANTS)} or null"))
        file = None
    if file is not None and text is not None:
        problems.append(_problem("grants", "give file or csv, not both"))
    label = _text_or_none(raw, "label", "grants", problems)
    return GrantsData(file, text, label or (file or ("grants from a scenario file" if text else "no grants")))


def _events(values: Mapping[str, object], problems: list[Problem]) -> tuple[tuple[str, ...], ...]:
    raw = values.get("events", [])
    if not isinstance(raw, list):
        problems.append(_problem("events", "must be a JSON list of rows"))
        return ()
    rows = []
    for i, row in enumerate(raw, start=1):
        where = f"events[{i}]"
        if not isinstance(row, dict):
            problems.append(_problem(where, "must be a JSON object of cells"))
            continue
        unknown = sorted(set(row) - set(EVENT_COLUMNS))
        problems += [_problem(f"{where}.{k}", f"unknown column (known: {', '.join(EVENT_COLUMNS)})") for k in unknown]
        bad = [k for k, v in row.items() if k in EVENT_COLUMNS and not isinstance(v, str)]
        problems += [_problem(f"{where}.{k}", "must be text (as typed in an events file)") for k in bad]
        rows.append(tuple(str(row.get(c, "")) if c not in bad else "" for c in EVENT_COLUMNS))
    return tuple(rows)


def _price_rows(raw: object, problems: list[Problem]) -> tuple[tuple[str, str, str], ...]:
    if not isinstance(raw, list):
        problems.append(_problem("prices.rows", "must be a JSON list of rows"))
        return ()
    rows = []
    for i, row in enumerate(raw, start=1):
        where = f"prices.rows[{i}]"
        if (
            not isinstance(row, dict)
            or set(row) != set(PRICE_CELLS)
            or not all(isinstance(v, str) for v in row.values())
        ):
            problems.append(_problem(where, f"must be a JSON object of the text cells {', '.join(PRICE_CELLS)}"))
            continue
        rows.append((row["date"], row["close_usd"], row["source"]))
    return tuple(rows)


def _prices(values: Mapping[str, object], problems: list[Problem]) -> PriceData:
    """The price path's shape (its rows are read as a prices file by ``calc.scenario_run.resolve``)."""
    raw = _object(values, "prices", problems)
    unknown = sorted(set(raw) - {"rows", "rule", "label"})
    problems += [_problem(f"prices.{k}", "unknown field (known: rows, rule, label)") for k in unknown]
    rule = raw.get("rule", "previous")
    if rule not in PRICE_RULES:
        problems.append(_problem("prices.rule", f"must be one of {', '.join(PRICE_RULES)}"))
        rule = "previous"
    label = _text_or_none(raw, "label", "prices", problems)
    rows = _price_rows(raw.get("rows", []), problems)
    return PriceData(rows, str(rule), label or ("prices from a scenario file" if rows else "no price path"))


def _policies(values: Mapping[str, object], problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    raw = _object(values, "policies", problems)
    bad = [k for k, v in raw.items() if not isinstance(v, str)]
    problems += [_problem(f"policies.{k}", "must be text") for k in bad]
    return tuple(sorted((str(k), str(v)) for k, v in raw.items() if k not in bad))


def _params(values: Mapping[str, object], problems: list[Problem], terms: Terms | None) -> ScenarioParams | None:
    raw = _object(values, "params", problems)
    try:
        params, found = param_problems(raw, terms)
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        problems.append(_problem("params", f"cannot be read ({type(exc).__name__})"))
        return None
    problems += [_problem(f"params.{p.column}", p.what) if p.column in PARAM_NAMES else p for p in found]
    return params


def doc_from_dict(values: object, source: str, terms: Terms | None = None) -> ScenarioDoc:
    """A document from its JSON object; ``InputError`` naming ``source`` lists every problem (field and rule).

    An inputs record (``calc.outputs.record.inputs_record``: a download's sidecar) is read through its
    ``scenario_document``. The ``id`` it states is not trusted: the id is always recomputed from the
    content (a hand-edited file gets the id of what it now says)."""
    if not isinstance(values, dict):
        raise InputError(f"{source}: a scenario document is a JSON object")
    inner = values.get("scenario_document")
    if "format" not in values and isinstance(inner, dict):  # an inputs record
        values = inner
    problems: list[Problem] = []
    if values.get("format") != FORMAT:
        problems.append(_problem("format", f"must be {FORMAT!r} (a document written by this product)"))
    if values.get("version") != VERSION:
        problems.append(_problem("version", f"must be {VERSION}"))
    unknown = sorted(set(values) - set(TOP_KEYS))
    problems += [_problem(k, f"unknown field (known: {', '.join(TOP_KEYS)})") for k in unknown]
    history, include = values.get("history", False), values.get("include_illustrative", False)
    for name, flag in (("history", history), ("include_illustrative", include)):
        if not isinstance(flag, bool):
            problems.append(_problem(name, "must be true or false"))
    params = _params(values, problems, terms)
    events, holders = _events(values, problems), _holders(values, problems)
    policies, grants = _policies(values, problems), _grants(values, problems)
    prices = _prices(values, problems)
    if problems or params is None:
        raise InputError(f"{source}: {len(problems)} problem(s) in the scenario document", tuple(problems))
    return ScenarioDoc(params, bool(history), events, holders, policies, grants, bool(include), prices)


def doc_from_json(text: str | bytes, source: str, terms: Terms | None = None) -> ScenarioDoc:
    """``doc_from_dict`` of a JSON text (UTF-8, at most ``MAX_DOC_BYTES``)."""
    data = text.encode() if isinstance(text, str) else text
    if len(data) > MAX_DOC_BYTES:
        raise InputError(f"{source}: larger than {MAX_DOC_BYTES:,} bytes")
    try:
        values = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{source}: not valid JSON{where}") from exc
    return doc_from_dict(values, source, terms)
