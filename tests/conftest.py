"""Shared fixtures: the shipped filing and terms; for the browser tests one dashboard server, one chromium and
one browser context per test session (helpers are in ``tests/helpers.py`` and ``tests/browser.py``).

The browser context is shared so that each test's new tab finds Streamlit's scripts in the HTTP cache, as an
analyst's next tab does; every test still gets its own tab, hence its own Streamlit session."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from calc.inputs.data import load_terms
from calc.inputs.filing import parse_filing
from calc.inputs.paths import FILING_PATH
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ServerFailed, open_dashboard, streamlit_server

# Property tests draw 40 examples each in `make test` / `make check` (the suite's time budget); `make deep`
# (HYPOTHESIS_PROFILE=deep) draws 500. Tests whose examples are slow keep a lower count of their own.
# no per-example deadline: this 2-core machine is shared, and a slow example is no wrong answer (speed: benchmarks/)
settings.register_profile("suite", max_examples=40, deadline=None)
settings.register_profile("deep", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session")
def terms():
    return load_terms()


@pytest.fixture(scope="session")
def filing_text() -> str:
    return FILING_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def parsed():
    return parse_filing(FILING_PATH)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The base URL of ``streamlit run app.py`` (headless, local, its own saved-scenarios database)."""
    try:
        with streamlit_server(tmp_path_factory.mktemp("streamlit")) as url:
            yield url
    except ServerFailed as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, server):
    """A new dashboard tab, 1440 × 900, idle after its first run; fails the test on any JavaScript error."""
    errors: list[str] = []
    page = open_dashboard(browser_context, server, 1440, 900, errors)
    yield page
    page.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
