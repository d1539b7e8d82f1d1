"""The dashboard's table formats: each rule of calc.outputs.formats mapped onto st.column_config, a missing figure a
dash, dates as "Aug 2, 2004"."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from calc.errors import Problem
from calc.outputs import formats
from dashboard import formatting
from dashboard.formatting import compact_shares, price, usd
from dashboard.tables import problem_rows


@pytest.mark.parametrize(
    "count, shown",
    [
        (1_156_931_218, "1.16 B"),
        (317_340_127, "317.34 M"),
        (38_915, "38,915"),
        (-37_339_381_000, "-37.34 B"),
        (0, "0"),
        (10**15, "1,000.00 T"),
    ],
)
def test_compact_shares(count, shown):
    assert compact_shares(count) == shown


def test_money_and_prices_to_the_cent():
    assert usd(84_814_745.6) == "$84,814,745.60" and usd(200_685_000.0) == "$200,685,000"
    assert price(1.89) == "$1.89" and price(1.8900, 4) == "$1.89" and price(0.25) == "$0.25"


def _config(frame: pd.DataFrame, column: str) -> dict:
    return formatting.column_config(frame)[column]


def test_table_columns_format_as_the_text_does():
    """Prices to the cent ("$1.89", not "$1.8900"), whole-dollar money without cents, dates as "Aug 2, 2004"
    (a date column: it sorts as dates), counts with separators."""
    frame = formatting.shown(
        pd.DataFrame(
            {
                "date": [dt.date(2004, 8, 2), dt.date(2002, 8, 28)],
                "price_usd": [1.89, 7.0],
                "fair_value_usd": [200_685_000.0, 1_000.0],
                "dividend_due_usd": [84_814_745.6, 0.0],
                "total_common_shares": [3_607_381_493, 3_700_000_000],
                "new_shares_pct": [24.3, 1.0],
            }
        )
    )
    assert _config(frame, "date")["type_config"]["type"] == "date"
    assert _config(frame, "date")["type_config"]["format"] == formats.TABLE_DATE == "MMM D, YYYY"
    assert _config(frame, "price_usd")["type_config"]["format"] == "$%,.2f"
    assert _config(frame, "fair_value_usd")["type_config"]["format"] == "$%,d"
    assert _config(frame, "dividend_due_usd")["type_config"]["format"] == "$%,.2f"
    assert _config(frame, "total_common_shares")["type_config"]["format"] == "%,d"
    assert _config(frame, "new_shares_pct")["type_config"]["format"] == "%,.2f%%"
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])


def test_a_missing_figure_in_a_table_is_a_dash_never_none():
    """The EPS waterfall's first row has no incremental EPS (basic EPS is the start): a dash, not "None"."""
    frame = formatting.shown(
        pd.DataFrame(
            {
                "step": ["basic", "options"],
                "incremental_eps_usd": [math.nan, 0.25],
                "termination_date": [None, dt.date(2004, 8, 2)],
            }
        )
    )
    assert frame["incremental_eps_usd"].tolist() == [formats.MISSING, "$0.25"]
    assert frame["termination_date"].tolist() == [formats.MISSING, "Aug 2, 2004"]
    assert _config(frame, "incremental_eps_usd")["type_config"]["type"] == "text"


def test_problem_rows_keep_line_column_value_rule():
    problems = [
        Problem("must be a whole number", line=7, column="preferred_shares", value="-5"),
        Problem("holder name must not be empty", line=3, column="name"),
        "f.csv: no data rows",
    ]
    assert problems[:2] == [
        "line 7, column preferred_shares: '-5' must be a whole number",
        "line 3, column name: holder name must not be empty",
    ]
    rows = problem_rows(problems)
    assert rows.to_dict("records") == [
        {"line": "", "column": "", "value": "", "rule": "f.csv: no data rows"},
        {"line": "3", "column": "name", "value": "", "rule": "holder name must not be empty"},
        {"line": "7", "column": "preferred_shares", "value": "'-5'", "rule": "must be a whole number"},
    ]
