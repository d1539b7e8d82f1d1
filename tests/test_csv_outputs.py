"""Every CSV the command line writes: money to cents, percentages and rates with fixed decimals,
booleans true/false, and the inputs beside it in NAME.inputs.json (issue 12, point 6)."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pandas as pd

from calc.outputs.files import csv_decimals, to_csv_bytes
from cli.commands.scenario import DEPRECATED_HOLDERS
from cli.main import main
from tests.helpers import ROOT, run_cli

LONG_FLOAT = re.compile(r"\d\.\d{7,}|e-\d")  # 1081.6000000000001, 5.93999888328021, 2.97e-05


def _rows(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_timeline_and_holders_csv_are_rounded_as_the_terms_state(tmp_path):
    timeline, holders = tmp_path / "t.csv", tmp_path / "h.csv"
    result = run_cli(
        "scenario",
        "--dividend-policy",
        "accrue",
        "--put",
        "none",
        "--horizon",
        "2006-08-01",
        "--timeline",
        str(timeline),
        "--holders-out",
        str(holders),
    )
    assert result.returncode == 0, result.stderr
    text = timeline.read_text() + holders.read_text()
    assert not LONG_FLOAT.search(text), LONG_FLOAT.search(text)
    rows = _rows(timeline)
    # conversion price 1000 / 168.3502 = 5.93999... is $5.94 (SUPP cover: "$5.94")
    assert {r["conversion_price_usd"] for r in rows[1:]} == {"5.94"}
    # accrued LP after one unpaid semiannual dividend: 1000 × 1.04 = 1040.00 (8% a year, semiannual)
    assert rows[1]["lp_per_share_usd"] == "1040.00"
    assert {r["in_the_money"] for r in rows} <= {"true", "false"}
    pcts = [r["pro_forma_pct"] for r in _rows(holders)]
    assert all(re.fullmatch(r"\d+\.\d{6}", p) for p in pcts)


def test_rounding_rule_and_negative_zero():
    frame = pd.DataFrame(
        {
            "x_usd": [-0.001, 1081.6000000000001, float("nan")],
            "y_pct": [2.97e-05, 0.0, 1.0],
            "conversion_rate": [168.35024, 1.0, 2.0],
            "annual_drift": [0.1234567, 0.0, 1.0],
            "name": ["-1", "a", "b"],
            "flag": [True, False, True],
        }
    )
    lines = to_csv_bytes(frame, excel=False).decode().splitlines()
    assert lines[1] == "0.00,0.000030,168.3502,0.1234567,'-1,true"
    assert lines[2] == "1081.60,0.000000,1.0000,0,a,false"  # a float with no unit: shortest text, no ".0"
    assert lines[3].startswith(",1.000000")
    assert (
        csv_decimals("dividend_due_usd"),
        csv_decimals("price_usd"),
        csv_decimals("dilution_pct"),
        csv_decimals("shares"),
    ) == (2, 4, 6, None)  # per-share prices to 4 decimals, as entered
    # by the registry's unit, not the name: "% of fully diluted" is a percentage though its name does not end _pct
    assert csv_decimals("pct_of_fully_diluted") == csv_decimals("pct_of_base_shares") == 6


def test_the_summary_download_writes_one_number_rule_not_0_0_1_0_and_20_000000():
    """The dashboard's long-form summary (inputs, then results, one value column of mixed units) had 0.0 (drift),
    1.0 (factors) and 20.000000 (call cushion) beside 1.89: each value is now rounded to its unit's precision and
    written as its shortest text. Golden values: the default scenario's inputs (price $1.89, SUPP p. 11; no drift;
    factors 1; cushion 20%) as the brief states them."""
    from calc.inputs.params import default_params
    from dashboard.tables import summary_table

    params = default_params()
    summary = {"dilution_pct": 24.283276123, "new_shares": 1_156_931_218, "exceeds_authorized": False}
    from calc.model.columns import SUMMARY_METRICS

    summary |= {c.name: 0 for c in SUMMARY_METRICS if c.name not in summary}
    frame = summary_table(params, summary, "filing")
    values = dict(zip(frame["item"], frame["value"]))
    assert (values["price"], values["annual_drift"], values["sale_factor"], values["call_trigger_pct"]) == (
        "1.89",
        "0",
        "1",
        "20",
    )
    assert values["dilution_pct"] == "24.283276"  # six places, as every CSV writes a percentage
    text = to_csv_bytes(frame, excel=False).decode()
    assert ",0.0," not in text and "20.000000" not in text


def test_a_sidecar_writes_a_missing_value_as_null_never_the_text_none():
    import pandas as pd

    from calc.outputs.files import sidecar_json

    record = json.loads(sidecar_json({"common_per_preferred": None, "a": pd.NA, "b": pd.NaT, "c": np.int64(3)}))
    assert record == {"common_per_preferred": None, "a": None, "b": None, "c": 3}


def test_sidecar_holds_the_inputs_and_is_planned_with_the_csv(tmp_path):
    out = tmp_path / "timeline.csv"
    result = run_cli("scenario", "--price", "2.5", "--events", "data/history.csv", "--timeline", str(out))
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "timeline.inputs.json").read_text())
    assert record["command"] == "scenario" and record["file"] == "timeline.csv"
    assert record["scenario"]["price"] == 2.5 and record["flags"]["price"] == "2.5"
    assert record["input_files"]["--events"]["bytes"] == (ROOT / "data" / "history.csv").stat().st_size
    assert re.fullmatch(r"[0-9a-f]{64}", record["input_files"]["--events"]["sha256"])
    assert "wrote " + str(tmp_path / "timeline.inputs.json") in result.stdout


def test_sidecar_may_not_overwrite_another_output(tmp_path, capsys):
    taken = tmp_path / "t.inputs.json"
    assert main(["scenario", "--timeline", str(tmp_path / "t.csv"), "--holders-out", str(taken)]) == 2
    assert "is the same file as" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_stdout_gets_no_sidecar_and_other_commands_write_one(tmp_path, capsys):
    assert main(["montecarlo", "--paths", "20", "--out", str(tmp_path / "mc.csv")]) == 0
    assert (
        main(
            [
                "options",
                "--grants",
                str(ROOT / "data" / "grants_illustrative.csv"),
                "--date",
                "2004-02-01",
                "--out",
                str(tmp_path / "g.csv"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "export",
                "--scenarios",
                str(ROOT / "data" / "example_grid.csv"),
                "--out",
                str(tmp_path / "r.csv"),
                "--summary",
                str(tmp_path / "s.csv"),
            ]
        )
        == 0
    )
    assert main(["scenario", "--timeline", "-"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "g.csv",
        "g.inputs.json",
        "mc.csv",
        "mc.inputs.json",
        "r.csv",
        "r.inputs.json",
        "s.csv",
        "s.inputs.json",
    ]
    assert json.loads((tmp_path / "s.inputs.json").read_text())["file"] == "s.csv"
    summary = (tmp_path / "s.csv").read_text()
    assert not LONG_FLOAT.search(summary.split("\n", 1)[1])


def test_deprecated_holders_flag_still_writes_and_says_so(tmp_path, capsys):
    assert main(["scenario", "--holders", str(tmp_path / "h.csv")]) == 0
    assert capsys.readouterr().err == DEPRECATED_HOLDERS + "\n"
    assert (tmp_path / "h.csv").exists()
    assert main(["scenario", "--holders", str(tmp_path / "a.csv"), "--holders-out", str(tmp_path / "b.csv")]) == 2
