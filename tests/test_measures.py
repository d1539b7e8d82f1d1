"""The dilution measures named once (``calc.model.measures``), the bridge base → outstanding → fully diluted, and the
illustrative instruments left out by default. Golden counts from the sources (as tests/test_securities.py):
  B  3,607,381,493 common at 2002-11-30 (data/terms.toml market.common_shares_outstanding, 10-K 2002)
  8.00% preferred on the default path (flat $1.89): 4 stock dividends of 39,894,180 = 159,576,720 and the
     redemption ceil(1,885,000 × $1,000 / $1.89) = 997,354,498 (SUPP; tests/test_scenario.py)
  trust preferred floor(1,152,000 × 206.6116) = 238,016,563 (AR2003 × 424B3)
  Series A 750,000 × 299.4012 = 224,550,900; Series B 775,000 × 320.5128 = 248,397,420 (RCR)
  warrants 200,000,000 × 1 (SETTLE), outstanding 2004-12-10 to 2007-12-10, out of the money at $1.89.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.instruments_toml import load_registry, load_registry_file
from calc.inputs.params import parse_params
from calc.model import measures as m
from calc.model.scenario import run_scenario
from calc.model.securities import bridge_rows, instrument_rows, measures, run_dilution, setup, totals
from charts.bridge_figures import bridge_figure
from cli.main import main
from tests.helpers import ROOT

B = 3_607_381_493
DIVIDENDS, REDEMPTION = 4 * 39_894_180, 997_354_498
TRUST = math.floor(1_152_000 * Fraction("206.6116"))
SERIES_A, SERIES_B, WARRANTS = 224_550_900, 248_397_420, 200_000_000
ISSUED = DIVIDENDS + REDEMPTION  # 1,156,931,218
T_2004 = B + ISSUED + TRUST + SERIES_A + SERIES_B  # 5,475,277,594 to 2004-08-02
T_2007 = T_2004 + WARRANTS  # 5,675,277,594 to 2007-12-10
EXECUTIVE = 550_000 + 1_200_000  # data/grants_executive_example.csv: both lots in the money at $1.89
ILLUSTRATIVE_IDS = {"options_illustrative", "options_executive"}


def result(horizon: str = "2007-12-10", include: bool = False, prices=None):
    return run_dilution(
        setup(
            parse_params({"horizon": horizon}),
            include_illustrative=include,
            registry=load_registry(),
            book=default_book(),
            caps=load_caps(),
        ),
        prices,
    )


def test_golden_counts_and_the_three_measures_each_its_formula():
    for horizon, t in (("2004-08-02", T_2004), ("2007-12-10", T_2007)):
        got = totals(result(horizon))
        assert (got["base_shares"], got["issued_shares"], got["fully_diluted_shares"]) == (B, ISSUED, t)
        assert got["outstanding_shares"] == B + ISSUED == 4_764_312_711
        assert got["potential_shares"] == t - B - ISSUED
        assert got["new_shares_pct_of_outstanding"] == 100.0 * ISSUED / (B + ISSUED)
        assert got["fully_diluted_pct"] == 100.0 * (t - B) / t
        assert got["increase_over_base_pct"] == 100.0 * (t - B) / B
    assert T_2004 == 5_475_277_594 and T_2007 == 5_675_277_594
    assert f"{100 * (T_2007 - B) / T_2007:.2f} {100 * (T_2007 - B) / B:.2f}" == "36.44 57.32"


def test_new_shares_pct_is_the_headlines_dilution():
    """With the preferred the only issuer (the default), the measure is the scenario summary's dilution_pct."""
    summary = run_scenario(parse_params(), terms=load_terms(), book=default_book(), caps=load_caps()).summary
    assert totals(result("2004-08-02"))["new_shares_pct_of_outstanding"] == summary["dilution_pct"]
    assert summary["dilution_pct"] == m.new_shares_pct(B, ISSUED)


def test_bridge_rows_golden_and_closing():
    rows = bridge_rows(result())
    assert [(r["step"], r["shares"]) for r in rows] == [
        (m.BASE_STEP, B),
        ("8.00% redeemable convertible preferred: dividends paid in stock", DIVIDENDS),
        ("8.00% redeemable convertible preferred: redemption / put paid in stock", REDEMPTION),
        (m.OUTSTANDING_STEP, B + ISSUED),
        ("7.75% convertible trust preferred", TRUST),
        ("2.75% Series A convertible senior debentures due 2023", SERIES_A),
        ("2.75% Series B convertible senior debentures due 2025", SERIES_B),
        ("warrants at $2.75 (2004 settlement)", WARRANTS),
        (m.FULLY_DILUTED_STEP, T_2007),
    ]
    assert_closes(rows, B + ISSUED, T_2007)


def test_preferred_sources_are_the_scenario_summarys():
    summary = run_scenario(
        parse_params({"horizon": "2007-12-10"}), terms=load_terms(), book=default_book(), caps=load_caps()
    ).summary
    rows = {r["step"].split(": ")[-1]: r["shares"] for r in bridge_rows(result())}
    assert rows["dividends paid in stock"] == summary["dividend_shares"]
    assert rows["redemption / put paid in stock"] == summary["redemption_shares"]


def assert_closes(rows, outstanding, fully_diluted):
    """Running totals add up; base + issued rows = total outstanding; + potential rows = fully diluted."""
    assert rows[0]["measure"] == "absolute" and rows[0]["running_total_shares"] == rows[0]["shares"]
    for before, row in zip(rows, rows[1:]):
        added = row["shares"] if row["measure"] == "relative" else 0
        assert row["running_total_shares"] == before["running_total_shares"] + added
        if row["measure"] == "total":
            assert row["shares"] == row["running_total_shares"]
    totals_ = [r for r in rows if r["measure"] == "total"]
    assert [r["step"] for r in totals_] == [m.OUTSTANDING_STEP, m.FULLY_DILUTED_STEP]
    assert [r["shares"] for r in totals_] == [outstanding, fully_diluted]
    cut = rows.index(totals_[0])
    assert rows[0]["shares"] + sum(r["shares"] for r in rows[1:cut]) == outstanding
    assert outstanding + sum(r["shares"] for r in rows[cut + 1 : -1]) == fully_diluted
    assert all(isinstance(r["shares"], int) and r["shares"] > 0 for r in rows)


def test_bridge_leaves_out_zero_sources():
    rows = m.bridge(10, [("a", 0), ("b", 5)], [("c", 3), ("d", 0)])
    assert [(r["step"], r["measure"], r["shares"], r["running_total_shares"]) for r in rows] == [
        (m.BASE_STEP, "absolute", 10, 10),
        ("b", "relative", 5, 15),
        (m.OUTSTANDING_STEP, "total", 15, 15),
        ("c", "relative", 3, 18),
        (m.FULLY_DILUTED_STEP, "total", 18, 18),
    ]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.floats(0.05, 20), min_size=1, max_size=5),
    st.sampled_from(["2003-06-30", "2004-08-02", "2007-12-10", "2011-01-01"]),
    st.booleans(),
)
def test_bridge_closes_and_measures_match_their_formulas_for_any_price(prices, horizon, include):
    r = result(horizon, include, prices)
    for p in range(len(prices)):
        t, b = int(r.fully_diluted()[p]), r.params.base_shares
        issued, potential = int(r.issued_total()[p]), int(r.potential_total()[p])
        assert_closes([row for row in bridge_rows(r, p)], b + issued, t)
        named = measures(r, p).as_dict()
        assert named["fully_diluted_pct"] == pytest.approx(100 * (t - b) / t, rel=1e-12)
        assert named["increase_over_base_pct"] == pytest.approx(100 * (t - b) / b, rel=1e-12)
        assert named["new_shares_pct_of_outstanding"] == pytest.approx(100 * issued / (b + issued), rel=1e-12)
        assert t == b + issued + potential


def test_illustrative_grants_left_out_by_default_and_counted_when_asked():
    """data/instruments.toml marks the made-up grants ``illustrative = true``; setup leaves them out unless asked."""
    assert {i.id for i in load_registry().illustrative()} == ILLUSTRATIVE_IDS
    default = setup(
        parse_params({"horizon": "2007-12-10"}), registry=load_registry(), book=default_book(), caps=load_caps()
    )
    assert {i.id for i in default.excluded} == ILLUSTRATIVE_IDS
    assert not ILLUSTRATIVE_IDS & {r["id"] for r in instrument_rows(run_dilution(default))}
    counted = result(include=True)
    rows = {r["id"]: r for r in instrument_rows(counted)}
    assert rows["options_executive"]["issued_shares"] == EXECUTIVE
    extra = rows["options_executive"]["issued_shares"] + rows["options_illustrative"]["issued_shares"]
    assert int(counted.fully_diluted()[0]) == T_2007 + extra == 5_677_298_768  # the figure before the exclusion


def test_illustrative_is_a_data_field_not_a_name(tmp_path):
    """Marking the warrants illustrative (a data edit) leaves them out; the option pools unmarked count."""
    for name in ("terms.toml", "grants_illustrative.csv", "grants_executive_example.csv"):
        (tmp_path / name).write_bytes((ROOT / "data" / name).read_bytes())
    text = (ROOT / "data" / "instruments.toml").read_text(encoding="utf-8")
    text = text.replace("illustrative = { value = true", "illustrative = { value = false")
    text = text.replace(
        'expiry_date = { value = 2007-12-10, source = "SETTLE: exercisable until 2007-12-10" }',
        'expiry_date = { value = 2007-12-10, source = "SETTLE" }\nillustrative = { value = true, source = "test" }',
    )
    (tmp_path / "instruments.toml").write_text(text, encoding="utf-8")
    registry = load_registry_file(tmp_path / "instruments.toml")
    s = setup(parse_params({"horizon": "2007-12-10"}), registry, book=default_book(), caps=load_caps())
    assert [i.id for i in s.excluded] == ["warrants_2004"]
    assert ILLUSTRATIVE_IDS <= {i.id for i in s.registry.instruments}


def cli(capsys, *argv):
    code = main(["dilution", "--horizon", "2007-12-10", *argv])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    return out


def line(out: str, start: str) -> str:
    return next(x for x in out.splitlines() if x.strip().startswith(start))


@pytest.mark.parametrize("include, t", [(False, T_2007), (True, 5_677_298_768)])
def test_cli_text_names_each_measure(capsys, include, t):
    out = cli(capsys, *(["--include-illustrative"] if include else []))
    fd = line(out, "fully diluted %")
    assert f"{100 * (t - B) / t:.2f}%" in fd and "of the fully diluted count" in fd and "over the base" not in fd
    over = line(out, "increase over the base")
    assert f"{100 * (t - B) / B:.2f}%" in over and "(fully diluted - base) / base" in over
    assert f"{t - B:,} over the base {B:,}" in over
    issued = t - B - 910_964_883  # potential: trust + Series A + Series B + warrants
    assert f"{100 * issued / (B + issued):.2f}%   issued / total outstanding" in line(out, "new shares % of total")
    assert line(out, "= fully diluted").split()[-2:] == [f"{t:,}"] * 2
    assert ("left out (illustrative" in out) is not include
    assert any(x.startswith("executive example") for x in out.splitlines()) is include  # the instrument table
    assert "over the 3,607,381,493 base shares" not in out  # the old, wrong label


def test_cli_json_named_measures_and_bridge(capsys):
    payload = json.loads(cli(capsys, "--json"))
    t = payload["totals"]
    assert t["fully_diluted_shares"] == T_2007 and t["fully_diluted_pct"] == 100.0 * (T_2007 - B) / T_2007
    assert t["increase_over_base_pct"] == 100.0 * (T_2007 - B) / B
    assert t["new_shares_pct_of_outstanding"] == 100.0 * ISSUED / (B + ISSUED)
    assert_closes(t["bridge"], t["outstanding_shares"], T_2007)
    assert payload["include_illustrative"] is False
    assert {e["id"] for e in payload["excluded_illustrative"]} == ILLUSTRATIVE_IDS
    counted = json.loads(cli(capsys, "--json", "--include-illustrative"))
    assert counted["excluded_illustrative"] == [] and counted["totals"]["fully_diluted_shares"] == 5_677_298_768


def test_cli_help_documents_the_flag(capsys):
    try:
        main(["dilution", "--help"])
    except SystemExit:
        pass
    assert "--include-illustrative" in capsys.readouterr().out


def test_bridge_figure_is_a_valid_waterfall():
    rows = bridge_rows(result())
    fig = go.Figure(bridge_figure(rows))  # validated
    trace = fig.data[0]
    assert trace.type == "waterfall" and list(trace.measure) == [r["measure"] for r in rows]
    assert list(trace.x) == [r["shares"] for r in rows]  # horizontal: step names beside their bars
