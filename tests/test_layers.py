"""The layers, checked on the source: imports only point down.

domain   imports neither Textual, httpx nor any other triage layer
adapters import the domain (and httpx), never the engine or the UI
engine   imports the domain and adapters, never Textual or the UI
ui       may import everything
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "triage_tui"

FORBIDDEN = {
    "domain": (
        "textual",
        "rich",
        "httpx",
        "triage_tui.ui",
        "triage_tui.engine",
        "triage_tui.adapters",
        "sqlite3",
    ),
    "adapters": ("textual", "rich", "triage_tui.ui", "triage_tui.engine"),
    "engine": ("textual", "rich", "triage_tui.ui"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_down(layer: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not offenders, "\n".join(offenders)
