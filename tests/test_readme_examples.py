"""Every README command-line example runs as pasted (issue 12, point 12).

Each ```sh block of README.md that calls ``.venv/bin/python -m calc`` runs whole (``sh -e``:
every line must succeed) in a scratch directory holding a link to ``data/``, with
``.venv/bin/python`` standing for this interpreter. The examples may write only under ``out/``.
Until README.md takes the blocks of notes/README_outputs.md (its examples still write to the
repository root and use bracketed flags), README.md is skipped and the notes' blocks run instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT

CALL = ".venv/bin/python -m calc"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCS = [ROOT / "README.md", ROOT / "notes" / "README_outputs.md"]
MERGED_MARK = "mkdir -p out"  # the notes' blocks start with it


def example_blocks(doc: Path) -> list[str]:
    return [block for block in BLOCK.findall(doc.read_text(encoding="utf-8")) if CALL in block]


def _cases() -> list[Any]:
    cases = []
    for doc in DOCS:
        if not doc.exists():
            continue
        pending = doc.name == "README.md" and MERGED_MARK not in doc.read_text(encoding="utf-8")
        marks = (
            [pytest.mark.skip(reason="README.md has not yet taken notes/README_outputs.md's examples")]
            if pending
            else []
        )
        cases += [
            pytest.param(doc, i, block, marks=marks, id=f"{doc.name}-{i}")
            for i, block in enumerate(example_blocks(doc))
        ]
    return cases


def test_there_are_examples():
    assert sum(len(example_blocks(doc)) for doc in DOCS if doc.exists()) >= 3


@pytest.mark.parametrize("doc, index, block", _cases())
def test_example_block_runs_as_pasted(tmp_path, doc, index, block):
    lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert not [line for line in lines if re.search(r"(^|\s)python3?\s", line)], "bare python in an example"
    assert not [line for line in lines if re.search(r"\[--", line.split("#")[0])], "bracketed flag in an example"
    (tmp_path / "data").symlink_to(ROOT / "data")
    script = block.replace(CALL, f"{sys.executable} -m calc")
    result = subprocess.run(
        ["sh", "-e", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert result.returncode == 0, f"{doc.name} block {index} failed:\n{result.stderr[-2000:]}"
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() and p.name != "data")
    assert all(name.startswith("out/") for name in written), f"outside out/: {written}"
