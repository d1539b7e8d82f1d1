"""Shared flags: scenario parameters (``--dividend-policy`` for ``dividend_policy``) and the ledger inputs."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from calc.errors import InputError, Problem
from calc.inputs.data import default_book, load_terms
from calc.inputs.events_csv import read_events_lenient
from calc.inputs.history import history_defaults
from calc.inputs.history_replay import ledger_events
from calc.inputs.params import default_params, parse_params
from calc.inputs.prices_csv import read_prices
from calc.model.inputs_registry import PATHS, SEED, VOLATILITY, span
from calc.model.ledger import check_events
from calc.model.params import SPEC_BY_NAME, SPECS, ScenarioParams
from calc.model.price_path import RULES as PRICE_RULES
from calc.model.price_path import PricePath
from calc.outputs.formats import input_value
from calc.scenario_doc import MAX_DOC_BYTES, PriceData, ScenarioDoc, doc_from_json, event_cells, params_json_values
from calc.scenario_run import Resolved, resolve
from cli.arg_types import input_path, real_number, whole_number


def add_scenario_flags(parser: argparse.ArgumentParser, *, axes: bool = False) -> None:
    """One flag per scenario parameter (``--dividend-policy`` for ``dividend_policy``); values are validated
    by ``calc.model.params``. With ``axes`` (the ``grid`` command) each flag takes a list or range of VALUES and
    shows no default."""
    defaults = default_params().as_dict()
    group = parser if axes else parser.add_argument_group("scenario parameters")
    for spec in SPECS:
        choices = f" ({(', ' if axes else '|').join(spec.choices)})" if spec.choices else ""
        unit = f" [{spec.unit}]" if spec.unit else ""
        default = "" if axes else f"; default {'none' if defaults[spec.name] is None else defaults[spec.name]}"
        group.add_argument(
            spec.flag,
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
    """``--volatility``, ``--paths``, ``--seed`` with the ranges of ``calc.model.montecarlo.validate_mc``.

    A default of ``None`` means "not given" (the command decides: e.g. no Monte Carlo without
    ``--volatility``); ``purpose`` prefixes each help line (e.g. "add the Monte Carlo sheet: ").
    """
    shown = "" if volatility is None else f" (default {volatility:g})"
    parser.add_argument(
        VOLATILITY.flag,
        type=real_number,
        default=volatility,
        help=f"{purpose}{VOLATILITY.help}, {span(VOLATILITY)}{shown}",
    )
    parser.add_argument(
        PATHS.flag,
        type=whole_number,
        default=paths,
        help=f"{purpose}{PATHS.help}, {span(PATHS)} (default {PATHS.default:,})",
    )
    parser.add_argument(
        SEED.flag, type=whole_number, default=seed, help=f"{purpose}{SEED.help}, {span(SEED)} (default {SEED.default})"
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
    """``--events FILE``, ``--scenario FILE.json`` and ``--history`` (calc.model.ledger, calc.scenario_doc)."""
    group = parser.add_argument_group("ledger")
    group.add_argument(
        "--events",
        type=input_path,
        metavar="FILE",
        help="events CSV: dated exchanges, repurchases, conversions, puts, calls, debenture "
        "exchanges and dividend-policy changes acting on the preferred",
    )
    group.add_argument(
        "--scenario",
        type=input_path,
        metavar="FILE.json",
        help="a scenario document (the dashboard's 'Scenario (JSON)' download, or any inputs sidecar): its "
        "parameters, ledger rows, holder data and grants; scenario flags, --events and --history given "
        "beside it override it (each override is noted on stderr)",
    )
    group.add_argument(
        "--history",
        action="store_true",
        help="replay the sourced 2002-2004 history of the 8.00%% preferred (data/history.csv then data/replay.csv: "
        "every exchange, and the retirements repurchased at $1,000, an assumption); without --valuation-date the "
        "projection starts 2002-07-31 with 3,432,688,763 common shares (10-Q cover)",
    )
    group.add_argument(
        "--prices",
        type=input_path,
        metavar="FILE.csv",
        help="a dated price path (date,close_usd,source; data/prices.csv is the closes found for 2001-2003): "
        "the common's price on every date instead of price x (1 + annual-drift)^t, from its first close (on or "
        "before the valuation date); after the last close, the last close",
    )
    group.add_argument(
        "--price-rule",
        choices=PRICE_RULES,
        help="the price between two closes of --prices: previous (the last close, the default) or log_linear",
    )


def as_flags(problems: Sequence[Problem]) -> tuple[Problem, ...]:
    """Parameter problems named by their command-line flag (``price: ...`` -> ``--price: ...``)."""
    return tuple(
        Problem(p.rule, column=SPEC_BY_NAME[p.column].flag, value=p.value, column_label=False)
        if p.column in SPEC_BY_NAME
        else p
        for p in problems
    )


def _overridden(doc: ScenarioDoc, args: argparse.Namespace, given: dict[str, str]) -> tuple[ScenarioDoc, list[str]]:
    """The document with the flags given beside ``--scenario`` in force, and a note for each flag that changes it."""
    try:
        params = parse_params(params_json_values(doc.params) | given)
    except InputError as exc:
        raise InputError(
            f"{len(exc.problems)} problem(s) in the scenario flags given with --scenario; nothing was run",
            as_flags(exc.problems),
        ) from None
    before, after = doc.params.as_dict(), params.as_dict()
    notes = [
        f"{SPEC_BY_NAME[name].flag} {input_value(after[name])} overrides the scenario file's "
        f"{input_value(before[name])}"
        for name in given
        if before[name] != after[name]
    ]
    doc = doc.replace(params=params)
    if args.history and not doc.history:
        doc = doc.replace(history=True)
        notes.append("--history turns on the 2002 history the scenario file left off")
    return doc, notes


def _file_rows(args: argparse.Namespace, params: ScenarioParams, history: bool) -> tuple[tuple[str, ...], ...]:
    """The rows of ``--events``, checked against ``params`` with the file's own line numbers."""
    events, problems = read_events_lenient(args.events)
    check_events(ledger_events(events, history), problems, params, load_terms(), default_book())
    return tuple(event_cells(e) for e in events)


PRICE_RULE_ALONE = "--price-rule: applies to a price path; give --prices FILE.csv"


def price_path_from_args(args: argparse.Namespace) -> PricePath | None:
    """``--prices FILE`` read and checked as a prices file (``calc.model.price_path``) under ``--price-rule``; None
    without ``--prices`` (``--price-rule`` alone is then an error)."""
    if args.prices is None:
        if args.price_rule is not None:
            raise InputError(PRICE_RULE_ALONE)
        return None
    return read_prices(args.prices, "--prices").with_rule(args.price_rule or "previous")


def _with_prices(doc: ScenarioDoc, args: argparse.Namespace, notes: list[str]) -> ScenarioDoc:
    """``--prices`` and ``--price-rule`` in the document (``--price-rule`` alone: the document's path's rule)."""
    path = price_path_from_args(args) if args.prices is not None else None
    if path is not None:
        if args.scenario is not None and doc.prices.rows:
            notes.append(f"--prices {args.prices} replaces the scenario file's price path")
        return doc.replace(prices=PriceData(path.rows(), path.rule, f"--prices {args.prices.name}"))
    if args.price_rule is None:
        return doc
    if not doc.prices.rows:
        raise InputError(PRICE_RULE_ALONE)
    if args.price_rule != doc.prices.rule:
        notes.append(f"--price-rule {args.price_rule} overrides the scenario file's {doc.prices.rule}")
    return doc.replace(prices=dataclasses.replace(doc.prices, rule=args.price_rule))


def doc_from_args(args: argparse.Namespace) -> tuple[ScenarioDoc, list[str]]:
    """The scenario document of a command line, and the notes on what overrode ``--scenario``.

    Without ``--scenario``: the flags (history defaults where no flag was given), ``--events`` and
    ``--history``, with the filing's holders. With it: that document, each scenario flag given beside it
    overriding its parameter, ``--events`` replacing its rows, ``--history`` turning the history on and
    ``--prices`` / ``--price-rule`` replacing its price path or rule."""
    given: dict[str, str] = dict(given_params(args))
    if args.scenario is None:
        try:
            params = parse_params(history_defaults() | given if args.history else given)
        except InputError as exc:
            raise InputError(
                f"{len(exc.problems)} problem(s) in the scenario flags; nothing was run", as_flags(exc.problems)
            ) from None
        doc, notes = ScenarioDoc(params, bool(args.history)), list[str]()
    else:
        doc, notes = _overridden(read_doc(args.scenario), args, given)
    if args.events is not None:
        doc = doc.replace(events=_file_rows(args, doc.params, doc.history))
        if args.scenario is not None:
            notes.append(f"--events {args.events} replaces the scenario file's {len(doc.events)} ledger row(s)")
    return _with_prices(doc, args, notes), notes


def read_doc(path: Path) -> ScenarioDoc:
    """A scenario document file (``calc.scenario_doc``); read errors name ``--scenario``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_DOC_BYTES + 1)  # one byte over is enough for doc_from_json to refuse it
    except OSError as exc:
        raise InputError(f"--scenario {path}: cannot read ({exc.strerror or exc})") from exc
    return doc_from_json(data, f"--scenario {path}")


def scenario_from_args(args: argparse.Namespace) -> Resolved:
    """The command line's scenario, read and checked (``calc.scenario_run.resolve``); the override notes are
    printed on stderr."""
    doc, notes = doc_from_args(args)
    resolved = resolve(doc)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return resolved
