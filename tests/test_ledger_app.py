"""Issue 10 in the dashboard (AppTest): history toggle, events in use, bad edits kept out, break-even panel."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.events_csv import read_events_text
from calc.inputs.history import history_defaults
from calc.inputs.history_replay import ledger_events, scenario_history
from calc.inputs.params import parse_params
from calc.model.ledger import ACTIONS, EVENT_COLUMNS
from calc.model.scenario import run_scenario
from calc.scenario_doc import event_cells
from dashboard import ledger_view, sections, state
from dashboard.formatting import shares
from tests.helpers import APP_TIMEOUT as TIMEOUT
from tests.helpers import metric, started_app


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    return started_app(tmp_path, monkeypatch)


def test_issue10_history_toggle_replays_the_2002_exchanges(app):
    app.toggle(key=state.HISTORY_KEY).set_value(True).run(timeout=TIMEOUT)
    assert not app.exception
    app.segmented_control(key=sections.SELECTOR_KEY).set_value("Ledger and break-even").run(timeout=TIMEOUT)
    params = parse_params(history_defaults())
    expected = run_scenario(
        params, events=scenario_history(), terms=load_terms(), book=default_book(), caps=load_caps()
    ).summary
    assert metric(app, "New shares") == shares(expected["new_shares"])
    assert expected["exchange_shares"] == 354_841_964  # issue 22: every 8.00% preferred row of the history
    assert re.fullmatch(r"\$\d+\.\d\d", metric(app, "Break-even flat price"))  # to the cent ($3.50, not $3.5000)


def test_issue10_events_in_use_change_the_scenario(app):
    events, _ = read_events_text(
        ",".join(EVENT_COLUMNS) + "\n2003-03-03,exchange_common,885000,,300.5,,,,", "edited events"
    )
    app.session_state[state.ROWS_KEY] = tuple(event_cells(e) for e in events)
    app.run(timeout=TIMEOUT)
    assert not app.exception
    expected = run_scenario(
        parse_params(), events=events, terms=load_terms(), book=default_book(), caps=load_caps()
    ).summary
    assert metric(app, "New shares") == shares(expected["new_shares"])


def test_issue10_bad_edit_is_rejected_with_lines_and_keeps_previous_events():
    """The editor's check: every problem with its line; nothing is accepted."""
    edited = pd.DataFrame(
        [
            {c: "" for c in EVENT_COLUMNS} | {"date": "2003-03-03", "action": "swap"},
            {c: "" for c in EVENT_COLUMNS} | {"date": "2001-01-01", "action": "convert", "preferred_shares": "5"},
        ],
        dtype=str,
    )
    events, problems = ledger_view._check_edit(edited, parse_params(), False, load_terms(), default_book())
    assert problems[0].startswith("edited events line 2, action: 'swap' is not one of")
    assert any(p.startswith("edited events line 3, date: 2001-01-01 is outside the window") for p in problems)
    good = pd.DataFrame(
        [
            {c: "" for c in EVENT_COLUMNS}
            | {"date": "2003-03-03", "action": "exchange_common", "preferred_shares": "10", "common_shares": "3000"}
        ]
    )
    events, problems = ledger_view._check_edit(good, parse_params(), False, load_terms(), default_book())
    assert problems == [] and ledger_events(events)[0].common_shares == 3000


def test_events_editor_speaks_plain_words_review_items_4_5(app):
    """Headers in words with the CSV/CLI column in the help; the help text explains the actions without module
    names; the first row is line 2 (the header is line 1), as in an events file."""
    for column in EVENT_COLUMNS:
        config = ledger_view.event_column(column)
        assert "_" not in config["label"], column
        assert config["help"].endswith(f"CSV / CLI column: {column}")
    assert ledger_view.event_column("preferred_shares")["label"] == "Preferred shares"
    app.segmented_control(key=sections.SELECTOR_KEY).set_value("Ledger and break-even").run(timeout=TIMEOUT)
    assert not app.exception
    captions = " ".join(c.value for c in app.caption)
    assert "calc.model.ledger" not in captions and "exchange_common" not in captions
    assert "the first row is line 2" in captions


# --------------------------------------------------------------------------- the typed events editor


def _open_ledger(app: AppTest) -> None:
    app.segmented_control(key=sections.SELECTOR_KEY).set_value("Ledger and break-even").run(timeout=TIMEOUT)
    assert not app.exception


def _edit(app: AppTest, *added: dict[str, object]) -> None:
    """The editor's widget state as the browser sends it (rows added after the base), then a run."""
    app.session_state[ledger_view.EDITOR_KEY] = {"edited_rows": {}, "added_rows": list(added), "deleted_rows": []}
    app.run(timeout=TIMEOUT)
    assert not app.exception


def _rows_in_use(app: AppTest) -> tuple:
    return app.session_state[state.ROWS_KEY] if state.ROWS_KEY in app.session_state else ()


EXCHANGE_100K = {
    "date": "2003-03-03",
    "action": "exchange_common",
    "preferred_shares": "100,000",
    "common_shares": "38,000,000",
}


def _exchange_events(*rows: dict[str, str]):
    text = (
        ",".join(EVENT_COLUMNS)
        + "\n"
        + "\n".join(",".join(r.get(c, "").replace(",", "") for c in EVENT_COLUMNS) for r in rows)
    )
    events, problems = read_events_text(text, "expected")
    assert not problems
    return events


def test_editor_columns_are_typed():
    action = ledger_view.event_column("action")
    assert action["type_config"]["type"] == "selectbox"
    assert [o for o in action["type_config"]["options"]] == list(ACTIONS)
    date = ledger_view.event_column("date")
    assert date["type_config"]["type"] == "date" and date["type_config"]["format"] == "YYYY-MM-DD"
    settlement = ledger_view.event_column("settlement")
    assert settlement["type_config"]["options"] == ["", "cash", "stock", "accrue"]
    for name in ("common_per_preferred", "cash_per_preferred_usd"):
        assert ledger_view.event_column(name)["type_config"]["type"] == "number"
    frame = ledger_view._editor_frame((event_cells(_exchange_events(EXCHANGE_100K)[0]),))
    assert frame.loc[0, "preferred_shares"] == "100,000" and frame.loc[0, "common_shares"] == "38,000,000"
    assert frame.loc[0, ledger_view.COMPUTED_COLUMN] == 380.0
    assert frame.loc[0, "settlement"] is None  # empty cells are missing values, shown blank (placeholder "")


def test_editor_on_the_page_is_typed_and_shows_the_computed_ratio(app):
    _open_ledger(app)
    _edit(app, EXCHANGE_100K)
    editor = app.data_editor(key=ledger_view.EDITOR_KEY)
    shown = editor.value
    assert shown.loc[0, ledger_view.COMPUTED_COLUMN] == 380.0
    assert str(shown.loc[0, "date"]) == "2003-03-03" and shown.loc[0, "preferred_shares"] == "100,000"


def test_half_entered_row_is_incomplete_not_an_error(app):
    _open_ledger(app)
    before = metric(app, "New shares")
    _edit(app, {"action": "exchange_common", "preferred_shares": "100,000"})
    assert not app.error
    notes = " ".join(i.value for i in app.info)
    assert "Row 1 (line 2) is incomplete: needs date, common issued or common per preferred" in notes
    assert _rows_in_use(app) == ()
    assert metric(app, "New shares") == before


def test_complete_exchange_row_is_applied(app):
    _open_ledger(app)
    before = metric(app, "New shares")
    _edit(app, {"action": "convert"}, EXCHANGE_100K)  # a half-entered row first: it is left out
    assert not app.error
    expected = run_scenario(
        parse_params(),
        events=_exchange_events(EXCHANGE_100K),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    ).summary
    assert metric(app, "New shares") == shares(expected["new_shares"]) != before
    assert app.session_state[state.ROWS_KEY] == (
        ("2003-03-03", "exchange_common", "100000", "38000000", "", "", "", "", ""),
    )
    assert "Row 1 (line 2) is incomplete: needs date, preferred shares" in " ".join(i.value for i in app.info)


def test_problems_of_complete_rows_keep_editor_lines(app):
    _open_ledger(app)
    _edit(app, {"action": "put"}, EXCHANGE_100K | {"date": "2001-01-01"})
    assert "edited events line 3, date: 2001-01-01 is outside the window" in app.error[0].value.replace("\\", "")
    assert _rows_in_use(app) == ()


def test_decimal_ratio_round_trips_exactly(app):
    _open_ledger(app)
    _edit(
        app,
        {"date": "2003-03-03", "action": "exchange_common", "preferred_shares": "1000", "common_per_preferred": 331.43},
    )
    assert app.session_state[state.ROWS_KEY][0][EVENT_COLUMNS.index("common_per_preferred")] == "331.43"
    assert ledger_view._cell_text("common_per_preferred", 380.0) == "380"
    assert ledger_view._cell_text("cash_per_preferred_usd", 0.1) == "0.1"


def test_unedited_cells_keep_their_text_and_edits_do_not_reset_the_editor(app):
    """The base frame stays while the rows in use do not change elsewhere: a later commit adds to it."""
    rows = (event_cells(_exchange_events(EXCHANGE_100K)[0]),)
    app.session_state[state.ROWS_KEY] = rows
    _open_ledger(app)
    base = app.session_state[state.EDITOR_BASE_KEY]
    _edit(app, {"action": "convert"})  # half-entered: nothing applied, the base is kept
    assert app.session_state[state.EDITOR_BASE_KEY] == base
    assert app.session_state[state.ROWS_KEY] == rows


def test_add_exchange_form_appends_the_row(app):
    _open_ledger(app)
    app.date_input(key=ledger_view.ADD_DATE_KEY).set_value(dt.date(2003, 3, 3))
    app.number_input(key=ledger_view.ADD_PREFERRED_KEY).set_value(100_000)
    app.number_input(key=ledger_view.ADD_COMMON_KEY).set_value(38_000_000)
    app.text_input(key=ledger_view.ADD_SOURCE_KEY).set_value("8-K")
    app.button(key=ledger_view.ADD_SUBMIT_KEY).click().run(timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert app.session_state[state.ROWS_KEY] == (
        ("2003-03-03", "exchange_common", "100000", "38000000", "", "", "", "", "8-K"),
    )
    expected = run_scenario(
        parse_params(),
        events=_exchange_events(EXCHANGE_100K),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    ).summary
    assert metric(app, "New shares") == shares(expected["new_shares"])
    assert app.data_editor(key=ledger_view.EDITOR_KEY).value.loc[0, "common_shares"] == "38,000,000"


def test_add_exchange_form_reports_calc_problems(app):
    _open_ledger(app)
    app.date_input(key=ledger_view.ADD_DATE_KEY).set_value(dt.date(2003, 3, 3))
    app.number_input(key=ledger_view.ADD_PREFERRED_KEY).set_value(2_000_000)
    app.number_input(key=ledger_view.ADD_COMMON_KEY).set_value(1)
    app.button(key=ledger_view.ADD_SUBMIT_KEY).click().run(timeout=TIMEOUT)
    message = app.error[0].value.replace("\\", "")
    assert (
        message.startswith("Exchange not added") and "Preferred shares: 2,000,000 is more than the 1,885,000" in message
    )
    assert _rows_in_use(app) == ()


def test_breakeven_follows_the_chosen_exchange_row(app):
    later = {
        "date": "2004-05-05",
        "action": "exchange_common",
        "preferred_shares": "1000",
        "common_per_preferred": "250",
    }
    app.session_state[state.ROWS_KEY] = tuple(event_cells(e) for e in _exchange_events(EXCHANGE_100K, later))
    _open_ledger(app)
    chooser = app.selectbox(key=ledger_view.BREAKEVEN_FOR_KEY)
    assert chooser.options == [
        "Mar 3, 2003: 380.00 common per preferred",
        "May 5, 2004: 250.00 common per preferred",
        "custom",
    ]
    assert metric(app, "Exchange: common per preferred") == "250.00"  # the last row entered
    chooser.select_index(0).run(timeout=TIMEOUT)
    assert metric(app, "Exchange: common per preferred") == "380.00"
    assert app.date_input(key=ledger_view.BREAKEVEN_DATE_KEY).value == dt.date(2003, 3, 3)
    app.number_input(key=ledger_view.BREAKEVEN_RATIO_KEY).set_value(300.0).run(timeout=TIMEOUT)  # custom
    assert app.selectbox(key=ledger_view.BREAKEVEN_FOR_KEY).value == ledger_view.CUSTOM
    assert metric(app, "Exchange: common per preferred") == "300.00"
