"""Section "Price sensitivity": new shares at the horizon against the common price."""

from __future__ import annotations

import streamlit as st

from charts import figures
from dashboard import cache, formatting
from dashboard.context import Page
from dashboard.widgets import chart, download, file_name, inputs_sidecar


def render(page: Page) -> None:
    assert page.params is not None and page.result is not None
    sensitivity = cache.sensitivity(cache.key_any_price(page.params), page.params)
    conversion_price = figures.horizon_conversion_price(page.result.timeline)
    chart(
        cache.sensitivity_figure(page.key, page.params, page.result, sensitivity),
        "lucent_price_sensitivity",
        "chart_sensitivity",
    )
    st.caption(
        f"Each line re-runs the scenario at a different common price (x axis, log-scale y). Settling in stock "
        f"issues about (cash value ÷ price) shares, so it explodes as the price falls; conversion issues a fixed "
        f"number of shares. Below the conversion price ({formatting.usd(conversion_price)}, dashed) a "
        "stock-settled put issues more shares than conversion (shaded). " + figures.PNG_NOTE
    )
    with st.expander("Sensitivity table"):
        st.dataframe(
            formatting.shown(sensitivity),
            hide_index=True,
            width="stretch",
            column_config=formatting.column_config(sensitivity, {"price_usd": "Common price at the valuation date"}),
        )
        with st.container(horizontal=True, wrap=True):
            download(
                "Sensitivity (CSV)", sensitivity, file_name("price_sensitivity", page.scenario_id), "dl_sensitivity"
            )
            inputs_sidecar(page, "dl_inputs_sensitivity")
