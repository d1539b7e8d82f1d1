"""The layers the guide fixes (docs/architecture.md): ``calc`` is pure and UI-free (no Streamlit, no dashboard, no
command line), the chart builders (``charts``) that the dashboard and the ``report`` command share load no Streamlit
either, the model (``calc.model``) imports nothing but itself and ``calc.errors``, and the project's import graph has
no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

FORBIDDEN = {
    "calc": ("streamlit", "dashboard", "app", "cli", "charts"),
    "charts": ("streamlit", "dashboard", "app", "cli"),
    "cli": ("streamlit", "dashboard", "app"),
}
# ``python -m calc`` runs ``calc/__main__.py``, which hands over to the command line; nothing imports it.
ENTRY_POINTS = {"calc/__main__.py": {"cli"}}


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
        name: sorted(imported_modules(path) & set(FORBIDDEN[package]) - ENTRY_POINTS.get(name, set()))
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in [path.relative_to(ROOT).as_posix()]
    }
    assert {name: bad for name, bad in found.items() if bad} == {}


def test_nothing_imports_the_entry_point():
    edges = import_edges(project_modules())
    assert sorted(name for name, targets in edges.items() if "calc.__main__" in targets) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dashboard.figures import all_figures\n    import streamlit as st\n")
    assert imported_modules(module) == {"dashboard", "streamlit"}


PROJECT = ("calc", "cli", "charts", "dashboard")


def module_name(path: Path) -> str:
    """``cli/main.py`` -> ``cli.main``; a package's ``__init__.py`` -> the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project (``calc``, ``charts``, ``dashboard``, ``app``) by dotted name."""
    paths = [path for package in PROJECT for path in sorted((ROOT / package).rglob("*.py"))] + [ROOT / "app.py"]
    return {module_name(path): path for path in paths}


def _type_checking_only(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): imports for the type checker, never run."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def run_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every ``import``/``from`` statement that runs (module level or inside a function), not under
    ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.If) and _type_checking_only(node):
            children = [child for child in children if child not in node.body]
        stack.extend(children)
    return found


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module a ``from`` statement names, relative imports resolved against ``importer``."""
    if not node.level:
        return node.module or ""
    base = importer.split(".")[: len(importer.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def import_edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports; ``from pkg import sub`` names the submodule ``pkg.sub``."""
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in run_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            else:
                source = _absolute(node, name, path.name == "__init__.py")
                targets |= {f"{source}.{a.name}" if f"{source}.{a.name}" in modules else source for a in node.names}
        edges[name] = {target for target in targets if target in modules and target != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_project_has_no_import_cycle():
    """Module-level and function-level imports count (a lazy import does not hide a circle); imports
    under ``if TYPE_CHECKING:`` do not run and do not count."""
    assert cycles(import_edges(project_modules())) == []


def test_no_module_imports_a_private_name_of_another():
    modules = project_modules()
    found = []
    for name, path in modules.items():
        for node in run_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                source = _absolute(node, name, path.name == "__init__.py")
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if source.split(".")[0] in PROJECT and private:
                    found.append(f"{name}: from {source} import {', '.join(private)}")
    assert found == []


def test_the_cycle_check_sees_lazy_imports_and_skips_type_checking(tmp_path):
    a = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import b\ndef f():\n    import b\n"
    tree = ast.parse(a)
    assert [alias.name for node in run_imports(tree) if isinstance(node, ast.Import) for alias in node.names] == ["b"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


MODEL_MAY_IMPORT = ("calc.model", "calc.errors")


def test_the_model_imports_only_the_model():
    """``calc.model`` reads no file and calls no loader: no ``calc.inputs`` (parsers, ``calc.inputs.data``),
    no ``calc.outputs``, no one-document layer, no ``cli``, ``charts`` or ``dashboard``."""
    edges = import_edges(project_modules())
    found = {
        name: sorted(t for t in targets if not t.startswith(MODEL_MAY_IMPORT))
        for name, targets in edges.items()
        if name.startswith("calc.model")
    }
    assert {name: bad for name, bad in found.items() if bad} == {}
    assert len(found) >= 20  # the check sees the model's modules


def test_inputs_and_outputs_use_no_user_interface():
    edges = import_edges(project_modules())
    found = {
        name: sorted(t for t in targets if t.split(".")[0] in ("cli", "dashboard", "charts", "app"))
        for name, targets in edges.items()
        if name.startswith(("calc.inputs", "calc.outputs"))
    }
    assert {name: bad for name, bad in found.items() if bad} == {}
