"""``python -m calc holders``: parse a filing's Selling Securityholders table."""

from __future__ import annotations

import argparse

from calc.inputs.data import load_terms
from calc.inputs.filing import parse_filing
from calc.inputs.paths import FILING_PATH
from calc.inputs.register import RegisterSummary, summarize
from calc.outputs.files import plan_outputs
from calc.outputs.formats import usd
from calc.outputs.record import inputs_record
from cli.arg_types import input_path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--filing",
        type=input_path,
        default=FILING_PATH,
        help="text of a prospectus supplement (default: the Aug 28, 2002 copy in data/)",
    )
    parser.add_argument("--out", required=True, help="register CSV to write ('-' for standard output)")


def format_summary(summary: RegisterSummary, rate: object) -> str:
    """The parsed table's totals against what the filing's own figures imply, one a line (money as
    ``formats.usd`` writes it)."""
    t = summary.totals
    lines = [
        f"holders listed:            {summary.holders:,}",
        f"conversion rate (filing):  {rate}",
        f"preferred shares:          {t['preferred_shares']:,}",
        f"debenture principal:       {usd(t['debenture_principal_usd'])} reported, "
        f"{usd(t['expected_debenture_principal_usd'])} expected",
        f"common shares (note 4):    {t['common_shares']:,} reported, {t['expected_common_shares']:,} expected",
        f"common owned prior:        {t['common_owned_prior']:,}",
        f"rows with issues:          {summary.rows_with_issues:,}",
    ]
    lines.append(summary.listed_total_note())
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    plan = plan_outputs({"--filing": args.filing}, {"--out": args.out}, sidecars=("--out",))
    parsed = parse_filing(args.filing)
    record = inputs_record("holders", args, None, {"--filing": args.filing})
    # everything that can fail (the terms file included) comes before the write: nothing is written unless the
    # run succeeds
    summary = summarize(parsed.register, load_terms().preferred.shares_issued)
    plan.write_frames({"--out": parsed.register}, record=record)
    with plan.reporting():
        print(format_summary(summary, parsed.conversion_rate))
        print("\n".join(plan.wrote()))
    return 0
