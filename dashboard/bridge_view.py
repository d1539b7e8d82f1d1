"""Section "2002–2004 bridge": the share-count bridge of issue 22 (``calc.model.bridge``): the cover count at the
start, each source, the model count at the end (a waterfall), the model against every 10-Q/10-K cover count in
the window with the residual (not explained by the modelled events), and the notes (the sources' conflicts, the
figures not modelled, the settings and every dated assumption). Independent of the scenario in the sidebar.

Replay labels and notes are data (and, with a user's replay file, user text): they reach the page only as
``st.dataframe`` cells (plain text), ``dashboard.safe.text`` or ``charts.text.plot_text`` (in the figures)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.bridge_run import DEFAULT_FROM, DEFAULT_TO, run_bridge, shipped_prices
from calc.errors import InputError
from calc.inputs.history import actual_common_shares
from calc.inputs.prices_csv import read_prices_bytes
from calc.model.bridge import (
    PACKAGE_RULES,
    RESIDUAL_LABEL,
    RETIREMENTS,
    SPREAD_RULES,
    Bridge,
    Settings,
    bridge_frame,
    covers_frame,
    waterfall_rows,
    workbook_sheets,
)
from calc.model.price_path import RULES
from calc.outputs import formats
from calc.outputs.citations import citation
from calc.outputs.workbook import tables_workbook_bytes
from charts.bridge_figures import bridge_figure, reconciliation_figure
from dashboard import widgets
from dashboard.context import Page
from dashboard.safe import error_lines

LABELS = {  # short enough for a half-width select box at 1024 px; the help says which is the default
    "cash": "cash",
    "stock": "stock at the price path",
    "face": "by face",
    "even": "evenly",
    "day": "uniform by day",
    "end": "at the row's date",
    "previous": "previous close",
    "log_linear": "log-linear",
}
COVERS_CONFIG = {  # the formats of calc.outputs.formats (dates "Aug 2, 2004", counts with separators)
    "date": st.column_config.DateColumn("cover date", format=formats.TABLE_DATE),
    "actual_shares": st.column_config.NumberColumn("actual", format=formats.TABLE_FORMATS["shares"]),
    "model_shares": st.column_config.NumberColumn("model", format=formats.TABLE_FORMATS["shares"]),
    "residual_shares": st.column_config.NumberColumn(
        "residual", format=formats.TABLE_FORMATS["shares"], help=RESIDUAL_LABEL
    ),
    "residual_pct": st.column_config.NumberColumn("residual share", format=formats.TABLE_FORMATS["pct"]),
}
NOTES_CONFIG = {
    "kind": st.column_config.TextColumn("kind", width="small"),
    "text": st.column_config.TextColumn("note", width="large", help="hover a cell for all of it"),
}


class View(NamedTuple):
    result: Bridge
    covers: pd.DataFrame
    table: pd.DataFrame
    waterfall: go.Figure
    reconciliation: go.Figure


@lru_cache(maxsize=16)
def computed(start: dt.date, end: dt.date, settings: Settings, rule: str, prices_csv: bytes | None = None) -> View:
    """The bridge's frames and figures for one choice of inputs (built once per choice; never changed after);
    ``prices_csv``: an uploaded price path's content (None: data/prices.csv)."""
    path = shipped_prices() if prices_csv is None else read_prices_bytes(prices_csv, "uploaded prices")
    result = run_bridge(start, end, settings, prices=path.with_rule(rule))
    covers = covers_frame(result)
    title = f"Share-count bridge {start} → {end}"
    return View(
        result,
        covers,
        bridge_frame(result),
        bridge_figure(waterfall_rows(result), title, zoom=True),
        reconciliation_figure(covers),
    )


def _inputs() -> tuple[dt.date, dt.date, Settings, str]:
    first = actual_common_shares()["date"].iloc[0]
    c = st.columns(2)
    start = c[0].date_input("From", DEFAULT_FROM, min_value=first, key="bridge_from", help="CLI: bridge --from")
    end = c[1].date_input("To", DEFAULT_TO, min_value=first, key="bridge_to", help="CLI: bridge --to")
    cols = [*st.columns(2), *st.columns(2)]
    choices = (
        ("Retirements of unknown means", RETIREMENTS, "bridge_retirements", "--retirements", "cash: assumption"),
        ("Package split", PACKAGE_RULES, "bridge_package", "--package-rule", "by face"),
        ("Rows with a window", SPREAD_RULES, "bridge_spread", "--spread", "uniform by day"),
        ("Price between closes", RULES, "bridge_price_rule", "--price-rule", "previous close"),
    )
    values = [
        col.selectbox(
            label, options, format_func=LABELS.__getitem__, key=key, help=f"Default {default}. CLI: bridge {flag}"
        )
        for col, (label, options, key, flag, default) in zip(cols, choices)
    ]
    return start, end, Settings(values[0], values[1], values[2]), values[3]


def _uploaded_prices() -> bytes | None:
    """The content of an uploaded price path (date,close_usd,source), or None for the shipped data/prices.csv."""
    upload = st.file_uploader(
        "Price path (CSV: date,close_usd,source; default: the recorded closes of 2001–2003)",
        type=["csv"],
        key="bridge_prices",
        max_upload_size=1,
        help="CLI: bridge --prices FILE. Used where a row settles in stock or issues stock worth an amount.",
    )
    return None if upload is None else upload.getvalue()


def render(page: Page) -> None:
    del page  # the bridge replays the sourced history, not the sidebar's scenario
    start, end, settings, rule = _inputs()
    prices_csv = _uploaded_prices()
    try:
        result, covers, table, waterfall, reconciliation = computed(start, end, settings, rule, prices_csv)
    except InputError as exc:
        st.error(error_lines(exc))
        return
    widgets.chart(waterfall, "share_count_bridge", "bridge_waterfall")
    st.caption(
        "Start: the cover count at the last cover date on or before From, plus the replay to From. Each source "
        "is the common the replay issues in the window; the model count is their sum."
    )
    widgets.chart(reconciliation, "bridge_model_vs_actual", "bridge_reconciliation")
    st.markdown(f"**Cover counts in the window** (residual = actual − model: {RESIDUAL_LABEL})")
    st.dataframe(covers, hide_index=True, width="stretch", column_config=COVERS_CONFIG, key="bridge_covers")
    st.markdown("**Notes**: the sources' conflicts, what is not modelled, the settings and every dated assumption")
    notes = table.loc[table["date"].isna(), ["section", "item"]].set_axis(["kind", "text"], axis=1)
    notes["text"] = notes["text"].map(citation)
    st.dataframe(notes, hide_index=True, width="stretch", column_config=NOTES_CONFIG, key="bridge_notes")
    widgets.download(
        "Bridge (CSV)",
        table,
        f"lucent_share_count_bridge_{start}_{end}.csv",
        key="bridge_csv",
        help="start, sources, model count, cover checks and notes, one table",
    )
    st.download_button(
        "Bridge (Excel workbook)",
        lambda: tables_workbook_bytes(workbook_sheets(result)),
        file_name=f"lucent_share_count_bridge_{start}_{end}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="bridge_xlsx",
        on_click="ignore",
        icon=":material/download:",
        help="sheets Bridge, Covers, Notes and Replay (every replayed row with its source)",
    )
