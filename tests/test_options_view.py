"""The options dashboard section renders headless and shows the expected metrics."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app():
    from dashboard.options_view import render_options_section

    render_options_section()


def test_options_section_renders():
    at = AppTest.from_function(_app).run(timeout=60)
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert {"Vested shares", "Exercisable shares", "TSM incremental shares", "Basic EPS (USD)",
            "Diluted EPS (USD)", "Diluted shares"} <= set(labels)
    # data/grants_illustrative.csv on 2004-02-01 (20% per six months from 2002-11-15, worked by hand):
    # US-NO-1 401 + US-NO-2 468 (Company Action) + US-NO-3 5,000 (death) + US-NO-4 1,000 + US-NO-5 0 (Cause)
    # + US-OF-1 100,000 + FR-1 401 + UK-1 4,800 + US-CA-PRE 0 (expired after 90 days) + US-DD-PRE 1,500
    # = 113,570
    assert labels["Vested shares"] == "113,570"
    assert not at.error
