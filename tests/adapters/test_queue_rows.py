"""The queue's compact-row read path equals converting full tickets, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.adapters.base import Helpdesk
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.local.demo import generate
from triage_tui.domain.models import QueueFilter, Status
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
