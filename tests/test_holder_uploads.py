"""Holder uploads used as typed: a table listing fewer preferred than the shares issued (``calc.inputs.register.
prepare_register``: as given plus a remainder row, or scaled up), families with no member left out, and the
header-mismatch message."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from calc.errors import InputError
from calc.inputs.data import default_book, load_caps, load_families, load_terms
from calc.inputs.params import default_params
from calc.inputs.paths import REGISTER_PATH
from calc.inputs.register import (
    PARTIAL_HANDLING,
    REMAINDER_ISSUE,
    is_partial,
    listed_preferred,
    parse_register_bytes,
    partial_note,
    prepare_register,
    read_register_csv,
    scaling_note,
)
from calc.model.allocation import (
    REMAINDER_NAME,
    build_book,
)
from calc.model.columns import THRESHOLDS_PCT, flag_name
from calc.model.scenario import run_scenario
from calc.outputs.export import load_book
from calc.outputs.narrative import HTML, explain_parts
from dashboard import safe
from tests.helpers import APP_TIMEOUT, open_section, run_cli, started_app

N = load_terms().preferred.shares_issued  # 1,885,000
TWO = b"name,preferred_shares\nFMR,400000\nOther Fund,250000\n"


def _holders(partial: str, basis: str = "pro_rata", data: bytes = TWO) -> pd.DataFrame:
    register = prepare_register(parse_register_bytes(data, "two.csv"), N, partial)
    params = dataclasses.replace(default_params(), holder_basis=basis)
    return run_scenario(
        params, book=build_book(register, N, families=load_families()), terms=load_terms(), caps=load_caps()
    ).holders.set_index("name")


def _assert_flags_follow_the_numbers(holders: pd.DataFrame) -> None:
    owners = holders[holders["kind"] != "remainder"]
    for threshold in THRESHOLDS_PCT:
        assert (owners[flag_name(threshold)] == (owners["beneficial_pct_13d3"] >= threshold)).all(), threshold


def test_the_class_is_1885000_preferred():
    assert N == 1_885_000


@pytest.mark.parametrize("basis", ["pro_rata", "registered"])
def test_as_given_keeps_every_typed_count_and_adds_the_remainder(basis):
    holders = _holders("as_given", basis)
    assert holders.loc["FMR", "basis_preferred_shares"] == 400_000
    assert holders.loc["Other Fund", "basis_preferred_shares"] == 250_000
    assert holders.loc["FMR", "registered_preferred_shares"] == 400_000
    remainder = holders.loc[REMAINDER_NAME]
    assert remainder["kind"] == "remainder" and remainder["basis_preferred_shares"] == N - 650_000
    assert remainder["issues"] == REMAINDER_ISSUE and remainder["footnotes"] == ""
    rows = holders[holders["kind"] != "family"]
    assert rows["basis_preferred_shares"].sum() == N  # the holder rows sum to the class
    _assert_flags_follow_the_numbers(holders)
    # FMR at the default scenario: 400,000 preferred -> 211,640,212 common, 4.44% pro forma: no flag
    fmr = holders.loc["FMR"]
    assert fmr["pro_forma_shares"] == 211_640_212
    assert fmr["pro_forma_pct"] == pytest.approx(4.442198, abs=1e-6)
    assert not fmr["flag_5pct"] and not fmr["flag_10pct"]
    # the remainder holds 13.7% but is many unknown holders: never flagged
    assert remainder["beneficial_pct_13d3"] >= 10
    assert not remainder["flag_5pct"] and not remainder["flag_10pct"]


def test_scale_is_the_pro_rata_scaling_up():
    holders = _holders("scale")
    assert holders.loc["FMR", "basis_preferred_shares"] == 1_160_000
    assert holders.loc["Other Fund", "basis_preferred_shares"] == 725_000
    assert REMAINDER_NAME not in holders.index
    _assert_flags_follow_the_numbers(holders)
    fmr = holders.loc["FMR"]
    assert fmr["pro_forma_pct"] == pytest.approx(12.882375, abs=1e-6)  # 2.9 × the as-given count: ≥ 10%
    assert fmr["flag_10pct"] and fmr["flag_5pct"]
    assert scaling_note(650_000, N) == "650,000 listed, scaled ×2.90 to 1,885,000"
    register = parse_register_bytes(TWO)
    assert partial_note(register, N, "scale") == "650,000 listed, scaled ×2.90 to 1,885,000"
    assert partial_note(register, N, "as_given") == f"650,000 listed as typed; 1,235,000 in an '{REMAINDER_NAME}' row"


def test_prepare_register_round_trips_between_choices():
    register = parse_register_bytes(TWO)
    given = prepare_register(register, N, "as_given")
    assert list(given["name"]) == ["FMR", "Other Fund", REMAINDER_NAME]
    assert given["preferred_shares"].dtype == register["preferred_shares"].dtype
    assert given["common_owned_prior"].tolist() == [0, 0, 0]
    assert prepare_register(given, N, "as_given").equals(given)  # idempotent
    assert prepare_register(given, N, "scale").equals(register)  # the remainder row dropped
    assert is_partial(given, N) and listed_preferred(given) == 650_000
    with pytest.raises(InputError, match="not one of as_given, scale"):
        prepare_register(register, N, "stretch")


@pytest.mark.parametrize("partial", PARTIAL_HANDLING)
def test_the_filing_register_is_unchanged_by_either_choice(partial):
    filing = read_register_csv(REGISTER_PATH)
    assert listed_preferred(filing) > N and not is_partial(filing, N)
    assert prepare_register(filing, N, partial) is filing
    assert partial_note(filing, N, partial) == ""
    book = build_book(prepare_register(filing, N, partial), N, families=load_families())
    shipped = default_book()
    assert (book.pro_rata == shipped.pro_rata).all() and (book.registered == shipped.registered).all()
    assert not book.pooled.any()
    holders = run_scenario(default_params(), book=book, terms=load_terms(), caps=load_caps()).holders.set_index("name")
    # golden figures of the default scenario (pro_rata basis), from data/register.csv lines 2, 3, 5
    csv = pd.read_csv(REGISTER_PATH, dtype=str, keep_default_na=False).set_index("name")
    for name, basis, pro_forma in [
        ("1976 Distribution Trust FBO A.R. Lauder/ Zinterhofer", 6, 3175),
        ("1976 Distribution Trust FBO Jane A. Lauder", 10, 5291),
        ("ACM Research Fund", 1394, 737_566),
        ("FMR Corp.", 149_323, 99_353_121),
        ("CALAMOS Asset Management", 39_428, 20_861_376),
    ]:
        assert holders.loc[name, "basis_preferred_shares"] == basis, name
        assert holders.loc[name, "pro_forma_shares"] == pro_forma, name
        if name in csv.index:
            assert holders.loc[name, "registered_preferred_shares"] == int(csv.loc[name, "preferred_shares"])
    assert holders["kind"].value_counts().to_dict() == {"holder": 326, "family": 2}
    assert not holders["flag_5pct"].any()


def test_families_without_a_member_are_left_out():
    holders = _holders("as_given")
    assert "family" not in set(holders["kind"])
    params = default_params()
    result = run_scenario(
        params,
        book=build_book(prepare_register(parse_register_bytes(TWO), N, "as_given"), N, families=load_families()),
        terms=load_terms(),
        caps=load_caps(),
    )
    owners = explain_parts(params, result.timeline, result.summary, result.holders, HTML)[-1]
    assert "fund family" not in owners and "CALAMOS" not in owners and "FMR Corp." not in owners
    assert "FMR 4.44%; Other Fund 2.78%" in owners  # the remainder row is no owner
    assert "1,235,000 preferred not in the uploaded table are one remainder row" in owners
    assert "none reaches 5% beneficial ownership" in owners
    # one footnote-5 holder: only CALAMOS appears, with that holder as its member
    one = b"name,footnotes,preferred_shares\nA Calamos fund,5,100000\nFMR,,400000\n"
    families = _holders("as_given", data=one)
    family_rows = families[families["kind"] == "family"]
    assert list(family_rows.index) == ["CALAMOS Asset Management"]
    assert family_rows.iloc[0]["basis_preferred_shares"] == 100_000


def test_a_mismatched_header_lists_what_was_found_and_the_closest_names():
    with pytest.raises(InputError) as info:
        parse_register_bytes(b"Name,Preferred Shares\nFMR,400000\n", "two.csv")
    message = str(info.value.args[0])
    assert "missing required column(s): name, preferred_shares" in message
    assert "found: Name, Preferred Shares" in message
    assert "closest expected: name, preferred_shares" in message
    problems = info.value.problems
    assert {(p.line, p.column) for p in problems} == {
        (1, "name"),
        (1, "preferred_shares"),
        (1, "Name"),
        (1, "Preferred Shares"),
    }
    assert all(p.rule for p in problems)
    near = next(p for p in problems if p.column == "Preferred Shares")
    assert near.rule == "not an expected column; closest expected: preferred_shares"
    # nothing close: the headers found are still listed, no "closest" part
    with pytest.raises(InputError) as info:
        parse_register_bytes(b"holder,qty\nFMR,400000\n")
    assert "found: holder, qty" in info.value.args[0] and "closest" not in info.value.args[0]


def test_export_takes_the_partial_choice(tmp_path):
    holders = tmp_path / "two.csv"
    holders.write_bytes(TWO)
    grid = tmp_path / "grid.csv"
    grid.write_text("scenario_id,price\nbase,\n", encoding="utf-8")
    counts = {}
    for partial in (None, "as_given", "scale"):
        out = tmp_path / f"out_{partial}.csv"
        flags = [] if partial is None else ["--partial", partial]
        run = run_cli("export", "--scenarios", str(grid), "--holders", str(holders), "--out", str(out), *flags)
        assert run.returncode == 0, run.stderr
        rows = pd.read_csv(out).set_index("name")
        counts[partial] = rows["basis_preferred_shares"].to_dict()
        assert not rows.loc[rows["kind"] == "remainder", "flag_10pct"].any()
    assert counts[None] == counts["as_given"] == {"FMR": 400_000, "Other Fund": 250_000, REMAINDER_NAME: 1_235_000}
    assert counts["scale"] == {"FMR": 1_160_000, "Other Fund": 725_000}
    assert load_book(holders, partial="scale").pro_rata.tolist() == [1_160_000, 725_000]
    bad = run_cli("export", "--scenarios", str(grid), "--holders", str(holders), "--out", "-", "--partial", "x")
    assert bad.returncode == 2 and "--partial" in bad.stderr


def _holder_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "beneficial_pct_13d3" in d.value.columns).set_index("name")


def test_dashboard_upload_as_given_then_scaled(tmp_path, monkeypatch):
    app = started_app(tmp_path, monkeypatch)
    open_section(app, "Holders")
    assert not [r for r in app.radio if r.key == "holder_partial"]  # the filing's table: no choice
    app.file_uploader(key="register_upload").set_value(("two.csv", TWO, "text/csv"))
    app.run(timeout=APP_TIMEOUT)
    assert not app.exception
    loaded = safe.text("Loaded two.csv: 2 holders; 650,000 listed as typed")
    assert any(loaded in s.value for s in app.success)
    choice = app.radio(key="holder_partial")
    assert choice.label == "Uploaded table covers 650,000 of 1,885,000 preferred"
    assert choice.value == "as_given"
    table = _holder_table(app)
    assert table.loc["FMR", "basis_preferred_shares"] == 400_000
    assert table.loc[REMAINDER_NAME, "basis_preferred_shares"] == 1_235_000
    assert not table[["flag_5pct", "flag_10pct"]].to_numpy().any()
    assert "family" not in set(table["kind"])
    choice.set_value("scale")
    app.run(timeout=APP_TIMEOUT)
    assert not app.exception
    table = _holder_table(app)
    assert table.loc["FMR", "basis_preferred_shares"] == 1_160_000
    assert REMAINDER_NAME not in table.index and bool(table.loc["FMR", "flag_10pct"])
    assert any(safe.text("scaled ×2.90 to 1,885,000") in c.value for c in app.caption)
    app.radio(key="holder_partial").set_value("as_given")
    app.run(timeout=APP_TIMEOUT)
    assert _holder_table(app).loc["FMR", "basis_preferred_shares"] == 400_000


def test_dashboard_monte_carlo_runs_on_the_uploaded_holders(tmp_path, monkeypatch):
    """The Monte Carlo section ran on the filing's holder book whatever table was uploaded, so holder rows of the
    ledger resolved against other holders than the headline's (the CLI's `montecarlo --holders` did not)."""
    import dashboard.cache

    seen = []
    real = dashboard.cache.run_monte_carlo

    def spy(*args, **kwargs):
        seen.append(kwargs["book"])
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard.cache, "run_monte_carlo", spy)
    app = started_app(tmp_path, monkeypatch)
    open_section(app, "Holders")
    app.file_uploader(key="register_upload").set_value(("two.csv", TWO, "text/csv"))
    app.run(timeout=APP_TIMEOUT)
    open_section(app, "Monte Carlo")
    assert not app.exception
    assert seen, "the Monte Carlo section did not run"
    names = seen[-1].names
    assert "FMR" in names and len(names) <= 3, f"the Monte Carlo ran on another holder book: {len(names)} holders"
