"""The headline above every section: the scenario's key figures and "In plain words".

On the first section the full headline: metric boxes in wrapping rows (fewer per line on a narrow window) and
"In plain words" open. On every other section one line of the key figures (``render_strip``) and "In plain
words" closed, so that a section click shows that section on the first screen.

Values are compact (``3.61 B``) so each fits its box at any valid input, in any window from 1024 px wide; the
exact figure opens the tooltip."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from calc.model.conversion import rate_step_at
from calc.model.issuance import ISSUANCE_SOURCES, parts
from calc.model.params import ScenarioParams
from calc.model.scenario_prices import path_words
from calc.model.terms import Terms
from dashboard import narrative
from dashboard.context import Page
from dashboard.formatting import compact_shares, pct, shares
from dashboard.narrative import FRACTION_NOTE
from dashboard.widgets import METRIC_WIDTH_PX, share_metric

CSS = (
    "[data-testid='stMetricValue'] {font-size: 1.6rem;} "  # compact values: at most 9 characters
    ".st-key-headline_sources [data-testid='stMetricValue'] {font-size: 1.2rem;} "  # the parts: one line
    "h1 {font-size: 1.5rem !important; padding-top: 0 !important;} "
    "[data-testid='stMainBlockContainer'] {padding-top: 3.5rem !important;} "  # just below the toolbar
    ".st-key-section_heading h3 {padding: 0 !important;} "
    ".st-key-section button {padding: 4px 8px !important;} "  # the section selector: one line from 1440 px
    ".st-key-section button p {font-size: 0.8125rem !important;} "
    ".st-key-plain_words li, .st-key-plain_words p {font-size: 0.9375rem;}"
)  # each section's heading within the first 768 px at 1024 px wide (tests/test_browser.py)
SOURCE_WIDTH_PX = 144  # the parts of "New shares", base and horizon: six in one line from 1440 px wide
STRIP = (  # (label, summary key, format): the one-line headline on the sections after the first
    ("New shares", "new_shares", compact_shares),
    ("Total outstanding", "total_shares", compact_shares),
    ("Dilution", "dilution_pct", pct),
)


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
        for source, count in parts(summary):  # one per source (calc.model.issuance): the parts sum to "New shares"
            share_metric(f"From {source.label}", count, source.help, border=False, width=SOURCE_WIDTH_PX)
        share_metric(
            "Base common",
            params.base_shares,
            "Common outstanding before the preferred's effects (sidebar: Base common shares, `--base-shares`).",
            border=False,
            width=SOURCE_WIDTH_PX,
        )
        st.metric(
            "Horizon",
            params.horizon.isoformat(),
            width=SOURCE_WIDTH_PX,
            help="Last date projected (sidebar: Horizon, `--horizon`).",
        )
    if bool(summary["exceeds_authorized"]):
        st.error(
            f"This scenario needs {shares(summary['total_shares'])} common shares outstanding, more than the "
            f"{shares(summary['authorized_shares'])} authorized (headroom {shares(summary['headroom_shares'])}): "
            "Lucent could not settle it in stock as specified without a charter amendment."
        )


def render_strip(summary: Mapping[str, object], scenario_id: str) -> None:
    """The key figures in one line of small text; the exact share counts in its tooltip."""
    figures = " · ".join(f"**{label}** {fmt(summary[key])}" for label, key, fmt in STRIP)
    over = " · :red[**more than authorized**]" if bool(summary["exceeds_authorized"]) else ""
    exact = "; ".join(f"{label}: {shares(summary[key])} shares" for label, key, fmt in STRIP if fmt is compact_shares)
    with st.container(key="headline_strip"):
        st.caption(
            f"{figures}{over} · scenario {scenario_id}",
            help=f"**Exact:** {exact}. The full headline is on the first section, Share issuance.",
        )


def render(page: Page, full: bool = True) -> None:
    """Key figures and the plain-language reading of the scenario (``page.result`` is set): the full headline
    with "In plain words" open when ``full`` (the first section), else one line and "In plain words" closed."""
    assert page.params is not None and page.result is not None
    result = page.result
    if full:
        render_metrics(page.params, result.summary, page.terms)
    else:
        render_strip(result.summary, page.scenario_id)
    with st.container(key="plain_words"), st.expander("In plain words", expanded=full):
        st.markdown(
            narrative.explain(
                page.params,
                result.timeline,
                result.summary,
                result.holders,
                path_words(page.prices),
                result.capacity,
            )
        )
