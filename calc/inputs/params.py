"""Scenario parameters from names and values: strings from a CSV or the command line, or Python values.

``parse_params`` turns such a mapping into a frozen ``calc.model.params.ScenarioParams``; every unknown name and
every value that breaks its rule (``calc.model.params.SPECS`` and ``range_problems``) is reported at once in an
``InputError``. Missing names and empty strings take the defaults (``default_params``: from the terms).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

from calc.errors import InputError, Problem, echo
from calc.inputs.exchange_desk_toml import load_desk_facts
from calc.inputs.numbers import parse_float, parse_whole
from calc.inputs.terms_toml import load_terms
from calc.model.params import (
    CASH_PUT_CHOICES,
    PARAM_NAMES,
    SPEC_BY_NAME,
    ParamSpec,
    ScenarioParams,
    problem,
    range_problems,
)
from calc.model.terms import Terms


def default_params(terms: Terms | None = None) -> ScenarioParams:
    """Defaults: market figures from the terms file, horizon = the first holder put date, the capacity policy
    from the exchange-desk facts (``data/exchange_desk.toml``)."""
    terms = terms or load_terms()
    market = terms.market
    return ScenarioParams(
        price=float(market.closing_price_usd),
        annual_drift=0.0,
        valuation_date=market.valuation_date,
        horizon=terms.preferred.put_dates[0],
        dividend_policy="stock",
        sale_factor=1.0,
        put="rational",
        put_settlement="stock",
        put_factor=1.0,
        conversion="rational",
        conversion_date=None,
        exchange_date=None,
        base_shares=market.common_shares_outstanding,
        holder_basis="pro_rata",
        call="none",
        call_date=None,
        call_trigger_pct=float(terms.preferred.call_trigger_pct),
        cash_put_allowed=CASH_PUT_CHOICES[load_desk_facts().cash_put_allowed],
    )


def _to_float(value: Any) -> float:
    result = parse_float(value) if isinstance(value, str) else float(value)
    if not math.isfinite(result):
        raise ValueError
    return result


def _to_int(value: Any) -> int:
    if isinstance(value, str):
        return parse_whole(value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    return int(value)


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


CONVERTERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "float": (_to_float, "a number"),
    "int": (_to_int, "a whole number"),
    "date": (_to_date, "a date in YYYY-MM-DD form"),
    "optional_date": (_to_date, "a date in YYYY-MM-DD form or empty"),
}


def _is_empty(value: Any) -> bool:
    """None or blank text: the parameter takes its default. (A NaN is not empty: it is refused as a number.)"""
    return value is None or (isinstance(value, str) and value.strip() == "")


def _bad(name: str, rule: str, value: str | None = None) -> InputError:
    found = problem(name, rule, value)
    return InputError(str(found), (found,))


def _convert(spec: ParamSpec, value: Any) -> Any:
    if spec.kind == "choice":
        text = str(value).strip()
        if text not in spec.choices:
            raise _bad(spec.name, f"is not one of {', '.join(spec.choices)}", echo(text))
        return text
    convert, expected = CONVERTERS[spec.kind]
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        # a stored true/false or NaN is not a number: never read as 1, 0 or the default
        raise _bad(spec.name, f"is not {expected} (true/false, NaN and infinity are refused)", echo(value))
    try:
        return convert(value)
    except InputError as exc:  # a number text breaking the rule of calc.inputs.numbers
        raise _bad(spec.name, str(exc)) from None
    except (TypeError, ValueError, OverflowError):
        raise _bad(spec.name, f"is not {expected}", echo(value)) from None


def param_problems(
    values: Mapping[str, Any], terms: Terms | None = None
) -> tuple[ScenarioParams | None, list[Problem]]:
    """(params, []) when valid, else (None, every problem found)."""
    terms = terms or load_terms()
    problems = [
        problem(name, f"unknown parameter (known: {', '.join(PARAM_NAMES)})")
        for name in values
        if name not in SPEC_BY_NAME
    ]
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if name not in SPEC_BY_NAME or _is_empty(value):
            continue
        try:
            converted[name] = _convert(SPEC_BY_NAME[name], value)
        except InputError as exc:
            problems += exc.problems
    params = dataclasses.replace(default_params(terms), **converted)
    problems += range_problems(params, terms)
    return (None, problems) if problems else (params, [])


def parse_params(values: Mapping[str, Any] | None = None, terms: Terms | None = None) -> ScenarioParams:
    """Validated ``ScenarioParams`` from names and values; raises ``InputError`` listing every problem."""
    params, problems = param_problems(values or {}, terms)
    if params is None:
        raise InputError(f"invalid scenario: {len(problems)} problem(s)", tuple(problems))
    return params
