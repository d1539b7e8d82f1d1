"""``python -m calc value``: fair value of the preferred on a credit-adjusted lattice (``calc.model.valuation``)."""

from __future__ import annotations

import argparse
from typing import Any

from calc.errors import InputError, Problem
from calc.inputs.data import load_terms
from calc.inputs.params import parse_params
from calc.model.implied_spread import implied_spread
from calc.model.inputs_registry import VALUE_PRICE, VALUE_RATE, VALUE_SPREAD, VALUE_STEPS, VALUE_VOLATILITY, span
from calc.model.lattice import CONVENTIONS
from calc.model.params import SPEC_BY_NAME
from calc.model.valuation import (
    IMPLIED_SPREAD_MAX,
    ValuationPolicy,
    spread_from_hazard,
    value_preferred,
)
from cli.arg_types import iso_date, positive_whole_number, real_number
from cli.flags import as_flags
from cli.json_output import print_json
from cli.text_output import field_text

POLICY_FLAGS = ("dividend_policy", "put_settlement", "put_factor", "call", "call_date", "call_trigger_pct")
FLAG_OF = {  # calc.model.valuation's field names -> this command's flags
    "price_usd": VALUE_PRICE.flag,
    "volatility_rate": VALUE_VOLATILITY.flag,
    "risk_free_rate": VALUE_RATE.flag,
    "spread_rate": VALUE_SPREAD.flag,
    "steps": VALUE_STEPS.flag,
    "valuation_date": "--valuation-date",
    "convention": "--convention",
}


def configure(parser: argparse.ArgumentParser) -> None:
    terms = load_terms()
    parser.add_argument(
        VALUE_PRICE.flag, type=real_number, required=True, help=f"{VALUE_PRICE.help} ({span(VALUE_PRICE)})"
    )
    parser.add_argument(
        VALUE_VOLATILITY.flag,
        type=real_number,
        required=True,
        help=f"{VALUE_VOLATILITY.help}, {span(VALUE_VOLATILITY)}",
    )
    parser.add_argument(
        VALUE_RATE.flag,
        type=real_number,
        required=True,
        help=f"{VALUE_RATE.help}, {span(VALUE_RATE)}".replace("%", "%%"),
    )
    credit = parser.add_argument_group("credit (give --spread, --hazard-rate, or --target-value)")
    credit.add_argument(VALUE_SPREAD.flag, type=real_number, help=f"{VALUE_SPREAD.help}, {span(VALUE_SPREAD)}")
    credit.add_argument("--hazard-rate", type=real_number, help="default intensity λ a year (spread = λ × (1 − R))")
    credit.add_argument(
        "--recovery", type=real_number, default=0.0, help="recovery R of the preferred's cash claims, 0 to < 1"
    )
    credit.add_argument(
        "--target-value",
        type=real_number,
        metavar="USD",
        help=f"solve for the spread (0 to {IMPLIED_SPREAD_MAX * 100:.0f} %%) at which the value per $1,000 is USD",
    )
    parser.add_argument(
        VALUE_STEPS.flag,
        type=positive_whole_number,
        default=VALUE_STEPS.default,
        help=f"{VALUE_STEPS.help}, {span(VALUE_STEPS)} (default {VALUE_STEPS.default})",
    )
    parser.add_argument(
        "--valuation-date", type=iso_date, help=f"YYYY-MM-DD (default {terms.market.valuation_date}); LP = $1,000"
    )
    parser.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default="hazard",
        help="hazard (jump to default, the default), tf (Tsiveriotis–Fernandes split) or quantlib "
        "(QuantLib's BinomialConvertibleEngine, for comparison)",
    )
    parser.add_argument(
        "--shares",
        type=positive_whole_number,
        default=terms.preferred.shares_issued,
        help=f"preferred shares in the class (default {terms.preferred.shares_issued:,})",
    )
    group = parser.add_argument_group("scenario policies (as in `scenario`)")
    for name in POLICY_FLAGS:
        spec = SPEC_BY_NAME[name]
        choices = f" ({'|'.join(spec.choices)})" if spec.choices else ""
        group.add_argument(spec.flag, dest=name, metavar="VALUE", help=f"{spec.help}{choices}")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _policy(args: argparse.Namespace) -> ValuationPolicy:
    terms = load_terms()
    given: dict[str, Any] = {name: getattr(args, name) for name in POLICY_FLAGS if getattr(args, name) is not None}
    given["horizon"] = terms.preferred.mandatory_redemption_date
    if args.valuation_date is not None:
        given["valuation_date"] = args.valuation_date
    try:
        return ValuationPolicy.from_params(parse_params(given))
    except InputError as exc:
        raise InputError(str(exc.args[0]), as_flags(exc.problems)) from None


def _as_flags(exc: InputError) -> InputError:
    named = [
        Problem(p.rule, column=FLAG_OF.get(p.column or "", p.column), value=p.value, column_label=False)
        for p in exc.problems
    ]
    return InputError(str(exc.args[0]), named)


def _spread(args: argparse.Namespace) -> float | None:
    given = [flag for flag, v in (("--spread", args.spread), ("--hazard-rate", args.hazard_rate)) if v is not None]
    if args.target_value is not None:
        given.append("--target-value")
    if len(given) != 1:
        raise InputError(f"give exactly one of --spread, --hazard-rate, --target-value (given: {given or 'none'})")
    if args.hazard_rate is not None:
        try:
            return spread_from_hazard(args.hazard_rate, args.recovery)
        except InputError as exc:
            message = str(exc.args[0]).replace("hazard_rate:", "--hazard-rate:", 1)
            raise InputError(message.replace("recovery_rate:", "--recovery:", 1)) from None
    return args.spread


def run(args: argparse.Namespace) -> int:
    policy, spread = _policy(args), _spread(args)
    common = {
        "volatility_rate": args.volatility,
        "risk_free_rate": args.rate,
        "steps": args.steps,
        "valuation_date": args.valuation_date,
        "policy": policy,
        "convention": args.convention,
        "recovery_rate": args.recovery if args.hazard_rate is not None else 0.0,
        "terms": load_terms(),
    }
    payload: dict[str, Any] = {}
    try:
        if spread is None:
            solved = implied_spread(args.target_value, price_usd=args.price, **common)
            payload = {
                "target_value_usd": solved.target_usd,
                "implied_spread_rate": solved.spread_rate,
                "implied_spread_message": solved.message,
                "value_at_zero_spread_usd": solved.value_at_zero_usd,
                "value_at_max_spread_usd": solved.value_at_max_usd,
            }
            spread = solved.spread_rate
        if spread is not None:  # no implied spread: the answer is the message, no valuation
            payload = value_preferred(args.price, spread_rate=spread, shares=args.shares, **common).row() | payload
    except InputError as exc:
        raise _as_flags(exc) from None
    if args.json:
        print_json(payload)
        return 0
    for key, value in payload.items():
        print(f"{key:28} {field_text(key, value)}")
    return 0
