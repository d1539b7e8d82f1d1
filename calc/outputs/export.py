"""Batch export: run every scenario of a grid (``calc.inputs.grid``) and stream the results to CSV or Parquet.

Outputs (``export``), written in chunks of ``chunk_size`` scenarios, each chunk run
through ``calc.model.scenario.run_batch`` as arrays and turned into Arrow columns with
numpy (no Python loop over scenario × holder), so memory stays flat as the grid grows:
  results  one row per scenario × (holder, then fund family): ``RESULT_COLUMNS``
  summary  one row per scenario: ``scenario_id``, the parameters, what the scenario replayed (``history``,
           ``events`` as the grid names it and its ``events_sha256``), ``SUMMARY_KEYS``
Outputs are checked before anything runs; every file is written to a temporary file
beside its target and renamed only when the whole grid has been written
(``calc.outputs.files.plan_outputs``): an interrupted or failed run leaves no output file.
CSV text cells go through ``calc.outputs.files.neutralize_text``
(formula triggers prefixed with ``'``); numbers are written as numbers, unaltered.
Parquet keeps text as given (it is a typed format that spreadsheets do not evaluate).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from calc.errors import InputError, echo
from calc.inputs.data import default_book, load_desk_facts, load_families, load_terms
from calc.inputs.grid import ID_COLUMN, Grid
from calc.inputs.register import DEFAULT_PARTIAL, prepare_register, read_register_csv
from calc.model.allocation import HolderBook, build_book, row_labels
from calc.model.capacity import stock_caps
from calc.model.columns import HOLDER_LABEL_COLUMNS, HOLDER_NUMBER_COLUMNS, SUMMARY_METRICS
from calc.model.engine import ShareLimitError
from calc.model.params import PARAM_NAMES, SPEC_BY_NAME, ScenarioParams
from calc.model.price_path import PricePath
from calc.model.scenario import run_batch
from calc.model.terms import Terms
from calc.outputs.files import (
    OutputPlan,
    Sink,
    csv_decimals,
    interrupts_deferred,
    neutralize_text,
    plan_outputs,
    rounded,
)

ARROW_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}
LABEL_COLUMNS = tuple(c.name for c in HOLDER_LABEL_COLUMNS)
RESULT_COLUMNS = (ID_COLUMN, *LABEL_COLUMNS, *(c.name for c in HOLDER_NUMBER_COLUMNS))
RESULT_SCHEMA = pa.schema(
    [
        (ID_COLUMN, pa.string()),
        *((c.name, ARROW_TYPES[c.dtype]) for c in (*HOLDER_LABEL_COLUMNS, *HOLDER_NUMBER_COLUMNS)),
    ]
)

_KIND_TYPES = {
    "float": pa.float64(),
    "int": pa.int64(),
    "date": pa.date32(),
    "optional_date": pa.date32(),
    "choice": pa.string(),
}
# what each scenario ran beside its parameters: the 2002 history replayed, the grid's events file as named and
# its SHA-256 (the sidecar fingerprints every file: calc.outputs.record)
LEDGER_SUMMARY_SCHEMA = pa.schema([("history", pa.bool_()), ("events", pa.string()), ("events_sha256", pa.string())])
SUMMARY_SCHEMA = pa.schema(
    [
        (ID_COLUMN, pa.string()),
        *((n, _KIND_TYPES[SPEC_BY_NAME[n].kind]) for n in PARAM_NAMES),
        *LEDGER_SUMMARY_SCHEMA,
        *((c.name, ARROW_TYPES[c.dtype]) for c in SUMMARY_METRICS),
    ]
)
SUMMARY_COLUMNS = tuple(SUMMARY_SCHEMA.names)

FORMATS = ("csv", "parquet")
DEFAULT_CHUNK_SIZE = 1000
BOM = "\ufeff".encode()
WRITE_BUFFER_BYTES = 8 << 20  # assumption: 8 MiB per Parquet output, a few writes per chunk


def load_book(
    register_path: Path | str | None, terms: Terms | None = None, partial: str = DEFAULT_PARTIAL
) -> HolderBook:
    """Holder book from a register CSV (``--holders``), or the shipped register. A register listing fewer
    preferred than the shares issued is read as ``partial`` says (``--partial``,
    ``calc.inputs.register.PARTIAL_HANDLING``:
    as typed plus a remainder row, or scaled up); one listing at least the shares issued is used as it is."""
    if register_path is None:
        return default_book()
    terms = terms or load_terms()
    issued = terms.preferred.shares_issued
    return build_book(
        prepare_register(read_register_csv(register_path), issued, partial), issued, families=load_families()
    )


def _text(values: Iterable[str], safe: bool) -> pa.Array:
    return pa.array([neutralize_text(v) for v in values] if safe else list(values), pa.string())


@dataclass(frozen=True)
class Chunk:
    scenarios: int
    results: pa.Table  # RESULT_SCHEMA
    summary: pa.Table  # SUMMARY_SCHEMA


def _written(column: str, values: np.ndarray) -> np.ndarray:
    """Money, percentage and rate columns rounded as in every CSV (``calc.outputs.files.csv_decimals``)."""
    decimals = csv_decimals(column)
    return rounded(values, decimals) if decimals is not None and values.dtype.kind == "f" else values


def _tiled_labels(labels: Mapping[str, pa.Array], scenarios: int) -> list[pa.Array]:
    """The label columns repeated for ``scenarios`` scenarios (the same for every full chunk)."""
    rows = len(labels[LABEL_COLUMNS[0]])
    row_index = pa.array(np.tile(np.arange(rows, dtype=np.int32), scenarios))
    return [labels[c].take(row_index) for c in LABEL_COLUMNS]


def _results_table(ids: pa.Array, tiled_labels: Sequence[pa.Array], holders: Mapping[str, np.ndarray]) -> pa.Table:
    scenarios, rows = holders["pro_forma_shares"].shape
    scenario_index = pa.array(np.repeat(np.arange(scenarios, dtype=np.int32), rows))
    columns = [ids.take(scenario_index), *tiled_labels]
    columns += [
        pa.array(_written(c.name, holders[c.name].reshape(-1)), type=ARROW_TYPES[c.dtype])
        for c in HOLDER_NUMBER_COLUMNS
    ]
    return pa.Table.from_arrays(columns, schema=RESULT_SCHEMA)


def _ledger_columns(grid: Grid, rows: slice, spreadsheet_safe: bool) -> list[pa.Array]:
    """The summary's ``LEDGER_SUMMARY_SCHEMA`` columns of ``rows`` of the grid."""
    count = len(grid.ids[rows])
    history = grid.history[rows] if grid.history else (False,) * count
    names = grid.events_names[rows] if grid.events_names else ("",) * count
    digests = grid.events_sha256[rows] if grid.events_sha256 else ("",) * count
    return [pa.array(history, pa.bool_()), _text(names, spreadsheet_safe), pa.array(digests, pa.string())]


def _summary_table(
    ids: pa.Array, params: Sequence[ScenarioParams], summary: pd.DataFrame, ledger: Sequence[pa.Array]
) -> pa.Table:
    columns = [ids]
    by_param = zip(*map(attrgetter(*PARAM_NAMES), params)) if params else ((),) * len(PARAM_NAMES)
    columns += [pa.array(v, type=SUMMARY_SCHEMA.field(n).type) for n, v in zip(PARAM_NAMES, by_param)]
    columns += ledger
    columns += [
        pa.array(_written(c.name, summary[c.name].to_numpy()), type=ARROW_TYPES[c.dtype]) for c in SUMMARY_METRICS
    ]
    return pa.Table.from_arrays(columns, schema=SUMMARY_SCHEMA)


def result_chunks(
    grid: Grid,
    book: HolderBook | None = None,
    terms: Terms | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    spreadsheet_safe: bool = True,
    prices_path: PricePath | None = None,
) -> Iterator[Chunk]:
    """Run the grid ``chunk_size`` scenarios at a time; yield each chunk's results and summary tables.

    ``spreadsheet_safe`` neutralizes the text cells (scenario ids, holder names, families); ``prices_path``: one
    dated price path for every scenario (``calc.model.scenario_prices``: their price and annual_drift unused).
    """
    if chunk_size < 1:
        raise InputError(f"chunk size {chunk_size} must be >= 1")
    terms = terms or load_terms()
    book = book or default_book()
    caps = stock_caps(terms, load_desk_facts())
    label_frame = row_labels(book)
    labels = {c: _text(label_frame[c], spreadsheet_safe) for c in LABEL_COLUMNS}
    book_rows = len(label_frame)
    tiled = _tiled_labels(labels, 0)
    for start in range(0, len(grid), chunk_size):
        params = list(grid.params[start : start + chunk_size])
        events = list(grid.events[start : start + chunk_size]) if grid.events else None
        try:
            batch = run_batch(params, terms, book, True, events, prices_path, caps=caps)
        except ShareLimitError as exc:
            first, more = grid.ids[start + int(exc.paths[0])], len(exc.paths) - 1
            also = f" (and {more:,} more)" if more > 0 else ""
            raise ShareLimitError(
                exc.paths + start, exc.source, exc.date, f"scenario_id '{echo(first)}'{also}: "
            ) from None
        ids = _text(grid.ids[start : start + chunk_size], spreadsheet_safe)
        if len(tiled[0]) != len(params) * book_rows:  # built once for the full chunks, again for the last
            tiled = _tiled_labels(labels, len(params))
        ledger = _ledger_columns(grid, slice(start, start + chunk_size), spreadsheet_safe)
        summary = _summary_table(ids, params, batch.summary, ledger)
        yield Chunk(len(params), _results_table(ids, tiled, batch.holders), summary)


def _open_writer(
    stack: contextlib.ExitStack, sink: Sink, schema: pa.Schema, fmt: str, excel: bool
) -> pa_csv.CSVWriter | pq.ParquetWriter:
    """A writer of ``schema`` tables onto ``sink``, closed with ``stack``.

    Parquet goes through a native buffer of ``WRITE_BUFFER_BYTES`` (flushed and closed after the
    writer): pyarrow's Parquet writer makes thousands of small writes per export, each needing the
    GIL while the main thread computes the next chunk; buffered, it reaches the Python ``sink`` a few
    times. (CSV writes are already ~64 KB each; buffering them measured no gain.)
    """
    stream = pa.PythonFile(sink, mode="w")
    if fmt == "parquet":
        buffered = pa.BufferedOutputStream(stream, WRITE_BUFFER_BYTES)
        stack.push(lambda failed, *_: _close_stream(buffered, failed is not None))
        writer: pa_csv.CSVWriter | pq.ParquetWriter = pq.ParquetWriter(buffered, schema)
    else:
        if excel:
            sink.write(BOM)
        writer = pa_csv.CSVWriter(stream, schema)
    stack.callback(writer.close)
    return writer


def _close_stream(stream: pa.NativeFile, failed: bool) -> None:
    """Flush and close ``stream`` now (never later, from the garbage collector, onto a discarded sink);
    after a failure, an error from flushing into the discarded output is not reported over the first."""
    if not failed:
        stream.close()
        return
    with contextlib.suppress(Exception):
        stream.close()


class _WriteBehind:
    """Writes each chunk's tables on a writer thread while the caller computes the next chunk.

    pyarrow formats and writes with the GIL released, so computing and writing overlap. At most
    one chunk waits in the queue (memory stays at about two chunks). A writer's error is raised
    in the caller at its next ``write`` or on exit; on any exit the thread finishes and is joined
    before the writers are closed.
    """

    def __init__(self, writers: Sequence[pa_csv.CSVWriter | pq.ParquetWriter]) -> None:
        self._writers = writers
        self._queue: queue.Queue[tuple[pa.Table, ...] | None] = queue.Queue(maxsize=1)
        self._failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._drain, name="export-writer", daemon=True)

    def _drain(self) -> None:
        while (tables := self._queue.get()) is not None:
            if not self._failure:
                try:
                    for writer, table in zip(self._writers, tables):
                        writer.write_table(table)
                except BaseException as exc:  # handed to the caller's thread
                    self._failure.append(exc)

    def _raise_failure(self) -> None:
        if self._failure:
            raise self._failure[0]

    def write(self, tables: tuple[pa.Table, ...]) -> None:
        self._raise_failure()
        with interrupts_deferred():  # a signal inside the queue's locks could leave them held
            self._queue.put(tables)

    def __enter__(self) -> _WriteBehind:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with interrupts_deferred():
            self._queue.put(None)
            self._thread.join()
        if exc_info[0] is None:
            self._raise_failure()


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


def export(
    grid: Grid,
    results: Path | str,
    summary: Path | str | None = None,
    *,
    fmt: str = "csv",
    excel: bool = False,
    book: HolderBook | None = None,
    terms: Terms | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ExportStats:
    """Run ``grid`` and write the results (and summary) files whole, or not at all.

    ``fmt``: csv or parquet; ``excel``: CSV with a UTF-8 byte-order mark.
    ``progress(done, total)`` is called after each chunk.
    """
    check_format(fmt, excel)
    plan = plan_outputs({}, {"--out": results, "--summary": summary})
    return write_export(
        plan, grid, fmt=fmt, excel=excel, book=book, terms=terms, chunk_size=chunk_size, progress=progress
    )


def write_export(
    plan: OutputPlan,
    grid: Grid,
    *,
    fmt: str = "csv",
    excel: bool = False,
    book: HolderBook | None = None,
    terms: Terms | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
    record: Mapping[str, object] | None = None,
    prices_path: PricePath | None = None,
) -> ExportStats:
    """``export`` onto planned outputs: ``--out`` (results) and, if planned, ``--summary`` (and their
    planned ``NAME.inputs.json`` sidecars, holding ``record``)."""
    check_format(fmt, excel)
    flags = [flag for flag in ("--out", "--summary") if flag in plan.targets]
    done = rows = 0
    with plan.open() as sinks, contextlib.ExitStack() as stack:
        writers = [
            _open_writer(stack, sinks[flag], schema, fmt, excel)
            for flag, schema in zip(flags, (RESULT_SCHEMA, SUMMARY_SCHEMA))
        ]
        with _WriteBehind(writers) as behind:
            for chunk in result_chunks(
                grid, book, terms, chunk_size, spreadsheet_safe=fmt == "csv", prices_path=prices_path
            ):
                behind.write((chunk.results, chunk.summary))
                done += chunk.scenarios
                rows += chunk.results.num_rows
                if progress is not None:
                    progress(done, len(grid))
        for flag, write in plan.sidecar_writers(flags, record).items():
            write(sinks[flag])
    return ExportStats(done, rows)
