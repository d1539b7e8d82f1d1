"""CLI input rules and messages (issue 9 items 4, 14 eps/convert, 16, 18), run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import cli.commands.convert
from calc.errors import InputError
from cli.json_output import print_json
from cli.main import INTERRUPTED, main
from cli.progress import ProgressBar
from cli.text_output import escaped_output
from tests.helpers import ROOT, run_cli_capped


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(code: int, out: str, err: str) -> None:
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("error: ")
    assert all(line.startswith("  ") for line in lines[1:])


@pytest.mark.parametrize(
    "argv",
    [
        ["scenario", "--price", "1,89"],  # once ran at $189
        ["eps", "--net-income", "1,5"],
        ["convert", "--preferred", "1,5"],
        ["montecarlo", "--price", "1,89", "--paths", "10"],
        ["montecarlo", "--volatility", "0,6", "--paths", "10"],  # was type=float: '0,6' failed, '1_000' passed
    ],
)
def test_item4_decimal_comma_is_rejected_everywhere(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert_one_error_line(code, out, err)
    assert "',' is only a thousands separator" in err


def test_item4_grouped_thousands_are_accepted(capsys):
    code, out, _ = run(capsys, "convert", "--preferred", "1,885,000", "--json")
    assert code == 0
    assert json.loads(out)["common_shares"] == 317_340_127


@pytest.mark.parametrize(
    "argv, message",
    [
        (["eps", "--net-income", "1e400"], "too large"),
        (
            ["eps", "--net-income", "1e16"],
            "net income must be between -1,000,000,000,000,000 and 1,000,000,000,000,000",
        ),
        (["eps", "--net-income", "1", "--period-years", "1e400"], "too large"),
        (["eps", "--net-income", "1", "--period-years", "101"], "period must be > 0 and at most 100 years"),
        (["eps", "--net-income", "1", "--liquidation-preference", "1e400"], "too large"),
        (
            ["eps", "--net-income", "1", "--liquidation-preference", "1000001"],
            "liquidation preference must be > 0 and at most 1,000,000 USD per share",
        ),
        (["eps", "--net-income", "1", "--basic-shares", "1" + "0" * 16], "basic shares must be > 0 and at most"),
        (["convert", "--preferred", "1", "--liquidation-preference", "1e400", "--json"], "too large"),
        (["convert", "--preferred", "1", "--price", "2e6"], "price must be > 0 and at most 1,000,000 USD per share"),
        (["convert", "--preferred", "9" * 4300], "longer than 50 characters"),
        (["convert", "--preferred", "1885001"], "more than the 1,885,000 preferred shares issued"),
        (["montecarlo", "--volatility", "nan"], "NaN and infinity are not accepted"),
        (["montecarlo", "--volatility", "1_000"], "is not a number"),
    ],
)
def test_item14_eps_and_convert_ranges_fail_before_any_output(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert_one_error_line(code, out, err)
    assert message in err


@pytest.mark.parametrize(
    "command, flags",
    [
        ("eps", ["--net-income", "--period-years", "--liquidation-preference", "--price", "--basic-shares"]),
        ("convert", ["--preferred", "--liquidation-preference", "--price"]),
    ],
)
def test_item14_help_states_the_ranges(capsys, command, flags):
    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for flag in flags:
        help_text = text.split(flag, 2)[-1][:400]
        assert "at most" in help_text or " to " in help_text, flag


def test_item14_extreme_but_allowed_values_give_finite_json(capsys):
    code, out, _ = run(
        capsys,
        "eps",
        "--net-income",
        "-1e15",
        "--period-years",
        "100",
        "--liquidation-preference",
        "1e6",
        "--basic-shares",
        "1",
        "--json",
    )
    assert code == 0
    assert json.loads(out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))["basic_shares"] == 1


@pytest.mark.parametrize(
    "encoding, argv, expected",
    [
        ("latin-1", ["eps", "--net-income", "1e9"], "(NI - preferred dividends)"),  # '−' is not Latin-1
        ("ascii", ["eps", "--net-income", "1e9"], "(NI - preferred dividends)"),
        ("latin-1", ["convert", "--preferred", "10"], "10 × LP/1000 × rate"),  # '×' is Latin-1
        ("ascii", ["convert", "--preferred", "10"], "10 x LP/1000 x rate"),
    ],
)
def test_item16_output_works_on_any_encoding(encoding, argv, expected):
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONIOENCODING": encoding}
    result = subprocess.run([sys.executable, "-m", "calc", *argv], capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout.decode(encoding)
    assert result.stderr == b""


def test_item16_errors_survive_an_ascii_stderr():
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "calc", "convert", "--preferred", "9" * 60],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.decode("ascii").startswith("error: argument --preferred: '999")
    assert b"..." in result.stderr  # the truncation mark '…' as ASCII


def test_item18_negative_number_after_a_space(capsys):
    code, out, err = run(capsys, "eps", "--net-income", "-1e9", "--json")
    assert code == 0, err
    assert json.loads(out)["net_income_usd"] == -1e9
    code, out, err = run(capsys, "eps", "--net-income", "-1,000,000")
    assert code == 0, err


def test_item18_nul_and_huge_values_are_echoed_safely(capsys):
    code, out, err = run(capsys, "eps", "--net-income", "1\x002")
    assert_one_error_line(code, out, err)
    assert "\x00" not in err and "'1\\x002'" in err
    code, out, err = run(capsys, "convert", "--preferred", "1", "--date", "9" * 5000)
    assert_one_error_line(code, out, err)
    assert "9" * 40 not in err and "…" in err
    code, out, err = run(capsys, "convert", "--preferred", "1", "x" * 5000)  # unrecognized argument
    assert_one_error_line(code, out, err)
    assert "x" * 40 not in err


def test_item18_argparse_mistakes_are_one_error_line(capsys):
    for argv in (["eps"], ["convert", "--preferred"], ["nosuchcommand"], ["eps", "--net-income", "1", "--json=3"]):
        code, out, err = run(capsys, *argv)
        assert_one_error_line(code, out, err)
        assert "usage:" not in err


def test_item18_json_is_strict(capsys):
    with pytest.raises(ValueError):
        print_json({"x": float("inf")})
    with pytest.raises(ValueError):
        print_json({"x": float("nan")})


def test_item18_one_interrupt_message(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.commands.convert, "run", interrupted)
    code, out, err = run(capsys, "convert", "--preferred", "1")
    assert (code, err) == (130, INTERRUPTED + "\n")
    assert INTERRUPTED == "interrupted: no output written"


def test_item18_internal_error_is_one_line_exit_1(capsys, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli.commands.convert, "run", broken)
    code, out, err = run(capsys, "convert", "--preferred", "1")
    assert code == 1
    assert err.startswith("error: internal error: ZeroDivisionError: boom") and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_item18_numpy_runtime_warning_is_an_error_not_a_printed_warning(capsys, monkeypatch):
    def overflowing(args):
        print(np.float64(1e308) * 10)
        return 0

    monkeypatch.setattr(cli.commands.convert, "run", overflowing)
    code, out, err = run(capsys, "convert", "--preferred", "1")
    assert code == 1
    assert out == ""
    assert err.startswith("error: internal error: RuntimeWarning: overflow")


def test_options_forms_json_is_json(capsys):
    """Found by the fuzz test: ``options --forms --json`` printed text."""
    code, out, _ = run(capsys, "options", "--forms", "--json")
    assert code == 0
    assert {"form_id", "plan", "title"} <= set(json.loads(out)[0])


# --------------------------------------------------------------------------- issue 20 items 9, 10 and 25


def test_issue20_item9_holders_writes_nothing_unless_the_run_succeeds(tmp_path, capsys, monkeypatch):
    """The terms file is read after the filing is parsed: a bad one once left the register and its sidecar
    written beside the error (exit 2). (The loader is replaced for this command only: clearing the shared
    terms cache would leave other cached objects holding the previous terms.)"""
    import cli.commands.holders
    from calc.inputs.terms_toml import load_terms_file

    bad = tmp_path / "terms.toml"
    bad.write_text("preferred = [not toml\n", encoding="utf-8")
    monkeypatch.setattr(cli.commands.holders, "load_terms", lambda: load_terms_file(bad))
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, err = run(capsys, "holders", "--out", str(out / "register.csv"))
    assert_one_error_line(code, stdout, err)
    assert err.startswith(f"error: terms file {bad}: ")
    assert os.listdir(out) == []


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["scenario", "--events", "data/history.csv", "--events", "data/history.csv"], "--events"),
        (["scenario", "--price", "1", "--price=2"], "--price"),
        (["scenario", "--scenario", "a.json", "--scenario", "b.json"], "--scenario"),
        (["export", "--scenarios", "data/example_grid.csv", "--out", "-", "--out", "-"], "--out"),
    ],
)
def test_issue20_item10_a_value_flag_given_twice_is_refused(capsys, argv, flag):
    code, out, err = run(capsys, *argv)
    assert_one_error_line(code, out, err)
    assert err.startswith(f"error: argument {flag}: given more than once; give it once")


def test_issue20_item10_repeatable_flags_still_repeat(capsys):
    code, out, err = run(
        capsys,
        "dilution",
        "--policy",
        "debentures_275_a.put=none",
        "--policy",
        "debentures_275_a.conversion=none",
        "--json",
    )
    assert (code, err) == (0, "")


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["scenario", "--events", ""], "--events"),
        (["scenario", "--scenario", " "], "--scenario"),
        (["montecarlo", "--events", "", "--paths", "5"], "--events"),
        (["export", "--scenarios", "", "--out", "-"], "--scenarios"),
        (["eps", "--net-income", "1e9", "--grants", ""], "--grants"),
    ],
)
def test_issue20_item25_an_empty_path_says_empty_path(capsys, argv, flag):
    code, out, err = run(capsys, *argv)
    assert_one_error_line(code, out, err)
    assert err.startswith(f"error: argument {flag}: empty path: give a file name")
    assert "Is a directory" not in err


@pytest.mark.parametrize("flag", ["--timeline", "--holders-out", "--xlsx"])
def test_issue20_item25_an_empty_output_path_says_empty_path(capsys, flag):
    code, out, err = run(capsys, "scenario", flag, "")
    assert_one_error_line(code, out, err)
    assert err == f"error: {flag}: empty path: give a file name\n"


# --------------------------------------------------------------------------- issue 20 (hardening, round 3)

ANSI_NAME = "\x1b[31mRED\x1b]0;pwned\x07\x1b[2J\u202e"


def _registry_named(tmp_path, name: str):
    """A copy of the shipped registry whose warrants carry ``name`` (TOML-escaped)."""
    for file in ("terms.toml", "grants_illustrative.csv", "grants_executive_example.csv"):
        (tmp_path / file).write_bytes((ROOT / "data" / file).read_bytes())
    text = (ROOT / "data" / "instruments.toml").read_text(encoding="utf-8")
    old = 'name = { value = "warrants at $2.75 (2004 settlement)"'
    escaped = "".join(f"\\u{ord(c):04x}" if not c.isprintable() else c for c in name)
    assert text.count(old) == 1
    path = tmp_path / "instruments.toml"
    path.write_text(text.replace(old, f'name = {{ value = "{escaped}"'), encoding="utf-8")
    return path


def test_issue20_item19_terminal_escapes_in_a_name_are_printed_escaped(capsys, tmp_path):
    """An instrument name with ANSI sequences (colour, window title, clear screen) and a bidi override
    was printed raw by ``dilution``; every printed line now shows them as escapes."""
    code, out, err = run(capsys, "dilution", "--instruments", str(_registry_named(tmp_path, ANSI_NAME)))
    assert code == 0, err
    assert not any(c in out + err for c in "\x1b\x07\u202e")
    assert "\\x1b[31mRED\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in out
    assert "\n" in out and out.isprintable() is False  # line ends are kept


def test_issue20_item19_escaping_covers_stderr_and_spares_the_progress_bar(capsys):
    with escaped_output():
        print("name\x1b[2J\tok", file=sys.stderr)
        bar = ProgressBar(sys.stderr, "paths")
        assert bar.stream is not sys.stderr  # the bar draws its '\r' on the stream underneath
    assert capsys.readouterr().err == "name\\x1b[2J\tok\n"


@pytest.mark.timeout(20)
def test_issue20_item14_a_scenario_document_is_read_size_capped():
    """``--scenario /dev/zero`` read the whole 'file' before checking its size."""
    result = run_cli_capped("scenario", "--scenario", "/dev/zero")
    assert_one_error_line(result.returncode, result.stdout, result.stderr)
    assert result.stderr == "error: --scenario /dev/zero: larger than 20,000,000 bytes\n"


@pytest.mark.timeout(10)
def test_issue20_item14_an_input_is_fingerprinted_size_capped(monkeypatch):
    """The run record hashes every input file; one that grew past every reader's cap (or /dev/zero) is
    refused, not hashed forever."""
    import calc.outputs.record

    monkeypatch.setattr(calc.outputs.record, "MAX_GRID_BYTES", 3 << 20)
    with pytest.raises(InputError, match=r"--events: larger than the 3,145,728-byte limit of any input file"):
        calc.outputs.record.file_fingerprint("/dev/zero", "--events")
