"""Monte Carlo: geometric Brownian motion prices at the event dates, same policies.

Price at event time t_e (years since the valuation date), path p:
    S_pe = S_0 × (1 + drift)^t_e × exp(σ W_pe − σ² t_e / 2)
    W_pe = Σ_{k<=e} sqrt(t_k − t_{k−1}) × Z_pk,   Z ~ N(0, 1) i.i.d. (seeded)
so E[S_pe] = S_0 (1 + drift)^t_e and σ = 0 reproduces the deterministic path exactly: the prices are the
deterministic path's floats (``calc.schedule.deterministic_prices``) times the shock, which is exp(0) = 1 at
t = 0 and at σ = 0, so every count there equals the scenario's.
Each path runs through ``calc.engine.run_paths`` (rational choices use that path's
price). Every percentile (of the totals per date and of the new shares by source) is taken
on the empirical distribution without interpolation (``inverted_cdf``: the smallest value
with at least q% of the paths at or below it), so each is a share count some path reached. Paths are
processed in chunks of ``CHUNK_PATHS`` so memory stays bounded; cost grows linearly in
paths × event dates.

Chunking does not change results: the normals are drawn row by row (path by path) from one
generator stream, so chunks of any size draw the same Z_pk for path p (``tests/test_montecarlo_kernel.py``
checks chunks of 97 against one chunk). Each chunk keeps its paths' cumulative new shares on its live
columns only (up to its last exit; constant after), and a date where no path's count changed has the
previous date's percentiles, so only the dates where shares were issued are partitioned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calc.data import default_book, load_terms
from calc.dilution import HolderBook
from calc.engine import Policies, ShareLimitError
from calc.errors import InputError
from calc.issuance import ISSUANCE_SOURCES
from calc.ledger import Event
from calc.params import ScenarioParams, shown_value
from calc.rounding import MAX_SHARES
from calc.scenario import project, scenario_plan, scenario_schedule
from calc.schedule import Schedule, deterministic_prices
from calc.terms import Terms

PERCENTILES = (5, 25, 50, 75, 95)
SOURCE_PERCENTILES = (5, 50, 95)  # of the horizon's new shares by source
CHUNK_PATHS = 20_000
MAX_PATHS = 1_000_000
SOURCES = tuple(s.summary_column for s in ISSUANCE_SOURCES)  # calc.issuance
MAX_VOLATILITY = 5.0  # 500% a year: far past any traded stock's volatility
MAX_SEED = 2**63 - 1


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
    if not 0 <= volatility <= MAX_VOLATILITY:  # False for NaN
        problems.append(f"volatility: {volatility:.6g} must be from 0 to {MAX_VOLATILITY:g} (annualized)")
    if not 1 <= paths <= MAX_PATHS:
        problems.append(f"paths: {shown_value(paths)} must be from 1 to {MAX_PATHS:,}")
    if not 0 <= seed <= MAX_SEED:
        problems.append(f"seed: {shown_value(seed)} must be from 0 to 2^63 - 1")
    if problems:
        raise InputError(f"invalid Monte Carlo settings: {len(problems)} problem(s)", tuple(problems))


def report_over_limit(over_limit: list[tuple[int, ShareLimitError]], paths: int) -> None:
    """InputError counting the paths past the model limit (never wrapped or dropped)."""
    if not over_limit:
        return
    count = sum(len(exc.paths) for _, exc in over_limit)
    start, first = over_limit[0]
    raise InputError(
        f"Monte Carlo: {count:,} of {paths:,} paths issue more new common shares than the model "
        f"limit of {MAX_SHARES:,} (10^15) (first: path {start + int(first.paths[0]) + 1:,}, "
        f"{first.where}); lower the volatility or raise the price or drift"
    )


def gbm_prices(
    params: ScenarioParams, years: np.ndarray, volatility: float, paths: int, rng: np.random.Generator
) -> np.ndarray:
    """(paths, E) GBM prices at the event times (see the module docstring), computed as the deterministic
    path ``calc.schedule.deterministic_prices`` times ``exp(σ W − σ² t / 2)``: where the shock is 0 (t = 0, or
    σ = 0) the price is the scenario's own float, not ``exp(log S_0)`` (which turned $5 into 4.999999999999999,
    then read exactly as that rational: one share off the scenario, issue 20 item 5)."""
    steps = np.sqrt(np.diff(years))
    shocks = rng.standard_normal((paths, len(steps)))  # drawn once per chunk; every step below in place
    shocks *= steps[None, :]
    w = np.empty((paths, len(years)))
    w[:, 0] = 0.0
    np.cumsum(shocks, axis=1, out=w[:, 1:])
    del shocks
    w *= volatility
    w -= (0.5 * volatility**2 * years)[None, :]
    np.exp(w, out=w)
    # the deterministic path times the shock: exactly the scenario's prices where no randomness moved them
    # (the valuation date; every date at zero volatility, where the shock is exp(0) = 1)
    w *= deterministic_prices(np.array([params.price]), np.array([params.annual_drift]), years)
    return w


def date_percentiles(chunks: list[np.ndarray], dates: int) -> np.ndarray:
    """(len(PERCENTILES), dates) percentiles (``inverted_cdf``) of each date's cumulative new shares over all
    paths; ``chunks`` hold the paths' values on their live columns (constant after the last one).

    A date where no path's count changed from the previous date has the previous date's percentiles, so
    only the dates where some path issued shares are partitioned (each once, in a contiguous copy)."""
    out = np.empty((len(PERCENTILES), dates), dtype=np.int64)
    changed = np.zeros(dates, dtype=bool)
    changed[0] = True
    for c in chunks:
        changed[1 : c.shape[1]] |= (c[:, 1:] != c[:, :-1]).any(axis=0)
    for e in range(dates):
        if not changed[e]:
            out[:, e] = out[:, e - 1]
            continue
        values = np.concatenate([c[:, min(e, c.shape[1] - 1)] for c in chunks])
        out[:, e] = np.percentile(values, PERCENTILES, method="inverted_cdf", overwrite_input=True)
    return out


def _frame(schedule: Schedule, pct: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"date": list(schedule.dates), "event": schedule.labels()})
    for q, row in zip(PERCENTILES, pct):
        frame[f"p{q}"] = row
    return frame


def run_monte_carlo(
    params: ScenarioParams,
    volatility: float,
    paths: int,
    seed: int = 0,
    terms: Terms | None = None,
    progress: Callable[[int, int], None] | None = None,
    events: tuple[Event, ...] = (),
    book: HolderBook | None = None,
) -> MonteCarloResult:
    """Simulate ``paths`` GBM price paths through the scenario's policies; ``events`` (ledger rows)
    are the same on every path."""
    validate_mc(volatility, paths, seed)
    terms = terms or load_terms()
    plan = scenario_plan(params, events, terms, book or default_book())
    schedule = scenario_schedule(params, terms, plan)
    rng = np.random.default_rng(seed)
    policy = Policies.from_params([params])
    cumulative: list[np.ndarray] = []  # per chunk (count, L): new shares on its live columns (constant after)
    sources = np.empty((paths, len(SOURCES)), dtype=np.int64)
    over_limit: list[tuple[int, ShareLimitError]] = []
    for start in range(0, paths, CHUNK_PATHS):
        count = min(CHUNK_PATHS, paths - start)
        prices = gbm_prices(params, schedule.years, volatility, count, rng)
        try:
            result = project(schedule, prices, policy.repeat(count), terms, plan)
        except ShareLimitError as exc:
            over_limit.append((start, exc))
            continue
        cumulative.append(result.cumulative_live)
        totals = result.totals()
        sources[start : start + count] = np.stack([totals[s] for s in SOURCES], axis=1)
        if progress:
            progress(start + count, paths)
    report_over_limit(over_limit, paths)
    # total = base + new is a shift, so its percentiles are base + those of new (one pass over the paths)
    horizon_total = params.base_shares + np.concatenate([c[:, -1] for c in cumulative])
    new_pct = date_percentiles(cumulative, schedule.size)
    source_pct = np.percentile(sources, SOURCE_PERCENTILES, axis=0, method="inverted_cdf").astype(np.int64)
    stats = pd.DataFrame(
        {"mean": sources.mean(axis=0)} | {f"p{q}": row for q, row in zip(SOURCE_PERCENTILES, source_pct)},
        index=list(SOURCES),
    )
    return MonteCarloResult(
        schedule=schedule,
        total_percentiles=_frame(schedule, params.base_shares + new_pct),
        new_percentiles=_frame(schedule, new_pct),
        horizon_total_shares=horizon_total,
        horizon_new_by_source=stats,
        exceeds_authorized_probability=float((horizon_total > terms.market.authorized_common_shares).mean()),
    )
