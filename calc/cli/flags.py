"""Shared flags: scenario parameters (``--dividend-policy`` for ``dividend_policy``) and the ledger inputs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from calc.cli.arg_types import real_number, whole_number
from calc.data import default_book, load_terms
from calc.errors import InputError, Problem
from calc.history import history_defaults
from calc.ledger import Event, check_events, ledger_events, read_events_lenient
from calc.params import SPEC_BY_NAME, SPECS, ScenarioParams, default_params, parse_params


def add_scenario_flags(parser: argparse.ArgumentParser, *, axes: bool = False) -> None:
    """One flag per scenario parameter (``--dividend-policy`` for ``dividend_policy``); values are validated
    by ``calc.params``. With ``axes`` (the ``grid`` command) each flag takes a list or range of VALUES and
    shows no default."""
    defaults = default_params().as_dict()
    group = parser if axes else parser.add_argument_group("scenario parameters")
    for spec in SPECS:
        choices = f" ({(', ' if axes else '|').join(spec.choices)})" if spec.choices else ""
        unit = f" [{spec.unit}]" if spec.unit else ""
        default = "" if axes else f"; default {'none' if defaults[spec.name] is None else defaults[spec.name]}"
        group.add_argument(
            f"--{spec.name.replace('_', '-')}",
            dest=spec.name,
            metavar="VALUES" if axes else "VALUE",
            help=f"{spec.help}{choices}{unit}{default}",
        )


def add_monte_carlo_flags(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    *,
    volatility: float | None,
    paths: int | None = 10_000,
    seed: int | None = 0,
    purpose: str = "",
) -> None:
    """``--volatility``, ``--paths``, ``--seed`` with the ranges of ``calc.montecarlo.validate_mc``.

    A default of ``None`` means "not given" (the command decides: e.g. no Monte Carlo without
    ``--volatility``); ``purpose`` prefixes each help line (e.g. "add the Monte Carlo sheet: ").
    """
    from calc.montecarlo import MAX_PATHS, MAX_VOLATILITY

    shown = "" if volatility is None else f" (default {volatility:g})"
    parser.add_argument(
        "--volatility",
        type=real_number,
        default=volatility,
        help=f"{purpose}annualized volatility, 0 to {MAX_VOLATILITY:g}{shown}",
    )
    parser.add_argument(
        "--paths", type=whole_number, default=paths, help=f"{purpose}paths, 1 to {MAX_PATHS:,} (default 10,000)"
    )
    parser.add_argument(
        "--seed", type=whole_number, default=seed, help=f"{purpose}random seed, 0 to 2^63 - 1 (default 0)"
    )


def given_params(args: argparse.Namespace) -> dict[str, str]:
    """The scenario parameter flags given on the command line, by parameter name. A flag given an empty value
    is an error (in a grid file an empty cell means the default; on the command line, leave the flag out)."""
    given = {spec.name: getattr(args, spec.name) for spec in SPECS if getattr(args, spec.name) is not None}
    rule = "empty value: give a value or leave the flag out"
    empty = [Problem(rule, column=name) for name, value in given.items() if not str(value).strip()]
    if empty:
        raise InputError(f"{len(empty)} problem(s) in the scenario flags; nothing was run", as_flags(empty))
    return given


def add_ledger_flags(parser: argparse.ArgumentParser) -> None:
    """``--events FILE`` and ``--history`` (calc.ledger)."""
    group = parser.add_argument_group("ledger")
    group.add_argument(
        "--events",
        type=Path,
        metavar="FILE",
        help="events CSV: dated exchanges, repurchases, conversions, puts, calls, debenture "
        "exchanges and dividend-policy changes acting on the preferred",
    )
    group.add_argument(
        "--history",
        action="store_true",
        help="replay the two 2002 exchanges (data/history.csv); without --valuation-date the "
        "projection starts 2002-07-31 with 3,432,688,763 common shares (10-Q cover)",
    )


def as_flags(problems: Sequence[Problem]) -> tuple[Problem, ...]:
    """Parameter problems named by their command-line flag (``price: ...`` -> ``--price: ...``)."""
    return tuple(
        Problem(p.rule, column=f"--{p.column.replace('_', '-')}", value=p.value, column_label=False)
        if p.column in SPEC_BY_NAME
        else p
        for p in problems
    )


def ledger_from_args(args: argparse.Namespace) -> tuple[ScenarioParams, tuple[Event, ...]]:
    """Parameters (history defaults where no flag was given) and the ledger rows."""
    given: dict[str, object] = dict(given_params(args))
    try:
        params = parse_params(history_defaults() | given if args.history else given)
    except InputError as exc:
        raise InputError(
            f"{len(exc.problems)} problem(s) in the scenario flags; nothing was run", as_flags(exc.problems)
        ) from None
    events, problems = read_events_lenient(args.events) if args.events else ((), [])
    events = ledger_events(events, args.history)
    check_events(events, problems, params, load_terms(), default_book())
    return params, events
