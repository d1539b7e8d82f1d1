"""Dashboard figure builders: valid plotly figures, titled, with axis units, plotting calc's numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import plotly.graph_objects as go
import pytest

from calc.montecarlo import run_monte_carlo
from calc.params import default_params
from calc.scenario import run_scenario
from calc.sensitivity import price_grid, price_sensitivity
from charts import figures


@pytest.fixture(scope="module")
def scenario():
    params = default_params()
    return params, run_scenario(params), price_sensitivity(params, price_grid())


def _validated(fig: go.Figure) -> go.Figure:
    """Rebuild with plotly's property validation on (the app builds without it for speed)."""
    return go.Figure(fig.to_dict())


def _check_common(fig: go.Figure) -> None:
    fig = _validated(fig)
    assert fig.layout.title.text
    assert fig.layout.xaxis.title.text
    for trace in fig.data:
        assert trace.hovertemplate, f"trace {trace.name} has no hover text"
    fig.to_json()


def test_issuance_figure_stacks_cumulative_sources_on_the_base(scenario):
    params, result, _ = scenario
    timeline = result.timeline
    fig = figures.issuance_figure(timeline, params.base_shares, 10_000_000_000)
    _check_common(fig)
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.type == "category"
    x = list(fig.data[0].x)
    assert len(x) == len(timeline) and len(set(x)) == len(x)  # one evenly spaced category per event date
    assert x[-1].startswith(f"{timeline['date'].iloc[-1]:%Y-%m-%d}") and timeline["event"].iloc[-1] in x[-1]
    bars = [t for t in fig.data if t.type == "bar"]
    # bottom of the stack: the base share count, grey, labelled with the count
    base = bars[0]
    assert list(base.y) == [params.base_shares] * len(timeline)
    assert f"{params.base_shares:,}" in base.name and f"{params.base_shares:,}" in base.text[0]
    assert base.marker.color == figures.BASE_COLOUR
    # then one layer per source: calc's cumulative shares drawn as given, the shares issued that date in hover
    by_name = {t.name: t for t in bars[1:]}
    assert len(by_name) == 3
    for column, label in figures.SOURCE_COLUMNS.items():
        layer = by_name[f"{label} (cumulative)"]
        assert list(layer.y) == timeline[f"cumulative_{column}"].tolist()
        assert list(layer.customdata) == timeline[column].tolist()
        assert "issued on this date" in layer.hovertemplate and "cumulative" in layer.hovertemplate
    redemption = by_name[figures.SOURCE_COLUMNS["redemption_shares"] + " (cumulative)"]
    assert redemption.y[-1] == result.summary["redemption_shares"]
    # the stack's top is calc's total outstanding, drawn as a line on the same axis
    total = next(t for t in fig.data if t.name == "Total common outstanding")
    assert total.type == "scatter" and total.yaxis in (None, "y")
    assert list(total.y) == timeline["total_common_shares"].tolist()
    assert total.y[-1] == result.summary["total_shares"]
    assert [row[0] for row in total.customdata] == timeline["cumulative_new_shares"].tolist()
    stacked = [sum(t.y[i] for t in bars) for i in range(len(timeline))]
    assert stacked == timeline["total_common_shares"].tolist()
    assert fig.layout.title.text.startswith("Lucent common shares outstanding after each event")
    assert "outstanding" in fig.layout.yaxis.title.text
    authorized = next(a for a in fig.layout.annotations if "authorized" in a.text)
    assert authorized.yref == "y" and "10,000,000,000" in authorized.text
    # legend at the bottom of the figure (container coordinates), under the x tick labels and clear of the lines
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0 and fig.layout.margin.b >= 150


def test_sensitivity_figure_marks_conversion_price_and_crossover(scenario):
    params, _, sens = scenario
    fig = figures.sensitivity_figure(sens, 5.94, params.price)
    _check_common(fig)
    assert "USD" in fig.layout.xaxis.title.text
    assert fig.layout.yaxis.type == "log"
    texts = [a.text for a in fig.layout.annotations]
    assert "conversion price $5.94" in texts
    assert "scenario price $1.89" in texts
    assert any("more shares than conversion" in t for t in texts)
    rect = next(s for s in fig.layout.shapes if s.type == "rect")
    crossing = sens.loc[sens["put_stock_shares"] > sens["conversion_shares"], "price_usd"].max()
    assert rect.x1 == pytest.approx(crossing)
    assert rect.x1 < 5.94 + (sens["price_usd"].iloc[1] - sens["price_usd"].iloc[0])
    assert len(fig.data) == 4
    assert list(fig.data[1].y) == sens["put_stock_shares"].tolist()
    # the labels sit along the top edge of the plot; the legend goes under it so nothing overlaps them
    assert all(a.yref == "paper" and a.y in (0.0, 1.0) for a in fig.layout.annotations)
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.legend.yanchor == "bottom"


def test_concentration_figure_top_rows_and_thresholds(scenario):
    _, result, _ = scenario
    fig = figures.concentration_figure(result.holders, top=10)
    _check_common(fig)
    bar = fig.data[0]
    assert len(bar.y) == 10
    top = result.holders.sort_values("pro_forma_pct", ascending=False).iloc[0]
    assert bar.x[-1] == pytest.approx(top["pro_forma_pct"])  # largest drawn last (top of the chart)
    assert bar.y[-1].startswith(top["name"])
    lines = sorted(s.x0 for s in fig.layout.shapes if s.type == "line")
    assert lines == [5.0, 10.0]
    assert "%" in fig.layout.xaxis.title.text


def test_fan_figure_percentile_bands(scenario):
    params, result, _ = scenario
    mc = run_monte_carlo(params, 0.6, 500, seed=1)
    fig = figures.fan_figure(mc.total_percentiles, 10_000_000_000, result.timeline)
    _check_common(fig)
    names = [t.name for t in fig.data]
    assert {"5th-95th percentile", "25th-75th percentile", "median", "deterministic scenario"} <= set(names)
    median = next(t for t in fig.data if t.name == "median")
    assert list(median.y) == mc.total_percentiles["p50"].tolist()
    # a date axis (issue 12 item 10: 60 category labels at a 2031 horizon were unreadable), ISO dates as x
    assert fig.layout.xaxis.type == "date"
    percentiles = mc.total_percentiles
    assert list(median.x) == [f"{d:%Y-%m-%d}" for d in percentiles["date"]]
    deterministic = next(t for t in fig.data if t.name == "deterministic scenario")
    assert list(deterministic.x) == list(median.x)
    assert fig.layout.yaxis.exponentformat == "B"  # B, never G


def test_fan_figure_marks_where_the_fan_stops_moving(scenario):
    """Default scenario, horizon 2031: every path puts on 2004-08-02 (SUPP: first put date), so no path issues
    shares after it and the bands are flat from there; the chart says so with a line at that date."""
    params, _, _ = scenario
    long = dataclasses.replace(params, horizon=dt.date(2031, 8, 1))
    mc = run_monte_carlo(long, 0.6, 200, seed=1)
    assert figures.settle_date(mc.total_percentiles) == "2004-08-02"
    fig = _validated(figures.fan_figure(mc.total_percentiles, None, None))
    assert any("no new shares after 2004-08-02" in a.text for a in fig.layout.annotations)
    assert figures.settle_date(run_monte_carlo(params, 0.6, 50, seed=1).total_percentiles) is None  # moves to the end


def test_fan_figure_puts_deterministic_points_on_the_same_categories(scenario):
    params, _, _ = scenario
    converted = dataclasses.replace(params, conversion="all")  # calc labels the first row "start + conversion"
    mc = run_monte_carlo(converted, 0.6, 100, seed=1)
    deterministic = run_scenario(converted).timeline
    fig = _validated(figures.fan_figure(mc.total_percentiles, None, deterministic))
    median = next(t for t in fig.data if t.name == "median")
    line = next(t for t in fig.data if t.name == "deterministic scenario")
    assert list(line.x) == list(median.x)
    assert list(line.y) == deterministic["total_common_shares"].tolist()


def test_compare_figure_one_line_per_scenario(scenario):
    params, result, _ = scenario
    other = run_scenario(dataclasses.replace(params, dividend_policy="cash"))
    fig = figures.compare_issuance_figure({"stock": result.timeline, "cash": other.timeline})
    _check_common(fig)
    assert [t.name for t in fig.data] == ["stock", "cash"]
    assert fig.data[1].y[-1] == other.summary["new_shares"]


def test_all_figures_returns_three(scenario):
    params, result, sens = scenario
    figs = figures.all_figures(
        result.timeline, sens, result.holders, params.base_shares, 10_000_000_000, 5.94, params.price
    )
    assert len(figs) == 3 and all(isinstance(f, go.Figure) for f in figs)
