"""The real console in a pseudo-terminal follows another process's changes (issue 18).

``triage`` runs on a demo helpdesk in a pty whose screen pyte emulates
(``benchmarks/pty_screen.py``); a colleague's ``triage`` verbs (another
process, another agent) create an urgent ticket, reply on the ticket open in
the console and solve a ticket on screen. With no key pressed, the screen
then shows all three.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ROOT = Path(__file__).resolve().parents[1]
TICKET_TITLE = re.compile(r"Ticket #(\d+)")
QUEUE_ROW = re.compile(r"#(\d+)\s")
TITLE_OPEN = re.compile(r"Queue · (\d+) open")
SUBJECT = "Checkout down LIVEQUEUE"
REPLY = "Colleague reply LIVEQUEUE"


def _env(tmp_path: Path, name: str, agent: str) -> dict[str, str]:
    config = tmp_path / name
    config.mkdir()
    (config / "config.toml").write_text(
        f'[profiles.default]\nagent = "{agent}"\npoll_seconds = 1\npreview = "follow"\n'
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "SSH_"))}
    return {
        **clean,
        "PYTHONPATH": str(ROOT),
        "TRIAGE_CONFIG_DIR": str(config),
        "TRIAGE_DATA_DIR": str(tmp_path / f"data-{name}"),
        "TERM": "xterm-256color",
    }


def triage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "triage_tui", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], dict[str, str]]]:
    db = tmp_path / "helpdesk.db"
    me = _env(tmp_path, "me", "Sam Rivera")
    mei = _env(tmp_path, "mei", "Mei Chen")
    triage(me, "demo", "--db", str(db), "--tickets", "60")
    yield db, me, mei


def queue_rows(lines: list[str], width: int) -> list[tuple[int, str]]:
    """(screen line, ticket id) of the queue rows on screen: the left pane's lines
    with a ``#id`` where the ticket column is."""
    found = []
    for y, line in enumerate(lines):
        match = QUEUE_ROW.search(line[:width])
        if match and match.start() < 24:
            found.append((y, match.group(1)))
    return found


def test_console_follows_another_process_with_no_key_pressed(
    desk: tuple[Path, dict[str, str], dict[str, str]],
) -> None:
    """Issue 18 items 2-4, the done-when: a new urgent ticket enters in SLA order
    with its marker, the open ticket shows the reply and a notice, the solved
    ticket leaves, the title counts match, the cursor stays on its ticket."""
    from benchmarks.pty_screen import Terminal

    db, me, mei = desk
    argv = [sys.executable, "-m", "triage_tui", "--db", str(db)]
    with Terminal(argv, 120, 40, me, cwd=str(ROOT)) as term:
        assert term.wait_for(lambda t: TICKET_TITLE.search(t.text()) is not None, 60)
        # Move off the first row: the cursor's ticket is the open one (preview follows).
        term.send(b"jjj")
        assert term.wait_for(lambda t: _open_id(t.lines()) == _cursor_id(t), 20)
        term.settle(0.5)
        lines = term.lines()
        open_id = _open_id(lines)
        assert open_id is not None and open_id == _cursor_id(term)
        before = [tid for _, tid in queue_rows(lines, 60)]
        solved = next(tid for tid in before if tid != open_id)
        title = TITLE_OPEN.search(term.text())
        assert title is not None
        total = int(title.group(1))

        created = json.loads(
            triage(
                mei,
                "--db",
                str(db),
                "create-ticket",
                "--json",
                "--subject",
                SUBJECT,
                "--body",
                "Nothing loads.",
                "--requester",
                "ops@example.com",
                "--priority",
                "urgent",
            )  # fmt: skip
        )
        new_id = str(created["ticket"]["id"])
        triage(mei, "--db", str(db), "reply-ticket", open_id, REPLY, "--send-anyway")
        triage(mei, "--db", str(db), "update-ticket", solved, "--status", "solved")

        def followed(t: Terminal) -> bool:
            text = t.text()
            shown = [tid for _, tid in queue_rows(t.lines(), 60)]
            counted = TITLE_OPEN.search(text)
            return (
                counted is not None
                and int(counted.group(1)) == total  # one in, one out
                and f"new {SUBJECT[:10]}" in text
                and solved not in shown
                and "Mei Chen replied" in text
                and REPLY[:12] in text
            )

        assert term.wait_for(followed, 20), term.text()
        term.settle(0.3)
        lines = term.lines()
        shown = [tid for _, tid in queue_rows(lines, 60)]
        assert new_id in shown
        # SLA order: the rows on screen in the order `triage queue` lists them.
        listed = json.loads(triage(mei, "--db", str(db), "queue", "--json", "--limit", "0"))
        order = [t["id"] for t in listed["tickets"]]
        assert shown == [tid for tid in order if tid in set(shown)]
        # The title counts the rows shown: one in, one out.
        title = TITLE_OPEN.search(term.text())
        assert title is not None
        assert int(title.group(1)) == total == listed["total"], (solved, new_id, term.text())
        # The cursor and the open ticket did not move (the pane's title shows once
        # the alert's notice, drawn over it, has gone).
        assert term.wait_for(lambda t: _open_id(t.lines()) is not None, 20)
        assert _open_id(term.lines()) == open_id == _cursor_id(term)


def _open_id(lines: list[str]) -> str | None:
    for line in lines:
        match = TICKET_TITLE.search(line)
        if match:
            return match.group(1)
    return None


def _cursor_id(term: object) -> str | None:
    """The ticket of the queue row drawn in the cursor's colours (its background
    differs from every other row's)."""
    lines = term.lines()  # type: ignore[attr-defined]
    rows = queue_rows(lines, 60)
    if not rows:
        return None
    colours: dict[str, list[str]] = {}
    for y, tid in rows:
        colours.setdefault(term.bg(y, 30), []).append(tid)  # type: ignore[attr-defined]
    odd = [tids[0] for tids in colours.values() if len(tids) == 1]
    return odd[0] if len(odd) == 1 else None
