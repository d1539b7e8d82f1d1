"""Issue 13: every instrument on one price path; golden values from the sources, invariants."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.instruments_toml import load_registry
from calc.inputs.params import parse_params
from calc.model.eps import DILUTIVE_REASON
from calc.model.instruments import SavingsPlan
from calc.model.scenario import run_scenario
from calc.model.securities import (
    dilution_eps,
    holder_rows,
    instrument_rows,
    match_dates,
    parse_policies,
    price_stack,
    run_dilution,
    run_dilution_mc,
    setup,
    totals,
    treasury_shares,
)
from cli.main import main


def run(policies: tuple[str, ...] = (), **values):
    registry = load_registry()
    return run_dilution(
        setup(parse_params(values), registry, parse_policies(policies, registry), book=default_book(), caps=load_caps())
    )


def row(result, iid):
    return next(r for r in instrument_rows(result) if r["id"] == iid)


def test_default_scenario_potential_shares_from_the_sources():
    """At 2004-08-02 (flat $1.89): trust preferred $1,152M (AR2003) × 206.6116 per $1,000 (424B3);
    Series A $750M at $3.34 and Series B $775M at $3.12 (RCR), all outstanding, none converted."""
    result = run()
    assert row(result, "trust_preferred_775")["potential_shares"] == math.floor(1_152_000 * Fraction("206.6116"))
    assert row(result, "debentures_275_a")["potential_shares"] == 224_550_900  # 750,000 × 299.4012
    assert row(result, "debentures_275_b")["potential_shares"] == 248_397_420  # 775,000 × 320.5128
    assert row(result, "warrants_2004")["potential_shares"] == 0  # issued only on 2004-12-10


def test_the_preferred_keeps_its_full_model():
    """The 8.00% preferred's issued shares are exactly the scenario engine's (ledger history included)."""
    for values in ({}, {"horizon": "2006-08-01", "price": "3"}):
        params = parse_params(values)
        expected = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()).summary["new_shares"]
        assert row(run(**values), "preferred_8pct")["issued_shares"] == expected


def test_totals_are_the_sum_of_the_instruments():
    result = run(horizon="2007-12-10")
    rows, t = instrument_rows(result), totals(result)
    assert t["issued_shares"] == sum(r["issued_shares"] for r in rows)
    assert t["potential_shares"] == sum(r["potential_shares"] for r in rows)
    assert t["fully_diluted_shares"] == t["base_shares"] + t["issued_shares"] + t["potential_shares"]
    assert row(result, "warrants_2004")["potential_shares"] == 200_000_000  # SETTLE: out of the money at $1.89


def test_warrants_exercised_in_the_money_gross_and_net():
    """$4 > $2.75: exercised on issue (2004-12-10); net = floor(200,000,000 × (1 − 2.75/4)) = 62,500,000
    exactly (a whole number, so the exact rounding decides)."""
    assert row(run(horizon="2007-12-10", price="4"), "warrants_2004")["issued_shares"] == 200_000_000
    net = run(("warrants_2004.settlement=net",), horizon="2007-12-10", price="4")
    assert row(net, "warrants_2004")["issued_shares"] == 62_500_000
    late = run(("warrants_2004.exercise=at_expiry",), horizon="2007-12-09", price="4")
    assert row(late, "warrants_2004")["issued_shares"] == 0  # 2007-12-10 is after the horizon


def test_contingent_conversion_trigger_blocks_conversion_at_the_put():
    """Series A put on 2010-06-15: at $3.50 the debentures are in the money ($3.50 ≥ $3.34) but below the
    120% trigger ($4.008, assumption): put for cash. At $4.10 they convert: 224,550,900 shares."""
    assert row(run(horizon="2010-06-15", price="3.5"), "debentures_275_a")["issued_shares"] == 0
    assert row(run(horizon="2010-06-15", price="4.1"), "debentures_275_a")["issued_shares"] == 224_550_900
    stock = run(("debentures_275_a.put_settlement=stock",), horizon="2010-06-15", price="2")
    assert row(stock, "debentures_275_a")["issued_shares"] == 375_000_000  # ceil($750M / $2)


def test_trust_preferred_called_for_cash_in_2013():
    """6-K of December 2013: notice of 2013-12-12, the $931,236,000 outstanding redeemed for cash on the expected
    redemption date 2014-01-13: outstanding (floor(931,236 × 206.6116) potential) until then, nothing after."""
    result = run(horizon="2014-01-13", price="2")
    assert row(result, "trust_preferred_775")["potential_shares"] == 0
    assert row(result, "trust_preferred_775")["issued_shares"] == 0
    converted = run(horizon="2014-01-13", price="5")  # $5 × 206.6116 ≥ $1,000: converts at the call
    assert row(converted, "trust_preferred_775")["issued_shares"] == math.floor(931_236 * Fraction("206.6116"))


def test_savings_plan_matching_in_new_stock():
    """11-K: $8,749K of company contributions in 2002; quarterly (assumption) at the flat $1.89."""
    plain = run()
    matched = run(("savings_plan_ltssp.match=new_stock",))
    plan = load_registry().of(SavingsPlan)[0]
    quarters = match_dates(plan, parse_params().valuation_date, parse_params().horizon)
    assert len(quarters) == 8 and quarters[0].isoformat() == "2002-09-30"
    per_quarter = math.floor(Fraction(8_749_000, 4) / Fraction("1.89"))
    assert row(matched, "savings_plan_ltssp")["issued_shares"] == 8 * per_quarter
    assert row(plain, "savings_plan_ltssp")["issued_shares"] == 0


def test_savings_plan_as_a_holder_is_derived():
    """11-K line 674: $200,685K in the Employer Stock Fund at 2002-12-31; at $1.26 (assumption)."""
    rows = holder_rows(load_registry(), 3_607_381_493)
    first = rows[0]
    assert first["shares_derived"] == 200_685_000 * 100 // 126 == 159_273_809
    assert first["label"].startswith("derived")
    assert first["price_source"].startswith("assumption")


def test_eps_includes_every_instrument_with_a_reason():
    result = run(horizon="2007-12-10")
    eps = dilution_eps(result, Fraction(10**9))
    names = [s.potential.security for s in eps.steps]
    assert sorted(names) == sorted(r["name"] for r in instrument_rows(result) if r["kind"] != "savings_plan")
    assert all(s.reason for s in eps.steps)
    debentures_b = next(s for s in eps.steps if "Series B" in s.potential.security)
    # ΔN / ΔS = $775M × 2.75% / 248,397,420 (no tax)
    assert debentures_b.potential.incremental_eps_usd == Fraction(775_000_000) * Fraction("0.0275") / 248_397_420
    assert debentures_b.reason == DILUTIVE_REASON
    loss = dilution_eps(result, Fraction(-(10**9)))
    assert loss.diluted_shares == loss.basic_shares


def test_eps_treasury_stock_for_warrants_at_the_average_price():
    result = run(horizon="2007-12-10")
    eps = dilution_eps(result, Fraction(10**9), average_price_usd=Decimal("5.50"))
    warrants = next(s for s in eps.steps if s.potential.security.startswith("warrants"))
    assert warrants.potential.incremental_shares == 100_000_000  # 200,000,000 × (1 − 2.75/5.50)


def test_eps_inputs_are_checked():
    with pytest.raises(InputError, match="tax rate"):
        dilution_eps(run(), Fraction(1), tax_rate=Fraction(1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.floats(0.05, 20), min_size=2, max_size=6, unique=True),
    st.sampled_from(["gross", "net"]),
    st.sampled_from(["in_the_money", "at_expiry"]),
)
def test_potential_and_issued_monotone_in_price_for_options_and_warrants(prices, settlement, exercise):
    """Higher flat price: never fewer warrant/option shares issued, nor fewer issued + treasury-stock
    potential shares at the horizon price; totals are the sum of the instruments on every path."""
    registry = load_registry()
    s = setup(
        parse_params({"horizon": "2007-12-10"}),
        registry,
        parse_policies(
            (
                f"warrants_2004.settlement={settlement}",
                f"warrants_2004.exercise={exercise}",
                f"options_executive.exercise={exercise}",
                f"options_illustrative.exercise={exercise}",
            ),
            registry,
        ),
        include_illustrative=True,  # the option pools are illustrative: counted here to test them
        book=default_book(),
        caps=load_caps(),
    )
    ordered = np.sort(np.array(prices))
    result = run_dilution(s, ordered)
    for x in result.projections:
        if x.method != "treasury stock":
            continue
        issued = x.issued.sum(axis=1)
        diluting = [
            int(issued[p]) + treasury_shares(x, p, Decimal(repr(float(result.prices[p, -1]))))
            for p in range(len(ordered))
        ]
        assert (np.diff(issued) >= 0).all(), x.instrument.id
        assert all(a <= b for a, b in zip(diluting, diluting[1:])), (x.instrument.id, diluting)
    issued = sum(x.issued.sum(axis=1) for x in result.projections)
    potential = sum(x.potential[:, -1] for x in result.projections)
    assert (result.fully_diluted() == s.params.base_shares + issued + potential).all()
    stack = price_stack(s, ordered)
    assert (
        stack.drop(columns=["price_usd", "fully_diluted_shares"]).sum(axis=1) + s.params.base_shares
        == stack["fully_diluted_shares"]
    ).all()


def test_monte_carlo_zero_volatility_is_the_deterministic_path():
    s = setup(parse_params({"horizon": "2007-12-10"}), registry=load_registry(), book=default_book(), caps=load_caps())
    mc = run_dilution_mc(s, 0.0, 50, seed=1)
    fd = int(run_dilution(s).fully_diluted()[0])
    assert mc.fully_diluted["p5"] == mc.fully_diluted["p95"] == fd
    assert set(mc.by_instrument["id"]) == {i.id for i in load_registry().without_illustrative().instruments}
    spread = run_dilution_mc(s, 0.6, 200, seed=1)
    assert spread.fully_diluted["p5"] < spread.fully_diluted["p95"]
    assert 0 < spread.by_instrument.set_index("id").loc["warrants_2004", "probability_issues"] < 1


def test_policy_problems_are_all_reported():
    with pytest.raises(InputError) as err:
        parse_policies(
            [
                "warrants_2004.put=all",
                "nope.exercise=none",
                "trust_preferred_775.put_settlement=stock",
                "debentures_275_a.put_factor=nan",
                "novalue",
            ],
            load_registry(),
        )
    text = str(err.value)
    assert "5 problem(s)" in text and "warrant has no policy 'put'" in text
    assert "'stock' is not one of cash" in text and "unknown instrument 'nope'" in text


def cli(capsys, *argv):
    code = main(["dilution", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_in_process(capsys):
    code, out, err = cli(capsys, "--json", "--horizon", "2007-12-10", "--volatility", "0.5", "--paths", "100")
    assert code == 0 and err == ""
    payload = json.loads(out)
    assert payload["totals"]["fully_diluted_shares"] == payload["totals"]["base_shares"] + sum(
        r["issued_shares"] + r["potential_shares"] for r in payload["instruments"]
    )
    assert payload["eps"]["net_income_source"].startswith("assumption")
    assert len(payload["eps"]["waterfall"]) == len(payload["instruments"]) - 1 + 2  # savings plan: no potential
    assert payload["monte_carlo"]["paths"] == 100
    assert payload["holders"][0]["shares_derived"] == 159_273_809


def test_cli_text_and_errors(capsys, tmp_path):
    code, out, _ = cli(capsys, "--net-income", "-1e9")
    assert code == 0 and "fully diluted:" in out and "antidilutive: loss" in out
    bad = tmp_path / "instruments.toml"
    bad.write_text("[x]\nkind = { value = 'bond', source = 's' }\n", encoding="utf-8")
    code, out, err = cli(capsys, "--instruments", str(bad))
    assert code == 2 and out == "" and err.count("error:") == 1 and "[x.kind]" in err
    code, out, err = cli(capsys, "--policy", "warrants_2004.exercise=soon")
    assert code == 2 and "policy warrants_2004.exercise: 'soon' is not one of" in err
