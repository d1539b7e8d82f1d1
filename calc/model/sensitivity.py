"""Price sensitivity: new shares at the horizon against the common price.

For each price P in a grid, four variants of the scenario run as one batch:
  dividend_shares     dividends paid in stock, no put, no conversion
  put_stock_shares    every share put at the put dates in the window, settled in stock
  conversion_shares   every share converted at the horizon (LP as the dividend policy leaves it)
  scenario_new_shares the scenario as specified
Stock settlement issues ≈ N × LP / P shares and conversion N × LP / 1000 × CR, so stock
settlement overtakes conversion below the conversion price 1000 / CR ($5.94).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from calc.model.allocation import HolderBook
from calc.model.capacity import StockCaps
from calc.model.params import ScenarioParams
from calc.model.scenario import run_batch
from calc.model.terms import Terms


def price_grid(low_usd: float = 0.25, high_usd: float = 10.0, points: int = 79) -> np.ndarray:
    """Evenly spaced prices from ``low_usd`` to ``high_usd`` inclusive."""
    return np.linspace(low_usd, high_usd, points)


def price_sensitivity(
    params: ScenarioParams, prices: np.ndarray, terms: Terms, book: HolderBook, caps: StockCaps
) -> pd.DataFrame:
    """One row per price: the four share counts described in the module docstring."""
    variants: dict[str, dict[str, Any]] = {
        "dividend_shares": dict(dividend_policy="stock", put="none", conversion="none", exchange_date=None),
        "put_stock_shares": dict(put="all", put_settlement="stock", conversion="none"),
        "conversion_shares": dict(put="none", conversion="all", conversion_date=params.horizon),
        "scenario_new_shares": {},
    }
    sources = {
        "dividend_shares": "dividend_shares",
        "put_stock_shares": "redemption_shares",
        "conversion_shares": "conversion_shares",
        "scenario_new_shares": "new_shares",
    }
    batch = [dataclasses.replace(params, price=float(p), **changes) for changes in variants.values() for p in prices]
    summary = run_batch(batch, terms, book, with_holders=False, caps=caps).summary
    frame = pd.DataFrame({"price_usd": prices})
    for i, name in enumerate(variants):
        frame[name] = summary[sources[name]].to_numpy()[i * len(prices) : (i + 1) * len(prices)]
    return frame
