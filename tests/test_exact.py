"""Issue 9 items 1-3 and 14: exact share rounding, exact largest-remainder ties, ranges and overflow.

The references here use only ``fractions.Fraction`` on the exact inputs: N = 1,885,000 preferred,
LP = 1000 × 1.04^k after k accruals, CR and r as stated in the terms, prices and factors as the
shortest decimal that round-trips their float64 value (``calc.model.rounding.decimal_value``).
"""

from __future__ import annotations

import json
import math
import warnings
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import param_problems, parse_params
from calc.model.allocation import build_book
from calc.model.engine import ShareLimitError
from calc.model.montecarlo import run_monte_carlo
from calc.model.rounding import decimal_value
from calc.model.scenario import project_group, run_batch, run_scenario
from cli.main import main
from tests.strategies import decimals

N = 1_885_000
R = Fraction(2, 50)


def scenario_json(capsys, *args: str) -> dict:
    assert main(["scenario", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# --------------------------------------------------------------------------- item 1: exact floor/ceil


@pytest.mark.parametrize(
    "args, redemption",
    [
        (["--price", "1.67", "--put-factor", "0.93", "--dividend-policy", "cash"], 1_213_701_630),
        (
            [
                "--price",
                "11.69",
                "--put-factor",
                "0.93",
                "--put",
                "all",
                "--valuation-date",
                "2005-03-03",
                "--horizon",
                "2006-08-02",
            ],
            173_385_948,
        ),
    ],
)
def test_issue9_item1_redemption_just_above_a_whole_number_rounds_up(capsys, args, redemption):
    """The exact quotients are 1,213,701,629 + 1/15531 and 173,385,947 + a fraction: the owed share is issued."""
    assert scenario_json(capsys, *args)["redemption_shares"] == redemption


def test_issue9_item1_existing_goldens_unchanged(capsys):
    payload = scenario_json(capsys)
    assert (payload["dividend_shares"], payload["redemption_shares"]) == (4 * 39_894_180, 997_354_498)
    assert payload["new_shares"] == 1_156_931_218 and payload["as_converted_shares"] == 317_340_127


def _reference(params, schedule, path) -> tuple[list[int], int, int]:
    """(dividend shares per column, conversion, redemption) of path 0 in pure Fraction arithmetic."""
    rates = [Fraction(Decimal(str(r))) for r in schedule.rate]  # 4-decimal rates from the terms
    prices = [decimal_value(s) for s in path.prices[0]]
    lp, dividends = Fraction(1000), []
    for e in range(schedule.size):
        paid = schedule.is_dividend[e] and not schedule.after_exchange[e] and e <= path.exit_column[0]
        stock = paid and params.dividend_policy == "stock"
        dividends.append(math.ceil(N * lp * R / (prices[e] * decimal_value(params.sale_factor))) if stock else 0)
        if paid and params.dividend_policy == "accrue":
            lp *= 1 + R
        if e == path.exit_column[0]:
            break
    dividends += [0] * (schedule.size - len(dividends))
    action, col = int(path.exit_action[0]), min(int(path.exit_column[0]), schedule.size - 1)
    conversion = math.floor(N * lp / 1000 * rates[col]) if action == 1 else 0
    stock_redeem = action == 2 and params.put_settlement == "stock"
    redemption = math.ceil(N * lp / (prices[col] * decimal_value(params.put_factor))) if stock_redeem else 0
    return dividends, conversion, redemption


@settings(deadline=None)
@given(
    price=decimals("0.01", "200", 4),
    drift=st.just(Decimal(0)) | st.decimals("-0.5", "1", places=3),
    sale=decimals("0.01", "1", 3),
    put=decimals("0.01", "1", 3),
    policy=st.sampled_from(["stock", "accrue"]),
    put_policy=st.sampled_from(["all", "rational", "none"]),
    horizon=st.sampled_from(["2004-08-02", "2006-08-01", "2011-08-01", "2031-08-01"]),
)
def test_issue9_item1_engine_matches_pure_fraction_reference(price, drift, sale, put, policy, put_policy, horizon):
    """Every share count of the engine equals the exact Fraction computation (accrual counts via the horizon)."""
    params = parse_params(
        {
            "price": str(price),
            "annual_drift": str(drift),
            "sale_factor": str(sale),
            "put_factor": str(put),
            "dividend_policy": policy,
            "put": put_policy,
            "horizon": horizon,
        }
    )
    try:
        schedule, _, path, _ = project_group([params], load_terms(), caps=load_caps())
    except ShareLimitError:
        return
    dividends, conversion, redemption = _reference(params, schedule, path)
    assert path.dividend_shares[0].tolist() == dividends
    assert (int(path.conversion_shares[0]), int(path.redemption_shares[0])) == (conversion, redemption)


def test_issue9_item1_as_converted_and_holder_obtainable_exact():
    result = run_scenario(
        parse_params(
            {
                "put": "none",
                "conversion": "none",
                "dividend_policy": "accrue",
                "horizon": "2011-08-01",
                "holder_basis": "registered",
            }
        ),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert result.summary["as_converted_shares"] == 317_340_127
    lp = 1000 * (1 + R) ** 18  # 18 accruals from 2003-02-01 to 2011-08-01
    rate = Fraction("168.3502")
    holders = result.holders[result.holders["kind"] == "holder"]
    expected = [math.floor(int(h) * lp / 1000 * rate) for h in holders["registered_preferred_shares"]]
    assert holders["obtainable_shares_60d"].tolist() == expected


# --------------------------------------------------------------------------- item 3 / 14: ranges and overflow


@pytest.mark.parametrize(
    "values, message",
    [
        ({"price": "0.0001"}, "price: 0.0001 must be from 0.01 to 100,000 USD"),
        ({"price": "100001"}, "price: 100001.0 must be from 0.01 to 100,000 USD"),
        ({"annual_drift": "-0.995"}, "annual_drift: -0.995 must be from -0.99 to 10"),
        ({"sale_factor": "1e-30"}, "sale_factor: 1e-30 must be from 0.01 to 1"),
        ({"sale_factor": "1e-300"}, "sale_factor: '1e-300' is too small"),
        ({"put_factor": "0.001"}, "put_factor: 0.001 must be from 0.01 to 1"),
        (
            {"base_shares": "9223372036854775807"},
            "base_shares: 9223372036854775807 must be from 1 to 10,000,000,000,000",
        ),
        ({"base_shares": "99999999999999999999999"}, "base_shares: 99999999999999999999999 must be from 1 to"),
        ({"base_shares": "9" * 23}, "base_shares: 99999999999999999999999 must be from"),
        ({"base_shares": "9" * 100}, "is not a whole number: longer than 50 characters"),
        (
            {"horizon": "2031-08-02"},
            "horizon: 2031-08-02 must be on or before the mandatory redemption date 2031-08-01",
        ),
        ({"valuation_date": "2031-09-01", "horizon": "2031-09-01"}, "valuation_date: 2031-09-01 must be between"),
    ],
)
def test_issue9_item3_item14_ranges_one_validation_path(values, message):
    """CLI flags, grid cells, the sidebar and saved scenarios all go through ``param_problems``."""
    params, problems = param_problems(values)
    assert params is None and any(message in p for p in problems), problems


def test_issue9_item14_tiny_price_is_a_cli_range_error(capsys):
    assert main(["scenario", "--price", "0.0001"]) == 2
    err = capsys.readouterr().err
    assert "price: 0.0001 must be from 0.01 to 100,000 USD" in err and "Traceback" not in err


@pytest.mark.parametrize("basis", ["pro_rata", "registered"])
def test_issue9_item3_overflowing_redemption_is_an_error_not_a_wrapped_number(capsys, basis):
    args = [
        "scenario",
        "--price",
        "0.25",
        "--annual-drift",
        "-0.5",
        "--horizon",
        "2031-08-01",
        "--dividend-policy",
        "accrue",
        "--put",
        "none",
        "--conversion",
        "none",
        "--holder-basis",
        basis,
    ]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        "error: redemption shares at 2031-08-01 would bring the new common shares past the model limit of "
        "1,000,000,000,000,000 (10^15) shares" in captured.err
    )


def test_issue9_item3_batch_error_names_the_scenario():
    ok = parse_params({})
    bad = parse_params({"price": "0.01", "annual_drift": "-0.99", "horizon": "2011-08-01"})
    with pytest.raises(ShareLimitError, match=r"scenario 2 of 3 \(and 1 more\): redemption shares at 2004-08-02"):
        run_batch([ok, bad, bad], terms=load_terms(), book=default_book(), caps=load_caps())


def test_issue9_item3_monte_carlo_overflowing_paths_are_reported():
    params = parse_params({"horizon": "2031-08-01"})
    with pytest.raises(
        InputError,
        match=r"Monte Carlo: [\d,]+ of 2,000 paths issue more new common shares than "
        r"the model limit",
    ):
        run_monte_carlo(params, volatility=4, paths=2000, terms=load_terms(), book=default_book(), caps=load_caps())


@pytest.mark.parametrize(
    "volatility, paths, seed, message",
    [
        (5.01, 10, 0, "volatility: 5.01 must be from 0 to 5"),
        (1e308, 10, 0, "volatility: 1e+308 must be from 0 to 5"),
        (float("nan"), 10, 0, "volatility: nan must be from 0 to 5"),
        (0.5, 1_000_001, 0, "paths: 1000001 must be from 1 to 1,000,000"),
        (0.5, 10, 2**63, "seed: 9223372036854775808 must be from 0 to 2^63 - 1"),
    ],
)
def test_issue9_item3_monte_carlo_settings_bounded(volatility, paths, seed, message):
    with pytest.raises(InputError) as info:
        run_monte_carlo(
            parse_params({}), volatility, paths, seed, terms=load_terms(), book=default_book(), caps=load_caps()
        )
    assert any(message in p for p in info.value.problems), info.value.problems


def test_issue9_item3_register_sum_past_int64_is_a_limit_error_not_zero():
    register = pd.DataFrame(
        {
            "name": ["A", "B"],
            "footnotes": ["", ""],
            "issues": ["", ""],
            "preferred_shares": [6 * 10**18, 6 * 10**18],
            "common_owned_prior": [0, 0],
        }
    )
    with pytest.raises(
        InputError, match="listed preferred shares sum to 12,000,000,000,000,000,000, over the model limit"
    ):
        build_book(register, N, families=())


def test_issue9_item3_smallest_factor_still_issues_shares():
    result = run_scenario(
        parse_params({"sale_factor": "0.01", "price": "0.01"}),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert result.summary["dividend_shares"] > 0


@pytest.mark.parametrize(
    "values, volatility",
    [
        (
            {
                "price": "0.01",
                "annual_drift": "-0.99",
                "horizon": "2031-08-01",
                "dividend_policy": "cash",
                "put": "none",
                "put_settlement": "cash",
                "conversion": "none",
            },
            5.0,
        ),
        (
            {
                "price": "100000",
                "annual_drift": "10",
                "horizon": "2031-08-01",
                "dividend_policy": "stock",
                "conversion": "none",
            },
            5.0,
        ),
    ],
)
def test_issue9_item14_no_numpy_warnings_at_the_range_ends(values, volatility):
    params = parse_params(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
        try:
            run_monte_carlo(params, volatility, 2000, seed=3, terms=load_terms(), book=default_book(), caps=load_caps())
        except InputError as exc:  # paths past the share limit are reported, not wrapped
            assert "paths issue more new common shares than the model limit" in str(exc)
