"""The page's sections, in the order of the section selector: one module per section (Streamlit's
one-file-per-page convention), each with ``render(page: dashboard.context.Page)``.

Only the section in view is rendered (its charts, tables and computations: Monte Carlo runs only while its
section is open), which keeps the first load and every rerun short. To add a section, write
``dashboard/<name>_view.py`` with ``render(page)`` and add one ``Section`` line to ``SECTIONS``.
"""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

import streamlit as st

from dashboard import (
    bridge_view,
    holders_view,
    issuance_view,
    ledger_view,
    montecarlo_view,
    offer_view,
    options_view,
    saved_view,
    securities_view,
    sensitivity_view,
    terms_view,
    valuation_view,
)
from dashboard.context import Page
from dashboard.safe import section

FIX_INPUTS = "Fix the scenario inputs in the sidebar (see the message above) to see this section."


class Section(NamedTuple):
    name: str
    module: ModuleType  # has render(page); looked up on each call
    needs_scenario: bool  # True: shown only when the scenario computes (else a pointer to the inputs)


SECTIONS: list[Section] = [
    Section("Share issuance", issuance_view, True),
    Section("Price sensitivity", sensitivity_view, True),
    Section("Holders", holders_view, True),
    Section("Monte Carlo", montecarlo_view, True),
    Section("Saved scenarios", saved_view, False),
    Section("Terms and provenance", terms_view, False),
    Section("Employee options", options_view, False),
    Section("Ledger and break-even", ledger_view, False),
    Section("2002–2004 bridge", bridge_view, False),
    Section("Exchange desk", offer_view, False),
    Section("Fair value", valuation_view, True),
    Section("All securities", securities_view, True),
]
NAMES = [s.name for s in SECTIONS]
SELECTOR_KEY = "section"


def selector() -> Section:
    """The section selector (a wrapping row of buttons; the choice is kept in the URL as ``?section=...``)."""
    chosen = st.segmented_control(
        "Section",
        NAMES,
        key=SELECTOR_KEY,
        default=NAMES[0],
        required=True,
        label_visibility="collapsed",
        bind="query-params",
    )
    return SECTIONS[NAMES.index(chosen)] if chosen in NAMES else SECTIONS[0]


def heading(chosen: Section) -> None:
    """The chosen section's title (its selector label), drawn right under the selector, above the headline: a
    click on the selector changes it in place, on the first screen. The sections draw no title of their own."""
    with st.container(key="section_heading"):
        st.subheader(chosen.name, anchor=False)


def render(chosen: Section, page: Page) -> None:
    """The chosen section, in its own ``safe.section`` (a failure stays in the section)."""
    with st.container(key="section_body"), section(chosen.name):
        if chosen.needs_scenario and page.result is None:
            st.info(FIX_INPUTS)
        else:
            chosen.module.render(page)
