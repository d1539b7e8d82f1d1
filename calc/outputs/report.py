"""One scenario as a self-contained, printable HTML report for a CFO.

The first screen answers the question: the answer in one sentence (``calc.outputs.narrative.headline_answer``),
three key figures (new common shares, their share of the total, total common outstanding at the horizon) and the
bridge from the base share count through each source of new shares to the total (``calc.model.measures.bridge``).
Then "In plain words", every scenario figure, the charts (issuance, dilution over time, price sensitivity, holder
concentration: ``charts.figures.scenario_figures``, in the dashboard's template), the largest holders, the inputs
that differ from their defaults (by their labels, ``calc.model.params.SPECS``), the terms with their citations and,
in an appendix, the full run record (``calc.outputs.record``), by label.

Charts are static SVG drawn by plotly.js (``calc.outputs.static_charts``): the file is ~0.1 MB and prints crisply.
Without a Chrome/Chromium the charts fall back to interactive plotly with plotly.js inline (~4.9 MB, offline).

Words: every figure through ``calc.outputs.formats``; dates as "Aug 2, 2004", times as "Dec 7, 2026, 15:36 UTC";
sources as citations ("Prospectus supplement, Aug 28, 2002, p. 11", ``citation``); no code names, file paths or
internal shorthand. Print: ``@page`` letter/A4 margins, tables and charts never split, at most 6 pages
(``tests/test_report.py`` prints it in chromium and counts).

Safety: every text that is not a number formatted here (holder names, event labels, flag values, file names,
sources) is HTML-escaped; the SVG is serialized by the browser (its text escaped); the interactive fallback is
serialized by plotly, which escapes ``</`` inside its script. Summary cells carry ``data-key`` and ``data-value``
(the exact figure, as ``scenario --json`` prints it) so a reader or a test can check them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from calc.inputs.params import default_params
from calc.model.columns import SUMMARY_METRICS, TERM_LABELS
from calc.model.issuance import nonzero_parts
from calc.model.measures import bridge
from calc.model.params import SPECS, ScenarioParams
from calc.model.scenario import SUMMARY_KEYS, ScenarioResult
from calc.model.terms import Terms
from calc.outputs.citations import citation
from calc.outputs.formats import (
    day,
    figure_value,
    moment,
    number,
    pct,
    price,
    shares,
    shares_words,
    term_value,
    yes_no,
)
from calc.outputs.narrative import HTML, explain_parts, headline_answer
from calc.outputs.run_record import input_label, input_text, record_rows
from calc.outputs.static_charts import ChartsUnavailable, chart_height, svg_charts

TITLE = "Lucent 8.00% Redeemable Convertible Preferred: new common shares and who owns them"
QUESTION = (
    "How many new Lucent common shares can the 1,885,000 shares of 8.00% Redeemable Convertible Preferred "
    "Stock put into the market, when, under the choices below, and who would own them?"
)
TOP_HOLDERS = 10
CHART_TITLES = ("Common shares outstanding", "Dilution over time", "Price sensitivity", "Holder concentration")
KEY_FIGURES = (  # summary key -> the words under the figure
    ("new_shares", "new common shares"),
    ("dilution_pct", "of total common outstanding"),
    ("total_shares", "total common outstanding"),
)
FALLBACK_NOTE = "Interactive charts: no browser was available to draw static ones when this report was made."
CSS = """
@page { size: letter; margin: 14mm 13mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 860px;
       padding: 0 1rem; color: #31333F; line-height: 1.4; }
h1 { font-size: 1.35rem; margin: 0 0 .2rem; }
h2 { font-size: 1.1rem; border-bottom: 1px solid #ccc; padding-bottom: .15rem; margin: 1.4rem 0 .5rem; }
h3 { font-size: .95rem; margin: .6rem 0 .2rem; }
table { border-collapse: collapse; width: 100%; font-size: .82rem; margin: .4rem 0; }
th, td { border: 1px solid #ddd; padding: .2rem .4rem; text-align: left; vertical-align: top; }
thead th { background: #eef2f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.meta { color: #555; font-size: .8rem; margin: 0; }
.question { color: #555; font-size: .9rem; margin: .6rem 0 0; }
.answer { font-size: 1.3rem; font-weight: 600; line-height: 1.35; margin: .7rem 0 .9rem;
          border-left: 4px solid #4E79A7; padding: .3rem .8rem; background: #f5f7fa; }
.key-figures { display: flex; gap: .8rem; margin: 0 0 .6rem; }
.key-figure { flex: 1; border: 1px solid #dde3ec; border-radius: 6px; padding: .5rem .7rem; }
.key-figure .value { display: block; font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.key-figure .words { display: block; color: #555; font-size: .82rem; }
table.bridge, table.bridge tr.total td, table.bridge tr.total th { font-weight: 700; border-top: 2px solid #888; }
.plain p, .plain li { font-size: .9rem; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: .6rem 0; }
.chart svg { width: 100%; height: auto; display: block; }
.appendix table { font-size: .75rem; }
table.long th:first-child { width: 20%; }
table.sources th:nth-child(2) { width: 18%; }
table.summary th { font-weight: normal; }
table.record td { overflow-wrap: anywhere; width: 25%; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; padding: 0; line-height: 1.3; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 1rem; }
  table { font-size: 7.6pt; }
  table.long { font-size: 7pt; }
  thead { display: table-header-group; }
  tr, table.short, .chart, .key-figures, .answer, header { break-inside: avoid; page-break-inside: avoid; }
  .chart svg { max-height: 3.9in; }
  .answer { font-size: 14pt; }
  .modebar, .modebar-container { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
"""
LABELS = {c.name: c.label for c in SUMMARY_METRICS}


def esc(value: object) -> str:
    """Any value as HTML text (quotes escaped too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _json_value(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = (), cls: str = "") -> str:
    """A table of already-formatted text cells (escaped here); ``numeric``: right-aligned column indexes."""
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{esc(c)}</th>" for i, c in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=num' if i in numeric else ''}>{esc(v)}</td>" for i, v in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table class='{cls or 'short'}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# --- the first screen ------------------------------------------------------------------------------------------


def key_figures_html(summary: Mapping[str, object]) -> str:
    """The three key figures (``KEY_FIGURES``), each with ``data-key`` and ``data-value`` (the exact JSON value)."""
    tiles = []
    for key, under in KEY_FIGURES:
        value = _json_value(summary[key])
        shown = figure_value(key, value)
        extra = f" ({shares_words(value)})" if key != "dilution_pct" and int(value) >= 10**6 else ""  # type: ignore[call-overload]
        tiles.append(
            f'<div class="key-figure" data-key="{esc(key)}" data-value="{esc(json.dumps(value))}">'
            f'<span class="value">{esc(shown)}</span><span class="words">{esc(under + extra)}</span></div>'
        )
    return f'<div class="key-figures">{"".join(tiles)}</div>'


def bridge_rows(params: ScenarioParams, summary: Mapping[str, object], horizon: object) -> list[tuple[str, int, int]]:
    """(step, shares, running total) from the base share count through each source that issued shares to the total
    outstanding at the horizon (``calc.model.measures.bridge``; the issuance sources of ``calc.model.issuance``)."""
    issued = [(source.chart_label, count) for source, count in nonzero_parts(summary)]
    rows = bridge(params.base_shares, issued, [])[:-1]  # no potential shares: the fully diluted row repeats the total
    steps = ["Base common shares"] + [f"+ {step}" for step, _ in issued]
    steps.append(f"= Total common outstanding, {day(horizon)}")
    return [(step, int(row["shares"]), int(row["running_total_shares"])) for step, row in zip(steps, rows)]  # type: ignore[call-overload]


def bridge_html(params: ScenarioParams, summary: Mapping[str, object], horizon: object) -> str:
    """The bridge as a small table: base, + each source, = total (the total row carries ``data-bridge-total``)."""
    rows = bridge_rows(params, summary, horizon)
    body = []
    for i, (step, count, running) in enumerate(rows):
        last = i == len(rows) - 1
        attrs = f' class="total" data-bridge-total="{running}"' if last else ""
        body.append(
            f"<tr{attrs}><th>{esc(step)}</th><td class=num>{esc(shares(count) if 0 < i < len(rows) - 1 else '')}"
            f"</td><td class=num>{esc(shares(running))}</td></tr>"
        )
    head = "<thead><tr><th></th><th class=num>new shares</th><th class=num>common outstanding</th></tr></thead>"
    return f'<table class="bridge short">{head}<tbody>{"".join(body)}</tbody></table>'


def summary_html(summary: Mapping[str, object]) -> str:
    """Every summary figure under its label (``calc.model.columns``), in two side-by-side halves, each value cell
    with ``data-key`` (the JSON key) and ``data-value`` (the exact JSON value)."""
    cells = []
    for key in SUMMARY_KEYS:
        value = _json_value(summary[key])
        cells.append(
            f'<th>{esc(LABELS[key])}</th><td class="num" data-key="{esc(key)}" '
            f'data-value="{esc(json.dumps(value))}">{esc(figure_value(key, value))}</td>'
        )
    half = (len(cells) + 1) // 2
    right = cells[half:] + ["<th></th><td></td>"] * (2 * half - len(cells))
    rows = "".join(f"<tr>{a}{b}</tr>" for a, b in zip(cells[:half], right))
    return f'<table class="summary short"><tbody>{rows}</tbody></table>'


def holders_html(holders: pd.DataFrame, top: int = TOP_HOLDERS) -> str:
    """The largest holders and fund families by pro forma ownership at the horizon."""
    largest = holders.sort_values("pro_forma_pct", ascending=False, kind="stable").head(top)
    rows = [
        (
            f"{name} (fund family)" if kind == "family" else name,
            shares(basis),
            shares(pro_forma),
            pct(share),
            pct(beneficial),
            f"{yes_no(five)} / {yes_no(ten)}",
        )
        for name, kind, basis, pro_forma, share, beneficial, five, ten in zip(
            largest["name"],
            largest["kind"],
            largest["basis_preferred_shares"],
            largest["pro_forma_shares"],
            largest["pro_forma_pct"],
            largest["beneficial_pct_13d3"],
            largest["flag_5pct"],
            largest["flag_10pct"],
        )
    ]
    header = ("Holder", "Preferred (basis)", "Pro forma common", "Pro forma %", "13d-3 beneficial %", "≥ 5% / ≥ 10%")
    return _table(header, rows, numeric=(1, 2, 3, 4))


# --- inputs, sources, the run record ------------------------------------------------------------------------------


def changed_inputs(params: ScenarioParams, terms: Terms) -> list[tuple[str, str, str]]:
    """(label, value, default) of each scenario parameter that differs from its default."""
    defaults = default_params(terms)
    return [
        (
            input_label(spec),
            input_text(spec, getattr(params, spec.name)),
            input_text(spec, getattr(defaults, spec.name)),
        )
        for spec in SPECS
        if getattr(params, spec.name) != getattr(defaults, spec.name)
    ]


def inputs_html(params: ScenarioParams, terms: Terms, price_path: str) -> str:
    """The inputs that differ from the defaults, then "All other inputs at their defaults"."""
    changed = changed_inputs(params, terms)
    path = f"<p>Prices: the dated price path {esc(price_path)}.</p>" if price_path else ""
    if not changed:
        return f"{path}<p>All inputs at their defaults (listed in the appendix).</p>"
    table = _table(("Input", "Value", "Default"), changed)
    return f"{path}{table}<p>All other inputs at their defaults (listed in the appendix).</p>"


def sources_html(terms: Terms) -> str:
    """Every term in force with its value and citation, then the conversion-rate history."""
    rows: list[tuple[str, str, str]] = []
    for section in ("preferred", "registered", "market"):
        for name, value in vars(getattr(terms, section)).items():
            field = f"{section}.{name}"
            rows.append((TERM_LABELS[field], term_value(field, value), citation(terms.source(field))))
    for step in terms.conversion_rates:
        rows.append(
            (
                f"Conversion rate from {day(step.effective_date)}",
                f"{number(step.rate)} common per preferred (conversion price {price(step.conversion_price_usd)}; "
                f"{step.event})",
                citation(step.source),
            )
        )
    return _table(("Term", "Value", "Source"), rows, cls="long sources")


def record_html(record: Mapping[str, object]) -> str:
    """``record_rows`` in two side-by-side halves (item, value, item, value), read down the left half first."""
    rows = record_rows(record)
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:] + [("", "")] * (2 * half - len(rows))
    paired = [(*a, *b) for a, b in zip(left, right)]
    return _table(("Item", "Value", "Item", "Value"), paired, cls="long record")


# --- charts -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Charts:
    """The report's charts as HTML sections, and whether they are static SVG (else interactive, plotly.js inline)."""

    html: str
    static: bool


def _interactive(figures: Sequence[go.Figure]) -> list[str]:
    """Each figure as a plotly div, plotly.js inline with the first one (the fallback: no browser for SVG)."""
    parts = []
    for i, fig in enumerate(figures):
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=(i == 0),
            div_id=f"chart-{i}",
            default_height=chart_height(fig),
            config={"displaylogo": False, "responsive": True},
        )
        parts.append(div)
    return parts


def charts_html(figures: Sequence[go.Figure], static: bool | None = None) -> Charts:
    """Each figure in a section: inline SVG (``calc.outputs.static_charts``), or with ``static=False`` or no browser,
    interactive plotly with plotly.js inline once (no network needed either way)."""
    images: Sequence[str] | None = None
    if static is not False:
        try:
            images = svg_charts(figures)
        except ChartsUnavailable:
            if static:
                raise
    bodies = (
        [f'<div class="svg" id="chart-{i}">{svg}</div>' for i, svg in enumerate(images)]
        if images is not None
        else _interactive(figures)
    )
    sections = "".join(
        f'<section class="chart" aria-label="{esc(title)}">{body}</section>'
        for title, body in zip(CHART_TITLES, bodies)
    )
    note = "" if images is not None else f'<p class="meta">{esc(FALLBACK_NOTE)}</p>'
    return Charts(note + sections, images is not None)


# --- the document ------------------------------------------------------------------------------------------------


def report_html(
    params: ScenarioParams,
    result: ScenarioResult,
    figures: Sequence[go.Figure] | Charts,
    terms: Terms,
    record: Mapping[str, object],
    price_path: str = "",
) -> str:
    """The report (module docstring) as one HTML document. ``figures``: the four charts of
    ``charts.figures.scenario_figures`` (or ``charts_html`` of them, already drawn); ``record``:
    ``calc.outputs.record.inputs_record``; ``price_path``: the dated price path in words
    (``calc.model.scenario_prices.path_words``; "": the drift path)."""
    charts = figures if isinstance(figures, Charts) else charts_html(figures)
    summary, timeline = result.summary, result.timeline
    head, *points = explain_parts(params, timeline, summary, result.holders, HTML, price_path, result.capacity)
    head = head.removeprefix(HTML.strong("In plain words.") + " ")
    made = moment(record.get("generated_at")) if record.get("generated_at") else ""
    scenario = f"Scenario {record['scenario_id']} · " if record.get("scenario_id") else ""
    meta = f"{scenario}{made}"
    body = [
        f"<header><h1>{esc(TITLE)}</h1>",
        f'<p class="meta">{esc(meta)}</p>' if meta else "",
        f'<p class="question">{esc(QUESTION)}</p></header>',
        f'<p class="answer" id="answer">{esc(headline_answer(timeline, summary))}</p>',
        key_figures_html(summary),
        f"<h2>From today's common shares to the horizon</h2>{bridge_html(params, summary, params.horizon)}",
        f'<section class="plain"><h2>In plain words</h2><p>{head}</p>'
        f"<ul>{''.join(f'<li>{p}</li>' for p in points)}</ul></section>",
        f'<section class="charts"><h2>Charts</h2>{charts.html}</section>',
        f"<h2>Every scenario figure</h2>{summary_html(summary)}",
        f"<h2>Largest holders (pro forma at the horizon)</h2>{holders_html(result.holders)}",
        f"<h2>Inputs</h2>{inputs_html(params, terms, price_path)}",
        f"<h2>Terms and their sources</h2>{sources_html(terms)}",
        f'<section class="appendix"><h2>Appendix: run record</h2>{record_html(record)}</section>',
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(TITLE)}</title>'
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
