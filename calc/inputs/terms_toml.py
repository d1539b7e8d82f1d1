"""The terms file (``data/terms.toml``) read into ``calc.model.terms.Terms``: every field with its source.

Fields the calculations do not read where used are enforced here, on load (``_modelled_problems``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from calc.errors import InputError, echo
from calc.inputs.csv_records import read_toml
from calc.inputs.numbers import parse_decimal
from calc.inputs.paths import TERMS_PATH
from calc.model.terms import MarketDefaults, PreferredTerms, RateStep, RegisteredAmounts, Terms

SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "bool": (bool,),
    "str": (str,),
    "dt.date": (dt.date,),
    "Decimal": (str, int, float),
}


def _convert(value: Any, annotation: str, where: str) -> Any:
    """Check a TOML value against the field's annotation and convert it (Decimal, tuples)."""
    if annotation.startswith("tuple["):
        item = annotation[len("tuple[") : -len(", ...]")]
        if not isinstance(value, list):
            raise InputError(f"terms file: [{where}] value must be a list, got {echo(value)!r}")
        if item.startswith("tuple["):  # a pair such as (month, day)
            size, inner = item.count(",") + 1, item[len("tuple[") : item.index(",")]
            if any(not isinstance(v, list) or len(v) != size for v in value):
                raise InputError(f"terms file: [{where}] value must be a list of {size}-element lists")
            return tuple(tuple(_convert(x, inner, where) for x in v) for v in value)
        return tuple(_convert(v, item, where) for v in value)
    expected = SCALAR_TYPES[annotation]
    if (
        not isinstance(value, expected)
        or (annotation in ("int", "Decimal") and isinstance(value, bool))
        or (annotation == "dt.date" and isinstance(value, dt.datetime))
    ):
        raise InputError(f"terms file: [{where}] value {echo(value)!r} must be of type {annotation}")
    if annotation == "Decimal":
        return toml_decimal(value, f"terms file: [{where}]")
    return value


def toml_decimal(value: object, where: str) -> Decimal:
    """A number of a TOML data file (text, integer or float), read by the rule of typed numbers
    (``calc.inputs.numbers.parse_decimal``: at most ``MAX_NUMBER_CHARS`` characters, magnitude bounded by
    ``MAX_EXPONENT``, finite); a failure is an ``InputError`` starting with ``where``."""
    try:
        return parse_decimal(str(value))
    except InputError as exc:
        raise InputError(f"{where} value {exc}") from None


def _section(raw: dict[str, Any], name: str, cls: type, provenance: dict[str, str]) -> Any:
    table = raw.get(name)
    if not isinstance(table, dict):
        raise InputError(f"terms file: section [{name}] is missing")
    kwargs = {}
    for field_name, annotation in cls.__annotations__.items():
        entry = table.get(field_name)
        if not isinstance(entry, dict) or "value" not in entry or "source" not in entry:
            raise InputError(f"terms file: [{name}.{field_name}] must be a table with 'value' and 'source'")
        provenance[f"{name}.{field_name}"] = str(entry["source"])
        kwargs[field_name] = _convert(entry["value"], str(annotation), f"{name}.{field_name}")
    return cls(**kwargs)


def _rate_steps(raw: dict[str, Any], provenance: dict[str, str]) -> tuple[RateStep, ...]:
    steps = []
    entries = raw.get("conversion_rates", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError("terms file: conversion_rates must be an array of tables [[conversion_rates]]")
    for i, entry in enumerate(entries):
        where = f"conversion_rates entry {i + 1}"
        try:
            step = RateStep(
                effective_date=_convert(entry["effective_date"], "dt.date", f"{where}.effective_date"),
                rate=_convert(entry["rate"], "Decimal", f"{where}.rate"),
                conversion_price_usd=_convert(
                    entry["conversion_price_usd"], "Decimal", f"{where}.conversion_price_usd"
                ),
                event=str(entry["event"]),
                source=str(entry["source"]),
            )
        except KeyError as exc:
            raise InputError(f"terms file: [[conversion_rates]] entry {i + 1} lacks {exc}") from exc
        provenance[f"conversion_rates.{step.effective_date.isoformat()}"] = step.source
        steps.append(step)
    if not steps:
        raise InputError("terms file: no [[conversion_rates]] entries")
    dates = [s.effective_date for s in steps]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise InputError("terms file: [[conversion_rates]] must be in strictly increasing date order")
    return tuple(steps)


def load_terms_file(path: Path) -> Terms:
    """Parse and validate a terms TOML file."""
    raw = read_toml(path, f"terms file {echo(path, 200)}")
    provenance: dict[str, str] = {}
    try:
        terms = Terms(
            preferred=_section(raw, "preferred", PreferredTerms, provenance),
            conversion_rates=_rate_steps(raw, provenance),
            registered=_section(raw, "registered", RegisteredAmounts, provenance),
            market=_section(raw, "market", MarketDefaults, provenance),
            provenance=MappingProxyType(provenance),
        )
    except InputError as exc:  # name the file (a terms file may be any instruments file's terms_file)
        message = str(exc.args[0]).replace("terms file:", f"terms file {echo(path, 200)}:", 1)
        raise InputError(message, exc.problems) from None
    problems = _modelled_problems(terms)
    if problems:
        raise InputError(f"terms file {path}: {len(problems)} problem(s)", problems)
    return terms


def _modelled_problems(terms: Terms) -> list[str]:
    """Terms the calculations rely on without reading them at each use (see the field comments)."""
    p, problems = terms.preferred, []
    if not p.cumulative_dividends:
        problems.append("preferred.cumulative_dividends: must be true (the engine accretes unpaid dividends)")
    if p.issue_date != terms.conversion_rates[0].effective_date:
        problems.append(
            f"preferred.issue_date: {p.issue_date} must equal the first conversion rate's effective "
            f"date {terms.conversion_rates[0].effective_date}"
        )
    return problems


@lru_cache(maxsize=1)
def load_terms() -> Terms:
    """The instrument terms in force (``data/terms.toml``), read once per process;
    also ``calc.inputs.data.load_terms``."""
    return load_terms_file(TERMS_PATH)
