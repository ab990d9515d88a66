"""The queue's compact-row read path equals converting full tickets, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.adapters.base import Helpdesk
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.demo.generator import generate
from triage_tui.domain.enums import Status
from triage_tui.domain.models import QueueFilter
from triage_tui.domain.queue import QueueRow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rows") / "demo.db"
    generate(path, tickets=300, seed=11, now=FROZEN_NOW)
    return path


async def _both(
    helpdesk: Helpdesk, query: QueueFilter | None
) -> tuple[list[QueueRow], list[QueueRow]]:
    slow = [QueueRow.from_ticket(t) async for t in helpdesk.iter_queue(query)]
    fast = [r async for batch in helpdesk.iter_queue_rows(query, batch=50) for r in batch]
    return slow, fast


@pytest.mark.parametrize(
    "query",
    [
        None,
        QueueFilter(statuses=[Status.PENDING, Status.SOLVED]),
        QueueFilter(query="export"),
        QueueFilter(assignee="nobody-at-all"),
    ],
)
async def test_local_fast_path_equals_rows_from_tickets(
    demo: Path, query: QueueFilter | None
) -> None:
    async with LocalHelpdesk(LocalOptions(db=demo)) as helpdesk:
        helpdesk.page_size = 37  # several pages per status
        slow, fast = await _both(helpdesk, query)
    assert fast == slow
    if query is None:
        assert len(fast) > 100
        assert any(r.due == float("inf") for r in fast) and any(r.tags for r in fast)


async def test_default_iter_queue_rows_batches_iter_queue(demo: Path) -> None:
    """An adapter without a fast path gets rows from ``iter_queue`` in batches."""
    async with LocalHelpdesk(LocalOptions(db=demo)) as helpdesk:
        batches = [b async for b in Helpdesk.iter_queue_rows(helpdesk, batch=64)]
        slow = [QueueRow.from_ticket(t) async for t in helpdesk.iter_queue()]
    assert [len(b) for b in batches[:-1]] == [64] * (len(batches) - 1)
    assert [r for b in batches for r in b] == slow


async def test_first_rows_are_the_top_of_the_sorted_queue(demo: Path) -> None:
    """The console's first screen is what breaches first, before the whole queue is read."""
    async with LocalHelpdesk(LocalOptions(db=demo)).act_as("Sam") as helpdesk:
        everything = sorted(
            [r async for batch in helpdesk.iter_queue_rows() for r in batch], key=QueueRow.sort_key
        )
        first = await helpdesk.first_rows(40)
    assert first is not None
    assert sorted(first, key=QueueRow.sort_key) == everything[:40]
    assert all(r.status.is_active for r in first)


async def test_first_rows_of_an_older_database_use_the_index_added_on_open(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    generate(path, tickets=120, seed=3, now=FROZEN_NOW)
    with sqlite3.connect(path) as conn:  # as schema 1 left it: no due-time index
        conn.execute("DROP INDEX sla_targets_due")
        conn.execute("PRAGMA user_version = 1")
    async with LocalHelpdesk(LocalOptions(db=path)).act_as("Sam") as helpdesk:
        first = await helpdesk.first_rows(10)
    assert first is not None and len(first) == 10
    with sqlite3.connect(path) as conn:
        plan = " ".join(
            str(r)
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT ticket_id FROM sla_targets"
                " WHERE stage = 'active' ORDER BY due_at"
            )
        )
    assert "sla_targets_due" in plan


async def test_buffered_first_rows_leave_out_a_ticket_closed_in_the_outbox(
    demo: Path, tmp_path: Path
) -> None:
    from triage_tui.engine.buffered import BufferedHelpdesk

    inner = LocalHelpdesk(LocalOptions(db=demo)).act_as("Sam")
    helpdesk = BufferedHelpdesk(inner, "local-test", hold_seconds=600, data_dir=tmp_path)
    async with helpdesk:
        first = await helpdesk.first_rows(20)
        assert first is not None
        top = sorted(first, key=QueueRow.sort_key)[0]
        await helpdesk.set_status(top.id, Status.SOLVED)  # held in the outbox (undo window)
        again = await helpdesk.first_rows(20)
        assert again is not None and top.id not in {r.id for r in again}


async def test_adapters_without_a_cheap_first_screen_say_so(demo: Path) -> None:
    class Plain(LocalHelpdesk):
        first_rows = Helpdesk.first_rows  # the contract's default

    async with Plain(LocalOptions(db=demo)).act_as("Sam") as helpdesk:
        assert await helpdesk.first_rows(10) is None
