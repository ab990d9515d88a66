"""Two consoles and the verbs on one data directory: whose write is whose, what a
killed process left, and nothing stuck behind a conflict without saying so.

The consoles are two Textual apps in one test (``run_test``) on the same
``TRIAGE_DATA_DIR`` and helpdesk db; the verbs are real ``python -m triage_tui``
processes, one of them killed with SIGKILL mid-delivery by an injected fault.
The store checked at the end is the local helpdesk's db. The consoles run on
the real clock: the verbs' processes stamp the outbox with it.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TextArea

from tests.fakes.fake_time import until
from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, move_to_ticket, settle
from tests.ui.test_outbox_console import banner, messages, send_default
from triage_tui import session
from triage_tui.adapters.local.adapter import LocalHelpdesk
from triage_tui.config import Profile
from triage_tui.domain.clock import SystemClock
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.delivery_policy import RetryPolicy
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.conflict import ConflictScreen
from triage_tui.ui.screens.outbox import OutboxScreen
from triage_tui.ui.widgets.offline_banner import OfflineBanner

#: A verb whose helpdesk write lands and whose process is then killed (kill -9)
#: before the outbox hears back; or killed before anything left (``claim``).
KILLED_VERB = """
import os, signal, sys
from triage_tui.cli import main
from triage_tui.adapters.local.adapter import LocalHelpdesk
from triage_tui.engine.outbox import Outbox

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[1] == "after-write":
    write = LocalHelpdesk.reply
    async def reply(self, ticket_id, body):
        await write(self, ticket_id, body)
        die()
    LocalHelpdesk.reply = reply
else:
    Outbox.claim = die
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """One data directory and no config file, for the consoles here and the verbs."""
    env = dict(os.environ)
    for name, folder in (("TRIAGE_DATA_DIR", "data"), ("TRIAGE_CONFIG_DIR", "config")):
        (tmp_path / folder).mkdir()
        monkeypatch.setenv(name, str(tmp_path / folder))
        env[name] = str(tmp_path / folder)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    env.pop("TRIAGE_CONFIG", None)
    return env


def console(db: Path) -> TriageApp:
    """A console on the outbox file ``triage`` and the verbs use, with no undo window
    and a short settle time (the look for a killed write's effect)."""
    clock = SystemClock()
    ctx = session.resolve(db=db)
    inner = LocalHelpdesk(ctx.adapter_options, clock=clock)
    key = session.buffered(inner, ctx, mode="console").outbox_path.stem
    helpdesk = BufferedHelpdesk(
        inner, key, hold_seconds=0, rng=random.Random(5), policy=RetryPolicy(settle=0.2)
    )
    return TriageApp(
        helpdesk,
        # No live poll: it would re-read the open ticket and show a colleague's change
        # before Send (tests/ui/test_live_queue.py); the collision met at delivery is
        # what these tests are about.
        profile=Profile(agent="Sam Agent", undo_seconds=0, poll_seconds=3600),
        clock=clock,
        tick_seconds=3600,
    )


async def verb(env: dict[str, str], *argv: str, killed: str | None = None) -> int:
    args = ["-c", KILLED_VERB, killed, *argv] if killed else ["-m", "triage_tui", *argv]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert killed or process.returncode == 0, err.decode()
    return process.returncode or 0


def notices(app: TriageApp) -> list[str]:
    return [n.message for n in app._notifications]


def status_of(db: Path, ticket_id: str) -> str:
    return str(db_rows(db, "SELECT status FROM tickets WHERE id=?", ticket_id)[0][0])


def store(app: TriageApp) -> ob.Outbox:
    helpdesk = app.helpdesk
    assert isinstance(helpdesk, BufferedHelpdesk)
    return helpdesk.outbox


async def pick_row(pilot: Pilot, screen: OutboxScreen, entry_id: str) -> None:
    row = next(i for i, e in enumerate(screen.entries) if e.id == entry_id)
    screen.query_one(DataTable).move_cursor(row=row)
    await pilot.pause()


async def test_two_consoles_and_the_verbs_share_one_outbox(
    demo_db: Path, shared: dict[str, str]
) -> None:
    db = str(demo_db)
    first = console(demo_db)
    async with first.run_test(size=(120, 40)) as one:
        screen = await settle(one)
        tid = await move_to_sendable(one, screen)
        before = status_of(demo_db, tid)

        # (a) A script replies and solves the ticket this console has open.
        await verb(shared, "reply-ticket", tid, "Answered from a script.", "--db", db)
        await verb(shared, "update-ticket", tid, "--status", "on_hold", "--db", db)
        draft = screen.query_one("#draft", TextArea).text
        await send_default(one)  # reply + status pending, against the ticket as first read
        said = notices(first)
        assert not any("Responded" in line for line in said)
        (line,) = [line for line in said if line.startswith(f"Reply to {tid} ")]
        assert line.startswith(f"Reply to {tid} is held: the ticket changed since you opened it")
        assert "Answered from a script." in line and line.endswith("— o to resolve")
        box = store(first)
        await until(lambda: any(e.state == om.CONFLICT for e in box.entries()), what="collision")
        reply_a = next(e for e in box.entries() if e.state == om.CONFLICT)
        assert any("Answered from a script." in c for c in reply_a.conflict or [])
        assert messages(demo_db, tid, draft) == 0  # not sent over the script's reply
        assert status_of(demo_db, tid) == "on_hold" != before  # the script's status stands
        assert "action(s) need you" in await banner(one, OfflineBanner)

        # (b) Two verbs killed with kill -9: one after its reply reached the helpdesk,
        # one before anything left; both leave an entry owned by a dead pid.
        # The running console takes over what they left (its periodic look).
        rows = [r.id for r in screen.query_one("#queue").rows if r.id != tid]  # type: ignore[attr-defined]
        landed, never = rows[2], rows[3]
        await verb(
            shared,
            "reply-ticket",
            landed,
            "Landed, then killed.",
            "--send-anyway",
            "--db",
            db,
            killed="after-write",
        )
        await verb(
            shared,
            "reply-ticket",
            never,
            "Killed before sending.",
            "--send-anyway",
            "--db",
            db,
            killed="before",
        )
        assert messages(demo_db, landed, "Landed, then killed.") == 1
        left = {
            e.ticket_id: e
            for e in box.entries()
            if e.origin == om.VERB and e.ticket_id in rows[2:4]
        }
        for entry in left.values():
            assert entry.session is not None and not om.owner_alive(entry.session, "me")
        await until(
            lambda: (
                box.get(left[landed].id).state == om.DELIVERED  # type: ignore[union-attr]
                and box.get(left[never].id).state == om.FAILED
            ),  # type: ignore[union-attr]
            what="the dead verbs' entries taken over",
        )
        taken, refused = box.get(left[landed].id), box.get(left[never].id)
        assert taken is not None and "not sent again" in (taken.last_error or "")
        assert refused is not None and "stopped before sending it" in (refused.last_error or "")
        assert messages(demo_db, landed, "Landed, then killed.") == 1  # not sent twice
        assert messages(demo_db, never, "Killed before sending.") == 0  # never behind its back
        # The never-sent entry does not block its ticket: later writes go out.
        await verb(shared, "close-ticket", never, "--note", "Checked after the crash.", "--db", db)
        assert status_of(demo_db, never) == "solved"

        second = console(demo_db)
        async with second.run_test(size=(120, 40)) as two:
            other = await settle(two)

            # (c) The second console replies on the ticket the first one's batch is stuck on.
            await move_to_ticket(two, other, tid)
            await settle(two)
            other.query_one("#draft", TextArea).text = "From the second console."
            await send_default(two)
            said = notices(second)
            assert not any("Responded" in line for line in said)
            assert said[-1] == (
                f"Reply to {tid} waits behind a conflict on an earlier write from another"
                " console — o to resolve"
            )
            await move_to_ticket(two, other, tid)  # Send moved on: back to the ticket
            text = await banner(two, OfflineBanner)
            assert "waits behind a conflict on an earlier write from another console" in text
            assert "press o to resolve" in text
            await two.pause(0.05)
            assert messages(demo_db, tid, "From the second console.") == 0  # still waiting
            mine = [
                e
                for e in store(second).for_ticket(tid, om.IN_FLIGHT)
                if e.session == second.helpdesk.session  # type: ignore[attr-defined]
            ]
            # Only the reply: the status shown (pending, queued by the first console) is kept.
            assert [e.kind for e in mine] == ["reply"]

            # The outbox screen says so; s lets it go without waiting.
            await two.press("o")
            await two.pause()
            outbox = second.screen
            assert isinstance(outbox, OutboxScreen)
            assert set(outbox.blocked) == {e.id for e in mine}
            await pick_row(two, outbox, mine[0].id)
            shown = str(outbox.query_one("#outbox-detail").render())
            assert "Waits behind a conflict on an earlier write from another console" in shown
            await two.press("s")
            await until(
                lambda: all(store(second).get(e.id).state == om.DELIVERED for e in mine),  # type: ignore[union-attr]
                what="the second console's reply",
            )
            assert messages(demo_db, tid, "From the second console.") == 1
            assert status_of(demo_db, tid) == "on_hold"  # the script's, still
            await two.press("escape")

        # The first console resolves its own collision: discard (d) from the outbox.
        await one.press("o")
        await one.pause()
        assert isinstance(first.screen, OutboxScreen)
        await pick_row(one, first.screen, reply_a.id)
        await one.press("enter")
        await one.pause()
        assert isinstance(first.screen, ConflictScreen)
        await one.press("d")
        await one.pause()
        assert {e.state for e in box.batch_entries(reply_a.batch)} == {om.CANCELLED}
        assert messages(demo_db, tid, draft) == 0
        assert status_of(demo_db, tid) == "on_hold"  # the script's status was never overwritten
        # Nothing is left waiting behind a decision, and nothing of anyone in flight.
        assert box.waiting() == []
        assert not [e for e in box.entries() if e.state in om.IN_FLIGHT]
