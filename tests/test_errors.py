"""calc.errors.Problem: the structured problem whose text is the message users read."""

from __future__ import annotations

import pickle

from calc.errors import InputError, Problem


def test_problem_text_from_its_parts():
    """The texts of the grid, grants, register and ledger readers (see their tests), built from parts."""
    assert Problem("must be a whole number from 0 to 10,000,000,000", line=4, column="shares", value="-5") == (
        "line 4, column shares: '-5' must be a whole number from 0 to 10,000,000,000"
    )
    assert Problem("unknown column (known: x)", line=1, column="bogus") == (
        "line 1, column 'bogus': unknown column (known: x)"
    )
    assert Problem("2 cells, the header has 7", line=5) == "line 5: 2 cells, the header has 7"
    assert (
        Problem("is not one of a, b", line=2, column="action", value="swap", source="edited events", column_label=False)
        == "edited events line 2, action: 'swap' is not one of a, b"
    )
    assert Problem("the rows sum to 2", column="preferred_shares") == "column preferred_shares: the rows sum to 2"


def test_parameter_problem_placed_on_a_grid_line():
    found = Problem("2001-01-01 must be on or after valuation_date 2002-08-28", column="horizon", column_label=False)
    assert found == "horizon: 2001-01-01 must be on or after valuation_date 2002-08-28"
    placed = found.at(line=3, column_label=True)
    assert placed == "line 3, column horizon: 2001-01-01 must be on or after valuation_date 2002-08-28"
    assert (placed.line, placed.column, placed.rule) == (3, "horizon", found.rule)


def test_parts_survive_input_error_and_pickling():
    """Readers sort and tabulate by the parts (the dashboard keeps problems in the session state)."""
    error = InputError("grants: 2 problem(s)", [Problem("bad", line=9, column="form", value="x"), "plain text"])
    first, second = error.problems
    assert (first.line, first.column, first.value, first.what) == (9, "form", "x", "'x' bad")
    assert isinstance(second, Problem) and second.line is None and second.rule == "plain text"
    copy = pickle.loads(pickle.dumps(first))
    assert copy == first and (copy.line, copy.column, copy.value, copy.rule) == (9, "form", "x", "bad")
    assert str(error) == "grants: 2 problem(s)\n  - line 9, column form: 'x' bad\n  - plain text"
