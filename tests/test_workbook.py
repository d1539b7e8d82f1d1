"""The Excel workbook (``scenario --xlsx``, ``calc.outputs.workbook``), read back with openpyxl and compared,
figure by figure, with ``scenario --json``, the CLI's CSVs, ``montecarlo --json`` and ``eps --json``."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json

import openpyxl
import pytest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.scenario import SUMMARY_KEYS, run_scenario
from calc.outputs.workbook import WorkbookData, workbook_bytes
from tests.helpers import HOSTILE_NAMES, ROOT, run_cli

SCENARIO = ["--price", "1.89", "--dividend-policy", "stock", "--horizon", "2006-08-01", "--history"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wb")
    book, timeline, holders = tmp / "s.xlsx", tmp / "t.csv", tmp / "h.csv"
    result = run_cli(
        "scenario",
        *SCENARIO,
        "--xlsx",
        str(book),
        "--timeline",
        str(timeline),
        "--holders-out",
        str(holders),
        "--paths",
        "300",
        "--seed",
        "7",
        "--volatility",
        "0.5",
        "--grants",
        "data/grants_illustrative.csv",
        "--net-income",
        "5000000000",
    )
    assert result.returncode == 0, result.stderr
    return openpyxl.load_workbook(book), timeline, holders


def _table(sheet, header_row: int = 1) -> list[dict]:
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _csv(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_sheets(made):
    book, _, _ = made
    assert book.sheetnames == ["Inputs", "Summary", "Timeline", "Holders", "Monte Carlo", "Options and EPS", "Sources"]
    assert all(book[name].freeze_panes for name in book.sheetnames)


def test_summary_equals_scenario_json(made):
    book, _, _ = made
    expected = json.loads(run_cli("scenario", *SCENARIO, "--json").stdout)
    got = {row["figure"]: row["value"] for row in _table(book["Summary"])}
    assert list(got) == list(SUMMARY_KEYS)
    assert set(expected) == {*SUMMARY_KEYS, "capacity"}  # the capacity checks are JSON only (not a summary figure)
    for key in SUMMARY_KEYS:
        value = expected[key]
        if key.endswith("_pct"):
            assert got[key] == pytest.approx(value / 100, rel=1e-15), key  # stored as a fraction, 0.0000%
        else:
            assert got[key] == value and isinstance(got[key], bool) == isinstance(value, bool), key
    # the 2002-2004 history of the 8.00% preferred (issue 22; the goldens' sources in tests/test_ledger.py):
    # 58,000,000 + 38,000,000 (Reuters) + 105,000,000 + 136,303,502 + 17,538,462 (Prospect News) common
    assert got["exchange_shares"] == 354_841_964


def test_timeline_and_holders_equal_the_csvs(made):
    book, timeline, holders = made
    for sheet, path in ((book["Timeline"], timeline), (book["Holders"], holders)):
        rows, expected = _table(sheet), _csv(path)
        assert len(rows) == len(expected) and list(rows[0]) == list(expected[0])
        for got, want in zip(rows, expected):
            for column, text in want.items():
                value = got[column]
                if isinstance(value, bool):
                    assert text == ("true" if value else "false"), column
                elif isinstance(value, dt.datetime):
                    assert value.date().isoformat() == text
                elif isinstance(value, int) and "." not in text:
                    assert value == int(text), column
                elif isinstance(value, (int, float)):
                    shown = value * 100 if "_pct" in column else value
                    decimals = len(text.split(".")[1]) if "." in text else 0
                    assert round(shown, decimals) == pytest.approx(float(text), abs=10**-decimals / 2), column
                else:
                    assert (value or "") == text, column


def test_number_formats_and_types(made):
    book, _, _ = made
    sheet = book["Timeline"]
    header = [c.value for c in sheet[1]]
    cell = {name: sheet.cell(row=3, column=header.index(name) + 1) for name in header}
    assert cell["total_common_shares"].number_format == "#,##0" and isinstance(cell["total_common_shares"].value, int)
    assert cell["dividend_due_usd"].number_format == "#,##0.00"
    assert cell["new_shares_pct"].number_format == "0.0000%"
    assert cell["date"].is_date and cell["date"].number_format == "yyyy-mm-dd"
    assert isinstance(cell["in_the_money"].value, bool)
    assert sheet.column_dimensions["A"].width >= 10


def test_monte_carlo_sheet_equals_montecarlo_json(made):
    book, _, _ = made
    mc = json.loads(
        run_cli("montecarlo", *SCENARIO, "--paths", "300", "--seed", "7", "--volatility", "0.5", "--json").stdout
    )
    last = _table(book["Monte Carlo"], header_row=3)[-1]
    assert {k: last[k.removeprefix("total_shares_")] for k in mc if k.startswith("total_shares_")} == {
        k: v for k, v in mc.items() if k.startswith("total_shares_")
    }


def test_options_and_eps_sheet_equals_eps_json(made):
    book, _, _ = made
    eps = json.loads(
        run_cli(
            "eps",
            "--net-income",
            "5000000000",
            "--basic-shares",
            "3432688763",
            "--price",
            "1.89",
            "--date",
            "2006-08-01",
            "--grants",
            "data/grants_illustrative.csv",
            "--json",
        ).stdout
    )
    rows = _table(book["Options and EPS"], header_row=4)
    by_step = {row["step"]: row for row in rows if row["section"] != "options"}
    assert by_step["diluted shares"]["incremental_shares"] == eps["diluted_shares"]
    assert by_step["diluted EPS (USD)"]["eps_after_usd"] == pytest.approx(eps["diluted_eps_usd"], rel=1e-15)
    assert by_step["basic EPS (USD)"]["eps_after_usd"] == pytest.approx(eps["basic_eps_usd"], rel=1e-15)
    grants = (ROOT / "data" / "grants_illustrative.csv").read_text().strip().splitlines()[1:]
    assert sum(row["section"] == "options" for row in rows) == len(grants)


def test_inputs_sheet_names_every_parameter_and_its_source(made):
    book, _, _ = made
    rows = _table(book["Inputs"])
    params = {row["parameter"]: row for row in rows if row["parameter"] and row["source of the default"]}
    assert params["price"]["value"] == 1.89 and params["price"]["changed from default"] is False
    assert params["base_shares"]["changed from default"] is True
    assert params["base_shares"]["value"] == 3_432_688_763  # 10-Q cover, 2002-07-31 (--history)
    assert params["price"]["source of the default"].startswith("terms market.closing_price_usd: SUPP p. 11")
    assert params["dividend_policy"]["source of the default"] == "assumption: product default"
    items = {row["parameter"]: row["value"] for row in rows}
    assert items["command"] == "scenario" and items["flags.history"] == "True"
    sources = {row["field"]: row["source"] for row in _table(book["Sources"])}
    assert sources["preferred.shares_issued"].startswith("SUPP p. 1 (cover)")


def test_text_that_looks_like_a_formula_is_neutralized():
    params = default_params()
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    names = result.holders["name"].tolist()
    names[: len(HOSTILE_NAMES)] = HOSTILE_NAMES
    hostile = dataclasses.replace(result, holders=result.holders.assign(name=names))
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(WorkbookData(params, hostile, {"note": "=1+2"}, terms=load_terms())))
    )
    shown = [row["name"] for row in _table(book["Holders"])][: len(HOSTILE_NAMES)]
    for got, given in zip(shown, HOSTILE_NAMES):
        assert got == ("'" + given if given.startswith(("=", "+", "-", "@", "\t", "\r")) else given)
    assert not any(cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_sources_sheet_keeps_numbers_and_booleans(made):
    """Review item 8: the Sources sheet stored '1885000', '0.08' and 'True' as text."""
    book, _, _ = made
    values = {row["field"]: row["value"] for row in _table(book["Sources"])}
    assert values["preferred.shares_issued"] == 1_885_000  # SUPP p. 1 (cover)
    assert values["preferred.dividend_rate"] == pytest.approx(0.08)  # SUPP p. 1: 8.00%
    assert values["preferred.initial_liquidation_preference_usd"] == 1000  # SUPP p. 11, footnote 3
    assert values["market.closing_price_usd"] == pytest.approx(1.89)  # SUPP p. 11
    assert values["preferred.cumulative_dividends"] is True
    assert values["preferred.issue_date"].date() == dt.date(2001, 8, 6)
    assert values["terms file"] == "data/terms.toml"


def test_summary_sheet_has_a_label_beside_each_key(made):
    book, _, _ = made
    rows = _table(book["Summary"])
    assert list(rows[0]) == ["figure", "label", "value"]
    labels = {row["figure"]: row["label"] for row in rows}
    assert labels["dilution_pct"].startswith("Dilution %") and labels["new_shares"] == "New shares, all sources"


def test_options_and_eps_sheet_without_inputs_is_notes_only():
    """Review item 11: without grants or net income the sheet had a lone "section" header and
    pointed readers at calc/model/eps.py."""
    params = default_params()
    book = openpyxl.load_workbook(
        io.BytesIO(
            workbook_bytes(
                WorkbookData(
                    params,
                    run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()),
                    {},
                    terms=load_terms(),
                )
            )
        )
    )
    cells = [cell for row in book["Options and EPS"].iter_rows(values_only=True) for cell in row if cell is not None]
    assert cells and cells[-1] == "Not computed: give --grants FILE and/or --net-income USD."
    assert "section" not in cells and not any("calc/" in str(cell) for cell in cells)
