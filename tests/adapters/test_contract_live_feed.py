"""The change feed's contract (issue 18 item 1), run against every adapter that declares it.

Imported by ``tests/real/test_contract_real.py`` too, so the real RT and
django-helpdesk run the very same tests.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.adapters.contract import Seeded
from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import Unsupported


def news(changes: list[Change]) -> list[Change]:
    """The changes not flagged ``repeat``. A feed whose helpdesk counts whole seconds
    (RT) reports a ticket again, flagged, when it cannot tell whether it changed
    again within the second it was read in: a repeat is allowed, a loss is not."""
    return [c for c in changes if not c.repeat]


def needs_feed(helpdesk: Helpdesk) -> None:
    if not helpdesk.capabilities.change_feed:
        pytest.skip(f"{helpdesk.name} has no change feed")


async def read_all(helpdesk: Helpdesk, cursor: str, limit: int = 500) -> tuple[list[Change], str]:
    """Every change after ``cursor`` (following incomplete batches) and the cursor after."""
    changes: list[Change] = []
    for _ in range(50):
        batch = await helpdesk.changes_since(cursor, limit)
        assert not batch.resync
        assert len(batch.changes) <= limit
        changes += batch.changes
        cursor = batch.cursor
        if batch.complete:
            return changes, cursor
    raise AssertionError("the feed never completed")


async def read_until(
    helpdesk: Helpdesk, cursor: str, wanted: set[str], limit: int = 500, seconds: float = 6.0
) -> tuple[list[Change], str]:
    """Every change after ``cursor`` until all of ``wanted`` were reported, polling
    again for up to ``seconds``: a feed whose helpdesk counts whole seconds (RT)
    reports a change made within the second it last read once that second has
    ended — a poll soon after the write may not have it yet (never lost)."""
    changes, cursor = await read_all(helpdesk, cursor, limit)
    for _ in range(int(seconds / 0.5)):
        if wanted <= {c.ticket_id for c in changes}:
            break
        await asyncio.sleep(0.5)
        more, cursor = await read_all(helpdesk, cursor, limit)
        changes += more
    return changes, cursor


async def start(helpdesk: Helpdesk) -> str:
    batch = await helpdesk.changes_since(None)
    assert isinstance(batch, ChangeBatch) and batch.changes == () and not batch.resync
    assert isinstance(batch.cursor, str) and batch.cursor
    return batch.cursor


async def test_feed_starts_now_and_an_idle_poll_has_no_changes(seeded: Seeded) -> None:
    """Issue 18 item 1: None starts now (no changes); polling again with nothing
    written gives nothing, and the cursor still resumes."""
    needs_feed(seeded.helpdesk)
    cursor = await start(seeded.helpdesk)
    changes, after = await read_all(seeded.helpdesk, cursor)
    assert news(changes) == []
    assert news((await read_all(seeded.helpdesk, after))[0]) == []


async def test_feed_reports_a_reply_and_a_solve(seeded: Seeded) -> None:
    """Issue 18 item 1: a reply reads as a new message (or "updated" where the helpdesk
    cannot tell), a solve as solved (or a status change / "updated"); both tickets named."""
    helpdesk = seeded.helpdesk
    needs_feed(helpdesk)
    cursor = await start(helpdesk)
    replied, solved = seeded.tid("breached"), seeded.tid("sso")
    await helpdesk.reply(replied, "Looking into it now.")
    await helpdesk.set_status(solved, Status.SOLVED)
    changes, after = await read_until(helpdesk, cursor, {replied, solved})
    kinds: dict[str, set[ChangeKind]] = {}
    for change in changes:
        kinds.setdefault(change.ticket_id, set()).add(change.kind)
    assert kinds.get(replied, set()) & {ChangeKind.MESSAGE_ADDED, ChangeKind.UPDATED}
    assert kinds.get(solved, set()) & {
        ChangeKind.SOLVED,
        ChangeKind.STATUS_CHANGED,
        ChangeKind.UPDATED,
    }
    assert set(kinds) <= set(seeded.tickets.values())
    again = (await read_all(helpdesk, after))[0]
    assert news(again) == [] and {c.ticket_id for c in again} <= set(seeded.tickets.values())


async def test_feed_is_bounded_per_call_and_resumes_from_each_cursor(seeded: Seeded) -> None:
    """Issue 18 item 1: with ``limit`` 1, each call returns at most one change and says
    it is incomplete while more wait; following the cursors yields every ticket."""
    helpdesk = seeded.helpdesk
    needs_feed(helpdesk)
    cursor = await start(helpdesk)
    targets = [seeded.tid(key) for key in ("sso", "breached", "nosla")]
    for tid in targets:
        await helpdesk.reply(tid, "Checked.")
    first = await helpdesk.changes_since(cursor, 1)
    assert len(first.changes) == 1 and not first.complete
    changes, _ = await read_until(helpdesk, cursor, set(targets), limit=1)
    assert set(targets) <= {c.ticket_id for c in changes}


async def test_a_cursor_it_cannot_resume_asks_for_a_resync(seeded: Seeded) -> None:
    """Issue 18 item 1: a cursor from nowhere is not an error: resync, and a new cursor."""
    needs_feed(seeded.helpdesk)
    batch = await seeded.helpdesk.changes_since("not-a-cursor")
    assert batch.resync and batch.changes == () and batch.cursor
    assert news((await read_all(seeded.helpdesk, batch.cursor))[0]) == []


async def test_without_the_capability_the_feed_is_unsupported(seeded: Seeded) -> None:
    """Issue 18 item 1: the flag's other side."""
    if seeded.helpdesk.capabilities.change_feed:
        pytest.skip(f"{seeded.helpdesk.name} has a change feed")
    with pytest.raises(Unsupported):
        await seeded.helpdesk.changes_since(None)
