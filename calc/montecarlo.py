"""Monte Carlo: geometric Brownian motion prices at the event dates, same policies.

Price at event time t_e (years since the valuation date), path p:
    S_pe = S_0 × (1 + drift)^t_e × exp(σ W_pe − σ² t_e / 2)
    W_pe = Σ_{k<=e} sqrt(t_k − t_{k−1}) × Z_pk,   Z ~ N(0, 1) i.i.d. (seeded)
so E[S_pe] = S_0 (1 + drift)^t_e and σ = 0 reproduces the deterministic path exactly.
Each path runs through ``calc.engine.run_paths`` (rational choices use that path's
price). Percentiles are taken on the empirical distribution without interpolation
(``inverted_cdf``), so each is a share count some path actually reached. Paths are
processed in chunks of ``CHUNK_PATHS`` so memory stays bounded; cost grows linearly in
paths × event dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calc.engine import Policies
from calc.errors import InputError
from calc.ledger import Event
from calc.params import ScenarioParams
from calc.scenario import default_book, project, scenario_plan, scenario_schedule
from calc.schedule import Schedule
from calc.terms import Terms, load_terms

PERCENTILES = (5, 25, 50, 75, 95)
CHUNK_PATHS = 20_000
MAX_PATHS = 1_000_000
SOURCES = ("dividend_shares", "conversion_shares", "redemption_shares", "exchange_shares")


@dataclass(frozen=True)
class MonteCarloResult:
    schedule: Schedule
    total_percentiles: pd.DataFrame  # date, event, p5 ... p95 of total common outstanding
    new_percentiles: pd.DataFrame  # same for cumulative new shares
    horizon_total_shares: np.ndarray  # (paths,) total common outstanding at the horizon
    horizon_new_by_source: pd.DataFrame  # mean/p5/p50/p95 of dividend, conversion, redemption shares
    exceeds_authorized_probability: float


def validate_mc(volatility: float, paths: int, seed: int) -> None:
    problems = []
    if not np.isfinite(volatility) or volatility < 0:
        problems.append(f"volatility: {volatility} must be a number >= 0 (annualized)")
    if not 1 <= paths <= MAX_PATHS:
        problems.append(f"paths: {paths} must be between 1 and {MAX_PATHS:,}")
    if seed < 0:
        problems.append(f"seed: {seed} must be >= 0")
    if problems:
        raise InputError(f"invalid Monte Carlo settings: {len(problems)} problem(s)", tuple(problems))


def gbm_prices(params: ScenarioParams, years: np.ndarray, volatility: float, paths: int,
               rng: np.random.Generator) -> np.ndarray:
    """(paths, E) GBM prices at the event times (see the module docstring)."""
    steps = np.sqrt(np.diff(years))
    shocks = rng.standard_normal((paths, len(steps))) * steps[None, :]
    w = np.concatenate([np.zeros((paths, 1)), np.cumsum(shocks, axis=1)], axis=1)
    log_trend = np.log(params.price) + years * np.log1p(params.annual_drift) - 0.5 * volatility**2 * years
    return np.exp(log_trend[None, :] + volatility * w)


def _frame(schedule: Schedule, pct: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"date": list(schedule.dates), "event": schedule.labels()})
    for q, row in zip(PERCENTILES, pct):
        frame[f"p{q}"] = row
    return frame


def run_monte_carlo(params: ScenarioParams, volatility: float, paths: int, seed: int = 0,
                    terms: Terms | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    events: tuple[Event, ...] = ()) -> MonteCarloResult:
    """Simulate ``paths`` GBM price paths through the scenario's policies; ``events`` (ledger rows)
    are the same on every path."""
    validate_mc(volatility, paths, seed)
    terms = terms or load_terms()
    plan = scenario_plan(params, events, terms, default_book())
    schedule = scenario_schedule(params, terms, plan)
    rng = np.random.default_rng(seed)
    policy = Policies.from_params([params])
    new = np.empty((paths, schedule.size), dtype=np.int64)
    sources = np.empty((paths, len(SOURCES)), dtype=np.int64)
    for start in range(0, paths, CHUNK_PATHS):
        count = min(CHUNK_PATHS, paths - start)
        prices = gbm_prices(params, schedule.years, volatility, count, rng)
        result = project(schedule, prices, policy.repeat(count), terms, plan)
        new[start:start + count] = result.new_shares_cumulative()
        totals = result.totals()
        sources[start:start + count] = np.stack([totals[s] for s in SOURCES], axis=1)
        if progress:
            progress(start + count, paths)
    # total = base + new is a shift, so its percentiles are base + those of new (one pass over the paths)
    new_pct = np.percentile(new, PERCENTILES, axis=0, method="inverted_cdf").astype(np.int64)
    horizon_total = params.base_shares + new[:, -1]
    by_source = pd.DataFrame(sources, columns=list(SOURCES))
    stats = pd.DataFrame({"mean": by_source.mean()} | {
        f"p{q}": by_source.quantile(q / 100, interpolation="lower") for q in (5, 50, 95)})
    return MonteCarloResult(
        schedule=schedule,
        total_percentiles=_frame(schedule, params.base_shares + new_pct),
        new_percentiles=_frame(schedule, new_pct),
        horizon_total_shares=horizon_total,
        horizon_new_by_source=stats,
        exceeds_authorized_probability=float((horizon_total > terms.market.authorized_common_shares).mean()),
    )
