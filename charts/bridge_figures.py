"""The dilution bridge as a waterfall: base → + issued by source → total outstanding → + potential →
fully diluted. Rows come from ``calc.model.securities.bridge_rows`` (``calc.model.measures.bridge``); no share
arithmetic here, plotly reads each row's ``measure`` (absolute / relative / total). The 2002-2004
share-count bridge (``calc.model.bridge.waterfall_rows``) uses the same waterfall, and ``reconciliation_figure``
draws its model against the cover counts with the residual.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from charts.figures import LEGEND_BELOW, MARGIN_LEGEND_BELOW, SHARE_AXIS, as_list, build, chart_layout
from charts.template import BASE_GREY, PALETTE
from charts.text import plot_text

BASE_COLOUR = BASE_GREY
ISSUED_COLOUR = PALETTE[2]
TOTAL_COLOUR = PALETTE[0]
MAX_STEP = 34  # characters of a step name on the axis (the full name in the hover)


def _short(step: str) -> str:
    return step if len(step) <= MAX_STEP else step[: MAX_STEP - 1] + "…"


ZOOM_FLOOR = 0.95
DILUTION_TITLE = "Bridge at the horizon: base → outstanding → fully diluted"


ROW_PX = 34  # height of one step's bar row
FRAME_PX = 170  # title, share axis and margins around the rows


def bridge_figure(rows: Sequence[dict], title: str = DILUTION_TITLE, zoom: bool = False) -> go.Figure:
    """Waterfall of the bridge rows, read top down: the base and subtotals as full bars, additions floating on the
    running total. Horizontal, so the step names sit level beside their bars (tilted under them they ran off the
    chart at 1024 px). ``zoom``: the share axis starts just under the lowest running total (``ZOOM_FLOOR`` of it)
    instead of 0, so steps of a few % of the base stay visible (the bars of the base and totals are then cut: the
    axis says so)."""
    steps = [plot_text(r["step"]) for r in rows]
    data = [
        dict(
            type="waterfall",
            orientation="h",
            measure=[r["measure"] for r in rows],
            y=[f"{k + 1}. {_short(s)}" for k, s in enumerate(steps)],
            x=[r["shares"] for r in rows],
            customdata=[[s, r["running_total_shares"]] for s, r in zip(steps, rows)],
            hovertemplate="%{customdata[0]}: %{x:,} shares (running total %{customdata[1]:,})<extra></extra>",
            increasing=dict(marker=dict(color=ISSUED_COLOUR)),
            totals=dict(marker=dict(color=TOTAL_COLOUR)),
            connector=dict(line=dict(color=BASE_COLOUR, width=1)),
            showlegend=False,
        )
    ]
    totals = [r["running_total_shares"] for r in rows]
    axis = dict(SHARE_AXIS, range=[ZOOM_FLOOR * min(totals), 1.01 * max(totals)]) if zoom and rows else SHARE_AXIS
    layout = chart_layout(
        title,
        "Common shares" + (" (axis not from 0)" if zoom else ""),
        None,
        xaxis=axis,
        yaxis=dict(autorange="reversed", automargin=True, ticksuffix=" "),
        hovermode="closest",
        height=FRAME_PX + ROW_PX * len(rows),
    )
    return build(data, layout)


RESIDUAL_COLOUR = "#F58518"


def reconciliation_figure(covers: pd.DataFrame) -> go.Figure:
    """Model count (line) and the 10-Q/10-K cover counts (markers) at each cover date, the residual
    (actual − model) as bars on a second axis. Frame: ``calc.model.bridge.covers_frame``."""
    dates = [str(d) for d in covers["date"]]
    data = [
        dict(
            type="scatter",
            x=dates,
            y=as_list(covers["model_shares"]),
            mode="lines+markers",
            line=dict(color="#222222"),
            name="Model count (replay)",
            hovertemplate="%{x}: %{y:,} (model)<extra></extra>",
        ),
        dict(
            type="scatter",
            x=dates,
            y=as_list(covers["actual_shares"]),
            mode="markers",
            marker=dict(symbol="diamond", size=10, color=ISSUED_COLOUR),
            name="Actual (10-Q/10-K cover pages)",
            hovertemplate="%{x}: %{y:,} actual<extra></extra>",
        ),
        dict(
            type="bar",
            x=dates,
            y=as_list(covers["residual_shares"]),
            yaxis="y2",
            marker=dict(color=RESIDUAL_COLOUR, opacity=0.5),
            name="Residual (actual − model): not explained by the modelled events",
            customdata=as_list(covers["residual_pct"]),
            hovertemplate="%{x}: residual %{y:,} (%{customdata:.2f}% of actual)<extra></extra>",
        ),
    ]
    layout = chart_layout(
        "Model vs actual common outstanding, and the residual",
        "Cover date",
        "Common shares",
        yaxis=SHARE_AXIS,
        yaxis2=dict(
            SHARE_AXIS,
            title=dict(text="Residual (shares)"),
            overlaying="y",
            side="right",
            showgrid=False,
            zeroline=True,
        ),
        legend=LEGEND_BELOW,
        margin=MARGIN_LEGEND_BELOW,
        height=540,
    )
    return build(data, layout)
