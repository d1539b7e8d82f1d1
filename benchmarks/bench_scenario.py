"""Benchmark the scenario engine (prints figures; not a test).

    .venv/bin/python benchmarks/bench_scenario.py

1. one deterministic scenario with the holder table, median of 200 runs after warm-up
2. Monte Carlo, 100,000 paths to the 2031 mandatory redemption: time and peak memory
3. how cost grows with paths, event dates and holders
"""

from __future__ import annotations

import dataclasses
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calc.inputs.data import (  # noqa: E402
    default_book,
    load_caps,  # noqa: E402
    load_families,
    load_register,
    load_terms,
)
from calc.inputs.params import parse_params  # noqa: E402
from calc.model.allocation import build_book  # noqa: E402
from calc.model.montecarlo import run_monte_carlo  # noqa: E402
from calc.model.scenario import run_scenario  # noqa: E402


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    params = parse_params({})
    terms, book = load_terms(), default_book()
    default_ms = median_ms(lambda: run_scenario(params, terms, book, caps=load_caps()), 200)
    print(f"deterministic scenario + holder table (default): {default_ms:.2f} ms")

    to_2031 = parse_params({"horizon": "2031-08-01"})
    run_monte_carlo(to_2031, 0.6, 1000, seed=1, terms=terms, book=book, caps=load_caps())
    tracemalloc.start()
    start = time.perf_counter()
    result = run_monte_carlo(to_2031, 0.6, 100_000, seed=1, terms=terms, book=book, caps=load_caps())
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Monte Carlo 100,000 paths x {result.schedule.size} event dates to 2031-08-01: {elapsed:.2f} s, "
        f"peak traced allocations {peak / 2**20:.0f} MiB, process max RSS {rss:.0f} MiB"
    )

    print("scaling (Monte Carlo seconds):")
    for paths in (25_000, 50_000, 100_000):
        start = time.perf_counter()
        run_monte_carlo(to_2031, 0.6, paths, seed=1, terms=terms, book=book, caps=load_caps())
        print(f"  {paths:>7,} paths x 60 dates: {time.perf_counter() - start:.2f} s")
    for horizon in ("2004-08-02", "2011-08-01", "2021-08-01", "2031-08-01"):
        p = dataclasses.replace(to_2031, horizon=parse_params({"horizon": horizon}).horizon)
        start = time.perf_counter()
        r = run_monte_carlo(p, 0.6, 50_000, seed=1, terms=terms, book=book, caps=load_caps())
        print(f"  50,000 paths x {r.schedule.size:>2} dates (to {horizon}): {time.perf_counter() - start:.2f} s")
    register = load_register()
    for copies in (1, 10):
        book = build_book(pd.concat([register] * copies, ignore_index=True), 1_885_000, families=load_families())
        ms = median_ms(lambda b=book: run_scenario(params, book=b, terms=load_terms(), caps=load_caps()), 50)
        print(f"  deterministic scenario, {book.size:>5,} holders: {ms:.2f} ms")


if __name__ == "__main__":
    main()
