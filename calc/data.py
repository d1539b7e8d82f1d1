"""The shipped data files (``data/``): one cached loader each, and their paths (``calc.paths``).

Every entry point (CLI, dashboard, benchmarks) loads a shipped fact from here; the parsers only
parse (they take a path or text). A loader a parser needs for its own default lives next to that
parser and is re-exported here (``load_terms``, ``load_families``, ``load_desk_facts``, ``actual_common_shares``,
``preferred_carrying_values``), so no parser imports this module: it sits above them all (no import
cycle). Each loader runs once per process (``functools.lru_cache``); the returned objects are frozen
or must not be mutated.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from calc.allocation import HolderBook, build_book, load_families
from calc.capacity import load_desk_facts
from calc.history import actual_common_shares, preferred_carrying_values
from calc.ledger import Event, read_events
from calc.option_forms import OptionForm, load_forms_file
from calc.paths import (
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
from calc.register import read_register_csv
from calc.terms import load_terms

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
    """The shipped register as a holder book (``calc.allocation.build_book``)."""
    return build_book(_register(), load_terms().preferred.shares_issued, load_families())


@lru_cache(maxsize=1)
def load_forms() -> Mapping[str, OptionForm]:
    """The stock option agreement forms (``data/option_forms.toml``)."""
    return load_forms_file(FORMS_PATH)


@lru_cache(maxsize=1)
def history_events() -> tuple[Event, ...]:
    """The two 2002 exchanges as ledger events (``data/history.csv``)."""
    return read_events(HISTORY_PATH, "history")
