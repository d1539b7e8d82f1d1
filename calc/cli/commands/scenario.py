"""``python -m calc scenario``: one deterministic scenario: summary, timeline, holders."""

from __future__ import annotations

import argparse

from calc.cli.flags import add_ledger_flags, add_scenario_flags, ledger_from_args
from calc.cli.json_output import print_json
from calc.output import OutputPlan, plan_outputs
from calc.params import ScenarioParams
from calc.scenario import SUMMARY_KEYS, ScenarioResult, run_scenario


def configure(parser: argparse.ArgumentParser) -> None:
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    parser.add_argument("--timeline", help="write the event timeline CSV here ('-' for standard output)")
    parser.add_argument("--holders",
                        help="write the holder table (holders and fund families) CSV here ('-' for standard output)")
    parser.add_argument("--excel", action="store_true", help="CSV with UTF-8 byte-order mark for spreadsheets")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def _json_value(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,.4f}" if isinstance(value, float) else f"{value:,}"


def run(args: argparse.Namespace) -> int:
    plan = plan_outputs({"--events": args.events}, {"--timeline": args.timeline, "--holders": args.holders})
    params, events = ledger_from_args(args)
    result = run_scenario(params, events=events)
    frames = {"--timeline": result.timeline, "--holders": result.holders}
    plan.write_frames({flag: frames[flag] for flag in plan.targets}, excel=args.excel)
    with plan.reporting():
        return _report(args, params, result, plan, bool(events))


def _report(args: argparse.Namespace, params: ScenarioParams, result: ScenarioResult, plan: OutputPlan,
            events: bool) -> int:
    summary = {key: _json_value(result.summary[key]) for key in SUMMARY_KEYS}
    if args.json:
        print_json(summary)
        return 0
    print("scenario: " + ", ".join(f"{k}={v}" for k, v in params.as_dict().items()))
    columns = ["date", "event", "price_usd", "preferred_outstanding", "dividend_shares", "conversion_shares",
               "redemption_shares", "total_common_shares", "new_shares_pct"]
    if events:
        columns.insert(7, "exchange_shares")
    print(result.timeline[columns].to_string(index=False))
    for key in SUMMARY_KEYS:
        print(f"{key:22} {_display(summary[key])}")
    for line in plan.wrote():
        print(line)
    return 0
