"""Benchmark the ledger (issue 10; prints figures, not a test).

    .venv/bin/python benchmarks/bench_ledger.py

CPU time (process_time), so other load on the machine does not count.
1. one deterministic scenario + holder table with two events (an exchange shared pro rata
   and a holder-named repurchase), median of 200 runs after warm-up
2. Monte Carlo, 100,000 paths × 60 event dates with two events: time and peak memory
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calc.inputs.data import (  # noqa: E402
    default_book,
    load_caps,  # noqa: E402
    load_terms,
)
from calc.inputs.events_csv import read_events_text  # noqa: E402
from calc.inputs.params import parse_params  # noqa: E402
from calc.model.ledger import EVENT_COLUMNS  # noqa: E402
from calc.model.montecarlo import run_monte_carlo  # noqa: E402
from calc.model.scenario import run_scenario  # noqa: E402

EVENTS = "\n".join(
    [
        ",".join(EVENT_COLUMNS),
        "2003-03-03,exchange_common,175000,58000000,,,,,",
        "2003-09-15,repurchase_cash,all,,,900,,Aim Charter Fund,",
    ]
)


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    events, problems = read_events_text(EVENTS, "bench")
    assert not problems
    params = parse_params({})
    terms, book = load_terms(), default_book()
    caps = load_caps()
    no_events = median_ms(lambda: run_scenario(params, terms, book, caps=caps), 200)
    print(f"scenario + holder table, no events:  {no_events:.2f} ms")
    with_events = median_ms(lambda: run_scenario(params, terms, book, events, caps=load_caps()), 200)
    print(f"scenario + holder table, two events: {with_events:.2f} ms")

    long = parse_params({"horizon": "2031-08-01"})  # 60 event dates with the two ledger dates
    run_monte_carlo(long, 0.6, 1000, seed=1, events=events, terms=terms, book=book, caps=load_caps())
    tracemalloc.start()
    start = time.process_time()
    result = run_monte_carlo(long, 0.6, 100_000, seed=1, events=events, terms=terms, book=book, caps=load_caps())
    elapsed = time.process_time() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Monte Carlo 100,000 paths x {result.schedule.size} event dates, two events: {elapsed:.2f} s, "
        f"peak traced allocations {peak / 2**20:.0f} MiB, process max RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
