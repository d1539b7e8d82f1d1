"""Every command-line example of the README and of docs/ runs as pasted.

Each ```sh block of README.md and docs/*.md that calls ``.venv/bin/python -m calc`` runs whole, line by line (every
line must succeed), in a scratch directory holding a link to ``data/``. The ``calc`` lines run in this
process (``tests.helpers.run_cli``, the same entry point as ``python -m calc``; one subprocess smoke test
per command is in ``tests/test_cli.py``); the only other command an example may use is ``mkdir -p out``.
The examples may write only under ``out/``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli

CALL = ".venv/bin/python -m calc"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
README = ROOT / "README.md"
DOCS = (README, *sorted((ROOT / "docs").glob("*.md")))


def example_blocks(doc: Path) -> list[str]:
    return [block for block in BLOCK.findall(doc.read_text(encoding="utf-8")) if CALL in block]


def commands(block: str) -> list[list[str]]:
    """The block's commands as a POSIX shell splits them: continuation lines joined, comments dropped."""
    joined = block.replace("\\\n", " ")
    return [words for line in joined.splitlines() if (words := shlex.split(line, comments=True))]


def test_there_are_examples():
    assert len(example_blocks(README)) >= 1
    assert len(example_blocks(ROOT / "docs" / "cli.md")) >= 3


def test_the_readme_has_five_examples():
    calls = [line for block in example_blocks(README) for line in block.splitlines() if line.startswith(CALL)]
    assert len(calls) == 5


EXAMPLES = [
    pytest.param(index, block, id=f"{doc.relative_to(ROOT)}-{index}")
    for doc in DOCS
    for index, block in enumerate(example_blocks(doc))
]


@pytest.mark.parametrize("index, block", EXAMPLES)
def test_example_block_runs_as_pasted(tmp_path, index, block):
    lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert not [line for line in lines if re.search(r"(^|\s)python3?\s", line)], "bare python in an example"
    assert not [line for line in lines if re.search(r"\[--", line.split("#")[0])], "bracketed flag in an example"
    (tmp_path / "data").symlink_to(ROOT / "data")
    for words in commands(block):
        if words == ["mkdir", "-p", "out"]:
            (tmp_path / "out").mkdir(exist_ok=True)
            continue
        assert words[:3] == CALL.split(), f"block {index}: not a calc command: {shlex.join(words)}"
        result = run_cli(*words[3:], cwd=tmp_path)
        assert result.returncode == 0, f"block {index}: {shlex.join(words)} failed:\n{result.stderr[-2000:]}"
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() and p.name != "data")
    assert all(name.startswith("out/") for name in written), f"outside out/: {written}"
    assert written, f"block {index} wrote nothing"
