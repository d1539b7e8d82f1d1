"""User text on the page and in charts: line breaks and control characters as spaces; for plotly labels,
``<``, ``>`` and ``&`` as entities (plotly reads a subset of HTML in label text)."""

from __future__ import annotations

import html
import re

LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def plot_text(value: object) -> str:
    """``value`` as literal plotly label text (``<``, ``>`` and ``&`` as entities: no tags, no links)."""
    return html.escape(LINE_BREAKS.sub(" ", str(value)), quote=False)
