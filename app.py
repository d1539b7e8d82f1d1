"""Streamlit dashboard: how many new Lucent common shares the 8.00% preferred can put into the
market, when, under which choices, and who would own them.

Run: ``streamlit run app.py``. Every number comes from ``calc``; this file gathers the
inputs, calls ``calc`` (through the caches in ``dashboard.cache``) and lays out the page.
"""

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.errors import InputError
from calc.params import ScenarioParams, param_problems
from calc.scenario import ScenarioResult
from dashboard import cache, inputs, ledger_view, narrative, views
from dashboard.options_view import render_options_section


class Computed(NamedTuple):
    """Everything the scenario tabs show, once the sidebar inputs are valid."""

    params: ScenarioParams
    result: ScenarioResult
    sensitivity: pd.DataFrame
    figs: tuple[go.Figure, ...]
    conversion_price: float  # in force at the horizon (timeline's last row)


st.set_page_config(page_title="Lucent 8.00% preferred: share dilution", layout="wide")
st.markdown("<style>[data-testid='stMetricValue'] {font-size: 1.55rem;}</style>", unsafe_allow_html=True)
st.title("Lucent 8.00% Redeemable Convertible Preferred: new common shares and who owns them")
st.caption("1,885,000 preferred shares ($1,000 liquidation preference, 8.00% dividends, convertible at $5.94). "
           "Choose how dividends, puts and conversion play out in the sidebar; the page shows how many new "
           "Lucent common shares follow, when, and who would own them. Hover over a (?) icon for what a figure means; "
           "the Terms tab gives the source of every term and the conventions used.")

terms, defaults = cache.terms(), cache.defaults()
if "register" not in st.session_state:
    st.session_state["register"] = cache.filing_register()
    st.session_state["register_label"] = cache.FILING_LABEL
    st.session_state["register_token"] = cache.register_token(st.session_state["register"])
register, register_label = st.session_state["register"], st.session_state["register_label"]
book_token = st.session_state["register_token"]
book = cache.book(book_token, register)

st.sidebar.header("Scenario inputs")
st.sidebar.caption("Every input of the scenario engine (same names as the CLI flags). Hover (?) for units and rules.")
raw = inputs.render_sidebar(defaults)
history = ledger_view.history_toggle()
params, problems = param_problems(ledger_view.apply_history(raw, defaults, history), terms)
sidebar_params = params  # valid sidebar inputs, even when the ledger events do not fit them
events = ledger_view.current_events(history)

computed: Computed | None = None
if params is None:
    st.error("These inputs cannot be combined — fix them in the sidebar:\n\n"
             + "\n".join(f"- {p}" for p in problems))
else:
    key = cache.key_of(params) + ledger_view.events_key(events)
    try:
        result = cache.scenario(key, book_token, params, book, events)
    except InputError as exc:  # the events in use do not fit these inputs (e.g. a date outside the window)
        st.error("The ledger events do not fit these inputs; fix the inputs or the events (Ledger tab):")
        st.dataframe(pd.DataFrame({"problem": exc.problems or (str(exc),)}), hide_index=True)
        params = None
if params is not None:
    sensitivity = cache.sensitivity(cache.key_any_price(params), params)
    computed = Computed(params, result, sensitivity,
                        cache.scenario_figures(key, book_token, params, result, sensitivity),
                        cache.horizon_conversion_price(result))
    views.render_metrics(params, result.summary, terms)
    st.markdown(narrative.explain(params, result.timeline, result.summary, result.holders))

tabs = st.tabs(["Share issuance", "Price sensitivity", "Holders", "Monte Carlo", "Saved scenarios",
                "Terms and provenance", "Employee options", "Ledger and break-even"])
FIX_INPUTS = "Fix the scenario inputs in the sidebar to see this section."
with tabs[0]:
    if computed is None:
        st.info(FIX_INPUTS)
    else:
        views.render_issuance(computed.result, computed.figs[0], register_label)
with tabs[1]:
    if computed is None:
        st.info(FIX_INPUTS)
    else:
        views.render_sensitivity(computed.sensitivity, computed.figs[1], computed.conversion_price)
with tabs[2]:
    if computed is None:
        st.info(FIX_INPUTS)
    else:
        views.render_holders(computed.result, computed.figs[2], register, register_label, terms)
with tabs[3]:
    if computed is None:
        st.info(FIX_INPUTS)
    else:
        views.render_monte_carlo(computed.params, computed.result, terms, events)
with tabs[4]:
    views.render_saved(params, book_token, book, terms)
with tabs[5]:
    views.render_terms(terms, params, defaults)
with tabs[6]:
    render_options_section()
with tabs[7]:
    ledger_view.render_ledger(sidebar_params, computed.result if computed else None, history, terms, book,
                              cache.key_of(sidebar_params) if sidebar_params else "")
