"""Monte Carlo kernel (issue 14): chunking, live columns and memoized exact values change no result.

No stored outputs: each check compares two ways of computing the same thing (chunked against one
chunk, a batch against each path alone, the kernel's exact conversion against floor of the exact
principal formula of ``calc.engine``, the per-date percentiles against ``np.percentile`` of the full
matrix).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import calc.montecarlo as mc
from calc.data import default_book, history_events, load_terms
from calc.engine import CONVERT, Policies, ShareLimitError
from calc.errors import InputError
from calc.ledger import EVENT_COLUMNS, read_events_text
from calc.params import parse_params
from calc.scenario import project, scenario_plan, scenario_schedule


def events_of(*rows: str):
    events, problems = read_events_text("\n".join([",".join(EVENT_COLUMNS), *rows]), "events test")
    assert problems == []
    return events


MIXED = events_of(
    "2003-02-01,exchange_debentures,400000,,,,,,",
    "2003-03-03,exchange_common,85000,,300.5,,,,",
    "2003-05-01,repurchase_cash,10000,,,500,,,",
    "2004-02-01,dividend_policy,,,,,accrue,,",
    "2004-08-02,put,20000,,,,stock,,",
    "2006-03-01,convert,1000,,,,,,",
)
CALLED = events_of("2003-03-03,exchange_debentures,100000,,,,,,", "2005-02-01,dividend_policy,,,,,cash,,")
# (scenario values, events, volatility): dividend policies, puts, conversion and call modes, ledger rows
CASES = [
    ({"horizon": "2031-08-01"}, history_events(), 0.6),
    ({"horizon": "2031-08-01", "dividend_policy": "cash", "put": "all", "put_settlement": "cash"}, (), 0.4),
    ({"horizon": "2031-08-01", "sale_factor": "0.95", "put": "none", "conversion": "none"}, (), 0.15),
    # put = none: with put = rational the class leaves at the 2004 put whatever the price, and MIXED's 2006 row
    # would be dated after it (an error since issue 20, item 4); conversion = rational leaves only on some paths
    ({"horizon": "2031-08-01", "put_factor": "0.97", "put": "none", "put_settlement": "cash"}, MIXED, 0.6),
    ({"horizon": "2031-08-01", "dividend_policy": "accrue", "put": "none", "call": "rational"}, CALLED, 0.2),
    (
        {
            "horizon": "2012-08-01",
            "dividend_policy": "accrue",
            "put": "none",
            "call": "date",
            "call_date": "2009-03-02",
        },
        MIXED,
        0.6,
    ),
    (
        {"horizon": "2031-08-01", "conversion": "all", "conversion_date": "2005-02-01", "put": "none"},
        history_events(),
        0.1,
    ),
    ({"horizon": "2031-08-01", "exchange_date": "2004-02-01", "put": "none", "price": "9"}, (), 0.2),
    ({"horizon": "2031-08-01", "put": "none", "conversion": "none"}, (), 0.6),  # some paths pass 10^15
]


def outcome(values, events, volatility, paths=1500, seed=11):
    """Every output of ``run_monte_carlo`` (or the error message)."""
    try:
        r = mc.run_monte_carlo(parse_params(values), volatility, paths, seed=seed, events=events)
    except InputError as exc:
        return str(exc)
    return (
        r.total_percentiles.to_dict("list"),
        r.new_percentiles.to_dict("list"),
        r.horizon_total_shares.tolist(),
        r.horizon_new_by_source.to_dict(),
        r.exceeds_authorized_probability,
    )


@pytest.mark.parametrize("values, events, volatility", CASES)
def test_chunk_size_does_not_change_results(monkeypatch, values, events, volatility):
    """The normals are drawn path by path in one stream, so chunks of 97 paths give what one chunk gives."""
    monkeypatch.setattr(mc, "CHUNK_PATHS", 1500)
    whole = outcome(values, events, volatility)
    monkeypatch.setattr(mc, "CHUNK_PATHS", 97)
    assert outcome(values, events, volatility) == whole


def simulated(values, events, volatility, paths=60):
    params = parse_params(values)
    terms = load_terms()
    plan = scenario_plan(params, events, terms, default_book())
    schedule = scenario_schedule(params, terms, plan)
    prices = mc.gbm_prices(params, schedule.years, volatility, paths, np.random.default_rng(5))
    return schedule, prices, terms, plan


def path_outputs(result, p):
    return {
        "exit": (int(result.exit_column[p]), int(result.exit_action[p]), bool(result.called[p])),
        "conversion": int(result.conversion_shares[p]),
        "redemption": int(result.redemption_shares[p]),
        "dividend_shares": result.dividend_shares[p].tolist(),
        "dividend_due": result.dividend_due_usd[p].tolist(),
        "interest_due": result.interest_due_usd[p].tolist(),
        "cumulative": result.new_shares_cumulative()[p].tolist(),
        "totals": {k: v[p].item() for k, v in result.totals().items()},
    }


@pytest.mark.parametrize("values, events, volatility", CASES[:8])
def test_batch_equals_each_path_alone(values, events, volatility):
    """A batch's live columns end at its last exit; each path alone ends at its own: same per-path results."""
    schedule, prices, terms, plan = simulated(values, events, volatility)
    policy = Policies.from_params([parse_params(values)])
    try:
        batch = project(schedule, prices, policy.repeat(len(prices)), terms, plan)
    except ShareLimitError:
        pytest.skip("a path passes the model limit")
    for p in range(len(prices)):
        alone = project(schedule, prices[p : p + 1], policy, terms, plan)
        assert path_outputs(alone, 0) == path_outputs(batch, p)


def test_mixed_dividend_policies_batch_equals_each_alone():
    """Per-path dividend policies (LP computed per path, not once), so the accrued LP differs at one exit column.

    1,500,000 preferred left (a multiple of 125,000 = 2^3 × 5^6), converted on 2003-02-01 after that date's
    dividend: cash/stock 1,500,000 × 168.3502 = 252,525,300; accrue (LP $1,040) 1,500,000 × 1.04 × 168.3502
    = 262,626,312. Both are whole numbers, flagged and settled exactly, so the memoized exact principal
    must tell the accrual counts apart."""
    base = {"horizon": "2031-08-01", "conversion": "all", "conversion_date": "2003-02-01", "put": "none"}
    events = events_of("2002-09-16,exchange_common,385000,,331,,,,")
    group = [parse_params(base | {"dividend_policy": d}) for d in ("accrue", "cash", "stock")] * 2
    schedule, _, terms, plan = simulated(base, events, 0.0)
    prices = np.repeat(np.array([[1.89], [0.7]]), 3, axis=0) * np.ones(schedule.size)
    batch = project(schedule, prices, Policies.from_params(group), terms, plan)
    assert batch.conversion_shares.tolist() == [262_626_312, 252_525_300, 252_525_300] * 2
    for p in range(len(group)):
        alone = project(schedule, prices[p : p + 1], Policies.from_params([group[p]]), terms, plan)
        assert path_outputs(alone, 0) == path_outputs(batch, p)


@pytest.mark.parametrize("values, events, volatility", [CASES[0], CASES[3], CASES[4], CASES[6]])
def test_conversion_is_floor_of_exact_principal(values, events, volatility):
    """floor(P_x / 1000 × CR_x), P_x = N_x × LP_x + Σ debenture rows n × LP_row, all exact (``calc.engine``)."""
    schedule, prices, terms, plan = simulated(values, events, volatility, paths=200)
    try:
        result = project(schedule, prices, Policies.from_params([parse_params(values)]).repeat(200), terms, plan)
    except ShareLimitError:
        pytest.skip("a path passes the model limit")
    converted = np.flatnonzero(result.exit_action == CONVERT)
    assert len(converted)
    for p in converted:
        x = int(result.exit_column[p])
        principal = int(result.units_after[x]) * result.lp.end(p, x) + sum(
            (r.exact_debenture_usd(p) for r in result.rows if r.column <= x), Fraction(0)
        )
        assert result.conversion_shares[p] == math.floor(principal / 1000 * schedule.exact_rate[x])


def test_date_percentiles_match_the_full_matrix():
    """Chunks stored on their live columns (constant after) give np.percentile of the padded matrix."""
    rng = np.random.default_rng(2)
    dates, chunks = 9, []
    for live in (3, 9, 1, 5):
        steps = rng.integers(0, 4, size=(37, live)) * rng.integers(0, 2, size=live)  # some dates issue nothing
        chunks.append(np.cumsum(steps, axis=1))
    full = np.concatenate(
        [np.concatenate([c, np.repeat(c[:, -1:], dates - c.shape[1], axis=1)], axis=1) for c in chunks]
    )
    expected = np.percentile(full, mc.PERCENTILES, axis=0, method="inverted_cdf").astype(np.int64)
    assert np.array_equal(mc.date_percentiles([c.copy() for c in chunks], dates), expected)
