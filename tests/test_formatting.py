"""Display formats (issue 12 items 1, 2 and 5)."""

from __future__ import annotations

import pytest

from calc.errors import Problem
from dashboard.formatting import compact_shares, decimal, iso, price, usd
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


def test_money_and_dates():
    assert usd(84_814_745.6) == "$84,814,745.60" and price(1.89) == "$1.8900" and iso("2004-08-02") == "2004-08-02"


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


@pytest.mark.parametrize(
    "value, shown", [(1.0, "1.00"), (0.955, "0.955"), (20.0, "20.00"), (0.12345, "0.1235"), (1234.5, "1,234.50")]
)
def test_decimal_keeps_two_to_four_decimals_review_item_8(value, shown):
    assert decimal(value) == shown
