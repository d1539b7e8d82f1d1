"""Issue 10 in the dashboard (AppTest): history toggle, events in use, bad edits kept out, break-even panel."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc.data import default_book, history_events, load_terms
from calc.history import history_defaults
from calc.ledger import EVENT_COLUMNS, ledger_events, read_events_text
from calc.params import parse_params
from calc.scenario import run_scenario
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
    expected = run_scenario(params, events=history_events()).summary
    assert metric(app, "New shares") == shares(expected["new_shares"])
    assert expected["exchange_shares"] == 96_000_000
    assert metric(app, "Break-even flat price").startswith("$")


def test_issue10_events_in_use_change_the_scenario(app):
    events, _ = read_events_text(
        ",".join(EVENT_COLUMNS) + "\n2003-03-03,exchange_common,885000,,300.5,,,,", "edited events"
    )
    app.session_state[state.ROWS_KEY] = tuple(event_cells(e) for e in events)
    app.run(timeout=TIMEOUT)
    assert not app.exception
    expected = run_scenario(parse_params(), events=events).summary
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
    assert "calc.ledger" not in captions and "exchange_common" not in captions
    assert "the first row is line 2" in captions
