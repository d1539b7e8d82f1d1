"""Cost of the shared chart template (not a test; not part of ``make bench``): every figure of
``tests/chart_cases.py`` serialized as the dashboard and the report do (``to_json``), in the template
(``charts.template``) against the same figure in plotly's default template, the baseline (what the report drew
before, and what a figure without a template gets), measured in the same run, interleaved run by run.

    .venv/bin/python benchmarks/bench_charts.py [--runs N]

Prints per figure the JSON size and the median ``to_json`` time of both, and their ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

ROOT = Path(__file__).resolve().parents[1]


def timed(fig: go.Figure) -> tuple[float, int]:
    start = time.perf_counter()
    text = fig.to_json()
    return time.perf_counter() - start, len(text.encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs per figure (at least 5)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.chart_cases import all_figures

    runs = max(5, args.runs)
    print(f"{'figure':26} {'bytes':>8} {'baseline':>9} {'ratio':>6} {'ms':>7} {'baseline':>9} {'ratio':>6}")
    totals = [0, 0]
    for name, fig in all_figures().items():
        baseline = go.Figure(fig)
        baseline.layout.template = pio.templates[pio.templates.default or "plotly"]
        ours, base = [], []
        for _ in range(runs):
            ours.append(timed(fig))
            base.append(timed(baseline))
        ms, base_ms = (statistics.median(t for t, _ in runs_) * 1e3 for runs_ in (ours, base))
        size, base_size = ours[0][1], base[0][1]
        totals[0] += size
        totals[1] += base_size
        print(
            f"{name:26} {size:8,} {base_size:9,} {size / base_size:6.2f} {ms:7.2f} {base_ms:9.2f} {ms / base_ms:6.2f}"
        )
    print(f"{'all figures':26} {totals[0]:8,} {totals[1]:9,} {totals[0] / totals[1]:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
