"""The input registry (``calc.model.inputs_registry``) and the output-column registry (``calc.model.columns``):
every CLI flag and dashboard widget of a registered input reads its row, and every column an output writes has a
registered unit (``unit_of`` raises for any other)."""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from calc.model import columns
from calc.model.inputs_registry import (
    BASIC_SHARES,
    NET_INCOME,
    OFFER_PRICE,
    PATHS,
    PERIOD_YEARS,
    SECURITIES_PATHS,
    SEED,
    TAX_RATE,
    VALUE_PRICE,
    VALUE_RATE,
    VALUE_SPREAD,
    VALUE_STEPS,
    VALUE_VOLATILITY,
    VOLATILITY,
    InputSpec,
    span,
)
from calc.model.params import SPEC_BY_NAME
from cli.main import build_parser, main


def _action(command: str, flag: str) -> argparse.Action:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return next(a for a in sub.choices[command]._actions if flag in a.option_strings)


@pytest.mark.parametrize(
    ("command", "spec"),
    [
        ("montecarlo", VOLATILITY),
        ("montecarlo", PATHS),
        ("montecarlo", SEED),
        ("scenario", PATHS),
        ("securities", SEED),
        ("eps", NET_INCOME),
        ("eps", BASIC_SHARES),
        ("securities", NET_INCOME),
        ("value", VALUE_PRICE),
        ("value", VALUE_VOLATILITY),
        ("value", VALUE_RATE),
        ("value", VALUE_SPREAD),
        ("value", VALUE_STEPS),
    ],
)
def test_cli_flag_reads_its_registry_row(command, spec: InputSpec):
    action = _action(command, spec.flag)
    assert action.help is not None
    assert spec.help in action.help.replace("%%", "%") and span(spec) in action.help
    if spec in (PATHS, SEED, VALUE_STEPS) and command != "scenario":
        assert action.default == spec.default


@pytest.mark.parametrize("command", ["eps", "securities"])
def test_open_bounded_flags_read_their_rows(command):
    """The period (``0 < years <= 100``) and the tax rate (``0 <= rate < 1``, checked by the flag's type)."""
    from cli.arg_types import tax_rate

    period = _action(command, PERIOD_YEARS.flag)
    assert period.help is not None and f"{PERIOD_YEARS.help}, > 0 and at most {PERIOD_YEARS.bounds[1]}" in period.help
    tax = _action(command, TAX_RATE.flag)
    assert tax.help is not None and tax.help.startswith(TAX_RATE.help) and tax.type is tax_rate
    assert tax_rate("0") == TAX_RATE.bounds[0]
    with pytest.raises(argparse.ArgumentTypeError):
        tax_rate(str(TAX_RATE.bounds[1]))


def test_the_model_checks_the_registry_bounds():
    from calc.errors import InputError
    from calc.model.montecarlo import validate_mc
    from calc.model.offer import Offer

    validate_mc(VOLATILITY.bounds[1], int(PATHS.bounds[1]), int(SEED.bounds[1]))
    with pytest.raises(InputError, match="paths: 1000001 must be from 1 to 1,000,000"):
        validate_mc(0.5, int(PATHS.bounds[1]) + 1, 0)
    offer = Offer(ratio=380, date=None, price_usd=OFFER_PRICE.bounds[1] * 2)  # type: ignore[arg-type]
    assert any(p.startswith("price:") and "100,000 USD" in p for p in offer.problems())


class _Recorder:
    """A stand-in for ``st`` and its columns: records each number widget's keyword arguments."""

    def __init__(self) -> None:
        self.widgets: dict[str, dict[str, Any]] = {}

    def columns(self, spec: Any, **_: Any) -> list[_Recorder]:
        return [self] * (spec if isinstance(spec, int) else len(spec))

    def number_input(self, label: str, **kwargs: Any) -> Any:
        self.widgets[kwargs["key"]] = kwargs
        return kwargs["value"]

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **k: True


def _bounds(widget: dict[str, Any]) -> tuple[float, float]:
    return widget["min_value"], widget["max_value"]


def test_dashboard_widgets_read_their_registry_rows(monkeypatch):
    from dashboard import securities_view, valuation_view, widgets
    from dashboard.widgets import BROWSER_MAX_INT

    st = _Recorder()
    widgets.net_income_input(st, "Net income", "ni", "help")
    assert _bounds(st.widgets["ni"]) == tuple(map(float, NET_INCOME.bounds))
    assert st.widgets["ni"]["value"] == NET_INCOME.default

    monkeypatch.setattr(valuation_view, "st", st)
    valuation_view._inputs()
    assert _bounds(st.widgets["fv_volatility"]) == VALUE_VOLATILITY.bounds
    assert _bounds(st.widgets["fv_rate"]) == VALUE_RATE.bounds
    assert _bounds(st.widgets["fv_spread"]) == VALUE_SPREAD.bounds

    monkeypatch.setattr(securities_view, "st", st)

    def stop(*_: Any) -> None:
        raise StopIteration

    monkeypatch.setattr(securities_view, "_monte_carlo", stop)
    with pytest.raises(StopIteration):
        securities_view._mc_section(SimpleNamespace(), "k")  # type: ignore[arg-type]
    assert _bounds(st.widgets["dilution_vol"]) == VOLATILITY.bounds
    assert _bounds(st.widgets["dilution_paths"]) == SECURITIES_PATHS.bounds
    assert _bounds(st.widgets["dilution_seed"]) == (SEED.bounds[0], min(SEED.bounds[1], BROWSER_MAX_INT))


def test_unit_of_refuses_an_unregistered_column():
    with pytest.raises(KeyError, match="not registered"):
        columns.unit_of("made_up_usd")
    assert columns.unit_of("price_usd") == "USD" and columns.unit_of("dilution_pct") == "pct"


def test_a_name_registered_twice_has_one_unit():
    specs = (*columns.HOLDER_COLUMNS, *columns.SUMMARY_METRICS, *columns.OTHER_COLUMNS, *columns.TERM_FIELD_COLUMNS)
    units: dict[str, set[str]] = {}
    for spec in specs:
        units.setdefault(spec.name, set()).add(spec.unit)
    assert {name: u for name, u in units.items() if len(u) > 1} == {}


def test_every_column_an_output_writes_is_registered(tmp_path, monkeypatch, capsys):
    """Every column of every CSV and workbook table the commands write (the CSV writer and the workbook's tables
    see each one) and every column the dashboard's tables name."""
    from calc.outputs import files, workbook
    from dashboard.formatting import COLUMNS

    seen: set[str] = set(COLUMNS)
    decimals, kind = files.csv_decimals, workbook.column_kind

    def csv_decimals(column: str) -> int | None:
        seen.add(column)
        return decimals(column)

    def column_kind(column: str, values: Any) -> str:
        seen.add(column)
        return kind(column, values)

    monkeypatch.setattr(files, "csv_decimals", csv_decimals)
    monkeypatch.setattr(workbook, "column_kind", column_kind)
    out = str(tmp_path)
    runs = [
        ["scenario", "--timeline", f"{out}/t.csv", "--holders-out", f"{out}/h.csv", "--xlsx", f"{out}/s.xlsx"]
        + ["--volatility", "0.5", "--paths", "50", "--grants", "data/grants_illustrative.csv"]
        + ["--net-income", "1e9", "--history"],
        ["bridge", "--out", f"{out}/b.csv", "--xlsx", f"{out}/b.xlsx"],
        ["montecarlo", "--paths", "50", "--out", f"{out}/m.csv"],
        ["options", "--grants", "data/grants_illustrative.csv", "--date", "2004-02-01", "--out", f"{out}/o.csv"],
    ]
    for argv in runs:
        assert main(argv) == 0, argv
    grid = f"{out}/grid.csv"
    assert main(["grid", "--price", "1.5,2", "--out", grid]) == 0
    assert main(["export", "--scenarios", grid, "--out", f"{out}/r.csv", "--summary", f"{out}/s.csv"]) == 0
    capsys.readouterr()
    for name in ("r.csv", "s.csv"):  # the batch export streams its columns (Arrow), not through the CSV writer
        seen |= set(pd.read_csv(f"{out}/{name}", nrows=0).columns)
    unregistered = {c for c in seen if c not in columns.REGISTERED and c not in SPEC_BY_NAME}
    assert sorted(unregistered) == []
    assert {"date", "dividend_shares", "pro_forma_pct", "p50", "residual_pct", "shares"} <= seen
