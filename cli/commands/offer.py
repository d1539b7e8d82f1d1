"""``python -m calc offer``: what an exchange offer of R common per preferred is worth, costs and is capped by."""

from __future__ import annotations

import argparse
from fractions import Fraction

from calc.inputs.data import load_desk
from calc.model.inducement import inducement_comparison
from calc.model.offer import DEFAULT_RATE, DEFAULT_VOLATILITY, Offer, evaluate
from cli.arg_types import iso_date, positive_decimal, positive_whole_number, real_number, whole_number
from cli.json_output import print_json
from cli.text_output import field_text


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--common-per-preferred",
        type=positive_decimal,
        required=True,
        metavar="R",
        help="common shares offered per preferred share (2002 deals: 331.43, 380)",
    )
    parser.add_argument("--date", type=iso_date, required=True, metavar="D", help="offer date (YYYY-MM-DD)")
    parser.add_argument("--price", type=positive_decimal, required=True, metavar="S", help="common price on D, USD")
    parser.add_argument(
        "--lp-usd", type=positive_decimal, default=None, help="accreted liquidation preference on D (default 1,000)"
    )
    parser.add_argument(
        "--preferred-shares",
        type=positive_whole_number,
        help="preferred the offer retires (default: the class outstanding on D after the replayed 2002 exchanges)",
    )
    parser.add_argument(
        "--base-shares", type=positive_whole_number, help="common outstanding before the issuance (default: on D)"
    )
    parser.add_argument(
        "--carrying-value-usd",
        type=real_number,
        metavar="C",
        help="carrying amount of the preferred retired (default: n × $1,680M / 1,710,000, 2003 annual report)",
    )
    parser.add_argument(
        "--related-common-shares",
        type=whole_number,
        default=0,
        help="common issued earlier in a series of related issuances (NYSE 20%% counted on the series)",
    )
    parser.add_argument("--weighted-shares", type=positive_whole_number, help="the period's weighted basic shares W")
    parser.add_argument(
        "--income-available-usd", type=real_number, help="the period's income available to common before D-42"
    )
    parser.add_argument(
        "--volatility", type=real_number, default=DEFAULT_VOLATILITY, help="for the implied spread (default 0.6)"
    )
    parser.add_argument(
        "--rate", type=real_number, default=DEFAULT_RATE, help="risk-free rate for the implied spread (default 0.03)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    offer = Offer(
        ratio=Fraction(args.common_per_preferred),
        date=args.date,
        price_usd=float(args.price),
        lp_usd=float(args.lp_usd) if args.lp_usd is not None else 1000.0,
        preferred_shares=args.preferred_shares,
        base_shares=args.base_shares,
        volatility=args.volatility,
        rate=args.rate,
        carrying_value_usd=args.carrying_value_usd,
        related_common_shares=args.related_common_shares,
        weighted_shares=args.weighted_shares,
        income_available_usd=args.income_available_usd,
    )
    desk = load_desk()
    replay = inducement_comparison(desk.terms, desk.facts, desk.history)
    report = evaluate(offer, desk) | {"replayed_2002_exchanges": replay}
    if args.json:
        print_json(report)
        return 0
    _print_text(report)
    return 0


def _print_text(report: dict[str, object]) -> None:
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for sub, item in value.items():
                if isinstance(item, list):
                    for line in item:
                        print(f"  {sub:24} " + field_text(sub, line))
                else:
                    print(f"  {sub:38} {field_text(sub, item)}")
        else:
            print(f"{key:40} {field_text(key, value)}")
