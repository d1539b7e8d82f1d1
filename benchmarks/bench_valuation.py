"""Benchmark the fair-value lattice (issue 23; prints figures, not a test).

    .venv/bin/python benchmarks/bench_valuation.py [--runs N]

Rows (medians of interleaved runs, so load from other processes falls on both sides of a ratio):
1. one valuation at 800 steps (``hazard``, the QuantLib-expressible terms, S = $1.89, s = 10 %), against
   QuantLib 1.44's ``BinomialCRRConvertibleEngine`` at 800 steps on the same terms, in the same process:
   target ratio ≤ 1
2. an implied spread at 800 steps (S = $0.76, 2002-10-23, target $288.80 = 380 × $0.76): target ≤ 50 ms
3. a 100-price sweep ($0.10 to $10) at 800 steps in one call (value, bond floor, conversion value, delta: the
   dashboard's curve): target ≤ 0.2 s; and, informational, the same with the debt/equity split
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calc.inputs.data import load_terms  # noqa: E402
from calc.model.implied_spread import implied_spread  # noqa: E402
from calc.model.valuation import QUANTLIB_POLICY, value_preferred  # noqa: E402
from tests.quantlib_reference import quantlib_value  # noqa: E402

STEPS = 800
MARKET: dict[str, Any] = {"volatility_rate": 0.6, "risk_free_rate": 0.03}


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


def one_valuation() -> object:
    return value_preferred(1.89, spread_rate=0.1, steps=STEPS, policy=QUANTLIB_POLICY, terms=load_terms(), **MARKET)


def quantlib_once() -> object:
    return quantlib_value(1.89, 0.1, STEPS, dt.date(2002, 8, 28), **MARKET)


def one_implied_spread() -> object:
    day = dt.date(2002, 10, 23)
    return implied_spread(
        288.80, price_usd=0.76, valuation_date=day, steps=STEPS, policy=QUANTLIB_POLICY, terms=load_terms(), **MARKET
    )


def price_sweep(split: bool = False) -> object:
    """Value, bond floor, conversion value and delta at 100 prices (the dashboard's curve); ``split``: the debt
    part too (a second array rolled)."""
    prices = np.linspace(0.1, 10.0, 100)
    return value_preferred(
        prices, spread_rate=0.1, steps=STEPS, policy=QUANTLIB_POLICY, split=split, terms=load_terms(), **MARKET
    )


def valuation_rows(runs: int) -> list[tuple[str, float, float | None, float | None, float | None]]:
    """(what, measured s, baseline s, target ratio, target s) for each row."""
    single, ql_single = paired(one_valuation, quantlib_once, runs)
    implied, _ = paired(one_implied_spread, None, runs)
    sweep, _ = paired(price_sweep, None, runs)
    split, _ = paired(lambda: price_sweep(split=True), None, runs)
    return [
        (f"one valuation, {STEPS} steps (vs QuantLib {STEPS} steps)", single, ql_single, 1.0, None),
        (f"implied spread, {STEPS} steps", implied, None, None, 0.05),
        (f"100-price sweep, {STEPS} steps, one call (value, floor, conversion, delta)", sweep, None, None, 0.2),
        ("  the same with the debt/equity split (informational)", split, None, None, None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (default 9)")
    args = parser.parse_args()
    for what, measured, base, ratio, target in valuation_rows(max(args.runs, 5)):
        shown = f"{what:55} {1000 * measured:8.2f} ms"
        if base is not None:
            shown += f"   baseline {1000 * base:8.2f} ms   ratio {measured / base:.2f} (target ≤ {ratio:g})"
        if target is not None:
            shown += f"   target ≤ {1000 * target:g} ms"
        print(shown)


if __name__ == "__main__":
    main()
