"""``python -m calc convert``: common shares delivered for a number of preferred."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from calc.inputs.terms_toml import load_terms
from calc.model.conversion import MAX_USD_PER_SHARE, convert, rate_at, round_cents
from calc.outputs.formats import day, price, usd
from cli.arg_types import iso_date, positive_decimal, whole_number
from cli.json_output import print_json


def preferred_count(issued: int) -> Callable[[str], int]:
    """argparse type: a whole number of preferred shares from 0 to ``issued``."""

    def parse(text: str) -> int:
        value = whole_number(text)
        if value > issued:
            raise argparse.ArgumentTypeError(f"{value:,} is more than the {issued:,} preferred shares issued")
        return value

    return parse


def configure(parser: argparse.ArgumentParser) -> None:
    terms = load_terms()
    market, issued = terms.market, terms.preferred.shares_issued
    parser.add_argument(
        "--preferred",
        type=preferred_count(issued),
        required=True,
        help=f"preferred shares to convert, 0 to {issued:,} (the shares issued)",
    )
    parser.add_argument(
        "--date",
        type=iso_date,
        default=market.valuation_date,
        help=f"conversion date YYYY-MM-DD; picks the rate in force (default {market.valuation_date})",
    )
    initial_lp = terms.preferred.initial_liquidation_preference_usd
    parser.add_argument(
        "--liquidation-preference",
        type=positive_decimal,
        default=initial_lp,
        help=f"accreted liquidation preference per share, USD, > 0 and at most "
        f"{MAX_USD_PER_SHARE:,} (default {initial_lp})",
    )
    parser.add_argument(
        "--price",
        type=positive_decimal,
        default=market.closing_price_usd,
        help=f"common price for the cash in lieu, USD, > 0 and at most {MAX_USD_PER_SHARE:,} "
        f"(default {market.closing_price_usd})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    rate = rate_at(load_terms(), args.date)
    result = convert(args.preferred, lp_usd=args.liquidation_preference, rate=rate, price_usd=args.price)
    cash = round_cents(result.cash_in_lieu_usd)
    payload = {
        "conversion_rate": float(result.conversion_rate),
        "liquidation_preference_usd": float(result.liquidation_preference_usd),
        "common_shares": result.common_shares,
        "fractional_share": float(result.fractional_share),
        "cash_in_lieu_usd": float(cash),
    }
    if args.json:
        print_json(payload)
        return 0
    print(f"conversion date:          {day(args.date)}")
    print(f"conversion rate:          {result.conversion_rate} common per preferred (per $1,000 LP)")
    print(f"liquidation preference:   {price(result.liquidation_preference_usd)} per preferred")
    print(f"common shares delivered:  {result.common_shares:,} (floor of {args.preferred:,} × LP/1000 × rate)")
    print(f"fractional share:         {float(result.fractional_share):.6f}")
    print(f"cash in lieu:             {usd(cash)} at {price(args.price, 4)} per common share")
    return 0
