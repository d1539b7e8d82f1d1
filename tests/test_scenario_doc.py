"""The scenario as one document (issue 18): one immutable value with a content id, saved whole, restored from the
URL, accepted by the command line, and the single input of every output."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.errors import InputError
from calc.inputs.params import default_params
from calc.model.columns import holder_table, timeline_table
from calc.model.ledger import EVENT_COLUMNS
from calc.outputs.files import to_csv_bytes
from calc.outputs.record import inputs_record
from calc.scenario_doc import GrantsData, HolderData, ScenarioDoc, decimal_text, doc_from_json
from calc.scenario_run import resolve, run
from dashboard import state
from dashboard.store import ScenarioStore
from tests.helpers import APP_TIMEOUT, metric, run_cli, started_app

# The exchange: 100,000 preferred for 38,000,000 common on 2002-10-15; and a ratio typed as a decimal.
EXCHANGE = ("2002-10-15", "exchange_common", "100000", "38000000", "", "", "", "", "issue 18")
RATIO = ("2003-03-03", "exchange_common", "50000", "", "331.43", "", "", "", "typed ratio")
TWO_HOLDERS = "name,preferred_shares\nFMR Corp.,400000\nOther Fund,250000\n"


def full_doc() -> ScenarioDoc:
    """Every part set: parameters, history, ledger rows, an uploaded holder table, a policy, grants."""
    return ScenarioDoc(
        dataclasses.replace(default_params(), price=2.5, dividend_policy="accrue"),
        history=True,
        events=(EXCHANGE, RATIO),
        holders=HolderData(TWO_HOLDERS, "uploaded file two.csv", "as_given"),
        policies=(("warrants_2004.settlement", "net"),),
        grants=GrantsData("grants_executive_example.csv", None, "executive example"),
        include_illustrative=True,
    )


def test_json_round_trip_is_the_identical_document_and_id():
    doc = full_doc()
    back = doc_from_json(doc.to_json(), "test")
    assert back == doc and back.id == doc.id and len(doc.id) == 8
    assert json.loads(doc.to_json())["id"] == doc.id


def test_the_id_is_the_content_labels_aside():
    doc = full_doc()
    relabelled = doc.replace(holders=dataclasses.replace(doc.holders, label="another name"))
    assert relabelled.id == doc.id
    changes = [
        doc.replace(params=dataclasses.replace(doc.params, price=2.51)),
        doc.replace(history=False),
        doc.replace(events=(EXCHANGE,)),
        doc.replace(events=(EXCHANGE, RATIO[:4] + ("331.44",) + RATIO[5:])),
        doc.replace(holders=dataclasses.replace(doc.holders, partial="scale")),
        doc.replace(holders=HolderData()),
        doc.replace(policies=()),
        doc.replace(grants=GrantsData()),
        doc.replace(include_illustrative=False),
    ]
    assert len({d.id for d in changes} | {doc.id}) == len(changes) + 1


def test_a_document_loads_back_to_the_identical_result():
    doc = full_doc()
    first, again = run(doc), run(doc_from_json(doc.to_json(), "test"))
    assert to_csv_bytes(timeline_table(first.timeline)) == to_csv_bytes(timeline_table(again.timeline))
    assert to_csv_bytes(holder_table(first.holders)) == to_csv_bytes(holder_table(again.holders))
    # the two uploaded holders keep their typed counts (no silent scaling) and the 2002 history runs first
    assert resolve(doc).events[0].origin.startswith("history")
    fmr = first.holders.set_index("name").loc["FMR Corp."]
    assert fmr["basis_preferred_shares"] == fmr["registered_preferred_shares"] == 400_000


def test_an_inputs_record_is_a_document_too():
    """A download's sidecar (``calc.outputs.record.inputs_record``) carries the document; the reader takes either."""
    doc = full_doc()
    record = inputs_record("test", {}, doc.params, doc=doc)
    assert doc_from_json(json.dumps(record, default=str), "sidecar") == doc


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"format": "other"}, "format"),
        ({"version": 99}, "version"),
        ({"surprise": 1}, "surprise"),
        ({"history": "yes"}, "history"),
        ({"params": {"price": "-1"}}, "params.price"),
        ({"params": {"dividend_policy": "gold"}}, "params.dividend_policy"),
        ({"events": [{"date": 5}]}, "events[1].date"),
        ({"events": [{"colour": "red"}]}, "events[1].colour"),
        ({"events": "none"}, "events"),
        ({"holders": {"csv": 7}}, "holders.csv"),
        ({"holders": {"partial": "guess"}}, "holders.partial"),
        ({"grants": {"file": "../../etc/passwd"}}, "grants.file"),
        ({"policies": {"x.y": 1}}, "policies.x.y"),
    ],
)
def test_a_bad_document_names_the_field_and_the_rule(change, named):
    values = full_doc().to_dict() | change
    with pytest.raises(InputError) as caught:
        doc_from_json(json.dumps(values), "doc.json")
    assert str(caught.value).startswith("doc.json:")
    assert any(named in str(p) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"{", "not valid JSON (line 1"), (b"\xff\xfe{}", "not UTF-8"), (b"[]", "a JSON object"), (b"1e999", "object")],
)
def test_an_unreadable_document_is_one_error(data, says):
    with pytest.raises(InputError, match="doc.json: "):
        doc_from_json(data, "doc.json")
    with pytest.raises(InputError) as caught:
        doc_from_json(data, "doc.json")
    assert says in str(caught.value)


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30, places=12))
def test_decimal_text_is_exact(value: Decimal):
    """A ratio typed as a decimal comes back as a decimal text of exactly the same value (never 33143/100)."""
    text = decimal_text(Fraction(value))
    assert "/" not in text and Fraction(Decimal(text)) == Fraction(value)


def test_decimal_text_refuses_a_fraction_without_a_decimal_form():
    with pytest.raises(ValueError, match="no exact decimal form"):
        decimal_text(Fraction(1, 3))


# --------------------------------------------------------------------------- the command line


def test_cli_scenario_file_reproduces_the_run_and_notes_overrides(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(",".join(EVENT_COLUMNS) + "\n" + ",".join(EXCHANGE) + "\n" + ",".join(RATIO) + "\n")
    first = [str(tmp_path / n) for n in ("t1.csv", "h1.csv")]
    assert (
        run_cli("scenario", "--events", str(events), "--timeline", first[0], "--holders-out", first[1]).returncode == 0
    )
    sidecar = tmp_path / "t1.inputs.json"
    again = [str(tmp_path / n) for n in ("t2.csv", "h2.csv")]
    result = run_cli("scenario", "--scenario", str(sidecar), "--timeline", again[0], "--holders-out", again[1])
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stderr
    for a, b in zip(first, again, strict=True):
        assert open(a, "rb").read() == open(b, "rb").read()
    overridden = run_cli("scenario", "--scenario", str(sidecar), "--price", "3", "--json")
    assert overridden.returncode == 0
    assert "note: --price 3 overrides the scenario file's 1.89" in overridden.stderr
    assert json.loads(overridden.stdout)["exchange_shares"] == 38_000_000 + 16_571_500  # the file's rows kept


def test_cli_scenario_file_errors_exit_2_and_write_nothing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(full_doc().to_dict() | {"params": {"price": "free"}}))
    out = tmp_path / "t.csv"
    result = run_cli("scenario", "--scenario", str(bad), "--timeline", str(out))
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.startswith(f"error: --scenario {bad}: 1 problem(s)")
    assert "params.price" in result.stderr
    same = run_cli("scenario", "--scenario", str(bad), "--timeline", str(bad))
    assert same.returncode == 2 and "same file" in same.stderr
    missing = run_cli("montecarlo", "--scenario", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_every_scenario_command_takes_the_document(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(full_doc().to_json())
    for args in (
        ("scenario", "--json"),
        ("montecarlo", "--paths", "50", "--json"),
        ("breakeven", "--common-per-preferred", "380", "--json"),
        ("dilution", "--json"),
        ("report", "--out", str(tmp_path / "r.html")),
    ):
        result = run_cli(*args, "--scenario", str(path))
        assert result.returncode == 0, (args, result.stderr)


# --------------------------------------------------------------------------- the dashboard


@pytest.fixture
def app(tmp_path, monkeypatch):
    return started_app(tmp_path, monkeypatch)


def _with_exchange_and_upload(app) -> ScenarioDoc:
    app.session_state[state.ROWS_KEY] = (EXCHANGE,)
    app.session_state[state.HOLDERS_KEY] = HolderData(TWO_HOLDERS, "uploaded file two.csv")
    app.run(timeout=APP_TIMEOUT)
    assert not app.exception and not app.error
    doc = state_doc(app)
    assert doc.events == (EXCHANGE,) and doc.holders.csv == TWO_HOLDERS
    return doc


def state_doc(app) -> ScenarioDoc:
    """The document the page shows: the one its URL names (kept in the store)."""
    wanted = app.query_params["scenario"]
    found = ScenarioStore().document(wanted[0] if isinstance(wanted, list) else wanted)
    assert found is not None
    return found


def test_the_url_names_the_scenario_and_a_new_session_restores_it(app, tmp_path, monkeypatch):
    doc = _with_exchange_and_upload(app)
    headline = metric(app, "New shares")
    fresh = started_app(tmp_path, monkeypatch)  # a new tab on the same server
    assert metric(fresh, "New shares") != headline
    fresh.query_params["scenario"] = doc.id
    fresh.run(timeout=APP_TIMEOUT)
    assert not fresh.exception and not fresh.warning
    assert metric(fresh, "New shares") == headline
    assert state_doc(fresh) == doc


def test_a_link_without_the_store_restores_the_inputs_it_carries(app, tmp_path, monkeypatch):
    app.sidebar.number_input(key="param_price").set_value(7.0)
    app.session_state[state.ROWS_KEY] = (EXCHANGE,)
    app.run(timeout=APP_TIMEOUT)
    query = {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}
    assert query["price"] == "7.0" and "events" in query
    headline = metric(app, "New shares")
    monkeypatch.setenv("LUCENT_SCENARIO_DB", str(tmp_path / "restarted.sqlite3"))  # the server lost its store
    from streamlit.testing.v1 import AppTest

    from tests.helpers import ROOT

    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    for k, v in query.items():
        fresh.query_params[k] = v
    fresh.run(timeout=APP_TIMEOUT)
    assert not fresh.exception
    assert metric(fresh, "New shares") == headline


def test_saved_whole_and_loaded_whole(app):
    doc = _with_exchange_and_upload(app)
    ScenarioStore().save("with exchange", doc)
    entry = ScenarioStore().load("with exchange")
    assert entry.doc == doc and not entry.params_only
    assert entry.doc.holders.label == "uploaded file two.csv"
    headline = metric(app, "New shares")
    app.session_state[state.ROWS_KEY] = ()
    app.session_state[state.HOLDERS_KEY] = HolderData()
    app.run(timeout=APP_TIMEOUT)
    assert metric(app, "New shares") != headline
    app.segmented_control(key="section").set_value("Saved scenarios").run(timeout=APP_TIMEOUT)
    app.selectbox(key="saved_pick").set_value("with exchange")
    app.button(key="load_scenario").click().run(timeout=APP_TIMEOUT)
    assert not app.exception
    assert metric(app, "New shares") == headline
    assert state_doc(app) == doc


def test_a_parameters_only_row_loads_and_says_so(tmp_path):
    import sqlite3

    store = ScenarioStore(tmp_path / "old.sqlite3")
    store.save("new", full_doc())
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "INSERT INTO scenarios (name, params_json, saved_at) VALUES ('old', ?, 'then')",
            (json.dumps({"price": 3.0}),),
        )
    entries = {e.name: e for e in store.entries()}
    assert entries["old"].params_only and entries["old"].params.price == 3.0
    assert entries["old"].doc == ScenarioDoc(dataclasses.replace(default_params(), price=3.0))
    assert not entries["new"].params_only and entries["new"].doc == full_doc()


def test_uploaded_tables_are_kept_once(tmp_path):
    import sqlite3

    store = ScenarioStore(tmp_path / "s.sqlite3")
    doc = full_doc()
    for i, price in enumerate((2.0, 3.0, 4.0)):
        store.save(f"s{i}", doc.replace(params=dataclasses.replace(doc.params, price=price)))
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 1
        assert connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 3
    with pytest.raises(InputError, match="already exists"):
        store.save("s0", doc)
