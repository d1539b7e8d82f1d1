"""The HTML report (``calc report``, ``calc.outputs.report``) in Debian chromium with the network refused:
its charts render offline, its numbers equal ``scenario --json``, user text stays text, it prints."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.scenario import SUMMARY_KEYS, run_scenario
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.outputs.record import inputs_record
from calc.outputs.report import report_html
from charts.figures import scenario_figures
from tests.browser import ARTIFACTS, CHROMIUM, WAIT_MS
from tests.helpers import HOSTILE_NAMES, run_cli, summary_figures

SCENARIO = ["--price", "7", "--dividend-policy", "accrue", "--horizon", "2006-08-01"]
INJECTIONS = ("<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">')

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker: one dashboard server and one chromium
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


def _open(browser, path: Path):
    """A page on ``path`` with every request other than the file itself recorded and refused."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    outside: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    view = context.new_page()
    view.goto(path.as_uri())
    view.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    return context, view, outside


def test_report_renders_offline_and_matches_scenario_json(browser, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("report", *SCENARIO, "--out", str(out))
    assert result.returncode == 0, result.stderr
    expected = json.loads(run_cli("scenario", *SCENARIO, "--json").stdout)
    context, view, outside = _open(browser, out)
    try:
        view.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
        charts = view.eval_on_selector_all(".js-plotly-plot", "els => els.map(e => e.querySelectorAll('svg').length)")
        assert len(charts) == 3 and all(n > 0 for n in charts)
        assert view.locator("#chart-2 .bars path").count() >= 15  # the concentration chart's bars
        cells = view.eval_on_selector_all(
            "td[data-key]", "els => els.map(e => [e.dataset.key, e.dataset.value, e.textContent])"
        )
        assert [key for key, _, _ in cells] == list(SUMMARY_KEYS)
        for key, value, text in cells:
            assert json.loads(value) == expected[key], key
            if isinstance(expected[key], bool):
                assert text == ("yes" if expected[key] else "no")
            elif key.endswith("_pct"):
                assert text == f"{expected[key]:.2f}%"
            elif key.endswith("_usd"):
                assert text == f"${expected[key]:,.2f}"
            else:
                assert int(text.replace(",", "")) == expected[key], key
        labels = view.eval_on_selector_all("table.headline th", "els => els.map(e => e.textContent)")
        assert labels[0] == "New shares from dividends paid in stock" and not any("_" in t for t in labels)
        inputs = view.inner_text("table:below(h2:has-text('Inputs'))")
        for shown in ("3,607,381,493", "7.00", "\tyes\t", "\tno\t", "none"):
            assert shown in inputs, shown
        assert not re.search(r"\b(True|False|None|3607381493|1\.0)\b", inputs)
        sources = view.inner_text("table:below(h2:has-text('Sources and assumptions'))")
        assert "1,885,000" in sources and "True" not in sources
        body = view.inner_text("body")
        assert not re.search(r"\w \.(?!\.)", body)  # no space before a full stop ("997,354,498 new shares .")
        # accrue at $7: the LP accretes 4% a semiannual period, 8 periods to 2006-08-01 (SUPP p. 11, footnote 3)
        assert "In plain words" in body and "$1,368.57 per share" in body
        ARTIFACTS.mkdir(exist_ok=True)
        view.screenshot(path=str(ARTIFACTS / "report_1024.png"), full_page=False)
        view.emulate_media(media="print")
        assert view.eval_on_selector(".modebar-container", "e => getComputedStyle(e).display") == "none"
        assert view.pdf(format="A4")[:4] == b"%PDF"
    finally:
        context.close()
    assert outside == []


def test_user_text_is_escaped(browser, tmp_path):
    params, terms = default_params(), load_terms()
    result = run_scenario(params, terms, book=default_book(), caps=load_caps())
    hostile = (*HOSTILE_NAMES, *INJECTIONS)
    order = result.holders["pro_forma_pct"].rank(method="first", ascending=False).astype(int) - 1
    names = [hostile[i] if i < len(hostile) else n for i, n in zip(order, result.holders["name"])]
    result = dataclasses.replace(result, holders=result.holders.assign(name=names))
    sensitivity = price_sensitivity(params, price_grid(), terms, book=default_book(), caps=load_caps())
    figures = scenario_figures(result, sensitivity, terms.market.authorized_common_shares)
    record = inputs_record("test", {"file": INJECTIONS[0]}, params)
    out = tmp_path / "hostile.html"
    out.write_text(report_html(params, result, figures, terms, record), encoding="utf-8")
    assert not re.search(r"<script>window.__pwned|<img src=x", out.read_text(encoding="utf-8"))
    context, view, outside = _open(browser, out)
    try:
        assert view.evaluate("window.__pwned") is None
        table = view.inner_text("table:below(h2:has-text('Largest holders'))")
        for name in hostile:
            assert name in table
        assert view.inner_text("body").count(INJECTIONS[0]) >= 2  # holders table, run record
    finally:
        context.close()
    assert outside == []


def test_dashboard_downloads_the_workbook_and_the_report(page):
    """The two buttons under "In plain words" (dashboard/exports_view.py), default scenario."""
    expected = json.loads(run_cli("scenario", "--json").stdout)
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="Download workbook (Excel)").click()
    workbook = info.value
    assert re.fullmatch(r"lucent_scenario_[0-9a-f]{8}\.xlsx", workbook.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(Path(workbook.path()).read_bytes()))["Summary"]
    got = summary_figures(sheet)  # each key figure's label, its value beside it
    assert got["new_shares"] == expected["new_shares"] == 1_156_931_218  # 159,576,720 dividend + 997,354,498 put
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="Download report (HTML)").click()
    report = info.value
    assert report.suggested_filename == workbook.suggested_filename.replace("scenario", "report").replace(
        ".xlsx", ".html"
    )
    assert 'data-key="new_shares" data-value="1156931218"' in Path(report.path()).read_text(encoding="utf-8")
