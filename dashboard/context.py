"""What every page section is given: the scenario inputs, its result (when the inputs are valid) and the holder
data in use. Built once per rerun by ``app.py``; sections read it and never change it."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from calc.dilution import HolderBook
from calc.ledger import Event
from calc.params import ScenarioParams
from calc.scenario import ScenarioResult
from calc.terms import Terms


class Page(NamedTuple):
    terms: Terms
    defaults: ScenarioParams
    params: ScenarioParams | None  # valid inputs whose ledger events fit; None: nothing to compute
    sidebar_params: ScenarioParams | None  # valid sidebar inputs, even when the ledger events do not fit them
    result: ScenarioResult | None  # the scenario of ``params``
    register: pd.DataFrame
    register_label: str
    book_token: str
    book: HolderBook
    history: bool
    events: tuple[Event, ...]
    key: str  # cache key of the scenario: inputs and events
    scenario_id: str  # short id of the scenario, carried by download file names
