"""Capacity checks: can the issuer deliver the common shares a stock settlement needs?

Wherever stock is issued (a stock-settled put, call or redemption, a stock dividend, an exchange,
a conversion) the shares needed are checked against three caps (facts in ``data/exchange_desk.toml``
and ``data/terms.toml``; read by ``calc.inputs.exchange_desk_toml`` and ``calc.inputs.terms_toml``, and passed in).

Notation
    n    common shares the issuance needs (an exact integer, rounded as its settlement rounds)
    O    common shares outstanding before the issuance (for a series of related issuances: before the first)
    p    the NYSE approval threshold, 20 (%)
    R    registered shares left = R_conv + R_div − shares already issued under the supplement
         (252,005,273 + 46,328,725 registered by the supplement)
    H    authorized headroom = authorized − O (10,000,000,000 authorized, an assumption)
    A    USD a value-settled issuance delivers (a put, call or redemption at the accreted LP, a dividend)
    f    the factor the stock is valued at (S × f per share)

Caps (each binds when)
    nyse_20pct    n × 100 ≥ p × O     NYSE Listed Company Manual 312.03(c): needs shareholder approval
    registered    n > R               beyond the supplement's registration (a new registration or an
                                      exemption is needed; assumption: every issuance draws on the one pool)
    authorized    n > H               exceeds the authorized shares (a charter amendment is needed)
For a series of issuances the user marks as related, the NYSE cap is also checked on the cumulative
shares Σ n against O before the first (``series_lines``).

The common price at which a cap binds, for a value-settled issuance (n = A / (S × f)):
    S*_c = A / (f × L_c),  L_c = p/100 × O, R or H
at and below S*_c the cap binds. Golden: the whole class put in stock at 3,432,688,763 shares
outstanding: $1,885,000,000 / (1 × 20% × 3,432,688,763) = $2.746 (Goldman Sachs, 2002-07-11:
"below about $2.75"). A fixed-count issuance (an exchange at R per preferred, a conversion) binds at
every price or at none: its binding price is None.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from calc.model.terms import Terms

NYSE, REGISTERED, AUTHORIZED, NYSE_SERIES = "nyse_20pct", "registered", "authorized", "nyse_20pct_series"
CAP_LABELS = {  # each cap as a reader names it (tables and charts)
    NYSE: "NYSE 20% rule",
    NYSE_SERIES: "NYSE 20% rule, series aggregated",
    REGISTERED: "Registered shares",
    AUTHORIZED: "Authorized shares",
}
MEANING = {
    NYSE: "needs shareholder approval (NYSE 312.03(c))",
    NYSE_SERIES: "needs shareholder approval (NYSE 312.03(c), series of related issuances)",
    REGISTERED: "beyond the registered shares (needs a new registration or an exemption)",
    AUTHORIZED: "exceeds the authorized shares (needs a charter amendment)",
}


@dataclass(frozen=True)
class DeskFacts:
    """``data/exchange_desk.toml`` (read by ``calc.inputs.exchange_desk_toml``): every field with its source in
    ``provenance`` (dotted name)."""

    nyse_approval_pct: Decimal
    cash_put_allowed: bool
    quoted_binding_price_usd: Decimal
    quoted_yield_to_put: Decimal
    quoted_yield_date: dt.date
    offer_close_usd: Decimal
    offer_close_date: dt.date
    replay_price_rule: str
    carrying_value_usd: Decimal
    carrying_value_date: dt.date
    carrying_value_preferred_shares: int
    d42_rule: str
    inducement_reported_usd: Decimal
    inducement_reported_preferred_retired_usd: Decimal
    inducement_reported_date: dt.date
    provenance: Mapping[str, str]

    def source(self, field: str) -> str:
        """Provenance of a dotted field name, e.g. ``capacity.nyse_approval_pct``."""
        return self.provenance[field]


@dataclass(frozen=True)
class StockCaps:
    """The caps a stock settlement is held to in the engine: NYSE p% of O and the authorized shares."""

    nyse_pct: Fraction
    authorized_shares: int

    def nyse_binds(self, shares: np.ndarray, outstanding: np.ndarray) -> np.ndarray:
        """n × 100 ≥ p × O, exactly in integers (n ≤ 10^15 + 1, so no overflow)."""
        p = self.nyse_pct
        return (shares > 0) & (shares * (100 * p.denominator) >= outstanding * p.numerator)

    def authorized_binds(self, shares: np.ndarray, outstanding: np.ndarray) -> np.ndarray:
        """O + n > authorized."""
        return (shares > 0) & (outstanding + shares > self.authorized_shares)

    def binds(self, shares: np.ndarray, outstanding: np.ndarray) -> np.ndarray:
        """Either cap binds (the capacity policy's test)."""
        return self.nyse_binds(shares, outstanding) | self.authorized_binds(shares, outstanding)


def stock_caps(terms: Terms, facts: DeskFacts) -> StockCaps:
    """The engine's caps: NYSE p% from the desk facts, the authorized shares from the terms."""
    return StockCaps(Fraction(facts.nyse_approval_pct), terms.market.authorized_common_shares)


def registered_pool(terms: Terms) -> int:
    """R_conv + R_div: the common shares the supplement registered (252,005,273 + 46,328,725)."""
    return terms.registered.conversion_common_shares + terms.registered.dividend_common_shares


def nyse_limit_shares(outstanding: int, pct: Decimal) -> int:
    """L = ceil(p/100 × O): the fewest shares that need shareholder approval."""
    return math.ceil(Fraction(pct) * outstanding / 100)


@dataclass(frozen=True)
class CapLine:
    """One cap of one issuance: n against the limit L (binds when n ≥ L for NYSE, n > L otherwise)."""

    cap: str  # NYSE, NYSE_SERIES, REGISTERED or AUTHORIZED
    shares_needed: int
    limit_shares: int  # NYSE: ceil(p/100 × O); registered: R; authorized: H
    binds: bool
    binding_price_usd: float | None  # S*_c for a value-settled issuance, else None
    meaning: str

    def as_dict(self) -> dict[str, object]:
        return {
            "cap": self.cap,
            "shares_needed": self.shares_needed,
            "limit_shares": self.limit_shares,
            "binds": self.binds,
            "binding_price_usd": self.binding_price_usd,
            "meaning": self.meaning,
        }


@dataclass(frozen=True)
class Issuance:
    """One issuance of common: ``amount_usd`` A (and factor f) when it is value-settled, else a fixed count."""

    kind: str  # put, call, redemption, dividend, exchange, conversion
    shares_needed: int
    outstanding_before: int
    issued_under_supplement: int = 0
    amount_usd: float | None = None
    factor: float = 1.0


def binding_price(amount_usd: float | None, factor: float, limit_shares: float) -> float | None:
    """S* = A / (f × L): the price at and below which a value-settled issuance needs L shares or more."""
    if amount_usd is None or limit_shares <= 0:
        return None
    return amount_usd / (factor * limit_shares)


def check(issuance: Issuance, terms: Terms, facts: DeskFacts) -> tuple[CapLine, ...]:
    """The three caps of one issuance (module docstring), each with its binding price."""
    n, o, pct = issuance.shares_needed, issuance.outstanding_before, facts.nyse_approval_pct
    left = registered_pool(terms) - issuance.issued_under_supplement
    headroom = terms.market.authorized_common_shares - o
    a, f = issuance.amount_usd, issuance.factor
    nyse_exact = float(Fraction(pct) * o / 100)  # S* uses p/100 × O itself, not its ceiling
    return (
        CapLine(
            NYSE,
            n,
            nyse_limit_shares(o, pct),
            n >= nyse_limit_shares(o, pct),
            binding_price(a, f, nyse_exact),
            MEANING[NYSE],
        ),
        CapLine(REGISTERED, n, left, n > left, binding_price(a, f, left), MEANING[REGISTERED]),
        CapLine(AUTHORIZED, n, headroom, n > headroom, binding_price(a, f, headroom), MEANING[AUTHORIZED]),
    )


def series_lines(shares: Sequence[int], outstanding_before_first: int, facts: DeskFacts) -> tuple[CapLine, ...]:
    """NYSE on a series the user marks as related: the running total Σ n after each issuance against
    ceil(p/100 × O) with O before the first (fixed counts: no binding price)."""
    limit = nyse_limit_shares(outstanding_before_first, facts.nyse_approval_pct)
    totals = np.cumsum(np.asarray(shares, dtype=np.int64)) if len(shares) else np.zeros(0, dtype=np.int64)
    return tuple(CapLine(NYSE_SERIES, int(t), limit, int(t) >= limit, None, MEANING[NYSE_SERIES]) for t in totals)


def class_binding_prices(
    amount_usd: float,
    outstanding: int,
    terms: Terms,
    facts: DeskFacts,
    issued_under_supplement: int = 0,
    factor: float = 1.0,
) -> dict[str, float | None]:
    """S*_c of each cap for a value-settled issuance of ``amount_usd`` (e.g. the whole class put in stock)."""
    lines = check(Issuance("put", 0, outstanding, issued_under_supplement, amount_usd, factor), terms, facts)
    return {line.cap: line.binding_price_usd for line in lines}
