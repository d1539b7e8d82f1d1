"""Browser-test plumbing shared by the dashboard and report tests: Debian chromium, a ``streamlit run app.py``
server on a free local port, and waiting for a Streamlit run to finish. The fixtures are in ``conftest.py``."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
SIZES = ((1024, 768), (1440, 900))  # a small laptop and a common one (issue 12)
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerFailed(RuntimeError):
    """``streamlit run`` exited or did not become healthy in time (the message carries its log)."""


@contextlib.contextmanager
def streamlit_server(workdir: Path) -> Iterator[str]:
    """``streamlit run app.py`` headless on a free local port, its log and saved scenarios under ``workdir``;
    yields the base URL once ``/_stcore/health`` answers ``ok``."""
    port = free_port()
    log = workdir / "server.log"
    env = dict(os.environ, LUCENT_SCENARIO_DB=str(workdir / "scenarios.sqlite3"), PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    argv += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, url, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while True:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        if process.poll() is not None or time.monotonic() > deadline:
            raise ServerFailed(f"streamlit did not become healthy at {url}:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run, then 100 ms for the last elements to draw. The app root
    carries the run state (``data-test-script-state``: rerunRequested as soon as an input changes, running, then
    notRunning), the signal Streamlit's own browser tests wait on."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(100)


def open_dashboard(context, url: str, width: int, height: int, errors: list[str] | None = None):
    """A new tab (a new Streamlit session) at ``width`` × ``height`` showing the headline, idle; JavaScript
    errors in the page are appended to ``errors`` if given."""
    page = context.new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=WAIT_MS)
    wait_idle(page)
    return page
