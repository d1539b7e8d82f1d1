"""Fuzzing the files a user hands the command line: events CSV, scenario documents (JSON) and the instruments TOML.

Each example writes one hostile file and runs the command in-process (``tests.helpers.run_cli``); every run must end
in exit 0 with strict JSON on stdout, or exit 2 with one ``error:`` line (indented problem lines may follow) and
nothing on stdout, and never a traceback, a warning or an internal error (exit 1).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc.inputs.params import default_params
from calc.inputs.paths import DATA_DIR
from calc.model.ledger import EVENT_COLUMNS
from calc.scenario_doc import TOP_KEYS, ScenarioDoc
from tests.helpers import run_cli

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELLS = [
    "",
    "all",
    "0",
    "-1",
    "1",
    "100000",
    "1,885,000",
    "1,5",
    "1e400",
    "1e-400",
    "nan",
    "inf",
    "331.43",
    "2002-10-15",
    "2004-08-02",
    "2031-08-01",
    "2002-02-30",
    "exchange_common",
    "repurchase_cash",
    "convert",
    "put",
    "call",
    "exchange_debentures",
    "dividend_policy",
    "stock",
    "cash",
    "accrue",
    "=cmd|' /C calc'!A0",
    "\x00",
    "é" * 5,
    "x" * 300,
]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(CELLS),
    st.lists(st.sampled_from(CELLS), max_size=3),
    st.dictionaries(st.sampled_from(["csv", "file", "label", "partial", "x"]), st.sampled_from(CELLS), max_size=3),
)


def check(result) -> None:
    """The contract of every run (see the module docstring)."""
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr, result.stderr
    assert result.returncode in (0, 2), f"exit {result.returncode}: {result.stderr}"
    if result.returncode == 2:
        lines = result.stderr.splitlines()
        assert lines and lines[0].startswith("error: "), result.stderr
        assert all(line.startswith("  ") for line in lines[1:]), result.stderr
        assert result.stdout == ""
        return
    json.loads(result.stdout, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(c)))


def run_with_file(name: str, data: bytes, *args: str):
    """Run ``args`` with ``{file}`` a new file ``name`` holding ``data``, beside copies of the grants files (the
    instruments registry names them relative to itself)."""
    with tempfile.TemporaryDirectory() as tmp:
        for grants in DATA_DIR.glob("grants_*.csv"):
            (Path(tmp) / grants.name).write_bytes(grants.read_bytes())
        path = Path(tmp) / name
        path.write_bytes(data)
        return run_cli(*[str(path) if a == "{file}" else a for a in args])


@FUZZ
@given(
    rows=st.lists(
        st.lists(st.sampled_from(CELLS), min_size=len(EVENT_COLUMNS) - 1, max_size=len(EVENT_COLUMNS) + 1), max_size=4
    )
)
def test_hostile_events_files(rows):
    text = "\n".join([",".join(EVENT_COLUMNS), *(",".join(f'"{c}"' for c in row) for row in rows)]) + "\n"
    check(
        run_with_file("events.csv", text.encode("utf-8", "surrogatepass"), "scenario", "--events", "{file}", "--json")
    )


@FUZZ
@given(
    field=st.sampled_from([*TOP_KEYS, "extra"]),
    inner=st.sampled_from(["price", "horizon", "dividend_policy", "base_shares", "0", "csv", "partial"]),
    value=JSON_VALUES,
    nested=st.booleans(),
)
def test_hostile_scenario_documents(field, inner, value, nested):
    document = ScenarioDoc(default_params()).to_dict()
    document[field] = {inner: value} if nested else value
    data = json.dumps(document, allow_nan=True).encode()
    check(run_with_file("doc.json", data, "scenario", "--scenario", "{file}", "--json"))


INSTRUMENTS = (DATA_DIR / "instruments.toml").read_text(encoding="utf-8")
TOML_VALUES = [
    '"1e-999999999"',
    '"1e-30"',
    '"1e400"',
    '"-1"',
    "-1",
    "0",
    "1e308",
    "nan",
    "inf",
    '"x"',
    "true",
    "[[[[[[[[]]]]]]]]",
    '"\\u001b[31mred"',
    '"2002-02-30"',
    '{ value = "1e-999999999", source = "fuzz" }',
    '{ value = -5, source = "fuzz" }',
    '{ value = "", source = "" }',
]


@FUZZ
@given(line=st.integers(0, INSTRUMENTS.count("\n")), value=st.sampled_from(TOML_VALUES))
def test_hostile_instruments_files(line, value):
    """One line of the shipped registry with its value replaced by a hostile one."""
    lines = INSTRUMENTS.split("\n")
    key, sep, _ = lines[line].partition("=")
    if sep and not lines[line].lstrip().startswith("#"):
        lines[line] = f"{key}= {value}"
    text = "\n".join(lines).encode()
    check(run_with_file("instruments.toml", text, "dilution", "--instruments", "{file}", "--json"))
