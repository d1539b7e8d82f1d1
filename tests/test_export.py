"""Batch export (``calc.outputs.export``, ``python -m calc grid`` / ``export``)."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import calc.outputs.export as export_mod
import calc.outputs.files as output_mod
from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_families, load_register, load_terms
from calc.inputs.grid import Grid, axis_values, make_grid, parse_grid, read_grid, write_grid
from calc.inputs.paths import REGISTER_PATH
from calc.model.allocation import build_book, row_labels
from calc.model.params import PARAM_NAMES
from calc.model.scenario import SUMMARY_KEYS, run_scenario
from calc.outputs.export import RESULT_COLUMNS, SUMMARY_COLUMNS, export, load_book, result_chunks
from calc.outputs.files import csv_decimals, rounded
from cli.main import main
from cli.progress import ProgressBar
from tests.helpers import ROOT, run_cli

EXAMPLE_GRID = ROOT / "data" / "example_grid.csv"
ROWS_PER_SCENARIO = default_book().size + len(default_book().families)
INT_COLUMNS = [c for c in RESULT_COLUMNS[4:] if c.endswith(("_shares", "_prior"))]

# a few rows per event-date group, so chunks of 4 cut across groups
ROUND_TRIP_GRID = """\
scenario_id,price,annual_drift,dividend_policy,put,put_settlement,conversion,conversion_date,exchange_date,\
holder_basis,horizon,base_shares
a,0.75,,cash,,cash,,,,,,
b,0.75,,stock,,stock,,,,registered,,
c,0.75,,accrue,all,stock,none,,,,,
d,1.89,0.5,stock,,,,,,,,
e,1.89,-0.4,stock,,,,,,registered,,
f,3.00,,stock,none,,all,2002-09-30,,,,
g,1.89,,cash,,stock,,,2003-08-01,,,
h,0.5,,stock,,stock,,,,,2003-12-31,
i,0.4,,accrue,rational,stock,rational,,,,,"9,000,000,000"
"""


def files_in(directory) -> list[str]:
    return sorted(os.listdir(directory))


@pytest.fixture()
def round_trip_grid(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text(ROUND_TRIP_GRID, encoding="utf-8")
    return read_grid(path)


@pytest.fixture()
def exported(tmp_path, round_trip_grid):
    results, summary = tmp_path / "results.csv", tmp_path / "summary.csv"
    stats = export(round_trip_grid, results, summary, chunk_size=4)
    return round_trip_grid, stats, pd.read_csv(results, keep_default_na=False), pd.read_csv(summary)


# --------------------------------------------------------------------------- round trip


def test_round_trip_matches_the_engine_scenario_by_scenario(exported):
    grid, stats, results, _ = exported
    assert stats.scenarios == len(grid) == 9
    assert stats.rows == len(results) == 9 * ROWS_PER_SCENARIO
    assert list(results.columns) == list(RESULT_COLUMNS)
    for scenario_id, params in zip(grid.ids, grid.params):
        got = results[results["scenario_id"] == scenario_id].reset_index(drop=True)
        expected = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()).holders
        for column in RESULT_COLUMNS[1:]:
            want = expected[column]
            if csv_decimals(column) is not None:  # percentages written to 6 decimals (calc.outputs.files)
                want = pd.Series(rounded(want.to_numpy(), csv_decimals(column)))
            assert got[column].tolist() == want.tolist(), (scenario_id, column)


def test_round_trip_summary_matches_the_engine(exported):
    grid, _, _, summary = exported
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary["scenario_id"].tolist() == list(grid.ids)
    for row, params in zip(summary.to_dict("records"), grid.params):
        expected = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()).summary
        expected["dilution_pct"] = round(expected["dilution_pct"], 6) + 0.0  # as every CSV writes it
        assert {k: row[k] for k in SUMMARY_KEYS} == {k: expected[k] for k in SUMMARY_KEYS}
        assert row["price"] == params.price and row["holder_basis"] == params.holder_basis
        assert row["valuation_date"] == params.valuation_date.isoformat()


def test_summary_agrees_with_results(exported):
    _, _, results, summary = exported
    holders = results[results["kind"] == "holder"]
    by_scenario = holders.groupby("scenario_id", sort=False)[["conversion_shares", "redemption_shares"]].sum()
    merged = summary.merge(by_scenario, left_on="scenario_id", right_index=True, suffixes=("", "_holders"))
    pro_rata = merged[merged["holder_basis"] == "pro_rata"]
    assert (pro_rata["conversion_shares"] == pro_rata["conversion_shares_holders"]).all()
    assert (pro_rata["redemption_shares"] == pro_rata["redemption_shares_holders"]).all()
    assert pro_rata["conversion_shares"].gt(0).any() and pro_rata["redemption_shares"].gt(0).any()
    totals = results["scenario_id"].map(summary.set_index("scenario_id")["total_shares"])
    np.testing.assert_allclose(
        results["pro_forma_pct"], 100.0 * results["pro_forma_shares"] / totals, rtol=0, atol=0.5e-6
    )  # written to 6 decimals


def test_family_rows_are_member_sums(exported):
    _, _, results, _ = exported
    book = default_book()
    first = results[results["scenario_id"] == "c"]
    for family, members in zip(book.families, book.membership):
        row = first[(first["kind"] == "family") & (first["name"] == family.name)]
        member_rows = first[first["kind"] == "holder"][members]
        assert len(row) == 1
        assert row["conversion_shares"].item() + row["redemption_shares"].item() == (
            member_rows["conversion_shares"].sum() + member_rows["redemption_shares"].sum()
        )
        assert row["basis_preferred_shares"].item() == member_rows["basis_preferred_shares"].sum()


def test_parquet_holds_the_same_rows(tmp_path, round_trip_grid):
    export(round_trip_grid, tmp_path / "r.csv", tmp_path / "s.csv")
    export(round_trip_grid, tmp_path / "r.parquet", tmp_path / "s.parquet", fmt="parquet", chunk_size=2)
    csv_rows = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    parquet_rows = pd.read_parquet(tmp_path / "r.parquet")
    assert list(parquet_rows.columns) == list(RESULT_COLUMNS)
    pd.testing.assert_frame_equal(
        parquet_rows.astype({c: object for c in RESULT_COLUMNS[:4]}),
        csv_rows.astype({c: object for c in RESULT_COLUMNS[:4]}),
    )
    assert pd.read_parquet(tmp_path / "s.parquet")["scenario_id"].tolist() == list(round_trip_grid.ids)


def test_chunks_are_vectorized_batches_of_chunk_size(round_trip_grid, monkeypatch):
    calls = []
    real = export_mod.run_batch
    monkeypatch.setattr(
        export_mod, "run_batch", lambda params, *a, **k: calls.append(len(params)) or real(params, *a, **k)
    )
    chunks = list(result_chunks(round_trip_grid, chunk_size=4))
    assert calls == [4, 4, 1]
    assert [c.results.num_rows for c in chunks] == [n * ROWS_PER_SCENARIO for n in calls]
    assert all(isinstance(c.results, pa.Table) for c in chunks)


def test_example_grid_exports(tmp_path):
    grid = read_grid(EXAMPLE_GRID)
    stats = export(grid, tmp_path / "r.csv")
    assert stats.scenarios == len(grid) >= 5 and files_in(tmp_path) == ["r.csv"]


# --------------------------------------------------------------------------- spreadsheet safety

HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+1+1", "-2 Fund", "@SUM(A1)"]


def hostile_register(tmp_path):
    """A register CSV whose first holders have formula-like names (the reader strips tabs and CRs)."""
    register = pd.read_csv(REGISTER_PATH, dtype=str, keep_default_na=False)
    register.loc[: len(HOSTILE_NAMES) - 1, "name"] = HOSTILE_NAMES
    path = tmp_path / "register.csv"
    register.to_csv(path, index=False)
    return path, HOSTILE_NAMES


def test_injection_prone_text_is_neutralized_and_negative_numbers_stay_numbers(tmp_path):
    register, names = hostile_register(tmp_path)
    grid_path = tmp_path / "grid.csv"
    grid_path.write_text("scenario_id,price,annual_drift,base_shares\n=1+2,0.4,-0.25,9900000000\n", encoding="utf-8")
    grid = read_grid(grid_path)
    export(grid, tmp_path / "r.csv", tmp_path / "s.csv", book=load_book(register))
    results = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    summary = pd.read_csv(tmp_path / "s.csv")
    assert results["name"].tolist()[: len(names)] == ["'" + n for n in names]
    assert set(results["scenario_id"]) == {"'=1+2"}
    assert summary["annual_drift"].item() == -0.25
    assert summary["headroom_shares"].dtype == np.int64 and summary["headroom_shares"].item() < 0
    text = (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert ",-0.25," in text and f",{summary['headroom_shares'].item()}," in text


def test_tab_and_carriage_return_names_are_neutralized(tmp_path):
    register = load_register()
    register.loc[:1, "name"] = ["\tTabbed", "\rReturned"]
    book = build_book(register, load_terms().preferred.shares_issued, families=load_families())
    export(read_grid(EXAMPLE_GRID), tmp_path / "r.csv", book=book)
    results = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert results["name"].tolist()[:2] == ["'\tTabbed", "'\rReturned"]


def test_parquet_keeps_text_as_given(tmp_path):
    register, names = hostile_register(tmp_path)
    grid = read_grid(EXAMPLE_GRID)
    export(grid, tmp_path / "r.parquet", fmt="parquet", book=load_book(register), chunk_size=3)
    assert pd.read_parquet(tmp_path / "r.parquet")["name"].tolist()[: len(names)] == names


def test_excel_option_writes_a_byte_order_mark(tmp_path):
    grid = read_grid(EXAMPLE_GRID)
    export(grid, tmp_path / "excel.csv", tmp_path / "excel_summary.csv", excel=True)
    export(grid, tmp_path / "plain.csv")
    assert (tmp_path / "excel.csv").read_bytes().startswith(b'\xef\xbb\xbf"scenario_id"')
    assert (tmp_path / "excel_summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "plain.csv").read_bytes().startswith(b'"scenario_id"')
    assert (tmp_path / "excel.csv").read_bytes()[3:] == (tmp_path / "plain.csv").read_bytes()


def test_excel_with_parquet_is_rejected(tmp_path):
    with pytest.raises(InputError, match="CSV output only"):
        export(read_grid(EXAMPLE_GRID), tmp_path / "r.parquet", fmt="parquet", excel=True)
    assert files_in(tmp_path) == []


# --------------------------------------------------------------------------- rejections

BAD_GRID = """\
scenario_id,price,bogus,valuation_date,horizon,dividend_policy,base_shares,price
ok,1.0,x,,,,,1.0
dup,abc,,,,,,
dup,1.0,,2002-13-01,,,,
,1.0,,,,,,
r,-1,,,2001-01-01,sometimes,1.5,
short,1.0
"""


def test_every_rejection_is_reported_at_once_with_line_column_value_and_rule(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_GRID, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_grid(path)
    problems = info.value.problems
    expected = [
        "line 1, column 'bogus': unknown column",
        "line 1, column 'price': appears 2 times",
        "line 3, column price: 'abc' is not a number",
        "line 4, column scenario_id: 'dup' duplicates line 3",
        "line 4, column valuation_date: '2002-13-01' is not a date in YYYY-MM-DD form",
        "line 5, column scenario_id: empty",
        "line 6, column price: -1.0 must be from 0.01 to 100,000 USD",
        "line 6, column dividend_policy: 'sometimes' is not one of cash, stock, accrue",
        "line 6, column base_shares: '1.5' is not a whole number",
        "line 7: 2 cell(s), the header has 8",
    ]
    for message in expected:
        assert any(p.startswith(message) for p in problems), (message, problems)
    assert "nothing was run" in str(info.value)


def test_cross_field_range_rule_names_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("scenario_id,horizon\nfine,\nearly,2001-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_grid(path)
    assert info.value.problems == ("line 3, column horizon: 2001-01-01 must be on or after valuation_date 2002-08-28",)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty file"),
        ("scenario_id,price\n", "no scenario rows"),
        ("price\n1.0\n", "line 1: no 'scenario_id' column"),
    ],
)
def test_grid_without_scenarios_is_rejected(tmp_path, text, message):
    path = tmp_path / "grid.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_grid(path)


def test_line_numbers_count_blank_lines_bom_and_quoted_newlines(tmp_path):
    path = tmp_path / "grid.csv"
    path.write_text('\ufeffscenario_id,price\n"multi\nline",1\n\nbad,x\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_grid(path)
    assert info.value.problems == ("line 5, column price: 'x' is not a number",)


def test_cli_rejection_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "bad.csv").write_text(BAD_GRID, encoding="utf-8")
    result = run_cli("export", "--scenarios", "bad.csv", "--out", "r.csv", "--summary", "s.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "error: grid bad.csv: 11 problem(s); nothing was run" in result.stderr
    assert "line 4, column scenario_id: 'dup' duplicates line 3" in result.stderr
    assert files_in(tmp_path) == ["bad.csv"]


def test_results_and_summary_must_differ(tmp_path):
    with pytest.raises(InputError, match="--summary .* is the same file as --out"):
        export(read_grid(EXAMPLE_GRID), tmp_path / "r.csv", tmp_path / "r.csv")


# --------------------------------------------------------------------------- interrupted runs


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_crash_mid_grid_leaves_no_file(tmp_path, round_trip_grid, monkeypatch, failure):
    real, calls = export_mod.run_batch, []

    def fail_after_first_chunk(params, *args, **kwargs):
        calls.append(len(params))
        if len(calls) > 1:
            raise failure
        return real(params, *args, **kwargs)

    monkeypatch.setattr(export_mod, "run_batch", fail_after_first_chunk)
    (tmp_path / "keep.csv").write_text("previous\n", encoding="utf-8")
    with pytest.raises(type(failure)):
        export(round_trip_grid, tmp_path / "r.csv", tmp_path / "keep.csv", chunk_size=2)
    assert calls == [2, 2]
    assert files_in(tmp_path) == ["grid.csv", "keep.csv"]  # no target, no temporary file
    assert (tmp_path / "keep.csv").read_text(encoding="utf-8") == "previous\n"


def test_cli_ctrl_c_says_no_output_written_and_exits_130(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_mod, "run_batch", interrupted)
    code = main(
        [
            "export",
            "--scenarios",
            str(EXAMPLE_GRID),
            "--out",
            str(tmp_path / "r.csv"),
            "--summary",
            str(tmp_path / "s.csv"),
        ]
    )
    assert code == 130
    assert "interrupted: no output written" in capsys.readouterr().err
    assert files_in(tmp_path) == []


def test_cli_crash_says_no_output_written(tmp_path, monkeypatch, capsys):
    def crash(*args, **kwargs):
        raise ArithmeticError("kernel failure")

    monkeypatch.setattr(export_mod, "run_batch", crash)
    assert main(["export", "--scenarios", str(EXAMPLE_GRID), "--out", str(tmp_path / "r.csv")]) == 1
    err = capsys.readouterr().err
    assert "export failed: no output written" in err
    assert "error: internal error: ArithmeticError: kernel failure" in err  # issue 9 item 18: no traceback
    assert files_in(tmp_path) == []


# --------------------------------------------------------------------------- progress


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(tty, monkeypatch):
    monkeypatch.setattr(ProgressBar, "DELAY_S", 0.0)
    stream = FakeTerminal(tty)
    bar = ProgressBar(stream, "scenarios")
    bar(500, 1000)
    bar(1000, 1000)
    bar.clear()
    if tty:
        assert stream.getvalue().endswith("\r[##############################] 1,000/1,000 scenarios\n")
        assert "[###############...............] 500/1,000" in stream.getvalue()
    else:
        assert stream.getvalue() == ""


# --------------------------------------------------------------------------- grid generation


def test_grid_from_the_issue_example(tmp_path):
    table = make_grid({"price": "0.5:6:0.25", "dividend_policy": "cash,stock,accrue", "put_settlement": "cash,stock"})
    assert table.header == ("scenario_id", "price", "dividend_policy", "put_settlement")
    assert len(table.rows) == 23 * 3 * 2
    assert table.rows[:2] == [("s0001", "0.5", "cash", "cash"), ("s0002", "0.5", "cash", "stock")]
    assert table.rows[-1] == ("s0138", "6", "accrue", "stock")
    write_grid(table, tmp_path / "grid.csv")
    grid = read_grid(tmp_path / "grid.csv")
    assert len(set(grid.ids)) == 138 and grid.params[-1].price == 6.0


@pytest.mark.parametrize(
    "name, text, values",
    [
        ("price", "0.1:0.3:0.1", ["0.1", "0.2", "0.3"]),
        ("price", "1:2:0.4,5", ["1", "1.4", "1.8", "5"]),
        ("base_shares", "100:300:100", ["100", "200", "300"]),
        ("annual_drift", "-0.2,0,0.2", ["-0.2", "0", "0.2"]),
        ("exchange_date", "2003-01-01:2003-03-01:30,", ["2003-01-01", "2003-01-31", ""]),
        ("holder_basis", "registered, pro_rata", ["registered", "pro_rata"]),
        ("price", "1, 89", ["1", "89"]),
        ("price", "1,0.5", ["1", "0.5"]),
    ],
)
def test_axis_values(name, text, values):
    assert axis_values(name, text) == values


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("price", "0:1:0.5", "0.0 must be from 0.01 to 100,000 USD"),
        ("price", "1:2", "not a range start:stop:step"),
        ("price", "2:1:0.5", "stop is before start"),
        ("price", "1:2:0", "step must be a number > 0"),
        ("price", "1:2:nan", "not a range"),
        ("price", "1:2000000:1", "more than 1,000,000"),
        ("valuation_date", "2002-09-01:2002-10-01:1.5", "step must be a whole number of days > 0"),
        ("dividend_policy", "cash,sometimes", "'sometimes' is not one of cash, stock, accrue"),
        # issue 9 item 4: a decimal comma is never split into two values
        ("price", "1,89", "'1,89': a comma between digits is ambiguous"),
        ("base_shares", "1,885,000", "ambiguous in a list"),
        ("price", "2, 1,5", "ambiguous in a list"),
        ("price", "1:2:0,5", "step must be a number > 0"),
        ("price", "1_000:2000:1", "not a range start:stop:step"),
    ],
)
def test_axis_errors(name, text, message):
    with pytest.raises(ValueError, match=message):
        axis_values(name, text)


def test_grid_rows_are_checked_together(tmp_path):
    with pytest.raises(InputError) as info:
        make_grid({"valuation_date": "2003-01-01", "horizon": "2002-12-01,2004-08-02"})
    assert info.value.problems == ("line 2, column horizon: 2002-12-01 must be on or after valuation_date 2003-01-01",)


def test_grid_size_is_capped():
    with pytest.raises(InputError, match="more than the 1,000,000 allowed"):
        make_grid({"price": "1:1000:1", "annual_drift": "0:0.999:0.001", "put": "none,all"})


def test_cli_grid_then_export(tmp_path):
    made = run_cli(
        "grid",
        "--price",
        "0.5:6:0.25",
        "--dividend-policy",
        "cash,stock,accrue",
        "--put-settlement",
        "cash,stock",
        "--out",
        "GRID.csv",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert "138 scenarios" in made.stdout
    result = run_cli(
        "export", "--scenarios", "GRID.csv", "--out", "RESULTS.csv", "--summary", "SUMMARY.csv", "--excel", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert f"138 scenarios, {138 * ROWS_PER_SCENARIO:,} rows in " in result.stdout
    assert files_in(tmp_path) == [
        "GRID.csv",
        "RESULTS.csv",
        "RESULTS.inputs.json",
        "SUMMARY.csv",
        "SUMMARY.inputs.json",
    ]
    summary = pd.read_csv(tmp_path / "SUMMARY.csv", encoding="utf-8-sig")
    assert summary.columns[0] == "scenario_id" and len(summary) == 138
    assert set(PARAM_NAMES) <= set(summary.columns)


def test_cli_export_with_holders_register(tmp_path):
    register, names = hostile_register(tmp_path)
    result = run_cli(
        "export",
        "--scenarios",
        str(EXAMPLE_GRID),
        "--out",
        "r.parquet",
        "--format",
        "parquet",
        "--holders",
        str(register),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(tmp_path / "r.parquet")
    assert frame["name"].iloc[0] == names[0]
    assert len(frame) == len(read_grid(EXAMPLE_GRID)) * len(row_labels(load_book(register)))


def test_issue9_item3_share_limit_names_the_scenario_id(tmp_path, capsys):
    """A grid row whose counts pass the model limit is named by its scenario_id; nothing is written."""
    grid = tmp_path / "g.csv"
    grid.write_text(
        "scenario_id,price,annual_drift,horizon,dividend_policy,put,conversion\n"
        "ok,1.89,0,,,,\ncrash,0.25,-0.5,2031-08-01,accrue,none,none\n"
    )
    out = tmp_path / "o.csv"
    assert main(["export", "--scenarios", str(grid), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: scenario_id 'crash': redemption shares at 2031-08-01") and "10^15" in err
    assert not out.exists()


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 1000])
def test_results_independent_of_chunk_size(chunk_size):
    """The same grid in chunks of any size gives the same result and summary tables."""
    grid = make_grid({"price": "1, 4.5", "holder_basis": "registered, pro_rata", "horizon": "2004-08-02, 2011-08-01"})
    parsed = read_grid_text(grid)
    whole = list(result_chunks(parsed, chunk_size=len(parsed)))
    chunks = list(result_chunks(parsed, chunk_size=chunk_size))
    assert len(chunks) == -(-len(parsed) // chunk_size)
    for part in ("results", "summary"):
        joined = pa.concat_tables([getattr(c, part) for c in chunks])
        assert joined.equals(pa.concat_tables([getattr(c, part) for c in whole])), part


def read_grid_text(table) -> Grid:
    """The validated grid of a generated grid table (``calc.inputs.grid.parse_grid``)."""
    return parse_grid(table.header, ((i + 2, row) for i, row in enumerate(table.rows)), "grid")


def test_parquet_disk_full_is_one_error_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    """Parquet goes through a native write buffer (``calc.outputs.export.WRITE_BUFFER_BYTES``): a write error
    when it is flushed is still one error line, and no output (or temporary file) is left behind."""
    from tests.test_output import FullDisk, error_lines

    def full_disk(fd, mode):
        os.close(fd)
        return FullDisk(room=1_000)

    monkeypatch.setattr(output_mod.os, "fdopen", full_disk)
    out = tmp_path / "r.parquet"
    code = main(["export", "--scenarios", str(EXAMPLE_GRID), "--format", "parquet", "--out", str(out)])
    assert code == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith(f"error: --out {out}: cannot write (disk full;")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- issue 20 item 21


def test_issue20_item21_export_summary_and_sidecars_record_events_and_history(tmp_path, capsys):
    import hashlib
    import json

    from calc.inputs.paths import HISTORY_PATH
    from calc.model.ledger import EVENT_COLUMNS

    events = tmp_path / "ev.csv"
    events.write_text(",".join(EVENT_COLUMNS) + "\n2003-03-03,exchange_common,885000,,300.5,,,,\n", encoding="utf-8")
    grid = tmp_path / "g.csv"
    grid.write_text("scenario_id,events,history\na,ev.csv,\nb,,true\nc,,\n", encoding="utf-8")
    out, summary = tmp_path / "r.csv", tmp_path / "s.csv"
    assert main(["export", "--scenarios", str(grid), "--out", str(out), "--summary", str(summary)]) == 0
    digest = hashlib.sha256(events.read_bytes()).hexdigest()
    rows = pd.read_csv(summary, dtype=str, keep_default_na=False).set_index("scenario_id")
    assert rows[["history", "events", "events_sha256"]].to_dict("index") == {
        "a": {"history": "false", "events": "ev.csv", "events_sha256": digest},
        "b": {"history": "true", "events": "", "events_sha256": ""},
        "c": {"history": "false", "events": "", "events_sha256": ""},
    }
    for sidecar in (tmp_path / "r.inputs.json", tmp_path / "s.inputs.json"):
        files = json.loads(sidecar.read_text(encoding="utf-8"))["input_files"]
        assert files["events ev.csv"] == {"path": str(events), "bytes": events.stat().st_size, "sha256": digest}
        assert files["--history"]["path"] == str(HISTORY_PATH)
        assert files["--history"]["sha256"] == hashlib.sha256(HISTORY_PATH.read_bytes()).hexdigest()


def test_issue20_item21_a_grid_without_ledger_columns_records_no_ledger_files(tmp_path):
    import json

    assert main(["export", "--scenarios", str(EXAMPLE_GRID), "--out", str(tmp_path / "r.csv")]) == 0
    files = json.loads((tmp_path / "r.inputs.json").read_text(encoding="utf-8"))["input_files"]
    assert list(files) == ["--scenarios"]


@pytest.mark.parametrize("command, flag", [("scenario", "--timeline"), ("montecarlo", "--out")])
def test_issue20_item21_history_run_records_data_history_csv(tmp_path, command, flag):
    import hashlib
    import json

    from calc.inputs.paths import HISTORY_PATH, REPLAY_PATH

    argv = [command, "--history", flag, str(tmp_path / "t.csv")] + (["--paths", "5"] if command == "montecarlo" else [])
    assert main(argv) == 0
    files = json.loads((tmp_path / "t.inputs.json").read_text(encoding="utf-8"))["input_files"]
    assert files == {  # issue 22: --history replays data/history.csv then data/replay.csv
        flag_name: {
            "path": str(path),
            "bytes": path.stat().st_size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        for flag_name, path in (("--history", HISTORY_PATH), ("--history replay", REPLAY_PATH))
    }
    assert main([command, flag, str(tmp_path / "n.csv")] + argv[4:]) == 0  # without --history: no such file
    assert json.loads((tmp_path / "n.inputs.json").read_text(encoding="utf-8"))["input_files"] == {}
