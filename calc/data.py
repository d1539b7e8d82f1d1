"""The shipped data files (``data/``): one path each, and one cached loader each.

Every module that needs a shipped fact loads it from here; the modules named below only
parse (they take a path or text and never know where ``data/`` is). Each loader runs once
per process (``functools.lru_cache``); the returned objects are frozen or must not be mutated.
The parsers are imported inside the loaders so that this module imports nothing heavy and
sits below every other module of ``calc`` (no import cycles).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from calc.dilution import Family, HolderBook
    from calc.ledger import Event
    from calc.option_forms import OptionForm
    from calc.terms import Terms

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TERMS_PATH = DATA_DIR / "terms.toml"  # calc.terms
REGISTER_PATH = DATA_DIR / "register.csv"  # calc.register
FILING_PATH = DATA_DIR / "prospectus_supplement_2002-08-28_8pct_preferred.txt"  # calc.filing
FAMILIES_PATH = DATA_DIR / "fund_families.toml"  # calc.dilution
FORMS_PATH = DATA_DIR / "option_forms.toml"  # calc.option_forms
HISTORY_PATH = DATA_DIR / "history.csv"  # calc.ledger events
ACTUAL_SHARES_PATH = DATA_DIR / "common_shares_actual.csv"  # calc.history
CARRYING_VALUE_PATH = DATA_DIR / "preferred_carrying_value.csv"  # calc.history
ILLUSTRATIVE_GRANTS_PATH = DATA_DIR / "grants_illustrative.csv"  # calc.grants_csv
EXECUTIVE_GRANTS_PATH = DATA_DIR / "grants_executive_example.csv"  # calc.grants_csv
INSTRUMENTS_PATH = DATA_DIR / "instruments.toml"  # calc.instruments


@lru_cache(maxsize=1)
def load_terms() -> Terms:
    """The instrument terms in force (``data/terms.toml``)."""
    from calc.terms import load_terms_file

    return load_terms_file(TERMS_PATH)


@lru_cache(maxsize=1)
def load_register() -> pd.DataFrame:
    """The shipped register (``data/register.csv``). A copy is returned: callers may edit it."""
    return _register().copy()


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    from calc.register import read_register_csv

    return read_register_csv(REGISTER_PATH)


@lru_cache(maxsize=1)
def default_book() -> HolderBook:
    """The shipped register as a holder book (``calc.dilution.build_book``)."""
    from calc.dilution import build_book

    return build_book(_register(), load_terms().preferred.shares_issued)


@lru_cache(maxsize=1)
def load_families() -> tuple[Family, ...]:
    """Fund-family groupings (``data/fund_families.toml``)."""
    from calc.dilution import read_families

    return read_families(FAMILIES_PATH)


@lru_cache(maxsize=1)
def load_forms() -> Mapping[str, OptionForm]:
    """The stock option agreement forms (``data/option_forms.toml``)."""
    from calc.option_forms import load_forms_file

    return load_forms_file(FORMS_PATH)


@lru_cache(maxsize=1)
def history_events() -> tuple[Event, ...]:
    """The two 2002 exchanges as ledger events (``data/history.csv``)."""
    from calc.ledger import read_events

    return read_events(HISTORY_PATH, "history")


@lru_cache(maxsize=1)
def actual_common_shares() -> pd.DataFrame:
    """date, common_shares_outstanding, source (10-Q/10-K cover pages), in date order."""
    from calc.history import read_dated_values

    return read_dated_values(ACTUAL_SHARES_PATH, "common_shares_outstanding")


@lru_cache(maxsize=1)
def preferred_carrying_values() -> pd.DataFrame:
    """date, carrying_value_usd, source (annual report)."""
    from calc.history import read_dated_values

    return read_dated_values(CARRYING_VALUE_PATH, "carrying_value_usd")
