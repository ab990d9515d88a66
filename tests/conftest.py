"""Shared fixtures: every test runs with isolated config/data dirs and a frozen clock."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triage_tui.domain.clock import FrozenClock

#: The instant every deterministic test, snapshot and screenshot is taken at.
FROZEN_NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never read or write the developer's real config or helpdesk."""
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    for name in (
        "TRIAGE_CONFIG",
        "TRIAGE_PROFILE",
        "TRIAGE_ADAPTER",
        "TRIAGE_LOCAL_DB",
        "TRIAGE_TEAM_DIR",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    # The detail pane's default (``preview = "auto"``) depends on being in an
    # SSH session: tests run as on a local terminal unless they say otherwise.
    for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    # A console started in a test sets TEXTUAL_FPS (``cli.console._local_frame_rate``):
    # set then removed here, monkeypatch undoes that too, and no later test's
    # pty child inherits it.
    monkeypatch.setenv("TEXTUAL_FPS", "")
    monkeypatch.delenv("TEXTUAL_FPS")
    return tmp_path


@pytest.fixture(autouse=True)
def private_umask() -> Iterator[None]:
    """Files a test writes are private, as ``triage`` makes its own (umask 077 at entry):
    otherwise every command would first tighten them, with a notice on stderr. The
    private-files tests set the usual umask 022 themselves."""
    old = os.umask(0o077)
    yield
    os.umask(old)


@pytest.fixture(autouse=True)
def collector_as_python_leaves_it() -> Iterator[None]:
    """A console or verb run in-process tunes the garbage collector for the rest
    of its process (``triage_tui.collector``); not for the next test's."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_NOW)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (../shared/data is not part of the repository)")
    return path
