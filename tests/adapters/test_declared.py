"""The adapter contract is what ``Helpdesk`` declares: nothing is found by probing.

Read from the package's source (its AST): every attribute the doctor, the
verbs, the command line and the engine (everything but ``adapters/`` and
``ui/``) use on a helpdesk is declared on the base class, so an adapter author
learns the whole contract from ``triage_tui/adapters/base.py``, and mypy
checks every call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import triage_tui
from triage_tui.adapters.base import Helpdesk

PACKAGE = Path(triage_tui.__file__).parent
#: What holds a helpdesk in the package's code: ``helpdesk``, ``self.helpdesk``, ``self.inner``…
HOLDERS = {"helpdesk", "inner", "hd"}
#: Set in ``Helpdesk.__init__`` rather than on the class.
INSTANCE_ATTRIBUTES = {"options", "clock"}


def contract() -> set[str]:
    # ``name`` and ``display_name`` are annotated only: each adapter sets them.
    names = {*dir(Helpdesk), *Helpdesk.__annotations__}
    return {name for name in names if not name.startswith("_")} | INSTANCE_ATTRIBUTES


def sources(*, ui: bool) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.startswith("ui/") and not ui:
            continue
        yield where, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def holds_helpdesk(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in HOLDERS
    return (
        isinstance(node, ast.Attribute)
        and node.attr in HOLDERS
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def outbox_only(test: ast.expr) -> bool:
    """``isinstance(x, BufferedHelpdesk)``: what follows may use the outbox's own methods."""
    return (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[1], ast.Name)
        and test.args[1].id == "BufferedHelpdesk"
    )


class Uses(ast.NodeVisitor):
    """Attributes read on a helpdesk, outside ``isinstance(…, BufferedHelpdesk)`` guards."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if holds_helpdesk(node.value):
            self.found.append((node.lineno, node.attr))
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.visit(node.test)
        if not outbox_only(node.test):
            self.visit(node.body)
        self.visit(node.orelse)

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        if not outbox_only(node.test):
            for statement in node.body:
                self.visit(statement)
        for statement in node.orelse:
            self.visit(statement)


def test_the_engine_the_verbs_and_the_doctor_use_only_what_helpdesk_declares() -> None:
    declared = contract()
    undeclared = []
    for where, tree in sources(ui=False):
        if where.startswith("adapters/"):
            continue  # the adapters' own code, on their own objects
        uses = Uses()
        uses.visit(tree)
        undeclared += [
            f"{where}:{line} .{name}" for line, name in uses.found if name not in declared
        ]
    assert undeclared == []


def test_the_finder_sees_the_calls_it_checks() -> None:
    """The check above is not vacuous: it finds the doctor's and the loader's calls."""
    found = set()
    for where, tree in sources(ui=False):
        uses = Uses()
        uses.visit(tree)
        found |= {(where.rsplit("/", 1)[-1], name) for _, name in uses.found}
    assert {("doctor.py", "probe"), ("doctor.py", "missing_settings")} <= found
    assert {("loader.py", "watch_writes"), ("event_recording.py", "list_events")} <= found
    assert ("actions.py", "holdup") not in found  # behind isinstance(…, BufferedHelpdesk)


def test_the_outbox_wrapper_has_its_own_answer_to_every_contract_method() -> None:
    """``BufferedHelpdesk`` forwards or overrides each, so no adapter's answer is
    hidden behind the base class's default (a new method must be added there too)."""
    from triage_tui.engine.buffered import BufferedHelpdesk

    # Copied from the adapter per instance (``BufferedHelpdesk.__init__``).
    mirrored = {
        *("name", "display_name", "capabilities", "doctor_hints", "options_model"),
        "feed_rate_limit",
    }
    inherited = sorted(
        name
        for name in contract() - INSTANCE_ATTRIBUTES - mirrored
        if getattr(BufferedHelpdesk, name) is getattr(Helpdesk, name)
    )
    assert inherited == []


def test_no_contract_method_is_probed_with_getattr_or_hasattr() -> None:
    declared = contract()
    probes = set()
    for where, tree in sources(ui=True):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in declared
            ):
                probes.add((where, node.args[1].value))
    assert not probes, sorted(probes)
