"""Macros: a reply template plus the ticket actions that usually go with it.

"Refund issued" is a reply, a ``refund`` tag and the ticket set to pending;
picking the macro does all of it, so agents do not forget the bookkeeping.
A macro may also carry an internal note (itself a small template).

Where macros come from, later sources changing earlier ones key by key:

1. the built-ins, one TOML file each in ``triage_tui/domain/replies/builtin_macros/``;
2. ``macros.toml`` in the user's templates directory, ``[macros.NAME]`` tables;
3. ``*.toml`` in the user's macros directory (``<config dir>/macros/``): a file
   is one macro named after the file, or holds ``[macros.NAME]`` tables.

Keys (all optional)::

    title = "Refund issued"
    description = "…"
    template = "refund_issued"   # a built-in or user template (<name>.md)
    body = \"\"\"Hi {first_name}, …\"\"\"  # or the reply text inline (wins over template)
    tags = ["refund"]
    status = "pending"           # new, open, pending, on_hold, solved
    priority = "high"            # low, normal, high, urgent
    note = "Refund issued for {ticket_id}"   # internal note

The reply and the note use the drafting placeholders (``{first_name}``,
``{cursor}``…; see ``drafting``). Setting ``template`` in a later source drops
an inherited ``body`` and the other way round, so an override never leaves a
stale inline reply behind.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.replies.drafting import (
    DraftContext,
    load_template,
    render,
)

MACROS_FILE = "macros.toml"
"""The ``[macros.NAME]`` file in the user's templates directory."""

_KEYS = frozenset(
    {"title", "template", "body", "tags", "status", "priority", "description", "note"}
)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

Raw = dict[str, Any]


@dataclass(frozen=True)
class Macro:
    """A named reply (template name or inline body) with the actions it applies."""

    name: str
    title: str
    template: str
    tags: tuple[str, ...] = ()
    status: Status | None = None
    priority: Priority | None = None
    description: str = field(default="", compare=False)
    body: str = ""
    """Inline reply template; when set it is used instead of ``template``."""
    note: str = ""
    """Internal note template, recorded when the macro is applied (if the helpdesk has notes)."""

    def summary(self) -> str:
        """One line for pickers and confirmations.

        "reply (refund_issued) + tag refund + pending"
        """
        parts = ["reply" if self.body else f"reply ({self.template})"]
        parts.extend(f"tag {t}" for t in self.tags)
        if self.status is not None:
            parts.append(self.status.value)
        if self.priority is not None:
            parts.append(f"priority {self.priority.value}")
        if self.note:
            parts.append("note")
        return " + ".join(parts)

    def template_text(self, templates_dir: Path | None = None) -> str:
        """The reply template: the inline body, else the named template file."""
        return self.body if self.body else load_template(self.template, templates_dir)

    def render(self, ctx: DraftContext, templates_dir: Path | None = None) -> tuple[str, int]:
        """The reply for ``ctx`` and the cursor offset in it (``drafting.render``)."""
        return render(self.template_text(templates_dir), ctx)

    def render_note(self, ctx: DraftContext) -> str:
        """The internal note for ``ctx``; "" when the macro has none."""
        return render(self.note, ctx)[0] if self.note.strip() else ""


# -- loading ---------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: invalid TOML: {exc}") from None


def _tables(data: dict[str, Any], stem: str, where: str) -> dict[str, Raw]:
    """``[macros.NAME]`` tables, or the whole file as the macro named ``stem``."""
    if "macros" in data:
        table = data["macros"]
        if not isinstance(table, dict):
            raise InvalidInput(f"{where}: [macros] must be a table of macros")
        out: dict[str, Raw] = {}
        for name, raw in table.items():
            if not isinstance(raw, dict):
                raise InvalidInput(f"{where}: [macros.{name}] must be a table")
            out[name] = raw
        return out
    return {stem: data}


def _check_keys(name: str, raw: Raw, where: str) -> None:
    if not _NAME_RE.match(name):
        raise InvalidInput(f"{where}: invalid macro name {name!r}; use letters, digits, '-', '_'")
    unknown = set(raw) - _KEYS
    if unknown:
        raise InvalidInput(f"{where}: macros.{name}.{min(unknown)}: unknown key")


def _layer(merged: dict[str, Raw], name: str, raw: Raw) -> None:
    base = dict(merged.get(name, {}))
    if "template" in raw:
        base.pop("body", None)
    if "body" in raw:
        base.pop("template", None)
    base.update(raw)
    merged[name] = base


def _parse(name: str, raw: Raw, where: str) -> Macro:
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise InvalidInput(f"{where}: macros.{name}.tags: expected a list of words")
    for key in ("title", "template", "body", "description", "note"):
        if key in raw and not isinstance(raw[key], str):
            raise InvalidInput(f"{where}: macros.{name}.{key}: expected text")
    try:
        status = Status.parse(raw["status"]) if raw.get("status") else None
        priority = Priority.parse(raw["priority"]) if raw.get("priority") else None
    except (InvalidInput, AttributeError) as exc:
        raise InvalidInput(f"{where}: macros.{name}: {exc}") from None
    return Macro(
        name=name,
        title=str(raw.get("title") or name.replace("_", " ").capitalize()),
        template=str(raw.get("template") or name),
        tags=tuple(t.strip() for t in tags),
        status=status,
        priority=priority,
        description=str(raw.get("description", "")),
        body=str(raw.get("body", "")),
        note=str(raw.get("note", "")),
    )


def _builtin_raw() -> dict[str, Raw]:
    folder = resources.files("triage_tui.domain.replies").joinpath("builtin_macros")
    out: dict[str, Raw] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out[entry.name[: -len(".toml")]] = tomllib.loads(entry.read_text(encoding="utf-8"))
    return out


def builtin_macros() -> dict[str, Macro]:
    return {name: _parse(name, raw, "built-in") for name, raw in _builtin_raw().items()}


def _user_sources(templates_dir: Path | None, macros_dir: Path | None) -> list[Path]:
    sources: list[Path] = []
    if templates_dir is not None and (templates_dir / MACROS_FILE).is_file():
        sources.append(templates_dir / MACROS_FILE)
    if macros_dir is not None and macros_dir.is_dir():
        sources.extend(sorted(p for p in macros_dir.glob("*.toml") if p.is_file()))
    return sources


def load_macros(
    templates_dir: Path | None = None,
    macros_dir: Path | None = None,
    *,
    errors: list[str] | None = None,
) -> dict[str, Macro]:
    """Built-in macros changed and extended by the user's files, by name.

    A broken user file raises ``InvalidInput`` naming the file and key; pass
    ``errors`` (a list) to skip such files instead and collect one line per
    file, which is what a console should do rather than refuse to start.
    """
    merged = _builtin_raw()
    origin = {name: "built-in" for name in merged}
    for path in _user_sources(templates_dir, macros_dir):
        try:
            tables = _tables(_read_toml(path), path.stem, str(path))
            staged = {name: dict(raw) for name, raw in merged.items()}
            for name, raw in tables.items():
                _check_keys(name, raw, str(path))
                _layer(staged, name, raw)
                _parse(name, staged[name], str(path))
        except InvalidInput as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        merged = staged
        origin.update({name: str(path) for name in tables})
    return {name: _parse(name, raw, origin[name]) for name, raw in sorted(merged.items())}


def user_macros(*, errors: list[str] | None = None) -> dict[str, Macro]:
    """``load_macros`` over the user's config directory (``triage_tui.paths``)."""
    from triage_tui import paths

    return load_macros(paths.user_templates_dir(), paths.user_macros_dir(), errors=errors)


def get_macro(
    name: str, templates_dir: Path | None = None, macros_dir: Path | None = None
) -> Macro:
    macros = load_macros(templates_dir, macros_dir)
    if name not in macros:
        raise InvalidInput(f"unknown macro {name!r}; known macros: {', '.join(sorted(macros))}")
    return macros[name]
