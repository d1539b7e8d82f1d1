"""The Exchange desk section in the dashboard, headless (AppTest): the October 2002 offer by default, inputs
followed, the capacity lines and the replayed 2002 exchanges shown."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from calc.inputs.data import load_desk
from calc.model.offer import Offer, evaluate
from charts.offer_figures import offer_figure
from dashboard import offer_view
from tests.helpers import open_section, started_app


@pytest.fixture
def desk(tmp_path, monkeypatch) -> AppTest:
    at = started_app(tmp_path, monkeypatch)
    open_section(at, "Exchange desk")
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_desk_shows_the_october_2002_offer(desk):
    shown = metrics(desk)
    assert shown["Value delivered"] == "$288.80"
    assert shown["% of the preference"] == "28.88%"
    expected = evaluate(Offer(Fraction(380), dt.date(2002, 10, 23), 0.76), desk=load_desk())
    assert shown["Yield to put"] == f"{expected['yield_to_put']:.2%}"
    assert shown["Break-even flat price"] == f"${expected['breakeven_price_usd']:,.2f}"  # to the cent, not $3.0526
    assert not desk.error


def test_desk_follows_its_inputs(desk):
    desk.number_input(key=offer_view.RATIO_KEY).set_value(331.43)
    desk.number_input(key=offer_view.PRICE_KEY).set_value(1.5)
    desk.run()
    assert metrics(desk)["Value delivered"] == f"${331.43 * 1.5:,.2f}"


def test_desk_lists_the_caps_and_the_2002_exchanges(desk):
    frames = [f.value for f in desk.dataframe]
    capacity = next(v for v in frames if "cap" in v.columns)
    assert set(capacity["cap"]) >= {"NYSE 20% rule", "Registered shares", "Authorized shares"}  # in words
    replay = next(v for v in frames if "inducement_usd" in v.columns)
    assert list(replay["common_shares"]) == [58_000_000, 38_000_000]
    assert any("$125M reported" in c.value for c in desk.caption)


def test_offer_figure_is_valid_and_marks_the_caps():
    """The chart (plotly validation on): the value curve, the offer and the 2002 trades, one line per cap whose
    binding price is inside the plotted prices, its label at log10 of the price (log axis)."""
    prices = np.geomspace(0.05, 20.0, 50)
    fig = offer_figure(
        prices,
        380 * prices,
        380.0,
        (0.76, 288.8),
        [("2002-09-16: 331.43", 1.49, 495.0)],
        {"nyse_20pct": 2.746, "registered": 6.318, "authorized": 0.287, "other": None},
        1000.0,
    )
    fig = go.Figure(fig.to_dict())  # validated
    assert [t.name for t in fig.data][1:] == ["This offer", "2002 exchanges (replayed; prices assumed)"]
    lines = [s for s in fig.layout.shapes if s.yref == "paper"]
    assert sorted(s.x0 for s in lines) == [0.287, 2.746, 6.318]
    label = next(a for a in fig.layout.annotations if a.text.startswith("NYSE"))
    assert label.x == pytest.approx(np.log10(2.746))


def test_monte_carlo_section_lists_the_breaches(tmp_path, monkeypatch):
    at = started_app(tmp_path, monkeypatch)
    open_section(at, "Monte Carlo")
    assert not at.exception
    table = next(f.value for f in at.dataframe if "breach" in f.value.columns)
    assert "settlement needs shareholder approval" in set(table["breach"])
    assert ((table["probability"] >= 0) & (table["probability"] <= 1)).all()
