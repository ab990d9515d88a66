"""Resolution of profile, adapter and options shared by the verbs and the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui import paths, session
from triage_tui.domain.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_use_the_local_adapter_in_the_data_dir() -> None:
    ctx = session.resolve()
    assert (ctx.profile_name, ctx.adapter_name) == ("default", "local")
    assert ctx.db_path == paths.default_db()
    assert ctx.theme == "triage-dark"
    assert ctx.adapter_cls.name == "local"


def test_db_flag_beats_env_which_beats_the_profile(tmp_path: Path) -> None:
    config = _write(tmp_path, f'[profiles.default.options]\ndb = "{tmp_path / "profile.db"}"\n')
    assert session.resolve(config_path=config).db_path == tmp_path / "profile.db"
    env = {"TRIAGE_LOCAL_DB": str(tmp_path / "env.db")}
    assert session.resolve(config_path=config, environ=env).db_path == tmp_path / "env.db"
    flagged = session.resolve(config_path=config, environ=env, db=tmp_path / "flag.db")
    assert flagged.db_path == tmp_path / "flag.db"


def test_profile_flag_beats_env_and_file(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        'profile = "a"\n[profiles.a]\nteam = "A"\n'
        '[profiles.b]\nteam = "B"\ntheme = "triage-light"\n'
        '[profiles.c]\nteam = "C"\n',
    )
    assert session.resolve(config_path=config).profile.team == "A"
    assert session.resolve(config_path=config, environ={"TRIAGE_PROFILE": "b"}).profile.team == "B"
    ctx = session.resolve(config_path=config, environ={"TRIAGE_PROFILE": "b"}, profile="c")
    assert ctx.profile_name == "c"
    assert (
        session.resolve(config_path=config, profile="b", theme="triage-ansi").theme == "triage-ansi"
    )
    assert session.resolve(config_path=config, profile="b").theme == "triage-light"


def test_db_is_refused_for_an_adapter_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from triage_tui.adapters import registry
    from triage_tui.adapters.adapter_options import AdapterOptions
    from triage_tui.adapters.local.adapter import LocalHelpdesk

    class Remote(LocalHelpdesk):
        name = "remote"
        options_model = AdapterOptions

    real_load = registry.load
    monkeypatch.setattr(registry, "load", lambda n: Remote if n == "remote" else real_load(n))
    ctx = session.resolve(adapter="remote")
    assert ctx.db_path is None
    with pytest.raises(ConfigError, match="--db"):
        session.resolve(adapter="remote", db="/tmp/x.db")


async def test_open_helpdesk_opens_and_closes(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    ctx = session.resolve(db=tmp_path / "h.db")
    async with session.open_helpdesk(ctx, clock) as helpdesk:
        assert helpdesk.clock is clock
        assert [t async for t in helpdesk.iter_queue()] == []
    assert (tmp_path / "h.db").exists()
