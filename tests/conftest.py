"""Shared fixtures: the shipped filing, register and terms, and a CLI runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from calc.data import FILING_PATH, load_terms
from calc.filing import parse_filing

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def terms():
    return load_terms()


@pytest.fixture(scope="session")
def filing_text() -> str:
    return FILING_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def parsed():
    return parse_filing(FILING_PATH)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m calc ARGS`` in a subprocess, capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "calc", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
