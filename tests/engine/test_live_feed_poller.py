"""The change feed's engine side: ``ChangePoller`` on a real local helpdesk."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.adapters.contract import seed_local_db
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.fake_time import FakeTime
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain.changes import ChangeBatch, ChangeKind
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import RateLimited, TriageError, Unreachable, Unsupported
from triage_tui.engine.changes import (
    MAX_BACKOFF_SECONDS,
    ChangePoller,
    CursorFile,
    cursor_path,
    default_interval,
)


class Flaky(LocalHelpdesk):
    """The local helpdesk whose next polls fail with ``errors``, in order."""

    errors: list[TriageError]

    async def changes_since(self, cursor: str | None, limit: int = 500) -> ChangeBatch:
        if self.errors:
            raise self.errors.pop(0)
        return await super().changes_since(cursor, limit)


@pytest.fixture
async def local(tmp_path: Path, clock: FrozenClock) -> LocalHelpdesk:
    db = tmp_path / "helpdesk.db"
    seed_local_db(db, DEFAULT_SPEC)
    helpdesk = Flaky(LocalOptions(db=db), clock).act_as("Sam")
    helpdesk.errors = []
    await helpdesk.open()
    yield helpdesk  # type: ignore[misc]
    await helpdesk.close()


async def test_batches_reach_the_callback_and_the_cursor_is_saved_private(
    local: LocalHelpdesk, tmp_path: Path
) -> None:
    """Issue 18 item 1/3: a write lands in a batch handed to the callback; the cursor is
    saved (0600) after it, and a new poller on the same file resumes there."""
    saved = CursorFile(cursor_path("key", "console", tmp_path / "data"))
    seen: list[ChangeBatch] = []
    poller = ChangePoller(local, seen.append, interval=5, cursor_file=saved)
    assert await poller.poll_once() and seen == []  # from now: nothing yet
    await local.set_status("101", Status.SOLVED)
    await poller.poll_once()
    assert [(c.ticket_id, c.kind) for c in seen[0].changes][0] == ("101", ChangeKind.SOLVED)
    assert saved.load() == poller.cursor == seen[0].cursor
    assert saved.path.stat().st_mode & 0o777 == 0o600

    await local.reply("102", "Looking now")
    later: list[ChangeBatch] = []
    await ChangePoller(local, later.append, interval=5, cursor_file=saved).poll_once()
    assert [c.kind for c in later[0].changes][0] == ChangeKind.MESSAGE_ADDED


async def test_a_callback_that_fails_keeps_the_cursor_so_nothing_is_lost(
    local: LocalHelpdesk,
) -> None:
    """Issue 18 item 3: the cursor moves past a batch only once the callback took it."""

    def refuse(batch: ChangeBatch) -> None:
        raise RuntimeError("the UI was busy")

    poller = ChangePoller(local, refuse, interval=5)
    await poller.poll_once()
    start = poller.cursor
    await local.add_note("101", "internal")
    with pytest.raises(RuntimeError):
        await poller.poll_once()
    assert poller.cursor == start
    got: list[ChangeBatch] = []
    poller.on_batch = got.append
    await poller.poll_once()
    assert got[0].changes[0].kind is ChangeKind.MESSAGE_ADDED


async def test_more_than_one_call_worth_is_read_in_bounded_batches(local: LocalHelpdesk) -> None:
    """Issue 18 item 1: with ``limit`` 2, five changes arrive as 2 + 2 + 1, the first
    two batches marked incomplete, in one poll."""
    got: list[ChangeBatch] = []
    poller = ChangePoller(local, got.append, interval=5, limit=2)
    await poller.poll_once()
    for ticket in ("101", "102", "103", "104", "105"):
        await local.tag(ticket, add=["seen"])
    await poller.poll_once()
    assert [len(b.changes) for b in got] == [2, 2, 1]
    assert [b.complete for b in got] == [False, False, True]
    assert [c.ticket_id for b in got for c in b.changes] == ["101", "102", "103", "104", "105"]


async def test_errors_back_off_and_a_good_poll_resets_the_interval(
    local: Flaky, clock: FrozenClock
) -> None:
    """Issue 18 item 3: failed polls wait 2×, 4×… the interval (capped; Retry-After if
    longer), each error is reported, and polling resumes at the interval."""
    time = FakeTime(clock)
    heard: list[str] = []
    local.errors = [Unreachable("down"), Unreachable("down"), RateLimited("slow", 400.0)]
    poller = ChangePoller(
        local, lambda b: None, interval=5, sleep=time.sleep, on_error=lambda e: heard.append(str(e))
    )

    async def stop_after_five_waits() -> None:
        while len(time.sleeps) < 5:
            await asyncio.sleep(0)
        poller.stop()

    await asyncio.gather(poller.run(), stop_after_five_waits())
    assert time.sleeps[:5] == [10.0, 20.0, 400.0, 5.0, 5.0]
    assert heard == ["down", "down", "slow"]
    assert poller.failures == 0
    assert poller.next_wait(Unreachable("x")) <= MAX_BACKOFF_SECONDS


async def test_a_helpdesk_without_a_feed_ends_the_run(tmp_path: Path) -> None:
    """Issue 18 item 3: ``Unsupported`` is not retried forever."""
    from tests.adapters.contract import MinimalHelpdesk

    poller = ChangePoller(MinimalHelpdesk(), lambda b: None, interval=1)
    with pytest.raises(Unsupported):
        await poller.run()


def test_default_interval_local_and_remote(local: LocalHelpdesk) -> None:
    """Issue 18 item 6: 2 s for the local helpdesk, 30 s for a remote one without a
    documented limit."""
    from tests.adapters.contract import MinimalHelpdesk

    assert default_interval(local) == 2.0
    assert default_interval(MinimalHelpdesk()) == 30.0


def test_an_unreadable_or_foreign_cursor_file_starts_now(tmp_path: Path) -> None:
    """Issue 18 item 1: a damaged cursor file is not sent to the helpdesk."""
    saved = CursorFile(tmp_path / "c.cursor")
    assert saved.load() is None
    saved.path.write_bytes(b"\x1b[2J\n")
    assert saved.load() is None
    assert saved.save("42") and saved.load() == "42"
