"""The one parser for numbers typed by a user (command-line flags, grid cells).

Rule: an optional sign, digits with an optional decimal point ``.`` and an optional
exponent (``1.5e6``). A comma is accepted only as a thousands separator in correctly
grouped form (``1,885,000``, ``-1,234.5``); anything else with a comma (``1,89``,
``1,5``, ``12,34,567``) is rejected, never read as a different number. NaN and
infinity are rejected, as are texts longer than ``MAX_NUMBER_CHARS`` and magnitudes
outside ``[10^-MAX_EXPONENT, 10^MAX_EXPONENT)`` (zero is fine); each input then has
its own range.
"""

from __future__ import annotations

import re
from decimal import Decimal

from calc.errors import InputError, echo

MAX_NUMBER_CHARS = 50
MAX_EXPONENT = 100
_INTEGER = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
WHOLE_RE = re.compile(_INTEGER)
NUMBER_RE = re.compile(rf"(?:{_INTEGER}(?:\.[0-9]*)?|[+-]?\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NON_FINITE = {"nan", "snan", "inf", "infinity"}
COMMA_RULE = "',' is only a thousands separator, as in 1,234,567; write decimals with '.'"


def _checked_text(value: object, what: str, pattern: re.Pattern[str]) -> str:
    text = str(value).strip()
    if text.lstrip("+-").lower() in NON_FINITE:
        raise InputError(f"'{echo(text)}' is not {what}: NaN and infinity are not accepted")
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError(f"'{echo(text)}' is not {what}: longer than {MAX_NUMBER_CHARS} characters")
    if not pattern.fullmatch(text):
        rule = f": {COMMA_RULE}" if "," in text else ""
        raise InputError(f"'{echo(text)}' is not {what}{rule}")
    return text.replace(",", "")


def parse_decimal(value: object) -> Decimal:
    """The exact decimal value of a number text (see the module rule)."""
    number = Decimal(_checked_text(value, "a number", NUMBER_RE))
    if number and number.adjusted() >= MAX_EXPONENT:
        raise InputError(f"'{echo(value)}' is too large: no input accepts a magnitude of 1e{MAX_EXPONENT} or more")
    if number and number.adjusted() < -MAX_EXPONENT:
        raise InputError(f"'{echo(value)}' is too small: no input accepts a nonzero magnitude below 1e-{MAX_EXPONENT}")
    return number


def parse_float(value: object) -> float:
    """``parse_decimal`` as a float (finite by construction)."""
    return float(parse_decimal(value))


def parse_whole(value: object) -> int:
    """A whole number text: digits, optionally signed and grouped ``1,885,000``."""
    return int(_checked_text(value, "a whole number", WHOLE_RE))
