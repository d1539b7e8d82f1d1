"""Scenario parameters: one set of names for the Python API, the CLI flags
(``--dividend-policy`` for ``dividend_policy``) and the batch grid's columns.

``calc.inputs.params.parse_params`` turns a mapping of names to values (strings from a CSV or the
command line, or Python values) into a frozen ``ScenarioParams``; every unknown
name and every value that breaks its rule (``SPECS``, ``range_problems``) is reported at once in an ``InputError``.
Missing names and empty strings take the defaults.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from calc.errors import Problem
from calc.model.holder_bases import BASES, HOLDER_BASES
from calc.model.terms import Terms

DIVIDEND_POLICIES = ("cash", "stock", "accrue")
PUT_POLICIES = ("none", "all", "rational")
SETTLEMENTS = ("cash", "stock")
CONVERSION_POLICIES = ("none", "all", "rational")
CALL_POLICIES = ("none", "rational", "date")
CASH_PUT_CHOICES = ("no", "yes")  # cash_put_allowed (calc.model.capacity: the capacity policy)


@dataclass(frozen=True)
class ScenarioParams:
    """One scenario. Build with ``default_params`` / ``parse_params`` (defaults come from the terms)."""

    price: float  # USD
    annual_drift: float
    valuation_date: dt.date
    horizon: dt.date
    dividend_policy: str
    sale_factor: float
    put: str
    put_settlement: str
    put_factor: float
    conversion: str
    conversion_date: dt.date | None  # None: the valuation date
    exchange_date: dt.date | None  # None: no exchange
    base_shares: int
    holder_basis: str
    call: str = "none"
    call_date: dt.date | None = None  # call = date only
    call_trigger_pct: float = 20.0
    cash_put_allowed: str = "no"  # "yes": a stock settlement that would breach a cap is paid in cash

    @property
    def effective_conversion_date(self) -> dt.date:
        return self.conversion_date or self.valuation_date

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# Accepted ranges (inclusive). Price: a cent (the smallest quoted tick) to $100,000. Drift: −99% to
# +1,000% a year; over the instrument's life (to 2031) that spans price moves of 10^-60 to 10^31,
# far past any plausible path. Factors: a realization of at least 1% of the price (a smaller
# factor is not a sale at market). Base shares: up to 10^13 (Lucent had 3.5 × 10^9 outstanding
# and 10^10 authorized). Dates: from the issue (first conversion-rate) date to the mandatory
# redemption date, after which nothing is outstanding.
PRICE_RANGE_USD = (0.01, 100_000.0)
DRIFT_RANGE = (-0.99, 10.0)
FACTOR_RANGE = (0.01, 1.0)
BASE_SHARES_RANGE = (1, 10**13)
CALL_TRIGGER_RANGE_PCT = (0.0, 1000.0)  # a cushion of up to 10× the call price


def _span(bounds: tuple[float, float]) -> str:
    """'0.01 to 100,000' for a (low, high) range."""
    return " to ".join(f"{x:,}" if isinstance(x, int) else f"{x:,.10g}" for x in bounds)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str  # "float", "int", "date", "optional_date", "choice"
    help: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None  # inclusive range for numbers (shown in ``help``)
    label: str = ""  # the dashboard's words for it (the unit is added there)
    group: str = ""  # the sidebar group; groups appear in the order of their first parameter
    default_source: str = ""  # the terms field whose value is the default (empty: a product default, an assumption)

    @property
    def flag(self) -> str:
        """The CLI flag: ``--dividend-policy`` for ``dividend_policy``."""
        return "--" + self.name.replace("_", "-")


SPECS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "price",
        "float",
        f"common price at the valuation date, {_span(PRICE_RANGE_USD)}",
        "USD",
        bounds=PRICE_RANGE_USD,
        label="Common price",
        group="Market",
        default_source="market.closing_price_usd",
    ),
    ParamSpec(
        "annual_drift",
        "float",
        f"deterministic path: price × (1 + drift)^years, drift {_span(DRIFT_RANGE)}",
        "per year",
        bounds=DRIFT_RANGE,
        label="Annual price drift",
        group="Market",
    ),
    ParamSpec(
        "valuation_date",
        "date",
        "start of the projection; LP is $1,000.00 here; from the issue date to the mandatory redemption date",
        "YYYY-MM-DD",
        label="Valuation date",
        group="Projection window",
        default_source="market.valuation_date",
    ),
    ParamSpec(
        "horizon",
        "date",
        "last date projected, on or after the valuation date and on or before the mandatory redemption date",
        "YYYY-MM-DD",
        label="Horizon",
        group="Projection window",
        default_source="preferred.put_dates",
    ),
    ParamSpec(
        "dividend_policy",
        "choice",
        "how every dividend in the window is paid",
        choices=DIVIDEND_POLICIES,
        label="Dividends paid in",
        group="Dividends",
    ),
    ParamSpec(
        "sale_factor",
        "float",
        f"stock dividends: fraction of the price the transfer agent realizes, {_span(FACTOR_RANGE)}",
        bounds=FACTOR_RANGE,
        label="Sale factor (stock dividends)",
        group="Dividends",
    ),
    ParamSpec(
        "put",
        "choice",
        "holder behaviour at put dates in the window",
        choices=PUT_POLICIES,
        label="Holder put",
        group="Puts and mandatory redemption",
    ),
    ParamSpec(
        "put_settlement",
        "choice",
        "how the issuer settles puts and the mandatory redemption",
        choices=SETTLEMENTS,
        label="Put settled in",
        group="Puts and mandatory redemption",
    ),
    ParamSpec(
        "put_factor",
        "float",
        f"stock-settled puts: stock valued at price × put_factor, {_span(FACTOR_RANGE)}",
        bounds=FACTOR_RANGE,
        label="Put share valuation factor",
        group="Puts and mandatory redemption",
    ),
    ParamSpec(
        "conversion",
        "choice",
        "holder conversion: none, all (at conversion_date) or rational (at put dates "
        "when in the money; put = rational also converts in the money)",
        choices=CONVERSION_POLICIES,
        label="Conversion",
        group="Conversion and exchange",
    ),
    ParamSpec(
        "conversion_date",
        "optional_date",
        "date for conversion = all (empty: the valuation date)",
        "YYYY-MM-DD",
        label="Conversion date",
        group="Conversion and exchange",
    ),
    ParamSpec(
        "exchange_date",
        "optional_date",
        "issuer exchanges all preferred into debentures (empty: never)",
        "YYYY-MM-DD",
        label="Exchange for debentures on",
        group="Conversion and exchange",
    ),
    ParamSpec(
        "base_shares",
        "int",
        f"common shares outstanding before the preferred's effects, {_span(BASE_SHARES_RANGE)}",
        "shares",
        bounds=BASE_SHARES_RANGE,
        label="Base common shares",
        group="Market",
        default_source="market.common_shares_outstanding",
    ),
    ParamSpec(
        "holder_basis",
        "choice",
        " or ".join(f"{b.name} ({b.help})" for b in BASES),
        choices=HOLDER_BASES,
        label="Holder basis",
        group="Holder table",
    ),
    ParamSpec(
        "call",
        "choice",
        "issuer call from Aug 1, 2006: none, rational (at dividend dates once conversion "
        "value ≥ call price × (1 + call_trigger_pct/100): the class converts) or date (calls all on call_date: "
        "in the money converts, the rest is redeemed per put_settlement)",
        choices=CALL_POLICIES,
        label="Issuer call",
        group="Issuer call",
    ),
    ParamSpec(
        "call_date",
        "optional_date",
        "date of the call for call = date, on or after Aug 1, 2006",
        "YYYY-MM-DD",
        label="Call date",
        group="Issuer call",
    ),
    ParamSpec(
        "call_trigger_pct",
        "float",
        "call = rational: cushion of conversion value over the call price, "
        f"{_span(CALL_TRIGGER_RANGE_PCT)} (assumption)",
        "percent",
        bounds=CALL_TRIGGER_RANGE_PCT,
        label="Call trigger",
        group="Issuer call",
        default_source="preferred.call_trigger_pct",
    ),
    ParamSpec(
        "cash_put_allowed",
        "choice",
        "capacity policy: yes settles in cash a stock-settled put, call or redemption whose shares would need "
        "shareholder approval (NYSE 20 percent rule) or exceed the authorized shares; no (default, an "
        "assumption: the credit facilities prohibited a cash put) issues the stock and records the breach",
        choices=CASH_PUT_CHOICES,
        label="Cash when a cap binds",
        group="Puts and mandatory redemption",
    ),
)
SPEC_BY_NAME = {s.name: s for s in SPECS}
PARAM_NAMES = tuple(s.name for s in SPECS)


def problem(name: str, rule: str, value: str | None = None) -> Problem:
    """A problem of one parameter: ``name: 'value' rule`` (``line L, column name: ...`` in a grid row)."""
    return Problem(rule, column=name, value=value, column_label=False)


def shown_value(value: Any) -> str:
    """A value for an error message, cut to 40 characters."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text):,} characters)"


def range_problems(p: ScenarioParams, terms: Terms) -> list[Problem]:
    problems = []
    for spec in SPECS:
        value = getattr(p, spec.name)
        if spec.bounds is not None and not spec.bounds[0] <= value <= spec.bounds[1]:
            unit = f" {spec.unit}" if spec.unit in ("USD", "shares") else ""
            problems.append(problem(spec.name, f"{shown_value(value)} must be from {_span(spec.bounds)}{unit}"))
    first = terms.preferred.issue_date
    last = terms.preferred.mandatory_redemption_date
    if not first <= p.valuation_date <= last:
        problems.append(
            problem(
                "valuation_date",
                f"{p.valuation_date} must be between the issue date {first} and the mandatory redemption date {last}",
            )
        )
    if p.horizon < p.valuation_date:
        problems.append(problem("horizon", f"{p.horizon} must be on or after valuation_date {p.valuation_date}"))
    if p.horizon > last:
        problems.append(problem("horizon", f"{p.horizon} must be on or before the mandatory redemption date {last}"))
    if p.conversion == "all" and not p.valuation_date <= p.effective_conversion_date <= p.horizon:
        problems.append(
            problem(
                "conversion_date",
                f"{p.effective_conversion_date} must lie between valuation_date "
                f"{p.valuation_date} and horizon {p.horizon} when conversion = all",
            )
        )
    first_conversion = terms.preferred.conversion_not_before
    if p.conversion == "all" and p.effective_conversion_date < first_conversion:
        problems.append(
            problem(
                "conversion_date",
                f"{p.effective_conversion_date} is before {first_conversion}, "
                "when conversion first becomes exercisable",
            )
        )
    if p.dividend_policy == "stock" and not terms.preferred.stock_dividends_allowed:
        problems.append(
            problem("dividend_policy", "stock is not allowed by the terms (preferred.stock_dividends_allowed)")
        )
    problems += _call_problems(p, terms)
    if p.exchange_date is not None and not p.valuation_date <= p.exchange_date <= p.horizon:
        problems.append(
            problem(
                "exchange_date",
                f"{p.exchange_date} must lie between valuation_date {p.valuation_date} and horizon {p.horizon}",
            )
        )
    return problems


def _call_problems(p: ScenarioParams, terms: Terms) -> list[Problem]:
    problems: list[Problem] = []
    if p.call != "date":
        return problems
    first = terms.preferred.issuer_call_from
    if p.call_date is None:
        problems.append(problem("call_date", "required when call = date"))
    elif p.call_date < first:
        problems.append(problem("call_date", f"{p.call_date} is before {first}, the first date the issuer may call"))
    elif not p.valuation_date <= p.call_date <= p.horizon:
        problems.append(
            problem(
                "call_date",
                f"{p.call_date} must lie between valuation_date {p.valuation_date} "
                f"and horizon {p.horizon} when call = date",
            )
        )
    return problems
