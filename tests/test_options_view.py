"""The options dashboard section renders headless and shows the expected metrics."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def _values(array) -> list:
    """A plotly JSON array (plain list, or typed-array dict with base64 ``bdata``) as a list."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


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


def test_eps_inputs_are_marked_illustrative():
    at = AppTest.from_function(_app).run(timeout=60)
    for key in ("options_ni", "options_basic", "options_tax"):
        assert "illustrative" in at.number_input(key=key).label, key
    captions = [c.value for c in at.caption]
    assert captions.count("Illustrative input — enter the period's actual figures.") == 3
    assert any("illustrative inputs above" in m.value for m in at.markdown)


def test_timeline_chart_plots_calc_option_timeline():
    from calc.options import ILLUSTRATIVE_GRANTS_PATH, option_timeline, read_grants_csv
    from dashboard.options_view import grants_key

    at = AppTest.from_function(_app).run(timeout=60)
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    timeline = next(f for f in figs if "over time" in f["layout"]["title"]["text"])
    want = option_timeline(read_grants_csv(ILLUSTRATIVE_GRANTS_PATH))
    by_name = {t["name"]: t for t in timeline["data"]}
    for column in ("outstanding", "vested", "exercisable"):
        assert _values(by_name[column]["y"]) == want[column].tolist(), column
    prices = _values(next(f for f in figs if "Treasury-stock" in f["layout"]["title"]["text"])["data"][0]["x"])
    assert prices[0] == 0.25 and prices[-1] == 10.0 and len(prices) == 40  # $0.25 steps
    grants = read_grants_csv(ILLUSTRATIVE_GRANTS_PATH)
    assert grants_key(grants) == grants_key(read_grants_csv(ILLUSTRATIVE_GRANTS_PATH))  # content, not identity
    assert grants_key(grants) != grants_key(grants[1:])
