"""The 2002-2004 replay and share-count bridge (issue 22): ``calc.model.bridge``, ``calc.bridge_run``,
``calc.model.price_path``, the ledger's replay columns, and ``python -m calc bridge``.

Golden figures, from the sources as issue 22 reports them:
  R2002  Reuters, 2002-10-23: 175,000 preferred for 58,000,000 common in fiscal Q4 2002 (1,710,000 left at
         2002-09-30); 100,000 for 38,000,000 in October 2002 (1,610,000 left)
  PN2002 Prospect News, 2002-12-12: 1,330,000 left at 2002-12-12; 143 million common for the 8.00% preferred
         since 2002-09-30 (so 58M + 143M = 201,000,000 by 2002-12-12)
  PN2003 Prospect News, 2003-04-23: 621 million common for $1.627B since fiscal Q4 2002; $924M of the 8.00%
         preferred (1,885,000 − 924,000 = 961,000 left), $598M of trust preferred (1,750,000 − 598,000 =
         1,152,000 left; the 2003 annual report: $1,152M at 2003-09-30)
  covers the 10-Q/10-K cover counts of data/common_shares_actual.csv
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import numpy as np
import openpyxl
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.bridge_run import run_bridge, shipped_prices, shipped_replay
from calc.errors import InputError
from calc.inputs.data import default_book, load_terms
from calc.inputs.events_csv import read_events_text
from calc.inputs.instruments_toml import load_registry
from calc.inputs.params import default_params
from calc.inputs.prices_csv import read_prices, read_prices_bytes
from calc.model.bridge import Settings, bridge_frame, counted, covers_frame, split_total, waterfall_rows
from calc.model.bridge import replay as replay_rows
from calc.model.ledger import check_events
from charts.bridge_figures import bridge_figure, reconciliation_figure
from dashboard import bridge_view
from tests.helpers import open_section, run_cli, started_app

PREFERRED, TRUST = "preferred_8pct", "trust_preferred_775"


@pytest.fixture(scope="module")
def rows():
    return replay_rows(shipped_replay(), load_registry(), shipped_prices(), Settings())


def _outstanding(rows, instrument: str, on: dt.date) -> int:
    left = [r.outstanding_after for r in rows if r.event.instrument == instrument and r.event.date <= on]
    return left[-1]


def test_preferred_outstanding_matches_the_reports(rows):
    """R2002 1,710,000 at 2002-09-30; PN2002 1,330,000 at 2002-12-12; PN2003 961,000 at 2003-04-23 (exact)."""
    assert _outstanding(rows, PREFERRED, dt.date(2002, 9, 30)) == 1_710_000
    assert _outstanding(rows, PREFERRED, dt.date(2002, 10, 23)) == 1_610_000
    assert _outstanding(rows, PREFERRED, dt.date(2002, 12, 12)) == 1_330_000
    assert _outstanding(rows, PREFERRED, dt.date(2003, 4, 23)) == 961_000


def test_trust_preferred_and_exchange_totals_match_the_reports(rows):
    """PN2003: 1,152,000 trust preferred left after 2003-04-23; 621,000,000 common in exchanges to 2003-04-23;
    PN2002 + R2002: 201,000,000 common for the 8.00% preferred by 2002-12-12."""
    assert _outstanding(rows, TRUST, dt.date(2003, 4, 23)) == 1_152_000
    exchanges = [r for r in rows if r.event.action == "exchange_common"]
    assert sum(r.common_shares for r in exchanges if r.event.date <= dt.date(2003, 4, 23)) == 621_000_000
    by_dec_12 = [r for r in exchanges if r.event.instrument == PREFERRED and r.event.date <= dt.date(2002, 12, 12)]
    assert sum(r.common_shares for r in by_dec_12) == 201_000_000
    face = sum(r.face_usd for r in exchanges if r.event.instrument == PREFERRED)
    assert face == 924_000_000  # the cumulative figure kept; the $930M of the period figures is a note


def test_package_split_by_face_is_largest_remainder(rows):
    """FQ2 2003: 310M split ∝ $339M / $380M / $52M: 136,303,501.95 / 152,788,586.25 / 20,907,911.80 → the two
    units left go to .95 and .80 (hand-checked)."""
    fq2 = [r.common_shares for r in rows if r.event.package == "FQ2 2003"]
    assert fq2 == [136_303_502, 152_788_586, 20_907_912]


# Residual = actual − model at each cover date, as computed (not fitted), on the shipped data with the defaults.
# Hand-checked: 2002-11-30: 3,432,688,763 + 58M + 38M + floor(105M × 38/50) + floor(72M × 61/92)
#   = 3,656,227,893; 3,607,381,493 − that = −48,846,400.
# 2003-01-31: + 105M + 72M + floor(C_i × 31/90) of the FQ2 split = 46,948,984 + 52,627,179 + 7,201,614
#   = 3,812,466,540; 3,911,148,944 − that = 98,682,404.
RESIDUALS = {
    dt.date(2002, 7, 31): 0,
    dt.date(2002, 11, 30): -48_846_400,
    dt.date(2003, 1, 31): 98_682_404,
    dt.date(2003, 7, 31): 106_883_175,
    dt.date(2003, 11, 30): 139_861_681,
    dt.date(2004, 1, 31): 159_942_499,
    dt.date(2004, 4, 30): 185_625_003,
    dt.date(2004, 7, 31): 209_495_961,
    dt.date(2004, 11, 30): 320_650_654,
}


def test_golden_bridge_residuals():
    result = run_bridge()
    assert {c.date: c.residual_shares for c in result.covers} == RESIDUALS
    for c in result.covers:
        assert c.residual_shares == c.actual_shares - c.model_shares
        assert c.residual_pct == pytest.approx(100 * c.residual_shares / c.actual_shares)
    assert result.start_shares == 3_432_688_763 and result.end_shares == 4_099_985_060


def test_stock_retirements_use_the_price_path():
    """--retirements stock: ceil(93,000 × 1000 / 2.16) + ceil(868,000 × 1000 / 2.16) = 43,055,556 + 401,851,852
    (previous close $2.16 of 2003-09-30)."""
    sources = dict(run_bridge(settings=Settings(retirements="stock")).sources)
    assert sources["retired in stock: 8.00% preferred"] == 43_055_556 + 401_851_852


@given(
    st.dates(dt.date(2002, 7, 31), dt.date(2005, 7, 31)),
    st.integers(0, 1200),
    st.sampled_from(["cash", "stock"]),
    st.sampled_from(["face", "even"]),
    st.sampled_from(["day", "end"]),
)
def test_the_bridge_sums(start, days, retirements, rule, spread):
    """start + Σ sources = end; the model at each cover date is start + what was counted by then."""
    settings = Settings(retirements, rule, spread)
    result = run_bridge(start, start + dt.timedelta(days=days), settings)
    assert result.start_shares + sum(n for _, n in result.sources) == result.end_shares
    if result.covers and result.covers[-1].date == result.end_date:
        assert result.covers[-1].model_shares == result.end_shares


@given(st.lists(st.fractions(0, 10**9), min_size=1, max_size=6), st.integers(0, 10**12))
def test_split_sums_to_the_total(weights, total):
    if not sum(weights):
        return
    parts = split_total(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    assert all(abs(p - Fraction(total) * w / whole) < 1 for p, w in zip(parts, weights))


def test_counted_is_monotone_and_complete(rows):
    dates = [dt.date(2002, 7, 1) + dt.timedelta(days=k) for k in range(0, 1000, 7)] + [dt.date(2005, 1, 1)]
    k = counted(rows, dates)
    assert (np.diff(k, axis=1) >= 0).all()
    assert list(k[:, -1]) == [r.common_shares for r in rows]


def test_notes_show_the_conflict_and_every_assumption():
    notes = run_bridge().notes
    conflict = next(t for k, t in notes if k == "conflict")
    assert "$930M" in conflict and "$924M" in conflict and "reported $345M, replayed $339M (-6M)" in conflict
    assert sum(k == "assumption" for k, _ in notes) == sum("assumption" in e.source for e in shipped_replay())


def test_bridge_frame_has_every_part():
    frame = bridge_frame(run_bridge())
    assert list(frame["section"][:2]) == ["start", "source"]
    assert (frame["section"] == "cover").sum() == len(RESIDUALS)


# --------------------------------------------------------------------------- ledger replay columns

HEADER = "date,action,preferred_shares,common_shares,instrument,face_usd,package,label,date_from,source\n"


def _read(body: str):
    return read_events_text(HEADER + body, "replay")


def test_old_event_files_stay_valid():
    events, problems = read_events_text(
        "date,action,preferred_shares,common_shares,common_per_preferred,cash_per_preferred_usd,settlement,holder,"
        "source\n2003-03-03,exchange_common,1000,,300.5,,,,x\n",
        "events",
    )
    assert not problems and events[0].instrument == PREFERRED and events[0].replay_only == ""


def test_face_usd_on_the_preferred_gives_the_count():
    events, problems = _read("2003-03-03,exchange_common,,5000000,,2000000,,,,x\n")
    assert not problems and events[0].preferred_shares == 2000 and events[0].replay_only == ""


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2003-03-03,exchange_common,,1,,1500,,,,", "face_usd: '1500' is not a whole number of $1,000"),
        ("2003-03-03,issue_common,,100,,,,,,", "label: required for issue_common"),
        ("2003-03-03,exchange_common,2,1,,2000,,,,", "preferred_shares/face_usd: exchange_common needs one of them"),
        ("2003-03-03,exchange_common,2,1,,,,,2003-04-01,", "date_from: '2003-04-01' is after the row's date"),
        ("2003-03-03,exchange_common,2,1,Bad Id,,,,,", "instrument: 'Bad Id' is not an instrument id"),
        ("2003-03-03,convert,2,,,,p,,,", "package: 'p' does not apply to convert"),
    ],
)
def test_replay_column_problems(row, message):
    _, problems = _read(row + "\n")
    assert any(message in p for p in problems), problems


def test_a_scenario_refuses_replay_only_rows():
    events, problems = _read("2003-03-03,exchange_common,,1000,trust_preferred_775,5000,,,,x\n")
    assert not problems
    with pytest.raises(InputError, match="line 2, instrument: 'trust_preferred_775' makes this a replay-only row"):
        check_events(events, [], default_params(load_terms()), load_terms(), default_book())


def test_replay_problems_name_the_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "2003-03-03,exchange_common,,10,nothing_here,1000,,,,x\n", encoding="utf-8")
    result = run_cli("bridge", "--replay", str(path))
    assert result.returncode == 2
    assert "line 2, instrument: 'nothing_here' is not one of" in result.stderr


# --------------------------------------------------------------------------- price path and CLI


def test_price_rules():
    path = shipped_prices()
    assert path.close_on(dt.date(2003, 12, 31)) == 2.16
    loglin = path.with_rule("log_linear").close_on(dt.date(2003, 1, 15))
    t = 15 / 50  # 2002-12-31 → 2003-02-19: 50 days
    assert loglin == pytest.approx(1.26 * (1.77 / 1.26) ** t)
    with pytest.raises(InputError, match="no close on or before 2001-01-01"):
        path.close_on(dt.date(2001, 1, 1))


def test_prices_file_problems(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("date,close_usd,source\n2003-01-02,0,x\n2003-01-01,abc,x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_prices(path)
    assert [p.column for p in caught.value.problems] == ["close_usd", "close_usd"]


def test_cli_json_and_csv(tmp_path):
    out = tmp_path / "bridge.csv"
    result = run_cli("bridge", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["covers"][-1]["residual_shares"] == RESIDUALS[dt.date(2004, 11, 30)]
    assert out.read_text(encoding="utf-8").startswith("section,date,item,shares")


def test_cli_workbook(tmp_path):
    out = tmp_path / "bridge.xlsx"
    assert run_cli("bridge", "--xlsx", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Bridge", "Covers", "Notes", "Replay"]
    residuals = [row[3] for row in book["Covers"].iter_rows(min_row=2, values_only=True)]
    assert residuals == list(RESIDUALS.values())
    assert run_cli("bridge", "--xlsx", "-").returncode == 2


def test_cli_refuses_a_start_before_the_first_cover():
    result = run_cli("bridge", "--from", "2001-01-01")
    assert result.returncode == 2 and result.stderr.startswith("error: --from: 2001-01-01 is before")


# --------------------------------------------------------------------------- figures and the dashboard section


def test_figures_validate():
    result = run_bridge()
    waterfall = go.Figure(bridge_figure(waterfall_rows(result), "t").to_dict())
    assert list(waterfall.data[0].x) == [result.start_shares, *(n for _, n in result.sources), result.end_shares]
    assert waterfall.data[0].orientation == "h"  # step names level beside their bars
    reconciliation = go.Figure(reconciliation_figure(covers_frame(result)).to_dict())
    assert list(reconciliation.data[2].y) == list(RESIDUALS.values())


def test_dashboard_section(tmp_path, monkeypatch):
    app = started_app(tmp_path, monkeypatch)
    open_section(app, "2002–2004 bridge")
    assert not app.exception and not app.error
    covers = next(d.value for d in app.dataframe if "residual_shares" in d.value.columns)
    assert list(covers["residual_shares"]) == list(RESIDUALS.values())
    app.selectbox(key="bridge_retirements").set_value("stock").run()
    covers = next(d.value for d in app.dataframe if "residual_shares" in d.value.columns)
    assert covers["residual_shares"].iloc[-1] == -124_256_754  # 444,907,408 more common in stock


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2003-03-03,exchange_common,5,10,other_debt,,,,,x\n", "line 2, face_usd: required for other_debt"),
        ("2003-03-03,retire,1885001,,,,,,,x\n", "line 2, preferred_shares: 1,885,001 is more than the 1,885,000"),
        (
            "2003-03-03,exchange_common,,10,,1000,p,,,x\n2003-03-03,exchange_common,,10,other_debt,5,p,,,x\n",
            "line 2, package: 'p': exactly one row gives common_shares",
        ),
        (
            "2003-03-03,exchange_common,,10,,1000,p,,,x\n2003-03-04,exchange_common,,,other_debt,5,p,,,x\n",
            "line 2, package: 'p': its rows have different dates",
        ),
    ],
)
def test_replay_problems(body, message):
    events, problems = _read(body)
    assert not problems
    with pytest.raises(InputError) as caught:
        replay_rows(events, load_registry(), shipped_prices(), Settings())
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_an_uploaded_price_path_drives_stock_settlements():
    """The dashboard's upload (``read_prices_bytes``): one close of $4.00 from 2003-01-01 → the 961,000 retired
    after 2003-04-23 in stock are ceil(93,000 × 250) + ceil(868,000 × 250) = 240,250,000 common."""
    upload = b"\xef\xbb\xbfdate,close_usd,source\r\n2001-01-01,4.00,test\r\n"
    view = bridge_view.computed(dt.date(2002, 7, 31), dt.date(2004, 11, 30), Settings("stock"), "previous", upload)
    sources = dict(zip(view.table["item"], view.table["shares"]))
    assert sources["retired in stock: 8.00% preferred"] == 240_250_000
    assert sources["litigation settlement stock (escrow)"] == 25_000_000
    with pytest.raises(InputError, match="line 1 is not the header"):
        read_prices_bytes(b"a,b\n1,2\n", "uploaded prices")


# ------------------------------------------------------------------ --history elsewhere (issue 22, second pass)


def test_cli_bridge_history_is_the_shipped_replay():
    """The issue's spelling: ``bridge --from D1 --to D2 --history --json`` (``--history``: the shipped replay)."""
    spelled = run_cli("bridge", "--from", "2002-07-31", "--to", "2004-11-30", "--history", "--json")
    assert spelled.returncode == 0, spelled.stderr
    assert json.loads(spelled.stdout) == json.loads(run_cli("bridge", "--json").stdout)
    refused = run_cli("bridge", "--history", "--replay", "data/replay.csv")
    assert refused.returncode == 2 and "give --history or --replay FILE, not both" in refused.stderr


def test_securities_history_counts_the_trust_preferred_exchanges():
    """PN2003: $598M of trust preferred exchanged for common: 72,000,000 derived for fiscal Q1 2003 (621M − 58M −
    310M − 38M − 143M) and its face share of the 310M package (380 / 771, largest remainder: 152,788,586), in the
    window 2002-07-31..2004-08-02 of ``--history``; without ``--history`` none (the registry's step alone)."""
    with_history = json.loads(run_cli("securities", "--history", "--json").stdout)
    trust = next(r for r in with_history["instruments"] if r["id"] == TRUST)
    assert trust["issued_shares"] == 72_000_000 + 152_788_586
    steps = {r["step"]: r["shares"] for r in with_history["totals"]["bridge"]}
    assert steps["7.75% convertible trust preferred: exchanged for common (history)"] == 224_788_586
    without = json.loads(run_cli("securities", "--json").stdout)
    assert next(r for r in without["instruments"] if r["id"] == TRUST)["issued_shares"] == 0
