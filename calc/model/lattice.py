"""A binomial lattice for a convertible, rolled back over a sweep (numpy rows: one per price or spread).

Notation (all money per $1,000 of initial liquidation preference, i.e. per preferred share):

    N steps of Δt = T / N years on the grid t_i = i·Δt (i = 0..N); T = days(valuation → maturity) / 365
    S₀ the common price (row m of the sweep: S₀[m]); σ the volatility; r the risk-free rate (continuous);
    s the credit spread (row m: s[m]); λ = s / (1 − R) the default intensity, R the recovery (of LP, in cash)
    node (i, j), j = 0..i: price S_ij = S₀ · u^(2j − i) · e^(ν i), u = e^(σ√Δt) (ν = 0 but for ``hazard``)
    κ_i conversion value per $1 of stock at step i (LP_i / 1000 × CR_i; 0 where conversion is not allowed)
    c_i dividend paid at step i; P_i the put value (cash LP_i, or stock LP_i / f); R_i the redemption value
    G_i the call floor: the issuer calls (and the holder converts) where κ_i · S_ij ≥ G_i
    V = E + B: B the part paid in cash (cash dividends, cash puts and redemption, recovery), E the rest

Three conventions (``Convention``):

``hazard`` (the default; Ayache, Forsyth & Vetzal 2003, total default): the issuer defaults at intensity λ, the
common then falls to 0 and the preferred recovers R × LP in cash. With p = ½ and ν = (r + λ)Δt − ln cosh(σ√Δt)
the nodes are a martingale under the one-step discount: e^(−(r+λ)Δt) (½ S_(i+1, j+1) + ½ S_(i+1, j)) = S_ij.

    X_ij = e^(−(r+λ)Δt) (½ X_(i+1, j+1) + ½ X_(i+1, j)),  X = E and B;  B += R·LP_i·λ/(r+λ)·(1 − e^(−(r+λ)Δt))

``tf`` (Tsiveriotis & Fernandes 1998): B discounted at r + s, E at r, on the CRR tree (ν = 0):

    p = (e^(rΔt) − 1/u) / (u − 1/u)
    E_ij = e^(−rΔt) (p E_(i+1, j+1) + (1 − p) E_(i+1, j)),  B_ij = e^(−(r+s)Δt) (p B_(i+1, j+1) + (1 − p) B_(i+1, j))

``hazard`` and ``tf``, at the events of step i (in this order):

    redemption (i = N, or the call date)   E, B = R_i in the part it is settled in (the rest 0)
    issuer call (κ_i S ≥ G_i)               E = κ_i S, B = 0 (the holder converts); the node whose cell
                                            [ln S ± σ√Δt] holds the trigger takes the cell's average
    holder put (P_i > V)                    the put value in its settlement part, the other part 0
    conversion (κ_i S > V)                  E = κ_i S, B = 0
    dividend                                E += c_i (stock) or B += c_i (cash)  (the holder of record: after
                                            conversion)
    a dividend or put dated τ after its node is worth d^(τ/Δt) of it there (d: its part's one-step discount)

``quantlib`` (QuantLib 1.44's ``BinomialConvertibleEngine`` with ``DiscretizedConvertible`` and
``TsiveriotisFernandesLattice``, reproduced for the reference test): the CRR tree with
p = ½ + ½ (r − σ²/2) Δt / (σ√Δt); a conversion probability π (1 where the holder converts, rolled back
with p) blends the rate ρ = π r + (1 − π)(r + s) and each child is discounted by 1 / (1 + ρ_child Δt), the
child's ρ being the one rolled back *before* its own conversion check (QuantLib sets ρ in the roll and
never updates it after ``applyConvertibility``). At each step, in QuantLib's order: puts V = max(V, P_i),
soft calls V = min(max(LP_i, κ_i S), V) where κ_i S ≥ G_i, then the coupon V += c_i, then conversion
(V ≤ κ_i S: V = κ_i S, π = 1), so converting on a coupon date forgoes the coupon. Maturity: V = R_N, then
the same step events. No trigger smoothing, no date lags.

All: an event on date d sits on the grid node closest to t = days / 365 (a tie goes to the earlier node,
``QuantLib::TimeGrid::closestIndex``). Cost: O(N² · rows) arithmetic; ``hazard`` rolls from event to event in
one numpy pass each (``_roll_parts``), ``tf`` and ``quantlib`` one pass per step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

import numpy as np

Convention = Literal["tf", "hazard", "quantlib"]
CONVENTIONS: tuple[Convention, ...] = ("tf", "hazard", "quantlib")
# The nodes' log-price offsets are clipped to ±300 (e^300 ≈ 10^130): at the widest inputs (σ 5, 20,000 steps over
# 29 years: σ√(TN) ≈ 3,800) the outer nodes would overflow; past 300 the tree is over 10 standard deviations
# (σ√T ≤ 27) from the start, where it carries no weight (< 10⁻²⁰).
LOG_SPAN = 300.0


@dataclass(frozen=True)
class StepTerms:
    """The contract on the grid t_i = i·Δt (arrays of length N + 1; events snapped to the closest node)."""

    years: float  # T
    conversion_per_usd: np.ndarray  # κ_i: conversion value per $1 of stock (0: not convertible at step i)
    lp_usd: np.ndarray  # LP_i after the step's accrual
    coupon_usd: np.ndarray  # c_i: dividends paid at step i
    coupon_lag_years: np.ndarray  # τ_i: the dividend's date minus t_i (the node's offset; 0 without a dividend)
    coupon_cash: bool  # cash dividends (credit-risky) or stock-settled (equity part)
    put_usd: np.ndarray  # P_i at put steps, NaN elsewhere
    put_lag_years: np.ndarray  # the put's date minus t_i
    redeem_usd: np.ndarray  # R_i at the redemption step (N, or the call date), NaN elsewhere
    settle_cash: bool  # puts and redemption settled in cash (credit-risky) or stock (equity part)
    call_floor_usd: np.ndarray  # G_i at call steps, +inf elsewhere

    @property
    def steps(self) -> int:
        return len(self.lp_usd) - 1

    def event_steps(self) -> frozenset[int]:
        """Steps with a dividend, put, call or redemption: where the roll must stop (``_roll_parts``)."""
        flags = (self.coupon_usd != 0) | ~np.isnan(self.put_usd) | ~np.isnan(self.redeem_usd)
        return frozenset(np.flatnonzero(flags | np.isfinite(self.call_floor_usd)).tolist())


def grid_times(years: float, steps: int) -> np.ndarray:
    """t_i = Δt · i with Δt = T / N, computed as QuantLib's ``TimeGrid(end, steps)`` does."""
    return (years / steps) * np.arange(steps + 1, dtype=float)


def closest_step(times: np.ndarray, t: float) -> int:
    """The index of the grid time closest to t, a tie going to the earlier node (``TimeGrid::closestIndex``)."""
    k = int(np.searchsorted(times, t, side="left"))
    if k == 0:
        return 0
    if k == len(times):
        return len(times) - 1
    return k if times[k] - t < t - times[k - 1] else k - 1


@dataclass(frozen=True)
class Rolled:
    """The lattice's answer per row: value V, its cash-only part B (TF) or V·(1 − π) (QuantLib), and the two
    values at step 1 for the delta."""

    value_usd: np.ndarray
    debt_usd: np.ndarray
    up_usd: np.ndarray
    down_usd: np.ndarray
    up_price_usd: np.ndarray
    down_price_usd: np.ndarray


def up_probability(convention: Convention, volatility_rate: float, risk_free_rate: float, dt: float) -> float:
    """p: ``tf`` (e^(rΔt) − 1/u)/(u − 1/u); ``quantlib`` ½ + ½ (r − σ²/2)Δt/(σ√Δt) (``CoxRossRubinstein``);
    ``hazard`` ½ (the nodes carry the drift)."""
    if convention == "hazard":
        return 0.5
    if convention == "quantlib":
        return 0.5 + 0.5 * (risk_free_rate - 0.5 * volatility_rate**2) * dt / (volatility_rate * math.sqrt(dt))
    u = math.exp(volatility_rate * math.sqrt(dt))
    return (math.exp(risk_free_rate * dt) - 1 / u) / (u - 1 / u)


@dataclass(frozen=True)
class _Tree:
    """Node prices and the two parts' one-step weights, per row (M rows)."""

    prices: np.ndarray  # S₀ u^k, k = −N..N (M × 2N + 1)
    growth: np.ndarray  # (M, N + 1): e^(ν i), the drift the nodes of step i carry (``hazard``; else 1)
    up: np.ndarray  # (2, M, 1): p × one-step discount of E and of B
    down: np.ndarray  # (2, M, 1): (1 − p) × the same
    recovery_usd: np.ndarray  # (M, 1): B gained per step per $1 of LP (``hazard`` with recovery ρ; else 0)
    cell: float  # half the log-spacing of a step's nodes: σ√Δt
    dt: float
    p: float  # the up probability
    disc: np.ndarray  # (2, M, 1): the one-step discount of each part (up + down)
    checks_every_step: bool  # conversion checked at every step (``tf``), or at the stops only (``hazard``)

    def lagged(self, amount: float, lag_years: float) -> np.ndarray:
        """An amount paid ``lag_years`` after the node, at the node: amount × d^(τ/Δt) per part (2, M, 1), d the
        one-step discount of the part (corrects the snapping of dates to nodes; τ < 0 compounds)."""
        return amount * self.disc ** (lag_years / self.dt)

    def base(self, i: int) -> np.ndarray:
        """S₀ u^(2j − i), j = 0..i (M × i + 1): the nodes of step i before the drift."""
        steps = (self.prices.shape[1] - 1) // 2
        return self.prices[:, steps - i : steps + i + 1 : 2]

    def nodes(self, i: int) -> np.ndarray:
        """S_ij = S₀ u^(2j − i) e^(ν i), j = 0..i (M × i + 1)."""
        return self.base(i) * self.growth[:, i : i + 1]


def _tree(
    convention: Convention,
    price_usd: np.ndarray,
    spread_rate: np.ndarray,
    volatility_rate: float,
    risk_free_rate: float,
    recovery_rate: float,
    steps: int,
    dt: float,
) -> _Tree:
    cell = volatility_rate * math.sqrt(dt)
    k = np.arange(-steps, steps + 1, dtype=float)
    rows = len(price_usd)
    p = up_probability(convention, volatility_rate, risk_free_rate, dt)
    spread = spread_rate[:, None]
    drift, recovery = np.zeros((rows, 1)), np.zeros((rows, 1))
    if convention == "hazard":
        hazard = spread / (1 - recovery_rate)  # s = λ (1 − ρ)
        rate_dt = (risk_free_rate + hazard) * dt
        drift = rate_dt - math.log(math.cosh(cell))  # ½ e^(ν)(e^(σ√Δt) + e^(−σ√Δt)) = e^((r + λ)Δt) exactly
        disc = np.stack([np.exp(-rate_dt)] * 2)
        # R·LP at the default within the step: ∫₀^Δt λ e^(−(r+λ)t) dt = λΔt (1 − e^(−z)) / z, z = (r + λ)Δt
        share = np.divide(-np.expm1(-rate_dt), rate_dt, out=np.ones_like(rate_dt), where=rate_dt != 0)
        recovery = recovery_rate * hazard * dt * share
    else:
        disc = np.stack([np.full((rows, 1), math.exp(-risk_free_rate * dt)), np.exp(-(risk_free_rate + spread) * dt)])
    growth = np.exp(drift * np.arange(steps + 1))
    prices = price_usd[:, None] * np.exp(np.clip(k * cell, -LOG_SPAN, LOG_SPAN))
    return _Tree(prices, growth, disc * p, disc * (1 - p), recovery, cell, dt, p, disc, convention != "hazard")


def roll(
    terms: StepTerms,
    price_usd: np.ndarray,
    spread_rate: np.ndarray,
    volatility_rate: float,
    risk_free_rate: float,
    convention: Convention,
    recovery_rate: float = 0.0,
    split: bool = True,
) -> Rolled:
    """Roll the lattice back from maturity to the valuation date for every row (price_usd, spread_rate: (M,)).
    ``split=False`` (``hazard``): V alone, one array less to roll; the debt part is NaN."""
    steps = terms.steps
    dt = terms.years / steps
    tree = _tree(convention, price_usd, spread_rate, volatility_rate, risk_free_rate, recovery_rate, steps, dt)
    if convention == "quantlib":
        p = up_probability(convention, volatility_rate, risk_free_rate, dt)
        value, debt, step1 = _roll_quantlib(terms, tree, spread_rate[:, None], risk_free_rate, p, dt)
    else:
        value, debt, step1 = _roll_parts(terms, tree, 2 if split or convention == "tf" else 1)
    up, down = tree.nodes(1)[:, 1], tree.nodes(1)[:, 0]
    return Rolled(value, debt, step1[:, 1], step1[:, 0], up, down)


def _roll_parts(terms: StepTerms, tree: _Tree, parts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``tf`` and ``hazard``: X = [E, B] (2 × rows × nodes) rolled with the weights ``tree.up``, ``tree.down``;
    with ``parts`` = 1 (``hazard`` only, whose parts share one discount) X = [V], and B is not reported.

    The roll stops at the event steps and at steps 1 and 0 (the delta), and for ``tf`` at every step where
    conversion is allowed. Between stops the roll is linear, so k steps are one pass (``_roll_block``). Under
    ``hazard`` converting between events never beats holding: the nodes' prices are a martingale under the
    roll's discount (e^(−(r+λ)Δt) E[S'] = S, ``_tree``), so holding to the next stop and converting there is
    worth κS already, and the check at the stops is exact. Under ``tf`` the cash part's higher discount can
    make early conversion pay, so it is checked at every step."""
    steps, rows = terms.steps, tree.prices.shape[0]
    events = terms.event_steps()
    every = np.flatnonzero(terms.conversion_per_usd > 0) if tree.checks_every_step else ()
    stops = sorted(events | {0, 1} | set(int(i) for i in every) - {steps}, reverse=True)
    x = np.zeros((parts, rows, steps + 1))
    _events_parts(terms, x, tree, tree.nodes(steps), steps)
    step1 = np.zeros((rows, 2))
    later = steps
    for i in stops:
        _roll_block(x, tree, parts, i, later - i)
        if tree.recovery_usd.any():
            x[-1, :, : i + 1] += _recovery(terms, tree, i, later - i)
        if i in events:
            _events_parts(terms, x[:, :, : i + 1], tree, tree.nodes(i), i)
        elif terms.conversion_per_usd[i] > 0:
            _convert(x[:, :, : i + 1], terms.conversion_per_usd[i] * tree.nodes(i))
        if i == 1:
            step1 = x[:, :, :2].sum(axis=0)
        later = i
    value = x[:, :, 0].sum(axis=0)
    return value, (x[1, :, 0] if parts == 2 else np.full(rows, np.nan)), step1


@lru_cache(maxsize=256)
def _binomial_weights(k: int, p: float) -> np.ndarray:
    """w_m = C(k, m) p^m (1 − p)^(k − m), m = 0..k: the chance of m up moves in k steps."""
    weights = np.ones(1)
    for _ in range(k):
        weights = np.convolve(weights, [1 - p, p])
    return weights


def _roll_block(x: np.ndarray, tree: _Tree, parts: int, i: int, k: int) -> None:
    """X at step i from X at step i + k, in place: X_ij = d^k Σ_m w_m X_(i+k, j+m) per part (d its one-step
    discount); one step is X_ij = d (p X_(i+1, j+1) + (1 − p) X_(i+1, j))."""
    n = i + 1
    if k == 1:
        up = x[:, :, 1 : n + 1] * tree.up[:parts]
        x[:, :, :n] *= tree.down[:parts]
        x[:, :, :n] += up
        return
    # windows[q, m, j, t] = x[q, m, j + t] (``sliding_window_view`` without its checks: 5× faster here; x is
    # one C-contiguous array, so every window lies inside it)
    windows = np.ndarray((*x.shape[:2], n, k + 1), x.dtype, buffer=x, strides=(*x.strides, x.strides[2]))
    rolled = windows @ _binomial_weights(k, tree.p)
    x[:, :, :n] = rolled * tree.disc[:parts] ** k


def _recovery(terms: StepTerms, tree: _Tree, i: int, k: int) -> np.ndarray:
    """Σ_l d^l g LP_(i+l), l = 0..k − 1: the recovery the cash part gains over the k steps (rows × 1)."""
    return tree.recovery_usd * (terms.lp_usd[i : i + k] * tree.disc[-1] ** np.arange(k)).sum(axis=1, keepdims=True)


def _convert(x: np.ndarray, conversion: np.ndarray) -> None:
    """Conversion where κS > V: E = κS, B = 0 (in place)."""
    _settle(x, conversion, conversion > x.sum(axis=0), cash=False)


def _settle(x: np.ndarray, amount: np.ndarray | float, where: np.ndarray, cash: bool) -> None:
    """The nodes ``where`` receive ``amount`` settled in cash (B) or stock (E), the other part 0 (in place)."""
    part = len(x) - 1 if cash else 0  # one part (``hazard`` without the split): V itself
    np.copyto(x[part], amount, where=where)
    if len(x) == 2:
        np.copyto(x[1 - part], 0.0, where=where)


def _call(x: np.ndarray, kappa: float, nodes: np.ndarray, trigger_usd: float, cell: float) -> None:
    """The issuer's call where S ≥ H = G / κ (the trigger price), the holder converting: E = κS, B = 0 (in place).

    Payoff smoothing: node j stands for the cell [ln S_j − c, ln S_j + c] (c = σ√Δt) of log prices. A node whose
    cell holds H takes the cell's average: with the share a = (c − ln(H/S_j)) / (2c) of the cell above H, the
    mean price Ŝ there (a·Ŝ = S_j (e^c − H/S_j) / (2c)) and the continuation V taken as linear in S around S_j
    (slope Δ from the neighbours j ± 1),

        V' = (1 − a) V + a (κŜ − Δ (Ŝ − S_j))        B' = (1 − a) B

    Without it the value jumps as N moves the nodes past H (±$5 per $1,000 between 1,000 and 2,000 steps on the
    2002 terms). The straddling nodes (at most one a row) are computed alone (``_straddling``)."""
    whole = nodes >= trigger_usd * math.exp(cell)
    rows, cols = np.nonzero((nodes > trigger_usd * math.exp(-cell)) ^ whole)
    cells = [_straddling(x, nodes[r], r, j, kappa, trigger_usd, cell) for r, j in zip(rows.tolist(), cols.tolist())]
    _settle(x, kappa * nodes, whole, cash=False)
    for r, j, equity, debt in cells:
        x[:, r, j] = (equity, debt)[: len(x)]  # one part (V alone): debt is 0, equity the whole


def _straddling(
    x: np.ndarray, prices: np.ndarray, r: int, j: int, kappa: float, trigger_usd: float, cell: float
) -> tuple[int, int, float, float]:
    """(r, j, E', B') of the straddling node j of row r (``_call``), in floats: a handful of nodes a call."""
    low, high = max(j - 1, 0), min(j + 1, len(prices) - 1)
    value = x[:, r, low : high + 1].sum(axis=0).tolist()
    near = prices[low : high + 1].tolist()
    here, price = j - low, near[j - low]
    slope = (value[-1] - value[0]) / (near[-1] - near[0]) if high > low else kappa
    above = (cell - math.log(trigger_usd / price)) / (2 * cell)
    mean_above = (price * math.exp(cell) - trigger_usd) / (2 * cell)  # a·Ŝ
    blended = (1 - above) * value[here] + kappa * mean_above - slope * (mean_above - above * price)
    debt = (1 - above) * float(x[1, r, j]) if len(x) == 2 else 0.0
    return r, j, blended - debt, debt


def _events_parts(terms: StepTerms, x: np.ndarray, tree: _Tree, nodes: np.ndarray, i: int) -> None:
    kappa, cash_part = float(terms.conversion_per_usd[i]), len(x) - 1
    if not math.isnan(terms.redeem_usd[i]):
        _settle(x, float(terms.redeem_usd[i]), np.ones(x.shape[1:], dtype=bool), terms.settle_cash)
    if kappa > 0 and math.isfinite(terms.call_floor_usd[i]):
        _call(x, kappa, nodes, float(terms.call_floor_usd[i]) / kappa, tree.cell)
    if not math.isnan(terms.put_usd[i]):
        part = cash_part if terms.settle_cash else 0
        put = tree.lagged(float(terms.put_usd[i]), float(terms.put_lag_years[i]))[part]
        _settle(x, put, put > x.sum(axis=0), terms.settle_cash)
    if kappa > 0:
        _convert(x, kappa * nodes)
    if terms.coupon_usd[i]:
        part = cash_part if terms.coupon_cash else 0
        x[part] += tree.lagged(float(terms.coupon_usd[i]), float(terms.coupon_lag_years[i]))[part]


def _roll_quantlib(
    terms: StepTerms, tree: _Tree, spread: np.ndarray, r: float, p: float, dt: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``quantlib`` convention (``TsiveriotisFernandesLattice::stepback``, ``DiscretizedConvertible``)."""
    steps, rows = terms.steps, tree.prices.shape[0]
    value = np.zeros((rows, steps + 1))
    prob = np.zeros((rows, steps + 1))
    _events_quantlib(terms, value, prob, tree.nodes(steps), steps)
    rate = r + (1 - prob) * spread
    step1 = np.zeros((rows, 2))
    for i in range(steps - 1, -1, -1):
        discounted = value / (1 + rate * dt)
        value = (1 - p) * discounted[:, :-1] + p * discounted[:, 1:]
        prob = (1 - p) * prob[:, :-1] + p * prob[:, 1:]
        rate = r + (1 - prob) * spread
        _events_quantlib(terms, value, prob, tree.nodes(i), i)
        if i == 1:
            step1 = value.copy()
    return value[:, 0], value[:, 0] * (1 - prob[:, 0]), step1


def _events_quantlib(terms: StepTerms, value: np.ndarray, prob: np.ndarray, nodes: np.ndarray, i: int) -> None:
    conversion = terms.conversion_per_usd[i] * nodes
    if not np.isnan(terms.redeem_usd[i]):
        value[...] = terms.redeem_usd[i]
    if not np.isnan(terms.put_usd[i]):
        np.maximum(value, terms.put_usd[i], out=value)
    if np.isfinite(terms.call_floor_usd[i]):
        called = np.minimum(np.maximum(terms.lp_usd[i], conversion), value)
        np.copyto(value, called, where=conversion >= terms.call_floor_usd[i])
    value += terms.coupon_usd[i]
    if terms.conversion_per_usd[i] > 0:
        converts = value <= conversion
        np.copyto(value, conversion, where=converts)
        np.copyto(prob, 1.0, where=converts)


def straight_value(
    terms: StepTerms, spread_rate: np.ndarray, risk_free_rate: float, convention: Convention, recovery_rate: float = 0.0
) -> np.ndarray:
    """The bond floor: the same dividends, puts and redemption without conversion or call. Every node of a step
    then holds the same value, so one number per row is rolled from event to event with the convention's
    one-step discount d of each part (``quantlib``: 1 / (1 + (r + s)Δt), π being 0 without conversion) and,
    for ``hazard``, the recovery (``_recovery``)."""
    rows, steps = len(spread_rate), terms.steps
    dt = terms.years / steps
    bare = replace(
        terms,
        conversion_per_usd=np.zeros_like(terms.conversion_per_usd),
        call_floor_usd=np.full_like(terms.call_floor_usd, np.inf),
    )
    tree = _tree(convention, np.ones(rows), spread_rate, 1.0, risk_free_rate, recovery_rate, 1, dt)
    disc = tree.disc
    if convention == "quantlib":
        disc = np.stack([1 / (1 + (spread_rate[:, None] + risk_free_rate) * dt)] * 2)
    x, ones = np.zeros((2, rows, 1)), np.ones((rows, 1))
    later = steps
    for i in sorted(bare.event_steps() | {0}, reverse=True):
        x *= disc ** (later - i)
        if later > i and tree.recovery_usd.any():
            x[1] += _recovery(terms, tree, i, later - i)
        _events_parts(bare, x, tree, ones, i)
        later = i
    return x[0, :, 0] + x[1, :, 0]
