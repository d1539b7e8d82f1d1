"""``python -m calc export``: run every scenario of a grid CSV and write results (and a summary)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from calc.errors import InputError
from calc.inputs.data import load_terms
from calc.inputs.grid import Grid, read_grid
from calc.inputs.register import DEFAULT_PARTIAL, PARTIAL_HANDLING
from calc.model.price_path import RULES as PRICE_RULES
from calc.outputs.export import DEFAULT_CHUNK_SIZE, FORMATS, check_format, load_book, write_export
from calc.outputs.files import plan_outputs
from calc.outputs.record import history_file, inputs_record
from cli.arg_types import input_path, positive_whole_number
from cli.flags import price_path_from_args
from cli.progress import ProgressBar


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenarios",
        type=input_path,
        required=True,
        help="grid CSV: scenario_id plus scenario parameter columns (see `grid`)",
    )
    parser.add_argument(
        "--out", required=True, help="results file: one row per scenario × holder/family ('-' for standard output)"
    )
    parser.add_argument("--summary", help="summary file: one row per scenario ('-' for standard output)")
    parser.add_argument("--holders", type=input_path, help="register CSV to use instead of the shipped register")
    parser.add_argument(
        "--partial",
        choices=PARTIAL_HANDLING,
        default=DEFAULT_PARTIAL,
        help="a --holders register listing fewer preferred than the shares issued: as_given keeps every typed "
        "count and adds an 'Unlisted holders (remainder)' row (never flagged), scale scales the listing up to "
        "the shares issued (pro_rata basis); a register listing at least the shares issued is used as it is "
        f"(default {DEFAULT_PARTIAL})",
    )
    parser.add_argument(
        "--prices",
        type=input_path,
        metavar="FILE.csv",
        help="a dated price path (date,close_usd,source) for every scenario of the grid: the price on each date "
        "instead of price x (1 + annual_drift)^t (the grid's price and annual_drift columns are then unused)",
    )
    parser.add_argument(
        "--price-rule", choices=PRICE_RULES, help="between two closes of --prices: previous (default) or log_linear"
    )
    parser.add_argument("--format", choices=FORMATS, default="csv", help="output format (default csv)")
    parser.add_argument("--excel", action="store_true", help="CSV as UTF-8 with a byte-order mark for Excel")
    parser.add_argument(
        "--chunk-size",
        type=positive_whole_number,
        default=DEFAULT_CHUNK_SIZE,
        help=f"scenarios run and written per batch (default {DEFAULT_CHUNK_SIZE})",
    )


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    check_format(args.format, args.excel)
    binary = [flag for flag in ("--out", "--summary") if args.format == "parquet" and getattr(args, flag[2:]) == "-"]
    if binary:
        raise InputError(f"{binary[0]} -: Parquet is a binary format; give a file name (or --format csv)")
    plan = plan_outputs(
        {"--scenarios": args.scenarios, "--holders": args.holders, "--prices": args.prices},
        {"--out": args.out, "--summary": args.summary},
        sidecars=("--out", "--summary"),
    )
    terms = load_terms()
    book = load_book(args.holders, terms, args.partial)
    grid = read_grid(args.scenarios, terms)
    prices = price_path_from_args(args)
    plan.check_inputs({f"events file (column events of {args.scenarios})": path for path in grid.events_files})
    progress = ProgressBar(sys.stderr, "scenarios")
    try:
        stats = write_export(
            plan,
            grid,
            fmt=args.format,
            excel=args.excel,
            book=book,
            terms=terms,
            chunk_size=args.chunk_size,
            progress=progress,
            record=inputs_record("export", args, None, _input_files(args, grid)),
            prices_path=prices,
        )
    except (InputError, BrokenPipeError, KeyboardInterrupt):  # the CLI reports these
        progress.clear()
        raise
    except Exception:
        progress.clear()
        print("export failed: no output written", file=sys.stderr)
        raise
    progress.clear()
    with plan.reporting():
        print("\n".join(plan.wrote()))
        print(f"{stats.scenarios:,} scenarios, {stats.rows:,} rows in {time.perf_counter() - start:.1f} s")
    return 0


def _input_files(args: argparse.Namespace, grid: Grid) -> dict[str, Path | None]:
    """Every file the export read: the grid, the register, each events file its ``events`` column names (by that
    name) and data/history.csv when a scenario replays it (``calc.outputs.record``: each with its size and SHA-256)."""
    files: dict[str, Path | None] = {"--scenarios": args.scenarios, "--holders": args.holders, "--prices": args.prices}
    files |= {
        f"events {name}": path
        for name, path in zip(dict.fromkeys(n for n in grid.events_names if n), grid.events_files)
    }
    return files | history_file(any(grid.history))
