"""Figures of the All securities section: every instrument's claim on common shares, stacked, over time and
against the start price. Frames from ``calc.model.securities`` (``stack_frame``, ``price_stack``) in, ``go.Figure``
out; no share arithmetic beyond adding calc's issued and potential counts for the stack.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.figures import LEGEND_BELOW, MARGIN_LEGEND_BELOW, SHARE_AXIS, as_list, build, chart_layout
from charts.template import DATE_AXIS, log_axis, palette_colour, usd_labels
from charts.text import plot_text

STACK_HEIGHT_PX = 620  # a legend of up to 9 long instrument names takes 3-4 rows at 1024 px
STACK_LEGEND = dict(LEGEND_BELOW, title=dict(text="Instrument"))


def stack_figure(stack: pd.DataFrame) -> go.Figure:
    """Stacked areas: issued (cumulative) + potential shares by instrument at each date, as steps (counts change
    on grid dates only); one ``PALETTE`` colour per instrument, an instrument with no claim left out of the legend."""
    data = []
    for i, (_, part) in enumerate(stack.groupby("id", sort=False)):
        claim = part["issued_cumulative_shares"] + part["potential_shares"]
        data.append(
            dict(
                type="scatter",
                x=[f"{pd.Timestamp(d):%Y-%m-%d}" for d in part["date"]],
                y=as_list(claim),
                stackgroup="claims",
                mode="lines",
                line=dict(shape="hv", color=palette_colour(i), width=1),
                fillcolor=palette_colour(i),
                name=plot_text(part["name"].iloc[0]),
                showlegend=bool(claim.any()),
                customdata=np.stack([part["issued_cumulative_shares"], part["potential_shares"]], axis=1).tolist(),
                hovertemplate="issued %{customdata[0]:,} + potential %{customdata[1]:,}",
            )
        )
    return build(
        data,
        chart_layout(
            "Dilution stack by instrument over time",
            "Date",
            "Common shares",
            subtitle="Shares issued so far plus potential shares, at each date",
            xaxis=DATE_AXIS,
            yaxis=SHARE_AXIS,
            legend=STACK_LEGEND,
            margin=MARGIN_LEGEND_BELOW,
            height=STACK_HEIGHT_PX,
        ),
    )


def price_figure(frame: pd.DataFrame, names: Mapping[str, str]) -> go.Figure:
    """Stacked areas: issued through + potential at the horizon by instrument, against the start price (log axis,
    ``charts.template.log_axis``); colours and legend as in ``stack_figure``."""
    prices = as_list(frame["price_usd"])
    data = [
        dict(
            type="scatter",
            x=prices,
            y=as_list(frame[iid]),
            stackgroup="claims",
            mode="lines",
            line=dict(color=palette_colour(i), width=1),
            fillcolor=palette_colour(i),
            name=plot_text(name),
            showlegend=bool(frame[iid].any()),
            hovertemplate="$%{x:,.2f}: %{y:,} shares",
        )
        for i, (iid, name) in enumerate(names.items())
    ]
    return build(
        data,
        chart_layout(
            "Dilution stack at the horizon against the common price",
            "Common price at the valuation date (USD per share, scenario drift)",
            "Common shares",
            xaxis=log_axis(prices, usd_labels),
            yaxis=SHARE_AXIS,
            legend=STACK_LEGEND,
            margin=MARGIN_LEGEND_BELOW,
            height=STACK_HEIGHT_PX,
        ),
    )
