"""Benchmark the 2002-2004 share-count bridge (issue 22; prints figures, not a test).

    .venv/bin/python benchmarks/bench_bridge.py [--runs N]

Each figure is the median of N runs (default 50) interleaved with its baseline in the same process
(``run_all.paired``), so load from other processes falls on both; the ratio is measured / baseline.
1. ``bridge`` 2002-07-31 → 2004-11-30 on the shipped data, loaders warm (what the CLI and the dashboard pay
   after the first call): target ≤ 50 ms; baseline: one default ``run_scenario`` (the product's reference kernel)
2. the same, cold: every cached loader (replay, prices, reported figures, cover counts, registry) cleared first;
   baseline: reading data/replay.csv alone (``calc.inputs.events_csv.read_events``)
3. the dashboard section's computation (bridge, frames and both figures, ``dashboard.bridge_view.computed``
   uncached): target ≤ 0.5 s; baseline: the warm bridge alone
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run_all import paired  # noqa: E402

from calc import bridge_run  # noqa: E402
from calc.inputs.data import default_book, load_caps, load_terms  # noqa: E402
from calc.inputs.events_csv import read_events  # noqa: E402
from calc.inputs.history import actual_common_shares  # noqa: E402
from calc.inputs.instruments_toml import load_registry  # noqa: E402
from calc.inputs.params import parse_params  # noqa: E402
from calc.inputs.paths import REPLAY_PATH  # noqa: E402
from calc.model.bridge import Settings  # noqa: E402
from calc.model.scenario import run_scenario  # noqa: E402
from dashboard import bridge_view  # noqa: E402

LOADERS = (
    bridge_run.shipped_replay,
    bridge_run.shipped_prices,
    bridge_run.reported,
    actual_common_shares,
    load_registry,
)


def cold() -> None:
    for loader in LOADERS:
        loader.cache_clear()
    bridge_run.run_bridge()


def section() -> None:
    bridge_view.computed.__wrapped__(bridge_run.DEFAULT_FROM, bridge_run.DEFAULT_TO, Settings(), "previous")


def apptest_pair() -> tuple[Callable[[], object], Callable[[], object]]:
    """(bridge section rerun, default section rerun): two headless pages, each flipping one input per run."""
    from streamlit.testing.v1 import AppTest

    from dashboard.sections import SELECTOR_KEY

    pages = []
    for section in ("2002–2004 bridge", "Share issuance"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.segmented_control(key=SELECTOR_KEY).set_value(section)
        at.run()
        pages.append(at)
    retirements, price = itertools.cycle(("stock", "cash")), itertools.cycle((2.0, 1.89))

    def bridge() -> None:
        pages[0].selectbox(key="bridge_retirements").set_value(next(retirements)).run()

    def default() -> None:
        pages[1].sidebar.number_input(key="param_price").set_value(next(price)).run()

    return bridge, default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--apptest", action="store_true", help="also time a whole Streamlit rerun (AppTest)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    params = parse_params({})
    rows = (
        (
            "bridge 2002-07-31 → 2004-11-30, warm",
            bridge_run.run_bridge,
            lambda: run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps()),
            "run_scenario",
            50,
        ),
        ("bridge, cold (loaders cleared)", cold, lambda: read_events(REPLAY_PATH, "replay"), "read replay.csv", None),
        ("dashboard section computation", section, bridge_run.run_bridge, "warm bridge", 500),
    )
    print(f"{'measured':42} {'ms':>8} {'baseline':>18} {'ms':>8} {'ratio':>7} {'target':>9}")
    for what, measure, base, base_name, target in rows:
        ms, base_s = paired(measure, base, runs)
        assert base_s is not None
        verdict = "" if target is None else f"≤ {target} ms {'yes' if 1000 * ms <= target else 'NO'}"
        print(f"{what:42} {1000 * ms:8.2f} {base_name:>18} {1000 * base_s:8.2f} {ms / base_s:7.2f} {verdict:>9}")
    if args.apptest:
        bridge, default = apptest_pair()
        ms, base_s = paired(bridge, default, min(runs, 20))
        assert base_s is not None
        verdict = f"≤ 500 ms {'yes' if 1000 * ms <= 500 else 'NO'}"
        what, base_name = "page rerun, bridge section (AppTest)", "default section"
        print(f"{what:42} {1000 * ms:8.2f} {base_name:>18} {1000 * base_s:8.2f} {ms / base_s:7.2f} {verdict:>9}")


if __name__ == "__main__":
    main()
