"""Section "Terms and provenance": the terms in force with the source of each, the assumptions, this scenario's
inputs, and the conventions (``calc``'s module docstrings)."""

from __future__ import annotations

import streamlit as st

import calc.model.allocation
import calc.model.breakeven
import calc.model.engine
import calc.model.ledger
import calc.model.montecarlo
import calc.model.scenario
import calc.model.schedule
import calc.model.sensitivity
from dashboard import tables
from dashboard.context import Page
from dashboard.formatting import pct

CONVENTION_MODULES = (
    calc.model.engine,
    calc.model.schedule,
    calc.model.scenario,
    calc.model.allocation,
    calc.model.sensitivity,
    calc.model.montecarlo,
    calc.model.ledger,
    calc.model.breakeven,
)
# At 1024 px the main column is about 560 px wide: fixed widths keep term, value and source on screen, and rows tall
# enough to wrap (Streamlit wraps text cells when a row is taller than 4rem) show whole sentences.
WRAP_ROW_PX = 84  # four lines of wrapped text
TABLE_HEIGHT_PX = 520
SOURCE_CONFIG = {
    "term": st.column_config.TextColumn("term", width=150, pinned=True),
    "value": st.column_config.TextColumn("value", width=120),
    "source": st.column_config.TextColumn(
        "source", width=290, help="where the term is stated; hover a cell for all of it"
    ),
    "field": st.column_config.TextColumn("field in data/terms.toml", width="medium"),
}
INPUTS_CONFIG = {
    "input": st.column_config.TextColumn("input", width=150, pinned=True),
    "value": st.column_config.TextColumn("value", width=110),
    "changed": st.column_config.CheckboxColumn("changed", width=70, help="differs from the default"),
    "meaning": st.column_config.TextColumn("meaning", width=230, help="hover a cell for all of it"),
    "default": st.column_config.TextColumn("default", width="small"),
    "CLI flag": st.column_config.TextColumn("CLI flag", width="medium"),
}


def render(page: Page) -> None:
    terms = page.terms
    st.markdown(
        "**Conversion-rate history** (common shares per preferred share of $1,000 liquidation "
        "preference; the Agere Systems spin-off raised the rate on 2002-06-01)"
    )
    st.table(tables.rate_history(terms), hide_index=True)
    st.markdown(
        f"**Holder put dates:** {', '.join(str(d) for d in terms.preferred.put_dates)} — "
        f"settled in {' or '.join(terms.preferred.put_settlement_options)} at Lucent's option. "
        f"**Dividends:** {pct(100 * float(terms.preferred.dividend_rate))} a year on the liquidation "
        f"preference, {terms.preferred.dividends_per_year}× a year, cumulative; payable in cash or stock."
    )
    st.markdown("**Terms in force, with the source of each** (SUPP = the Aug 28, 2002 prospectus supplement)")
    st.dataframe(
        tables.term_rows(terms),
        hide_index=True,
        width="stretch",
        key="terms_table",
        column_config=SOURCE_CONFIG,
        row_height=WRAP_ROW_PX,
        height=TABLE_HEIGHT_PX,
    )
    st.markdown("**Assumptions**: terms not stated in the filing (taken from the product brief or assumed)")
    st.dataframe(
        tables.assumption_rows(terms),
        hide_index=True,
        width="stretch",
        column_config=SOURCE_CONFIG,
        row_height=WRAP_ROW_PX,
        height=TABLE_HEIGHT_PX,
    )
    if page.params is not None:
        st.markdown("**This scenario's inputs** (changed = differs from the default)")
        st.dataframe(
            tables.params_rows(page.params, page.defaults),
            hide_index=True,
            width="stretch",
            column_config=INPUTS_CONFIG,
            row_height=WRAP_ROW_PX,
            height=TABLE_HEIGHT_PX,
        )
    with st.expander("Conventions (how every number is computed)"):
        for module in CONVENTION_MODULES:
            st.markdown(f"`{module.__name__}`")
            st.code((module.__doc__ or "").strip(), language=None)
