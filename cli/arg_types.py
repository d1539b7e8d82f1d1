"""argparse value types that reject bad input with a message naming the rule.

Numbers follow the one rule of ``calc.inputs.numbers`` (``1,885,000`` is a thousands-grouped
number; ``1,89`` is rejected, never read as 189).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from calc.errors import InputError, echo
from calc.inputs.numbers import parse_decimal, parse_whole
from calc.model.inputs_registry import TAX_RATE

T = TypeVar("T")


def _argument(parse: Callable[[str], T], text: str) -> T:
    """``parse(text)`` with a rule violation reported as an argparse type error."""
    try:
        return parse(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


EMPTY_PATH = "empty path: give a file name"


def input_path(text: str) -> Path:
    """A file to read. An empty name is refused (``Path("")`` would be the working folder, read as a directory)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(EMPTY_PATH)
    return Path(text)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{echo(text)}' is not a date in YYYY-MM-DD form") from None


def number(text: str) -> Decimal:
    """Any number (sign allowed): the exact decimal value."""
    return _argument(parse_decimal, text)


def real_number(text: str) -> float:
    """Any number (sign allowed) as a float; never NaN or infinity."""
    return float(number(text))


def exact_number(text: str) -> Fraction:
    """A signed number as an exact fraction (ranges are checked by the calculation, e.g. ``calc.model.eps``)."""
    return Fraction(number(text))


def tax_rate(text: str) -> Fraction:
    """A rate in [0, 1) as an exact fraction (0.35 for 35%)."""
    value = exact_number(text)
    if not TAX_RATE.within(value):
        raise argparse.ArgumentTypeError(f"{echo(text)} must be a rate in [0, 1), e.g. 0.35")
    return value


def whole_number(text: str) -> int:
    value = _argument(parse_whole, text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be >= 0")
    return value


def positive_decimal(text: str) -> Decimal:
    value = number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{echo(text)} must be a finite number > 0")
    return value


def positive_whole_number(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value
