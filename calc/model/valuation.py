"""Fair value of the 8.00% preferred: a credit-adjusted binomial lattice on its own terms (``calc.model.lattice``:
``hazard``, jump to default, the default; ``tf``, Tsiveriotis–Fernandes; ``quantlib``, QuantLib's engine).

Notation (``calc.model.lattice`` holds the tree; money per $1,000 of initial liquidation preference = per share):

    S common price (USD), σ volatility, r risk-free rate (continuous, a year), s credit spread (a year), or a
    hazard rate λ with recovery ρ of LP in cash at default: s = λ (1 − ρ); N tree steps; t = days / 365
    LP_t the liquidation preference: $1,000 at the valuation date (earlier dividends paid, as the scenario
       assumes); × (1 + q/2) at each dividend date under the ``accrue`` policy (q = 8 %)
    CR_t the conversion rate in force (common per $1,000 of LP): 133.6898, 168.3502 from 2002-06-01
    κ_t = LP_t / 1000 × CR_t: conversion value per $1 of stock (``calc.model.preferred_rules.conversion_per_share``)
    f the put factor (stock-settled puts: LP / (S f) common, worth LP / f)

The terms, each from ``data/terms.toml`` (``calc.model.terms``; its ``source`` cites the document):

    conversion   at will (American) from ``preferred.conversion_not_before`` (2002-05-06) at CR_t × LP_t / 1000
                 (``conversion_rates``: 133.6898 from the issue, 168.3502 from the Agere date 2002-06-01)
    dividends    LP × q / 2 on each Feb 1 / Aug 1 (``preferred.dividend_rate``, ``dividends_per_year``,
                 ``dividend_months_days``) after the valuation date: ``cash`` (credit-risky), ``stock`` (sold by
                 the transfer agent at S × sale factor; the holder receives the cash raised, LP × q / 2, which
                 cannot default: the equity part), ``accrue`` (added to LP; nothing paid)
    puts         the holder may put at LP on ``preferred.put_dates`` (2004-08-02, 2006, 2011, 2016, 2021),
                 settled in cash (debt part) or in stock at the put factor (worth LP / f: equity part), per
                 the scenario's ``put_settlement`` (the terms leave the choice to the issuer)
    call         ``rational``: from ``preferred.issuer_call_from`` (2006-08-01), on dividend dates, the issuer
                 calls once κ S ≥ LP × (1 + g/100) (``preferred.call_trigger_pct`` g = 20, an assumption) and the
                 holder converts; ``date``: everything is called on that date (convert or be redeemed at LP,
                 settled like a put); ``none``: never
    redemption   at LP on ``preferred.mandatory_redemption_date`` (2031-08-01), settled like a put; a holder in
                 the money converts instead

Outputs per share and for the class (N shares, default ``preferred.shares_issued`` 1,885,000): value V, bond
floor (the same security without conversion or call), conversion value κ₀ S, delta ∂V/∂S (common-share
equivalents, from the two nodes of step 1), the debt part B (what is paid in cash: ``tf`` discounts it at
r + s) and the equity part V − B. Not modelled: the exchange into debentures (the issuer's option), the
dilution a stock settlement causes, dividend arrears risk beyond the spread.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calc.errors import InputError, Problem
from calc.model.inputs_registry import VALUE_PRICE, VALUE_RATE, VALUE_SPREAD, VALUE_STEPS, VALUE_VOLATILITY, span
from calc.model.lattice import (
    CONVENTIONS,
    Convention,
    Rolled,
    StepTerms,
    closest_step,
    grid_times,
    roll,
    straight_value,
    up_probability,
)
from calc.model.params import ScenarioParams
from calc.model.preferred_rules import conversion_per_share
from calc.model.schedule import dividend_dates
from calc.model.terms import Terms

IMPLIED_SPREAD_MAX = 3.0  # the implied spread is searched on 0..300 %
DAYS_PER_YEAR = 365  # Actual/365 Fixed


@dataclass(frozen=True)
class ValuationPolicy:
    """The scenario choices the value depends on (``calc.model.params`` names; defaults are the scenario's)."""

    dividend_policy: str = "stock"  # cash | stock | accrue
    put_settlement: str = "stock"  # cash | stock (also the mandatory redemption and a call = date)
    put_factor: float = 1.0
    call: str = "none"  # none | rational | date
    call_trigger_pct: float = 20.0
    call_date: dt.date | None = None

    @classmethod
    def from_params(cls, params: ScenarioParams) -> ValuationPolicy:
        return cls(
            params.dividend_policy,
            params.put_settlement,
            params.put_factor,
            params.call,
            params.call_trigger_pct,
            params.call_date,
        )


QUANTLIB_POLICY = ValuationPolicy("cash", "cash", 1.0, "rational", 20.0)  # the terms QuantLib can express


@dataclass(frozen=True)
class Valuation:
    """One value per row of the sweep (arrays of shape (M,)); USD per preferred share unless ``class``."""

    price_usd: np.ndarray
    spread_rate: np.ndarray
    value_usd: np.ndarray
    bond_floor_usd: np.ndarray
    conversion_value_usd: np.ndarray
    delta_shares: np.ndarray
    debt_usd: np.ndarray
    shares: int
    valuation_date: dt.date
    steps: int
    convention: Convention

    @property
    def equity_usd(self) -> np.ndarray:
        return self.value_usd - self.debt_usd

    @property
    def class_value_usd(self) -> np.ndarray:
        return self.value_usd * self.shares

    def row(self, m: int = 0) -> dict[str, Any]:
        """Row m as plain numbers (the CLI's JSON)."""
        return {
            "valuation_date": self.valuation_date.isoformat(),
            "price_usd": float(self.price_usd[m]),
            "spread_rate": float(self.spread_rate[m]),
            "steps": self.steps,
            "convention": self.convention,
            "value_usd": float(self.value_usd[m]),
            "class_value_usd": float(self.class_value_usd[m]),
            "shares": self.shares,
            "bond_floor_usd": float(self.bond_floor_usd[m]),
            "conversion_value_usd": float(self.conversion_value_usd[m]),
            "delta_shares": float(self.delta_shares[m]),
            "debt_usd": float(self.debt_usd[m]),
            "equity_usd": float(self.equity_usd[m]),
        }


def spread_from_hazard(hazard_rate: float, recovery_rate: float) -> float:
    """s = λ (1 − ρ): the spread that stands for a hazard rate λ with recovery ρ (the ``hazard`` lattice takes
    λ = s / (1 − ρ) back, with ρ × LP paid in cash at default; the credit-triangle convention)."""
    if not (math.isfinite(hazard_rate) and hazard_rate >= 0):
        raise InputError(f"hazard_rate: {hazard_rate:g} must be a finite number >= 0")
    if not (math.isfinite(recovery_rate) and 0 <= recovery_rate < 1):
        raise InputError(f"recovery_rate: {recovery_rate:g} must be from 0 up to (not including) 1")
    return hazard_rate * (1 - recovery_rate)


def _outside(name: str, values: np.ndarray, bounds: tuple[float, float], unit: str = "") -> list[Problem]:
    bad = values[~((values >= bounds[0]) & (values <= bounds[1]))]  # NaN is outside
    if not bad.size:
        return []
    return [Problem(f"{bad[0]:.6g} must be a finite number from {bounds[0]:g} to {bounds[1]:g}{unit}", column=name)]


def _problems(volatility: float, rate: float, steps: int, day: dt.date, terms: Terms) -> list[Problem]:
    problems = _outside("volatility_rate", np.array([volatility], dtype=float), VALUE_VOLATILITY.bounds)
    problems += _outside("risk_free_rate", np.array([rate], dtype=float), VALUE_RATE.bounds)
    if isinstance(steps, bool) or not isinstance(steps, int) or not VALUE_STEPS.within(steps):
        rule = f"{steps} must be a whole number from {span(VALUE_STEPS)}"
        problems.append(Problem(rule, column="steps"))
    first, last = terms.preferred.issue_date, terms.preferred.mandatory_redemption_date
    if not first <= day < last:
        problems.append(Problem(f"{day} must be on or after {first} and before {last}", column="valuation_date"))
    return problems


def step_terms(terms: Terms, policy: ValuationPolicy, valuation_date: dt.date, steps: int) -> StepTerms:
    """The contract on the lattice's grid (events after the valuation date, each at its closest node)."""
    p = terms.preferred
    maturity = p.mandatory_redemption_date
    years = (maturity - valuation_date).days / DAYS_PER_YEAR
    times = grid_times(years, steps)

    def step(day: dt.date) -> tuple[int, float]:
        """The closest node to ``day`` and the date's lag after it (years)."""
        t = (day - valuation_date).days / DAYS_PER_YEAR
        k = closest_step(times, t)
        return k, t - float(times[k])

    half_coupon = float(p.dividend_rate) / p.dividends_per_year
    lp = np.full(steps + 1, float(p.initial_liquidation_preference_usd))
    coupon, coupon_lag = np.zeros(steps + 1), np.zeros(steps + 1)
    dividend_days = dividend_dates(terms, valuation_date, maturity)
    for day in dividend_days:
        k, lag = step(day)
        if policy.dividend_policy == "accrue":
            lp[k:] *= 1 + half_coupon
        else:  # two dividends on one node (fewer than 2 steps a year): their mean lag
            amount = lp[k] * half_coupon
            coupon_lag[k] = (coupon_lag[k] * coupon[k] + lag * amount) / (coupon[k] + amount)
            coupon[k] += amount
    rates = np.zeros(steps + 1)
    for rate_step in terms.conversion_rates:
        first = step(rate_step.effective_date)[0] if rate_step.effective_date > valuation_date else 0
        rates[first:] = float(rate_step.rate)
    if p.conversion_not_before > valuation_date:
        rates[: step(p.conversion_not_before)[0]] = 0.0
    settle = lp if policy.put_settlement == "cash" else lp / policy.put_factor  # q = LP / (S f) common, worth LP / f
    put, put_lag = np.full(steps + 1, np.nan), np.zeros(steps + 1)
    for day in p.put_dates:
        if valuation_date < day <= maturity:
            k, put_lag[k] = step(day)
            put[k] = settle[k]
    redeem = np.full(steps + 1, np.nan)
    redeem[steps] = settle[steps]
    call = np.full(steps + 1, np.inf)
    if policy.call == "rational":
        for day in dividend_days:
            if day >= p.issuer_call_from:
                k = step(day)[0]
                call[k] = lp[k] * (1 + policy.call_trigger_pct / 100)
    elif policy.call == "date" and policy.call_date is not None and policy.call_date > valuation_date:
        k = step(policy.call_date)[0]
        redeem[k] = settle[k]
    return StepTerms(
        years=years,
        conversion_per_usd=conversion_per_share(lp, rates),
        lp_usd=lp,
        coupon_usd=coupon,
        coupon_lag_years=coupon_lag,
        coupon_cash=policy.dividend_policy == "cash",
        put_usd=put,
        put_lag_years=put_lag,
        redeem_usd=redeem,
        settle_cash=policy.put_settlement == "cash",
        call_floor_usd=call,
    )


@dataclass(frozen=True)
class Lattice:
    """The contract on its grid with the market inputs: roll it for any prices and spreads (``value_preferred``,
    ``calc.model.implied_spread``)."""

    grid: StepTerms
    volatility_rate: float
    risk_free_rate: float
    convention: Convention
    recovery_rate: float
    valuation_date: dt.date
    steps: int

    def roll(self, prices: np.ndarray, spreads: np.ndarray, split: bool = True) -> Rolled:
        problems = _outside("price_usd", prices, VALUE_PRICE.bounds, " USD") + _outside(
            "spread_rate", spreads, VALUE_SPREAD.bounds
        )
        if problems:
            raise InputError(f"valuation: {len(problems)} problem(s)", [p.at(column_label=False) for p in problems])
        args = (self.volatility_rate, self.risk_free_rate, self.convention, self.recovery_rate, split)
        return roll(self.grid, prices, spreads, *args)


def lattice(
    *,
    volatility_rate: float,
    risk_free_rate: float,
    steps: int = 800,
    valuation_date: dt.date | None = None,
    policy: ValuationPolicy | None = None,
    terms: Terms,
    convention: Convention = "hazard",
    recovery_rate: float = 0.0,
) -> Lattice:
    """The checked inputs and the contract on the grid (``step_terms``); ``InputError`` names every bad input."""
    day = valuation_date or terms.market.valuation_date
    problems = _problems(volatility_rate, risk_free_rate, steps, day, terms)
    if convention not in CONVENTIONS:
        problems.append(Problem(f"'{convention}' is not one of {', '.join(CONVENTIONS)}", column="convention"))
    if not (math.isfinite(recovery_rate) and 0 <= recovery_rate < 1):
        problems.append(Problem(f"{recovery_rate:g} must be from 0 up to (not including) 1", column="recovery_rate"))
    if problems:
        raise InputError(f"valuation: {len(problems)} problem(s)", [p.at(column_label=False) for p in problems])
    grid = step_terms(terms, policy or ValuationPolicy(), day, steps)
    p = up_probability(convention, volatility_rate, risk_free_rate, grid.years / steps)
    if not 0 <= p <= 1:
        raise InputError(
            f"steps: the tree's up probability {p:.6g} is outside [0, 1] at volatility {volatility_rate:g}, "
            f"rate {risk_free_rate:g} and {steps} steps (raise the volatility or the steps)"
        )
    return Lattice(grid, volatility_rate, risk_free_rate, convention, recovery_rate, day, steps)


def value_preferred(
    price_usd: float | Sequence[float] | np.ndarray,
    *,
    volatility_rate: float,
    risk_free_rate: float,
    spread_rate: float | Sequence[float] | np.ndarray,
    steps: int = 800,
    valuation_date: dt.date | None = None,
    policy: ValuationPolicy | None = None,
    shares: int | None = None,
    terms: Terms,
    convention: Convention = "hazard",
    recovery_rate: float = 0.0,
    split: bool = True,
) -> Valuation:
    """Fair value of the preferred for each (price, spread) pair; prices and spreads broadcast to one sweep axis
    (``split=False``: no debt part, one array less to roll)."""
    built = lattice(
        volatility_rate=volatility_rate,
        risk_free_rate=risk_free_rate,
        steps=steps,
        valuation_date=valuation_date,
        policy=policy,
        terms=terms,
        convention=convention,
        recovery_rate=recovery_rate,
    )
    prices, spreads = (np.atleast_1d(np.asarray(x, dtype=float)) for x in np.broadcast_arrays(price_usd, spread_rate))
    rolled = built.roll(prices, spreads, split)
    return Valuation(
        price_usd=prices,
        spread_rate=spreads,
        value_usd=rolled.value_usd,
        bond_floor_usd=straight_value(built.grid, spreads, risk_free_rate, convention, recovery_rate),
        conversion_value_usd=built.grid.conversion_per_usd[0] * prices,
        delta_shares=_delta(rolled),
        debt_usd=rolled.debt_usd,
        shares=shares or terms.preferred.shares_issued,
        valuation_date=built.valuation_date,
        steps=steps,
        convention=convention,
    )


def _delta(rolled: Rolled) -> np.ndarray:
    """Δ = (V_u − V_d) / (S u − S d): the slope between the two nodes of step 1."""
    return (rolled.up_usd - rolled.down_usd) / (rolled.up_price_usd - rolled.down_price_usd)
