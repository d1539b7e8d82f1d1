"""The page's scenario state: every ``st.session_state`` key that holds part of the scenario, and the one
document (``calc.scenario_doc.ScenarioDoc``) built from them on each rerun.

Keys (sections never write them directly: they call the setters here):
  param_<name>       the sidebar's widgets (``dashboard.inputs``), one per scenario parameter
  ledger_history     the "replay the 2002–2004 history" toggle (``calc.inputs.history_replay``)
  ledger_rows        the ledger rows in use: cells as text, ``calc.model.ledger.EVENT_COLUMNS`` order
  ledger_editor_base the events editor's base: the rows it shows before the edits in its widget state
                     (half-entered rows included) and the rows in use when it was set; the editor
                     starts again from the rows in use when those change elsewhere (a load, a link)
  holder_data        ``HolderData`` in use (the filing's register, or an upload/edit by content)
  grants_data        ``GrantsData`` in use (the Employee options section's grants)
  instrument_policies  the All securities policies that differ from their defaults (its selectors,
                     ``dilution_policy_*``, write them through a callback)
  include_illustrative  whether fully diluted figures count the instruments marked illustrative
  price_data         ``PriceData`` in use: a dated price path (an upload or data/prices.csv) and its rule
                     between dates, or no rows (the drift path); ``dashboard.prices_input`` writes it
  url_scenario       the id the URL last carried or was given (a link restores once per session)

``document`` reads them into one document; ``apply`` writes a document back (a saved scenario loaded, a
link opened). ``share`` keeps the document in the store and puts its id, and the inputs that differ from
the defaults, in the URL: ``?scenario=<id>&price=7&events=[...]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from calc.errors import InputError, Problem
from calc.inputs.history import history_defaults
from calc.inputs.params import param_problems
from calc.inputs.prices_csv import COLUMNS as PRICE_CELLS
from calc.model.ledger import EVENT_COLUMNS
from calc.model.params import SPECS, ScenarioParams
from calc.model.price_path import RULES as PRICE_RULES
from calc.model.terms import Terms
from calc.scenario_doc import GrantsData, HolderData, PriceData, ScenarioDoc, params_json_values
from dashboard import inputs
from dashboard.store import ScenarioStore

HISTORY_KEY = "ledger_history"
ROWS_KEY = "ledger_rows"
EDITOR_BASE_KEY = "ledger_editor_base"
HOLDERS_KEY = "holder_data"
GRANTS_KEY = "grants_data"
POLICIES_KEY = "instrument_policies"
ILLUSTRATIVE_KEY = "include_illustrative"
POLICY_PREFIX = "dilution_policy_"
URL_KEY = "url_scenario"
URL_SCENARIO = "scenario"  # query parameter: the scenario id
URL_EVENTS = "events"  # query parameter: the ledger rows as JSON (lists of cells)
URL_HISTORY = "history"
URL_PRICES = "prices"  # query parameter: the price path's rows as JSON (lists of date, close_usd, source)
URL_PRICE_RULE = "price_rule"
PRICES_KEY = "price_data"
BOUND_PARAMS = ("section",)  # query parameters bound to a widget (the section selector): never set here
ILLUSTRATIVE_GRANTS = GrantsData("grants_illustrative.csv", None, "illustrative grants (made-up counts)")
SHARED_PARAMS = tuple(spec.name for spec in SPECS)


# --------------------------------------------------------------------------- reading


def history() -> bool:
    return bool(st.session_state.get(HISTORY_KEY, False))


def event_rows() -> tuple[tuple[str, ...], ...]:
    return tuple(st.session_state.get(ROWS_KEY, ()))


def editor_base() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]] | None:
    """(rows the events editor shows before its edits, the rows in use when they were set); None: not set."""
    return st.session_state.get(EDITOR_BASE_KEY)


def holders() -> HolderData:
    return st.session_state.get(HOLDERS_KEY) or HolderData()


def grants() -> GrantsData:
    return st.session_state.get(GRANTS_KEY) or ILLUSTRATIVE_GRANTS


def prices() -> PriceData:
    return st.session_state.get(PRICES_KEY) or PriceData()


def set_prices(data: PriceData) -> None:
    st.session_state[PRICES_KEY] = data


def policy_key(item: str) -> str:
    """The widget key of the policy ``ID.FIELD``."""
    return POLICY_PREFIX + item.replace(".", "_", 1)


def policies() -> tuple[tuple[str, str], ...]:
    """The instrument policies chosen in All securities that differ from their defaults (``("ID.FIELD", value)``)."""
    return tuple(sorted(st.session_state.get(POLICIES_KEY, {}).items()))


def apply_history(raw: dict[str, Any], defaults: ScenarioParams, on: bool) -> dict[str, Any]:
    """History defaults for the valuation date and base shares when those inputs are at their defaults."""
    if not on:
        return raw
    at_default = {
        k for k in history_defaults() if raw.get(k) == inputs.widget_value(inputs.SPEC_BY_NAME[k], getattr(defaults, k))
    }
    return raw | {k: v for k, v in history_defaults().items() if k in at_default}


def document(defaults: ScenarioParams, terms: Terms) -> tuple[ScenarioDoc | None, list[Problem]]:
    """The scenario the page shows: (document, []) when the sidebar inputs are valid, else (None, problems)."""
    raw = inputs.current_values(defaults)
    params, problems = param_problems(apply_history(raw, defaults, history()), terms)
    if params is None:
        return None, problems
    include = bool(st.session_state.get(ILLUSTRATIVE_KEY, False))
    return ScenarioDoc(params, history(), event_rows(), holders(), policies(), grants(), include, prices()), []


# --------------------------------------------------------------------------- writing


def set_events(rows: tuple[tuple[str, ...], ...]) -> None:
    st.session_state[ROWS_KEY] = tuple(rows)


def set_editor_base(rows: tuple[tuple[str, ...], ...]) -> None:
    """The events editor's base rows (cells as text, half-entered rows included), taken with the rows in use now."""
    st.session_state[EDITOR_BASE_KEY] = (tuple(rows), event_rows())


def set_holders(data: HolderData) -> None:
    st.session_state[HOLDERS_KEY] = data


def set_grants(data: GrantsData) -> None:
    st.session_state[GRANTS_KEY] = data


def set_policies(items: Mapping[str, str]) -> None:
    st.session_state[POLICIES_KEY] = dict(items)


def set_include_illustrative(on: bool) -> None:
    st.session_state[ILLUSTRATIVE_KEY] = on


def set_param(name: str, value: Any) -> None:
    """One sidebar input (from a callback, before the sidebar draws)."""
    st.session_state[inputs.key(name)] = inputs.widget_value(inputs.SPEC_BY_NAME[name], value)


def apply(doc: ScenarioDoc) -> None:
    """Every part of ``doc`` into the page's state (call before the widgets draw: a callback or the top of a run).

    The sidebar takes the document's parameters as they are; the history toggle is set without its defaults
    (the document's valuation date and base shares are already the ones to use)."""
    inputs.set_state(doc.params)
    st.session_state[HISTORY_KEY] = doc.history
    set_events(doc.events)
    st.session_state.pop(EDITOR_BASE_KEY, None)  # the events editor starts again from the document's rows
    set_holders(doc.holders)
    set_grants(doc.grants)
    set_policies(dict(doc.policies))
    set_include_illustrative(doc.include_illustrative)
    set_prices(doc.prices)
    for key in [k for k in st.session_state if str(k).startswith(POLICY_PREFIX)]:
        del st.session_state[key]  # the selectors show the document's policies when next drawn


# --------------------------------------------------------------------------- URL


def url_values(doc: ScenarioDoc, defaults: ScenarioParams) -> dict[str, str]:
    """The query string of ``doc``: its id, the parameters that differ from the defaults, history, ledger rows."""
    now, base = params_json_values(doc.params), params_json_values(defaults)
    values = {URL_SCENARIO: doc.id}
    values |= {k: "" if now[k] is None else str(now[k]) for k in SHARED_PARAMS if now[k] != base[k]}
    if doc.history:
        values[URL_HISTORY] = "1"
    if doc.events:
        values[URL_EVENTS] = json.dumps([list(r) for r in doc.events], separators=(",", ":"))
    if doc.prices.rows:
        values[URL_PRICES] = json.dumps([list(r) for r in doc.prices.rows], separators=(",", ":"))
        values[URL_PRICE_RULE] = doc.prices.rule
    return values


def link(doc: ScenarioDoc, defaults: ScenarioParams) -> str:
    """The page's address with ``doc`` in the query string (``url_values``)."""
    base = (st.context.url or "http://localhost:8501/").split("?")[0]
    return f"{base}?{urlencode(url_values(doc, defaults))}"


def share(doc: ScenarioDoc, defaults: ScenarioParams, store: ScenarioStore) -> str:
    """Keep ``doc`` in the store (so ``?scenario=<id>`` restores it, uploads included) and write the URL.
    Returns a problem text when the store cannot keep it (the URL still carries the inputs)."""
    problem = ""
    try:
        store.put_document(doc)
    except InputError as exc:
        problem = str(exc)
    wanted = url_values(doc, defaults)
    current = {k: v for k, v in st.query_params.items() if k not in BOUND_PARAMS}
    for k in current.keys() - wanted.keys():
        del st.query_params[k]
    for k, v in wanted.items():
        if current.get(k) != v:
            st.query_params[k] = v
    st.session_state[URL_KEY] = doc.id
    return problem


def _from_query(query: Mapping[str, str], defaults: ScenarioParams, terms: Terms) -> ScenarioDoc:
    """A document from the query string's inputs (no uploads: the filing's holders and the default grants)."""
    values = {k: v for k, v in query.items() if k in SHARED_PARAMS}
    params, problems = param_problems(params_json_values(defaults) | values, terms)
    if params is None:
        raise InputError(f"the link's inputs: {len(problems)} problem(s)", tuple(problems))
    try:
        rows = json.loads(query.get(URL_EVENTS, "[]"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError("the link's ledger rows are not valid JSON") from exc
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == len(EVENT_COLUMNS) for r in rows):
        raise InputError(f"the link's ledger rows must be lists of {len(EVENT_COLUMNS)} cells")
    events = tuple(tuple(str(c) for c in r) for r in rows)
    return ScenarioDoc(
        params, query.get(URL_HISTORY) == "1", events, grants=ILLUSTRATIVE_GRANTS, prices=_query_prices(query)
    )


def _query_prices(query: Mapping[str, str]) -> PriceData:
    """The link's price path (rows of three text cells and the rule), checked as a document's."""
    try:
        rows = json.loads(query.get(URL_PRICES, "[]"))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError("the link's price path is not valid JSON") from exc
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == len(PRICE_CELLS) for r in rows):
        raise InputError(f"the link's price path must be lists of {len(PRICE_CELLS)} cells")
    rule = query.get(URL_PRICE_RULE, "previous")
    if rule not in PRICE_RULES:
        raise InputError(f"the link's price rule must be one of {', '.join(PRICE_RULES)}")
    cells = tuple((str(r[0]), str(r[1]), str(r[2])) for r in rows)
    return PriceData(cells, rule, "price path from a link" if cells else "no price path")


def restore(defaults: ScenarioParams, terms: Terms, store: ScenarioStore) -> str:
    """Once per session (and whenever the URL names another scenario): the scenario the URL names, from the
    store, else rebuilt from the inputs the URL carries (a link with inputs and no id is rebuilt too). Returns a
    note for the page ("" when nothing to say)."""
    wanted = st.query_params.get(URL_SCENARIO, "")
    carried = any(k in SHARED_PARAMS or k in (URL_EVENTS, URL_HISTORY, URL_PRICES) for k in st.query_params)
    if (not wanted and (URL_KEY in st.session_state or not carried)) or wanted == st.session_state.get(URL_KEY):
        st.session_state.setdefault(URL_KEY, "")
        return ""
    st.session_state[URL_KEY] = wanted
    try:
        doc = store.document(wanted) if wanted else None
    except InputError:
        doc = None
    note = ""
    if doc is None:
        try:
            doc = _from_query(dict(st.query_params), defaults, terms)
        except InputError as exc:
            return f"The link's scenario {wanted} could not be restored ({exc}); showing the defaults."
        if wanted and doc.id != wanted:
            note = (
                f"Scenario {wanted} is not kept on this server; the inputs the link carries were restored "
                f"(scenario {doc.id}). An uploaded holder table or grants file travels only with the kept scenario."
            )
    apply(doc)
    return note
