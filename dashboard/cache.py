"""Cached ``calc`` calls for the dashboard.

Terms, the shipped register and holder books are process-wide resources; scenario
results, sensitivity frames and figures are cached per input (scenario inputs as
JSON, holder register by content hash), so a rerun that changes nothing recomputes
nothing, and going back to an earlier input is a cache hit. Cached objects are
never mutated by the page.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.data import load_register, load_terms
from calc.dilution import HolderBook, build_book
from calc.ledger import Event
from calc.params import ScenarioParams, default_params
from calc.scenario import ScenarioResult, run_scenario
from calc.sensitivity import price_grid, price_sensitivity
from calc.terms import Terms
from dashboard import figures
from dashboard.store import params_to_json

FILING_LABEL = "Selling Securityholders table, prospectus supplement of Aug 28, 2002 (data/register.csv)"


@st.cache_resource(show_spinner=False)
def terms() -> Terms:
    return load_terms()


@st.cache_resource(show_spinner=False)
def defaults() -> ScenarioParams:
    return default_params(terms())


@st.cache_resource(show_spinner=False)
def filing_register() -> pd.DataFrame:
    return load_register()


def register_token(register: pd.DataFrame) -> str:
    """Content hash of a register (identifies its holder book in the caches)."""
    hashed = pd.util.hash_pandas_object(
        register[["name", "footnotes", "preferred_shares", "common_owned_prior"]], index=True
    )
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=16)
def book(token: str, _register: pd.DataFrame) -> HolderBook:
    return build_book(_register, terms().preferred.shares_issued)


@st.cache_resource(show_spinner=False, max_entries=256)
def scenario(
    params_json: str, book_token: str, _params: ScenarioParams, _book: HolderBook, _events: tuple[Event, ...] = ()
) -> ScenarioResult:
    """``params_json`` must also identify ``_events`` (the ledger rows) when there are any."""
    return run_scenario(_params, terms(), _book, _events)


@st.cache_resource(show_spinner=False, max_entries=128)
def sensitivity(params_json_any_price: str, _params: ScenarioParams) -> pd.DataFrame:
    """``price_sensitivity`` replaces the price, so the key ignores it."""
    return price_sensitivity(_params, price_grid(), terms())


def horizon_conversion_price(result: ScenarioResult) -> float:
    """Conversion price (1000 / CR) in force at the horizon, as calc reports it in the timeline's last row."""
    return float(result.timeline["conversion_price_usd"].iloc[-1])


@st.cache_resource(show_spinner=False, max_entries=256)
def scenario_figures(
    params_json: str, book_token: str, _params: ScenarioParams, _result: ScenarioResult, _sensitivity: pd.DataFrame
) -> tuple[go.Figure, ...]:
    return tuple(
        figures.all_figures(
            _result.timeline,
            _sensitivity,
            _result.holders,
            _params.base_shares,
            terms().market.authorized_common_shares,
            horizon_conversion_price(_result),
            _params.price,
        )
    )


def key_of(params: ScenarioParams) -> str:
    return params_to_json(params)


def key_any_price(params: ScenarioParams) -> str:
    return params_to_json(dataclasses.replace(params, price=1.0))
