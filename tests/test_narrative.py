"""Wording of "In plain words" (``calc.outputs.narrative``, shown by the dashboard and the report): counts agree
with their nouns and a holder name that ends with a period does not get a second one."""

from __future__ import annotations

import dataclasses
import datetime as dt

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.scenario import run_scenario
from calc.outputs.formats import counted
from calc.outputs.narrative import HTML, explain_parts
from dashboard.narrative import explain
from tests.helpers import APP_TIMEOUT, started_app


def _parts(**changes) -> list[str]:
    params = dataclasses.replace(default_params(), **changes)
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    return explain_parts(params, result.timeline, result.summary, result.holders, HTML)


def test_counted_is_singular_only_for_one():
    assert counted(1, "row") == "1 row"
    assert counted(0, "row") == "0 rows"
    assert counted(4, "semiannual dividend") == "4 semiannual dividends"
    assert counted(1200, "row") == "1,200 rows"


def test_dividend_counts_agree_with_the_noun():
    # dividends fall on Feb 1 and Aug 1 (SUPP p. 11): four from 2002-08-28 to the 2004-08-02 put, one to 2003-03-01
    assert "Lucent pays 4 semiannual dividends of about" in _parts()[1]
    one = _parts(horizon=dt.date(2003, 3, 1))[1]
    assert "Lucent pays 1 semiannual dividend of about" in one
    accrued = _parts(horizon=dt.date(2003, 3, 1), dividend_policy="accrue")[1]
    assert accrued.startswith("The dividend in the window is not paid: it accrues")
    assert _parts(dividend_policy="accrue")[1].startswith("The 4 dividends in the window are not paid: they accrue")
    assert "(s)" not in "".join(_parts() + _parts(dividend_policy="cash"))


def test_one_holder_over_five_percent_ending_with_a_period():
    owners = _parts(price=0.05)[-1]
    assert "1 row reaches 5% beneficial ownership: FMR Corp. <em>Caveat" in owners
    assert ".." not in owners and "pro rata basis" in owners


def test_markdown_narrative_has_no_double_period():
    params = dataclasses.replace(default_params(), price=0.05)
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    text = explain(params, result.timeline, result.summary, result.holders)
    assert r"FMR Corp\. *Caveat" in text and r"\.\." not in text


def test_one_bad_input_gets_a_heading_that_fits_one_problem(tmp_path, monkeypatch):
    """Review item 10: a single out-of-range price was headed "These inputs cannot be combined"."""
    app = started_app(tmp_path, monkeypatch)
    app.sidebar.number_input(key="param_price").set_value(0.0)
    app.run(timeout=APP_TIMEOUT)
    assert not app.exception
    (error,) = app.error
    assert error.value.startswith("Fix these inputs in the sidebar:") and "combined" not in error.value
