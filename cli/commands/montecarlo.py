"""``python -m calc montecarlo``: GBM price paths through one scenario's policies."""

from __future__ import annotations

import argparse
import sys

from calc.inputs.data import load_caps, load_terms
from calc.model.montecarlo import MonteCarloResult, run_monte_carlo
from calc.outputs import formats
from calc.outputs.files import OutputPlan, plan_outputs
from calc.outputs.record import history_file, inputs_record
from cli.flags import add_ledger_flags, add_monte_carlo_flags, add_scenario_flags, scenario_from_args
from cli.json_output import print_json
from cli.progress import ProgressBar


def configure(parser: argparse.ArgumentParser) -> None:
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    add_monte_carlo_flags(parser, volatility=0.6)
    parser.add_argument(
        "--out", help="write the percentiles of total common outstanding per date (CSV; '-' for standard output)"
    )
    parser.add_argument("--json", action="store_true", help="print the horizon percentiles as one JSON object")


def run(args: argparse.Namespace) -> int:
    plan = plan_outputs(
        {"--events": args.events, "--scenario": args.scenario}, {"--out": args.out}, sidecars=("--out",)
    )
    resolved = scenario_from_args(args)
    params, events = resolved.params, resolved.events
    progress = ProgressBar(sys.stderr, "paths")
    try:
        result = run_monte_carlo(
            params,
            args.volatility,
            args.paths,
            args.seed,
            progress=progress,
            events=events,
            book=resolved.book,
            exclude_over_limit=True,
            terms=load_terms(),
            caps=load_caps(),
            prices_path=resolved.prices,
        )
    finally:
        progress.clear()
    if args.out:
        files = {"--events": args.events, "--scenario": args.scenario, "--prices": args.prices}
        files |= history_file(resolved.doc.history)
        record = inputs_record("montecarlo", args, params, files, doc=resolved.doc)
        if result.coverage:  # the percentiles written are of the paths within the model limit: the sidecar says so
            record["statistics_note"] = result.coverage
        plan.write_frames({"--out": result.total_percentiles}, record=record)
    with plan.reporting():
        return _report(args, result, plan)


def _report(args: argparse.Namespace, result: MonteCarloResult, plan: OutputPlan) -> int:
    horizon = result.total_percentiles.iloc[-1]
    payload: dict[str, object] = {f"total_shares_{k}": int(horizon[k]) for k in ("p5", "p25", "p50", "p75", "p95")}
    payload["exceeds_authorized_probability"] = result.exceeds_authorized_probability
    payload |= {
        "paths": result.paths,
        "paths_over_model_limit": result.over_limit_paths,
        "paths_over_model_limit_share": result.over_limit_share,
        "statistics_paths": result.statistics_paths,  # the paths every figure above is of
    }
    if result.coverage:
        payload["statistics_note"] = result.coverage
    if result.capacity is not None:
        payload |= result.capacity.as_dict()
    if args.json:
        print_json(payload)
        return 0
    print(f"{args.paths:,} paths, volatility {formats.number(args.volatility)}, seed {args.seed}")
    if result.coverage:
        print(f"note: {result.coverage}")
    of = f" (of the {result.statistics_paths:,} paths within the model limit)" if result.coverage else ""
    table = result.total_percentiles.copy()
    table["date"] = table["date"].map(formats.day)
    for column in ("p5", "p25", "p50", "p75", "p95"):
        table[column] = table[column].map(lambda v: formats.shares(round(v)))
    print(table.to_string(index=False))
    print(f"P(total > authorized shares) = {result.exceeds_authorized_probability:.2%}{of}")
    if result.capacity is not None:
        print(f"capacity breaches (of all {result.paths:,} paths):")
        for name, p in result.capacity.probability.items():
            print(f"  P({name}) = {p:.2%}")
        for name, shares in result.capacity.shares_needed.items():
            print(f"  shares needed by a breaching settlement, {name}: {shares:,}")
    for line in plan.wrote():
        print(line)
    return 0
