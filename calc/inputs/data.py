"""The shipped data files (``data/``): one cached loader each, and their paths (``calc.inputs.paths``).

Every entry point (CLI, dashboard, benchmarks) loads a shipped fact from here; the parsers only
parse (they take a path or text). A loader a parser needs for its own default lives next to that
parser and is re-exported here (``load_terms``, ``load_families``, ``load_forms``, ``load_desk_facts``,
``actual_common_shares``, ``preferred_carrying_values``), so no parser imports this module: it sits above them all
(no import cycle). The instrument registry's loader is ``calc.inputs.instruments_toml.load_registry`` (not
imported here: the commands that do not need it start without it). ``load_caps`` and ``load_desk`` build the
model values the capacity policy and the offer evaluator take. Each loader runs once per process
(``functools.lru_cache``); the returned objects are frozen or must not be mutated.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from calc.inputs.events_csv import read_events
from calc.inputs.exchange_desk_toml import load_desk_facts
from calc.inputs.families import load_families
from calc.inputs.history import actual_common_shares, preferred_carrying_values
from calc.inputs.option_forms_toml import load_forms
from calc.inputs.params import default_params
from calc.inputs.paths import (
    ACTUAL_SHARES_PATH,
    CARRYING_VALUE_PATH,
    DATA_DIR,
    EXCHANGE_DESK_PATH,
    EXECUTIVE_GRANTS_PATH,
    FAMILIES_PATH,
    FILING_PATH,
    FORMS_PATH,
    HISTORY_PATH,
    ILLUSTRATIVE_GRANTS_PATH,
    INSTRUMENTS_PATH,
    REGISTER_PATH,
    TERMS_PATH,
)
from calc.inputs.register import read_register_csv
from calc.inputs.terms_toml import load_terms
from calc.model.allocation import HolderBook, build_book
from calc.model.capacity import StockCaps, stock_caps
from calc.model.ledger import Event
from calc.model.offer import Desk

__all__ = [
    "ACTUAL_SHARES_PATH",
    "CARRYING_VALUE_PATH",
    "DATA_DIR",
    "EXCHANGE_DESK_PATH",
    "EXECUTIVE_GRANTS_PATH",
    "FAMILIES_PATH",
    "FILING_PATH",
    "FORMS_PATH",
    "HISTORY_PATH",
    "ILLUSTRATIVE_GRANTS_PATH",
    "INSTRUMENTS_PATH",
    "REGISTER_PATH",
    "TERMS_PATH",
    "actual_common_shares",
    "default_book",
    "history_events",
    "load_caps",
    "load_desk",
    "load_desk_facts",
    "load_families",
    "load_forms",
    "load_register",
    "load_terms",
    "preferred_carrying_values",
]


@lru_cache(maxsize=1)
def load_register() -> pd.DataFrame:
    """The shipped register (``data/register.csv``). A copy is returned: callers may edit it."""
    return _register().copy()


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    return read_register_csv(REGISTER_PATH)


@lru_cache(maxsize=1)
def default_book() -> HolderBook:
    """The shipped register as a holder book (``calc.model.allocation.build_book``)."""
    return build_book(_register(), load_terms().preferred.shares_issued, load_families())


@lru_cache(maxsize=1)
def history_events() -> tuple[Event, ...]:
    """The two 2002 exchanges as ledger events (``data/history.csv``)."""
    return read_events(HISTORY_PATH, "history")


@lru_cache(maxsize=1)
def load_caps() -> StockCaps:
    """The capacity caps of the shipped terms and exchange-desk facts (``calc.model.capacity.stock_caps``)."""
    return stock_caps(load_terms(), load_desk_facts())


@lru_cache(maxsize=1)
def load_desk() -> Desk:
    """What the offer evaluator reads (``calc.model.offer.Desk``), from the shipped files."""
    terms = load_terms()
    return Desk(
        terms, load_desk_facts(), default_params(terms), default_book(), actual_common_shares(), history_events()
    )
