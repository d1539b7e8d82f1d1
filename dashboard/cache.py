"""Every cache of the dashboard, in one place; each mechanism chosen on purpose.

- ``st.cache_resource`` (shared by every session, returned as is, never copied): terms, the shipped register,
  holder books, scenario results, sensitivity frames, figures and break-even curves. They are read-only for
  the page (nothing mutates a cached object), large, and keyed by content (scenario inputs as JSON, holder
  register and grants by content hash), so copying them on every rerun (what ``st.cache_data`` does) would
  only cost time.
- ``st.cache_data`` (copied per caller): the employee-option frames, small frames that the options section
  reshapes for display, so each caller gets its own copy.
- A per-session LRU (``monte_carlo``): Monte Carlo runs on demand, draws a progress bar while it computes and
  holds one session's exploratory runs; it is kept in ``st.session_state`` (``MC_KEEP`` runs), not shared.
A rerun that changes nothing recomputes nothing, and going back to an earlier input is a cache hit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_desk, load_desk_facts, load_register, load_terms
from calc.inputs.params import default_params
from calc.model.allocation import HolderBook
from calc.model.breakeven import MAX_PRICE_USD, MIN_PRICE_USD, breakeven_report, flat_wait, setup
from calc.model.inducement import inducement_comparison
from calc.model.ledger import Event
from calc.model.montecarlo import MonteCarloResult, run_monte_carlo
from calc.model.offer import Desk
from calc.model.options import Grant, option_timeline, tsm_curve
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario import ScenarioResult, run_scenario
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.model.terms import Terms
from calc.model.valuation import Valuation, ValuationPolicy, value_preferred
from calc.scenario_doc import ScenarioDoc
from calc.scenario_run import Resolved, resolve
from charts import figures
from dashboard.store import params_to_json


@st.cache_resource(show_spinner=False)
def terms() -> Terms:
    return load_terms()


@st.cache_resource(show_spinner=False)
def defaults() -> ScenarioParams:
    return default_params(terms())


@st.cache_resource(show_spinner=False)
def desk() -> Desk:
    """What the offer evaluator reads (``calc.inputs.data.load_desk``)."""
    return load_desk()


@st.cache_resource(show_spinner=False)
def replayed_2002_exchanges() -> dict[str, object]:
    """The replayed 2002 exchanges beside the reported inducement (``calc.model.inducement``)."""
    d = desk()
    return inducement_comparison(d.terms, d.facts, d.history)


@st.cache_resource(show_spinner=False)
def filing_register() -> pd.DataFrame:
    return load_register()


@st.cache_resource(show_spinner=False, max_entries=256)
def resolved(doc_key: str, _doc: ScenarioDoc) -> Resolved:
    """The document's parts read and checked (``calc.scenario_run.resolve``); ``doc_key`` is ``_doc.key``."""
    return resolve(_doc, terms())


@st.cache_resource(show_spinner=False, max_entries=256)
def result(doc_key: str, _resolved: Resolved) -> ScenarioResult:
    """The scenario of a resolved document (``doc_key``: its content hash)."""
    r = _resolved
    return run_scenario(r.params, terms(), r.book, r.events, r.prices, caps=load_caps(), facts=load_desk_facts())


def doc_result(doc: ScenarioDoc) -> ScenarioResult:
    """``result`` of a document (``InputError`` when its parts do not fit)."""
    return result(doc.key, resolved(doc.key, doc))


@st.cache_resource(show_spinner=False, max_entries=128)
def sensitivity(params_json_any_price: str, _params: ScenarioParams) -> pd.DataFrame:
    """``price_sensitivity`` replaces the price, so the key ignores it."""
    return price_sensitivity(_params, price_grid(), terms(), book=default_book(), caps=load_caps())


@st.cache_resource(show_spinner=False, max_entries=256)
def issuance_figures(
    params_json: str, book_token: str, _params: ScenarioParams, _result: ScenarioResult
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """Issuance (base plus new shares), new shares per date by source, dilution % over time."""
    timeline = _result.timeline
    return (
        figures.issuance_figure(timeline, _params.base_shares, terms().market.authorized_common_shares),
        figures.new_shares_figure(timeline),
        figures.dilution_figure(timeline),
    )


@st.cache_resource(show_spinner=False, max_entries=256)
def sensitivity_figure(
    params_json: str, _params: ScenarioParams, _result: ScenarioResult, _sensitivity: pd.DataFrame
) -> go.Figure:
    return figures.sensitivity_figure(
        _sensitivity,
        figures.horizon_conversion_price(_result.timeline),
        _params.price,
        figures.binding_prices(_result),
    )


@st.cache_resource(show_spinner=False, max_entries=256)
def concentration_figure(params_json: str, book_token: str, _result: ScenarioResult) -> go.Figure:
    return figures.concentration_figure(_result.holders)


def key_of(params: ScenarioParams) -> str:
    return params_to_json(params)


def key_any_price(params: ScenarioParams) -> str:
    return params_to_json(dataclasses.replace(params, price=1.0))


# --- employee options (st.cache_data: small frames, a copy per caller) ------------------------------------

TSM_PRICES_USD = (0.25, 10.0, 40)  # price_grid(low, high, points): $0.25 steps up to $10


def grants_key(grants: list[Grant]) -> str:
    """Content hash of the loaded grants (grants hold mapping proxies, so ``st.cache_data`` cannot hash them)."""
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:16]


@st.cache_data(show_spinner=False, max_entries=16)
def option_frame(key: str, _grants: list[Grant]) -> pd.DataFrame:
    """``calc.model.options.option_timeline`` of the grants whose content hash is ``key``."""
    return option_timeline(_grants)


@st.cache_data(show_spinner=False, max_entries=64)
def tsm_frame(key: str, as_of: dt.date, _grants: list[Grant]) -> pd.DataFrame:
    """``calc.model.options.tsm_curve`` over ``calc.model.sensitivity.price_grid`` for the grants hashed as ``key``."""
    return tsm_curve(_grants, as_of, [Decimal(str(p)) for p in price_grid(*TSM_PRICES_USD)])


# --- ledger break-even (st.cache_resource) ---------------------------------------------------------------

BREAKEVEN_POINTS = 400


@st.cache_resource(show_spinner=False, max_entries=64)
def breakeven(
    doc_key: str,
    ratio: float,
    date: str,
    _params: ScenarioParams,
    _events: tuple[Event, ...],
    _book: HolderBook,
    _prices: PricePath | None = None,
) -> tuple[dict[str, object], np.ndarray, np.ndarray]:
    """Break-even report and the wait curve over ``BREAKEVEN_POINTS`` flat prices (log-spaced; with a price path,
    the path scaled to each price on the date); ``doc_key`` identifies the parameters, ledger rows, holder data
    and price path."""
    s = setup(_params, date, _events, book=_book, terms=load_terms(), prices_path=_prices, caps=load_caps())
    prices = np.geomspace(MIN_PRICE_USD * 10, MAX_PRICE_USD / 10, BREAKEVEN_POINTS)
    return breakeven_report(s, ratio), prices, flat_wait(s, prices).wait


FAIR_VALUE_POINTS = 60  # prices on the fair-value curve (log-spaced)


@st.cache_resource(show_spinner=False, max_entries=64)
def fair_value(
    price: float,
    day: str,
    volatility: float,
    rate: float,
    spread: float,
    steps: int,
    convention: str,
    _policy: ValuationPolicy,
    policy_key: str,
) -> tuple[Valuation, Valuation]:
    """The valuation at the scenario's price and the curve over ``FAIR_VALUE_POINTS`` prices from a tenth to ten
    times it (one lattice sweep); ``policy_key`` identifies the policy."""

    def at(prices: float | np.ndarray, split: bool) -> Valuation:
        return value_preferred(
            prices,
            volatility_rate=volatility,
            risk_free_rate=rate,
            spread_rate=spread,
            steps=steps,
            valuation_date=dt.date.fromisoformat(day),
            policy=_policy,
            convention=convention,  # type: ignore[arg-type]
            split=split,
            terms=load_terms(),
        )

    curve = np.clip(np.geomspace(price / 10, price * 10, FAIR_VALUE_POINTS), 0.01, 100_000.0)
    return at(price, True), at(curve, False)


# --- Monte Carlo (per-session LRU) ---------------------------------------------------------------------------

MC_KEEP = 8  # Monte Carlo results kept per session
MC_STATE = "mc_results"


def monte_carlo_kept(run_key: tuple) -> MonteCarloResult | InputError | None:
    """A run of this session with these inputs, if kept."""
    return st.session_state.setdefault(MC_STATE, {}).get(run_key)


def monte_carlo(
    run_key: tuple,
    params: ScenarioParams,
    volatility: float,
    paths: int,
    seed: int,
    events: tuple[Event, ...],
    progress: Callable[[int, int], None],
    book: HolderBook,
    prices_path: PricePath | None = None,
) -> MonteCarloResult | InputError:
    """Run (or reuse) a Monte Carlo on the scenario's holder ``book`` (holder rows of the ledger resolve against
    it, as in ``python -m calc montecarlo --holders``); an ``InputError`` is kept as the outcome. Keeps the last
    ``MC_KEEP``."""
    runs = st.session_state.setdefault(MC_STATE, {})
    if run_key not in runs:
        try:
            runs[run_key] = run_monte_carlo(
                params,
                volatility,
                paths,
                seed,
                terms=terms(),
                book=book,
                progress=progress,
                events=events,
                exclude_over_limit=True,
                caps=load_caps(),
                prices_path=prices_path,
            )
        except InputError as exc:
            runs[run_key] = exc
        while len(runs) > MC_KEEP:
            runs.pop(next(iter(runs)))
    return runs[run_key]
