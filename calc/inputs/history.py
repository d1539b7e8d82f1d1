"""Public figures of 2002-2004 used as "actual" markers and as the history replay's start.

``data/common_shares_actual.csv``   common shares outstanding from 10-Q/10-K cover pages
``data/preferred_carrying_value.csv`` carrying value of the 8% preferred (annual report)
``data/history.csv``                the two 2002 exchanges (``calc.model.ledger`` events)

The actual counts include issuance the product does not model (employee plans, other
securities), so the gap between them and a projection is not a model error.
With history on and no explicit window, the valuation date is the replay's start ``REPLAY_START``, the first
cover date of fiscal Q4 2002 (2002-07-31, before the exchanges began), and the base shares its count
(3,432,688,763); the earlier cover counts (2002-01-31, 2002-04-30) are markers only.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from typing import Any

import pandas as pd

from calc.errors import InputError
from calc.inputs.csv_records import read_text
from calc.inputs.paths import ACTUAL_SHARES_PATH, CARRYING_VALUE_PATH

REPLAY_START = dt.date(2002, 7, 31)  # the cover date the history replay starts from
COMPARED_DEALS = (
    ("2002 exchange 1 (58M for 175,000)", 58_000_000 / 175_000),
    ("2002 exchange 2 (38M for 100,000)", 38_000_000 / 100_000),
)


def read_dated_values(path: Any, value: str) -> pd.DataFrame:
    """A dated-figures CSV (date, VALUE, source): dates as ``datetime.date``, VALUE as int64."""
    text = read_text(path, f"data file {path}")  # size-capped, checked encoding (calc.inputs.csv_records)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype={"source": str})
    except ValueError as exc:
        raise InputError(f"data file {path}: {exc}") from exc
    frame["date"] = [dt.date.fromisoformat(d) for d in frame["date"]]
    frame[value] = frame[value].astype("int64")
    return frame


@lru_cache(maxsize=1)
def actual_common_shares() -> pd.DataFrame:
    """date, common_shares_outstanding, source (10-Q/10-K cover pages), in date order; also ``calc.inputs.data``."""
    return read_dated_values(ACTUAL_SHARES_PATH, "common_shares_outstanding")


@lru_cache(maxsize=1)
def preferred_carrying_values() -> pd.DataFrame:
    """date, carrying_value_usd, source (annual report); also ``calc.inputs.data``."""
    return read_dated_values(CARRYING_VALUE_PATH, "carrying_value_usd")


def history_defaults() -> dict[str, object]:
    """valuation_date and base_shares for the history replay: the cover-page count at ``REPLAY_START``."""
    counts = actual_common_shares()
    first = counts[counts["date"] == REPLAY_START].iloc[0]
    return {"valuation_date": first["date"], "base_shares": int(first["common_shares_outstanding"])}
