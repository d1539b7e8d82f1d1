"""The layers the guide fixes: ``calc`` is pure and UI-free (no Streamlit, no dashboard), and the chart builders
(``charts``) that the dashboard and the ``report`` command share load no Streamlit either."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

FORBIDDEN = {"calc": ("streamlit", "dashboard", "app"), "charts": ("streamlit", "dashboard", "app")}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (module level or inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_no_ui(package):
    found = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & set(FORBIDDEN[package]))
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {name: bad for name, bad in found.items() if bad} == {}


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dashboard.figures import all_figures\n    import streamlit as st\n")
    assert imported_modules(module) == {"dashboard", "streamlit"}
