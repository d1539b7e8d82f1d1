"""Plotly figure builders for the dashboard: pure functions, DataFrame in, ``go.Figure`` out.

Every number drawn comes from a ``calc`` result frame; these functions only choose
columns, labels, colours and hover text. No share arithmetic lives here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.safe import plot_text

SOURCE_COLUMNS = {  # timeline/summary column -> label shown to the analyst
    "dividend_shares": "Dividends paid in stock",
    "conversion_shares": "Conversion",
    "redemption_shares": "Redemption / put paid in stock",
}
SOURCE_COLOURS = {"dividend_shares": "#4C78A8", "conversion_shares": "#F58518", "redemption_shares": "#E45756"}
BASE_COLOUR = "#C8C8C8"
SENSITIVITY_SERIES = {
    "dividend_shares": ("Dividends in stock (no put, no conversion)", "#4C78A8", "solid"),
    "put_stock_shares": ("Every share put, settled in stock", "#E45756", "solid"),
    "conversion_shares": ("Every share converted at the horizon", "#F58518", "solid"),
    "scenario_new_shares": ("This scenario (all sources)", "#333333", "dot"),
}
THRESHOLD_LINES = ((5.0, "5% (Schedule 13D/G)"), (10.0, "10% (Section 16 insider)"))
LAYOUT = dict(
    margin=dict(l=60, r=30, t=70, b=60),
    hovermode="x unified",
    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
)
# Legend under the plot (below the x axis title), for charts whose labels sit along the top edge.
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0, traceorder="normal")
MARGIN_LEGEND_BELOW = dict(l=60, r=30, t=70, b=120)
# Figures are assembled from plain dicts and built without plotly's per-property validation, which
# costs tens of milliseconds per figure; tests/test_figures.py rebuilds each one with validation on.
VALIDATE = False
PNG_NOTE = "Camera icon in each chart's toolbar: download the chart as PNG (rendered by your browser)."


def build(data: list[dict], layout: dict) -> go.Figure:
    """``go.Figure`` from trace and layout dicts (validation per ``VALIDATE``)."""
    return go.Figure(data=data, layout=layout, _validate=VALIDATE)


def vline(
    x: float, text: str, colour: str, dash: str = "dash", position: str = "top", anchor: str = "left"
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
    )
    return shape, note


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
    )
    return shape, note


def png_config(filename: str) -> dict:
    """``st.plotly_chart`` config: the modebar camera button saves a PNG named ``filename``."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def _event_labels(timeline: pd.DataFrame) -> list[str]:
    return [f"{pd.Timestamp(d):%Y-%m-%d}<br>{e}" for d, e in zip(timeline["date"], timeline["event"])]


def _layout(
    title: str, x_title: str, y_title: str | None, shapes: Sequence[dict] = (), notes: Sequence[dict] = (), **extra
) -> dict:
    layout = dict(LAYOUT, title=dict(text=title), shapes=list(shapes), annotations=list(notes))
    layout["xaxis"] = dict(title=dict(text=x_title), **extra.pop("xaxis", {}))
    layout["yaxis"] = dict(title=dict(text=y_title or ""), **extra.pop("yaxis", {}))
    layout.update(extra)
    return layout


def _lines(*pairs: tuple[dict, dict]) -> tuple[list[dict], list[dict]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _values(series) -> list:
    return series.tolist() if hasattr(series, "tolist") else list(series)


def _dates(series) -> list[str]:
    return [f"{pd.Timestamp(d):%Y-%m-%d}" for d in series]


def issuance_figure(timeline: pd.DataFrame, base_shares: int, authorized_shares: int | None = None) -> go.Figure:
    """Common shares outstanding after each event: the base share count (grey) with calc's cumulative new
    shares by source stacked on top, calc's total outstanding as a line, and the authorized shares."""
    x = _event_labels(timeline)
    base = f"{int(base_shares):,}"
    data = [
        dict(
            type="bar",
            x=x,
            y=[int(base_shares)] * len(x),
            name=f"Base common shares ({base})",
            marker=dict(color=BASE_COLOUR),
            text=[f"base {base}"] * len(x),
            textposition="inside",
            textangle=0,
            insidetextanchor="middle",
            textfont=dict(color="#333333"),
            hovertemplate=f"base common shares: {base}<extra></extra>",
        )
    ]
    for column, label in SOURCE_COLUMNS.items():
        data.append(
            dict(
                type="bar",
                x=x,
                y=_values(timeline[f"cumulative_{column}"]),
                name=f"{label} (cumulative)",
                marker=dict(color=SOURCE_COLOURS[column]),
                customdata=_values(timeline[column]),
                hovertemplate=(
                    f"{label}: %{{customdata:,.0f}} issued on this date, %{{y:,.0f}} cumulative<extra></extra>"
                ),
            )
        )
    data.append(
        dict(
            type="scatter",
            x=x,
            y=_values(timeline["total_common_shares"]),
            mode="lines+markers",
            name="Total common outstanding",
            line=dict(color="#222222", width=2),
            customdata=timeline[["cumulative_new_shares", "new_shares_pct"]].to_numpy().tolist(),
            hovertemplate=(
                "<b>total outstanding: %{y:,.0f}</b><br>cumulative new shares, all sources: "
                "%{customdata[0]:,.0f} (%{customdata[1]:.2f}% of total)<extra></extra>"
            ),
        )
    )
    shapes, notes = (
        _lines(hline(authorized_shares, f"authorized {authorized_shares:,.0f}", "#B22222"))
        if authorized_shares
        else ([], [])
    )
    return build(
        data,
        _layout(
            "Lucent common shares outstanding after each event: base shares plus new shares by source (cumulative)",
            "Event (date, kind)",
            "Common shares outstanding",
            shapes,
            notes,
            barmode="stack",
            bargap=0.35,
            xaxis=dict(type="category"),
            yaxis=dict(exponentformat="B", rangemode="tozero"),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )


def sensitivity_figure(
    sensitivity: pd.DataFrame, conversion_price_usd: float, scenario_price_usd: float | None = None
) -> go.Figure:
    """New shares at the horizon against the common price, conversion price marked."""
    x = _values(sensitivity["price_usd"])
    data = [
        dict(
            type="scatter",
            x=x,
            y=_values(sensitivity[column]),
            mode="lines",
            name=label,
            line=dict(color=colour, dash=dash, width=2.5 if dash == "solid" else 1.5),
            hovertemplate=f"{label}: %{{y:,.0f}} shares<extra></extra>",
        )
        for column, (label, colour, dash) in SENSITIVITY_SERIES.items()
    ]
    pairs = [vline(conversion_price_usd, f"conversion price ${conversion_price_usd:,.2f}", "#F58518")]
    if scenario_price_usd is not None:
        pairs.append(
            vline(scenario_price_usd, f"scenario price ${scenario_price_usd:,.2f}", "#333333", "dot", "bottom")
        )
    shapes, notes = _lines(*pairs)
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
                fillcolor="#E45756",
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
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                text="stock-settled put issues more shares than conversion",
                font=dict(color="#B22222"),
            )
        )
    return build(
        data,
        _layout(
            "Price sensitivity: new common shares at the horizon against the common price",
            "Common price at the valuation date (USD per share)",
            "New common shares at the horizon (log scale)",
            shapes,
            notes,
            xaxis=dict(tickprefix="$"),
            yaxis=dict(type="log", tickformat=",.2s"),
            legend=LEGEND_BELOW,
            margin=MARGIN_LEGEND_BELOW,
        ),
    )


def concentration_figure(holders: pd.DataFrame, top: int = 15) -> go.Figure:
    """Largest holders and fund families by pro forma ownership, with 5% and 10% lines."""
    largest = holders.sort_values("pro_forma_pct", ascending=False, kind="stable").head(top).iloc[::-1]
    kinds = _values(largest["kind"])
    labels = [plot_text(f"{name} (family)" if kind == "family" else name) for name, kind in zip(largest["name"], kinds)]
    custom = largest[["pro_forma_shares", "beneficial_pct_13d3", "basis_preferred_shares", "kind"]]
    data = [
        dict(
            type="bar",
            x=_values(largest["pro_forma_pct"]),
            y=labels,
            orientation="h",
            name="pro forma %",
            marker=dict(color=["#54A24B" if kind == "family" else "#4C78A8" for kind in kinds]),
            customdata=custom.to_numpy().tolist(),
            hovertemplate=(
                "<b>%{y}</b><br>pro forma: %{x:.3f}% (%{customdata[0]:,.0f} shares)<br>"
                "13d-3 beneficial: %{customdata[1]:.3f}%<br>preferred (basis): "
                "%{customdata[2]:,.0f}<extra>%{customdata[3]}</extra>"
            ),
        )
    ]
    shapes, notes = _lines(*(vline(pct, label, "#B22222", anchor="right") for pct, label in THRESHOLD_LINES))
    top_pct = float(largest["pro_forma_pct"].max()) if len(largest) else 0.0
    layout = _layout(
        f"Holder concentration: the {top} largest holders and fund families (green) "
        "by pro forma ownership at the horizon",
        "Pro forma % of total common outstanding at the horizon",
        None,
        shapes,
        notes,
        xaxis=dict(range=[0, max(11.0, top_pct * 1.1)], ticksuffix="%"),
        yaxis=dict(automargin=True),
        height=max(420, 28 * len(largest) + 140),
        showlegend=False,
        hovermode="closest",
    )
    return build(data, layout)


def _categories(*frames: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """Evenly spaced category axis over the event dates of ``frames``: each date's label (date and event, from
    the first frame that has the date) and the labels in date order."""
    labels: dict[str, str] = {}
    for frame in frames:
        for day, label in zip(_dates(frame["date"]), _event_labels(frame)):
            labels.setdefault(day, label)
    return labels, [labels[day] for day in sorted(labels)]


def fan_figure(
    percentiles: pd.DataFrame, authorized_shares: int | None = None, deterministic: pd.DataFrame | None = None
) -> go.Figure:
    """Monte Carlo fan chart: percentile bands of total common outstanding per event date (evenly spaced)."""
    labels, order = _categories(percentiles, *([] if deterministic is None else [deterministic]))
    x = [labels[day] for day in _dates(percentiles["date"])]
    data = []
    bands = (
        ("p5", "p95", "5th-95th percentile", "rgba(76,120,168,0.18)"),
        ("p25", "p75", "25th-75th percentile", "rgba(76,120,168,0.38)"),
    )
    for low, high, label, colour in bands:
        data.append(
            dict(
                type="scatter",
                x=x,
                y=_values(percentiles[high]),
                mode="lines",
                line=dict(width=0),
                showlegend=False,
                name=high,
                hovertemplate=f"{high}: %{{y:,.0f}}<extra></extra>",
            )
        )
        data.append(
            dict(
                type="scatter",
                x=x,
                y=_values(percentiles[low]),
                mode="lines",
                line=dict(width=0),
                fill="tonexty",
                fillcolor=colour,
                name=label,
                hovertemplate=f"{low}: %{{y:,.0f}}<extra></extra>",
            )
        )
    data.append(
        dict(
            type="scatter",
            x=x,
            y=_values(percentiles["p50"]),
            mode="lines+markers",
            name="median",
            line=dict(color="#1F3B5C", width=2),
            hovertemplate="median: %{y:,.0f}<extra></extra>",
        )
    )
    if deterministic is not None:
        data.append(
            dict(
                type="scatter",
                x=[labels[day] for day in _dates(deterministic["date"])],
                y=_values(deterministic["total_common_shares"]),
                mode="lines",
                name="deterministic scenario",
                line=dict(color="#333333", dash="dot"),
                hovertemplate="deterministic: %{y:,.0f}<extra></extra>",
            )
        )
    shapes, notes = (
        _lines(hline(authorized_shares, f"authorized {authorized_shares:,.0f}", "#B22222"))
        if authorized_shares
        else ([], [])
    )
    return build(
        data,
        _layout(
            "Monte Carlo: total common shares outstanding (percentile bands across price paths)",
            "Event (date, kind)",
            "Total common shares outstanding",
            shapes,
            notes,
            xaxis=dict(type="category", categoryorder="array", categoryarray=order),
            yaxis=dict(exponentformat="B"),
        ),
    )


def compare_issuance_figure(timelines: Mapping[str, pd.DataFrame]) -> go.Figure:
    """Overlaid cumulative new shares over time, one line per saved scenario."""
    data = [
        dict(
            type="scatter",
            x=_dates(t["date"]),
            y=_values(t["cumulative_new_shares"]),
            mode="lines+markers",
            name=plot_text(name),
            line=dict(shape="hv"),
            customdata=t[["total_common_shares", "event"]].to_numpy().tolist(),
            hovertemplate=(
                "%{fullData.name}: %{y:,.0f} new shares<br>total outstanding %{customdata[0]:,.0f}"
                "<extra>%{customdata[1]}</extra>"
            ),
        )
        for name, t in timelines.items()
    ]
    return build(
        data,
        _layout(
            "Saved scenarios: cumulative new common shares over time",
            "Event date",
            "Cumulative new common shares",
            xaxis=dict(type="date"),
            yaxis=dict(tickformat=",.3s"),
        ),
    )


def all_figures(
    timeline: pd.DataFrame,
    sensitivity: pd.DataFrame,
    holders: pd.DataFrame,
    base_shares: int,
    authorized_shares: int,
    conversion_price_usd: float,
    price_usd: float,
) -> Sequence[go.Figure]:
    """The three deterministic charts of one scenario (used by the app and the benchmark)."""
    return (
        issuance_figure(timeline, base_shares, authorized_shares),
        sensitivity_figure(sensitivity, conversion_price_usd, price_usd),
        concentration_figure(holders),
    )
