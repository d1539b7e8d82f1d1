"""Benchmark of ``python -m calc export`` (not a test): a 10,000-scenario grid over the shipped register.

Run: ``.venv/bin/python benchmarks/bench_export.py [--scenarios N] [--chunk-size K] [--keep DIR]``

For each format (CSV, then Parquet) prints the export's elapsed time (grid read and validated,
every scenario run, results and summary streamed to disk), rows per second, the process's peak
resident memory (``ru_maxrss``), and, in the same run, the time pyarrow's own writer
(``pyarrow.csv.write_csv``, ``pyarrow.parquet.write_table``) takes to write an in-memory table of
the same results rows (concatenated in memory, built after the export); the ratio of the two is the
headline figure (issue 14 target: ≤ 1.15× for each format). One run each: ``run_all.py --only
export`` gives medians of paired runs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calc.inputs.data import (
    default_book,
    load_terms,
)
from calc.inputs.grid import make_grid, read_grid, write_grid  # noqa: E402
from calc.outputs.export import export, result_chunks  # noqa: E402

BARE_WRITERS: dict[str, Callable[[pa.Table, str], None]] = {
    "csv": lambda table, path: pa_csv.write_csv(table, path),
    "parquet": lambda table, path: pq.write_table(table, path),
}


def grid_axes(scenarios: int) -> dict[str, str]:
    """Prices in steps of $0.005 from $0.50 × put settlement × holder basis × drift: ``scenarios`` rows (÷ 8)."""
    prices = scenarios // 8
    return {
        "price": f"0.5:{0.5 + 0.005 * (prices - 1):.3f}:0.005",
        "annual_drift": "0,0.1",
        "put_settlement": "cash,stock",
        "holder_basis": "registered,pro_rata",
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000, help="grid size, a multiple of 8")
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="write the files here instead of a temporary directory")
    args = parser.parse_args()
    terms, book = load_terms(), default_book()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.keep or Path(scratch)
        grid_path = out / "grid.csv"
        write_grid(make_grid(grid_axes(args.scenarios), terms), grid_path)
        for fmt, bare_write in BARE_WRITERS.items():
            baseline_mb = peak_rss_mb()
            start = time.perf_counter()
            grid = read_grid(grid_path, terms)
            stats = export(
                grid,
                out / f"results.{fmt}",
                out / f"summary.{fmt}",
                fmt=fmt,
                book=book,
                terms=terms,
                chunk_size=args.chunk_size,
            )
            elapsed = time.perf_counter() - start
            export_peak_mb = peak_rss_mb()
            size_mb = (out / f"results.{fmt}").stat().st_size / 1e6

            chunks = result_chunks(grid, book, terms, args.chunk_size, spreadsheet_safe=fmt == "csv")
            table = pa.concat_tables(c.results for c in chunks)
            start = time.perf_counter()
            bare_write(table, str(out / f"bare.{fmt}"))
            bare = time.perf_counter() - start
            (out / f"bare.{fmt}").unlink()
            print(
                f"{fmt}: {stats.scenarios:,} scenarios × {book.size + len(book.families)} rows "
                f"({book.size} holders + {len(book.families)} families)"
            )
            print(f"  results rows:       {stats.rows:,} ({size_mb:,.0f} MB, {table.num_columns} columns)")
            print(f"  export elapsed:     {elapsed:.2f} s (read + validate grid, run, write results + summary)")
            print(f"  rows per second:    {stats.rows / elapsed:,.0f}")
            print(f"  peak memory:        {export_peak_mb:,.0f} MB RSS ({baseline_mb:,.0f} MB before the export)")
            print(f"  bare pyarrow write: {bare:.2f} s (in-memory table, same rows)")
            print(f"  ratio:              {elapsed / bare:.2f}× (target ≤ 1.15×)")
            del table


if __name__ == "__main__":
    main()
