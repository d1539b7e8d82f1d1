"""What every page section is given: the scenario document, its result (when the inputs are valid) and the holder
data in use. Built once per rerun by ``app.py`` from ``dashboard.state``; sections read it and never change it."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from calc.model.allocation import HolderBook
from calc.model.ledger import Event
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario import ScenarioResult
from calc.model.terms import Terms
from calc.scenario_doc import ScenarioDoc


class Page(NamedTuple):
    terms: Terms
    defaults: ScenarioParams
    doc: ScenarioDoc | None  # the scenario whose ledger rows fit its inputs; None: nothing to compute
    sidebar_doc: ScenarioDoc | None  # valid sidebar inputs, even when the ledger rows do not fit them
    result: ScenarioResult | None  # the result of ``doc``
    register: pd.DataFrame
    book: HolderBook
    events: tuple[Event, ...]  # the ledger rows in force: history (when on), then the document's
    prices: PricePath | None = None  # the document's dated price path (None: the drift path)

    @property
    def params(self) -> ScenarioParams | None:
        return self.doc.params if self.doc else None

    @property
    def sidebar_params(self) -> ScenarioParams | None:
        return self.sidebar_doc.params if self.sidebar_doc else None

    @property
    def history(self) -> bool:
        return bool(self.sidebar_doc and self.sidebar_doc.history)

    @property
    def register_label(self) -> str:
        return self.sidebar_doc.holders.label if self.sidebar_doc else ""

    @property
    def key(self) -> str:
        """Cache key of the scenario: the document's content hash."""
        return self.doc.key if self.doc else ""

    @property
    def book_token(self) -> str:
        """Cache key of the holder data (part of ``key``; kept for the caches keyed by holders alone)."""
        return self.doc.key if self.doc else ""

    @property
    def scenario_id(self) -> str:
        """The document's id: 8 hex digits, carried by every download's file name."""
        return self.doc.id if self.doc else ""
