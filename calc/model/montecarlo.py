"""Monte Carlo: geometric Brownian motion prices at the event dates, same policies.

Price at event time t_e (years since the valuation date), path p:
    S_pe = S_0 × (1 + drift)^t_e × exp(σ W_pe − σ² t_e / 2)
    W_pe = Σ_{k<=e} sqrt(t_k − t_{k−1}) × Z_pk,   Z ~ N(0, 1) i.i.d. (seeded)
so E[S_pe] = S_0 (1 + drift)^t_e and σ = 0 reproduces the deterministic path exactly: the prices are the
deterministic path's floats (``calc.model.schedule.deterministic_prices``) times the shock, which is exp(0) = 1 at
t = 0 and at σ = 0, so every count there equals the scenario's.
Each path runs through ``calc.model.engine.run_paths`` (rational choices use that path's
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

Tails are results: every path, those past the model limit included, is checked against the caps of
``calc.model.capacity`` (``calc.model.capacity_tails``): the run reports the probability of each breach and the
distribution of the shares the breaching settlements need (``MonteCarloResult.capacity``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calc.errors import InputError
from calc.model.allocation import HolderBook
from calc.model.capacity import StockCaps
from calc.model.capacity_tails import BREACHES, CapacityTails, over_limit_breaches, path_breaches, summarize
from calc.model.engine import Policies, ShareLimitError
from calc.model.inputs_registry import PATHS, SEED, VOLATILITY, span
from calc.model.issuance import ISSUANCE_SOURCES
from calc.model.ledger import Event
from calc.model.params import ScenarioParams, shown_value
from calc.model.price_path import PricePath
from calc.model.rounding import MAX_SHARES
from calc.model.scenario import project, scenario_plan, scenario_schedule
from calc.model.scenario_prices import base_prices
from calc.model.schedule import Schedule, deterministic_prices
from calc.model.terms import Terms

PERCENTILES = (5, 25, 50, 75, 95)
SOURCE_PERCENTILES = (5, 50, 95)  # of the horizon's new shares by source
CHUNK_PATHS = 20_000
SOURCES = tuple(s.summary_column for s in ISSUANCE_SOURCES)  # calc.model.issuance


@dataclass(frozen=True)
class MonteCarloResult:
    """Statistics of the paths within the model limit: every path unless ``over_limit_paths`` > 0 (a minority of
    paths issuing more than 10^15 new common shares, left out when the run allowed it; ``coverage`` says so)."""

    schedule: Schedule
    total_percentiles: pd.DataFrame  # date, event, p5 ... p95 of total common outstanding
    new_percentiles: pd.DataFrame  # same for cumulative new shares
    horizon_total_shares: np.ndarray  # (paths within the limit,) total common outstanding at the horizon
    horizon_new_by_source: pd.DataFrame  # mean/p5/p50/p95 of dividend, conversion, redemption shares
    exceeds_authorized_probability: float  # share of the paths within the limit
    paths: int = 0  # paths simulated
    over_limit_paths: int = 0  # paths past the model limit, left out of every statistic above
    over_limit_first: str = ""  # the first of them: 'path 675, redemption shares at 2031-08-01'
    capacity: CapacityTails | None = None  # breaches of the caps over every simulated path (calc.model.capacity_tails)

    @property
    def statistics_paths(self) -> int:
        """The paths the statistics are of."""
        return self.paths - self.over_limit_paths

    @property
    def over_limit_share(self) -> float:
        """Share of all paths left out (0 to 1)."""
        return self.over_limit_paths / self.paths if self.paths else 0.0

    @property
    def coverage(self) -> str | None:
        """What the statistics leave out, in words (None: every path is in them)."""
        if not self.over_limit_paths:
            return None
        return (
            f"{self.over_limit_paths:,} of {self.paths:,} paths ({self.over_limit_share:.2%}) issue more new common "
            f"shares than the model limit of {MAX_SHARES:,} (10^15) (first: {self.over_limit_first}) and are left "
            f"out: every percentile and probability is of the other {self.statistics_paths:,} paths, conditional on "
            "staying within the limit"
        )


def validate_mc(volatility: float, paths: int, seed: int) -> None:
    problems = []
    if not VOLATILITY.within(volatility):  # False for NaN
        problems.append(f"volatility: {volatility:.6g} must be from {span(VOLATILITY)} (annualized)")
    if not PATHS.within(paths):
        problems.append(f"paths: {shown_value(paths)} must be from {span(PATHS)}")
    if not SEED.within(seed):
        problems.append(f"seed: {shown_value(seed)} must be from {span(SEED)}")
    if problems:
        raise InputError(f"invalid Monte Carlo settings: {len(problems)} problem(s)", tuple(problems))


def over_limit_count(over_limit: list[tuple[int, ShareLimitError]]) -> int:
    """Paths past the model limit over every chunk."""
    return sum(len(exc.paths) for _, exc in over_limit)


def first_over_limit(over_limit: list[tuple[int, ShareLimitError]]) -> str:
    """'path 675, redemption shares at 2031-08-01': the first path past the model limit (1-based)."""
    start, first = over_limit[0]
    return f"path {start + int(first.paths[0]) + 1:,}, {first.where}"


def report_over_limit(
    over_limit: list[tuple[int, ShareLimitError]], paths: int, minority_allowed: bool = False
) -> None:
    """InputError counting the paths past the model limit (never wrapped or dropped); ``minority_allowed``:
    the run would have left out a minority, so the message says these are at least half."""
    if not over_limit:
        return
    count = over_limit_count(over_limit)
    why = "; at least half of the paths, so no statistics of the rest are given" if minority_allowed else ""
    raise InputError(
        f"Monte Carlo: {count:,} of {paths:,} paths issue more new common shares than the model "
        f"limit of {MAX_SHARES:,} (10^15) (first: {first_over_limit(over_limit)}){why}; lower the volatility "
        "or raise the price or drift"
    )


def gbm_prices(
    params: ScenarioParams,
    years: np.ndarray,
    volatility: float,
    paths: int,
    rng: np.random.Generator,
    base: np.ndarray | None = None,
) -> np.ndarray:
    """(paths, E) GBM prices at the event times (see the module docstring), computed as the deterministic
    path ``calc.model.schedule.deterministic_prices`` times ``exp(σ W − σ² t / 2)``: where the shock is 0 (t = 0, or
    σ = 0) the price is the scenario's own float, not ``exp(log S_0)`` (which turned $5 into 4.999999999999999,
    then read exactly as that rational: one share off the scenario, issue 20 item 5). ``base`` (E,): another
    deterministic path (a dated price path, ``calc.model.scenario_prices``) in place of the drift path."""
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
    w *= (
        deterministic_prices(np.array([params.price]), np.array([params.annual_drift]), years) if base is None else base
    )
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
    *,
    terms: Terms,
    book: HolderBook,
    caps: StockCaps,
    progress: Callable[[int, int], None] | None = None,
    events: tuple[Event, ...] = (),
    exclude_over_limit: bool = False,
    prices_path: PricePath | None = None,
) -> MonteCarloResult:
    """Simulate ``paths`` GBM price paths through the scenario's policies; ``events`` (ledger rows)
    are the same on every path; ``prices_path``: a dated price path as the deterministic drift (each path is
    its close times the shock).

    Paths whose new common shares pass the model limit (``calc.model.engine.ShareLimitError``) make the run an
    ``InputError`` counting them, unless ``exclude_over_limit`` and they are fewer than half of the paths:
    then they are left out of every statistic, which is of the other paths (``MonteCarloResult.coverage``
    says how many and which share; the caller shows it with the statistics). Each path is projected
    alone of the others, so a path's counts do not depend on which paths are left out."""
    validate_mc(volatility, paths, seed)
    plan = scenario_plan(params, events, terms, book)
    schedule = scenario_schedule(params, terms, plan)
    rng = np.random.default_rng(seed)
    policy = Policies.from_params([params])
    base = None
    if prices_path is not None:
        price, drift = np.array([params.price]), np.array([params.annual_drift])
        base = base_prices(price, drift, schedule.dates, schedule.years, prices_path)[0]
    cumulative: list[np.ndarray] = []  # per chunk (count, L): new shares on its live columns (constant after)
    sources = np.empty((paths, len(SOURCES)), dtype=np.int64)
    within = np.ones(paths, dtype=bool)  # the paths inside the model limit
    over_limit: list[tuple[int, ShareLimitError]] = []
    breach_flags = np.zeros((paths, len(BREACHES)), dtype=bool)  # every path, the over-limit ones included
    needed = np.zeros(paths, dtype=np.int64)
    for start in range(0, paths, CHUNK_PATHS):
        count = min(CHUNK_PATHS, paths - start)
        prices = gbm_prices(params, schedule.years, volatility, count, rng, base)
        rows = np.arange(start, start + count)
        try:
            result = project(schedule, prices, policy.repeat(count), terms, plan, caps=caps)
        except ShareLimitError as exc:
            over_limit.append((start, exc))
            breach_flags[start + exc.paths], needed[start + exc.paths] = over_limit_breaches(len(exc.paths))
            if not exclude_over_limit:
                continue
            within[start + exc.paths] = False
            keep = np.flatnonzero(within[start : start + count])
            if not len(keep):
                continue
            # the chunk's other paths alone (each path's counts do not depend on the others)
            result = project(schedule, prices[keep], policy.repeat(len(keep)), terms, plan, caps=caps)
            rows = start + keep
        cumulative.append(result.cumulative_live)
        breach_flags[rows], needed[rows] = path_breaches(result, params.base_shares, caps, terms)
        totals = result.totals()
        sources[rows] = np.stack([totals[s] for s in SOURCES], axis=1)
        if progress:
            progress(start + count, paths)
    over = over_limit_count(over_limit)
    if not exclude_over_limit or 2 * over >= paths:
        report_over_limit(over_limit, paths, minority_allowed=exclude_over_limit)
    sources = sources[within]
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
        paths=paths,
        over_limit_paths=over,
        over_limit_first=first_over_limit(over_limit) if over_limit else "",
        capacity=summarize(breach_flags, needed),
    )
