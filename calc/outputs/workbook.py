"""One scenario as an Excel workbook (XlsxWriter): what ran, what came out, and where every figure comes from.

Sheets: Inputs (every scenario parameter with its value, unit, rule and the source of its
default, then the run's record: product version, time, flags, input files), Summary, Timeline,
Holders, Monte Carlo (percentiles, when run), Options and EPS (when grants or net income are
given), Sources (every term with its source, the conversion-rate history, the data files).

Cells: numbers are numbers (shares ``#,##0``; money ``#,##0.00``; ``*_pct`` columns, which are
0-100 in calc, are stored as fractions with a ``0.0000%`` format so the spreadsheet shows the same
percentage); dates are dates (``yyyy-mm-dd``); booleans are booleans; text is written as text and,
when it begins with ``=``, ``+``, ``-``, ``@``, tab or CR, neutralized with a leading ``'``
(``calc.outputs.files.neutralize_text``). Header rows are frozen and filtered; columns are sized to
their contents (at most ``MAX_WIDTH`` characters).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from calc.inputs.params import default_params
from calc.inputs.paths import FILING_PATH, REGISTER_PATH, TERMS_PATH
from calc.model.columns import SUMMARY_METRICS, holder_table, spec_of, timeline_table, unit_of
from calc.model.eps import DilutedEps, waterfall_rows
from calc.model.montecarlo import MonteCarloResult
from calc.model.params import SPECS, ScenarioParams
from calc.model.scenario import ScenarioResult
from calc.model.terms import Terms
from calc.outputs.files import PCT_DECIMALS, csv_decimals, neutralize_text

MAX_WIDTH = 60
FORMATS = {
    "header": {"bold": True, "bg_color": "#DDE4EE", "text_wrap": True, "valign": "top", "border": 1},
    "shares": {"num_format": "#,##0"},
    "usd": {"num_format": "#,##0.00"},
    "pct": {"num_format": "0.0000%"},
    "number": {"num_format": "General"},
    "date": {"num_format": "yyyy-mm-dd"},
    "text": {"text_wrap": False},
}
# The cell kind a table column takes from its registered unit (or, unitless, its dtype); others: by their values.
CELL_KIND_OF_UNIT = {"shares": "shares", "USD": "usd", "bool": "bool"}


@dataclass(frozen=True)
class WorkbookData:
    """Everything one workbook shows (``record``: ``calc.outputs.record.inputs_record`` of the run)."""

    params: ScenarioParams
    result: ScenarioResult
    record: Mapping[str, object]
    terms: Terms
    monte_carlo: MonteCarloResult | None = None
    options: pd.DataFrame | None = None  # calc.model.options.positions_frame
    eps: DilutedEps | None = None


def column_kind(column: str, values: pd.Series) -> str:
    """Cell kind of a column: ``pct``, ``usd``, ``shares`` (integers), ``number``, ``date``, ``bool`` or ``text``."""
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "shares"
    if pd.api.types.is_float_dtype(values):
        decimals = csv_decimals(column)
        return (
            "pct"
            if decimals == PCT_DECIMALS
            else "usd"
            if decimals is not None and unit_of(column) == "USD"
            else "number"
        )
    if unit_of(column) == "date":
        return "date"
    return "text"


def _date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class _Book:
    """An XlsxWriter workbook with the product's cell rules (module docstring)."""

    def __init__(self, handle: io.BytesIO) -> None:
        self.book: Workbook = xlsxwriter.Workbook(
            handle,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self.formats = {name: self.book.add_format(spec) for name, spec in FORMATS.items()}

    def cell(self, sheet: Worksheet, row: int, col: int, value: object, kind: str) -> int:
        """Write one cell; return its shown width in characters."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None)
            return 0
        if kind == "bool" or isinstance(value, (bool, np.bool_)):
            sheet.write_boolean(row, col, bool(value))
            return 5
        if kind == "date":
            day = _date(value)
            if day is None:
                sheet.write_blank(row, col, None)
                return 0
            sheet.write_datetime(row, col, dt.datetime.combine(day, dt.time()), self.formats["date"])
            return 10
        if isinstance(value, (int, float, np.integer, np.floating)) and kind in ("shares", "usd", "pct", "number"):
            number = float(value) / 100 if kind == "pct" else value
            sheet.write_number(row, col, number, self.formats[kind])
            shown = f"{float(value):,.4f}" if kind in ("pct", "number") else f"{float(value):,.2f}"
            return len(shown) + 1
        text = str(neutralize_text(str(value)))
        sheet.write_string(row, col, text)
        return len(text)

    def table(
        self, name: str, frame: pd.DataFrame, kinds: Mapping[str, str] | None = None, notes: Sequence[str] = ()
    ) -> Worksheet:
        """A sheet: optional note lines, then a header row (frozen, filtered) and one row per frame row."""
        sheet = self.book.add_worksheet(name)
        for i, note in enumerate(notes):
            sheet.write_string(i, 0, str(neutralize_text(note)))
        top = len(notes) + (1 if notes else 0)
        kinds = dict(kinds or {}) | {c: column_kind(c, frame[c]) for c in frame.columns if c not in (kinds or {})}
        widths = [len(str(c)) for c in frame.columns]
        for col, column in enumerate(frame.columns):
            sheet.write_string(top, col, str(neutralize_text(str(column))), self.formats["header"])
            for row, value in enumerate(frame[column].tolist(), start=top + 1):
                widths[col] = max(widths[col], self.cell(sheet, row, col, value, kinds[column]))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(MAX_WIDTH, width + 2))
        sheet.freeze_panes(top + 1, 0)
        if len(frame.columns):
            sheet.autofilter(top, 0, top + max(len(frame), 1), len(frame.columns) - 1)
        return sheet

    def notes_sheet(self, name: str, notes: Sequence[str]) -> None:
        """A sheet of note lines only (no table), its first line frozen."""
        sheet = self.book.add_worksheet(name)
        for i, note in enumerate(notes):
            sheet.write_string(i, 0, str(neutralize_text(note)))
        sheet.freeze_panes(1, 0)

    def close(self) -> None:
        self.book.close()


def _value_kind(value: object, unit: str = "") -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "shares"
    if isinstance(value, float):
        return "usd" if unit == "USD" else "pct" if unit == "percent" else "number"
    return "date" if isinstance(value, dt.date) else "text"


def input_rows(params: ScenarioParams, terms: Terms) -> pd.DataFrame:
    """One row per scenario parameter: value, unit, default, whether changed from it, rule, source of the default."""
    defaults = default_params(terms).as_dict()
    rows = []
    for spec in SPECS:
        value = getattr(params, spec.name)
        field = spec.default_source or None
        source = f"terms {field}: {terms.source(field)}" if field else "assumption: product default"
        rows.append(
            {
                "parameter": spec.name,
                "value": "" if value is None else value,
                "unit": spec.unit,
                "default": "" if defaults[spec.name] is None else defaults[spec.name],
                "changed from default": value != defaults[spec.name],
                "rule": spec.help,
                "source of the default": source,
            }
        )
    return pd.DataFrame(rows)


def _typed_rows(sheet: Worksheet, book: _Book, frame: pd.DataFrame, units: Sequence[str]) -> None:
    """Rewrite the value/default cells of ``input_rows`` with each row's own kind (mixed column)."""
    for row, (value, default, unit) in enumerate(zip(frame["value"], frame["default"], units), start=1):
        book.cell(sheet, row, 1, value, _value_kind(value, unit))
        book.cell(sheet, row, 3, default, _value_kind(default, unit))


def record_rows(record: Mapping[str, object]) -> pd.DataFrame:
    """The run record flattened to (item, value) rows; nested values as compact JSON."""
    rows = []
    for key, value in record.items():
        if isinstance(value, Mapping) and key in ("flags", "scenario", "input_files"):
            for sub, item in value.items():
                shown = (
                    item
                    if isinstance(item, (int, float, str, bool)) or item is None
                    else json.dumps(item, default=str, ensure_ascii=False)
                )
                rows.append({"item": f"{key}.{sub}", "value": "" if shown is None else str(shown)})
        else:
            rows.append({"item": key, "value": str(value)})
    return pd.DataFrame(rows, columns=["item", "value"])


def summary_rows(result: ScenarioResult) -> pd.DataFrame:
    """One row per summary figure: its JSON key, its label (``calc.model.columns``) and its value."""
    return pd.DataFrame(
        {
            "figure": [c.name for c in SUMMARY_METRICS],
            "label": [c.label for c in SUMMARY_METRICS],
            "value": [result.summary[c.name] for c in SUMMARY_METRICS],
        }
    )


def _summary_sheet(book: _Book, result: ScenarioResult) -> None:
    frame = summary_rows(result)
    sheet = book.table("Summary", frame.assign(value=""), {"value": "text"})
    for row, (key, value) in enumerate(zip(frame["figure"], frame["value"]), start=1):
        kind = "bool" if isinstance(value, (bool, np.bool_)) else column_kind(key, pd.Series([value]))
        book.cell(sheet, row, 2, value, kind)
    sheet.set_column(2, 2, 22)


def term_rows(terms: Terms) -> pd.DataFrame:
    """Every field of the terms file with its value (as typed in the terms: int, Decimal, bool, date, text;
    lists as JSON) and source, then the conversion-rate history."""
    rows = []
    for section_name in ("preferred", "registered", "market"):
        for field, value in vars(getattr(terms, section_name)).items():
            key = f"{section_name}.{field}"
            rows.append(
                {
                    "field": key,
                    "value": json.dumps(value, default=str) if isinstance(value, tuple) else value,
                    "source": terms.source(key),
                }
            )
    for step in terms.conversion_rates:
        rows.append(
            {
                "field": f"conversion_rates.{step.effective_date.isoformat()}",
                "value": f"{step.rate} common per preferred (conversion price ${step.conversion_price_usd}; "
                f"{step.event})",
                "source": step.source,
            }
        )
    files = (("terms file", TERMS_PATH), ("holder register", REGISTER_PATH), ("filing", FILING_PATH))
    rows += [
        {"field": name, "value": f"data/{path.name}", "source": "shipped with the product"} for name, path in files
    ]
    return pd.DataFrame(rows)


def _sources_sheet(book: _Book, terms: Terms) -> None:
    """The Sources sheet: each value in its own kind (numbers as numbers, booleans, dates), not as text."""
    frame = term_rows(terms)
    sheet = book.table("Sources", frame.assign(value=""), {"value": "text"})
    for row, (field, value) in enumerate(zip(frame["field"], frame["value"]), start=1):
        number = isinstance(value, Decimal)
        kind = (
            "usd"
            if number and unit_of(field.rsplit(".", 1)[-1]) == "USD"
            else _value_kind(float(value) if number else value)
        )
        book.cell(sheet, row, 1, float(value) if number else value, kind)


def _options_eps_sheet(book: _Book, data: WorkbookData) -> None:
    notes = [
        "Options: positions per grant on the scenario horizon, treasury-stock shares at the scenario price "
        "(assumption: the scenario price stands in for the period's average price).",
        "EPS (ASC 260): basic shares = the scenario's base_shares, period end = the horizon, average price = "
        "the scenario price (assumptions); only sources that lower EPS are included (antidilution rule).",
    ]
    if data.options is None and data.eps is None:
        notes.append("Not computed: give --grants FILE and/or --net-income USD.")
    frames = []
    if data.options is not None:
        frames.append(data.options.assign(section="options"))
    if data.eps is not None:
        frames.append(pd.DataFrame(waterfall_rows(data.eps)).assign(section="EPS waterfall"))
        frames.append(
            pd.DataFrame(
                {"section": ["EPS"], "step": ["basic EPS (USD)"], "eps_after_usd": [float(data.eps.basic_eps_usd)]}
            )
        )
        frames.append(
            pd.DataFrame(
                {"section": ["EPS"], "step": ["diluted EPS (USD)"], "eps_after_usd": [float(data.eps.diluted_eps_usd)]}
            )
        )
    if not frames:
        book.notes_sheet("Options and EPS", notes)
        return
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[["section", *[c for c in frame.columns if c != "section"]]]
    kinds = {c: CELL_KIND_OF_UNIT.get(spec_of(c).unit or spec_of(c).dtype, "") for c in frame.columns}
    kinds = {c: kind for c, kind in kinds.items() if kind}
    book.table("Options and EPS", frame, kinds, notes)


def workbook_bytes(data: WorkbookData) -> bytes:
    """The workbook (module docstring) as ``.xlsx`` bytes, for a file or a download."""
    handle = io.BytesIO()
    book = _Book(handle)
    inputs = input_rows(data.params, data.terms)
    sheet = book.table("Inputs", inputs.assign(value="", default=""), {"value": "text", "default": "text"})
    _typed_rows(sheet, book, inputs, [s.unit for s in SPECS])
    sheet.set_column(1, 1, 16)
    sheet.set_column(3, 3, 16)
    record = record_rows(data.record)
    offset = len(inputs) + 2
    sheet.write_string(offset, 0, "run record", book.formats["header"])
    for i, (item, value) in enumerate(zip(record["item"], record["value"]), start=offset + 1):
        book.cell(sheet, i, 0, item, "text")
        book.cell(sheet, i, 1, value, "text")
    _summary_sheet(book, data.result)
    book.table("Timeline", timeline_table(data.result.timeline))
    book.table("Holders", holder_table(data.result.holders))
    if data.monte_carlo is not None:
        mc = data.monte_carlo
        book.table(
            "Monte Carlo",
            mc.total_percentiles,
            notes=[
                f"Percentiles of total common outstanding per event date; P(total > authorized) = "
                f"{mc.exceeds_authorized_probability:.4%}",
                *([mc.coverage] if mc.coverage else []),
            ],
        )
    _options_eps_sheet(book, data)
    _sources_sheet(book, data.terms)
    book.close()
    return handle.getvalue()


def tables_workbook_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook of one table sheet per frame (sheet name -> frame), with the same cell rules (header frozen
    and filtered, formula-like text neutralized, units by column): the bridge's workbook (``calc.model.bridge``)."""
    handle = io.BytesIO()
    book = _Book(handle)
    for name, frame in sheets.items():
        book.table(name, frame)
    book.close()
    return handle.getvalue()
