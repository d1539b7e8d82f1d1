"""The deterministic common price of a scenario on its dates: the drift path, or a dated price path (issue 22).

Notation: S(d) the price on date d, t(d) years from the valuation date v (``calc.model.schedule``), p and g the
scenario's ``price`` and ``annual_drift``, P(d) a price path's close on d by its rule (``calc.model.price_path``:
previous close, or log-linear between closes; the last close after it).

  no path   S(d) = p × (1 + g)^t(d)                       (``calc.model.schedule.deterministic_prices``)
  a path    S(d) = P(d)                                   (``price`` and ``annual_drift`` are not used)
  a path scaled to a start price s (a price sweep: break-even, the securities' start-price stack):
            S_s(d) = s × P(d) / P(a)   with a the anchor date (the exchange date, the valuation date), so
            S_s(a) = s and the path keeps its shape

Stock dividends (LP × r / (S × sale_factor)), stock-settled puts and redemptions (LP / (S × put_factor)), the
conversion decisions and the break-even all read S(d). A Monte Carlo path is S(d) × exp(σ W_t − σ² t / 2)
(``calc.model.montecarlo.gbm_prices``): with a price path, the path is its median's drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from calc.model.price_path import PricePath
from calc.model.schedule import deterministic_prices


def _days(dates: Sequence[dt.date]) -> np.ndarray:
    return np.array(dates, dtype="datetime64[D]")


def base_prices(
    price_usd: np.ndarray, drift: np.ndarray, dates: Sequence[dt.date], years: np.ndarray, path: PricePath | None
) -> np.ndarray:
    """(P, E) prices S(d) of P scenarios on ``dates`` (module docstring): the drift path, or the price path's
    closes (the same for every scenario)."""
    if path is None:
        return deterministic_prices(price_usd, drift, years)
    closes = path.close_usd(_days(dates))
    return np.repeat(closes[None, :], len(price_usd), axis=0)


def path_words(path: PricePath | None) -> str:
    """The path in words for the narrative ("" without one): its label and the rule between closes."""
    if path is None:
        return ""
    return f"{path.label}, {'previous close' if path.rule == 'previous' else 'log-linear'} between closes"


def path_shape(path: PricePath | None, dates: Sequence[dt.date], anchor: dt.date) -> np.ndarray | None:
    """P(d) / P(a) on ``dates`` (None without a path): multiply by a start price s for S_s(d)."""
    if path is None:
        return None
    return path.close_usd(_days(dates)) / path.close_on(anchor)
