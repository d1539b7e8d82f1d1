"""Streamlit section: employee options and the full diluted share count.

Every number comes from ``calc``; this module only lays out inputs, tables and charts.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
import streamlit as st

from calc.errors import InputError
from calc.inputs.grants_csv import grants_text
from calc.model.eps import DilutedEps, eps_defaults, lucent_diluted_eps, waterfall_rows
from calc.model.inputs_registry import BASIC_SHARES, TAX_RATE, TAX_RATE_WIDGET_MAX
from calc.model.options import Grant, positions_frame, totals
from calc.model.params import ScenarioParams
from calc.model.terms import Terms
from calc.outputs import formats
from calc.scenario_doc import GrantsData
from calc.scenario_run import grants_of
from charts.options_figures import timeline_figure, tsm_figure, waterfall_figure
from charts.template import STREAMLIT_THEME
from dashboard import cache, formatting, state
from dashboard.context import Page
from dashboard.safe import error_lines, short, text
from dashboard.widgets import UPLOAD_MB, bounds_kwargs, download, net_income_input, share_metric

TRIAL_KEY = "options_previous"  # GrantsData to restore if the upload on trial cannot be computed
SEEN_KEY = "options_upload_seen"  # file id of the last upload read
MESSAGE_KEY = "options_message"  # (file id, message) of the last rejected upload
FOLLOWED_KEY = "options_scenario_seen"  # (price, horizon) of the scenario last written into the inputs
# the columns that answer "how many options count" first, so they are on screen at 1024 px; the rest after
POSITION_COLUMNS = (
    "grant_id",
    "outstanding_shares",
    "tsm_incremental_shares",
    "exercisable_shares",
    "vested_shares",
    "expired_shares",
    "cancelled_shares",
    "shares",
    "exercise_price_usd",
    "grant_date",
)
# short headers (the CSV name is in the help)
POSITION_LABELS = {"tsm_incremental_shares": "TSM shares", "shares": "Shares granted"}
# EPS waterfall: the step, whether it counts and what it does to EPS first; the workings after
WATERFALL_LEAD = ("step", "included", "incremental_shares", "incremental_eps_usd", "eps_after_usd", "reason")
WATERFALL_LABELS = {
    "included": "Included",
    "incremental_shares": "Shares added",
    "incremental_eps_usd": "Incr. EPS",
    "eps_after_usd": "EPS after",
    "numerator_addback_usd": "Add-back",
}
ILLUSTRATIVE_NOTE = "Illustrative input — enter the period's actual figures."


def _grants() -> list[Grant]:
    """Grants in use (part of the scenario document, ``dashboard.state``): the illustrative file, or the last
    upload that validated and computed.

    A new upload that validates goes on trial (the grants it replaces are kept under ``TRIAL_KEY``):
    ``render_options_section`` keeps it only if the whole section computes with it. A rejected upload
    leaves the previous grants in use and its message stays while the file is in the uploader.
    """
    upload = st.file_uploader(
        "Grants CSV",
        type="csv",
        key="options_upload",
        max_upload_size=UPLOAD_MB,
        help="columns: grant_id, form, shares, exercise_price_usd, grant_date, termination_date, termination_reason",
    )
    if upload is not None and upload.file_id != st.session_state.get(SEEN_KEY):
        st.session_state[SEEN_KEY] = upload.file_id
        try:
            uploaded = GrantsData(None, grants_text(upload.getvalue(), upload.name), upload.name)
            grants_of(uploaded)
            st.session_state[TRIAL_KEY] = state.grants()
            state.set_grants(uploaded)
        except InputError as exc:
            _reject(upload.file_id, f"{upload.name} rejected; still showing the previous grants.\n{exc}")
    file_id, message = st.session_state.get(MESSAGE_KEY, (None, ""))
    if upload is not None and upload.file_id == file_id:
        st.error(error_lines(message))
    data = state.grants()
    grants = grants_of(data)
    st.caption(f"Grants loaded: {text(data.label)} ({len(grants)} grants)")
    return grants


def _reject(file_id: str, message: str) -> None:
    st.session_state[MESSAGE_KEY] = (file_id, message)


def _end_trial(exc: Exception) -> None:
    """The section failed with grants on trial: restore the previous grants, say why, and rerun.
    Without a trial the failure is not the upload's and is raised to the section's guard."""
    previous = st.session_state.pop(TRIAL_KEY, None)
    if previous is None:
        raise exc
    rejected = state.grants().label
    state.set_grants(previous)
    _reject(
        st.session_state[SEEN_KEY],
        f"{rejected} rejected: its grants are valid but cannot be computed "
        f"({type(exc).__name__}: {short(exc)}); still showing the previous grants.",
    )
    st.rerun()


def render(page: Page) -> None:
    """The section, defaulting to the scenario's price and horizon (when the scenario inputs are valid)."""
    render_options_section(page.params, page.scenario_id)


def _follow(params: ScenarioParams | None, terms: Terms) -> None:
    """Write the scenario's price and horizon into the "average price" and "as of" inputs whenever the scenario
    changes (they stay editable until the next change); without a scenario, the defaults shared with the CLI."""
    shared = eps_defaults(terms)
    wanted = (float(params.price), params.horizon) if params else (float(shared.average_price_usd), shared.date)
    if st.session_state.get(FOLLOWED_KEY) != wanted:
        st.session_state[FOLLOWED_KEY] = wanted
        st.session_state["options_price"], st.session_state["options_date"] = wanted


def render_options_section(params: ScenarioParams | None = None, scenario_id: str = "") -> None:
    """Employee options (vesting/exercisability, TSM) and the diluted-share waterfall with EPS."""
    terms = cache.terms()
    st.caption("Employee options (vesting, exercisability, treasury-stock method) and the full diluted share count.")
    _follow(params, terms)
    grants = _grants()
    try:
        _render_grants(terms, grants, params, scenario_id)
    except Exception as exc:  # noqa: BLE001 - an upload on trial is rejected by any failure
        _end_trial(exc)
    st.session_state.pop(TRIAL_KEY, None)


def _render_grants(terms: Terms, grants: list[Grant], params: ScenarioParams | None, scenario_id: str) -> None:
    """Inputs, positions, charts and the EPS waterfall for ``grants``."""
    shared = eps_defaults(terms)
    c1, c2, c3 = st.columns(3)
    as_of = c1.date_input(
        "As of",
        key="options_date",
        format="YYYY-MM-DD",
        help="Options are measured on this date. Default: the scenario's horizon (without a "
        f"scenario, {formats.day(shared.date)}, as `eps --date`).",
    )
    price = c2.number_input(
        "Average price (USD)",
        min_value=0.01,
        step=0.25,
        format="%.2f",  # a price to the cent (calc.outputs.formats)
        key="options_price",
        help="Average common price for the treasury stock method. Default: the scenario's "
        f"price (without a scenario, {shared.average_price_usd}, as `eps --price`).",
    )
    net_income = net_income_input(
        c3,
        "Income from continuing operations (USD, illustrative)",
        "options_ni",
        "Placeholder, not a Lucent figure: enter the period's actual income from continuing operations "
        "(`eps --net-income`).",
    )
    c3.caption(ILLUSTRATIVE_NOTE)
    c4, c5, _ = st.columns(3)
    basic = c4.number_input(
        "Basic weighted shares (illustrative)",
        **bounds_kwargs(BASIC_SHARES, int),
        value=shared.basic_shares,
        key="options_basic",
        help="Defaults to the common shares outstanding in the terms (as `eps --basic-shares`); "
        "enter the period's weighted-average basic shares.",
    )
    c4.caption(f"= {int(basic):,}")
    c4.caption(ILLUSTRATIVE_NOTE)
    tax = c5.number_input(
        "Tax rate (illustrative)",
        **bounds_kwargs(TAX_RATE, high=TAX_RATE_WIDGET_MAX),
        value=float(shared.tax_rate),
        key="options_tax",
        help="After-tax debenture interest; default as `eps --tax-rate` (an assumption, see the Terms section).",
    )
    c5.caption(ILLUSTRATIVE_NOTE)
    exchanged = st.checkbox("Preferred exchanged for debentures", key="options_exchanged", help="`eps --exchanged`")
    avg_price = Decimal(str(price))
    frame = positions_frame(grants, as_of, avg_price)
    t = totals(frame)
    with st.container(horizontal=True, wrap=True):
        for label, column in (
            ("Vested shares", "vested_shares"),
            ("Exercisable shares", "exercisable_shares"),
            ("Outstanding options", "outstanding_shares"),
            ("TSM incremental shares", "tsm_incremental_shares"),
        ):
            share_metric(label, t[column], f"{label} on {formats.day(as_of)}, over every grant listed.", width=200)
    positions = formatting.first(frame, POSITION_COLUMNS)
    on_page = formatting.shown(positions, ("grant_date", "termination_date"))
    st.dataframe(
        on_page, width="stretch", hide_index=True, column_config=formatting.column_config(on_page, POSITION_LABELS)
    )
    key = cache.grants_key(grants)
    timeline = cache.option_frame(key, grants)
    st.plotly_chart(timeline_figure(timeline), key="options_timeline_chart", theme=STREAMLIT_THEME)
    st.plotly_chart(
        tsm_figure(cache.tsm_frame(key, as_of, grants), price), key="options_tsm_chart", theme=STREAMLIT_THEME
    )
    result = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(str(net_income)),
        basic_shares=int(basic),
        date=as_of,
        average_price_usd=avg_price,
        grants=grants,
        exchanged=exchanged,
        tax_rate=Fraction(str(tax)),
        period_years=shared.period_years,
        lp_usd=shared.lp_usd,
    )
    st.markdown(
        "**Earnings per share from the illustrative inputs above** (income from continuing operations, "
        "basic weighted shares and tax rate are placeholders until you enter the period's actual figures)"
    )
    with st.container(horizontal=True, wrap=True):
        st.metric("Basic EPS", formatting.price(float(result.basic_eps_usd)), width=200)
        st.metric("Diluted EPS", formatting.price(float(result.diluted_eps_usd)), width=200)
        share_metric("Diluted shares", result.diluted_shares, "Basic + every dilutive increment.", width=200)
    st.plotly_chart(waterfall_figure(result), key="options_waterfall_chart", theme=STREAMLIT_THEME)
    waterfall = show_waterfall(result)
    sid = scenario_id or key[:8]  # the scenario's id (its grants included), else the grants' own hash
    with st.container(horizontal=True, wrap=True):
        download(
            "Positions (CSV)",
            positions,
            f"lucent_option_positions_{as_of.isoformat()}_{sid}.csv",
            "dl_options_positions",
        )
        download("Option timeline (CSV)", timeline, f"lucent_option_timeline_{sid}.csv", "dl_options_timeline")
        download(
            "EPS waterfall (CSV)",
            waterfall,
            f"lucent_eps_waterfall_{as_of.isoformat()}_{sid}.csv",
            "dl_options_waterfall",
        )


NAME_WIDTH_PX = 330  # a security's name column at most: names whole but the longest, the figures in view at 1024 px


def show_waterfall(result: DilutedEps) -> pd.DataFrame:
    """The EPS waterfall table (``WATERFALL_LEAD`` first, short headers); returns its rows for download."""
    waterfall = formatting.first(pd.DataFrame(waterfall_rows(result)), WATERFALL_LEAD)
    on_page = formatting.shown(waterfall)
    pin = {"step": formatting.text_width(on_page["step"], NAME_WIDTH_PX)}
    config = formatting.column_config(on_page, WATERFALL_LABELS, pin=pin)
    st.dataframe(on_page, width="stretch", hide_index=True, column_config=config)
    return waterfall
