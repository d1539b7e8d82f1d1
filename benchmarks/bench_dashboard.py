"""Server-side recompute time of the dashboard after one input change (Monte Carlo excluded).

What one rerun with a new price costs on the server, uncached, for the default section ("Share issuance"),
which is what the page recomputes (the price sensitivity frame is cached by every input but the price, and the
other sections are not rendered):
  calc      run_scenario (timeline, summary, holder table)
  figures   the section's three plotly figures (new shares per date, dilution over time, issuance)
  json      serializing those figures for the browser (what st.plotly_chart sends on every rerun)
  headline  "In plain words" (dashboard.narrative.explain; the metrics only format the summary)
  total     the above
  eager_csv the timeline and summary CSV downloads built on every rerun, as the page did before the
            downloads became deferred (built on click): the "before" figure is total + eager_csv
Prints the median and max of N runs in milliseconds (target: total <= 10 ms).

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

from calc.inputs.data import (  # noqa: E402
    default_book,
    load_caps,  # noqa: E402
    load_terms,
)
from calc.inputs.params import default_params  # noqa: E402
from calc.model.columns import timeline_table  # noqa: E402
from calc.model.scenario import run_scenario  # noqa: E402
from calc.outputs.files import to_csv_bytes  # noqa: E402
from charts import figures  # noqa: E402
from dashboard import narrative, tables  # noqa: E402

PARTS = ("calc", "figures", "json", "headline", "total", "eager_csv")


def one_run(price: float) -> dict[str, float]:
    terms = load_terms()
    params = dataclasses.replace(default_params(terms), price=price)
    t0 = time.perf_counter()
    result = run_scenario(params, terms, default_book(), caps=load_caps())
    t1 = time.perf_counter()
    timeline = result.timeline
    figs = (
        figures.new_shares_figure(timeline),
        figures.dilution_figure(timeline),
        figures.issuance_figure(timeline, params.base_shares, terms.market.authorized_common_shares),
    )
    t2 = time.perf_counter()
    for fig in figs:
        fig.to_json()
    t3 = time.perf_counter()
    narrative.explain(params, timeline, result.summary, result.holders)
    t4 = time.perf_counter()
    to_csv_bytes(timeline_table(timeline), excel=True)
    to_csv_bytes(tables.summary_table(params, result.summary, "filing"), excel=True)
    t5 = time.perf_counter()
    ms = [1000 * (b - a) for a, b in zip((t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True)]
    return dict(zip(PARTS, [ms[0], ms[1], ms[2], ms[3], 1000 * (t4 - t0), ms[4]], strict=True))


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
    for part in PARTS:
        values = [s[part] for s in samples]
        print(f"  {part:<9} median {statistics.median(values):7.1f} ms   max {max(values):7.1f} ms")
    before = [s["total"] + s["eager_csv"] for s in samples]
    print(f"  before (total + eager_csv) median {statistics.median(before):7.1f} ms")
    if args.apptest:
        times = apptest_rerun(min(args.runs, 10))
        print(
            f"whole-page AppTest rerun after a price change ({len(times)} runs): median "
            f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms (includes Streamlit's own overhead "
            "and the employee-options section)"
        )


if __name__ == "__main__":
    main()
