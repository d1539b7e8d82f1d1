"""Option agreement forms: vesting, exercisability, expiry, terminations, grants CSV, TSM.

Golden values are worked by hand from the forms' own words (FORMS =
data/option_agreement_forms_2002-11.txt, line numbers as `grep -n` shows them). The forms
leave the grant date as "November [X], 2002"; the cases use 2002-11-15.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.errors import InputError
from calc.inputs.data import load_forms
from calc.inputs.grants_csv import parse_grants_text, read_grants_csv
from calc.inputs.paths import EXECUTIVE_GRANTS_PATH, ILLUSTRATIVE_GRANTS_PATH
from calc.model.options import (
    Grant,
    complete_months,
    key_dates,
    option_timeline,
    position,
    tsm_incremental_shares,
    vesting_schedule,
)
from tests.helpers import ROOT, run_cli

D = dt.date
GRANT = D(2002, 11, 15)
FORMS = load_forms()
DOC = (ROOT / "data" / "option_agreement_forms_2002-11.txt").read_text(encoding="utf-8").split("\n")


def grant(form="us-nonofficer-active", shares=1003, end=None, reason=None, **kw):
    return Grant("g", FORMS[form], shares, Decimal("1.24"), GRANT, end, reason, **kw)


def state(g, date):
    p = position(g, date)
    return p.vested, p.exercisable, p.expired, p.cancelled


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_has_every_form_in_the_document():
    # 23 "[Lucent Technologies Logo]" title blocks in FORMS, plus the 2 letter-based executive forms
    assert sum("logo]" in line.lower() for line in DOC) == 23
    from_document = [f for f in FORMS.values() if f.source.startswith("data/option_agreement")]
    assert len(from_document) == 23
    assert {"us-nonofficer-active", "france-nonofficer-active", "us-officer-company-action"} <= set(FORMS)


def _cited(source):
    first, last = source.split(" lines ")[1].split(" ")[0].split("-")
    return " ".join(" ".join(DOC[int(first) - 1 : int(last)]).split())


@pytest.mark.parametrize("form_id", [f for f in FORMS if not f.startswith("us-officer-executive")])
def test_every_rule_cites_the_words_it_encodes(form_id):
    form = FORMS[form_id]
    assert ("20% of the Shares" in _cited(form.vesting.source)) == (form.vesting.schedule == "installments")
    assert "last day you can exercise" in _cited(form.expiration.source)
    expected = {
        "retirement": "by reason of Retirement",
        "death": "death",
        "disability": "Disability",
        "cause": "for Cause",
        "company_action": "Company Action Vesting Portion",
        "company_action_retirement": "both a Company Action and Retirement",
        "other": "any reason other than",
    }
    for reason, rule in form.termination.items():
        assert expected[reason] in _cited(rule.source), (form_id, reason)
    if form.retirement_definition:
        assert "seventy-five" in _cited(form.retirement_definition.source)


def test_officer_retirement_adds_age_50_with_15_years():
    # FORMS 2734-2738 (officer): "at least age 50 with a minimum of 15 years service" or sum >= 75
    officer = FORMS["us-officer-active"].retirement_definition
    staff = FORMS["us-nonofficer-active"].retirement_definition  # FORMS 2346-2347: sum >= 75 only
    assert officer.qualifies(50, 15) and not staff.qualifies(50, 15)
    assert staff.qualifies(60, 15) and not staff.qualifies(60, 14)


# --- vesting ---------------------------------------------------------------------------------


def test_1003_shares_through_all_five_vesting_dates():
    # FORMS 2242-2248: 20% every six months, each date rounded down, fraction carried.
    # 20% of 1,003 = 200.6 per date.
    #   2003-05-15: 200.6        -> 200, carry 0.6   (cumulative 200)
    #   2003-11-15: 200.6 + 0.6  -> 201, carry 0.2   (401)
    #   2004-05-15: 200.6 + 0.2  -> 200, carry 0.8   (601)
    #   2004-11-15: 200.6 + 0.8  -> 201, carry 0.4   (802)
    #   2005-05-15: 200.6 + 0.4  -> 201, carry 0.0   (1,003)
    assert vesting_schedule(FORMS["us-nonofficer-active"], 1003, GRANT) == [
        (D(2003, 5, 15), 200),
        (D(2003, 11, 15), 201),
        (D(2004, 5, 15), 200),
        (D(2004, 11, 15), 201),
        (D(2005, 5, 15), 201),
    ]
    g = grant()
    assert state(g, D(2003, 5, 14)) == (0, 0, 0, 0)
    assert state(g, D(2004, 5, 15)) == (601, 601, 0, 0)
    # FORMS 2250-2252: last exercise day is the day preceding the fifth anniversary
    assert state(g, D(2007, 11, 14)) == (1003, 1003, 0, 0)
    assert state(g, D(2007, 11, 15)) == (0, 0, 1003, 0)


def test_month_end_grant_clamps_vesting_day():
    assert vesting_schedule(FORMS["us-nonofficer-active"], 10, D(2002, 8, 31))[0] == (D(2003, 2, 28), 2)
    assert complete_months(D(2002, 8, 31), D(2003, 2, 27)) == 5


# --- terminations after grant ----------------------------------------------------------------


def test_company_action_in_month_14_of_30():
    # FORMS 2268-2305. T = 2004-01-20: M = 14 complete months (2002-11-15 -> 2004-01-15),
    # D = 30 (full vesting 2005-05-15), E = 401 (vested 2003-05-15 and 2003-11-15).
    # CAVP = floor(1,003 × 14/30 − 401) = floor(468.07 − 401) = 67; kept 401 + 67 = 468,
    # cancelled 1,003 − 468 = 535; exercisable until T + 90 days = 2004-04-19.
    g = grant(end=D(2004, 1, 20), reason="company_action")
    assert state(g, D(2004, 1, 19)) == (401, 401, 0, 0)
    assert state(g, D(2004, 1, 20)) == (468, 468, 0, 535)
    assert state(g, D(2004, 4, 19)) == (468, 468, 0, 535)
    assert state(g, D(2004, 4, 20)) == (0, 0, 468, 535)


def test_company_action_within_six_months_vests_20_percent():
    # FORMS 2280-2283: within six months of grant, CAVP = 20% of 1,003 = 200.6 -> 200 (FORMS 2312-2313)
    g = grant(end=D(2003, 3, 1), reason="company_action")
    assert state(g, D(2003, 3, 1)) == (200, 200, 0, 803)


def test_company_action_that_is_also_retirement_keeps_to_expiration():
    # FORMS 2307-2311 + 2346-2347: age 60 + 15 years = 75 is Retirement; CAVP + vested
    # (468, as above) stay exercisable until the Expiration Date 2007-11-14.
    g = grant(end=D(2004, 1, 20), reason="company_action", age_at_termination=60, years_of_service=15)
    assert state(g, D(2007, 11, 14)) == (468, 468, 0, 535)
    assert state(g, D(2007, 11, 15)) == (0, 0, 468, 535)


def test_death_after_grant_accelerates_everything():
    # FORMS 2259-2263: unexercisable portion becomes exercisable, all until the Expiration Date.
    g = grant(shares=5000, end=D(2003, 8, 1), reason="death")
    assert state(g, D(2003, 7, 31)) == (1000, 1000, 0, 0)
    assert state(g, D(2003, 8, 1)) == (5000, 5000, 0, 0)
    assert state(g, D(2007, 11, 15)) == (0, 0, 5000, 0)


def test_retirement_cause_and_other():
    # FORMS 2254-2257 retirement: exercisable 401 kept to expiry, 602 cancelled
    assert state(grant(end=D(2004, 3, 1), reason="retirement"), D(2007, 11, 14)) == (401, 401, 0, 602)
    # FORMS 2265-2266 Cause: the whole option, vested or not, is canceled
    assert state(grant(end=D(2004, 3, 1), reason="cause"), D(2004, 3, 1)) == (0, 0, 0, 1003)
    # FORMS 2315-2320 other: exercisable 401 until T + 90 = 2004-05-30
    other = grant(end=D(2004, 3, 1), reason="other")
    assert state(other, D(2004, 5, 30)) == (401, 401, 0, 602)
    assert state(other, D(2004, 5, 31)) == (0, 0, 401, 602)


def test_option_timeline_sums_positions_by_hand():
    # A: 1,003 shares, no termination (vesting as in the 1,003-share test above).
    # B: 5,000 shares, death on 2003-08-01 (1,000 vested on 2003-05-15, all 5,000 from T).
    a, b = grant(), grant(shares=5000, end=D(2003, 8, 1), reason="death")
    frame = option_timeline([a, b], [D(2007, 11, 15), D(2002, 11, 14), D(2003, 5, 15), D(2003, 8, 1), D(2003, 5, 15)])
    assert list(frame.columns) == ["date", "vested_shares", "exercisable_shares", "outstanding_shares"]
    columns = ("vested_shares", "exercisable_shares", "outstanding_shares")
    assert frame.to_dict("records") == [
        {"date": D(2002, 11, 14), **dict(zip(columns, (0, 0, 0)))},  # before the grant
        {"date": D(2003, 5, 15), **dict(zip(columns, (200 + 1000, 200 + 1000, 1003 + 5000)))},
        {"date": D(2003, 8, 1), **dict(zip(columns, (200 + 5000, 200 + 5000, 1003 + 5000)))},
        {"date": D(2007, 11, 15), **dict(zip(columns, (0, 0, 0)))},  # both expired
    ]
    default = option_timeline([a, b])
    assert default["date"].tolist() == sorted(set(key_dates(a)) | set(key_dates(b)))
    assert default.iloc[0].to_dict() == {"date": GRANT, **dict(zip(columns, (0, 0, 6003)))}


# --- the French form -------------------------------------------------------------------------


def test_french_exercisability_gap():
    # FORMS 24-30 vesting as above; 32-34 exercisable from the fourth anniversary (2006-11-15);
    # 36-38 last day = day preceding the sixth anniversary (2008-11-14).
    g = grant(form="france-nonofficer-active")
    assert state(g, D(2005, 5, 15)) == (1003, 0, 0, 0)
    assert state(g, D(2006, 11, 14)) == (1003, 0, 0, 0)
    assert state(g, D(2006, 11, 15)) == (1003, 1003, 0, 0)
    assert state(g, D(2008, 11, 14)) == (1003, 1003, 0, 0)
    assert state(g, D(2008, 11, 15)) == (0, 0, 1003, 0)


def test_french_company_action_waits_for_the_exercise_date():
    # FORMS 63-72: vested (401) + CAVP (67) vest at T but are exercisable only during the
    # ninety days following the Exercise Date: 2006-11-15 .. 2007-02-13.
    g = grant(form="france-nonofficer-active", end=D(2004, 1, 20), reason="company_action")
    assert state(g, D(2006, 11, 14)) == (468, 0, 0, 535)
    assert state(g, D(2007, 2, 13)) == (468, 468, 0, 535)
    assert state(g, D(2007, 2, 14)) == (0, 0, 468, 535)


def test_french_death_180_days():
    # FORMS 49-53: everything exercisable, until the earlier of 180 days or the Expiration Date;
    # T = 2003-08-01 + 180 days = 2004-01-28.
    g = grant(form="france-nonofficer-active", end=D(2003, 8, 1), reason="death")
    assert state(g, D(2004, 1, 28)) == (1003, 1003, 0, 0)
    assert state(g, D(2004, 1, 29)) == (0, 0, 1003, 0)


# --- forms for employment terminated before the grant ----------------------------------------


@pytest.mark.parametrize(
    "form_id, last_day",
    [
        ("us-nonofficer-company-action", D(2003, 2, 13)),  # FORMS 2452-2453: 90th day after grant
        ("france-nonofficer-death", D(2003, 5, 14)),  # FORMS 284-285: 180 days from grant
        ("us-nonofficer-death-disability", D(2007, 11, 14)),  # FORMS 2540-2541: day before 5th anniversary
    ],
)
def test_terminated_before_grant(form_id, last_day):
    # 100% exercisable on the grant date (e.g. FORMS 2446-2447)
    g = grant(form=form_id)
    assert state(g, GRANT) == (1003, 1003, 0, 0)
    assert state(g, last_day) == (1003, 1003, 0, 0)
    assert state(g, last_day + dt.timedelta(days=1)) == (0, 0, 1003, 0)


def test_pre_grant_company_action_with_retirement_runs_to_fifth_anniversary():
    # FORMS 2455-2457
    g = grant(form="us-nonofficer-company-action", age_at_termination=55, years_of_service=20)
    assert state(g, D(2007, 11, 14)) == (1003, 1003, 0, 0)


def test_pre_grant_company_action_pension_retirement_via_reason():
    # FORMS 2449-2457: Expiration = 90th day after grant (2003-02-13) for a Company Action, or
    # the day preceding the 5th anniversary (2007-11-14) if "both a Company Action and
    # Retirement". FORMS 2336-2347: Retirement includes "Service Pension" (no age/service
    # needed), stated as reason company_action_retirement; the termination date stays empty.
    rows = (
        "a,us-nonofficer-company-action,1003,1.24,2002-11-15,,company_action_retirement\n"
        "b,us-nonofficer-company-action,1003,1.24,2002-11-15,,company_action\n"
        "c,us-officer-company-action,1003,1.24,2002-11-15,,company_action_retirement\n"
    )
    pension, plain, officer = parse_grants_text(HEADER + rows)
    assert pension.termination_date is None and pension.termination_reason == "company_action_retirement"
    for g in (pension, officer):
        assert state(g, GRANT) == (1003, 1003, 0, 0)
        assert state(g, D(2003, 2, 14)) == (1003, 1003, 0, 0)  # past the 90th day: still exercisable
        assert state(g, D(2007, 11, 14)) == (1003, 1003, 0, 0)
        assert state(g, D(2007, 11, 15)) == (0, 0, 1003, 0)
    # plain Company Action (no Retirement): last day 2002-11-15 + 90 days = 2003-02-13
    assert state(plain, D(2003, 2, 13)) == (1003, 1003, 0, 0)
    assert state(plain, D(2003, 2, 14)) == (0, 0, 1003, 0)


@pytest.mark.parametrize(
    "row, message",
    [
        # a date on a before-grant form is meaningless (the form says employment ended before the grant)
        (
            "a,us-nonofficer-company-action,10,1.00,2002-11-15,2002-10-01,company_action_retirement",
            "column termination_date: form us-nonofficer-company-action is for employment that ended before the "
            "grant date; leave termination_date empty; termination_reason may be empty, company_action, or "
            "company_action_retirement",
        ),
        (
            "a,us-nonofficer-company-action,10,1.00,2002-11-15,,death",
            "column termination_reason: 'death' does not apply to form us-nonofficer-company-action",
        ),
        ("a,us-nonofficer-company-action,10,1.00,2002-11-15,,retirement", "'retirement' does not apply"),
        (
            "a,us-nonofficer-death-disability,10,1.00,2002-11-15,,company_action_retirement",
            "'company_action_retirement' does not apply to form us-nonofficer-death-disability (employment ended "
            "before the grant by death or disability); leave termination_date and termination_reason empty",
        ),
    ],
)
def test_before_grant_form_rejects_meaningless_termination(row, message):
    with pytest.raises(InputError) as exc:
        parse_grants_text(HEADER + row + "\n")
    assert any(message in p for p in exc.value.problems), exc.value.problems


def test_nothing_exists_before_the_grant_date():
    # the grant is made on 2002-11-15 (FORMS 2432 "Grant Date"); the day before, every count is 0
    for g in (grant(), grant(form="us-nonofficer-company-action"), grant(end=D(2004, 1, 20), reason="company_action")):
        p = position(g, D(2002, 11, 14))
        assert (p.granted, p.vested, p.exercisable, p.expired, p.cancelled, p.outstanding) == (0, 0, 0, 0, 0, 0)
        assert position(g, GRANT).outstanding == 1003


# --- treasury stock method -------------------------------------------------------------------


def test_treasury_stock_by_hand():
    # n = 1,000, K = $1.24, P = $3.00: 1,000 × (1 − 1.24/3) = 586.67 -> 586 (floor)
    assert tsm_incremental_shares(1000, Decimal("1.24"), Decimal("3.00")) == 586
    assert tsm_incremental_shares(1000, Decimal("3.00"), Decimal("3.00")) == 0  # at the money
    assert tsm_incremental_shares(1000, Decimal("0"), Decimal("3.00")) == 1000  # zero strike


# --- invariants ------------------------------------------------------------------------------

ACTIVE = [f for f, form in FORMS.items() if form.status == "active"]


@given(
    st.sampled_from(ACTIVE),
    st.integers(0, 10**7),
    st.integers(0, 2600),
    st.integers(0, 2600),
    st.sampled_from([None, "retirement", "death", "disability", "cause", "company_action", "other"]),
)
def test_counts_add_up(form_id, shares, end_days, days, reason):
    end = None if reason is None else GRANT + dt.timedelta(days=end_days)
    g = grant(form=form_id, shares=shares, end=end, reason=reason)
    p = position(g, GRANT + dt.timedelta(days=days))
    assert 0 <= p.exercisable <= p.vested <= p.outstanding <= shares
    assert p.expired + p.cancelled + p.outstanding == shares


@given(st.sampled_from(ACTIVE), st.integers(0, 10**7), st.integers(0, 1700), st.integers(0, 1700))
def test_vested_monotone_before_expiry(form_id, shares, a, b):
    g = grant(form=form_id, shares=shares)
    early, late = sorted((a, b))
    assert position(g, GRANT + dt.timedelta(days=early)).vested <= position(g, GRANT + dt.timedelta(days=late)).vested


# --- grants CSV ------------------------------------------------------------------------------

HEADER = "grant_id,form,shares,exercise_price_usd,grant_date,termination_date,termination_reason\n"


def test_shipped_grants_files_load():
    assert len(read_grants_csv(ILLUSTRATIVE_GRANTS_PATH)) == 10
    executive = {g.grant_id: g for g in read_grants_csv(EXECUTIVE_GRANTS_PATH)}
    # retirees' letter lines 55-57: 550,000 restricted shares and options on 1.2 million shares
    assert executive["CEO-RS"].shares == 550_000 and executive["CEO-OPT"].shares == 1_200_000
    assert position(executive["CEO-OPT"], D(2004, 1, 30)).exercisable == 1_200_000


@pytest.mark.parametrize(
    "row, message",
    [
        ("a,no-such-form,10,1.00,2002-11-15,,", "line 2, column form: unknown form 'no-such-form'"),
        ("a,us-nonofficer-active,-5,1.00,2002-11-15,,", "line 2, column shares: '-5' must be a whole number from 0"),
        (
            "a,us-nonofficer-active,10,1.00,2002-11-15,2002-11-01,death",
            "line 2, column termination_date: 2002-11-01 is before the grant date 2002-11-15",
        ),
        ("a,us-nonofficer-active,10,1.00,2002-11-31,,", "line 2, column grant_date: '2002-11-31' is not a date"),
        ("a,us-nonofficer-active,10,1.00,2002-11-15,2003/01/01,death", "column termination_date: '2003/01/01' is not"),
        ("a,us-nonofficer-active,10,1.00,2002-11-15,2003-01-01,fired", "column termination_reason: 'fired'"),
        ("a,us-nonofficer-active,10,abc,2002-11-15,,", "column exercise_price_usd: 'abc' must be a number from 0"),
        ("a,us-nonofficer-death-disability,10,1.00,2002-11-15,2003-01-01,death", "leave termination_date"),
        ("a,us-nonofficer-active,10,1.00,2002-11-15,2003-01-01,", "both be given or both be empty"),
    ],
)
def test_each_rejection(row, message):
    with pytest.raises(InputError) as exc:
        parse_grants_text(HEADER + row + "\n")
    assert any(message in p for p in exc.value.problems), exc.value.problems


def test_all_problems_at_once_and_nothing_written(tmp_path: Path):
    bad = tmp_path / "grants.csv"
    bad.write_text(
        HEADER + "a,us-nonofficer-active,10,1.00,2002-11-15,,\n"
        "b,nope,10,1.00,2002-11-15,,\nc,us-nonofficer-active,-1,1.00,2002-13-01,,\n"
    )
    out = tmp_path / "out.csv"
    result = run_cli("options", "--grants", str(bad), "--date", "2004-01-01", "--out", str(out))
    assert result.returncode == 2
    assert "3 problem(s)" in result.stderr
    assert "line 3, column form" in result.stderr and "line 4, column shares" in result.stderr
    assert "line 4, column grant_date" in result.stderr
    assert not out.exists()


def test_ragged_row_rejected():
    with pytest.raises(InputError, match="problem"):
        parse_grants_text(HEADER + "a,us-nonofficer-active,1,003,1.00,2002-11-15,,\n")


def test_ragged_rows_reported_with_every_other_problem():
    rows = [
        "ok,us-nonofficer-active,10,1.00,2002-11-15,,",  # line 2: fine
        "b,nope,10,1.00,2002-11-15,,",  # line 3: unknown form
        "c,us-nonofficer-active,-5,1.00,2002-11-15,,",  # line 4: negative shares
        "d,us-nonofficer-active",  # line 5: ragged (2 cells)
        "e,us-nonofficer-active,10,1.00,2002-11-15,2002-11-01,death",  # line 6: ends before grant
        "f,us-nonofficer-active,10,1.00,2002-11-31,,",  # line 7: bad date
        "g,us-nonofficer-active,1,003,1.00,2002-11-15,,",  # line 8: ragged (8 cells)
        "h,us-nonofficer-active,10,1.00,2002-11-15,2003-01-01,fired",  # line 9: unknown reason
        "ok,us-nonofficer-active,10,1.00,2002-11-15,,",
    ]  # line 10: duplicate id
    with pytest.raises(InputError) as exc:
        parse_grants_text(HEADER + "\n".join(rows) + "\n")
    problems = exc.value.problems
    wanted = [
        "line 3, column form: unknown form 'nope'",
        "line 4, column shares: '-5' must be a whole number from 0 to 10,000,000,000",
        "line 5: 2 cells, the header has 7",
        "line 6, column termination_date: 2002-11-01 is before the grant date 2002-11-15",
        "line 7, column grant_date: '2002-11-31' is not a date",
        "line 8: 8 cells, the header has 7",
        "line 9, column termination_reason: 'fired'",
        "line 10, column grant_id: 'ok' appears more than once",
    ]
    for text in wanted:
        assert sum(p.startswith(text) for p in problems) == 1, (text, problems)
    assert len(problems) == len(wanted)
    lines = [int(p.split()[1].rstrip(",:")) for p in problems]
    assert lines == sorted(lines)  # reported in file order
    assert f"{len(wanted)} problem(s)" in str(exc.value)


def test_only_ragged_rows_are_reported_not_as_empty():
    with pytest.raises(InputError) as exc:
        parse_grants_text(HEADER + "a,b\n")
    assert exc.value.problems == ("line 2: 2 cells, the header has 7",)


# --- CLI -------------------------------------------------------------------------------------


def test_options_json_totals(tmp_path: Path):
    csv = tmp_path / "g.csv"
    csv.write_text(
        HEADER + "a,us-nonofficer-active,1003,1.24,2002-11-15,,\n"
        "b,us-nonofficer-active,1003,1.24,2002-11-15,2004-01-20,company_action\n"
    )
    out = tmp_path / "out.csv"
    result = run_cli(
        "options", "--grants", str(csv), "--date", "2004-02-01", "--price", "3", "--json", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    # a: 401 vested/exercisable; b: 468 kept, 535 cancelled (worked above).
    # TSM: floor(401 × 1.76/3) = floor(235.25) = 235; floor(468 × 1.76/3) = floor(274.56) = 274
    assert json.loads(result.stdout) == {
        "vested_shares": 869,
        "exercisable_shares": 869,
        "outstanding_shares": 1471,
        "cancelled_shares": 535,
        "expired_shares": 0,
        "tsm_incremental_shares": 509,
    }
    assert out.exists()


def test_options_forms_lists_ids():
    result = run_cli("options", "--forms")
    assert result.returncode == 0
    for form_id in ("us-nonofficer-active", "france-nonofficer-active", "us-officer-company-action"):
        assert form_id in result.stdout


def test_options_requires_grants_and_date():
    result = run_cli("options", "--date", "2004-01-01")
    assert result.returncode == 2 and "--grants and --date are required" in result.stderr


def test_grant_line_numbers_survive_blank_lines_and_multiline_cells():
    # line 2: a note-free row whose quoted grant_id spans lines 2-3; line 4 blank;
    # line 5: unknown form -> reported as line 5, as an editor shows it
    text = HEADER + '"multi\nline",us-nonofficer-active,10,1.00,2002-11-15,,\n\nx,nope,10,1.00,2002-11-15,,\n'
    with pytest.raises(InputError) as exc:
        parse_grants_text(text)
    assert len(exc.value.problems) == 1
    assert exc.value.problems[0].startswith("line 5, column form: unknown form 'nope'")
