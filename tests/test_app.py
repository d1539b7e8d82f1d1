"""The dashboard headless (``streamlit.testing.v1.AppTest``): defaults, input changes, errors, saved scenarios."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params, parse_params
from calc.model.columns import HOLDER_LEAD
from calc.model.params import SPECS
from calc.model.scenario import run_scenario
from calc.model.valuation import ValuationPolicy, value_preferred
from dashboard import inputs, montecarlo_view, narrative, safe, sections, tables, terms_view
from dashboard.formatting import compact_shares, pct, shares, usd
from dashboard.store import ScenarioStore, params_to_json
from tests.helpers import APP_TIMEOUT as TIMEOUT
from tests.helpers import (
    HOSTILE_FILE,
    HOSTILE_NAMES,
    hostile_register,
    metric,
    open_input_groups,
    open_section,
    started_app,
    strip_figures,
)

HEADLINE = {  # metric label -> (summary key, formatter); share counts compact, the exact count in the tooltip
    "As-converted today": ("as_converted_shares", compact_shares),
    "New shares": ("new_shares", compact_shares),
    "Total outstanding": ("total_shares", compact_shares),
    "Dilution": ("dilution_pct", pct),
    "Headroom": ("headroom_shares", compact_shares),
    "From dividends": ("dividend_shares", compact_shares),
    "From conversion": ("conversion_shares", compact_shares),
    "From redemption": ("redemption_shares", compact_shares),
}


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    return started_app(tmp_path, monkeypatch)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def exact(at: AppTest) -> dict[str, str]:
    """The exact share count each compact headline metric states in its tooltip ("Exact: N shares.")."""
    return {
        m.label: re.findall(r"Exact: ([-\d,]+) shares", m.help or "")[0]
        for m in at.metric
        if "Exact:" in (m.help or "")
    }


def expected(params) -> dict[str, str]:
    summary = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()).summary
    return {label: fmt(summary[key]) for label, (key, fmt) in HEADLINE.items()}


def assert_headline(at: AppTest, params) -> None:
    """The full headline (first section) or, on the other sections, its one-line strip: compact figures, the
    exact share counts in the tooltips."""
    summary = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()).summary
    if "New shares" in metrics(at):
        shown, exact_counts = metrics(at), exact(at)
    else:
        strip = strip_figures(at)
        assert list(strip) == ["New shares", "Total outstanding", "Dilution"]
        shown = {label: value for label, (value, _) in strip.items()}
        exact_counts = {label: count for label, (_, count) in strip.items()}
    for label, value in expected(params).items():
        if label not in shown:
            continue
        assert shown[label] == value, label
        key, fmt = HEADLINE[label]
        if fmt is compact_shares:
            assert exact_counts[label] == shares(summary[key]), label


def frame_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column`` (display tables carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly charts on the page, by title."""
    out = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        out[spec["layout"].get("title", {}).get("text", "")] = spec
    return out


def test_defaults_run_without_exception(app):
    assert not app.exception
    assert not app.error
    assert_headline(app, default_params())
    assert exact(app)["As-converted today"] == "317,340,127"  # floor(1,885,000 × 168.3502)
    assert metrics(app)["As-converted today"] == "317.34 M"
    options = app.segmented_control(key=sections.SELECTOR_KEY).options
    assert options[:6] == [
        "Share issuance",
        "Price sensitivity",
        "Holders",
        "Monte Carlo",
        "Saved scenarios",
        "Terms and provenance",
    ]
    assert "Employee options" in options
    for section, words in (
        ("Share issuance", "shares outstanding after each event"),
        ("Share issuance", "New common shares issued on each date"),
        ("Share issuance", "Dilution over time"),
        ("Price sensitivity", "Price sensitivity"),
        ("Holders", "Holder concentration"),
        ("Monte Carlo", "Monte Carlo"),
    ):
        open_section(app, section)
        assert not app.exception
        assert any(words in t for t in charts(app)), words


def test_sidebar_has_one_widget_per_spec(app):
    keys = {
        w.key for kind in ("number_input", "selectbox", "date_input", "text_input") for w in getattr(app.sidebar, kind)
    }
    assert {f"param_{s.name}" for s in SPECS} <= keys
    assert app.sidebar.number_input(key="param_price").value == pytest.approx(1.89)
    assert app.sidebar.date_input(key="param_horizon").value == dt.date(2004, 8, 2)


def test_first_paint_builds_only_the_market_inputs_and_closed_groups_keep_their_values(tmp_path, monkeypatch):
    """Issue 21 (first paint): a new visitor's sidebar builds the Market inputs and one closed expander per other
    group (and the price path), not their widgets; a value set in a group survives closing it, still feeds the
    headline and the link, and shows again when the group reopens."""
    app = started_app(tmp_path, monkeypatch, groups_open=False)
    assert not app.exception
    assert {w.key for w in app.sidebar.number_input} == {"param_price", "param_annual_drift"}
    assert "param_base_shares" in {w.key for w in app.sidebar.text_input}  # a text box: it shows separators
    assert not app.sidebar.selectbox and not app.sidebar.date_input and not app.sidebar.file_uploader
    titles = [e.label for e in app.sidebar.expander]
    assert titles == [t for t, _ in inputs.groups() if t not in inputs.OPEN_GROUPS] + ["Price path"]
    assert len(list(app.sidebar)) <= 20  # 40 with every group drawn
    default_headline = metrics(app)["New shares"]
    open_input_groups(app)
    app.run()
    app.sidebar.selectbox(key="param_dividend_policy").set_value("cash").run()
    changed = metrics(app)["New shares"]
    assert changed != default_headline
    open_input_groups(app, open=False)
    app.run()
    app.run()  # a second run: Streamlit drops an undrawn widget's state at the end of a run
    assert not app.sidebar.selectbox
    assert app.session_state["param_dividend_policy"] == "cash"
    assert metrics(app)["New shares"] == changed
    assert app.query_params["dividend_policy"] in ("cash", ["cash"])
    open_input_groups(app)
    app.run()
    assert app.sidebar.selectbox(key="param_dividend_policy").value == "cash"


def test_plain_language_answer_for_the_default_scenario(app):
    text = "\n".join(m.value for m in app.markdown)
    assert "In plain words" in text
    summary = run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps()).summary
    assert shares(summary["new_shares"]) in text and safe.text("FMR Corp.") in text
    assert "settles in stock" in text
    owners = next(line for line in text.splitlines() if "Largest resulting owners" in line)
    for words in ("Selling Securityholders table", "other shareholders", "not counted", "Who is counted"):
        assert words in owners, words
    assert narrative.OWNERSHIP_CAVEAT not in text  # said in full once, in the Holders section


def test_first_section_has_the_full_headline_the_others_one_line(app):
    """The first section: the metric boxes and "In plain words" open; every other section: one line of key
    figures (exact counts in its tooltip) and "In plain words" closed; each section under its own heading."""
    assert metrics(app)["New shares"] and app.expander[0].label == "In plain words"
    assert app.expander[0].proto.expanded
    assert [h.value for h in app.subheader][:1] == [sections.NAMES[0]]
    for name in sections.NAMES[1:]:
        open_section(app, name)
        assert not app.exception, name
        assert "As-converted today" not in metrics(app), name
        assert_headline(app, default_params())
        plain = next(e for e in app.expander if e.label == "In plain words")
        assert not plain.proto.expanded, name
        headings = [h.value for h in app.subheader]
        assert headings[0] == name and headings.count(name) == 1, name


def test_headline_labels_are_short_and_helped(app):
    """Labels fit a fifth of a 1500 px page; the long meaning is in the (?) tooltip."""
    for m in app.metric:
        if m.label in HEADLINE:
            assert len(m.label) <= 18, m.label
    helps = {m.label: m.help for m in app.metric}
    assert "New shares under this scenario" in helps["New shares"]
    assert "Headroom vs authorized" in helps["Headroom"]
    assert "scrip" in helps["As-converted today"] and "assumption" in helps["As-converted today"]


def test_no_page_text_says_the_fraction_is_paid_in_cash(app):
    app.sidebar.selectbox(key="param_conversion").set_value("all")
    app.run(timeout=TIMEOUT)
    assert not app.exception
    texts = [m.value for m in app.markdown] + [c.value for c in app.caption] + [m.help or "" for m in app.metric]
    page = "\n".join(texts)
    assert "paid in cash" not in page and "fraction in cash" not in page
    plain = next(t for t in texts if "In plain words" in t)
    assert "scrip" in plain and "cash in lieu" in plain and "assumption" in plain


def test_holders_tab_states_who_is_counted(app):
    open_section(app, "Holders")
    infos = "\n".join(i.value for i in app.info)
    assert "Who is counted" in infos
    assert "Selling Securityholders table" in infos and "not counted" in infos


@pytest.mark.parametrize("price, policy", [(3.25, "cash"), (0.75, "accrue"), (6.5, "stock")])
def test_price_and_dividend_policy_change_the_headline(app, price, policy):
    app.sidebar.number_input(key="param_price").set_value(price)
    app.sidebar.selectbox(key="param_dividend_policy").set_value(policy)
    app.run(timeout=TIMEOUT)
    assert not app.exception and not app.error
    params = parse_params({"price": price, "dividend_policy": policy})
    assert_headline(app, params)
    assert metrics(app) != {label: v for label, v in expected(default_params()).items()}


def test_invalid_input_shows_error_not_exception(app):
    app.sidebar.number_input(key="param_price").set_value(0.0)
    app.sidebar.date_input(key="param_horizon").set_value(dt.date(2002, 1, 1))
    app.run(timeout=TIMEOUT)
    assert not app.exception
    message = " ".join(e.value for e in app.error)
    # problems are shown as text (issue 9 item 8), naming each input by its sidebar label (review item 5)
    assert safe.text("Common price (USD): 0.0 must be from 0.01 to 100,000 USD") in message
    assert safe.text("Horizon: 2002-01-01 must be on or after valuation_date 2002-08-28") in message
    assert safe.text("price: 0.0") not in message.replace(safe.text("Common price (USD): 0.0"), "")
    assert "As-converted today" not in metrics(app)
    # fixing the inputs brings the results back
    app.sidebar.number_input(key="param_price").set_value(1.89)
    app.sidebar.date_input(key="param_horizon").set_value(dt.date(2004, 8, 2))
    app.run(timeout=TIMEOUT)
    assert not app.error
    assert_headline(app, default_params())


def test_conversion_all_without_valid_date_is_explained(app):
    app.sidebar.selectbox(key="param_conversion").set_value("all")
    app.sidebar.date_input(key="param_conversion_date").set_value(dt.date(2010, 1, 1))
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any(safe.text("Conversion date: 2010-01-01") in e.value for e in app.error)


def test_save_and_load_round_trip(app, tmp_path):
    open_section(app, "Saved scenarios")
    changed = dict(price=2.75, dividend_policy="accrue", put_settlement="cash")
    app.sidebar.number_input(key="param_price").set_value(changed["price"])
    app.sidebar.selectbox(key="param_dividend_policy").set_value(changed["dividend_policy"])
    app.sidebar.selectbox(key="param_put_settlement").set_value(changed["put_settlement"])
    app.run(timeout=TIMEOUT)
    app.text_input(key="save_name").input("accrue and cash put")
    app.button(key="save_scenario").click()
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any(safe.text("Saved 'accrue and cash put'") in s.value for s in app.success)
    assert app.text_input(key="save_name").value == ""  # the name box is cleared after a save: no "already saved"
    assert not app.warning
    stored = ScenarioStore(tmp_path / "scenarios.sqlite3").load("accrue and cash put").params
    assert stored == dataclasses.replace(default_params(), **changed)

    app.button(key="reset_inputs").click()
    app.run(timeout=TIMEOUT)
    assert_headline(app, default_params())

    app.selectbox(key="saved_pick").set_value("accrue and cash put")
    app.button(key="load_scenario").click()
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert app.sidebar.number_input(key="param_price").value == pytest.approx(2.75)
    assert app.sidebar.selectbox(key="param_dividend_policy").value == "accrue"
    assert_headline(app, stored)


def test_saved_scenarios_compare_and_delete(app):
    open_section(app, "Saved scenarios")
    for name, price in (("low", 1.0), ("high", 4.0)):
        app.sidebar.number_input(key="param_price").set_value(price)
        app.run(timeout=TIMEOUT)
        app.text_input(key="save_name").input(name)
        app.button(key="save_scenario").click()
        app.run(timeout=TIMEOUT)
    app.multiselect(key="compare_pick").set_value(["high", "low"])
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any("Saved scenarios" in t for t in charts(app))
    table = next(t.value for t in app.table if "item" in t.value.columns)
    assert list(table.columns) == ["item", "high", "low"]  # in the order picked
    app.multiselect(key="compare_pick").set_value(["low", "high"])
    app.run(timeout=TIMEOUT)
    table = next(t.value for t in app.table if "item" in t.value.columns)
    assert list(table.columns) == ["item", "low", "high"]
    listing = frame_with(app, "dilution").set_index("name")
    high = run_scenario(
        dataclasses.replace(default_params(), price=4.0), terms=load_terms(), book=default_book(), caps=load_caps()
    ).summary
    assert listing.loc["high", "new shares"] == compact_shares(high["new_shares"])  # headline results in the list
    assert listing.loc["high", "dilution"] == pct(high["dilution_pct"])
    low = run_scenario(
        dataclasses.replace(default_params(), price=1.0), terms=load_terms(), book=default_book(), caps=load_caps()
    ).summary
    row = table[table["item"] == "New shares, all sources"].iloc[0]
    assert row["low"] == shares(low["new_shares"])
    app.selectbox(key="saved_pick").set_value("low")
    app.run(timeout=TIMEOUT)
    # Delete needs a confirmation: the button is disabled (cannot be clicked) until the box is ticked
    assert app.button(key="delete_scenario").disabled
    assert not app.checkbox(key="delete_confirm").value
    with pytest.raises(AppTestError, match="disabled"):
        app.button(key="delete_scenario").click()
    app.run(timeout=TIMEOUT)
    assert app.selectbox(key="saved_pick").options == ["high", "low"]
    app.checkbox(key="delete_confirm").check()
    app.run(timeout=TIMEOUT)
    assert not app.button(key="delete_scenario").disabled
    assert "low" in app.checkbox(key="delete_confirm").label
    app.button(key="delete_scenario").click()
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert app.selectbox(key="saved_pick").options == ["high"]
    assert any(safe.text("Deleted 'low'") in s.value for s in app.success)
    # the tick does not carry over to the next deletion
    assert not app.checkbox(key="delete_confirm").value
    assert app.button(key="delete_scenario").disabled


def test_choosing_another_scenario_clears_the_delete_confirmation(app):
    open_section(app, "Saved scenarios")
    for name in ("one", "two"):
        app.text_input(key="save_name").input(name)
        app.button(key="save_scenario").click()
        app.run(timeout=TIMEOUT)
    app.selectbox(key="saved_pick").set_value("one")
    app.run(timeout=TIMEOUT)
    app.checkbox(key="delete_confirm").check()
    app.run(timeout=TIMEOUT)
    app.selectbox(key="saved_pick").set_value("two")
    app.run(timeout=TIMEOUT)
    assert not app.checkbox(key="delete_confirm").value
    assert app.button(key="delete_scenario").disabled
    assert app.selectbox(key="saved_pick").options == ["one", "two"]


def test_holder_basis_switch_follows_sidebar(app):
    open_section(app, "Holders")
    app.radio(key="holder_basis_switch").set_value("registered")
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert app.sidebar.selectbox(key="param_holder_basis").value == "registered"
    holders = frame_with(app, "beneficial_pct_13d3")
    calc_holders = run_scenario(
        parse_params({"holder_basis": "registered"}), terms=load_terms(), book=default_book(), caps=load_caps()
    ).holders
    top = calc_holders.sort_values("pro_forma_pct", ascending=False).iloc[0]
    assert holders.iloc[0]["name"] == top["name"]
    assert holders.iloc[0]["pro_forma_shares"] == top["pro_forma_shares"]


def test_holder_search_filters_rows(app):
    open_section(app, "Holders")
    app.text_input(key="holder_search").input("lehman")
    app.run(timeout=TIMEOUT)
    names = frame_with(app, "beneficial_pct_13d3")["name"].tolist()
    assert names and all("lehman" in n.lower() for n in names)


def test_monte_carlo_settings_error_is_inline(app):
    open_section(app, "Monte Carlo")
    app.number_input(key="mc_volatility").set_value(-0.5)
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any("volatility" in e.value for e in app.error)


def test_terms_tab_shows_agere_adjustment_and_sources(app):
    open_section(app, "Terms and provenance")
    frames = [d.value for d in app.dataframe]
    tables = [t.value for t in app.table]
    rates = next(f for f in tables if "conversion rate (common per preferred)" in f.columns)
    assert rates["conversion rate (common per preferred)"].tolist() == ["133.6898", "168.3502"]
    terms_frame = next(f for f in frames if "term" in f.columns).set_index("term")
    assert terms_frame.loc["Holder put dates", "value"].startswith("Aug 2, 2004, Aug 1, 2006")
    assert terms_frame.loc["Dividend rate a year", "value"] == "8.00%"  # as the filing states it, not 0.08
    assert terms_frame.loc["Dividend dates each year", "value"] == "Feb 1, Aug 1"
    assert terms_frame.loc["Dividends cumulative", "value"] == "yes"
    assert terms_frame.loc["Common closing price", "value"] == "$1.89"  # SUPP p. 11: "$1.89 per share"
    # SUPP p. 11, footnote (3), cited as the document a reader can find
    assert terms_frame.loc["Liquidation preference per share, at issue", "source"].startswith(
        "Prospectus supplement, Aug 28, 2002, p. 11, footnote (3): "
    )
    assert "Agere" in rates["event"].iloc[1]
    assert rates["conversion price"].tolist() == ["$7.48", "$5.94"]  # SUPP p. 1 (cover)
    assert rates["source"].str.startswith("Prospectus supplement, Aug 28, 2002, p. 1").all()
    conventions = " ".join(m.value for m in app.markdown)
    assert "in the money" in conventions and "13d-3" in conventions


def test_apply_edits_and_restore_register(app):
    open_section(app, "Holders")
    app.button(key="apply_edits").click()
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any("Edits applied" in s.value for s in app.success)
    assert "holdings edited in the page" in " ".join(c.value for c in app.caption)
    assert_headline(app, default_params())  # same holdings: same class-level results
    app.button(key="restore_register").click()
    app.run(timeout=TIMEOUT)
    assert any("Restored" in s.value for s in app.success)
    assert "Selling Securityholders table" in " ".join(c.value for c in app.caption)


def test_narrative_reads_moneyness_at_the_put_date_not_the_start(app):
    # $7.00 drifting -30%/yr is in the money today (7 > 5.94) but $3.52 at the 2004 put: out of the money there
    app.sidebar.number_input(key="param_price").set_value(7.0)
    app.sidebar.number_input(key="param_annual_drift").set_value(-0.3)
    app.sidebar.selectbox(key="param_put").set_value("all")
    app.run(timeout=TIMEOUT)
    assert not app.exception and not app.error
    timeline = run_scenario(
        parse_params({"price": 7, "annual_drift": -0.3, "put": "all"}),
        terms=load_terms(),
        book=default_book(),
        caps=load_caps(),
    ).timeline
    row = timeline[timeline["redemption_shares"] > 0].iloc[0]
    assert not bool(row["in_the_money"])
    text = "\n".join(m.value for m in app.markdown)
    assert f"conversion at ${row['conversion_price_usd']:,.2f} is out of the money at ${row['price_usd']:,.2f}" in text
    assert "conversion at $5.94 is out of the money at $3.52" in text
    assert "is in the money" not in text


def test_saving_under_an_existing_name_needs_overwrite_confirmation(app, tmp_path):
    open_section(app, "Saved scenarios")
    db = ScenarioStore(tmp_path / "scenarios.sqlite3")
    app.text_input(key="save_name").input("base")
    app.button(key="save_scenario").click()
    app.run(timeout=TIMEOUT)
    assert db.load("base").params == default_params()
    assert not app.warning  # the name was new when it was typed

    app.sidebar.number_input(key="param_price").set_value(3.0)
    app.run(timeout=TIMEOUT)
    assert not app.warning  # the saved name was cleared from the box
    app.text_input(key="save_name").input("base")
    app.run(timeout=TIMEOUT)
    assert any("'base' is already saved" in w.value for w in app.warning)
    assert not app.checkbox(key="save_overwrite").value
    app.button(key="save_scenario").click()
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any("already exists" in e.value and "nothing was saved" in e.value for e in app.error)
    assert db.load("base").params == default_params()  # not silently replaced

    app.checkbox(key="save_overwrite").check()
    app.button(key="save_scenario").click()
    app.run(timeout=TIMEOUT)
    assert any(safe.text("Replaced 'base'") in s.value for s in app.success)
    assert db.load("base").params == dataclasses.replace(default_params(), price=3.0)
    assert [e.name for e in db.entries()] == ["base"]


# --- issue 9: user text rendered as text, contained failures, tampered saved scenarios ---------------------------


def page_markdown(at: AppTest) -> str:
    """Every markdown body the page sends (text, captions, alerts, labels)."""
    bodies = [
        e.value for kind in ("markdown", "caption", "error", "warning", "success", "info") for e in getattr(at, kind)
    ]
    labels = [w.label for kind in ("checkbox", "button", "text_input") for w in getattr(at, kind)]
    return "\n".join(bodies + labels)


def assert_no_raw_markup(body: str) -> None:
    """No hostile construct survives once every backslash-escaped character is taken out."""
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", body)
    for raw in ("![", "](", "<img", "**bold**", "`code`", "$x$", ":red[", "evil.example", "src=x"):
        assert raw not in unescaped, raw


def test_hostile_holder_names_and_file_name_render_as_text_issue_9_item_8(app):
    """Issue 9 item 8: names from an uploaded holder table and the file name were rendered as markdown
    (an image from evil.example was fetched). Now they reach every markdown body escaped."""
    open_section(app, "Holders")
    app.file_uploader(key="register_upload").set_value((HOSTILE_FILE, hostile_register(), "text/csv"))
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any(f"Loaded {safe.text(HOSTILE_FILE)}" in s.value for s in app.success)
    plain = next(m.value for m in app.markdown if "In plain words" in m.value)
    for name in HOSTILE_NAMES:
        assert safe.text(name) in plain, name
    assert f"uploaded file {safe.text(HOSTILE_FILE)}" in " ".join(c.value for c in app.caption)
    assert_no_raw_markup(page_markdown(app))
    chart = charts(app)[next(t for t in charts(app) if "Holder concentration" in t)]
    assert not any("<img" in label or "<a" in label for label in chart["data"][0]["y"])


def test_hostile_rejected_upload_message_is_text_issue_9_item_8(app):
    open_section(app, "Holders")
    bad = f"name,preferred_shares\n{HOSTILE_NAMES[0]},-5\n".encode()
    app.file_uploader(key="register_upload").set_value((HOSTILE_FILE, bad, "text/csv"))
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any(f"{safe.text(HOSTILE_FILE)} rejected" in e.value for e in app.error)
    assert_no_raw_markup(page_markdown(app))
    problems = next(t.value for t in app.table if "rule" in t.value.columns)  # st.table cells are markdown too
    assert list(problems.columns) == ["line", "column", "value", "rule"]
    assert problems["line"].tolist() == ["2"]  # the line shows as a column, always
    cells = " ".join(problems["rule"]) + " ".join(problems["column"]) + " ".join(problems["value"])
    assert "\\-5" in cells
    assert_no_raw_markup(cells)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_saved_scenario_names_render_as_text_issue_9_item_8(app, name):
    """Saved scenario names are shown to every user of the database: messages, warnings and labels escape them."""
    open_section(app, "Saved scenarios")
    app.text_input(key="save_name").input(name)
    app.button(key="save_scenario").click()
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert any(f"Saved {safe.text(repr_quote(name))}" in s.value for s in app.success)
    app.text_input(key="save_name").input(name)
    app.button(key="save_scenario").click()  # again: "already exists", overwrite box labelled with the name
    app.run(timeout=TIMEOUT)
    assert any(safe.text(name) in w.value for w in app.warning)
    assert any(safe.text(name) in e.value and "already exists" in e.value for e in app.error)
    assert safe.text(name) in app.checkbox(key="save_overwrite").label
    assert safe.text(name) in app.checkbox(key="delete_confirm").label
    app.selectbox(key="saved_pick").set_value(name)
    app.run(timeout=TIMEOUT)
    app.button(key="load_scenario").click()
    app.run(timeout=TIMEOUT)
    assert any(f"Loaded {safe.text(repr_quote(name))}" in s.value for s in app.success)
    assert_no_raw_markup(page_markdown(app))


def repr_quote(name: str) -> str:
    return f"'{name}'"


def tamper(path: Path, rows: dict[object, object]) -> None:
    """Write rows straight into the scenario database, as an attacker with file access could."""
    ScenarioStore(path).save("good", default_params())
    connection = sqlite3.connect(path)
    with connection:
        for name, payload in rows.items():
            connection.execute(
                "INSERT INTO scenarios (name, params_json, saved_at) VALUES (?, ?, ?)", (name, payload, 12)
            )
    connection.close()


def stored(**changes) -> str:
    return (
        params_to_json(default_params()).replace("}", "")
        + "".join(f', "{k}": {json.dumps(v) if not isinstance(v, str) else v}' for k, v in changes.items())
        + "}"
    )


TAMPERED = {
    "tiny price": stored(price=0.0001),
    "huge base": stored(base_shares=10**30),
    "list price": stored(price=[1, 2]),
    "dict put": stored(put={"a": 1}),
    "huge int price": stored(price="1" + "0" * 400),
    "not json": "{{{",
    "array": "[1, 2]",
    "deep": "[" * 100_000,
    b"blob name": stored(),
    "number payload": 5,
}


def test_tampered_saved_scenarios_are_listed_and_reported_not_raised_issue_9_item_17(app, tmp_path):
    """Issue 9 item 17: a tampered row (price 0.0001, base_shares 1e30, garbage types) raised on Load or Compare.
    Every row is validated by calc.model.params on load; the listing still works and names each invalid scenario."""
    tamper(tmp_path / "scenarios.sqlite3", TAMPERED)
    open_section(app, "Saved scenarios")
    assert not app.exception
    names = app.selectbox(key="saved_pick").options
    assert "good" in names and "b'blob name'" in names and "not json" in names
    warning = " ".join(w.value for w in app.warning)
    for name in ("list price", "dict put", "huge int price", "not json", "array", "deep", "number payload"):
        assert f"'{safe.text(name)}'" in warning, name
    problems = frame_with(app, "problem").set_index("name")["problem"]
    assert "price" in problems["list price"] and "not valid JSON" in problems["not json"]
    assert problems["good"] == ""
    app.multiselect(key="compare_pick").set_value(list(TAMPERED.keys() - {b"blob name"}) + ["good"])
    app.run(timeout=TIMEOUT)
    assert not app.exception
    shown = " ".join([e.value for e in app.error] + [w.value for w in app.warning])
    for name in ("tiny price", "huge base", "list price", "not json"):  # invalid or not computable: each named
        assert f"'{safe.text(name)}'" in shown, name
    for name in ("list price", "tiny price", "huge base"):
        app.selectbox(key="saved_pick").set_value(name)
        app.run(timeout=TIMEOUT)
        app.button(key="load_scenario").click()
        app.run(timeout=TIMEOUT)
        assert not app.exception, name
    app.selectbox(key="saved_pick").set_value("list price")
    app.run(timeout=TIMEOUT)
    app.button(key="load_scenario").click()
    app.run(timeout=TIMEOUT)
    assert any(f"Could not load {safe.text(repr_quote('list price'))}" in e.value for e in app.error)


@pytest.mark.parametrize(
    "key, value",
    [
        ("param_price", 0.0001),
        ("param_price", 1e-300),
        ("param_price", 1e300),
        ("param_annual_drift", 1e300),
        ("param_sale_factor", 1e-300),
        ("param_put_factor", 1e-300),
        ("param_base_shares", f"{2**53 - 1:,}"),
    ],
)
def test_extreme_sidebar_values_show_an_error_not_a_traceback_issue_9_item_14(app, key, value):
    """Issue 9 item 14: a very low price raised ArithmeticError in the dashboard. Any value the sidebar takes ends
    in results or an error box (a validation message, or a contained section error), never an exception."""
    if isinstance(value, str):
        app.sidebar.text_input(key=key).set_value(value)
    else:
        app.sidebar.number_input(key=key).set_value(value)
    app.run(timeout=TIMEOUT)
    assert not app.exception
    assert app.error or "New shares" in metrics(app)
    assert app.segmented_control(key=sections.SELECTOR_KEY).options[-1] == "All securities"
    for name in sections.NAMES:  # every section renders: results, a pointer to the inputs, or a contained error
        open_section(app, name)
        assert not app.exception, name
    open_section(app, "Employee options")
    assert any(m.label == "Vested shares" for m in app.metric)  # the options section still renders


def test_one_failing_section_does_not_take_down_the_page_issue_9_item_12(app, monkeypatch):
    """Issue 9 item 12: one section's exception broke the page. Each section is rendered in ``safe.section``."""

    def broken(*args, **kwargs):
        raise RuntimeError("boom <img src=x>")

    monkeypatch.setattr(terms_view, "render", broken)
    open_section(app, "Terms and provenance")
    assert not app.exception
    box = next(e.value for e in app.error if "Terms and provenance" in e.value)
    assert "RuntimeError" in box and "boom" in box and "Traceback" not in box
    assert_no_raw_markup(box)
    assert_headline(app, default_params())
    open_section(app, "Employee options")
    assert any(m.label == "Vested shares" for m in app.metric)
    open_section(app, "Holders")
    assert any("Holder concentration" in t for t in charts(app))


# --- issue 12: the analyst's experience ---------------------------------------------------------------------------


def test_employee_options_follow_the_scenario_price_and_horizon_issue_12_item_9(app):
    """The average price and "as of" date default to the scenario's price and horizon, and follow it."""
    app.sidebar.number_input(key="param_price").set_value(7.0)
    app.run(timeout=TIMEOUT)
    open_section(app, "Employee options")
    assert app.number_input(key="options_price").value == pytest.approx(7.0)
    assert app.date_input(key="options_date").value == dt.date(2004, 8, 2)  # the default horizon
    app.number_input(key="options_price").set_value(2.5)  # editable ...
    app.run(timeout=TIMEOUT)
    assert app.number_input(key="options_price").value == pytest.approx(2.5)
    app.sidebar.date_input(key="param_horizon").set_value(dt.date(2006, 8, 1))  # ... until the scenario changes
    app.run(timeout=TIMEOUT)
    assert app.date_input(key="options_date").value == dt.date(2006, 8, 1)
    assert app.number_input(key="options_price").value == pytest.approx(7.0)
    assert not app.exception


@pytest.mark.parametrize("bad_lines", [(3, 4, 5, 6), (3, 7)])
def test_upload_problems_show_their_lines_issue_12_item_2(app, bad_lines):
    """Evenly spaced bad lines became a RangeIndex that st.table hid: the lines now show as a column."""
    rows = ["name,preferred_shares"] + [f"Fund {n},{'-5' if n in bad_lines else '10'}" for n in range(2, 9)]
    open_section(app, "Holders")
    app.file_uploader(key="register_upload").set_value(("bad.csv", "\n".join(rows).encode(), "text/csv"))
    app.run(timeout=TIMEOUT)
    problems = next(t.value for t in app.table if "rule" in t.value.columns)
    assert problems["line"].tolist() == [str(n) for n in bad_lines]
    assert set(problems["column"]) == {safe.text("preferred_shares")} and set(problems["value"]) == {safe.text("'-5'")}


def test_stress_scenario_headline_is_compact_issue_12_item_1(app):
    """Price $0.05: tens of billions of shares and negative headroom, each value in at most 9 characters with the
    exact count in the tooltip."""
    app.sidebar.number_input(key="param_price").set_value(0.05)
    app.run(timeout=TIMEOUT)
    params = dataclasses.replace(default_params(), price=0.05)
    assert_headline(app, params)
    assert all(len(value) <= 9 for label, value in metrics(app).items() if label != "Horizon")
    assert exact(app)["Headroom"].startswith("-")


def test_inputs_table_reads_by_unit_and_leads_with_value_and_meaning_review_items_4_8(app):
    open_section(app, "Terms and provenance")
    rows = frame_with(app, "CLI flag")
    assert list(rows.columns[:4]) == ["input", "value", "changed", "meaning"]  # what an analyst reads first
    shown = dict(zip(rows["CLI flag"], rows["value"]))
    # defaults from the brief: $1.89 flat, stock-sale and put factors 1, 20% call cushion, pro rata holders
    assert shown["--price"] == "$1.89"  # to the cent, not "$1.8900"
    assert shown["--annual-drift"] == "0% a year"  # not "0.0"
    assert shown["--sale-factor"] == shown["--put-factor"] == "1"
    assert shown["--call-trigger-pct"] == "20%"
    assert shown["--holder-basis"] == "pro rata"
    assert shown["--conversion-date"] == "empty"
    assert shown["--base-shares"] == "3,607,381,493"


def test_terms_tables_fit_1024_px_and_wrap_review_item_4(app):
    """At 1024 px the main column is about 560 px: term, value and source (and the inputs' lead columns) have
    fixed widths within it, and rows are tall enough (> 4rem = 64 px) for Streamlit to wrap text."""
    main_px = 560
    assert sum(terms_view.SOURCE_CONFIG[c]["width"] for c in ("term", "value", "source")) <= main_px
    lead = ("input", "value", "changed", "meaning")
    assert sum(terms_view.INPUTS_CONFIG[c]["width"] for c in lead) <= main_px
    assert terms_view.WRAP_ROW_PX > 64


def test_holder_lead_columns_fit_1024_px_review_item_4():
    config = tables.holder_column_config()
    lead = [c for c in HOLDER_LEAD if c in config]
    assert lead[:3] == ["name", "pro_forma_pct", "pro_forma_shares"]
    # issue 21: the name column is wide enough for the names (a 60-character name whole), and the three key columns
    # fit the main area at 1440 without a horizontal scroll (tests/test_browser.py measures both in chromium)
    assert config["name"]["width"] >= 440
    assert sum(config[c]["width"] for c in lead[:3]) <= 700
    assert config["pro_forma_shares"]["label"] == "Pro forma common"


def test_holder_basis_reads_as_words_and_keeps_its_value_review_item_5(app):
    open_section(app, "Holders")
    assert "pro rata" in app.sidebar.selectbox(key="param_holder_basis").options
    assert app.sidebar.selectbox(key="param_holder_basis").value == "pro_rata"
    radio = app.radio(key="holder_basis_switch")
    assert radio.options == ["registered", "pro rata"] and radio.value == "pro_rata"
    assert not any("pro_rata" in i.value for i in app.info)


def test_monte_carlo_sources_are_labelled_in_words_review_item_5():
    raw = pd.DataFrame(
        {"mean": [2.4, 0.0], "p5": [1, 0], "p50": [2, 0], "p95": [3, 0]}, index=["dividend_shares", "redemption_shares"]
    )
    rows = montecarlo_view.source_rows(raw)
    assert rows["source"].tolist() == ["New from dividends", "New from redemption"]
    assert rows["mean"].tolist() == [2.0, 0.0]
    config = montecarlo_view.source_config(rows)
    assert [config[c]["label"] for c in ("mean", "p5", "p50", "p95")] == ["Mean", "5th pct.", "Median", "95th pct."]


def test_saved_scenarios_name_no_server_path_outside_the_tooltip_review_item_11(app, tmp_path):
    open_section(app, "Saved scenarios")
    captions = " ".join(c.value for c in app.caption)
    assert "saved on the server" in captions and str(tmp_path) not in captions
    assert any(safe.text(str(tmp_path)) in (c.help or "") for c in app.caption)


def test_fair_value_section_shows_the_lattice_value(app):
    """Issue 23: the "Fair value" section values the preferred at the sidebar's price, date and policies (calc
    .valuation) and draws the value against the price."""
    open_section(app, "Fair value")
    assert not app.exception and not app.error
    params = default_params()
    expected = value_preferred(
        params.price,
        volatility_rate=0.6,
        risk_free_rate=0.03,
        spread_rate=0.1,
        steps=800,
        valuation_date=params.valuation_date,
        policy=ValuationPolicy.from_params(params),
        terms=load_terms(),
    )
    assert metric(app, "Per preferred share") == usd(expected.value_usd[0])
    assert metric(app, "Bond floor") == usd(expected.bond_floor_usd[0])
    assert "Fair value of one preferred share against the common price" in charts(app)
    app.number_input(key="fv_spread").set_value(0.5)
    app.run()
    lower = value_preferred(
        params.price,
        volatility_rate=0.6,
        risk_free_rate=0.03,
        spread_rate=0.5,
        steps=800,
        valuation_date=params.valuation_date,
        policy=ValuationPolicy.from_params(params),
        terms=load_terms(),
    )
    assert metric(app, "Per preferred share") == usd(lower.value_usd[0])


def test_a_cleared_base_shares_box_shows_the_default_it_stands_for(tmp_path, monkeypatch):
    """The base-shares box became a text box this session (to show separators); cleared, it computed with the
    default while showing nothing. It now shows the default (3,607,381,493, the filing's count) it stands for."""
    app = started_app(tmp_path, monkeypatch)
    box = app.sidebar.text_input(key="param_base_shares")
    box.set_value("").run()
    assert not app.exception and not app.error
    assert app.sidebar.text_input(key="param_base_shares").value == "3,607,381,493"
