"""Plain-language reading of a scenario result ("In plain words"), for the dashboard and the report.

Text only: every number comes from a ``calc`` result. The wording is built once here; a ``Markup``
says how to mark emphasis and how to show text that is not a formatted number (holder names, event
labels): escaped markdown for the dashboard (``dashboard.narrative``), escaped HTML for the report.
Numbers are formatted here (``shares``, ``pct``, ``usd``), so they contain only digits, ``,``, ``.``,
``$``, ``%`` and ``-``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from calc.model.capacity import AUTHORIZED, NYSE, REGISTERED, CapLine
from calc.model.issuance import nonzero_parts
from calc.model.params import ScenarioParams
from calc.model.scenario_capacity import IssuanceCheck, ScenarioCapacity
from calc.outputs.formats import counted, day, pct, price, shares, shares_words, usd

FRACTION_NOTE = (
    "No fractional common share is issued: the filing (SUPP p. 11, footnote 4) delivers scrip for the "
    "fraction; this product values the fraction as cash in lieu at the market price (an assumption)."
)
OWNERSHIP_CAVEAT = (
    "Ownership covers only the holders listed in the filing's Selling Securityholders table (or the "
    'holder table uploaded or edited in the Holders tab); "common owned prior" is only what that '
    "table reports. Lucent's other shareholders, not listed there, are not counted as holders: they "
    "appear only in total common outstanding, the denominator of every percentage."
)


@dataclass(frozen=True)
class Markup:
    """How the narrative marks text: ``text`` shows a string literally, ``strong`` and ``emphasis`` mark
    already-safe text."""

    text: Callable[[object], str]
    strong: Callable[[str], str]
    emphasis: Callable[[str], str]


HTML = Markup(
    text=lambda value: html.escape(str(value)),
    strong=lambda s: f"<strong>{s}</strong>",
    emphasis=lambda s: f"<em>{s}</em>",
)


def _dividends(params: ScenarioParams, timeline: pd.DataFrame, summary: Mapping[str, object], m: Markup) -> str:
    paid = timeline[timeline["dividend_due_usd"] > 0]
    count = len(paid)
    if params.dividend_policy == "accrue":
        accrued = timeline[timeline["event"].str.contains("dividend")]
        if accrued.empty:
            return "No dividend date falls in the window."
        lp = timeline["lp_per_share_usd"].iloc[-1]
        subject = "The dividend in the window is not paid: it accrues"
        if len(accrued) > 1:
            subject = f"The {counted(len(accrued), 'dividend')} in the window are not paid: they accrue"
        return (
            f"{subject}, and the liquidation preference grows to {usd(lp)} per share by the horizon "
            "(no new shares yet)."
        )
    if count == 0:
        return "No dividend is paid in the window."
    due = usd(paid["dividend_due_usd"].iloc[0] / 1e6, 1)
    pays = f"Lucent pays {counted(count, 'semiannual dividend')} of about {due} million"
    if params.dividend_policy == "cash":
        return f"{pays} in cash: no new shares."
    return (
        f"{pays} in stock: the transfer agent sells "
        f"new shares for the cash due, {m.strong(shares(summary['dividend_shares']) + ' new shares')} in all."
    )


def _exit(timeline: pd.DataFrame, m: Markup) -> str:
    """The exit event, read from its timeline row (price, conversion price and moneyness on that date)."""
    converted = timeline[timeline["conversion_shares"] > 0]
    if not converted.empty:
        row = converted.iloc[0]
        new = m.strong(shares(row["conversion_shares"]) + " new shares")
        return (
            f"On {day(row['date'])} the holders convert: {new} "
            f"at the conversion price of {usd(row['conversion_price_usd'])} (fractions: scrip under the filing; "
            "valued here as cash in lieu at the market price, an assumption)."
        )
    redeemed = timeline[timeline["redemption_shares"] > 0]
    if not redeemed.empty:
        row = redeemed.iloc[0]
        new = m.strong(shares(row["redemption_shares"]) + " new shares")
        moneyness = "in the money" if bool(row["in_the_money"]) else "out of the money"
        return (
            f"On {day(row['date'])} ({m.text(row['event'])}) the preferred is put back to Lucent — conversion at "
            f"{usd(row['conversion_price_usd'])} is {moneyness} at {usd(row['price_usd'])} — and Lucent "
            f"settles in stock valued at the market price: {new}."
        )
    outstanding = timeline["preferred_outstanding"].to_numpy()
    last = timeline.iloc[-1]
    debentures = last["debenture_principal_usd"]
    if debentures > 0:
        return (
            "The preferred is exchanged into 8.00% convertible debentures "
            f"({usd(debentures / 1e6, 1)} million of principal at the horizon, convertible at the same rate)."
        )
    if outstanding[-1] == 0 and outstanding[0] > 0:
        gone = timeline[timeline["preferred_outstanding"] == 0].iloc[0]
        return (
            f"On {day(gone['date'])} ({m.text(gone['event'])}) the preferred leaves the market for cash: "
            "no new shares from the put or redemption."
        )
    return (
        "At the horizon the preferred is still outstanding; it could still convert "
        f"(conversion price {usd(last['conversion_price_usd'])}, "
        f"{'in' if bool(last['in_the_money']) else 'out of'} the money at {usd(last['price_usd'])}), "
        "which the as-converted figure shows."
    )


def _owners(holders: pd.DataFrame, basis: str, m: Markup, top: int = 3) -> str:
    """The largest owners and the rows reaching 5%. A remainder row (``kind`` remainder: the preferred
    not in an uploaded table, many unknown holders) is no owner: it is left out of both and said once."""
    pooled = holders[holders["kind"] == "remainder"]
    holders = holders[holders["kind"] != "remainder"]
    largest = holders.sort_values("pro_forma_pct", ascending=False).head(top)
    parts = [
        f"{m.text(row['name'])}{' (fund family)' if row['kind'] == 'family' else ''} {pct(row['pro_forma_pct'])}"
        for _, row in largest.iterrows()
    ]
    flagged = holders[holders["flag_5pct"]]
    named = flagged.sort_values("beneficial_pct_13d3", ascending=False)["name"].head(5)
    reach = "reaches" if len(flagged) == 1 else "reach"
    crossing = (
        "none reaches 5% beneficial ownership (SEC Rule 13d-3)."
        if flagged.empty
        else f"{counted(len(flagged), 'row')} {reach} 5% beneficial ownership: "
        + ", ".join(map(m.text, named))
        + ("" if str(named.iloc[-1]).endswith(".") else ".")
    )
    unlisted = (
        ""
        if pooled.empty
        else f" The {shares(pooled['basis_preferred_shares'].sum())} preferred not in the uploaded table are one "
        f"remainder row ({m.text(pooled['name'].iloc[0])}, {pct(pooled['pro_forma_pct'].sum())}): many unknown "
        "holders, not one owner."
    )
    return (
        f"Largest resulting owners of Lucent common (pro forma, {basis.replace('_', ' ')} basis): "
        + "; ".join(parts)
        + f" — {crossing}{unlisted} {m.emphasis('Caveat:')} {OWNERSHIP_CAVEAT}"
    )


def _by_source(summary: Mapping[str, object]) -> str:
    """The new shares split by source (``calc.model.issuance``), every source that issued any named, so the parts read
    add up to the total: " By source: a from X, b from Y and c from Z." (empty when nothing is issued)."""
    named = [f"{shares(count)} from {source.phrase}" for source, count in nonzero_parts(summary)]
    if not named:
        return ""
    if len(named) == 1:
        return f" All {named[0]}."
    return f" By source: {', '.join(named[:-1])} and {named[-1]}."


CAP_WORDS = {  # cap -> (what the limit is, what crossing it would need)
    NYSE: ("the NYSE 20% limit", "shareholder approval would be needed under NYSE 312.03(c)"),
    REGISTERED: ("the {limit} registered shares left", "a new registration or an exemption would be needed"),
    AUTHORIZED: ("the {limit} authorized shares left unissued", "a charter amendment would be needed"),
}
CASH_INSTEAD = ' Under the capacity policy ("Cash when a cap binds": yes) it is settled in cash instead.'
MAX_CAPACITY_SENTENCES = 3  # issuances named one by one; the rest counted


def _issuance_subject(c: IssuanceCheck, m: Markup) -> str:
    """How an issuance is named: "Settling the 2004-08-02 put in stock", "Paying the ... dividend in stock"."""
    date = day(c.date)
    if c.kind == "dividend":
        return f"Paying the {date} dividend in stock"
    if c.issuance.amount_usd is not None:
        return f"Settling the {date} {m.text(c.kind)} in stock"
    if c.kind in ("conversion", "call"):
        return f"The {date} {'forced ' if c.kind == 'call' else ''}conversion"
    return f"The {date} ledger row ({m.text(c.kind)})"


def _cap_verdict(line: CapLine) -> str:
    """One cap in words: above (it binds) or close to its limit, what that would need, and its binding price."""
    limit, need = CAP_WORDS[line.cap]
    if line.limit_shares <= 0:
        return f"with {limit.format(limit='no').removeprefix('the ')}, so {need}"
    limit = limit.format(limit=shares(line.limit_shares))
    where = f"above {limit}, so {need}" if line.binds else f"close to {limit}: beyond it, {need}"
    price = line.binding_price_usd
    return where + (f" (the limit binds below {usd(price)} a share)" if price is not None else "")


def _capacity(capacity: ScenarioCapacity | None, m: Markup) -> str:
    """Each issuance with a cap that binds or is within reach (``calc.model.scenario_capacity``), in words;
    "" when none is."""
    if capacity is None:
        return ""
    checks = [c for c in capacity.checks if c.named()]
    sentences = []
    for c in checks[:MAX_CAPACITY_SENTENCES]:
        n, o = c.issuance.shares_needed, c.issuance.outstanding_before
        verdicts = "; ".join(_cap_verdict(line) for line in c.named())
        cash = CASH_INSTEAD if c.settled_in_cash else ""
        sentences.append(
            f"{_issuance_subject(c, m)} needs {m.strong(shares(n) + ' shares')}, {pct(100 * n / o, 1)} of the "
            f"{shares(o)} outstanding before it: {verdicts}.{cash}"
        )
    if len(checks) > MAX_CAPACITY_SENTENCES:
        sentences.append(f"{counted(len(checks) - MAX_CAPACITY_SENTENCES, 'more issuance')} near or over a cap.")
    return " ".join(sentences)


def headline_answer(timeline: pd.DataFrame, summary: Mapping[str, object]) -> str:
    """The scenario's answer in one sentence, for the top of the report and the workbook's Summary:
    "1.16 billion new common shares by Aug 2, 2004, 24.30% of the total, mostly from puts and redemption settled
    in stock at $1.89." The date is the last date that issued shares; "mostly" names a source that issued more than
    half (else "the largest part"); the price is named when that source issued on one date only. Plain text: every
    part is a formatted number or a fixed phrase (``calc.model.issuance``)."""
    new = int(summary["new_shares"])  # type: ignore[call-overload]
    if new == 0:
        last = timeline.iloc[-1]
        held = (
            "the preferred is still outstanding"
            if last["preferred_outstanding"] > 0
            else "the preferred is settled in cash"
        )
        if last["debenture_principal_usd"] > 0:
            held = f"the preferred is exchanged into {usd(last['debenture_principal_usd'])} of convertible debentures"
        return f"No new common shares by {day(last['date'])}: {held}."
    issued = timeline[timeline["cumulative_new_shares"] == timeline["cumulative_new_shares"].iloc[-1]]
    source, count = max(nonzero_parts(summary), key=lambda part: part[1])
    lead = "mostly from" if 2 * count > new else "the largest part from"
    rows = timeline[timeline[source.timeline_column] > 0]
    at = f" at {price(rows['price_usd'].iloc[0], 4)}" if len(rows) == 1 else ""
    return (
        f"{shares_words(new)} new common shares by {day(issued['date'].iloc[0])}, "
        f"{pct(summary['dilution_pct'])} of the total, {lead} {source.phrase}{at}."
    )


def explain_parts(
    params: ScenarioParams,
    timeline: pd.DataFrame,
    summary: Mapping[str, object],
    holders: pd.DataFrame,
    m: Markup = HTML,
    price_path: str = "",
    capacity: ScenarioCapacity | None = None,
) -> list[str]:
    """The lead sentence, then one point each: dividends, the exit, the total (split by source: every source
    that issued shares, ``calc.model.issuance``), the largest owners (how many new shares, when, why, and who owns
    them). ``price_path``: the dated price path in use, in words (``calc.model.scenario_prices.path_words``; "": the
    drift path); ``capacity``: the scenario's capacity checks, named after the total when a cap binds or is within
    reach (``_capacity``)."""
    drift = "flat" if params.annual_drift == 0 else f"drifting {pct(100 * params.annual_drift, 1)} a year"
    prices = timeline["price_usd"]
    common = (
        f"on the price path ({price_path}: {usd(float(prices.iloc[0]))} at the start, "
        f"{usd(float(prices.iloc[-1]))} at the horizon)"
        if price_path
        else f"at {usd(params.price)} ({drift})"
    )
    head = f"{m.strong('In plain words.')} Common {common}, from {day(params.valuation_date)} to {day(params.horizon)}:"
    total = (
        f"Together: {m.strong(shares(summary['new_shares']) + ' new shares')}, taking Lucent's common from "
        f"{shares(params.base_shares)} to {m.strong(shares(summary['total_shares']))} — the new shares are "
        f"{m.strong(pct(summary['dilution_pct']))} of the total.{_by_source(summary)} Headroom against the "
        f"{shares(summary['authorized_shares'])} authorized shares: {shares(summary['headroom_shares'])}."
    )
    caps = _capacity(capacity, m)
    return [
        head,
        _dividends(params, timeline, summary, m),
        _exit(timeline, m),
        total,
        *([caps] if caps else []),
        _owners(holders, params.holder_basis, m),
    ]
