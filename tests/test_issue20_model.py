"""Issue 20 (hardening, round 3), model items 6, 7, 12, 22 and 28: restricted shares leave the potential count once
delivered, EPS deducts the period's preferred dividends, the trust preferred's and Series B's corrected data,
All securities with an uploaded holder table, and one treasury-stock rounding rule.

Golden values are worked from the sources named in each test (never from the code's output)."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps
from calc.inputs.grants_csv import read_grants_csv
from calc.inputs.instruments_toml import load_registry
from calc.inputs.params import parse_params
from calc.inputs.paths import EXECUTIVE_GRANTS_PATH, ILLUSTRATIVE_GRANTS_PATH
from calc.model.eps import options_treasury_stock
from calc.model.options import positions_frame, restricted_deliveries, restricted_unvested, totals, tsm_shares
from calc.model.securities import dilution_eps, instrument_rows, parse_policies, run_dilution, setup, treasury_shares
from calc.scenario_doc import HolderData, ScenarioDoc
from calc.scenario_run import resolve
from dashboard import state
from tests.helpers import APP_TIMEOUT, open_section, run_cli, started_app

D = dt.date
N_PREFERRED = 1_885_000  # SUPP p. 1 (cover): 1,885,000 shares of 8.00% preferred
LP_USD = 1000  # SUPP p. 11, footnote (3): initial liquidation preference $1,000.00
BASE_SHARES = 3_607_381_493  # data/terms.toml: common shares outstanding (the default base)
PRICE = Fraction("1.89")  # SUPP p. 11: the Aug 27, 2002 close, the default flat price


def _run(policies: tuple[str, ...] = (), include_illustrative: bool = False, **values):
    registry = load_registry()
    s = setup(
        parse_params(values),
        registry,
        parse_policies(policies, registry),
        include_illustrative=include_illustrative,
        book=default_book(),
        caps=load_caps(),
    )
    return run_dilution(s)


def _row(result, iid: str) -> dict:
    return next(r for r in instrument_rows(result) if r["id"] == iid)


def _executive() -> dict:
    return {g.grant_id: g for g in read_grants_csv(EXECUTIVE_GRANTS_PATH)}


# --------------------------------------------------------------------------- item 6: restricted shares


def test_issue20_item6_restricted_shares_delivered_before_the_window_are_neither_issued_nor_potential():
    """Retirees' letter lines 54-56: 550,000 restricted shares vest on the termination without cause (grants file:
    granted 2002-11-15, 20% every six months on the officer form, terminated 2004-01-30, all kept): delivered
    110,000 on 2003-05-15, 110,000 on 2003-11-15 and the other 330,000 on 2004-01-30. In the 2009-01-05 to
    2013-06-15 window they are basic shares already: 0 issued, 0 potential, 0 treasury-stock shares."""
    rs = _executive()["CEO-RS"]
    assert restricted_deliveries(rs) == [
        (D(2003, 5, 15), 110_000),
        (D(2003, 11, 15), 110_000),
        (D(2004, 1, 30), 330_000),
    ]
    result = _run(include_illustrative=True, valuation_date="2009-01-05", horizon="2013-06-15")
    executive = next(x for x in result.projections if x.instrument.id == "options_executive")
    row = _row(result, "options_executive")
    assert (row["issued_shares"], row["potential_shares"]) == (0, 0)
    assert treasury_shares(executive, 0, Decimal("1.89")) == 0


def test_issue20_item6_restricted_shares_issued_on_delivery_and_potential_until_then():
    """Valuation 2003-06-01, horizon 2003-12-31: the 2003-11-15 tranche (110,000) is delivered in the window; the
    2003-05-15 one was delivered before it (in the base); 550,000 − 220,000 = 330,000 are not yet delivered at the
    horizon: potential, and by the treasury stock method with zero proceeds floor(330,000 × (1 − 0/P)) = 330,000."""
    result = _run(
        ("options_executive.exercise=none",),
        include_illustrative=True,
        valuation_date="2003-06-01",
        horizon="2003-12-31",
    )
    executive = next(x for x in result.projections if x.instrument.id == "options_executive")
    rs_issued = 110_000  # the CEO-OPT options are never exercised under exercise=none
    assert _row(result, "options_executive")["issued_shares"] == rs_issued
    assert restricted_unvested(_executive()["CEO-RS"], D(2003, 12, 31)) == 330_000
    eps = dilution_eps(result, Fraction(10**9), average_price_usd=Decimal("1.89"))
    options = next(s for s in eps.steps if s.potential.security == executive.instrument.name)
    # CEO-OPT: 1,200,000 × 40% vested and exercisable by 2003-11-15 at $1.24: floor(480,000 × (1 − 1.24/1.89))
    assert options.potential.incremental_shares == 330_000 + math.floor(480_000 * (1 - Fraction("1.24") / PRICE))


def test_issue20_item6_eps_in_2030_counts_no_delivered_restricted_share():
    """``eps`` in 2030: the restricted shares were delivered in 2003-2004 (basic shares), the 1.2 million options
    expired on 2007-11-14 (day before the 5th anniversary): no potential share at all."""
    grants = list(_executive().values())
    assert options_treasury_stock(grants, D(2030, 6, 30), Decimal("1.89")).incremental_shares == 0
    out = run_cli(
        "eps", "--net-income", "1e9", "--grants", str(EXECUTIVE_GRANTS_PATH), "--date", "2030-06-30", "--json"
    )
    assert out.returncode == 0, out.stderr
    step = next(r for r in json.loads(out.stdout)["waterfall"] if r["step"] == "employee stock options")
    assert step["incremental_shares"] == 0
    before_delivery = options_treasury_stock(grants[:1], D(2003, 1, 1), Decimal("1.89"))
    assert before_delivery.incremental_shares == 550_000  # nothing delivered yet: all potential


# --------------------------------------------------------------------------- item 7: the period's dividends


def test_issue20_item7_eps_deducts_the_periods_dividends():
    """Default scenario (flat $1.89 to 2004-08-02, the class put and redeemed in stock on the horizon date).

    Div for the year = the dividends of 2004-02-01 and 2004-08-01 = 2 × 1,885,000 × $1,000 × 8% / 2 = $150.8M.
    Basic shares (the CLI's B = base + issued through the horizon): 3,607,381,493 + 4 semiannual stock dividends
    of ceil($75.4M / $1.89) = 39,894,180 + the put redeemed in stock, ceil($1,885,000,000 / $1.89) = 997,354,498.
    Basic EPS = ($1,000,000,000 − $150,800,000) / 4,764,312,711 = $0.1782."""
    dividends = Fraction(N_PREFERRED * LP_USD) * Fraction("0.08")
    assert dividends == 150_800_000
    per_dividend = math.ceil(Fraction(N_PREFERRED * LP_USD) * Fraction("0.04") / PRICE)
    redemption = math.ceil(Fraction(N_PREFERRED * LP_USD) / PRICE)
    basic = BASE_SHARES + 4 * per_dividend + redemption
    assert (per_dividend, redemption, basic) == (39_894_180, 997_354_498, 4_764_312_711)
    eps = dilution_eps(_run(), Fraction(10**9))
    assert eps.preferred_dividends_usd == dividends
    assert eps.basic_shares == basic
    assert eps.basic_eps_usd == (Fraction(10**9) - dividends) / basic
    out = run_cli("dilution", "--json")
    payload = json.loads(out.stdout)["eps"]
    assert payload["preferred_dividends_usd"] == 150_800_000 and payload["basic_shares"] == basic
    assert round(payload["basic_eps_usd"], 4) == 0.1782
    text = run_cli("dilution").stdout
    assert "basic EPS $0.18," in text  # 0.1782 to the cent, as every EPS reads


def test_issue20_item7_the_period_is_the_years_before_the_horizon():
    """Half a year to 2004-08-02 holds one dividend (2004-08-01: $75.4M); a year ending 2005-08-01 holds none (the
    class left on 2004-08-02); a year to 2004-06-30 holds 2003-08-01 and 2004-02-01 ($150.8M)."""
    half = dilution_eps(_run(), Fraction(10**9), period_years=Fraction(1, 2))
    assert half.preferred_dividends_usd == 75_400_000
    assert dilution_eps(_run(horizon="2005-08-01"), Fraction(10**9)).preferred_dividends_usd == 0
    assert dilution_eps(_run(horizon="2004-06-30"), Fraction(10**9)).preferred_dividends_usd == 150_800_000


# --------------------------------------------------------------------------- item 12: trust preferred and Series B


def test_issue20_item12_trust_preferred_redeemed_on_the_expected_date_not_the_notice():
    """6-K of December 2013: notice 2013-12-12, $931,236,000 outstanding, redemption expected 2014-01-13. On
    2014-01-01 the trust is still outstanding: floor(931,236 × 206.6116) potential shares; from 2014-01-13 none."""
    registry = load_registry()
    trust = next(i for i in registry.instruments if i.id == "trust_preferred_775")
    assert trust.cash_call_date == D(2014, 1, 13)
    assert "6K2013" in registry.source("trust_preferred_775.cash_call_date")
    assert "January 13, 2014" in registry.source("trust_preferred_775.cash_call_date")
    still = _run(horizon="2014-01-01", price="2")
    assert _row(still, "trust_preferred_775")["potential_shares"] == math.floor(931_236 * Fraction("206.6116"))
    assert _row(_run(horizon="2014-01-13", price="2"), "trust_preferred_775")["potential_shares"] == 0


def test_issue20_item12_series_b_765m_in_june_2013():
    """Prospect News, June 13, 2013: holders put $763,828,000, about 99.8% of the $765 million outstanding. Before
    the June 2013 put, Series B potential = floor(765,000 × 320.5128) = 245,192,292 (not 775,000 × 320.5128)."""
    registry = load_registry()
    b = next(i for i in registry.instruments if i.id == "debentures_275_b")
    assert [(s.date, s.amount_usd) for s in b.outstanding] == [
        (D(2003, 6, 4), Decimal(775_000_000)),
        (D(2013, 5, 14), Decimal(765_000_000)),
    ]
    assert "assumption" in b.outstanding[1].source and "$765 million" in b.outstanding[1].source
    assert Fraction(763_828_000, 765_000_000) > Fraction(998, 1000)  # "about 99.8%"
    result = _run(horizon="2013-06-01", price="2")
    assert _row(result, "debentures_275_b")["potential_shares"] == math.floor(765_000 * Fraction("320.5128"))
    assert _row(result, "debentures_275_b")["potential_shares"] == 245_192_292
    assert _row(_run(horizon="2012-06-01", price="2"), "debentures_275_b")["potential_shares"] == 248_397_420


# --------------------------------------------------------------------------- item 22: the register in use


UPLOADED = "name,preferred_shares\nNew Holder Fund,400000\nOther Fund,250000\n"
NAMED = ("2003-03-03", "exchange_common", "all", "4500000", "", "", "", "New Holder Fund", "issue 20 item 22")


def _doc() -> ScenarioDoc:
    return ScenarioDoc(
        parse_params({"holder_basis": "registered"}), events=(NAMED,), holders=HolderData(UPLOADED, "up.csv")
    )


def test_issue20_item22_all_securities_checks_the_uploaded_register():
    """An exchange naming a holder of the uploaded table (400,000 preferred, registered basis) runs on the
    All securities engine with that table, and is refused against the filing's register (no such holder)."""
    resolved = resolve(_doc())
    s = setup(resolved.params, events=resolved.events, book=resolved.book, registry=load_registry(), caps=load_caps())
    result = run_dilution(s)
    preferred = _row(result, "preferred_8pct")
    assert preferred["issued_shares"] > 0
    exchange = dict(next(x for x in result.projections if x.instrument.id == "preferred_8pct").sources)
    assert int(exchange["exchange for common"][0]) == 4_500_000
    with pytest.raises(InputError) as refused:
        setup(
            resolved.params, events=resolved.events, registry=load_registry(), book=default_book(), caps=load_caps()
        )  # the filing's register: the holder is unknown
    assert "New Holder Fund" in " ".join((str(refused.value), *map(str, refused.value.problems)))


def test_issue20_item22_cli_dilution_with_an_uploaded_register(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(_doc().to_json(), encoding="utf-8")
    out = run_cli("dilution", "--scenario", str(path), "--json")
    assert out.returncode == 0, out.stderr
    bridge = json.loads(out.stdout)["totals"]["bridge"]
    assert any(r["step"].endswith("exchange for common") and r["shares"] == 4_500_000 for r in bridge)


def test_issue20_item22_dashboard_all_securities_with_an_uploaded_register(tmp_path, monkeypatch):
    app = started_app(tmp_path, monkeypatch)
    app.session_state[state.HOLDERS_KEY] = HolderData(UPLOADED, "uploaded file up.csv")
    app.session_state[state.ROWS_KEY] = (NAMED,)
    app.sidebar.selectbox(key="param_holder_basis").set_value("registered")
    open_section(app, "All securities")
    app.run(timeout=APP_TIMEOUT)
    assert not app.exception
    assert not [e.value for e in app.error]
    bridge = next(d.value for d in app.dataframe if "running_total_shares" in d.value.columns)
    assert 4_500_000 in set(bridge.loc[bridge["step"].str.endswith("exchange for common"), "shares"])


# --------------------------------------------------------------------------- item 28: one rounding rule


def test_issue20_item28_one_treasury_stock_rounding_rule_for_dilution_eps_and_options():
    """Flooring once per grant: the 10 illustrative grants at $1.89 on 2004-08-02 (exercise=none, so every
    exercisable option is unexercised). ``dilution``, ``eps`` and ``options`` give the same count, and it is the sum
    over grants of floor(n_g × (1 − 1.24/1.89)) (all grants are at $1.24)."""
    grants = read_grants_csv(ILLUSTRATIVE_GRANTS_PATH)
    date, price = D(2004, 8, 2), Decimal("1.89")
    from calc.model.options import tsm_counted_shares

    expected = sum(math.floor(tsm_counted_shares(g, date) * (1 - Fraction("1.24") / PRICE)) for g in grants)
    assert expected == sum(tsm_shares(g, date, price) for g in grants)
    result = _run(("options_illustrative.exercise=none",), include_illustrative=True)
    pool = next(x for x in result.projections if x.instrument.id == "options_illustrative")
    assert treasury_shares(pool, 0, price) == expected
    assert options_treasury_stock(grants, date, price).incremental_shares == expected
    assert totals(positions_frame(grants, date, price))["tsm_incremental_shares"] == expected
    cli_options = run_cli(
        "options", "--grants", str(ILLUSTRATIVE_GRANTS_PATH), "--date", "2004-08-02", "--price", "1.89", "--json"
    )
    assert json.loads(cli_options.stdout)["tsm_incremental_shares"] == expected
    cli_dilution = run_cli(
        "dilution", "--include-illustrative", "--policy", "options_illustrative.exercise=none", "--json"
    )
    steps = json.loads(cli_dilution.stdout)["eps"]["waterfall"]
    assert next(r for r in steps if r["step"] == pool.instrument.name)["incremental_shares"] == expected
