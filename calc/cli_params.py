"""Scenario parameters as command-line flags (``--dividend-policy`` for ``dividend_policy``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from calc.history import history_defaults
from calc.ledger import Event, check_events, ledger_events, read_events_lenient
from calc.params import SPECS, ScenarioParams, default_params, parse_params
from calc.scenario import default_book
from calc.terms import load_terms


def add_scenario_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per scenario parameter; values are validated by ``calc.params``."""
    defaults = default_params().as_dict()
    group = parser.add_argument_group("scenario parameters")
    for spec in SPECS:
        default = defaults[spec.name]
        choices = f" ({'|'.join(spec.choices)})" if spec.choices else ""
        unit = f" [{spec.unit}]" if spec.unit else ""
        shown = "none" if default is None else default
        group.add_argument(f"--{spec.name.replace('_', '-')}", dest=spec.name, metavar="VALUE",
                           help=f"{spec.help}{choices}{unit}; default {shown}")


def params_from_args(args: argparse.Namespace) -> ScenarioParams:
    """Validated parameters from the flags given (the others take their defaults)."""
    given = {spec.name: getattr(args, spec.name) for spec in SPECS if getattr(args, spec.name) is not None}
    return parse_params(given)


def add_ledger_flags(parser: argparse.ArgumentParser) -> None:
    """``--events FILE`` and ``--history`` (calc.ledger)."""
    group = parser.add_argument_group("ledger")
    group.add_argument("--events", type=Path, metavar="FILE",
                       help="events CSV: dated exchanges, repurchases, conversions, puts, calls, debenture "
                            "exchanges and dividend-policy changes acting on the preferred")
    group.add_argument("--history", action="store_true",
                       help="replay the two 2002 exchanges (data/history.csv); without --valuation-date the "
                            "projection starts 2002-07-31 with 3,432,688,763 common shares (10-Q cover)")


def ledger_from_args(args: argparse.Namespace) -> tuple[ScenarioParams, tuple[Event, ...]]:
    """Parameters (history defaults where no flag was given) and the ledger rows."""
    given = {spec.name: getattr(args, spec.name) for spec in SPECS if getattr(args, spec.name) is not None}
    if args.history:
        given = history_defaults() | given
    params = parse_params(given)
    events, problems = read_events_lenient(args.events) if args.events else ((), [])
    events = ledger_events(events, args.history)
    check_events(events, problems, params, load_terms(), default_book())
    return params, events
