"""Fuzzing every command with random, hostile argument vectors (issue 9, "How to keep it fixed").

Each vector is built from the command's real flags (read from the parser) with values from
a hostile pool (decimal commas, huge exponents, NaN, NUL, negatives, empty, unicode, 5,000
digits) or random text. Run in-process in an empty directory, every run must end in
- exit 0 with output (strict JSON when ``--json``; no negative share count), nothing on stderr, or
- exit 2 with exactly one ``error:`` line on stderr (plus indented problem lines), nothing on
  stdout and no file written,
and never a traceback, a warning or an internal error (exit 1).

Restrictions:
- montecarlo and breakeven ``--paths`` are drawn from small or out-of-range counts (``PATHS``), value's
  ``--steps`` likewise (``STEPS``), to keep each example fast.
- output paths are drawn from a small pool: distinct names, one name shared by several
  outputs, a missing directory, a directory, ``/dev/null`` and ``-`` (stdout). Outputs equal to
  a shipped input file are tested in ``tests/test_output.py``, not here (a bug would overwrite data/).
- input files are the shipped files or a missing path: random CSV bytes are the readers' fuzz.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc.model.params import SPEC_BY_NAME
from cli.commands.scenario import DEPRECATED_HOLDERS
from cli.main import build_parser, main
from tests.helpers import ROOT

HOSTILE = [
    "1,89",
    "1,5",
    "1,885,000",
    "12,34,567",
    "-1",
    "-1e9",
    "-1,000",
    "0",
    "1",
    "2",
    "0.5",
    "1.89",
    ".5",
    "1e400",
    "-1e400",
    "1e-400",
    "1e99",
    "1e15",
    "1e16",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "",
    " ",
    "\x00",
    "1\x002",
    "9" * 5000,
    "\u0663",
    "\uff11",
    "\u22121",
    "1_000",
    "0x10",
    "2002-08-28",
    "2004-08-01",
    "1999-01-01",
    "9999-12-31",
    "0001-01-01",
    "2002-02-30",
    "cash",
    "stock",
    "all",
    "none",
    "rational",
    "registered",
    "pro_rata",
    "1:2:0.5",
    "0:1:0.25",
    "2002-08-28:2002-09-28:7",
    "a,b",
    "--json",
    "-",
    "'",
    "=1+2",
    "€",
    "\U0001f600",
    "0.0001",
    "1e-50",
    "0.01",
    "100000",
    "4",
    "5",
    "1e308",
    "-0.99",
    "10",
    "9223372036854775807",
    "99999999999999999999999",
    "2031-08-01",
    "2001-08-06",
]
# Monte Carlo cost grows with --paths: keep the fuzz quick with small or out-of-range counts
PATHS = ["1", "10", "50", "0", "-1", "1,5", "abc", "1000001", "9223372036854775807"]
# the lattice's cost grows with --steps² (value): small or out-of-range counts
STEPS = ["2", "3", "40", "0", "-1", "1,5", "abc", "20001", "9223372036854775807"]
INPUTS = {
    "--filing": ROOT / "data" / "prospectus_supplement_2002-08-28_8pct_preferred.txt",
    "--scenarios": ROOT / "data" / "example_grid.csv",
    "--grants": ROOT / "data" / "grants_illustrative.csv",
    "--events": ROOT / "data" / "history.csv",
    "--instruments": ROOT / "data" / "instruments.toml",
    "--replay": ROOT / "data" / "replay.csv",  # issue 22
    "--prices": ROOT / "data" / "prices.csv",
}
OUTPUT_FLAGS = {"--out", "--timeline", "--summary", "--holders-out", "--xlsx"}
COMMANDS = {
    name: sub
    for name, sub in next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ).choices.items()
}


def _flags(command: str) -> list[argparse.Action]:
    return [a for a in COMMANDS[command]._actions if a.option_strings and a.dest != "help"]


def _value_strategy(command: str, action: argparse.Action) -> st.SearchStrategy[list[str]]:
    flag = action.option_strings[0]
    if action.nargs == 0:  # store_true
        return st.just([flag])
    if flag in OUTPUT_FLAGS or (flag == "--holders" and command == "scenario"):
        names = [f"{flag[2:]}.csv", "same.csv", f"missing/{flag[2:]}.csv", ".", "/dev/null", "-"]
        return st.sampled_from(names).map(lambda v: [flag, v])
    if flag in INPUTS or (flag == "--holders" and command == "export"):
        shipped = str(INPUTS.get(flag, ROOT / "data" / "register.csv"))
        return st.sampled_from([shipped, "no-such-file.csv"]).map(lambda v: [flag, v])
    if command in ("montecarlo", "breakeven", "dilution", "securities", "scenario") and flag == "--paths":
        return st.sampled_from(PATHS).map(lambda v: [flag, v])
    if command == "value" and flag == "--steps":
        return st.sampled_from(STEPS).map(lambda v: [flag, v])
    spec = SPEC_BY_NAME.get(action.dest)
    choices = list(action.choices or (spec.choices if spec else ()))
    pool = st.sampled_from(HOSTILE + choices) if choices else st.sampled_from(HOSTILE)
    values = st.one_of(
        pool,
        pool,
        st.text(max_size=12),
        st.integers(-(10**20), 10**20).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    )
    return st.tuples(values, st.booleans()).map(lambda t: [f"{flag}={t[0]}"] if t[1] else [flag, t[0]])


@st.composite
def argument_vectors(draw: st.DrawFn, command: str) -> list[str]:
    actions = _flags(command)
    chosen = draw(st.lists(st.sampled_from(actions), unique_by=lambda a: a.dest, max_size=len(actions)))
    argv = [command]
    for action in chosen:
        argv += draw(_value_strategy(command, action))
    if draw(st.booleans()) and command in ("convert", "eps"):  # required flags, given (or not) in either spelling
        flag = {"convert": "--preferred", "eps": "--net-income"}[command]
        argv += [flag, draw(st.sampled_from(["10", "-1e9", "1,885,000", "1e9", "1,5"]))]
    return argv


def _check(argv: list[str], code: int, out: str, err: str, written: list[str]) -> None:
    assert "Traceback" not in err and "Warning" not in err, err
    assert code in (0, 2), f"exit {code}: {err}"
    if code == 2:
        lines = err.splitlines()
        assert lines and lines[0].startswith("error: "), err
        assert all(line.startswith("  ") for line in lines[1:]), err
        assert out == "", out
        assert written == [], written
        return
    if "-" in argv:  # an output on stdout: the report moves to stderr
        assert "error" not in err, err
        return
    assert err.replace(DEPRECATED_HOLDERS + "\n", "") == ""  # scenario --holders: a note once it succeeds
    assert out.strip()
    if "--json" in argv:
        payload = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
        if argv[0] in ("scenario", "montecarlo"):
            counts = [v for k, v in payload.items() if isinstance(v, int) and not isinstance(v, bool)]
            assert all(v >= 0 for v in counts), payload


def _run_in_empty_directory(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            capsys.readouterr()
            code = main(argv)
            out, err = capsys.readouterr()
            written = sorted(str(p.relative_to(tmp)) for p in Path(tmp).rglob("*"))
        finally:
            os.chdir(cwd)
    _check(argv, code, out, err, written)


def _fuzz(command: str) -> object:
    @settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(argv=argument_vectors(command))
    def test(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
        _run_in_empty_directory(capsys, argv)

    test.__doc__ = f"Random hostile `{command}` argument vectors: exit 0 with output or exit 2, one error line."
    return test


test_fuzz_convert = _fuzz("convert")
test_fuzz_eps = _fuzz("eps")
test_fuzz_terms = _fuzz("terms")
test_fuzz_options = _fuzz("options")
test_fuzz_holders = _fuzz("holders")
test_fuzz_grid = _fuzz("grid")
test_fuzz_export = _fuzz("export")
test_fuzz_scenario = _fuzz("scenario")
test_fuzz_montecarlo = _fuzz("montecarlo")
test_fuzz_breakeven = _fuzz("breakeven")  # issue 10
test_fuzz_dilution = _fuzz("dilution")  # issue 13
test_fuzz_securities = _fuzz("securities")  # the same command by its name
test_fuzz_report = _fuzz("report")  # issue 12
test_fuzz_bridge = _fuzz("bridge")  # issue 22
test_fuzz_offer = _fuzz("offer")  # issue 23
test_fuzz_value = _fuzz("value")  # issue 23


def test_fuzz_covers_every_command():
    assert {name.removeprefix("test_fuzz_") for name in globals() if name.startswith("test_fuzz_")} >= set(COMMANDS)
