"""Plain-language reading of a scenario result as markdown (the wording lives in ``calc.outputs.narrative``).

The page states the ownership caveat in full once, in the Holders section ("Who is counted"); "In plain words"
carries its short form (``OWNERSHIP_CAVEAT_SHORT``). The HTML report, which has no Holders section, keeps it whole."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from calc.model.params import ScenarioParams
from calc.model.scenario_capacity import ScenarioCapacity
from calc.outputs.formats import pct, shares, usd
from calc.outputs.narrative import FRACTION_NOTE, OWNERSHIP_CAVEAT, Markup, explain_parts
from dashboard.safe import text

__all__ = ["FRACTION_NOTE", "OWNERSHIP_CAVEAT", "OWNERSHIP_CAVEAT_SHORT", "explain", "pct", "shares", "usd"]
MARKDOWN = Markup(text=text, strong=lambda s: f"**{s}**", emphasis=lambda s: f"*{s}*")
OWNERSHIP_CAVEAT_SHORT = (
    "only the holders in the Selling Securityholders table (or the holder table in use) are counted; Lucent's "
    "other shareholders are not counted as holders (see Who is counted, Holders section)."
)


def explain(
    params: ScenarioParams,
    timeline: pd.DataFrame,
    summary: Mapping[str, object],
    holders: pd.DataFrame,
    price_path: str = "",
    capacity: ScenarioCapacity | None = None,
) -> str:
    """Markdown paragraph answering: how many new shares, when, why, and who owns them (``price_path``: the dated
    path in words, ``calc.model.scenario_prices.path_words``; ``capacity``: the scenario's capacity checks)."""
    head, *points = explain_parts(params, timeline, summary, holders, MARKDOWN, price_path, capacity)
    points = [point.replace(OWNERSHIP_CAVEAT, OWNERSHIP_CAVEAT_SHORT) for point in points]
    return "\n".join([head, *(f"- {point}" for point in points)])
