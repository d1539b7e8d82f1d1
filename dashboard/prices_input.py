"""The sidebar's price path (issue 22): a dated path of closes instead of price × (1 + drift)^t.

An upload (CSV ``date,close_usd,source``, read as ``--prices`` reads a file: ``calc.model.price_path``), the shipped
closes (``data/prices.csv``) or none (the drift path); the rule between two closes (previous close or
log-linear) is chosen here and shown with the path. The path is part of the scenario document
(``calc.scenario_doc.PriceData``), so it is saved, linked and downloaded with the other inputs.
"""

from __future__ import annotations

import streamlit as st

from calc.errors import InputError
from calc.inputs.paths import PRICES_PATH
from calc.inputs.prices_csv import read_prices, read_prices_bytes
from calc.model.price_path import RULES
from calc.outputs import formats
from calc.scenario_doc import PriceData
from dashboard import inputs, safe, state

UPLOAD_KEY = "prices_upload"
RULE_KEY = "prices_rule"
ERROR_KEY = "prices_error"
PANEL_KEY = inputs.GROUP_PREFIX + "price_path"  # the sidebar expander (closed: its widgets are not built)
RULE_LABELS = {"previous": "previous close", "log_linear": "log-linear between closes"}


def _set(data: PriceData) -> None:
    st.session_state.pop(ERROR_KEY, None)
    state.set_prices(data)


def _on_upload() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        path = read_prices_bytes(upload.getvalue(), f"upload {upload.name}")
    except InputError as exc:
        st.session_state[ERROR_KEY] = safe.error_lines("\n".join((str(exc), *map(str, exc.problems))))
        return
    _set(PriceData(path.rows(), state.prices().rule, f"upload {upload.name}"))


def _use_shipped() -> None:
    path = read_prices(PRICES_PATH)
    _set(PriceData(path.rows(), state.prices().rule, "The recorded closes of 2001–2003"))


def _on_rule() -> None:
    current = state.prices()
    _set(PriceData(current.rows, st.session_state[RULE_KEY], current.label))


def describe(data: PriceData) -> str:
    """The path in use, in words (shown under the inputs)."""
    if not data.rows:
        return "No price path: the price on each date is price × (1 + annual drift)^t."
    first, last = formats.day(data.rows[0][0]), formats.day(data.rows[-1][0])
    return (
        f"{data.label}: {len(data.rows)} closes, {first} to {last}; between closes: **{RULE_LABELS[data.rule]}**; "
        "after the last, the last close. The sidebar's price and annual drift are not used; Monte Carlo paths "
        "vary around this path."
    )


def render() -> None:
    """The price-path inputs (call inside the sidebar), in a closed expander built only while open (first paint,
    issue 21); while it is closed, the path in use (if any) is named under it."""
    data = state.prices()
    panel = inputs.lazy_expander("Price path", PANEL_KEY)
    if not panel.open:
        if data.rows:
            st.caption(describe(data))
        return
    with panel:
        _render_inputs(data)


def _render_inputs(data: PriceData) -> None:
    """The upload, the shipped closes, the rule between closes and the path in use."""
    st.file_uploader(
        "Dated closes (CSV: date,close_usd,source)",
        type=["csv"],
        key=UPLOAD_KEY,
        on_change=_on_upload,
        max_upload_size=1,
        help="Dates strictly increasing, closes > 0; the first on or before the valuation date. Stock dividends, "
        "puts and the break-even use the path. CLI: `--prices FILE.csv`.",
    )
    c1, c2 = st.columns(2)
    c1.button("Use recorded closes", key="prices_shipped", on_click=_use_shipped, help="the closes found for 2001–2003")
    c2.button("No path (drift)", key="prices_clear", on_click=_set, args=(PriceData(),), disabled=not data.rows)
    st.session_state[RULE_KEY] = data.rule
    st.radio(
        "Between two closes",
        RULES,
        key=RULE_KEY,
        format_func=RULE_LABELS.__getitem__,
        on_change=_on_rule,
        horizontal=True,
        disabled=not data.rows,
        help="previous: the last close on or before the date; log-linear: S_i × (S_i+1 / S_i)^(fraction of the days "
        "between them). CLI: `--price-rule`.",
    )
    st.caption(describe(data))
    if ERROR_KEY in st.session_state:
        st.error("The uploaded price path was not used:  \n" + st.session_state[ERROR_KEY])
