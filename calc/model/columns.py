"""One specification of the output columns: the holder table and the scenario summary.

Each ``Column`` has its name, dtype, unit, label (the header a reader sees) and help. The
export's Arrow schemas (``calc.outputs.export``), the holder arrays (``calc.model.allocation.holder_arrays``
returns ``HOLDER_NUMBER_COLUMNS``), the summary metrics (``calc.model.scenario.SUMMARY_KEYS``) and the
dashboard's headers and column configs (``dashboard.tables``) are all derived from here.

dtype: ``int64`` (exact share counts), ``float64``, ``bool``, ``string``.
unit:  ``shares``, ``pct`` (0-100), ``USD``, or empty (a label or a yes/no).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from calc.model.issuance import ISSUANCE_SOURCES

# Beneficial-ownership thresholds flagged per holder: 5% (Schedule 13D/G) and 10% (Section 16).
THRESHOLDS_PCT = {5.0: "Schedule 13D/G", 10.0: "Section 16"}


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    unit: str
    label: str
    help: str = ""


def flag_name(threshold_pct: float) -> str:
    """The holder column flagging beneficial % at or above ``threshold_pct`` (``flag_5pct``)."""
    return f"flag_{threshold_pct:g}pct"


# The descriptive columns of a holder-table row (``calc.model.allocation.row_labels``).
HOLDER_LABEL_COLUMNS = (
    Column(
        "kind",
        "string",
        "",
        "Row",
        "holder: one listed holder; remainder: the preferred not in an uploaded table (many holders, never "
        "flagged); family: fund-family total",
    ),
    Column("name", "string", "", "Holder / family"),
    Column("family", "string", "", "Fund family"),
)
HOLDER_TEXT_COLUMNS = (
    Column("footnotes", "string", "", "Footnotes", "the filing's footnote markers"),
    Column(
        "issues", "string", "", "Filing data-quality issues", "where the filing's own figures disagree with each other"
    ),
)
# The numbers of a holder-table row (``calc.model.allocation.holder_arrays``), in export order.
HOLDER_NUMBER_COLUMNS = (
    Column(
        "registered_preferred_shares", "int64", "shares", "Preferred listed", "preferred shares as listed in the filing"
    ),
    Column("basis_preferred_shares", "int64", "shares", "Preferred (basis)", "preferred shares on the chosen basis"),
    Column("conversion_shares", "int64", "shares", "From conversion"),
    Column("redemption_shares", "int64", "shares", "From redemption"),
    Column("exchange_shares", "int64", "shares", "From exchanges", "common from negotiated exchanges (ledger rows)"),
    Column("common_owned_prior", "int64", "shares", "Common owned prior"),
    Column(
        "obtainable_shares_60d",
        "int64",
        "shares",
        "Obtainable in 60 days",
        "common the holder could get by converting what it still holds at the horizon",
    ),
    Column(
        "pro_forma_shares",
        "int64",
        "shares",
        "Pro forma common",
        "owned prior + conversion + redemption + exchange shares",
    ),
    Column(
        "pro_forma_pct", "float64", "pct", "Pro forma %", "pro forma common / total common outstanding at the horizon"
    ),
    Column(
        "beneficial_pct_13d3",
        "float64",
        "pct",
        "13d-3 beneficial %",
        "SEC Rule 13d-3(d)(1): own obtainable shares added to numerator and denominator",
    ),
    *(
        Column(flag_name(t), "bool", "", f"≥ {t:g}%", f"beneficial % at or above {t:g} ({rule})")
        for t, rule in THRESHOLDS_PCT.items()
    ),
)
HOLDER_COLUMNS = (*HOLDER_LABEL_COLUMNS, *HOLDER_NUMBER_COLUMNS, *HOLDER_TEXT_COLUMNS)

# One row per scenario (``calc.model.scenario.summarize``), in output order.
SUMMARY_METRICS = (
    Column("dividend_shares", "int64", "shares", "New shares from dividends paid in stock"),
    Column("conversion_shares", "int64", "shares", "New shares from conversion"),
    Column("redemption_shares", "int64", "shares", "New shares from redemption / puts paid in stock"),
    Column("new_shares", "int64", "shares", "New shares, all sources"),
    Column("total_shares", "int64", "shares", "Total common outstanding at the horizon"),
    Column("dilution_pct", "float64", "pct", "Dilution % (new shares / total outstanding)"),
    Column(
        "as_converted_shares",
        "int64",
        "shares",
        "As-converted shares today (all preferred converted at the valuation date)",
    ),
    Column("authorized_shares", "int64", "shares", "Authorized common shares"),
    Column("headroom_shares", "int64", "shares", "Headroom (authorized minus total outstanding)"),
    Column("exceeds_authorized", "bool", "", "Exceeds authorized shares"),
    Column("exchange_shares", "int64", "shares", "New shares from negotiated exchanges (ledger)"),
    Column("repurchase_cash_usd", "float64", "USD", "Cash paid for repurchases (ledger), USD"),
    Column("preferred_outstanding_after_events", "int64", "shares", "Preferred outstanding after the ledger rows"),
    Column("preferred_outstanding_at_horizon", "int64", "shares", "Preferred outstanding at the horizon"),
)


# --------------------------------------------------------------------------- the column order of every output
# What the analyst reads first leads the table; the rest follow in their model order. The dashboard's tables and
# downloads and the command line's CSV files use these, so one scenario gives byte-identical files either way.

HOLDER_LEAD = ("name", "pro_forma_pct", "pro_forma_shares", "beneficial_pct_13d3", *map(flag_name, THRESHOLDS_PCT))


TIMELINE_LEAD = (  # date, event, new shares by source, running totals, prices, moneyness
    "date",
    "event",
    *(source.timeline_column for source in ISSUANCE_SOURCES),
    "cumulative_new_shares",
    "total_common_shares",
    "new_shares_pct",
    "price_usd",
    "conversion_price_usd",
    "in_the_money",
    "preferred_outstanding",
)


def lead_first(frame: pd.DataFrame, lead: Iterable[str]) -> pd.DataFrame:
    """``frame`` with the ``lead`` columns it has first, the rest after in their order."""
    first = [c for c in lead if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def timeline_table(timeline: pd.DataFrame) -> pd.DataFrame:
    """The timeline as every output writes it (``TIMELINE_LEAD`` first)."""
    return lead_first(timeline, TIMELINE_LEAD)


def holder_table(holders: pd.DataFrame) -> pd.DataFrame:
    """The holder table as every output writes it: ``HOLDER_COLUMNS`` it has, ``HOLDER_LEAD`` first."""
    return lead_first(holders[[c.name for c in HOLDER_COLUMNS if c.name in holders.columns]], HOLDER_LEAD)
