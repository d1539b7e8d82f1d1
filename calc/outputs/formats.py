"""How a figure reads wherever a person reads it: the dashboard, CLI text, the report, the workbook and the
plain-language sentences. The one formatting module (CSV number rules for machines: ``calc.outputs.files``).

Rules (one per kind of figure):
- shares: whole numbers with thousands separators, ``3,607,381,493``; in a sentence or a metric tile the
  compact form ``3.61 billion`` / ``3.61 B`` (``shares_words``, ``compact_shares``), the exact count beside it;
- money: ``$84,814,745.60``; a whole-dollar amount of $1,000 or more drops the ``.00`` (``$200,685,000``),
  nothing is rounded away;
- prices per share: to the cent, ``$1.89``; an input or a term stated to more places keeps its places up to
  four (``$1.8912``, the terms' ``$5.9400``-style figures pass ``places=4``);
- percentages: two decimals, ``24.30%``; rates stored as fractions (0.08) read as percentages, ``8.00%``;
- yes/no for booleans, ``—`` for a missing figure (never ``None``, ``True`` or ``nan``);
- dates: ``Aug 2, 2004``; times: ``Dec 7, 2026, 15:36 UTC`` (never raw ISO);
- terms and command fields by their name's unit (``term_value``: ``8.00%``, ``yes``, ``$1,000``, ``Feb 1, Aug 1``);
  ISO dates inside a sentence humanized (``human_dates``);
- spreadsheet number formats per unit (``EXCEL_FORMATS``) and the dashboard's table formats (``TABLE_FORMATS``,
  ``TABLE_DATE``), so the workbook and the tables show what the text shows.
Sources are shown as citations by ``calc.outputs.citations``.
Formatting only: every number comes from ``calc``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from numbers import Integral, Real

import pandas as pd

from calc.model.columns import unit_of

MISSING = "—"
WORD_STEPS = ((10**12, "trillion", "T"), (10**9, "billion", "B"), (10**6, "million", "M"))
EXCEL_FORMATS = {  # the workbook's number format per kind of figure (calc.outputs.workbook)
    "shares": "#,##0",
    "usd": "$#,##0.00",  # money and per-share prices, to the cent
    "usd_whole": "$#,##0",  # a whole-dollar amount of $1,000 or more (``whole_dollars``), as ``usd`` writes it
    "pct": "0.00%",  # unit pct (0-100 in calc): the cell holds value / 100
    "rate": "0.00%",  # unit rate (0.08 for 8.00%): the cell holds the rate
    "number": "#,##0.00##",
    "date": "mmm d, yyyy",  # Aug 2, 2004, as ``day``
}
# The same rules for a table that formats in the browser (Streamlit's st.column_config: printf-style numbers with
# "," for separators, momentJS dates), so a table cell reads as the text does.
TABLE_FORMATS = {
    "shares": "%,d",
    "pct": "%,.2f%%",  # the cell holds 0-100
    "USD": "$%,.2f",
    "USD_whole": "$%,d",  # a money column whose every figure is whole dollars (``usd`` drops the .00)
    "price": "$%,.2f",
    "number": "localized",  # separators, up to 3 decimals
}
TABLE_DATE = "MMM D, YYYY"  # Aug 2, 2004


def missing(value: object) -> bool:
    """True for None, NaN, NaT and the empty string: a figure that is not there."""
    if value is None or value is pd.NaT or (isinstance(value, str) and value == ""):
        return True
    return isinstance(value, float) and math.isnan(value)


def shares(value: object) -> str:
    """Whole shares with thousands separators: ``1,885,000``."""
    if missing(value):
        return MISSING
    return f"{int(value):,}"  # type: ignore[call-overload]


def _scaled(value: object, index: int) -> str:
    number = int(value)  # type: ignore[call-overload]
    for size, word, letter in WORD_STEPS:
        if abs(number) >= size:
            return f"{number / size:,.2f} {(word, letter)[index]}"
    return f"{number:,}"


def shares_words(value: object) -> str:
    """A share count for a sentence: ``1.16 billion``, ``317.34 million``; exact with separators below a million."""
    return MISSING if missing(value) else _scaled(value, 0)


def compact_shares(value: object) -> str:
    """A share count in at most 9 characters for a metric tile: ``3.61 B``, ``317.34 M``; exact below a million."""
    return MISSING if missing(value) else _scaled(value, 1)


def pct(value: object, digits: int = 2) -> str:
    """A percentage stored 0-100: ``24.30%``."""
    return MISSING if missing(value) else f"{float(value):,.{digits}f}%"  # type: ignore[arg-type]


def rate(value: object, digits: int = 2) -> str:
    """A rate stored as a fraction (0.08): ``8.00%``."""
    return MISSING if missing(value) else pct(100 * Decimal(str(value)), digits)


def _places(value: object, least: int, most: int) -> str:
    """``value`` with separators and ``least``..``most`` decimals, zeros past ``least`` dropped."""
    text = f"{Decimal(str(value)):,.{most}f}" if not isinstance(value, float) else f"{value:,.{most}f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(least, "0")
    return f"{whole}.{fraction}" if fraction else whole


def whole_dollars(value: object) -> bool:
    """True for money that reads without cents: a whole-dollar amount of $1,000 or more (``$200,685,000``)."""
    if missing(value) or isinstance(value, bool):
        return False
    amount = float(value)  # type: ignore[arg-type]
    return math.isfinite(amount) and abs(amount) >= 1000 and amount == int(amount)


def usd(value: object, digits: int = 2) -> str:
    """Money: ``$84,814,745.60``; a whole-dollar amount of $1,000 or more as ``$200,685,000``."""
    if missing(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    sign = "-" if amount < 0 else ""
    if digits == 2 and whole_dollars(amount):
        return f"{sign}${abs(int(amount)):,}"
    return f"{sign}${abs(amount):,.{digits}f}"


def price(value: object, places: int = 2) -> str:
    """A price per share, to the cent: ``$1.89``; ``places`` > 2 keeps up to that many places where the figure
    has them (an input typed as ``1.8912``, a term stated to 4 places), never fewer than the cents."""
    if missing(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    sign = "-" if amount < 0 else ""
    return f"{sign}${_places(abs(amount), 2, places)}"


def number(value: object, most: int = 4, least: int = 0) -> str:
    """A plain number (a factor, a count of years) with separators and ``least``..``most`` decimals:
    ``1``, ``0.955``, ``20``."""
    return MISSING if missing(value) else _places(value, least, most)


def typed(value: float, min_decimals: int = 0) -> str:
    """A float as the user would type it, with separators: 7.0 -> ``7``, 1e-05 -> ``0.00001``,
    100000.0 -> ``100,000``; at least ``min_decimals`` decimals (``typed(7.0, 2)`` -> ``7.00``)."""
    exact = Decimal(repr(float(value))).normalize()
    places = max(min_decimals, -int(exact.as_tuple().exponent))
    return f"{exact:,.{places}f}"


def yes_no(value: object) -> str:
    """A boolean as ``yes`` / ``no``."""
    return MISSING if missing(value) else ("yes" if bool(value) else "no")


def day(value: object) -> str:
    """A date as people write it: ``Aug 2, 2004``."""
    if missing(value):
        return MISSING
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return f"{stamp:%b} {stamp.day}, {stamp.year}"


def moment(value: object) -> str:
    """A time of day with its date, in UTC: ``Dec 7, 2026, 15:36 UTC`` (a naive time is taken as UTC)."""
    if missing(value):
        return MISSING
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return f"{day(stamp)}, {stamp:%H:%M} UTC"


ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d\d)-(\d\d)(?![\d-])")


def human_dates(text: str) -> str:
    """Every ISO date in a sentence as people write it: "retired by 2002-12-12" -> "retired by Dec 12, 2002"."""
    return ISO_DATE.sub(lambda m: day(m.group(0)), text)


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless the count is one: 1 row, 4 rows."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def input_value(value: object, unit: str = "") -> str:
    """A scenario input as a person reads it: ``none`` for an empty date, yes/no, counts with separators,
    USD as typed with at least cents, rates as percentages, dates as ``Aug 2, 2004``, other numbers as typed."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return yes_no(value)
    if unit == "rate" and isinstance(value, Real | Decimal):
        return rate(value)
    if isinstance(value, Integral):
        return shares(value)
    if isinstance(value, float):
        return typed(value, 2 if unit == "USD" else 0)
    if isinstance(value, dt.date):
        return day(value)
    return str(value)


def term_value(name: str, value: object) -> str:
    """A term of ``calc.model.terms`` (or a registry figure) as a person reads it, by its field ``name``'s
    suffix: month-day pairs as ``Feb 1, Aug 1``, yes/no, counts with separators, ``*_rate`` fractions as
    ``8.00%``, ``*_pct`` as ``20.00%``, prices to the cent (a term stated as a Decimal to 4 places keeps them:
    ``$5.9400`` is ``$5.94``, ``$0.2525`` stays), money of $100 or more as ``$1,000``, dates as ``Aug 2, 2004``."""
    if isinstance(value, tuple | list):
        if value and all(isinstance(v, tuple | list) and len(v) == 2 for v in value):
            return ", ".join(f"{dt.date(2001, int(m), int(d)):%b} {int(d)}" for m, d in value)  # (month, day)
        return ", ".join(term_value(name, v) for v in value)
    if missing(value):
        return MISSING
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, Integral):
        return shares(value) + ("%" if name.endswith("_pct") else "")
    if isinstance(value, Real | Decimal):
        amount = float(value)
        if name.endswith("_rate") and amount < 1:
            return rate(value)
        if name.endswith("_pct"):
            return pct(value)
        if name.endswith("_usd"):  # a term as stated (a Decimal) keeps its places; a computed price is to the cent
            return usd(value) if abs(amount) >= 100 else price(value, 4 if isinstance(value, Decimal) else 2)
        return number(value)
    return str(value)


def figure_value(key: str, value: object) -> str:
    """A headline figure by its column's unit (``calc.model.columns.unit_of``): shares with separators,
    percentages to 2 decimals, money to cents, yes/no."""
    if isinstance(value, bool):
        return yes_no(value)
    unit = unit_of(key)
    if unit == "pct":
        return pct(value)
    if unit == "USD":
        return usd(value)
    if unit == "rate":
        return rate(value)
    if unit == "date":
        return day(value)
    return shares(value)
