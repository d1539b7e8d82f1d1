"""Section "Share issuance": when the new shares come and from where, the event timeline and its downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calc.model.columns import timeline_table
from calc.model.issuance import ISSUANCE_SOURCES
from charts import figures
from dashboard import cache, formatting, tables
from dashboard.context import Page
from dashboard.widgets import chart, download, file_name, inputs_sidecar


def render(page: Page) -> None:
    assert page.params is not None and page.result is not None
    result = page.result
    issuance, new_by_date, dilution = cache.issuance_figures(page.key, page.book_token, page.params, result)
    chart(new_by_date, "lucent_new_shares_by_date", "chart_new_shares")
    st.caption(
        "New common shares issued on each date (not cumulative), by source: "
        + ", ".join(source.phrase for source in ISSUANCE_SOURCES)
        + ". "
        + figures.PNG_NOTE
    )
    chart(dilution, "lucent_dilution_over_time", "chart_dilution")
    st.caption("Dilution over time: the new shares so far as a % of total common outstanding after each event.")
    chart(issuance, "lucent_share_issuance", "chart_issuance")
    st.caption(
        "One stacked bar per event date: the base common shares (grey) with the new shares so far stacked "
        "on top by source; line: total common outstanding; dashed red: the authorized shares."
    )
    timeline = timeline_table(result.timeline)
    _timeline_table(timeline)
    with st.container(horizontal=True, wrap=True):
        download("Timeline (CSV)", timeline, file_name("timeline", page.scenario_id), "dl_timeline")
        download(
            "Summary (CSV)",
            tables.summary_table(result.params, result.summary, page.register_label),
            file_name("summary", page.scenario_id),
            "dl_summary",
        )
        inputs_sidecar(page, "dl_inputs_issuance")


def _timeline_table(timeline: pd.DataFrame) -> None:
    """The event timeline in an expander that renders its table only while open (a lazy, stateful expander):
    the first load then draws the charts without loading the table grid (issue 12 item 4)."""
    expander = st.expander(
        f"Event timeline: {len(timeline)} event dates (one row per date; share counts are new shares issued on "
        "that date)",
        key="timeline_open",
        on_change="rerun",
    )
    with expander:
        if expander.open:
            st.dataframe(
                formatting.shown(timeline),
                hide_index=True,
                width="stretch",
                key="timeline_table",
                column_config=formatting.column_config(timeline),
            )
