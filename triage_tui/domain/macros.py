"""Macros: a reply template plus the ticket actions that usually go with it.

"Refund issued" is a reply, a ``refund`` tag and the ticket set to pending;
picking the macro does all three, so agents do not forget the bookkeeping.
Built-ins are defined here; users add or override them in ``macros.toml`` in
their templates directory::

    [macros.refund_issued]
    title = "Refund issued"
    template = "refund_issued"      # a built-in or user template name
    tags = ["refund"]
    status = "pending"              # optional: new, open, pending, on_hold, solved
    priority = "normal"             # optional
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.models import Priority, Status

MACROS_FILE = "macros.toml"


@dataclass(frozen=True)
class Macro:
    """A named template with the tags, status and priority it applies."""

    name: str
    title: str
    template: str
    tags: tuple[str, ...] = ()
    status: Status | None = None
    priority: Priority | None = None
    description: str = field(default="", compare=False)

    def summary(self) -> str:
        """One line for pickers and confirmations: "reply + tag refund + pending"."""
        parts = [f"reply ({self.template})"]
        parts.extend(f"tag {t}" for t in self.tags)
        if self.status is not None:
            parts.append(self.status.value)
        if self.priority is not None:
            parts.append(f"priority {self.priority.value}")
        return " + ".join(parts)


_BUILTINS = (
    Macro("refund_issued", "Refund issued", "refund_issued", ("refund",), Status.PENDING),
    Macro("need_info", "Ask for details", "need_info", ("needs-info",), Status.PENDING),
    Macro("escalated", "Handed to another team", "escalated", ("escalated",), Status.OPEN),
    Macro("follow_up", "Follow up", "follow_up", (), Status.PENDING),
    Macro("answer_and_solve", "Answer and solve", "default", (), Status.SOLVED),
)


def builtin_macros() -> dict[str, Macro]:
    return {m.name: m for m in _BUILTINS}


def _parse(name: str, raw: Any, where: str) -> Macro:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: [macros.{name}] must be a table")
    unknown = set(raw) - {"title", "template", "tags", "status", "priority", "description"}
    if unknown:
        raise InvalidInput(f"{where}: macros.{name}.{min(unknown)}: unknown key")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise InvalidInput(f"{where}: macros.{name}.tags: expected a list of words")
    try:
        status = Status.parse(raw["status"]) if raw.get("status") else None
        priority = Priority.parse(raw["priority"]) if raw.get("priority") else None
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: macros.{name}: {exc}") from None
    return Macro(
        name=name,
        title=str(raw.get("title") or name.replace("_", " ").capitalize()),
        template=str(raw.get("template") or name),
        tags=tuple(t.strip() for t in tags),
        status=status,
        priority=priority,
        description=str(raw.get("description", "")),
    )


def load_macros(user_dir: Path | None = None) -> dict[str, Macro]:
    """Built-in macros overlaid with the user's ``macros.toml``, by name."""
    macros = builtin_macros()
    path = user_dir / MACROS_FILE if user_dir is not None else None
    if path is None or not path.is_file():
        return macros
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: invalid TOML: {exc}") from None
    table = data.get("macros", {})
    if not isinstance(table, dict):
        raise InvalidInput(f"{path}: [macros] must be a table of macros")
    for name, raw in table.items():
        macros[name] = _parse(name, raw, str(path))
    return macros


def get_macro(name: str, user_dir: Path | None = None) -> Macro:
    macros = load_macros(user_dir)
    if name not in macros:
        raise InvalidInput(f"unknown macro {name!r}; known macros: {', '.join(sorted(macros))}")
    return macros[name]
