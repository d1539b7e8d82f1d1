"""Diluted EPS (ASC 260): treasury stock, if-converted, antidilution ordering, CLI.

Preferred terms from data/terms.toml: 1,885,000 shares (SUPP p. 1), $1,000 liquidation
preference (SUPP p. 11 fn 3), 8.00% (SUPP p. 1), rate 168.3502 (SUPP p. 1).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from calc.inputs.data import load_forms
from calc.model.eps import (
    DILUTIVE_REASON,
    LOSS_REASON,
    UNCHANGED_REASON,
    PotentialShares,
    debentures_if_converted,
    diluted_eps,
    lucent_diluted_eps,
    options_treasury_stock,
    preferred_if_converted,
)
from calc.model.options import Grant
from tests.helpers import run_cli

DATE = dt.date(2002, 11, 30)
BASIC = 3_607_381_493


def test_preferred_if_converted_by_hand(terms):
    p = preferred_if_converted(terms, DATE, Fraction(1), Decimal("1000"))
    # 1,885,000 × 1000/1000 × 168.3502 = 317,340,127.0 -> 317,340,127 shares
    assert p.incremental_shares == 317_340_127
    # dividends 1,885,000 × $1,000 × 8% × 1 year = $150,800,000
    assert p.numerator_addback_usd == 150_800_000
    half = preferred_if_converted(terms, DATE, Fraction(1, 2), Decimal("1000"))
    assert half.numerator_addback_usd == 75_400_000


def test_debentures_after_tax_interest_by_hand(terms):
    d = debentures_if_converted(terms, DATE, Fraction(1), Fraction(35, 100), Decimal("1000"))
    # principal $1,885,000,000 × 8% = $150,800,000; × (1 − 0.35) = $98,020,000
    assert d.numerator_addback_usd == 98_020_000
    assert d.incremental_shares == 317_340_127


def test_options_treasury_stock_by_hand():
    form = load_forms()["us-nonofficer-active"]
    g = Grant("g", form, 1003, Decimal("1.24"), dt.date(2002, 11, 15))
    # on 2004-02-01, 401 shares exercisable (200 + 201); floor(401 × (1 − 1.24/3)) = floor(235.25) = 235
    assert options_treasury_stock([g], dt.date(2004, 2, 1), Decimal("3")).incremental_shares == 235
    # out of the money: K = 1.24 >= P = 1.00
    assert options_treasury_stock([g], dt.date(2004, 2, 1), Decimal("1")).incremental_shares == 0


def test_preferred_dilutive_with_high_income(terms):
    # NI $5bn: basic = (5,000,000,000 − 150,800,000) / 3,607,381,493 = $1.3443;
    # preferred incremental EPS 150,800,000 / 317,340,127 = $0.4752 < 1.3443: dilutive;
    # diluted = 5,000,000,000 / (3,607,381,493 + 317,340,127 = 3,924,721,620) = $1.2740
    r = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(5_000_000_000),
        basic_shares=BASIC,
        date=DATE,
        average_price_usd=Decimal("1.89"),
        grants=[],
    )
    assert r.basic_eps_usd == Fraction(4_849_200_000, BASIC)
    assert r.diluted_shares == 3_924_721_620
    assert r.diluted_eps_usd == Fraction(5_000_000_000, 3_924_721_620)
    assert [s.included for s in r.steps] == [True]


def test_preferred_antidilutive_with_low_income(terms):
    # NI $1bn: basic = 849,200,000 / 3,607,381,493 = $0.2354 < $0.4752: antidilutive
    r = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(1_000_000_000),
        basic_shares=BASIC,
        date=DATE,
        average_price_usd=Decimal("1.89"),
        grants=[],
    )
    assert r.diluted_shares == BASIC and r.diluted_eps_usd == r.basic_eps_usd
    assert r.steps[0].reason == "antidilutive: would raise EPS"


def test_loss_makes_everything_antidilutive():
    options = PotentialShares("options", "treasury stock", 10, Fraction(0))
    r = diluted_eps(Fraction(-100), Fraction(0), 100, [options])
    assert not r.steps[0].included and "loss" in r.steps[0].reason
    assert r.diluted_eps_usd == r.basic_eps_usd == Fraction(-1)


def test_loss_to_common_with_positive_income_is_worded_as_such(terms):
    # NI +$100,000,000 but dividends $150,800,000 (1,885,000 × $1,000 × 8%, SUPP p. 1):
    # NI − Div = −50,800,000 < 0 -> loss to common shareholders (ASC 260-10-45-19), although
    # there is no loss from continuing operations. Basic = diluted = −50,800,000 / 3,607,381,493.
    r = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(100_000_000),
        basic_shares=BASIC,
        date=DATE,
        average_price_usd=Decimal("1.89"),
        grants=[],
    )
    assert r.basic_numerator_usd == -50_800_000
    assert r.diluted_eps_usd == r.basic_eps_usd == Fraction(-50_800_000, BASIC)
    assert r.steps[0].reason == LOSS_REASON
    assert (
        "loss to common shareholders (income from continuing operations less preferred dividends < 0)"
        in r.steps[0].reason
    )
    assert "loss from continuing operations" not in r.steps[0].reason


def test_zero_income_to_common_leaves_options_not_dilutive(terms):
    # NI = Div = $150,800,000 -> NI − Div = 0, basic EPS 0.
    # Options (FORMS 2242-2248): 401 of 1,003 exercisable on 2004-02-01; TSM at P = $3:
    # floor(401 × (1 − 1.24/3)) = 235 shares, add-back 0 -> trial EPS 0 / (B + 235) = 0 = basic:
    # EPS unchanged, not "would raise EPS". Preferred next: 150,800,000 / (B + 317,340,127) > 0:
    # raises EPS, antidilutive. Diluted = basic = 0 on B shares.
    g = Grant("g", load_forms()["us-nonofficer-active"], 1003, Decimal("1.24"), dt.date(2002, 11, 15))
    r = lucent_diluted_eps(
        terms,
        net_income_usd=Fraction(150_800_000),
        basic_shares=BASIC,
        date=dt.date(2004, 2, 1),
        average_price_usd=Decimal("3"),
        grants=[g],
    )
    assert [(s.potential.incremental_shares, s.included, s.reason) for s in r.steps] == [
        (235, False, UNCHANGED_REASON),
        (317_340_127, False, "antidilutive: would raise EPS"),
    ]
    assert r.diluted_shares == BASIC and r.diluted_eps_usd == r.basic_eps_usd == 0


def test_eps_cli_loss_reason_and_price_help():
    result = run_cli("eps", "--net-income", "100000000", "--json")
    assert result.returncode == 0, result.stderr
    step = json.loads(result.stdout)["waterfall"][1]
    assert step["reason"] == LOSS_REASON and not step["included"]
    help_text = " ".join(run_cli("eps", "--help").stdout.split())
    # default $1.89 = SUPP p. 11 "On August 27, 2002, the closing sale price ... was $1.89"
    assert "AVERAGE common price for the period" in help_text
    assert "default 1.89 = the Aug 27, 2002 closing price" in help_text and "stand-in" in help_text


def test_security_antidilutive_only_after_another_is_included():
    # Basic: NI 100 / 100 shares = 1.00.
    # A options: 10 shares, add-back 0 (incremental EPS 0)     -> first: 100/110 = 0.9091, included
    # B preferred: 10 shares, add-back 9.5 (incremental 0.95) -> alone it would be dilutive
    #   (109.5/110 = 0.9955 < 1.00) but after A: 109.5/120 = 0.9125 > 0.9091: antidilutive.
    a = PotentialShares("A", "treasury stock", 10, Fraction(0))
    b = PotentialShares("B", "if-converted", 10, Fraction(19, 2))
    alone = diluted_eps(Fraction(100), Fraction(0), 100, [b])
    assert alone.steps[0].included
    both = diluted_eps(Fraction(100), Fraction(0), 100, [b, a])  # order given does not matter
    assert [(s.potential.security, s.included) for s in both.steps] == [("A", True), ("B", False)]
    assert both.diluted_shares == 110 and both.diluted_eps_usd == Fraction(100, 110)


def test_eps_cli_json():
    result = run_cli("eps", "--net-income", "5000000000", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["diluted_shares"] == 3_924_721_620
    assert payload["preferred_dividends_usd"] == 150_800_000
    steps = [row["step"] for row in payload["waterfall"]]
    assert steps == ["basic shares", "8.00% convertible preferred", "diluted shares"]


def test_eps_cli_exchanged_with_grants():
    result = run_cli(
        "eps",
        "--net-income",
        "-11826000000",
        "--exchanged",
        "--tax-rate",
        "0.35",
        "--grants",
        "data/grants_illustrative.csv",
        "--price",
        "3",
        "--date",
        "2004-02-01",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["preferred_dividends_usd"] == 0
    assert all(not r["included"] for r in payload["waterfall"][1:-1])
    assert payload["diluted_shares"] == payload["basic_shares"]


def test_eps_cli_rejects_bad_tax_rate():
    result = run_cli("eps", "--net-income", "1", "--tax-rate", "1.5")
    assert result.returncode == 2 and "must be a rate in [0, 1)" in result.stderr


POTENTIALS = st.lists(
    st.builds(
        PotentialShares, st.just("s"), st.just("m"), st.integers(0, 10**9), st.fractions(min_value=0, max_value=10**9)
    ),
    max_size=4,
)


@given(
    income=st.fractions(min_value=Fraction(1, 100), max_value=10**10),
    dividends=st.fractions(0, 10**9),
    basic=st.integers(1, 10**10),
    potentials=POTENTIALS,
)
def test_diluted_never_above_basic_when_income_to_common_is_positive(income, dividends, basic, potentials):
    """ASC 260 antidilution: with income to common > 0 a security is included only when it lowers EPS,
    so diluted EPS <= basic EPS (and a loss leaves diluted = basic)."""
    result = diluted_eps(income + dividends, dividends, basic, potentials)
    assert result.diluted_eps_usd <= result.basic_eps_usd
    assert all(s.included == (s.reason == DILUTIVE_REASON) for s in result.steps)
