"""The real console in a pseudo-terminal, killed at the worst moments.

The faulty loopback helpdesk is plugged in the way any third-party adapter
is — an entry point in a ``*.dist-info`` on ``PYTHONPATH`` — so the console
under test is the installed ``triage`` code path from argument parsing on.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.faulty import Fault, FaultyServer
from tests.fakes.pty_console import F7, PtyConsole, wait_for
from triage_tui.domain.clock import SystemClock

ROOT = Path(__file__).resolve().parents[1]
LEAVE_ALT_SCREEN = b"\x1b[?1049l"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


@pytest.fixture
def server() -> Iterator[FaultyServer]:
    helpdesk = FaultyServer(SystemClock()).start()
    for n in range(3):
        helpdesk.add_ticket(f"Printer on fire #{n}", requester=f"Dana Reyes{n or ''}")
    yield helpdesk
    helpdesk.stop()


@pytest.fixture
def env(tmp_path: Path, server: FaultyServer) -> dict[str, str]:
    site = tmp_path / "site" / "triage_faulty_fake-0.1.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: triage-faulty-fake\nVersion: 0.1\n"
    )
    (site / "entry_points.txt").write_text(
        "[triage_tui.adapters]\nfaulty = tests.fakes.faulty_adapter:FaultyHelpdesk\n"
    )
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        '[profiles.default]\nadapter = "faulty"\nagent = "Sam"\nundo_seconds = 0\n'
        f'[profiles.default.options]\nurl = "{server.url}"\ntimeout = 5\n'
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    return {
        **clean,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)]),
        "TRIAGE_CONFIG_DIR": str(config),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
    }


def drafts(data: Path) -> dict[str, str]:
    found = {}
    for path in data.glob("drafts/*/*.json"):
        try:
            record = json.loads(path.read_text())
        except ValueError:
            continue  # never happens with atomic writes; tolerated while polling
        found[record["ticket_id"]] = record["body"]
    return found


def outbox_states(data: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in data.glob("outbox/*.sqlite3"):
        with sqlite3.connect(path) as conn:
            rows += conn.execute("SELECT kind, state FROM entries ORDER BY seq").fetchall()
    return rows


def start(env: dict[str, str], server: FaultyServer, opened: int) -> PtyConsole:
    """Start the console; wait until it has opened a ticket ``opened`` times in all."""
    console = PtyConsole(env, ROOT)

    def ticket_reads() -> int:
        return sum(1 for m, p in list(server.requests) if m == "GET" and p.count("/") == 3)

    wait_for(lambda: ticket_reads() >= opened, 30, "the console to open a ticket")
    return console


def test_kill_while_typing_and_while_delivering_loses_nothing_and_sends_once(
    tmp_path: Path, env: dict[str, str], server: FaultyServer
) -> None:
    data = tmp_path / "data"
    # 1. kill -9 while a draft is being typed.
    first = start(env, server, opened=1)
    try:
        first.send("e", pause=0.3)
        first.send_raw(F7)  # the whole template goes: no placeholder left to block Send
        first.send("Kept after kill minus nine.")
        wait_for(
            lambda: any("Kept after kill minus nine." in b for b in drafts(data).values()),
            5,
            "the draft to be autosaved",
        )
        first.send(" More")
        first.kill(signal.SIGKILL)
    finally:
        first.close()
    ((ticket_id, saved),) = drafts(data).items()

    # 2. The draft is back, with a notice; send it and kill -9 mid-delivery.
    second = start(env, server, opened=2)
    try:
        wait_for(lambda: "Kept after kill minus nine." in second.text(), 10, "the restored draft")
        wait_for(lambda: "Restored 1 unsent draft" in second.text(), 10, "the restore notice")
        server.fail_next(Fault.STALL)  # the reply is applied, the answer never comes
        second.send("s", pause=0.5)
        second.send("\r")
        wait_for(server.stalled.is_set, 10, "the reply to reach the helpdesk", screen=second.text)
        second.kill(signal.SIGKILL)
    finally:
        second.close()
    assert ("reply", "delivering") in outbox_states(data)
    server.release()

    # 3. The next start finds the reply on the ticket: delivered, not sent again.
    third = start(env, server, opened=3)
    try:
        wait_for(
            lambda: {s for _, s in outbox_states(data)} == {"delivered"}, 15, "the outbox to settle"
        )
        third.send("q")
        assert third.proc.wait(timeout=10) == 0
        assert LEAVE_ALT_SCREEN in third.raw()  # the terminal was restored
    finally:
        third.close()
    sent = [b for b in server.bodies(ticket_id) if "Kept after kill minus nine." in b]
    assert len(sent) == 1
    assert sent[0].startswith(saved.rstrip())  # what was typed before the kill, nothing lost
    posts = [p for m, p in server.requests if m == "POST"]
    assert posts == [f"/api/tickets/{ticket_id}/messages"]
    assert server.tickets[ticket_id]["status"] == "pending"  # the batch's status followed
    assert drafts(data) == {}  # delivered: the draft is gone


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_hangup_save_the_draft_and_leave_cleanly(
    tmp_path: Path, env: dict[str, str], server: FaultyServer, how: str
) -> None:
    console = start(env, server, opened=1)
    try:
        console.send("e", pause=0.3)
        console.send("Saved on the way", pause=0.01)
        wait_for(
            lambda: any("Saved on the way" in b for b in drafts(tmp_path / "data").values()),
            5,
            "the first autosave",
        )
        console.send(" out. END", pause=0.01)
        wait_for(lambda: "out. END" in console.text(), 5, "the keys to reach the editor")
        # The debounced save of " out. END" is still 0.5 s away: only the
        # signal handler can have written it.
        if how == "SIGTERM":
            assert console.kill(signal.SIGTERM) == 128 + signal.SIGTERM
            assert LEAVE_ALT_SCREEN in console.raw()
        else:
            console.hang_up()
    finally:
        console.close()
    assert any("Saved on the way out. END" in body for body in drafts(tmp_path / "data").values())
