"""The instrument registry (``data/instruments.toml``, read by ``calc.inputs.instruments_toml``) as frozen dataclasses.

One table per security, ``[<id>]``; every field is ``{value, source}`` (source = document and
quote, ``derived: ...`` or ``assumption: ...``); dated steps are arrays of tables with their own
``source``. The sources are kept in ``Registry.provenance`` (``<id>.<field>`` -> source).
Kinds (``KINDS``) and their fields are the dataclasses below; the 8.00% preferred is a
reference to its terms file (``calc.model.terms``), so its terms live in one place.

Load-time rules (an edit breaking one raises ``InputError`` naming ``[<id>.<field>]``):
  the file is read by ``calc.inputs.csv_records.read_toml`` (size cap, encodings, nesting);
  ``<id>`` matches ``ID_RE`` (``ID_RULE``: no '.', so ``--policy ID.FIELD=VALUE`` can name it);
  numbers follow the rule of typed numbers (``calc.inputs.terms_toml.toml_decimal``: ``calc.inputs.numbers``);
  every field of the kind is present (optional ones may be left out), no unknown field;
  ``illustrative`` (optional, every kind but the preferred; default false) marks made-up figures:
  ``calc.model.securities.setup`` leaves such instruments out unless asked (``include_illustrative``);
  values of the field's type; counts and amounts > 0; rates in [0, 1); dates ordered
  (issue < maturity/expiry, puts and the call inside that window, steps increasing);
  conversion_rate = round(unit_usd / conversion_price_usd, 4) (the terms' convention:
  133.6898 = 1000 / 7.48); registered_common_shares = ceil(first amount / unit × CR)
  (registration rounds up); every potential share count <= ``calc.model.rounding.MAX_SHARES``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from calc.model.options import Grant
from calc.model.terms import Terms

KINDS = ("convertible_preferred", "convertible_debt", "trust_preferred", "warrant", "option_pool", "savings_plan")
SETTLEMENTS = ("cash", "stock")


@dataclass(frozen=True)
class Step:
    """Amount outstanding (USD of face) from ``date`` on."""

    date: dt.date
    amount_usd: Decimal
    source: str


@dataclass(frozen=True)
class Holding:
    date: dt.date
    fund: str
    fair_value_usd: Decimal
    source: str


@dataclass(frozen=True)
class PricePoint:
    date: dt.date
    price_usd: Decimal
    source: str


@dataclass(frozen=True)
class PreferredRef:
    """The 8.00% preferred: its terms are in ``terms_file`` (relative to data/)."""

    id: str
    kind: str
    name: str
    terms_file: str


@dataclass(frozen=True)
class Convertible:
    """Convertible debt or trust preferred: ``unit_usd`` of face converts into ``conversion_rate`` common."""

    id: str
    kind: str
    name: str
    issue_date: dt.date
    maturity_date: dt.date
    unit_usd: Decimal
    coupon_rate: Decimal  # annual
    coupons_per_year: int
    conversion_rate: Decimal  # common per unit_usd of face
    conversion_price_usd: Decimal
    put_dates: tuple[dt.date, ...]
    put_settlement_options: tuple[str, ...]
    contingent_trigger_pct: Decimal  # convertible only when price >= pct/100 × conversion price (0: always)
    interest_deductible: bool
    outstanding: tuple[Step, ...]
    cash_call_date: dt.date | None = None
    registered_common_shares: int | None = None
    illustrative: bool = False

    @property
    def decision_dates(self) -> tuple[dt.date, ...]:
        """Puts, the cash call and maturity: the dates a holder must choose."""
        return tuple(sorted({*self.put_dates, self.maturity_date, *filter(None, [self.cash_call_date])}))


@dataclass(frozen=True)
class Warrant:
    id: str
    kind: str
    name: str
    count: int
    shares_per_warrant: int
    exercise_price_usd: Decimal
    issue_date: dt.date
    expiry_date: dt.date  # last exercise day
    illustrative: bool = False


@dataclass(frozen=True)
class OptionPool:
    id: str
    kind: str
    name: str
    grants_file: str  # relative to data/
    grants: tuple[Grant, ...]
    illustrative: bool = False


@dataclass(frozen=True)
class SavingsPlan:
    """Employee savings plans: a holder (fair value / price) and an optional issuance source (matching)."""

    id: str
    kind: str
    name: str
    plan_interest_pct: Decimal
    match_usd_per_year: Decimal
    match_periods_per_year: int
    match_in_stock_until: dt.date
    holding: tuple[Holding, ...]
    price: tuple[PricePoint, ...]
    illustrative: bool = False


Instrument = PreferredRef | Convertible | Warrant | OptionPool | SavingsPlan
CLASS_OF_KIND: dict[str, type] = {
    "convertible_preferred": PreferredRef,
    "convertible_debt": Convertible,
    "trust_preferred": Convertible,
    "warrant": Warrant,
    "option_pool": OptionPool,
    "savings_plan": SavingsPlan,
}


@dataclass(frozen=True)
class Registry:
    instruments: tuple[Instrument, ...]
    terms: Terms  # the 8.00% preferred's terms (from its PreferredRef)
    provenance: Mapping[str, str]

    def source(self, field: str) -> str:
        """Provenance of ``<id>.<field>`` (a step: ``<id>.<table>.<date>``)."""
        return self.provenance[field]

    @property
    def preferred(self) -> PreferredRef:
        return next(i for i in self.instruments if isinstance(i, PreferredRef))

    def of(self, cls: type) -> list[Any]:
        return [i for i in self.instruments if isinstance(i, cls)]

    def illustrative(self) -> tuple[Instrument, ...]:
        """The instruments marked ``illustrative = true`` (made-up figures, e.g. example option grants)."""
        return tuple(i for i in self.instruments if is_illustrative(i))

    def without_illustrative(self) -> Registry:
        """The registry less its illustrative instruments (the provenance is kept whole)."""
        return dataclasses.replace(self, instruments=tuple(i for i in self.instruments if not is_illustrative(i)))


def is_illustrative(instrument: Instrument) -> bool:
    """True for an instrument marked ``illustrative = true`` in the registry (the preferred never is)."""
    return getattr(instrument, "illustrative", False) is True
