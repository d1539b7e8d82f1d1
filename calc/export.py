"""Batch export: run every scenario of a grid and stream the results to CSV or Parquet.

Grid file (CSV, UTF-8 or UTF-16/32 with a byte-order mark; size limits of
``calc.csv_records``): a ``scenario_id`` column plus any of the scenario parameters
(``calc.params.PARAM_NAMES``) as columns; a missing column or an empty cell takes the
default. Ledger columns (``calc.ledger``): ``events``, a path to an events CSV relative
to the grid file's folder (empty: none), and ``history``, ``true`` or ``false`` (empty:
false) to replay the 2002 exchanges, with the history defaults for an empty
valuation_date and base_shares. An events file's own problems are reported under the
grid line; its rows are checked against each scenario's window when the batch runs.
Line 1 is the header; a record's line number is the line it starts on. Before
anything runs, every problem is collected and reported at once (``InputError``, exit
code 2), each as ``line L, column C: 'value' <rule>``:
  - unknown or repeated column; no ``scenario_id`` column; no scenario rows
  - a row with more or fewer cells than the header
  - empty or duplicate ``scenario_id`` (the duplicate names the line of the first)
  - a value that is not a number / whole number / YYYY-MM-DD date / listed choice,
    or out of range (the rules of ``calc.params``); an unreadable or invalid events file

Outputs (``export``), written in chunks of ``chunk_size`` scenarios, each chunk run
through ``calc.scenario.run_batch`` as arrays and turned into Arrow columns with
numpy (no Python loop over scenario × holder), so memory stays flat as the grid grows:
  results  one row per scenario × (holder, then fund family): ``RESULT_COLUMNS``
  summary  one row per scenario: ``scenario_id``, the parameters, ``SUMMARY_KEYS``
Outputs are checked before anything runs; every file is written to a temporary file
beside its target and renamed only when the whole grid has been written
(``calc.output.plan_outputs``): an interrupted or failed run leaves no output file.
CSV text cells go through ``calc.output.neutralize_text``
(formula triggers prefixed with ``'``); numbers are written as numbers, unaltered.
Parquet keeps text as given (it is a typed format that spreadsheets do not evaluate).

Grid generation (``make_grid``): one axis per parameter, a comma-separated list whose
items are values or inclusive ranges ``start:stop:step`` (for dates the step is whole days),
combined as a cartesian product (first parameter in ``PARAM_NAMES`` order varies
slowest), ids ``s0001``, ``s0002``, ... .
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from calc.csv_records import MAX_CSV_LINE_CHARS, MAX_GRID_BYTES, csv_records, opened_lines
from calc.dilution import HolderBook, build_book, row_labels
from calc.engine import ShareLimitError
from calc.errors import InputError, echo
from calc.history import history_defaults
from calc.ledger import Event, ledger_events, read_events
from calc.numbers import parse_decimal
from calc.output import OutputPlan, Sink, csv_decimals, neutralize_text, plan_outputs, rounded
from calc.params import PARAM_NAMES, SPEC_BY_NAME, ScenarioParams, param_problems
from calc.register import read_register_csv
from calc.scenario import SUMMARY_KEYS, default_book, run_batch
from calc.terms import Terms, load_terms

ID_COLUMN = "scenario_id"
LEDGER_COLUMNS = ("events", "history")
HISTORY_VALUES = {"": False, "false": False, "true": True}
LABEL_COLUMNS = ("kind", "name", "family")
HOLDER_COLUMNS: dict[str, pa.DataType] = {
    "registered_preferred_shares": pa.int64(),
    "basis_preferred_shares": pa.int64(),
    "conversion_shares": pa.int64(),
    "redemption_shares": pa.int64(),
    "exchange_shares": pa.int64(),
    "common_owned_prior": pa.int64(),
    "obtainable_shares_60d": pa.int64(),
    "pro_forma_shares": pa.int64(),
    "pro_forma_pct": pa.float64(),
    "beneficial_pct_13d3": pa.float64(),
    "flag_5pct": pa.bool_(),
    "flag_10pct": pa.bool_(),
}
RESULT_COLUMNS = (ID_COLUMN, *LABEL_COLUMNS, *HOLDER_COLUMNS)
RESULT_SCHEMA = pa.schema([(ID_COLUMN, pa.string()), *((c, pa.string()) for c in LABEL_COLUMNS),
                          *HOLDER_COLUMNS.items()])

_KIND_TYPES = {"float": pa.float64(), "int": pa.int64(), "date": pa.date32(), "optional_date": pa.date32(),
               "choice": pa.string()}
_SUMMARY_TYPES = {key: pa.int64() for key in SUMMARY_KEYS} | {"dilution_pct": pa.float64(),
                                                               "exceeds_authorized": pa.bool_(),
                                                               "repurchase_cash_usd": pa.float64()}
SUMMARY_SCHEMA = pa.schema([(ID_COLUMN, pa.string()),
                           *((n, _KIND_TYPES[SPEC_BY_NAME[n].kind]) for n in PARAM_NAMES),
                           *((k, _SUMMARY_TYPES[k]) for k in SUMMARY_KEYS)])
SUMMARY_COLUMNS = tuple(SUMMARY_SCHEMA.names)

FORMATS = ("csv", "parquet")
DEFAULT_CHUNK_SIZE = 1000
MAX_GRID_SCENARIOS = 1_000_000
# two whole numbers joined by a bare comma in a grid list: '1,89' could be 1.89, or 1 and 89
AMBIGUOUS_COMMA_RE = re.compile(r"(?<![^,\s])[+-]?[0-9]+,[0-9]+(?![^,\s])")
BOM = "\ufeff".encode()


# --------------------------------------------------------------------------- grid input

@dataclass(frozen=True)
class Grid:
    """Validated scenarios, in file order."""

    ids: tuple[str, ...]
    params: tuple[ScenarioParams, ...]
    events: tuple[tuple[Event, ...], ...] = ()  # per scenario (empty: no scenario has events)

    def __len__(self) -> int:
        return len(self.ids)


def _header_problems(header: Sequence[str]) -> list[str]:
    known = (ID_COLUMN, *PARAM_NAMES, *LEDGER_COLUMNS)
    problems = [f"line 1, column '{name}': unknown column (known: {', '.join(known)})"
                for name in header if name not in known]
    problems += [f"line 1, column '{name}': appears {header.count(name)} times"
                 for name in dict.fromkeys(header) if header.count(name) > 1]
    if ID_COLUMN not in header:
        problems.append(f"line 1: no '{ID_COLUMN}' column")
    return problems


def _id_problems(scenario_id: str, line: int, first_line: dict[str, int]) -> list[str]:
    """Empty or repeated id; records the line of each id's first use in ``first_line``."""
    if not scenario_id:
        return [f"line {line}, column {ID_COLUMN}: empty; every scenario needs an id"]
    if scenario_id in first_line:
        return [f"line {line}, column {ID_COLUMN}: '{scenario_id}' duplicates line {first_line[scenario_id]}"]
    first_line[scenario_id] = line
    return []


def _ledger_cells(cells: Mapping[str, str], folder: Path, files: dict[str, tuple[Event, ...] | InputError]
                  ) -> tuple[bool, tuple[Event, ...], list[str]]:
    """(history, events, problems) of one grid row; each events file is read once (``files``)."""
    history_text = cells.get("history", "").strip().lower()
    problems = [] if history_text in HISTORY_VALUES else [
        f"column history: '{cells['history']}' is not true or false"]
    history = HISTORY_VALUES.get(history_text, False)
    name = cells.get("events", "").strip()
    events: tuple[Event, ...] = ()
    if name:
        if name not in files:
            try:
                files[name] = read_events(folder / name)
            except InputError as exc:
                files[name] = exc
        found = files[name]
        if isinstance(found, InputError):
            problems += [f"column events: {line}" for line in str(found).splitlines()]
        else:
            events = found
    return history, ledger_events(events, history), problems


def parse_grid(header: Sequence[str], records: Iterable[tuple[int, Sequence[str]]], source: str,
               terms: Terms | None = None, folder: Path | None = None) -> Grid:
    """Validate (line number, cells) records under ``header``; raise ``InputError`` listing every problem.

    ``folder``: where relative ``events`` paths start (the grid file's folder; default the working folder).
    """
    terms = terms or load_terms()
    header = [h.strip() for h in header]
    problems = _header_problems(header)
    # unknown and repeated columns are reported; the rows are still checked on the first of each known column
    known = {name: header.index(name) for name in header if name in SPEC_BY_NAME}
    ids: list[str] = []
    params: list[ScenarioParams] = []
    row_events: list[tuple[Event, ...]] = []
    files: dict[str, tuple[Event, ...] | InputError] = {}
    first_line: dict[str, int] = {}
    for line, cells in records:
        if len(cells) != len(header):
            problems.append(f"line {line}: {len(cells)} cell(s), the header has {len(header)}")
            continue
        scenario_id = cells[header.index(ID_COLUMN)].strip() if ID_COLUMN in header else ""
        if ID_COLUMN in header:
            problems += _id_problems(scenario_id, line, first_line)
        ledger_cells = {name: cells[header.index(name)] for name in LEDGER_COLUMNS if name in header}
        history, events, ledger_problems = _ledger_cells(ledger_cells, folder or Path("."), files)
        values: dict[str, object] = {name: cells[i] for name, i in known.items()}
        if history:
            given = {k: v for k, v in values.items() if str(v).strip()}
            values = history_defaults() | given
        scenario, row_problems = param_problems(values, terms)
        problems += [f"line {line}, {p}" for p in ledger_problems]
        problems += [f"line {line}, column {p}" for p in row_problems]
        ids.append(scenario_id)
        row_events.append(events)
        if scenario is not None:
            params.append(scenario)
    if not problems and not ids:
        problems.append("no scenario rows")
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s); nothing was run", tuple(problems))
    return Grid(tuple(ids), tuple(params), tuple(row_events) if any(row_events) else ())


def read_grid(path: Path | str, terms: Terms | None = None) -> Grid:
    """Read and validate a grid CSV (see the module docstring for the rules; file limits of
    ``calc.csv_records``: ``MAX_GRID_BYTES``, ``MAX_CSV_ROWS`` rows, ``MAX_CELL_CHARS`` per cell)."""
    source = f"grid {path}"
    with opened_lines(path, source, MAX_GRID_BYTES, MAX_CSV_LINE_CHARS) as lines:
        records = csv_records(lines, source)
        first = next(records, None)
        if first is None:
            raise InputError(f"{source}: empty file; expected a header with '{ID_COLUMN}'")
        return parse_grid(first[1], records, source, terms, Path(path).parent)


# --------------------------------------------------------------------------- grid generation

def _range_values(text: str, kind: str) -> list[str]:
    """Inclusive range ``start:stop:step``: numbers, or dates with a step in whole days."""
    parts = [p.strip() for p in text.split(":")]
    dates = kind in ("date", "optional_date")
    what = "dates with a step in whole days" if dates else "numbers"
    try:
        start, stop = (Decimal(dt.date.fromisoformat(p).toordinal()) if dates else parse_decimal(p) for p in parts[:2])
        step = parse_decimal(parts[2])
    except (ValueError, IndexError):
        raise ValueError(f"'{text}' is not a range start:stop:step of {what}") from None
    if len(parts) != 3 or not all(v.is_finite() for v in (start, stop, step)):
        raise ValueError(f"'{text}' is not a range start:stop:step of {what}")
    if step <= 0 or (dates and step != step.to_integral_value()):
        raise ValueError(f"'{text}': step must be {'a whole number of days' if dates else 'a number'} > 0")
    if stop < start:
        raise ValueError(f"'{text}': stop is before start")
    count = int((stop - start) // step) + 1
    if count > MAX_GRID_SCENARIOS:
        raise ValueError(f"'{text}': {count:,} values, more than {MAX_GRID_SCENARIOS:,}")
    values = (start + step * i for i in range(count))
    return [dt.date.fromordinal(int(v)).isoformat() if dates else format(v.normalize(), "f") for v in values]


def axis_values(name: str, text: str, terms: Terms | None = None) -> list[str]:
    """Values of one grid axis: comma-separated items, each a value or a range ``start:stop:step``.

    Every value is checked alone against its parameter's rule (``calc.params``).
    """
    kind = SPEC_BY_NAME[name].kind
    if kind in ("float", "int") and AMBIGUOUS_COMMA_RE.search(text):
        raise ValueError(f"'{echo(text)}': a comma between digits is ambiguous in a list (1,89: the decimal 1.89 or "
                         "the values 1 and 89?); write decimals with '.', thousands without separators, and "
                         "separate values with ', ' (comma and space)")
    values = [v for item in text.split(",") for v in (_range_values(item, kind) if ":" in item else [item.strip()])]
    problems = [p for v in values for p in param_problems({name: v}, terms)[1]]
    if problems:
        raise ValueError("; ".join(dict.fromkeys(p.removeprefix(f"{name}: ") for p in problems)))
    return values


@dataclass(frozen=True)
class GridTable:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


def make_grid(axes: Mapping[str, str], terms: Terms | None = None) -> GridTable:
    """Cartesian product of the axes (name -> list or range text), ids assigned, every row validated."""
    terms = terms or load_terms()
    names = [n for n in PARAM_NAMES if n in axes]
    values: dict[str, list[str]] = {}
    problems = []
    for name in names:
        try:
            values[name] = axis_values(name, axes[name], terms)
        except ValueError as exc:
            problems.append(f"--{name.replace('_', '-')}: {exc}")
    if problems:
        raise InputError(f"grid: {len(problems)} problem(s)", tuple(problems))
    count = int(np.prod([len(values[n]) for n in names], dtype=np.float64))
    if count > MAX_GRID_SCENARIOS:
        raise InputError(f"grid: {count:,} scenarios, more than the {MAX_GRID_SCENARIOS:,} allowed; "
                         "use coarser steps or fewer values")
    width = max(4, len(str(count)))
    rows = [(f"s{i + 1:0{width}d}", *combo) for i, combo in enumerate(itertools.product(*values.values()))]
    header = (ID_COLUMN, *names)
    parse_grid(header, ((i + 2, row) for i, row in enumerate(rows)), "grid", terms)
    return GridTable(header, rows)


def write_grid_csv(table: GridTable, sink: Sink) -> None:
    """Write a grid as CSV (plain UTF-8: it is an input file, cells are not neutralized)."""
    handle = io.TextIOWrapper(sink, encoding="utf-8", newline="")
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    handle.flush()
    handle.detach()


def write_grid(table: GridTable, target: Path | str) -> None:
    """Write a grid CSV to ``target`` whole or not at all (``calc.output``)."""
    plan_outputs({}, {"--out": target}).write({"--out": lambda sink: write_grid_csv(table, sink)})


# --------------------------------------------------------------------------- batch run

def load_book(register_path: Path | str | None, terms: Terms | None = None) -> HolderBook:
    """Holder book from a register CSV (``--holders``), or the shipped register."""
    if register_path is None:
        return default_book()
    terms = terms or load_terms()
    return build_book(read_register_csv(register_path), terms.preferred.shares_issued)


def _text(values: Iterable[str], safe: bool) -> pa.Array:
    return pa.array([neutralize_text(v) for v in values] if safe else list(values), pa.string())


@dataclass(frozen=True)
class Chunk:
    scenarios: int
    results: pa.Table  # RESULT_SCHEMA
    summary: pa.Table  # SUMMARY_SCHEMA


def _written(column: str, values: np.ndarray) -> np.ndarray:
    """Money, percentage and rate columns rounded as in every CSV (``calc.output.csv_decimals``)."""
    decimals = csv_decimals(column)
    return rounded(values, decimals) if decimals is not None and values.dtype.kind == "f" else values


def _results_table(ids: pa.Array, labels: Mapping[str, pa.Array], holders: Mapping[str, np.ndarray]) -> pa.Table:
    scenarios, rows = holders["pro_forma_shares"].shape
    scenario_index = pa.array(np.repeat(np.arange(scenarios, dtype=np.int32), rows))
    row_index = pa.array(np.tile(np.arange(rows, dtype=np.int32), scenarios))
    columns = [ids.take(scenario_index)] + [labels[c].take(row_index) for c in LABEL_COLUMNS]
    columns += [pa.array(_written(c, holders[c].reshape(-1)), type=t) for c, t in HOLDER_COLUMNS.items()]
    return pa.Table.from_arrays(columns, schema=RESULT_SCHEMA)


def _summary_table(ids: pa.Array, params: Sequence[ScenarioParams], summary: pd.DataFrame) -> pa.Table:
    columns = [ids]
    columns += [pa.array([getattr(p, n) for p in params], type=SUMMARY_SCHEMA.field(n).type) for n in PARAM_NAMES]
    columns += [pa.array(_written(k, summary[k].to_numpy()), type=_SUMMARY_TYPES[k]) for k in SUMMARY_KEYS]
    return pa.Table.from_arrays(columns, schema=SUMMARY_SCHEMA)


def result_chunks(grid: Grid, book: HolderBook | None = None, terms: Terms | None = None,
                  chunk_size: int = DEFAULT_CHUNK_SIZE, spreadsheet_safe: bool = True) -> Iterator[Chunk]:
    """Run the grid ``chunk_size`` scenarios at a time; yield each chunk's results and summary tables.

    ``spreadsheet_safe`` neutralizes the text cells (scenario ids, holder names, families).
    """
    if chunk_size < 1:
        raise InputError(f"chunk size {chunk_size} must be >= 1")
    terms = terms or load_terms()
    book = book or default_book()
    label_frame = row_labels(book)
    labels = {c: _text(label_frame[c], spreadsheet_safe) for c in LABEL_COLUMNS}
    for start in range(0, len(grid), chunk_size):
        params = list(grid.params[start:start + chunk_size])
        events = list(grid.events[start:start + chunk_size]) if grid.events else None
        try:
            batch = run_batch(params, terms, book, True, events)
        except ShareLimitError as exc:
            first, more = grid.ids[start + int(exc.paths[0])], len(exc.paths) - 1
            also = f" (and {more:,} more)" if more > 0 else ""
            raise ShareLimitError(exc.paths + start, exc.source, exc.date,
                                  f"scenario_id '{echo(first)}'{also}: ") from None
        ids = _text(grid.ids[start:start + chunk_size], spreadsheet_safe)
        yield Chunk(len(params), _results_table(ids, labels, batch.holders), _summary_table(ids, params, batch.summary))


# --------------------------------------------------------------------------- streamed writers

def _open_writer(stack: contextlib.ExitStack, sink: Sink, schema: pa.Schema, fmt: str,
                 excel: bool) -> pa_csv.CSVWriter | pq.ParquetWriter:
    """A writer of ``schema`` tables onto ``sink``, closed with ``stack``."""
    stream = pa.PythonFile(sink, mode="w")
    if fmt == "parquet":
        writer: pa_csv.CSVWriter | pq.ParquetWriter = pq.ParquetWriter(stream, schema)
    else:
        if excel:
            sink.write(BOM)
        writer = pa_csv.CSVWriter(stream, schema)
    stack.callback(writer.close)
    return writer


@dataclass(frozen=True)
class ExportStats:
    scenarios: int
    rows: int


def check_format(fmt: str, excel: bool) -> None:
    """``fmt`` is csv or parquet; ``excel`` (a byte-order mark) applies to CSV only."""
    if fmt not in FORMATS:
        raise InputError(f"--format '{fmt}' is not one of {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise InputError("--excel applies to CSV output only, not --format parquet")


def export(grid: Grid, results: Path | str, summary: Path | str | None = None, *, fmt: str = "csv",
           excel: bool = False, book: HolderBook | None = None, terms: Terms | None = None,
           chunk_size: int = DEFAULT_CHUNK_SIZE,
           progress: Callable[[int, int], None] | None = None) -> ExportStats:
    """Run ``grid`` and write the results (and summary) files whole, or not at all.

    ``fmt``: csv or parquet; ``excel``: CSV with a UTF-8 byte-order mark.
    ``progress(done, total)`` is called after each chunk.
    """
    check_format(fmt, excel)
    plan = plan_outputs({}, {"--out": results, "--summary": summary})
    return write_export(plan, grid, fmt=fmt, excel=excel, book=book, terms=terms, chunk_size=chunk_size,
                        progress=progress)


def write_export(plan: OutputPlan, grid: Grid, *, fmt: str = "csv", excel: bool = False,
                 book: HolderBook | None = None, terms: Terms | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 progress: Callable[[int, int], None] | None = None,
                 record: Mapping[str, object] | None = None) -> ExportStats:
    """``export`` onto planned outputs: ``--out`` (results) and, if planned, ``--summary`` (and their
    planned ``NAME.inputs.json`` sidecars, holding ``record``)."""
    check_format(fmt, excel)
    flags = [flag for flag in ("--out", "--summary") if flag in plan.targets]
    done = rows = 0
    with plan.open() as sinks, contextlib.ExitStack() as stack:
        writers = [_open_writer(stack, sinks[flag], schema, fmt, excel)
                   for flag, schema in zip(flags, (RESULT_SCHEMA, SUMMARY_SCHEMA))]
        for chunk in result_chunks(grid, book, terms, chunk_size, spreadsheet_safe=fmt == "csv"):
            for writer, table in zip(writers, (chunk.results, chunk.summary)):
                writer.write_table(table)
            done += chunk.scenarios
            rows += chunk.results.num_rows
            if progress is not None:
                progress(done, len(grid))
        for flag, write in plan.sidecar_writers(flags, record).items():
            write(sinks[flag])
    return ExportStats(done, rows)
