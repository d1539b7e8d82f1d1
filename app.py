"""Streamlit dashboard: how many new Lucent common shares the 8.00% preferred can put into the
market, when, under which choices, and who would own them.

Run: ``streamlit run app.py`` (``make run``). Every number comes from ``calc``; this file gathers the inputs,
computes the scenario (through the caches in ``dashboard.cache``), shows the headline and renders the one
section chosen in the selector (``dashboard.sections``).
"""

from collections.abc import Sequence

import streamlit as st

from calc.errors import InputError
from calc.params import ScenarioParams, param_problems
from calc.scenario import ScenarioResult
from dashboard import cache, exports_view, headline_view, inputs, ledger_view, safe, sections
from dashboard.context import Page

st.set_page_config(page_title="Lucent 8.00% preferred: share dilution", layout="wide")
st.html(f"<style>{headline_view.CSS}</style>")
st.title("Lucent 8.00% preferred: new common shares and who owns them")
st.caption(
    "1,885,000 preferred shares ($1,000 liquidation preference, 8.00% dividends, convertible at $5.94). "
    "Choose how dividends, puts and conversion play out in the sidebar; the page shows how many new "
    "Lucent common shares follow, when, and who would own them. Hover over a (?) icon for what a figure means; "
    "the Terms section gives the source of every term and the conventions used."
)
chosen = sections.selector()

terms, defaults = cache.terms(), cache.defaults()
if "register" not in st.session_state:
    st.session_state["register"] = cache.filing_register()
    st.session_state["register_label"] = cache.FILING_LABEL
    st.session_state["register_token"] = cache.register_token(st.session_state["register"])
register, register_label = st.session_state["register"], st.session_state["register_label"]
book_token = st.session_state["register_token"]
book = cache.book(book_token, register)

params: ScenarioParams | None = None
sidebar_params: ScenarioParams | None = None  # valid sidebar inputs, even when the ledger events do not fit them
problems: Sequence[str] = ["the sidebar inputs could not be read (see the message above)"]
history = False
events: tuple = ()
with safe.section("Scenario inputs"):  # the widgets' values; the widgets are drawn last, after the results
    raw = inputs.current_values(defaults)
    history = ledger_view.history_on()
    params, problems = param_problems(ledger_view.apply_history(raw, defaults, history), terms)
    sidebar_params = params
    events = ledger_view.current_events(history)

result: ScenarioResult | None = None
key = ""
with safe.section("Scenario results"):
    if params is None:
        st.error(
            "Fix these inputs in the sidebar:\n\n"
            + "\n".join(f"- {safe.text(inputs.problem_text(p))}" for p in problems)
        )
    else:
        key = cache.key_of(params) + ledger_view.events_key(events)
        try:
            result = cache.scenario(key, book_token, params, book, events)
        except InputError as exc:  # the events in use do not fit these inputs (e.g. a date outside the window)
            st.error(
                "The ledger events do not fit these inputs; fix the inputs or the events (Ledger section):  \n"
                + safe.error_lines("\n".join(exc.problems or (str(exc),)))
            )
            params = None

page = Page(
    terms,
    defaults,
    params,
    sidebar_params,
    result,
    register,
    register_label,
    book_token,
    book,
    history,
    events,
    key,
    cache.scenario_id(params, ledger_view.events_key(events)) if params else "",
)
if result is not None:
    with safe.section("Scenario results"):
        headline_view.render(page)
        exports_view.render_exports(page)
sections.render(chosen, page)

with st.sidebar, safe.section("Scenario inputs"):  # drawn last: the headline and section show first
    st.header("Scenario inputs")
    st.caption("Every input of the scenario engine. Hover (?) for units, rules and the CLI flag.")
    inputs.render_sidebar(defaults)
    ledger_view.history_toggle()
