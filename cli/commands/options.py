"""``python -m calc options``: vested, exercisable, expired and cancelled option shares on a date."""

from __future__ import annotations

import argparse

import pandas as pd

from calc.errors import InputError
from calc.inputs.data import load_forms
from calc.inputs.grants_csv import read_grants_csv
from calc.model.options import Grant, positions_frame, schedule_frame, totals
from calc.outputs.files import OutputPlan, plan_outputs
from calc.outputs.formats import day, price
from calc.outputs.record import inputs_record
from cli.arg_types import input_path, iso_date, positive_decimal
from cli.json_output import print_json
from cli.text_output import frame_text


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--forms", action="store_true", help="list the agreement form ids and exit")
    parser.usage = "%(prog)s --grants FILE.csv --date YYYY-MM-DD [options] | %(prog)s --forms"
    parser.add_argument(
        "--grants",
        type=input_path,
        metavar="FILE.csv",
        help="required (unless --forms): grants CSV (grant_id, form, shares, exercise_price_usd, "
        "grant_date, termination_date, termination_reason)",
    )
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="required (unless --forms): as-of date")
    parser.add_argument(
        "--price", type=positive_decimal, help="average common price, USD: adds treasury-stock incremental shares"
    )
    parser.add_argument("--schedule", action="store_true", help="also print each grant's position at its key dates")
    parser.add_argument("--out", help="write the per-grant table to this CSV ('-' for standard output)")
    parser.add_argument("--json", action="store_true", help="print the totals as one JSON object")


def _list_forms(as_json: bool) -> int:
    if as_json:
        print_json([{"form_id": i, "plan": f.plan, "title": f.title} for i, f in load_forms().items()])
        return 0
    for form_id, form in load_forms().items():
        print(f"{form_id:48s} {form.plan:22s} {form.title}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.forms:
        return _list_forms(args.json)
    if args.grants is None or args.date is None:
        raise InputError("options: --grants and --date are required (or use --forms)")
    plan = plan_outputs({"--grants": args.grants}, {"--out": args.out}, sidecars=("--out",))
    grants = read_grants_csv(args.grants)
    frame = positions_frame(grants, args.date, args.price)
    if args.out is not None:
        plan.write_frames({"--out": frame}, record=inputs_record("options", args, None, {"--grants": args.grants}))
    with plan.reporting():
        return _report(args, grants, frame, plan)


def _report(args: argparse.Namespace, grants: list[Grant], frame: pd.DataFrame, plan: OutputPlan) -> int:
    if args.json:
        print_json(totals(frame))
        return 0
    print(f"as of {day(args.date)}" + (f", average price {price(args.price, 4)}" if args.price else ""))
    print(frame_text(frame.drop(columns=["form"])))
    print("totals: " + ", ".join(f"{k} {v:,}" for k, v in totals(frame).items()))
    if args.schedule:
        print(frame_text(pd.concat([schedule_frame(g) for g in grants])))
    for line in plan.wrote():
        print(line)
    return 0
