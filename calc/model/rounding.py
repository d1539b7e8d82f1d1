"""Exact floor/ceil of share counts computed in float64 arrays.

Share counts are quotients of exact inputs (whole shares, LP = $1,000 × (1 + r)^k, rates
and factors given as decimals) that the vectorized paths evaluate in float64, where a
value that is a whole number in exact arithmetic can come out a hair below or above it,
and a value a hair above a whole number can come out as that whole number. So:

1. compute x in float64 (relative error below 1e-14 for every count the engine forms);
2. round every cell in float: floor(x) or ceil(x);
3. flag the cells within ``tol(x) = NEAR_ABS + NEAR_REL × |x|`` of a whole number
   (far above the float error, so every cell whose float rounding could be wrong is
   flagged) and recompute only those from the exact inputs with ``fractions.Fraction``.

The result is exactly floor/ceil of the exact value. The exact value of a float input
(a price, a sale or put factor, a simulated price) is by definition the shortest decimal
that round-trips its float64 value, ``Fraction(repr(x))`` (``decimal_value``): exactly
the typed decimal for a typed price, and a well-defined rational for drifted or
simulated prices.

Model limit: every share count, and the new shares issued over a window, must stay at or
below ``MAX_SHARES`` = 10^15, so sums of counts stay exact in int64 and float64
(10^15 + base shares < 2^53). Larger counts come out as ``OVER_LIMIT`` (never wrapped)
for the caller to report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

NEAR_ABS = 1e-6
NEAR_REL = 1e-12
MAX_SHARES = 10**15
OVER_LIMIT = MAX_SHARES + 1
INT64_LIMIT = 2**63

ExactAt = Callable[[tuple[int, ...]], Fraction]  # exact value of one cell, by its index


def decimal_value(x: float) -> Fraction:
    """The exact value a float input stands for: the shortest decimal that round-trips it."""
    return _decimal_value(float(x))


@lru_cache(maxsize=1 << 16)
def _decimal_value(x: float) -> Fraction:
    return Fraction(repr(x))


def exact_at_least(x: np.ndarray, y: np.ndarray | float, exact_at: Callable[[tuple[int, ...]], bool]) -> np.ndarray:
    """x ≥ y cell by cell, decided exactly (x, y: float64 products or quotients of exact inputs, broadcast).

    The float comparison is right wherever x and y are further apart than ``NEAR_REL × max(|x|, |y|)``, far above
    the float error of the few operations that form them; the other cells take ``exact_at(index)``, the comparison
    of the exact values (``Fraction``). A typed price can sit exactly on a threshold (S × CR = 1000, S = CP × g/100),
    where the float product may fall on either side.
    """
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = x >= y
    near = np.abs(x - y) <= NEAR_REL * np.maximum(np.abs(x), np.abs(y))
    for index in zip(*np.nonzero(near)):
        out[index] = exact_at(tuple(int(i) for i in index))
    return out


def quotient(num: np.ndarray, den: np.ndarray, where: np.ndarray | bool = True) -> np.ndarray:
    """``num / den`` on ``where`` cells, 0 elsewhere; +inf where it would exceed MAX_SHARES.

    Division happens only where ``num <= MAX_SHARES × den`` (den > 0), so no overflow or
    division by zero can occur (and no numpy warning is raised).
    """
    num, den, where = np.broadcast_arrays(np.asarray(num, dtype=float), np.asarray(den, dtype=float), where)
    fits = where & (den > 0) & (num / MAX_SHARES <= den)
    out = np.where(where, np.inf, 0.0)
    np.divide(num, den, out=out, where=fits)
    return out


@dataclass(frozen=True)
class ScaledExact:
    """Exact cell values of the form ``ints[s, ...] × per_row(s)``: whole numbers times one rational per row.

    Callable as an ``ExactAt``; ``rounded_at`` settles many cells at once in integer arithmetic
    (``(n × p) // q`` on Python ints, so no overflow), one ``per_row`` call per row.
    """

    ints: np.ndarray  # (S, ...) int64
    per_row: Callable[[int], Fraction]

    def __call__(self, cell: tuple[int, ...]) -> Fraction:
        return int(self.ints[cell]) * self.per_row(cell[0])

    def row_scaled(self, s: int, index: tuple[np.ndarray, ...]) -> tuple[np.ndarray, int]:
        """Row s at ``index`` as (numerators n × p (object array of ints), q): value = numerator / q, q > 0."""
        per = self.per_row(s)
        return self.ints[(s, *index)].astype(object) * per.numerator, per.denominator

    def take_rows(self, rows: np.ndarray) -> ScaledExact:
        """The same values for the selected ``rows`` (row i is rows[i])."""
        return ScaledExact(self.ints[rows], lambda i: self.per_row(int(rows[i])))

    def int64_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per selected row, per_row = p / q as int64 arrays (p, q) and ``fits``: every n × p of the row
        (|n| ≤ max |ints[row]|) is below 2^63, so n × p, ⌊n × p / q⌋ and n × p − ⌊n × p / q⌋ × q are exact
        in int64 there (p = q = 0 where it does not fit)."""
        biggest = np.abs(self.ints[rows].reshape(len(rows), -1)).max(axis=1, initial=0)
        p = np.zeros(len(rows), dtype=np.int64)
        q = np.zeros(len(rows), dtype=np.int64)
        fits = np.zeros(len(rows), dtype=bool)
        for i, (row, n_max) in enumerate(zip(rows.tolist(), biggest.tolist())):
            per = self.per_row(row)
            if max(abs(per.numerator), 1) * max(n_max, 1) < INT64_LIMIT and per.denominator < INT64_LIMIT:
                p[i], q[i], fits[i] = per.numerator, per.denominator, True
        return p, q, fits

    def rounded_at(self, cells: tuple[np.ndarray, ...], ceil: bool) -> np.ndarray:
        """floor (or ceil) of the exact value at ``cells`` (``np.nonzero`` form), int64."""
        return _rounded_rows(self, cells, ceil)


@dataclass(frozen=True)
class SumScaledExact:
    """Exact cell values ``Σ_k ints[k][s, ...] × per_row(s)[k]``: several whole numbers, each times a
    rational of the row.

    Per row, the rationals are put over their common denominator q = lcm(q_k), so a cell's value
    is (Σ_k n_k × p_k × (q / q_k)) / q and ``rounded_at`` settles cells in integer arithmetic as
    ``ScaledExact`` does (one ``per_row`` call per row).
    """

    ints: tuple[np.ndarray, ...]  # K arrays (S, ...) int64
    per_row: Callable[[int], tuple[Fraction, ...]]  # K rationals of row s

    def __call__(self, cell: tuple[int, ...]) -> Fraction:
        return sum((int(n[cell]) * c for n, c in zip(self.ints, self.per_row(cell[0]))), Fraction(0))

    def row_scaled(self, s: int, index: tuple[np.ndarray, ...]) -> tuple[np.ndarray, int]:
        """Row s at ``index`` as (numerators (object array of ints), q): value = numerator / q, q > 0."""
        coefs = self.per_row(s)
        q = math.lcm(*(c.denominator for c in coefs))
        scaled: np.ndarray | int = 0
        for n, c in zip(self.ints, coefs):
            scaled = scaled + n[(s, *index)].astype(object) * (c.numerator * (q // c.denominator))
        return np.asarray(scaled, dtype=object), q

    def take_rows(self, rows: np.ndarray) -> SumScaledExact:
        """The same values for the selected ``rows`` (row i is rows[i])."""
        return SumScaledExact(tuple(n[rows] for n in self.ints), lambda i: self.per_row(int(rows[i])))

    def times(self, factor: Callable[[int], Fraction]) -> SumScaledExact:
        """The values times a rational of the row, ``factor(s)``."""
        return SumScaledExact(self.ints, lambda s: tuple(c * factor(s) for c in self.per_row(s)))

    def rounded_at(self, cells: tuple[np.ndarray, ...], ceil: bool) -> np.ndarray:
        """floor (or ceil) of the exact value at ``cells`` (``np.nonzero`` form), int64."""
        return _rounded_rows(self, cells, ceil)


RowScaled = ScaledExact | SumScaledExact


def _rounded_rows(exact: RowScaled, cells: tuple[np.ndarray, ...], ceil: bool) -> np.ndarray:
    """floor (or ceil) at ``cells``: ⌊N / q⌋ (or −⌊−N / q⌋), N = n × p, on int64 arrays for the
    ``ScaledExact`` rows where that is exact (``int64_rows``), else row by row on Python ints; int64 out."""
    out = np.empty(len(cells[0]), dtype=np.int64)
    rows, row_of = np.unique(cells[0], return_inverse=True)
    slow = np.ones(len(rows), dtype=bool)
    if isinstance(exact, ScaledExact) and len(rows):
        p, q, fits = exact.int64_rows(rows)
        fast = fits[row_of]
        scaled = exact.ints[tuple(c[fast] for c in cells)] * p[row_of[fast]]
        out[fast] = -(-scaled // q[row_of[fast]]) if ceil else scaled // q[row_of[fast]]
        slow = ~fits
    for i in np.flatnonzero(slow):
        pick = row_of == i
        scaled_row, q_row = exact.row_scaled(int(rows[i]), tuple(c[pick] for c in cells[1:]))
        out[pick] = -(-scaled_row // q_row) if ceil else scaled_row // q_row
    return out


def _round(
    x: np.ndarray,
    exact_at: ExactAt,
    where: np.ndarray | bool,
    float_round: Callable[[np.ndarray], np.ndarray],
    exact_round: Callable[[Fraction], int],
) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    small = x <= MAX_SHARES  # False for +inf
    counted = small & where  # the cells rounded here (a new array)
    safe = np.where(counted, x, 0.0)
    out = float_round(safe).astype(np.int64)
    if not small.all():
        out[~small] = OVER_LIMIT
    gap = np.rint(safe)  # |safe − rint(safe)| <= tol(safe), in place: two temporaries, not six
    np.subtract(safe, gap, out=gap)
    np.abs(gap, out=gap)
    tol = np.abs(safe, out=safe)
    tol *= NEAR_REL
    tol += NEAR_ABS
    near = np.less_equal(gap, tol, out=small)
    near &= counted
    if isinstance(exact_at, (ScaledExact, SumScaledExact)):
        cells = np.nonzero(near)
        out[cells] = exact_at.rounded_at(cells, ceil=exact_round is math.ceil)
        return out
    for index in zip(*np.nonzero(near)):
        cell = tuple(int(i) for i in index)
        out[cell] = exact_round(exact_at(cell))
    return out


def floor_shares(x: np.ndarray, exact_at: ExactAt, where: np.ndarray | bool = True) -> np.ndarray:
    """int64 ``floor(exact)`` on ``where`` cells (0 elsewhere; OVER_LIMIT past MAX_SHARES).

    ``x`` approximates the exact value in float64; ``exact_at(index)`` gives it exactly.
    """
    return _round(x, exact_at, where, np.floor, math.floor)


def ceil_shares(x: np.ndarray, exact_at: ExactAt, where: np.ndarray | bool = True) -> np.ndarray:
    """int64 ``ceil(exact)`` on ``where`` cells (0 elsewhere; OVER_LIMIT past MAX_SHARES)."""
    return _round(x, exact_at, where, np.ceil, math.ceil)


def near_tolerance(x: np.ndarray) -> np.ndarray:
    """``tol(x)``: a bound on the float64 error of an approximated count, with a wide margin."""
    return NEAR_ABS + NEAR_REL * np.abs(x)
