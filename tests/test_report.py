"""The HTML report for a CFO (``calc report``, ``calc.outputs.report``), in Debian chromium with the network
refused: the answer first and equal to ``scenario --json``, no internal words, at most 1.5 MB, every user text
escaped, at most 6 printed pages (letter and A4), and the dashboard's download is the same report.

Golden figures (default scenario; from the filing and independent arithmetic, as ``tests/test_issuance_sources.py``
derives them): 159,576,720 new shares from four semiannual stock dividends and 997,354,498 from the Aug 2, 2004 put
settled in stock at $1.89, 1,156,931,218 in all (1.16 billion); 3,607,381,493 base shares + 1,156,931,218 =
4,764,312,711 at the horizon; 1,156,931,218 / 4,764,312,711 = 24.28 %."""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.params import SPECS
from calc.model.scenario import SUMMARY_KEYS, run_scenario
from calc.model.sensitivity import price_grid, price_sensitivity
from calc.outputs.citations import citation
from calc.outputs.record import inputs_record
from calc.outputs.report import charts_html, report_html
from calc.outputs.static_charts import ChartsUnavailable
from charts.figures import scenario_figures
from tests.browser import ARTIFACTS, CHROMIUM, WAIT_MS
from tests.helpers import HOSTILE_NAMES, run_cli, summary_figures

SCENARIO = ["--price", "7", "--dividend-policy", "accrue", "--horizon", "2006-08-01"]
CHANGED = ["--price", "2.5", "--annual-drift", "0.05", "--holder-basis", "registered", "--cash-put-allowed", "yes"]
SCENARIOS = {"default": [], "accrue": SCENARIO, "changed": CHANGED}
INJECTIONS = ("<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">')
MAX_BYTES = 1_500_000
MAX_PAGES = 6
ANSWER = (
    "1.16 billion new common shares by Aug 2, 2004, 24.28% of the total, mostly from puts and redemption settled in "
    "stock at $1.89."
)
# Words a CFO must not read: Python's constants, internal shorthand of the terms file, file paths, raw ISO times,
# and the inputs' code names (those with an underscore; "price", "put", "call" are words).
FORBIDDEN_WORDS = re.compile(r"\b(None|True|False|nan|NaN)\b")
FORBIDDEN_TEXT = ("brief:", "BASE", "SUPP", "data/", ".toml", "README", "(issue", "per issue")
ISSUE_NUMBER = re.compile(r"\bissues? \d+")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT")
CODE_NAMES = tuple(spec.name for spec in SPECS if "_" in spec.name)

BROWSER = (
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker: one dashboard server and one chromium
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
)


def browser_test(test):
    """The browser marks (the reports' static charts are drawn by chromium too)."""
    for mark in BROWSER:
        test = mark(test)
    return test


def visible_text(page: str) -> str:
    """What a reader sees: the page without its style and scripts, tags stripped, entities read."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Each scenario's report (written by the CLI) and its ``scenario --json`` figures."""
    out = tmp_path_factory.mktemp("reports")
    made = {}
    for name, argv in SCENARIOS.items():
        path = out / f"{name}.html"
        result = run_cli("report", *argv, "--out", str(path))
        assert result.returncode == 0 and result.stderr == "", result.stderr
        made[name] = (path, json.loads(run_cli("scenario", *argv, "--json").stdout))
    return made


def _open(browser, path: Path, width: int = 1024, height: int = 768):
    """A page on ``path`` with every request other than the file itself recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": height})
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
    return context, view, outside


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.mark.parametrize("name", SCENARIOS)
@browser_test
def test_report_is_small_and_has_no_internal_words(reports, name):
    """Issue 21: 4.9 MB before (plotly.js inline); static SVG charts now. No code names, paths or shorthand."""
    path, _ = reports[name]
    page = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= MAX_BYTES, path.stat().st_size
    assert page.count('<svg class="main-svg"') >= 4 and "Plotly.newPlot" not in page  # four static charts
    text = visible_text(page)
    assert not FORBIDDEN_WORDS.search(text), FORBIDDEN_WORDS.search(text)
    for word in FORBIDDEN_TEXT:
        assert word not in text, word
    assert not ISSUE_NUMBER.search(text) and not ISO_TIME.search(text)
    for code in CODE_NAMES:
        assert code not in text, code
    assert text.count("In plain words") == 1
    assert "rgb(229, 236, 246)" not in page and "rgb(49, 51, 63)" in page  # the template, not plotly's grey


@pytest.mark.parametrize("name", SCENARIOS)
@browser_test
def test_first_screen_answers_then_three_figures_then_the_bridge(reports, name):
    """The first thing after the title is the answer in one sentence; then three key figures equal to the JSON;
    then the bridge: base + each source = total outstanding (the JSON's ``total_shares``)."""
    path, expected = reports[name]
    page = path.read_text(encoding="utf-8")
    body = page[page.index("</header>") :]
    answer = re.search(r'<p class="answer" id="answer">(.*?)</p>', body)
    assert answer and body.index(answer.group(0)) < body.index("key-figures") < body.index('class="bridge')
    assert body.index('class="bridge') < body.index("In plain words")
    sentence = html.unescape(answer.group(1))
    assert sentence.count(". ") == 0 and sentence.endswith(".")
    new, share = expected["new_shares"], expected["dilution_pct"]
    if name == "default":
        assert sentence == ANSWER and new == 1_156_931_218 and f"{share:.2f}" == "24.28"
    if new >= 10**9:
        assert sentence.startswith(f"{new / 1e9:.2f} billion new common shares")
    elif new >= 10**6:
        assert sentence.startswith(f"{new / 1e6:.2f} million new common shares")
    assert f"{share:.2f}% of the total" in sentence
    tiles = re.findall(r'class="key-figure" data-key="(\w+)" data-value="([^"]*)"', body)
    assert [k for k, _ in tiles] == ["new_shares", "dilution_pct", "total_shares"]
    for key, value in tiles:
        assert json.loads(html.unescape(value)) == expected[key], key
    bridge = body[body.index('class="bridge') : body.index("</table>", body.index('class="bridge'))]
    cells = [int(c.replace(",", "")) for c in re.findall(r"<td class=num>([\d,]+)</td>", bridge)]
    base, steps, total = cells[0], cells[1:-1:2], cells[-1]  # base; (new, running) per source; total
    assert base == expected["total_shares"] - expected["new_shares"]
    assert base + sum(steps) == total == expected["total_shares"]
    assert f'data-bridge-total="{expected["total_shares"]}"' in bridge


@browser_test
def test_inputs_by_label_only_those_changed_and_the_record_in_the_appendix(reports):
    page = reports["changed"][0].read_text(encoding="utf-8")
    inputs = visible_text(page[page.index("<h2>Inputs</h2>") : page.index("<h2>Terms")])
    for shown in ("Common price", "$2.50", "$1.89", "Annual price drift", "5.00% a year", "Holder basis", "registered"):
        assert shown in inputs, shown
    assert "pro rata" in inputs and "All other inputs at their defaults" in inputs
    assert "Horizon" not in inputs and "Dividends paid in" not in inputs  # unchanged: not in the body
    appendix = visible_text(page[page.index("Appendix: run record") :])
    assert "Horizon" in appendix and "Aug 2, 2004" in appendix and "Generated" in appendix
    assert "flags" not in appendix and '"2002' not in appendix and "UTC" in appendix
    default = visible_text(reports["default"][0].read_text(encoding="utf-8"))
    assert "All inputs at their defaults" in default


def test_sources_read_as_citations():
    """Every term's source in the report reads as a citation (the rules: tests/test_citations.py)."""
    terms = load_terms()
    for field in terms.provenance:
        text = citation(terms.source(field))
        assert not any(word in text for word in FORBIDDEN_TEXT) and not ISSUE_NUMBER.search(text), text


def test_without_a_browser_the_charts_fall_back_to_interactive(monkeypatch, tmp_path):
    """A machine without Chrome/Chromium (a dashboard-only install): the report still works, offline, with
    plotly.js inline; asked for static charts it says why not (no browser needed for this test)."""
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-browser"))
    params, terms = default_params(), load_terms()
    result = run_scenario(params, terms, book=default_book(), caps=load_caps())
    sensitivity = price_sensitivity(params, price_grid(), terms, book=default_book(), caps=load_caps())
    figures = scenario_figures(result, sensitivity, terms.market.authorized_common_shares)
    with pytest.raises(ChartsUnavailable, match="Chromium"):
        charts_html(figures, static=True)
    charts = charts_html(figures)
    assert not charts.static and charts.html.count("Plotly.newPlot") == 4
    page = report_html(params, result, charts, terms, inputs_record("test", {}, params))
    assert ANSWER in page and "Interactive charts" in page


@pytest.mark.parametrize("name", SCENARIOS)
@browser_test
def test_report_renders_offline_and_prints_to_at_most_six_pages(browser, reports, name):
    path, expected = reports[name]
    context, view, outside = _open(browser, path)
    try:
        assert view.locator("svg.main-svg").count() >= 4
        assert view.locator("#chart-3 .bars path").count() >= 10  # the concentration chart's bars
        cells = view.eval_on_selector_all(
            "td[data-key]", "els => els.map(e => [e.dataset.key, e.dataset.value, e.textContent])"
        )
        assert sorted(key for key, _, _ in cells) == sorted(SUMMARY_KEYS)  # two columns: read down each
        for key, value, text in cells:
            assert json.loads(value) == expected[key], key
            if isinstance(expected[key], bool):
                assert text == ("yes" if expected[key] else "no")
            elif key.endswith("_pct"):
                assert text == f"{expected[key]:.2f}%"
            elif key.endswith("_usd"):
                assert text.replace(".00", "") == f"${expected[key]:,.2f}".replace(".00", "")
            else:
                assert int(text.replace(",", "")) == expected[key], key
        body = view.inner_text("body")
        assert not re.search(r"\w \.(?!\.)", body)  # no space before a full stop ("997,354,498 new shares .")
        if name == "accrue":  # the LP accretes 4% a semiannual period, 8 periods to 2006-08-01 (SUPP p. 11, fn 3)
            assert "$1,368.57 per share" in body
        view.emulate_media(media="print")
        for paper in ("Letter", "A4"):
            pdf = view.pdf(format=paper, print_background=True)
            assert pdf[:4] == b"%PDF" and _pages(pdf) <= MAX_PAGES, (paper, _pages(pdf))
            if name == "default" and paper == "Letter":
                ARTIFACTS.mkdir(exist_ok=True)
                (ARTIFACTS / "report.pdf").write_bytes(pdf)
        if name == "default":  # the first printed page, as a picture (letter width at 96 px per inch)
            view.set_viewport_size({"width": 816, "height": 1056})
            view.screenshot(path=str(ARTIFACTS / "report_first_page.png"), full_page=False)
    finally:
        context.close()
    assert outside == []


@browser_test
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
        for name in hostile[:10]:  # the ten largest holders are listed
            assert name in table
        assert view.inner_text("body").count(INJECTIONS[0]) >= 2  # holders table, run record
    finally:
        context.close()
    assert outside == []


def _first_part(page: str) -> str:
    """The report up to its appendix, without the run's own id and time and the charts' random ids (plotly names
    each figure's elements with a random 6-hex-digit uid: "clip3f2a1bxy", "trace3f2a1b")."""
    part = page[page.index("</header>") : page.index("Appendix: run record")]
    return re.sub(r"(trace|clip|defs-|topdefs-|legend)[0-9a-f]{6}", r"\1", part)


@browser_test
def test_dashboard_downloads_the_workbook_and_the_same_report(page, reports):
    """The two buttons under "In plain words" (dashboard/exports_view.py), default scenario: the report is the
    one ``calc report`` writes (answer, figures, bridge, words, the same four charts, holders, inputs, terms)."""
    expected = json.loads(run_cli("scenario", "--json").stdout)
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="Download workbook (Excel)").click()
    workbook = info.value
    assert re.fullmatch(r"lucent_scenario_[0-9a-f]{8}\.xlsx", workbook.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(Path(workbook.path()).read_bytes()))["Summary"]
    got = summary_figures(sheet)  # each key figure's label, its value beside it
    assert got["new_shares"] == expected["new_shares"] == 1_156_931_218  # 159,576,720 dividend + 997,354,498 put
    with page.expect_download(timeout=3 * WAIT_MS) as info:
        page.get_by_role("button", name="Download report (HTML)").click()
    report = info.value
    assert report.suggested_filename == workbook.suggested_filename.replace("scenario", "report").replace(
        ".xlsx", ".html"
    )
    downloaded = Path(report.path()).read_text(encoding="utf-8")
    assert 'data-key="new_shares" data-value="1156931218"' in downloaded
    assert _first_part(downloaded) == _first_part(reports["default"][0].read_text(encoding="utf-8"))
