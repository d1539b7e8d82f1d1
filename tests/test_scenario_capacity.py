"""Capacity checks of the deterministic scenario (issue 23): the result, ``scenario --json``, the narrative, the charts.

Goldens from the sources: the NYSE 20 % binding price of the whole class at 3,432,688,763 shares (10-Q cover,
2002-07-31) is $1,885,000,000 / (20 % × 3,432,688,763) = $2.746 (Goldman Sachs note 2002-07-11, "below about
$2.75"; NYSE Listed Company Manual 312.03(c)); the default scenario (data/defaults: $1.89 flat, stock dividends,
the 2004-08-02 put settled in stock, 3,607,381,493 base shares) is checked by hand below.
"""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction

import pytest

from calc.inputs.data import default_book, load_caps, load_desk_facts, load_terms
from calc.inputs.params import default_params
from calc.model import capacity
from calc.model.scenario import SUMMARY_KEYS, run_scenario
from calc.model.scenario_capacity import IssuanceCheck, ScenarioCapacity
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.outputs.narrative import explain_parts
from charts import figures, ledger_figures
from tests.helpers import run_cli

BASE_SHARES = 3_607_381_493  # data/terms.toml market.common_shares_outstanding (the scenario default)
N, LP_USD, PRICE_USD = 1_885_000, 1_000, Fraction("1.89")  # preferred issued, LP, the default price
DIVIDEND_USD = N * LP_USD * Fraction(8, 100) / 2  # 8.00 % semiannual on $1,885M: $75.4M


def _run(**changes):
    params = dataclasses.replace(default_params(), **changes)
    terms = load_terms()
    return run_scenario(params, terms, default_book(), caps=load_caps(), facts=load_desk_facts())


@pytest.fixture(scope="module")
def default():
    return _run()


def test_class_binding_price_at_the_notes_share_count_is_2_746():
    result = _run(base_shares=3_432_688_763)
    assert round(result.capacity.class_binding_prices_usd[capacity.NYSE], 3) == 2.746


def test_default_put_needs_shareholder_approval_by_hand(default):
    """Four stock dividends of ceil($75.4M / $1.89) shares before the put, then ceil($1,885M / $1.89) for the put;
    O before the put = base + the dividends; NYSE binds since n ≥ 20 % × O."""
    dividend = math.ceil(DIVIDEND_USD / PRICE_USD)
    put = math.ceil(N * LP_USD / PRICE_USD)
    before = BASE_SHARES + 4 * dividend
    assert (dividend, put, before) == (39_894_180, 997_354_498, 3_766_958_213)
    check = default.capacity.checks[-1]
    assert (check.kind, str(check.date), check.issuance.shares_needed) == ("put", "2004-08-02", put)
    assert check.issuance.outstanding_before == before
    nyse = {line.cap: line for line in check.lines}[capacity.NYSE]
    assert nyse.binds and put * 100 >= 20 * before
    assert nyse.limit_shares == math.ceil(Fraction(20, 100) * before)
    assert nyse.binding_price_usd == pytest.approx(N * LP_USD / (0.2 * before))  # $2.502
    assert [c.kind for c in default.capacity.checks] == ["dividend"] * 4 + ["put"]
    assert not any(line.binds for c in default.capacity.checks[:4] for line in c.lines)


def test_capacity_changes_no_existing_number(default):
    plain = run_scenario(default_params(), load_terms(), default_book(), caps=load_caps())
    assert plain.capacity is None
    assert {k: plain.summary[k] for k in SUMMARY_KEYS} == {k: default.summary[k] for k in SUMMARY_KEYS}


def _narrative(result, found=None) -> str:
    """The plain-words paragraph of ``result`` with its capacity checks (or ``found``)."""
    found = result.capacity if found is None else found
    return " ".join(explain_parts(result.params, result.timeline, result.summary, result.holders, capacity=found))


def test_narrative_names_the_binding_nyse_cap(default):
    text = _narrative(default)
    assert (
        "Settling the Aug 2, 2004 put in stock needs <strong>997,354,498 shares</strong>, 26.5% of the "
        "3,766,958,213 outstanding before it: above the NYSE 20% limit, so shareholder approval would be needed "
        "under NYSE 312.03(c) (the limit binds below $2.50 a share)"
    ) in text


def test_narrative_says_nothing_of_caps_when_the_put_is_settled_in_cash():
    result = _run(put_settlement="cash")
    assert result.capacity.named() == ()
    assert "outstanding before it" not in _narrative(result) and "NYSE" not in _narrative(result)


def test_narrative_notes_the_cash_settlement_of_the_capacity_policy():
    text = _narrative(_run(cash_put_allowed="yes"))
    assert 'Under the capacity policy ("Cash when a cap binds": yes) it is settled in cash instead.' in text


def test_narrative_escapes_ledger_actions():
    issuance = capacity.Issuance("<b>x</b>", 10**9, 10**9)
    line = capacity.check(issuance, load_terms(), load_desk_facts())
    found = ScenarioCapacity((IssuanceCheck(default_params().horizon, "<b>x</b>", issuance, line),), {})
    text = _narrative(_run(), found)
    assert "ledger row (&lt;b&gt;x&lt;/b&gt;)" in text and "<b>" not in text


def test_scenario_json_has_the_capacity_key():
    result = run_cli("scenario", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    put = payload["capacity"]["issuances"][-1]
    assert (put["kind"], put["shares_needed"], put["outstanding_before_shares"]) == ("put", 997_354_498, 3_766_958_213)
    assert [c["cap"] for c in put["caps"] if c["binds"]] == [capacity.NYSE, capacity.REGISTERED]
    assert set(payload["capacity"]["class_binding_prices_usd"]) == {
        capacity.NYSE,
        capacity.REGISTERED,
        capacity.AUTHORIZED,
    }
    assert {k: payload[k] for k in SUMMARY_KEYS}["redemption_shares"] == 997_354_498


def _cap_notes(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if "$" in a.text and a.textangle == -90]


def test_sensitivity_and_breakeven_charts_draw_the_class_binding_prices(default):
    prices = figures.binding_prices(default)
    assert round(prices[capacity.NYSE], 3) == round(N * LP_USD / (0.2 * BASE_SHARES), 3) == 2.613
    sens = price_sensitivity(default.params, price_grid(), load_terms(), book=default_book(), caps=load_caps())
    fig = figures.sensitivity_figure(sens, 5.94, 1.89, prices)
    assert _cap_notes(fig) == [
        "authorized shares used up $0.295",
        "NYSE 20% (shareholder approval) $2.613",
        "registered shares used up $6.318",
    ]
    grid = price_grid()
    be = ledger_figures.breakeven_figure(grid, 100.0 + 0 * grid, 331.43, [], None, prices)
    assert len(_cap_notes(be)) == 3 and len(be.layout.shapes) == 3
