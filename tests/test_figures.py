"""Dashboard figure builders: valid plotly figures, titled, with axis units, plotting calc's numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.issuance import ISSUANCE_SOURCES
from calc.model.montecarlo import run_monte_carlo
from calc.model.scenario import run_scenario
from calc.model.sensitivity import price_grid, price_sensitivity
from charts import figures
from charts.template import day_text


@pytest.fixture(scope="module")
def scenario():
    params = default_params()
    return (
        params,
        run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()),
        price_sensitivity(params, price_grid(), terms=load_terms(), book=default_book(), caps=load_caps()),
    )


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
    assert x[-1].startswith(day_text(timeline["date"].iloc[-1])) and timeline["event"].iloc[-1] in x[-1]
    bars = [t for t in fig.data if t.type == "bar"]
    # bottom of the stack: the base share count, grey, named with the count in the legend and the hover; no text
    # inside the bars (review item 7: ~5 px labels there were unreadable)
    base = bars[0]
    assert list(base.y) == [params.base_shares] * len(timeline)
    assert f"{params.base_shares:,}" in base.name and f"{params.base_shares:,}" in base.hovertemplate
    assert base.text is None and all(t.text is None for t in bars)
    assert base.marker.color == figures.BASE_COLOUR
    # then one layer per source: calc's cumulative shares drawn as given, the shares issued that date in hover
    by_name = {t.name: t for t in bars[1:]}
    assert len(by_name) == len(ISSUANCE_SOURCES)  # every source (calc.model.issuance), exchanges included
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
    # legend at the bottom of the figure (container coordinates), stacked under the x axis title by plotly's
    # automargin: no fixed bottom margin (issue 21: ~100 px blank under a one-row legend), a taller figure
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0 and fig.layout.margin.b <= 20
    assert fig.layout.height == figures.ISSUANCE_HEIGHT_PX


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
    # review item 6: the put note and the conversion price label both start near the top left; the note sits a
    # row higher, so they cannot run together, and the top margin makes room for that row
    note = next(a for a in fig.layout.annotations if "more shares than conversion" in a.text)
    conversion = next(a for a in fig.layout.annotations if a.text.startswith("conversion price"))
    assert note.y == conversion.y == 1.0 and (note.yshift or 0) - (conversion.yshift or 0) >= figures.NOTE_ROW_PX
    assert fig.layout.margin.t >= 70 + figures.NOTE_ROW_PX


def test_new_shares_figure_legend_close_under_the_axis(scenario):
    """Review item 11: no blank band between the x axis title and a one-row legend."""
    _, result, _ = scenario
    fig = _validated(figures.new_shares_figure(result.timeline))
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.margin.b <= 130


def test_concentration_figure_top_rows_and_thresholds(scenario):
    _, result, _ = scenario
    fig = figures.concentration_figure(result.holders, top=10)
    _check_common(fig)
    bar = fig.data[0]
    assert len(bar.y) == 10
    top = result.holders.sort_values("pro_forma_pct", ascending=False).iloc[0]
    assert bar.x[-1] == pytest.approx(top["pro_forma_pct"])  # largest drawn last (top of the chart)
    assert bar.y[-1].startswith(top["name"])
    assert "%" in fig.layout.xaxis.title.text
    # the axis fits the largest holding (2.09 %); the 5 % and 10 % thresholds beyond it are named in a note
    assert list(fig.layout.xaxis.range) == pytest.approx([0, top["pro_forma_pct"] * 1.15])
    assert not [s for s in fig.layout.shapes if s.type == "line"]
    assert "below the 5% (13D/G) and 10% (Section 16) thresholds" in fig.layout.annotations[0].text
    # a holder above 5 %: that line drawn (inside the axis), the 10 % one still named in the note
    large = result.holders.assign(pro_forma_pct=result.holders["pro_forma_pct"] * 3)  # largest 6.26 %
    fig = figures.concentration_figure(large, top=10)
    assert [s.x0 for s in fig.layout.shapes if s.type == "line"] == [5.0]
    assert any("below the 10% (Section 16) thresholds" in a.text for a in fig.layout.annotations)


def test_fan_figure_percentile_bands(scenario):
    params, result, _ = scenario
    mc = run_monte_carlo(params, 0.6, 500, seed=1, terms=load_terms(), book=default_book(), caps=load_caps())
    fig = figures.fan_figure(mc.total_percentiles, 10_000_000_000, result.timeline)
    _check_common(fig)
    names = [t.name for t in fig.data]
    assert [figures.FAN_BOX_NAME, "median", "deterministic scenario"] == names
    median = next(t for t in fig.data if t.name == "median")
    assert list(median.y) == mc.total_percentiles["p50"].tolist()
    # one slot per event date (issue 21: on a time axis the put's spread was a sliver at the right edge), at
    # most MAX_DATE_LABELS dates written (issue 12 item 10: 60 labels at a 2031 horizon were unreadable)
    assert fig.layout.xaxis.type == "category"
    percentiles = mc.total_percentiles
    assert list(median.x) == [day_text(d) for d in percentiles["date"]]
    box = fig.data[0]
    for column, values in zip(figures.PERCENTILE_COLUMNS, (box.lowerfence, box.q1, box.median, box.q3, box.upperfence)):
        assert list(values) == percentiles[column].tolist(), column
    deterministic = next(t for t in fig.data if t.name == "deterministic scenario")
    assert list(deterministic.x) == list(median.x)
    assert fig.layout.yaxis.exponentformat == "B"  # B, never G


def test_fan_figure_marks_where_the_fan_stops_moving(scenario):
    """Default scenario, horizon 2031: every path puts on 2004-08-02 (SUPP: first put date), so no path issues
    shares after it and the bands are flat from there; the chart says so with a line at that date."""
    params, _, _ = scenario
    long = dataclasses.replace(params, horizon=dt.date(2031, 8, 1))
    mc = run_monte_carlo(long, 0.6, 200, seed=1, terms=load_terms(), book=default_book(), caps=load_caps())
    assert figures.settle_date(mc.total_percentiles) == "2004-08-02"
    fig = _validated(figures.fan_figure(mc.total_percentiles, None, None))
    assert any("no new shares after 2 Aug 2004" in a.text for a in fig.layout.annotations)
    assert len(fig.layout.xaxis.tickvals) <= figures.MAX_DATE_LABELS and fig.layout.xaxis.tickvals[-1] == "1 Aug 2031"
    assert (
        figures.settle_date(
            run_monte_carlo(
                params, 0.6, 50, seed=1, terms=load_terms(), book=default_book(), caps=load_caps()
            ).total_percentiles
        )
        is None
    )  # moves to the end


def test_fan_figure_puts_deterministic_points_on_the_same_categories(scenario):
    params, _, _ = scenario
    converted = dataclasses.replace(params, conversion="all")  # calc labels the first row "start + conversion"
    mc = run_monte_carlo(converted, 0.6, 100, seed=1, terms=load_terms(), book=default_book(), caps=load_caps())
    deterministic = run_scenario(converted, terms=load_terms(), book=default_book(), caps=load_caps()).timeline
    fig = _validated(figures.fan_figure(mc.total_percentiles, None, deterministic))
    median = next(t for t in fig.data if t.name == "median")
    line = next(t for t in fig.data if t.name == "deterministic scenario")
    assert list(line.x) == list(median.x)
    assert list(line.y) == deterministic["total_common_shares"].tolist()


def test_compare_figure_one_line_per_scenario(scenario):
    params, result, _ = scenario
    other = run_scenario(
        dataclasses.replace(params, dividend_policy="cash"), terms=load_terms(), book=default_book(), caps=load_caps()
    )
    fig = figures.compare_issuance_figure({"stock": result.timeline, "cash": other.timeline})
    _check_common(fig)
    assert [t.name for t in fig.data] == ["stock", "cash"]
    assert fig.data[1].y[-1] == other.summary["new_shares"]


def test_scenario_figures_returns_the_reports_four(scenario):
    """Issuance, dilution over time (issue 21: missing from the report before), sensitivity, concentration."""
    params, result, sens = scenario
    figs = figures.scenario_figures(result, sens, 10_000_000_000)
    assert len(figs) == 4 and all(isinstance(f, go.Figure) for f in figs)
    assert figs[1].layout.title.text.startswith("Dilution over time")


def test_fan_figure_shows_the_spread_at_the_horizon(scenario):
    """Review item 2: with the put a day after the last dividend the spread was a one-day sliver; the horizon has
    a slot (and a box) of its own and its p5, median and p95 are written beside it, apart from each other and
    from the authorized shares line (issue 21: the "95th pct" label sat on it)."""
    params, result, _ = scenario
    mc = run_monte_carlo(params, 0.6, 500, seed=1, terms=load_terms(), book=default_book(), caps=load_caps())
    percentiles = mc.total_percentiles
    last = percentiles.iloc[-1]
    fig = _validated(figures.fan_figure(percentiles, 10_000_000_000, result.timeline))
    horizon = day_text(percentiles["date"].iloc[-1])
    box = fig.data[0]
    assert box.x[-1] == horizon and (box.lowerfence[-1], box.upperfence[-1]) == (last["p5"], last["p95"])
    labels = sorted((a for a in fig.layout.annotations if a.xref == "paper" and a.x == 1), key=lambda a: a.y)
    assert [a.text.split()[0] for a in labels] == ["5th", "median", "95th"]
    assert labels[-1].text == f"95th pct {last['p95'] / 1e9:,.2f} B"
    low, high = fig.layout.yaxis.range
    gap = figures.HORIZON_LABEL_GAP * (high - low)
    assert all(b.y - a.y >= gap * 0.999 for a, b in zip(labels, labels[1:]))  # never on top of each other
    assert all(abs(a.y - 10_000_000_000) >= gap * 0.999 for a in labels)  # nor on the authorized line
    steps = [t for t in fig.data if t.type == "scatter"]
    assert all(t.line.shape == "hv" for t in steps)  # shares change on event dates only: steps


def test_fan_figure_horizon_labels_stay_apart_when_the_values_coincide(scenario):
    params, _, _ = scenario
    flat = run_monte_carlo(
        params, 0.6, 50, seed=1, terms=load_terms(), book=default_book(), caps=load_caps()
    ).total_percentiles
    fig = _validated(figures.fan_figure(flat.assign(p5=flat["p50"], p95=flat["p50"]), None, None))
    ys = sorted(a.y for a in fig.layout.annotations if "pct" in a.text or "median" in a.text)
    assert len(ys) == 3 and all(b - a > 0 for a, b in zip(ys, ys[1:]))


def test_breakeven_figure_legend_range_and_label(scenario):
    """Review item 3: the curve and the reference levels are named in the legend, the x axis spans the curve's
    prices, the break-even label sits at its line (log axis: annotations at log10 of the value)."""
    from calc.inputs.history import COMPARED_DEALS
    from charts import ledger_figures

    prices = np.geomspace(0.1, 100, 40)
    wait = 1000.0 / prices
    fig = _validated(ledger_figures.breakeven_figure(prices, wait, 331.43, COMPARED_DEALS, 3.5))
    _check_common(fig)
    names = [t.name for t in fig.data]
    assert names[0].startswith("Wait") and any("331.43" in n for n in names[1:])
    assert all(any(label in n for n in names) for label, _ in COMPARED_DEALS)
    assert all(t.showlegend is not False for t in fig.data)
    assert fig.layout.legend.yref == "container"
    assert list(fig.layout.xaxis.range) == pytest.approx([-1.0, 2.0])  # $0.10 to $100, not to $100k
    assert all(min(t.x) >= 0.1 - 1e-12 and max(t.x) <= 100 + 1e-9 for t in fig.data)
    line = next(s for s in fig.layout.shapes if s.type == "line")
    label = next(a for a in fig.layout.annotations if a.text.startswith("break-even"))
    assert line.x0 == 3.5 and label.x == pytest.approx(np.log10(3.5)) and label.xanchor == "left"
    # labels in full, never a bare "2"/"5": decades, as the curve spans three
    assert list(fig.layout.xaxis.ticktext) == ["$0.10", "$1.00", "$10.00", "$100.00"]
    assert list(fig.layout.yaxis.ticktext) == ["10", "100", "1,000", "10,000"]  # one format: separators, no "10k"
    fig_none = _validated(ledger_figures.breakeven_figure(prices, wait, 331.43, COMPARED_DEALS, None))
    assert not fig_none.layout.annotations


def test_actual_figure_note_is_wrapped_under_the_title(scenario):
    """Review item 6: the note under the model-vs-actual chart was one line, cut mid-word at 1024 px; then it sat
    under the axis title, where the legend now goes: it is the chart's subtitle, two lines."""
    from charts import ledger_figures

    _, result, _ = scenario
    actual = pd.DataFrame(
        {"date": pd.to_datetime(["2002-06-30"]), "common_shares_outstanding": [3_500_000_000], "source": ["10-Q"]}
    )
    fig = _validated(ledger_figures.actual_figure(result.timeline, actual))
    lines = fig.layout.title.subtitle.text.split("<br>")
    assert len(lines) >= 2 and all(len(line) <= 80 for line in lines)
    assert not fig.layout.annotations and fig.layout.margin.t >= 70 + 2 * figures.NOTE_ROW_PX


def test_fair_value_figure_draws_value_floor_and_conversion():
    """Issue 23: the fair-value curve with its bond floor and conversion value, the prices marked."""
    from calc.model.valuation import value_preferred
    from charts.valuation_figures import VALUE_SERIES, fair_value_figure

    curve = value_preferred(
        np.geomspace(0.2, 20, 12),
        volatility_rate=0.6,
        risk_free_rate=0.03,
        spread_rate=0.1,
        steps=60,
        terms=load_terms(),
    )
    fig = fair_value_figure(curve, 1.89, 5.94)
    _check_common(fig)
    assert [t.name for t in fig.data] == [label for label, _, _ in VALUE_SERIES.values()]
    assert list(fig.data[0].y) == list(curve.value_usd)
    assert [s["x0"] for s in fig.layout.shapes] == [5.94, 1.89]
    assert [a["x"] for a in fig.layout.annotations] == pytest.approx([np.log10(5.94), np.log10(1.89)])
