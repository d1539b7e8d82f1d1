"""How numbers, dates and column names read on the page (one place for every display format).

- shares: whole numbers with thousands separators (``3,607,381,493``); headline metrics use the compact form
  (``3.61 B``, ``317.34 M``) with the exact count in the tooltip, so a value fits its box at any valid input;
- money: USD to cents (``$84,814,745.60``); per-share prices to 4 decimals where an input is entered to 4
  (``$1.8900``) and conversion prices to 2, as the terms state them (``$5.94``);
- percentages: 2 decimals (holder percentages 3, since one holder can own a few thousandths of a percent);
- dates: ISO ``YYYY-MM-DD`` everywhere;
- chart axes: share counts with "B"/"M" suffixes (``charts.figures.SHARE_AXIS``) on every chart;
- table columns: a human label and a help text naming the CSV/CLI column (``column_config``).
Formatting only: every number comes from ``calc``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from calc.model.columns import unit_of
from calc.outputs.formats import compact_shares as compact_shares
from calc.outputs.formats import pct as pct
from calc.outputs.formats import shares as shares
from calc.outputs.formats import usd as usd

PCT_DIGITS = 2
HOLDER_PCT_DIGITS = 3


def price(value: object) -> str:
    """A per-share common price as entered (4 decimals)."""
    return usd(value, 4)


def decimal(value: object, most: int = 4, least: int = 2) -> str:
    """A plain number (a factor, a percent input) with separators, ``least`` to ``most`` decimals, trailing zeros
    dropped: ``1.00``, ``0.955``, ``20.00``."""
    text = f"{float(value):,.{most}f}"  # type: ignore[arg-type]
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(least, "0")
    return f"{whole}.{fraction}" if fraction else whole


def iso(value: object) -> str:
    """A date as YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return pd.Timestamp(value).strftime("%Y-%m-%d")  # type: ignore[arg-type]


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
    "conversion_price_usd": ("Conversion price", "price2"),
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
KIND_FORMAT = {"shares": "localized", "usd": "dollar", "price": "$%.4f", "price2": "$%.2f", "pct": f"%.{PCT_DIGITS}f%%"}


def label(column: str) -> str:
    """The human label of a column (the column name itself when none is set)."""
    return COLUMNS.get(column, (column.replace("_", " "), ""))[0]


def _kind(column: str, frame: pd.DataFrame | None) -> str:
    if column in COLUMNS:
        return COLUMNS[column][1]
    unit = unit_of(column)
    if unit == "pct":
        return "pct"
    if unit == "USD":
        return "usd"
    if frame is not None and column in frame and pd.api.types.is_bool_dtype(frame[column]):
        return "bool"
    if frame is not None and column in frame and pd.api.types.is_numeric_dtype(frame[column]):
        return "shares" if unit == "shares" or pd.api.types.is_integer_dtype(frame[column]) else "plain"
    return "text"


def column_config(
    frame: pd.DataFrame, labels: dict[str, str] | None = None, pin: dict[str, int] | None = None
) -> dict[str, Any]:
    """``st.dataframe`` column_config for ``frame``: human labels, the CSV/CLI name in the help, number formats
    per ``KIND_FORMAT`` (dates as ISO text); ``pin`` text columns (column -> width in px) stay on the left at
    that width,
    so long names leave room for the figures."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        name = str(column)
        head = (labels or {}).get(name, label(name))
        hint = f"CSV / CLI column: {name}"
        if name in (pin or {}):
            config[name] = st.column_config.TextColumn(head, help=hint, width=(pin or {})[name], pinned=True)
            continue
        kind = _kind(name, frame)
        if kind in KIND_FORMAT:
            config[name] = st.column_config.NumberColumn(head, help=hint, format=KIND_FORMAT[kind])
        elif kind == "bool":
            config[name] = st.column_config.CheckboxColumn(head, help=hint)
        elif kind == "date":
            config[name] = st.column_config.TextColumn(head, help=hint)
        else:
            config[name] = (
                st.column_config.TextColumn(head, help=hint)
                if kind == "text"
                else st.column_config.NumberColumn(head, help=hint, format="localized")
            )
    return config


def first(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` (those it has) first, the rest after in their order."""
    lead = [c for c in columns if c in frame.columns]
    return frame[lead + [c for c in frame.columns if c not in lead]]


def with_iso_dates(frame: pd.DataFrame, columns: Iterable[str] = ("date",)) -> pd.DataFrame:
    """A copy with date columns as ISO text (one date form on the page)."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(lambda d: "" if d is None or d is pd.NaT or d != d else iso(d))
    return out
