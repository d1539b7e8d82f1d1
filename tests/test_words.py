"""What a person reads holds no developer words and no raw values: every command's text output and every section
of the dashboard (streamlit.testing.v1.AppTest), at the defaults, are scanned for "None", "True", "False", "nan",
raw ISO timestamps, file paths under data/, ".toml", issue numbers, "brief:", "(BASE)" and "README"; prices read
to the cent ("$1.8900" and "3.5000" are refused) and dates in sentences as "Aug 2, 2004".

Golden figures are the filing's (SUPP p. 1: 1,885,000 preferred) and the brief's defaults ($1.89 flat)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from calc.inputs.csv_records import MAX_TEXT_BYTES
from calc.inputs.terms_toml import load_terms
from calc.model.columns import TERM_LABELS
from cli.commands import COMMANDS
from dashboard import sections, state
from tests.helpers import ROOT, open_section, run_cli, started_app

FORBIDDEN = re.compile(
    r"\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\d{4}-\d\d-\d\dT\d\d|data/|\.toml\b|\bissue \d|brief:|\(BASE\)|README"
)
PRICE_TO_4 = re.compile(r"\$\d[\d,]*\.\d\d[1-9]?0\b|\$\d[\d,]*\.\d{2}00\b")  # "$1.8900", "$0.2500", "$3.5000"
ISO_DAY = re.compile(r"(?<![\d-])\d{4}-\d\d-\d\d(?![\d-])")

# Every command with the fewest arguments it runs with (its defaults otherwise).
RUNS: dict[str, list[str]] = {
    "terms": ["terms", "--sources"],
    "convert": ["convert", "--preferred", "1885000"],
    "scenario": ["scenario"],
    "report": ["report", "--out", "{tmp}/r.html"],
    "montecarlo": ["montecarlo", "--paths", "500"],
    "breakeven": ["breakeven", "--common-per-preferred", "331.43", "--date", "2002-09-16"],
    "securities": ["securities"],
    "eps": ["eps", "--net-income", "1e9"],
    "options": ["options", "--grants", "data/grants_illustrative.csv", "--date", "2004-02-01"],
    "offer": ["offer", "--common-per-preferred", "380", "--date", "2002-10-23", "--price", "0.76"],
    "value": ["value", "--price", "1.89", "--volatility", "0.6", "--rate", "0.04", "--spread", "0.1"],
    "bridge": ["bridge"],
    "holders": ["holders", "--out", "{tmp}/h.csv"],
    "grid": ["grid", "--price", "1.5, 2", "--out", "{tmp}/g.csv"],
    "export": ["export", "--scenarios", "data/example_grid.csv", "--out", "{tmp}/e.csv"],
}


MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # dashboard.safe.text escapes punctuation: read it unescaped


def _offences(text: str, where: str) -> list[str]:
    """Each forbidden word, price to 4 places or ISO date in ``text`` (lines naming a written file excepted)."""
    text = MARKDOWN_ESCAPE.sub(r"\1", text).replace("\u2060", "")
    found = []
    for line in text.splitlines():
        if line.startswith("wrote "):
            continue
        for pattern in (FORBIDDEN, PRICE_TO_4, ISO_DAY):
            if match := pattern.search(line):
                found.append(f"{where}: {match.group(0)!r} in {line.strip()[:160]!r}")
    return found


def test_every_command_is_scanned():
    assert set(RUNS) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(RUNS))
def test_a_command_prints_no_developer_words_and_reads_as_the_rules_say(command, tmp_path):
    argv = [a.format(tmp=tmp_path) for a in RUNS[command]]
    result = run_cli(*argv)
    assert result.returncode == 0, result.stderr
    assert _offences(result.stdout, command) == []


def test_terms_print_rates_yes_no_and_citations_not_0_08_and_true():
    """`calc terms` printed 0.08 and True; the 8.00% dividend rate and the cumulative dividends read 8.00% and yes
    (SUPP p. 1 cover; p. 11 footnote 3), each term by its name with its source as a citation."""
    lines = run_cli("terms", "--sources").stdout.splitlines()
    by_label = {line[:48].strip(): line[48:].strip() for line in lines if not line.startswith(" ")}
    assert by_label["Dividend rate a year"] == "8.00%"
    assert by_label["Dividends cumulative"] == "yes"
    assert by_label["Preferred shares issued"] == "1,885,000"
    assert by_label["Common closing price"] == "$1.89"
    assert any("source: Prospectus supplement, Aug 28, 2002, p. 11, footnote (3): " in line for line in lines)
    assert any("source: Base prospectus, Jan 8, 2002 (not verified" in line for line in lines)


def test_every_term_has_a_name():
    terms = load_terms()
    fields = {
        f"{section}.{name}"
        for section in ("preferred", "registered", "market")
        for name in vars(getattr(terms, section))
    }
    assert fields == set(TERM_LABELS)


def test_the_eps_waterfall_of_dilution_has_column_headers():
    lines = run_cli("securities").stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("diluted EPS at the horizon"))
    assert lines[start + 1].split() == ["step", "shares", "incr.", "EPS", "status"]


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


SKIPPED_FIELDS = {
    "id",
    "formId",
    "key",
    "type",
    "arrowData",
    "data",
    "spec",
    "figure",
    "default",
    "min",
    "max",
    "value",
}


def _strings(node: object) -> Iterator[str]:
    """Every string a proto holds (a column config's JSON opened), ids, dates a date widget holds and chart
    specs left out."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in SKIPPED_FIELDS:
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        if node.startswith("{"):
            try:
                yield from _strings(json.loads(node))
                return
            except json.JSONDecodeError:
                pass
        yield node


def page_text(at: AppTest) -> list[str]:
    """What the page shows: every element's text (labels, values, help, captions, column headers and help) and
    every text cell of its tables; a missing cell as "None" (Streamlit draws it so)."""
    texts: list[str] = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in ("plotly_chart", "vega_lite_chart"):
            texts += list(_strings(MessageToDict(proto)))
        if getattr(node, "type", "") in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            for column in frame.columns:
                for cell in frame[column]:
                    if cell is None or cell is pd.NaT or (isinstance(cell, float) and cell != cell):
                        texts.append("None")
                    elif isinstance(cell, str):
                        texts.append(cell)
    return texts


def _scan_sections(at: AppTest) -> tuple[list[str], set[str]]:
    """Every section opened in turn: the offences found and every text read."""
    offences: list[str] = []
    seen: set[str] = set()
    for name in sections.NAMES:
        open_section(at, name)
        assert not at.exception, name
        texts = [t for t in page_text(at) if not t.startswith(("http://", "https://"))]  # the link is a URL
        seen |= set(texts)
        for text in dict.fromkeys(texts):
            offences += _offences(text, name)
    return offences, seen


def test_no_section_of_the_dashboard_shows_developer_words_or_raw_values(tmp_path, monkeypatch):
    offences, seen = _scan_sections(started_app(tmp_path, monkeypatch))
    assert offences == []
    # the scan reads the sections' tables, metrics and captions, not only their titles
    assert {"Dividend rate a year", "8.00%", "Break-even flat price", "Vested shares", "Fully diluted"} <= seen


def test_nor_with_the_history_replayed_the_recorded_closes_and_a_stress_price(tmp_path, monkeypatch):
    """The 2002-2004 history (its sources cite Reuters and the 10-Q covers), the recorded closes (their sources
    name issue 22 in the data file) and a $0.05 price: more text from the data files reaches the page."""
    at = started_app(tmp_path, monkeypatch)
    at.toggle(key=state.HISTORY_KEY).set_value(True).run()
    at.button(key="prices_shipped").click().run()
    at.sidebar.number_input(key="param_price").set_value(0.05).run()
    offences, seen = _scan_sections(at)
    assert offences == []
    assert any(text.startswith("The recorded closes of 2001–2003: 10 closes, Aug 1, 2001 to ") for text in seen)


def test_the_uploaders_state_the_limit_the_readers_enforce():
    """The uploader said "200MB per file" where a holder or grants file is refused past 50,000,000 bytes."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 50
    assert MAX_TEXT_BYTES == 50_000_000 <= 50 * 2**20  # Streamlit's MB are MiB: no file the reader takes is refused


def test_the_holders_and_grants_uploaders_state_50_mb(tmp_path, monkeypatch):
    at = started_app(tmp_path, monkeypatch)
    limits: dict[str, int] = {}
    for name in ("Holders", "Employee options"):
        open_section(at, name)
        for node in _nodes(at._tree):
            if getattr(node, "type", "") == "file_uploader":
                limits[node.proto.label] = node.proto.max_upload_size_mb
    assert limits["Upload a holder table (CSV)"] == limits["Grants CSV"] == 50
    assert limits["Dated closes (CSV: date,close_usd,source)"] == 1  # a price path is at most 1,000,000 bytes


def test_no_view_module_keeps_a_formatting_rule_of_its_own():
    """Prices, dates and percentages are written by calc.outputs.formats: no view formats a price to 4 places, an
    ISO date or a percentage by hand."""
    banned = re.compile(r":,?\.4f\}|\.isoformat\(\)\}|strftime\(")
    for path in sorted([*(ROOT / "dashboard").glob("*.py"), *(ROOT / "cli" / "commands").glob("*.py")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if banned.search(line) and "file_name" not in line and ".csv" not in line:
                pytest.fail(f"{Path(path).name}:{number}: {line.strip()}")


def test_every_price_box_shows_the_cent_not_four_places(tmp_path, monkeypatch):
    """The sidebar's price, the options' average price and the desk's price read "1.89", not "1.8900"."""
    at = started_app(tmp_path, monkeypatch)
    formats_by_label: dict[str, str] = {}
    for name in ("Share issuance", "Employee options", "Exchange desk"):
        open_section(at, name)
        for node in _nodes(at._tree):
            label = node.proto.label.lower() if getattr(node, "type", "") == "number_input" else ""
            if "price" in label and "drift" not in label:
                formats_by_label[node.proto.label] = node.proto.format
    assert {"Common price (USD)", "Average price (USD)", "Common price on D (S)"} <= set(formats_by_label)
    assert set(formats_by_label.values()) == {"%.2f"}, formats_by_label


def test_a_users_file_names_and_labels_are_shown_as_given():
    """Citations rewrite stored sources only: an uploaded file called ten_holders.csv, or a flag naming
    out/data/my_holders.csv, read as the user typed them (the citation rules had made them "ten holders" and
    dropped "data/")."""
    from calc.outputs.run_record import _doc_rows, flag_text

    assert flag_text("holders", "out/data/my_holders.csv") == "my_holders.csv"
    assert flag_text("events", "events_2002.csv") == "events_2002.csv"
    rows = dict(_doc_rows({"holders": {"label": "uploaded file ten_holders.csv"}}))
    assert rows["Holder data"] == "uploaded file ten_holders.csv"
