"""``python -m calc eps``: diluted share count and diluted EPS (ASC 260) with the waterfall."""

from __future__ import annotations

import argparse

from calc.inputs.data import load_terms
from calc.inputs.grants_csv import read_grants_csv
from calc.model.conversion import MAX_USD_PER_SHARE
from calc.model.eps import (
    DilutedEps,
    eps_defaults,
    lucent_diluted_eps,
    waterfall_rows,
)
from calc.model.inputs_registry import BASIC_SHARES, NET_INCOME, PERIOD_YEARS, TAX_RATE, span
from calc.outputs.formats import day, price, shares, usd
from cli.arg_types import exact_number, input_path, iso_date, positive_decimal, tax_rate, whole_number
from cli.json_output import print_json


def configure(parser: argparse.ArgumentParser) -> None:
    market = load_terms().market
    defaults = eps_defaults(load_terms())
    parser.add_argument(
        NET_INCOME.flag,
        type=exact_number,
        required=True,
        help=f"required: {NET_INCOME.help}; from {span(NET_INCOME)} (a loss: {NET_INCOME.flag} -1e9)",
    )
    parser.add_argument(
        BASIC_SHARES.flag,
        type=whole_number,
        default=defaults.basic_shares,
        help=f"{BASIC_SHARES.help}, {span(BASIC_SHARES)} (default {market.common_shares_outstanding:,})",
    )
    close = day(market.closing_price_date)
    parser.add_argument(
        "--price",
        type=positive_decimal,
        default=defaults.average_price_usd,
        help="AVERAGE common price for the period, USD, for the treasury stock method "
        f"(default {market.closing_price_usd} = the {close} closing price, used only "
        "as a stand-in for the period average; pass the real average); "
        f"> 0 and at most {MAX_USD_PER_SHARE:,}",
    )
    parser.add_argument(
        "--date",
        type=iso_date,
        default=defaults.date,
        help=f"period end YYYY-MM-DD; exercisable options are measured on this date, not weighted "
        f"over the period (default {market.common_shares_outstanding_date})",
    )
    parser.add_argument("--grants", type=input_path, help="grants CSV for the options (omit: no options)")
    parser.add_argument(
        PERIOD_YEARS.flag,
        type=exact_number,
        default=defaults.period_years,
        help=f"{PERIOD_YEARS.help}, > 0 and at most {PERIOD_YEARS.bounds[1]} (default {defaults.period_years})",
    )
    parser.add_argument(
        "--exchanged", action="store_true", help="the preferred has been exchanged for the 8.00%% debentures"
    )
    parser.add_argument(
        TAX_RATE.flag,
        type=tax_rate,
        default=defaults.tax_rate,
        help=f"{TAX_RATE.help} for the after-tax debenture interest (default {defaults.tax_rate}, an "
        "assumption: see calc.model.eps.DEFAULT_TAX_RATE)",
    )
    initial_lp = defaults.lp_usd
    parser.add_argument(
        "--liquidation-preference",
        type=positive_decimal,
        default=initial_lp,
        help=f"accreted liquidation preference per preferred share, USD, > 0 and at most "
        f"{MAX_USD_PER_SHARE:,} (default {initial_lp})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def payload(result: DilutedEps) -> dict[str, object]:
    return {
        "net_income_usd": float(result.net_income_usd),
        "preferred_dividends_usd": float(result.preferred_dividends_usd),
        "basic_numerator_usd": float(result.basic_numerator_usd),
        "basic_shares": result.basic_shares,
        "basic_eps_usd": float(result.basic_eps_usd),
        "diluted_numerator_usd": float(result.diluted_numerator_usd),
        "diluted_shares": result.diluted_shares,
        "diluted_eps_usd": float(result.diluted_eps_usd),
        "waterfall": waterfall_rows(result),
    }


def run(args: argparse.Namespace) -> int:
    grants = read_grants_csv(args.grants) if args.grants else []
    result = lucent_diluted_eps(
        load_terms(),
        net_income_usd=args.net_income,
        basic_shares=args.basic_shares,
        date=args.date,
        average_price_usd=args.price,
        grants=grants,
        period_years=args.period_years,
        exchanged=args.exchanged,
        tax_rate=args.tax_rate,
        lp_usd=args.liquidation_preference,
    )
    if args.json:
        print_json(payload(result))
        return 0
    print(f"{'step':45s} {'shares':>16s}  {'add-back':>16s}  {'incr. EPS':>10s}  status")
    for row in waterfall_rows(result):
        inc = price(row["incremental_eps_usd"])
        status = row["reason"] if row["reason"] else ""
        print(
            f"{row['step']:45s} {shares(row['incremental_shares']):>16s}  {usd(row['numerator_addback_usd']):>16s}  "
            f"{inc:>10s}  {status}"
        )
    print(f"basic EPS:   {price(float(result.basic_eps_usd))}  ((NI − preferred dividends) / basic shares)")
    print(f"diluted EPS: {price(float(result.diluted_eps_usd))}")
    return 0
