"""Streamlit dashboard: how many new Lucent common shares the 8.00% preferred can put into the
market, when, under which choices, and who would own them.

Run: ``streamlit run app.py``. Every number comes from ``calc``; this file gathers the
inputs, calls ``calc`` (through the caches in ``dashboard.cache``) and lays out the page.
"""

from collections.abc import Callable, Sequence
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.errors import InputError
from calc.params import ScenarioParams, param_problems
from calc.scenario import ScenarioResult
from dashboard import cache, dilution_view, exports_view, inputs, ledger_view, narrative, safe, views
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
st.caption(
    "1,885,000 preferred shares ($1,000 liquidation preference, 8.00% dividends, convertible at $5.94). "
    "Choose how dividends, puts and conversion play out in the sidebar; the page shows how many new "
    "Lucent common shares follow, when, and who would own them. Hover over a (?) icon for what a figure means; "
    "the Terms tab gives the source of every term and the conventions used."
)

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
params: ScenarioParams | None = None
sidebar_params: ScenarioParams | None = None  # valid sidebar inputs, even when the ledger events do not fit them
problems: Sequence[str] = ["the sidebar inputs could not be read (see the message above)"]
history = False
events: tuple = ()
with safe.section("Scenario inputs"):
    raw = inputs.render_sidebar(defaults)
    history = ledger_view.history_toggle()
    params, problems = param_problems(ledger_view.apply_history(raw, defaults, history), terms)
    sidebar_params = params
    events = ledger_view.current_events(history)

computed: Computed | None = None
with safe.section("Scenario results"):
    if params is None:
        st.error(
            "These inputs cannot be combined — fix them in the sidebar:\n\n"
            + "\n".join(f"- {safe.text(p)}" for p in problems)
        )
    else:
        key = cache.key_of(params) + ledger_view.events_key(events)
        try:
            result = cache.scenario(key, book_token, params, book, events)
        except InputError as exc:  # the events in use do not fit these inputs (e.g. a date outside the window)
            st.error(
                "The ledger events do not fit these inputs; fix the inputs or the events (Ledger tab):  \n"
                + safe.error_lines("\n".join(exc.problems or (str(exc),)))
            )
            params = None
    if params is not None:
        sensitivity = cache.sensitivity(cache.key_any_price(params), params)
        computed = Computed(
            params,
            result,
            sensitivity,
            cache.scenario_figures(key, book_token, params, result, sensitivity),
            cache.horizon_conversion_price(result),
        )
        views.render_metrics(params, result.summary, terms)
        st.markdown(narrative.explain(params, result.timeline, result.summary, result.holders))
        exports_view.render_exports(params, result, computed.figs, terms, events)

TAB_NAMES = (
    "Share issuance",
    "Price sensitivity",
    "Holders",
    "Monte Carlo",
    "Saved scenarios",
    "Terms and provenance",
    "Employee options",
    "Ledger and break-even",
    "All securities",
)
tabs = dict(zip(TAB_NAMES, st.tabs(list(TAB_NAMES))))
FIX_INPUTS = "Fix the scenario inputs in the sidebar (see the message above) to see this section."


def scenario_tab(name: str, render: Callable[[Computed], None]) -> None:
    """One tab that needs the computed scenario, rendered in its own ``safe.section``."""
    with tabs[name], safe.section(name):
        if computed is None:
            st.info(FIX_INPUTS)
        else:
            render(computed)


scenario_tab("Share issuance", lambda c: views.render_issuance(c.result, c.figs[0], register_label))
scenario_tab("Price sensitivity", lambda c: views.render_sensitivity(c.sensitivity, c.figs[1], c.conversion_price))
scenario_tab("Holders", lambda c: views.render_holders(c.result, c.figs[2], register, register_label, terms))
scenario_tab("Monte Carlo", lambda c: views.render_monte_carlo(c.params, c.result, terms, events))
with tabs["Saved scenarios"], safe.section("Saved scenarios"):
    views.render_saved(params, book_token, book, terms)
with tabs["Terms and provenance"], safe.section("Terms and provenance"):
    views.render_terms(terms, params, defaults)
with tabs["Employee options"], safe.section("Employee options"):
    render_options_section()
with tabs["Ledger and break-even"], safe.section("Ledger and break-even"):
    ledger_view.render_ledger(
        sidebar_params,
        computed.result if computed else None,
        history,
        terms,
        book,
        cache.key_of(sidebar_params) if sidebar_params else "",
    )
with tabs["All securities"], safe.section("All securities"):
    dilution_view.render(params, events)
