"""Ledger tab (issue 10): events editor, 2002 history toggle, preferred outstanding,
actual share counts and the exchange-or-wait break-even. Numbers come from ``calc``.

The rows in use are part of the scenario document (``dashboard.state``: cells as typed, in
``calc.model.ledger.EVENT_COLUMNS`` order). The editor's rows are checked like an events file (every problem with its
line: line N is table row N − 1), except the half-entered rows (a required cell still empty,
``calc.inputs.events_csv.missing_cells``): those are named as incomplete and left out.
When every complete row is valid they are the rows in use; otherwise the problems are reported and the
previous events stay in use.

The editor shows a base frame kept in ``dashboard.state`` (the rows it started from) plus its own edits (its
widget state); an edit is applied by the editor's callback, before the page reruns, so the headline follows
without a second run. The base changes only when the rows in use change elsewhere (a load, a link, the Add
exchange form) or when a computed ratio changes, so a cell typed while the page reruns is not lost.
User text (problems echo cells and file names) goes through ``dashboard.safe`` before it reaches the page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from calc.errors import InputError, Problem
from calc.inputs.data import actual_common_shares, history_events
from calc.inputs.events_csv import (
    cells_exchange_ratio,
    missing_cells,
    read_events_text,
)
from calc.inputs.history import COMPARED_DEALS
from calc.inputs.history_replay import ledger_events
from calc.inputs.numbers import parse_float, parse_whole
from calc.model.allocation import HolderBook
from calc.model.ledger import (
    ACTIONS,
    EVENT_COLUMNS,
    Event,
    check_events,
    event_exchange_ratio,
)
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.rounding import MAX_SHARES
from calc.model.terms import Terms
from calc.outputs import formats
from calc.scenario_doc import event_cells, events_csv
from charts import ledger_figures
from charts.figures import binding_prices, png_config
from charts.template import STREAMLIT_THEME
from dashboard import cache, safe, state
from dashboard.context import Page

Rows = tuple[tuple[str, ...], ...]

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
EDITOR_KEY = "events_editor"  # the editor's widget state: its edits to the base frame
EDITOR_ORIGIN = "edited events"  # the events "file" the editor's problems name
COUNT_COLUMNS = ("preferred_shares", "common_shares")  # whole numbers kept as text: "100,000", or "all"
DECIMAL_COLUMNS = ("common_per_preferred", "cash_per_preferred_usd")  # number columns; cells kept as typed
COMPUTED_COLUMN = "computed_common_per_preferred"
COMPUTED_LABEL = "Common per preferred (computed)"
# every settlement an action accepts, in calc's order, after the empty choice
SETTLEMENT_OPTIONS = ("", *dict.fromkeys(s for action in ACTIONS.values() for s in action.settlements))
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?")

ADD_FORM_KEY = "add_exchange"
ADD_DATE_KEY = "add_exchange_date"
ADD_PREFERRED_KEY = "add_exchange_preferred"
ADD_COMMON_KEY = "add_exchange_common"
ADD_SOURCE_KEY = "add_exchange_source"
ADD_SUBMIT_KEY = "add_exchange_submit"
ADD_MESSAGE_KEY = "add_exchange_problems"  # the form's last problems (set by its callback, shown below it)

BREAKEVEN_FOR_KEY = "breakeven_for"
BREAKEVEN_KNOWN_KEY = "breakeven_for_known"  # the exchange rows listed last time (a new one is chosen)
BREAKEVEN_RATIO_KEY = "breakeven_ratio"
BREAKEVEN_DATE_KEY = "breakeven_date"
CUSTOM = "custom"  # the "Break-even for" option of the typed ratio and date
DEFAULT_RATIO = 331.43  # the 2002 deals' average (58,000,000 common for 175,000 preferred, rounded)
MIN_RATIO = 0.01


def history_toggle() -> bool:
    """Sidebar toggle: replay the sourced 2002-2004 history (``calc.inputs.history_replay``)."""
    return st.sidebar.toggle(
        "Replay the 2002–2004 history",
        key=state.HISTORY_KEY,
        help="Adds every recorded exchange and retirement of the 8.00% preferred, 2002–2004: the exchanges "
        "(1,710,000 left on Sep 30, 2002, 1,330,000 on Dec 12, 2002, 961,000 on Apr 23, 2003; 354,841,964 common) "
        "and the retirements to Aug 2, 2004 (repurchased at $1,000: assumption). All securities also issues the "
        "trust preferred's exchanges (224,788,586 common); the 2002–2004 bridge section replays every security. "
        "With the window and base shares at their defaults, the projection starts Jul 31, 2002 with 3,432,688,763 "
        "common (10-Q cover). CLI: `--history`.",
    )


# --------------------------------------------------------------------------- the editor's table


def event_column(name: str) -> Any:
    """The editor column ``name``, typed: its header in words, a help in plain words naming the CSV/CLI column."""
    head, hint = EVENT_LABELS.get(name, (name.replace("_", " "), ""))
    common: dict[str, Any] = {"help": f"{hint}. CSV / CLI column: {name}", "width": EVENT_WIDTHS.get(name, "medium")}
    if name == "date":
        return st.column_config.DateColumn(head, format="YYYY-MM-DD", **common)
    if name == "action":
        return st.column_config.SelectboxColumn(head, options=list(ACTIONS), **common)
    if name == "settlement":
        return st.column_config.SelectboxColumn(head, options=list(SETTLEMENT_OPTIONS), **common)
    if name in DECIMAL_COLUMNS:
        return st.column_config.NumberColumn(head, min_value=0, **common)
    return st.column_config.TextColumn(head, **common)


def _computed_column() -> Any:
    return st.column_config.NumberColumn(
        COMPUTED_LABEL,
        help="exchange_common rows: common issued ÷ preferred shares, or the common per preferred typed "
        "(exact, shown to 2 decimals). Read-only.",
        format="%.2f",
        disabled=True,
        width="small",
    )


def _date_or_none(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _float_or_none(text: str) -> float | None:
    try:
        return parse_float(text) if text else None
    except InputError:
        return None


def _grouped(text: str) -> str | None:
    """A whole-number cell with separators ("100000" -> "100,000"); other text as it is; empty: None."""
    try:
        return f"{parse_whole(text):,}"
    except InputError:
        return text or None


def _ratio_or_none(cells: Mapping[str, str]) -> float | None:
    ratio = cells_exchange_ratio(cells)
    return None if ratio is None else float(ratio)


def _editor_frame(rows: Rows) -> pd.DataFrame:
    """The editor's table of ``rows`` (cells as text): typed values (object columns: a row added in the browser
    fits them), empty cells as None (shown blank), whole numbers with separators and the computed ratio after
    the typed one."""
    cells = [dict(zip(EVENT_COLUMNS, r)) for r in rows]
    columns: dict[str, Any] = {}
    for name in EVENT_COLUMNS:
        texts = [c[name] for c in cells]
        if name == "date":
            columns[name] = pd.Series([_date_or_none(t) for t in texts], dtype=object)
        elif name in DECIMAL_COLUMNS:
            columns[name] = pd.Series([_float_or_none(t) for t in texts], dtype=object)
        elif name in COUNT_COLUMNS:
            columns[name] = pd.Series([_grouped(t) for t in texts], dtype=object)
        else:
            columns[name] = pd.Series([t or None for t in texts], dtype=object)
        if name == "common_per_preferred":
            columns[COMPUTED_COLUMN] = pd.Series([_ratio_or_none(c) for c in cells], dtype=object)
    return pd.DataFrame(columns)


def _cell_text(name: str, value: object) -> str:
    """An editor value as the cell text of an events file: numbers as their shortest exact text (331.43 stays
    "331.43", 380.0 becomes "380"), dates as YYYY-MM-DD, empty as ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if name == "date" and (match := _ISO_DATE.fullmatch(text)):
        return match.group(1)
    return text


def _edited(base: Rows, edits: Mapping[str, Any]) -> list[tuple[int | None, tuple[str, ...]]]:
    """The editor's rows: ``base`` with its widget state ``edits`` applied as Streamlit does (cell edits by base
    position, then deletions, then added rows), each with its base position (None: added). Cells not edited keep
    their text exactly."""
    rows = [list(r) for r in base]
    for position, changes in (edits.get("edited_rows") or {}).items():
        if 0 <= int(position) < len(rows):
            for name, value in changes.items():
                if name in EVENT_COLUMNS:
                    rows[int(position)][EVENT_COLUMNS.index(name)] = _cell_text(name, value)
    deleted = {int(p) for p in edits.get("deleted_rows") or ()}
    kept: list[tuple[int | None, tuple[str, ...]]] = [(i, tuple(r)) for i, r in enumerate(rows) if i not in deleted]
    for added in edits.get("added_rows") or ():
        kept.append((None, tuple(_cell_text(name, added.get(name)) for name in EVENT_COLUMNS)))
    return kept


# --------------------------------------------------------------------------- checking and applying


@dataclass(frozen=True)
class EditCheck:
    """The editor's rows checked: the complete rows read, their problems, the half-entered rows."""

    events: tuple[Event, ...]  # the complete rows (``line``: editor row + 1)
    problems: list[Problem]  # problems of the complete rows (with history and the scenario); empty: they can be used
    incomplete: tuple[tuple[int, tuple[tuple[str, ...], ...]], ...]  # (line, missing cell groups)


def check_rows(rows: Rows, params: ScenarioParams, history: bool, terms: Terms, book: HolderBook) -> EditCheck:
    """Check the complete rows of ``rows`` like an events file (line N is row N − 1); half-entered rows
    (``missing_cells``) are only listed."""
    incomplete = tuple(
        (line, missing)
        for line, row in enumerate(rows, start=2)
        if (missing := missing_cells(dict(zip(EVENT_COLUMNS, row))))
    )
    skipped = {line for line, _ in incomplete}
    events, problems = read_events_text(events_csv(rows), EDITOR_ORIGIN)
    events = tuple(e for e in events if e.line not in skipped)
    kept: list[Problem] = [p for p in problems if p.source != EDITOR_ORIGIN or p.line not in skipped]
    try:
        check_events(ledger_events(events, history), kept, params, terms, book)
    except InputError as exc:
        return EditCheck(events, list(exc.problems), incomplete)
    return EditCheck(events, [], incomplete)


def _check_edit(
    edited: pd.DataFrame, params: ScenarioParams, history: bool, terms: Terms, book: HolderBook
) -> tuple[tuple[Event, ...], list[str]]:
    """``check_rows`` of a table of cell texts (``EVENT_COLUMNS``)."""
    frame = edited.reindex(columns=list(EVENT_COLUMNS)).fillna("").astype(str)
    check = check_rows(tuple(tuple(r) for r in frame.itertuples(index=False)), params, history, terms, book)
    problems: list[str] = list(check.problems)
    return check.events, problems


def _base_rows() -> Rows:
    """The editor's base rows; started again from the rows in use when those changed elsewhere (its edits are
    dropped with the old base)."""
    kept = state.editor_base()
    if kept is not None and kept[1] == state.event_rows():
        return kept[0]
    state.set_editor_base(state.event_rows())
    st.session_state.pop(EDITOR_KEY, None)
    return state.event_rows()


def _apply_edit(base: Rows, edits: Mapping[str, Any], check: EditCheck) -> bool:
    """Use the editor's complete rows when they are all valid (``state.set_events``). The base frame is replaced
    by the edited rows only when a computed ratio on screen would be stale; otherwise it is kept (with the rows
    in use now), so the editor keeps its identity and its pending typing. True when the rows in use or the base
    changed (the page drawn so far is stale)."""
    edited = _edited(base, edits)
    changed = False
    if not check.problems:
        applied = tuple(event_cells(e) for e in check.events)
        changed = applied != state.event_rows()
        if changed:
            state.set_events(applied)
    base_ratios = [cells_exchange_ratio(dict(zip(EVENT_COLUMNS, r))) for r in base]
    shown = [None if i is None else base_ratios[i] for i, _ in edited]
    if shown != [cells_exchange_ratio(dict(zip(EVENT_COLUMNS, r))) for _, r in edited]:
        state.set_editor_base(tuple(r for _, r in edited))
        st.session_state.pop(EDITOR_KEY, None)
        return True
    if changed:
        state.set_editor_base(base)
    return changed


def _on_edit(params: ScenarioParams | None, history: bool, terms: Terms, book: HolderBook) -> None:
    """The editor's callback (before the rerun): check and apply its rows."""
    kept = state.editor_base()
    if params is None or kept is None:
        return
    edits = st.session_state.get(EDITOR_KEY) or {}
    rows = tuple(r for _, r in _edited(kept[0], edits))
    _apply_edit(kept[0], edits, check_rows(rows, params, history, terms, book))


def _needs(missing: tuple[tuple[str, ...], ...]) -> str:
    def word(name: str) -> str:
        head = EVENT_LABELS[name][0]
        return head[0].lower() + head[1:]

    return ", ".join(" or ".join(word(n) for n in group) for group in missing)


def render_editor(params: ScenarioParams | None, history: bool, terms: Terms, book: HolderBook) -> None:
    st.caption(
        "Dated events acting on the preferred: exchanges for common, repurchases for cash, conversions, puts, "
        "calls, exchanges for debentures and changes of dividend policy. Hover a column header for what to "
        "type. The rows follow the same rules as an events file given to the command line (`--events FILE`); "
        "a problem names its line as in that file: the header is line 1, so the first row is line 2. "
        "A row is used once its required cells are filled."
    )
    base = _base_rows()
    config = {c: event_column(c) for c in EVENT_COLUMNS} | {COMPUTED_COLUMN: _computed_column()}
    st.data_editor(
        _editor_frame(base),
        key=EDITOR_KEY,
        num_rows="dynamic",
        column_config=config,
        width="stretch",
        hide_index=True,
        placeholder="",
        on_change=_on_edit,
        args=(params, history, terms, book),
    )
    if params is None:
        st.info("Fix the scenario inputs in the sidebar to check the events.")
        return
    edits = st.session_state.get(EDITOR_KEY) or {}
    rows = tuple(r for _, r in _edited(base, edits))
    check = check_rows(rows, params, history, terms, book)
    if check.incomplete:
        st.info(
            "  \n".join(
                f"Row {line - 1} (line {line}) is incomplete: needs {_needs(missing)}. It is left out until complete."
                for line, missing in check.incomplete
            )
        )
    if check.problems:
        st.error(
            f"Edited events rejected: {len(check.problems)} problem(s), listed below. The previous events are "
            "still in use.  \n" + safe.error_lines("\n".join(check.problems))
        )
    elif _apply_edit(base, edits, check):  # only when the callback has not applied them (edits set by a test)
        st.rerun()
    render_add_exchange(params, history, terms, book)


# --------------------------------------------------------------------------- the Add exchange form


def _in_window(key: str, params: ScenarioParams) -> None:
    """A date widget's value kept inside the scenario window (its own key, set before it is drawn)."""
    value = st.session_state.get(key)
    if not isinstance(value, dt.date) or not params.valuation_date <= value <= params.horizon:
        st.session_state[key] = params.valuation_date


def _add_exchange(params: ScenarioParams, history: bool, terms: Terms, book: HolderBook) -> None:
    """The form's callback: the new exchange_common row after the rows in use, checked by calc, then used."""
    preferred, common = st.session_state.get(ADD_PREFERRED_KEY), st.session_state.get(ADD_COMMON_KEY)
    date = st.session_state.get(ADD_DATE_KEY)
    if preferred is None or common is None or not isinstance(date, dt.date):
        st.session_state[ADD_MESSAGE_KEY] = ["Enter the date, the preferred retired and the common issued."]
        return
    cells = {
        "date": date.isoformat(),
        "action": "exchange_common",
        "preferred_shares": str(int(preferred)),
        "common_shares": str(int(common)),
        "source": str(st.session_state.get(ADD_SOURCE_KEY) or "").strip(),
    }
    row = tuple(cells.get(c, "") for c in EVENT_COLUMNS)
    rows = (*state.event_rows(), row)
    check = check_rows(rows, params, history, terms, book)
    if check.problems or check.incomplete:
        line = len(rows) + 1  # the new row's problems name its field, not a line of the editor
        st.session_state[ADD_MESSAGE_KEY] = [
            f"{EVENT_LABELS.get(p.column or '', (p.column,))[0]}: {p.what}"
            if p.source == EDITOR_ORIGIN and p.line == line
            else str(p)
            for p in check.problems
        ] or ["The exchange is incomplete."]
        return
    st.session_state[ADD_MESSAGE_KEY] = []
    kept = state.editor_base()
    shown = [r for _, r in _edited(kept[0], st.session_state.get(EDITOR_KEY) or {})] if kept else []
    state.set_events(tuple(event_cells(e) for e in check.events))
    state.set_editor_base((*shown, row))  # the editor keeps its rows (half-entered ones too) and shows the new one
    st.session_state.pop(EDITOR_KEY, None)


def render_add_exchange(params: ScenarioParams, history: bool, terms: Terms, book: HolderBook) -> None:
    """A form for the common case: preferred swapped for common on a date, appended to the rows in use."""
    _in_window(ADD_DATE_KEY, params)
    with st.form(ADD_FORM_KEY, border=True):
        st.markdown("**Add exchange** (preferred retired for common issued)")
        c = st.columns(3)  # the source on its own line: each field stays readable at 1024 px
        c[0].date_input(
            "Date",
            min_value=params.valuation_date,
            max_value=params.horizon,
            key=ADD_DATE_KEY,
            format="YYYY-MM-DD",
            help="inside the projection window",
        )
        c[1].number_input(
            "Preferred retired",
            min_value=1,
            max_value=MAX_SHARES,
            value=None,
            step=1,
            key=ADD_PREFERRED_KEY,
            help="preferred shares retired (a whole number)",
        )
        c[2].number_input(
            "Common issued",
            min_value=0,
            max_value=MAX_SHARES,
            value=None,
            step=1,
            key=ADD_COMMON_KEY,
            help="common shares issued in total, as reported (a whole number)",
        )
        st.text_input("Source (optional)", key=ADD_SOURCE_KEY, max_chars=200, help="where the row comes from")
        st.form_submit_button(
            "Add exchange", key=ADD_SUBMIT_KEY, on_click=_add_exchange, args=(params, history, terms, book)
        )
    if problems := st.session_state.get(ADD_MESSAGE_KEY):
        st.error("Exchange not added:  \n" + safe.error_lines("\n".join(problems)))


# --------------------------------------------------------------------------- break-even


def exchange_choices(events: Sequence[Event], params: ScenarioParams) -> dict[str, tuple[float, dt.date]]:
    """Option -> (common per preferred, date) of the exchange_common rows in force the panel can use (a ratio
    known from the row, at least ``MIN_RATIO``; a date inside the window). The option is the row's date and
    ratio in words, so a row edited is a new option."""
    history = set(history_events())
    choices: dict[str, tuple[float, dt.date]] = {}
    for e in events:
        ratio = event_exchange_ratio(e)
        if ratio is None or ratio < MIN_RATIO or not params.valuation_date <= e.date <= params.horizon:
            continue
        label = f"{formats.day(e.date)}: {formats.number(float(ratio), 2, 2)} common per preferred" + (
            " (2002 history)" if e in history else ""
        )
        option, copy = label, 1
        while option in choices:
            copy += 1
            option = f"{label} ({copy})"
        choices[option] = (float(ratio), e.date)
    return choices


def _to_custom() -> None:
    st.session_state[BREAKEVEN_FOR_KEY] = CUSTOM


def _breakeven_inputs(params: ScenarioParams, events: Sequence[Event]) -> tuple[float, dt.date]:
    """The "Break-even for" choice and the ratio and date it sets (a row's, or typed for custom)."""
    choices = exchange_choices(events, params)
    options = [*choices, CUSTOM]
    new = [o for o in choices if o not in st.session_state.get(BREAKEVEN_KNOWN_KEY, ())]
    st.session_state[BREAKEVEN_KNOWN_KEY] = tuple(choices)
    if new or st.session_state.get(BREAKEVEN_FOR_KEY) not in options:  # follow the row just entered or edited
        st.session_state[BREAKEVEN_FOR_KEY] = new[-1] if new else options[-2] if choices else CUSTOM
    chosen = st.selectbox(
        "Break-even for",
        options,
        key=BREAKEVEN_FOR_KEY,
        help="an exchange row in use (its common per preferred and date), or custom: the values typed below",
    )
    _in_window(BREAKEVEN_DATE_KEY, params)
    st.session_state.setdefault(BREAKEVEN_RATIO_KEY, DEFAULT_RATIO)
    if chosen in choices:
        st.session_state[BREAKEVEN_RATIO_KEY], st.session_state[BREAKEVEN_DATE_KEY] = choices[chosen]
    c = st.columns(2)
    ratio = c[0].number_input(
        "Common per preferred (R)",
        min_value=MIN_RATIO,
        step=1.0,
        format="%.2f",
        key=BREAKEVEN_RATIO_KEY,
        on_change=_to_custom,
        help="typing a value switches Break-even for to custom",
    )
    date = c[1].date_input(
        "Exchange date",
        min_value=params.valuation_date,
        max_value=params.horizon,
        key=BREAKEVEN_DATE_KEY,
        format="YYYY-MM-DD",
        on_change=_to_custom,
    )
    return float(ratio), date


def render_breakeven(
    params: ScenarioParams,
    events: tuple[Event, ...],
    book: HolderBook,
    params_json: str,
    price_path: PricePath | None = None,
    binding_prices_usd: Mapping[str, float | None] | None = None,
) -> None:
    """The break-even panel; ``binding_prices_usd``: the scenario's class binding prices (capacity caps), drawn on
    the chart."""
    st.subheader("Exchange now or wait")
    st.caption(
        "Per preferred share retired on the date: common issued by the exchange (R) against the common the "
        "same share causes if left outstanding under the scenario's policies (stock dividends after the "
        "date, then a stock-settled put or conversion; exact per-share amounts). The break-even is the flat "
        "common price at which both are equal (`python -m calc breakeven`); with a price path (sidebar), the "
        "price on the date of the path scaled to it. What an offer is worth, the yield it implies and the caps "
        "on the stock: *Exchange desk*."
    )
    ratio, date = _breakeven_inputs(params, events)
    try:
        report, prices, wait = cache.breakeven(params_json, ratio, date.isoformat(), params, events, book, price_path)
    except InputError as exc:
        st.error(
            "Break-even not available for these inputs:  \n" + safe.error_lines("\n".join((str(exc), *exc.problems)))
        )
        return
    be = report["breakeven_price_usd"]
    with st.container(horizontal=True, wrap=True, gap="small"):
        st.metric(
            "Exchange: common per preferred",
            formats.number(report["exchange_shares_per_preferred"], 2, 2),
            border=True,
            width=BREAKEVEN_METRIC_WIDTH_PX,
        )
        st.metric(
            "Wait: common per preferred",
            formats.number(report["wait_shares_per_preferred"], 2, 2),
            border=True,
            width=BREAKEVEN_METRIC_WIDTH_PX,
            help="at the scenario's price path",
        )
        st.metric(
            "Break-even flat price" if price_path is None else "Break-even price on the date (path scaled)",
            "none" if be is None else formats.price(be),
            border=True,
            width=BREAKEVEN_METRIC_WIDTH_PX,
            help="none: waiting never issues exactly R per preferred between $0.01 and $1,000",
        )
    fig = ledger_figures.breakeven_figure(
        prices, wait, ratio, COMPARED_DEALS, be if isinstance(be, float) else None, binding_prices_usd
    )
    st.plotly_chart(fig, config=png_config("breakeven"), key="breakeven_chart", theme=STREAMLIT_THEME)


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
        theme=STREAMLIT_THEME,
    )
    st.plotly_chart(
        ledger_figures.actual_figure(result.timeline, actual_common_shares()),
        config=png_config("common_actual"),
        key="actual_chart",
        theme=STREAMLIT_THEME,
    )
    render_breakeven(params, page.events, page.book, page.doc.key, page.prices, binding_prices(result))


render = render_ledger
