"""Figures of the ledger tab (issue 10): pure functions, frames in, ``go.Figure`` out.

No share arithmetic lives here; every number comes from ``calc`` (timeline, history
files, break-even curve).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.figures import (
    LEGEND_BELOW,
    LEGEND_BELOW_HEIGHT_PX,
    MARGIN_LEGEND_BELOW,
    NOTE_ROW_PX,
    SHARE_AXIS,
    as_list,
    build,
    cap_lines,
    chart_layout,
    date_trace,
    shape_lines,
    vline,
)
from charts.template import DATE_AXIS, INK, PALETTE, VALUE_PAD, count_labels, log_axis, usd_labels

GAP_NOTE = (  # two lines (<br>): one line is wider than the plot at 1024 px and was cut mid-word
    "Actual: 10-Q/10-K cover-page counts. The gap to the model is other issuance<br>"
    "the product does not model (employee plans, other securities)."
)


def preferred_figure(timeline: pd.DataFrame) -> go.Figure:
    """Preferred shares outstanding after each date's actions (step line)."""
    data = [
        date_trace(
            timeline,
            "preferred_outstanding",
            mode="lines+markers",
            line=dict(shape="hv", color=PALETTE[0]),
            name="Preferred outstanding",
            hovertemplate="%{y:,.0f} preferred<extra></extra>",
        )
    ]
    return build(
        data,
        chart_layout(
            "Preferred shares outstanding",
            "Date",
            "Preferred shares",
            subtitle="After each date's ledger rows and class decisions",
            xaxis=DATE_AXIS,
            yaxis=dict(rangemode="tozero", separatethousands=True),
        ),
    )


def actual_figure(timeline: pd.DataFrame, actual: pd.DataFrame) -> go.Figure:
    """Model total common outstanding (line) with the actual cover-page counts as markers."""
    data = [
        date_trace(
            timeline,
            "total_common_shares",
            mode="lines",
            line=dict(shape="hv", color=INK),
            name="Model: total common outstanding",
            hovertemplate="%{y:,.0f} (model)<extra></extra>",
        ),
        date_trace(
            actual,
            "common_shares_outstanding",
            mode="markers",
            marker=dict(symbol="diamond", size=10, color=PALETTE[2]),
            name="Actual (10-Q/10-K cover pages)",
            text=list(actual["source"]),
            hovertemplate="%{y:,.0f} actual<br>%{text}<extra></extra>",
        ),
    ]
    return build(
        data,
        chart_layout(
            "Common shares outstanding: model and actual",
            "Date",
            "Common shares",
            subtitle=GAP_NOTE,
            xaxis=DATE_AXIS,
            yaxis=SHARE_AXIS,
            legend=LEGEND_BELOW,
            margin=dict(MARGIN_LEGEND_BELOW, t=MARGIN_LEGEND_BELOW["t"] + 2 * NOTE_ROW_PX),
        ),
    )


DEAL_DASHES = ("dash", "dot", "dashdot")  # one per compared deal (grey), so the legend tells them apart


def level_trace(prices_usd: Sequence[float], value: float, name: str, colour: str, dash: str) -> dict:
    """A horizontal reference level drawn across the curve's price range, named in the legend."""
    return dict(
        type="scatter",
        x=[prices_usd[0], prices_usd[-1]],
        y=[value, value],
        mode="lines",
        name=name,
        line=dict(color=colour, dash=dash, width=1.5),
        hovertemplate=f"{name}<extra></extra>",
    )


def breakeven_figure(
    prices_usd: np.ndarray,
    wait: np.ndarray,
    ratio: float,
    deals: Sequence[tuple[str, float]],
    breakeven_usd: float | None,
    binding_prices_usd: Mapping[str, float | None] | None = None,
) -> go.Figure:
    """Common per preferred share: waiting (curve over flat prices) against exchanges (horizontal lines, in the
    legend), and the class binding price of each capacity cap (``charts.figures.cap_lines``: at and left of it a
    stock-settled put of the class needs shareholder approval, more than the registered or the authorized shares);
    the x axis spans the curve's prices. On a log axis plotly places annotations at log10 of the value
    (shapes at the value itself), hence the break-even label's ``log10``."""
    x = as_list(prices_usd)
    data = [
        dict(
            type="scatter",
            x=x,
            y=as_list(wait),
            mode="lines",
            name="Wait: common per preferred (scenario policies)",
            line=dict(color=PALETTE[0], width=2.5),
            hovertemplate="$%{x:.2f}: %{y:,.1f} common per preferred<extra></extra>",
        ),
        level_trace(x, ratio, f"Exchange now at {ratio:,.2f} common per preferred", PALETTE[1], "solid"),
    ]
    data += [
        level_trace(x, value, f"{label}: {value:,.2f}", "#999999", DEAL_DASHES[i % len(DEAL_DASHES)])
        for i, (label, value) in enumerate(deals)
    ]
    pairs = cap_lines(binding_prices_usd or {}, x[0], x[-1], log=True)
    if breakeven_usd is not None:
        shape, note = vline(breakeven_usd, f"break-even ${breakeven_usd:,.4f}", INK)
        pairs.append((shape, dict(note, x=float(np.log10(breakeven_usd)), xshift=4)))
    shapes, notes = shape_lines(*pairs)
    return build(
        data,
        chart_layout(
            "Exchange now or wait: common issued per preferred share",
            "Flat common price (USD per share, log scale)",
            "Common shares per preferred (log scale)",
            shapes,
            notes,
            subtitle="Waiting: the common price held flat",
            xaxis=log_axis(x, usd_labels),
            yaxis=log_axis(as_list(wait) + [ratio] + [value for _, value in deals], count_labels, VALUE_PAD),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
            height=LEGEND_BELOW_HEIGHT_PX,
        ),
    )
