"""The one number parser (issue 9 item 4): thousands separators only in grouped form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.errors import InputError, echo
from calc.inputs.numbers import parse_decimal, parse_float, parse_whole
from calc.inputs.params import parse_params


@pytest.mark.parametrize(
    "text, value",
    [
        ("1,885,000", Decimal(1_885_000)),
        ("-1,234.5", Decimal("-1234.5")),
        ("1.89", Decimal("1.89")),
        (" 1.5e6 ", Decimal("1.5e6")),
        (".5", Decimal("0.5")),
        ("+3", Decimal(3)),
        ("5.", Decimal(5)),
        ("0", Decimal(0)),
        ("1e-100", Decimal("1e-100")),
        ("9.9e99", Decimal("9.9e99")),
    ],
)
def test_item4_accepts_plain_and_grouped_numbers(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize(
    "text, rule",
    [
        ("1,89", "',' is only a thousands separator"),  # a decimal comma, once read as 189
        ("1,5", "',' is only a thousands separator"),
        ("12,34,567", "',' is only a thousands separator"),
        ("1,2345", "',' is only a thousands separator"),
        ("1,,000", "',' is only a thousands separator"),
        (",123", "',' is only a thousands separator"),
        ("1_000", "not a number"),
        ("0x10", "not a number"),
        ("", "not a number"),
        ("1.2.3", "not a number"),
        ("\u0663", "not a number"),  # an Arabic-Indic digit: Decimal() would accept it
        ("nan", "NaN and infinity"),
        ("-Infinity", "NaN and infinity"),
        ("inf", "NaN and infinity"),
        ("sNaN", "NaN and infinity"),
        ("1e400", "too large"),
        ("1e100", "too large"),
        ("1e-400", "too small"),
        ("1" * 51, "longer than 50 characters"),
    ],
)
def test_item4_rejects_anything_else_naming_the_rule(text, rule):
    with pytest.raises(InputError, match=rule.replace("(", r"\(")):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["1,5", "1.0", "1e6", "1,885,00", "--1"])
def test_item4_whole_numbers_are_digits_with_grouping_only(text):
    with pytest.raises(InputError, match="not a whole number"):
        parse_whole(text)


@given(st.integers(min_value=-(10**36), max_value=10**36))
def test_item4_grouped_integers_round_trip(n):
    assert parse_whole(f"{n:,}") == n
    assert parse_decimal(f"{n:,}") == n


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False))
def test_item4_grouped_decimals_round_trip(value):
    assert parse_decimal(f"{value:,f}") == value
    assert parse_float(f"{value:,f}") == float(value)


def test_item4_grid_cells_use_the_same_rule():
    """Grid cells and flags reach ``parse_params`` as text: '1,89' is an error, not $189."""
    with pytest.raises(InputError) as info:
        parse_params({"price": "1,89"})
    assert "price: '1,89' is not a number" in str(info.value)
    assert parse_params({"base_shares": "3,432,688,763"}).base_shares == 3_432_688_763
    with pytest.raises(InputError, match="base_shares: '3,432,688,76' is not a whole number"):
        parse_params({"base_shares": "3,432,688,76"})


def test_item18_echo_escapes_control_characters_and_truncates():
    assert echo("1\x002") == "1\\x002"
    assert echo("9" * 5000) == "9" * 39 + "…"
    assert len(echo("a\nb" * 100)) == 40


def test_item18_params_messages_echo_safely():
    with pytest.raises(InputError) as info:
        parse_params({"valuation_date": "2002\x00" + "9" * 5000, "put": "x" * 5000})
    message = str(info.value)
    assert "\x00" not in message and "9" * 50 not in message and "x" * 50 not in message
    assert "valuation_date: '2002\\x00" in message
