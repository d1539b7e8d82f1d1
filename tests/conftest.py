"""Shared fixtures: the shipped filing and terms (helpers are in ``tests/helpers.py``)."""

from __future__ import annotations

import pytest

from calc.data import FILING_PATH, load_terms
from calc.filing import parse_filing


@pytest.fixture(scope="session")
def terms():
    return load_terms()


@pytest.fixture(scope="session")
def filing_text() -> str:
    return FILING_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def parsed():
    return parse_filing(FILING_PATH)
