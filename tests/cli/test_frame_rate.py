"""The console's frame rate: faster where the detail follows the cursor, Textual's default
over SSH."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner, fake_console
from triage_tui.cli import LOCAL_FPS


def _console_sees_fps(monkeypatch: pytest.MonkeyPatch, seen: list[str | None]) -> None:
    import os

    def fake_run(helpdesk, profile, config, theme=None, **_extra):  # type: ignore[no-untyped-def]
        seen.append(os.environ.get("TEXTUAL_FPS"))  # what Textual would read on import
        return 0

    fake_console(monkeypatch, fake_run)


@pytest.mark.parametrize(
    ("ssh", "fps"),
    [(None, LOCAL_FPS), ("10.0.0.2 51234 10.0.0.1 22", None)],
    ids=["local-follows-the-cursor", "over-ssh-enter-opens"],
)
def test_the_frame_rate_follows_where_the_console_runs(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch, ssh: str | None, fps: str | None
) -> None:
    # tests/conftest.py starts every test off SSH and without TEXTUAL_FPS.
    if ssh:
        monkeypatch.setenv("SSH_CONNECTION", ssh)
    seen: list[str | None] = []
    _console_sees_fps(monkeypatch, seen)
    result = run("--db", str(demo_db))
    assert result.code == 0, result.err
    assert seen == [fps]


def test_an_agents_own_frame_rate_wins(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    seen: list[str | None] = []
    _console_sees_fps(monkeypatch, seen)
    assert run("--db", str(demo_db)).code == 0
    assert seen == ["30"]
