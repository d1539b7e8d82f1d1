"""Scenario parameters as command-line flags (``--dividend-policy`` for ``dividend_policy``)."""

from __future__ import annotations

import argparse

from calc.params import SPECS, ScenarioParams, default_params, parse_params


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
