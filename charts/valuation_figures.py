"""Plotly builder for the fair-value section: the preferred's value against the common price."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from charts.figures import LEGEND_BELOW, MARGIN_LEGEND_BELOW, as_list, build, chart_layout, shape_lines, vline
from charts.template import INK, PALETTE, log_axis, usd_labels

if TYPE_CHECKING:
    from calc.model.valuation import Valuation

VALUE_SERIES = {  # Valuation field -> (label, colour, dash)
    "value_usd": ("Fair value", PALETTE[0], "solid"),
    "bond_floor_usd": ("Bond floor (no conversion, no call)", PALETTE[2], "dash"),
    "conversion_value_usd": ("Conversion value", PALETTE[1], "dot"),
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
        vline(conversion_price_usd, f"conversion price ${conversion_price_usd:,.2f}", PALETTE[1]),
        vline(price_usd, f"scenario price ${price_usd:,.2f}", INK, "dot", "bottom"),
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
            xaxis=log_axis(x, usd_labels),
            yaxis=dict(tickprefix="$", separatethousands=True, rangemode="tozero"),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )
