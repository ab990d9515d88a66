"""Issue 18 item 7: ``engine.watch.Watcher``, the API ``triage watch`` and the lifecycle
hooks follow the feed through — on the local helpdesk and on the fake Zendesk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.adapters.contract import seed_local_db
from tests.adapters.remote_factories import zendesk_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.zendesk.adapter import ZendeskHelpdesk
from triage_tui.domain.changes import ChangeKind
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.engine.changes import CursorFile, PollPolicy
from triage_tui.engine.watch import WatchBatch, Watcher


@pytest.fixture
async def local(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[LocalHelpdesk]:
    db = tmp_path / "helpdesk.db"
    seed_local_db(db, DEFAULT_SPEC)
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock).act_as("Sam")
    await helpdesk.open()
    yield helpdesk
    await helpdesk.close()


def watcher_on(
    helpdesk: LocalHelpdesk | ZendeskHelpdesk, clock: FrozenClock, **kw: object
) -> Watcher:
    return Watcher(helpdesk, clock=clock, policy=PollPolicy(5.0), **kw)  # type: ignore[arg-type]


async def test_listeners_get_each_change_with_its_ticket_in_order(
    local: LocalHelpdesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 18 item 7: each listener (plain or async) gets the batch, in the order
    they subscribed, each change with the ticket as re-read now; the cursor is saved
    after the last listener."""
    saved = CursorFile(tmp_path / "w.cursor")
    watcher = watcher_on(local, clock, cursor_file=saved)
    order: list[str] = []
    got: list[WatchBatch] = []

    def first(batch: WatchBatch) -> None:
        order.append("first")
        got.append(batch)
        assert saved.load() != batch.cursor  # not saved before every listener has it

    async def second(batch: WatchBatch) -> None:
        order.append("second")

    watcher.subscribe(first)
    watcher.subscribe(second)
    await watcher.once()  # starts now
    await local.set_priority("101", Priority.URGENT)
    await local.set_status("102", Status.SOLVED)
    await watcher.once()
    assert order == ["first", "second"]
    [batch] = got
    changes = [(w.change.ticket_id, w.change.kind) for w in batch.changes]
    # Solving also ends the ticket's SLA: the local feed says so too.
    assert changes[:2] == [("101", ChangeKind.PRIORITY_CHANGED), ("102", ChangeKind.SOLVED)]
    tickets = {w.change.ticket_id: w.ticket for w in batch.changes}
    assert tickets["101"] is not None and tickets["101"].priority is Priority.URGENT
    assert tickets["102"] is not None and tickets["102"].status is Status.SOLVED
    assert saved.load() == batch.cursor == watcher.cursor


async def test_a_listener_that_fails_leaves_the_cursor_so_the_batch_comes_again(
    local: LocalHelpdesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 18 item 7: a hook that fails before it is done is handed the same changes
    on the next run."""
    saved = CursorFile(tmp_path / "w.cursor")
    watcher = watcher_on(local, clock, cursor_file=saved)
    await watcher.once()
    start = saved.load()
    await local.add_note("103", "checked")

    def broken(batch: WatchBatch) -> None:
        raise RuntimeError("hook crashed")

    watcher.subscribe(broken)
    with pytest.raises(RuntimeError):
        await watcher.once()
    assert saved.load() == start
    again: list[WatchBatch] = []
    later = watcher_on(local, clock, cursor_file=saved)
    later.subscribe(again.append)
    await later.once()
    assert [w.change.kind for w in again[0].changes] == [ChangeKind.MESSAGE_ADDED]


async def test_the_watcher_follows_the_fake_zendesk(clock: FrozenClock) -> None:
    """Issue 18 item 7: a colleague's change on Zendesk reaches the listener with the
    ticket re-read."""
    with FakeZendesk(clock) as fake:
        seed_zendesk(fake, DEFAULT_SPEC)
        async with ZendeskHelpdesk(zendesk_options(fake), clock) as zendesk:
            got: list[WatchBatch] = []
            watcher = watcher_on(zendesk, clock)
            watcher.subscribe(got.append)
            await watcher.once()
            clock.advance(timedelta(seconds=5))
            with fake.lock:
                fake.tickets[103]["priority"] = "urgent"
                fake.touch(103)
            await watcher.once()
    [watched] = [w for batch in got for w in batch.changes]
    assert watched.change.ticket_id == "103"
    assert watched.ticket is not None and watched.ticket.priority is Priority.URGENT
