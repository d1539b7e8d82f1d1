"""All dilutive securities (issue 13): the three dilution measures side by side and the bridge base →
total outstanding → fully diluted, the dilution stack by instrument over time and against the price,
diluted EPS with every instrument, the savings plans as holders, and Monte Carlo statistics.
Numbers come from ``calc.model.securities`` / ``calc.model.measures``; this module gathers the policy inputs
(and whether the illustrative option grants count) and renders. Instrument names go through
``dashboard.safe`` before plotly.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import streamlit as st

from calc.errors import InputError
from calc.inputs.data import load_caps
from calc.inputs.history_replay import history_exchanges
from calc.inputs.instruments_toml import load_registry
from calc.model.allocation import HolderBook
from calc.model.inputs_registry import SECURITIES_PATHS, SEED, TAX_RATE, TAX_RATE_WIDGET_MAX, VOLATILITY
from calc.model.ledger import Event
from calc.model.params import ScenarioParams
from calc.model.price_path import PricePath
from calc.model.securities import (
    CHOICES,
    DilutionMonteCarlo,
    DilutionResult,
    Policy,
    Setup,
    bridge_rows,
    dilution_eps,
    holder_rows,
    instrument_rows,
    measures,
    parse_policies,
    price_stack,
    run_dilution,
    run_dilution_mc,
    setup,
    stack_frame,
)
from calc.outputs import formats
from calc.outputs.citations import citation
from charts.bridge_figures import bridge_figure
from charts.figures import png_config
from charts.securities_figures import price_figure, stack_figure
from charts.template import STREAMLIT_THEME
from dashboard import formatting, safe, state
from dashboard.context import Page
from dashboard.options_view import NAME_WIDTH_PX, show_waterfall
from dashboard.widgets import BROWSER_MAX_INT, bounds_kwargs, net_income_input, share_metric

PRICE_POINTS = np.geomspace(0.25, 20.0, 60)
POLICY_INPUTS = (
    ("warrants_2004", "exercise"),
    ("warrants_2004", "settlement"),
    ("debentures_275_a", "put_settlement"),
    ("debentures_275_b", "put_settlement"),
    ("options_illustrative", "exercise"),
    ("savings_plan_ltssp", "match"),
)
POLICY_LABELS = {  # field: (label, {choice: label})
    "exercise": (
        "exercise",
        {"in_the_money": "first date in the money", "at_expiry": "at expiry if in the money", "none": "never"},
    ),
    "settlement": ("settlement", {"gross": "gross (pay the strike)", "net": "net (cashless)"}),
    "put_settlement": ("put paid in", {"cash": "cash", "stock": "common stock"}),
    "match": ("employer match", {"none": "not from new shares", "new_stock": "newly issued common"}),
}
POLICY_COLUMNS = 2  # three cut the choices at 1024 px ("first date in the mone")
MC_KEY = "dilution_mc"
ILLUSTRATIVE_KEY = "dilution_include_illustrative"
MEASURE_WIDTH_PX = 240  # the measure boxes' labels are longer than the headline's ("New shares % of outstanding")
BRIDGE_LABELS = {"step": "Step", "shares": "Shares", "running_total_shares": "Running total"}
# the instrument table: name and the counts that answer "how much" first, internal ids last
INSTRUMENT_LEAD = (
    "name",
    "issued_and_potential_shares",
    "pct_of_fully_diluted",
    "issued_shares",
    "potential_shares",
    "method",
    "kind",
)
INSTRUMENT_LABELS = {"name": "Instrument", "kind": "Kind", "id": "Id (CLI --policy)"}
HOLDER_LEAD = ("fund", "shares_derived", "pct_of_base_shares", "date", "holder")  # one plan, several funds
HOLDER_LABELS = {"holder": "Plan", "fund": "Fund", "label": "Basis", "fair_value_source": "Fair value source"}


def _keep_policies(chosen: tuple[str, ...]) -> None:
    """Selector callback: the policies that differ from their default into the scenario (``dashboard.state``)."""
    values = {item: st.session_state.get(state.policy_key(item)) for item in chosen}
    state.set_policies({k: v for k, v in values.items() if v is not None and v != getattr(Policy(), k.split(".")[1])})


def _keep_illustrative() -> None:
    """Checkbox callback: include the illustrative instruments or not (part of the scenario)."""
    state.set_include_illustrative(bool(st.session_state[ILLUSTRATIVE_KEY]))


def _policy_items(include_illustrative: bool) -> tuple[str, ...]:
    """``ID.FIELD=VALUE`` items from the policy selectors (only instruments in the registry; an illustrative
    instrument's selectors are disabled while it is left out); each selector shows the scenario's policy
    (``dashboard.state.policies``), its default otherwise."""
    registry = load_registry()
    names = {i.id: i.name for i in registry.instruments}
    left_out = set() if include_illustrative else {i.id for i in registry.illustrative()}
    chosen = tuple(f"{iid}.{field}" for iid, field in POLICY_INPUTS if iid in names)
    current = dict(state.policies())
    cols = st.columns(POLICY_COLUMNS)
    items = []
    for k, item in enumerate(chosen):
        iid, field = item.split(".")
        value = cols[k % POLICY_COLUMNS].selectbox(
            f"{names[iid]}: {POLICY_LABELS[field][0]}",
            CHOICES[field],
            index=CHOICES[field].index(current.get(item, getattr(Policy(), field))),
            format_func=POLICY_LABELS[field][1].__getitem__,
            key=state.policy_key(item),
            on_change=_keep_policies,
            args=(chosen,),
            disabled=iid in left_out,
            help=f"CLI: `dilution --policy {iid}.{field}=VALUE`, VALUE one of {', '.join(CHOICES[field])}",
        )
        items.append(f"{item}={value}")
    return tuple(items)


@st.cache_resource(show_spinner=False, max_entries=32)
def _setup(
    key: str,
    _params: ScenarioParams,
    policies: tuple[str, ...],
    _events: tuple[Event, ...],
    illustrative: bool,
    _book: HolderBook,
    _prices: PricePath | None = None,
    history: bool = False,
) -> Setup:
    registry = load_registry()
    policy = parse_policies(policies, registry)
    exchanges = history_exchanges() if history else ()
    return setup(
        _params,
        registry,
        policy,
        _events,
        include_illustrative=illustrative,
        book=_book,
        prices_path=_prices,
        exchanges=exchanges,
        caps=load_caps(),
    )


def _table(frame: pd.DataFrame, lead: tuple[str, ...], labels: dict[str, str]) -> None:
    """A table with ``lead`` columns first (the first pinned), human headers and number formats
    (``formatting.column_config``)."""
    frame = formatting.shown(formatting.first(frame, lead))
    for column in [c for c in frame.columns if str(c).endswith("source")]:
        frame[column] = frame[column].map(citation)
    pin = {lead[0]: formatting.text_width(frame[lead[0]], NAME_WIDTH_PX)}
    config = formatting.column_config(frame, labels, pin=pin)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def _eps_section(result: DilutionResult) -> None:
    st.subheader("Diluted EPS at the horizon, every instrument")
    c = st.columns(2)
    net_income = net_income_input(
        c[0],
        "Net income (loss) for the year, USD",
        "dilution_net_income",
        "assumption: illustrative default; before preferred dividends",
    )
    tax = c[1].number_input(
        "Tax rate",
        **bounds_kwargs(TAX_RATE, high=TAX_RATE_WIDGET_MAX),
        value=float(TAX_RATE.default),
        key="dilution_tax",
    )
    eps = dilution_eps(result, Fraction(repr(float(net_income))), tax_rate=Fraction(repr(float(tax))))
    show_waterfall(eps)
    st.caption(  # safe.text: the dollar signs stay text (no math)
        safe.text(
            f"Basic EPS {formats.price(float(eps.basic_eps_usd))} = (net income − the 8.00% preferred's dividends "
            f"for the year to the horizon, {formats.usd(round(float(eps.preferred_dividends_usd)))}) / basic shares "
            f"{formats.shares(eps.basic_shares)}; diluted EPS {formats.price(float(eps.diluted_eps_usd))}. "
            "Basic shares = base + shares issued through the horizon "
            "(delivered restricted shares included); treasury stock method at the horizon price, floored once per "
            "grant."
        )
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _monte_carlo(key: str, _s: Setup, volatility: float, paths: int, seed: int) -> DilutionMonteCarlo:
    return run_dilution_mc(_s, volatility, paths, seed)


def _mc_section(s: Setup, key: str) -> None:
    st.subheader("Monte Carlo")
    if not st.checkbox("Run Monte Carlo for every instrument", key=MC_KEY):
        return
    c = st.columns(3)
    volatility = c[0].number_input(
        "Volatility", **bounds_kwargs(VOLATILITY), value=VOLATILITY.default, key="dilution_vol"
    )
    paths = int(
        c[1].number_input(
            "Paths", **bounds_kwargs(SECURITIES_PATHS, int), value=SECURITIES_PATHS.default, key="dilution_paths"
        )
    )
    seed = int(
        c[2].number_input(
            "Seed", **bounds_kwargs(SEED, int, high=BROWSER_MAX_INT), value=SEED.default, key="dilution_seed"
        )
    )
    try:
        mc = _monte_carlo(key, s, float(volatility), paths, seed)
    except InputError as exc:
        st.error("Monte Carlo not available for these inputs:  \n" + safe.error_lines(str(exc)))
        return
    fd = mc.fully_diluted
    share_metric(
        "Fully diluted, median",
        int(fd["p50"]),
        f"Median over {formats.shares(mc.paths)} paths; p5 {formats.shares(round(fd['p5']))}, "
        f"p95 {formats.shares(round(fd['p95']))}.",
    )
    st.dataframe(mc.by_instrument, hide_index=True, width="stretch")


def _measures_row(result: DilutionResult, horizon: object) -> None:
    """The counts and the three measures side by side (``calc.model.measures``), each box saying its formula."""
    m = measures(result)
    named = m.as_dict()
    with st.container(horizontal=True, wrap=True, gap="small", key="dilution_measures"):
        share_metric(
            "Outstanding, all sources",
            m.outstanding_shares,
            f"Common outstanding at the horizon {formats.day(horizon)}: base + shares issued by every source.",
            width=MEASURE_WIDTH_PX,
        )
        share_metric(
            "Fully diluted",
            m.fully_diluted_shares,
            f"Fully diluted common at the horizon {formats.day(horizon)}: base + issued + potential.",
        )
        for label, value, formula in (
            ("New shares % of outstanding", named["new_shares_pct_of_outstanding"], "issued / total outstanding"),
            ("Fully diluted %", named["fully_diluted_pct"], "(issued + potential) / fully diluted count"),
            ("Increase over base", named["increase_over_base_pct"], "(fully diluted − base) / base"),
        ):
            st.metric(label, formatting.pct(value), border=True, width=MEASURE_WIDTH_PX, help=formula)
        share_metric(
            "Potential shares",
            m.potential_shares,
            f"Potential common of every security still outstanding at the horizon {formats.day(horizon)} "
            "(not yet issued).",
        )


def _bridge(result: DilutionResult) -> None:
    """The bridge rows as a table and a waterfall."""
    st.subheader("Bridge to fully diluted")
    rows = bridge_rows(result)
    frame = formatting.shown(pd.DataFrame(rows).drop(columns="measure"))
    pin = {"step": formatting.text_width(frame["step"], NAME_WIDTH_PX)}
    config = formatting.column_config(frame, BRIDGE_LABELS, pin=pin)
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    st.plotly_chart(
        bridge_figure(rows), config=png_config("dilution_bridge"), key="dilution_bridge_chart", theme=STREAMLIT_THEME
    )


def render(page: Page) -> None:
    """The section: policies, metrics, stack charts, instrument table, EPS, holders, Monte Carlo
    (``page.params`` is set)."""
    st.caption(
        "Every dilutive security in the registry (each figure with its source) on the scenario's price "
        "path: the 8.00% preferred with its full model, the 7.75% trust preferred, the 2.75% Series A/B "
        "debentures, the 2004 warrants, employee options and the savings plan. Potential = if-converted / "
        "if-exercised shares of what is outstanding; issued = shares issued under the policies."
    )
    assert page.params is not None
    params = page.params
    st.session_state[ILLUSTRATIVE_KEY] = page.doc is not None and page.doc.include_illustrative
    illustrative = st.checkbox(
        "Include illustrative option grants",
        key=ILLUSTRATIVE_KEY,
        on_change=_keep_illustrative,
        help="Count the securities marked illustrative in the registry (made-up employee option grants "
        "and the retirees' letter executive example) in every figure below. CLI: `dilution --include-illustrative`.",
    )
    items = _policy_items(illustrative)
    key = page.key + repr(items) + repr(illustrative)
    try:
        s = _setup(key, params, items, page.events, illustrative, page.book, page.prices, page.history)
        result = run_dilution(s)
        by_price = price_stack(s, PRICE_POINTS)
    except InputError as exc:
        st.error("Not available for these inputs:  \n" + safe.error_lines("\n".join((str(exc), *exc.problems))))
        return
    if s.excluded:
        st.caption("Left out (illustrative): " + "; ".join(safe.text(i.name) for i in s.excluded) + ".")
    _measures_row(result, params.horizon)
    _bridge(result)
    st.plotly_chart(
        stack_figure(stack_frame(result)),
        config=png_config("dilution_stack"),
        key="dilution_stack",
        theme=STREAMLIT_THEME,
    )
    names = {x.instrument.id: x.instrument.name for x in result.projections}
    st.plotly_chart(
        price_figure(by_price, names), config=png_config("dilution_price"), key="dilution_price", theme=STREAMLIT_THEME
    )
    _table(
        pd.DataFrame(instrument_rows(result)).assign(kind=lambda f: f["kind"].str.replace("_", " ")),
        INSTRUMENT_LEAD,
        INSTRUMENT_LABELS,
    )
    _eps_section(result)
    st.subheader("Employee savings plans as holders (derived)")
    _table(pd.DataFrame(holder_rows(s.registry, params.base_shares)), HOLDER_LEAD, HOLDER_LABELS)
    _mc_section(s, key)
