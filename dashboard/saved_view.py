"""Section "Saved scenarios": save the sidebar inputs under a name, list them with their headline results, load,
delete, and compare two or more side by side (in the order picked)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calc.errors import InputError
from calc.outputs import formats
from calc.scenario_doc import ScenarioDoc
from charts import figures
from dashboard import cache, inputs, state, tables
from dashboard.context import Page
from dashboard.formatting import compact_shares, pct
from dashboard.safe import error_lines, section, short, text
from dashboard.store import ENV_VAR, SavedScenario, ScenarioStore
from dashboard.tables import show_param
from dashboard.widgets import chart


def _flash(kind: str, message: str) -> None:
    st.session_state["store_message"] = (kind, message)


def _save(path: str, doc: ScenarioDoc) -> None:
    """Save button: store the whole scenario (inputs, ledger rows, holder data, policies, grants) under the typed
    name; on success clear the name (and the overwrite tick), so
    the page does not at once warn that the name just saved is "already saved"."""
    name = st.session_state.get("save_name", "")
    overwrite = bool(st.session_state.get("save_overwrite"))
    try:
        saved = ScenarioStore(path).save(name, doc, overwrite=overwrite)
    except InputError as exc:
        exists = "already exists" in str(exc)
        _flash("error", f"{exc}: nothing was saved; tick the overwrite box to replace it." if exists else str(exc))
        return
    _flash("success", f"{'Replaced' if overwrite else 'Saved'} '{saved}'.")
    st.session_state["save_name"] = ""
    st.session_state["save_overwrite"] = False


def _load_scenario(path: str, name: str) -> None:
    try:
        entry = ScenarioStore(path).load(name)
        assert entry.doc is not None  # load raises for a scenario that no longer validates
        state.apply(entry.doc)
        kind = " (parameters only: it was saved before whole scenarios were kept)" if entry.params_only else ""
        _flash("success", f"Loaded '{name}'{kind}.")
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


def _headline(page: Page, entry: SavedScenario) -> dict[str, object]:
    """New shares, dilution, total outstanding and whether authorized shares suffice, for one saved scenario."""
    if entry.doc is None:
        return {}
    try:
        summary = cache.doc_result(entry.doc).summary
    except Exception as exc:  # noqa: BLE001 - a stored scenario that cannot be computed is listed, not raised
        return {"new shares": f"cannot be computed ({type(exc).__name__}: {short(exc)})"}
    return {
        "new shares": compact_shares(summary["new_shares"]),
        "dilution": pct(summary["dilution_pct"]),
        "total outstanding": compact_shares(summary["total_shares"]),
        "within authorized": "no" if summary["exceeds_authorized"] else "yes",
    }


def _saved_at(stamp: object) -> str:
    """When a scenario was saved, as ``formats.moment`` writes it; a stored value that is no time (a tampered
    file) as it is."""
    try:
        return formats.moment(stamp)
    except (ValueError, TypeError, OverflowError):
        return str(stamp)


def _listing(page: Page, saved: list[SavedScenario]) -> pd.DataFrame:
    rows = [
        {
            "name": s.name,
            "kept": "parameters only" if s.params_only else "whole scenario",
            "id": s.doc.id if s.doc else "",
            **_headline(page, s),
            "saved": _saved_at(s.saved_at),
            **(
                {
                    inputs.SPEC_BY_NAME[k].label: show_param(inputs.SPEC_BY_NAME[k], v)
                    for k, v in s.params.as_dict().items()
                }
                if s.params
                else {}
            ),
            "problem": s.problem,
        }
        for s in saved
    ]
    return pd.DataFrame(rows).fillna("")


def _save_row(store: ScenarioStore, names: set[str], doc: ScenarioDoc | None) -> None:
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    name = c1.text_input(
        "Scenario name",
        key="save_name",
        placeholder="e.g. stock dividends and put at $1.89",
        help="A save keeps the whole scenario: the inputs, the ledger rows, the holder data, the policies and "
        "the grants.",
    )
    c2.button(
        "Save current scenario",
        key="save_scenario",
        disabled=doc is None,
        type="primary",
        on_click=_save,
        args=(str(store.path), doc),
    )
    if name.strip() in names:
        st.warning(
            f"A scenario named '{text(name.strip())}' is already saved. Saving under this name replaces it: "
            "tick the box below to confirm, or choose another name."
        )
        st.checkbox(f"Overwrite the saved scenario '{text(name.strip())}'", key="save_overwrite")


def _compare(page: Page, saved: list[SavedScenario]) -> None:
    names = [s.name for s in saved]
    chosen = st.multiselect(
        "Compare saved scenarios side by side (two or more, in the order picked)", names, key="compare_pick"
    )
    by_name = {s.name: s for s in saved}
    results = {}
    for name in chosen:  # the order picked
        entry = by_name[name]
        if entry.doc is None:
            st.warning(
                f"Saved scenario '{text(entry.name)}' is left out of the comparison: its stored inputs are "
                f"invalid.  \n{error_lines(entry.problem)}"
            )
            continue
        with section(f"Saved scenario '{text(entry.name)}'"):
            results[entry.name] = cache.doc_result(entry.doc)
    if len(results) < 2:
        return
    st.table(tables.compare_table({n: (r.params, r.summary) for n, r in results.items()}), hide_index=True)
    chart(
        figures.compare_issuance_figure({n: r.timeline for n, r in results.items()}),
        "lucent_scenario_comparison",
        "chart_compare",
    )


def render(page: Page) -> None:
    store = ScenarioStore()
    st.caption(
        "Scenarios are saved on the server running this page, in a small database file, so they survive "
        "restarts; a failed write changes nothing already saved.",
        help=f"The file: {text(store.path)}. Set the environment variable `{ENV_VAR}` to use another file.",
    )
    try:
        saved = store.entries()
    except InputError as exc:
        st.error(error_lines(exc))
        return
    _save_row(store, {s.name for s in saved}, page.doc)
    message = st.session_state.pop("store_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(error_lines(message[1]))
    if not saved:
        st.info("No saved scenarios yet.")
        return
    invalid = [s.name for s in saved if s.doc is None]
    if invalid:
        st.warning(
            f"{len(invalid)} saved scenario(s) have invalid stored inputs and cannot be loaded or compared "
            "(the problem column says why): " + ", ".join(f"'{text(n)}'" for n in invalid)
        )
    st.dataframe(
        _listing(page, saved),
        hide_index=True,
        width="stretch",
        key="saved_table",
        column_config={"name": st.column_config.TextColumn("name", pinned=True)},
    )
    names = [s.name for s in saved]
    pick = st.selectbox("Saved scenario", names, key="saved_pick", on_change=_unconfirm_delete)
    with st.container(horizontal=True, wrap=True, vertical_alignment="center"):
        st.button("Load this scenario", key="load_scenario", on_click=_load_scenario, args=(str(store.path), pick))
        confirmed = st.checkbox(
            f"Confirm: delete '{text(pick)}'",
            key="delete_confirm",
            help="Deleting cannot be undone: tick to enable the Delete button.",
        )
        st.button(
            "Delete",
            key="delete_scenario",
            on_click=_delete_scenario,
            args=(str(store.path), pick),
            disabled=not confirmed,
        )
    _compare(page, saved)
