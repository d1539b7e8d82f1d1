"""``python -m calc <command>``: the parser, the error rule and the exit codes of the command line.

The commands are listed in ``cli.commands.COMMANDS``; only the one being run is imported.

Exit codes and messages:
- 0: done;
- 2: bad input (a flag or a file): one ``error: ...`` line on stderr naming the input and
  the rule (several problems follow as indented ``  - ...`` lines); nothing is written;
- 130 / 143 / 129: interrupted by Ctrl-C / SIGTERM / SIGHUP: ``interrupted: no output written``
  (temporary output files removed; ``calc.outputs.files.signals_as_interrupts``);
- 1: a bug (an unexpected exception, or a numeric RuntimeWarning, which would otherwise
  be a silently wrong number): one ``error: internal error: TYPE: message`` line; set
  ``CALC_TRACEBACK=1`` to also print the traceback.

Output works on any stdout/stderr encoding: characters it cannot encode are written
as ASCII look-alikes (``−`` as ``-``, ``×`` as ``x``, ``…`` as ``...``) or ``?``. Printed text never
carries a terminal escape: control characters in it are written escaped (``cli.text_output``).
"""

from __future__ import annotations

import argparse
import codecs
import importlib
import os
import re
import sys
import traceback
import unicodedata
import warnings
from collections.abc import Collection, Sequence
from typing import Any, NoReturn

from calc.errors import InputError, echo
from calc.outputs.files import signals_as_interrupts
from cli.commands import ALIASES, COMMANDS
from cli.text_output import escaped_output

INTERRUPTED = "interrupted: no output written"
ENCODING_FALLBACK = "calc-ascii-fallback"
LOOK_ALIKES = {
    "−": "-",
    "–": "-",
    "—": "-",
    "×": "x",
    "…": "...",
    "≥": ">=",
    "≤": "<=",
    "≈": "~",
    "Σ": "sum ",
    "Δ": "d",
    "τ": "tau",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
}
NEGATIVE_NUMBER_RE = re.compile(r"-\.?\d")  # "-1e9", "-1,000", "-.5": a value, never a flag
QUOTED_RE = re.compile(r"'([^']*)'")


def _look_alike(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: ASCII look-alikes (accents dropped) for what cannot be encoded."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    ascii_text = "".join(
        LOOK_ALIKES.get(ch) or unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?" for ch in bad
    )
    return ascii_text, error.end


codecs.register_error(ENCODING_FALLBACK, _look_alike)


def _tolerate_any_encoding() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=ENCODING_FALLBACK)


SEEN_DESTS = "_calc_flags_given"  # the namespace's record of the flags given, removed before the caller sees it
REPEATED = "given more than once; give it once (the later value would silently replace the earlier)"


class StoreOnce(argparse._StoreAction):
    """The default ``store`` action, refusing a flag given twice (``--events A --events B`` dropped A)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        seen: set[str] = namespace.__dict__.setdefault(SEEN_DESTS, set())
        if self.dest in seen:
            raise argparse.ArgumentError(self, REPEATED)
        seen.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class CliParser(argparse.ArgumentParser):
    """argparse with the product's error rule: a bad flag raises ``InputError`` (one ``error:``
    line, exit 2), user text in the message is echoed safely, a negative number after a
    flag (``--net-income -1e9``) is its value, not an unknown option, and a value flag given twice is
    refused (``StoreOnce``; repeatable flags such as ``--policy`` say ``action="append"``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._negative_number_matcher = NEGATIVE_NUMBER_RE
        for name in (None, "store"):  # argument groups share these registries
            self.register("action", name, StoreOnce)

    def error(self, message: str) -> NoReturn:
        shown = QUOTED_RE.sub(lambda m: f"'{echo(m.group(1))}'", message)
        raise InputError(f"{shown} (see `{self.prog} --help`)")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        parsed.__dict__.pop(SEEN_DESTS, None)
        return parsed, extras

    def parse_args(self, args: Sequence[str] | None = None, namespace: None = None) -> argparse.Namespace:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(repr(echo(a)) for a in extras)}")
        return parsed


def _requested(argv: Sequence[str] | None) -> list[str]:
    """The command named on the command line (the first argument, an alias as its command), if it is one."""
    args = sys.argv[1:] if argv is None else argv
    named = {alias: name for name, aliases in ALIASES.items() for alias in aliases} | {name: name for name in COMMANDS}
    return [named[args[0]]] if args and args[0] in named else []


def build_parser(configured: Collection[str] = COMMANDS) -> argparse.ArgumentParser:
    """Every command listed (for ``--help``); only those in ``configured`` are imported and given their flags."""
    parser = CliParser(
        prog="python -m calc",
        description="Lucent 8.00% Redeemable Convertible Preferred: dilution calculator.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        cmd = sub.add_parser(name, aliases=ALIASES.get(name, ()), help=help_text, description=help_text)
        if name in configured:
            module = importlib.import_module(f"cli.commands.{name}")
            module.configure(cmd)
            cmd.set_defaults(handler=module.run)
    return parser


def _print_error(message: str) -> None:
    """``error: message``; control characters escaped line by line (the indented problem lines stay)."""
    lines = (echo(line, limit=sys.maxsize) for line in message.split("\n"))
    print("error: " + "\n".join(lines), file=sys.stderr)


def _run(argv: list[str] | None) -> int:
    try:
        args = build_parser(_requested(argv)).parse_args(argv)
        with signals_as_interrupts():
            return int(args.handler(args))
    except InputError as exc:
        _print_error(str(exc))
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`
        return 0
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP as calc.outputs.files.Interrupted
        print(INTERRUPTED, file=sys.stderr)
        return int(getattr(exc, "exit_code", 130))
    except Exception as exc:  # a bug: say so in one line, never a wall of traceback
        _print_error(
            f"internal error: {type(exc).__name__}: {echo(exc, limit=200)} (a bug; set CALC_TRACEBACK=1 for details)"
        )
        if os.environ.get("CALC_TRACEBACK"):
            traceback.print_exc()
        return 1


def main(argv: list[str] | None = None) -> int:
    """Run one command; numeric RuntimeWarnings (overflow, invalid value) are errors, never printed."""
    _tolerate_any_encoding()
    with warnings.catch_warnings(), escaped_output():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return _run(argv)
        except SystemExit as exc:  # --help
            return exc.code if isinstance(exc.code, int) else 0
