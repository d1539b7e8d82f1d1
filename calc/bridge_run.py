"""The shipped share-count bridge in one call (``calc.model.bridge`` on the data of ``calc.inputs.data``), shared by the
``bridge`` command and the dashboard section: the replay (data/history.csv then data/replay.csv, or the user's
replay file), the price path (data/prices.csv or the user's), the cover counts and the reported figures."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from calc.inputs.csv_records import read_text
from calc.inputs.data import actual_common_shares
from calc.inputs.events_csv import read_events
from calc.inputs.history_replay import shipped_replay
from calc.inputs.instruments_toml import load_registry
from calc.inputs.paths import PRICES_PATH, REPLAY_SOURCES_PATH
from calc.inputs.prices_csv import read_prices
from calc.inputs.replay_sources import read_reported
from calc.model.bridge import Bridge, Settings, bridge, conflict_notes, not_modelled_notes, replay
from calc.model.price_path import PricePath

DEFAULT_FROM = dt.date(2002, 7, 31)  # calc.inputs.history.REPLAY_START
DEFAULT_TO = dt.date(2004, 11, 30)


@lru_cache(maxsize=1)
def cover_counts() -> tuple[tuple[dt.date, int], ...]:
    """(date, common outstanding) of every 10-Q/10-K cover count (data/common_shares_actual.csv), in date order."""
    frame = actual_common_shares()
    return tuple(zip(frame["date"], (int(n) for n in frame["common_shares_outstanding"])))


@lru_cache(maxsize=1)
def shipped_prices() -> PricePath:
    return read_prices(PRICES_PATH)


@lru_cache(maxsize=1)
def reported() -> tuple[dict[str, int], dict[str, str]]:
    """(values, sources) of data/replay_sources.toml."""
    return read_reported(read_text(REPLAY_SOURCES_PATH, f"data file {REPLAY_SOURCES_PATH}"))


def run_bridge(
    start: dt.date = DEFAULT_FROM,
    end: dt.date = DEFAULT_TO,
    settings: Settings | None = None,
    replay_file: Path | str | None = None,
    prices: PricePath | None = None,
) -> Bridge:
    """The bridge from ``start`` to ``end`` on the shipped data (or the given replay file and price path)."""
    events = shipped_replay() if replay_file is None else read_events(replay_file, "replay")
    settings = settings or Settings()
    rows = replay(events, load_registry(), prices or shipped_prices(), settings)
    values, sources = reported()
    notes = conflict_notes(rows, values) + not_modelled_notes(sources)
    return bridge(rows, cover_counts(), start, end, settings, notes)
