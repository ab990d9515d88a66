"""``triage config path|init|show`` and how the config reaches the helpdesk."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from tests.cli.conftest import Runner
from triage_tui import config as config_mod


def test_config_path_points_into_the_config_dir(run: Runner, isolated_dirs: Path) -> None:
    result = run("config", "path")
    assert result.code == 0
    assert result.out.strip() == str(isolated_dirs / "config" / "config.toml")
    assert "config init" in result.err  # it does not exist yet


def test_config_init_then_path(run: Runner, isolated_dirs: Path) -> None:
    result = run("config", "init")
    assert result.code == 0, result.err
    path = Path(run("config", "path").out.strip())
    assert path.read_text() == config_mod.EXAMPLE
    assert str(path) in result.out
    assert tomllib.loads(path.read_text())["profiles"]["default"]["adapter"] == "local"
    assert run("config", "path").err == ""  # exists now


def test_config_init_refuses_to_overwrite_without_force(run: Runner) -> None:
    assert run("config", "init").code == 0
    path = Path(run("config", "path").out.strip())
    path.write_text('profile = "default"\n')
    result = run("config", "init")
    assert result.code == 2 and "--force" in result.err and len(result.err.splitlines()) == 1
    assert run("config", "init", "--force").code == 0
    assert path.read_text() == config_mod.EXAMPLE


def test_config_init_and_path_honour_explicit_config(run: Runner, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "triage.toml"
    assert run("--config", str(target), "config", "init").code == 0
    assert target.exists()
    assert run("--config", str(target), "config", "path").out.strip() == str(target)


def test_config_show_is_validated_and_redacts_secrets(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'profile = "work"\n'
        '[profiles.work]\nadapter = "local"\nteam = "Acme Care"\nagent = "Sam"\n'
        '[profiles.other]\nadapter = "zendesk"\n'
        '[profiles.other.options]\napi_token = "s3cret-value"\nsubdomain = "acme"\n'
    )
    config.chmod(0o600)  # a file holding a secret must be private (else refused)
    monkeypatch.setenv("TRIAGE_LOCAL_DB", str(tmp_path / "env.db"))
    result = run("--config", str(config), "config", "show")
    assert result.code == 0, result.err
    assert "s3cret-value" not in result.out and '"***"' in result.out
    assert "profile 'work', adapter 'local'" in result.out
    assert str(tmp_path / "env.db") in result.out
    assert 'agent = "Sam"' in result.out and 'subdomain = "acme"' in result.out
    data = run("--config", str(config), "config", "show", "--json").json()
    assert data["profile"] == "work" and data["adapter"] == "local"
    assert data["options"]["db"] == str(tmp_path / "env.db")
    assert data["config"]["profiles"]["other"]["options"]["api_token"] == "***"
    assert data["exists"] is True


def test_config_show_db_flag_beats_env(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_LOCAL_DB", str(tmp_path / "env.db"))
    data = run("config", "show", "--json", "--db", str(tmp_path / "flag.db")).json()
    assert data["options"]["db"] == str(tmp_path / "flag.db") and data["exists"] is False


def test_config_show_invalid_file_names_the_key(run: Runner, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[profiles.default]\nsend_status = 3\n")
    result = run("--config", str(config), "config", "show")
    assert result.code == 2 and "profiles.default.send_status" in result.err
    assert len(result.err.splitlines()) == 1


def test_redacted_masks_secret_looking_keys_only() -> None:
    data = {
        "token": "t",
        "nested": {"password": "p", "user": "u"},
        "api_key": "",
        "items": [{"secret": 1}],
    }
    assert config_mod.redacted(data) == {
        "token": "***",
        "nested": {"password": "***", "user": "u"},
        "api_key": "",
        "items": [{"secret": "***"}],
    }


def test_config_show_prints_valid_toml_that_validates_again(run: Runner, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        config_mod.EXAMPLE + '\n[profiles.work]\nteam = "W"\nsend_status = "solved"\n'
    )
    shown = run("--config", str(config), "config", "show").out
    parsed = tomllib.loads(shown)
    again = TypeAdapter(config_mod.AppConfig).validate_python(parsed)
    assert again == config_mod.load(config)


def test_config_show_neutralises_control_characters_and_stays_valid_toml(run: Runner) -> None:
    """A config file's strings and keys (an agent name, a view name) may carry C1
    controls or bidi overrides; ``config show`` prints them as TOML escapes."""
    assert run("config", "init").code == 0
    path = Path(run("config", "path").out.strip())
    path.write_text(
        'profile = "default"\n[profiles.default]\nagent = "Sam \\u009b2J \\u202eevil"\n'
        '[profiles.default.views]\n"bad\\u009bview" = "priority:high"\n'
    )
    result = run("config", "show")
    assert result.code == 0, result.err
    assert "\x9b" not in result.out and "\u202e" not in result.out and "\x1b" not in result.out
    shown = tomllib.loads(result.out.split("valid TOML):", 1)[1])
    assert shown["profiles"]["default"]["agent"] == "Sam \x9b2J \u202eevil"
    assert list(shown["profiles"]["default"]["views"]) == ["bad\x9bview"]
