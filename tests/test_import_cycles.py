"""No import cycle in the package (the console's UI above all), checked on the source.

Every import counts: at module level, inside a function, and under
``TYPE_CHECKING`` (a cycle there is still two modules that each need the
other). ``from pkg import mod`` is an import of ``pkg.mod``; ``from pkg import
name`` of a name defined in ``pkg/__init__.py`` is an import of ``pkg``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "triage_tui"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``from pkg import mod`` is ``pkg.mod``)."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                for alias in node.names:
                    targets.add(
                        known(f"{base}.{alias.name}")
                        if f"{base}.{alias.name}" in modules
                        else known(base)
                    )
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def package_cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.add(tuple(sorted(group)))
    return found


def test_the_graph_sees_imports_of_every_kind() -> None:
    graph = import_graph()
    assert "triage_tui.ui.screens.desk" in graph["triage_tui.ui.screens.main"]  # module level
    assert "triage_tui.ui.screens.main" in graph["triage_tui.ui.app"]  # in a function
    assert "triage_tui.ui.widgets.draft" in graph["triage_tui.ui.screens.main"]  # TYPE_CHECKING
    cycle = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert package_cycles(cycle) == {("a", "b", "c")}


def test_no_import_cycle_in_the_ui() -> None:
    cycles = package_cycles(import_graph())
    in_ui = [c for c in cycles if any(m.startswith("triage_tui.ui") for m in c)]
    assert not in_ui, "\n".join(" -> ".join(c) for c in in_ui)


def test_no_import_cycle_in_the_package() -> None:
    cycles = package_cycles(import_graph())
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
