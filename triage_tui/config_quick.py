"""Reading a plain config file without pydantic: the console's usual start.

``config.load`` tries ``quick_settings`` first. A file whose values have exactly
the declared types (TOML gives ``str``, ``int``, ``float``, tables and arrays),
whose keys are all known and whose choices are allowed becomes the same
dataclasses pydantic would make; anything else returns None and goes to
pydantic, which converts what it may and words the error. Why: importing
pydantic is ~100 ms of a start whose target is 1.5x a bare Textual app's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from triage_tui.config import AppConfig, EscalationRoutes, Profile


def _str_map(value: Any) -> bool:
    return type(value) is dict and all(type(v) is str for v in value.values())


def _quick_profile(raw: Any) -> Profile | None:
    """``Profile`` for a table pydantic would accept unchanged (see ``quick_settings``)."""
    if type(raw) is not dict or not raw.keys() <= _PROFILE_FIELDS:
        return None
    for name in ("adapter", "team", "agent", "theme", "template", "send_status", "preview"):
        if name in raw and type(raw[name]) is not str:
            return None
    if raw.get("send_status", "pending") not in ("solved", "pending"):
        return None
    if raw.get("preview", "auto") not in ("auto", "follow", "enter"):
        return None
    if type(raw.get("options", {})) is not dict or not _str_map(raw.get("views", {})):
        return None
    undo = raw.get("undo_seconds", 10.0)
    if type(undo) not in (int, float):
        return None
    values = {**raw, "undo_seconds": float(undo)}
    for name in ("options", "views"):
        if name in raw:
            values[name] = dict(raw[name])  # pydantic builds new dicts too
    try:
        return Profile(**values)
    except ValueError:
        return None  # out of range: pydantic reports it


def quick_settings(raw: Mapping[str, Any]) -> AppConfig | None:
    """The settings pydantic would make of ``raw``, built without it; None: ask pydantic.

    ``tests/cli/test_config_defaults.py`` compares the two on many files.
    """
    if not raw.keys() <= _CONFIG_FIELDS or type(raw.get("profile", "")) is not str:
        return None
    profiles: dict[str, Profile] | None = None
    if "profiles" in raw:
        if type(raw["profiles"]) is not dict:
            return None
        profiles = {}
        for name, table in raw["profiles"].items():
            profile = _quick_profile(table)
            if profile is None:
                return None
            profiles[name] = profile
    escalation = raw.get("escalation", {})
    if type(escalation) is not dict or not escalation.keys() <= {"extra_phrases", "routes"}:
        return None
    phrases = escalation.get("extra_phrases", {})
    if type(phrases) is not dict or not all(
        type(v) is list and all(type(p) is str for p in v) for v in phrases.values()
    ):
        return None
    if not _str_map(escalation.get("routes", {})) or not _str_map(raw.get("views", {})):
        return None
    if type(raw.get("safeguards", {})) is not dict:
        return None
    config = AppConfig(
        escalation=EscalationRoutes(
            extra_phrases={k: list(v) for k, v in phrases.items()},
            routes=dict(escalation.get("routes", {})),
        ),
        views=dict(raw.get("views", {})),
        safeguards=dict(raw.get("safeguards", {})),
    )
    if "profile" in raw:
        config.profile = raw["profile"]
    if profiles is not None:
        config.profiles = profiles
    return config


_PROFILE_FIELDS = frozenset(f.name for f in dataclasses.fields(Profile))
_CONFIG_FIELDS = frozenset(f.name for f in dataclasses.fields(AppConfig))
