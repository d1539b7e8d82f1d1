"""Streamlit section: employee options and the full diluted share count.

Every number comes from ``calc``; this module only lays out inputs, tables and charts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.data import ILLUSTRATIVE_GRANTS_PATH
from calc.eps import DilutedEps, lucent_diluted_eps, waterfall_rows
from calc.errors import InputError
from calc.grants_csv import parse_grants_bytes, read_grants_csv
from calc.options import Grant, option_timeline, positions_frame, totals, tsm_curve
from calc.sensitivity import price_grid
from calc.terms import Terms
from dashboard import cache
from dashboard.safe import error_lines, short, text

STATE_KEY = "options_grants"  # (grants, label) in use
TRIAL_KEY = "options_previous"  # (grants, label) to restore if the upload on trial cannot be computed
SEEN_KEY = "options_upload_seen"  # file id of the last upload read
MESSAGE_KEY = "options_message"  # (file id, message) of the last rejected upload
TSM_PRICES_USD = (0.25, 10.0, 40)  # price_grid(low, high, points): $0.25 steps up to $10
ILLUSTRATIVE_NOTE = "Illustrative input — enter the period's actual figures."


def _grants() -> list[Grant]:
    """Grants in use: the illustrative file, or the last upload that validated and computed.

    A new upload that validates goes on trial (the grants it replaces are kept under ``TRIAL_KEY``):
    ``render_options_section`` keeps it only if the whole section computes with it. A rejected upload
    leaves the previous grants in use and its message stays while the file is in the uploader.
    """
    if STATE_KEY not in st.session_state:
        illustrative = read_grants_csv(ILLUSTRATIVE_GRANTS_PATH)
        st.session_state[STATE_KEY] = (illustrative, "illustrative grants (made-up counts)")
    upload = st.file_uploader(
        "Grants CSV",
        type="csv",
        key="options_upload",
        help="columns: grant_id, form, shares, exercise_price_usd, grant_date, termination_date, termination_reason",
    )
    if upload is not None and upload.file_id != st.session_state.get(SEEN_KEY):
        st.session_state[SEEN_KEY] = upload.file_id
        try:
            grants = parse_grants_bytes(upload.getvalue(), upload.name)
            st.session_state[TRIAL_KEY] = st.session_state[STATE_KEY]
            st.session_state[STATE_KEY] = (grants, upload.name)
        except InputError as exc:
            _reject(upload.file_id, f"{upload.name} rejected; still showing the previous grants.\n{exc}")
    file_id, message = st.session_state.get(MESSAGE_KEY, (None, ""))
    if upload is not None and upload.file_id == file_id:
        st.error(error_lines(message))
    grants, label = st.session_state[STATE_KEY]
    st.caption(f"Grants loaded: {text(label)} ({len(grants)} grants)")
    return grants


def _reject(file_id: str, message: str) -> None:
    st.session_state[MESSAGE_KEY] = (file_id, message)


def _end_trial(exc: Exception) -> None:
    """The section failed with grants on trial: restore the previous grants, say why, and rerun.
    Without a trial the failure is not the upload's and is raised to the section's guard."""
    previous = st.session_state.pop(TRIAL_KEY, None)
    if previous is None:
        raise exc
    rejected = st.session_state[STATE_KEY][1]
    st.session_state[STATE_KEY] = previous
    _reject(
        st.session_state[SEEN_KEY],
        f"{rejected} rejected: its grants are valid but cannot be computed "
        f"({type(exc).__name__}: {short(exc)}); still showing the previous grants.",
    )
    st.rerun()


def grants_key(grants: list[Grant]) -> str:
    """Content hash of the loaded grants (grants hold mapping proxies, so ``st.cache_data`` cannot hash them)."""
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:16]


@st.cache_data(show_spinner=False, max_entries=16)
def _timeline(key: str, _grants: list[Grant]) -> pd.DataFrame:
    """``calc.options.option_timeline`` of the grants whose content hash is ``key``."""
    return option_timeline(_grants)


@st.cache_data(show_spinner=False, max_entries=64)
def _tsm(key: str, as_of: dt.date, _grants: list[Grant]) -> pd.DataFrame:
    """``calc.options.tsm_curve`` over ``calc.sensitivity.price_grid`` for the grants hashed as ``key``."""
    return tsm_curve(_grants, as_of, [Decimal(str(p)) for p in price_grid(*TSM_PRICES_USD)])


def _timeline_chart(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for column in ("outstanding", "vested", "exercisable"):
        fig.add_scatter(
            x=frame["date"],
            y=frame[f"{column}_shares"],
            name=column,
            line_shape="hv",
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,}} shares<extra>{column}</extra>",
        )
    fig.update_layout(title="Option shares over time (all grants loaded)", xaxis_title="date", yaxis_title="shares")
    return fig


def _tsm_chart(frame: pd.DataFrame, price: float) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=frame["average_price_usd"],
            y=frame["tsm_incremental_shares"],
            mode="lines",
            hovertemplate="P = $%{x:.2f}: %{y:,} incremental shares<extra></extra>",
        )
    )
    fig.add_vline(x=price, line_dash="dot", annotation_text=f"P = ${price:.2f}")
    fig.update_layout(
        title="Treasury-stock incremental shares vs average price",
        xaxis_title="average common price (USD)",
        yaxis_title="incremental shares",
    )
    return fig


def _waterfall_chart(result: DilutedEps) -> go.Figure:
    rows = waterfall_rows(result)
    measures = ["absolute"] + ["relative"] * (len(rows) - 2) + ["total"]
    labels = [f"{r['step']}{'' if r['included'] else ' (antidilutive, excluded)'}" for r in rows]
    values = [r["incremental_shares"] if r["included"] else 0 for r in rows]
    text = [f"{r['incremental_shares']:,}" for r in rows]
    fig = go.Figure(
        go.Waterfall(
            x=labels, y=values, measure=measures, text=text, hovertemplate="%{x}: %{text} shares<extra></extra>"
        )
    )
    fig.update_layout(
        title="Diluted share count: basic → each security → diluted", yaxis_title="common shares", xaxis_title=""
    )
    return fig


def render_options_section() -> None:
    """Employee options (vesting/exercisability, TSM) and the diluted-share waterfall with EPS."""
    terms = cache.terms()
    st.subheader("Employee options and the full diluted share count")
    grants = _grants()
    try:
        _render_grants(terms, grants)
    except Exception as exc:  # noqa: BLE001 - an upload on trial is rejected by any failure
        _end_trial(exc)
    st.session_state.pop(TRIAL_KEY, None)


def _render_grants(terms: Terms, grants: list[Grant]) -> None:
    """Inputs, positions, charts and the EPS waterfall for ``grants``."""
    market = terms.market
    c1, c2, c3 = st.columns(3)
    as_of = c1.date_input("As of", value=dt.date(2004, 2, 1), key="options_date")
    price = c2.number_input(
        "Average price (USD)", min_value=0.01, value=float(market.closing_price_usd), step=0.25, key="options_price"
    )
    net_income = c3.number_input(
        "Income from continuing operations (USD, illustrative)",
        value=1_000_000_000.0,
        step=1e8,
        format="%.0f",
        key="options_ni",
        help="Placeholder, not a Lucent figure: enter the period's actual income from continuing operations.",
    )
    c3.caption(ILLUSTRATIVE_NOTE)
    c4, c5, c6 = st.columns(3)
    basic = c4.number_input(
        "Basic weighted shares (illustrative)",
        min_value=1,
        value=market.common_shares_outstanding,
        key="options_basic",
        help="Defaults to the common shares outstanding in the terms; enter the period's "
        "weighted-average basic shares.",
    )
    c4.caption(ILLUSTRATIVE_NOTE)
    exchanged = c5.checkbox("Preferred exchanged for debentures", key="options_exchanged")
    tax = c6.number_input("Tax rate (illustrative)", min_value=0.0, max_value=0.99, value=0.35, key="options_tax")
    c6.caption(ILLUSTRATIVE_NOTE)
    avg_price = Decimal(str(price))
    frame = positions_frame(grants, as_of, avg_price)
    t = totals(frame)
    m = st.columns(4)
    m[0].metric("Vested shares", f"{t['vested_shares']:,}")
    m[1].metric("Exercisable shares", f"{t['exercisable_shares']:,}")
    m[2].metric("Outstanding option shares", f"{t['outstanding_shares']:,}")
    m[3].metric("TSM incremental shares", f"{t['tsm_incremental_shares']:,}")
    st.dataframe(frame, width="stretch", hide_index=True)
    st.plotly_chart(_timeline_chart(_timeline(grants_key(grants), grants)))
    st.plotly_chart(_tsm_chart(_tsm(grants_key(grants), as_of, grants), price))
    result = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(str(net_income)),
        basic_shares=int(basic),
        date=as_of,
        average_price_usd=avg_price,
        grants=grants,
        exchanged=exchanged,
        tax_rate=Fraction(str(tax)),
    )
    st.markdown(
        "**Earnings per share from the illustrative inputs above** (income from continuing operations, "
        "basic weighted shares and tax rate are placeholders until you enter the period's actual figures)"
    )
    e = st.columns(3)
    e[0].metric("Basic EPS (USD)", f"{float(result.basic_eps_usd):.4f}")
    e[1].metric("Diluted EPS (USD)", f"{float(result.diluted_eps_usd):.4f}")
    e[2].metric("Diluted shares", f"{result.diluted_shares:,}")
    st.plotly_chart(_waterfall_chart(result))
    st.dataframe(pd.DataFrame(waterfall_rows(result)), width="stretch", hide_index=True)
