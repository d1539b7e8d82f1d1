"""Ledger tab (issue 10): events editor, 2002 history toggle, preferred outstanding,
actual share counts and the exchange-or-wait break-even. Numbers come from ``calc``.

The rows in use are part of the scenario document (``dashboard.state``: cells as typed, in
``calc.ledger.EVENT_COLUMNS`` order). An edit is checked exactly like an events file (every problem with its line:
line N is table row N − 1); a bad edit is reported and the previous events stay in use.
User text (problems echo cells and file names) goes through ``dashboard.safe`` before it reaches the page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from calc.data import actual_common_shares
from calc.dilution import HolderBook
from calc.errors import InputError
from calc.history import COMPARED_DEALS
from calc.ledger import EVENT_COLUMNS, Event, check_events, ledger_events, read_events_text
from calc.params import ScenarioParams
from calc.scenario_doc import event_cells
from calc.terms import Terms
from charts import ledger_figures
from charts.figures import png_config
from dashboard import cache, safe, state
from dashboard.context import Page

BREAKEVEN_METRIC_WIDTH_PX = 250  # fits "Exchange: common per preferred" on one line
# events-editor column -> (header, help in plain words); the help names the events-file (CSV) column
EVENT_LABELS = {
    "date": ("Date", "YYYY-MM-DD, inside the projection window"),
    "action": (
        "Action",
        "what happens: exchange_common (preferred swapped for common), repurchase_cash (bought back for cash), "
        "convert, put, call, exchange_debentures (swapped for debentures) or dividend_policy (how later "
        "dividends are paid)",
    ),
    "preferred_shares": ("Preferred shares", "how many preferred shares the row acts on: a whole number or all"),
    "common_shares": ("Common issued", "exchange_common: common shares issued in total, as reported"),
    "common_per_preferred": ("Common per preferred", "exchange_common: common shares per preferred share"),
    "cash_per_preferred_usd": ("Cash per preferred (USD)", "repurchase_cash: dollars paid per preferred share"),
    "settlement": (
        "Settlement",
        "put or call: cash or stock (empty: the sidebar's choice); dividend_policy: cash, stock or accrue",
    ),
    "holder": ("Holder", "a holder's name exactly as in the holder table (empty: shared by all holders)"),
    "source": ("Source", "where the row comes from (free text)"),
}
EVENT_WIDTHS = {"date": 110, "action": 160, "preferred_shares": 140}  # px; the key columns fit at 1024 px


def history_toggle() -> bool:
    """Sidebar toggle: replay the two 2002 exchanges."""
    return st.sidebar.toggle(
        "Replay the 2002 exchanges (history)",
        key=state.HISTORY_KEY,
        help="Adds data/history.csv: 175,000 preferred for 58,000,000 common and 100,000 for "
        "38,000,000 (dates inside the reported windows are assumptions). With the window "
        "and base shares at their defaults, the projection starts 2002-07-31 with "
        "3,432,688,763 common (10-Q cover).",
    )


def _rows_frame(rows: tuple[tuple[str, ...], ...]) -> pd.DataFrame:
    """The ledger rows in use as the editor's table (cells as typed: ``331.43`` stays ``331.43``)."""
    return pd.DataFrame([list(r) for r in rows], columns=list(EVENT_COLUMNS), dtype=str)


def event_column(name: str) -> Any:
    """The editor column ``name``: its header in words, a help in plain words naming the CSV/CLI column."""
    head, hint = EVENT_LABELS.get(name, (name.replace("_", " "), ""))
    return st.column_config.TextColumn(
        head, help=f"{hint}. CSV / CLI column: {name}", width=EVENT_WIDTHS.get(name, "medium")
    )


def _check_edit(
    edited: pd.DataFrame, params: ScenarioParams, history: bool, terms: Terms, book: HolderBook
) -> tuple[tuple[Event, ...], list[str]]:
    text = edited.fillna("").astype(str).to_csv(index=False)
    events, problems = read_events_text(text, "edited events")
    try:
        check_events(ledger_events(events, history), problems, params, terms, book)
    except InputError as exc:
        return events, list(exc.problems)
    return events, []


def render_editor(params: ScenarioParams | None, history: bool, terms: Terms, book: HolderBook) -> None:
    st.caption(
        "Dated events acting on the preferred: exchanges for common, repurchases for cash, conversions, puts, "
        "calls, exchanges for debentures and changes of dividend policy. Hover a column header for what to "
        "type. The rows follow the same rules as an events file given to the command line (`--events FILE`); "
        "a problem names its line as in that file: the header is line 1, so the first row is line 2."
    )
    base = _rows_frame(state.event_rows())
    config = {c: event_column(c) for c in EVENT_COLUMNS}
    edited = st.data_editor(
        base, key="events_editor", num_rows="dynamic", column_config=config, width="stretch", hide_index=True
    )
    if params is None:
        st.info("Fix the scenario inputs in the sidebar to check the events.")
        return
    events, problems = _check_edit(edited, params, history, terms, book)
    if problems:
        st.error(
            f"Edited events rejected: {len(problems)} problem(s), listed below. The previous events are "
            "still in use.  \n" + safe.error_lines("\n".join(problems))
        )
    elif (rows := tuple(event_cells(e) for e in events)) != state.event_rows():
        state.set_events(rows)
        st.rerun()


def render_breakeven(params: ScenarioParams, events: tuple[Event, ...], book: HolderBook, params_json: str) -> None:
    st.subheader("Exchange now or wait")
    st.caption(
        "Per preferred share retired on the date: common issued by the exchange (R) against the common the "
        "same share causes if left outstanding under the scenario's policies (stock dividends after the "
        "date, then a stock-settled put or conversion; exact per-share amounts). The break-even is the flat "
        "common price at which both are equal (`python -m calc breakeven`)."
    )
    c = st.columns(2)
    ratio = c[0].number_input(
        "Common per preferred (R)", min_value=0.01, value=331.43, step=1.0, format="%.2f", key="breakeven_ratio"
    )
    date = c[1].date_input(
        "Exchange date",
        value=params.valuation_date,
        min_value=params.valuation_date,
        max_value=params.horizon,
        key="breakeven_date",
        format="YYYY-MM-DD",
    )
    try:
        report, prices, wait = cache.breakeven(params_json, float(ratio), date.isoformat(), params, events, book)
    except InputError as exc:
        st.error(
            "Break-even not available for these inputs:  \n" + safe.error_lines("\n".join((str(exc), *exc.problems)))
        )
        return
    be = report["breakeven_price_usd"]
    with st.container(horizontal=True, wrap=True, gap="small"):
        st.metric(
            "Exchange: common per preferred",
            f"{report['exchange_shares_per_preferred']:,.2f}",
            border=True,
            width=BREAKEVEN_METRIC_WIDTH_PX,
        )
        st.metric(
            "Wait: common per preferred",
            f"{report['wait_shares_per_preferred']:,.2f}",
            border=True,
            width=BREAKEVEN_METRIC_WIDTH_PX,
            help="at the scenario's price path",
        )
        st.metric(
            "Break-even flat price",
            "none" if be is None else f"${be:,.4f}",
            border=True,
            width=BREAKEVEN_METRIC_WIDTH_PX,
            help="none: waiting never issues exactly R per preferred between $0.01 and $1,000",
        )
    fig = ledger_figures.breakeven_figure(
        prices, wait, float(ratio), COMPARED_DEALS, be if isinstance(be, float) else None
    )
    st.plotly_chart(fig, config=png_config("breakeven"), key="breakeven_chart")


def render_ledger(page: Page) -> None:
    """The ledger tab: works on the valid sidebar inputs even when the events in use do not fit them, so the
    events can be fixed here."""
    params, result = page.sidebar_params, page.result
    render_editor(params, page.history, page.terms, page.book)
    if params is None or result is None or page.doc is None:
        return
    st.plotly_chart(
        ledger_figures.preferred_figure(result.timeline),
        config=png_config("preferred_outstanding"),
        key="preferred_chart",
    )
    st.plotly_chart(
        ledger_figures.actual_figure(result.timeline, actual_common_shares()),
        config=png_config("common_actual"),
        key="actual_chart",
    )
    render_breakeven(params, page.events, page.book, page.doc.key)


render = render_ledger
