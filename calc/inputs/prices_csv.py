"""A prices CSV read into ``calc.model.price_path.PricePath`` (issue 22).

File (CSV, header ``date,close_usd,source``; ``data/prices.csv`` is shipped): one row per close, dates
strictly increasing, close_usd a decimal > 0, source free text. Read through ``calc.inputs.csv_records`` (size,
encoding and cell limits); every problem is reported at once, ``line L, column 'c': ...``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from calc.errors import InputError, Problem
from calc.inputs.csv_records import bytes_lines, csv_records, opened_lines
from calc.inputs.numbers import parse_decimal
from calc.model.price_path import PricePath

COLUMNS = ("date", "close_usd", "source")
MAX_PRICES_BYTES = 1_000_000


def read_prices(path: Path | str, label: str = "prices") -> PricePath:
    """Read a prices CSV (module docstring); ``InputError`` listing every problem."""
    origin = f"{label} {path}"
    with opened_lines(path, origin, MAX_PRICES_BYTES, MAX_PRICES_BYTES) as lines:
        return parse_prices(lines, origin, label)


def read_prices_bytes(data: bytes, origin: str, label: str = "prices") -> PricePath:
    """A prices CSV given as bytes (a dashboard upload), checked as a file is (encoding, size, lines)."""
    return parse_prices(bytes_lines(data, origin, MAX_PRICES_BYTES, MAX_PRICES_BYTES), origin, label)


def parse_prices(lines: Iterable[str], origin: str, label: str) -> PricePath:
    """The price path of checked CSV lines (``calc.inputs.csv_records``); ``InputError`` listing every problem."""
    records = list(csv_records(lines, origin))
    if not records or [c.strip() for c in records[0][1]] != list(COLUMNS):
        raise InputError(f"{origin}: line 1 is not the header {','.join(COLUMNS)}")
    dates: list[dt.date] = []
    closes: list[float] = []
    texts: list[str] = []
    sources: list[str] = []
    problems: list[Problem] = []
    for line, cells in records[1:]:
        if len(cells) != len(COLUMNS):
            problems.append(Problem(f"{len(cells)} cells, expected {len(COLUMNS)}", line=line, source=origin))
            continue
        text_date, text_close, source = (c.strip() for c in cells)
        try:
            date = dt.date.fromisoformat(text_date)
        except ValueError:
            problems.append(
                Problem("is not a date in YYYY-MM-DD form", line=line, column="date", value=text_date, source=origin)
            )
            continue
        try:
            close = float(parse_decimal(text_close))
        except InputError as exc:
            problems.append(Problem(f"{exc} (expected a number > 0)", line=line, column="close_usd", source=origin))
            continue
        if not close > 0:
            problems.append(Problem("is not > 0", line=line, column="close_usd", value=text_close, source=origin))
        elif dates and date <= dates[-1]:
            problems.append(
                Problem(
                    f"is not after {dates[-1]} (dates increase)",
                    line=line,
                    column="date",
                    value=text_date,
                    source=origin,
                )
            )
        else:
            dates.append(date)
            closes.append(close)
            texts.append(text_close)
            sources.append(source)
    if not dates and not problems:
        problems.append(Problem("no closes", source=origin))
    if problems:
        raise InputError(f"{label}: {len(problems)} problem(s); nothing was run", tuple(problems))
    return PricePath(tuple(dates), np.array(closes), tuple(sources), label=origin, close_texts=tuple(texts))


def prices_csv(rows: Iterable[Sequence[str]]) -> str:
    """Rows (date, close_usd, source) as a prices-file text (header ``COLUMNS``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def parse_prices_text(text: str, origin: str, rule: str = "previous") -> PricePath:
    """A prices-file text (a scenario document's rows, ``prices_csv``) read as a file is, under ``rule``."""
    return read_prices_bytes(text.encode("utf-8"), origin, origin).with_rule(rule)
