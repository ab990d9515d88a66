"""``triage keys``: every binding id, its keys in force, where it works, what it does.

Read from ``domain.keys`` (the declaration the console builds its bindings
from) with the config's ``[keymap]`` applied, so it never imports Textual. The
README's key table is ``markdown_keys()`` (``tests/cli/test_first_day_keys.py``
checks it is current).
"""

from __future__ import annotations

import sys
from argparse import Namespace
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from triage_tui.domain.keys import KEYS, SCOPES, Key, display, keys_in_force

#: The scopes the README's table lists: the main screen as an agent meets it.
README_SCOPES = ("main", "queue", "desk", "draft", "draft_pane", "app")


def _declarations() -> Iterator[Key]:
    """Each (id, scope) once: a scope may bind one id to two actions (enter in the queue)."""
    seen: set[tuple[str, str]] = set()
    for key in KEYS:
        if (key.id, key.scope) not in seen:
            seen.add((key.id, key.scope))
            yield key


def rows(keymap: Mapping[str, str]) -> list[dict[str, Any]]:
    """``triage keys --json``'s bindings: one per id and scope, ``keymap`` applied."""
    return [
        {
            "id": key.id,
            "keys": [display(k) for k in keys_in_force(key, keymap)],
            "default": [display(k) for k in key.keys.split(",")],
            "rebound": key.id in keymap,
            "scope": key.scope,
            "where": SCOPES[key.scope],
            "description": key.help,
        }
        for key in _declarations()
    ]


def command(args: Namespace, explicit: Path | None) -> int:
    from triage_tui import paths
    from triage_tui.cli.output import dumps
    from triage_tui.session import load_config

    path = explicit or paths.config_file()
    config = load_config(path, must_exist=explicit is not None)
    bindings = rows(config.keymap)
    if args.json:
        print(dumps({"config_file": str(path), "keymap": config.keymap, "bindings": bindings}))
        return 0
    width = max(len(" ".join(row["keys"])) for row in bindings)
    id_width = max(len(row["id"]) for row in bindings)
    where_width = max(len(row["where"]) for row in bindings)
    for row in bindings:
        keys = " ".join(row["keys"]) + ("*" if row["rebound"] else "")
        print(
            f"{row['id']:<{id_width}}  {keys:<{width + 1}}  {row['where']:<{where_width}}"
            f"  {row['description']}"
        )
    if config.keymap:
        print(f"triage: * rebound in [keymap] of {path}", file=sys.stderr)
    return 0


def markdown_keys() -> str:
    """The README's key table: one row per id the main screen has, its default keys
    wherever it is bound there (the queue, the editor, everywhere)."""
    merged: dict[str, tuple[list[str], str]] = {}
    for scope in README_SCOPES:
        for key in _declarations():
            if key.scope != scope:
                continue
            keys, text = merged.setdefault(key.id, ([], key.help))
            keys += [k for k in key.keys.split(",") if k not in keys]
    lines = ["| key | id | what it does |", "| --- | --- | --- |"]
    for binding_id, (keys, text) in merged.items():
        shown = " ".join(f"`{display(k)}`" for k in keys)
        lines.append(f"| {shown} | `{binding_id}` | {text.replace('|', '/')} |")
    return "\n".join(lines)
