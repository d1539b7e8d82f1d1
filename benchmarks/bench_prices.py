"""Benchmark a dated price path and the 2002-2004 history in the scenario engine (issue 22; prints figures, not a
test).

    .venv/bin/python benchmarks/bench_prices.py [--runs N]

Each figure is the median of N runs (default 30) interleaved with its baseline in the same process
(``run_all.paired``); the ratio is measured / baseline (the cost of the path or the history over the same run
without it):
1. ``run_scenario`` on data/prices.csv (previous close)             baseline: the drift path
2. the same, log-linear                                            baseline: the drift path
3. Monte Carlo, 10,000 paths around data/prices.csv               baseline: 10,000 paths on the drift path
4. resolving a document with the path (read, checked, cached)      baseline: the document without it
5. ``run_scenario`` with ``--history`` (every 8.00% preferred row) baseline: the two 2002 exchanges alone
6. ``securities`` setup + run with ``--history`` exchanges          baseline: without them
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run_all import paired  # noqa: E402

from calc.inputs.data import default_book, history_events, load_caps, load_terms  # noqa: E402
from calc.inputs.history import history_defaults  # noqa: E402
from calc.inputs.history_replay import history_exchanges, scenario_history  # noqa: E402
from calc.inputs.instruments_toml import load_registry  # noqa: E402
from calc.inputs.params import parse_params  # noqa: E402
from calc.inputs.paths import PRICES_PATH  # noqa: E402
from calc.inputs.prices_csv import read_prices  # noqa: E402
from calc.model.montecarlo import run_monte_carlo  # noqa: E402
from calc.model.scenario import run_scenario  # noqa: E402
from calc.model.securities import run_dilution, setup  # noqa: E402
from calc.scenario_doc import PriceData, default_doc  # noqa: E402
from calc.scenario_run import _price_path, resolve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = max(parser.parse_args().runs, 5)
    params, history = parse_params({}), parse_params(history_defaults())
    path = read_prices(PRICES_PATH)
    log_linear = path.with_rule("log_linear")
    doc = default_doc()
    with_path = doc.replace(prices=PriceData(path.rows()))

    def resolve_path() -> None:
        _price_path.cache_clear()
        resolve(with_path)

    rows = (
        (
            "scenario on a price path",
            lambda: run_scenario(params, prices_path=path, terms=load_terms(), book=default_book(), caps=load_caps()),
            lambda: run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()),
        ),
        (
            "  log-linear",
            lambda: run_scenario(
                params, prices_path=log_linear, terms=load_terms(), book=default_book(), caps=load_caps()
            ),
            lambda: run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()),
        ),
        (
            "Monte Carlo 10,000 paths on a price path",
            lambda: run_monte_carlo(
                params, 0.6, 10_000, prices_path=path, terms=load_terms(), book=default_book(), caps=load_caps()
            ),
            lambda: run_monte_carlo(params, 0.6, 10_000, terms=load_terms(), book=default_book(), caps=load_caps()),
        ),
        ("resolve a document with a path (uncached)", resolve_path, lambda: resolve(doc)),
        (
            "scenario --history (every 8.00% row)",
            lambda: run_scenario(
                history, events=scenario_history(), terms=load_terms(), book=default_book(), caps=load_caps()
            ),
            lambda: run_scenario(
                history, events=history_events(), terms=load_terms(), book=default_book(), caps=load_caps()
            ),
        ),
        (
            "securities --history (exchanges issued)",
            lambda: run_dilution(
                setup(
                    history,
                    exchanges=history_exchanges(),
                    registry=load_registry(),
                    book=default_book(),
                    caps=load_caps(),
                )
            ),
            lambda: run_dilution(setup(history, registry=load_registry(), book=default_book(), caps=load_caps())),
        ),
    )
    print(f"{'measured':46} {'ms':>9} {'baseline ms':>12} {'ratio':>7}")
    for what, measure, base in rows:
        ms, base_s = paired(measure, base, runs)
        assert base_s is not None
        print(f"{what:46} {1000 * ms:9.2f} {1000 * base_s:12.2f} {ms / base_s:7.2f}")


if __name__ == "__main__":
    main()
