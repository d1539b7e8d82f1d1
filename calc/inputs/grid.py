"""Scenario grids: read and validate a grid CSV (``read_grid``), or generate one from
parameter axes (``make_grid``). Running a grid and writing its results is ``calc.outputs.export``.

Grid file (CSV, UTF-8 or UTF-16/32 with a byte-order mark; size limits of
``calc.inputs.csv_records``): a ``scenario_id`` column plus any of the scenario parameters
(``calc.model.params.PARAM_NAMES``) as columns; a missing column or an empty cell takes the
default. Ledger columns (``calc.model.ledger``): ``events``, a path to an events CSV relative
to the grid file's folder (empty: none), and ``history``, ``true`` or ``false`` (empty:
false) to replay the 2002-2004 history (``calc.inputs.history_replay``), with the history defaults for an empty
valuation_date and base_shares. An events file's own problems are reported under the
grid line; its rows are checked against each scenario's window when the batch runs.
Line 1 is the header; a record's line number is the line it starts on. Before
anything runs, every problem is collected and reported at once (``InputError``, exit
code 2), each as ``line L, column C: 'value' <rule>``:
  - unknown or repeated column; no ``scenario_id`` column; no scenario rows
  - a row with more or fewer cells than the header
  - empty or duplicate ``scenario_id`` (the duplicate names the line of the first)
  - a value that is not a number / whole number / YYYY-MM-DD date / listed choice,
    or out of range (the rules of ``calc.model.params``); an unreadable or invalid events file

Grid generation (``make_grid``): one axis per parameter, a comma-separated list whose
items are values or inclusive ranges ``start:stop:step`` (for dates the step is whole days),
combined as a cartesian product (first parameter in ``PARAM_NAMES`` order varies
slowest), ids ``s0001``, ``s0002``, ... .
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from calc.errors import InputError, Problem, echo
from calc.inputs.csv_records import MAX_CSV_LINE_CHARS, MAX_GRID_BYTES, csv_records, opened_lines
from calc.inputs.data import load_terms
from calc.inputs.events_csv import read_events
from calc.inputs.history import history_defaults
from calc.inputs.history_replay import ledger_events
from calc.inputs.numbers import parse_decimal
from calc.inputs.params import param_problems
from calc.model.ledger import Event
from calc.model.params import PARAM_NAMES, SPEC_BY_NAME, ScenarioParams
from calc.model.terms import Terms
from calc.outputs.files import Sink, plan_outputs

ID_COLUMN = "scenario_id"
LEDGER_COLUMNS = ("events", "history")
HISTORY_VALUES = {"": False, "false": False, "true": True}
MAX_GRID_SCENARIOS = 1_000_000
# two whole numbers joined by a bare comma in a grid list: '1,89' could be 1.89, or 1 and 89
AMBIGUOUS_COMMA_RE = re.compile(r"(?<![^,\s])[+-]?[0-9]+,[0-9]+(?![^,\s])")


@dataclass(frozen=True)
class Grid:
    """Validated scenarios, in file order."""

    ids: tuple[str, ...]
    params: tuple[ScenarioParams, ...]
    events: tuple[tuple[Event, ...], ...] = ()  # per scenario (empty: no scenario has events)
    events_files: tuple[Path, ...] = ()  # the events files the ``events`` column names, each once
    events_names: tuple[str, ...] = ()  # per scenario: its ``events`` cell as given ("" none; empty: no such column)
    history: tuple[bool, ...] = ()  # per scenario: replays data/history.csv (empty: no scenario does)
    events_sha256: tuple[str, ...] = ()  # per scenario: SHA-256 of its events file ("" none; as ``events_names``)

    def __len__(self) -> int:
        return len(self.ids)


def _header_problems(header: Sequence[str]) -> list[Problem]:
    known = (ID_COLUMN, *PARAM_NAMES, *LEDGER_COLUMNS)
    problems = [
        Problem(f"unknown column (known: {', '.join(known)})", line=1, column=name)
        for name in header
        if name not in known
    ]
    problems += [
        Problem(f"appears {header.count(name)} times", line=1, column=name)
        for name in dict.fromkeys(header)
        if header.count(name) > 1
    ]
    if ID_COLUMN not in header:
        problems.append(Problem(f"no '{ID_COLUMN}' column", line=1))
    return problems


def _id_problems(scenario_id: str, line: int, first_line: dict[str, int]) -> list[Problem]:
    """Empty or repeated id; records the line of each id's first use in ``first_line``."""
    if not scenario_id:
        return [Problem("empty; every scenario needs an id", line=line, column=ID_COLUMN)]
    if scenario_id in first_line:
        return [Problem(f"duplicates line {first_line[scenario_id]}", line=line, column=ID_COLUMN, value=scenario_id)]
    first_line[scenario_id] = line
    return []


def _inside(folder: Path, name: str) -> Path:
    """``folder / name`` when that file is in ``folder`` or below it (symlinks resolved); else ``InputError``.

    A grid names its events files relative to its own folder and may not reach out of it (an absolute path,
    ``..``, or a link leading elsewhere), so that a shared grid cannot make the product read any file."""
    path = folder / name
    root = os.path.realpath(folder)
    if os.path.commonpath([root, os.path.realpath(path)]) != root:
        raise InputError(
            f"'{echo(name, limit=200)}' is outside the grid's folder {folder}; "
            "an events file must be in that folder or below it"
        )
    return path


def _ledger_cells(
    cells: Mapping[str, str],
    folder: Path,
    files: dict[str, tuple[Event, ...] | InputError],
    digests: dict[str, str],
) -> tuple[bool, tuple[Event, ...], list[Problem]]:
    """(history, events, problems) of one grid row; each events file is read once (``files``), and the SHA-256
    of each one read is kept in ``digests`` (for the export summary: what each scenario ran)."""
    history_text = cells.get("history", "").strip().lower()
    problems = (
        []
        if history_text in HISTORY_VALUES
        else [Problem("is not true or false", column="history", value=cells["history"])]
    )
    history = HISTORY_VALUES.get(history_text, False)
    name = cells.get("events", "").strip()
    events: tuple[Event, ...] = ()
    if name:
        if name not in files:
            try:
                path = _inside(folder, name)
                files[name] = read_events(path)
                digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()  # at most MAX_EVENTS_BYTES
            except InputError as exc:
                files[name] = exc
            except OSError as exc:
                files[name] = InputError(f"events {path}: cannot read ({exc.strerror or exc})")
        found = files[name]
        if isinstance(found, InputError):
            problems += [Problem(str(p), column="events") for p in found.problems or (str(found),)]
        else:
            events = found
    return history, ledger_events(events, history), problems


def parse_grid(
    header: Sequence[str],
    records: Iterable[tuple[int, Sequence[str]]],
    source: str,
    terms: Terms | None = None,
    folder: Path | None = None,
) -> Grid:
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
    row_names: list[str] = []
    row_digests: list[str] = []
    row_history: list[bool] = []
    files: dict[str, tuple[Event, ...] | InputError] = {}
    digests: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for line, cells in records:
        if len(cells) != len(header):
            problems.append(Problem(f"{len(cells)} cell(s), the header has {len(header)}", line=line))
            continue
        scenario_id = cells[header.index(ID_COLUMN)].strip() if ID_COLUMN in header else ""
        if ID_COLUMN in header:
            problems += _id_problems(scenario_id, line, first_line)
        ledger_cells = {name: cells[header.index(name)] for name in LEDGER_COLUMNS if name in header}
        history, events, ledger_problems = _ledger_cells(ledger_cells, folder or Path("."), files, digests)
        values: dict[str, object] = {name: cells[i] for name, i in known.items()}
        if history:
            given = {k: v for k, v in values.items() if str(v).strip()}
            values = history_defaults() | given
        scenario, row_problems = param_problems(values, terms)
        problems += [p.at(line=line) for p in ledger_problems]
        problems += [p.at(line=line, column_label=True) for p in row_problems]
        ids.append(scenario_id)
        row_events.append(events)
        row_names.append(ledger_cells.get("events", "").strip())
        row_digests.append(digests.get(row_names[-1], ""))
        row_history.append(history)
        if scenario is not None:
            params.append(scenario)
    if not problems and not ids:
        problems.append(Problem("no scenario rows"))
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s); nothing was run", tuple(problems))
    files_read = tuple((folder or Path(".")) / name for name in files)
    return Grid(
        tuple(ids),
        tuple(params),
        tuple(row_events) if any(row_events) else (),
        files_read,
        tuple(row_names) if any(row_names) else (),
        tuple(row_history) if any(row_history) else (),
        tuple(row_digests) if any(row_names) else (),
    )


def read_grid(path: Path | str, terms: Terms | None = None) -> Grid:
    """Read and validate a grid CSV (see the module docstring for the rules; file limits of
    ``calc.inputs.csv_records``: ``MAX_GRID_BYTES``, ``MAX_CSV_ROWS`` rows, ``MAX_CELL_CHARS`` per cell)."""
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

    Every value is checked alone against its parameter's rule (``calc.model.params``).
    """
    kind = SPEC_BY_NAME[name].kind
    if kind in ("float", "int") and AMBIGUOUS_COMMA_RE.search(text):
        raise ValueError(
            f"'{echo(text)}': a comma between digits is ambiguous in a list (1,89: the decimal 1.89 or "
            "the values 1 and 89?); write decimals with '.', thousands without separators, and "
            "separate values with ', ' (comma and space)"
        )
    values = [v for item in text.split(",") for v in (_range_values(item, kind) if ":" in item else [item.strip()])]
    problems = [p for v in values for p in param_problems({name: v}, terms)[1]]
    if problems:
        raise ValueError("; ".join(dict.fromkeys(str(Problem(p.rule, value=p.value)) for p in problems)))
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
        raise InputError(
            f"grid: {count:,} scenarios, more than the {MAX_GRID_SCENARIOS:,} allowed; "
            "use coarser steps or fewer values"
        )
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
    """Write a grid CSV to ``target`` whole or not at all (``calc.outputs.files``)."""
    plan_outputs({}, {"--out": target}).write({"--out": lambda sink: write_grid_csv(table, sink)})
