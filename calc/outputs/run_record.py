"""The run record (``calc.outputs.record.inputs_record``) and the scenario inputs as a person reads them: each item
by its label, values in words and figures (``calc.outputs.formats``), sources as citations. One set of rows for the
report's appendix (``calc.outputs.report``) and the workbook's Run record sheet (``calc.outputs.workbook``): no code
names (``flags.price``), no JSON-quoted dates, times as ``Dec 7, 2026, 15:36 UTC``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePath

from calc.model.params import SPEC_BY_NAME, ParamSpec
from calc.outputs.formats import counted, day, moment, number, price, rate, shares, usd, yes_no

FLAG_LABELS = {  # CLI flags that are not scenario parameters -> words
    "events": "Ledger rows file",
    "scenario": "Scenario file",
    "history": "2002–2004 history replayed",
    "prices": "Price path file",
    "price_rule": "Price between closes",
    "out": "Report file",
    "holder_data": "Holder data",
    "xlsx": "Workbook file",
    "timeline": "Timeline file",
    "holders_out": "Holders file",
    "summary": "Summary file",
    "excel": "Spreadsheet-safe CSV",
    "json": "JSON output",
    "volatility": "Monte Carlo volatility",
    "paths": "Monte Carlo paths",
    "seed": "Random seed",
    "grants": "Option grants file",
    "net_income": "Net income",
    "include_illustrative": "Illustrative securities included",
}
FILE_LABELS = {  # input files (``input_files`` of the record, by flag) -> what they are
    "history": "2002–2004 history",
    "history_replay": "2002–2004 history replay",
    "grants": "Option grants",
    "events": "Ledger rows",
    "prices": "Price path",
    "scenario": "Scenario",
    "holder_data": "Holder data",
}
OUTPUT_FLAGS = frozenset({"xlsx", "out", "timeline", "holders_out", "summary"})  # files written: named, not cited
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
INPUT_FILE_FLAGS = frozenset({"events", "scenario", "scenarios", "prices", "holders", "grants", "forms"})  # files read


def words(text: object) -> str:
    """A code value as words: ``pro_rata`` -> ``pro rata``."""
    return str(text).replace("_", " ")


CODE_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def plain_words(text: object) -> str:
    """A parameter's rule (``ParamSpec.help``) without code names: ``price × put_factor`` -> ``price × put factor``,
    ``call_trigger_pct/100`` -> ``call trigger/100``, ``pro_rata`` -> ``pro rata``."""
    return CODE_NAME.sub(lambda m: words(re.sub(r"_(?:pct|usd|rate)$", "", m.group(0))), str(text))


def input_label(spec: ParamSpec) -> str:
    """A scenario parameter by its label (``ParamSpec.label``)."""
    return spec.label or words(spec.name).capitalize()


def input_text(spec: ParamSpec, value: object) -> str:
    """A scenario parameter's value as a person reads it: prices to the cent (or as typed, up to 4 places), the
    drift as a rate, percentages, counts with separators, dates as "Aug 2, 2004", choices as words."""
    if value is None or value == "":
        return "none"
    if spec.kind == "choice":
        return words(value)
    if spec.kind in ("date", "optional_date"):
        return day(value)
    if spec.unit == "USD":
        return price(value, 4)
    if spec.unit == "per year":
        return f"{rate(value)} a year"
    if spec.unit == "percent":
        return f"{number(value)}%"
    if spec.unit == "shares":
        return shares(value)
    return number(value)


def flag_text(name: str, value: object) -> str:
    """A command-line flag's value as a person reads it: yes/no, a scenario parameter as ``input_text`` writes it,
    a file written by its name, a number with separators (the volatility as a rate), a source file as a citation."""
    if isinstance(value, bool):
        return yes_no(value)
    spec = SPEC_BY_NAME.get(name)
    if spec is not None:
        try:
            return input_text(spec, value)
        except (TypeError, ValueError):
            return str(value)
    if name in OUTPUT_FLAGS or name in INPUT_FILE_FLAGS:
        return PurePath(str(value)).name  # a file the user named: its name as typed
    if isinstance(value, int | float) or NUMBER.fullmatch(str(value)):
        if name == "net_income":
            return usd(float(str(value)))
        return rate(value) + " a year" if name == "volatility" else number(value)
    return str(value)


def _doc_rows(doc: Mapping[str, object]) -> list[tuple[str, str]]:
    """The scenario document's parts beyond the parameters (those are listed already)."""
    holders = doc.get("holders") or {}
    grants = doc.get("grants") or {}
    policies = doc.get("policies") or {}
    events = doc.get("events") or []
    rows = [
        ("Holder data", str(holders.get("label", "")) if isinstance(holders, Mapping) else ""),  # user text as given
        ("Ledger rows", counted(len(events), "row")),  # type: ignore[arg-type]
        ("Option grants", str(grants.get("label", "none")) if isinstance(grants, Mapping) else "none"),
        ("2002–2004 history replayed", yes_no(doc.get("history", False))),
        ("Illustrative securities included", yes_no(doc.get("include_illustrative", False))),
    ]
    if isinstance(policies, Mapping) and policies:
        rows.append(("Securities policies", "; ".join(f"{words(k)}: {words(v)}" for k, v in policies.items())))
    return rows


def record_rows(record: Mapping[str, object]) -> list[tuple[str, str]]:
    """The run record (``calc.outputs.record.inputs_record``) by label: product, time, command, the flags given
    (empty ones left out), every scenario parameter, the input files, rounding, the scenario id and document."""
    rows = [
        ("Product", f"{record.get('product', '')} {record.get('version', '')}".strip()),
        ("Generated", moment(record.get("generated_at"))),
        ("Command", words(record.get("command", ""))),
    ]
    if "scenario_id" in record:
        rows.append(("Scenario id", str(record["scenario_id"])))
    flags = record.get("flags") or {}
    for name, value in flags.items() if isinstance(flags, Mapping) else ():
        if value is None or value is False or value == "" or value == []:
            continue
        spec = SPEC_BY_NAME.get(name)
        label = input_label(spec) if spec else FLAG_LABELS.get(name, words(name).capitalize())
        rows.append((f"Given: {label}", flag_text(name, value)))
    scenario = record.get("scenario") or {}
    for name, value in scenario.items() if isinstance(scenario, Mapping) else ():
        spec = SPEC_BY_NAME.get(name)
        rows.append(
            (input_label(spec) if spec else words(name).capitalize(), input_text(spec, value) if spec else str(value))
        )
    files = record.get("input_files") or {}
    for flag, info in files.items() if isinstance(files, Mapping) else ():
        key = str(flag).lstrip("-").replace("-", "_").replace(" ", "_")
        name = FILE_LABELS.get(key) or FLAG_LABELS.get(key) or words(key).capitalize()
        if isinstance(info, Mapping):
            where = PurePath(str(info.get("path", ""))).name
            shown = f"{where}, {shares(info.get('bytes'))} bytes, SHA-256 {info.get('sha256', '')}"
        else:
            shown = str(info)
        rows.append((f"Input file: {name}", shown))
    if "rounding" in record:
        rows.append(("Rounding", re.sub(r"\s*\(_\w+\)", "", str(record["rounding"]))))
    doc = record.get("scenario_document")
    if isinstance(doc, Mapping):
        rows += _doc_rows(doc)
    return rows
