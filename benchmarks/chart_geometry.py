"""Chart geometry as drawn by plotly.js in chromium (not a test; not part of ``make bench``): every figure of
``tests/chart_cases.py`` at the width of the dashboard's main column in a 1024 px and a 1440 px window, one row
each: plot height, legend rows and height, the blank gap between the x axis title (or tick labels) and the
legend, the drawn tick labels that are a bare "2"/"5" and the axes that mix number formats. Screenshots go to
``tests/artifacts/charts/`` (``--no-shots`` to skip them).

    .venv/bin/python benchmarks/chart_geometry.py [--only NAME] [--no-shots]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import plotly
import plotly.io as pio

ROOT = Path(__file__).resolve().parents[1]

# main column of the wide layout with the sidebar open: 1024 - 336 sidebar - 2 × 48 padding, 1440 likewise
WIDTHS = {1024: 590, 1440: 1000}
SHOTS = ROOT / "tests" / "artifacts" / "charts"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
MEASURE = """() => {
  const box = s => { const e = document.querySelector(s); if (!e) return null;
    const b = e.getBoundingClientRect(); return {top: b.top, bottom: b.bottom, height: b.height}; };
  const texts = s => [...document.querySelectorAll(s)].map(e => e.textContent);
  const tops = [...document.querySelectorAll('.legend .traces')].map(e => Math.round(e.getBoundingClientRect().top));
  const rows = new Set(tops);
  return {plot: box('.nsewdrag'), legend: box('.legend .scrollbox'), xtitle: box('.g-xtitle'),
          xticks: [...document.querySelectorAll('.xtick')].map(e => e.getBoundingClientRect().bottom),
          xlabels: texts('.xtick text'), ylabels: texts('.ytick text'), rows: rows.size};
}"""
BARE = re.compile(r"^[2-9]$")  # a lone digit: a minor log tick label ("$2" is a full label)


def formats(labels: list[str]) -> set[str]:
    """The number formats of numeric tick labels: SI suffix ("10k"), separators ("1,000"), plain ("10", "0.5");
    a zero counts as any, text labels (names, dates) as none."""
    kinds = set()
    for label in labels:
        core = label.strip().lstrip("$").rstrip("%").replace("\u2212", "-")
        if re.fullmatch(r"-?[\d.]+[kMBG]", core):
            kinds.add("si")
        elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", core):
            kinds.add("sep")
        elif re.fullmatch(r"-?\d+(\.\d+)?", core) and float(core) != 0:
            kinds.add("sep" if abs(float(core)) < 1000 and "sep" in kinds else "plain")
    return {"sep"} if kinds == {"sep", "plain"} and all(_small(t) for t in labels if "," not in t) else kinds


def _small(label: str) -> bool:
    """A plain label below 1,000 reads the same with separators ("10" beside "1,000" is one format)."""
    core = label.strip().lstrip("$").rstrip("%").replace("\u2212", "-")
    return not re.fullmatch(r"-?\d+(\.\d+)?", core) or abs(float(core)) < 1000


def measure(page, html: Path) -> dict:
    page.goto(html.as_uri())
    page.wait_for_selector(".main-svg")
    return page.evaluate(MEASURE)


def row(name: str, window: int, m: dict) -> str:
    plot = m["plot"]["height"] if m["plot"] else 0
    legend = m["legend"]
    above = m["xtitle"]["bottom"] if m["xtitle"] else max(m["xticks"] or [m["plot"]["bottom"]])
    gap = f"{legend['top'] - above:5.0f}" if legend and legend["top"] > m["plot"]["bottom"] else "    -"
    bare = [t for t in m["xlabels"] + m["ylabels"] if BARE.match(t.strip())]
    mixed = [axis for axis in ("xlabels", "ylabels") if len(formats(m[axis])) > 1]
    legend_h = f"{legend['height']:6.0f}" if legend else "     -"
    return (
        f"{name:26} {window:5} {plot:6.0f} {legend_h} {m['rows'] if legend else 0:4} {gap} "
        f"{','.join(bare) or '-':8} {','.join(mixed) or '-'}"
        f"  x: {' | '.join(m['xlabels'][:8])}  y: {' | '.join(m['ylabels'][:8])}"
    )


def main() -> int:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.chart_cases import all_figures

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="case names containing this text")
    parser.add_argument("--no-shots", action="store_true", help="measure only, no screenshots")
    args = parser.parse_args()
    figs = {n: f for n, f in all_figures().items() if not args.only or args.only in n}
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"{'figure':26} {'window':>5} {'plot':>6} {'legend':>6} {'rows':>4} {'gap':>5} {'bare 2/5':8} mixed formats")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"])
        for window, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width + 20, "height": 1000})
            for name, fig in figs.items():
                html = Path(tmp) / f"{name.replace(' ', '_')}-{window}.html"
                html.write_text(
                    pio.to_html(
                        fig,
                        include_plotlyjs=PLOTLY_JS.as_uri(),
                        full_html=True,
                        default_width=f"{width}px",
                        default_height="450px",
                    )
                )
                m = measure(page, html)
                print(row(name, window, m))
                if not args.no_shots:
                    page.locator(".js-plotly-plot").first.screenshot(path=str(SHOTS / f"{html.stem}.png"))
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
