"""Plotly builder for the fair-value section: the preferred's value against the common price."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from charts.figures import LEGEND_BELOW, MARGIN_LEGEND_BELOW, as_list, build, chart_layout, shape_lines, vline

if TYPE_CHECKING:
    from calc.model.valuation import Valuation

VALUE_SERIES = {  # Valuation field -> (label, colour, dash)
    "value_usd": ("Fair value", "#4C78A8", "solid"),
    "bond_floor_usd": ("Bond floor (no conversion, no call)", "#54A24B", "dash"),
    "conversion_value_usd": ("Conversion value", "#F58518", "dot"),
}


def fair_value_figure(curve: Valuation, price_usd: float, conversion_price_usd: float) -> go.Figure:
    """Value per preferred share (per $1,000 of LP) against the common price, with the bond floor and the
    conversion value; the scenario's price and the conversion price marked."""
    x = as_list(curve.price_usd)
    data = [
        dict(
            type="scatter",
            x=x,
            y=as_list(getattr(curve, field)),
            mode="lines",
            name=label,
            line=dict(color=colour, dash=dash, width=2.5 if dash == "solid" else 1.5),
            hovertemplate=f"{label}: $%{{y:,.2f}}<extra></extra>",
        )
        for field, (label, colour, dash) in VALUE_SERIES.items()
    ]
    shapes, notes = shape_lines(
        vline(conversion_price_usd, f"conversion price ${conversion_price_usd:,.2f}", "#F58518"),
        vline(price_usd, f"scenario price ${price_usd:,.2f}", "#333333", "dot", "bottom"),
    )
    for note in notes:  # on a log axis plotly places shapes by value but annotations by log10(value)
        note["x"] = math.log10(note["x"])
    return build(
        data,
        chart_layout(
            "Fair value of one preferred share against the common price",
            "Common price at the valuation date (USD per share, log scale)",
            "USD per preferred share ($1,000 of LP)",
            shapes,
            notes,
            xaxis=dict(type="log", tickprefix="$"),
            yaxis=dict(tickprefix="$", separatethousands=True, rangemode="tozero"),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )
