"""Display and download tables assembled from ``calc`` results (selection and labelling only)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

import pandas as pd

from calc.csv_format import decimals_for
from calc.params import SPECS, ScenarioParams
from calc.terms import Terms
from dashboard.formatting import iso, label, pct, shares, usd
from dashboard.inputs import cli_flag
from dashboard.inputs import label as input_label

HOLDER_COLUMNS = {  # holder-table column -> header shown in the page; the columns that answer "who owns how much"
    "name": "Holder / family",  # first (pinned), then the percentages and flags, then the counts behind them
    "pro_forma_pct": "Pro forma %",
    "beneficial_pct_13d3": "13d-3 beneficial %",
    "flag_5pct": "≥ 5%",
    "flag_10pct": "≥ 10%",
    "pro_forma_shares": "Pro forma common",
    "kind": "Row",
    "family": "Fund family",
    "basis_preferred_shares": "Preferred (basis)",
    "registered_preferred_shares": "Preferred listed",
    "common_owned_prior": "Common owned prior",
    "conversion_shares": "From conversion",
    "redemption_shares": "From redemption",
    "exchange_shares": "From exchanges",
    "obtainable_shares_60d": "Obtainable in 60 days",
    "footnotes": "Footnotes",
    "issues": "Filing data-quality issues",
}
SUMMARY_LABELS = {
    "as_converted_shares": "As-converted shares today (all preferred converted at the valuation date)",
    "dividend_shares": "New shares from dividends paid in stock",
    "conversion_shares": "New shares from conversion",
    "redemption_shares": "New shares from redemption / puts paid in stock",
    "new_shares": "New shares, all sources",
    "total_shares": "Total common outstanding at the horizon",
    "dilution_pct": "Dilution % (new shares / total outstanding)",
    "authorized_shares": "Authorized common shares",
    "headroom_shares": "Headroom (authorized minus total outstanding)",
    "exceeds_authorized": "Exceeds authorized shares",
    "exchange_shares": "New shares from negotiated exchanges (ledger)",
    "repurchase_cash_usd": "Cash paid for repurchases (ledger), USD",
    "preferred_outstanding_after_events": "Preferred outstanding after the ledger rows",
    "preferred_outstanding_at_horizon": "Preferred outstanding at the horizon",
}
PROBLEM_RE = re.compile(r"^line (\d+), column ([^:]+): (.*)$")
VALUE_RE = re.compile(r"^('(?:[^']|'(?! ))*') (.*)$")  # a leading quoted value: "'abc' must be ..."


def filter_holders(holders: pd.DataFrame, query: str = "", kinds: Iterable[str] = ("holder", "family"),
                   flagged_only: bool = False) -> pd.DataFrame:
    """Rows whose name, family or footnotes contain ``query`` (case-insensitive), by pro forma %."""
    rows = holders[holders["kind"].isin(list(kinds))]
    text = query.strip().lower()
    if text:
        haystack = (rows["name"] + " " + rows["family"] + " " + rows["footnotes"]).str.lower()
        rows = rows[haystack.str.contains(text, regex=False)]
    if flagged_only:
        rows = rows[rows["flag_5pct"] | rows["flag_10pct"]]
    return rows.sort_values("pro_forma_pct", ascending=False, kind="stable")


def holder_view(holders: pd.DataFrame) -> pd.DataFrame:
    """The holder table's columns in display order (names unchanged; headers set by column_config)."""
    return holders[[c for c in HOLDER_COLUMNS if c in holders.columns]]


def summary_table(params: ScenarioParams, summary: Mapping[str, object], register_label: str) -> pd.DataFrame:
    """Long-form summary for download: the inputs, then the results, one row each."""
    rows = [("input", spec.name, getattr(params, spec.name), spec.unit or "", spec.help) for spec in SPECS]
    rows.append(("input", "holder_register", register_label, "", "holder table used for the holder rows"))
    rows += [("result", k, summary[k], "%" if k.endswith("_pct") else ("" if k == "exceeds_authorized" else
                                                                             "shares"), SUMMARY_LABELS.get(k, ""))
             for k in summary]
    frame = pd.DataFrame(rows, columns=["section", "item", "value", "unit", "meaning"])
    frame["value"] = [_cell(item, value) for item, value in zip(frame["item"], frame["value"])]
    return frame


def _cell(item: str, value: object) -> object:
    """A long-form summary value to its unit's precision (``calc.csv_format``); None as empty."""
    digits = decimals_for(item)
    if value is None:
        return ""
    if isinstance(value, float) and digits is not None:
        return f"{value:.{digits}f}"
    return value


def rate_history(terms: Terms) -> pd.DataFrame:
    return pd.DataFrame([{"effective date": s.effective_date, "conversion rate (common per preferred)": str(s.rate),
                          "conversion price (USD)": str(s.conversion_price_usd), "event": s.event,
                          "source": s.source} for s in terms.conversion_rates])


def _show(value: object, name: str = "") -> str:
    """A term or input as an analyst reads it: separators, yes/no, rates as %, month-day pairs as MM-DD, ISO
    dates (``name`` is the field name; its unit suffix picks the form)."""
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return ", ".join(f"{int(m):02d}-{int(d):02d}" for m, d in value)  # (month, day) pairs
        return ", ".join(_show(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" + ("%" if name.endswith("_pct") else "")
    if isinstance(value, Decimal | float) and name.endswith("_rate") and value < 1:
        return pct(100 * float(value))
    if isinstance(value, Decimal | float) and name.endswith("_usd"):
        return usd(value, 2 if value >= 100 or name.startswith("conversion") else 4)
    if isinstance(value, dt.date):
        return iso(value)
    return str(value)


def term_rows(terms: Terms) -> pd.DataFrame:
    """Every term in force (preferred, registered amounts, market defaults): a readable name and value, the
    source, and the field's name in ``data/terms.toml``."""
    rows = []
    for section in ("preferred", "registered", "market"):
        obj = getattr(terms, section)
        for field in dataclasses.fields(obj):
            dotted = f"{section}.{field.name}"
            rows.append({"term": f"{section}: {label(field.name)}", "value": _show(getattr(obj, field.name),
                                                                                   field.name),
                         "source": terms.provenance.get(dotted, ""), "field": dotted})
    return pd.DataFrame(rows)


def assumption_rows(terms: Terms) -> pd.DataFrame:
    """Terms whose source is an assumption or the product brief rather than the filing."""
    rows = term_rows(terms)
    return rows[rows["source"].str.contains(r"assumption:|brief:", regex=True)].reset_index(drop=True)


def params_rows(params: ScenarioParams, defaults: ScenarioParams) -> pd.DataFrame:
    """The scenario's inputs, each with its unit, meaning and whether it differs from the default."""
    return pd.DataFrame([{"input": input_label(s), "value": _show(getattr(params, s.name), s.name) or "",
                          "default": _show(getattr(defaults, s.name), s.name), "CLI flag": cli_flag(s.name),
                          "changed": getattr(params, s.name) != getattr(defaults, s.name), "meaning": s.help}
                         for s in SPECS])


def problem_rows(problems: Iterable[str]) -> pd.DataFrame:
    """Split 'line N, column X: 'value' rule' messages into line, column, value and rule (text columns, so the
    line always shows; messages without a line keep line, column and value empty), by line."""
    rows = []
    for problem in problems:
        match = PROBLEM_RE.match(problem)
        if match is None:
            rows.append({"line": "", "column": "", "value": "", "rule": problem, "order": -1})
            continue
        quoted = VALUE_RE.match(match.group(3))
        value, rule = (quoted.group(1), quoted.group(2)) if quoted else ("", match.group(3))
        rows.append({"line": match.group(1), "column": match.group(2), "value": value, "rule": rule,
                     "order": int(match.group(1))})
    frame = pd.DataFrame(rows, columns=["line", "column", "value", "rule", "order"])
    return frame.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def compare_table(results: Mapping[str, tuple[ScenarioParams, Mapping[str, object]]]) -> pd.DataFrame:
    """Saved scenarios side by side: inputs that differ between them, then every summary metric."""
    names = list(results)
    rows = []
    for spec in SPECS:
        values = [getattr(results[n][0], spec.name) for n in names]
        if len({str(v) for v in values}) > 1:
            rows.append({"item": f"input: {input_label(spec)}", **{n: _show(v, spec.name)
                                                                    for n, v in zip(names, values)}})
    for key, title in SUMMARY_LABELS.items():
        rows.append({"item": title, **{n: _metric(key, results[n][1][key]) for n in names}})
    return pd.DataFrame(rows)


def _metric(key: str, value: object) -> str:
    """A summary value as the headline shows it (``narrative.pct`` / ``narrative.shares``), booleans as yes/no."""
    if key.endswith("_pct"):
        return pct(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shares(value)
