"""Table columns on the page: Streamlit column configs (human labels, the CSV/CLI name in the help, number and
date formats) and the frames they show. Every figure reads as ``calc.outputs.formats`` writes it (the one
formatting module: shares with separators, money and prices to the cent, percentages to 2 decimals, dates as
"Aug 2, 2004", a dash for a missing figure); this module only maps those rules onto ``st.column_config``
(``formats.TABLE_FORMATS``, ``formats.TABLE_DATE``), so a cell sorts as a number or a date and reads as text does.
Formatting only: every number comes from ``calc``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import streamlit as st

from calc.model.columns import REGISTERED, unit_of
from calc.outputs import formats
from calc.outputs.formats import compact_shares as compact_shares
from calc.outputs.formats import pct as pct
from calc.outputs.formats import price as price
from calc.outputs.formats import shares as shares
from calc.outputs.formats import usd as usd

# --- table sizes ----------------------------------------------------------------------------------------------
# st.dataframe draws text in Source Sans at 14 px: about 6.5 px a character on average, capitals wider; 7 px a
# character plus the cell's padding keeps a text whole (checked in chromium by tests/test_browser.py).
TEXT_PX_PER_CHAR = 7.0
CELL_PAD_PX = 24
NAME_MIN_PX = 120
NAME_MAX_PX = 440  # the holder table at 1440 px: name, pro forma %, pro forma common, 13d-3 % and the flags in view
ROW_PX = 35  # st.dataframe's default row height (the header row too)
TABLE_ROWS = 20  # rows a long table shows before it scrolls inside itself


def text_width(texts: Iterable[object], most: int = NAME_MAX_PX, least: int = NAME_MIN_PX) -> int:
    """Width in px of a text column that shows its longest text whole (``TEXT_PX_PER_CHAR``), within
    [``least``, ``most``]: a name column pinned at this width leaves the figures beside it on screen."""
    longest = max((len(str(t)) for t in texts), default=0)
    return int(min(most, max(least, round(longest * TEXT_PX_PER_CHAR + CELL_PAD_PX))))


def table_height(rows: int, most: int = TABLE_ROWS) -> int:
    """``st.dataframe`` height in px showing ``rows`` rows whole (header included), at most ``most`` of them (a
    longer table scrolls inside itself; Streamlit's "auto" stops at 10 rows)."""
    return ROW_PX * (min(max(rows, 1), most) + 1) + 3


# --- table columns -------------------------------------------------------------------------------------------
# column -> (label, kind); kind picks the number format. Unknown columns fall back on their unit suffix.
COLUMNS: dict[str, tuple[str, str]] = {
    "date": ("Date", "date"),
    "event": ("Event", "text"),
    "dividend_shares": ("New from dividends", "shares"),
    "conversion_shares": ("New from conversion", "shares"),
    "redemption_shares": ("New from redemption", "shares"),
    "exchange_shares": ("New from exchanges", "shares"),
    "call_conversion_shares": ("New from call conversions", "shares"),
    "cumulative_new_shares": ("New shares so far", "shares"),
    "total_common_shares": ("Total common outstanding", "shares"),
    "new_shares_pct": ("New shares % of total", "pct"),
    "price_usd": ("Common price", "price"),
    "conversion_price_usd": ("Conversion price", "price"),
    "in_the_money": ("Conversion in the money", "bool"),
    "preferred_outstanding": ("Preferred outstanding", "shares"),
    "debenture_principal_usd": ("Debenture principal", "usd"),
    "lp_per_share_usd": ("Liquidation preference per share", "usd"),
    "dividend_due_usd": ("Dividend due", "usd"),
    "interest_due_usd": ("Debenture interest due", "usd"),
    "repurchase_cash_usd": ("Cash paid for repurchases", "usd"),
    "cumulative_dividend_shares": ("Dividend shares so far", "shares"),
    "cumulative_conversion_shares": ("Conversion shares so far", "shares"),
    "cumulative_redemption_shares": ("Redemption shares so far", "shares"),
    "cumulative_exchange_shares": ("Exchange shares so far", "shares"),
    # price sensitivity
    "put_stock_shares": ("Every share put, in stock", "shares"),
    "scenario_new_shares": ("This scenario, all sources", "shares"),
    # employee options and EPS
    "grant_id": ("Grant", "text"),
    "form": ("Agreement form", "text"),
    "shares": ("Option shares granted", "shares"),
    "exercise_price_usd": ("Exercise price", "price"),
    "grant_date": ("Granted", "date"),
    "termination_date": ("Terminated", "date"),
    "termination_reason": ("Termination reason", "text"),
    "outstanding": ("Outstanding", "shares"),
    "vested": ("Vested", "shares"),
    "exercisable": ("Exercisable", "shares"),
    "step": ("Step", "text"),
    "incremental_shares": ("Incremental shares", "shares"),
    "numerator_addback_usd": ("Numerator add-back", "usd"),
    "incremental_eps_usd": ("Incremental EPS", "price"),
    "included": ("Included (dilutive)", "bool"),
    "reason": ("Why", "text"),
    "shares_after": ("Diluted shares after the step", "shares"),
    "eps_after_usd": ("EPS after the step", "price"),
    "average_price_usd": ("Average common price", "price"),
    "tsm_incremental_shares": ("Treasury-stock incremental shares", "shares"),
    "vested_shares": ("Vested", "shares"),
    "exercisable_shares": ("Exercisable", "shares"),
    "outstanding_shares": ("Outstanding", "shares"),
    "cancelled_shares": ("Cancelled", "shares"),
    "expired_shares": ("Expired", "shares"),
    "method": ("Method", "text"),
    # every dilutive security (dashboard.securities_view)
    "issued_shares": ("Issued so far", "shares"),
    "potential_shares": ("Potential", "shares"),
    "issued_and_potential_shares": ("Issued + potential", "shares"),
    "pct_of_fully_diluted": ("% of fully diluted", "pct"),
    "shares_derived": ("Shares (derived)", "shares"),
    "pct_of_base_shares": ("% of base shares", "pct"),
    "fair_value_usd": ("Fair value", "usd"),
}
KIND_FORMAT = {
    "shares": formats.TABLE_FORMATS["shares"],
    "usd": formats.TABLE_FORMATS["USD"],
    "price": formats.TABLE_FORMATS["price"],
    "pct": formats.TABLE_FORMATS["pct"],
    "plain": formats.TABLE_FORMATS["number"],
}
KIND_TEXT: dict[str, Callable[[object], str]] = {  # a column with a missing figure is shown as text, the gap a dash
    "shares": formats.shares,
    "usd": formats.usd,
    "price": formats.price,
    "pct": formats.pct,
    "plain": formats.number,
    "date": formats.day,
    "bool": formats.yes_no,
}


def label(column: str) -> str:
    """The human label of a column (its name in words, without its unit suffix, when none is set)."""
    words = column.removesuffix("_usd").removesuffix("_pct").replace("_", " ")
    return COLUMNS.get(column, (words, ""))[0]


def _kind(column: str, frame: pd.DataFrame | None) -> str:
    """How a column reads: its ``COLUMNS`` kind, else its registered unit, else its dtype."""
    if column in COLUMNS:
        return COLUMNS[column][1]
    if column not in REGISTERED and column.endswith("_usd"):  # a column no registry names: its unit suffix
        return "price" if "price" in column or "eps" in column else "usd"
    if column not in REGISTERED and column.endswith("_pct"):
        return "pct"
    unit = unit_of(column) if column in REGISTERED else ""
    if unit == "date":
        return "date"
    if unit == "pct":
        return "pct"
    if unit == "USD":
        return "usd"
    if frame is not None and column in frame and pd.api.types.is_bool_dtype(frame[column]):
        return "bool"
    if frame is not None and column in frame and pd.api.types.is_numeric_dtype(frame[column]):
        return "shares" if unit == "shares" or pd.api.types.is_integer_dtype(frame[column]) else "plain"
    return "text"


def _is_text(values: pd.Series) -> bool:
    """A column of text (``shown`` turned it to text, or it always was)."""
    return not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values))


def _number_format(kind: str, values: pd.Series | None) -> str:
    """The column's number format; a money column of whole dollars drops the cents (``$200,685,000``)."""
    if kind == "usd" and values is not None and len(values) and bool(((values % 1) == 0).all()):
        return formats.TABLE_FORMATS["USD_whole"]
    return KIND_FORMAT[kind]


def column_config(
    frame: pd.DataFrame, labels: dict[str, str] | None = None, pin: dict[str, int] | None = None
) -> dict[str, Any]:
    """``st.dataframe`` column_config for ``frame`` (as ``shown`` returns it): human labels, the CSV/CLI name in
    the help, number formats per ``KIND_FORMAT``, dates as "Aug 2, 2004" (``formats.TABLE_DATE``, sorted as
    dates); a column ``shown`` turned to text (it has a missing figure) right-aligned as text; ``pin`` text
    columns (column -> width in px) stay on the left at that width, so long names leave room for the figures."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        name = str(column)
        head = (labels or {}).get(name, label(name))
        hint = f"CSV / CLI column: {name}"
        if name in (pin or {}):
            config[name] = st.column_config.TextColumn(head, help=hint, width=(pin or {})[name], pinned=True)
            continue
        kind = _kind(name, frame)
        as_text = name in frame and _is_text(frame[name]) and kind not in ("text", "date")
        if as_text:
            config[name] = st.column_config.TextColumn(head, help=hint, alignment="right")
        elif kind in KIND_FORMAT:
            values = pd.to_numeric(frame[name], errors="coerce") if name in frame else None
            config[name] = st.column_config.NumberColumn(head, help=hint, format=_number_format(kind, values))
        elif kind == "bool":
            config[name] = st.column_config.CheckboxColumn(head, help=hint)
        elif kind == "date":
            config[name] = st.column_config.DateColumn(head, help=hint, format=formats.TABLE_DATE)
        else:
            config[name] = st.column_config.TextColumn(head, help=hint)
    return config


def shown(frame: pd.DataFrame, dates: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` ready for ``st.dataframe`` with ``column_config(shown(frame))``: date columns (``dates`` and
    every column whose kind is a date) as dates; a number, date or yes/no column with a missing figure as the text
    ``calc.outputs.formats`` writes, the gap a dash (never "None")."""
    out = frame.copy()
    for column in out.columns:
        name = str(column)
        if name in dates:
            kind = "date"
        else:
            kind = _kind(name, out)
        if kind == "date":
            values = pd.to_datetime(out[name], errors="coerce")
            out[name] = values if not values.isna().any() else out[name].map(formats.day)
        elif kind in KIND_TEXT and out[name].isna().any():
            out[name] = out[name].map(KIND_TEXT[kind])
    return out


def first(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` (those it has) first, the rest after in their order."""
    lead = [c for c in columns if c in frame.columns]
    return frame[lead + [c for c in frame.columns if c not in lead]]
