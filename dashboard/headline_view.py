"""The headline above every section: the scenario's key figures and "In plain words".

Values are compact (``3.61 B``) so each fits its box at any valid input, in any window from 1024 px wide; the
exact figure opens the tooltip. The boxes sit in a wrapping row: fewer per line on a narrow window."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from calc.conversion import rate_step_at
from calc.issuance import ISSUANCE_SOURCES, parts
from calc.params import ScenarioParams
from calc.terms import Terms
from dashboard import narrative
from dashboard.context import Page
from dashboard.formatting import pct, shares
from dashboard.narrative import FRACTION_NOTE
from dashboard.widgets import METRIC_WIDTH_PX, share_metric

CSS = (
    "[data-testid='stMetricValue'] {font-size: 1.6rem;} "  # compact values: at most 9 characters
    "h1 {font-size: 2rem !important;}"
)  # the title on two lines at 1024 px, not four


def render_metrics(params: ScenarioParams, summary: Mapping[str, object], terms: Terms) -> None:
    rate = rate_step_at(terms, params.valuation_date)
    n = terms.preferred.shares_issued
    with st.container(horizontal=True, wrap=True, gap="small", key="headline"):
        share_metric(
            "New shares",
            summary["new_shares"],
            f"New shares under this scenario: common issued from {params.valuation_date} to {params.horizon} "
            f"by {' + '.join(source.label for source in ISSUANCE_SOURCES)}, as chosen in the sidebar and the "
            "events ledger.",
        )
        share_metric(
            "Total outstanding",
            summary["total_shares"],
            f"Total common outstanding at the horizon {params.horizon}: {params.base_shares:,} before the "
            "preferred plus the new shares.",
        )
        st.metric(
            "Dilution",
            pct(summary["dilution_pct"]),
            border=True,
            width=METRIC_WIDTH_PX,
            help="New shares as a % of total common outstanding at the horizon.",
        )
        share_metric(
            "Headroom",
            summary["headroom_shares"],
            f"Headroom vs authorized: authorized common ({shares(summary['authorized_shares'])}, an "
            "assumption; see Terms) minus total common outstanding at the horizon. Negative: the scenario "
            "needs more shares than authorized.",
        )
        share_metric(
            "As-converted today",
            summary["as_converted_shares"],
            f"As-converted shares today: if all {n:,} preferred converted on {params.valuation_date}, "
            f"{n:,} × {rate.rate} common per preferred (conversion price ${rate.conversion_price_usd}). "
            f"{FRACTION_NOTE}",
        )
    with st.container(horizontal=True, wrap=True, gap="small", key="headline_sources"):
        for source, count in parts(summary):  # one per source (calc.issuance): the parts sum to "New shares"
            share_metric(f"From {source.label}", count, source.help, border=False)
        share_metric(
            "Base common shares",
            params.base_shares,
            "Common outstanding before the preferred's effects (sidebar: Base common shares, `--base-shares`).",
            border=False,
        )
        st.metric(
            "Horizon",
            params.horizon.isoformat(),
            width=METRIC_WIDTH_PX,
            help="Last date projected (sidebar: Horizon, `--horizon`).",
        )
    if bool(summary["exceeds_authorized"]):
        st.error(
            f"This scenario needs {shares(summary['total_shares'])} common shares outstanding, more than the "
            f"{shares(summary['authorized_shares'])} authorized (headroom {shares(summary['headroom_shares'])}): "
            "Lucent could not settle it in stock as specified without a charter amendment."
        )


def render(page: Page) -> None:
    """Key figures and the plain-language reading of the scenario (``page.result`` is set)."""
    assert page.params is not None and page.result is not None
    result = page.result
    render_metrics(page.params, result.summary, page.terms)
    st.markdown(narrative.explain(page.params, result.timeline, result.summary, result.holders))
