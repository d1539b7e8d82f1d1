"""``python -m calc grid``: write a scenario grid CSV, the cartesian product of parameter axes."""

from __future__ import annotations

import argparse

from calc.inputs.grid import make_grid, write_grid_csv
from calc.outputs.files import plan_outputs
from cli.flags import add_scenario_flags, given_params


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Each axis is a comma-separated list (cash,stock) or an inclusive range start:stop:step "
        "(0.5:6:0.25; for dates the step is whole days). Parameters not given take their "
        "defaults in `export`. Ids s0001, s0002, ... are assigned; the first parameter varies slowest."
    )
    add_scenario_flags(parser, axes=True)
    parser.add_argument("--out", required=True, help="grid CSV to write ('-' for standard output)")


def run(args: argparse.Namespace) -> int:
    plan = plan_outputs({}, {"--out": args.out})
    table = make_grid(given_params(args))
    plan.write({"--out": lambda sink: write_grid_csv(table, sink)})
    with plan.reporting():
        print(f"{plan.wrote()[0]}: {len(table.rows):,} scenarios × {len(table.header) - 1} parameter column(s)")
    return 0
