"""``triage changes``: the change feed as a verb, across processes on one --db."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def triage(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage_tui", *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_changes_since_sees_another_process_create_and_reply(demo_db: Path) -> None:
    """Issue 18 item 1: a second process runs create-ticket and reply-ticket on the same
    --db; `triage changes --since` (a third process) sees both, with the new cursor."""
    db = str(demo_db)
    start = triage("changes", "--db", db, "--json")
    assert start.returncode == 0, start.stderr
    first = json.loads(start.stdout)
    assert first["changes"] == [] and not first["resync"]

    created = triage(
        "create-ticket", "--db", db, "--subject", "Export stuck", "--body", "Help",
        "--requester", "ivy@new.example", "--priority", "urgent", "--json",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    new_id = json.loads(created.stdout)["ticket"]["id"]
    replied = triage("reply-ticket", new_id, "On it", "--db", db)
    assert replied.returncode == 0, replied.stderr

    seen = triage("changes", "--since", first["cursor"], "--db", db, "--json")
    assert seen.returncode == 0, seen.stderr
    batch = json.loads(seen.stdout)
    kinds = [(c["ticket_id"], c["kind"]) for c in batch["changes"]]
    assert kinds[0] == (new_id, "created")
    assert (new_id, "message_added") in kinds
    assert (new_id, "sla_changed") in kinds  # the reply achieved the first-reply target
    assert batch["complete"] and batch["cursor"] != first["cursor"]

    again = triage("changes", "--since", batch["cursor"], "--db", db, "--json")
    assert json.loads(again.stdout)["changes"] == []


def test_changes_without_since_resumes_from_the_saved_cursor(demo_db: Path, tmp_path: Path) -> None:
    """Issue 18 item 1: the cursor is persisted per profile (0600) so the next run resumes."""
    db = str(demo_db)
    assert triage("changes", "--db", db).returncode == 0  # starts now, saves the cursor
    solved = triage("update-ticket", "1001", "--status", "solved", "--db", db)
    assert solved.returncode == 0, solved.stderr
    text = triage("changes", "--db", db)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert any("#1001" in line and "solved" in line for line in lines)
    assert lines[-1].startswith("cursor ")
    saved = list((tmp_path / "data" / "changes").glob("*.cli.cursor"))
    assert len(saved) == 1 and saved[0].stat().st_mode & 0o777 == 0o600
    assert saved[0].read_text().strip() == lines[-1].split()[1]
    assert triage("changes", "--db", db).stdout.splitlines() == [lines[-1]]


def test_changes_follow_prints_a_change_made_while_it_runs(demo_db: Path, tmp_path: Path) -> None:
    """Issue 18 item 1: `--follow --json` keeps polling and prints each change as a line."""
    config = tmp_path / "config.toml"
    config.write_text("[profiles.default]\npoll_seconds = 1\n")
    db = str(demo_db)
    # Saves the watch cursor first (--follow is triage watch): the follower resumes
    # from it, so the change below is reported whether it lands before its first poll.
    assert triage("--config", str(config), "watch", "--once", "--db", db).returncode == 0
    follower = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "--config", str(config), "changes", "--follow",
         "--json", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert triage("update-ticket", "1002", "--priority", "urgent", "--db", db).returncode == 0
        assert follower.stdout is not None
        line = json.loads(follower.stdout.readline())
        assert (line["ticket_id"], line["kind"]) == ("1002", "priority_changed")
        assert line["cursor"]
    finally:
        follower.terminate()
        follower.wait(timeout=30)


def test_changes_errors_are_one_line(demo_db: Path, tmp_path: Path) -> None:
    """Issue 18 item 3: a poll_seconds out of range is one line, no traceback."""
    config = tmp_path / "config.toml"
    config.write_text("[profiles.default]\npoll_seconds = 0.5\n")
    bad = triage("--config", str(config), "changes", "--db", str(demo_db))
    assert bad.returncode not in (0, 70)
    assert bad.stderr.count("\n") == 1 and "poll_seconds" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "999999", "9" * 5000], ids=["foreign", "future", "huge"]
)
def test_changes_from_a_cursor_it_cannot_resume_says_resync(demo_db: Path, cursor: str) -> None:
    """Issue 18 item 1: an unknown or future cursor (a replaced database) asks for a resync."""
    result = triage("changes", "--since", cursor, "--db", str(demo_db), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["resync"] and data["changes"] == []
