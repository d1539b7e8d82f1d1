"""The instrument registry file (``data/instruments.toml``) read into ``calc.model.instruments.Registry``.

The load-time rules are listed in ``calc.model.instruments``; an edit breaking one raises ``InputError`` naming
``[<id>.<field>]``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from calc.errors import InputError, echo
from calc.inputs.csv_records import read_toml
from calc.inputs.grants_csv import read_grants_csv
from calc.inputs.paths import INSTRUMENTS_PATH, TERMS_PATH
from calc.inputs.terms_toml import load_terms, load_terms_file, toml_decimal
from calc.model.instruments import (
    CLASS_OF_KIND,
    KINDS,
    SETTLEMENTS,
    Convertible,
    Holding,
    Instrument,
    OptionPool,
    PreferredRef,
    PricePoint,
    Registry,
    SavingsPlan,
    Step,
    Warrant,
)
from calc.model.rounding import MAX_SHARES

MAX_USD = Decimal(10**15)


_EXACT = decimal.Context(prec=decimal.MAX_PREC)  # for scaleb: no rounding


ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


ID_RULE = (
    "an instrument id is 1 to 64 ASCII letters, digits, '_' or '-' (no '.', '=' or spaces), "
    "so that --policy ID.FIELD=VALUE can name it"
)


STEP_TABLES: dict[str, tuple[type, tuple[str, ...]]] = {
    "outstanding": (Step, ("date", "amount_usd")),
    "holding": (Holding, ("date", "fund", "fair_value_usd")),
    "price": (PricePoint, ("date", "price_usd")),
}


DERIVED = {"id", "kind", "grants"}


TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "bool": bool,
    "str": str,
    "dt.date": dt.date,
    "Decimal": (str, int, float),
}  # not read as {value, source} fields


class _Reader:
    """Reads one instrument's table, naming ``[<id>.<field>]`` in every problem."""

    def __init__(self, path: Path, iid: str) -> None:
        self.path, self.iid = path, iid

    def fail(self, field: str, rule: str) -> InputError:
        return InputError(f"instruments file {self.path}: [{echo(self.iid)}.{echo(field)}] {rule}")

    def value(self, field: str, raw: Any, annotation: str) -> Any:
        """``raw`` checked against ``annotation`` and converted (Decimal from text or number)."""
        base = annotation.removesuffix(" | None")
        if base.startswith("tuple["):
            item = base[len("tuple[") : -len(", ...]")]
            if not isinstance(raw, list):
                raise self.fail(field, f"value must be a list, got {echo(raw)!r}")
            return tuple(self.value(field, r, item) for r in raw)
        expected = TYPES[base]
        if (
            not isinstance(raw, expected)
            or (base in ("int", "Decimal") and isinstance(raw, bool))
            or (base == "dt.date" and isinstance(raw, dt.datetime))
        ):
            raise self.fail(field, f"value {echo(raw)!r} must be of type {base}")
        if base != "Decimal":
            return raw
        return toml_decimal(raw, f"instruments file {self.path}: [{echo(self.iid)}.{echo(field)}]")

    def steps(self, table: str, raw: Any, provenance: dict[str, str]) -> tuple[Any, ...]:
        cls, names = STEP_TABLES[table]
        if not isinstance(raw, list) or not raw:
            raise self.fail(table, f"needs at least one [[{self.iid}.{table}]] entry")
        out = []
        for i, entry in enumerate(raw, 1):
            where = f"{table} entry {i}"
            if not isinstance(entry, dict) or set(entry) != {*names, "source"}:
                raise self.fail(where, f"must have exactly the keys {', '.join((*names, 'source'))}")
            hints = {f.name: str(f.type) for f in dataclasses.fields(cls)}
            values = {n: self.value(f"{where}.{n}", entry[n], hints[n]) for n in names}
            step = cls(**values, source=self.value(f"{where}.source", entry["source"], "str"))
            provenance[f"{self.iid}.{table}.{i}"] = step.source
            out.append(step)
        return tuple(out)


def _fields(reader: _Reader, table: dict[str, Any], cls: type, provenance: dict[str, str]) -> dict[str, Any]:
    """Every dataclass field of ``cls`` from ``table`` ({value, source} or step arrays)."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in DERIVED}
    unknown = sorted(set(table) - set(fields) - {"kind"})
    if unknown:
        raise reader.fail(unknown[0], f"unknown field for kind {table['kind']['value']} (known: {', '.join(fields)})")
    out: dict[str, Any] = {}
    for name, f in fields.items():
        if name in STEP_TABLES:
            out[name] = reader.steps(name, table.get(name), provenance)
            continue
        entry = table.get(name)
        if entry is None and f.default is not dataclasses.MISSING:
            if f.default is not None:
                provenance[f"{reader.iid}.{name}"] = f"default: {f.default} (left out of the file)"
            continue
        if not isinstance(entry, dict) or set(entry) != {"value", "source"}:
            raise reader.fail(name, "must be a table with exactly 'value' and 'source'")
        provenance[f"{reader.iid}.{name}"] = reader.value(name, entry["source"], "str")
        out[name] = reader.value(name, entry["value"], str(f.type))
    return out


def _check_convertible(r: _Reader, c: Convertible) -> None:
    """The load-time rules of a convertible (module docstring)."""
    if not c.issue_date < c.maturity_date:
        raise r.fail("maturity_date", f"{c.maturity_date} must be after issue_date {c.issue_date}")
    for name, value in (
        ("unit_usd", c.unit_usd),
        ("conversion_price_usd", c.conversion_price_usd),
        ("conversion_rate", c.conversion_rate),
        ("coupons_per_year", c.coupons_per_year),
    ):
        if not 0 < value <= MAX_USD:
            raise r.fail(name, f"{value} must be > 0")
    if not 0 <= c.coupon_rate < 1:
        raise r.fail("coupon_rate", f"{c.coupon_rate} must be an annual rate in [0, 1)")
    if not 0 <= c.contingent_trigger_pct <= 1000:
        raise r.fail("contingent_trigger_pct", f"{c.contingent_trigger_pct} must be from 0 to 1000 (percent)")
    derived = _rate_to_4_decimals(Fraction(c.unit_usd) / Fraction(c.conversion_price_usd))
    if derived != c.conversion_rate:
        raise r.fail(
            "conversion_rate",
            f"{c.conversion_rate} does not match unit_usd / conversion_price_usd = {derived} (to 4 decimals)",
        )
    inside = lambda d: c.issue_date < d <= c.maturity_date  # noqa: E731
    bad = [d for d in (*c.put_dates, *filter(None, [c.cash_call_date])) if not inside(d)]
    if bad:
        raise r.fail(
            "put_dates" if bad[0] in c.put_dates else "cash_call_date",
            f"{bad[0]} must lie after issue_date {c.issue_date} and on or before maturity_date",
        )
    if not set(c.put_settlement_options) <= set(SETTLEMENTS) or not c.put_settlement_options:
        raise r.fail("put_settlement_options", f"must be a non-empty list of {', '.join(SETTLEMENTS)}")
    _check_steps(r, c)


def _rate_to_4_decimals(exact: Fraction) -> Decimal:
    """``exact`` rounded half up to 4 decimals, computed exactly (a Decimal ``quantize`` fails
    beyond 28 digits)."""
    return Decimal(math.floor(exact * 10_000 + Fraction(1, 2))).scaleb(-4, _EXACT)


def _check_steps(r: _Reader, c: Convertible) -> None:
    dates = [s.date for s in c.outstanding]
    if dates[0] != c.issue_date or dates != sorted(set(dates)):
        raise r.fail("outstanding", "entries must start at issue_date and be in strictly increasing date order")
    for i, s in enumerate(c.outstanding, 1):
        units = Fraction(s.amount_usd) / Fraction(c.unit_usd)
        if not 0 <= s.amount_usd <= MAX_USD or units.denominator != 1:
            raise r.fail(
                f"outstanding entry {i}.amount_usd",
                f"{s.amount_usd} must be >= 0 and a whole number of units of {c.unit_usd} USD",
            )
        if units * Fraction(c.conversion_rate) > MAX_SHARES:
            raise r.fail(f"outstanding entry {i}.amount_usd", f"converts into more than {MAX_SHARES:,} shares")
    if c.registered_common_shares is not None:
        expected = math.ceil(Fraction(c.outstanding[0].amount_usd) / Fraction(c.unit_usd) * Fraction(c.conversion_rate))
        if expected != c.registered_common_shares:
            raise r.fail(
                "registered_common_shares",
                f"{c.registered_common_shares:,} differs from ceil(first "
                f"amount / unit × conversion_rate) = {expected:,}",
            )


def _check_warrant(r: _Reader, w: Warrant) -> None:
    if not 0 < w.count * w.shares_per_warrant <= MAX_SHARES or w.count <= 0 or w.shares_per_warrant <= 0:
        raise r.fail("count", f"count × shares_per_warrant must be from 1 to {MAX_SHARES:,}")
    if not 0 <= w.exercise_price_usd <= MAX_USD:
        raise r.fail("exercise_price_usd", f"{w.exercise_price_usd} must be >= 0")
    if not w.issue_date <= w.expiry_date:
        raise r.fail("expiry_date", f"{w.expiry_date} must be on or after issue_date {w.issue_date}")


def _check_plan(r: _Reader, s: SavingsPlan) -> None:
    if not 0 <= s.match_usd_per_year <= MAX_USD:
        raise r.fail("match_usd_per_year", f"{s.match_usd_per_year} must be >= 0")
    if s.match_periods_per_year not in (1, 2, 4, 12):
        raise r.fail("match_periods_per_year", f"{s.match_periods_per_year} must be 1, 2, 4 or 12")
    if not 0 <= s.plan_interest_pct <= 100:
        raise r.fail("plan_interest_pct", f"{s.plan_interest_pct} must be from 0 to 100")
    priced = {p.date: p.price_usd for p in s.price}
    for i, p in enumerate(s.price, 1):
        if not 0 < p.price_usd <= MAX_USD:
            raise r.fail(f"price entry {i}.price_usd", f"{p.price_usd} must be > 0")
    for i, h in enumerate(s.holding, 1):
        if h.date not in priced:
            raise r.fail(f"holding entry {i}.date", f"{h.date} has no [[{s.id}.price]] entry for that date")
        if not 0 <= h.fair_value_usd <= MAX_USD:
            raise r.fail(f"holding entry {i}.fair_value_usd", f"{h.fair_value_usd} must be >= 0")


def _instrument(path: Path, iid: str, table: Any, provenance: dict[str, str]) -> Instrument:
    reader = _Reader(path, iid)
    if not ID_RE.fullmatch(iid):
        raise InputError(f"instruments file {path}: [{echo(iid)}] is not a valid id: {ID_RULE}")
    if not isinstance(table, dict):
        raise reader.fail("kind", "each security must be a table [<id>]")
    kind_entry = table.get("kind")
    if not isinstance(kind_entry, dict) or set(kind_entry) != {"value", "source"} or kind_entry["value"] not in KINDS:
        raise reader.fail("kind", f"must be a table with 'value' (one of {', '.join(KINDS)}) and 'source'")
    kind = kind_entry["value"]
    cls = CLASS_OF_KIND[kind]
    provenance[f"{iid}.kind"] = str(kind_entry["source"])
    values = _fields(reader, table, cls, provenance)
    if cls is OptionPool:
        values["grants"] = tuple(read_grants_csv(path.parent / values["grants_file"]))
    instrument = cls(id=iid, kind=kind, **values)
    checks: dict[type, Callable[[_Reader, Any], None]] = {
        Convertible: _check_convertible,
        Warrant: _check_warrant,
        SavingsPlan: _check_plan,
    }
    check = checks.get(cls)
    if check:
        check(reader, instrument)
    return instrument


def load_registry_file(path: Path | str) -> Registry:
    """Parse and validate an instruments TOML file (the 8.00% preferred's terms file is relative to it)."""
    path = Path(path)
    raw = read_toml(path, f"instruments file {echo(path, 200)}")
    provenance: dict[str, str] = {}
    instruments = tuple(_instrument(path, iid, table, provenance) for iid, table in raw.items())
    preferred = [i for i in instruments if isinstance(i, PreferredRef)]
    if len(preferred) != 1:
        raise InputError(
            f"instruments file {path}: exactly one convertible_preferred entry is required (found {len(preferred)})"
        )
    terms_path = path.parent / preferred[0].terms_file
    terms = load_terms() if terms_path.resolve() == TERMS_PATH.resolve() else load_terms_file(terms_path)
    return Registry(instruments, terms, MappingProxyType(provenance))


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    """The shipped registry (``data/instruments.toml``), loaded once per process."""
    return load_registry_file(INSTRUMENTS_PATH)
