"""Issue 13 in the dashboard (AppTest): the All securities section shows the stack, the fully diluted
count, the EPS table and the savings plan holders, and reacts to its policies and Monte Carlo."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from calc.inputs.data import default_book, load_caps
from calc.inputs.instruments_toml import load_registry
from calc.inputs.params import parse_params
from calc.model.securities import CHOICES, bridge_rows, instrument_rows, measures, run_dilution, setup, totals
from charts.figures import MARGIN_LEGEND_BELOW
from dashboard.formatting import pct
from dashboard.securities_view import ILLUSTRATIVE_KEY, POLICY_INPUTS, POLICY_LABELS
from tests.helpers import APP_TIMEOUT as TIMEOUT
from tests.helpers import metric, open_section, started_app


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    at = started_app(tmp_path, monkeypatch)
    open_section(at, "All securities")
    return at


def test_all_securities_section_default_scenario(app):
    assert not app.exception
    assert not [e.value for e in app.error]
    expected = totals(
        run_dilution(setup(parse_params(), registry=load_registry(), book=default_book(), caps=load_caps()))
    )
    assert metric(app, "Fully diluted") == f"{expected['fully_diluted_shares']:,}"
    frames = [d.value for d in app.dataframe]
    table = next(f for f in frames if "potential_shares" in f.columns)
    assert list(table["id"]) == [
        r["id"]
        for r in instrument_rows(
            run_dilution(setup(parse_params(), registry=load_registry(), book=default_book(), caps=load_caps()))
        )
    ]
    eps = next(
        f
        for f in frames
        if "incremental_eps_usd" in f.columns and "7.75% convertible trust preferred" in set(f["step"])
    )
    assert set(table["name"]) - {"employee savings plans (Group Trust, Lucent stock funds)"} <= set(eps["step"])
    holders = next(f for f in frames if "shares_derived" in f.columns)
    assert holders["shares_derived"].iloc[0] == 159_273_809
    titles = [c.proto.spec for c in app.get("plotly_chart")]
    assert any("Dilution stack by instrument over time" in t for t in titles)
    assert any("against the common price" in t for t in titles)


def test_policy_and_monte_carlo_controls(app):
    app.selectbox(key="dilution_policy_savings_plan_ltssp_match").set_value("new_stock").run(timeout=TIMEOUT)
    assert not app.exception
    table = next(d.value for d in app.dataframe if "potential_shares" in d.value.columns)
    assert table.set_index("id").loc["savings_plan_ltssp", "issued_shares"] > 0
    app.checkbox(key="dilution_mc").check().run(timeout=TIMEOUT)
    app.number_input(key="dilution_paths").set_value(200).run(timeout=TIMEOUT)
    assert not app.exception
    assert metric(app, "Fully diluted, median")


def test_policy_selectors_read_as_words_with_the_cli_item_in_the_help(app):
    """Every selector names the security and the policy in words and every choice has a label (no raw field or
    enum names on screen); the help gives the CLI's ``--policy ID.FIELD=VALUE``."""
    for iid, field in POLICY_INPUTS:
        assert set(POLICY_LABELS[field][1]) == set(CHOICES[field]), field
        box = app.selectbox(key=f"dilution_policy_{iid}_{field}")
        assert "_" not in box.label and f"--policy {iid}.{field}=" in (box.help or ""), box.label
        assert all("_" not in option for option in box.options), box.options


def test_stack_charts_full_width_legend_below_and_price_ticks_review_round_5_item_1(app):
    """Both stack charts put the legend under the plot (as every other chart) and the price chart labels its log
    axis in full, to the cent (no crowded minor labels "5 1 2 5 10 2"; issue 21: one format, "$0.50" not "$0.5")."""
    figs = {
        json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec) for c in app.get("plotly_chart")
    }
    stacks = [f["layout"] for title, f in figs.items() if title.startswith("Dilution stack")]
    assert len(stacks) == 2
    for layout in stacks:
        assert layout["legend"]["orientation"] == "h" and layout["legend"]["yref"] == "container"
        assert layout["legend"]["y"] == 0 and layout["margin"]["b"] >= MARGIN_LEGEND_BELOW["b"]
    price = next(f["layout"]["xaxis"] for t, f in figs.items() if "against the common price" in t)
    assert price["type"] == "log" and price["ticktext"] == ["$0.50", "$1.00", "$2.00", "$5.00", "$10.00", "$20.00"]


def test_tables_read_as_words_key_columns_first_review_round_5_item_1(app):
    """Instrument table: name first (pinned), then issued + potential and its share of fully diluted; ids last.
    EPS table: the step, whether it is included and what it adds first. Headers are words, counts localized."""
    tables = {tuple(d.value.columns[:3]): d for d in app.dataframe}
    instruments = tables[("name", "issued_and_potential_shares", "pct_of_fully_diluted")]
    assert list(instruments.value.columns[-1:]) == ["id"]
    eps = tables[("step", "included", "incremental_shares")]
    holders = tables[("fund", "shares_derived", "pct_of_base_shares")]
    for table in (instruments, eps, holders):
        config = {k: v for k, v in json.loads(table.proto.columns).items() if k != "_index"}
        heads = [c["label"] for c in config.values()]
        assert all("_" not in h for h in heads), heads
        assert config[str(table.value.columns[0])]["pinned"]
    config = json.loads(instruments.proto.columns)
    assert config["issued_shares"]["type_config"]["format"] == "%,d"  # whole shares with separators
    assert config["pct_of_fully_diluted"]["type_config"]["format"] == "%,.2f%%"
    assert "_" not in "".join(instruments.value["kind"])
    assert "= $1,000,000,000" in [c.value for c in app.caption]


def test_three_measures_side_by_side_bridge_and_illustrative_checkbox(app):
    """The measures from calc.model.measures in metric boxes, the bridge table closing on the fully diluted count and
    its waterfall; illustrative grants left out until the checkbox counts them (their selector disabled)."""
    for include in (False, True):
        if include:
            app.checkbox(key=ILLUSTRATIVE_KEY).check().run(timeout=TIMEOUT)
        assert not app.exception and not [e.value for e in app.error]
        result = run_dilution(
            setup(
                parse_params(),
                include_illustrative=include,
                registry=load_registry(),
                book=default_book(),
                caps=load_caps(),
            )
        )
        named = measures(result).as_dict()
        assert metric(app, "Fully diluted") == f"{named['fully_diluted_shares']:,}"
        assert metric(app, "Outstanding, all sources") == f"{named['outstanding_shares']:,}"
        assert metric(app, "New shares % of outstanding") == pct(named["new_shares_pct_of_outstanding"])
        assert metric(app, "Fully diluted %") == pct(named["fully_diluted_pct"])
        assert metric(app, "Increase over base") == pct(named["increase_over_base_pct"])
        bridge = next(d.value for d in app.dataframe if "running_total_shares" in d.value.columns)
        assert list(bridge["running_total_shares"]) == [r["running_total_shares"] for r in bridge_rows(result)]
        assert bridge["running_total_shares"].iloc[-1] == named["fully_diluted_shares"]
        assert app.selectbox(key="dilution_policy_options_illustrative_exercise").disabled is not include
        assert any("Left out (illustrative)" in c.value for c in app.caption) is not include
    assert any('"waterfall"' in c.proto.spec for c in app.get("plotly_chart"))


def test_issue20_item16_every_number_widget_has_the_calc_bounds(app):
    """A net income of 1e16 used to reach calc and show an "unexpected InputError" box: the widgets now take
    their bounds from calc (the CLI's flags have the same)."""
    from calc.model.inputs_registry import NET_INCOME

    income = app.number_input(key="dilution_net_income")
    assert (income.min, income.max) == tuple(map(float, NET_INCOME.bounds))
    income.set_value(float(NET_INCOME.bounds[1])).run(timeout=TIMEOUT)
    assert not app.exception and not app.error
