"""A scenario document (``calc.scenario_doc``) made ready to compute, and its result.

``resolve(doc)`` reads every part of the document with the rules of the matching file (events as an events
file, holders as a register CSV, grants as a grants CSV) and checks the events against the parameters and
the holder data; every problem is reported at once in one ``InputError``. ``run(doc)`` is the scenario's
result (``calc.model.scenario.run_scenario``): the single input of the command line's and the dashboard's outputs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from calc.errors import InputError
from calc.inputs.data import default_book, load_desk_facts, load_families, load_register, load_terms
from calc.inputs.events_csv import read_events_text
from calc.inputs.grants_csv import parse_grants_text, read_grants_csv
from calc.inputs.history_replay import ledger_events
from calc.inputs.paths import DATA_DIR
from calc.inputs.prices_csv import parse_prices_text, prices_csv
from calc.inputs.register import REGISTER_COLUMNS, parse_register_bytes, prepare_register
from calc.model.allocation import HolderBook, build_book
from calc.model.capacity import stock_caps
from calc.model.ledger import Event, check_events
from calc.model.options import Grant
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario import ScenarioResult, run_scenario
from calc.model.terms import Terms
from calc.scenario_doc import GrantsData, HolderData, PriceData, ScenarioDoc


@dataclass(frozen=True)
class Resolved:
    """A document's parts, read and checked: what the engine and the outputs take."""

    doc: ScenarioDoc
    events: tuple[Event, ...]  # history rows (when on), then the document's rows
    register: pd.DataFrame
    book: HolderBook
    prices: PricePath | None = None  # the document's dated price path (None: the drift path)

    @property
    def params(self) -> ScenarioParams:
        return self.doc.params


@lru_cache(maxsize=16)
def _uploaded_book(text: str, label: str, partial: str, shares_issued: int) -> tuple[pd.DataFrame, HolderBook]:
    register = prepare_register(parse_register_bytes(text.encode("utf-8"), label), shares_issued, partial)
    return register, build_book(register, shares_issued, families=load_families())


def register_csv(register: pd.DataFrame) -> str:
    """A validated register as the CSV text a document keeps (``calc.inputs.register.REGISTER_COLUMNS`` it has)."""
    columns = [c for c in REGISTER_COLUMNS if c in register.columns]
    return register[columns].to_csv(index=False, lineterminator="\n")


def holder_book(holders: HolderData, terms: Terms) -> tuple[pd.DataFrame, HolderBook]:
    """The register and holder book of the document's holder data (the filing's when ``csv`` is None); a table
    listing fewer preferred than issued is read as ``holders.partial`` says (``calc.inputs.register.prepare_register``:
    as given with an "unlisted" remainder row, or scaled)."""
    if holders.csv is None:
        return load_register(), default_book()
    return _uploaded_book(holders.csv, holders.label, holders.partial, terms.preferred.shares_issued)


def grants_of(grants: GrantsData) -> list[Grant]:
    """The document's option grants (a shipped file by name, or a grants CSV's text); read once per content."""
    return list(_grants(grants.file, grants.csv, grants.label))


@lru_cache(maxsize=16)
def _grants(file: str | None, text: str | None, label: str) -> tuple[Grant, ...]:
    if file is not None:
        return tuple(read_grants_csv(DATA_DIR / file))
    if text is not None:
        return tuple(parse_grants_text(text, label))
    return ()


def price_path(prices: PriceData, valuation_date: dt.date) -> PricePath | None:
    """The document's price path read as a prices file (``calc.model.price_path``; None without rows); ``InputError``
    naming the row and field, or when its first close is after the valuation date (no price there)."""
    if not prices.rows:
        return None
    path = dataclasses.replace(_price_path(prices.rows, prices.rule), label=prices.label)
    if path.dates[0] > valuation_date:
        raise InputError(
            f"prices: the first close is on {path.dates[0]}, after the valuation date {valuation_date}: "
            "a price path starts on or before the valuation date"
        )
    return path


@lru_cache(maxsize=16)
def _price_path(rows: tuple[tuple[str, str, str], ...], rule: str) -> PricePath:
    return parse_prices_text(prices_csv(rows), "prices", rule)


def resolve(doc: ScenarioDoc, terms: Terms | None = None) -> Resolved:
    """Every part read and checked; one ``InputError`` lists every problem (holders first, then events, then
    the price path)."""
    terms = terms or load_terms()
    register, book = holder_book(doc.holders, terms)
    events, problems = read_events_text(doc.events_text(), "events") if doc.events else ((), [])
    every = ledger_events(events, doc.history)
    check_events(every, problems, doc.params, terms, book)
    return Resolved(doc, every, register, book, price_path(doc.prices, doc.params.valuation_date))


def run(doc: ScenarioDoc, terms: Terms | None = None) -> ScenarioResult:
    """The document's deterministic scenario: timeline, summary and holder table."""
    terms = terms or load_terms()
    r = resolve(doc, terms)
    facts = load_desk_facts()
    return run_scenario(r.params, terms, r.book, r.events, r.prices, caps=stock_caps(terms, facts), facts=facts)
