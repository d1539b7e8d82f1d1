"""Benchmark of ``python -m calc export`` (not a test): a 10,000-scenario grid over the shipped register.

Run: ``.venv/bin/python benchmarks/bench_export.py [--scenarios N] [--chunk-size K] [--keep DIR]``

Prints the export's elapsed time (grid read and validated, every scenario run, results
and summary CSVs streamed to disk), rows per second, the process's peak resident memory
(``ru_maxrss``, measured before the comparison table below is built), and, in the same
run, the time pyarrow's CSV writer takes to write an in-memory table of the same shape
(the same results rows and columns, concatenated in memory); the ratio of the two is
the headline figure (target: ≤ 3×, and ≤ 1 GB peak memory).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calc.data import (
    default_book,  # noqa: E402
    load_terms,  # noqa: E402
)
from calc.export import export, result_chunks  # noqa: E402
from calc.grid import make_grid, read_grid, write_grid  # noqa: E402


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
        baseline_mb = peak_rss_mb()

        start = time.perf_counter()
        grid = read_grid(grid_path, terms)
        stats = export(
            grid, out / "results.csv", out / "summary.csv", book=book, terms=terms, chunk_size=args.chunk_size
        )
        elapsed = time.perf_counter() - start
        export_peak_mb = peak_rss_mb()
        size_mb = (out / "results.csv").stat().st_size / 1e6

        table = pa.concat_tables(c.results for c in result_chunks(grid, book, terms, args.chunk_size))
        start = time.perf_counter()
        pa_csv.write_csv(table, str(out / "bare.csv"))
        bare = time.perf_counter() - start
        (out / "bare.csv").unlink()

    print(
        f"grid:               {stats.scenarios:,} scenarios × {book.size + len(book.families)} rows "
        f"({book.size} holders + {len(book.families)} families)"
    )
    print(f"results rows:       {stats.rows:,} ({size_mb:,.0f} MB CSV, {table.num_columns} columns)")
    print(f"export elapsed:     {elapsed:.2f} s (read + validate grid, run, write results + summary)")
    print(f"rows per second:    {stats.rows / elapsed:,.0f}")
    print(f"peak memory:        {export_peak_mb:,.0f} MB RSS ({baseline_mb:,.0f} MB before the export)")
    print(f"bare pyarrow write: {bare:.2f} s (in-memory table, same shape)")
    print(f"ratio:              {elapsed / bare:.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
