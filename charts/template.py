"""The one chart style of the dashboard and the ``report`` command: a plotly template (registered as
``pio.templates["lucent"]`` and set on every figure by ``charts.figures.build``), a qualitative palette, and the
axis helpers every builder uses for dates and log scales.

Style rules (issue 21, "Charts people read"):

- fonts, colours, grid and hover labels come from ``TEMPLATE`` (the report used plotly's grey default before);
- dates read one way everywhere: ``"Aug 2004"`` on a date axis spaced a month or more apart, ``"2 Aug 2004"``
  when the ticks are days apart, in hover text, event labels and notes (``DATE_FORMAT``, ``day_text``);
- a log axis labels its ticks in full with one number format (``log_axis``): decades only when the data span
  three decades or more (unlabelled minor ticks between them), else 1, 2 and 5 × 10^k — never a bare "2"/"5";
- instruments and other unordered series take ``PALETTE`` colours in order (10 hues, Tableau 10; every pair at
  least ``MIN_PALETTE_DISTANCE`` apart in CIELAB, checked by ``tests/test_chart_style.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "lucent"
TEXT_COLOUR = "#31333F"  # Streamlit's body text: the report and the dashboard read alike
GRID_COLOUR = "#E6E9EF"
AXIS_COLOUR = "#A3A8B4"
FONT_FAMILY = '"Source Sans", "Source Sans Pro", "Source Sans 3", "Helvetica Neue", Arial, sans-serif'
# Tableau 10: ten qualitative hues, no two alike (the instruments of the All securities charts are up to 9)
PALETTE = (
    "#4E79A7",  # blue
    "#F28E2B",  # orange
    "#E15759",  # red
    "#76B7B2",  # teal
    "#59A14F",  # green
    "#EDC948",  # yellow
    "#B07AA1",  # purple
    "#FF9DA7",  # pink
    "#9C755F",  # brown
    "#BAB0AC",  # grey
)
INK = "#222222"  # totals and the scenario's own line
MUTED = "#555555"  # notes and reference lines
LIMIT_COLOUR = "#B22222"  # limits: authorized shares, the 5% / 10% thresholds
BASE_GREY = "#C8C8C8"  # the base share count under stacked new shares
CAP_STYLE = {  # capacity cap (calc.model.capacity) -> (label of its binding-price line, colour); every chart alike
    "nyse_20pct": ("NYSE 20% (shareholder approval)", PALETTE[2]),
    "registered": ("registered shares used up", PALETTE[6]),
    "authorized": ("authorized shares used up", PALETTE[8]),
}
CAP_LABEL_GAP = 0.06  # two cap labels closer than this fraction of the x span go on different rows
MIN_PALETTE_DISTANCE = 20.0  # least CIE76 ΔE between two palette colours (≈ 2.3 is "just noticeable")
DATE_FORMAT = "%-d %b %Y"  # d3 time format of a day: "2 Aug 2004" (hover text, day-spaced ticks)
MONTH_FORMAT = "%b %Y"  # d3 time format of a month tick: "Aug 2004"
DAY_MS = 86_400_000
DATE_AXIS = dict(
    type="date",
    hoverformat=DATE_FORMAT,
    tickformatstops=[
        dict(dtickrange=[None, 28 * DAY_MS], value=DATE_FORMAT),
        dict(dtickrange=[28 * DAY_MS, None], value=MONTH_FORMAT),
    ],
)
LEGEND_FONT = dict(size=12)
VALUE_PAD = 0.04  # a log value axis reaches this fraction of its span beyond the data at each end
NARROW_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)  # no two neighbours more than 1.5× apart
MAX_USD_PLACES = 4  # a price tick label has at most this many decimal places
DECADES_ONLY = 3  # a log axis spanning this many decades or more labels the decades only (1-2-5 would crowd)

TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT_FAMILY, size=13, color=TEXT_COLOUR),
        title=dict(font=dict(size=16, color=TEXT_COLOUR), x=0, xanchor="left", xref="container", pad=dict(l=8)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(PALETTE),
        xaxis=dict(
            automargin=True,
            showline=True,
            linecolor=AXIS_COLOUR,
            ticks="outside",
            tickcolor=AXIS_COLOUR,
            gridcolor=GRID_COLOUR,
            zeroline=False,
            title=dict(standoff=8),
        ),
        yaxis=dict(
            automargin=True,
            showline=True,
            linecolor=AXIS_COLOUR,
            ticks="outside",
            tickcolor=AXIS_COLOUR,
            gridcolor=GRID_COLOUR,
            zeroline=False,
            title=dict(standoff=8),
        ),
        legend=dict(font=LEGEND_FONT, bgcolor="rgba(255,255,255,0)", borderwidth=0),
        hoverlabel=dict(bgcolor="white", bordercolor=AXIS_COLOUR, font=dict(family=FONT_FAMILY, color=TEXT_COLOUR)),
    ),
)
pio.templates[TEMPLATE_NAME] = TEMPLATE
# ``st.plotly_chart(theme=...)`` in the dashboard: None draws the figure in this template alone, as the report
# does; Streamlit's own theme ("streamlit") would write its fonts, colours and grid over the template's.
STREAMLIT_THEME = None
TEMPLATE_JSON = TEMPLATE.to_plotly_json()  # what ``build`` puts in each figure's layout


def day_text(date: object) -> str:
    """A date as the charts write a day ("2 Aug 2004", ``DATE_FORMAT``)."""
    day = pd.Timestamp(date)  # type: ignore[arg-type]
    return f"{day.day} {day:%b %Y}"


def share_labels(values: Sequence[float]) -> list[str]:
    """Share counts as log-axis labels, in full with a B/M/k suffix ("500M", "1B", "20k", "1.5B")."""
    return [_share_label(v) for v in values]


def _share_label(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.3g}{suffix}"
    return f"{value:,.3g}"


def usd_labels(values: Sequence[float]) -> list[str]:
    """Prices as log-axis labels, all with the same places: to the cent ("$0.20", "$1.00", "$100.00"), or to the
    tenth of a cent or beyond when a tick needs it ("$0.025", "$0.030"), up to ``MAX_USD_PLACES``."""
    places = max((_places(v) for v in values), default=2)
    return [f"${v:,.{places}f}" for v in values]


def _places(value: float) -> int:
    """Decimal places ``value`` needs (2 at least, ``MAX_USD_PLACES`` at most)."""
    return next((p for p in range(2, MAX_USD_PLACES) if abs(round(value, p) - value) < 1e-9), MAX_USD_PLACES)


def count_labels(values: Sequence[float]) -> list[str]:
    """Plain counts as log-axis labels, with separators ("10", "1,000", "10,000", "1.5", "0.5")."""
    return [f"{v:,.12g}" for v in values]


def log_ticks(low: float, high: float, labels: Callable[[Sequence[float]], list[str]]) -> tuple[list[float], list[str]]:
    """Labelled ticks of a log axis over [low, high] (both > 0): the decades 10^k when the range spans
    ``DECADES_ONLY`` decades or more, else 1, 2 and 5 × 10^k (``NARROW_STEPS`` × 10^k when that leaves fewer than two
    within the range; any range at least 2× wide then has two); the labels written in full by ``labels``."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    wide = math.log10(high / low) >= DECADES_ONLY - 1e-9
    for steps in ((1,),) if wide else ((1, 2, 5), NARROW_STEPS):
        values = [float(f"{step * 10.0**k:.12g}") for k in range(first, last + 1) for step in steps]
        values = [v for v in values if low * (1 - 1e-9) <= v <= high * (1 + 1e-9)]
        if len(values) >= 2:
            break
    return values, labels(values)


def log_axis(values: Sequence[float], labels: Callable[[Sequence[float]], list[str]], pad: float = 0.0) -> dict:
    """A log axis over the positive ``values``: labelled ticks from ``log_ticks`` (``tickmode="array"``), unlabelled
    minor ticks at 2..9 × 10^k, the range fitted to the data and widened by ``pad`` × its log span at each end
    (a value axis: lines clear of the frame; a price axis spans its curve exactly)."""
    positive = [float(v) for v in values if v is not None and float(v) > 0]
    low, high = math.log10(min(positive)), math.log10(max(positive))
    margin = pad * (high - low)
    tickvals, ticktext = log_ticks(10.0 ** (low - margin), 10.0 ** (high + margin), labels)
    return dict(
        type="log",
        range=[low - margin, high + margin],
        tickmode="array",
        tickvals=tickvals,
        ticktext=ticktext,
        minor=dict(ticks="outside", ticklen=3, tickcolor=AXIS_COLOUR, dtick="D1", showgrid=False),
    )


def palette_colour(i: int) -> str:
    """The ``i``-th colour of ``PALETTE`` (cycling)."""
    return PALETTE[i % len(PALETTE)]
