"""The workbook and report downloads of the current scenario (``calc.outputs.workbook``,
``calc.outputs.report``), under the headline.

Both files are built only when their button is clicked (Streamlit's deferred ``data``), so the page
pays nothing for them on a rerun. File names carry the scenario id (``Page.scenario_id``), the same on
both files and on every CSV of the sections.
"""

from __future__ import annotations

import streamlit as st

from calc.model.scenario_prices import path_words
from calc.outputs.report import report_html
from calc.outputs.workbook import WorkbookData, workbook_bytes
from charts import figures
from dashboard import cache, state
from dashboard.context import Page
from dashboard.widgets import file_name, inputs_payload

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(page: Page) -> str:
    """The report of this scenario, as ``python -m calc report`` writes it: the same four charts
    (``charts.figures.scenario_figures``), the same price path in words and the page's run record."""
    assert page.params is not None and page.result is not None
    params, result, terms = page.params, page.result, page.terms
    sensitivity = cache.sensitivity(cache.key_any_price(params), params)
    charts = figures.scenario_figures(result, sensitivity, terms.market.authorized_common_shares)
    return report_html(params, result, charts, terms, inputs_payload(page), path_words(page.prices))


def render_exports(page: Page) -> None:
    """Two download buttons: the Excel workbook and the HTML report of this scenario (``page.result`` is set)."""
    assert page.params is not None and page.result is not None
    params, result, terms = page.params, page.result, page.terms
    with st.container(horizontal=True, wrap=True, key="exports"):
        st.download_button(
            "Download workbook (Excel)",
            key="dl_workbook",
            on_click="ignore",
            data=lambda: workbook_bytes(WorkbookData(params, result, inputs_payload(page), terms)),
            file_name=file_name("scenario", page.scenario_id, "xlsx"),
            mime=XLSX_MIME,
            icon=":material/table_view:",
            help="A printable brief (Summary, Charts), then inputs, timeline, holders and sources: numbers as numbers",
        )
        st.download_button(
            "Download report (HTML)",
            key="dl_report",
            on_click="ignore",
            data=lambda: _report(page),
            file_name=file_name("report", page.scenario_id, "html"),
            mime="text/html",
            icon=":material/description:",
            help="One self-contained page for a CFO (the answer first, charts inline, opens offline); prints to PDF",
        )
        assert page.doc is not None
        st.download_button(
            "Download scenario (JSON)",
            key="dl_scenario",
            on_click="ignore",
            data=page.doc.to_json,
            file_name=file_name("scenario", page.scenario_id, "json"),
            mime="application/json",
            icon=":material/data_object:",
            help="The whole scenario as one document: inputs, ledger rows, holder data, policies and grants. "
            "`python -m calc scenario --scenario FILE.json` reproduces this page's figures.",
        )
        with st.popover("Copy link", icon=":material/link:", help="A link that opens this scenario"):
            st.caption(
                f"Scenario {page.scenario_id}. On this server the link restores everything, uploads included; "
                "elsewhere, or after the saved-scenarios database is cleared, it restores the inputs it carries."
            )
            st.code(state.link(page.doc, page.defaults), language=None, wrap_lines=True)
