"""The Exchange desk section in the dashboard, headless (AppTest): the October 2002 offer by default, inputs
followed, the capacity lines and the replayed 2002 exchanges shown."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from streamlit.testing.v1 import AppTest

from calc.offer import Offer, evaluate
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
    expected = evaluate(Offer(Fraction(380), dt.date(2002, 10, 23), 0.76))
    assert shown["Yield to put"] == f"{expected['yield_to_put']:.2%}"
    assert shown["Break-even flat price"] == f"${expected['breakeven_price_usd']:,.4f}"
    assert not desk.error


def test_desk_follows_its_inputs(desk):
    desk.number_input(key=offer_view.RATIO_KEY).set_value(331.43)
    desk.number_input(key=offer_view.PRICE_KEY).set_value(1.5)
    desk.run()
    assert metrics(desk)["Value delivered"] == f"${331.43 * 1.5:,.2f}"


def test_desk_lists_the_caps_and_the_2002_exchanges(desk):
    frames = [f.value for f in desk.dataframe]
    capacity = next(v for v in frames if "cap" in v.columns)
    assert set(capacity["cap"]) >= {"nyse_20pct", "registered", "authorized"}
    replay = next(v for v in frames if "inducement_usd" in v.columns)
    assert list(replay["common_shares"]) == [58_000_000, 38_000_000]
    assert any("$125M reported" in c.value for c in desk.caption)
