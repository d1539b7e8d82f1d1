"""Plotly figure builders for the dashboard: pure functions, DataFrame in, ``go.Figure`` out.

Every number drawn comes from a ``calc`` result frame; these functions only choose
columns, labels, colours and hover text. No share arithmetic lives here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from calc.model.issuance import ISSUANCE_SOURCES, IssuanceSource
from charts.template import (
    BASE_GREY,
    CAP_LABEL_GAP,
    CAP_STYLE,
    DATE_AXIS,
    INK,
    LIMIT_COLOUR,
    MUTED,
    PALETTE,
    TEMPLATE_JSON,
    VALUE_PAD,
    day_text,
    log_axis,
    share_labels,
)
from charts.text import plot_text

if TYPE_CHECKING:
    from calc.model.scenario import ScenarioResult

SHARE_AXIS = dict(exponentformat="B", separatethousands=True)  # share axes: 1.2B, 800M (never "G")


# One series per source of new shares (calc.model.issuance: the parts sum to the total): timeline column -> label.
SOURCE_COLUMNS = {source.timeline_column: source.chart_label for source in ISSUANCE_SOURCES}
SOURCE_COLOURS = {
    "dividend_shares": PALETTE[0],
    "conversion_shares": PALETTE[1],
    "redemption_shares": PALETTE[2],
    "exchange_shares": PALETTE[4],
}
SPARE_COLOURS = (PALETTE[6], PALETTE[3], PALETTE[8])  # for a source added to calc.model.issuance without a colour here
BASE_COLOUR = BASE_GREY
TOTAL_COLOUR = INK
COMPARE_COLOURS = PALETTE  # one hue per saved scenario
COMPARE_DASHES = ("solid", "dash", "dot", "dashdot")
SENSITIVITY_SERIES = {
    "dividend_shares": ("Dividends in stock (no put, no conversion)", PALETTE[0], "solid"),
    "put_stock_shares": ("Every share put, settled in stock", PALETTE[2], "solid"),
    "conversion_shares": ("Every share converted at the horizon", PALETTE[1], "solid"),
    "scenario_new_shares": ("This scenario (all sources)", INK, "dot"),
}
THRESHOLD_LINES = ((5.0, "5% (13D/G)", "top"), (10.0, "10% (Section 16)", "bottom"))  # labels apart
CAP_ROW_DROP = 0.3  # a cap label's row below the one before, as a fraction of the plot height
MAX_LABEL = 28  # characters of a holder name on the concentration chart's axis (the full name in the hover)
LAYOUT = dict(
    margin=dict(l=60, r=30, t=70, b=60),
    hovermode="x unified",
    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
)
# Legend under the plot (below the x axis title), for charts whose labels sit along the top edge.
# The legend sits at the bottom of the figure (container coordinates); plotly's automargin stacks it under the
# tick labels and the axis title (about 10 px below the title), so the bottom margin is only the figure's edge:
# a fixed margin as tall as the tallest legend left ~100 px blank under a one-row legend (issue 21).
LEGEND_BELOW = dict(
    orientation="h", yref="container", yanchor="bottom", y=0.0, xanchor="left", x=0, traceorder="normal"
)
MARGIN_LEGEND_BELOW = dict(l=60, r=30, t=70, b=10)
LEGEND_BELOW_HEIGHT_PX = 520  # a chart with a 4-row legend under it at 1024 px (450: a ~220 px plot)
ISSUANCE_HEIGHT_PX = 560  # at 1024 px the legend takes 3 rows; 450 px left a ~160 px plot (issue 21)
SUBTITLE_FONT = dict(size=12, color=MUTED)
LABEL_BACKGROUND = "rgba(255,255,255,0.8)"  # a line's label stays legible over bars and boxes
NOTE_ROW_PX = 20  # height of one row of labels above the plot (a second row sits this much higher)
# Figures are assembled from plain dicts and built without plotly's per-property validation, which
# costs tens of milliseconds per figure; tests/test_figures.py rebuilds each one with validation on.
VALIDATE = False
PNG_NOTE = "Camera icon in each chart's toolbar: download the chart as PNG (rendered by your browser)."


def build(data: list[dict], layout: dict) -> go.Figure:
    """``go.Figure`` from trace and layout dicts (validation per ``VALIDATE``), in the shared template
    (``charts.template``)."""
    return go.Figure(data=data, layout=dict(layout, template=TEMPLATE_JSON), _validate=VALIDATE)


def vline(
    x: float | str, text: str, colour: str, dash: str = "dash", position: str = "top", anchor: str = "left"
) -> tuple[dict, dict]:
    """A vertical line across the plot and its label (layout shape, layout annotation)."""
    shape = dict(
        type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=colour, dash=dash, width=1.5)
    )
    note = dict(
        xref="x",
        yref="paper",
        x=x,
        y=1.0 if position == "top" else 0.0,
        text=text,
        showarrow=False,
        xanchor=anchor,
        yanchor="bottom",
        font=dict(color=colour),
        bgcolor=LABEL_BACKGROUND,
    )
    return shape, note


def cap_lines(
    binding_prices_usd: Mapping[str, float | None], low_usd: float, high_usd: float, log: bool = False
) -> list[tuple[dict, dict]]:
    """A labelled vertical line at each cap's binding price (``calc.model.capacity``: at and below it the cap binds)
    inside [low, high], in ``CAP_STYLE``; labels read upwards from the top of the plot, and a label closer than
    ``CAP_LABEL_GAP`` of the span to the one before goes a row lower (``CAP_ROW_DROP`` of the height). On a log
    axis plotly places annotations at log10 of the value (shapes at the value itself)."""
    at = (lambda v: math.log10(v)) if log else (lambda v: v)
    span = at(high_usd) - at(low_usd)
    shown = sorted((p, cap) for cap, p in binding_prices_usd.items() if p is not None and low_usd <= p <= high_usd)
    pairs: list[tuple[dict, dict]] = []
    last_row: dict[int, float] = {}  # row -> x of its last label
    for price, cap in shown:
        label, colour = CAP_STYLE[cap]
        row = next(r for r in range(len(shown)) if at(price) - last_row.get(r, -math.inf) >= CAP_LABEL_GAP * span)
        last_row[row] = at(price)
        shape, note = vline(price, f"{label} ${price:,.3f}", colour)
        pairs.append((shape, dict(note, x=at(price), textangle=-90, yanchor="top", y=1.0 - CAP_ROW_DROP * row)))
    return pairs


def hline(y: float, text: str, colour: str, yref: str = "y") -> tuple[dict, dict]:
    """A horizontal line across the plot and its label (``yref``: the y axis it is drawn against)."""
    shape = dict(
        type="line", xref="paper", yref=yref, x0=0, x1=1, y0=y, y1=y, line=dict(color=colour, dash="dash", width=1.5)
    )
    note = dict(
        xref="paper",
        yref=yref,
        x=0,
        y=y,
        text=text,
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font=dict(color=colour),
        bgcolor=LABEL_BACKGROUND,
    )
    return shape, note


def png_config(filename: str) -> dict:
    """``st.plotly_chart`` config: the modebar camera button saves a PNG named ``filename``."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def _event_labels(timeline: pd.DataFrame) -> list[str]:
    return [f"{day_text(d)}<br>{e}" for d, e in zip(timeline["date"], timeline["event"])]


def chart_layout(
    title: str, x_title: str, y_title: str | None, shapes: Sequence[dict] = (), notes: Sequence[dict] = (), **extra
) -> dict:
    """The shared layout (``LAYOUT``) with a title (and ``subtitle``, a note under it), axis titles, shapes and
    annotations; ``extra`` merges in, ``xaxis``/``yaxis`` into the axes."""
    subtitle = extra.pop("subtitle", None)
    heading = dict(text=title, subtitle=dict(text=subtitle, font=SUBTITLE_FONT)) if subtitle else dict(text=title)
    layout = dict(LAYOUT, title=heading, shapes=list(shapes), annotations=list(notes))
    layout["xaxis"] = dict(title=dict(text=x_title), **extra.pop("xaxis", {}))
    layout["yaxis"] = dict(title=dict(text=y_title or ""), **extra.pop("yaxis", {}))
    layout.update(extra)
    return layout


def shape_lines(*pairs: tuple[dict, dict]) -> tuple[list[dict], list[dict]]:
    """``vline``/``hline`` pairs split into (shapes, annotations) for ``chart_layout``."""
    return [p[0] for p in pairs], [p[1] for p in pairs]


def as_list(series) -> list:
    """A column or array as a plain list (plotly serializes lists without numpy types)."""
    return series.tolist() if hasattr(series, "tolist") else list(series)


def _dates(series) -> list[str]:
    return [f"{pd.Timestamp(d):%Y-%m-%d}" for d in series]


def date_trace(frame: pd.DataFrame, column: str, **style) -> dict:
    """A scatter trace of ``frame[column]`` over ``frame["date"]`` (ISO dates); ``style``: mode, name, line, hover."""
    return dict(type="scatter", x=_dates(frame["date"]), y=as_list(frame[column]), **style)


def source_colour(column: str) -> str:
    """The colour of a source's series (``SOURCE_COLOURS``; a spare one for a source not listed there)."""
    if column in SOURCE_COLOURS:
        return SOURCE_COLOURS[column]
    spare = [s.timeline_column for s in ISSUANCE_SOURCES if s.timeline_column not in SOURCE_COLOURS]
    return SPARE_COLOURS[spare.index(column) % len(SPARE_COLOURS)]


def in_legend(source: IssuanceSource, timeline: pd.DataFrame) -> bool:
    """Whether a source's series is in the legend: only when it issued shares (an empty series is left out)."""
    return bool(timeline[source.timeline_column].any())


def issuance_figure(timeline: pd.DataFrame, base_shares: int, authorized_shares: int | None = None) -> go.Figure:
    """Common shares outstanding after each event: the base share count (grey) with calc's cumulative new
    shares by source stacked on top, calc's total outstanding as a line, and the authorized shares."""
    x = _event_labels(timeline)
    base = f"{int(base_shares):,}"
    data: list[dict] = [
        dict(
            type="bar",
            x=x,
            y=[int(base_shares)] * len(x),
            name=f"Base common shares ({base})",
            marker=dict(color=BASE_COLOUR),
            hovertemplate=f"base common shares: {base}<extra></extra>",
        )
    ]
    for source in ISSUANCE_SOURCES:
        column, label = source.timeline_column, source.chart_label
        data.append(
            dict(
                type="bar",
                x=x,
                y=as_list(timeline[source.cumulative_column]),
                name=f"{label} (cumulative)",
                showlegend=in_legend(source, timeline),
                marker=dict(color=source_colour(column)),
                customdata=as_list(timeline[column]),
                hovertemplate=(
                    f"{label}: %{{customdata:,.0f}} issued on this date, %{{y:,.0f}} cumulative<extra></extra>"
                ),
            )
        )
    data.append(
        dict(
            type="scatter",
            x=x,
            y=as_list(timeline["total_common_shares"]),
            mode="lines+markers",
            name="Total common outstanding",
            line=dict(color=TOTAL_COLOUR, width=2, shape="hv"),
            customdata=timeline[["cumulative_new_shares", "new_shares_pct"]].to_numpy().tolist(),
            hovertemplate=(
                "<b>total outstanding: %{y:,.0f}</b><br>cumulative new shares, all sources: "
                "%{customdata[0]:,.0f} (%{customdata[1]:.2f}% of total)<extra></extra>"
            ),
        )
    )
    shapes, notes = (
        shape_lines(hline(authorized_shares, f"authorized {authorized_shares:,.0f}", LIMIT_COLOUR))
        if authorized_shares
        else ([], [])
    )
    return build(
        data,
        chart_layout(
            "Lucent common shares outstanding after each event",
            "Event (date, kind)",
            "Common shares outstanding",
            shapes,
            notes,
            barmode="stack",
            bargap=0.35,
            xaxis=dict(type="category"),
            yaxis=dict(SHARE_AXIS, rangemode="tozero"),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
            height=ISSUANCE_HEIGHT_PX,
        ),
    )


def new_shares_figure(timeline: pd.DataFrame) -> go.Figure:
    """New common shares issued on each event date, stacked by source (calc's per-date counts; no base), one
    series per source of ``calc.model.issuance.ISSUANCE_SOURCES``."""
    x = _event_labels(timeline)  # one evenly spaced slot per event date: a put a day after a dividend stays apart
    data = [
        dict(
            type="bar",
            x=x,
            y=as_list(timeline[source.timeline_column]),
            name=source.chart_label,
            showlegend=in_legend(source, timeline),
            marker=dict(color=source_colour(source.timeline_column)),
            customdata=as_list(timeline["event"]),
            hovertemplate=f"{source.chart_label}: %{{y:,.0f}} new shares<extra>%{{customdata}}</extra>",
        )
        for source in ISSUANCE_SOURCES
    ]
    return build(
        data,
        chart_layout(
            "New common shares issued on each date, by source",
            "Event (date, kind)",
            "New common shares",
            barmode="stack",
            xaxis=dict(type="category"),
            yaxis=dict(SHARE_AXIS, rangemode="tozero"),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )


def dilution_figure(timeline: pd.DataFrame) -> go.Figure:
    """Dilution over time: calc's cumulative new shares as a % of total common outstanding after each event."""
    data = [
        date_trace(
            timeline,
            "new_shares_pct",
            mode="lines+markers",
            line=dict(shape="hv", color=INK),
            name="dilution %",
            customdata=timeline[["cumulative_new_shares", "event"]].to_numpy().tolist(),
            hovertemplate=("%{y:.2f}% (%{customdata[0]:,.0f} new shares so far)<extra>%{customdata[1]}</extra>"),
        )
    ]
    return build(
        data,
        chart_layout(
            "Dilution over time: new shares as % of common outstanding",
            "Date",
            "New shares, % of total",
            xaxis=DATE_AXIS,
            yaxis=dict(ticksuffix="%", rangemode="tozero"),
            showlegend=False,
        ),
    )


def sensitivity_figure(
    sensitivity: pd.DataFrame,
    conversion_price_usd: float,
    scenario_price_usd: float | None = None,
    binding_prices_usd: Mapping[str, float | None] | None = None,
) -> go.Figure:
    """New shares at the horizon against the common price, conversion price marked, and the class binding price of
    each capacity cap (``calc.model.scenario_capacity``: at and left of it a stock-settled put of the class needs
    shareholder approval, more than the registered or the authorized shares)."""
    x = as_list(sensitivity["price_usd"])
    data = [
        dict(
            type="scatter",
            x=x,
            y=as_list(sensitivity[column]),
            mode="lines",
            name=label,
            line=dict(color=colour, dash=dash, width=2.5 if dash == "solid" else 1.5),
            hovertemplate=f"{label}: %{{y:,.0f}} shares<extra></extra>",
        )
        for column, (label, colour, dash) in SENSITIVITY_SERIES.items()
    ]
    pairs = [vline(conversion_price_usd, f"conversion price ${conversion_price_usd:,.2f}", PALETTE[1])]
    if scenario_price_usd is not None:
        pairs.append(vline(scenario_price_usd, f"scenario price ${scenario_price_usd:,.2f}", INK, "dot", "bottom"))
    pairs += cap_lines(binding_prices_usd or {}, x[0], x[-1])
    shapes, notes = shape_lines(*pairs)
    overtakes = sensitivity.loc[sensitivity["put_stock_shares"] > sensitivity["conversion_shares"], "price_usd"]
    if len(overtakes):
        x0, x1 = float(sensitivity["price_usd"].min()), float(overtakes.max())
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="paper",
                x0=x0,
                x1=x1,
                y0=0,
                y1=1,
                line=dict(width=0),
                fillcolor=PALETTE[2],
                opacity=0.07,
                layer="below",
            )
        )
        notes.append(
            dict(
                xref="x",
                yref="paper",
                x=x0,
                y=1.0,
                yshift=NOTE_ROW_PX,  # a row above the line labels (the conversion price's may start under it)
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                text="stock-settled put issues more shares than conversion",
                font=dict(color=LIMIT_COLOUR),
            )
        )
    return build(
        data,
        chart_layout(
            "Price sensitivity: new common shares at the horizon",
            "Common price at the valuation date (USD per share)",
            "New common shares at the horizon (log scale)",
            shapes,
            notes,
            xaxis=dict(tickprefix="$", tickformat=",.2f"),
            yaxis=log_axis(sensitivity[list(SENSITIVITY_SERIES)].to_numpy().ravel().tolist(), share_labels, VALUE_PAD),
            legend=LEGEND_BELOW,
            margin=dict(MARGIN_LEGEND_BELOW, t=MARGIN_LEGEND_BELOW["t"] + NOTE_ROW_PX),
            height=LEGEND_BELOW_HEIGHT_PX,
        ),
    )


def concentration_figure(holders: pd.DataFrame, top: int = 15) -> go.Figure:
    """Largest holders and fund families by pro forma ownership, with 5% and 10% lines."""
    largest = holders.sort_values("pro_forma_pct", ascending=False, kind="stable").head(top).iloc[::-1]
    kinds = as_list(largest["kind"])
    names = [f"{name} (family)" if kind == "family" else str(name) for name, kind in zip(largest["name"], kinds)]
    labels = [plot_text(_shorten(name)) for name in names]
    custom = largest[["pro_forma_shares", "beneficial_pct_13d3", "basis_preferred_shares", "kind"]].assign(
        full=[plot_text(name) for name in names]
    )
    data = [
        dict(
            type="bar",
            x=as_list(largest["pro_forma_pct"]),
            y=labels,
            orientation="h",
            name="pro forma %",
            marker=dict(color=[PALETTE[4] if kind == "family" else PALETTE[0] for kind in kinds]),
            customdata=custom.to_numpy().tolist(),
            hovertemplate=(
                "<b>%{customdata[4]}</b><br>pro forma: %{x:.3f}% (%{customdata[0]:,.0f} shares)<br>"
                "13d-3 beneficial: %{customdata[1]:.3f}%<br>preferred (basis): "
                "%{customdata[2]:,.0f}<extra>%{customdata[3]}</extra>"
            ),
        )
    ]
    top_pct = float(largest["pro_forma_pct"].max()) if len(largest) else 0.0
    x_max = concentration_range(top_pct)
    shapes, notes = shape_lines(
        *(
            vline(pct, label, LIMIT_COLOUR, position=where, anchor="right")
            for pct, label, where in THRESHOLD_LINES
            if pct <= x_max
        )
    )
    beyond = [label for pct, label, _ in THRESHOLD_LINES if pct > x_max]
    if beyond:
        notes.append(threshold_note(top_pct, beyond))
    layout = chart_layout(
        f"Holder concentration: the {top} largest (families green)",
        "Pro forma % of common outstanding at the horizon",
        None,
        shapes,
        notes,
        xaxis=dict(range=[0, x_max], ticksuffix="%"),
        yaxis=dict(automargin=True),
        height=max(420, 28 * len(largest) + 140),
        showlegend=False,
        hovermode="closest",
    )
    return build(data, layout)


def concentration_range(top_pct: float) -> float:
    """Right end of the concentration chart's % axis: the largest holding plus room for its bar's end (15 %),
    so the bars fill the width; a threshold line is drawn only when it falls inside (at least 1 %)."""
    return max(1.0, top_pct * 1.15)


def threshold_note(top_pct: float, labels: Sequence[str]) -> dict:
    """A note at the plot's top right naming the thresholds the largest holding does not reach."""
    return dict(
        xref="paper",
        yref="paper",
        x=1.0,
        y=1.0,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        text=f"largest holding {top_pct:.2f}%: below the {' and '.join(labels)} thresholds",
        font=dict(color=LIMIT_COLOUR),
    )


def _shorten(name: str) -> str:
    """A holder name cut to ``MAX_LABEL`` characters (with "…"), so long names leave room for the bars."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


PERCENTILE_COLUMNS = ("p5", "p25", "p50", "p75", "p95")
HORIZON_LABELS = (("p95", "95th pct"), ("p50", "median"), ("p5", "5th pct"))  # labelled at the horizon
FAN_COLOUR = "#1F3B5C"
FAN_BOX_NAME = "percentiles: box 25th-75th, whiskers 5th-95th"
FAN_HEIGHT_PX = 500
FAN_FILL = "rgba(78,121,167,0.45)"
HORIZON_LABEL_SHIFT_PX = 6  # the horizon labels start just right of the plot, beside the last box
MAX_DATE_LABELS = 10  # event dates written under the fan (60 at a 2031 horizon did not fit)
FAN_PAD = 0.06  # room above and below the fan's data, as a fraction of its span
HORIZON_LABEL_GAP = 0.08  # least vertical gap between horizon labels, as a fraction of the y range


def settle_date(percentiles: pd.DataFrame) -> str | None:
    """The last date on which any percentile of total common outstanding changes (ISO), when it comes before
    the last date: from then on no path issues new shares and the bands stay flat. None if they move to the end."""
    bands = percentiles[list(PERCENTILE_COLUMNS)].to_numpy()
    moving = [i for i in range(1, len(bands)) if (bands[i] != bands[i - 1]).any()]
    last = moving[-1] if moving else 0
    return _dates(percentiles["date"])[last] if last < len(bands) - 1 else None


def label_heights(values: Sequence[float], gap: float, avoid: Sequence[float] = ()) -> list[float]:
    """Heights of labels for ``values`` (ascending), bottom up: each at its value or ``gap`` above the label
    below, whichever is higher; a label within ``gap`` of a line of ``avoid`` moves to the side of the line its
    value is on (``gap`` below it when there is room above the label below, else ``gap`` above it): a 95th
    percentile just under the authorized shares is labelled under their line, not over it."""
    heights: list[float] = []
    lines = sorted(avoid)
    clear = lambda y: all(abs(y - line) >= gap * (1 - 1e-9) for line in lines)  # noqa: E731
    for value in values:
        floor = heights[-1] + gap if heights else -math.inf
        y = max(value, floor)
        for line in lines:
            if abs(y - line) < gap:
                under = line - gap
                y = under if value <= line and under >= floor and clear(under) else line + gap
        heights.append(y)
    return heights


def horizon_labels(percentiles: pd.DataFrame, span: float, avoid: Sequence[float] = ()) -> list[dict]:
    """The p95, median and p5 of the last date written in the right margin beside its box (annotations,
    ``label_heights``: at least ``HORIZON_LABEL_GAP`` × ``span`` apart and that far from the lines at the heights
    ``avoid``, such as the authorized shares)."""
    last = percentiles.iloc[-1]
    labels = tuple(reversed(HORIZON_LABELS))  # bottom up
    heights = label_heights([float(last[c]) for c, _ in labels], HORIZON_LABEL_GAP * span, avoid)
    return [
        dict(
            xref="paper",  # in the right margin, beside the last box (on the x axis plotly widened its range to fit)
            yref="y",
            x=1.0,
            y=y,
            xshift=HORIZON_LABEL_SHIFT_PX,
            text=f"{label} {float(last[column]) / 1e9:,.2f} B",
            showarrow=False,
            xanchor="left",
            yanchor="middle",
            font=dict(color=FAN_COLOUR),
        )
        for (column, label), y in zip(labels, heights)
    ]


def fan_range(percentiles: pd.DataFrame, authorized_shares: int | None) -> tuple[float, float]:
    """The fan's y range: from the lowest 5th percentile to the highest 95th percentile or the authorized shares,
    with ``FAN_PAD`` of that span either side (from zero, the bands used the top third of the plot)."""
    low = float(percentiles["p5"].min())
    high = max(float(percentiles["p95"].max()), float(authorized_shares or 0))
    pad = FAN_PAD * max(high - low, abs(high) * 0.01)
    return low - pad, high + pad


def fan_figure(
    percentiles: pd.DataFrame, authorized_shares: int | None = None, deterministic: pd.DataFrame | None = None
) -> go.Figure:
    """Monte Carlo fan chart, one evenly spaced slot per event date (a put a day after a dividend gets a slot of
    its own, where on a time axis its spread was a sliver at the right edge): a box per date from calc's
    percentiles of total common outstanding (box 25th-75th, whiskers 5th-95th, median line), the median and the
    deterministic scenario as steps, the authorized shares, the horizon's p5/median/p95 written beside its box,
    and a line where the fan stops moving."""
    x = [day_text(d) for d in percentiles["date"]]
    stats = percentiles[list(PERCENTILE_COLUMNS)]
    data = [
        dict(
            type="box",
            x=x,
            lowerfence=as_list(stats["p5"]),
            q1=as_list(stats["p25"]),
            median=as_list(stats["p50"]),
            q3=as_list(stats["p75"]),
            upperfence=as_list(stats["p95"]),
            name=FAN_BOX_NAME,
            marker=dict(color=FAN_COLOUR),
            fillcolor=FAN_FILL,
            line=dict(color=FAN_COLOUR, width=1),
            customdata=stats.to_numpy().tolist(),
            hovertemplate=(
                "p95 %{customdata[4]:,.0f}<br>p75 %{customdata[3]:,.0f}<br>median %{customdata[2]:,.0f}<br>"
                "p25 %{customdata[1]:,.0f}<br>p5 %{customdata[0]:,.0f}<extra></extra>"
            ),
        ),
        dict(
            type="scatter",
            x=x,
            y=as_list(percentiles["p50"]),
            mode="lines",
            name="median",
            line=dict(color=FAN_COLOUR, width=1.5, shape="hv"),
            hoverinfo="skip",
            hovertemplate="median: %{y:,.0f}<extra></extra>",
        ),
    ]
    if deterministic is not None:
        data.append(
            dict(
                type="scatter",
                x=[day_text(d) for d in deterministic["date"]],
                y=as_list(deterministic["total_common_shares"]),
                mode="lines",
                name="deterministic scenario",
                line=dict(color=INK, dash="dot", shape="hv"),
                hovertemplate="deterministic: %{y:,.0f}<extra></extra>",
            )
        )
    pairs = (
        [hline(authorized_shares, f"authorized {authorized_shares:,.0f}", LIMIT_COLOUR)] if authorized_shares else []
    )
    settled = settle_date(percentiles)
    if settled is not None:
        pairs.append(vline(day_text(settled), f"no new shares after {day_text(settled)}", MUTED, "dot"))
    shapes, notes = shape_lines(*pairs) if pairs else ([], [])
    y_low, y_high = fan_range(percentiles, authorized_shares)
    labels = horizon_labels(percentiles, y_high - y_low, [authorized_shares] if authorized_shares else [])
    y_high = max(y_high, max(a["y"] for a in labels) + HORIZON_LABEL_GAP * (y_high - y_low) / 2)
    return build(
        data,
        chart_layout(
            "Monte Carlo: total common shares outstanding",
            "Event date",
            "Total common shares outstanding",
            shapes,
            notes + labels,
            xaxis=dict(
                type="category",
                tickmode="array",
                tickvals=thinned(x),
                ticktext=[two_lines(d) for d in thinned(x)],
                tickangle=0,  # level, on two lines: tilted dates read badly at 1024 px (issue 21)
            ),
            yaxis=dict(SHARE_AXIS, range=[y_low, y_high], nticks=8),
            legend=LEGEND_BELOW,
            margin=dict(MARGIN_LEGEND_BELOW, r=110),
            height=FAN_HEIGHT_PX,
        ),
    )


def two_lines(day: str) -> str:
    """A day label ("28 Aug 2002") on two lines, the year under the day and month ("28 Aug<br>2002")."""
    head, _, year = day.rpartition(" ")
    return f"{head}<br>{year}" if head else day


def thinned(labels: Sequence[str], most: int = MAX_DATE_LABELS) -> list[str]:
    """At most ``most`` of ``labels``, evenly spaced, counted back from the last one (always kept)."""
    step = -(-len(labels) // most)
    return list(labels[::-1][::step])[::-1]


def compare_issuance_figure(timelines: Mapping[str, pd.DataFrame]) -> go.Figure:
    """Overlaid cumulative new shares over time, one line per saved scenario."""
    data = [
        date_trace(
            t,
            "cumulative_new_shares",
            mode="lines+markers",
            name=plot_text(name),
            line=dict(
                shape="hv",
                color=COMPARE_COLOURS[i % len(COMPARE_COLOURS)],
                dash=COMPARE_DASHES[i % len(COMPARE_DASHES)],
            ),
            customdata=t[["total_common_shares", "event"]].to_numpy().tolist(),
            hovertemplate=(
                "%{fullData.name}: %{y:,.0f} new shares<br>total outstanding %{customdata[0]:,.0f}"
                "<extra>%{customdata[1]}</extra>"
            ),
        )
        for i, (name, t) in enumerate(timelines.items())
    ]
    return build(
        data,
        chart_layout(
            "Saved scenarios: cumulative new common shares over time",
            "Date",
            "Cumulative new common shares",
            xaxis=DATE_AXIS,
            yaxis=dict(SHARE_AXIS),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )


def horizon_conversion_price(timeline: pd.DataFrame) -> float:
    """Conversion price (1000 / CR) in force at the horizon, as calc reports it in the timeline's last row."""
    return float(timeline["conversion_price_usd"].iloc[-1])


def binding_prices(result: ScenarioResult) -> Mapping[str, float | None]:
    """The class binding prices of the result's capacity checks (none without them)."""
    return result.capacity.class_binding_prices_usd if result.capacity is not None else {}


def scenario_figures(
    result: ScenarioResult, sensitivity: pd.DataFrame, authorized_shares: int
) -> tuple[go.Figure, go.Figure, go.Figure, go.Figure]:
    """The report's four charts of one scenario (the CLI's ``report`` and the dashboard's download alike): issuance,
    dilution over time, price sensitivity and holder concentration."""
    return (
        issuance_figure(result.timeline, result.params.base_shares, authorized_shares),
        dilution_figure(result.timeline),
        sensitivity_figure(
            sensitivity, horizon_conversion_price(result.timeline), result.params.price, binding_prices(result)
        ),
        concentration_figure(result.holders),
    )
