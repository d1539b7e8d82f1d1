"""Streamlit dashboard: how many new Lucent common shares the 8.00% preferred can put into the
market, when, under which choices, and who would own them.

Run: ``streamlit run app.py`` (``make run``). Every number comes from ``calc``; this file restores a linked
scenario, builds the scenario document from the page state (``dashboard.state``), computes it (through the
caches in ``dashboard.cache``), keeps it for links, shows the headline (in full on the first section, one line on
the others) and renders the one section chosen in the selector (``dashboard.sections``).
"""

from collections.abc import Sequence

import streamlit as st

from calc.errors import InputError
from calc.model.scenario import ScenarioResult
from calc.scenario_doc import ScenarioDoc
from calc.scenario_run import holder_book
from dashboard import cache, exports_view, headline_view, inputs, ledger_view, prices_input, safe, sections, state
from dashboard.context import Page
from dashboard.store import ScenarioStore

st.set_page_config(page_title="Lucent 8.00% preferred: share dilution", layout="wide")
st.html(f"<style>{headline_view.CSS}</style>")
st.title("Lucent 8.00% preferred: new common shares and who owns them")
st.caption(
    "1,885,000 preferred ($1,000 liquidation preference, convertible at $5.94): the new common shares, when, and "
    "who owns them, under the sidebar's choices.",
    help="Hover over a (?) icon for what a figure means; the Terms and provenance section gives the source of "
    "every term and the conventions used.",
)
chosen = sections.selector()
sections.heading(chosen)

terms, defaults, store = cache.terms(), cache.defaults(), ScenarioStore()
link_note = state.restore(defaults, terms, store)  # a link (?scenario=<id>) restores its scenario once
if link_note:
    st.warning(safe.text(link_note))

doc: ScenarioDoc | None = None
sidebar_doc: ScenarioDoc | None = None  # valid sidebar inputs, even when the ledger rows do not fit them
problems: Sequence[str] = ["the sidebar inputs could not be read (see the message above)"]
with safe.section("Scenario inputs"):  # the widgets' values; the widgets are drawn last, after the results
    sidebar_doc, problems = state.document(defaults, terms)

result: ScenarioResult | None = None
register, book = holder_book(state.holders(), terms)
events: tuple = ()
prices = None
with safe.section("Scenario results"):
    if sidebar_doc is None:
        st.error(
            "Fix these inputs in the sidebar:\n\n"
            + "\n".join(f"- {safe.text(inputs.problem_text(p))}" for p in problems)
        )
    else:
        try:
            resolved = cache.resolved(sidebar_doc.key, sidebar_doc)
            result = cache.result(sidebar_doc.key, resolved)
            doc, events, prices = sidebar_doc, resolved.events, resolved.prices
        except InputError as exc:  # the ledger rows do not fit these inputs (e.g. a date outside the window)
            st.error(
                "The ledger events do not fit these inputs; fix the inputs or the events (Ledger section):  \n"
                + safe.error_lines("\n".join(map(str, exc.problems or (str(exc),))))
            )
if doc is not None:
    with safe.section("Scenario link"):
        store_problem = state.share(doc, defaults, store)
        if store_problem:
            st.warning(f"This scenario could not be kept for links: {safe.text(store_problem)}")

page = Page(terms, defaults, doc, sidebar_doc, result, register, book, events, prices)
if result is not None:
    with safe.section("Scenario results"):
        headline_view.render(page, full=chosen.name == sections.NAMES[0])
        exports_view.render_exports(page)
sections.render(chosen, page)

with st.sidebar, safe.section("Scenario inputs"):  # drawn last: the headline and section show first
    st.header("Scenario inputs")
    st.caption("Every input of the scenario engine. Hover (?) for units, rules and the CLI flag.")
    inputs.render_sidebar(defaults)
    ledger_view.history_toggle()
    prices_input.render()
