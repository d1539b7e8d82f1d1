"""``python -m calc <command>``: discovers the subcommands in ``calc.commands``.

User errors (``InputError``) print ``error: ...`` on stderr and exit with code 2;
Ctrl-C exits with 130, SIGTERM with 143 and SIGHUP with 129 (``calc.output.signals_as_interrupts``),
after removing any temporary output file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType

import calc.commands
from calc.errors import InputError
from calc.output import signals_as_interrupts


def _command_modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(calc.commands.__path__))
    return [importlib.import_module(f"calc.commands.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m calc",
        description="Lucent 8.00% Redeemable Convertible Preferred: dilution calculator.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.configure(cmd)
        cmd.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with signals_as_interrupts():
            return int(args.handler(args))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`
        return 0
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP as calc.output.Interrupted
        print("interrupted: no output written", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
