"""The sourced 2002-2004 history as a scenario replays it (``--history``, issue 22).

The shipped replay is ``data/history.csv`` (the two 2002 exchanges) then ``data/replay.csv`` (every security's
exchanges, packages, settlement stock, retirements; ``calc.model.bridge`` replays them all for the share-count
bridge). A scenario's engine models the 8.00% preferred, so ``--history`` runs each row of the replay that acts
on it, from 2002-07-31, as a scenario ledger row at the row's date (the end of its window):
  exchange_common   n preferred for C common: C as reported, or the row's share of its package total
                    (``calc.model.bridge.package_common``, rule ``face``: by face_usd, largest remainder; assumption)
  retire            a repurchase for cash of n preferred at the $1,000 liquidation preference (assumption: the
                    retirements' means and price are not in our sources; ``bridge --retirements stock`` shows
                    the stock alternative)
The exchanges of the other registry securities (the 7.75% trust preferred's $598M for 224,788,586 common:
72,000,000 derived for fiscal Q1 2003 and its face share of the 310M package) are counted by the every-security
projection with ``--history`` (``calc.model.securities``, ``security_exchanges``); other debt (not in the registry)
and the issuance not tied to a security (at-the-market sales, settlement stock) only by ``python -m calc
bridge``, which replays every row against the cover counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import lru_cache

from calc.inputs.data import history_events
from calc.inputs.events_csv import read_events
from calc.inputs.paths import REPLAY_PATH
from calc.model.bridge import package_common
from calc.model.ledger import DEFAULT_INSTRUMENT, Event

RETIRE_CASH_USD = Fraction(1000)  # per preferred: the liquidation preference (assumption)
RETIRE_NOTE = (
    " | scenario (--history): repurchased for cash at the $1,000 liquidation preference (assumption: the means "
    "and price of these retirements are not in our sources)"
)


@lru_cache(maxsize=1)
def shipped_replay() -> tuple[Event, ...]:
    """The 2002 exchanges (data/history.csv) then the rest of the sourced replay (data/replay.csv)."""
    return history_events() + read_events(REPLAY_PATH, "replay")


def _scenario_row(e: Event, common: Mapping[int, int]) -> Event:
    if e.action == "exchange_common":
        shares = common.get(id(e), e.common_shares)
        return Event(
            e.line,
            e.date,
            e.action,
            e.preferred_shares,
            shares,
            e.common_per_preferred,
            source=e.source,
            origin=e.origin,
        )
    return Event(
        e.line,
        e.date,
        "repurchase_cash",
        e.preferred_shares,
        cash_per_preferred_usd=RETIRE_CASH_USD,
        source=e.source + RETIRE_NOTE,
        origin=e.origin,
    )


def scenario_rows(events: Sequence[Event]) -> tuple[Event, ...]:
    """The rows of a replay acting on the 8.00% preferred as scenario ledger rows (module docstring), in date
    order (file order within a date)."""
    common = package_common(events, "face")
    return tuple(
        _scenario_row(e, common)
        for e in sorted(events, key=lambda e: e.date)
        if e.instrument == DEFAULT_INSTRUMENT and e.action in ("exchange_common", "retire")
    )


def security_exchanges(events: Sequence[Event]) -> tuple[tuple[str, dt.date, int], ...]:
    """(instrument id, date, common issued) of each exchange for common of a security other than the 8.00%
    preferred in a replay (its package share by face, as ``scenario_rows``), in date order."""
    common = package_common(events, "face")
    return tuple(
        (e.instrument, e.date, common.get(id(e), e.common_shares or 0))
        for e in sorted(events, key=lambda e: e.date)
        if e.action == "exchange_common" and e.instrument != DEFAULT_INSTRUMENT
    )


@lru_cache(maxsize=1)
def history_exchanges() -> tuple[tuple[str, dt.date, int], ...]:
    """``security_exchanges`` of the shipped replay: what ``securities --history`` counts."""
    return security_exchanges(shipped_replay())


@lru_cache(maxsize=1)
def scenario_history() -> tuple[Event, ...]:
    """The shipped replay's 8.00% preferred rows as scenario ledger rows: what ``--history`` runs."""
    return scenario_rows(shipped_replay())


def ledger_events(events: Sequence[Event] = (), history: bool = False) -> tuple[Event, ...]:
    """History rows first (when on: ``scenario_history``), then ``events``."""
    return (scenario_history() if history else ()) + tuple(events)
