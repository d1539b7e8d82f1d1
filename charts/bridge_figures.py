"""The dilution bridge as a waterfall: base → + issued by source → total outstanding → + potential →
fully diluted. Rows come from ``calc.model.securities.bridge_rows`` (``calc.model.measures.bridge``); no share
arithmetic here, plotly reads each row's ``measure`` (absolute / relative / total).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from charts.figures import SHARE_AXIS, build, chart_layout
from charts.template import BASE_GREY, PALETTE
from charts.text import plot_text

BASE_COLOUR = BASE_GREY
ISSUED_COLOUR = PALETTE[2]
TOTAL_COLOUR = PALETTE[0]
MAX_STEP = 34  # characters of a step name on the axis (the full name in the hover)


def _short(step: str) -> str:
    return step if len(step) <= MAX_STEP else step[: MAX_STEP - 1] + "…"


def bridge_figure(rows: Sequence[dict]) -> go.Figure:
    """Waterfall of the bridge rows: the base and subtotals as full bars, additions floating on the running total."""
    steps = [plot_text(r["step"]) for r in rows]
    data = [
        dict(
            type="waterfall",
            orientation="v",
            measure=[r["measure"] for r in rows],
            x=[f"{k + 1}. {_short(s)}" for k, s in enumerate(steps)],
            y=[r["shares"] for r in rows],
            customdata=[[s, r["running_total_shares"]] for s, r in zip(steps, rows)],
            hovertemplate="%{customdata[0]}: %{y:,} shares (running total %{customdata[1]:,})<extra></extra>",
            increasing=dict(marker=dict(color=ISSUED_COLOUR)),
            totals=dict(marker=dict(color=TOTAL_COLOUR)),
            connector=dict(line=dict(color=BASE_COLOUR, width=1)),
            showlegend=False,
        )
    ]
    layout = chart_layout(
        "Bridge: base → total outstanding → fully diluted (at the horizon)",
        "",
        "Common shares",
        yaxis=SHARE_AXIS,
        xaxis=dict(tickangle=-30, automargin=True),
        hovermode="closest",
        height=560,
    )
    return build(data, layout)
