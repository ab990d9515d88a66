"""Collision checks, offline mode, undo and the verbs' synchronous delivery."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.engine.outbox_rig import buffered, rig
from tests.fakes.fake_time import FakeTime, until
from tests.fakes.faulty import Fault, FaultyServer
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import Conflict, InvalidInput, Unreachable
from triage_tui.engine import outbox_model as om
from triage_tui.engine.actions import send_reply
from triage_tui.engine.buffered import VERB_MODE


async def test_someone_else_replied_holds_the_reply_until_the_agent_decides(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        detail = await r.helpdesk.get_ticket(tid)
        r.server.add_message(tid, "Dana Reyes", "customer", "Any news? It is urgent now.")
        await send_reply(r.helpdesk, detail.ticket, "We are looking into it.", Status.PENDING)
        await until(lambda: any(e.state == om.CONFLICT for e in r.entries()))
        reply, status = sorted(r.entries(), key=lambda e: e.seq)
        assert reply.conflict == ["Dana Reyes (customer) wrote: “Any news? It is urgent now.”"]
        assert status.state == om.PENDING  # waits for its reply, is not sent alone
        assert r.posts() == 0
        r.helpdesk.send_anyway(reply.id)
        await r.settled()
        assert {e.state for e in r.entries()} == {om.DELIVERED}
        assert r.server.tickets[tid]["status"] == "pending"
        assert r.server.bodies(tid)[-1] == "We are looking into it."


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"status": "solved"}, "Status changed from open to solved"),
        ({"assignee": "Alex Kim"}, "Taken by Alex Kim"),
    ],
)
async def test_status_change_or_taken_ticket_is_a_collision(
    tmp_path: Path,
    clock: FrozenClock,
    change: dict,
    line: str,  # type: ignore[type-arg]
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[1]
        await r.helpdesk.get_ticket(tid)
        r.server.update(tid, **change)
        await r.helpdesk.reply(tid, "Hello again.")
        await until(lambda: r.entries()[0].state == om.CONFLICT)
        assert r.entries()[0].conflict == [line]


async def test_our_own_earlier_writes_are_not_collisions(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        detail = await r.helpdesk.get_ticket(tid)
        await send_reply(r.helpdesk, detail.ticket, "First.", Status.PENDING)
        await r.helpdesk.reply(tid, "Second, written against the same view.")
        await r.settled()
        assert {e.state for e in r.entries()} == {om.DELIVERED}


async def test_optimistic_concurrency_catches_a_change_between_check_and_write(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """safe_update: the 409 for a change racing our write becomes a visible collision."""
    async with rig(tmp_path, clock, idempotent=True) as r:
        tid = r.tickets[0]
        await r.helpdesk.get_ticket(tid)
        r.server.before_write = lambda: r.server.add_message(
            tid, "Alex Kim", "agent", "I'll take this one."
        )
        await r.helpdesk.reply(tid, "On it.")
        await until(lambda: r.entries()[0].state == om.CONFLICT)
        assert r.entries()[0].conflict == ["Alex Kim replied: “I'll take this one.”"]
        assert "On it." not in r.server.bodies(tid)


async def test_offline_reads_come_from_the_cache_and_actions_wait_for_the_helpdesk(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        rows = [row async for page in r.helpdesk.iter_queue_rows() for row in page]
        await r.helpdesk.get_ticket(tid)
        await until(lambda: r.helpdesk.data_as_of() is not None, what="the queue cache")
        r.server.down = True
        clock.advance(600)
        offline_rows = [row async for page in r.helpdesk.iter_queue_rows() for row in page]
        assert [x.id for x in offline_rows] == [x.id for x in rows]
        assert not r.helpdesk.connectivity.online
        assert (clock.now() - r.helpdesk.data_as_of()).total_seconds() >= 600
        assert (await r.helpdesk.get_ticket(tid)).ticket.id == tid
        with pytest.raises(Unreachable, match="offline: ticket 1003 was not opened"):
            await r.helpdesk.get_ticket("1003")
        await r.helpdesk.set_status(tid, Status.PENDING)
        await r.helpdesk.reply(tid, "Queued while offline.")
        # The queued actions show in what the console reads.
        shown = await r.helpdesk.get_ticket(tid)
        assert shown.ticket.status is Status.PENDING
        assert (
            shown.messages[-1].body == "Queued while offline."
            and shown.messages[-1].author == "You (pending)"
        )
        await until(lambda: len(r.time.sleeps) > 3, what="a few retries")
        assert r.helpdesk.in_flight_count() == 2
        r.server.down = False
        await r.settled("delivery after the helpdesk came back")
        assert r.helpdesk.connectivity.online
        assert r.server.tickets[tid]["status"] == "pending"
        assert r.server.bodies(tid).count("Queued while offline.") == 1


async def test_opening_a_ticket_never_waits_for_the_cache_writing_the_queue(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """The cache writes the whole queue in a thread under its lock (~0.3 s at
    64 000 rows); the ticket just opened is saved on the cache's own thread, so
    neither the event loop nor the pool the helpdesk's reads run on (a small one
    here) waits behind that lock, and an offline read finds it once written."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=2))
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        cache = r.helpdesk.cache
        assert cache is not None
        release = threading.Event()
        held = threading.Event()

        def write_the_queue() -> None:
            with cache._lock:
                held.set()
                release.wait(timeout=10)

        writer = threading.Thread(target=write_the_queue)
        writer.start()
        held.wait(timeout=5)
        try:
            detail = await r.helpdesk.get_ticket(tid)
            for other in r.tickets[1:]:
                await r.helpdesk.get_ticket(other)  # more saves waiting than pool threads
            assert await asyncio.wait_for(asyncio.to_thread(int, "7"), timeout=5) == 7
            assert not release.is_set() and writer.is_alive()  # all while the lock was held
        finally:
            release.set()
            writer.join()
        r.server.down = True
        assert (await r.helpdesk.get_ticket(tid)).ticket.id == detail.ticket.id


async def test_console_starts_offline_from_the_cache(tmp_path: Path, clock: FrozenClock) -> None:
    async with rig(tmp_path, clock) as r:
        [row async for page in r.helpdesk.iter_queue_rows() for row in page]
        await until(lambda: r.helpdesk.data_as_of() is not None)
        r.server.down = True
        later = buffered(r.server, r.data_dir, clock, r.time)
        await later.open()
        try:
            assert not later.connectivity.online
            rows = [row async for page in later.iter_queue_rows() for row in page]
            assert len(rows) == 3
        finally:
            await later.close()
    server = FaultyServer(clock).start()
    server.down = True
    try:
        empty = buffered(server, tmp_path / "other", clock, FakeTime(clock))
        with pytest.raises(Unreachable):
            await empty.open()  # nothing cached: offline start is an error, as before
    finally:
        server.stop()


async def test_undo_cancels_the_batch_within_the_window_and_returns_the_draft(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock, hold=10, auto=False) as r:
        tid = r.tickets[0]
        detail = await r.helpdesk.get_ticket(tid)
        drafts = r.helpdesk.drafts
        assert drafts is not None
        drafts.changed(tid, "Typed reply.", lambda: None)
        await send_reply(r.helpdesk, detail.ticket, "Typed reply.", Status.SOLVED)
        assert {e.state for e in r.entries()} == {om.HELD}
        r.time.advance(4)
        await until(lambda: r.time.sleeps != [], what="the deliverer to wait")
        assert {e.state for e in r.entries()} == {om.HELD}
        cancelled = r.helpdesk.undo_last()
        assert sorted(e.kind for e in cancelled) == ["reply", "status"]
        assert drafts.get(tid)["body"] == "Typed reply." and drafts.get(tid)["state"] == "editing"
        r.time.advance(30)
        await send_reply(r.helpdesk, detail.ticket, "Second try.", Status.SOLVED)
        r.time.advance(10)
        await r.settled()
        assert r.posts() == 2  # the second reply and its status; the undone batch never left
        assert "Typed reply." not in r.server.bodies(tid)
        assert r.server.tickets[tid]["status"] == "solved"


async def test_verbs_deliver_before_returning_and_keep_the_helpdesks_errors(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock, mode=VERB_MODE) as r:
        tid = r.tickets[0]
        await r.helpdesk.get_ticket(tid)
        r.server.fail_next(Fault.DROP)
        message = await r.helpdesk.reply(tid, "From a script.")
        assert message.body == "From a script." and r.server.bodies(tid)[-1] == "From a script."
        assert r.time.sleeps == [5.0]  # the verbs' settle time before looking again
        r.server.update(tid, status="closed")
        await r.helpdesk.get_ticket(tid)
        with pytest.raises(InvalidInput, match="ticket is closed"):
            await r.helpdesk.reply(tid, "Too late.")
        r.server.update(tid, status="open")
        r.server.add_message(tid, "Dana Reyes", "customer", "Hello?")
        with pytest.raises(Conflict, match="changed since it was read: Dana Reyes"):
            await r.helpdesk.reply(tid, "Blind reply.")
        r.server.fail_next(Fault.ERROR, times=5)
        await r.helpdesk.get_ticket(tid)
        with pytest.raises(Exception, match="500"):
            await r.helpdesk.set_status(tid, Status.PENDING)
        states = [e.state for e in sorted(r.entries(), key=lambda e: e.seq)]
        assert states == [om.DELIVERED, om.FAILED, om.CONFLICT, om.FAILED]


async def test_another_sessions_delivered_writes_are_someone_elses(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """A script on the same data dir replies and changes the status: the console's reply
    written against its earlier read is a collision, not "ours"."""
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        await r.helpdesk.get_ticket(tid)  # the console's view
        script = buffered(r.server, r.data_dir, clock, r.time, mode=VERB_MODE)
        await script.open()
        try:
            await script.get_ticket(tid)
            await script.reply(tid, "Handled by the script.")
            await script.set_status(tid, Status.SOLVED)
        finally:
            await script.close()
        assert r.helpdesk.holdup(tid) is None  # nothing of ours recorded yet
        await r.helpdesk.reply(tid, "Console reply.")
        assert (r.helpdesk.holdup(tid) or "").startswith("is held: the ticket changed")
        await until(lambda: any(e.state == om.CONFLICT for e in r.entries()))
        (mine,) = [e for e in r.entries() if e.session == r.helpdesk.session]
        assert mine.conflict == [
            "Sam Agent replied: “Handled by the script.”",
            "Status changed from open to solved",
        ]
        assert "Console reply." not in r.server.bodies(tid)


async def test_a_verb_takes_over_what_a_dead_console_left_on_its_ticket(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[1]
        await r.helpdesk.deliverer.stop()  # the console "dies": nothing of it runs any more
        (left,) = r.helpdesk.outbox.add(
            [om.NewEntry(tid, "status", {"status": "pending"})], owner="999999:gone"
        )
        script = buffered(r.server, r.data_dir, clock, r.time, mode=VERB_MODE)
        await script.open()
        try:
            await script.add_note(tid, "From the script.")
        finally:
            await script.close()
        after = r.helpdesk.outbox.get(left.id)
        assert after is not None and after.state == om.DELIVERED
        assert r.server.tickets[tid]["status"] == "pending"
        assert r.server.bodies(tid)[-1] == "From the script."  # after the older write
