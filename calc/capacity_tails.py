"""Monte Carlo tails as results: on each path, which cap each stock issuance breaches (``calc.capacity``).

Per path p (O_p,e the common outstanding before the issuance at column e, base shares included):
    settlement_needs_shareholder_approval   the exit's stock settlement needs n ≥ 20% × O and was issued in stock
    settlement_exceeds_authorized           it needs O + n > authorized and was issued in stock
    settlement_paid_in_cash                 it breached either cap and the capacity policy paid cash
                                            (``cash_put_allowed = yes``; ``calc.engine``)
    stock_dividend_needs_shareholder_approval   some stock dividend d_e ≥ 20% × O_p,e
    beyond_registered                       dividend + conversion + redemption shares issued to holders over the
                                            window > the supplement's 298,333,998 registered shares
    past_model_limit                        new shares past 10^15 (``calc.engine.ShareLimitError``): the path is
                                            counted here and under settlement_exceeds_authorized (10^15 is far
                                            past the authorized shares), never dropped
The shares needed by a breaching settlement (cash-paid ones included) are kept per path; a path past the
model limit needs "more than 10^15" and is counted at ``OVER_LIMIT``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calc.capacity import StockCaps, registered_pool
from calc.engine import PathResult
from calc.rounding import OVER_LIMIT
from calc.terms import Terms

BREACHES = (
    "settlement_needs_shareholder_approval",
    "settlement_exceeds_authorized",
    "settlement_paid_in_cash",
    "stock_dividend_needs_shareholder_approval",
    "beyond_registered",
    "past_model_limit",
)
NEEDED_PERCENTILES = (5, 50, 95)


def path_breaches(result: PathResult, base_shares: int, caps: StockCaps, terms: Terms) -> tuple[np.ndarray, np.ndarray]:
    """(flags (P, len(BREACHES)) bool, shares needed (P,) int64: 0 unless the settlement breached a cap)."""
    needed, before = result.stock_settlement_shares, result.outstanding_before_exit
    nyse, authorized = caps.nyse_binds(needed, before), caps.authorized_binds(needed, before)
    cash = result.capacity_cash
    dividends = result.dividend_shares_live
    cumulative = result.cumulative_live
    before_dividend = base_shares + np.concatenate([np.zeros((len(needed), 1), np.int64), cumulative[:, :-1]], axis=1)
    totals = result.totals()
    to_holders = totals["dividend_shares"] + totals["conversion_shares"] + totals["redemption_shares"]
    flags = np.column_stack(
        [
            nyse & ~cash,
            authorized & ~cash,
            cash,
            caps.nyse_binds(dividends, before_dividend).any(axis=1),
            to_holders > registered_pool(terms),
            np.zeros(len(needed), dtype=bool),
        ]
    )
    return flags, np.where(nyse | authorized, needed, 0)


def over_limit_breaches(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows for paths past the model limit: exceeds authorized and past the limit, needing > 10^15."""
    flags = np.zeros((count, len(BREACHES)), dtype=bool)
    flags[:, BREACHES.index("settlement_exceeds_authorized")] = True
    flags[:, BREACHES.index("past_model_limit")] = True
    return flags, np.full(count, OVER_LIMIT, dtype=np.int64)


@dataclass(frozen=True)
class CapacityTails:
    """Probability of each breach over every simulated path, and the shares the breaching settlements need."""

    probability: dict[str, float]
    breaching_paths: int  # paths whose settlement breached a cap (cash-paid ones included)
    shares_needed: dict[str, int]  # p5/p50/p95/max over those paths (OVER_LIMIT: more than 10^15)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {f"breach_probability_{k}": v for k, v in self.probability.items()}
        out["breaching_settlement_paths"] = self.breaching_paths
        return out | {f"breaching_settlement_shares_needed_{k}": v for k, v in self.shares_needed.items()}


def summarize(flags: np.ndarray, needed: np.ndarray) -> CapacityTails:
    """The tails of every path (``flags`` (paths, len(BREACHES)), ``needed`` (paths,))."""
    probability = {name: float(flags[:, i].mean()) if len(flags) else 0.0 for i, name in enumerate(BREACHES)}
    breaching = needed[needed > 0]
    shares: dict[str, int] = {}
    if len(breaching):
        values = np.percentile(breaching, NEEDED_PERCENTILES, method="inverted_cdf")
        shares = {f"p{q}": int(v) for q, v in zip(NEEDED_PERCENTILES, values)} | {"max": int(breaching.max())}
    return CapacityTails(probability, len(breaching), shares)
