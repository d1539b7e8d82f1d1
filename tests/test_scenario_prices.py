"""A dated price path as a scenario input (issue 22): ``calc.model.scenario_prices``, ``ScenarioDoc.prices``,
``--prices`` / ``--price-rule`` on the scenario commands and the dashboard's sidebar path.

Golden figures by hand on the shipped closes (data/prices.csv, previous close; the default scenario: 1,885,000
preferred of $1,000, 8.00% a year paid semiannually, $37.7M... per half year = 1,885,000 × $1,000 × 4% =
$75,400,000; shares rounded up, ``calc.model.preferred_rules``):
  2003-02-01 dividend  at $1.26 (2002-12-31)  ceil(75,400,000 / 1.26)  = 59,841,270
  2003-08-01 dividend  at $2.26 (2003-05-29)  ceil(75,400,000 / 2.26)  = 33,362,832
  2004-08-02 put       at $2.16 (2003-09-30)  ceil(1,885,000,000 / 2.16) = 872,685,186
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.instruments_toml import load_registry
from calc.inputs.params import default_params
from calc.inputs.paths import PRICES_PATH
from calc.inputs.prices_csv import read_prices
from calc.model.breakeven import breakeven_report, flat_wait, setup
from calc.model.montecarlo import run_monte_carlo
from calc.model.scenario import run_batch, run_scenario
from calc.model.securities import run_dilution
from calc.model.securities import setup as dilution_setup
from calc.scenario_doc import PriceData, ScenarioDoc, default_doc, doc_from_json
from calc.scenario_run import resolve, run
from tests.helpers import open_section, run_cli, started_app

SHIPPED = read_prices(PRICES_PATH)


def _flat(price: float, on: dt.date) -> PriceData:
    return PriceData(((on.isoformat(), repr(price), "test"),))


def _doc(prices: PriceData) -> ScenarioDoc:
    return default_doc().replace(prices=prices)


def test_a_document_without_prices_keeps_its_content_and_id():
    doc = default_doc()
    assert "prices" not in doc.content() and "prices" not in doc.to_dict()
    assert doc.replace(prices=PriceData((), "log_linear")).id == doc.id


def test_the_path_is_part_of_the_document():
    doc = _doc(PriceData(SHIPPED.rows(), "log_linear", "shipped"))
    back = doc_from_json(doc.to_json(), "test")
    assert back == doc and back.id == doc.id and back.prices.rows[3] == ("2002-08-27", "1.89", SHIPPED.sources[3])
    assert doc.replace(prices=PriceData(SHIPPED.rows(), "previous")).id != doc.id


@pytest.mark.parametrize(
    ("prices", "field"),
    [
        ({"rows": [{"date": "2002-01-01", "close_usd": 1}], "rule": "previous"}, "prices.rows[1]"),
        ({"rows": [], "rule": "cubic"}, "prices.rule"),
        ({"rows": "x"}, "prices.rows"),
        ({"points": []}, "prices.points"),
    ],
)
def test_document_price_problems_name_the_field(prices, field):
    values = default_doc().to_dict() | {"prices": prices}
    with pytest.raises(InputError) as caught:
        doc_from_json(json.dumps(values), "doc")
    assert any(p.column == field for p in caught.value.problems)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("2002-01-01", "1", "a"), ("2002-01-01", "2", "b")), "line 3, column date: '2002-01-01' is not after"),
        ((("2002-01-01", "1", "a"), ("2001-01-01", "2", "b")), "line 3, column date: '2001-01-01' is not after"),
        ((("2002-01-01", "nan", "a"),), "line 2, column close_usd: 'nan' is not a number"),
        ((("2002-01-01", "0", "a"),), "line 2, column close_usd: '0' is not > 0"),
        ((("2002-01-01", "-1.5", "a"),), "line 2, column close_usd: '-1.5' is not > 0"),
        ((("2002-13-01", "1", "a"),), "line 2, column date: '2002-13-01' is not a date"),
    ],
)
def test_resolve_checks_the_rows(rows, message):
    with pytest.raises(InputError) as caught:
        resolve(_doc(PriceData(rows)))
    assert any(message in str(p) for p in caught.value.problems)


def test_a_path_starts_on_or_before_the_valuation_date():
    with pytest.raises(InputError, match="after the valuation date 2002-08-28"):
        resolve(_doc(PriceData((("2003-01-01", "1", "a"),))))


def test_golden_stock_dividends_and_put_on_the_shipped_path():
    timeline = run(_doc(PriceData(SHIPPED.rows()))).timeline
    by_date = dict(zip(timeline["date"], zip(timeline["dividend_shares"], timeline["redemption_shares"])))
    assert by_date[dt.date(2003, 2, 1)][0] == 59_841_270
    assert by_date[dt.date(2003, 8, 1)][0] == 33_362_832
    assert by_date[dt.date(2004, 8, 2)][1] == 872_685_186
    assert list(timeline["price_usd"][:3]) == [1.89, 1.26, 2.26]


def test_a_one_close_path_at_the_scenario_price_is_the_drift_path():
    params = default_params()
    flat = resolve(_doc(_flat(params.price, params.valuation_date))).prices
    assert (
        run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()).summary
        == run_scenario(params, prices_path=flat, terms=load_terms(), book=default_book(), caps=load_caps()).summary
    )
    with_path = run_batch(
        [params, params], prices_path=flat, terms=load_terms(), book=default_book(), caps=load_caps()
    ).summary
    assert with_path.equals(
        run_batch([params, params], terms=load_terms(), book=default_book(), caps=load_caps()).summary
    )
    zero_vol = run_monte_carlo(
        params, 0.0, 3, prices_path=SHIPPED, terms=load_terms(), book=default_book(), caps=load_caps()
    ).total_percentiles
    scenario = run_scenario(
        params, prices_path=SHIPPED, terms=load_terms(), book=default_book(), caps=load_caps()
    ).timeline["total_common_shares"]
    assert list(zero_vol["p50"]) == list(scenario)  # σ = 0: every path is the price path


def test_log_linear_between_closes():
    timeline = run(_doc(PriceData(SHIPPED.rows(), "log_linear"))).timeline
    expected = 1.26 * (1.77 / 1.26) ** (32 / 50)  # 2003-02-01: 32 of the 50 days from 2002-12-31 to 2003-02-19
    assert timeline["price_usd"][1] == pytest.approx(expected, rel=1e-12)


def test_breakeven_on_a_path():
    params = default_params()
    flat = resolve(_doc(_flat(params.price, params.valuation_date))).prices
    day = "2002-10-15"
    on_flat = breakeven_report(
        setup(params, day, (), prices_path=flat, terms=load_terms(), book=default_book(), caps=load_caps()), 380.0
    )
    drift = breakeven_report(setup(params, day, (), terms=load_terms(), book=default_book(), caps=load_caps()), 380.0)
    assert {k: on_flat[k] for k in drift} == drift
    s = setup(params, day, (), prices_path=SHIPPED, terms=load_terms(), book=default_book(), caps=load_caps())
    report = breakeven_report(s, 380.0)
    assert report["price_path_close_on_date_usd"] == 0.76
    be = report["breakeven_price_usd"]
    assert isinstance(be, float) and s.shape is not None
    assert flat_wait(s, np.array([be])).wait[0] == pytest.approx(380.0, rel=1e-9)  # the path scaled to be on D


def test_securities_on_a_path():
    params = default_params()
    result = run_dilution(
        dilution_setup(params, prices_path=SHIPPED, registry=load_registry(), book=default_book(), caps=load_caps())
    )
    assert result.prices[0, 0] == 1.89 and np.all(result.prices[0] > 0)
    assert 2.16 in set(result.prices[0])


def test_cli_prices_on_every_scenario_command(tmp_path):
    shipped = str(PRICES_PATH)
    summary = json.loads(run_cli("scenario", "--prices", shipped, "--json").stdout)
    assert summary["redemption_shares"] == 872_685_186
    for command in (
        ("montecarlo", "--paths", "50", "--json"),
        ("breakeven", "--common-per-preferred", "380", "--json"),
        ("securities", "--json"),
        ("report", "--out", str(tmp_path / "r.html")),
    ):
        result = run_cli(*command, "--prices", shipped, "--price-rule", "log_linear")
        assert result.returncode == 0, (command, result.stderr)
    grid = tmp_path / "grid.csv"
    grid.write_text("scenario_id,price\na,1\nb,3\n", encoding="utf-8")
    out = tmp_path / "summary.csv"
    args = ("export", "--scenarios", str(grid), "--out", str(tmp_path / "o.csv"), "--summary", str(out))
    assert run_cli(*args, "--prices", shipped).returncode == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1].split(",")[-8:] == lines[2].split(",")[-8:]  # the path, not the grid's price


def test_cli_scenario_document_carries_the_path(tmp_path):
    doc = tmp_path / "doc.json"
    doc.write_text(_doc(PriceData(SHIPPED.rows(), "previous", "shipped")).to_json(), encoding="utf-8")
    from_doc = json.loads(run_cli("scenario", "--scenario", str(doc), "--json").stdout)
    assert from_doc["redemption_shares"] == 872_685_186
    result = run_cli("scenario", "--scenario", str(doc), "--price-rule", "log_linear", "--json")
    assert "--price-rule log_linear overrides the scenario file's previous" in result.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("date,close_usd,source\n2002-01-01,1,a\n2002-01-01,2,b\n", "line 3, column date: '2002-01-01' is not after"),
        ("date,close_usd,source\n2002-01-01,inf,a\n", "line 2, column close_usd: 'inf' is not a number"),
        ("date,close_usd,source\n2002-01-01,-2,a\n", "line 2, column close_usd: '-2' is not > 0"),
        ("date,price\n2002-01-01,1\n", "line 1 is not the header date,close_usd,source"),
        ("date,close_usd,source\n2002-01-01,1\n", "line 2: 2 cells, expected 3"),
    ],
)
def test_cli_price_file_problems(tmp_path, body, message):
    path = tmp_path / "p.csv"
    path.write_text(body, encoding="utf-8")
    result = run_cli("scenario", "--prices", str(path))
    assert result.returncode == 2 and result.stderr.startswith("error: ") and message in result.stderr


def test_cli_price_rule_needs_a_path():
    result = run_cli("scenario", "--price-rule", "log_linear")
    assert result.returncode == 2 and "give --prices FILE.csv" in result.stderr


def test_dashboard_sidebar_price_path(tmp_path, monkeypatch):
    app = started_app(tmp_path, monkeypatch)
    app.button(key="prices_shipped").click().run()
    assert not app.exception
    assert "previous close" in " ".join(c.value for c in app.sidebar.caption)
    app.radio(key="prices_rule").set_value("log_linear").run()
    assert "log-linear" in " ".join(c.value for c in app.sidebar.caption)
    assert app.query_params["price_rule"] == "log_linear"
    open_section(app, "Share issuance")
    assert not app.exception and not app.error
    app.button(key="prices_clear").click().run()
    assert "prices" not in app.query_params


def test_a_link_carries_the_path():
    from dashboard.state import _from_query, url_values

    params = default_params()
    doc = default_doc().replace(prices=PriceData(SHIPPED.rows(), "log_linear", "shipped"))
    query = url_values(doc, params)
    restored = _from_query(query, params, load_terms()).prices
    assert (restored.rows, restored.rule) == (doc.prices.rows, doc.prices.rule)
    with pytest.raises(InputError, match="price rule"):
        _from_query(query | {"price_rule": "cubic"}, params, load_terms())


def test_the_narrative_names_the_path():
    from calc.model.scenario_prices import path_words
    from calc.outputs.narrative import explain_parts

    result = run_scenario(
        default_params(), prices_path=SHIPPED, terms=load_terms(), book=default_book(), caps=load_caps()
    )
    head = explain_parts(result.params, result.timeline, result.summary, result.holders, price_path=path_words(SHIPPED))
    assert "on the price path" in head[0] and "previous close" in head[0] and "$2.16 at the horizon" in head[0]
    drift = run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps())
    assert "at $1.89 (flat)" in explain_parts(drift.params, drift.timeline, drift.summary, drift.holders)[0]
