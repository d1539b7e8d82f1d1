"""One chart style over every figure builder of ``charts/`` (issue 21, "Charts people read"), each figure built
from real calc results (``tests/chart_cases.py``): the shared template, log axes labelled in full with one number
format, no empty series in a legend, distinct colours, steps for counts over time, one date format, legends
under the axis title without a fixed blank band, axis ranges that fit the data."""

from __future__ import annotations

import inspect
import itertools
import re

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.inputs.data import default_book, load_caps
from calc.inputs.params import default_params
from calc.outputs.report import charts_html, report_html
from charts import (
    bridge_figures,
    figures,
    ledger_figures,
    offer_figures,
    options_figures,
    securities_figures,
    template,
    valuation_figures,
)
from tests.chart_cases import BUILDERS, all_figures

DELTA_E = template.MIN_PALETTE_DISTANCE


@pytest.fixture(scope="module")
def built() -> dict[str, go.Figure]:
    return {name: go.Figure(fig.to_dict()) for name, fig in all_figures().items()}  # validated


def test_every_builder_has_a_case(built):
    """A figure builder added to charts/ without a case here fails (public functions returning ``go.Figure``)."""
    modules = (
        figures,
        bridge_figures,
        ledger_figures,
        securities_figures,
        options_figures,
        offer_figures,
        valuation_figures,
    )
    found = {
        (m.__name__, name)
        for m in modules
        for name, fn in inspect.getmembers(m, inspect.isfunction)
        if fn.__module__ == m.__name__
        and name != "build"  # build: dicts to a figure, used by every builder
        and inspect.signature(fn).return_annotation in ("go.Figure", go.Figure)
    }
    assert found == {(m.__name__, name) for m, name in BUILDERS}
    assert {name for _, name in BUILDERS} <= {case.split()[0] for case in built}


def test_template_registered_and_applied(built):
    assert pio.templates[template.TEMPLATE_NAME].to_plotly_json() == template.TEMPLATE_JSON
    want = template.TEMPLATE.layout.to_plotly_json()
    for name, fig in built.items():
        assert fig.layout.template.layout.to_plotly_json() == want, name
        assert fig.layout.template.layout.font.family == template.FONT_FAMILY


def test_report_draws_in_the_template_not_plotly_grey():
    """The report's figures carry the template: no plotly default background (#E5ECF6) in the page."""
    from calc.inputs.data import load_terms
    from calc.model.scenario import run_scenario
    from calc.model.sensitivity import price_grid, price_sensitivity
    from calc.outputs.record import inputs_record

    params, terms = default_params(), load_terms()
    result = run_scenario(params, terms, book=default_book(), caps=load_caps())
    charts = figures.scenario_figures(
        result, price_sensitivity(params, price_grid(), terms, book=default_book(), caps=load_caps()), 10_000_000_000
    )
    page = report_html(params, result, charts_html(charts, static=False), terms, inputs_record("test", {}, params))
    body = page[page.index('<section class="chart"') :]
    assert "#E5ECF6" not in body and body.count(template.TEXT_COLOUR) >= 3


def _axes(fig: go.Figure):
    layout = fig.layout
    return [(name, layout[name]) for name in layout if re.fullmatch(r"[xy]axis\d*", name) and layout[name]]


def _number(label: str) -> float:
    """A tick label read back as a number ("$0.20" → 0.2, "500M" → 5e8, "1,000" → 1000)."""
    core = label.replace("$", "").replace(",", "")
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(core[-1], 1.0)
    return float(core.rstrip("kMB")) * scale


def test_log_axes_label_their_ticks_in_full_with_one_format(built):
    """No bare "2"/"5" (plotly's minor labels): each labelled tick is written in full and reads back as its
    value; one number format per axis (all with a B/M/k suffix, all in dollars and cents, or all plain)."""
    seen = 0
    for name, fig in built.items():
        for axis_name, axis in _axes(fig):
            if axis.type != "log":
                continue
            seen += 1
            where = f"{name} {axis_name}"
            assert axis.tickmode == "array" and axis.dtick is None, where
            assert len(axis.tickvals) == len(axis.ticktext) >= 3, where
            for value, label in zip(axis.tickvals, axis.ticktext):
                assert not re.fullmatch(r"\$?[2-9]", label) or _number(label) == value, where
                assert _number(label) == pytest.approx(value), (where, label)
            kinds = {"usd" if t.startswith("$") else "si" if t[-1] in "kMB" else "plain" for t in axis.ticktext}
            assert len(kinds) == 1, (where, axis.ticktext)
            if "usd" in kinds:
                assert all(re.fullmatch(r"\$[\d,]+\.\d\d", t) for t in axis.ticktext), where  # cents here
            assert axis.minor.ticks == "outside" and axis.minor.showgrid is False, where  # minor ticks unlabelled
            low, high = axis.range
            assert low <= min(_log10(v) for v in axis.tickvals) and max(_log10(v) for v in axis.tickvals) <= high
    assert seen >= 4  # sensitivity y, break-even x and y, price stack x


def _log10(value: float) -> float:
    import math

    return math.log10(value)


def _empty(trace) -> bool:
    ys = [v for v in (trace.y if trace.y is not None else trace.x or ()) if v is not None]
    if trace.type == "box":
        ys = list(trace.upperfence or ())
    return not ys or not any(ys)


def test_no_empty_series_in_a_legend(built):
    for name, fig in built.items():
        for trace in fig.data:
            if trace.showlegend is not False and fig.layout.showlegend is not False and trace.type != "waterfall":
                assert not _empty(trace), (name, trace.name)
    stack = built["stack_figure"]
    assert any(t.showlegend is False for t in stack.data)  # the default scenario has instruments with no claim
    assert all(t.showlegend is False for t in stack.data if not any(t.y))


def _colour(trace) -> str | None:
    for holder in (getattr(trace, "line", None), getattr(trace, "marker", None)):
        if holder is not None and isinstance(holder.color, str):
            return holder.color
    return None


def _lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an ``#RRGGBB`` or ``rgb(a)(r, g, b[, a])`` colour."""
    if colour.startswith("#"):
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        rgb = [float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _distance(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def test_palette_has_eight_or_more_distinct_colours():
    assert len(template.PALETTE) >= 8 and len(set(template.PALETTE)) == len(template.PALETTE)
    for a, b in itertools.combinations(template.PALETTE, 2):
        assert _distance(a, b) >= DELTA_E, (a, b, _distance(a, b))


def test_series_in_a_legend_have_distinct_colours(built):
    """Series told apart by colour only (same trace type and dash) differ by at least ``MIN_PALETTE_DISTANCE``
    in CIELAB."""
    for name, fig in built.items():
        shown = [
            (_colour(t), (t.type, getattr(getattr(t, "line", None), "dash", None) or "solid"))
            for t in fig.data
            if t.showlegend is not False and _colour(t)
        ]
        for (a, look_a), (b, look_b) in itertools.combinations(shown, 2):
            if look_a == look_b:  # same kind of mark, same dash: only the colour tells them apart
                assert _distance(a, b) >= DELTA_E, (name, a, b)
    stack = built["stack_figure"]
    assert len({t.line.color for t in stack.data}) == len(stack.data) >= 8  # every instrument its own colour


def _over_time(fig: go.Figure) -> bool:
    axis = fig.layout.xaxis
    return axis.type == "date" or (axis.type == "category" and "date" in (axis.title.text or "").lower())


def test_counts_over_time_are_steps(built):
    """Share counts change on event dates only: every line over a date or event axis is drawn as steps."""
    checked = 0
    for name, fig in built.items():
        if not _over_time(fig):
            continue
        for trace in fig.data:
            if trace.type == "scatter" and "lines" in (trace.mode or "lines"):
                assert trace.line.shape == "hv", (name, trace.name)
                checked += 1
    assert checked >= 10
    assert all(t.line.shape == "hv" for t in built["stack_figure"].data)
    assert all(t.line.shape == "hv" for t in built["timeline_figure"].data)


def test_one_date_format(built):
    """Date axes: "Aug 2004" ticks a month or more apart, "2 Aug 2004" for days and in the hover; event labels
    and notes write days the same way (no ISO dates on screen)."""
    iso = re.compile(r"\d{4}-\d\d-\d\d")
    for name, fig in built.items():
        axis = fig.layout.xaxis
        if axis.type == "date":
            assert axis.hoverformat == template.DATE_FORMAT and axis.tickformat is None, name
            assert [s.value for s in axis.tickformatstops] == [template.DATE_FORMAT, template.MONTH_FORMAT], name
        labels = [str(v) for v in (axis.ticktext or ())] + [a.text for a in fig.layout.annotations]
        if axis.type == "category":
            labels += [str(v) for t in fig.data for v in (t.x or ()) if isinstance(v, str)]
        assert not [t for t in labels if iso.search(t)], name
    assert template.day_text("2004-08-02") == "2 Aug 2004"


def test_legends_sit_under_the_axis_title_without_a_blank_band(built):
    """Legends under the plot are placed by plotly's automargin (container bottom, a small fixed margin): a fixed
    150-230 px margin left ~100 px blank between the axis title and a one-row legend."""
    for name, fig in built.items():
        legend = fig.layout.legend
        if legend.yref == "container":
            assert legend.y == 0 and legend.yanchor == "bottom" and fig.layout.margin.b <= 20, name
            assert fig.layout.template.layout.xaxis.automargin is True


def test_shares_outstanding_plot_is_tall_enough(built):
    """At 1024 px its legend takes 3-4 rows: the figure is tall enough that the plot keeps most of the height."""
    fig = built["issuance_figure"]
    assert fig.layout.height >= 540 and fig.layout.margin.b <= 20 and fig.layout.margin.t <= 80


def test_concentration_axis_fits_the_largest_holding(built):
    fig = built["concentration_figure"]
    top = max(fig.data[0].x)
    low, high = fig.layout.xaxis.range
    assert low == 0 and top < high <= top * 1.2  # not 2 % of data on an 11 % axis
    note = next(a.text for a in fig.layout.annotations)
    assert "5% (13D/G)" in note and "10% (Section 16)" in note  # thresholds beyond the axis named, not drawn
    assert not [s for s in fig.layout.shapes if s.type == "line"]


def test_fan_uses_its_width_and_keeps_labels_off_the_authorized_line(built):
    """One slot per event date (the put's spread was a sliver at the right edge of a time axis); the horizon
    labels at least ``HORIZON_LABEL_GAP`` of the y span from each other and from the authorized line."""
    for name in ("fan_figure", "fan_figure 2031"):
        fig = built[name]
        assert fig.layout.xaxis.type == "category"
        assert len(fig.layout.xaxis.tickvals) <= figures.MAX_DATE_LABELS
        low, high = fig.layout.yaxis.range
        gap = figures.HORIZON_LABEL_GAP * (high - low) * 0.999
        authorized = next(s.y0 for s in fig.layout.shapes if s.type == "line" and s.xref == "paper")
        labels = sorted(a.y for a in fig.layout.annotations if "pct" in a.text or a.text.startswith("median"))
        assert len(labels) == 3 and all(b - a >= gap for a, b in zip(labels, labels[1:])), name
        assert all(abs(y - authorized) >= gap for y in labels), name
        box = next(t for t in fig.data if t.type == "box")
        assert low < min(box.lowerfence) and max(box.upperfence) < high and low > 0  # fitted, not from zero


def test_dashboard_draws_every_chart_in_the_template():
    """Every ``st.plotly_chart`` of the dashboard passes ``theme=STREAMLIT_THEME`` (None): Streamlit's theme would
    write its own fonts, colours and grid over the template, and the report would not look like the page."""
    import ast

    from tests.helpers import ROOT

    calls = []
    for path in sorted((ROOT / "dashboard").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.plotly_chart":
                theme = next((k.value for k in node.keywords if k.arg == "theme"), None)
                calls.append((path.name, theme is not None and ast.unparse(theme)))
    assert len(calls) >= 10 and all(theme == "STREAMLIT_THEME" for _, theme in calls), calls
    assert template.STREAMLIT_THEME is None


def test_titles_in_one_style(built):
    """Titles and axis titles in sentence case; a date axis titled "Date", an event axis names its events; money
    axes in "USD per share" (or per preferred share)."""
    for name, fig in built.items():
        texts = [fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text]
        assert all(not t or t[0].isupper() for t in texts), (name, texts)
        if fig.layout.xaxis.type == "date":
            assert fig.layout.xaxis.title.text == "Date", name
        usd = [t for t in texts[1:] if t and "USD" in t]
        assert all("USD per " in t for t in usd), (name, usd)  # per share (a price) or per preferred share


@settings(max_examples=200)
@given(
    low=st.floats(min_value=1e-3, max_value=1e12),
    ratio=st.floats(min_value=2.0, max_value=1e6),
    labels=st.sampled_from([template.share_labels, template.usd_labels, template.count_labels]),
)
def test_log_ticks_label_in_full_inside_the_range(low, ratio, labels):
    """Any positive range at least 2× wide gets two or more labelled ticks inside it, each reading back as its
    value (no bare digit), decades only over three decades or more."""
    high = low * ratio
    values, texts = template.log_ticks(low, high, labels)
    assert len(values) >= 2 and values == sorted(values)
    assert all(low * (1 - 1e-9) <= v <= high * (1 + 1e-9) for v in values)
    for value, label in zip(values, texts):
        assert _number(label) == pytest.approx(value, rel=0.01) or (labels is template.usd_labels and value < 1e-4)
    if labels is template.usd_labels:
        assert len({len(t.split(".")[1]) for t in texts}) == 1  # one format: the same places on every label
    if ratio >= 10**template.DECADES_ONLY:
        assert all(float(f"{v:e}".split("e")[0]) == 1.0 for v in values)


@given(
    values=st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=5).map(sorted),
    avoid=st.lists(st.floats(min_value=0, max_value=100), max_size=3),
    gap=st.floats(min_value=0.1, max_value=10),
)
def test_label_heights_keep_apart_from_each_other_and_the_lines(values, avoid, gap):
    heights = figures.label_heights(values, gap, avoid)
    # at its value or above, unless moved just under a line its value is within ``gap`` under
    under = lambda h, v: any(0 <= line - v < gap and h == line - gap for line in avoid)  # noqa: E731
    assert all(h >= v or under(h, v) for h, v in zip(heights, values))
    assert all(b - a >= gap * (1 - 1e-9) for a, b in zip(heights, heights[1:]))
    assert all(abs(h - line) >= gap * (1 - 1e-9) for h in heights for line in avoid)
