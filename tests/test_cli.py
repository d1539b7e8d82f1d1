"""Command-line behaviour common to all commands."""

from __future__ import annotations

import json
import os
import re

import pytest

from cli.commands import COMMANDS
from tests.helpers import run_cli, run_cli_process


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "usage: python -m calc" in result.stdout


def test_python_m_calc_runs_as_a_process():
    """The one subprocess smoke test of the entry point (each process start costs ~1 s of imports)."""
    result = run_cli_process("--help")
    assert result.returncode == 0
    assert all(command in result.stdout for command in COMMANDS)


def test_convert_json_reports_317_340_127():
    result = run_cli("convert", "--preferred", "1885000", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload == {
        "conversion_rate": 168.3502,
        "liquidation_preference_usd": 1000.0,
        "common_shares": 317_340_127,
        "fractional_share": 0.0,
        "cash_in_lieu_usd": 0.0,
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["convert", "--preferred", "-5"], "must be >= 0"),
        (["convert", "--preferred", "10", "--price", "0"], "must be a finite number > 0"),
        (["convert", "--preferred", "10", "--date", "2002-13-01"], "not a date in YYYY-MM-DD form"),
        (["convert", "--preferred", "10", "--date", "1999-01-01"], "before the first conversion rate"),
    ],
)
def test_convert_rejects_bad_input(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_scenario_json_and_files(tmp_path):
    timeline, holders = tmp_path / "t.csv", tmp_path / "h.csv"
    result = run_cli(
        "scenario",
        "--price",
        "1.89",
        "--dividend-policy",
        "stock",
        "--json",
        "--timeline",
        str(timeline),
        "--holders-out",
        str(holders),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    # 4 stock dividends of ceil(75,400,000 / 1.89) = 39,894,180 and the stock-settled 2004
    # put of ceil(1,885,000,000 / 1.89) = 997,354,498 (see tests/test_scenario.py)
    assert summary["dividend_shares"] == 159_576_720
    assert summary["redemption_shares"] == 997_354_498
    assert set(summary) >= {
        "dividend_shares",
        "conversion_shares",
        "redemption_shares",
        "new_shares",
        "total_shares",
        "dilution_pct",
    }
    assert timeline.read_text().startswith("date,event,dividend_shares,conversion_shares")
    assert len(holders.read_text().splitlines()) == 1 + 326 + 2  # header, holders, two families


def test_scenario_rejects_every_bad_parameter_at_once(tmp_path):
    out = tmp_path / "t.csv"
    result = run_cli("scenario", "--price", "-2", "--put", "maybe", "--put-factor", "0", "--timeline", str(out))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 3 problem(s) in the scenario flags; nothing was run"
    assert sorted(lines[1:]) == [
        "  - --price: -2.0 must be from 0.01 to 100,000 USD",
        "  - --put-factor: 0.0 must be from 0.01 to 1",
        "  - --put: 'maybe' is not one of none, all, rational",
    ]
    assert not out.exists()


def test_montecarlo_json():
    result = run_cli("montecarlo", "--paths", "500", "--volatility", "0", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    # zero volatility: every path is the default deterministic scenario (4,764,312,711)
    assert payload["total_shares_p5"] == payload["total_shares_p95"] == 4_764_312_711


def test_scenario_bad_second_output_leaves_no_first_file(tmp_path):
    timeline = tmp_path / "timeline.csv"
    result = run_cli("scenario", "--timeline", str(timeline), "--holders-out", str(tmp_path / "missing" / "h.csv"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["scenario", "--grants", "no-such-file.csv", "--xlsx", "book.xlsx"],
        ["scenario", "--events", "no-such-file.csv", "--json"],
        ["options", "--grants", "no-such-file.csv", "--date", "2004-02-01", "--price", "2"],
        ["report", "--events", "no-such-file.csv", "--out", "r.html"],
    ],
)
def test_a_missing_input_file_is_an_input_error(tmp_path, argv):
    """Found by the argv fuzzer: ``scenario --grants MISSING --xlsx`` ended in an internal error (exit 1)
    while fingerprinting the input for the workbook's Inputs sheet."""
    result = run_cli(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and "cannot read" in result.stderr, result.stderr
    assert os.listdir(tmp_path) == []


def test_scenario_text_output_reads_like_a_report():
    """Review item 8: the text report had 7.0, conversion_date=None, unseparated counts, 5 or 6 decimals
    of percent, money to 4 decimals and a ragged summary."""
    result = run_cli("scenario", "--price", "7")
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert "price=7.00;" in header and "conversion_date=none;" in header and "None" not in header
    assert "base_shares=3,607,381,493;" in header and "call_trigger_pct=20" in header
    timeline = lines[: lines.index(next(line for line in lines if line.startswith("dividend_shares")))]
    # the 2004-08-02 put converts at $7: floor(1,885,000 x 168.3502) = 317,340,127 (SUPP p. 1, conversion rate)
    put = next(line for line in timeline if line.startswith("Aug 2, 2004"))
    assert "317,340,127" in put.split() and "$7.00" in put.split()  # prices to the cent, not 7.0000
    assert all(re.fullmatch(r"\d+\.\d{2}%", line.split()[-1]) for line in timeline[1:])  # new_shares_pct, 2 places
    assert len({len(line) for line in timeline}) == 1  # right-aligned columns end together
    summary = lines[len(timeline) :]
    assert len({len(line) for line in summary}) == 1  # values right-aligned after the longest key
    figures = dict(line.split(maxsplit=1) for line in summary)
    assert figures["conversion_shares"].strip() == "317,340,127"
    assert figures["repurchase_cash_usd"].strip() == "$0.00"
    assert re.fullmatch(r"\d+\.\d{2}%", figures["dilution_pct"].strip())
    assert figures["exceeds_authorized"].strip() == "no"


@pytest.mark.parametrize("command", [["scenario", "--json"], ["grid", "--out", "g.csv"]])
def test_a_scenario_flag_given_an_empty_value_is_refused(tmp_path, command):
    """`--price ""` used to run the default price silently (an empty grid cell means the default; an empty flag
    does not)."""
    result = run_cli(*command, "--price", " ", "--horizon", "", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: 2 problem(s) in the scenario flags; nothing was run",
        "  - --price: empty value: give a value or leave the flag out",
        "  - --horizon: empty value: give a value or leave the flag out",
    ]
    assert os.listdir(tmp_path) == []


def test_the_workbook_is_never_written_to_standard_output():
    """A binary workbook on standard output would be mixed with the text report (and break any reader)."""
    result = run_cli("scenario", "--xlsx", "-")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: --xlsx -: a workbook is a binary file")


def test_parquet_is_never_written_to_standard_output():
    result = run_cli("export", "--scenarios", "data/example_grid.csv", "--out", "-", "--format", "parquet")
    assert result.returncode == 2 and result.stdout == ""
    assert "Parquet is a binary format" in result.stderr
