"""Exchange desk (issue 23): what an offer of R common per preferred is worth on a date at a price, what it does to
income available to common, and what caps the alternative (a stock-settled put). Every number comes from
``calc.model.offer``, ``calc.model.capacity`` and ``calc.model.inducement``; the chart from ``charts.offer_figures``.

It takes over the exchange role of "Ledger and break-even" (whose panel keeps the exchange-or-wait curve of the
ledger's rows): the break-even price of the offer is one of its outputs.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from calc.errors import InputError
from calc.model.capacity import CAP_LABELS
from calc.model.inputs_registry import OFFER_PRICE
from calc.model.offer import Offer, evaluate, value_delivered_usd
from calc.outputs import formats
from charts.offer_figures import offer_figure
from dashboard import cache, formatting, safe, widgets
from dashboard.context import Page

RATIO_KEY, DATE_KEY, PRICE_KEY = "offer_ratio", "offer_date", "offer_price"
DEFAULT_RATIO, DEFAULT_DATE, DEFAULT_PRICE = 380.0, dt.date(2002, 10, 23), 0.76  # the October 2002 deal (Reuters)
CURVE_PRICES_USD = np.geomspace(0.05, 20.0, 200)
METRIC_WIDTH_PX = 210


def _inputs(page: Page) -> Offer:
    p = page.terms.preferred
    c = st.columns(3)
    ratio = c[0].number_input(
        "Common per preferred (R)", min_value=0.01, value=DEFAULT_RATIO, step=1.0, format="%.2f", key=RATIO_KEY
    )
    date = c[1].date_input(
        "Offer date (D)",
        value=DEFAULT_DATE,
        min_value=p.issue_date,
        max_value=p.put_dates[-1],
        format="YYYY-MM-DD",
        key=DATE_KEY,
    )
    price = c[2].number_input(
        "Common price on D (S)",
        min_value=0.01,  # a cent: the smallest tick (the model refuses 0 and below)
        max_value=OFFER_PRICE.bounds[1],
        value=DEFAULT_PRICE,
        step=0.01,
        format="%.2f",  # a price to the cent (calc.outputs.formats)
        key=PRICE_KEY,
    )
    return Offer(Fraction(repr(float(ratio))), date, float(price))


def _pct(value: object) -> str:
    return "none" if value is None else f"{float(value):.2%}"  # type: ignore[arg-type]


def _metrics(report: dict) -> None:
    be = report["breakeven_price_usd"]
    d42 = report["d42"]
    shown = {
        "Value delivered": (formats.usd(report["value_delivered_usd"]), "R × S per preferred share ($1,000 of LP)"),
        "% of the preference": (formats.pct(report["value_pct_of_lp"]), "100 × R × S / accreted LP"),
        "Yield to put": (
            _pct(report["yield_to_put"]),
            f"annual effective, actual/365: $40 per $1,000 each dividend date and the LP on "
            f"{formats.day(report['put_date'])}; Goldman Sachs quoted {report['quoted_yield_to_put']:.0%}+ on "
            f"{formats.day(cache.desk().facts.quoted_yield_date)}",
        ),
        "Implied credit spread": (_pct(report["implied_spread"]), report["implied_spread_note"]),
        "Break-even flat price": ("none" if be is None else formats.price(be), "where waiting issues R per preferred"),
        "D-42 adjustment": (
            f"${d42['d42_adjustment_usd'] / 1e6:,.1f}M",
            "carrying amount of the preferred retired less the fair value of the common: added to income "
            "available to common (SEC D-42)",
        ),
        "Inducement": (
            f"${report['inducement_usd'] / 1e6:,.1f}M",
            "fair value of the common issued beyond conversion at the original terms",
        ),
    }
    with st.container(horizontal=True, wrap=True, gap="small"):
        for label, (value, help) in shown.items():
            st.metric(label, value, help=help, border=True, width=METRIC_WIDTH_PX)


def _capacity_table(report: dict) -> pd.DataFrame:
    cap = report["capacity"]
    rows = [dict(line, issuance="exchange") for line in cap["exchange"]]
    rows += [dict(line, issuance="class put in stock at S") for line in cap["stock_put_at_price"]]
    frame = pd.DataFrame(rows)[
        ["issuance", "cap", "shares_needed", "limit_shares", "binds", "binding_price_usd", "meaning"]
    ]
    return frame.assign(cap=frame["cap"].map(CAP_LABELS))


def _table(frame: pd.DataFrame, key: str) -> None:
    """A desk table at the page's width, with human headers and number formats (``formatting.column_config``)."""
    st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config=formatting.column_config(frame))


def render(page: Page) -> None:
    st.caption(
        "An exchange offer of R common per preferred on a date D at the common price S: its value, the yield to "
        "the first put it implies, its break-even, its effect on income available to common (SEC D-42) and the "
        "caps on issuing the stock (command line: `calc offer`)."
    )
    offer = _inputs(page)
    try:
        report: dict[str, Any] = evaluate(offer, cache.desk())
    except InputError as exc:
        st.error("Offer not evaluated:  \n" + safe.error_lines(str(exc)))
        return
    _metrics(report)
    replay: dict[str, Any] = cache.replayed_2002_exchanges()
    trades = [
        (
            f"{formats.day(t['date'])}: {formats.number(t['common_per_preferred'], 2, 2)}",
            t["price_usd"],
            t["common_per_preferred"] * t["price_usd"],
        )
        for t in replay["exchanges"]
    ]
    fig = offer_figure(
        CURVE_PRICES_USD,
        value_delivered_usd(offer.ratio, CURVE_PRICES_USD),
        float(offer.ratio),
        (offer.price_usd, report["value_delivered_usd"]),
        trades,
        report["capacity"]["class_put_binding_prices_usd"],
        report["lp_usd"],
    )
    widgets.chart(fig, "exchange_desk", "offer_chart")
    st.markdown("**Capacity** (NYSE 312.03(c), registered shares, authorized shares)")
    _table(formatting.shown(_capacity_table(report)), "offer_capacity")
    st.markdown("**The 2002 exchanges beside Lucent's reported inducement**")
    _table(formatting.shown(pd.DataFrame(replay["exchanges"]), ("date",)), "offer_replay")
    st.caption(safe.text(formats.human_dates(replay["explanation"])))
