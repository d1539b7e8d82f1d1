"""Figures of the ledger tab (issue 10): pure functions, frames in, ``go.Figure`` out.

No share arithmetic lives here; every number comes from ``calc`` (timeline, history
files, break-even curve).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.figures import (
    LEGEND_BELOW,
    MARGIN_LEGEND_BELOW,
    as_list,
    build,
    chart_layout,
    date_trace,
    hline,
    shape_lines,
    vline,
)

GAP_NOTE = (
    "Actual: 10-Q/10-K cover-page counts. The gap to the model is other issuance the product does not "
    "model (employee plans, other securities)."
)


def preferred_figure(timeline: pd.DataFrame) -> go.Figure:
    """Preferred shares outstanding after each date's actions (step line)."""
    data = [
        date_trace(
            timeline,
            "preferred_outstanding",
            mode="lines+markers",
            line=dict(shape="hv", color="#4C78A8"),
            name="Preferred outstanding",
            hovertemplate="%{x}: %{y:,.0f} preferred<extra></extra>",
        )
    ]
    return build(
        data,
        chart_layout(
            "Preferred shares outstanding (after each date's ledger rows and class decisions)",
            "Date",
            "Preferred shares",
            yaxis=dict(rangemode="tozero"),
        ),
    )


def actual_figure(timeline: pd.DataFrame, actual: pd.DataFrame) -> go.Figure:
    """Model total common outstanding (line) with the actual cover-page counts as markers."""
    data = [
        date_trace(
            timeline,
            "total_common_shares",
            mode="lines",
            line=dict(shape="hv", color="#222222"),
            name="Model: total common outstanding",
            hovertemplate="%{x}: %{y:,.0f} (model)<extra></extra>",
        ),
        date_trace(
            actual,
            "common_shares_outstanding",
            mode="markers",
            marker=dict(symbol="diamond", size=10, color="#E45756"),
            name="Actual (10-Q/10-K cover pages)",
            text=list(actual["source"]),
            hovertemplate="%{x}: %{y:,.0f} actual<br>%{text}<extra></extra>",
        ),
    ]
    note = dict(
        xref="paper",
        yref="paper",
        x=0,
        y=-0.32,
        text=GAP_NOTE,
        showarrow=False,
        xanchor="left",
        font=dict(size=11, color="#555555"),
    )
    return build(
        data,
        chart_layout(
            "Common shares outstanding: model and actual",
            "Date",
            "Common shares",
            (),
            [note],
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )


def breakeven_figure(
    prices_usd: np.ndarray,
    wait: np.ndarray,
    ratio: float,
    deals: Sequence[tuple[str, float]],
    breakeven_usd: float | None,
) -> go.Figure:
    """Common per preferred share: waiting (curve over flat prices) against exchanges (horizontal lines)."""
    data = [
        dict(
            type="scatter",
            x=as_list(prices_usd),
            y=as_list(wait),
            mode="lines",
            name="Wait (scenario policies)",
            line=dict(color="#4C78A8"),
            hovertemplate="$%{x:.2f}: %{y:,.1f} common per preferred<extra></extra>",
        )
    ]
    lines = [hline(ratio, f"exchange at {ratio:,.2f}", "#F58518")]
    lines += [hline(value, f"{label}: {value:,.2f}", "#999999") for label, value in deals]
    if breakeven_usd is not None:
        lines.append(vline(breakeven_usd, f"break-even ${breakeven_usd:,.4f}", "#E45756"))
    shapes, notes = shape_lines(*lines)
    return build(
        data,
        chart_layout(
            "Common issued per preferred share: exchange now or wait (flat common price)",
            "Flat common price (USD, log scale)",
            "Common shares per preferred",
            shapes,
            notes,
            xaxis=dict(type="log"),
            yaxis=dict(type="log"),
        ),
    )
