"""Without a config file the defaults are constructed, not validated: the same config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from triage_tui import config


def _same(built: Any, validated: Any, where: str = "AppConfig") -> None:
    """Equal values of the same types, models compared field by field (set fields too)."""
    assert type(built) is type(validated), where
    if isinstance(validated, BaseModel):
        assert built.model_fields_set == validated.model_fields_set, where
        assert built.__pydantic_extra__ == validated.__pydantic_extra__, where
        assert built.__pydantic_private__ == validated.__pydantic_private__, where
        assert built.__dict__.keys() == validated.__dict__.keys(), where
        for name in type(validated).model_fields:
            _same(getattr(built, name), getattr(validated, name), f"{where}.{name}")
    elif isinstance(validated, dict):
        assert built.keys() == validated.keys(), where
        for key in validated:
            _same(built[key], validated[key], f"{where}[{key!r}]")
    else:
        assert built == validated, where


def test_load_without_a_file_equals_validated_defaults(tmp_path: Path) -> None:
    built = config.load(tmp_path / "missing.toml")
    _same(built, config.AppConfig())
    _same(built, config.AppConfig.model_validate({}))
    assert built == config.AppConfig()
    assert built.model_dump() == config.AppConfig().model_dump()


def test_constructed_defaults_share_no_mutable_state(tmp_path: Path) -> None:
    first, second = config.defaults(), config.defaults()
    first.profiles["default"].options["db"] = "/x.db"
    first.views["v"] = "status:open"
    first.escalation.routes["billing_refund"] = "billing"
    assert second == config.AppConfig()


def test_a_file_without_profiles_or_escalation_gets_the_same_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[views]\nmine = "status:open"\n', encoding="utf-8")
    loaded = config.load(path)
    _same(loaded.profiles, config.AppConfig().profiles, "profiles")
    _same(loaded.escalation, config.AppConfig().escalation, "escalation")
    assert loaded.model_fields_set == {"views"}
