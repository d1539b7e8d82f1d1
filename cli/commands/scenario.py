"""``python -m calc scenario``: one deterministic scenario: summary, timeline, holders, workbook."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_desk_facts, load_terms
from calc.inputs.grants_csv import read_grants_csv
from calc.model.columns import holder_table, timeline_table, unit_of
from calc.model.eps import lucent_diluted_eps
from calc.model.issuance import ISSUANCE_SOURCES
from calc.model.ledger import Event
from calc.model.montecarlo import MonteCarloResult, run_monte_carlo
from calc.model.options import positions_frame
from calc.model.params import SPECS, ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario import SUMMARY_KEYS, ScenarioResult, run_scenario
from calc.outputs.files import OutputPlan, Sink, plan_outputs
from calc.outputs.formats import day, figure_value, input_value, pct, price
from calc.outputs.record import history_file, inputs_record
from calc.outputs.workbook import WorkbookData, workbook_bytes
from cli.arg_types import input_path, number
from cli.flags import add_ledger_flags, add_monte_carlo_flags, add_scenario_flags, scenario_from_args
from cli.json_output import print_json
from cli.progress import ProgressBar

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
    book.add_argument(
        "--grants", type=input_path, metavar="FILE.csv", help="grants CSV: option positions on the horizon"
    )
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
    if args.xlsx == "-":
        raise InputError(
            "--xlsx -: a workbook is a binary file; give a file name (on standard output it would be mixed with "
            "the text report)"
        )
    plan = plan_outputs(
        {"--events": args.events, "--grants": args.grants, "--scenario": args.scenario},
        {"--timeline": args.timeline, "--holders-out": args.holders_out, "--xlsx": args.xlsx},
        sidecars=CSV_FLAGS,
    )
    resolved = scenario_from_args(args)
    params, events = resolved.params, resolved.events
    result = run_scenario(
        params,
        book=resolved.book,
        events=events,
        terms=load_terms(),
        prices_path=resolved.prices,
        caps=load_caps(),
        facts=load_desk_facts(),
    )
    files = {"--events": args.events, "--grants": args.grants, "--scenario": args.scenario}
    files |= history_file(resolved.doc.history) | {"--prices": args.prices}
    record = inputs_record("scenario", args, params, files, doc=resolved.doc)
    frames = {"--timeline": timeline_table(result.timeline), "--holders-out": holder_table(result.holders)}
    csv = {flag: frames[flag] for flag in plan.requested(CSV_FLAGS)}
    writers: dict[str, Callable[[Sink], None]] = {}
    if args.xlsx is not None:
        data = workbook_data(args, params, events, result, record, resolved.prices)
        writers["--xlsx"] = lambda sink: _write_bytes(sink, workbook_bytes(data))
    plan.write(writers | plan.frame_writers(csv, args.excel, record))
    if args.holders_deprecated is not None:  # said once the command has succeeded, never among errors
        print(DEPRECATED_HOLDERS, file=sys.stderr)
    with plan.reporting():
        return _report(args, params, result, plan, bool(events), resolved.prices)


def _write_bytes(sink: Sink, data: bytes) -> None:
    sink.write(data)


def _monte_carlo(
    args: argparse.Namespace, params: ScenarioParams, events: tuple[Event, ...], prices: PricePath | None
) -> MonteCarloResult | None:
    if args.volatility is None and args.paths is None and args.seed is None:
        return None
    volatility = MC_VOLATILITY if args.volatility is None else args.volatility
    paths = MC_PATHS if args.paths is None else args.paths
    progress = ProgressBar(sys.stderr, "paths")
    try:
        return run_monte_carlo(
            params,
            volatility,
            paths,
            args.seed or 0,
            progress=progress,
            events=events,
            exclude_over_limit=True,
            terms=load_terms(),
            book=default_book(),
            caps=load_caps(),
            prices_path=prices,
        )
    finally:
        progress.clear()


def workbook_data(
    args: argparse.Namespace,
    params: ScenarioParams,
    events: tuple[Event, ...],
    result: ScenarioResult,
    record: dict[str, object],
    prices: PricePath | None = None,
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
    return WorkbookData(params, result, record, terms, _monte_carlo(args, params, events, prices), options, eps)


def _json_value(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def text_columns(events: bool) -> list[str]:
    """The timeline columns of the text report: one per source of
    ``calc.model.issuance.ISSUANCE_SOURCES`` (a ledger-only
    source, exchanges, only when ledger rows are given), between the event's columns and the totals."""
    sources = [s.timeline_column for s in ISSUANCE_SOURCES if events or not s.ledger_only]
    return ["date", "event", "price_usd", "preferred_outstanding", *sources, "total_common_shares", "new_shares_pct"]


def _cell(column: str, value: object) -> str:
    """A timeline cell as text (``calc.outputs.formats``; the CSV and --json keep full precision): dates as
    "Aug 2, 2004", prices to the cent (to 4 places where the price has them), percentages to 2 decimals, counts
    with separators."""
    if column == "date":
        return day(value)
    if unit_of(column) == "pct":
        return pct(value)
    if unit_of(column) == "USD":
        return price(value, 4)
    return input_value(_json_value(value))


def timeline_text(timeline: pd.DataFrame, columns: Sequence[str]) -> str:
    """The timeline as aligned columns: text left, numbers right."""
    cells = [[_cell(c, v) for c, v in zip(columns, row)] for row in timeline[list(columns)].itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    left = {"date", "event"}

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) if c in left else v.rjust(w) for c, v, w in zip(columns, values, widths)).rstrip()

    return "\n".join([line(columns), *(line(r) for r in cells)])


def summary_text(summary: Mapping[str, object]) -> str:
    """One figure a line, values right-aligned after the longest key, each as ``formats.figure_value`` writes it:
    counts with separators, percentages to 2 decimals, money to cents, yes/no."""
    width = max(map(len, summary))
    values = {key: figure_value(key, value) for key, value in summary.items()}
    right = max(map(len, values.values()))
    return "\n".join(f"{key:{width}}  {value:>{right}}" for key, value in values.items())


def inputs_text(params: ScenarioParams) -> str:
    """The scenario's inputs on one line, each in its unit
    (``calc.outputs.narrative.input_value``; ``none`` when empty)."""
    values = params.as_dict()
    return "scenario: " + "; ".join(f"{s.name}={input_value(values[s.name], s.unit)}" for s in SPECS)


def prices_text(prices: PricePath) -> str:
    """The price path in use, on one line: where from, its closes, the rule between them."""
    return (
        f"prices: {prices.label}, {len(prices.dates)} closes {day(prices.dates[0])} to {day(prices.dates[-1])}, "
        "between dates "
        f"{prices.rule.replace('_', '-')}; after the last, the last close (price and annual_drift not used)"
    )


def _report(
    args: argparse.Namespace,
    params: ScenarioParams,
    result: ScenarioResult,
    plan: OutputPlan,
    events: bool,
    prices: PricePath | None = None,
) -> int:
    summary = {key: _json_value(result.summary[key]) for key in SUMMARY_KEYS}
    if args.json:
        capacity = result.capacity.as_dict() if result.capacity is not None else None
        print_json(summary | {"capacity": capacity})
        return 0
    print(inputs_text(params))
    if prices is not None:
        print(prices_text(prices))
    columns = text_columns(events)
    print(timeline_text(result.timeline, columns))
    print(summary_text(summary))
    for line in plan.wrote():
        print(line)
    return 0
