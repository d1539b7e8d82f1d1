"""Section "Terms and provenance": the terms in force with the source of each (as a citation), the assumptions,
this scenario's inputs, and the conventions in words."""

from __future__ import annotations

import streamlit as st

from calc.outputs import formats
from dashboard import tables
from dashboard.context import Page
from dashboard.formatting import pct

# How every number is computed, in words (the full rules, with their formulas: the model documentation).
CONVENTIONS = (
    "Share counts are whole shares. Conversions and exchanges deliver the floor (the fraction is paid in cash); "
    "stock-settled dividends, puts, redemptions and calls issue the ceiling (enough shares to raise the cash); "
    "registration figures round up; vesting and treasury-stock shares round down.",
    "Conversion is in the money when the common price × the conversion rate is at least $1,000 (the liquidation "
    "preference per preferred share); the decision is exact, never a floating-point accident.",
    "A stock-settled put or redemption issues the liquidation preference divided by the common price (times the "
    "sale factor), rounded up.",
    "Holders: the class-level new shares are split among the holders of the Selling Securityholders table by the "
    "largest remainder, so the holder rows add up to the class; beneficial ownership follows SEC Rule 13d-3 "
    "(the holder's own new shares over the outstanding common plus those shares).",
    "Prices on each date: the sidebar's price with its annual drift, or the dated closes when a price path is "
    "given. Monte Carlo paths follow geometric Brownian motion; every percentile is a path's own figure "
    "(the inverted-CDF rule).",
    "Exchange now or wait: the common issued per preferred share retired now at the negotiated ratio against "
    "what the same share issues if left outstanding under the scenario; the break-even is the flat price at "
    "which both issue the same number of shares.",
)
# At 1024 px the main column is about 560 px wide: fixed widths keep term, value and source on screen, and rows tall
# enough to wrap (Streamlit wraps text cells when a row is taller than 4rem) show whole sentences.
WRAP_ROW_PX = 84  # four lines of wrapped text
TABLE_HEIGHT_PX = 520
SOURCE_CONFIG = {
    "term": st.column_config.TextColumn("term", width=150, pinned=True),
    "value": st.column_config.TextColumn("value", width=120),
    "source": st.column_config.TextColumn(
        "source", width=290, help="the document and page where the term is stated; hover a cell for all of it"
    ),
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
    latest = formats.day(terms.conversion_rates[-1].effective_date)
    st.markdown(
        "**Conversion-rate history** (common shares per preferred share of $1,000 liquidation "
        f"preference; the Agere Systems spin-off raised the rate on {latest})"
    )
    st.table(tables.rate_history(terms), hide_index=True)
    st.markdown(
        f"**Holder put dates:** {formats.term_value('put_dates', terms.preferred.put_dates)} — "
        f"settled in {' or '.join(terms.preferred.put_settlement_options)} at Lucent's option. "
        f"**Dividends:** {pct(100 * float(terms.preferred.dividend_rate))} a year on the liquidation "
        f"preference, {terms.preferred.dividends_per_year}× a year, cumulative; payable in cash or stock."
    )
    st.markdown("**Terms in force, with the source of each**")
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
        st.markdown("\n".join(f"- {line}" for line in CONVENTIONS))
