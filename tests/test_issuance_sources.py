"""One list of issuance sources (``calc.model.issuance.ISSUANCE_SOURCES``): every output that splits the new shares by
source names every source, and the parts sum to the total.

The bug: a ledger row ``2002-10-15, exchange_common, 100,000 preferred, 38,000,000 common`` made 1.13 B new
shares, but the headline's parts (dividends + conversion + redemption) summed to 1.096 B: the 38 M exchange
shares were in no "From ..." metric, no sentence of "In plain words" and no bar of the issuance charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.events_csv import read_events_text
from calc.inputs.params import default_params
from calc.model.issuance import ISSUANCE_SOURCES, IssuanceMismatch, nonzero_parts, parts, summary_total
from calc.model.ledger import EVENT_COLUMNS
from calc.model.scenario import SUMMARY_KEYS, ScenarioResult, run_scenario
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.outputs.narrative import HTML, explain_parts
from calc.outputs.record import inputs_record
from calc.outputs.report import charts_html, report_html
from calc.outputs.workbook import WorkbookData, workbook_bytes
from calc.scenario_doc import event_cells
from charts import figures
from dashboard import state
from dashboard.formatting import shares
from tests.helpers import APP_TIMEOUT, started_app, summary_figures

HEADER = ",".join(EVENT_COLUMNS)
EXCHANGE_ROW = "2002-10-15,exchange_common,100000,38000000,,,,,test"  # the user's row
CONVERT_ROW = "2003-03-03,convert,50000,,,,,,test"  # some preferred converted by a ledger row
EXCHANGED = 38_000_000
NEW_SHARES_CHART = "New common shares issued on each date, by source"


def _events(*rows: str) -> tuple:
    events, problems = read_events_text("\n".join([HEADER, *rows]) + "\n", "test events")
    assert problems == []
    return events


@pytest.fixture(scope="module")
def exchange_events() -> tuple:
    return _events(EXCHANGE_ROW)


@pytest.fixture(scope="module")
def every_source_events() -> tuple:
    """Stock dividends and a put settled in stock (the defaults), an exchange row and a convert row."""
    return _events(EXCHANGE_ROW, CONVERT_ROW)


@pytest.fixture(scope="module")
def exchanged(exchange_events) -> ScenarioResult:
    return run_scenario(
        default_params(), events=exchange_events, terms=load_terms(), book=default_book(), caps=load_caps()
    )


@pytest.fixture(scope="module")
def every_source(every_source_events) -> ScenarioResult:
    result = run_scenario(
        default_params(), events=every_source_events, terms=load_terms(), book=default_book(), caps=load_caps()
    )
    assert all(count > 0 for _, count in parts(result.summary)), "each source issues shares in this scenario"
    return result


def _plain_words(result: ScenarioResult) -> str:
    return " ".join(explain_parts(result.params, result.timeline, result.summary, result.holders, HTML))


def _app(tmp_path, monkeypatch, events: tuple) -> AppTest:
    app = started_app(tmp_path, monkeypatch)
    app.session_state[state.ROWS_KEY] = tuple(event_cells(e) for e in events)
    app.run(timeout=APP_TIMEOUT)
    assert not app.exception and not app.error
    return app


def _exact(app: AppTest) -> dict[str, int]:
    """Each share metric's exact count, from its tooltip ("Exact: N shares.")."""
    found = {}
    for m in app.metric:
        counts = re.findall(r"Exact: ([-\d,]+) shares", m.help or "")
        if counts:
            found[m.label] = int(counts[0].replace(",", ""))
    return found


def _charts(app: AppTest) -> dict[str, dict]:
    out = {}
    for element in app.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        out[spec["layout"].get("title", {}).get("text", "")] = spec
    return out


def _summary_sheet(result: ScenarioResult) -> dict[str, object]:
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(WorkbookData(result.params, result, {}, terms=load_terms())))
    )
    return summary_figures(book["Summary"])


def _report(result: ScenarioResult) -> str:
    terms = load_terms()
    sensitivity = price_sensitivity(
        result.params, price_grid(), terms=load_terms(), book=default_book(), caps=load_caps()
    )
    charts = figures.scenario_figures(result, sensitivity, terms.market.authorized_common_shares)
    drawn = charts_html(charts, static=False)  # interactive: the series names are in the page, no browser needed
    html = report_html(result.params, result, drawn, terms, inputs_record("test", {}, result.params))
    return html.replace("\\u002f", "/")  # plotly writes "/" in its JSON as \u002f


# --- the registry -------------------------------------------------------------------------------------------


def test_registry_lists_every_source_once_in_the_summary_and_timeline():
    keys = [s.key for s in ISSUANCE_SOURCES]
    assert keys == ["dividend", "conversion", "redemption", "exchange"] and len(set(keys)) == len(keys)
    result = run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps())
    for source in ISSUANCE_SOURCES:
        assert source.summary_column in SUMMARY_KEYS, source.key
        assert {source.timeline_column, source.cumulative_column} <= set(result.timeline.columns), source.key
    # call conversions are a part of conversion, not a separate summand
    assert "call_conversion_shares" not in {s.timeline_column for s in ISSUANCE_SOURCES}


def test_call_conversions_are_counted_once_inside_conversion():
    params = dataclasses.replace(
        default_params(),
        price=12.0,
        put="none",
        conversion="none",
        call="date",
        call_date=dt.date(2006, 8, 1),
        horizon=dt.date(2008, 8, 1),
    )
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    called = int(result.timeline["call_conversion_shares"].sum())
    assert called == result.summary["conversion_shares"] > 0  # every conversion here is forced by the call
    assert sum(count for _, count in parts(result.summary)) == result.summary["new_shares"]


def test_parts_refuse_a_summary_whose_sources_do_not_sum_to_the_total(exchanged):
    broken = dict(exchanged.summary, new_shares=exchanged.summary["new_shares"] + 1)
    with pytest.raises(IssuanceMismatch, match="do not sum to new_shares"):
        parts(broken)


# --- the user's exchange row --------------------------------------------------------------------------------


def test_exchange_row_is_a_part_that_sums_to_new_shares(exchanged):
    summary = exchanged.summary
    by_key = {source.key: count for source, count in parts(summary)}
    assert by_key["exchange"] == EXCHANGED
    assert sum(by_key.values()) == summary["new_shares"] == summary_total(summary)
    # golden figures unchanged: the default scenario's dividends and put, plus the exchange
    assert (by_key["dividend"], by_key["conversion"], by_key["redemption"]) == (151_111_112, 0, 944_444_445)
    assert summary["new_shares"] == 1_133_555_557
    timeline = exchanged.timeline
    assert (timeline[[s.timeline_column for s in ISSUANCE_SOURCES]].sum(axis=1).cumsum()).tolist() == timeline[
        "cumulative_new_shares"
    ].tolist()


def test_headline_shows_from_exchanges_and_parts_sum_to_the_total(tmp_path, monkeypatch, exchange_events):
    app = _app(tmp_path, monkeypatch, exchange_events)
    exact = _exact(app)
    assert exact["From exchanges"] == EXCHANGED
    assert f"Exact: {shares(EXCHANGED)} shares" in next(m.help for m in app.metric if m.label == "From exchanges")
    assert sum(exact[f"From {s.label}"] for s in ISSUANCE_SOURCES) == exact["New shares"] == 1_133_555_557
    new_help = next(m.help for m in app.metric if m.label == "New shares")
    assert all(s.label in new_help for s in ISSUANCE_SOURCES)
    plain = next(m.value for m in app.markdown if "In plain words" in m.value)
    assert f"{shares(EXCHANGED)} from exchanges for common (ledger)" in plain
    chart = _charts(app)[NEW_SHARES_CHART]
    trace = next(t for t in chart["data"] if t["name"] == "Exchanges for common (ledger)")
    at = next(i for i, x in enumerate(trace["x"]) if x.startswith("15 Oct 2002"))
    assert trace["y"][at] == EXCHANGED


def test_new_shares_figure_has_the_exchange_bar(exchanged):
    fig = figures.new_shares_figure(exchanged.timeline)
    trace = next(t for t in fig.data if t.name == "Exchanges for common (ledger)")
    bars = dict(zip(trace.x, trace.y))
    assert bars["15 Oct 2002<br>ledger"] == EXCHANGED and trace.showlegend
    assert sum(sum(t.y) for t in fig.data) == exchanged.summary["new_shares"]
    issuance = figures.issuance_figure(exchanged.timeline, exchanged.params.base_shares)
    layer = next(t for t in issuance.data if t.name == "Exchanges for common (ledger) (cumulative)")
    assert layer.y[-1] == EXCHANGED


def test_without_ledger_rows_the_exchange_series_is_drawn_but_not_in_the_legend():
    """Every source is drawn; a source that issued nothing (the default scenario puts, so no conversion, and has
    no ledger rows) is left out of the legend (issue 21: legends list empty series)."""
    fig = figures.new_shares_figure(
        run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps()).timeline
    )
    shown = {t.name: t.showlegend for t in fig.data}
    assert list(shown) == [s.chart_label for s in ISSUANCE_SOURCES]
    assert shown == {"Dividends paid in stock": True, "Conversion": False, "Redemption / put paid in stock": True} | {
        "Exchanges for common (ledger)": False
    }


def test_narrative_names_the_exchange(exchanged):
    text = _plain_words(exchanged)
    assert (
        "By source: 151,111,112 from dividends paid in stock, 944,444,445 from puts and redemption settled in stock "
        "and 38,000,000 from exchanges for common (ledger)." in text
    )


def test_workbook_and_report_contain_the_exchange(exchanged):
    assert _summary_sheet(exchanged)["exchange_shares"] == EXCHANGED
    report = _report(exchanged)
    assert f'data-key="exchange_shares" data-value="{EXCHANGED}"' in report
    assert "38,000,000 from exchanges for common (ledger)" in report
    assert "Exchanges for common (ledger) (cumulative)" in report  # the issuance chart's layer


# --- every source, in every output --------------------------------------------------------------------------


def test_every_output_names_every_source(every_source):
    """Fails if a source of ``ISSUANCE_SOURCES`` is missing from the narrative, a chart, the workbook or the
    report (the headline: ``test_headline_names_every_source``)."""
    summary, timeline = every_source.summary, every_source.timeline
    found = nonzero_parts(summary)
    assert [s for s, _ in found] == list(ISSUANCE_SOURCES)
    text = _plain_words(every_source)
    sheet = _summary_sheet(every_source)
    report = _report(every_source)
    new_by_date = {t.name: t for t in figures.new_shares_figure(timeline).data}
    stacked = {t.name: t for t in figures.issuance_figure(timeline, every_source.params.base_shares).data}
    for source, count in found:
        named = f"{shares(count)} from {source.phrase}"
        assert named in text, source.key
        assert sum(new_by_date[source.chart_label].y) == count and new_by_date[source.chart_label].showlegend
        assert stacked[f"{source.chart_label} (cumulative)"].y[-1] == count, source.key
        assert sheet[source.summary_column] == count, source.key
        assert f'data-key="{source.summary_column}" data-value="{count}"' in report, source.key
        assert named in report and f"{source.chart_label} (cumulative)" in report, source.key
    assert sum(count for _, count in found) == summary["new_shares"]


def test_headline_names_every_source(tmp_path, monkeypatch, every_source_events, every_source):
    app = _app(tmp_path, monkeypatch, every_source_events)
    exact = _exact(app)
    for source, count in parts(every_source.summary):
        assert exact[f"From {source.label}"] == count > 0, source.key
    assert sum(exact[f"From {s.label}"] for s in ISSUANCE_SOURCES) == exact["New shares"]
    chart = _charts(app)[NEW_SHARES_CHART]
    assert [t["name"] for t in chart["data"]] == [s.chart_label for s in ISSUANCE_SOURCES]
