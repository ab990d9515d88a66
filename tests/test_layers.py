"""The layers: imports only point down, and no module is left out of them.

The rules themselves are import-linter's contracts in pyproject.toml
(``[tool.importlinter]``; the gate is ``lint-imports``): domain <- adapters <-
engine <- ui, the command line beside the console, the domain pure, nothing
below the console drawing. What import-linter does not check is checked here:

- a layers contract only checks the modules it names, so a new module outside
  every layer would be free to import anything: every module of the package
  must sit in a layer;
- layers say nothing about cycles: no module may reach itself through its
  imports (``TYPE_CHECKING``-only imports aside: they never run).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "triage_tui"
PYPROJECT = ROOT / "pyproject.toml"

#: The ``lint-imports`` command, run with this interpreter.
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layered_modules() -> set[str]:
    """Every module (or package) named as a layer by a layers contract."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    named: set[str] = set()
    for contract in config["contracts"]:
        if contract["type"] != "layers":
            continue
        containers = contract.get("containers", [""])
        for layer in contract["layers"]:
            for name in layer.replace(":", "|").split("|"):
                name = name.strip().removesuffix("?").strip("()")
                named.update(f"{c}.{name}" if c else name for c in containers)
    return named


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(node: ast.AST, package: str) -> Iterator[str]:
    """Dotted names the code under ``node`` imports when it runs.

    Function-level (lazy) imports count: they are dependencies all the same.
    ``from a import b`` names ``a.b`` (the caller keeps it if it is a module,
    else falls back to ``a``); ``package`` resolves relative imports.
    """
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from _imported_names(ast.Module(body=child.orelse, type_ignores=[]), package)
        elif isinstance(child, ast.Import):
            yield from (alias.name for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            base = child.module or ""
            if child.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - child.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            yield from (f"{base}.{alias.name}" for alias in child.names)
        else:
            yield from _imported_names(child, package)


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module of the package to the package modules it imports."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for imported in _imported_names(tree, package):
            # The longest prefix that is a module: ``from a import b`` where
            # ``b`` is a function depends on ``a``, and ``import a.b`` on ``a.b``.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``a -> b -> a``) per strongly connected group of modules."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm; the graph is a few hundred nodes
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return [_one_cycle(graph, group) for group in groups]


def _one_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest way from the group's first module back to itself."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph[module] & group):
                if target == start:
                    return [*paths[module], start]
                if target not in paths:
                    paths[target] = [*paths[module], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def test_every_module_of_the_package_is_in_a_layer() -> None:
    layers = layered_modules()
    # The root package is not a layer of itself; it stays a leaf (next test).
    outside = [
        name
        for name in package_modules()
        if name != "triage_tui" and not any(_within(name, layer) for layer in layers)
    ]
    assert not outside, "in no layer of [tool.importlinter] in pyproject.toml:\n" + "\n".join(
        outside
    )


def test_the_root_package_imports_nothing_of_its_own() -> None:
    modules = package_modules()
    assert import_graph(modules)["triage_tui"] == set()


def test_the_layers_name_only_modules_that_exist() -> None:
    modules = package_modules()
    missing = [n for n in layered_modules() if not any(_within(m, n) for m in modules)]
    assert not missing, f"layers naming no module: {missing}"


def test_no_import_cycle() -> None:
    found = cycles(import_graph(package_modules()))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle_and_ignores_type_checking_imports() -> None:
    # The finder on a graph of its own, so that the test above passing means
    # something: a cycle is reported, a lazy import counts, and an import made
    # only for the type checker does not.
    graph = {
        "p.a": {"p.b"},
        "p.b": {"p.c"},
        "p.c": {"p.a"},
        "p.d": {"p.a"},
    }
    assert cycles(graph) == [["p.a", "p.b", "p.c", "p.a"]]
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from . import b\n"
        "if TYPE_CHECKING:\n"
        "    from p.c import C\n"
        "def lazy():\n"
        "    from p.d import helper\n"
    )
    names = set(_imported_names(ast.parse(source), "p"))
    assert {"p.b", "p.d.helper"} <= names and "p.c.C" not in names


def test_the_contracts_hold() -> None:
    # The same check as the ``lint-imports`` gate, in the suite wherever the
    # lint extra is installed. In a process of its own: import-linter
    # configures logging, which would silence the loggers later tests capture.
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip("import-linter is not installed (the lint extra)")
    run = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--config", str(PYPROJECT), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
