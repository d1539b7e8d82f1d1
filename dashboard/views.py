"""Page sections. Each ``render_*`` lays out numbers already computed by ``calc``."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import calc.breakeven
import calc.dilution
import calc.engine
import calc.ledger
import calc.montecarlo
import calc.scenario
import calc.schedule
import calc.sensitivity
from calc.conversion import rate_step_at
from calc.errors import InputError
from calc.ledger import Event
from calc.montecarlo import run_monte_carlo
from calc.output import to_csv_bytes
from calc.params import HOLDER_BASES, ScenarioParams
from calc.register import parse_register_bytes, summarize, validate_register
from calc.scenario import ScenarioResult
from calc.terms import Terms
from dashboard import cache, figures, inputs, tables
from dashboard.narrative import FRACTION_NOTE, OWNERSHIP_CAVEAT, pct, shares
from dashboard.safe import error_lines, section, text
from dashboard.store import ENV_VAR, ScenarioStore

MC_AUTO_PATHS = 50_000  # Monte Carlo reruns by itself up to this many paths; above, on the button
MC_KEEP = 8  # Monte Carlo results kept per session
CONVENTION_MODULES = (
    calc.engine,
    calc.schedule,
    calc.scenario,
    calc.dilution,
    calc.sensitivity,
    calc.montecarlo,
    calc.ledger,
    calc.breakeven,
)
SOURCE_CONFIG = {
    "field": st.column_config.TextColumn("field", width="medium"),
    "value": st.column_config.TextColumn("value", width="small"),
    "source": st.column_config.TextColumn(
        "source", width="large", help="where the term is stated; hover a cell for all of it"
    ),
}


HOLDER_CONFIG = tables.holder_column_config()


def timeline_config(timeline: pd.DataFrame) -> dict:
    """Thousands separators for counts and amounts; prices to 4 decimals."""
    config = {}
    for column in timeline.columns:
        if column == "price_usd":
            config[column] = st.column_config.NumberColumn(column, format="%.4f")
        elif column.endswith("_pct"):
            config[column] = st.column_config.NumberColumn(column, format="%.3f%%")
        elif pd.api.types.is_numeric_dtype(timeline[column]):
            config[column] = st.column_config.NumberColumn(column, format="localized")
    return config


def download(label: str, frame: pd.DataFrame, file_name: str, key: str) -> None:
    """Excel-safe CSV download (UTF-8 with BOM, formula-like text neutralized; ``calc.output``)."""
    st.download_button(
        label,
        to_csv_bytes(frame, excel=True),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def chart(fig: go.Figure, filename: str, key: str) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config=figures.png_config(filename))


# --- headline ----------------------------------------------------------------------------------------


def render_metrics(params: ScenarioParams, summary: Mapping[str, object], terms: Terms) -> None:
    rate = rate_step_at(terms, params.valuation_date)
    n = terms.preferred.shares_issued
    row1 = st.columns(5)
    row1[0].metric(
        "As-converted today",
        shares(summary["as_converted_shares"]),
        border=True,
        help=f"As-converted shares today: if all {n:,} preferred converted on {params.valuation_date}, "
        f"{n:,} × {rate.rate} common per preferred (conversion price ${rate.conversion_price_usd}). "
        f"{FRACTION_NOTE}",
    )
    row1[1].metric(
        "New shares",
        shares(summary["new_shares"]),
        border=True,
        help=f"New shares under this scenario: common issued from {params.valuation_date} to "
        f"{params.horizon} by dividends + conversion + redemption, as chosen in the sidebar.",
    )
    row1[2].metric(
        "Total outstanding",
        shares(summary["total_shares"]),
        border=True,
        help=f"Total common outstanding at the horizon {params.horizon}: {params.base_shares:,} before "
        "the preferred plus the new shares.",
    )
    row1[3].metric(
        "Dilution",
        pct(summary["dilution_pct"]),
        border=True,
        help="New shares as a % of total common outstanding at the horizon.",
    )
    row1[4].metric(
        "Headroom",
        shares(summary["headroom_shares"]),
        border=True,
        help=f"Headroom vs authorized: authorized common ({shares(summary['authorized_shares'])}, an "
        "assumption; see Terms) minus total common outstanding at the horizon. Negative: the "
        "scenario needs more shares than authorized.",
    )
    row2 = st.columns(5)
    row2[0].metric(
        "From dividends",
        shares(summary["dividend_shares"]),
        help="Dividends paid in stock: the transfer agent sells new shares for the cash due.",
    )
    row2[1].metric(
        "From conversion",
        shares(summary["conversion_shares"]),
        help="Preferred converted into common at the conversion rate in force.",
    )
    row2[2].metric(
        "From redemption",
        shares(summary["redemption_shares"]),
        help="Puts and the mandatory redemption settled in stock valued at price × put_factor.",
    )
    row2[3].metric(
        "Base common shares",
        shares(params.base_shares),
        help="Common outstanding before the preferred's effects (sidebar: base_shares).",
    )
    row2[4].metric("Horizon", str(params.horizon), help="Last date projected (sidebar: horizon).")
    if bool(summary["exceeds_authorized"]):
        st.error(
            f"This scenario needs {shares(summary['total_shares'])} common shares outstanding, more than the "
            f"{shares(summary['authorized_shares'])} authorized (headroom {shares(summary['headroom_shares'])}): "
            "Lucent could not settle it in stock as "
            "specified without a charter amendment."
        )


# --- issuance tab ------------------------------------------------------------------------------------


def render_issuance(result: ScenarioResult, fig: go.Figure, register_label: str) -> None:
    chart(fig, "lucent_share_issuance", "chart_issuance")
    st.caption(
        "One stacked bar per event date (evenly spaced; the label gives date and kind): the base common "
        "shares outstanding before the preferred (grey, labelled with the count), with the new common shares "
        "issued so far stacked on top by source — dividends paid in stock, conversion, puts/redemption paid "
        "in stock (cumulative to that date). Line: total common outstanding after each event; dashed red "
        "line: the authorized shares. Hover for the shares each source issued on that date and the "
        "cumulative values; " + figures.PNG_NOTE
    )
    st.markdown("**Event timeline** (one row per event date; share counts are new shares issued on that date)")
    st.dataframe(
        result.timeline,
        hide_index=True,
        width="stretch",
        key="timeline_table",
        column_config=timeline_config(result.timeline),
    )
    c1, c2 = st.columns(2)
    with c1:
        download("Download timeline (CSV)", result.timeline, "lucent_timeline.csv", "dl_timeline")
    with c2:
        download(
            "Download summary (CSV)",
            tables.summary_table(result.params, result.summary, register_label),
            "lucent_summary.csv",
            "dl_summary",
        )


# --- sensitivity tab ---------------------------------------------------------------------------------


def render_sensitivity(sensitivity: pd.DataFrame, fig: go.Figure, conversion_price: float) -> None:
    chart(fig, "lucent_price_sensitivity", "chart_sensitivity")
    st.caption(
        f"Each line re-runs the scenario at a different common price (x axis, log-scale y). Settling in stock "
        f"issues about (cash value ÷ price) shares, so it explodes as the price falls; conversion issues a fixed "
        f"number of shares. Below the conversion price (${conversion_price:.2f}, dashed) a stock-settled put "
        "issues more shares than conversion (shaded). " + figures.PNG_NOTE
    )
    with st.expander("Sensitivity table"):
        st.dataframe(sensitivity, hide_index=True, width="stretch")
        download("Download sensitivity (CSV)", sensitivity, "lucent_price_sensitivity.csv", "dl_sensitivity")


# --- holders tab -------------------------------------------------------------------------------------


def _sync_basis() -> None:
    st.session_state[inputs.key("holder_basis")] = st.session_state["holder_basis_switch"]


def render_holders(
    result: ScenarioResult, fig: go.Figure, register: pd.DataFrame, register_label: str, terms: Terms
) -> None:
    st.session_state["holder_basis_switch"] = result.params.holder_basis
    st.radio(
        "Holder basis",
        HOLDER_BASES,
        key="holder_basis_switch",
        horizontal=True,
        on_change=_sync_basis,
        help="Same as holder_basis in the sidebar.",
    )
    info = summarize(register, terms.preferred.shares_issued)
    st.info(
        f"**Why the listed total can exceed the shares issued.** The holder table lists {info.holders} holders; "
        f"{info.listed_total_note()}. Holders named in successive supplements accumulate and shares that "
        "changed hands can be listed under both seller and buyer. **registered** uses the amounts as listed "
        "(holder rows then add up to more than the class); **pro_rata** scales every listing to the "
        f"{info.issued_preferred_shares:,} shares outstanding (largest-remainder rounding), so holder rows "
        "add up to the class totals."
    )
    st.info(f"**Who is counted.** {OWNERSHIP_CAVEAT}")
    chart(fig, "lucent_holder_concentration", "chart_concentration")
    st.caption(
        "Pro forma ownership of Lucent common at the horizon: common owned before plus shares received "
        "on conversion or stock redemption, over total common outstanding. Green bars are fund families "
        "(sums of their members). Dashed lines: 5% (Schedule 13D/G filing) and 10% (Section 16 insider). "
        + figures.PNG_NOTE
    )
    c1, c2, c3 = st.columns([3, 2, 1])
    query = c1.text_input("Search holders", key="holder_search", placeholder="name, fund family or footnote")
    kinds = c2.multiselect("Rows", ["holder", "family"], default=["holder", "family"], key="holder_kinds")
    flagged = c3.checkbox("≥ 5% only", key="holder_flagged")
    view = tables.holder_view(tables.filter_holders(result.holders, query, kinds, flagged))
    st.caption(f"{len(view)} row(s) shown; click a column header to sort. Holder data: {text(register_label)}.")
    st.dataframe(view, hide_index=True, width="stretch", column_config=HOLDER_CONFIG, key="holder_table", height=420)
    download("Download holder table (CSV)", tables.holder_view(result.holders), "lucent_holders.csv", "dl_holders")
    render_register_editing(register, terms)


def _accept_register(frame: pd.DataFrame, label: str) -> None:
    st.session_state["register"] = frame
    st.session_state["register_label"] = label
    st.session_state["register_token"] = cache.register_token(frame)


def _bookable(register: pd.DataFrame) -> pd.DataFrame:
    """A validated register that also forms a holder book (else ``InputError``)."""
    cache.book(cache.register_token(register), register)
    return register


def _report(kind: str, message: str, problems: tuple[str, ...] = ()) -> None:
    st.session_state["register_message"] = (kind, message, problems)


KEPT = "The previous holder data is still in use."


def _reject(subject: str, exc: InputError) -> None:
    """Report a rejected upload or edit: the reason (or the count of problems, listed in a table)."""
    reason = f"{len(exc.problems)} problem(s), listed below" if exc.problems else exc.args[0]
    _report("error", f"{subject} rejected: {reason}. {KEPT}", exc.problems)


def render_register_editing(register: pd.DataFrame, terms: Terms) -> None:
    with st.expander("Upload or edit holdings", expanded=bool(st.session_state.get("register_message"))):
        st.caption(
            "CSV in the register's format (as written by `python -m calc holders`): required columns "
            "`name`, `preferred_shares`; optional `footnotes`, `common_owned_prior`, `issues`. An invalid "
            "file is rejected with every bad row listed, and the current holder data stays in place."
        )
        upload = st.file_uploader("Upload a holder table (CSV)", type=["csv"], key="register_upload")
        if upload is not None and upload.file_id != st.session_state.get("register_upload_seen"):
            st.session_state["register_upload_seen"] = upload.file_id
            try:
                _accept_register(
                    _bookable(parse_register_bytes(upload.getvalue(), upload.name)), f"uploaded file {upload.name}"
                )
                _report("success", f"Loaded {upload.name}: {len(st.session_state['register'])} holders.")
                st.rerun()
            except InputError as exc:
                _reject(upload.name, exc)
        message = st.session_state.get("register_message")
        if message:
            kind, message_text, problems = message
            (st.error if kind == "error" else st.success)(error_lines(message_text))
            if problems:
                with st.container(key="upload_problems"):
                    st.table(tables.problem_rows(problems).set_index("line").map(text))
        st.markdown("**Edit holdings in the page** (line = table row + 1, as in a CSV with a header)")
        editable = register[["name", "footnotes", "preferred_shares", "common_owned_prior", "issues"]]
        edited = st.data_editor(
            editable,
            num_rows="dynamic",
            hide_index=True,
            key="register_editor",
            disabled=["issues"],
            width="stretch",
            height=300,
        )
        c1, c2 = st.columns(2)
        if c1.button("Apply edits", key="apply_edits"):
            try:
                _accept_register(
                    _bookable(validate_register(edited.reset_index(drop=True), "edited table")),
                    "holdings edited in the page",
                )
                _report("success", f"Edits applied: {len(edited)} holders.")
                st.rerun()
            except InputError as exc:
                _reject("Edits", exc)
                st.rerun()
        if c2.button("Restore the filing's holder table", key="restore_register"):
            _accept_register(cache.filing_register(), cache.FILING_LABEL)
            _report("success", "Restored the filing's holder table.")
            st.rerun()


# --- Monte Carlo tab ---------------------------------------------------------------------------------


def render_monte_carlo(
    params: ScenarioParams, result: ScenarioResult, terms: Terms, events: tuple[Event, ...] = ()
) -> None:
    """``events``: the ledger rows in use, the same on every path."""
    st.caption(
        "Random common-price paths (geometric Brownian motion around the sidebar's price and drift) run "
        "through the same dividend, put and conversion choices; the bands show the spread of total common "
        f"outstanding. Runs by itself up to {MC_AUTO_PATHS:,} paths; larger runs start on the button."
    )
    c1, c2, c3, c4 = st.columns(4)
    vol = c1.number_input(
        "Volatility (annualized)",
        value=0.60,
        step=0.05,
        format="%.2f",
        key="mc_volatility",
        help="σ of the log price per year, ≥ 0 (0 reproduces the deterministic path)",
    )
    paths = c2.number_input("Paths", value=10_000, step=10_000, key="mc_paths", help="1 to 1,000,000")
    seed = c3.number_input("Seed", value=0, step=1, key="mc_seed", help="random seed, ≥ 0 (same seed, same paths)")
    clicked = c4.button("Run Monte Carlo", key="mc_run", type="primary")
    runs = st.session_state.setdefault("mc_results", {})
    run_key = (cache.key_of(params), repr(events), float(vol), int(paths), int(seed))
    outcome = runs.get(run_key)
    if outcome is None and (clicked or paths <= MC_AUTO_PATHS):
        bar = st.progress(0.0, text="Monte Carlo: starting")

        def report(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Monte Carlo: {done:,} of {total:,} paths")

        try:
            outcome = run_monte_carlo(params, float(vol), int(paths), int(seed), terms, progress=report, events=events)
        except InputError as exc:
            outcome = exc
        bar.empty()
        runs[run_key] = outcome
        while len(runs) > MC_KEEP:
            runs.pop(next(iter(runs)))
    if outcome is None:
        st.info(f"{int(paths):,} paths: press **Run Monte Carlo** to start.")
        return
    if isinstance(outcome, InputError):
        st.error(error_lines(outcome))
        return
    fig = figures.fan_figure(outcome.total_percentiles, terms.market.authorized_common_shares, result.timeline)
    chart(fig, "lucent_monte_carlo", "chart_monte_carlo")
    st.caption(
        f"{int(paths):,} paths, volatility {float(vol):.2f}, seed {int(seed)}. Dark band: middle 50% of "
        "paths; light band: middle 90%; line: median; dotted: the deterministic scenario. "
        f"Probability that total common exceeds the authorized shares at the horizon: "
        f"**{pct(100 * outcome.exceeds_authorized_probability)}**. " + figures.PNG_NOTE
    )
    st.markdown("**New shares at the horizon by source, across paths**")
    st.dataframe(
        outcome.horizon_new_by_source.round(0),
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(c, format="localized") for c in outcome.horizon_new_by_source.columns
        },
    )


# --- saved scenarios tab -----------------------------------------------------------------------------


def _flash(kind: str, text: str) -> None:
    st.session_state["store_message"] = (kind, text)


def _load_scenario(path: str, name: str) -> None:
    try:
        inputs.set_state(ScenarioStore(path).load(name))
        _flash("success", f"Loaded '{name}' into the sidebar.")
    except InputError as exc:
        _flash("error", f"Could not load '{name}': {exc}")


def _unconfirm_delete() -> None:
    """Every deletion needs its own confirmation: choosing another scenario or deleting clears the tick."""
    st.session_state["delete_confirm"] = False


def _delete_scenario(path: str, name: str) -> None:
    if not st.session_state.get("delete_confirm"):
        _flash("error", f"Nothing deleted: tick 'Confirm: delete '{name}'' first.")
        return
    _unconfirm_delete()
    try:
        ScenarioStore(path).delete(name)
        _flash("success", f"Deleted '{name}'.")
    except InputError as exc:
        _flash("error", str(exc))


def render_saved(params: ScenarioParams | None, book_token: str, book, terms: Terms) -> None:
    store = ScenarioStore()
    st.caption(
        f"Saved in the SQLite file {text(store.path)} (set the environment variable `{ENV_VAR}` to use "
        "another file). Saved scenarios survive restarts; a failed write changes nothing already saved."
    )
    try:
        saved_list = store.entries()
    except InputError as exc:
        st.error(error_lines(exc))
        return
    c1, c2 = st.columns([3, 1])
    name = c1.text_input("Scenario name", key="save_name", placeholder="e.g. stock dividends and put at $1.89")
    c2.markdown("&nbsp;")
    clicked = c2.button("Save current inputs", key="save_scenario", disabled=params is None, type="primary")
    overwrite = False
    if name.strip() in {s.name for s in saved_list}:
        st.warning(
            f"A scenario named '{text(name.strip())}' is already saved. Saving under this name replaces it: "
            "tick the box below to confirm, or choose another name."
        )
        overwrite = st.checkbox(f"Overwrite the saved scenario '{text(name.strip())}'", key="save_overwrite")
    if clicked and params is not None:
        try:
            saved = store.save(name, params, overwrite=overwrite)
            _flash("success", f"{'Replaced' if overwrite else 'Saved'} '{saved}'.")
            saved_list = store.entries()
        except InputError as exc:
            exists = "already exists" in str(exc)
            _flash("error", f"{exc}: nothing was saved; tick the overwrite box to replace it." if exists else str(exc))
    message = st.session_state.pop("store_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(error_lines(message[1]))
    if not saved_list:
        st.info("No saved scenarios yet.")
        return
    invalid = [s.name for s in saved_list if s.params is None]
    if invalid:
        st.warning(
            f"{len(invalid)} saved scenario(s) have invalid stored inputs and cannot be loaded or compared "
            "(the problem column says why): " + ", ".join(f"'{text(n)}'" for n in invalid)
        )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "name": s.name,
                    "saved (UTC)": s.saved_at,
                    **({k: str(v) for k, v in s.params.as_dict().items()} if s.params else {}),
                    "problem": s.problem,
                }
                for s in saved_list
            ]
        ),
        hide_index=True,
        width="stretch",
        key="saved_table",
    )
    names = [s.name for s in saved_list]
    c1, c2, c3 = st.columns([3, 1, 1])
    pick = c1.selectbox("Saved scenario", names, key="saved_pick", on_change=_unconfirm_delete)
    c2.button("Load into sidebar", key="load_scenario", on_click=_load_scenario, args=(str(store.path), pick))
    confirmed = c3.checkbox(
        f"Confirm: delete '{text(pick)}'",
        key="delete_confirm",
        help="Deleting cannot be undone: tick to enable the Delete button.",
    )
    c3.button(
        "Delete", key="delete_scenario", on_click=_delete_scenario, args=(str(store.path), pick), disabled=not confirmed
    )
    chosen = st.multiselect("Compare saved scenarios side by side (two or more)", names, key="compare_pick")
    results = {}
    for entry in (s for s in saved_list if s.name in chosen):
        if entry.params is None:
            st.warning(
                f"Saved scenario '{text(entry.name)}' is left out of the comparison: its stored inputs are "
                f"invalid.  \n{error_lines(entry.problem)}"
            )
            continue
        with section(f"Saved scenario '{text(entry.name)}'"):
            results[entry.name] = cache.scenario(cache.key_of(entry.params), book_token, entry.params, book)
    if len(results) < 2:
        return
    st.dataframe(
        tables.compare_table({n: (r.params, r.summary) for n, r in results.items()}),
        hide_index=True,
        width="stretch",
        key="compare_table",
    )
    chart(
        figures.compare_issuance_figure({n: r.timeline for n, r in results.items()}),
        "lucent_scenario_comparison",
        "chart_compare",
    )


# --- terms tab -----------------------------------------------------------------------------------------


def render_terms(terms: Terms, params: ScenarioParams | None, defaults: ScenarioParams) -> None:
    st.markdown(
        "**Conversion-rate history** (common shares per preferred share of $1,000 liquidation "
        "preference; the Agere Systems spin-off raised the rate on 2002-06-01)"
    )
    st.table(tables.rate_history(terms).set_index("effective date"))
    st.markdown(
        f"**Holder put dates:** {', '.join(str(d) for d in terms.preferred.put_dates)} — "
        f"settled in {' or '.join(terms.preferred.put_settlement_options)} at Lucent's option. "
        f"**Dividends:** {float(terms.preferred.dividend_rate):.2%} a year on the liquidation preference, "
        f"{terms.preferred.dividends_per_year}× a year, cumulative; payable in cash or stock."
    )
    st.markdown("**Terms in force, with the source of each** (SUPP = the Aug 28, 2002 prospectus supplement)")
    st.dataframe(
        tables.term_rows(terms), hide_index=True, width="stretch", key="terms_table", column_config=SOURCE_CONFIG
    )
    st.markdown("**Assumptions**: terms not stated in the filing (taken from the product brief or assumed)")
    st.dataframe(tables.assumption_rows(terms), hide_index=True, width="stretch", column_config=SOURCE_CONFIG)
    if params is not None:
        st.markdown("**This scenario's inputs** (changed = differs from the default)")
        st.dataframe(tables.params_rows(params, defaults), hide_index=True, width="stretch")
    with st.expander("Conventions (how every number is computed)"):
        for module in CONVENTION_MODULES:
            st.markdown(f"`{module.__name__}`")
            st.code((module.__doc__ or "").strip(), language=None)
