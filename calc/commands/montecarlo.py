"""``python -m calc montecarlo``: GBM price paths through one scenario's policies."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from calc.cli_params import add_ledger_flags, add_scenario_flags, ledger_from_args
from calc.cli_progress import ProgressBar
from calc.cli_types import whole_number
from calc.montecarlo import run_monte_carlo
from calc.output import write_csv

NAME = "montecarlo"
HELP = "Monte Carlo of total common outstanding (percentiles per event date) under GBM prices."


def configure(parser: argparse.ArgumentParser) -> None:
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    parser.add_argument("--volatility", type=float, default=0.6, help="annualized volatility (default 0.6)")
    parser.add_argument("--paths", type=whole_number, default=10_000, help="number of paths (default 10,000)")
    parser.add_argument("--seed", type=whole_number, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, help="write the percentiles of total common outstanding per date (CSV)")
    parser.add_argument("--json", action="store_true", help="print the horizon percentiles as one JSON object")


def run(args: argparse.Namespace) -> int:
    params, events = ledger_from_args(args)
    progress = ProgressBar(sys.stderr, "paths")
    try:
        result = run_monte_carlo(params, args.volatility, args.paths, args.seed, progress=progress, events=events)
    finally:
        progress.clear()
    horizon = result.total_percentiles.iloc[-1]
    if args.out:
        write_csv(result.total_percentiles, args.out)
    payload: dict[str, object] = {f"total_shares_{k}": int(horizon[k]) for k in ("p5", "p25", "p50", "p75", "p95")}
    payload["exceeds_authorized_probability"] = result.exceeds_authorized_probability
    if args.json:
        print(json.dumps(payload))
        return 0
    print(f"{args.paths:,} paths, volatility {args.volatility}, seed {args.seed}")
    print(result.total_percentiles.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print(f"P(total > authorized shares) = {result.exceeds_authorized_probability:.2%}")
    if args.out:
        print(f"wrote {args.out}")
    return 0
