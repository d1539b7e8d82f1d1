"""Server-side recompute time of the dashboard after one input change (Monte Carlo excluded).

What one rerun with a new input costs on the server, uncached, for the default scenario:
  calc      run_scenario (timeline, summary, holder table) + price_sensitivity (4 × 79 scenarios)
  figures   the three deterministic plotly figures (issuance, sensitivity, concentration)
  json      serializing those figures for the browser (what st.plotly_chart sends)
Prints the median and max of N runs in milliseconds (target: total ≤ 100 ms).

Optionally (``--apptest``) also times a whole Streamlit rerun after changing the price, headless via
``streamlit.testing.v1.AppTest`` (every element of the page, caches warm for everything else).

Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--runs N] [--apptest]``
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calc.conversion import rate_step_at  # noqa: E402
from calc.data import default_book, load_terms  # noqa: E402
from calc.params import default_params  # noqa: E402
from calc.scenario import run_scenario  # noqa: E402
from calc.sensitivity import price_grid, price_sensitivity  # noqa: E402
from dashboard.figures import all_figures  # noqa: E402


def one_run(price: float) -> dict[str, float]:
    terms = load_terms()
    params = dataclasses.replace(default_params(terms), price=price)
    t0 = time.perf_counter()
    result = run_scenario(params, terms, default_book())
    sensitivity = price_sensitivity(params, price_grid(), terms)
    t1 = time.perf_counter()
    figs = all_figures(
        result.timeline,
        sensitivity,
        result.holders,
        params.base_shares,
        terms.market.authorized_common_shares,
        float(rate_step_at(terms, params.horizon).conversion_price_usd),
        params.price,
    )
    t2 = time.perf_counter()
    for fig in figs:
        fig.to_json()
    t3 = time.perf_counter()
    return {"calc": 1000 * (t1 - t0), "figures": 1000 * (t2 - t1), "json": 1000 * (t3 - t2), "total": 1000 * (t3 - t0)}


def apptest_rerun(runs: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    times = []
    for i in range(runs):
        at.sidebar.number_input(key="param_price").set_value(1.0 + 0.01 * (i + 1))
        t0 = time.perf_counter()
        at.run()
        times.append(1000 * (time.perf_counter() - t0))
        if at.exception:
            raise SystemExit(f"app raised: {at.exception}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs (default 30)")
    parser.add_argument("--apptest", action="store_true", help="also time whole AppTest reruns")
    args = parser.parse_args()
    default_book()
    one_run(1.89)  # warm-up: imports, terms, book, plotly templates
    samples = [one_run(1.89 + 0.001 * i) for i in range(args.runs)]  # a new price each run: no cache hits
    print(f"default scenario, {args.runs} runs, uncached (price changed every run), Monte Carlo excluded")
    for part in ("calc", "figures", "json", "total"):
        values = [s[part] for s in samples]
        print(f"  {part:<8} median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms")
    if args.apptest:
        times = apptest_rerun(min(args.runs, 10))
        print(
            f"whole-page AppTest rerun after a price change ({len(times)} runs): median "
            f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms (includes Streamlit's own overhead "
            "and the employee-options section)"
        )


if __name__ == "__main__":
    main()
