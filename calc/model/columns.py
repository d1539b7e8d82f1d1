"""One specification of the output columns: the holder table and the scenario summary.

Each ``Column`` has its name, dtype, unit, label (the header a reader sees) and help. The
export's Arrow schemas (``calc.outputs.export``), the holder arrays (``calc.model.allocation.holder_arrays``
returns ``HOLDER_NUMBER_COLUMNS``), the summary metrics (``calc.model.scenario.SUMMARY_KEYS``) and the
dashboard's headers and column configs (``dashboard.tables``) are all derived from here.

dtype: ``int64`` (exact share counts), ``float64``, ``bool``, ``string``.
unit:  ``shares``, ``pct`` (0-100), ``USD``, ``rate`` (0.08 for 8 %), ``date``, or empty (a label or a yes/no).
``unit_of(column)`` is the one lookup every output makes (CSV number rules aside: ``calc.outputs.files``).
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
        "Row type",
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


# Every other column an output writes (timeline, Monte Carlo percentiles, options and EPS, every security, the bridge,
# the workbook's Inputs and Sources sheets): one row each, so no output guesses a unit from a name (``unit_of``).
# dtype as the frames hold it ("string" for text, bool and mixed columns alike).
OTHER_COLUMNS = (
    # the batch export's scenario columns (the scenario parameters beside them are ``calc.model.params.SPECS``)
    Column("scenario_id", "string", "", "Scenario"),
    Column("history", "bool", "", "2002-2004 history replayed"),
    Column("events", "string", "", "Ledger rows (events CSV text)"),
    Column("events_sha256", "string", "", "Ledger rows digest (SHA-256)"),
    Column("action", "string", "", "Action"),
    Column("actual_shares", "int64", "shares", "Actual shares"),
    Column("average_price_usd", "float64", "USD", "Average common price"),
    Column("bridge_source", "string", "", "Bridge source"),
    Column("call_conversion_shares", "int64", "shares", "New from call conversions"),
    Column("cancelled_shares", "int64", "shares", "Cancelled"),
    Column("changed from default", "string", "", "Changed from default"),
    Column("common_shares", "int64", "shares", "Common shares"),
    Column("conversion_price_usd", "float64", "USD", "Conversion price"),
    Column("cumulative_conversion_shares", "int64", "shares", "Conversion shares so far"),
    Column("cumulative_dividend_shares", "int64", "shares", "Dividend shares so far"),
    Column("cumulative_exchange_shares", "int64", "shares", "Exchange shares so far"),
    Column("cumulative_new_shares", "int64", "shares", "New shares so far"),
    Column("cumulative_redemption_shares", "int64", "shares", "Redemption shares so far"),
    Column("date", "date", "date", "Date"),
    Column("date_from", "date", "date", "Date from"),
    Column("default", "string", "", "Default"),
    Column("debenture_principal_usd", "float64", "USD", "Debenture principal"),
    Column("dividend_due_usd", "float64", "USD", "Dividend due"),
    Column("eps_after_usd", "float64", "USD", "EPS after the step"),
    Column("event", "string", "", "Event"),
    Column("exercisable", "int64", "shares", "Exercisable"),
    Column("exercisable_shares", "int64", "shares", "Exercisable"),
    Column("exercise_price_usd", "float64", "USD", "Exercise price"),
    Column("expired_shares", "int64", "shares", "Expired"),
    Column("face_usd", "float64", "USD", "Face value"),
    Column("fair_value_source", "string", "", "Fair value source"),
    Column("fair_value_usd", "float64", "USD", "Fair value"),
    Column("field", "string", "", "Field"),
    Column("figure", "string", "", "Figure"),
    Column("form", "string", "", "Agreement form"),
    Column("grant_date", "date", "date", "Granted"),
    Column("grant_id", "string", "", "Grant"),
    Column("holder", "string", "", "Holder"),
    Column("id", "string", "", "Id"),
    Column("in_the_money", "bool", "", "Conversion in the money"),
    Column("included", "bool", "", "Included (dilutive)"),
    Column("incremental_eps_usd", "float64", "USD", "Incremental EPS"),
    Column("incremental_shares", "int64", "shares", "Incremental shares"),
    Column("instrument", "string", "", "Instrument"),
    Column("interest_due_usd", "float64", "USD", "Debenture interest due"),
    Column("issued_and_potential_shares", "int64", "shares", "Issued + potential"),
    Column("issued_shares", "int64", "shares", "Issued so far"),
    Column("item", "string", "", "Item"),
    Column("label", "string", "", "Label"),
    Column("lp_per_share_usd", "float64", "USD", "Liquidation preference per share"),
    Column("method", "string", "", "Method"),
    Column("model_shares", "int64", "shares", "Model shares"),
    Column("new_shares_pct", "float64", "pct", "New shares % of total"),
    Column("numerator_addback_usd", "float64", "USD", "Numerator add-back"),
    Column("outstanding", "int64", "shares", "Outstanding"),
    Column("outstanding_shares", "int64", "shares", "Outstanding"),
    Column("p25", "int64", "shares", "25th percentile"),
    Column("p5", "int64", "shares", "5th percentile"),
    Column("p50", "int64", "shares", "Median"),
    Column("p75", "int64", "shares", "75th percentile"),
    Column("p95", "int64", "shares", "95th percentile"),
    Column("parameter", "string", "", "Parameter"),
    Column("pct_of_base_shares", "float64", "pct", "% of base shares"),
    Column("pct_of_fully_diluted", "float64", "pct", "% of fully diluted"),
    Column("potential_shares", "int64", "shares", "Potential"),
    Column("preferred_outstanding", "int64", "shares", "Preferred outstanding"),
    Column("price_source", "string", "", "Price source"),
    Column("price_usd", "float64", "USD", "Common price"),
    Column("put_stock_shares", "int64", "shares", "Every share put, in stock"),
    Column("reason", "string", "", "Why"),
    Column("residual_pct", "float64", "pct", "Residual %"),
    Column("residual_shares", "int64", "shares", "Residual shares"),
    Column("rule", "string", "", "Rule"),
    Column("running_total_shares", "int64", "shares", "Running total shares"),
    Column("scenario_new_shares", "int64", "shares", "This scenario, all sources"),
    Column("section", "string", "", "Section"),
    Column("shares", "int64", "shares", "Option shares granted"),
    Column("shares_after", "int64", "shares", "Diluted shares after the step"),
    Column("shares_derived", "int64", "shares", "Shares (derived)"),
    Column("source", "string", "", "Source"),
    Column("source of the default", "string", "", "Source of the default"),
    Column("step", "string", "", "Step"),
    Column("term", "string", "", "Term"),
    Column("termination_date", "date", "date", "Terminated"),
    Column("termination_reason", "string", "", "Termination reason"),
    Column("text", "string", "", "Text"),
    Column("total_common_shares", "int64", "shares", "Total common outstanding"),
    Column("tsm_incremental_shares", "int64", "shares", "Treasury-stock incremental shares"),
    Column("unit", "string", "", "Unit"),
    Column("units", "string", "", "Units"),
    Column("value", "string", "", "Value"),
    Column("vested", "int64", "shares", "Vested"),
    Column("vested_shares", "int64", "shares", "Vested"),
)
# The terms' decimal fields, as the workbook's Sources sheet shows them (``field`` is ``section.name``).
TERM_FIELD_COLUMNS = (
    Column("initial_liquidation_preference_usd", "float64", "USD", "Initial liquidation preference per share"),
    Column("dividend_rate", "float64", "rate", "Dividend rate a year"),
    Column("call_trigger_pct", "float64", "pct", "Call trigger"),
    Column("exchange_debenture_rate", "float64", "rate", "Exchange debenture rate a year"),
    Column("closing_price_usd", "float64", "USD", "Closing price"),
)
# Every term in force (``section.field`` of ``calc.model.terms``) by the name a person reads (the dashboard's terms
# table, ``python -m calc terms``, the workbook's and the report's sources); ``tests/test_words.py`` checks each
# field has one.
TERM_LABELS: dict[str, str] = {
    "preferred.shares_issued": "Preferred shares issued",
    "preferred.initial_liquidation_preference_usd": "Liquidation preference per share, at issue",
    "preferred.dividend_rate": "Dividend rate a year",
    "preferred.dividends_per_year": "Dividend payments a year",
    "preferred.cumulative_dividends": "Dividends cumulative",
    "preferred.dividend_months_days": "Dividend dates each year",
    "preferred.first_dividend_date": "First dividend date",
    "preferred.issue_date": "Issue date",
    "preferred.stock_dividends_allowed": "Dividends payable in stock",
    "preferred.mandatory_redemption_date": "Mandatory redemption date",
    "preferred.put_dates": "Holder put dates",
    "preferred.put_settlement_options": "Put settled in",
    "preferred.issuer_call_from": "Issuer may call from",
    "preferred.conversion_not_before": "Convertible from",
    "preferred.call_price_rule": "Call price",
    "preferred.call_trigger_pct": "Call trigger (conversion value over call price)",
    "preferred.exchange_debenture_rate": "Exchange debentures' interest rate",
    "preferred.exchange_principal_rule": "Exchange debentures' principal",
    "preferred.fractional_shares_rule": "Fractional common shares",
    "preferred.registration_rounding_rule": "Registered shares rounded",
    "registered.conversion_common_shares": "Common registered for conversion",
    "registered.dividend_common_shares": "Common registered for stock dividends",
    "registered.debenture_principal_usd": "Exchange debentures registered (principal)",
    "market.closing_price_usd": "Common closing price",
    "market.closing_price_date": "Closing price date",
    "market.valuation_date": "Valuation date",
    "market.common_shares_outstanding": "Common shares outstanding",
    "market.common_shares_outstanding_date": "Common shares outstanding on",
    "market.authorized_common_shares": "Authorized common shares",
}
REGISTERED: dict[str, Column] = {
    c.name: c for c in (*HOLDER_COLUMNS, *SUMMARY_METRICS, *OTHER_COLUMNS, *TERM_FIELD_COLUMNS)
}


def spec_of(column: str) -> Column:
    """The spec of an output column; a column no output registered is an error (``KeyError`` naming it)."""
    try:
        return REGISTERED[column]
    except KeyError:
        raise KeyError(f"output column {column!r} is not registered in calc.model.columns") from None


def unit_of(column: str) -> str:
    """The unit of an output column (module docstring; ``date`` for a date column), never a guess from its name."""
    return spec_of(column).unit


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
