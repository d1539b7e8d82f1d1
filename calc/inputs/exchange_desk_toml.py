"""The exchange-desk facts file (``data/exchange_desk.toml``) read into ``calc.model.capacity.DeskFacts``: every
field a ``value`` with a ``source``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from calc.errors import InputError, echo
from calc.inputs.csv_records import read_toml
from calc.inputs.paths import EXCHANGE_DESK_PATH
from calc.inputs.terms_toml import toml_decimal
from calc.model.capacity import DeskFacts

FIELDS: dict[str, tuple[str, type]] = {  # attribute -> (dotted name in the file, TOML type)
    "nyse_approval_pct": ("capacity.nyse_approval_pct", Decimal),
    "cash_put_allowed": ("capacity.cash_put_allowed", bool),
    "quoted_binding_price_usd": ("capacity.quoted_binding_price_usd", Decimal),
    "quoted_yield_to_put": ("market.quoted_yield_to_put", Decimal),
    "quoted_yield_date": ("market.quoted_yield_date", dt.date),
    "offer_close_usd": ("market.offer_close_usd", Decimal),
    "offer_close_date": ("market.offer_close_date", dt.date),
    "replay_price_rule": ("market.replay_price_rule", str),
    "carrying_value_usd": ("d42.carrying_value_usd", Decimal),
    "carrying_value_date": ("d42.carrying_value_date", dt.date),
    "carrying_value_preferred_shares": ("d42.carrying_value_preferred_shares", int),
    "d42_rule": ("d42.rule", str),
    "inducement_reported_usd": ("inducement.reported_usd", Decimal),
    "inducement_reported_preferred_retired_usd": ("inducement.reported_preferred_retired_usd", Decimal),
    "inducement_reported_date": ("inducement.reported_date", dt.date),
}


def _field(raw: dict[str, Any], dotted: str, kind: type, where: str) -> tuple[Any, str]:
    section, name = dotted.split(".")
    entry = raw.get(section, {}).get(name) if isinstance(raw.get(section), dict) else None
    if not isinstance(entry, dict) or "value" not in entry or not isinstance(entry.get("source"), str):
        raise InputError(f"{where}: [{dotted}] must be a table with 'value' and 'source'")
    value = entry["value"]
    if kind is Decimal:
        return toml_decimal(value, f"{where}: [{dotted}]"), entry["source"]
    wrong_bool = kind is int and isinstance(value, bool)
    if not isinstance(value, kind) or wrong_bool or (kind is dt.date and isinstance(value, dt.datetime)):
        raise InputError(f"{where}: [{dotted}] value {echo(value)!r} must be of type {kind.__name__}")
    return value, entry["source"]


def load_desk_file(path: Path) -> DeskFacts:
    """Parse and check an exchange-desk facts file (every field a ``value`` with a ``source``)."""
    where = f"exchange desk file {echo(path, 200)}"
    raw = read_toml(path, where)
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    for attribute, (dotted, kind) in FIELDS.items():
        values[attribute], provenance[dotted] = _field(raw, dotted, kind, where)
    if not 0 < values["nyse_approval_pct"] <= 100:
        raise InputError(f"{where}: [capacity.nyse_approval_pct] must be above 0 and at most 100")
    return DeskFacts(**values, provenance=MappingProxyType(provenance))


@lru_cache(maxsize=1)
def load_desk_facts() -> DeskFacts:
    """The shipped facts (``data/exchange_desk.toml``), read once per process; also ``calc.inputs.data``."""
    return load_desk_file(EXCHANGE_DESK_PATH)
