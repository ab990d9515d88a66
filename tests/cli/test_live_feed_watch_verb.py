"""``triage watch``: the change feed headless, as subprocesses on one --db (issue 18 item 7)."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

#: A safety net against a hang, not a timing assertion.
READ_DEADLINE_S = 60.0


def triage(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage_tui", *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.default]\npoll_seconds = 1\n")
    return str(path)


def start_watch(config: str, db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "--config", config, "watch", "--json", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def read_lines(process: subprocess.Popen[str], until: Any) -> list[dict[str, Any]]:
    """JSON lines from ``process`` until ``until(lines)`` holds."""
    assert process.stdout is not None
    lines: list[dict[str, Any]] = []
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not until(lines):
            assert selector.select(READ_DEADLINE_S), f"watch printed nothing more: {lines}"
            text = process.stdout.readline()
            assert text, f"watch ended: {process.stderr.read() if process.stderr else ''}"
            lines.append(json.loads(text))
    return lines


def kinds(lines: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(line["ticket_id"], line["kind"]) for line in lines if "kind" in line]


def create(db: str, subject: str, priority: str = "urgent") -> str:
    made = triage(
        "create-ticket", "--db", db, "--subject", subject, "--body", "It stopped.",
        "--requester", "ivy@new.example", "--priority", priority, "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    ticket_id: str = json.loads(made.stdout)["ticket"]["id"]
    return ticket_id


def test_watch_once_then_watch_see_each_change_once_across_restarts(
    demo_db: Path, config: str
) -> None:
    """Issue 18 item 7: another process creates, replies and solves; `watch --once
    --json` prints each once with the ticket as it is now, a following `watch`
    prints only what came after (no repeats), sees writes made while it was down
    and while it runs (no gaps), and SIGTERM ends it cleanly with the cursor saved."""
    db = str(demo_db)
    first = triage("--config", config, "watch", "--once", "--json", "--db", db)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")  # starts now

    new_id = create(db, "Export stuck at 99%")
    assert triage("reply-ticket", new_id, "Looking into it now", "--db", db).returncode == 0
    assert triage("update-ticket", "1001", "--status", "solved", "--db", db).returncode == 0

    once = triage("--config", config, "watch", "--once", "--json", "--db", db)
    assert once.returncode == 0, once.stderr
    lines = [json.loads(line) for line in once.stdout.splitlines()]
    seen = kinds(lines)
    assert seen.count((new_id, "created")) == 1
    assert seen.count((new_id, "message_added")) == 1
    assert seen.count(("1001", "solved")) == 1
    created = next(line for line in lines if line["kind"] == "created")
    assert created["ticket"]["subject"] == "Export stuck at 99%"
    assert created["ticket"]["priority"] == "urgent"
    # The ticket as it is now (after the reply), as get-ticket tells it.
    now = json.loads(triage("get-ticket", new_id, "--db", db, "--json").stdout)["ticket"]
    for key in ("status", "sla_state", "sla_due_at"):
        assert created["ticket"][key] == now[key]
    assert created["cursor"]

    # Written while nothing watches: the next watch must still print it, once.
    assert triage("update-ticket", "1002", "--priority", "urgent", "--db", db).returncode == 0
    watcher = start_watch(config, db)
    try:
        early = read_lines(watcher, lambda got: ("1002", "priority_changed") in kinds(got))
        assert ("1002", "priority_changed") in kinds(early)
        later_id = create(db, "Login loop on mobile", "high")
        late = read_lines(watcher, lambda got: (later_id, "created") in kinds(got))
        assert late[-1]["ticket"]["subject"] == "Login loop on mobile"
        printed = kinds(early + late)
        assert not {(new_id, "created"), (new_id, "message_added"), ("1001", "solved")} & set(
            printed
        )  # nothing --once printed comes again
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=30) == 0
        assert watcher.stderr is not None and watcher.stderr.read() == ""
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()

    after = triage("--config", config, "watch", "--once", "--json", "--db", db)
    assert after.returncode == 0, after.stderr
    assert (later_id, "created") not in kinds(
        [json.loads(line) for line in after.stdout.splitlines()]
    )


def test_watch_text_lines_are_terminal_safe_and_ctrl_c_exits_130_quietly(
    demo_db: Path, config: str
) -> None:
    """Issue 18 item 7: a subject with an escape sequence is printed visibly escaped,
    one line per change with id, kind, actor, priority, status, SLA and subject; Ctrl-C
    ends the watch with 130 and nothing on stderr."""
    db = str(demo_db)
    assert triage("--config", config, "watch", "--once", "--db", db).returncode == 0
    new_id = create(db, "Refund \x1b[2J\x07 now")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "--config", config, "watch", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert watcher.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(watcher.stdout, selectors.EVENT_READ)
            assert selector.select(READ_DEADLINE_S)
            line = watcher.stdout.readline()
        assert f"#{new_id}  created  by ivy  urgent  new  SLA " in line
        assert line.rstrip("\n").endswith("Refund ␛[2J␇ now")
        assert "\x1b" not in line and "\x07" not in line
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=30) == 130
        assert watcher.stderr is not None and watcher.stderr.read() == ""
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["watch", "--bogus"], "unrecognized arguments: --bogus"),
        (["watch", "--once", "--db", "/nonexistent/nowhere.db"], "no helpdesk at"),
    ],
    ids=["bad flag", "missing db"],
)
def test_watch_usage_errors_are_one_line_exit_2(argv: list[str], words: str) -> None:
    """Issue 18 item 7: a bad flag or a missing --db is one line on stderr, exit 2,
    nothing on stdout and no helpdesk created."""
    result = triage(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("triage: error: ")
    assert words in result.stderr
    assert not Path("/nonexistent/nowhere.db").exists()
