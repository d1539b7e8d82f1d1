"""Issue 10: the preferred as a ledger (events, call policy, 2002 history, break-even).

Golden figures are computed by hand in the comments. Defaults unless stated: valuation
2002-08-28, price $1.89 flat, stock dividends (sale_factor 1), put = rational settled in
stock (put_factor 1), horizon = the 2004-08-02 put, base 3,607,381,493 common, LP $1,000,
r = 4% per half year, so a dividend is $40 per preferred share.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc.errors import InputError
from calc.inputs.data import default_book, history_events, load_caps, load_terms
from calc.inputs.events_csv import (
    cells_exchange_ratio,
    missing_cells,
    read_events,
    read_events_text,
)
from calc.inputs.grid import read_grid
from calc.inputs.history import history_defaults
from calc.inputs.history_replay import scenario_history
from calc.inputs.params import parse_params
from calc.model.breakeven import breakeven_report, setup
from calc.model.ledger import (
    EVENT_COLUMNS,
    Event,
    _share,
    check_events,
    event_exchange_ratio,
    exchange_ratio,
)
from calc.model.montecarlo import run_monte_carlo
from calc.model.scenario import run_batch, run_scenario, scenario_plan
from calc.outputs.export import result_chunks
from cli.main import main
from tests.helpers import run_cli

HEADER = ",".join(EVENT_COLUMNS)


def events_of(*rows: str) -> tuple[Event, ...]:
    events, problems = read_events_text("\n".join([HEADER, *rows]), "events test")
    assert problems == []
    return events


def holder_rows(result):
    return result.holders[result.holders["kind"] == "holder"]


def test_issue10_golden_exchange_then_default_put():
    """885,000 preferred exchanged on 2003-03-03 at 300.5 common each, the rest put on 2004-08-02.

    exchange   floor(885,000 × 300.5)                         = 265,942,500
    2003-02-01 dividend on 1,885,000: ceil(75,400,000 / 1.89)  =  39,894,180  (before the exchange)
    3 later dividends on 1,000,000: 3 × ceil(40,000,000 / 1.89) = 3 × 21,164,022 = 63,492,066
    put 2004-08-02: ceil(1,000,000 × 1,000 / 1.89)             = 529,100,530
    new = 265,942,500 + 103,386,246 + 529,100,530               = 898,429,276
    """
    events = events_of("2003-03-03,exchange_common,885000,,300.5,,,,")
    result = run_scenario(parse_params(), events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    s = result.summary
    assert s["exchange_shares"] == 265_942_500
    assert s["dividend_shares"] == 39_894_180 + 63_492_066
    assert s["redemption_shares"] == 529_100_530
    assert s["new_shares"] == 898_429_276
    assert s["total_shares"] == 3_607_381_493 + 898_429_276
    assert s["preferred_outstanding_after_events"] == 1_000_000
    row = result.timeline.set_index("date").loc[dt.date(2003, 3, 3)]
    assert row["preferred_outstanding"] == 1_000_000 and row["exchange_shares"] == 265_942_500
    holders = holder_rows(result)
    assert holders["exchange_shares"].sum() == 265_942_500  # pro_rata: holders sum to the class
    assert holders["redemption_shares"].sum() == 529_100_530


def test_issue10_golden_holder_named_exchange():
    """Aim Charter Fund (15,000 listed, registered basis) exchanges all its preferred for 4,500,000 common.

    The class keeps 1,870,000: 2003-02-01 ceil(75,400,000/1.89) = 39,894,180, then
    3 × ceil(74,800,000/1.89) = 3 × 39,576,720 = 118,730,160; put ceil(1,870,000,000/1.89) = 989,417,990.
    Aim: exchange 4,500,000, nothing redeemed; every other holder exactly as without the event.
    """
    params = parse_params({"holder_basis": "registered"})
    events = events_of("2003-03-03,exchange_common,all,4500000,,,,Aim Charter Fund,")
    result = run_scenario(params, events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    assert result.summary["exchange_shares"] == 4_500_000
    assert result.summary["dividend_shares"] == 39_894_180 + 118_730_160
    assert result.summary["redemption_shares"] == 989_417_990
    holders = holder_rows(result).set_index("name")
    aim = holders.loc["Aim Charter Fund"]
    assert (aim["exchange_shares"], aim["redemption_shares"], aim["pro_forma_shares"]) == (4_500_000, 0, 4_500_000)
    before = holder_rows(run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())).set_index(
        "name"
    )
    others = holders.index != "Aim Charter Fund"
    assert (holders.loc[others, "redemption_shares"] == before.loc[others, "redemption_shares"]).all()


def test_issue10_golden_call_on_2006_08_01_at_7_usd():
    """call = date 2006-08-01, price $7, cash dividends, no holder put or conversion.

    7 × 168.3502 = 1,178.45 ≥ 1,000: in the money, so the call forces conversion of all
    1,885,000: floor(1,885,000 × 168.3502) = 317,340,127 common (all of them call conversions).
    At $5 (841.75 < 1,000) the call redeems in stock: ceil(1,885,000,000 / 5) = 377,000,000.
    """
    base = {"price": 7, "dividend_policy": "cash", "put": "none", "conversion": "none", "horizon": "2006-08-01"}
    called = run_scenario(
        parse_params(base | {"call": "date", "call_date": "2006-08-01"}),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert called.summary["conversion_shares"] == 317_340_127
    assert called.timeline["call_conversion_shares"].iloc[-1] == 317_340_127
    assert called.summary["preferred_outstanding_at_horizon"] == 0
    uncalled = run_scenario(parse_params(base), terms=load_terms(), book=default_book(), caps=load_caps())
    assert uncalled.summary["new_shares"] == 0 and uncalled.summary["preferred_outstanding_at_horizon"] == 1_885_000
    redeemed = run_scenario(
        parse_params(base | {"price": 5, "call": "date", "call_date": "2006-08-01"}),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert redeemed.summary["redemption_shares"] == 377_000_000 and redeemed.summary["conversion_shares"] == 0


def test_issue10_rational_call_needs_the_cushion():
    """call = rational, trigger 20%: at $7, 1,178.45 < 1,200, no call; at $7.20, 1,212.12 ≥ 1,200: the
    class converts on 2006-08-01, the first dividend date from the call date: 317,340,127."""
    base = {"dividend_policy": "cash", "put": "none", "conversion": "none", "horizon": "2007-01-01", "call": "rational"}
    assert (
        run_scenario(
            parse_params(base | {"price": 7}), terms=load_terms(), book=default_book(), caps=load_caps()
        ).summary["conversion_shares"]
        == 0
    )
    result = run_scenario(
        parse_params(base | {"price": 7.2}), terms=load_terms(), book=default_book(), caps=load_caps()
    )
    assert result.summary["conversion_shares"] == 317_340_127
    assert result.timeline.set_index("date").loc[dt.date(2006, 8, 1), "call_conversion_shares"] == 317_340_127


def test_issue10_golden_dividend_policy_switch():
    """Stock until 2003-02-01, cash after: the row dated 2003-02-01 acts after that date's dividend.

    2003-02-01 stock: ceil(75,400,000 / 1.89) = 39,894,180; the three later dividends in cash: 0;
    put: ceil(1,885,000,000 / 1.89) = 997,354,498.
    """
    result = run_scenario(
        parse_params(),
        events=events_of("2003-02-01,dividend_policy,,,,,cash,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert result.summary["dividend_shares"] == 39_894_180
    assert result.summary["redemption_shares"] == 997_354_498
    assert result.summary["preferred_outstanding_after_events"] == 1_885_000


def test_issue10_history_replay_cli():
    """Issue 22: ``--history`` replays every 8.00% preferred row of the sourced history (data/history.csv, then
    data/replay.csv) from 2002-07-31. Goldens from the sources (issue 22; tests/test_bridge.py cites them):
    58,000,000 (R2002) + 38,000,000 (R2002) + 105,000,000 (PN2002: 143M − 38M) + 136,303,502 (PN2003: the 310M
    package split by face, 339 / 771, largest remainder) + 17,538,462 (PN2003: the 38M April package, 30 / 65)
    = 354,841,964 exchange shares; 1,885,000 − 924,000 = 961,000 left at 2003-04-23, then 93,000 and the last
    868,000 retired for cash at $1,000 (assumptions): 961,000 × $1,000 = $961,000,000 and none left. (Before
    issue 22, ``--history`` replayed only the two 2002 exchanges: 96,000,000 and 1,610,000 left.)"""
    result = run_cli("scenario", "--history", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["exchange_shares"] == 354_841_964
    assert payload["repurchase_cash_usd"] == 961_000_000
    assert payload["preferred_outstanding_after_events"] == 0
    timeline = run_scenario(
        parse_params(history_defaults()),
        events=scenario_history(),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    ).timeline
    left = dict(zip(timeline["date"], timeline["preferred_outstanding"]))
    assert [left[dt.date(*d)] for d in ((2002, 9, 16), (2002, 12, 12), (2003, 4, 23))] == [
        1_710_000,
        1_330_000,
        961_000,
    ]
    assert sum(timeline.loc[timeline["date"] <= dt.date(2002, 12, 12), "exchange_shares"]) == 201_000_000
    # the two 2002 exchanges alone (data/history.csv): the history start, 2002-07-31 with the 10-Q cover count
    replay = run_scenario(
        parse_params({"valuation_date": "2002-07-31", "base_shares": 3_432_688_763}),
        events=history_events(),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    after = replay.timeline[replay.timeline["date"] > dt.date(2002, 10, 23)].iloc[0]
    assert after["preferred_outstanding"] == 1_610_000
    assert replay.timeline["exchange_shares"].tolist()[:4] == [0, 0, 58_000_000, 38_000_000]


def test_issue10_history_rows_have_sources_and_assumed_dates():
    for event in history_events():
        assert "Reuters" in event.source and "assumption" in event.source
    assert load_terms().preferred.conversion_not_before == dt.date(2002, 5, 6)
    assert load_terms().source("preferred.call_price_rule").startswith("assumption")


def test_issue10_every_problem_is_reported_at_once_with_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "2003-01-15,swap,10,,,,,,",
                "2001-01-15,convert,10,,,,,,",
                "2003-08-01,put,10,,,,stock,,",
                "2004-08-02,call,10,,,,,,",
                "2003-03-01,exchange_common,2000000,,300,,,,",
                "2003-03-01,repurchase_cash,5,,,100,,Nobody,",
                "2003-03-01,repurchase_cash,50000,,,100,,Aim Charter Fund,",
                "2003-03-01,exchange_common,5,100,3,,,,",
                "2003-03-01,exchange_common,5,,,,,,",
            ]
        ),
        encoding="utf-8",
    )
    result = run_cli("scenario", "--events", str(path))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: events: 10 problem(s); nothing was run"
    expected = [
        "line 2, action: 'swap' is not one of",
        "line 3, date: 2001-01-15 is outside the window",
        "line 3, date: convert on 2001-01-15 is before 2002-05-06",
        "line 4, date: put on 2003-08-01 is not a put date",
        "line 5, date: call on 2004-08-02 is before 2006-08-01",
        "line 6, preferred_shares: 2,000,000 is more than the 1,884,990 outstanding",
        "line 7, holder: 'Nobody' is not a register name",
        "line 8, preferred_shares: 50,000 is more than the 12,089 holder 'Aim Charter Fund' holds",
        "line 9, common_shares/common_per_preferred: exchange_common needs exactly one of them, got both",
        "line 10, common_shares/common_per_preferred: exchange_common needs exactly one of them, got neither",
    ]
    for line, text in zip(lines[1:], expected):
        assert text in line


def test_issue10_conversion_not_before_2002_05_06():
    with pytest.raises(InputError, match="conversion_date: 2002-01-02 is before 2002-05-06"):
        parse_params({"valuation_date": "2002-01-02", "conversion": "all"})
    params = parse_params({"valuation_date": "2002-01-02"})
    terms, book = load_terms(), default_book()
    with pytest.raises(InputError, match="convert on 2002-05-05 is before 2002-05-06"):
        check_events(events_of("2002-05-05,convert,10,,,,,,"), [], params, terms, book)
    check_events(events_of("2002-05-06,convert,10,,,,,,"), [], params, terms, book)


def test_issue10_call_date_rules():
    with pytest.raises(InputError, match="call_date: required when call = date"):
        parse_params({"call": "date"})
    with pytest.raises(InputError, match="call_date: 2005-01-01 is before 2006-08-01"):
        parse_params({"call": "date", "call_date": "2005-01-01", "horizon": "2007-01-01"})


def test_issue10_grid_events_relative_to_grid_file_and_history(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ev.csv").write_text(HEADER + "\n2003-03-03,exchange_common,885000,,300.5,,,,\n")
    grid_path = tmp_path / "sub" / "grid.csv"
    grid_path.write_text("scenario_id,events,history\na,ev.csv,\nb,,true\nc,,\n", encoding="utf-8")
    grid = read_grid(grid_path)
    chunk = next(result_chunks(grid))
    summary = chunk.summary.to_pandas().set_index("scenario_id")
    assert summary.loc["a", "exchange_shares"] == 265_942_500
    assert summary.loc["b", "exchange_shares"] == 354_841_964  # the history of issue 22 (test above)
    assert summary.loc["b", "valuation_date"] == dt.date(2002, 7, 31)
    assert summary.loc["c", "exchange_shares"] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("scenario_id,events,history\na,missing.csv,maybe\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_grid(bad)
    assert any("column history: 'maybe' is not true or false" in p for p in info.value.problems)
    assert any("column events:" in p and "missing.csv" in p for p in info.value.problems)


def test_issue10_montecarlo_with_events_and_breakeven_cli():
    events = events_of("2003-03-03,exchange_common,885000,,300.5,,,,", "2003-09-15,repurchase_cash,100000,,,900,,,")
    result = run_monte_carlo(
        parse_params(), 0.0, 5, 1, events=events, terms=load_terms(), book=default_book(), caps=load_caps()
    )
    deterministic = run_scenario(
        parse_params(), events=events, terms=load_terms(), book=default_book(), caps=load_caps()
    )
    assert result.horizon_total_shares[0] == deterministic.summary["total_shares"]
    assert deterministic.summary["repurchase_cash_usd"] == 90_000_000.0
    cli = run_cli("breakeven", "--common-per-preferred", "331.43", "--volatility", "0.6", "--paths", "500", "--json")
    assert cli.returncode == 0, cli.stderr
    payload = json.loads(cli.stdout)
    assert {
        "exchange_shares_per_preferred",
        "wait_shares_per_preferred",
        "breakeven_price_usd",
        "probability_exchange_issues_fewer",
        "wait_shares_per_preferred_p50",
    } <= set(payload)


def test_issue10_breakeven_closed_form():
    """Default scenario, exchange on the valuation date: waiting costs 4 stock dividends of $40 and a
    stock put of $1,000 per share: wait(S) = 1,160 / S below the $5.94 conversion price, so at $1.89
    wait = 613.7566...; R = 331.43 breaks even at S = 1,160 / 331.43 and R = 380 at 1,160 / 380.
    Above $5.94 wait = 160 / S + 168.3502 > 168.35, so R = 100 never breaks even."""
    s = setup(parse_params(), None, (), terms=load_terms(), book=default_book(), caps=load_caps())
    report = breakeven_report(s, 331.43)
    assert report["wait_shares_per_preferred"] == pytest.approx(1160 / 1.89, rel=1e-12)
    assert report["breakeven_price_usd"] == pytest.approx(1160 / 331.43, rel=1e-12)
    assert breakeven_report(s, 380.0)["breakeven_price_usd"] == pytest.approx(1160 / 380, rel=1e-12)
    assert breakeven_report(s, 100.0)["breakeven_price_usd"] is None
    mc = breakeven_report(s, 331.43, volatility=0.0, paths=10, seed=0)
    assert mc["probability_exchange_issues_fewer"] == 1.0
    assert mc["wait_shares_per_preferred_p50"] == pytest.approx(1160 / 1.89, rel=1e-12)


# --------------------------------------------------------------------------- properties

DATES = st.dates(dt.date(2002, 8, 28), dt.date(2004, 8, 1))
PRICES = st.sampled_from([0.75, 1.89, 4.0, 7.0])
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _row(date: dt.date, action: str, n: int, value: str = "") -> str:
    fields = {"exchange_common": f",,{value or 3}", "repurchase_cash": f",,,{value or 100}"}
    cells = fields.get(action, "")
    row = f"{date},{action},{n}{cells}"
    return row + "," * (HEADER.count(",") - row.count(","))


@SETTINGS
@given(
    date=DATES,
    action=st.sampled_from(["exchange_common", "repurchase_cash", "exchange_debentures"]),
    price=PRICES,
    basis=st.sampled_from(["pro_rata", "registered"]),
)
def test_issue10_zero_quantity_events_change_nothing(date, action, price, basis):
    params = parse_params({"price": price, "holder_basis": basis})
    plain = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    zero = run_scenario(
        params, events=events_of(_row(date, action, 0)), terms=load_terms(), book=default_book(), caps=load_caps()
    )
    assert zero.summary == plain.summary
    columns = [c for c in plain.holders.columns]
    assert zero.holders[columns].equals(plain.holders[columns])


@SETTINGS
@given(date=DATES, n=st.integers(0, 1_885_000), split=st.floats(0, 1), ratio=st.integers(0, 500), price=PRICES)
def test_issue10_splitting_an_exchange_gives_the_same_totals(date, n, split, ratio, price):
    first = int(n * split)
    params = parse_params({"price": price})
    whole = run_scenario(
        params,
        events=events_of(_row(date, "exchange_common", n, str(ratio))),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    ).summary
    parts = run_scenario(
        params,
        events=events_of(
            _row(date, "exchange_common", first, str(ratio)), _row(date, "exchange_common", n - first, str(ratio))
        ),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    ).summary
    assert parts == whole


@SETTINGS
@given(rows=st.lists(st.tuples(DATES, st.integers(0, 1_000_000)), min_size=1, max_size=4))
def test_issue10_events_never_retire_more_than_outstanding(rows):
    params = parse_params()
    events = events_of(*(_row(d, "repurchase_cash", n) for d, n in rows))
    try:
        result = run_scenario(params, events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    except InputError as exc:
        assert sum(n for _, n in rows) > 1_885_000
        assert all("is more than the" in p for p in exc.problems)
        return
    assert sum(n for _, n in rows) <= 1_885_000
    assert (result.timeline["preferred_outstanding"] >= 0).all()
    assert (holder_rows(result)["basis_preferred_shares"] >= 0).all()


@SETTINGS
@given(
    date=DATES,
    n=st.integers(0, 1_885_000),
    ratio=st.floats(0, 400),
    price=st.floats(0.2, 12),
    action=st.sampled_from(["exchange_common", "convert", "exchange_debentures"]),
    put_settlement=st.sampled_from(["cash", "stock"]),
)
def test_issue10_holders_sum_to_class_totals_on_pro_rata(date, n, ratio, price, action, put_settlement):
    value = f"{ratio:.4f}" if action == "exchange_common" else ""
    events = events_of(_row(date, action, n, value), "2004-08-02,put,all,,,,,,")
    params = parse_params({"price": price, "put_settlement": put_settlement, "horizon": "2006-08-01"})
    result = run_scenario(params, events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    holders = holder_rows(result)
    for key in ("conversion_shares", "redemption_shares", "exchange_shares"):
        assert holders[key].sum() == result.summary[key], key


def test_issue10_batch_shares_events_and_matches_single_runs():
    events = events_of("2003-03-03,exchange_common,885000,,300.5,,,,")
    params = [parse_params({"price": p}) for p in (0.75, 1.89, 7.0)]
    batch = run_batch(params, events=[events] * 3, terms=load_terms(), book=default_book(), caps=load_caps())
    for i, p in enumerate(params):
        single = run_scenario(p, events=events, terms=load_terms(), book=default_book(), caps=load_caps())
        assert batch.summary.iloc[i]["total_shares"] == single.summary["total_shares"]
        assert np.array_equal(batch.holders["pro_forma_shares"][i], single.holders["pro_forma_shares"].to_numpy())


def test_issue10_read_events_file(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("\ufeff" + HEADER + "\n2003-03-03,call,5,,,,,,\n", encoding="utf-8")
    assert read_events(path)[0].action == "call"


def test_issue10_golden_exchange_into_debentures_then_put():
    """885,000 preferred become $885,000,000 of debentures on 2003-03-03 (LP $1,000, stock dividends).

    dividends: 2003-02-01 ceil(75,400,000/1.89) = 39,894,180, then 3 × ceil(40,000,000/1.89) = 63,492,066;
    debenture interest 885,000,000 × 4% = 35,400,000 USD cash on each of the 3 later dates;
    put 2004-08-02 (debentures leave with the class): ceil((1,000,000 × 1,000 + 885,000,000) / 1.89)
    = ceil(997,354,497.35) = 997,354,498.
    """
    result = run_scenario(
        parse_params(),
        events=events_of("2003-03-03,exchange_debentures,885000,,,,,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert result.summary["dividend_shares"] == 39_894_180 + 63_492_066
    assert result.summary["redemption_shares"] == 997_354_498
    interest = result.timeline.set_index("date")["interest_due_usd"]
    assert interest.loc[dt.date(2003, 8, 1)] == pytest.approx(35_400_000.0)
    assert result.timeline.set_index("date").loc[dt.date(2003, 3, 3), "debenture_principal_usd"] == 885_000_000.0
    holders = holder_rows(result)
    assert holders["redemption_shares"].sum() == 997_354_498


# ---------------------------------------------------------------- exact rounding of ledger rows (issue 9 item 1)


def _ledger_reference(params, schedule, path, rows) -> tuple[list[int], int, int, int, int]:
    """(dividend shares per column, exchange, row conversion, class conversion, class redemption) of path 0
    in pure Fraction arithmetic; ``rows`` = ((column, n, kind, ratio), ...) in pinned order."""
    from fractions import Fraction
    from math import ceil, floor

    from calc.model.rounding import decimal_value

    r, n0 = Fraction(2, 50), 1_885_000
    rates = list(schedule.exact_rate)
    prices = [decimal_value(s) for s in path.prices[0]]
    exit_col = int(path.exit_column[0])
    lp, units, dividends = Fraction(1000), n0, []
    exchange = row_conversion = 0
    for e in range(schedule.size):
        paid = schedule.is_dividend[e] and not schedule.after_exchange[e] and e <= exit_col
        stock = paid and params.dividend_policy == "stock"
        dividends.append(ceil(units * lp * r / (prices[e] * decimal_value(params.sale_factor))) if stock else 0)
        if paid and params.dividend_policy == "accrue":
            lp *= 1 + r
        for column, n, kind, ratio in rows:
            if column == e:
                if e <= exit_col:
                    if kind == "exchange_common":
                        exchange += floor(n * ratio)
                    else:
                        row_conversion += floor(n * lp / 1000 * rates[e])
                units -= n
        if e == exit_col:
            break
    dividends += [0] * (schedule.size - len(dividends))
    action, col = int(path.exit_action[0]), min(exit_col, schedule.size - 1)
    conversion = floor(units * lp / 1000 * rates[col]) if action == 1 else 0
    stock_redeem = action == 2 and params.put_settlement == "stock"
    redemption = ceil(units * lp / (prices[col] * decimal_value(params.put_factor))) if stock_redeem else 0
    return dividends, exchange, row_conversion, conversion, redemption


@settings(deadline=None)
@given(
    price=st.decimals("0.05", "50", places=4),
    sale=st.decimals("0.05", "1", places=3),
    put=st.decimals("0.05", "1", places=3),
    policy=st.sampled_from(["stock", "accrue", "cash"]),
    put_policy=st.sampled_from(["all", "rational", "none"]),
    ratio=st.decimals("0", "2000", places=4),
    n_exchange=st.integers(0, 900_000),
    n_convert=st.integers(0, 900_000),
    dates=st.sampled_from(
        [
            ("2002-10-15", "2003-02-01"),
            ("2003-02-01", "2003-02-01"),
            ("2003-08-01", "2004-02-01"),
            ("2004-02-01", "2004-08-02"),
        ]
    ),
)
def test_issue10_ledger_rows_round_exactly_like_a_fraction_reference(
    price, sale, put, policy, put_policy, ratio, n_exchange, n_convert, dates
):
    """Issue 9 item 1 on the ledger: with an exchange_common row (decimal common_per_preferred) and a convert
    row, every share count of the engine equals the pure-Fraction computation (floor(n × ratio),
    floor(n × LP/1000 × CR) with exact LP, stock dividends on the units of record, the class on what remains)."""
    from calc.model.engine import ShareLimitError
    from calc.model.scenario import project_group, scenario_plan

    params = parse_params(
        {
            "price": str(price),
            "sale_factor": str(sale),
            "put_factor": str(put),
            "dividend_policy": policy,
            "put": put_policy,
            "horizon": "2006-08-01",
        }
    )
    events = events_of(f"{dates[0]},exchange_common,{n_exchange},,{ratio},,,,", f"{dates[1]},convert,{n_convert},,,,,,")
    terms, book = load_terms(), default_book()
    plan = scenario_plan(params, events, terms, book)
    try:
        schedule, _, path, _ = project_group([params], terms, plan, caps=load_caps())
    except ShareLimitError:
        return
    from fractions import Fraction

    rows = [
        (schedule.dates.index(e.date), n, e.action, Fraction(ratio)) for e, n in zip(plan.rows, plan.counts.tolist())
    ]
    dividends, exchange, row_conversion, conversion, redemption = _ledger_reference(params, schedule, path, rows)
    assert path.dividend_shares[0].tolist() == dividends
    totals = path.totals()
    assert int(totals["exchange_shares"][0]) == exchange
    assert int(totals["conversion_shares"][0]) == row_conversion + conversion
    assert (int(path.conversion_shares[0]), int(path.redemption_shares[0])) == (conversion, redemption)


def test_issue10_exchange_ratio_exact_at_a_whole_number():
    """floor(n × ratio) where float64 n × ratio lands a hair below the whole number:
    100,000 × 0.29 = 29,000 exactly, but 100000 * 0.29 = 28,999.999999999996 in float64."""
    assert 100_000 * 0.29 < 29_000
    result = run_scenario(
        parse_params({"dividend_policy": "cash"}),
        events=events_of("2003-03-03,exchange_common,100000,,0.29,,,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert result.summary["exchange_shares"] == 29_000
    assert holder_rows(result)["exchange_shares"].sum() == 29_000


def test_issue10_events_file_read_like_other_inputs(tmp_path):
    """Events files go through ``calc.inputs.csv_records`` (issue 9 items 10, 11, 15): UTF-16 with a byte-order mark is
    read, NUL and Latin-1 bytes and ragged rows are refused with their line, numbers through ``calc.inputs.numbers``."""
    text = HEADER + "\n2003-03-03,exchange_common,10,,300.5,,,,\n"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    assert read_events(utf16)[0].common_per_preferred == 300.5
    for name, data, message in [
        ("nul.csv", text.encode() + b"2003-03-03,convert,1\x00,,,,,,\n", "NUL character"),
        (
            "latin.csv",
            text.encode() + "2003-03-03,convert,1,,,,,,Zürich\n".encode("latin-1"),
            "byte 0xFC cannot be decoded",
        ),
        ("ragged.csv", (text + "2003-03-03,convert,1\n").encode(), "line 3: 3 cells, the header has 9"),
        (
            "comma.csv",
            (text + '2003-03-03,exchange_common,10,,"1,5",,,,\n').encode(),
            "common_per_preferred: '1,5' is not a number",
        ),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError) as info:
            read_events(path)
        assert any(message in p for p in info.value.problems), info.value.problems


def test_issue10_events_file_is_an_input_for_the_same_file_check(tmp_path, capsys):
    """Issue 9 output rules on issue 10's flag: an output naming the --events file is refused, nothing written."""
    from cli.main import main

    path = tmp_path / "events.csv"
    path.write_text(HEADER + "\n2003-03-03,exchange_common,10,,300.5,,,,\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["scenario", "--events", str(path), "--timeline", str(path)]) == 2
    assert "is the same file as the input --events" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize("basis", ["pro_rata", "registered"])
def test_issue10_debenture_rows_exact_holder_allocation(basis):
    """Ledger debentures (accreted LP, so d_i / LP_x is fractional) with an exact exit: pro_rata holders sum to the
    class conversion, and every holder is within one share of its exact entitlement (units + d_i / LP_x) × c."""
    from fractions import Fraction
    from math import floor

    params = parse_params(
        {"dividend_policy": "accrue", "put": "rational", "price": "9", "horizon": "2004-08-02", "holder_basis": basis}
    )
    events = events_of(
        "2003-02-01,exchange_debentures,400000,,,,,,", "2003-08-01,exchange_debentures,all,,,,,Aim Charter Fund,"
    )
    result = run_scenario(params, events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    path = result.path
    assert int(path.exit_action[0]) == 1  # converted at the put
    holders = holder_rows(result)
    conversion = holders["conversion_shares"].to_numpy()
    if basis == "pro_rata":
        assert conversion.sum() == result.summary["conversion_shares"]
    col = int(path.exit_at[0])
    lp_x, c = path.lp.end(0, col), path.exact_conversion_per_share(0)
    book = default_book()
    plan = scenario_plan(params, events, load_terms(), book)
    exact = [Fraction(int(u)) for u in (book.pro_rata if basis == "pro_rata" else book.registered)]
    for alloc, row in zip(plan.alloc, path.rows):
        for h, a in enumerate(alloc):
            exact[h] += int(a) * (row.flow.debenture_usd.exact(0) / lp_x - 1)
    entitlements = [e * c for e in exact]
    assert all(abs(int(s) - e) < 1 for s, e in zip(conversion, entitlements))
    if basis == "registered":
        assert conversion.tolist() == [floor(e) for e in entitlements]


def test_memoized_split_is_never_shared():
    """``_share`` is memoized on (holding, n): a caller mutating its result must not change the next call's.
    1,000 over holdings 1:2:3 is 166.67 / 333.33 / 500 -> 167, 333, 500 by largest remainder."""
    holding = np.array([1, 2, 3], dtype=np.int64)
    first = _share(holding, 1000)
    assert first.tolist() == [167, 333, 500]
    first[:] = 0
    assert _share(holding, 1000).tolist() == [167, 333, 500]


@settings(deadline=None)
@given(
    st.lists(st.integers(0, 50_000), min_size=1, max_size=8).filter(any),
    st.integers(0, 10**8),
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=6),
    st.booleans(),
)
def test_constant_row_shares_match_the_allocation_on_every_path(alloc, total, paths, ceil):
    """A row with the same per-share quantity on every path (exchange_common with its total given): the
    memoized one-row allocation, spread over the paths, equals ``allocate_holder_shares`` over all of them."""
    from fractions import Fraction

    from calc.model.allocation import allocate_holder_shares
    from calc.model.ledger import _constant_row_shares
    from calc.model.rounding import ceil_shares, floor_shares

    holding = np.array(alloc, dtype=np.int64)
    per = Fraction(total, int(holding.sum()))
    effective = np.array([e for e, _ in paths])
    split = np.array([s for _, s in paths])
    totals = np.where(effective, total, 0)
    rounding = ceil_shares if ceil else floor_shares
    held = np.where(effective[:, None], holding[None, :], 0)
    expected = allocate_holder_shares(held, np.full(len(paths), float(per)), lambda _: per, totals, split, rounding)
    got = _constant_row_shares(holding, per, totals, effective, split, rounding)
    np.testing.assert_array_equal(got, expected)
    assert got.flags.writeable  # the memoized rows are copied, never handed out


@pytest.mark.parametrize(
    ("cells", "missing"),
    [
        ({}, (("date",), ("action",))),
        ({"date": "2003-03-03", "action": "swap"}, ()),  # an unknown action is a problem, not a missing cell
        (
            {"action": "exchange_common", "preferred_shares": "100,000"},
            (("date",), ("common_shares", "common_per_preferred")),
        ),
        ({"date": "2003-03-03", "action": "exchange_common", "common_shares": "1"}, (("preferred_shares",),)),
        ({"date": "2003-03-03", "action": "repurchase_cash"}, (("preferred_shares",), ("cash_per_preferred_usd",))),
        ({"date": "2003-03-03", "action": "dividend_policy"}, (("settlement",),)),
        ({"date": "2003-03-03", "action": "put", "preferred_shares": "all"}, ()),
    ],
)
def test_missing_cells_are_the_required_cells_left_empty(cells, missing):
    assert missing_cells(cells) == missing


def test_every_row_with_missing_cells_is_rejected_by_the_reader():
    """A half-entered row (``missing_cells``) never reads as an event: the two rules agree."""
    rows = [
        {"action": "exchange_common", "preferred_shares": "5"},
        {"date": "2003-03-03", "action": "convert"},
        {"date": "2003-03-03", "action": "repurchase_cash", "preferred_shares": "5"},
        {"date": "2003-03-03", "action": "dividend_policy"},
        {"date": "2003-03-03", "action": "exchange_common", "preferred_shares": "5"},
    ]
    for row in rows:
        assert missing_cells(row)
        text = ",".join(EVENT_COLUMNS) + "\n" + ",".join(row.get(c, "") for c in EVENT_COLUMNS)
        events, problems = read_events_text(text, "t")
        assert events == () and problems


def test_exchange_ratio_is_exact():
    assert exchange_ratio(100_000, 38_000_000, None) == 380
    assert exchange_ratio(175_000, 58_000_000, None) == Fraction(58_000_000, 175_000)
    assert exchange_ratio(None, 5, None) is None and exchange_ratio(0, 5, None) is None
    assert exchange_ratio(None, None, Fraction(33143, 100)) == Fraction(33143, 100)
    ratio = {"action": "exchange_common", "preferred_shares": "1,000", "common_per_preferred": "331.43"}
    assert cells_exchange_ratio(ratio) == Fraction(33143, 100)
    assert cells_exchange_ratio(ratio | {"common_per_preferred": "", "common_shares": "1,500"}) == Fraction(3, 2)
    assert cells_exchange_ratio(ratio | {"common_per_preferred": "x"}) is None
    assert cells_exchange_ratio(ratio | {"action": "convert"}) is None
    history = history_events()
    assert [event_exchange_ratio(e) for e in history] == [Fraction(58_000_000, 175_000), 380]


# --------------------------------------------------------------------------- issue 20 items 10 and 18


def test_issue20_item10_a_repeated_column_in_an_events_file_is_refused(tmp_path, capsys):
    path = tmp_path / "ev.csv"
    path.write_text(HEADER + ",holder\n2003-03-03,exchange_common,885000,,300.5,,,,,Some holder\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_events(path)
    assert [str(p) for p in info.value.problems] == [
        f"events {path} line 1: column 'holder' appears 2 times; give each column once"
    ]
    assert main(["scenario", "--events", str(path)]) == 2
    assert "column 'holder' appears 2 times" in capsys.readouterr().err


SECRET = "root:x:0:0:secret-first-line"


@pytest.mark.parametrize("cell", ["{outside}/secret.csv", "../outside/secret.csv", "link.csv", "/etc/passwd"])
def test_issue20_item18_a_grid_reads_events_files_only_inside_its_folder(tmp_path, capsys, cell):
    outside, inside = tmp_path / "outside", tmp_path / "grid"
    outside.mkdir()
    inside.mkdir()
    (outside / "secret.csv").write_text(SECRET + "\n", encoding="utf-8")
    (inside / "link.csv").symlink_to(outside / "secret.csv")
    cell = cell.format(outside=outside)
    grid = inside / "g.csv"
    grid.write_text(f"scenario_id,events\ns1,{cell}\n", encoding="utf-8")
    assert main(["export", "--scenarios", str(grid), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"error: grid {grid}: 1 problem(s); nothing was run",
        f"  - line 2, column events: '{cell}' is outside the grid's folder {inside}; an events file must be in that "
        "folder or below it",
    ]
    assert not (tmp_path / "r.csv").exists()


def test_issue20_item18_a_foreign_or_unreadable_file_is_named_never_quoted(tmp_path, capsys):
    (tmp_path / "secret.csv").write_text(SECRET + "\nsecond line\n", encoding="utf-8")
    (tmp_path / "dir.csv").mkdir()
    grid = tmp_path / "g.csv"
    grid.write_text("scenario_id,events\ns1,secret.csv\ns2,dir.csv\n", encoding="utf-8")
    assert main(["export", "--scenarios", str(grid), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "secret-first-line" not in err and "second line" not in err
    lines = err.splitlines()
    assert lines[1] == (
        f"  - line 2, column events: events {tmp_path}/secret.csv: not an events CSV: line 1 is not the header "
        f"{','.join(EVENT_COLUMNS)}"
    )
    assert lines[2].startswith(f"  - line 3, column events: events {tmp_path}/dir.csv: ")
    assert main(["scenario", "--events", str(tmp_path / "secret.csv")]) == 2  # the command line says the same
    assert "secret-first-line" not in capsys.readouterr().err


# --------------------------------------------------------------------------- issue 20 (hardening, round 3)


def _events_file(tmp_path, *rows: str):
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _problems(events, **values) -> list[str]:
    with pytest.raises(InputError) as info:
        run_scenario(parse_params(values), events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    return list(info.value.problems)


def test_issue20_item2_all_resolving_to_zero_is_an_error(tmp_path):
    """Two exchanges of 'all' with a common total: the second finds 0 preferred and would issue 38,000,000 common
    for nothing (the summary said 96 M while the holders summed to 58 M). Same error as a literal 0."""
    rows = ("2003-03-03,exchange_common,all,58000000,,,,,", "2003-03-03,exchange_common,all,38000000,,,,,")
    for second in (rows[1], rows[1].replace("2003-03-03", "2004-02-01")):  # same date or later
        problems = _problems(events_of(rows[0], second))
        assert len(problems) == 1 and problems[0].line == 3
        assert "'all' finds 0 preferred outstanding at that point: common issued for 0 preferred" in problems[0]
    result = run_cli("scenario", "--events", str(_events_file(tmp_path, *rows)))
    assert result.returncode == 2 and result.stdout == ""
    assert "line 3, preferred_shares: 'all' finds 0 preferred" in result.stderr
    # the literal 0 is the same rule, on reading
    _, literal = read_events_text(f"{HEADER}\n2003-03-03,exchange_common,0,38000000,,,,,", "e")
    assert "common issued for 0 preferred" in literal[0]
    # a holder's 'all' finding nothing: the holder's whole holding went in the first row
    holder = "Aim Charter Fund"
    named = (f"2003-03-03,exchange_common,all,1000,,,,{holder},", f"2003-03-03,exchange_common,all,1000,,,,{holder},")
    problems = _problems(events_of(*named))
    assert [p.line for p in problems] == [3] and f"0 preferred holder '{holder}' holds" in problems[0]
    # one 'all' exchange is fine: 58,000,000 common for the 1,885,000 preferred
    assert (
        run_scenario(
            parse_params(), events=events_of(rows[0]), terms=load_terms(), book=default_book(), caps=load_caps()
        ).summary["exchange_shares"]
        == 58_000_000
    )


def test_issue20_item4_row_after_the_class_left_is_an_error(tmp_path):
    """Default put = rational: the class leaves at the 2004-08-02 put whatever the price (converted in the money,
    put otherwise), so a 2006 row acted on nothing and the result was that of no events (exit 0)."""
    late = "2006-03-01,exchange_common,1000,,300,,,,"
    problems = _problems(events_of(late), horizon="2010-01-01")
    assert [p.line for p in problems] == [2]
    assert "date: 2006-03-01 is after the class left on 2004-08-02 (put = rational)" in problems[0]
    result = run_cli("scenario", "--events", str(_events_file(tmp_path, late)), "--horizon", "2010-01-01")
    assert result.returncode == 2 and result.stdout == ""
    assert "line 2, date: 2006-03-01 is after the class left on 2004-08-02 (put = rational)" in result.stderr
    # the same for a policy row, and for the other exits that do not depend on the price
    policy = "2005-02-01,dividend_policy,,,,,cash,,"
    assert "after the class left on 2004-08-02" in _problems(events_of(policy), horizon="2010-01-01")[0]
    converted = {"horizon": "2010-01-01", "put": "none", "conversion": "all", "conversion_date": "2003-02-01"}
    assert "after the class left on 2003-02-01 (conversion = all)" in _problems(events_of(late), **converted)[0]
    call = {"horizon": "2010-01-01", "put": "none", "call": "date", "call_date": "2007-03-01"}
    problems = _problems(events_of("2008-03-01,convert,1000,,,,,,"), **call)
    assert "after the class left on 2007-03-01 (call = date)" in problems[0]
    # a row on the exit date comes before the class's own decision (pinned order): fine
    run_scenario(
        parse_params({"horizon": "2010-01-01"}),
        events=events_of("2004-08-02,convert,1000,,,,,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    # put = none, conversion = rational: at $7 (in the money) the deterministic path converts at the 2004 put
    problems = _problems(events_of(late), horizon="2010-01-01", put="none", price="7")
    assert "after the class left on 2004-08-02 (converted at the path's price $7.0000)" in problems[0]
    params = [parse_params({"horizon": "2010-01-01", "put": "none", "price": p}) for p in ("1.89", "7")]
    with pytest.raises(InputError, match="scenario 2 of 2: events") as info:
        run_batch(params, events=[events_of(late)] * 2, terms=load_terms(), book=default_book(), caps=load_caps())
    assert "2006-03-01 is after the class left on 2004-08-02" in info.value.problems[0]
    # at $1.89 the class is still there in 2006: the row acts
    kept = run_scenario(
        parse_params({"horizon": "2010-01-01", "put": "none"}),
        events=events_of(late),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert kept.summary["exchange_shares"] == 300_000
    # Monte Carlo: the exit depends on each path's price, so the row stays (it acts where the class is left)
    in_the_money = parse_params({"horizon": "2010-01-01", "put": "none", "price": "7"})
    run_monte_carlo(
        in_the_money, 0.3, 50, events=events_of(late), terms=load_terms(), book=default_book(), caps=load_caps()
    )
    with pytest.raises(InputError, match="after the class left on 2004-08-02"):
        run_monte_carlo(
            parse_params({"horizon": "2010-01-01"}),
            0.3,
            50,
            events=events_of(late),
            terms=load_terms(),
            book=default_book(),
            caps=load_caps(),
        )


def test_issue20_item26_products_of_inputs_are_bounded(tmp_path):
    """1e99 USD per preferred × all 1,885,000 printed a 106-digit 'exact' cash figure: a row's cash and the
    ledger's cash total are bounded at $10^12 (exact to the cent in float64), an exchange at 10^15 common."""
    absurd = "2003-03-03,repurchase_cash,all,,,1e99,,,"
    problems = _problems(events_of(absurd))
    assert [p.line for p in problems] == [2]
    assert "cash_per_preferred_usd: 1,885,000 preferred × $1e+99 = $1.885e+105 is more than the limit" in problems[0]
    assert "$1,000,000,000,000 (10^12)" in problems[0]
    result = run_cli("scenario", "--events", str(_events_file(tmp_path, absurd)), "--json")
    assert result.returncode == 2 and result.stdout == "" and "line 2, cash_per_preferred_usd" in result.stderr
    # at the bound: accepted and exact; a cent over the total of two rows: the second row, naming the total
    at_bound = run_scenario(
        parse_params(),
        events=events_of("2003-03-03,repurchase_cash,1000000,,,1000000,,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert at_bound.summary["repurchase_cash_usd"] == 10**12
    rows = ("2003-03-03,repurchase_cash,500000,,,1000000,,,", "2003-03-04,repurchase_cash,500000,,,1000000.01,,,")
    problems = _problems(events_of(*rows))
    assert [p.line for p in problems] == [3] and "(with the earlier rows' $5e+11)" in problems[0]
    # an exchange ratio whose product passes the model limit is the row's error, not a price-advice message
    problems = _problems(events_of("2003-03-03,exchange_common,1000,,1e13,,,,"))
    assert "common_per_preferred: 1,000 preferred × 1e+13 = 1e+16 common is more than the model limit" in problems[0]


def test_issue20_item27_registered_basis_stops_with_the_class():
    """Registered basis (2,338,914 listed, 1,885,000 issued), every preferred bought back on 2003-06-01: the
    summary issues no conversion or redemption shares, and the holder table no longer redeems the 453,914
    listed beyond the class at the 2004-08-02 put (it did: 264 M redemption shares over the holders)."""
    buyback = events_of("2003-06-01,repurchase_cash,all,,,500,,,")
    result = run_scenario(
        parse_params({"holder_basis": "registered"}),
        events=buyback,
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    s = result.summary
    assert (s["conversion_shares"], s["redemption_shares"], s["repurchase_cash_usd"]) == (0, 0, 942_500_000)
    holders = holder_rows(result)
    assert holders["registered_preferred_shares"].sum() > 1_885_000  # the listing as filed is still shown
    for key in ("conversion_shares", "redemption_shares", "exchange_shares", "obtainable_shares_60d"):
        assert holders[key].sum() == 0, key
    assert (holders["pro_forma_shares"] == holders["common_owned_prior"]).all()
    # a full exchange: the rows split the class's 1,885,000 over the listings (floor each), then nothing more
    exchange = run_scenario(
        parse_params({"holder_basis": "registered"}),
        events=events_of("2003-06-01,exchange_common,all,,300,,,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    holders = holder_rows(exchange)
    assert exchange.summary["exchange_shares"] == 565_500_000
    assert 565_500_000 - len(holders) <= holders["exchange_shares"].sum() <= 565_500_000
    assert holders["redemption_shares"].sum() == 0 and holders["conversion_shares"].sum() == 0
    # a partial buyback keeps the registered view as it was (listing beyond the class still acts, documented)
    partial = run_scenario(
        parse_params({"holder_basis": "registered"}),
        events=events_of("2003-06-01,repurchase_cash,1000000,,,500,,,"),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert holder_rows(partial)["redemption_shares"].sum() > partial.summary["redemption_shares"]
