"""Display and download tables assembled from ``calc`` results (selection and labelling only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from calc.errors import Problem
from calc.model.columns import HOLDER_COLUMNS, SUMMARY_METRICS, TERM_LABELS, THRESHOLDS_PCT, flag_name, unit_of
from calc.model.params import SPECS, ParamSpec, ScenarioParams
from calc.model.terms import Terms
from calc.outputs import formats
from calc.outputs.citations import citation
from calc.outputs.files import csv_decimals, plain_number
from dashboard.formatting import NAME_MAX_PX, pct, shares
from dashboard.inputs import choice_label, cli_flag
from dashboard.inputs import label as input_label

SUMMARY_LABELS = {c.name: c.label for c in SUMMARY_METRICS}
UNIT_SHOWN = {"pct": "%", "shares": "shares", "USD": "USD", "": ""}
# st.column_config options beyond header and tooltip; widths (px) so the lead columns' headers read whole at 1024 px
# and the name column holds all but the longest names (over ~60 characters; the full name in the cell's overlay):
# at 1440 px name, pro forma %, pro forma common, 13d-3 % and the flags are in view, at 1024 px name and pro forma %
HOLDER_DISPLAY: dict[str, dict[str, Any]] = {
    "name": {"width": NAME_MAX_PX, "pinned": True},
    "pro_forma_pct": {"width": 90},
    "pro_forma_shares": {"width": 120},
    "beneficial_pct_13d3": {"width": 115},
    **{flag_name(t): {"width": 50} for t in THRESHOLDS_PCT},
    "issues": {"width": "large"},
}
HOLDER_CONFIG_WIDTHS = {name: o["width"] for name, o in HOLDER_DISPLAY.items() if isinstance(o["width"], int)}


def holder_column_config() -> dict[str, Any]:
    """``st.column_config`` per holder-table column, from ``calc.model.columns``: header = label, tooltip = help;
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
            number_format = "%.3f%%" if column.unit == "pct" else formats.TABLE_FORMATS["shares"]
            config[column.name] = st.column_config.NumberColumn(column.label, format=number_format, **options)
    return config


def filter_holders(
    holders: pd.DataFrame,
    query: str = "",
    kinds: Iterable[str] = ("holder", "remainder", "family"),
    flagged_only: bool = False,
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


def summary_table(params: ScenarioParams, summary: Mapping[str, object], register_label: str) -> pd.DataFrame:
    """Long-form summary for download: the inputs, then the results, one row each."""
    rows = [("input", spec.name, getattr(params, spec.name), spec.unit or "", spec.help) for spec in SPECS]
    rows.append(("input", "holder_register", register_label, "", "holder table used for the holder rows"))
    rows += [("result", c.name, summary[c.name], UNIT_SHOWN[c.unit], c.label) for c in SUMMARY_METRICS]
    frame = pd.DataFrame(rows, columns=["section", "item", "value", "unit", "meaning"])
    frame["value"] = [_cell(item, value) for item, value in zip(frame["item"], frame["value"])]
    return frame


def _cell(item: str, value: object) -> object:
    """A long-form summary value (its column mixes units): a float rounded to its unit's precision
    (``calc.outputs.files.csv_decimals``) and written as its shortest text (``plain_number``: ``0``, ``1``, ``20``,
    ``1.89``, ``24.283276``); None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return plain_number(value, csv_decimals(item))
    return value


def rate_history(terms: Terms) -> pd.DataFrame:
    """The conversion-rate steps: date, rate, price (as the terms state them), event and source as a citation."""
    return pd.DataFrame(
        [
            {
                "effective date": formats.day(s.effective_date),
                "conversion rate (common per preferred)": formats.number(s.rate),
                "conversion price": formats.price(s.conversion_price_usd, 4),
                "event": s.event,
                "source": citation(s.source),
            }
            for s in terms.conversion_rates
        ]
    )


def show_param(spec: ParamSpec, value: object) -> str:
    """A scenario input as the sidebar means it, by its unit (``calc.outputs.formats``): USD as a price to the cent
    (``$1.89``; to 4 places where it was entered to 4), a drift per year as a percentage (``5% a year``), a percent
    input as ``20%``, factors as typed, counts with separators, dates as ``Aug 2, 2004``, choices in words, an empty
    optional date as "empty"."""
    if value is None:
        return "empty"
    if spec.kind == "choice":
        return choice_label(value)
    if spec.kind != "float":
        return formats.term_value(spec.name, value)
    if spec.unit == "USD":
        return formats.price(value, 4)
    if spec.unit == "per year":
        return f"{formats.number(100 * float(value))}% a year"  # type: ignore[arg-type]
    if spec.unit == "percent":
        return f"{formats.number(value)}%"
    return formats.number(value)


def term_rows(terms: Terms) -> pd.DataFrame:
    """Every term in force: term, value and source (``_term_rows``)."""
    return _term_rows(terms).drop(columns="assumed")


def _term_rows(terms: Terms) -> pd.DataFrame:
    """Every term in force (preferred, registered amounts, market defaults): its name (``TERM_LABELS``), its
    value as a person reads it (``formats.term_value``), its source as a citation (``citation``) and whether the
    source is an assumption or the product brief rather than the filing (``assumed``)."""
    rows = []
    for section in ("preferred", "registered", "market"):
        obj = getattr(terms, section)
        for field in dataclasses.fields(obj):
            dotted = f"{section}.{field.name}"
            source = terms.provenance.get(dotted, "")
            rows.append(
                {
                    "term": TERM_LABELS.get(dotted, field.name.replace("_", " ")),
                    "value": formats.term_value(field.name, getattr(obj, field.name)),
                    "source": citation(source),
                    "assumed": source.startswith(("assumption", "brief:")) or "; assumption" in source,
                }
            )
    return pd.DataFrame(rows)


def assumption_rows(terms: Terms) -> pd.DataFrame:
    """Terms whose source is an assumption or the product brief rather than the filing."""
    rows = _term_rows(terms)
    return rows[rows["assumed"]].drop(columns="assumed").reset_index(drop=True)


def params_rows(params: ScenarioParams, defaults: ScenarioParams) -> pd.DataFrame:
    """The scenario's inputs, each with its value (``show_param``), whether it differs from the default, its
    meaning, the default and the CLI flag (the columns an analyst reads first lead)."""
    return pd.DataFrame(
        [
            {
                "input": input_label(s),
                "value": show_param(s, getattr(params, s.name)),
                "changed": getattr(params, s.name) != getattr(defaults, s.name),
                "meaning": s.help,
                "default": show_param(s, getattr(defaults, s.name)),
                "CLI flag": cli_flag(s.name),
            }
            for s in SPECS
        ]
    )


def problem_rows(problems: Iterable[str]) -> pd.DataFrame:
    """Problems as a table of their parts (``calc.errors.Problem``): line, column, the value as typed (quoted)
    and the rule it breaks, as text so the line always shows; a plain message keeps line, column and value
    empty and comes first. Sorted by line."""
    rows = [
        {
            "line": "" if p.line is None else str(p.line),
            "column": p.column or "",
            "value": "" if p.value is None else f"'{p.value}'",
            "rule": p.rule,
            "order": -1 if p.line is None else p.line,
        }
        if isinstance(p, Problem)
        else {"line": "", "column": "", "value": "", "rule": p, "order": -1}
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=["line", "column", "value", "rule", "order"])
    return frame.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def compare_table(results: Mapping[str, tuple[ScenarioParams, Mapping[str, object]]]) -> pd.DataFrame:
    """Saved scenarios side by side: inputs that differ between them, then every summary metric."""
    names = list(results)
    rows = []
    for spec in SPECS:
        values = [getattr(results[n][0], spec.name) for n in names]
        if len({str(v) for v in values}) > 1:
            rows.append(
                {"item": f"input: {input_label(spec)}", **{n: show_param(spec, v) for n, v in zip(names, values)}}
            )
    for key, title in SUMMARY_LABELS.items():
        rows.append({"item": title, **{n: _metric(key, results[n][1][key]) for n in names}})
    return pd.DataFrame(rows)


def _metric(key: str, value: object) -> str:
    """A summary value as the headline shows it (``narrative.pct`` / ``narrative.shares``), booleans as yes/no."""
    if unit_of(key) == "pct":
        return pct(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shares(value)
