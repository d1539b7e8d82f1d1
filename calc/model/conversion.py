"""Exact conversion arithmetic for the 8.00% preferred (and the exchange debentures).

Notation
--------
n    number of preferred shares (integer)
LP   liquidation preference per preferred share, USD (accreted; $1,000.00 initially)
CR   conversion rate: common shares per preferred share of $1,000 liquidation
     preference (equivalently per $1,000 of debenture principal)
P    common price, USD

All rounding decisions are taken on exact ``Fraction`` values (no binary floating
point): the issuer delivers floor(exact) shares and pays the fraction in cash; the
registration statement counts ceil(exact) shares (SUPP p. 11, footnote 4).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from calc.errors import InputError
from calc.model import preferred_rules as rules
from calc.model.terms import RateStep, Terms

RATE_DECIMALS = Decimal("0.0001")
CENT = Decimal("0.01")
MAX_USD_PER_SHARE = 1_000_000  # upper bound of a price or liquidation preference per share
Number = int | Decimal | Fraction


def exact_common_shares(n_preferred: int, *, lp_usd: Number, rate: Number) -> Fraction:
    """Exact common shares for ``n`` preferred: ``n × LP / 1000 × CR``."""
    if n_preferred < 0:
        raise InputError(f"preferred shares must be >= 0, got {n_preferred}")
    if Fraction(lp_usd) <= 0:
        raise InputError(f"liquidation preference must be > 0 USD, got {lp_usd}")
    return n_preferred * rules.exact_conversion_per_share(Fraction(lp_usd), Fraction(rate))


def registration_shares(n_preferred: int, *, rate: Number, lp_usd: Number = rules.BASIS_USD) -> int:
    """Shares registered for conversion: ``ceil(n × LP / 1000 × CR)`` (fractions rounded up)."""
    return math.ceil(exact_common_shares(n_preferred, lp_usd=lp_usd, rate=rate))


def per_share_usd_problem(name: str, value_usd: Number) -> str | None:
    """The rule ``value_usd`` breaks, or None when ``0 < value <= MAX_USD_PER_SHARE``."""
    if not 0 < Fraction(value_usd) <= MAX_USD_PER_SHARE:
        return f"{name} must be > 0 and at most {MAX_USD_PER_SHARE:,} USD per share"
    return None


@dataclass(frozen=True)
class ConversionResult:
    conversion_rate: Decimal
    liquidation_preference_usd: Decimal
    common_shares: int  # whole shares delivered: floor(exact)
    fractional_share: Fraction  # exact - floor(exact), in [0, 1)
    cash_in_lieu_usd: Fraction  # fractional_share × P, exact (round to cents for display)


def convert(n_preferred: int, *, lp_usd: Decimal, rate: Decimal, price_usd: Decimal) -> ConversionResult:
    """Deliverable common on conversion.

    shares = floor(n × LP/1000 × CR); fraction f = exact − shares; cash in lieu = f × P.
    """
    problems = [
        p
        for p in (per_share_usd_problem("liquidation preference", lp_usd), per_share_usd_problem("price", price_usd))
        if p
    ]
    if problems:
        raise InputError("; ".join(problems))
    exact = exact_common_shares(n_preferred, lp_usd=lp_usd, rate=rate)
    whole = math.floor(exact)
    fraction = exact - whole
    return ConversionResult(
        conversion_rate=rate,
        liquidation_preference_usd=Decimal(lp_usd),
        common_shares=whole,
        fractional_share=fraction,
        cash_in_lieu_usd=fraction * Fraction(price_usd),
    )


def round_cents(amount_usd: Fraction) -> Decimal:
    """An exact USD amount rounded to cents, half up (for display and payment)."""
    return (Decimal(amount_usd.numerator) / Decimal(amount_usd.denominator)).quantize(CENT, ROUND_HALF_UP)


def rate_step_at(terms: Terms, date: dt.date) -> RateStep:
    """The conversion-rate history entry in force on ``date`` (latest effective_date <= date)."""
    steps = [s for s in terms.conversion_rates if s.effective_date <= date]
    if not steps:
        first = terms.conversion_rates[0].effective_date
        raise InputError(f"date {date.isoformat()} is before the first conversion rate ({first.isoformat()})")
    return steps[-1]


def rate_at(terms: Terms, date: dt.date) -> Decimal:
    """Conversion rate CR in force on ``date``."""
    return rate_step_at(terms, date).rate


def round_rate(rate: Fraction) -> Decimal:
    """Round a rate to 4 decimals, half up (the precision the filing states rates in)."""
    return (Decimal(rate.numerator) / Decimal(rate.denominator)).quantize(RATE_DECIMALS, ROUND_HALF_UP)


def adjust_for_distribution(rate: Fraction, market_price_usd: Number, fmv_per_share_usd: Number) -> Fraction:
    """Spin-off / distribution of assets: ``CR' = CR × SP / (SP − FMV)``.

    SP  current market price of the common before the distribution
    FMV fair market value of what is distributed per common share, 0 <= FMV < SP
    The adjustment works on the unrounded rate; round with ``round_rate`` for display.
    """
    sp, fmv = Fraction(market_price_usd), Fraction(fmv_per_share_usd)
    if sp <= 0:
        raise InputError(f"market price SP must be > 0, got {market_price_usd}")
    if not 0 <= fmv < sp:
        raise InputError(
            f"distributed value FMV must satisfy 0 <= FMV < SP, got FMV={fmv_per_share_usd}, SP={market_price_usd}"
        )
    return rate * sp / (sp - fmv)


def adjust_for_stock_split(rate: Fraction, shares_before: int, shares_after: int) -> Fraction:
    """Stock dividend or split: ``CR' = CR × OS1 / OS0``.

    OS0 common shares outstanding before, OS1 after the dividend/split (both > 0).
    """
    if shares_before <= 0 or shares_after <= 0:
        raise InputError(f"share counts must be > 0, got OS0={shares_before}, OS1={shares_after}")
    return rate * Fraction(shares_after, shares_before)


def conversion_price(rate: Fraction) -> Fraction:
    """Conversion price per common share: ``1000 / CR`` (USD)."""
    return rules.exact_conversion_price(rate)
