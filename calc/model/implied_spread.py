"""The credit spread the lattice needs to price the preferred at a given value (``calc.model.valuation``).

Given a target value V* per $1,000 of LP, find s in [0, s_max] (s_max = 300 %) with V(s) = V*, V the lattice
value (``calc.model.valuation.value_preferred``) at the same price, volatility, rate, steps and terms. V falls
with s under the ``hazard`` convention (tested), so:

    V* > V(0)        no spread: the target is above the value at zero spread
    V* < V(s_max)    no spread up to 300 % reaches it (the answer is ``None`` with that message, never a guess)
    otherwise        the bracket [0, s_max] narrowed by each point valued. A first sweep of 9 spreads (denser near
                     0, ``FIRST_SPREADS``) on a quarter of the steps guesses g: V falls roughly exponentially with
                     s, so ln V is interpolated linearly. Then rounds of two points, g and g + 10⁻⁴ (one roll of
                     the lattice, two rows; the first round also values 0 and s_max), narrow the bracket and give
                     the slope for a Newton step on ln V,
                     g − (ln V(g) − ln V*) / (ln V)'(g), taken when it stays inside the bracket (else the
                     midpoint, which halves it), until |V(g) − V*| ≤ ``tolerance_usd``: g is the answer.

Under ``tf`` V need not fall with s (``calc.model.lattice``); the solver then finds a spread giving the target, not
necessarily the lowest.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from calc.errors import InputError
from calc.model.inputs_registry import VALUE_STEPS
from calc.model.lattice import Convention
from calc.model.terms import Terms
from calc.model.valuation import IMPLIED_SPREAD_MAX, Lattice, ValuationPolicy, lattice

FIRST_SPREADS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, IMPLIED_SPREAD_MAX)
COARSE = 4  # the first sweep runs on steps / 4 (a sixteenth of the work): it only guesses
MAX_ROUNDS = 60  # a round falling back on the midpoint halves the bracket: 3 × 2⁻⁶⁰ is below any tolerance
SLOPE_STEP = 1e-4  # the second point of a round, for the slope dV/ds
TINY_USD = 1e-300  # the floor of a value before its logarithm


@dataclass(frozen=True)
class ImpliedSpread:
    spread_rate: float | None  # None: no spread in [0, 300 %] gives the target
    message: str  # why there is no spread ("" when there is one)
    target_usd: float
    value_at_zero_usd: float  # V(0)
    value_at_max_usd: float  # V(300 %)


def implied_spread(
    target_value_per_1000_usd: float,
    *,
    price_usd: float,
    volatility_rate: float,
    risk_free_rate: float,
    steps: int = 800,
    valuation_date: dt.date | None = None,
    policy: ValuationPolicy | None = None,
    terms: Terms,
    convention: Convention = "hazard",
    recovery_rate: float = 0.0,
    tolerance_usd: float = 0.005,
) -> ImpliedSpread:
    """The spread s with V(s) = target (per $1,000 of LP), or ``spread_rate=None`` with the reason."""
    target = float(target_value_per_1000_usd)
    if not (math.isfinite(target) and target > 0):
        raise InputError(f"target value: {target:g} must be a finite number of USD > 0 per $1,000 of LP")

    def build(n: int) -> Lattice:
        return lattice(
            volatility_rate=volatility_rate,
            risk_free_rate=risk_free_rate,
            steps=n,
            valuation_date=valuation_date,
            policy=policy,
            terms=terms,
            convention=convention,
            recovery_rate=recovery_rate,
        )

    built, price = build(steps), np.array([price_usd], dtype=float)

    def values(spreads: np.ndarray, on: Lattice = built) -> np.ndarray:
        return on.roll(np.repeat(price, len(spreads)), spreads, split=False).value_usd

    guess = _first_guess(
        values(np.array(FIRST_SPREADS), build(max(steps // COARSE, int(VALUE_STEPS.bounds[0])))), target
    )
    first = values(np.array([0.0, IMPLIED_SPREAD_MAX, guess, guess + SLOPE_STEP]))
    ends = (float(first[0]), float(first[1]))
    if target > first[0] + tolerance_usd:
        return ImpliedSpread(None, f"the target is above the value at zero spread (${ends[0]:,.2f})", target, *ends)
    if target < first[1] - tolerance_usd:
        message = f"no spread up to {IMPLIED_SPREAD_MAX:.0%} reaches it (the value there is ${ends[1]:,.2f})"
        return ImpliedSpread(None, message, target, *ends)
    if target >= first[0] or target <= first[1]:  # within the tolerance of an end of the range: that end
        return ImpliedSpread(0.0 if target >= first[0] else IMPLIED_SPREAD_MAX, "", target, *ends)
    lo, hi = (0.0, ends[0]), (IMPLIED_SPREAD_MAX, ends[1])
    pair, found = np.array([guess, guess + SLOPE_STEP]), first[2:]
    for _ in range(MAX_ROUNDS):
        lo, hi = _tighter(lo, hi, target, zip(pair, found))
        if abs(found[0] - target) <= tolerance_usd or hi[0] - lo[0] <= 1e-12:
            break
        logs = np.log(np.maximum(found, TINY_USD))
        slope = (logs[1] - logs[0]) / (pair[1] - pair[0]) if pair[1] > pair[0] else 0.0
        newton = pair[0] - (logs[0] - math.log(target)) / slope if slope < 0 else math.nan
        guess = newton if lo[0] < newton < hi[0] else (lo[0] + hi[0]) / 2
        pair = np.array([guess, min(guess + SLOPE_STEP, hi[0])])
        found = values(pair)
    return ImpliedSpread(float(pair[0]), "", target, *ends)


def _first_guess(values: np.ndarray, target: float) -> float:
    """The spread where ln V, linear between the first sweep's points (``FIRST_SPREADS``), meets ln target; an
    end of the range when the target is outside it."""
    if target >= values[0] or target <= values[-1]:
        return 0.0 if target >= values[0] else IMPLIED_SPREAD_MAX - SLOPE_STEP
    k = int(np.argmax(values <= target))  # values[k - 1] > target ≥ values[k], k ≥ 1
    return _interpolate((FIRST_SPREADS[k - 1], float(values[k - 1])), (FIRST_SPREADS[k], float(values[k])), target)


def _interpolate(lo: tuple[float, float], hi: tuple[float, float], target: float) -> float:
    """The spread where the chord from lo to hi (spread, ln value) meets ln target."""
    top, bottom, aim = (math.log(max(v, TINY_USD)) for v in (lo[1], hi[1], target))
    if top == bottom:
        return float(lo[0])
    return float(lo[0] + (top - aim) / (top - bottom) * (hi[0] - lo[0]))


def _tighter(
    lo: tuple[float, float], hi: tuple[float, float], target: float, points: Iterable[tuple[float, float]]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The bracket narrowed by the (spread, value) points: lo the largest spread valued ≥ target, hi the
    smallest below it."""
    for s, v in points:
        if v >= target:
            lo = max(lo, (float(s), float(v)))
        else:
            hi = min(hi, (float(s), float(v)))
    return lo, hi
