"""calc.model.allocation: holder allocation by largest remainder (issue 9 item 2), against a pure-Fraction reference."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.inputs.data import default_book, load_caps, load_families, load_register, load_terms
from calc.inputs.params import default_params, parse_params
from calc.model.allocation import build_book, largest_remainder
from calc.model.columns import HOLDER_NUMBER_COLUMNS
from calc.model.rounding import ScaledExact, SumScaledExact
from calc.model.scenario import run_batch, run_scenario
from tests.strategies import share_fractions

N = 1_885_000


def _reference_largest_remainder(row: list[Fraction], total: int) -> list[int]:
    base = [math.floor(e) for e in row]
    order = sorted(range(len(row)), key=lambda i: (-(row[i] - base[i]), i))
    extra = set(order[: total - sum(base)])
    return [b + (i in extra) for i, b in enumerate(base)]


@settings(deadline=None)
@given(data=st.data(), size=st.integers(1, 12), denominator=st.integers(1, 9))
def test_issue9_item2_largest_remainder_properties(data, size, denominator):
    """Sums to the total, each within one share of its entitlement, exact ties go by column (filing) order."""
    wholes = data.draw(st.lists(st.integers(0, 10**12), min_size=size, max_size=size))
    numerators = data.draw(st.lists(st.integers(0, denominator - 1), min_size=size, max_size=size))
    row = [w + Fraction(n, denominator) for w, n in zip(wholes, numerators)]
    total = data.draw(st.sampled_from([math.floor(sum(row)), math.ceil(sum(row))]))  # floor(N c) or ceil(N q)
    approx = np.array([[float(e) for e in row]])
    shares = largest_remainder(approx, np.array([total]), lambda c: row[c[1]])[0].tolist()
    assert sum(shares) == total
    assert all(abs(s - e) < 1 for s, e in zip(shares, row))
    assert shares == _reference_largest_remainder(row, total)


@settings(deadline=None)
@given(
    data=st.data(),
    size=st.integers(2, 12),
    denominator=st.integers(2, 9),
    tiny=st.integers(9, 13),
    sign=st.sampled_from([1, -1]),
)
def test_largest_remainder_scaled_exact_ranks_by_integer_keys_as_fraction_does(data, size, denominator, tiny, sign):
    """Whole holdings × one rational per row (``ScaledExact``, ranked by the integers n × p − floor(e) × q):
    the same allocation as the pure-Fraction reference. Holdings 1 + k × q with p = a/q ± 10^-tiny have
    remainders a/q ± n × 10^-tiny, closer than the float tolerance, so the exact ranking decides."""
    numerator = data.draw(st.integers(1, denominator - 1))
    per = Fraction(numerator, denominator) + Fraction(sign, 10**tiny)
    held = [1 + denominator * k for k in data.draw(st.lists(st.integers(0, 10**4), min_size=size, max_size=size))]
    row = [h * per for h in held]
    total = data.draw(st.sampled_from([math.floor(sum(row)), math.ceil(sum(row))]))
    approx = np.array([[float(e) for e in row]])
    exact = ScaledExact(np.array([held], dtype=np.int64), lambda s: per)
    assert largest_remainder(approx, np.array([total]), exact)[0].tolist() == _reference_largest_remainder(row, total)


@settings(deadline=None)
@given(data=st.data(), size=st.integers(2, 10), denominator=st.integers(2, 9), tiny=st.integers(9, 13))
def test_largest_remainder_sum_scaled_exact_ranks_as_fraction_does(data, size, denominator, tiny):
    """Holdings units + d × p (``SumScaledExact``, two rationals over a common denominator) with
    remainders closer than the float tolerance: the same allocation as the pure-Fraction reference."""
    coefs = (Fraction(1), Fraction(data.draw(st.integers(1, denominator - 1)), denominator) + Fraction(1, 10**tiny))
    units = data.draw(st.lists(st.integers(0, 10**4), min_size=size, max_size=size))
    debentures = [1 + denominator * k for k in data.draw(st.lists(st.integers(0, 10**4), min_size=size, max_size=size))]
    row = [u + d * coefs[1] for u, d in zip(units, debentures)]
    total = data.draw(st.sampled_from([math.floor(sum(row)), math.ceil(sum(row))]))
    exact = SumScaledExact((np.array([units]), np.array([debentures])), lambda s: coefs)
    approx = np.array([[float(e) for e in row]])
    assert largest_remainder(approx, np.array([total]), exact)[0].tolist() == _reference_largest_remainder(row, total)


def test_issue9_item2_exact_89_181_tie_goes_to_filing_rows_27_and_34():
    result = run_scenario(
        parse_params(
            {
                "price": "14.48",
                "valuation_date": "2008-06-09",
                "horizon": "2011-08-01",
                "dividend_policy": "cash",
                "put": "all",
            }
        ),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    )
    holders = result.holders[result.holders["kind"] == "holder"]
    q = Fraction(1000) / Fraction("14.48")  # LP $1,000 (cash dividends), put_factor 1
    row = [int(h) * q for h in holders["basis_preferred_shares"]]
    expected = _reference_largest_remainder(row, int(result.summary["redemption_shares"]))
    assert holders["redemption_shares"].tolist() == expected
    assert [expected[i] - math.floor(row[i]) for i in (26, 33, 144, 260)] == [1, 1, 0, 0]


def test_issue9_item2_pro_rata_scaling_exact():
    register = load_register()
    book = build_book(register, N, families=load_families())
    listed = int(register["preferred_shares"].sum())
    row = [Fraction(N * int(h), listed) for h in register["preferred_shares"]]
    assert book.pro_rata.tolist() == _reference_largest_remainder(row, N)


@settings(deadline=None)
@given(row=st.lists(share_fractions(), min_size=1, max_size=12), up=st.booleans())
def test_largest_remainder_sums_and_stays_within_one_share(row, up):
    """For any entitlements and a total of floor or ceil of their sum: the shares sum to the total and each
    holder is within one share of its entitlement (and never below its floor)."""
    total = math.ceil(sum(row)) if up else math.floor(sum(row))
    shares = largest_remainder(np.array([[float(e) for e in row]]), np.array([total]), lambda c: row[c[1]])[0]
    assert int(shares.sum()) == total
    assert all(math.floor(e) <= s <= math.floor(e) + 1 and abs(s - e) < 1 for s, e in zip(shares.tolist(), row))


def test_holder_arrays_are_the_column_spec():
    """The holder numbers are exactly the columns of ``calc.model.columns`` (one spec for export and dashboard)."""
    holders = run_batch([default_params()], book=default_book(), terms=load_terms(), caps=load_caps()).holders
    assert set(holders) == {c.name for c in HOLDER_NUMBER_COLUMNS}


@settings(deadline=None)
@given(
    data=st.data(),
    rows=st.integers(1, 6),
    size=st.integers(2, 12),
)
def test_largest_remainder_many_rows_int64_and_python_int_paths_match_fraction_reference(data, rows, size):
    """Several rows at once, each with its own rational p/q: small q (exact ties among the remainders,
    settled on int64 keys), q with a ±10^-k nudge (near-ties closer than the float tolerance), or a
    numerator past 2^63 (n × p does not fit int64: the Python-int path). Every row equals the
    pure-Fraction reference, whichever path settled it."""
    pers, held_rows = [], []
    for _ in range(rows):
        q = data.draw(st.integers(1, 9))
        per = Fraction(data.draw(st.integers(0, 4 * q)), q) + data.draw(
            st.sampled_from([Fraction(0), Fraction(1, 10**11), Fraction(-1, 10**12), Fraction(1, 2**70)])
        )
        pers.append(max(per, Fraction(1, 2**70)))
        held_rows.append(data.draw(st.lists(st.integers(0, 10**4), min_size=size, max_size=size)))
    expected_rows = [[h * per for h in held] for per, held in zip(pers, held_rows)]
    totals = [data.draw(st.sampled_from([math.floor(sum(r)), math.ceil(sum(r))])) for r in expected_rows]
    approx = np.array([[float(e) for e in r] for r in expected_rows])
    exact = ScaledExact(np.array(held_rows, dtype=np.int64), lambda s: pers[s])
    shares = largest_remainder(approx, np.array(totals), exact).tolist()
    assert shares == [_reference_largest_remainder(r, t) for r, t in zip(expected_rows, totals)]


def test_holder_frame_is_the_frame_built_from_a_dict_of_columns():
    """``holder_frame`` (built from arrays, no per-column checks) is exactly the frame pandas builds from the
    label and numeric columns, and owns its data: editing it changes neither the counts nor the next frame."""
    import pandas as pd

    from calc.model.allocation import holder_frame, row_labels

    result = run_scenario(parse_params({}), terms=load_terms(), book=default_book(), caps=load_caps())
    labels = row_labels(result.book)
    expected = pd.DataFrame(
        {c: labels[c].array for c in labels.columns} | {n: v[0] for n, v in result.holder_columns.items()}
    )
    frame = holder_frame(result.book, result.holder_columns)
    pd.testing.assert_frame_equal(frame, expected)
    frame.loc[0, "name"] = "edited"
    frame.loc[0, "conversion_shares"] = -1
    assert result.holder_columns["conversion_shares"][0, 0] != -1
    pd.testing.assert_frame_equal(holder_frame(result.book, result.holder_columns), expected)
