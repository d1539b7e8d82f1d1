"""The one formatting module (calc.outputs.formats) and the one-sentence answer: figures as a person reads them.
Golden figures: the filing's counts (SUPP p. 1: 1,885,000 preferred; conversion rate 168.3502) and the arithmetic
of the default scenario stated in the docstrings below."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest

from calc.outputs import formats as f
from calc.outputs.narrative import headline_answer
from calc.scenario_doc import default_doc
from calc.scenario_run import run


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: f.shares(1_885_000), "1,885,000"),
        (lambda: f.shares_words(1_160_000_000), "1.16 billion"),
        (lambda: f.compact_shares(317_340_127), "317.34 M"),
        (lambda: f.shares_words(999_999), "999,999"),
        (lambda: f.pct(24.2834), "24.28%"),
        (lambda: f.rate(0.08), "8.00%"),
        (lambda: f.usd(200_685_000.0), "$200,685,000"),
        (lambda: f.usd(84_814_745.6), "$84,814,745.60"),
        (lambda: f.usd(12.5), "$12.50"),
        (lambda: f.usd(-1500.0), "-$1,500"),
        (lambda: f.price(1.89), "$1.89"),
        (lambda: f.price(1.8900, 4), "$1.89"),
        (lambda: f.price(1.8912, 4), "$1.8912"),
        (lambda: f.price(3.5), "$3.50"),
        (lambda: f.price(5.94, 4), "$5.94"),
        (lambda: f.number(168.3502), "168.3502"),
        (lambda: f.number(20.0), "20"),
        (lambda: f.number(1_000_000.5, 2), "1,000,000.5"),
        (lambda: f.yes_no(True), "yes"),
        (lambda: f.yes_no(False), "no"),
        (lambda: f.day(dt.date(2004, 8, 2)), "Aug 2, 2004"),
        (lambda: f.day("2002-08-28"), "Aug 28, 2002"),
        (lambda: f.moment("2026-12-07T15:36:52+00:00"), "Dec 7, 2026, 15:36 UTC"),
        (lambda: f.moment("2026-12-07T16:36:52+01:00"), "Dec 7, 2026, 15:36 UTC"),
        (lambda: f.input_value(None), "none"),
        (lambda: f.input_value(True), "yes"),
        (lambda: f.input_value(3_607_381_493), "3,607,381,493"),
        (lambda: f.input_value(dt.date(2004, 8, 2)), "Aug 2, 2004"),
        (lambda: f.input_value(0.08, "rate"), "8.00%"),
        (lambda: f.input_value(1.89, "USD"), "1.89"),
        (lambda: f.counted(1, "row"), "1 row"),
        (lambda: f.counted(1_234, "row"), "1,234 rows"),
        # terms as the filing states them (SUPP p. 1 cover: 8.00%, $5.94; p. 11 fn 3: $1,000.00; p. 11: $1.89)
        (lambda: f.term_value("dividend_rate", Decimal("0.08")), "8.00%"),
        (lambda: f.term_value("cumulative_dividends", True), "yes"),
        (lambda: f.term_value("initial_liquidation_preference_usd", Decimal("1000.00")), "$1,000"),
        (lambda: f.term_value("conversion_price_usd", Decimal("5.9400")), "$5.94"),
        (lambda: f.term_value("closing_price_usd", Decimal("1.89")), "$1.89"),
        (lambda: f.term_value("breakeven_price_usd", 3.4999849), "$3.50"),  # computed: to the cent
        (lambda: f.term_value("dividend_months_days", ((2, 1), (8, 1))), "Feb 1, Aug 1"),
        (lambda: f.term_value("put_dates", (dt.date(2004, 8, 2), dt.date(2006, 8, 1))), "Aug 2, 2004, Aug 1, 2006"),
        (lambda: f.term_value("shares_issued", 1_885_000), "1,885,000"),
        (lambda: f.term_value("call_trigger_pct", Decimal("20")), "20.00%"),
        (
            lambda: f.human_dates("retired by 2002-12-12 (after 2002-10-23)"),
            "retired by Dec 12, 2002 (after Oct 23, 2002)",
        ),
    ],
)
def test_each_kind_of_figure_reads_one_way(call, expected):
    assert call() == expected


@pytest.mark.parametrize("value", [None, math.nan, pd.NaT, ""])
def test_a_missing_figure_is_a_dash_never_none_or_nan(value):
    for render in (f.shares, f.pct, f.usd, f.price, f.number, f.yes_no, f.day, f.moment, f.rate):
        assert render(value) == f.MISSING


def test_the_answer_of_the_default_scenario_in_one_sentence():
    """Default scenario ($1.89 flat, put on Aug 2, 2004 settled in stock at the market price): the put takes
    1,885,000 preferred x $1,000 liquidation preference (SUPP p. 11, footnote 3) in common at $1.89, about
    997 million shares, most of the ~1.16 billion new shares; the sentence names the source, the date and the price."""
    result = run(default_doc())
    sentence = headline_answer(result.timeline, result.summary)
    assert sentence.startswith("1.16 billion new common shares by Aug 2, 2004, ")
    assert "mostly from puts and redemption settled in stock at $1.89." in sentence
    assert f"{result.summary['dilution_pct']:.2f}% of the total" in sentence


def test_the_answer_when_conversion_leads_and_when_nothing_is_issued():
    """At $7 the conversion is in the money: floor(1,885,000 x 168.3502) = 317,340,127 (SUPP p. 1) of 360,425,843
    new shares; with cash dividends and a cash put no share is issued."""
    doc = default_doc()
    at_seven = run(doc.replace(params=dataclasses.replace(doc.params, price=7.0)))
    assert headline_answer(at_seven.timeline, at_seven.summary) == (
        "360.43 million new common shares by Aug 2, 2004, "
        f"{at_seven.summary['dilution_pct']:.2f}% of the total, mostly from conversion at $7.00."
    )
    cash = run(doc.replace(params=dataclasses.replace(doc.params, dividend_policy="cash", put_settlement="cash")))
    assert headline_answer(cash.timeline, cash.summary) == (
        "No new common shares by Aug 2, 2004: the preferred is settled in cash."
    )
