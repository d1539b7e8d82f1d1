"""``python -m calc breakeven``: exchange preferred for common now, or wait?"""

from __future__ import annotations

import argparse

from calc.inputs.data import load_caps, load_terms
from calc.model.breakeven import breakeven_report, setup
from cli.arg_types import iso_date, positive_decimal
from cli.flags import add_ledger_flags, add_monte_carlo_flags, add_scenario_flags, scenario_from_args
from cli.json_output import print_json
from cli.text_output import field_text


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--common-per-preferred",
        type=positive_decimal,
        required=True,
        metavar="R",
        help="common shares per preferred share offered in the exchange (2002 deals: 331.43, 380)",
    )
    parser.add_argument("--date", type=iso_date, help="exchange date (default: the valuation date)")
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    add_monte_carlo_flags(parser, volatility=None, purpose="Monte Carlo statistics: ")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    resolved = scenario_from_args(args)
    day = args.date.isoformat() if args.date else None
    s = setup(
        resolved.params,
        day,
        resolved.events,
        book=resolved.book,
        terms=load_terms(),
        prices_path=resolved.prices,
        caps=load_caps(),
    )
    report = breakeven_report(s, float(args.common_per_preferred), args.volatility, args.paths, args.seed)
    if args.json:
        print_json(report)
        return 0
    for key, value in report.items():
        shown = "none (wait never equals R on $0.01..$1,000)" if value is None else field_text(key, value)
        print(f"{key:40} {shown}")
    return 0
