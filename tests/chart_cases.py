"""Every figure builder of ``charts/``, each called on real ``calc`` results (the default scenario, its Monte Carlo
run, the All securities registry, the illustrative option grants, the ledger's break-even curve) as the dashboard
and the ``report`` command call them. Shared by ``tests/test_chart_style.py`` and
``benchmarks/chart_geometry.py``; ``BUILDERS`` lists the builders so a new one without a case fails the test."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import plotly.graph_objects as go

from calc.bridge_run import run_bridge
from calc.inputs.data import actual_common_shares, default_book, load_caps, load_desk, load_desk_facts, load_terms
from calc.inputs.grants_csv import read_grants_csv
from calc.inputs.history import COMPARED_DEALS
from calc.inputs.instruments_toml import load_registry
from calc.inputs.params import default_params
from calc.inputs.paths import ILLUSTRATIVE_GRANTS_PATH
from calc.model.breakeven import flat_wait
from calc.model.breakeven import setup as breakeven_setup
from calc.model.bridge import covers_frame
from calc.model.bridge import waterfall_rows as share_bridge_rows
from calc.model.eps import eps_defaults, lucent_diluted_eps
from calc.model.inducement import inducement_comparison
from calc.model.montecarlo import run_monte_carlo
from calc.model.offer import Offer, evaluate, value_delivered_usd
from calc.model.options import option_timeline, tsm_curve
from calc.model.scenario import run_scenario
from calc.model.securities import bridge_rows, price_stack, run_dilution, setup, stack_frame
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.model.valuation import value_preferred
from charts import (
    bridge_figures,
    figures,
    ledger_figures,
    offer_figures,
    options_figures,
    securities_figures,
    valuation_figures,
)

AUTHORIZED = 10_000_000_000  # data/terms.toml market.authorized_common_shares
BUILDERS = (  # (module, function) of every figure builder in charts/
    (figures, "issuance_figure"),
    (figures, "new_shares_figure"),
    (figures, "dilution_figure"),
    (figures, "sensitivity_figure"),
    (figures, "concentration_figure"),
    (figures, "fan_figure"),
    (figures, "compare_issuance_figure"),
    (bridge_figures, "bridge_figure"),
    (bridge_figures, "reconciliation_figure"),
    (ledger_figures, "preferred_figure"),
    (ledger_figures, "actual_figure"),
    (ledger_figures, "breakeven_figure"),
    (securities_figures, "stack_figure"),
    (securities_figures, "price_figure"),
    (options_figures, "timeline_figure"),
    (options_figures, "tsm_figure"),
    (options_figures, "waterfall_figure"),
    (offer_figures, "offer_figure"),
    (valuation_figures, "fair_value_figure"),
)


def all_figures() -> dict[str, go.Figure]:
    """Every builder's figure by case name (a builder may have several cases: ``fan_figure`` at the default horizon
    and at 2031)."""
    params = default_params()
    terms = load_terms()
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps(), facts=load_desk_facts())
    sensitivity = price_sensitivity(params, price_grid(), terms=load_terms(), book=default_book(), caps=load_caps())
    mc = run_monte_carlo(params, 0.6, 500, seed=1, terms=load_terms(), book=default_book(), caps=load_caps())
    long = dataclasses.replace(params, horizon=dt.date(2031, 8, 1))
    cash = run_scenario(
        dataclasses.replace(params, dividend_policy="cash"), terms=load_terms(), book=default_book(), caps=load_caps()
    )
    s = setup(params, include_illustrative=True, registry=load_registry(), book=default_book(), caps=load_caps())
    dilution = run_dilution(s)
    prices = np.geomspace(0.25, 20.0, 60)
    grants = read_grants_csv(ILLUSTRATIVE_GRANTS_PATH)
    shared = eps_defaults(terms)
    eps = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(1_000_000_000),
        basic_shares=params.base_shares,
        date=shared.date,
        average_price_usd=Decimal("1.89"),
        grants=grants,
    )
    be = breakeven_setup(params, "2002-10-15", (), terms=load_terms(), book=default_book(), caps=load_caps())
    wait_prices = np.geomspace(0.1, 100.0, 200)
    shares = run_bridge()  # the 2002-2004 share-count bridge on the shipped replay
    offer = Offer(Fraction(380), dt.date(2002, 10, 23), 0.76)  # the October 2002 offer (the desk's default)
    shipped = load_desk()
    desk: dict[str, Any] = evaluate(offer, shipped)
    replay: dict[str, Any] = inducement_comparison(shipped.terms, shipped.facts, shipped.history)
    offer_prices = np.geomspace(0.05, 20.0, 200)
    trades = [
        (f"{t['date']}: {t['common_per_preferred']:,.2f}", t["price_usd"], t["common_per_preferred"] * t["price_usd"])
        for t in replay["exchanges"]
    ]
    cases: dict[str, Callable[[], go.Figure]] = {
        "issuance_figure": lambda: figures.issuance_figure(result.timeline, params.base_shares, AUTHORIZED),
        "new_shares_figure": lambda: figures.new_shares_figure(result.timeline),
        "dilution_figure": lambda: figures.dilution_figure(result.timeline),
        "sensitivity_figure": lambda: figures.sensitivity_figure(
            sensitivity, figures.horizon_conversion_price(result.timeline), params.price, figures.binding_prices(result)
        ),
        "concentration_figure": lambda: figures.concentration_figure(result.holders),
        "fan_figure": lambda: figures.fan_figure(mc.total_percentiles, AUTHORIZED, result.timeline),
        "fan_figure 2031": lambda: figures.fan_figure(
            run_monte_carlo(
                long, 0.6, 200, seed=1, terms=load_terms(), book=default_book(), caps=load_caps()
            ).total_percentiles,
            AUTHORIZED,
            run_scenario(long, terms=load_terms(), book=default_book(), caps=load_caps()).timeline,
        ),
        "compare_issuance_figure": lambda: figures.compare_issuance_figure(
            {"stock": result.timeline, "cash": cash.timeline}
        ),
        "bridge_figure": lambda: bridge_figures.bridge_figure(bridge_rows(dilution)),
        "bridge_figure 2002-2004": lambda: bridge_figures.bridge_figure(
            share_bridge_rows(shares), "Share-count bridge 2002-07-31 → 2004-11-30"
        ),
        "bridge_figure 2002-2004 zoom": lambda: bridge_figures.bridge_figure(
            share_bridge_rows(shares), "Share-count bridge 2002-07-31 → 2004-11-30", zoom=True
        ),
        "reconciliation_figure": lambda: bridge_figures.reconciliation_figure(covers_frame(shares)),
        "preferred_figure": lambda: ledger_figures.preferred_figure(result.timeline),
        "actual_figure": lambda: ledger_figures.actual_figure(result.timeline, actual_common_shares()),
        "breakeven_figure": lambda: ledger_figures.breakeven_figure(
            wait_prices, flat_wait(be, wait_prices).wait, 331.43, COMPARED_DEALS, 3.5, figures.binding_prices(result)
        ),
        "stack_figure": lambda: securities_figures.stack_figure(stack_frame(dilution)),
        "price_figure": lambda: securities_figures.price_figure(
            price_stack(s, prices), {x.instrument.id: x.instrument.name for x in dilution.projections}
        ),
        "timeline_figure": lambda: options_figures.timeline_figure(option_timeline(grants)),
        "tsm_figure": lambda: options_figures.tsm_figure(
            tsm_curve(grants, shared.date, [Decimal(str(p)) for p in price_grid(0.25, 10.0, 40)]), 1.89
        ),
        "waterfall_figure": lambda: options_figures.waterfall_figure(eps),
        "fair_value_figure": lambda: valuation_figures.fair_value_figure(
            value_preferred(
                np.geomspace(0.189, 18.9, 60),
                volatility_rate=0.6,
                risk_free_rate=0.03,
                spread_rate=0.1,
                steps=200,
                valuation_date=params.valuation_date,
                terms=terms,
            ),
            params.price,
            5.94,
        ),
        "offer_figure": lambda: offer_figures.offer_figure(
            offer_prices,
            value_delivered_usd(offer.ratio, offer_prices),
            float(offer.ratio),
            (offer.price_usd, desk["value_delivered_usd"]),
            trades,
            desk["capacity"]["class_put_binding_prices_usd"],
            desk["lp_usd"],
        ),
    }
    return {name: build() for name, build in cases.items()}
