"""``make bench``: every performance target of issue 14 in one table (not a test; never run by ``make test``).

Each row: what is measured, its median over ``--runs`` runs (at least 5), the baseline measured in
the same run (interleaved with the measured runs, so load from other processes on the machine
falls on both), the ratio of the two, the target, and whether it is met. Rows without a natural
baseline (the scenario kernel) have an absolute target only.

    .venv/bin/python benchmarks/run_all.py [--runs N] [--quick]

Rows:
  scenario     ``run_scenario`` with the 326-holder table: default, and with the two ledger events of
               ``data/history.csv``; each also with its two DataFrames read (built on first read)
  montecarlo   100,000 paths × 60 dates to 2031 with the two events, against drawing the same normals
               alone (the floor); peak traced allocations (``tracemalloc``, a separate run); and,
               informational, the same with put = conversion = none (every date live)
  export       10,000 scenarios × register (3.28 M rows) to CSV / Parquet (grid read beforehand; 9+ runs),
               against a bare pyarrow write of the same rows (concatenated in memory)
  cli          cold start of ``python -m calc convert|terms`` against ``python -c "import numpy"``;
               ``scenario --json`` against ``python -c "import pandas"``
  valuation    the fair-value lattice (``benchmarks/bench_valuation.py``): one valuation at 800 steps against
               QuantLib's at 800 steps (≤ 1×), an implied spread (≤ 50 ms), a 100-price sweep (≤ 0.2 s; and with the
               debt/equity split, informational)
  dashboard    ``benchmarks/bench_dashboard.py`` (server-side recompute after one input change), if it runs
  tests        ``make test`` after setup: the lint (ruff check, ruff format --check, mypy with an empty cache,
               as on a clean clone) and pytest (every test, on every core), one run each (a minute or more)
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_export import grid_axes  # noqa: E402  (this script's folder is on sys.path)
from bench_valuation import valuation_rows  # noqa: E402

from calc.inputs.data import (  # noqa: E402
    default_book,
    history_events,
    load_caps,  # noqa: E402
    load_terms,
)
from calc.inputs.grid import make_grid, read_grid, write_grid  # noqa: E402
from calc.inputs.params import parse_params  # noqa: E402
from calc.model.ledger import Event  # noqa: E402
from calc.model.montecarlo import CHUNK_PATHS, run_monte_carlo  # noqa: E402
from calc.model.params import ScenarioParams  # noqa: E402
from calc.model.scenario import run_scenario  # noqa: E402
from calc.outputs.export import export, result_chunks  # noqa: E402

PY = sys.executable


@dataclasses.dataclass
class Row:
    what: str
    measured: float
    unit: str
    baseline: float | None = None
    target_ratio: float | None = None
    target_abs: float | None = None

    def ratio(self) -> float | None:
        return None if self.baseline is None else self.measured / self.baseline

    def met(self) -> bool:
        ratio = self.ratio()
        ok_ratio = self.target_ratio is None or (ratio is not None and ratio <= self.target_ratio)
        return ok_ratio and (self.target_abs is None or self.measured <= self.target_abs)

    def verdict(self) -> str:
        """yes / NO against the target; — for an informational row (no target)."""
        return "—" if self.target() == "—" else "yes" if self.met() else "NO"

    def target(self) -> str:
        if self.target_abs is None and self.target_ratio is None:
            return "—"
        parts = []
        if self.target_abs is not None:
            parts.append(f"≤ {self.target_abs:g} {self.unit}")
        if self.target_ratio is not None:
            parts.append(f"≤ {self.target_ratio:g}×")
        return " and ".join(parts)


def paired(measure: Callable[[], object], base: Callable[[], object] | None, runs: int) -> tuple[float, float | None]:
    """Medians (seconds) of ``measure`` and ``base`` run alternately ``runs`` times each, after a warm-up."""
    measure()
    if base is not None:
        base()
    times: list[float] = []
    base_times: list[float] = []
    for _ in range(runs):
        for fn, out in ((measure, times), (base, base_times)):
            if fn is not None:
                start = time.perf_counter()
                fn()
                out.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(base_times) if base_times else None


def scenario_rows(runs: int) -> list[Row]:
    """The target row reads the holder table (the ``holders`` DataFrame); the exact counts alone and both
    DataFrames are informational."""
    params, events = parse_params({}), history_events()
    rows = []
    for label, ledger in (("default", ()), ("two ledger events", events)):
        for what, read, target in (
            (f"scenario + 326-holder table (holders DataFrame built), {label}", ("holders",), 1.5),
            (f"  the same, exact counts only (no DataFrame built), {label}", (), None),
            (f"  the same, both DataFrames built (holders, timeline), {label}", ("holders", "timeline"), None),
        ):
            ms, _ = paired(functools.partial(_scenario, params, ledger, read), None, max(runs, 200))
            rows.append(Row(what, 1000 * ms, "ms", target_abs=target))
    return rows


def _scenario(params: ScenarioParams, events: tuple[Event, ...], read: tuple[str, ...]) -> None:
    """``run_scenario`` and the DataFrames named in ``read`` (each built on first read)."""
    result = run_scenario(params, events=events, terms=load_terms(), book=default_book(), caps=load_caps())
    for name in read:
        getattr(result, name)


def montecarlo_rows(runs: int) -> list[Row]:
    params = parse_params({"horizon": "2031-08-01"})
    events = history_events()
    paths = 100_000
    result = run_monte_carlo(
        params, 0.6, 1000, seed=1, events=events, terms=load_terms(), book=default_book(), caps=load_caps()
    )
    dates = result.schedule.size

    def draw() -> None:  # the floor: the same normals, drawn in the same chunks
        rng = np.random.default_rng(1)
        for start in range(0, paths, CHUNK_PATHS):
            rng.standard_normal((min(CHUNK_PATHS, paths - start), dates - 1))

    seconds, floor = paired(
        lambda: run_monte_carlo(
            params, 0.6, paths, seed=1, events=events, terms=load_terms(), book=default_book(), caps=load_caps()
        ),
        draw,
        runs,
    )
    tracemalloc.start()
    run_monte_carlo(
        params, 0.6, paths, seed=1, events=events, terms=load_terms(), book=default_book(), caps=load_caps()
    )
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    what = f"Monte Carlo {paths:,} paths × {dates} dates, two events (vs drawing the normals)"
    # informational: every path holds to the horizon, so every date is live (no early exit to cut the work)
    holding = parse_params({"horizon": "2031-08-01", "put": "none", "conversion": "none"})
    held, held_floor = paired(
        lambda: run_monte_carlo(
            holding, 0.15, paths, seed=1, events=events, terms=load_terms(), book=default_book(), caps=load_caps()
        ),
        draw,
        runs,
    )
    return [
        Row(what, seconds, "s", floor, 4.0, 0.35),
        Row("Monte Carlo peak traced allocations", peak_mb, "MiB", target_abs=300),
        Row("  the same, put = conversion = none, σ 0.15 (every path holds; informational)", held, "s", held_floor),
    ]


def export_rows(runs: int, scenarios: int) -> list[Row]:
    terms, book = load_terms(), default_book()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        write_grid(make_grid(grid_axes(scenarios), terms), out / "grid.csv")
        grid = read_grid(out / "grid.csv", terms)
        for fmt, bare_write in (
            ("csv", lambda t, p: pa_csv.write_csv(t, p)),
            ("parquet", lambda t, p: pq.write_table(t, p)),
        ):
            safe = fmt == "csv"
            table = pa.concat_tables(c.results for c in result_chunks(grid, book, terms, spreadsheet_safe=safe))

            def run(fmt: str = fmt) -> None:
                export(grid, out / f"results.{fmt}", out / f"summary.{fmt}", fmt=fmt, book=book, terms=terms)

            def bare(fmt: str = fmt, table: pa.Table = table, write: Callable = bare_write) -> None:
                write(table, str(out / f"bare.{fmt}"))

            seconds, base = paired(run, bare, runs)
            del table
            what = (
                f"export {len(grid):,} scenarios × register ({len(grid) * (book.size + len(book.families)):,} "
                f"rows) to {fmt.upper()} (vs bare pyarrow write)"
            )
            rows.append(Row(what, seconds, "s", base, 1.15))
    return rows


def _wall(argv: list[str]) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)

    return run


def cli_rows(runs: int) -> list[Row]:
    numpy_only = _wall([PY, "-c", "import numpy"])
    pandas_only = _wall([PY, "-c", "import pandas"])
    rows = []
    for label, args, base, base_label, target in (
        (
            "convert --preferred 1885000 --json",
            ["convert", "--preferred", "1885000", "--json"],
            numpy_only,
            "import numpy",
            1.5,
        ),
        ("terms", ["terms"], numpy_only, "import numpy", 1.5),
        ("scenario --json", ["scenario", "--json"], pandas_only, "import pandas", 2.5),
    ):
        seconds, base_s = paired(_wall([PY, "-m", "calc", *args]), base, max(runs, 7))
        rows.append(Row(f"CLI cold start: {label} (vs `{base_label}`)", seconds, "s", base_s, target))
    return rows


def lattice_rows(runs: int) -> list[Row]:
    return [
        Row(
            what,
            1000 * measured,
            "ms",
            None if base is None else 1000 * base,
            ratio,
            None if cap is None else 1000 * cap,
        )
        for what, measured, base, ratio, cap in valuation_rows(runs)
    ]


def dashboard_rows(runs: int) -> list[Row]:
    script = ROOT / "benchmarks" / "bench_dashboard.py"
    done = subprocess.run([PY, str(script), "--runs", str(max(runs, 10))], cwd=ROOT, capture_output=True, text=True)
    found = re.search(r"total\s+median\s+([\d.]+) ms", done.stdout)
    if done.returncode != 0 or not found:
        print(
            f"dashboard: not measured (bench_dashboard.py: exit {done.returncode}; "
            f"{(done.stderr.strip().splitlines() or [''])[-1]})"
        )
        return []
    return [Row("dashboard recompute after one input change (server side)", float(found.group(1)), "ms", target_abs=10)]


def _wall_s(argv: list[str]) -> float:
    """Wall seconds of one run of ``argv`` from the repository root; it must succeed."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def suite_rows() -> list[Row]:
    """``make test`` wall time after setup, as its two parts run it (one run each)."""
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as cache:
        lint = sum(
            _wall_s(argv)
            for argv in (
                [str(bin_dir / "ruff"), "check", "-q", "."],
                [str(bin_dir / "ruff"), "format", "--check", "-q", "."],
                [str(bin_dir / "mypy"), "--cache-dir", cache],
            )
        )
    tests = _wall_s([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"])
    return [
        Row("`make test` wall time after setup (lint + pytest; one run)", lint + tests, "s", target_abs=35),
        Row("  lint: ruff check, ruff format --check, mypy (empty cache, as on a clean clone)", lint, "s"),
        Row("  pytest, every test on every core (pytest-xdist; chromium, AppTest, hypothesis)", tests, "s"),
    ]


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}" if value < 100 else f"{value:.0f}"
    return f"{text} {unit}".strip()


def print_table(rows: list[Row], runs: int, load: tuple[float, float]) -> None:
    print(
        f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"pyarrow {pa.__version__}; load average {load[0]:.2f} before, {load[1]:.2f} after; medians of "
        f"{runs}+ runs\n"
    )
    print("| what | measured | baseline (same run) | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ratio = r.ratio()
        print(
            f"| {r.what} | {_fmt(r.measured, r.unit)} | {_fmt(r.baseline, r.unit)} | "
            f"{'—' if ratio is None else f'{ratio:.2f}×'} | {r.target()} | {r.verdict()} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (at least 5; default 5)")
    parser.add_argument("--quick", action="store_true", help="1,000 scenarios in the export rows (a smoke run)")
    parser.add_argument(
        "--only",
        choices=("scenario", "montecarlo", "export", "cli", "valuation", "dashboard", "tests"),
        action="append",
    )
    args = parser.parse_args()
    runs = max(args.runs, 5)
    load_before = os.getloadavg()[0]
    sections: dict[str, Callable[[], list[Row]]] = {
        "scenario": lambda: scenario_rows(runs),
        "montecarlo": lambda: montecarlo_rows(runs),
        "export": lambda: export_rows(max(runs, 9), 1000 if args.quick else 10_000),  # a ratio of two noisy walls
        "cli": lambda: cli_rows(runs),
        "valuation": lambda: lattice_rows(max(runs, 9)),
        "dashboard": lambda: dashboard_rows(runs),
        "tests": suite_rows,
    }
    rows: list[Row] = []
    for name, section in sections.items():
        if not args.only or name in args.only:
            rows += section()
    print_table(rows, runs, (load_before, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
