"""Figures of the Employee options section: option shares over time, treasury-stock incremental shares against
the average price, and what each potential security adds to basic shares. Frames and results from ``calc``
(``calc.model.options``, ``calc.model.eps``) in, ``go.Figure`` out; no share arithmetic here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from calc.model.eps import DilutedEps, waterfall_rows
from charts.figures import LEGEND_BELOW, MARGIN_LEGEND_BELOW, SHARE_AXIS, as_list, build, chart_layout, vline
from charts.template import DATE_AXIS, MUTED, PALETTE

LINE_STYLES = {
    "outstanding": (PALETTE[0], "solid", 3),
    "vested": (PALETTE[1], "dash", 2),
    "exercisable": (PALETTE[4], "dot", 2),
}  # distinct colour, dash and width per line


def timeline_figure(frame: pd.DataFrame) -> go.Figure:
    """Option shares outstanding, vested and exercisable on each date (steps: they change on grant, vesting and
    expiry dates); a series with no shares left out of the legend."""
    data = [
        dict(
            type="scatter",
            x=[f"{pd.Timestamp(d):%Y-%m-%d}" for d in frame["date"]],
            y=as_list(frame[f"{column}_shares"]),
            mode="lines",
            name=column,
            showlegend=bool(frame[f"{column}_shares"].any()),
            line=dict(shape="hv", color=colour, dash=dash, width=width),
            hovertemplate=f"%{{y:,}} shares<extra>{column}</extra>",
        )
        for column, (colour, dash, width) in LINE_STYLES.items()
    ]
    return build(
        data,
        chart_layout(
            "Option shares over time (all grants loaded)",
            "Date",
            "Option shares",
            xaxis=DATE_AXIS,
            yaxis=SHARE_AXIS,
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )


def tsm_figure(frame: pd.DataFrame, price: float) -> go.Figure:
    """Treasury-stock incremental shares against the average price, the current price marked."""
    data = [
        dict(
            type="scatter",
            x=as_list(frame["average_price_usd"]),
            y=as_list(frame["tsm_incremental_shares"]),
            mode="lines",
            name="incremental shares",
            line=dict(color=PALETTE[0]),
            hovertemplate="P = $%{x:.2f}: %{y:,} incremental shares<extra></extra>",
        )
    ]
    shape, note = vline(price, f"P = ${price:.2f}", MUTED, "dot")
    return build(
        data,
        chart_layout(
            "Treasury-stock incremental shares vs average price",
            "Average common price (USD per share)",
            "Incremental shares",
            [shape],
            [note],
            xaxis=dict(tickprefix="$", tickformat=",.2f"),
            yaxis=SHARE_AXIS,
            showlegend=False,
            hovermode="closest",
        ),
    )


def waterfall_figure(result: DilutedEps) -> go.Figure:
    """The increments only: each potential security's incremental shares (excluded ones drawn at 0 and labelled),
    then their total — not the billions of basic shares, beside which the options would be invisible."""
    steps = waterfall_rows(result)[1:-1]  # between "basic shares" and "diluted shares"
    labels = [f"{r['step']}{'' if r['included'] else '<br>(antidilutive, excluded)'}" for r in steps]
    values = [r["incremental_shares"] if r["included"] else 0 for r in steps]
    text = [
        f"+{r['incremental_shares']:,}" if r["included"] else f"({r['incremental_shares']:,} excluded)" for r in steps
    ]
    total = result.diluted_shares - result.basic_shares
    data = [
        dict(
            type="waterfall",
            x=labels + ["added to basic shares"],
            y=values + [total],
            measure=["relative"] * len(steps) + ["total"],
            text=text + [f"+{total:,}"],
            increasing=dict(marker=dict(color=PALETTE[2])),
            totals=dict(marker=dict(color=PALETTE[0])),
            hovertemplate="%{x}: %{text} shares<extra></extra>",
            showlegend=False,
        )
    ]
    return build(
        data,
        chart_layout(
            "Diluted shares: what each security adds",
            "",
            "Added common shares",
            subtitle=f"To the {result.basic_shares:,} basic shares",
            xaxis=dict(tickangle=0, automargin=True),  # labels level (2 lines), the y title whole
            yaxis=dict(SHARE_AXIS, automargin=True),
            hovermode="closest",
        ),
    )
