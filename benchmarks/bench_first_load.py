"""First load of the dashboard in a real browser (issue 12 item 4): Debian chromium against ``streamlit run app.py``.

On a warm server (one load first, not counted), each of ``--runs`` loads opens a new browser context (a new
Streamlit session) and measures from navigation:
  headline   the first headline metric is visible            (target ≤ 2.0 s)
  chart      the first plotly chart has drawn its plot area  (target ≤ 2.5 s)
then a price change in the sidebar until the "New shares" value shows the new figure (target ≤ 0.5 s).
For scale it times, in the same run, the two floors on this machine: a bare Streamlit page (one title, one metric)
and a bare page with one small ``st.plotly_chart`` (Streamlit loads plotly.js lazily, on the first chart), and
prints the dashboard's figures as ratios to them. Each new session also records the bytes and messages the
server sent over the websocket until the first chart is drawn.
Prints the median of the runs and whether each target is met.

Run: ``.venv/bin/python benchmarks/bench_first_load.py [--runs 5] [--width 1440 --height 900]``
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calc.params import default_params  # noqa: E402
from calc.scenario import run_scenario  # noqa: E402
from dashboard.formatting import compact_shares  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TARGETS_S = {"headline": 2.0, "chart": 2.5, "price_change": 0.5}
BARE = 'import streamlit as st\nst.title("bare")\nst.metric("x", 1)\n'
BARE_CHART = BARE + "import plotly.graph_objects as go\nst.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])))\n"
WAIT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(script: Path, cwd: Path) -> Iterator[str]:
    """``streamlit run script`` on a free local port until healthy; yields the URL."""
    port = free_port()
    env = dict(os.environ, LUCENT_SCENARIO_DB=str(Path(tempfile.mkdtemp()) / "bench.sqlite3"))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def load(browser, url: str, size: tuple[int, int], price: str | None, chart: bool = True) -> dict[str, float]:
    """One new session: seconds to the first metric, the first drawn chart (if ``chart``) and (if ``price``) a
    settled price change; with the websocket messages and kilobytes received until the chart was drawn."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    received = {"messages": 0.0, "kb": 0.0}

    def on_frame(payload: str | bytes) -> None:
        received["messages"] += 1
        received["kb"] += len(payload) / 1024

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    t0 = time.perf_counter()
    page.goto(url)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=WAIT_MS)
    times = {"headline": time.perf_counter() - t0}
    if chart:
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=WAIT_MS)
        times["chart"] = time.perf_counter() - t0
        times |= received
    if price is not None:
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=WAIT_MS)
        wanted = compact_shares(
            run_scenario(dataclasses.replace(default_params(), price=float(price))).summary["new_shares"]
        )
        field = page.locator(".st-key-param_price input")
        field.fill(price)
        t1 = time.perf_counter()
        field.press("Enter")
        page.locator('[data-testid="stMetricValue"]', has_text=wanted).first.wait_for(timeout=WAIT_MS)
        times["price_change"] = time.perf_counter() - t1
    context.close()
    return times


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument(
        "--app", type=Path, default=ROOT / "app.py", help="the dashboard to time (e.g. another checkout's app.py)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    size = (args.width, args.height)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        bare_dir = Path(tempfile.mkdtemp())
        (bare_dir / "bare.py").write_text(BARE)
        (bare_dir / "bare_chart.py").write_text(BARE_CHART)
        with server(bare_dir / "bare.py", bare_dir) as url:
            load(browser, url, size, None, chart=False)  # warm
            bare = median_of([load(browser, url, size, None, chart=False) for _ in range(args.runs)])
        with server(bare_dir / "bare_chart.py", bare_dir) as url:
            load(browser, url, size, None)  # warm
            bare_chart = median_of([load(browser, url, size, None) for _ in range(args.runs)])
        with server(args.app, args.app.parent) as url:
            load(browser, url, size, "2.5")  # warm: caches filled, scripts compiled
            runs = [load(browser, url, size, f"{2.0 + i / 4:.2f}") for i in range(args.runs)]
        browser.close()
    app = median_of(runs)
    print(f"{args.app}: chromium {size[0]}×{size[1]}, median of {args.runs} new sessions on a warm server")
    print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(f"  floor: bare page (title + metric), metric     {bare['headline']:.2f} s")
    print(f"  floor: bare page + one plotly chart, metric   {bare_chart['headline']:.2f} s")
    print(f"  floor: bare page + one plotly chart, chart    {bare_chart['chart']:.2f} s")
    print(
        f"  websocket until the first chart: dashboard {app['messages']:.0f} messages, {app['kb']:.0f} kB; "
        f"bare chart page {bare_chart['messages']:.0f} messages, {bare_chart['kb']:.0f} kB"
    )
    ok = True
    floors = {"headline": bare["headline"], "chart": bare_chart["chart"]}
    for name, target in TARGETS_S.items():
        met = app[name] <= target
        ok &= met
        ratio = f", {app[name] / floors[name]:.2f}× its floor" if name in floors else ""
        print(f"  {name:13s} {app[name]:.2f} s (target ≤ {target} s{ratio}) {'ok' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
