"""Section "Monte Carlo": random price paths through the scenario's choices. Computed only while this section is
open (runs are kept per session in ``dashboard.cache``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from calc.errors import InputError
from calc.model.capacity_tails import CapacityTails
from calc.model.inputs_registry import PATHS, span
from calc.outputs import formats
from charts import figures
from dashboard import cache, formatting
from dashboard.context import Page
from dashboard.formatting import pct, shares
from dashboard.safe import error_lines
from dashboard.widgets import chart, download, file_name

MC_AUTO_PATHS = 50_000  # Monte Carlo reruns by itself up to this many paths; above, on the button
# column -> (header, help); short headers so the four columns fit beside the source at 1024 px
STAT_LABELS = {
    "mean": ("Mean", "average across the paths"),
    "p5": ("5th pct.", "5th percentile across the paths"),
    "p50": ("Median", "50th percentile across the paths"),
    "p95": ("95th pct.", "95th percentile across the paths"),
}


def source_rows(by_source: pd.DataFrame) -> pd.DataFrame:
    """``MonteCarloResult.horizon_new_by_source`` for the page: one row per source under its human label
    (``formatting.label``: ``dividend_shares`` -> "New from dividends"), counts rounded to whole shares."""
    rows = by_source.round(0)
    rows.insert(0, "source", [formatting.label(str(name)) for name in rows.index])
    return rows.reset_index(drop=True)


def source_config(rows: pd.DataFrame) -> dict[str, Any]:
    """Headers in words (``STAT_LABELS``), counts with separators."""
    config: dict[str, Any] = {"source": st.column_config.TextColumn("Source", width=170)}
    for column in rows.columns[1:]:
        head, hint = STAT_LABELS.get(column, (column, ""))
        config[column] = st.column_config.NumberColumn(
            head, format=formats.TABLE_FORMATS["shares"], help=f"new shares at the horizon: {hint}", width=95
        )
    return config


def render(page: Page) -> None:
    assert page.params is not None and page.result is not None
    st.caption(
        "Random common-price paths (geometric Brownian motion around the sidebar's price and drift) run "
        "through the same dividend, put and conversion choices; the bands show the spread of total common "
        f"outstanding. Runs by itself up to {MC_AUTO_PATHS:,} paths; larger runs start on the button."
    )
    c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
    vol = c1.number_input(
        "Volatility (annualized)",
        value=0.60,
        step=0.05,
        format="%.2f",
        key="mc_volatility",
        help="σ of the log price per year, ≥ 0 (0 reproduces the deterministic path). CLI: `montecarlo --volatility`.",
    )
    paths = c2.number_input(
        "Paths", value=PATHS.default, step=10_000, key="mc_paths", help=f"{span(PATHS)}. CLI: `montecarlo --paths`."
    )
    seed = c3.number_input(
        "Seed",
        value=0,
        step=1,
        key="mc_seed",
        help="random seed, ≥ 0 (same seed, same paths). CLI: `montecarlo --seed`.",
    )
    clicked = c4.button("Run Monte Carlo", key="mc_run", type="primary")
    run_key = (page.key, float(vol), int(paths), int(seed))
    outcome = cache.monte_carlo_kept(run_key)
    if outcome is None and (clicked or paths <= MC_AUTO_PATHS):
        bar = st.progress(0.0, text="Monte Carlo: starting")

        def report(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Monte Carlo: {done:,} of {total:,} paths")

        outcome = cache.monte_carlo(
            run_key, page.params, float(vol), int(paths), int(seed), page.events, report, page.book, page.prices
        )
        bar.empty()
    if outcome is None:
        st.info(f"{int(paths):,} paths: press **Run Monte Carlo** to start.")
        return
    if isinstance(outcome, InputError):
        st.error(error_lines(outcome))
        return
    if outcome.coverage:  # a minority of paths passed the model limit: the statistics are of the others
        st.warning(error_lines(outcome.coverage))
    percentiles = outcome.total_percentiles
    fig = figures.fan_figure(percentiles, page.terms.market.authorized_common_shares, page.result.timeline)
    chart(fig, "lucent_monte_carlo", "chart_monte_carlo")
    settled = figures.settle_date(percentiles)
    flat = (
        f" After {formats.day(settled)} no path issues new shares (the preferred is gone on every path): the fan stops "
        "moving and stays flat to the horizon."
        if settled
        else ""
    )
    st.caption(
        f"{formats.shares(int(paths))} paths, volatility {formats.number(float(vol))}, seed {int(seed)}. "
        "Box: middle 50% of paths on each event date; whiskers: middle 90%; line: median; dotted: the deterministic "
        "scenario. "
        f"Probability that total common exceeds the authorized shares at the horizon: "
        f"**{pct(100 * outcome.exceeds_authorized_probability)}**.{flat} " + figures.PNG_NOTE
    )
    if outcome.capacity is not None:
        render_capacity(outcome.capacity, outcome.paths)
    st.markdown("**New shares at the horizon by source, across paths**")
    by_source = source_rows(outcome.horizon_new_by_source)
    st.dataframe(by_source, width="stretch", hide_index=True, column_config=source_config(by_source))
    with st.container(horizontal=True, wrap=True):
        download(
            "Percentiles (CSV)",
            percentiles,
            file_name(f"monte_carlo_{int(paths)}p_seed{int(seed)}", page.scenario_id),
            "dl_monte_carlo",
        )


def render_capacity(tails: CapacityTails, paths: int) -> None:
    """The caps' tails (``calc.model.capacity_tails``): the probability of each breach over every path, and the shares
    the breaching settlements need."""
    st.markdown(f"**Capacity: breaches of the caps, of all {paths:,} paths** (none left out)")
    rows = pd.DataFrame(
        {
            "breach": [name.replace("_", " ") for name in tails.probability],
            "probability": list(tails.probability.values()),
        }
    )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="mc_capacity",
        column_config={"probability": st.column_config.NumberColumn("probability", format="percent")},
    )
    if tails.shares_needed:
        needed = ", ".join(f"{k} {shares(v)}" for k, v in tails.shares_needed.items())
        st.caption(f"Shares needed by the {tails.breaching_paths:,} breaching settlements: {needed}.")
