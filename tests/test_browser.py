"""The dashboard in a real browser: Debian chromium driven by playwright against ``streamlit run app.py``.

Needs /usr/bin/chromium (``make test`` installs it through the Makefile's ``chromium`` target);
playwright's own browser download is never used. Screenshots go to ``tests/artifacts/`` (gitignored; CI keeps
the directory as an artifact; the path is printed).
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.columns import HOLDER_COLUMNS, holder_table
from calc.model.scenario import run_scenario
from dashboard.formatting import compact_shares
from dashboard.sections import NAMES
from tests.browser import ARTIFACTS, CHROMIUM, SIZES, WAIT_MS, open_dashboard, wait_idle
from tests.helpers import HOSTILE_NAMES, ROOT, hostile_register

HOLDER_LABELS = {c.name: c.label for c in HOLDER_COLUMNS}
CHART_TITLES = {
    "Share issuance": "Lucent common shares outstanding after each event",
    "Price sensitivity": "Price sensitivity",
    "Holders": "Holder concentration",
    "Monte Carlo": "Monte Carlo: total common shares outstanding",
}

pytestmark = [
    pytest.mark.browser,
    # a real browser against a live server on a shared 2-core machine: a click can land while the page still
    # moves; a failure is retried (twice) before it counts, and a rerun is reported in the summary
    pytest.mark.flaky(reruns=2, reruns_delay=2),
    pytest.mark.xdist_group("browser"),  # one worker: one dashboard server and one chromium
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium (run `make chromium` as root)"
    ),
]


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
    """Choose a section in the selector (only the section in view is rendered)."""
    page.locator(".st-key-section button", has_text=name).first.click()
    wait_idle(page)


CONTENT_HEIGHT_JS = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"


def screenshot(page, name: str, full_page: bool = True) -> None:
    """A PNG in ``ARTIFACTS`` (``name`` may hold a subfolder); ``full_page``: the whole page. Streamlit scrolls
    inside its main area, so
    playwright's own full-page shot is only the window: the window is stretched to the content's height for
    the shot (at most 8,000 px), then put back."""
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    if full_page and size:
        page.set_viewport_size(
            {"width": size["width"], "height": min(8000, max(size["height"], page.evaluate(CONTENT_HEIGHT_JS)))}
        )
        page.wait_for_timeout(300)  # charts redraw at the new size
    page.screenshot(path=str(path))
    if full_page and size:
        page.set_viewport_size(size)
    print(f"screenshot: {path}")


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_page_shows_metrics_and_all_four_charts(page):
    summary = run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps()).summary
    assert metric(page, "New shares") == compact_shares(summary["new_shares"])
    assert metric(page, "As-converted today") == "317.34 M"  # floor(1,885,000 × 168.3502) = 317,340,127
    assert metric(page, "Total outstanding") == compact_shares(summary["total_shares"])
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
    screenshot(page, "dashboard.png")
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def test_changing_an_input_updates_a_metric(page):
    before = metric(page, "New shares")
    field = page.locator(".st-key-param_price input")
    field.fill("3.25")
    field.press("Enter")
    wanted = compact_shares(
        run_scenario(
            dataclasses.replace(default_params(), price=3.25), terms=load_terms(), book=default_book(), caps=load_caps()
        ).summary["new_shares"]
    )
    assert wanted != before
    page.locator('[data-testid="stMetricValue"]', has_text=wanted).first.wait_for(timeout=WAIT_MS)
    assert metric(page, "New shares") == wanted
    no_exception(page)


def test_holder_table_download_parses_back(page):
    open_tab(page, "Holders")
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name=re.compile(r"^All rows \(\d+, CSV\)")).click()
    download = info.value
    raw = Path(download.path()).read_bytes()
    assert re.fullmatch(r"lucent_holders_[0-9a-f]{8}\.csv", download.suggested_filename)  # says which scenario
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    got = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    want = holder_table(
        run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps()).holders
    )
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    assert got["name"].tolist() == want["name"].tolist()
    for column in ("registered_preferred_shares", "basis_preferred_shares", "pro_forma_shares"):
        assert got[column].tolist() == want[column].tolist(), column
    assert got["pro_forma_pct"].tolist() == want["pro_forma_pct"].round(6).tolist()  # 6 decimals, fixed notation
    # the search narrows the table; "shown rows" downloads what is shown
    field = page.locator(".st-key-holder_search input")
    field.fill("lehman")
    field.press("Enter")
    wait_idle(page)
    narrowed = page.get_by_role("button", name=re.compile(rf"^Shown rows \((?!{len(want)},)\d+, CSV\)"))
    narrowed.wait_for(timeout=WAIT_MS)  # the search has rerun the section: the button holds the narrowed rows
    wait_idle(page)
    with page.expect_download(timeout=WAIT_MS) as info:
        narrowed.click()
    shown = pd.read_csv(info.value.path(), encoding="utf-8-sig", keep_default_na=False)
    assert 0 < len(shown) < len(want) and all("lehman" in n.lower() for n in shown["name"])


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
    errors.get_by_text("must be a whole number").first.wait_for(timeout=WAIT_MS)  # the table drawn, not only its box
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
    assert f"New shares {before}" in page.locator(".st-key-headline_strip").inner_text()  # the one-line headline
    assert page.get_by_text("Selling Securityholders table, prospectus supplement").first.is_visible()
    errors.scroll_into_view_if_needed()
    screenshot(page, "dashboard_invalid_upload.png", full_page=False)
    no_exception(page)
    # a valid file in the register's format replaces the holder data
    good = (ROOT / "data" / "register.csv").read_text(encoding="utf-8").splitlines()[:11]
    page.locator(".st-key-register_upload input[type=file]").set_input_files(
        {"name": "ten_holders.csv", "mimeType": "text/csv", "buffer": "\n".join(good).encode()}
    )
    page.get_by_text("Loaded ten_holders.csv: 10 holders").first.wait_for(timeout=WAIT_MS)
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
    page.on("request", lambda request: requests.append(request.url))
    page.route("**/*evil.example*/**", lambda route: route.abort())
    file_name = "![f](https://evil.example/f.png).csv"
    open_tab(page, "Holders")
    page.get_by_text("Upload or edit holdings").click()
    page.locator(".st-key-register_upload input[type=file]").set_input_files(
        {"name": file_name, "mimeType": "text/csv", "buffer": hostile_register()}
    )
    page.get_by_text(": 15 holders").first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    assert f"Loaded {file_name}: 15 holders" in shown_text(page.locator("body"))
    page.locator(".st-key-plain_words summary").click()  # closed on the sections after the first
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
    screenshot(page, "dashboard_hostile_names.png")
    assert hostile_markup(page) == {"img": [], "links": [], "bold": [], "code": []}
    assert [url for url in requests if "evil.example" in url] == []


# --- issue 12: readable at 1024×768 and 1440×900 ------------------------------------------------------------------


def overflowing(page, selector: str) -> list[str]:
    """Texts of the elements matching ``selector`` whose content is wider than their box (cut, or shown with …)."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
        .filter(e => e.offsetParent !== null)
        .filter(e => [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1))
        .map(e => e.innerText)""",
        selector,
    )


def set_price(page, price: str) -> None:
    field = page.locator(".st-key-param_price input")
    field.fill(price)
    field.press("Enter")
    wait_idle(page)


def settled_top(page, locator) -> float:
    """The top of ``locator`` in the window once the layout stops moving (an expander opens or closes in an
    animation of a few hundred ms after the run ends)."""
    top: float | None = None
    for _ in range(30):
        box = locator.bounding_box()
        assert box, locator
        if box["y"] == top:
            return box["y"]
        top = box["y"]
        page.wait_for_timeout(150)
    raise AssertionError(f"{locator} still moving")


CLIPPED_CHART_TEXT_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
    .filter(plot => plot.offsetParent !== null)
    .flatMap(plot => {
        const frame = plot.querySelector('.main-svg').getBoundingClientRect();
        return [...plot.querySelectorAll('.gtitle, .gtitle-subtitle, .g-xtitle text, .g-ytitle text')]
            .filter(t => t.textContent.trim())
            .filter(t => { const b = t.getBoundingClientRect();
                return b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1
                    || b.bottom > frame.bottom + 1; })
            .map(t => t.textContent);
    })"""


def clipped_chart_text(page) -> list[str]:
    """Chart titles, subtitles and axis titles drawn past their chart's edge (cut off), in the section in view."""
    return page.evaluate(CLIPPED_CHART_TEXT_JS)


def check_section(page, name: str, width: int, height: int) -> None:
    """Issue 12 items 1 and 3 and the section click, for the section in view: its heading (its selector label)
    sits right under the selector, within the window, as the page's one title; the sections after the first show
    one line of key figures with "In plain words" closed; no button, checkbox, download label or metric is cut;
    no chart title, subtitle or axis title runs past its chart's edge (issue 21). A full-page screenshot of each
    is kept as a CI artifact (``tests/artifacts/sections/<section>_<w>x<h>.png``); heading positions are printed
    (``-s``)."""
    heading = page.locator(".st-key-section_heading h3", has_text=name).first
    heading.wait_for(timeout=WAIT_MS)
    top = settled_top(page, heading)
    print(f"{width}x{height} {name}: heading top {round(top)} px")
    assert 0 <= top < height, (name, top)
    titles = page.locator('[data-testid="stMain"] h3').all_inner_texts()
    assert titles[0] == name and titles.count(name) == 1, (name, titles)  # one title per section
    strip = page.locator(".st-key-headline_strip")
    assert strip.count() == (0 if name == NAMES[0] else 1), name
    if name != NAMES[0]:
        assert strip.bounding_box()["height"] < 40, name  # one line
        assert not page.get_by_text("In plain words.").is_visible(), name  # closed
    no_exception(page)
    labels = (
        '[data-testid="stButton"] button p, [data-testid="stCheckbox"] label p, '
        '[data-testid="stDownloadButton"] button p'
    )
    assert overflowing(page, labels) == [], name
    assert overflowing(page, '[data-testid="stMetricValue"], [data-testid="stMetricLabel"]') == [], name
    assert clipped_chart_text(page) == [], (name, width)
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    screenshot(page, f"sections/{slug}_{width}x{height}.png")


@pytest.mark.parametrize("width, height", SIZES)
def test_every_section_reads_at_laptop_sizes_and_shows_on_the_first_screen(browser_context, server, width, height):
    """One tab per size visits every section (the first last: a click on it, too, from another section) and
    checks it (``check_section``); every section button is inside the window and not cut; no headline value or
    label is cut at the default inputs or in a stress scenario (price $0.05: tens of billions of new shares,
    negative headroom)."""
    page = open_dashboard(browser_context, server, width, height)
    try:
        for name in [*NAMES[1:], NAMES[0]]:
            open_tab(page, name)
            check_section(page, name, width, height)
            if name == "Holders":
                check_holder_table(page, width)
        assert page.get_by_text("In plain words.").is_visible()  # open on the first section
        chart = page.locator(".st-key-section_body .js-plotly-plot").first
        chart.wait_for(timeout=WAIT_MS)
        print(f"{width}x{height} {NAMES[0]}: first chart top {round(settled_top(page, chart))} px")
        for name in NAMES:
            box = page.locator(".st-key-section button", has_text=name).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, name
        assert overflowing(page, ".st-key-section button") == []
        for price in ("1.89", "0.05"):
            set_price(page, price)
            assert page.locator('[data-testid="stMetric"]').count() >= 10
            assert overflowing(page, '[data-testid="stMetricValue"]') == [], (width, price)
            assert overflowing(page, '[data-testid="stMetricLabel"]') == [], (width, price)
            screenshot(page, f"headline_{width}x{height}_price_{price}.png", full_page=False)
    finally:
        page.close()


HOLDER_KEY_COLUMNS = ("name", "pro_forma_pct", "pro_forma_shares")
NAMES_WHOLE = 0.95  # share of the holder names the name column shows whole (the longest run to 146 characters)
WHOLE_UP_TO = 60  # characters: every name this long or shorter is whole (9 of 328 are longer; one is 12th by size)
GRID_JS = """labels => {
    const grid = [...document.querySelectorAll('[data-testid="stDataFrame"]')].find(g =>
        [...g.querySelectorAll('[role=columnheader]')].some(h => h.innerText.trim() === labels[0]));
    const scroller = grid.querySelector('.dvn-scroller');
    const headers = [...grid.querySelectorAll('[role=columnheader]')].map(h => h.innerText.trim());
    const style = getComputedStyle(grid.querySelector('[style*="--gdg-font-family"]'));
    return {visible: scroller.clientWidth, scrolled: scroller.scrollLeft, height: grid.getBoundingClientRect().height,
            headers: headers.slice(0, labels.length), font: style.getPropertyValue('--gdg-base-font-style') + ' '
            + style.getPropertyValue('--gdg-font-family'),
            pad: parseFloat(style.getPropertyValue('--gdg-cell-horizontal-padding'))};
}"""
TEXT_WIDTHS_JS = """async ([font, texts]) => {
    await document.fonts.ready;
    const context = document.createElement('canvas').getContext('2d');
    context.font = font;
    return texts.map(t => context.measureText(t).width);
}"""


def check_holder_table(page, width: int) -> None:
    """Issue 21, tables: the holder table lists the name, pro forma % and pro forma common first; at 1440 px
    they are in view without a horizontal scroll (their widths fit the grid's visible width) and the name column,
    pinned, shows at least ``NAMES_WHOLE`` of the names whole, every name of up to ``WHOLE_UP_TO`` characters among
    them (widths measured in the grid's own font; a longer name reads whole in the cell's overlay on a click and in
    the CSV); the table shows ``TABLE_ROWS`` rows, not 11, before it scrolls."""
    from dashboard.formatting import TABLE_ROWS, table_height
    from dashboard.tables import HOLDER_CONFIG_WIDTHS

    labels = [HOLDER_LABELS[c] for c in HOLDER_KEY_COLUMNS]
    grid = page.evaluate(GRID_JS, labels)
    print(f"{width}px holder table: {grid}")
    assert grid["headers"] == labels, grid
    assert grid["height"] >= table_height(TABLE_ROWS) - 2, grid
    if width < 1440:
        return
    assert grid["scrolled"] == 0
    assert sum(HOLDER_CONFIG_WIDTHS[c] for c in HOLDER_KEY_COLUMNS) <= grid["visible"], grid
    holders = run_scenario(default_params(), terms=load_terms(), book=default_book(), caps=load_caps()).holders
    names = holders.sort_values("pro_forma_pct", ascending=False, kind="stable")["name"].tolist()
    room = HOLDER_CONFIG_WIDTHS["name"] - 2 * grid["pad"]
    fits = [w <= room for w in page.evaluate(TEXT_WIDTHS_JS, [grid["font"], names])]
    print(f"holder names whole in {HOLDER_CONFIG_WIDTHS['name']} px: {sum(fits)} of {len(fits)}")
    assert all(f for n, f in zip(names, fits) if len(n) <= WHOLE_UP_TO), [n for n, f in zip(names, fits) if not f]
    assert sum(fits) >= NAMES_WHOLE * len(fits), (sum(fits), len(fits))
