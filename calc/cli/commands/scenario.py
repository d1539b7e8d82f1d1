"""``python -m calc scenario``: one deterministic scenario: summary, timeline, holders, workbook."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from calc.cli.arg_types import number
from calc.cli.flags import add_ledger_flags, add_monte_carlo_flags, add_scenario_flags, ledger_from_args
from calc.cli.json_output import print_json
from calc.cli.progress import ProgressBar
from calc.data import load_terms
from calc.eps import lucent_diluted_eps
from calc.errors import InputError
from calc.grants_csv import read_grants_csv
from calc.ledger import Event
from calc.montecarlo import MonteCarloResult, run_monte_carlo
from calc.options import positions_frame
from calc.output import OutputPlan, Sink, plan_outputs
from calc.params import ScenarioParams
from calc.record import inputs_record
from calc.scenario import SUMMARY_KEYS, ScenarioResult, run_scenario
from calc.workbook import WorkbookData, workbook_bytes

CSV_FLAGS = ("--timeline", "--holders-out")
DEPRECATED_HOLDERS = "note: scenario --holders is deprecated (it writes; `export --holders` reads): use --holders-out"
MC_VOLATILITY, MC_PATHS = 0.6, 10_000  # as `montecarlo`


def configure(parser: argparse.ArgumentParser) -> None:
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    out = parser.add_argument_group("outputs (each CSV gets NAME.inputs.json beside it: the inputs that made it)")
    out.add_argument(
        "--timeline", metavar="FILE.csv", help="write the event timeline CSV here ('-' for standard output)"
    )
    out.add_argument(
        "--holders-out",
        metavar="FILE.csv",
        help="write the holder table (holders and fund families) CSV here ('-' for standard output)",
    )
    out.add_argument("--holders", dest="holders_deprecated", metavar="FILE.csv", help=argparse.SUPPRESS)
    out.add_argument(
        "--xlsx",
        metavar="FILE.xlsx",
        help="write an Excel workbook: Inputs, Summary, Timeline, Holders, Monte Carlo (with "
        "--volatility/--paths), Options and EPS (with --grants/--net-income), Sources",
    )
    out.add_argument("--excel", action="store_true", help="CSV with UTF-8 byte-order mark for spreadsheets")
    out.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    book = parser.add_argument_group("workbook only (--xlsx)")
    add_monte_carlo_flags(book, volatility=None, paths=None, seed=None, purpose="add the Monte Carlo sheet: ")
    book.add_argument("--grants", metavar="FILE.csv", help="grants CSV: option positions on the horizon")
    book.add_argument(
        "--net-income",
        type=number,
        metavar="USD",
        help="income (loss) from continuing operations before preferred dividends, USD: diluted EPS",
    )


def _holders_flag(args: argparse.Namespace) -> None:
    """Fold the deprecated ``--holders`` into ``--holders-out`` (``run`` notes it on stderr)."""
    if args.holders_deprecated is None:
        return
    if args.holders_out is not None:
        raise InputError("give --holders-out only (--holders is its deprecated name)")
    args.holders_out = args.holders_deprecated


def _workbook_only(args: argparse.Namespace) -> None:
    given = [
        f"--{k.replace('_', '-')}"
        for k in ("volatility", "paths", "seed", "grants", "net_income")
        if getattr(args, k) is not None
    ]
    if given and args.xlsx is None:
        raise InputError(f"{', '.join(given)} only feed the workbook: add --xlsx FILE.xlsx")


def run(args: argparse.Namespace) -> int:
    _holders_flag(args)
    _workbook_only(args)
    plan = plan_outputs(
        {"--events": args.events, "--grants": args.grants},
        {"--timeline": args.timeline, "--holders-out": args.holders_out, "--xlsx": args.xlsx},
        sidecars=CSV_FLAGS,
    )
    params, events = ledger_from_args(args)
    result = run_scenario(params, events=events)
    record = inputs_record("scenario", args, params, {"--events": args.events, "--grants": args.grants})
    frames = {"--timeline": result.timeline, "--holders-out": result.holders}
    csv = {flag: frames[flag] for flag in plan.requested(CSV_FLAGS)}
    writers: dict[str, Callable[[Sink], None]] = {}
    if args.xlsx is not None:
        data = workbook_data(args, params, events, result, record)
        writers["--xlsx"] = lambda sink: _write_bytes(sink, workbook_bytes(data))
    plan.write(writers | plan.frame_writers(csv, args.excel, record))
    if args.holders_deprecated is not None:  # said once the command has succeeded, never among errors
        print(DEPRECATED_HOLDERS, file=sys.stderr)
    with plan.reporting():
        return _report(args, params, result, plan, bool(events))


def _write_bytes(sink: Sink, data: bytes) -> None:
    sink.write(data)


def _monte_carlo(
    args: argparse.Namespace, params: ScenarioParams, events: tuple[Event, ...]
) -> MonteCarloResult | None:
    if args.volatility is None and args.paths is None and args.seed is None:
        return None
    volatility = MC_VOLATILITY if args.volatility is None else args.volatility
    paths = MC_PATHS if args.paths is None else args.paths
    progress = ProgressBar(sys.stderr, "paths")
    try:
        return run_monte_carlo(params, volatility, paths, args.seed or 0, progress=progress, events=events)
    finally:
        progress.clear()


def workbook_data(
    args: argparse.Namespace,
    params: ScenarioParams,
    events: tuple[Event, ...],
    result: ScenarioResult,
    record: dict[str, object],
) -> WorkbookData:
    """The workbook's sheets; Options and EPS on the horizon at the scenario price (assumptions)."""
    terms = load_terms()
    grants = read_grants_csv(args.grants) if args.grants else []
    price = Decimal(repr(params.price))
    options = positions_frame(grants, params.horizon, price) if args.grants else None
    eps = (
        None
        if args.net_income is None
        else lucent_diluted_eps(
            terms,
            net_income_usd=Fraction(args.net_income),
            basic_shares=params.base_shares,
            date=params.horizon,
            average_price_usd=price,
            grants=grants,
        )
    )
    return WorkbookData(params, result, record, terms, _monte_carlo(args, params, events), options, eps)


def _json_value(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,.4f}" if isinstance(value, float) else f"{value:,}"


def _report(
    args: argparse.Namespace, params: ScenarioParams, result: ScenarioResult, plan: OutputPlan, events: bool
) -> int:
    summary = {key: _json_value(result.summary[key]) for key in SUMMARY_KEYS}
    if args.json:
        print_json(summary)
        return 0
    print("scenario: " + ", ".join(f"{k}={v}" for k, v in params.as_dict().items()))
    columns = [
        "date",
        "event",
        "price_usd",
        "preferred_outstanding",
        "dividend_shares",
        "conversion_shares",
        "redemption_shares",
        "total_common_shares",
        "new_shares_pct",
    ]
    if events:
        columns.insert(7, "exchange_shares")
    print(result.timeline[columns].to_string(index=False))
    for key in SUMMARY_KEYS:
        print(f"{key:22} {_display(summary[key])}")
    for line in plan.wrote():
        print(line)
    return 0
