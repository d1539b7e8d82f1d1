"""One scenario as an Excel workbook an analyst prints (XlsxWriter): the answer, what ran, what came out, and
where every figure comes from.

Sheets: Summary (a one-page brief: the answer in one sentence, the key figures, the new shares by source from the
start to the total at the horizon, the inputs that differ from the defaults), Charts (native Excel charts drawn
from the Timeline's cells: new shares by source after each event, dilution), Inputs (every scenario parameter by
its label: value, default, changed or not, rule, source of the default), Timeline, Holders (who, what they hold,
what they get, pro forma %, then row kind, footnotes and the filing's issues), Monte Carlo (when run), Options and
EPS (only when grants or net income are given), Sources (every term by its label, ``TERM_LABELS``, its value as
the terms state it and its citation; the conversion-rate history), Run record (the report appendix's rows by label,
``calc.outputs.run_record.record_rows``). No sheet shows a code name (but the holder register's checks, which name
its fields), a file path, None/True or a raw ISO date.

Headers: each column's label and unit from ``calc.model.columns`` (``Common price ($)``, ``Pro forma %``); the
column's CSV name and help are in the header cell's comment. Cells: numbers are numbers: shares ``#,##0``; money
and prices ``$#,##0.00`` (cents; on the Summary and Sources a whole-dollar amount of $1,000 or more ``$#,##0``,
as ``formats.usd`` writes it); the terms' own decimals as the terms state them (conversion rate ``168.3502``);
``pct`` columns (0-100 in calc) are stored as fractions and rates (0.08) as they are, both ``0.00%``; dates are
dates (``Aug 2, 2004``); booleans are ``yes``/``no``; text is written as text and, when it begins with ``=``,
``+``, ``-``, ``@``, tab or CR, neutralized with a leading ``'`` (``calc.outputs.files.neutralize_text``). Each
column is as wide as its widest value (at most ``MAX_WIDTH``; long text wraps at ``WRAP_AT``), so no number shows
as ``###``. Header rows are frozen and filtered.

Print: every sheet landscape on US Letter, one page wide (Summary and Charts: one page), its header row repeated on
every page, gridlines printed on tables, and a footer with the sheet name, the scenario id (``ScenarioDoc.id``, from
the run record) and "Page N of M".
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from calc.inputs.params import default_params
from calc.model.columns import (
    HOLDER_COLUMNS,
    SUMMARY_METRICS,
    TERM_LABELS,
    THRESHOLDS_PCT,
    Column,
    flag_name,
    holder_table,
    lead_first,
    spec_of,
    timeline_table,
)
from calc.model.eps import DilutedEps, waterfall_rows
from calc.model.issuance import ISSUANCE_SOURCES, nonzero_parts
from calc.model.montecarlo import MonteCarloResult
from calc.model.params import SPEC_BY_NAME, SPECS, ScenarioParams
from calc.model.scenario import ScenarioResult
from calc.model.terms import Terms
from calc.outputs.citations import citation
from calc.outputs.files import neutralize_text
from calc.outputs.formats import EXCEL_FORMATS, day, human_dates, moment, price, term_value, whole_dollars
from calc.outputs.narrative import headline_answer
from calc.outputs.run_record import plain_words, record_rows, words

PAPER = 1  # XlsxWriter's paper code for US Letter (8.5 x 11 in): Lucent's own filings and the analyst's printer
MAX_WIDTH = 60  # no column wider than this (characters)
WRAP_AT = 50  # text columns with longer values are this wide and wrap
HOLDER_WRAP_AT = 34  # the holder table's names and issues wrap sooner: 17 columns on one page's width
LINE_HEIGHT = 15  # points per line of an 11-point row (a wrapped cell's row is as tall as its lines)
DATE_FORMAT = EXCEL_FORMATS["date"]
NUMBER_FORMATS = EXCEL_FORMATS
HEADER = {"bold": True, "bg_color": "#DDE4EE", "text_wrap": True, "valign": "top", "border": 1}
UNIT_SUFFIX = {"USD": " ($)", "pct": " (%)", "rate": " (%)", "shares": " (shares)"}
YES_NO = ("no", "yes")
# Holders: who, what they hold, what they get and their pro forma stake first; row kind, footnotes and the filing's
# data-quality issues at the right (the CSV keeps ``calc.model.columns.HOLDER_LEAD``).
HOLDER_PRINT_LEAD = (
    "name",
    "family",
    "registered_preferred_shares",
    "basis_preferred_shares",
    "conversion_shares",
    "redemption_shares",
    "exchange_shares",
    "pro_forma_shares",
    "pro_forma_pct",
    "beneficial_pct_13d3",
    *map(flag_name, THRESHOLDS_PCT),
    "common_owned_prior",
    "obtainable_shares_60d",
)
HOLDER_SPECS = {c.name: c for c in HOLDER_COLUMNS}
SOURCE_COLOURS = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#9D755D")  # one per issuance source, in order


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


@dataclass(frozen=True)
class Table:
    """Where ``_Book.table`` wrote a frame: its sheet, header row, the column index of each frame column, row count."""

    sheet: Worksheet
    name: str
    header_row: int
    index: Mapping[str, int]
    rows: int


def column_kind(column: str, values: pd.Series) -> str:
    """Cell kind of a table column, from its registered unit (``calc.model.columns``; unitless: its dtype):
    ``pct``, ``rate``, ``usd``, ``shares``, ``number``, ``date``, ``bool`` or ``text``."""
    spec = spec_of(column)
    if spec.dtype == "bool" or pd.api.types.is_bool_dtype(values):
        return "bool"
    if spec.unit in ("date", "pct", "rate", "shares"):
        return spec.unit
    if spec.unit == "USD":
        return "usd"
    if pd.api.types.is_integer_dtype(values):
        return "shares"
    return "number" if pd.api.types.is_float_dtype(values) else "text"


def header_text(spec: Column) -> str:
    """The header a reader sees: the column's label with its unit, unless the label already says it
    ("Pro forma %", "New shares, all sources"): ``Common price ($)``, ``From conversion (shares)``,
    ``Preferred (basis, shares)``."""
    label = spec.label or spec.name
    suffix = UNIT_SUFFIX.get(spec.unit, "")
    said = {" ($)": ("USD", "$"), " (%)": ("%",), " (shares)": ("shares", "Shares")}.get(suffix, ())
    if not suffix or any(word in label for word in said):
        return label
    return f"{label[:-1]}, {suffix.strip(' ()')})" if label.endswith(")") else label + suffix


def _date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _number_format(value: Decimal) -> str:
    """A term's decimal as the terms state it: 168.3502 -> ``#,##0.0000``, 1885000 -> ``#,##0``."""
    places = max(0, -int(value.as_tuple().exponent))
    return "#,##0" + ("." + "0" * places if places else "")


def _decimal_format(value: Decimal, kind: str) -> str:
    """The number format of a term's decimal: money to the cent (``$#,##0``, as ``formats.usd``, for a whole-dollar
    amount of $1,000 or more; a price stated to more places keeps them: ``$0.2525``), rates and percentages
    ``0.00%``, other figures to the places the terms state (``_number_format``)."""
    if kind in ("rate", "pct", "usd_whole"):
        return NUMBER_FORMATS[kind]
    if kind != "usd":
        return _number_format(value)
    if whole_dollars(value):
        return NUMBER_FORMATS["usd_whole"]
    places = max(2, -int(value.normalize().as_tuple().exponent))
    return "$#,##0." + "0" * places


def money_kind(value: object) -> str:
    """``usd_whole`` for a whole-dollar amount of $1,000 or more (shown without cents), else ``usd``."""
    return "usd_whole" if whole_dollars(value) else "usd"


def _shown_width(value: float, kind: str) -> int:
    """Characters the number takes in its format (the column is at least this wide: no ``###``)."""
    shown = {
        "shares": f"{value:,.0f}",
        "usd": f"${value:,.2f}",
        "usd_whole": f"${value:,.0f}",
        "pct": f"{value:,.2f}%",
        "rate": f"{value * 100:,.2f}%",
    }.get(kind, f"{value:,.4f}")
    return len(shown)


def line_count(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped at ``width`` characters (at least one)."""
    if len(text) <= width:
        return 1
    width = max(1, width)
    # wrapped at spaces as a spreadsheet wraps; a word longer than the width (a SHA-256) takes lines of its own
    lines = textwrap.wrap(text, width, break_long_words=False)
    return max(1, sum(math.ceil(len(line) / width) for line in lines))


def scenario_footer(scenario_id: str) -> str:
    """The printed footer of every sheet: sheet name, the scenario id, "Page N of M" (``&`` escaped)."""
    return f"&L&A&CScenario {scenario_id.replace('&', '&&')}&RPage &P of &N"


class _Book:
    """An XlsxWriter workbook with the product's cell and print rules (module docstring)."""

    def __init__(self, handle: io.BytesIO, footer: str) -> None:
        self.book: Workbook = xlsxwriter.Workbook(
            handle,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self.footer = footer
        self._formats: dict[tuple[tuple[str, object], ...], Format] = {}

    def fmt(self, **spec: object) -> Format:
        """One shared cell format per distinct spec (XlsxWriter keeps every format it is given)."""
        key = tuple(sorted(spec.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(dict(spec))
        return self._formats[key]

    def sheet(self, name: str, header_row: int | None = None, pages_tall: int = 0) -> Worksheet:
        """A new sheet set up to print: landscape US Letter, one page wide (``pages_tall`` 0: as many pages tall as it
        takes), ``header_row`` repeated on every page, gridlines printed, the footer with the scenario id and page."""
        sheet = self.book.add_worksheet(name)
        sheet.set_landscape()
        sheet.set_paper(PAPER)
        sheet.fit_to_pages(1, pages_tall)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.7)
        sheet.set_footer(self.footer, {"margin": 0.3})
        if header_row is not None:
            sheet.repeat_rows(header_row)
            sheet.hide_gridlines(0)
        return sheet

    def cell(
        self,
        sheet: Worksheet,
        row: int,
        col: int,
        value: object,
        kind: str,
        wrap: bool = False,
        wrap_at: int = WRAP_AT,
        left: bool = False,
    ) -> int:
        """Write one cell (top-aligned; ``wrap``: text wraps at ``wrap_at`` characters; ``left``: numbers and dates
        left-aligned too, for a column of mixed values read one by one); return its shown width."""
        top = {"valign": "top", **({"align": "left"} if left else {})}
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_blank(row, col, None)
            return 0
        if kind == "bool" or isinstance(value, (bool, np.bool_)):
            sheet.write_string(row, col, YES_NO[bool(value)], self.fmt(**top))
            return 3
        if kind == "date":
            day = _date(value)
            if day is None:
                sheet.write_blank(row, col, None)
                return 0
            when = dt.datetime.combine(day, dt.time())
            sheet.write_datetime(row, col, when, self.fmt(**top, num_format=DATE_FORMAT))
            return 12
        if isinstance(value, Decimal):  # a term's figure, as the terms state it (or in its unit's format)
            num_format = _decimal_format(value, kind)
            number = float(value) / 100 if kind == "pct" else float(value)
            sheet.write_number(row, col, number, self.fmt(**top, num_format=num_format))
            return len(f"{value:,}") + 2
        if isinstance(value, (int, float, np.integer, np.floating)) and kind in NUMBER_FORMATS:
            stored = float(value) / 100 if kind == "pct" else value
            sheet.write_number(row, col, stored, self.fmt(**top, num_format=NUMBER_FORMATS[kind]))
            return _shown_width(float(value), kind)
        text = str(neutralize_text(str(value)))
        sheet.write_string(row, col, text, self.fmt(text_wrap=True, **top) if wrap else self.fmt(**top))
        return min(len(text), wrap_at) if wrap else len(text)

    def header(self, sheet: Worksheet, row: int, col: int, spec: Column) -> int:
        """A header cell: the label and unit (``header_text``); the column's file name and help in its comment.
        Returns the width it needs (its longest word, at least 10)."""
        text = header_text(spec)
        sheet.write_string(row, col, text, self.fmt(**HEADER))
        sheet.write_comment(row, col, f"{spec.name}" + (f": {spec.help}" if spec.help else ""))
        return max(10, *map(len, text.split()))

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        kinds: Mapping[str, str | Sequence[str]] | None = None,
        notes: Sequence[str] = (),
        specs: Mapping[str, Column] | None = None,
        wrap_at: int = WRAP_AT,
        left: Sequence[str] = (),
    ) -> Table:
        """A sheet: optional note lines, then a header row (labels and units; frozen, filtered, repeated on every
        printed page) and one row per frame row, each column as wide as its values. ``kinds``: a column's cell
        kind (default ``column_kind``), or one kind per row for a mixed column; ``specs``: a column's label and unit
        where the sheet's own differ from ``calc.model.columns.spec_of`` (the holder table's); ``wrap_at``: the width
        at which long text wraps; ``left``: columns of mixed values whose numbers and dates are left-aligned."""
        top = len(notes) + (1 if notes else 0)
        sheet = self.sheet(name, header_row=top)
        for i, note in enumerate(notes):
            sheet.write_string(i, 0, str(neutralize_text(note)))
        given = dict(kinds or {})
        kinds = given | {c: column_kind(c, frame[c]) for c in frame.columns if c not in given}
        lines = [1] * (top + 1 + len(frame))  # per row: the most lines a wrapped cell of it takes
        for col, column in enumerate(frame.columns):
            spec = (specs or {}).get(column) or spec_of(column)
            width = self.header(sheet, top, col, spec)
            values = frame[column].tolist()
            kind = kinds[column]
            each = [kind] * len(values) if isinstance(kind, str) else list(kind)
            wrap = any(k == "text" and isinstance(v, str) and len(v) > wrap_at for k, v in zip(each, values))
            for row, (value, cell_kind) in enumerate(zip(values, each), start=top + 1):
                width = max(width, self.cell(sheet, row, col, value, cell_kind, wrap, wrap_at, column in left))
            width = min(MAX_WIDTH, width + 2)
            sheet.set_column(col, col, width)
            lines[top] = max(lines[top], line_count(header_text(spec), width - 1))
            if wrap:
                for row, value in enumerate(values, start=top + 1):
                    lines[row] = max(lines[row], line_count(str(value), width - 2))
        for row, count in enumerate(lines):
            if count > 1:  # set, not left to the reader: LibreOffice keeps the default height of an unsized row
                sheet.set_row(row, LINE_HEIGHT * count)
        sheet.freeze_panes(top + 1, 0)
        if len(frame.columns):
            sheet.autofilter(top, 0, top + max(len(frame), 1), len(frame.columns) - 1)
        return Table(sheet, name, top, {c: i for i, c in enumerate(frame.columns)}, len(frame))

    def close(self) -> None:
        self.book.close()


def _value_kind(value: object, unit: str = "") -> str:
    """Cell kind of one scenario input or term value, by its Python type and its parameter's unit."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "shares"
    if isinstance(value, (float, Decimal)):
        return {"USD": "usd", "percent": "pct", "pct": "pct", "per year": "rate", "rate": "rate"}.get(unit, "number")
    return "date" if isinstance(value, dt.date) else "text"


def default_source(field: str, terms: Terms) -> str:
    """Where a parameter's default comes from, for a reader: the term it is taken from, by its label, and that
    term's citation ("Common closing price — Prospectus supplement, Aug 28, 2002, p. 11: '...'"), else
    "Assumption: product default"."""
    if not field:
        return "Assumption: product default"
    return f"{TERM_LABELS.get(field, words(field))} — {citation(terms.source(field))}"


def input_rows(params: ScenarioParams, terms: Terms) -> pd.DataFrame:
    """One row per scenario parameter: value, unit, default, whether changed from it, rule, source of the default."""
    defaults = default_params(terms).as_dict()
    rows = []
    for spec in SPECS:
        value = getattr(params, spec.name)
        source = default_source(spec.default_source, terms)
        rows.append(
            {
                "parameter": spec.name,
                "value": "" if value is None else value,
                "unit": spec.unit,
                "default": "" if defaults[spec.name] is None else defaults[spec.name],
                "changed from default": value != defaults[spec.name],
                "rule": plain_words(spec.help),
                "source of the default": source,
            }
        )
    return pd.DataFrame(rows)


def _shown(value: object, name: str = "") -> object:
    """An input value as a cell takes it: ``none`` for an empty optional date, a choice in words (``pro rata``)."""
    if value is None or value == "":
        return "none"
    spec = SPEC_BY_NAME.get(name)
    return words(value) if spec is not None and spec.kind == "choice" else value


def _inputs_sheet(book: _Book, params: ScenarioParams, terms: Terms) -> None:
    """Inputs: every scenario parameter by its label, its value and default in its unit, whether it was changed,
    the rule and the source of the default (``input_rows``)."""
    rows = input_rows(params, terms)
    units = [spec.unit for spec in SPECS]
    values = [_shown(v, n) for v, n in zip(rows["value"], rows["parameter"])]
    defaults = [_shown(v, n) for v, n in zip(rows["default"], rows["parameter"])]
    frame = pd.DataFrame(
        {
            "parameter": [spec.label or spec.name for spec in SPECS],
            "value": values,
            "default": defaults,
            "changed from default": rows["changed from default"].astype(bool),
            "rule": rows["rule"],
            "source of the default": rows["source of the default"],
        }
    )
    kinds = {
        "value": [_value_kind(v, u) for v, u in zip(values, units)],
        "default": [_value_kind(v, u) for v, u in zip(defaults, units)],
        "changed from default": "bool",
    }
    book.table("Inputs", frame, kinds, left=("value", "default"))


def _record_sheet(book: _Book, record: Mapping[str, object]) -> None:
    """Run record: the record by label, as the report's appendix lists it (``calc.outputs.run_record.record_rows``):
    product, time, command, the flags given, every parameter, the input files, rounding, the scenario id and
    what the scenario document holds (the download's JSON is the document itself)."""
    rows = record_rows(record)
    frame = pd.DataFrame({"item": [r[0] for r in rows], "value": [r[1] for r in rows]})
    book.table("Run record", frame, {"item": "text", "value": "text"})


UNIT_WORDS = {  # a label's words for the unit its value's format already shows (``brief_label``)
    "USD": (", USD", " (USD)", " USD", " ($)"),
    "pct": (" %", " (%)"),
}


def brief_label(metric: Column) -> str:
    """A key figure's label on the Summary, its unit shown once, by the value's format: "Cash paid for repurchases
    (ledger)" beside ``$961,000,000`` (the registry's "..., USD"), "Dilution (new shares / total outstanding)" beside
    ``12.27%``."""
    label = metric.label or metric.name
    for said in UNIT_WORDS.get(metric.unit, ()):
        label = label.replace(said, "")
    return label


def _summary_sheet(book: _Book, data: WorkbookData, scenario_id: str) -> None:
    """Summary, a one-page brief: the answer in one sentence (``narrative.headline_answer``), the key figures, the
    new shares by source from the start to the total at the horizon, and the inputs that differ from the defaults."""
    params, summary = data.params, data.result.summary
    sheet = book.sheet("Summary", pages_tall=1)
    sheet.hide_gridlines(2)
    # the key figures' labels on one line each (a wrapped one made its row, shared with the inputs' header, tall)
    label_width = min(MAX_WIDTH + 20, max(len(brief_label(metric)) for metric in SUMMARY_METRICS) + 2)
    widths = (label_width, 16, 3, 56, 16, 16)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    heights: dict[int, int] = {}  # row -> lines its longest label takes
    sheet.write_string(0, 0, "Lucent 8.00% convertible preferred: new common shares", book.fmt(bold=True, size=16))
    when = moment(data.record["generated_at"]) if data.record.get("generated_at") else ""
    byline = f"Scenario {scenario_id}" + (f", run {when}" if when else "") + ". Every figure is on the sheets after it."
    sheet.write_string(1, 0, byline, book.fmt(font_color="#555555"))
    answer = book.fmt(bold=True, size=13, text_wrap=True, valign="top")
    sentence = headline_answer(data.result.timeline, summary)
    sheet.merge_range(3, 0, 3, 5, sentence, answer)
    sheet.set_row(3, 18 * line_count(sentence, int(sum(widths) * 0.8)))  # 13-point bold: ~0.8 of 11-point characters
    head, label = book.fmt(**HEADER), book.fmt(text_wrap=True, valign="top", border=1)
    value_fmt = {kind: book.fmt(num_format=f, border=1, valign="top") for kind, f in NUMBER_FORMATS.items()}

    def put(r: int, c: int, value: object, kind: str) -> None:
        """One value cell of the brief, in its kind's format (yes/no, %, date, shares, $; text as text)."""
        if isinstance(value, (bool, np.bool_)):
            sheet.write_string(r, c, YES_NO[bool(value)], book.fmt(border=1, align="right", valign="top"))
        elif kind == "date" and _date(value) is not None:
            sheet.write_datetime(r, c, dt.datetime.combine(_date(value), dt.time()), value_fmt["date"])  # type: ignore[arg-type]
        elif kind in NUMBER_FORMATS and isinstance(value, (int, float, np.integer, np.floating)):
            kind = money_kind(value) if kind == "usd" else kind  # $961,000,000, as formats.usd writes it
            sheet.write_number(r, c, float(value) / 100 if kind == "pct" else value, value_fmt[kind])
        else:
            sheet.write_string(r, c, str(neutralize_text(str(value))), book.fmt(border=1, align="right", valign="top"))

    def row(r: int, c: int, text: str, value: object, kind: str) -> None:
        sheet.write_string(r, c, text, label)
        heights[r] = max(heights.get(r, 1), line_count(text, widths[c] - 1))
        put(r, c + 1, value, kind)

    sheet.write_string(5, 0, "Key figures", head)
    sheet.write_string(5, 1, "Value", head)
    for r, metric in enumerate(SUMMARY_METRICS, start=6):
        value = summary[metric.name]
        row(r, 0, brief_label(metric), value, column_kind(metric.name, pd.Series([value])))

    start = int(summary["total_shares"]) - int(summary["new_shares"])  # type: ignore[call-overload]
    sheet.write_string(5, 3, "New shares by source", head)
    sheet.write_string(5, 4, "Shares", head)
    r = 6
    row(r, 3, f"Common outstanding at the start ({day(params.valuation_date)})", start, "shares")
    for source, count in nonzero_parts(summary):
        r += 1
        row(r, 3, f"+ {source.chart_label}", count, "shares")
    row(r + 1, 3, "= New shares, all sources", summary["new_shares"], "shares")
    row(r + 2, 3, f"Total common outstanding at the horizon ({day(params.horizon)})", summary["total_shares"], "shares")

    r += 4
    changed = input_rows(params, data.terms)
    changed = changed[changed["changed from default"].astype(bool)]
    sheet.write_string(r, 3, "Inputs that differ from the defaults", head)
    sheet.write_string(r, 4, "Value", head)
    sheet.write_string(r, 5, "Default", head)
    if changed.empty:
        sheet.merge_range(r + 1, 3, r + 1, 5, "Every input is at its default.", label)
    specs = {spec.name: spec for spec in SPECS}
    for i, (name, value, default) in enumerate(zip(changed["parameter"], changed["value"], changed["default"])):
        spec = specs[name]
        row(r + 1 + i, 3, spec.label or name, _shown(value, name), _value_kind(_shown(value, name), spec.unit))
        put(r + 1 + i, 5, _shown(default, name), _value_kind(_shown(default, name), spec.unit))
    for at, count in heights.items():
        if count > 1:
            sheet.set_row(at, LINE_HEIGHT * count)
    sheet.print_area(0, 0, max(6 + len(SUMMARY_METRICS), r + 1 + len(changed)), 5)


def _charts_sheet(book: _Book, frame: pd.DataFrame, source_sheet: str = "Timeline") -> None:
    """Charts (native Excel, drawn from the Timeline sheet's cells): cumulative new shares by source after each event
    (stacked columns; a source that issued nothing is left out), and dilution (new shares as % of total common)."""
    sheet = book.sheet("Charts", pages_tall=1)
    sheet.hide_gridlines(2)
    sheet.write_string(
        0, 0, "New common shares by source, and dilution, after each event", book.fmt(bold=True, size=14)
    )
    index = {column: i for i, column in enumerate(frame.columns)}  # the Timeline sheet: header row 0, then the rows
    first, last = 1, len(frame)
    dates = [source_sheet, first, index["date"], last, index["date"]]
    x_axis = {"name": "Event date", "num_format": "mmm yyyy", "num_font": {"rotation": -45}, "text_axis": True}
    columns = book.book.add_chart({"type": "column", "subtype": "stacked"})
    assert columns is not None
    for i, source in enumerate(ISSUANCE_SOURCES):
        if not frame[source.cumulative_column].any():
            continue
        col = index[source.cumulative_column]
        columns.add_series(
            {
                "name": source.chart_label,
                "categories": dates,
                "values": [source_sheet, first, col, last, col],
                "fill": {"color": SOURCE_COLOURS[i % len(SOURCE_COLOURS)]},
                "gap": 40,
            }
        )
    columns.set_title({"name": "New common shares by source (cumulative)", "name_font": {"size": 12}})
    columns.set_x_axis(x_axis)
    columns.set_y_axis({"name": "New common shares", "num_format": '#,##0,,"M"', "major_gridlines": {"visible": True}})
    columns.set_legend({"position": "top"})
    columns.set_size({"width": 980, "height": 330})
    sheet.insert_chart(2, 0, columns)
    line = book.book.add_chart({"type": "line"})
    assert line is not None
    col = index["new_shares_pct"]
    line.add_series(
        {
            "name": "New shares % of total common",
            "categories": dates,
            "values": [source_sheet, first, col, last, col],
            "marker": {"type": "circle", "size": 5},
            "line": {"color": "#4C78A8", "width": 2},
        }
    )
    line.set_title({"name": "Dilution: new shares as % of total common outstanding", "name_font": {"size": 12}})
    line.set_x_axis(x_axis)
    line.set_y_axis({"name": "% of total common", "num_format": "0%", "min": 0})
    line.set_legend({"none": True})
    line.set_size({"width": 980, "height": 300})
    sheet.insert_chart(20, 0, line)
    sheet.print_area(0, 0, 35, 15)


def term_kind(field: str, value: object) -> str:
    """Cell kind of a term's value, by its field's suffix as ``formats.term_value`` reads it: ``*_rate`` fractions
    and ``*_pct`` percentages as ``0.00%``, ``*_usd`` money (``usd_whole`` for a whole-dollar amount of $1,000 or
    more), counts as shares, dates, yes/no; lists (the dividend dates, the put dates) and rules as text."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int):
        return "pct" if field.endswith("_pct") else "shares"
    if isinstance(value, (float, Decimal)):
        if field.endswith("_rate"):
            return "rate"
        if field.endswith("_pct"):
            return "pct"
        return "usd" if field.endswith("_usd") else "number"
    return "text"


def _sources_sheet(book: _Book, terms: Terms) -> None:
    """Sources, as the report's list of terms (``calc.outputs.report.sources_html``): every term by its label
    (``calc.model.columns.TERM_LABELS``) with its value as the terms state it (numbers stay numbers in their unit's
    format, dates are dates, yes/no, lists in words: ``Feb 1, Aug 1``) and its citation (``citations.citation``),
    then the conversion-rate history (the rate to the four places the filing states)."""
    fields, values, sources, kinds = [], [], [], []
    for section in ("preferred", "registered", "market"):
        for name, value in vars(getattr(terms, section)).items():
            field = f"{section}.{name}"
            kind = term_kind(field, value)
            fields.append(TERM_LABELS[field])
            values.append(term_value(field, value) if kind == "text" else value)
            kinds.append(kind)
            sources.append(citation(terms.source(field)))
    for step in terms.conversion_rates:
        fields.append(
            f"Conversion rate from {day(step.effective_date)}, common per preferred (conversion price "
            f"{price(step.conversion_price_usd)}; {step.event})"
        )
        values.append(step.rate)
        kinds.append("number")
        sources.append(citation(step.source))
    frame = pd.DataFrame({"term": fields, "value": values, "source": sources})
    book.table("Sources", frame, {"term": "text", "value": kinds, "source": "text"}, left=("value",))


def _options_eps_sheet(book: _Book, data: WorkbookData) -> None:
    """Options and EPS, only when grants or net income were given: the option positions, the EPS waterfall and
    basic and diluted EPS."""
    notes = [
        "Options: positions per grant on the scenario horizon, treasury-stock shares at the scenario price "
        "(assumption: the scenario price stands in for the period's average price).",
        "EPS (ASC 260): basic shares = the scenario's base common shares, period end = the horizon, average price = "
        "the scenario price (assumptions); only sources that lower EPS are included (antidilution rule).",
    ]
    frames = []
    if data.options is not None:
        frames.append(data.options.assign(section="options"))
    if data.eps is not None:
        frames.append(pd.DataFrame(waterfall_rows(data.eps)).assign(section="EPS waterfall"))
        for step, eps in (("basic EPS (USD)", data.eps.basic_eps_usd), ("diluted EPS (USD)", data.eps.diluted_eps_usd)):
            frames.append(pd.DataFrame({"section": ["EPS"], "step": [step], "eps_after_usd": [float(eps)]}))
    if not frames:
        return
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[["section", *[c for c in frame.columns if c != "section"]]]
    book.table("Options and EPS", frame, notes=notes)


def workbook_bytes(data: WorkbookData) -> bytes:
    """The workbook (module docstring) as ``.xlsx`` bytes, for a file or a download."""
    handle = io.BytesIO()
    scenario_id = str(data.record.get("scenario_id") or "not recorded")
    book = _Book(handle, scenario_footer(scenario_id))
    _summary_sheet(book, data, scenario_id)
    timeline = timeline_table(data.result.timeline)
    _charts_sheet(book, timeline)  # its series point at the Timeline sheet's cells, written below
    _inputs_sheet(book, data.params, data.terms)
    book.table("Timeline", timeline)
    holders = lead_first(holder_table(data.result.holders), HOLDER_PRINT_LEAD)
    book.table("Holders", holders, specs=HOLDER_SPECS, wrap_at=HOLDER_WRAP_AT)
    if data.monte_carlo is not None:
        mc = data.monte_carlo
        book.table(
            "Monte Carlo",
            mc.total_percentiles,
            notes=[
                f"Percentiles of total common outstanding per event date; P(total > authorized) = "
                f"{mc.exceeds_authorized_probability:.2%}",
                *([mc.coverage] if mc.coverage else []),
            ],
        )
    _options_eps_sheet(book, data)
    _sources_sheet(book, data.terms)
    _record_sheet(book, data.record)
    book.close()
    return handle.getvalue()


CITED_COLUMNS = frozenset({"source", "text"})  # text columns that hold stored sources and notes: as citations


def readable_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's text as a person reads it in print: sources and notes as citations (``citations.citation``), ISO
    dates as ``Aug 2, 2004`` (``formats.human_dates``), code values in words (``exchange_common`` -> ``exchange
    common``, ``run_record.plain_words``). Numbers, dates and missing values stay as they are."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column])):
            continue
        cite = column in CITED_COLUMNS
        out[column] = [
            plain_words(citation(v) if cite else human_dates(v)) if isinstance(v, str) else v for v in out[column]
        ]
    return out


def tables_workbook_bytes(sheets: Mapping[str, pd.DataFrame], title: str = "Lucent share-count bridge") -> bytes:
    """A workbook of one table sheet per frame (sheet name -> frame), with the same cell and print rules (labels and
    units in the headers, header frozen, filtered and repeated on every page, formula-like text neutralized, text
    in words and citations, ``readable_text``; ``title`` in the footer): the bridge's workbook
    (``calc.model.bridge``)."""
    handle = io.BytesIO()
    book = _Book(handle, f"&L&A&C{title.replace('&', '&&')}&RPage &P of &N")
    for name, frame in sheets.items():
        book.table(name, readable_text(frame))
    book.close()
    return handle.getvalue()
