"""CSV cells to the precision their unit is stated in (issue 12 item 6), for the CLI and the dashboard alike."""

from __future__ import annotations

import io

import pandas as pd

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.scenario import run_scenario
from calc.outputs.files import spreadsheet_safe, to_csv_bytes


def test_floats_are_fixed_to_their_unit():
    frame = pd.DataFrame(
        {
            "dividend_due_usd": [1081.6000000000001],
            "conversion_price_usd": [5.93999888328021],
            "price_usd": [1.89],
            "pro_forma_pct": [2.97e-05],
            "conversion_rate": [168.35020000001],
            "total_common_shares": [81552640],
            "exceeds_authorized": pd.Series([False], dtype=object),
        }
    )
    row = spreadsheet_safe(frame).iloc[0].to_dict()
    assert row == {
        "dividend_due_usd": "1081.60",
        "conversion_price_usd": "5.94",  # as the terms state it
        "price_usd": "1.8900",
        "pro_forma_pct": "0.000030",
        "conversion_rate": "168.3502",
        "total_common_shares": 81552640,
        "exceeds_authorized": "false",
    }


def test_timeline_csv_has_no_float_noise_and_reads_back():
    timeline = run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps()).timeline
    text = to_csv_bytes(timeline, excel=False).decode()
    assert "e-0" not in text and "0000000001" not in text and "9999999" not in text
    back = pd.read_csv(io.StringIO(text))
    assert back["conversion_price_usd"].iloc[-1] == 5.94
    assert back["total_common_shares"].tolist() == timeline["total_common_shares"].tolist()  # exact integers
    assert set(back["in_the_money"].astype(str).str.lower()) <= {"true", "false"}
