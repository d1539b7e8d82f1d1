"""Named rounding rules for share counts computed in float64 arrays.

Vectorized paths compute share quotients in binary floating point, where a value that
is an integer in exact arithmetic (1,885,000 × 168.3502 = 317,340,127) can come out a
hair below or above it. Before rounding, values are snapped by

    tol(x) = SNAP_ABS_SHARES + |x| × SNAP_REL

    floor_shares(x) = floor(x + tol(x))   issuer delivers whole shares (cash in lieu)
    ceil_shares(x)  = ceil(x − tol(x))    issuer issues enough shares to raise the cash

The rounding is exact whenever the true fractional part is farther than tol(x) from an
integer: always so for 4-decimal conversion rates times whole shares at LP = $1,000
(fractions are multiples of 0.0001) and for cents-denominated cash over cents prices.
Exact ``Fraction`` arithmetic lives in ``calc.conversion`` and the tests compare both.
"""

from __future__ import annotations

import numpy as np

SNAP_ABS_SHARES = 1e-6
SNAP_REL = 1e-13


def _tolerance(x: np.ndarray) -> np.ndarray:
    return SNAP_ABS_SHARES + np.abs(x) * SNAP_REL


def floor_shares(x: np.ndarray) -> np.ndarray:
    """floor(x) with floating-point snap; int64."""
    x = np.asarray(x, dtype=float)
    return np.floor(x + _tolerance(x)).astype(np.int64)


def ceil_shares(x: np.ndarray) -> np.ndarray:
    """ceil(x) with floating-point snap; int64."""
    x = np.asarray(x, dtype=float)
    return np.ceil(x - _tolerance(x)).astype(np.int64)
