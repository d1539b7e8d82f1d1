"""Page pieces shared by the sections: charts with a PNG button, CSV downloads named after the scenario, and the
inputs sidecar that travels with every download."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from calc.inputs.csv_records import MAX_TEXT_BYTES
from calc.model.inputs_registry import NET_INCOME, InputSpec
from calc.outputs.files import sidecar_json, to_csv_bytes
from calc.outputs.record import inputs_record
from charts import figures
from charts.template import STREAMLIT_THEME
from dashboard.context import Page
from dashboard.formatting import compact_shares, shares

# The uploader's stated limit: the largest file a holder or grants upload reads (calc.inputs.csv_records), in MB as
# Streamlit counts them (MiB); .streamlit/config.toml sets the same server-wide (``server.maxUploadSize``).
UPLOAD_MB = MAX_TEXT_BYTES // 1_000_000
BROWSER_MAX_INT = 2**53 - 1  # the largest whole number a browser's number input holds exactly
METRIC_WIDTH_PX = 168  # fits the longest label ("As-converted today") and value ("-37.34 B") at the headline's font


def share_metric(label: str, count: object, help: str, border: bool = True, width: int = METRIC_WIDTH_PX) -> None:
    """A share count in a metric box, compact (``3.61 B``: fits its box at any valid input, from 1024 px wide),
    the exact figure first in the tooltip."""
    st.metric(
        label, compact_shares(count), border=border, width=width, help=f"**Exact: {shares(count)} shares.** {help}"
    )


def net_income_input(container: Any, label: str, key: str, help: str) -> float:
    """A net income (loss) in USD within calc's bounds (``calc.model.inputs_registry.NET_INCOME``, as the CLI's
    flag), its default ($1,000,000,000, an illustrative figure) to start, its value with separators underneath."""
    value = container.number_input(
        label,
        **bounds_kwargs(NET_INCOME),
        value=float(NET_INCOME.default or 0),
        step=1e8,
        format="%.0f",
        key=key,
        help=help,
    )
    container.caption(f"= ${value:,.0f}")
    return float(value)


def bounds_kwargs(spec: InputSpec, number: type = float, high: float | None = None) -> dict[str, Any]:
    """``min_value`` / ``max_value`` of a number widget from the input's registry row, as ``number`` (the widget
    holds that type); ``high``: a lower cap of the widget's own (a browser's largest exact whole number)."""
    top = spec.bounds[1] if high is None else min(spec.bounds[1], high)
    return {"min_value": number(spec.bounds[0]), "max_value": number(top)}


def file_name(stem: str, scenario_id: str, ext: str = "csv") -> str:
    """``lucent_<stem>_<scenario id>.<ext>``: every file says which scenario produced it."""
    return f"lucent_{stem}_{scenario_id}.{ext}"


def download(label: str, frame: pd.DataFrame, file: str, key: str, help: str | None = None) -> None:
    """Excel-safe CSV download (UTF-8 with BOM, formula-like text neutralized, numbers to their unit's precision;
    ``calc.outputs.files.to_csv_bytes``), written only when clicked (Streamlit's deferred ``data``): a rerun pays
    nothing for it."""
    st.download_button(
        label,
        lambda: to_csv_bytes(frame, excel=True),
        file_name=file,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
        help=help,
    )


def inputs_payload(page: Page) -> dict[str, object]:
    """The inputs behind every file of this scenario (``calc.outputs.record.inputs_record``): product and version, and
    the whole scenario document (``--scenario`` on the command line reads this file as it is)."""
    return inputs_record("dashboard", {"holder_data": page.register_label}, page.params, doc=page.doc)


def inputs_sidecar(page: Page, key: str) -> None:
    """Download of the scenario's inputs (JSON), named with the same scenario id as the CSV files beside it."""
    st.download_button(
        "Inputs of these files (JSON)",
        lambda: sidecar_json(inputs_payload(page)),
        file_name=file_name("inputs", page.scenario_id, "json"),
        mime="application/json",
        key=key,
        on_click="ignore",
        icon=":material/description:",
        help=f"Scenario {page.scenario_id}: the inputs that produced the files beside it.",
    )


def chart(fig: go.Figure, filename: str, key: str) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config=figures.png_config(filename), theme=STREAMLIT_THEME)
