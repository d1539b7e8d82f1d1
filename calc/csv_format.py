"""Cell text for CSV files (CLI and dashboard alike): each number to the precision its unit is stated in.

Rules, by column name (names carry units):
  *_usd                       money, to cents (2 decimals)
  PER_SHARE_4DP columns       per-share prices entered or computed to 4 decimals (common price, average price,
                              exercise price, EPS, break-even price)
  conversion_price_usd        2 decimals, as the terms state it ($7.48, $5.94; SUPP p. 1)
  *rate (conversion_rate)     4 decimals, as the terms state the conversion rate (168.3502; SUPP p. 1)
  *_pct                       6 decimals (a holder's 0.000030 % stays visible; no scientific notation)
  booleans                    ``true`` / ``false`` (as in JSON)
Floats are written in fixed notation, never ``1081.6000000000001`` or ``2.97e-05``; integers and text unchanged.
"""

from __future__ import annotations

import pandas as pd

PER_SHARE_4DP = frozenset({"price_usd", "average_price_usd", "exercise_price_usd", "basic_eps_usd",
                           "diluted_eps_usd", "eps_after_usd", "incremental_eps_usd", "breakeven_price_usd"})
TERMS_2DP = frozenset({"conversion_price_usd"})


def decimals_for(column: str) -> int | None:
    """Decimals a float column is written with (None: left as pandas writes it)."""
    if column in TERMS_2DP:
        return 2
    if column in PER_SHARE_4DP:
        return 4
    if column.endswith("_usd"):
        return 2
    if column.endswith("rate"):
        return 4
    if column.endswith("_pct"):
        return 6
    return None


def _fixed(digits: int):
    def cell(value: object) -> object:
        if value is None or pd.isna(value):  # type: ignore[arg-type]
            return ""
        return f"{float(value):.{digits}f}"  # type: ignore[arg-type]
    return cell


def _boolean(value: object) -> object:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    return value


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with float columns as fixed-decimal text per ``decimals_for`` and booleans as
    ``true``/``false`` (object columns holding booleans too)."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        digits = decimals_for(str(column))
        if pd.api.types.is_bool_dtype(series) or series.dtype == object:
            out[column] = series.map(_boolean)
        elif pd.api.types.is_float_dtype(series) and digits is not None:
            out[column] = series.map(_fixed(digits))
    return out
