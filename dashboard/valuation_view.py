"""Section "Fair value": the preferred on the credit-adjusted lattice (``calc.model.valuation``) at the scenario's
price, valuation date and policies, and its value against the common price."""

from __future__ import annotations

import dataclasses
import json

import streamlit as st

from calc.errors import InputError
from calc.model.inputs_registry import VALUE_RATE, VALUE_SPREAD, VALUE_VOLATILITY
from calc.model.valuation import ValuationPolicy
from calc.outputs.formats import day, price
from charts.figures import PNG_NOTE
from charts.valuation_figures import fair_value_figure
from dashboard import cache
from dashboard.context import Page
from dashboard.formatting import usd
from dashboard.widgets import METRIC_WIDTH_PX, bounds_kwargs, chart

STEPS = (200, 400, 800, 1600)
CONVENTION_LABELS = {  # every calc.model.lattice convention, the default first
    "hazard": "hazard (jump to default)",
    "tf": "Tsiveriotis–Fernandes",
    "quantlib": "QuantLib's convention",
}


def _inputs() -> tuple[float, float, float, int, str]:
    c = st.columns(5, vertical_alignment="bottom")
    volatility = c[0].number_input(
        "Volatility (annualized)",
        **bounds_kwargs(VALUE_VOLATILITY),
        value=VALUE_VOLATILITY.default,
        step=0.05,
        format="%.2f",
        key="fv_volatility",
        help="σ of the log price per year. CLI: `value --volatility`.",
    )
    rate = c[1].number_input(
        "Risk-free rate",
        **bounds_kwargs(VALUE_RATE),
        value=VALUE_RATE.default,
        step=0.005,
        format="%.3f",
        key="fv_rate",
        help="continuously compounded, a year (0.03 = 3%). CLI: `value --rate`.",
    )
    spread = c[2].number_input(
        "Credit spread",
        **bounds_kwargs(VALUE_SPREAD),
        value=VALUE_SPREAD.default,
        step=0.05,
        format="%.3f",
        key="fv_spread",
        help="a year (0.10 = 10%); under `hazard` the default intensity, recovery 0. CLI: `value --spread`.",
    )
    steps = c[3].selectbox("Tree steps", STEPS, index=2, key="fv_steps", help="CLI: `value --steps`.")
    convention = c[4].selectbox(
        "Convention",
        list(CONVENTION_LABELS),
        index=0,
        format_func=lambda name: CONVENTION_LABELS[name],
        key="fv_convention",
        help="hazard: the default (falls with the spread); tf: the equity/cash split discounted apart; quantlib: "
        "QuantLib's engine, for comparison. CLI: `value --convention`.",
    )
    return float(volatility), float(rate), float(spread), int(steps), str(convention)


def render(page: Page) -> None:
    assert page.params is not None
    params = page.params
    volatility, rate, spread, steps, convention = _inputs()
    policy = ValuationPolicy.from_params(params)
    try:
        one, curve = cache.fair_value(
            params.price,
            params.valuation_date.isoformat(),
            volatility,
            rate,
            spread,
            steps,
            convention,
            policy,
            json.dumps(dataclasses.asdict(policy), default=str, sort_keys=True),
        )
    except InputError as exc:  # e.g. a valuation date on the redemption date: nothing left to value
        st.error(str(exc))
        return
    row = one.row()
    with st.container(horizontal=True, wrap=True):
        for label, value, hint in (
            ("Per preferred share", usd(row["value_usd"]), "fair value per $1,000 of liquidation preference"),
            ("The class", f"${row['class_value_usd'] / 1e9:,.2f} B", f"× {row['shares']:,} preferred shares"),
            ("Bond floor", usd(row["bond_floor_usd"]), "the same dividends, puts and redemption, no conversion"),
            ("Conversion value", usd(row["conversion_value_usd"]), "common on conversion today × price"),
            ("Delta", f"{row['delta_shares']:,.1f}", "∂V/∂S: common-share equivalents per preferred share"),
            ("Paid in cash", usd(row["debt_usd"]), "the part paid in cash (credit-risky); the rest in stock"),
        ):
            st.metric(label, value, border=True, width=METRIC_WIDTH_PX, help=hint)
    conversion_price = 1000 / float(page.terms.conversion_rates[-1].rate)
    chart(fair_value_figure(curve, params.price, conversion_price), "lucent_fair_value", "chart_fair_value")
    st.caption(
        f"One preferred share valued on a {steps}-step binomial lattice at the sidebar's price "
        f"({price(params.price)}), valuation date ({day(params.valuation_date)}) and policies (dividends "
        f"{params.dividend_policy}, puts settled in {params.put_settlement}, call {params.call}). "
        "The curve re-values it at other prices (the model documentation, 'Fair value of the preferred', has the "
        "rules). " + PNG_NOTE
    )
