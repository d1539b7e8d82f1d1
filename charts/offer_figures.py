"""Figure of the exchange desk (issue 23): pure function, numbers in, ``go.Figure`` out.

Every number comes from ``calc`` (``calc.offer``, ``calc.capacity``, ``calc.inducement``); nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from charts.figures import LEGEND_BELOW, MARGIN_LEGEND_BELOW, as_list, build, chart_layout, hline, shape_lines, vline

CAP_STYLE = {  # cap -> (label, colour)
    "nyse_20pct": ("NYSE 20% (shareholder approval)", "#E45756"),
    "registered": ("registered shares used up", "#B279A2"),
    "authorized": ("authorized shares used up", "#9D755D"),
}


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
            line=dict(color="#4C78A8", width=2.5),
            hovertemplate="$%{x:.2f}: $%{y:,.2f} per preferred<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[offer_point[0]],
            y=[offer_point[1]],
            mode="markers",
            name="This offer",
            marker=dict(symbol="star", size=14, color="#F58518"),
            hovertemplate="this offer: $%{x:.4f}, $%{y:,.2f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[t[1] for t in trades],
            y=[t[2] for t in trades],
            mode="markers",
            name="2002 exchanges (replayed; prices assumed)",
            text=[t[0] for t in trades],
            marker=dict(symbol="diamond", size=11, color="#54A24B"),
            hovertemplate="%{text}: $%{x:.4f}, $%{y:,.2f}<extra></extra>",
        ),
    ]
    lines = [hline(lp_usd, f"liquidation preference ${lp_usd:,.0f}", "#555555")]
    for cap, price in binding_prices_usd.items():
        if price is not None and x[0] <= price <= x[-1]:
            label, colour = CAP_STYLE[cap]
            shape, note = vline(price, f"{label} ${price:,.3f}", colour)
            lines.append((shape, dict(note, x=float(np.log10(price)), textangle=-90, yanchor="top", y=1.0)))
    shapes, notes = shape_lines(*lines)
    return build(
        data,
        chart_layout(
            "Exchange desk: value delivered per preferred share, and the caps on a stock-settled put",
            "Common price (USD, log scale)",
            "USD per preferred share",
            shapes,
            notes,
            xaxis=dict(type="log", range=[float(np.log10(x[0])), float(np.log10(x[-1]))], dtick="D2", tickprefix="$"),
            yaxis=dict(tickprefix="$", separatethousands=True),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )
