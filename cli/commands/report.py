"""``python -m calc report``: one scenario as a self-contained, printable HTML report (``calc.outputs.report``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from calc.inputs.data import default_book, load_caps, load_desk_facts, load_terms
from calc.model.scenario import run_scenario
from calc.model.scenario_prices import path_words
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.outputs.files import Sink, plan_outputs
from calc.outputs.record import history_file, inputs_record
from cli.flags import add_ledger_flags, add_scenario_flags, scenario_from_args

FALLBACK_WARNING = (
    "no Chrome or Chromium found to draw the charts as static images (install chromium or set BROWSER_PATH); "
    "the report embeds interactive charts instead (about 4.9 MB, still opens offline)"
)


def configure(parser: argparse.ArgumentParser) -> None:
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    parser.add_argument(
        "--out", required=True, metavar="FILE.html", help="required: the HTML file to write ('-' for standard output)"
    )


def run(args: argparse.Namespace) -> int:
    # plotly and the chart builders (`charts`, no streamlit) load only for this command, so
    # the other commands do not pay for them at start-up
    from calc.outputs.report import charts_html, report_html
    from charts.figures import scenario_figures

    plan = plan_outputs({"--events": args.events, "--scenario": args.scenario}, {"--out": args.out})
    resolved = scenario_from_args(args)
    params, terms = resolved.params, load_terms()
    result = run_scenario(
        params, terms, resolved.book, resolved.events, resolved.prices, caps=load_caps(), facts=load_desk_facts()
    )
    sensitivity = price_sensitivity(params, price_grid(), terms, book=default_book(), caps=load_caps())
    figures = scenario_figures(result, sensitivity, terms.market.authorized_common_shares)
    record = inputs_record("report", args, params, _inputs(args) | history_file(resolved.doc.history), doc=resolved.doc)
    charts = charts_html(figures)
    if not charts.static:
        print(f"warning: {FALLBACK_WARNING}", file=sys.stderr)
    page = report_html(params, result, charts, terms, record, path_words(resolved.prices))

    def write(sink: Sink) -> None:
        sink.write(page.encode("utf-8"))

    plan.write({"--out": write})
    with plan.reporting():
        print("\n".join(plan.wrote()))
    return 0


def _inputs(args: argparse.Namespace) -> dict[str, Path | None]:
    return {"--events": args.events, "--scenario": args.scenario, "--prices": args.prices}
