"""Section "Holders": who would own the new shares, the holder table and its downloads, and the holder data
(upload or edit)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from calc.errors import InputError
from calc.inputs.register import (
    PARTIAL_HANDLING,
    is_partial,
    is_remainder,
    listed_preferred,
    parse_register_bytes,
    partial_note,
    scale_factor,
    summarize,
    validate_register,
)
from calc.model.columns import holder_table
from calc.model.params import HOLDER_BASES
from calc.model.scenario import ScenarioResult
from calc.model.terms import Terms
from calc.scenario_doc import HolderData
from calc.scenario_run import holder_book, register_csv
from charts import figures
from dashboard import cache, formatting, inputs, state, tables
from dashboard.context import Page
from dashboard.narrative import OWNERSHIP_CAVEAT
from dashboard.safe import error_lines, text
from dashboard.widgets import UPLOAD_MB, chart, download, file_name, inputs_sidecar

HOLDER_CONFIG = tables.holder_column_config()


def _sync_basis() -> None:
    state.set_param("holder_basis", st.session_state["holder_basis_switch"])


def render(page: Page) -> None:
    assert page.params is not None and page.result is not None
    render_holders(page, page.result, page.terms)
    render_register_editing(page.register, page.terms.preferred.shares_issued)


def render_holders(page: Page, result: ScenarioResult, terms: Terms) -> None:
    st.session_state["holder_basis_switch"] = result.params.holder_basis
    st.radio(
        "Holder basis",
        HOLDER_BASES,
        key="holder_basis_switch",
        horizontal=True,
        format_func=inputs.choice_label,
        on_change=_sync_basis,
        help="Same as Holder basis in the sidebar (CLI: `--holder-basis`).",
    )
    render_partial_choice(page.register, terms.preferred.shares_issued)
    info = summarize(page.register, terms.preferred.shares_issued)
    st.info(
        f"**Why the listed total can exceed the shares issued.** The holder table lists {info.holders} holders; "
        f"{info.listed_total_note()}. Holders named in successive supplements accumulate and shares that "
        "changed hands can be listed under both seller and buyer. **registered** uses the amounts as listed "
        "(holder rows then add up to more than the class); **pro rata** scales every listing to the "
        f"{info.issued_preferred_shares:,} shares outstanding (largest-remainder rounding), so holder rows "
        "add up to the class totals."
    )
    st.info(f"**Who is counted.** {OWNERSHIP_CAVEAT}")
    chart(
        cache.concentration_figure(page.key, page.book_token, result),
        "lucent_holder_concentration",
        "chart_concentration",
    )
    st.caption(
        "Pro forma ownership of Lucent common at the horizon: common owned before plus shares received "
        "on conversion or stock redemption, over total common outstanding. Green bars are fund families "
        "(sums of their members). Dashed lines: 5% (Schedule 13D/G filing) and 10% (Section 16 insider). "
        + figures.PNG_NOTE
    )
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    query = c1.text_input("Search holders", key="holder_search", placeholder="name, fund family or footnote")
    kinds = c2.multiselect(
        "Show",
        ["holder", "family"],
        default=["holder", "family"],
        key="holder_kinds",
        format_func={"holder": "each holder", "family": "fund-family totals"}.__getitem__,
    )
    flagged = c3.checkbox("≥ 5% only", key="holder_flagged")
    kinds = [*kinds, "remainder"] if "holder" in kinds else kinds  # the remainder row is shown with the holders
    view = holder_table(tables.filter_holders(result.holders, query, kinds, flagged))
    every = holder_table(result.holders)
    st.caption(
        f"{len(view)} of {len(every)} row(s) shown; click a column header to sort. "
        f"Holder data: {text(page.register_label)}."
    )
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        column_config=HOLDER_CONFIG,
        key="holder_table",
        height=formatting.table_height(len(view)),  # 20 rows in view, not 11 (issue 21)
    )
    with st.container(horizontal=True, wrap=True):
        download(
            f"Shown rows ({len(view)}, CSV)",
            view,
            file_name("holders_shown", page.scenario_id),
            "dl_holders_shown",
            help="The rows the search and filters above leave, in the order shown.",
        )
        download(
            f"All rows ({len(every)}, CSV)",
            every,
            file_name("holders", page.scenario_id),
            "dl_holders",
            help="Every holder and fund-family row, whatever the search.",
        )
        inputs_sidecar(page, "dl_inputs_holders")


def _partial() -> str:
    """How a holder table listing fewer preferred than the shares issued is read (``PARTIAL_HANDLING``): part of
    the scenario's holder data."""
    return state.holders().partial


def _repartition() -> None:
    """The partial-table choice changed: the same holder table, read the new way."""
    state.set_holders(dataclasses.replace(state.holders(), partial=st.session_state["holder_partial"]))


def render_partial_choice(register: pd.DataFrame, issued: int) -> None:
    """For a holder table listing fewer preferred than the shares issued: as given (remainder row) or scaled."""
    if not is_partial(register, issued):
        return
    listed = listed_preferred(register)
    labels = {
        "as_given": f"as given (remainder row of {issued - listed:,})",
        "scale": f"scale ×{scale_factor(listed, issued):.2f}",
    }
    st.session_state["holder_partial"] = _partial()
    st.radio(
        f"Uploaded table covers {listed:,} of {issued:,} preferred",
        PARTIAL_HANDLING,
        key="holder_partial",
        horizontal=True,
        format_func=labels.__getitem__,
        on_change=_repartition,
        help="As given: every holder keeps its typed count; the rest of the class is one 'Unlisted holders "
        "(remainder)' row, never flagged as an owner. Scale: the pro rata basis scales every listing up to "
        "the shares issued (CLI: `export --partial`).",
    )
    st.caption(text(partial_note(register, issued, _partial())))


def _accept_register(frame: pd.DataFrame, label: str) -> None:
    """A validated holder table as typed (any remainder row dropped) into the scenario, read with the current
    partial-table choice."""
    typed = frame[~is_remainder(frame)].reset_index(drop=True)
    state.set_holders(HolderData(register_csv(typed), label, _partial()))


def _bookable(register: pd.DataFrame) -> pd.DataFrame:
    """A validated register that also forms a holder book (else ``InputError``)."""
    holder_book(HolderData(register_csv(register[~is_remainder(register)]), "check", _partial()), cache.terms())
    return register


def _report(kind: str, message: str, problems: tuple[str, ...] = ()) -> None:
    st.session_state["register_message"] = (kind, message, problems)


KEPT = "The previous holder data is still in use."


def _reject(subject: str, exc: InputError) -> None:
    """Report a rejected upload or edit: the reason (or the count of problems, listed in a table)."""
    reason = f"{len(exc.problems)} problem(s), listed below" if exc.problems else exc.args[0]
    _report("error", f"{subject} rejected: {reason}. {KEPT}", exc.problems)


def render_register_editing(register: pd.DataFrame, issued: int) -> None:
    with st.expander("Upload or edit holdings", expanded=bool(st.session_state.get("register_message"))):
        st.caption(
            "CSV in the register's format (as written by `python -m calc holders`): required columns "
            "`name`, `preferred_shares`; optional `footnotes`, `common_owned_prior`, `issues`. An invalid "
            "file is rejected with every bad row listed, and the current holder data stays in place."
        )
        upload = st.file_uploader(
            "Upload a holder table (CSV)", type=["csv"], key="register_upload", max_upload_size=UPLOAD_MB
        )
        if upload is not None and upload.file_id != st.session_state.get("register_upload_seen"):
            st.session_state["register_upload_seen"] = upload.file_id
            try:
                frame = _bookable(parse_register_bytes(upload.getvalue(), upload.name))
                _accept_register(frame, f"uploaded file {upload.name}")
                note = partial_note(frame, issued, _partial())
                holders = int((~is_remainder(frame)).sum())
                _report("success", f"Loaded {upload.name}: {holders} holders{'; ' + note if note else ''}.")
                st.rerun()
            except InputError as exc:
                _reject(upload.name, exc)
        message = st.session_state.get("register_message")
        if message:
            kind, message_text, problems = message
            (st.error if kind == "error" else st.success)(error_lines(message_text))
            if problems:
                with st.container(key="upload_problems"):
                    st.table(tables.problem_rows(problems).map(text), hide_index=True)
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
                frame = validate_register(edited.reset_index(drop=True), "edited table")
                _accept_register(_bookable(frame), "holdings edited in the page")
                _report("success", f"Edits applied: {len(edited)} holders.")
                st.rerun()
            except InputError as exc:
                _reject("Edits", exc)
                st.rerun()
        if c2.button("Restore the filing's holder table", key="restore_register"):
            state.set_holders(HolderData())
            _report("success", "Restored the filing's holder table.")
            st.rerun()
