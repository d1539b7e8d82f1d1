"""Command-line behaviour common to all commands."""

from __future__ import annotations

import json

import pytest

from calc.cli import _command_modules
from tests.conftest import run_cli

COMMANDS = [m.NAME for m in _command_modules()]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "usage: python -m calc" in result.stdout


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
