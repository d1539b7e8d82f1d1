"""The sources of new common shares: one ordered list, so every split of the new shares sums to the total.

``new_shares`` (summary) and ``cumulative_new_shares`` (timeline) are the sum over ``ISSUANCE_SOURCES``
of each source's column, and every output that splits the new shares by source draws its parts from
this list: the dashboard's headline ("From ..."), "In plain words" (``calc.outputs.narrative``), the issuance
charts (``charts.figures``), the workbook's Summary sheet and the report. A new source is added here
(and its totals in ``calc.model.engine.PathResult.totals`` / ``issued_by_source``); the outputs follow.

Sources, each counted once (no share is in two of them):
  dividend    dividends paid in stock (the transfer agent sells new shares for the cash due)
  conversion  preferred converted into common, by the class at its exit or by ``convert``/``call`` ledger
              rows. Conversions forced by the issuer's call are part of it: the timeline's
              ``call_conversion_shares`` column says how much of ``conversion_shares`` the call forced, and is
              not a summand (adding it would count those shares twice).
  redemption  puts and the mandatory redemption settled in stock (class and ledger rows)
  exchange    common issued in negotiated exchanges for preferred (``exchange_common`` ledger rows)
Repurchases for cash (``repurchase_cash_usd``) and exchanges into debentures issue no common: not sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class IssuanceSource:
    """One source of new common shares.

    key: the engine's noun (``calc.model.engine.check_share_limit`` names it); label: the short plural the
    headline shows after "From"; phrase: how a sentence names it ("38,000,000 from <phrase>");
    chart_label: its series in the charts; help: one sentence for the headline tooltip;
    summary_column / timeline_column: its share count in the summary and the timeline (per date);
    cumulative_column: the timeline's running total; ledger_only: issued only by ledger rows (the scenario
    command's text table leaves its column out without ledger rows; a chart leaves any source that issued
    nothing out of its legend)."""

    key: str
    label: str
    phrase: str
    chart_label: str
    help: str
    summary_column: str
    timeline_column: str
    cumulative_column: str
    ledger_only: bool = False


def _source(
    key: str, label: str, phrase: str, chart_label: str, help: str, ledger_only: bool = False
) -> IssuanceSource:
    column = f"{key}_shares"
    return IssuanceSource(key, label, phrase, chart_label, help, column, column, f"cumulative_{column}", ledger_only)


ISSUANCE_SOURCES: tuple[IssuanceSource, ...] = (
    _source(
        "dividend",
        "dividends",
        "dividends paid in stock",
        "Dividends paid in stock",
        "Dividends paid in stock: the transfer agent sells new shares for the cash due.",
    ),
    _source(
        "conversion",
        "conversion",
        "conversion",
        "Conversion",
        "Preferred converted into common at the conversion rate in force (conversions forced by the issuer's "
        "call included).",
    ),
    _source(
        "redemption",
        "redemption",
        "puts and redemption settled in stock",
        "Redemption / put paid in stock",
        "Puts and the mandatory redemption settled in stock valued at price × put_factor.",
    ),
    _source(
        "exchange",
        "exchanges",
        "exchanges for common (ledger)",
        "Exchanges for common (ledger)",
        "Common issued in negotiated exchanges for preferred (exchange-for-common rows of the events ledger).",
        ledger_only=True,
    ),
)
SOURCE_BY_KEY = {source.key: source for source in ISSUANCE_SOURCES}


class IssuanceMismatch(AssertionError):
    """The parts by source do not sum to the total new shares (a source missing from ``ISSUANCE_SOURCES``)."""


def _sum(values: list[T]) -> T:
    total: Any = values[0]
    for value in values[1:]:
        total = total + value
    return total  # type: ignore[no-any-return]


def summary_total(totals: Mapping[str, T]) -> T:
    """New shares: the sum of the sources' summary columns in ``totals`` (counts or (P,) arrays)."""
    return _sum([totals[source.summary_column] for source in ISSUANCE_SOURCES])


def timeline_total(issued: Mapping[str, T]) -> T:
    """New shares per date: the sum of the sources' timeline columns in ``issued`` ((E,) arrays)."""
    return _sum([issued[source.timeline_column] for source in ISSUANCE_SOURCES])


def parts(summary: Mapping[str, object]) -> tuple[tuple[IssuanceSource, int], ...]:
    """(source, shares) for every source, in order, from one scenario's summary; raises ``IssuanceMismatch``
    unless they sum to its ``new_shares``."""
    found = tuple((source, int(summary[source.summary_column])) for source in ISSUANCE_SOURCES)  # type: ignore[call-overload]
    total = int(summary["new_shares"])  # type: ignore[call-overload]
    if sum(count for _, count in found) != total:
        shown = " + ".join(f"{count:,} {source.label}" for source, count in found)
        raise IssuanceMismatch(f"new shares by source ({shown}) do not sum to new_shares {total:,}")
    return found


def nonzero_parts(summary: Mapping[str, object]) -> tuple[tuple[IssuanceSource, int], ...]:
    """``parts`` without the sources that issued nothing."""
    return tuple((source, count) for source, count in parts(summary) if count)
