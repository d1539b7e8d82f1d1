"""The HTML report (``calc report``, ``calc.report``) in Debian chromium with the network refused:
its charts render offline, its numbers equal ``scenario --json``, user text stays text, it prints."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from calc.params import default_params
from calc.record import inputs_record
from calc.report import report_html
from calc.scenario import SUMMARY_KEYS, run_scenario
from calc.sensitivity import price_grid, price_sensitivity
from calc.terms import load_terms
from dashboard.figures import all_figures
from tests.conftest import run_cli
from tests.hostile import HOSTILE_NAMES
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

SCENARIO = ["--price", "7", "--dividend-policy", "accrue", "--horizon", "2006-08-01"]
INJECTIONS = ("<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">')

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    return context, page, outside


def test_report_renders_offline_and_matches_scenario_json(browser, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("report", *SCENARIO, "--out", str(out))
    assert result.returncode == 0, result.stderr
    expected = json.loads(run_cli("scenario", *SCENARIO, "--json").stdout)
    context, page, outside = _open(browser, out)
    try:
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
        charts = page.eval_on_selector_all(".js-plotly-plot", "els => els.map(e => e.querySelectorAll('svg').length)")
        assert len(charts) == 3 and all(n > 0 for n in charts)
        assert page.locator("#chart-2 .bars path").count() >= 15  # the concentration chart's bars
        cells = page.eval_on_selector_all("td[data-key]", "els => els.map(e => [e.dataset.key, e.dataset.value, "
                                          "e.textContent])")
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
        body = page.inner_text("body")
        # accrue at $7: the LP accretes 4% a semiannual period, 8 periods to 2006-08-01 (SUPP p. 11, footnote 3)
        assert "In plain words" in body and "$1,368.57 per share" in body
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report_1024.png"), full_page=False)
        page.emulate_media(media="print")
        assert page.eval_on_selector(".modebar-container", "e => getComputedStyle(e).display") == "none"
        assert page.pdf(format="A4")[:4] == b"%PDF"
    finally:
        context.close()
    assert outside == []


def test_user_text_is_escaped(browser, tmp_path):
    params, terms = default_params(), load_terms()
    result = run_scenario(params, terms)
    hostile = (*HOSTILE_NAMES, *INJECTIONS)
    order = result.holders["pro_forma_pct"].rank(method="first", ascending=False).astype(int) - 1
    names = [hostile[i] if i < len(hostile) else n for i, n in zip(order, result.holders["name"])]
    result = dataclasses.replace(result, holders=result.holders.assign(name=names))
    sensitivity = price_sensitivity(params, price_grid(), terms)
    figures = all_figures(result.timeline, sensitivity, result.holders, params.base_shares,
                          terms.market.authorized_common_shares, 5.94, params.price)
    record = inputs_record("test", {"file": INJECTIONS[0]}, params)
    out = tmp_path / "hostile.html"
    out.write_text(report_html(params, result, figures, terms, record), encoding="utf-8")
    assert not re.search(r"<script>window.__pwned|<img src=x", out.read_text(encoding="utf-8"))
    context, page, outside = _open(browser, out)
    try:
        assert page.evaluate("window.__pwned") is None
        table = page.inner_text("table:below(h2:has-text('Largest holders'))")
        for name in hostile:
            assert name in table
        assert page.inner_text("body").count(INJECTIONS[0]) >= 2  # holders table, run record
    finally:
        context.close()
    assert outside == []
