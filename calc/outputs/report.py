"""One scenario as a self-contained, printable HTML report for investor relations to hand on.

Contents, in order: the question, the inputs (with the source of each default), the headline
figures, "In plain words" (``calc.outputs.narrative``), the issuance, price-sensitivity and concentration
charts (plotly figures passed in; plotly.js is embedded once, inline, so the file opens without a
network), the largest holders, the sources and assumptions (every term with its source), and the
run record (time, product version, flags, input files).

Safety: every text that is not a number formatted here (holder names, event labels, flag values,
file names, sources) is HTML-escaped; the figures are serialized by plotly, which escapes ``</``
inside its script. Headline cells carry ``data-key`` and ``data-value`` (the exact figure, as
``scenario --json`` prints it) so a reader or a test can check them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from calc.model.columns import SUMMARY_METRICS
from calc.model.params import SPECS, ScenarioParams
from calc.model.scenario import SUMMARY_KEYS, ScenarioResult
from calc.model.terms import Terms
from calc.outputs.formats import figure_value, input_value, pct, shares
from calc.outputs.narrative import HTML, explain_parts
from calc.outputs.workbook import input_rows, record_rows, term_rows

TITLE = "Lucent 8.00% Redeemable Convertible Preferred: new common shares and who owns them"
QUESTION = (
    "How many new Lucent common shares can the 1,885,000 shares of 8.00% Redeemable Convertible Preferred "
    "Stock put into the market, when, under the choices below, and who would own them?"
)
TOP_HOLDERS = 15
CHART_TITLES = ("Share issuance", "Price sensitivity", "Holder concentration")
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem;
     margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
table.headline { width: auto; min-width: 50%; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.question { font-size: 1.05rem; background: #f5f7fa; border-left: 4px solid #4C78A8; padding: .6rem .9rem; }
.meta { color: #555; font-size: .85rem; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 1rem 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, tr, .chart { break-inside: avoid; page-break-inside: avoid; }
  .modebar, .modebar-container { display: none !important; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(value: object) -> str:
    """Any value as HTML text (quotes escaped too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _json_value(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def _table(frame: pd.DataFrame, numeric: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{esc(v)}</td>' if c in numeric else f"<td>{esc(v)}</td>"
            for c, v in zip(frame.columns, record)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


LABELS = {c.name: c.label for c in SUMMARY_METRICS}


def headline_html(summary: Mapping[str, object]) -> str:
    """The summary figures under their labels (``calc.model.columns``), each cell with ``data-key`` (the JSON key)
    and ``data-value`` (the exact JSON value)."""
    rows = []
    for key in SUMMARY_KEYS:
        value = _json_value(summary[key])
        rows.append(
            f'<tr><th>{esc(LABELS[key])}</th><td class="num" data-key="{esc(key)}" '
            f'data-value="{esc(json.dumps(value))}">{esc(figure_value(key, value))}</td></tr>'
        )
    return f'<table class="headline"><tbody>{"".join(rows)}</tbody></table>'


def holders_html(holders: pd.DataFrame, top: int = TOP_HOLDERS) -> str:
    """The largest holders and fund families by pro forma ownership at the horizon."""
    largest = holders.sort_values("pro_forma_pct", ascending=False, kind="stable").head(top)
    frame = pd.DataFrame(
        {
            "name": [f"{n} (fund family)" if k == "family" else n for n, k in zip(largest["name"], largest["kind"])],
            "preferred (basis)": [shares(v) for v in largest["basis_preferred_shares"]],
            "pro forma shares": [shares(v) for v in largest["pro_forma_shares"]],
            "pro forma %": [pct(v, 4) for v in largest["pro_forma_pct"]],
            "13d-3 beneficial %": [pct(v, 4) for v in largest["beneficial_pct_13d3"]],
            "5% / 10%": [
                f"{'yes' if a else 'no'} / {'yes' if b else 'no'}"
                for a, b in zip(largest["flag_5pct"], largest["flag_10pct"])
            ],
        }
    )
    return _table(frame, numeric=("preferred (basis)", "pro forma shares", "pro forma %", "13d-3 beneficial %"))


def inputs_shown(inputs: pd.DataFrame) -> pd.DataFrame:
    """``calc.outputs.workbook.input_rows`` as text: each value and default in its unit
    (``calc.outputs.narrative.input_value``)."""
    units = [spec.unit for spec in SPECS]
    return inputs.assign(
        value=[input_value(v, u) for v, u in zip(inputs["value"], units)],
        default=[input_value(v, u) for v, u in zip(inputs["default"], units)],
        **{"changed from default": [input_value(bool(v)) for v in inputs["changed from default"]]},
    )


def sources_shown(terms: Terms) -> pd.DataFrame:
    """``calc.outputs.workbook.term_rows`` as text (counts with separators, yes/no, rates as the terms state them)."""
    rows = term_rows(terms)
    return rows.assign(value=[input_value(v) for v in rows["value"]])


def charts_html(figures: Sequence[go.Figure]) -> str:
    """Each figure as a div; plotly.js inline with the first one (no network needed)."""
    parts = []
    for i, (title, fig) in enumerate(zip(CHART_TITLES, figures)):
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=(i == 0),
            div_id=f"chart-{i}",
            config={"displaylogo": False, "responsive": True},
        )
        parts.append(f'<section class="chart"><h3>{esc(title)}</h3>{div}</section>')
    return "".join(parts)


def report_html(
    params: ScenarioParams,
    result: ScenarioResult,
    figures: Sequence[go.Figure],
    terms: Terms,
    record: Mapping[str, object],
    price_path: str = "",
) -> str:
    """The report (module docstring) as one HTML document. ``figures``: issuance, sensitivity and
    concentration (``charts.figures.scenario_figures``); ``record``: ``calc.outputs.record.inputs_record``;
    ``price_path``: the dated price path in words (``calc.model.scenario_prices.path_words``; "": the drift path)."""
    inputs = inputs_shown(input_rows(params, terms).drop(columns=["rule"]))
    head, *points = explain_parts(
        params, result.timeline, result.summary, result.holders, HTML, price_path, result.capacity
    )
    meta = f"Generated {esc(record.get('generated_at'))} by {esc(record.get('product'))} {esc(record.get('version'))}"
    body = [
        f"<h1>{esc(TITLE)}</h1>",
        f'<p class="meta">{meta}</p>',
        f'<h2>The question</h2><p class="question">{esc(QUESTION)}</p>',
        f"<h2>Headline figures</h2>{headline_html(result.summary)}",
        f"<h2>In plain words</h2><p>{head}</p><ul>{''.join(f'<li>{p}</li>' for p in points)}</ul>",
        f"<h2>Charts</h2>{charts_html(figures)}",
        f"<h2>Largest holders (pro forma at the horizon)</h2>{holders_html(result.holders)}",
        f"<h2>Inputs</h2>{_table(inputs)}",
        f"<h2>Sources and assumptions</h2>{_table(sources_shown(terms))}",
        f"<h2>Run record</h2>{_table(record_rows(record))}",
        f'<p class="meta">{meta}. Figures from calc/ (exact integer share counts); see the README for the '
        "conventions.</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(TITLE)}</title>'
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
