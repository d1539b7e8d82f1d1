"""Monte Carlo kernel (issue 14): chunking, live columns and memoized exact values change no result.

No stored outputs: each check compares two ways of computing the same thing (chunked against one
chunk, a batch against each path alone, the kernel's exact conversion against floor of the exact
principal formula of ``calc.model.engine``, the per-date percentiles against ``np.percentile`` of the full
matrix).
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import numpy as np
import pytest

import calc.model.montecarlo as mc
from calc.errors import InputError
from calc.inputs.data import default_book, history_events, load_caps, load_terms
from calc.inputs.events_csv import read_events_text
from calc.inputs.params import parse_params
from calc.model.engine import CONVERT, Policies, ShareLimitError
from calc.model.ledger import EVENT_COLUMNS
from calc.model.scenario import project, scenario_plan, scenario_schedule
from tests.helpers import run_cli


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
        r = mc.run_monte_carlo(
            parse_params(values),
            volatility,
            paths,
            seed=seed,
            events=events,
            terms=load_terms(),
            book=default_book(),
            caps=load_caps(),
        )
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
        batch = project(schedule, prices, policy.repeat(len(prices)), terms, plan, caps=load_caps())
    except ShareLimitError:
        pytest.skip("a path passes the model limit")
    for p in range(len(prices)):
        alone = project(schedule, prices[p : p + 1], policy, terms, plan, caps=load_caps())
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
    batch = project(schedule, prices, Policies.from_params(group), terms, plan, caps=load_caps())
    assert batch.conversion_shares.tolist() == [262_626_312, 252_525_300, 252_525_300] * 2
    for p in range(len(group)):
        alone = project(schedule, prices[p : p + 1], Policies.from_params([group[p]]), terms, plan, caps=load_caps())
        assert path_outputs(alone, 0) == path_outputs(batch, p)


@pytest.mark.parametrize("values, events, volatility", [CASES[0], CASES[3], CASES[4], CASES[6]])
def test_conversion_is_floor_of_exact_principal(values, events, volatility):
    """floor(P_x / 1000 × CR_x), P_x = N_x × LP_x + Σ debenture rows n × LP_row, all exact (``calc.model.engine``)."""
    schedule, prices, terms, plan = simulated(values, events, volatility, paths=200)
    try:
        result = project(
            schedule, prices, Policies.from_params([parse_params(values)]).repeat(200), terms, plan, caps=load_caps()
        )
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


def test_issue20_item17_a_minority_past_the_model_limit_is_counted_and_left_out(monkeypatch):
    """To 2031 without puts or conversion at σ = 0.6, a few paths pass 10^15 new shares (stock redemption at a
    tiny price): the run was refused outright. Now it counts them (and their share) and gives the statistics of
    the rest, labelled; the rest do not depend on the chunking (each path is projected alone of the others)."""
    values, _, volatility = CASES[-1]
    params = parse_params(values)
    with pytest.raises(InputError, match=r"Monte Carlo: (\d+) of 1,500 paths issue more") as refused:
        mc.run_monte_carlo(
            params, volatility, 1500, seed=11, terms=load_terms(), book=default_book(), caps=load_caps()
        )  # the default (the dashboard's) still refuses
    count = int(re.search(r"(\d+) of 1,500", str(refused.value)).group(1))  # type: ignore[union-attr]
    assert 0 < count < 750
    monkeypatch.setattr(mc, "CHUNK_PATHS", 1500)
    whole = mc.run_monte_carlo(
        params,
        volatility,
        1500,
        seed=11,
        exclude_over_limit=True,
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert (whole.paths, whole.over_limit_paths, whole.statistics_paths) == (1500, count, 1500 - count)
    assert whole.over_limit_share == count / 1500 and len(whole.horizon_total_shares) == 1500 - count
    assert whole.coverage is not None and whole.coverage.startswith(f"{count} of 1,500 paths ({count / 1500:.2%})")
    assert f"of the other {1500 - count:,} paths" in whole.coverage
    assert (whole.horizon_total_shares <= params.base_shares + 10**15).all()
    monkeypatch.setattr(mc, "CHUNK_PATHS", 97)
    chunked = mc.run_monte_carlo(
        params,
        volatility,
        1500,
        seed=11,
        exclude_over_limit=True,
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert np.array_equal(chunked.horizon_total_shares, whole.horizon_total_shares)
    assert chunked.total_percentiles.equals(whole.total_percentiles)
    assert chunked.horizon_new_by_source.equals(whole.horizon_new_by_source)
    assert chunked.over_limit_paths == count and chunked.over_limit_first == whole.over_limit_first
    # every path within the limit: nothing is left out, nothing said
    fine = mc.run_monte_carlo(
        parse_params(),
        0.6,
        200,
        seed=1,
        exclude_over_limit=True,
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    assert (fine.over_limit_paths, fine.statistics_paths, fine.coverage) == (0, 200, None)


def test_issue20_item17_cli_says_how_many_paths_are_left_out():
    flags = ("montecarlo", "--horizon", "2031-08-01", "--put", "none", "--conversion", "none", "--paths", "1500")
    text = run_cli(*flags, "--seed", "11")
    assert text.returncode == 0, text.stderr
    note = next(line for line in text.stdout.splitlines() if line.startswith("note: "))
    count = int(note.split()[1])
    assert 0 < count < 750 and f"of 1,500 paths ({count / 1500:.2%}) issue more new common shares" in note
    assert f"(of the {1500 - count:,} paths within the model limit)" in text.stdout
    payload = json.loads(run_cli(*flags, "--seed", "11", "--json").stdout)
    assert payload["paths"] == 1500 and payload["paths_over_model_limit"] == count
    assert payload["paths_over_model_limit_share"] == count / 1500 and payload["statistics_paths"] == 1500 - count
    assert payload["statistics_note"] == note.removeprefix("note: ")
    # half of the paths or more: refused, with the count
    refused = run_cli(*flags[:-1], "50", "--volatility", "3", "--json")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "at least half of the paths, so no statistics of the rest are given" in refused.stderr
