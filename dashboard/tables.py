"""Display and download tables assembled from ``calc`` results (selection and labelling only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from calc.columns import HOLDER_COLUMNS, SUMMARY_METRICS, THRESHOLDS_PCT, flag_name
from calc.errors import Problem
from calc.params import SPECS, ScenarioParams
from calc.terms import Terms
from dashboard.narrative import pct, shares

HOLDER_LABELS = {c.name: c.label for c in HOLDER_COLUMNS}  # holder-table column -> header shown in the page
SUMMARY_LABELS = {c.name: c.label for c in SUMMARY_METRICS}
UNIT_SHOWN = {"pct": "%", "shares": "shares", "USD": "USD", "": ""}
# st.column_config options beyond header and tooltip
HOLDER_DISPLAY: dict[str, dict[str, Any]] = {"name": {"width": "medium", "pinned": True}, "issues": {"width": "large"}}


def holder_column_config() -> dict[str, Any]:
    """``st.column_config`` per holder-table column, from ``calc.columns``: header = label, tooltip = help;
    text columns as text, yes/no as checkboxes, percentages to 3 decimals, counts with thousands separators."""
    config: dict[str, Any] = {}
    for column in HOLDER_COLUMNS:
        options = dict(HOLDER_DISPLAY.get(column.name, {}))
        if column.help:
            options["help"] = column.help
        if column.dtype == "string":
            config[column.name] = st.column_config.TextColumn(column.label, **options)
        elif column.dtype == "bool":
            config[column.name] = st.column_config.CheckboxColumn(column.label, **options)
        else:
            number_format = "%.3f%%" if column.unit == "pct" else "localized"
            config[column.name] = st.column_config.NumberColumn(column.label, format=number_format, **options)
    return config


def filter_holders(
    holders: pd.DataFrame, query: str = "", kinds: Iterable[str] = ("holder", "family"), flagged_only: bool = False
) -> pd.DataFrame:
    """Rows whose name, family or footnotes contain ``query`` (case-insensitive), by pro forma %."""
    rows = holders[holders["kind"].isin(list(kinds))]
    text = query.strip().lower()
    if text:
        haystack = (rows["name"] + " " + rows["family"] + " " + rows["footnotes"]).str.lower()
        rows = rows[haystack.str.contains(text, regex=False)]
    if flagged_only:
        rows = rows[rows[[flag_name(t) for t in THRESHOLDS_PCT]].any(axis=1)]
    return rows.sort_values("pro_forma_pct", ascending=False, kind="stable")


def holder_view(holders: pd.DataFrame) -> pd.DataFrame:
    """The holder table's columns in display order (names unchanged; headers set by column_config)."""
    return holders[[c.name for c in HOLDER_COLUMNS if c.name in holders.columns]]


def summary_table(params: ScenarioParams, summary: Mapping[str, object], register_label: str) -> pd.DataFrame:
    """Long-form summary for download: the inputs, then the results, one row each."""
    rows = [("input", spec.name, getattr(params, spec.name), spec.unit or "", spec.help) for spec in SPECS]
    rows.append(("input", "holder_register", register_label, "", "holder table used for the holder rows"))
    rows += [("result", c.name, summary[c.name], UNIT_SHOWN[c.unit], c.label) for c in SUMMARY_METRICS]
    frame = pd.DataFrame(rows, columns=["section", "item", "value", "unit", "meaning"])
    frame["value"] = frame["value"].map(lambda v: "" if v is None else v)
    return frame


def rate_history(terms: Terms) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "effective date": s.effective_date,
                "conversion rate (common per preferred)": str(s.rate),
                "conversion price (USD)": str(s.conversion_price_usd),
                "event": s.event,
                "source": s.source,
            }
            for s in terms.conversion_rates
        ]
    )


def _show(value: object) -> str:
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return ", ".join("(" + _show(v) + ")" for v in value)
        return ", ".join(_show(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def term_rows(terms: Terms) -> pd.DataFrame:
    """Every term in force (preferred, registered amounts, market defaults) with its source."""
    rows = []
    for section in ("preferred", "registered", "market"):
        obj = getattr(terms, section)
        for field in dataclasses.fields(obj):
            dotted = f"{section}.{field.name}"
            rows.append(
                {"field": dotted, "value": _show(getattr(obj, field.name)), "source": terms.provenance.get(dotted, "")}
            )
    return pd.DataFrame(rows)


def assumption_rows(terms: Terms) -> pd.DataFrame:
    """Terms whose source is an assumption or the product brief rather than the filing."""
    rows = term_rows(terms)
    return rows[rows["source"].str.contains(r"assumption:|brief:", regex=True)].reset_index(drop=True)


def params_rows(params: ScenarioParams, defaults: ScenarioParams) -> pd.DataFrame:
    """The scenario's inputs, each with its unit, meaning and whether it differs from the default."""
    return pd.DataFrame(
        [
            {
                "parameter": s.name,
                "value": _show(getattr(params, s.name)) or "",
                "default": _show(getattr(defaults, s.name)),
                "unit": s.unit,
                "changed": getattr(params, s.name) != getattr(defaults, s.name),
                "meaning": s.help,
            }
            for s in SPECS
        ]
    )


def problem_rows(problems: Iterable[str]) -> pd.DataFrame:
    """Problems as a table of their parts (``calc.errors.Problem``): line, column and the reason (the value as
    typed, then the rule it breaks); a plain message keeps line and column empty."""
    rows = [
        {"line": p.line, "column": p.column or "", "reason": p.what}
        if isinstance(p, Problem)
        else {"line": None, "column": "", "reason": p}
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=["line", "column", "reason"])
    return frame.sort_values("line", kind="stable", na_position="first").reset_index(drop=True)


def compare_table(results: Mapping[str, tuple[ScenarioParams, Mapping[str, object]]]) -> pd.DataFrame:
    """Saved scenarios side by side: inputs that differ between them, then every summary metric."""
    names = list(results)
    rows = []
    for spec in SPECS:
        values = [getattr(results[n][0], spec.name) for n in names]
        if len({str(v) for v in values}) > 1:
            rows.append({"item": f"input: {spec.name}", **{n: _show(v) for n, v in zip(names, values)}})
    for key, label in SUMMARY_LABELS.items():
        rows.append({"item": label, **{n: _metric(key, results[n][1][key]) for n in names}})
    return pd.DataFrame(rows)


def _metric(key: str, value: object) -> str:
    """A summary value as the headline shows it (``narrative.pct`` / ``narrative.shares``), booleans as yes/no."""
    if key.endswith("_pct"):
        return pct(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shares(value)
