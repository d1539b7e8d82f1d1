"""The dashboard in a real browser: Debian chromium driven by playwright against ``streamlit run app.py``.

Needs /usr/bin/chromium (``make test`` installs it through the Makefile's ``chromium`` target);
playwright's own browser download is never used. Screenshots go to ``artifacts/`` (gitignored).
"""

from __future__ import annotations

import dataclasses
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from calc.params import default_params
from calc.scenario import run_scenario
from dashboard.narrative import shares
from dashboard.tables import holder_view
from tests.helpers import HOSTILE_NAMES, ROOT, hostile_register

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_S = 90
WAIT_MS = 60_000
CHART_TITLES = {
    "Share issuance": "Lucent common shares outstanding after each event",
    "Price sensitivity": "Price sensitivity",
    "Holders": "Holder concentration",
    "Monte Carlo": "Monte Carlo: total common shares outstanding",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium (run `make chromium` as root)"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` headless on a free local port; yields the base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = dict(os.environ, LUCENT_SCENARIO_DB=str(log.parent / "scenarios.sqlite3"), PYTHONPATH=str(ROOT))
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy on port {port}:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 2400}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run (the status widget shows 'Running' meanwhile)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=WAIT_MS)


def metric(page, label: str) -> str:
    box = page.locator(
        '[data-testid="stMetric"]', has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    ).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def metric_labels_cut(page) -> list[str]:
    """Headline metric labels whose text overflows its box (shown with an ellipsis)."""
    return page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
        .filter(label => [label, ...label.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
        .map(label => label.innerText)""")


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    wait_idle(page)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_page_shows_metrics_and_all_four_charts(page):
    summary = run_scenario(default_params()).summary
    assert metric(page, "New shares") == shares(summary["new_shares"])
    assert metric(page, "As-converted today") == "317,340,127"
    assert metric(page, "Total outstanding") == shares(summary["total_shares"])
    assert page.get_by_text("In plain words.").is_visible()
    assert metric_labels_cut(page) == []
    for tab, title in CHART_TITLES.items():
        open_tab(page, tab)
        chart = page.locator(".js-plotly-plot", has_text=title).first
        chart.wait_for(state="visible", timeout=WAIT_MS)
        assert chart.locator(".main-svg").first.bounding_box()["height"] > 200, tab
        assert (
            chart.locator(".modebar-btn[data-title*='png']").count() == 1 or chart.locator(".modebar-btn").count() > 0
        )
    no_exception(page)
    open_tab(page, "Share issuance")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def test_changing_an_input_updates_a_metric(page):
    before = metric(page, "New shares")
    field = page.locator(".st-key-param_price input")
    field.fill("3.25")
    field.press("Enter")
    wanted = shares(run_scenario(dataclasses.replace(default_params(), price=3.25)).summary["new_shares"])
    assert wanted != before
    page.locator('[data-testid="stMetricValue"]', has_text=wanted).first.wait_for(timeout=WAIT_MS)
    assert metric(page, "New shares") == wanted
    no_exception(page)


def test_holder_table_download_parses_back(page):
    open_tab(page, "Holders")
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="Download holder table (CSV)").click()
    download = info.value
    raw = Path(download.path()).read_bytes()
    assert download.suggested_filename == "lucent_holders.csv"
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    got = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    want = holder_view(run_scenario(default_params()).holders)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    assert got["name"].tolist() == want["name"].tolist()
    for column in ("registered_preferred_shares", "basis_preferred_shares", "pro_forma_shares"):
        assert got[column].tolist() == want[column].tolist(), column
    assert got["pro_forma_pct"].tolist() == want["pro_forma_pct"].round(6).tolist()  # CSV: 6 decimals


def test_invalid_upload_shows_its_errors_and_keeps_data(page):
    before = metric(page, "New shares")
    open_tab(page, "Holders")
    page.get_by_text("Upload or edit holdings").click()
    bad = b"name,preferred_shares,common_owned_prior\nGood Fund,100,0\n,abc,0\nOther Fund,-5,x\n"
    page.locator(".st-key-register_upload input[type=file]").set_input_files(
        {"name": "bad_register.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_text("bad_register.csv rejected").first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    errors = page.locator(".st-key-upload_problems")
    errors.wait_for(timeout=WAIT_MS)
    listed = errors.inner_text()
    for expected in (
        "name",
        "preferred_shares",
        "common_owned_prior",
        "must be a whole number",
        "holder name must not be empty",
        "'abc'",
        "'-5'",
        "'x'",
    ):
        assert expected in listed, expected
    assert "3" in listed and "4" in listed  # CSV lines of the bad rows (line 1 = header)
    text = page.locator('[data-testid="stExpander"]', has_text="Upload or edit holdings").inner_text()
    assert "previous holder data is still in use" in text
    assert metric(page, "New shares") == before
    assert page.get_by_text("Selling Securityholders table, prospectus supplement").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    errors.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard_invalid_upload.png"))
    no_exception(page)
    # a valid file in the register's format replaces the holder data
    good = (ROOT / "data" / "register.csv").read_text(encoding="utf-8").splitlines()[:11]
    page.locator(".st-key-register_upload input[type=file]").set_input_files(
        {"name": "ten_holders.csv", "mimeType": "text/csv", "buffer": "\n".join(good).encode()}
    )
    page.get_by_text("Loaded ten_holders.csv: 10 holders.").first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    assert page.get_by_text("uploaded file ten_holders.csv").first.is_visible()
    no_exception(page)


def shown_text(locator) -> str:
    """Rendered text without the invisible word joiners ``dashboard.safe.text`` puts into bare URLs."""
    return locator.inner_text().replace("\u2060", "")


def hostile_markup(page) -> dict[str, list[str]]:
    """Elements that would mean a hostile name was rendered as markup rather than text."""
    return page.evaluate("""() => ({
        img: [...document.querySelectorAll('img')].map(e => e.src).filter(s => s.includes('evil')),
        links: [...document.querySelectorAll('a')].map(e => e.href).filter(s => s.includes('evil')),
        bold: [...document.querySelectorAll('strong, b')].map(e => e.innerText).filter(t => t === 'bold'),
        code: [...document.querySelectorAll('code')].map(e => e.innerText).filter(t => t === 'code'),
    })""")


def test_hostile_names_show_as_text_and_fetch_nothing_issue_9_item_8(page):
    """Issue 9 item 8: ``![p](https://evil.example/x.png)`` as a holder name, upload file name or saved scenario
    name became an image the browser fetched. Now every such name is shown literally: no <img>, no link, no
    emphasis or code from it, and no request to evil.example (requests there are also blocked, to be safe)."""
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.context.route("**/*evil.example*/**", lambda route: route.abort())
    file_name = "![f](https://evil.example/f.png).csv"
    open_tab(page, "Holders")
    page.get_by_text("Upload or edit holdings").click()
    page.locator(".st-key-register_upload input[type=file]").set_input_files(
        {"name": file_name, "mimeType": "text/csv", "buffer": hostile_register()}
    )
    page.get_by_text(": 15 holders.").first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    assert f"Loaded {file_name}: 15 holders." in shown_text(page.locator("body"))
    plain = shown_text(page.locator('[data-testid="stMarkdown"]', has_text="In plain words").first)
    for name in HOSTILE_NAMES:
        assert name in plain, name
    open_tab(page, "Saved scenarios")
    field = page.locator(".st-key-save_name input")
    for name in HOSTILE_NAMES[:3]:
        field.fill(name)
        field.press("Enter")
        wait_idle(page)
        page.locator(".st-key-save_scenario button").click()
        page.get_by_text("Saved '").first.wait_for(timeout=WAIT_MS)
        wait_idle(page)
        assert f"Saved '{name}'." in shown_text(page.locator("body"))
    assert page.locator(".st-key-saved_pick input").input_value() == HOSTILE_NAMES[0]  # option shown as typed
    field.fill(HOSTILE_NAMES[2] + " ")  # the last name again: the "already saved" warning and overwrite label
    field.press("Enter")
    page.locator(".st-key-save_overwrite").wait_for(timeout=WAIT_MS)
    wait_idle(page)
    text = shown_text(page.locator("body"))
    for words in (
        f"Overwrite the saved scenario '{HOSTILE_NAMES[2]}'",
        f"A scenario named '{HOSTILE_NAMES[2]}' is already saved",
        f"Confirm: delete '{HOSTILE_NAMES[0]}'",
    ):
        assert words in text, words
    no_exception(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard_hostile_names.png"), full_page=True)
    assert hostile_markup(page) == {"img": [], "links": [], "bold": [], "code": []}
    assert [url for url in requests if "evil.example" in url] == []
