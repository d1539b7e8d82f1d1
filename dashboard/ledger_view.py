"""Ledger tab (issue 10): events editor, 2002 history toggle, preferred outstanding,
actual share counts and the exchange-or-wait break-even. Numbers come from ``calc``.

The events in use live in ``st.session_state[EVENTS_KEY]`` (validated ``calc.ledger``
rows). An edit is checked exactly like an events file (every problem with its line:
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
from calc.history import COMPARED_DEALS, history_defaults
from calc.ledger import EVENT_COLUMNS, Event, check_events, ledger_events, read_events_text
from calc.params import ScenarioParams
from calc.scenario import ScenarioResult
from calc.terms import Terms
from dashboard import cache, ledger_figures, safe
from dashboard.context import Page
from dashboard.figures import png_config

EVENTS_KEY = "ledger_events"
MESSAGE_KEY = "ledger_message"
HISTORY_KEY = "ledger_history"


def history_on() -> bool:
    """Whether the history toggle is on (read before the sidebar draws it)."""
    return bool(st.session_state.get(HISTORY_KEY, False))


def history_toggle() -> bool:
    """Sidebar toggle: replay the two 2002 exchanges."""
    return st.sidebar.toggle(
        "Replay the 2002 exchanges (history)",
        key=HISTORY_KEY,
        help="Adds data/history.csv: 175,000 preferred for 58,000,000 common and 100,000 for "
        "38,000,000 (dates inside the reported windows are assumptions). With the window "
        "and base shares at their defaults, the projection starts 2002-07-31 with "
        "3,432,688,763 common (10-Q cover).",
    )


def apply_history(raw: dict[str, Any], defaults: ScenarioParams, history: bool) -> dict[str, Any]:
    """History defaults for the valuation date and base shares when those inputs are at their defaults."""
    if not history:
        return raw
    replaced = {k: v for k, v in history_defaults().items() if raw.get(k) == getattr(defaults, k)}
    return raw | replaced


def current_events(history: bool) -> tuple[Event, ...]:
    """History rows (when on) then the edited events in use."""
    return ledger_events(st.session_state.get(EVENTS_KEY, ()), history)


def events_key(events: tuple[Event, ...]) -> str:
    """Cache key of a set of events."""
    return repr(events)


def _events_frame(events: tuple[Event, ...]) -> pd.DataFrame:
    rows = [
        {c: "" if getattr(e, c) is None and c != "preferred_shares" else str(getattr(e, c)) for c in EVENT_COLUMNS}
        | {
            "preferred_shares": "all" if e.preferred_shares is None else str(e.preferred_shares),
            "date": e.date.isoformat(),
        }
        for e in events
    ]
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS), dtype=str)


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
        "Ledger rows acting on the preferred (`calc.ledger`): actions exchange_common, repurchase_cash, "
        "convert, put, call, exchange_debentures, dividend_policy. `preferred_shares` is a whole number or "
        "`all`; `holder` is an exact register name (empty: shared pro rata). Same rules as "
        "`--events FILE`; problems name the line (line N = table row N − 1)."
    )
    base = _events_frame(st.session_state.get(EVENTS_KEY, ()))
    config = {c: st.column_config.TextColumn(c) for c in EVENT_COLUMNS}
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
    elif events != st.session_state.get(EVENTS_KEY, ()):
        st.session_state[EVENTS_KEY] = events
        st.rerun()


def render_breakeven(params: ScenarioParams, events: tuple[Event, ...], params_json: str) -> None:
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
        report, prices, wait = cache.breakeven(
            params_json, events_key(events), float(ratio), date.isoformat(), params, events
        )
    except InputError as exc:
        st.error(
            "Break-even not available for these inputs:  \n" + safe.error_lines("\n".join((str(exc), *exc.problems)))
        )
        return
    m = st.columns(3)
    m[0].metric("Exchange: common per preferred", f"{report['exchange_shares_per_preferred']:,.2f}")
    m[1].metric(
        "Wait: common per preferred", f"{report['wait_shares_per_preferred']:,.2f}", help="at the scenario's price path"
    )
    be = report["breakeven_price_usd"]
    m[2].metric(
        "Break-even flat price",
        "none" if be is None else f"${be:,.4f}",
        help="none: waiting never issues exactly R per preferred between $0.01 and $1,000",
    )
    fig = ledger_figures.breakeven_figure(
        prices, wait, float(ratio), COMPARED_DEALS, be if isinstance(be, float) else None
    )
    st.plotly_chart(fig, config=png_config("breakeven"), key="breakeven_chart")


def render_ledger(
    params: ScenarioParams | None,
    result: ScenarioResult | None,
    history: bool,
    terms: Terms,
    book: HolderBook,
    params_json: str,
) -> None:
    """The ledger tab."""
    render_editor(params, history, terms, book)
    if params is None or result is None:
        return
    events = current_events(history)
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
    render_breakeven(params, events, params_json)


def render(page: Page) -> None:
    """The ledger section (``dashboard.sections``): works on the valid sidebar inputs even when the events in use
    do not fit them, so the events can be fixed here."""
    params = page.sidebar_params
    render_ledger(params, page.result, page.history, page.terms, page.book, cache.key_of(params) if params else "")
