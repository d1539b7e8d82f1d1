"""Shared test helpers: the repository root, a CLI runner, hostile user text, the dashboard in AppTest and its
section selector.

Tests import helpers from here (never from ``conftest`` or from another test module); pytest
fixtures stay in ``conftest.py``. Hypothesis strategies are in ``tests/strategies.py``.
"""

from __future__ import annotations

import contextlib
import io
import re
import resource
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from calc.inputs.paths import REGISTER_PATH
from cli.main import main
from dashboard import inputs, prices_input
from dashboard.sections import SELECTOR_KEY
from dashboard.store import ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
APP_TIMEOUT = 60  # seconds one AppTest run of the dashboard may take

# Hostile user text for the injection tests (issue 9 item 8), shared by AppTest and chromium tests.
HOSTILE_NAMES = (
    "![p](https://evil.example/x.png)",
    "[click](https://evil.example/go)",
    '<img src="https://evil.example/y.png">',
    "**bold**",
    "`code` and $x$ :red[red]",
)
HOSTILE_FILE = "![f](https://evil.example/f.png) `x`.csv"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m calc ARGS`` in this process (``cli.main.main``), in ``cwd`` (default the
    repository root), capturing standard output and error as UTF-8 text (byte streams underneath,
    as a real process has). Subprocess runs (``run_cli_process``) are kept to one smoke test per command."""
    streams = [io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="") for _ in range(2)]
    with contextlib.chdir(cwd or ROOT), contextlib.redirect_stdout(streams[0]), contextlib.redirect_stderr(streams[1]):
        code = main(list(args))
    out, err = (s.flush() or s.buffer.getvalue().decode("utf-8") for s in streams)  # type: ignore[attr-defined, func-returns-value]
    return subprocess.CompletedProcess(["python", "-m", "calc", *args], code, out, err)


def run_cli_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m calc ARGS`` in a subprocess, capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "calc", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


MEMORY_CAP_BYTES = 1_200_000_000  # the address space of ``run_cli_capped`` (issue 20 items 14, 15)


def run_cli_capped(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``run_cli_process`` limited to ``MEMORY_CAP_BYTES`` of address space, for inputs that once read
    without bound (``/dev/zero``, a huge filing): a regression ends in MemoryError (exit 1), not in
    exhausting the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))

    return subprocess.run(
        [sys.executable, "-m", "calc", *args],
        preexec_fn=cap,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
    )


def hostile_register() -> bytes:
    """Ten real holders plus one ≥ 5% holder per hostile name (so the plain-words paragraph names each)."""
    frame = pd.read_csv(REGISTER_PATH, dtype=str, keep_default_na=False).head(10)
    rows = frame[["name", "footnotes", "preferred_shares", "common_owned_prior"]].values.tolist()
    rows += [[name, "", "100000", str(400_000_000 + i)] for i, name in enumerate(HOSTILE_NAMES)]
    return (
        pd.DataFrame(rows, columns=["name", "footnotes", "preferred_shares", "common_owned_prior"])
        .to_csv(index=False)
        .encode()
    )


def open_input_groups(at: AppTest, open: bool = True) -> None:
    """Open (or close) every sidebar group's expander before the next run: closed (the default, for the first
    paint) a group's widgets are not built, so a test that sets them opens the groups first."""
    for title, _ in inputs.groups():
        if title not in inputs.OPEN_GROUPS:
            at.session_state[inputs.group_key(title)] = open
    at.session_state[prices_input.PANEL_KEY] = open


def started_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, groups_open: bool = True) -> AppTest:
    """The dashboard (app.py) in AppTest after its first run, its scenario store a fresh file in ``tmp_path``;
    with every sidebar group open (``open_input_groups``) unless ``groups_open`` is False (a new visitor's page)."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "scenarios.sqlite3"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    if groups_open:
        open_input_groups(at)
    at.run(timeout=APP_TIMEOUT)
    return at


def open_section(at: AppTest, name: str) -> None:
    """Choose a section in the dashboard's selector and rerun (only the section in view is rendered)."""
    at.segmented_control(key=SELECTOR_KEY).set_value(name)
    at.run()


def strip_figures(at: AppTest) -> dict[str, tuple[str, str]]:
    """The one-line headline of the sections after the first (``dashboard.headline_view.render_strip``):
    label -> (figure shown, exact count from the tooltip, or the figure shown when it is no share count)."""
    strip = next(c for c in at.caption if "**New shares**" in c.value)
    shown: dict[str, str] = dict(re.findall(r"\*\*([^*]+)\*\* ([^·]+?) ·", strip.value))
    exact: dict[str, str] = dict(re.findall(r"([A-Z][a-z ]+): ([-\d,]+) shares", strip.help or ""))
    return {label: (value, exact.get(label, value)) for label, value in shown.items()}


def metric(at: AppTest, label: str) -> str:
    """A metric's figure: for a compact share count the exact one its tooltip states ("Exact: N shares."),
    otherwise the value shown. On a section without the full headline, the figure of its one-line strip."""
    found = next((m for m in at.metric if m.label == label), None)
    if found is None:
        return strip_figures(at)[label][1]
    exact = re.findall(r"Exact: ([-\d,]+) shares", found.help or "")
    return exact[0] if exact else found.value


def workbook_columns(sheet, header_row: int = 1) -> list[str]:
    """The file (CSV) names of a workbook table's columns: each header cell shows the label and unit, and its comment
    starts with the column's name (``calc.outputs.workbook``)."""
    return [cell.comment.text.split(":")[0] for cell in sheet[header_row] if cell.value is not None]


def workbook_table(sheet, header_row: int = 1) -> list[dict]:
    """A workbook table's rows as dicts keyed by the columns' file names (``workbook_columns``)."""
    names = workbook_columns(sheet, header_row)
    return [dict(zip(names, row)) for row in sheet.iter_rows(min_row=header_row + 1, values_only=True)]


def summary_figures(sheet) -> dict[str, object]:
    """The Summary sheet's key figures by their summary key: the label in column A (``calc.model.columns``, its unit
    said once: ``calc.outputs.workbook.brief_label``), the value beside it."""
    from calc.model.columns import SUMMARY_METRICS
    from calc.outputs.workbook import brief_label

    keys = {brief_label(metric): metric.name for metric in SUMMARY_METRICS}
    return {keys[row[0]]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] in keys}
