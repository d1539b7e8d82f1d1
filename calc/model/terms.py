"""Instrument terms as frozen dataclasses (``data/terms.toml``, read by ``calc.inputs.terms_toml``).

Every field of the TOML file carries ``value`` and ``source``; the sources are kept in
``Terms.provenance`` (dotted field name -> source text) so any number the product uses
can be traced to the document and page that states it, or to a named assumption.
Holdings are not terms: they live in the register (``calc.inputs.register``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RateStep:
    """One entry of the conversion-rate history (rate in force from ``effective_date``)."""

    effective_date: dt.date
    rate: Decimal  # common shares per preferred share of $1,000 liquidation preference
    conversion_price_usd: Decimal
    event: str
    source: str


@dataclass(frozen=True)
class PreferredTerms:
    shares_issued: int
    initial_liquidation_preference_usd: Decimal
    dividend_rate: Decimal
    dividends_per_year: int
    cumulative_dividends: bool  # enforced: must be true (unpaid dividends accrete to the LP; calc.model.schedule)
    dividend_months_days: tuple[tuple[int, int], ...]
    first_dividend_date: dt.date
    issue_date: dt.date  # enforced: the first conversion rate's effective date; first valuation date
    stock_dividends_allowed: bool  # enforced: false rejects dividend_policy = stock (calc.model.params)
    mandatory_redemption_date: dt.date
    put_dates: tuple[dt.date, ...]
    put_settlement_options: tuple[str, ...]
    issuer_call_from: dt.date
    conversion_not_before: dt.date
    # The *_rule fields are display-only: the text of a rule the code implements where named.
    call_price_rule: str  # display-only: calls settle like puts (calc.model.engine)
    call_trigger_pct: Decimal
    exchange_debenture_rate: Decimal
    exchange_principal_rule: str  # display-only: principal = accreted LP (calc.model.engine)
    fractional_shares_rule: str  # display-only: calc.model.conversion.convert (floor, cash in lieu)
    registration_rounding_rule: str  # display-only: calc.model.conversion.registration_shares (ceil)


@dataclass(frozen=True)
class RegisteredAmounts:
    conversion_common_shares: int
    dividend_common_shares: int
    debenture_principal_usd: Decimal


@dataclass(frozen=True)
class MarketDefaults:
    closing_price_usd: Decimal
    closing_price_date: dt.date
    valuation_date: dt.date
    common_shares_outstanding: int
    common_shares_outstanding_date: dt.date
    authorized_common_shares: int


@dataclass(frozen=True)
class Terms:
    preferred: PreferredTerms
    conversion_rates: tuple[RateStep, ...]
    registered: RegisteredAmounts
    market: MarketDefaults
    provenance: Mapping[str, str]

    def source(self, field: str) -> str:
        """Provenance of a dotted field name, e.g. ``preferred.put_dates``."""
        return self.provenance[field]
