"""The workbook and report downloads of the current scenario (``calc.workbook``, ``calc.report``).

Both files are built only when their button is clicked (Streamlit's deferred ``data``), so the page
pays nothing for them on a rerun. File names carry a short scenario id (the first 8 hex digits of
the SHA-256 of the scenario's inputs), the same on both files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from calc.ledger import Event
from calc.params import ScenarioParams
from calc.record import inputs_record
from calc.report import report_html
from calc.scenario import ScenarioResult
from calc.terms import Terms
from calc.workbook import WorkbookData, workbook_bytes
from dashboard.store import params_to_json

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scenario_id(params: ScenarioParams, events: Sequence[Event] = ()) -> str:
    """Short id of the inputs: 8 hex digits of SHA-256 over the parameters and the ledger rows."""
    text = params_to_json(params) + repr(tuple(events))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _record(params: ScenarioParams, events: Sequence[Event]) -> dict[str, object]:
    return inputs_record(
        "dashboard", {"ledger_events": len(events), "scenario_id": scenario_id(params, events)}, params
    )


def render_exports(
    params: ScenarioParams,
    result: ScenarioResult,
    figs: Sequence[go.Figure],
    terms: Terms,
    events: Sequence[Event] = (),
) -> None:
    """Two download buttons: the Excel workbook and the HTML report of this scenario."""
    sid = scenario_id(params, events)
    c1, c2 = st.columns(2)
    with c1:
        st.download_button(
            "Download workbook (Excel)",
            key="dl_workbook",
            on_click="ignore",
            data=lambda: workbook_bytes(WorkbookData(params, result, _record(params, events), terms)),
            file_name=f"lucent_scenario_{sid}.xlsx",
            mime=XLSX_MIME,
            icon=":material/table_view:",
            help="Inputs with sources, summary, timeline, holders, sources: numbers as numbers",
        )
    with c2:
        st.download_button(
            "Download report (HTML)",
            key="dl_report",
            on_click="ignore",
            data=lambda: report_html(params, result, figs, terms, _record(params, events)),
            file_name=f"lucent_report_{sid}.html",
            mime="text/html",
            icon=":material/description:",
            help="One self-contained page (charts inline, opens offline); print it to PDF",
        )
