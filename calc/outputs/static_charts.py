"""Plotly figures as static SVG for the printable report (``calc.outputs.report``).

The report draws its charts as inline SVG, so the file is small (about 20 KB a chart instead of the 4.6 MB of
plotly.js inline), prints crisply and needs no script. The SVG is drawn by plotly.js itself in a headless Chromium
through kaleido (pinned in requirements.txt), so the charts are exactly the dashboard's (same builders, same
template): no chart logic is copied here.

Kaleido needs a Chrome or Chromium: ``BROWSER_PATH``, else ``chromium``, ``google-chrome`` ... on ``PATH`` (Debian's
``/usr/bin/chromium``; ``make chromium`` installs it). Without one ``svg_charts`` returns ``None`` and the report
falls back to interactive charts with plotly.js inline (about 4.9 MB, still offline); the CLI says so on standard
error. MathJax is off and plotly.js is the one installed with plotly, so rendering needs no network.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Sequence

import plotly.graph_objects as go

CHART_WIDTH_PX = 760  # drawn at this width and shown at the page's width (a letter or A4 page: ~700 px)
CHART_HEIGHT_PX = 350  # a figure without its own height
CHART_MAX_HEIGHT_PX = 420  # a taller figure (legend rows for a 1024 px screen) is drawn this high: 2 charts a page
RENDER_TIMEOUT_S = 120.0  # per chart; a loaded machine takes seconds to start the browser
# choreographer logs a traceback for a browser message it could not decode and then ignores (seen under load);
# the render goes on, and a real failure raises, so its log stays off standard error
QUIET_LOGGERS = ("choreographer", "kaleido", "logistro")


class ChartsUnavailable(RuntimeError):
    """No static chart could be drawn (kaleido missing, or no Chrome/Chromium found); the message says which."""


def chart_height(fig: go.Figure) -> int:
    """The figure's own height (a builder that sets one needs it for its legend) up to ``CHART_MAX_HEIGHT_PX``,
    else ``CHART_HEIGHT_PX``."""
    height = fig.layout.height
    return min(int(height), CHART_MAX_HEIGHT_PX) if height else CHART_HEIGHT_PX


async def _render(figures: Sequence[go.Figure], width: int) -> list[bytes]:
    import kaleido  # one browser for every chart: it takes most of the time

    async with kaleido.Kaleido(n=1, mathjax=False, timeout=RENDER_TIMEOUT_S) as k:
        return [
            await k.calc_fig(fig, opts=dict(format="svg", width=width, height=chart_height(fig))) for fig in figures
        ]


def svg_charts(figures: Sequence[go.Figure], width: int = CHART_WIDTH_PX) -> list[str]:
    """Each figure as an SVG document (text), drawn by plotly.js in one headless Chromium session. Raises
    ``ChartsUnavailable`` when kaleido or a browser is missing. Runs in a worker thread with its own event loop,
    so it works from a thread that already runs one (Streamlit's)."""
    try:
        import kaleido  # noqa: F401
        from choreographer.errors import BrowserFailedError, ChromeNotFoundError
    except ImportError as exc:
        raise ChartsUnavailable(f"kaleido is not installed ({exc.name})") from exc
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            images = pool.submit(asyncio.run, _render(figures, width)).result()
        except (ChromeNotFoundError, BrowserFailedError) as exc:
            raise ChartsUnavailable(
                "no Chrome or Chromium found to draw static charts (install chromium or set BROWSER_PATH)"
            ) from exc
    return [image.decode("utf-8") for image in images]
