"""``python -m calc bridge``: the 2002-2004 share-count bridge (issue 22, ``calc.model.bridge``).

From the cover count at the last 10-Q/10-K cover date on or before ``--from`` to the model count at ``--to``,
by source (each security's exchanges, retirements settled in stock, at-the-market sales, settlement stock,
options and other), then at each cover date in the window the actual count, the model count and the
residual (actual − model) with its share of the actual count, and the notes: the sources' conflicts, the
figures not modelled, the settings and every dated assumption of the replay.
"""

from __future__ import annotations

import argparse
import functools

from calc.bridge_run import DEFAULT_FROM, DEFAULT_TO, run_bridge
from calc.errors import InputError
from calc.inputs.paths import PRICES_PATH, REPLAY_PATH
from calc.inputs.prices_csv import read_prices
from calc.model.bridge import (
    PACKAGE_RULES,
    RESIDUAL_LABEL,
    RETIREMENTS,
    SPREAD_RULES,
    Bridge,
    Settings,
    bridge_frame,
    workbook_sheets,
)
from calc.model.price_path import RULES
from calc.outputs.citations import citation
from calc.outputs.files import Sink, plan_outputs
from calc.outputs.formats import day, pct
from calc.outputs.record import inputs_record
from calc.outputs.workbook import tables_workbook_bytes
from cli.arg_types import input_path, iso_date
from cli.json_output import print_json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", type=iso_date, default=DEFAULT_FROM, help=f"start (default {DEFAULT_FROM})"
    )
    parser.add_argument("--to", dest="end", type=iso_date, default=DEFAULT_TO, help=f"end (default {DEFAULT_TO})")
    parser.add_argument(
        "--retirements",
        choices=RETIREMENTS,
        default="cash",
        help="how rows retired by means the sources do not give settle (default cash: assumption, see the notes)",
    )
    parser.add_argument(
        "--package-rule",
        choices=PACKAGE_RULES,
        default="face",
        help="how a package exchange's common total is split between its securities (default face)",
    )
    parser.add_argument(
        "--spread",
        choices=SPREAD_RULES,
        default="day",
        help="a row with date_from: spread uniformly by day over its window (day, default) or at its date (end)",
    )
    parser.add_argument(
        "--replay",
        type=input_path,
        metavar="FILE",
        help=f"replay events CSV (default data/history.csv then {REPLAY_PATH.name})",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="the shipped replay from 2002-07-31 (data/history.csv then data/replay.csv): the default, so a no-op "
        "kept for the spelling `bridge --from D1 --to D2 --history` (refused with --replay)",
    )
    parser.add_argument(
        "--prices",
        type=input_path,
        metavar="FILE",
        help=f"price path CSV date,close_usd,source (default {PRICES_PATH.name})",
    )
    parser.add_argument(
        "--price-rule", choices=RULES, default="previous", help="the close between given dates (default previous close)"
    )
    parser.add_argument("--out", help="write the bridge table to this CSV ('-' for standard output)")
    parser.add_argument(
        "--xlsx", metavar="FILE.xlsx", help="write the bridge as a workbook (sheets Bridge, Covers, Notes, Replay)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    inputs = {"--replay": args.replay, "--prices": args.prices}
    if args.history and args.replay is not None:
        raise InputError("--history: the shipped replay; give --history or --replay FILE, not both")
    if args.xlsx == "-":
        raise InputError("--xlsx -: a workbook is a binary file; give a file name")
    plan = plan_outputs(inputs, {"--out": args.out, "--xlsx": args.xlsx}, sidecars=("--out",))
    prices = read_prices(args.prices or PRICES_PATH).with_rule(args.price_rule)
    settings = Settings(args.retirements, args.package_rule, args.spread)
    result = run_bridge(args.start, args.end, settings, args.replay, prices)
    frames = {"--out": bridge_frame(result)} if args.out is not None else {}
    writers = plan.frame_writers(frames, record=inputs_record("bridge", args, None, inputs))
    if args.xlsx is not None:
        writers["--xlsx"] = functools.partial(_write_workbook, result)
    if writers:
        plan.write(writers)
    with plan.reporting():
        if args.json:
            print_json(result.as_dict() | {"price_rule": args.price_rule})
            return 0
        _print(result)
        for line in plan.wrote():
            print(line)
    return 0


def _write_workbook(result: Bridge, sink: Sink) -> None:
    sink.write(tables_workbook_bytes(workbook_sheets(result)))


def _print(result: Bridge) -> None:
    print(f"share-count bridge {day(result.start_date)} to {day(result.end_date)}")
    print(f"  {'start (cover count ' + day(result.anchor_date) + ' + replay to start)':70} {result.start_shares:>15,}")
    for source, shares in result.sources:
        print(f"  + {source:68} {shares:>15,}")
    print(f"  = {'model count':68} {result.end_shares:>15,}")
    print(f"cover counts ({RESIDUAL_LABEL}: residual = actual - model)")
    print(f"  {'date':12} {'actual':>15} {'model':>15} {'residual':>15} {'residual %':>10}")
    for c in result.covers:
        print(
            f"  {day(c.date):12} {c.actual_shares:>15,} {c.model_shares:>15,} {c.residual_shares:>15,} "
            f"{pct(c.residual_pct):>10}"
        )
    print("notes")
    for kind, text in result.notes:
        print(f"  [{kind}] {citation(text)}")
