"""Diluted share count and diluted EPS (ASC 260), with the antidilution ordering rule.

Notation
--------
NI     income (loss) from continuing operations, USD, before preferred dividends
Div    preferred dividends for the period = n_pref × LP × d × t
       (n_pref preferred shares, LP liquidation preference, d dividend rate, t period in years)
Int    after-tax debenture interest for the period = principal × i × t × (1 − τ)
       (principal = n_pref × LP after the exchange, i interest rate, τ tax rate)
B      basic weighted-average common shares
Basic EPS = (NI − Div) / B            (Div = 0 once the preferred is exchanged)

Each potential common share source has incremental shares ΔS and a numerator add-back ΔN:
  options (treasury stock method)   ΔS = Σ_g floor(n_g × (1 − K_g/P)), floored once per grant g
                                    (calc.model.options.tsm_shares; unvested restricted stock: n_g =
                                    the unvested shares, K_g = 0 in the example), ΔN = 0
  preferred (if-converted)          ΔS = floor(n_pref × LP/1000 × CR), ΔN = Div
  debentures (if-converted)         ΔS = floor(principal/1000 × CR), ΔN = Int
Incremental EPS = ΔN / ΔS. Sources are taken from the lowest incremental EPS up; each is
included only if it lowers EPS: (N + ΔN)/(S + ΔS) < N/S for the running N, S; a source that
leaves EPS unchanged (e.g. options when NI − Div = 0) is not dilutive and is excluded. With a
loss to common shareholders (NI − Div < 0, ASC 260-10-45-19; this can happen with NI > 0
when the preferred dividends exceed it) every potential share is antidilutive and diluted
EPS = basic EPS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from calc.errors import InputError
from calc.model.conversion import convert, per_share_usd_problem, rate_at
from calc.model.inputs_registry import BASIC_SHARES, NET_INCOME, PERIOD_YEARS, TAX_RATE
from calc.model.options import Grant, tsm_shares
from calc.model.terms import Terms

# assumption: no tax shield on the debenture interest unless a rate is entered (Lucent reported losses and a full
# valuation allowance on its deferred tax assets in fiscal 2002-2003, so its marginal benefit was about nil).
DEFAULT_TAX_RATE = Fraction(TAX_RATE.default)
DEFAULT_PERIOD_YEARS = Fraction(PERIOD_YEARS.default)


@dataclass(frozen=True)
class EpsDefaults:
    """Defaults of every EPS input except net income, shared by ``python -m calc eps`` and the dashboard."""

    basic_shares: int  # common shares outstanding in the terms
    average_price_usd: Decimal  # the closing price in the terms, a stand-in for the period average
    date: dt.date  # the date of that share count
    period_years: Fraction
    tax_rate: Fraction
    lp_usd: Decimal  # the initial liquidation preference


def eps_defaults(terms: Terms) -> EpsDefaults:
    """The shared defaults, from ``terms`` (market figures and the preferred's initial liquidation preference)."""
    market = terms.market
    return EpsDefaults(
        basic_shares=market.common_shares_outstanding,
        average_price_usd=market.closing_price_usd,
        date=market.common_shares_outstanding_date,
        period_years=DEFAULT_PERIOD_YEARS,
        tax_rate=DEFAULT_TAX_RATE,
        lp_usd=terms.preferred.initial_liquidation_preference_usd,
    )


@dataclass(frozen=True)
class PotentialShares:
    security: str
    method: str
    incremental_shares: int
    numerator_addback_usd: Fraction

    @property
    def incremental_eps_usd(self) -> Fraction | None:
        """ΔN / ΔS; None when there are no incremental shares."""
        return self.numerator_addback_usd / self.incremental_shares if self.incremental_shares else None


@dataclass(frozen=True)
class WaterfallStep:
    potential: PotentialShares
    included: bool
    reason: str
    shares_after: int
    eps_after_usd: Fraction


@dataclass(frozen=True)
class DilutedEps:
    net_income_usd: Fraction
    preferred_dividends_usd: Fraction
    basic_shares: int
    diluted_numerator_usd: Fraction
    diluted_shares: int
    steps: tuple[WaterfallStep, ...]

    @property
    def basic_numerator_usd(self) -> Fraction:
        return self.net_income_usd - self.preferred_dividends_usd

    @property
    def basic_eps_usd(self) -> Fraction:
        return self.basic_numerator_usd / self.basic_shares

    @property
    def diluted_eps_usd(self) -> Fraction:
        return self.diluted_numerator_usd / self.diluted_shares


def preferred_dividends_usd(terms: Terms, period_years: Fraction, lp_usd: Decimal) -> Fraction:
    """Div = n_pref × LP × d × t."""
    p = terms.preferred
    return p.shares_issued * Fraction(lp_usd) * Fraction(p.dividend_rate) * period_years


def conversion_shares(terms: Terms, date: dt.date, lp_usd: Decimal) -> int:
    """floor(n_pref × LP/1000 × CR) at the rate in force on ``date`` (same for the debentures)."""
    rate = rate_at(terms, date)
    return convert(terms.preferred.shares_issued, lp_usd=lp_usd, rate=rate, price_usd=Decimal(1)).common_shares


def preferred_if_converted(terms: Terms, date: dt.date, period_years: Fraction, lp_usd: Decimal) -> PotentialShares:
    """If-converted preferred: ΔS = conversion shares, ΔN = Div."""
    return PotentialShares(
        "8.00% convertible preferred",
        "if-converted",
        conversion_shares(terms, date, lp_usd),
        preferred_dividends_usd(terms, period_years, lp_usd),
    )


def debentures_if_converted(
    terms: Terms, date: dt.date, period_years: Fraction, tax_rate: Fraction, lp_usd: Decimal
) -> PotentialShares:
    """If-converted debentures: ΔS = conversion shares, ΔN = principal × i × t × (1 − τ)."""
    if not TAX_RATE.within(tax_rate):
        raise InputError(f"tax rate must be in [0, 1), got {float(tax_rate)}")
    principal = terms.preferred.shares_issued * Fraction(lp_usd)
    interest = principal * Fraction(terms.preferred.exchange_debenture_rate) * period_years * (1 - tax_rate)
    return PotentialShares(
        "8.00% convertible subordinated debentures", "if-converted", conversion_shares(terms, date, lp_usd), interest
    )


def options_treasury_stock(grants: list[Grant], date: dt.date, average_price_usd: Decimal) -> PotentialShares:
    """Exercisable options (and unvested restricted stock) by the treasury stock method: ΔS = Σ_g floor(n_g ×
    (1 − K_g/P)), floored once per grant (``calc.model.options.tsm_shares``, the rule ``dilution`` uses too), ΔN = 0.
    Delivered restricted shares are outstanding common: they belong in ``basic_shares``, not here."""
    shares = sum(tsm_shares(g, date, average_price_usd) for g in grants)
    return PotentialShares("employee stock options", "treasury stock", shares, Fraction(0))


LOSS_REASON = (
    "antidilutive: loss to common shareholders (income from continuing operations less preferred "
    "dividends < 0): every potential share is antidilutive"
)
NO_SHARES_REASON = "no incremental shares (out of the money or none exercisable)"
DILUTIVE_REASON = "dilutive: lowers EPS"
UNCHANGED_REASON = "not dilutive: EPS unchanged (excluded)"
ANTIDILUTIVE_REASON = "antidilutive: would raise EPS"


def _order_key(p: PotentialShares) -> tuple[int, Fraction]:
    eps = p.incremental_eps_usd
    return (1, Fraction(0)) if eps is None else (0, eps)


def diluted_eps(
    net_income_usd: Fraction, preferred_dividends_usd: Fraction, basic_shares: int, potentials: list[PotentialShares]
) -> DilutedEps:
    """Apply the antidilution sequence (lowest incremental EPS first) and build the waterfall."""
    if basic_shares <= 0:
        raise InputError(f"basic shares must be > 0, got {basic_shares}")
    numerator, shares = net_income_usd - preferred_dividends_usd, basic_shares
    loss = numerator < 0
    steps = []
    for p in sorted(potentials, key=_order_key):
        trial = (numerator + p.numerator_addback_usd) / (shares + p.incremental_shares)
        if loss:
            included, reason = False, LOSS_REASON
        elif p.incremental_shares == 0:
            included, reason = False, NO_SHARES_REASON
        elif trial < numerator / shares:
            included, reason = True, DILUTIVE_REASON
        elif trial == numerator / shares:
            included, reason = False, UNCHANGED_REASON
        else:
            included, reason = False, ANTIDILUTIVE_REASON
        if included:
            numerator, shares = numerator + p.numerator_addback_usd, shares + p.incremental_shares
        steps.append(WaterfallStep(p, included, reason, shares, numerator / shares))
    return DilutedEps(net_income_usd, preferred_dividends_usd, basic_shares, numerator, shares, tuple(steps))


def input_problems(
    net_income_usd: Fraction, basic_shares: int, average_price_usd: Decimal, period_years: Fraction, lp_usd: Decimal
) -> list[str]:
    """Every range rule the EPS inputs break (empty when all are in range)."""
    checks = [
        (
            NET_INCOME.within(net_income_usd),
            f"net income must be between {' and '.join(f'{x:,}' for x in NET_INCOME.bounds)} USD",
        ),
        (
            BASIC_SHARES.within(basic_shares),
            f"basic shares must be > 0 and at most {BASIC_SHARES.bounds[1]:,}",
        ),
        (PERIOD_YEARS.within(period_years), f"period must be > 0 and at most {PERIOD_YEARS.bounds[1]} years"),
    ]
    problems = [rule for ok, rule in checks if not ok]
    for name, value in (("average price", average_price_usd), ("liquidation preference", lp_usd)):
        problem = per_share_usd_problem(name, value)
        if problem:
            problems.append(problem)
    return problems


def lucent_diluted_eps(
    terms: Terms,
    *,
    net_income_usd: Fraction,
    basic_shares: int,
    date: dt.date,
    average_price_usd: Decimal,
    grants: list[Grant],
    period_years: Fraction = DEFAULT_PERIOD_YEARS,
    exchanged: bool = False,
    tax_rate: Fraction = DEFAULT_TAX_RATE,
    lp_usd: Decimal = Decimal("1000"),
) -> DilutedEps:
    """Diluted EPS with the options, and the preferred (or, once ``exchanged``, the debentures).

    Before the exchange Div is deducted from NI for basic EPS; after it the debenture
    interest is already an expense in NI, so nothing is deducted. Inputs out of range
    (``input_problems``) raise ``InputError`` listing every problem.
    """
    problems = input_problems(net_income_usd, basic_shares, average_price_usd, period_years, lp_usd)
    if problems:
        raise InputError(f"invalid EPS inputs: {len(problems)} problem(s)", tuple(problems))
    potentials = [options_treasury_stock(grants, date, average_price_usd)] if grants else []
    if exchanged:
        potentials.append(debentures_if_converted(terms, date, period_years, tax_rate, lp_usd))
        dividends = Fraction(0)
    else:
        potentials.append(preferred_if_converted(terms, date, period_years, lp_usd))
        dividends = preferred_dividends_usd(terms, period_years, lp_usd)
    return diluted_eps(net_income_usd, dividends, basic_shares, potentials)


def waterfall_rows(result: DilutedEps) -> list[dict[str, object]]:
    """Waterfall as rows: basic shares, each source (included or antidilutive), diluted shares."""
    rows: list[dict[str, object]] = [
        {
            "step": "basic shares",
            "method": "",
            "incremental_shares": result.basic_shares,
            "numerator_addback_usd": 0.0,
            "incremental_eps_usd": None,
            "included": True,
            "reason": "",
            "eps_after_usd": float(result.basic_eps_usd),
        }
    ]
    for s in result.steps:
        inc = s.potential.incremental_eps_usd
        rows.append(
            {
                "step": s.potential.security,
                "method": s.potential.method,
                "incremental_shares": s.potential.incremental_shares,
                "numerator_addback_usd": float(s.potential.numerator_addback_usd),
                "incremental_eps_usd": None if inc is None else float(inc),
                "included": s.included,
                "reason": s.reason,
                "eps_after_usd": float(s.eps_after_usd),
            }
        )
    rows.append(
        {
            "step": "diluted shares",
            "method": "",
            "incremental_shares": result.diluted_shares,
            "numerator_addback_usd": float(result.diluted_numerator_usd - result.basic_numerator_usd),
            "incremental_eps_usd": None,
            "included": True,
            "reason": "",
            "eps_after_usd": float(result.diluted_eps_usd),
        }
    )
    return rows
