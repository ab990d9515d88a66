"""``triage doctor`` checks presence's team directory (issue 18 item 5)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fakes.presence import team_directory
from tests.test_doctor import doctor
from triage_tui.cli import main
from triage_tui.domain.clock import FrozenClock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


@pytest.fixture
def local_demo(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    db = tmp_path / "demo.db"
    assert main(["demo", "--tickets", "20", "--db", str(db)], clock=clock) == 0
    capsys.readouterr()
    monkeypatch.setenv("TRIAGE_LOCAL_DB", str(db))
    return db


def test_presence_line_only_with_a_team_dir(
    local_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18 item 5: no team directory, no presence line; a group-shared
    setgid one is ✓ naming its group; through the profile's ``team_dir`` too."""
    monkeypatch.delenv("TRIAGE_TEAM_DIR", raising=False)
    code, lines = doctor(capsys, clock)
    assert code == 0 and "presence" not in lines
    team = team_directory(tmp_path)
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.default]\nteam_dir = "{team}"\n')
    code, lines = doctor(capsys, clock)
    assert code == 0
    assert lines["presence"].startswith("✓ presence") and "shared with group" in lines["presence"]


@pytest.mark.parametrize(
    ("make", "said", "fix"),
    [
        (lambda p: None, "does not exist", "install -d -m 2770 -g"),
        (lambda p: (p.mkdir(), os.chmod(p, 0o777)), "open to every user", "chmod o-rwx"),
        (lambda p: p.write_text("x"), "not a directory", "install -d"),
        (lambda p: (p.mkdir(), os.chmod(p, 0o770)), "not setgid", "chmod g+s"),
    ],
    ids=["missing", "world-open", "a-file", "no-setgid"],
)
def test_an_unusable_team_dir_is_one_warning_line_with_its_fix(
    local_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    make: object,
    said: str,
    fix: str,
) -> None:
    """Issue 18 item 5: a team directory presence cannot use is a warning (the
    console works without it) on one line with the fix; the exit stays 0."""
    team = tmp_path / "team"
    make(team)  # type: ignore[operator]
    monkeypatch.setenv("TRIAGE_TEAM_DIR", str(team))
    code, lines = doctor(capsys, clock)
    assert code == 0
    line = lines["presence"]
    assert line.startswith("! presence") and said in line and fix in line
