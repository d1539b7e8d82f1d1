"""Saved scenarios in SQLite: round trip, list/delete, env-var path, and no loss on a failed write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from calc.errors import InputError
from calc.inputs.params import default_params
from dashboard import store as store_module
from dashboard.store import ScenarioStore, params_from_json, params_to_json


@pytest.fixture
def store(tmp_path):
    return ScenarioStore(tmp_path / "scenarios.sqlite3")


def test_round_trip_every_field(store):
    params = dataclasses.replace(
        default_params(),
        price=2.5,
        dividend_policy="accrue",
        put="all",
        conversion="all",
        conversion_date=dt.date(2003, 1, 15),
        exchange_date=dt.date(2003, 6, 1),
        holder_basis="registered",
    )
    store.save("  my scenario ", params)
    assert store.load("my scenario").params == params
    assert [e.name for e in store.entries()] == ["my scenario"]


def test_json_has_iso_dates_and_nulls():
    payload = json.loads(params_to_json(default_params()))
    assert payload["valuation_date"] == "2002-08-28"
    assert payload["conversion_date"] is None
    assert params_from_json(json.dumps(payload)) == default_params()


def test_list_overwrite_delete(store):
    store.save("b", default_params())
    store.save("a", dataclasses.replace(default_params(), price=1.0))
    with pytest.raises(InputError, match="already exists"):
        store.save("a", default_params())  # no silent replacement by default
    assert store.load("a").params.price == 1.0
    store.save(" a ", dataclasses.replace(default_params(), price=3.0), overwrite=True)
    listed = store.entries()
    assert [s.name for s in listed] == ["a", "b"]
    assert listed[0].params.price == 3.0
    assert store.delete("a") is True
    assert store.delete("a") is False
    assert [e.name for e in store.entries()] == ["b"]


def test_survives_a_new_store_object(tmp_path):
    path = tmp_path / "s.sqlite3"
    ScenarioStore(path).save("kept", default_params())
    assert ScenarioStore(path).load("kept").params == default_params()


def test_empty_and_missing(store):
    assert store.entries() == []
    assert not store.path.exists()  # listing does not create the file
    with pytest.raises(InputError, match="not saved"):
        store.load("nope")
    with pytest.raises(InputError, match="must not be empty"):
        store.save("   ", default_params())


def test_default_path_and_env_var(monkeypatch, tmp_path):
    monkeypatch.delenv(store_module.ENV_VAR, raising=False)
    assert ScenarioStore().path == store_module.DEFAULT_PATH
    assert store_module.DEFAULT_PATH.name == "scenarios.sqlite3"
    monkeypatch.setenv(store_module.ENV_VAR, str(tmp_path / "elsewhere.db"))
    assert ScenarioStore().path == tmp_path / "elsewhere.db"


def test_failed_write_loses_nothing(store, monkeypatch):
    store.save("first", default_params())
    store.save("second", dataclasses.replace(default_params(), price=4.0))
    before = store.entries()

    real_connect = sqlite3.connect

    class FailingConnection(sqlite3.Connection):
        def execute(self, sql, *args):  # the upsert fails after the transaction began
            if sql.startswith("INSERT"):
                super().execute("DELETE FROM scenarios")  # a partial change inside the transaction ...
                raise sqlite3.OperationalError("disk I/O error (simulated)")
            return super().execute(sql, *args)

    monkeypatch.setattr(
        store_module.sqlite3, "connect", lambda *a, **k: real_connect(*a, factory=FailingConnection, **k)
    )
    with pytest.raises(InputError, match="nothing already saved was changed"):
        store.save("second", default_params(), overwrite=True)
    monkeypatch.setattr(store_module.sqlite3, "connect", real_connect)
    assert store.entries() == before  # ... is rolled back


def test_unwritable_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        ScenarioStore(tmp_path / "missing" / "s.sqlite3").save("x", default_params())


def test_corrupt_file_is_an_input_error(tmp_path):
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError):
        ScenarioStore(path).save("x", default_params())
    assert path.read_bytes() == b"this is not a database" * 100


def test_invalid_stored_inputs_are_reported_not_raised(store):
    store.save("ok", default_params())
    connection = sqlite3.connect(store.path)
    with connection:
        connection.execute(
            "INSERT INTO scenarios (name, params_json, saved_at) VALUES ('broken', '{\"price\": -1}', 'now')"
        )
    connection.close()
    listed = {s.name: s for s in store.entries()}
    assert listed["ok"].params == default_params()
    assert listed["broken"].params is None and "price" in listed["broken"].problem
    with pytest.raises(InputError, match="price"):
        store.load("broken")


def _race(path, names_and_prices: list[tuple[str, float]]) -> list[str]:
    """Save each (name, price) from its own thread, all released at once; each thread's outcome in order."""
    barrier = threading.Barrier(len(names_and_prices))

    def save(name: str, price: float) -> str:
        store = ScenarioStore(path)
        barrier.wait()
        try:
            store.save(name, dataclasses.replace(default_params(), price=price))
            return "saved"
        except InputError as exc:
            return str(exc)

    with ThreadPoolExecutor(len(names_and_prices)) as pool:
        return list(pool.map(lambda job: save(*job), names_and_prices))


def test_concurrent_saves_of_one_name_keep_one_and_tell_the_others_issue_9_item_9(tmp_path):
    """Issue 9 item 9: two saves of the same new name at once were both told "Saved" and one was lost.
    Now the name's uniqueness is checked by the INSERT itself: exactly one thread saves, every other one is told
    the name already exists, and the stored inputs are the winner's."""
    threads, rounds = 4, 60
    for round_no in range(rounds):
        path = tmp_path / f"race{round_no}.sqlite3"
        ScenarioStore(path).save("other", default_params())  # the file and table exist before the race
        prices = [1.0 + i for i in range(threads)]
        outcomes = _race(path, [("same", price) for price in prices])
        assert outcomes.count("saved") == 1, (round_no, outcomes)
        assert all(o == "scenario 'same' already exists" for o in outcomes if o != "saved"), outcomes
        assert ScenarioStore(path).load("same").params.price == prices[outcomes.index("saved")]


@pytest.mark.parametrize(
    "payload, words",
    [
        (5, "int, not JSON text"),
        (b"{}", "bytes, not JSON text"),
        ("[" * 100_000, "not valid JSON"),
        ('{"price": [1, 2]}', "price"),
        ('{"put": {"a": 1}}', "put"),
        ('{"price": 1' + "0" * 400 + "}", "price|cannot be read"),  # calc names the field once it bounds huge ints
        ('{"valuation_date": 2002}', "valuation_date"),
        ('{"nonsense": 1}', "unknown parameter"),
    ],
)
def test_tampered_stored_inputs_are_input_errors_issue_9_item_17(payload, words):
    """Issue 9 item 17: whatever a tampered row holds, loading it is an ``InputError`` that says why (validated by
    ``calc.inputs.params.param_problems``), never another exception."""
    with pytest.raises(InputError) as raised:
        params_from_json(payload)
    assert re.search(words, str(raised.value))


def test_tampered_rows_are_listed_with_their_problem_issue_9_item_17(store):
    store.save("ok", default_params())
    connection = sqlite3.connect(store.path)
    with connection:
        connection.execute("INSERT INTO scenarios (name, params_json, saved_at) VALUES (?, ?, ?)", (b"blob", 7, 3.5))
        connection.execute(
            "INSERT INTO scenarios (name, params_json, saved_at) VALUES (?, ?, ?)", (42, '{"price": "x"}', "")
        )
    connection.close()
    listed = {s.name: s for s in store.entries()}
    assert listed["ok"].params == default_params()
    assert listed["b'blob'"].params is None and "not a JSON object" in listed["b'blob'"].problem
    assert listed["42"].params is None and "price" in listed["42"].problem and listed["42"].saved_at == ""
    assert sorted([e.name for e in store.entries()]) == ["42", "b'blob'", "ok"]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Q3\u200b plan", "U+200B"),
        ("\u200b", "U+200B"),
        ("Q3 \u202eplan", "U+202E"),
        ("Q3\u2066 plan", "U+2066"),
        ("Q3\x07 plan", "U+0007"),
    ],
)
def test_issue20_item20_invisible_names_are_refused(store, name, says):
    with pytest.raises(InputError, match=re.escape(says)):
        store.save(name, default_params())
    assert store.entries() == []


def test_issue20_item20_look_alike_names_are_one_name(store):
    store.save("Q3 plan", default_params())
    for twin in ("Ｑ3 plan", "Q3  plan", " Q3\u00a0plan "):
        with pytest.raises(InputError, match="already exists"):
            store.save(twin, default_params())
    assert [e.name for e in store.entries()] == ["Q3 plan"]


@pytest.mark.parametrize(("field", "stored"), [("price", "NaN"), ("price", "true"), ("annual_drift", "false")])
def test_issue20_item11_non_finite_and_boolean_numbers_are_refused(store, field, stored):
    import sqlite3

    store.save("ok", default_params())
    with sqlite3.connect(store.path) as connection:
        connection.execute(
            "INSERT INTO scenarios (name, params_json, saved_at) VALUES ('tampered', ?, 'now')",
            (f'{{"{field}": {stored}}}',),
        )
    entry = {e.name: e for e in store.entries()}["tampered"]
    assert entry.doc is None and field in entry.problem and "refused" in entry.problem
    with pytest.raises(InputError):
        store.load("tampered")
