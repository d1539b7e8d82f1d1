"""Plain-language reading of a scenario result as markdown (the wording lives in ``calc.narrative``)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from calc.narrative import FRACTION_NOTE, OWNERSHIP_CAVEAT, Markup, explain_parts, pct, shares, usd
from calc.params import ScenarioParams
from dashboard.safe import text

__all__ = ["FRACTION_NOTE", "OWNERSHIP_CAVEAT", "explain", "pct", "shares", "usd"]
MARKDOWN = Markup(text=text, strong=lambda s: f"**{s}**", emphasis=lambda s: f"*{s}*")


def explain(
    params: ScenarioParams, timeline: pd.DataFrame, summary: Mapping[str, object], holders: pd.DataFrame
) -> str:
    """Markdown paragraph answering: how many new shares, when, why, and who owns them."""
    head, *points = explain_parts(params, timeline, summary, holders, MARKDOWN)
    return "\n".join([head, *(f"- {point}" for point in points)])
