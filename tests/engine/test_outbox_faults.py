"""Every fault of the faulty helpdesk: nothing lost, nothing twice, the right waits.

Waits are read from the fake clock's record of sleeps, never measured; the
only real time spent is the client's 0.3 s timeout in the "hang" case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.outbox_rig import rig
from tests.fakes.fake_time import until
from tests.fakes.faulty import Fault
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
from triage_tui.engine import outbox_model as om
from triage_tui.engine.actions import send_reply


def effects_once(server) -> None:  # type: ignore[no-untyped-def]
    counts = server.effects()
    assert counts and max(counts.values()) == 1, counts


async def test_dropped_connection_is_retried_with_backoff_and_delivered_once(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        await r.helpdesk.get_ticket(tid)
        r.server.fail_next(Fault.DROP)
        await r.helpdesk.reply(tid, "We are on it.")
        await r.settled()
        (entry,) = r.entries()
        assert (entry.state, entry.attempts) == (om.DELIVERED, 2)
        assert r.server.bodies(tid).count("We are on it.") == 1
        effects_once(r.server)
        # No answer: the write may still be processed, so the check waits the 10 s
        # settle time (longer than the first backoff, 1–2 s) on the fake clock.
        assert r.time.sleeps[0] == 10.0
        assert r.server.injected == {"drop": 1}


async def test_server_errors_back_off_exponentially_then_deliver(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        r.server.fail_next(Fault.ERROR, times=3)
        await r.helpdesk.set_status(tid, Status.PENDING)
        await r.settled()
        (entry,) = r.entries()
        assert (entry.state, entry.attempts) == (om.DELIVERED, 4)
        assert r.server.tickets[tid]["status"] == "pending"
        waits = r.time.sleeps[:3]
        for n, wait in enumerate(waits, start=1):  # 2, 4, 8 s with equal jitter
            raw = 2.0 * 2 ** (n - 1)
            assert raw / 2 <= wait <= raw, waits
        effects_once(r.server)


@pytest.mark.parametrize(
    ("fault", "low", "high"),
    [(Fault.RATE, 7.0, 7.0), (Fault.RATE_DATE, 6.0, 7.0), (Fault.RATE_BARE, 30.0, 30.0)],
    ids=["retry-after-seconds", "retry-after-http-date", "no-retry-after"],
)
async def test_rate_limit_waits_as_the_helpdesk_says(
    tmp_path: Path, clock: FrozenClock, fault: Fault, low: float, high: float
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[1]
        r.server.fail_next(fault)
        await r.helpdesk.add_note(tid, "Checked the logs.")
        await r.settled()
        (entry,) = r.entries()
        assert entry.state == om.DELIVERED
        assert low <= r.time.sleeps[0] <= high, r.time.sleeps
        assert r.server.bodies(tid).count("Checked the logs.") == 1


async def test_rate_limit_pauses_every_entry_not_only_the_one_that_met_it(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        start = clock.now()
        r.server.fail_next(Fault.RATE)
        await r.helpdesk.set_status(r.tickets[0], Status.PENDING)
        await r.helpdesk.set_status(r.tickets[1], Status.PENDING)
        await r.settled()
        assert (clock.now() - start).total_seconds() >= 7
        writes = [p for m, p in r.server.requests if m == "PATCH"]
        assert len(writes) == 3  # the limited one, then both after the wait — not 2 before it


async def test_hang_past_the_timeout_checks_the_ticket_then_resends_once(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock, hang=0.6) as r:
        tid = r.tickets[0]
        await r.helpdesk.get_ticket(tid)
        r.server.fail_next(Fault.HANG)
        await r.helpdesk.reply(tid, "Still looking into it.")
        await r.settled()
        (entry,) = r.entries()
        assert (entry.state, entry.attempts) == (om.DELIVERED, 2)
        assert r.server.bodies(tid).count("Still looking into it.") == 1
        # After the timeout the next attempt read the ticket before writing again.
        methods = [m for m, _ in r.server.requests]
        assert methods[-3:] == ["GET", "GET", "POST"] or methods[-2:] == ["GET", "POST"]


async def test_write_applied_then_connection_cut_is_found_not_resent(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[0]
        await r.helpdesk.get_ticket(tid)
        r.server.fail_next(Fault.CUT)
        await r.helpdesk.reply(tid, "Refund issued.")
        await r.settled()
        (entry,) = r.entries()
        assert entry.state == om.DELIVERED
        assert "not sent again" in (entry.last_error or "")
        assert r.posts() == 1
        assert r.server.bodies(tid).count("Refund issued.") == 1
        assert entry.result is not None and entry.result["body"] == "Refund issued."


async def test_idempotent_helpdesk_gets_the_same_key_and_replays(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """With an idempotency mechanism a cut write is simply resent: the helpdesk replays it."""
    async with rig(tmp_path, clock, idempotent=True) as r:
        tid = r.tickets[0]
        r.server.fail_next(Fault.CUT)
        await r.helpdesk.add_note(tid, "Refund issued.")
        await r.settled()
        (entry,) = r.entries()
        assert entry.state == om.DELIVERED
        assert r.posts() == 2 and r.server.replays == 1
        assert not any(m == "GET" for m, _ in r.server.requests[-2:])  # no read needed
        assert r.server.bodies(tid).count("Refund issued.") == 1
        effects_once(r.server)


async def test_other_4xx_fails_at_once_with_the_helpdesks_message(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[2]
        r.server.update(tid, status="closed")
        await r.helpdesk.get_ticket(tid)
        await r.helpdesk.reply(tid, "Hello?")
        await until(lambda: r.entries()[0].state == om.FAILED)
        (entry,) = r.entries()
        assert entry.attempts == 1 and r.time.sleeps == []
        assert entry.last_error == (
            f"faulty helpdesk answered 422 to POST /api/tickets/{tid}/messages: "
            "ticket is closed: replies are not accepted"
        )


async def test_a_send_is_one_batch_and_the_status_waits_for_its_reply(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with rig(tmp_path, clock) as r:
        tid = r.tickets[2]
        r.server.update(tid, status="closed")  # the reply will be refused (422)
        detail = await r.helpdesk.get_ticket(tid)
        await send_reply(r.helpdesk, detail.ticket, "Done.", Status.SOLVED)
        await until(lambda: any(e.state == om.FAILED for e in r.entries()))
        reply, status = sorted(r.entries(), key=lambda e: e.seq)
        assert reply.batch == status.batch
        assert (reply.state, status.state) == (om.FAILED, om.PENDING)
        assert r.server.tickets[tid]["status"] == "closed"  # never set without the reply
        r.helpdesk.cancel(reply.id)
        assert {e.state for e in r.entries()} == {om.CANCELLED}


async def test_entry_interrupted_by_kill_is_checked_not_resent(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """A 'delivering' entry whose process died: found on the ticket → delivered, else sent once."""
    async with rig(tmp_path, clock) as r:
        landed, lost = r.tickets[0], r.tickets[1]
        for tid in (landed, lost):
            await r.helpdesk.get_ticket(tid)
        await r.helpdesk.deliverer.stop()
        outbox = r.helpdesk.outbox
        made = outbox.add(
            [
                om.NewEntry(landed, "reply", {"body": "Landed."}, base=_base(r, landed)),
                om.NewEntry(lost, "reply", {"body": "Lost."}, base=_base(r, lost)),
            ]
        )
        dead = "999999:gone"  # no such pid: the owner was killed
        for entry in made:
            assert outbox.claim(entry.id, dead) is not None
        r.server.add_message(landed, "Sam Agent", "agent", "Landed.")  # it had reached the helpdesk
        r.helpdesk._deliverer = None  # a fresh start of the console
        r.helpdesk.deliverer.start()
        await r.settled()
        states = {e.ticket_id: e for e in r.entries()}
        assert states[landed].state == states[lost].state == om.DELIVERED
        assert r.server.bodies(landed).count("Landed.") == 1
        assert r.server.bodies(lost).count("Lost.") == 1


def _base(r, ticket_id: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return r.helpdesk._seen[ticket_id].model_dump(mode="json")
