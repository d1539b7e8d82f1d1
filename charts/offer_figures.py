"""Figure of the exchange desk (issue 23): pure function, numbers in, ``go.Figure`` out.

Every number comes from ``calc`` (``calc.model.offer``, ``calc.model.capacity``, ``calc.model.inducement``);
nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from charts.figures import (
    LEGEND_BELOW,
    MARGIN_LEGEND_BELOW,
    as_list,
    build,
    cap_lines,
    chart_layout,
    hline,
    shape_lines,
)
from charts.template import MUTED, PALETTE, log_axis, usd_labels


def offer_figure(
    prices_usd: np.ndarray,
    value_usd: np.ndarray,
    ratio: float,
    offer_point: tuple[float, float],
    trades: Sequence[tuple[str, float, float]],
    binding_prices_usd: Mapping[str, float | None],
    lp_usd: float,
) -> go.Figure:
    """Value delivered per preferred (R × S) over common prices, the offer and the 2002 trades (price, value)
    marked, and a vertical line at each cap's binding price for the class put in stock (at and left of it the
    cap binds)."""
    x = as_list(prices_usd)
    data = [
        dict(
            type="scatter",
            x=x,
            y=as_list(value_usd),
            mode="lines",
            name=f"Value delivered at {ratio:,.2f} common per preferred",
            line=dict(color=PALETTE[0], width=2.5),
            hovertemplate="$%{x:.2f}: $%{y:,.2f} per preferred<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[offer_point[0]],
            y=[offer_point[1]],
            mode="markers",
            name="This offer",
            marker=dict(symbol="star", size=14, color=PALETTE[1]),
            hovertemplate="this offer: $%{x:.4f}, $%{y:,.2f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[t[1] for t in trades],
            y=[t[2] for t in trades],
            mode="markers",
            name="2002 exchanges (replayed; prices assumed)",
            text=[t[0] for t in trades],
            marker=dict(symbol="diamond", size=11, color=PALETTE[4]),
            hovertemplate="%{text}: $%{x:.4f}, $%{y:,.2f}<extra></extra>",
        ),
    ]
    lines = [hline(lp_usd, f"liquidation preference ${lp_usd:,.0f}", MUTED)]
    shapes, notes = shape_lines(*lines, *cap_lines(binding_prices_usd, x[0], x[-1], log=True))
    return build(
        data,
        chart_layout(
            "Exchange desk: value delivered per preferred share",
            "Common price (USD per share, log scale)",
            "USD per preferred share",
            shapes,
            notes,
            xaxis=log_axis(x, usd_labels),
            yaxis=dict(tickprefix="$", separatethousands=True),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
            subtitle="Dashed lines: the prices at which a stock-settled put of the class reaches each cap",
        ),
    )
