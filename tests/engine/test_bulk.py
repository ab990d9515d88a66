"""Bulk actions against a real local helpdesk: preview, apply, undo, checked in SQLite."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import FROZEN_NOW
from tests.domain.row_factories import row
from triage_tui.adapters.base import Capabilities
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.demo import generator as demo
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import Unsupported
from triage_tui.domain.models import Escalation, QueueFilter
from triage_tui.domain.queue import QueueRow, sort_rows
from triage_tui.engine import bulk, bulk_preview
from triage_tui.engine.bulk import BulkResult
from triage_tui.engine.bulk_preview import BulkAction


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "helpdesk.db"
    demo.generate(path, tickets=120, seed=11, now=FROZEN_NOW)
    return path


@pytest.fixture
async def helpdesk(
    pristine: Path, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[LocalHelpdesk]:
    db = tmp_path / "h.db"
    shutil.copyfile(pristine, db)
    async with LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam") as hd:
        yield hd


async def _rows(hd: LocalHelpdesk) -> list[QueueRow]:
    rows = [QueueRow.from_ticket(t) async for t in hd.iter_queue(QueueFilter())]
    sort_rows(rows)
    return rows


def _db(hd: LocalHelpdesk, ids: list[str]) -> dict[str, tuple]:
    with sqlite3.connect(hd.db_path) as conn:
        got = conn.execute(
            f"SELECT id, status, priority, assignee, grp, tags FROM tickets WHERE id IN "
            f"({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4], tuple(json.loads(r[5]))) for r in got}


def test_preview_lists_every_change_and_the_risky_ones() -> None:
    rows = [
        row("1", vip=True, organization="Acme Corp"),
        row("2"),
        row("3", status=Status.SOLVED),
        row("4", tags=("refund",)),
    ]
    changes = bulk_preview.preview(rows, BulkAction.set_status(Status.SOLVED))
    assert [c.describe() for c in changes] == [
        "1 status open → solved",
        "2 status open → solved",
        "3 unchanged",
        "4 status open → solved",
    ]
    assert changes[0].warnings == ("closes a VIP ticket (Acme Corp)",)
    assert bulk_preview.warnings(changes) == [
        "closes 1 VIP ticket(s)",
        "1 ticket(s) already as asked: left unchanged",
    ]
    assert bulk_preview.confirmation(BulkAction.set_status(Status.SOLVED), changes) == (
        'Apply "status solved" to 3 tickets? (2 warnings)'
    )
    tagged = bulk_preview.preview(rows[3:], BulkAction.tag(add=["billing"], remove=["refund"]))
    assert tagged[0].describe() == "4 tags +billing -refund"
    many = bulk_preview.preview([row(str(i)) for i in range(51)], BulkAction.assign("Mei Chen"))
    assert bulk_preview.warnings(many) == ["51 tickets: more than 50 at once — check the selection"]
    assert many[0].describe() == "0 assignee (none) → Mei Chen"
    macro = BulkAction.macro(
        "refund_issued",
        tags=["refund"],
        status=Status.PENDING,
        replies={"2": "Hi Dana, done."},
        note="Refund issued",
    )
    [c1, c2] = bulk_preview.preview(rows[:2], macro)
    assert c1.reply is None and c2.reply == "Hi Dana, done."
    assert "reply (cannot be undone)" in c2.describe()
    assert bulk_preview.warnings([c1, c2])[:2] == [
        "sends 1 replies: replies cannot be undone",
        "adds 2 internal note(s) that stay after an undo",
    ]


async def test_status_batch_applies_then_undoes_as_one(helpdesk: LocalHelpdesk) -> None:
    rows = [r for r in await _rows(helpdesk) if r.status is Status.OPEN][:6]
    ids = [r.id for r in rows]
    before = _db(helpdesk, ids)
    changes = bulk_preview.preview(rows, BulkAction.set_status(Status.SOLVED))
    assert _db(helpdesk, ids) == before  # a preview writes nothing
    result = await bulk.apply(helpdesk, changes, action="status solved")
    assert [a.ticket_id for a in result.applied] == ids and not result.failed
    assert {v[0] for v in _db(helpdesk, ids).values()} == {"solved"}
    undone = await bulk.undo(helpdesk, result)
    assert undone.restored == tuple(reversed(ids)) and not undone.left_alone
    assert _db(helpdesk, ids) == before
    log = await helpdesk.list_events()
    applied = next(e for e in log if e.name == "bulk.applied")
    assert applied.payload["batch_id"] == result.batch_id and applied.payload["count"] == 6
    assert applied.payload["tickets"][0]["before"]["status"] == "open"
    assert [e.name for e in log][-1] == "bulk.undone"
    assert sum(e.name == "ticket.status_changed" for e in log) == 12


async def test_assign_and_tags_restore_exactly(helpdesk: LocalHelpdesk) -> None:
    rows = (await _rows(helpdesk))[:5]
    ids = [r.id for r in rows]
    before = _db(helpdesk, ids)
    first = await bulk.apply(
        helpdesk, bulk_preview.preview(rows, BulkAction.assign("Mei Chen", "tier2"))
    )
    rows = [r for r in await _rows(helpdesk) if r.id in ids]
    second = await bulk.apply(
        helpdesk,
        bulk_preview.preview(rows, BulkAction.tag(add=["sweep"], remove=[rows[0].tags[0]])),
    )
    now = _db(helpdesk, ids)
    assert all(v[2] == "Mei Chen" and v[3] == "tier2" and "sweep" in v[4] for v in now.values())
    assert rows[0].tags[0] not in now[ids[0]][4]
    await bulk.undo(helpdesk, second)
    await bulk.undo(helpdesk, first)
    assert _db(helpdesk, ids) == before


async def test_undo_leaves_a_colleagues_later_change_alone(helpdesk: LocalHelpdesk) -> None:
    rows = [r for r in await _rows(helpdesk) if r.status is Status.OPEN][:3]
    result = await bulk.apply(
        helpdesk, bulk_preview.preview(rows, BulkAction.set_status(Status.PENDING))
    )
    await helpdesk.set_status(rows[1].id, Status.ON_HOLD)  # someone else, meanwhile
    undone = await bulk.undo(helpdesk, result)
    assert undone.left_alone == ((rows[1].id, ("status",)),)
    db = _db(helpdesk, [r.id for r in rows])
    assert [db[r.id][0] for r in rows] == ["open", "on_hold", "open"]
    last = (await helpdesk.list_events())[-1]
    assert last.payload["left_alone"] == [{"id": rows[1].id, "fields": ["status"]}]


async def test_escalation_and_replies_are_listed_as_irreversible(helpdesk: LocalHelpdesk) -> None:
    rows = [r for r in await _rows(helpdesk) if r.priority is Priority.NORMAL][:2]
    esc = BulkAction.escalate(Escalation(reason="billing/refund", priority=Priority.HIGH))
    result = await bulk.apply(helpdesk, bulk_preview.preview(rows, esc))
    assert {v[1] for v in _db(helpdesk, [r.id for r in rows]).values()} == {"high"}
    undone = await bulk.undo(helpdesk, result)
    assert undone.irreversible == tuple(f"{r.id}: internal note" for r in reversed(rows))
    assert {v[1] for v in _db(helpdesk, [r.id for r in rows]).values()} == {"normal"}
    one = BulkAction(label="one reply", reply="We are on it.")
    replied = await bulk.apply(helpdesk, bulk_preview.preview(rows[:1], one))
    assert replied.applied[0].replied
    assert (await bulk.undo(helpdesk, replied)).irreversible == (f"{rows[0].id}: reply sent",)


async def test_undo_from_the_event_log_after_a_restart(helpdesk: LocalHelpdesk) -> None:
    rows = [r for r in await _rows(helpdesk) if r.status is Status.OPEN][:4]
    before = _db(helpdesk, [r.id for r in rows])
    await bulk.apply(helpdesk, bulk_preview.preview(rows, BulkAction.set_priority(Priority.URGENT)))
    event = next(e for e in await helpdesk.list_events() if e.name == "bulk.applied")
    await bulk.undo(helpdesk, BulkResult.from_payload(event.payload))
    assert _db(helpdesk, [r.id for r in rows]) == before


class NoTagsHelpdesk(LocalHelpdesk):
    capabilities: ClassVar[Capabilities] = Capabilities(tags=False)
    display_name: ClassVar[str] = "Tagless"


async def test_a_batch_the_helpdesk_cannot_do_is_refused_before_any_write(
    helpdesk: LocalHelpdesk, clock: FrozenClock
) -> None:
    rows = (await _rows(helpdesk))[:3]
    count = len(await helpdesk.list_events())
    async with NoTagsHelpdesk(LocalOptions(db=helpdesk.db_path), clock=clock) as bare:
        with pytest.raises(Unsupported, match="Tagless cannot apply this batch: no tags"):
            await bulk.apply(bare, bulk_preview.preview(rows, BulkAction.tag(add=["x"])))
    assert len(await helpdesk.list_events()) == count


async def test_a_vanished_ticket_fails_alone(helpdesk: LocalHelpdesk) -> None:
    rows = [r for r in await _rows(helpdesk) if r.status is Status.OPEN][:2]
    ghost = row("nope")
    result = await bulk.apply(
        helpdesk,
        bulk_preview.preview([rows[0], ghost, rows[1]], BulkAction.set_status(Status.PENDING)),
    )
    assert [a.ticket_id for a in result.applied] == [rows[0].id, rows[1].id]
    assert result.failed == (("nope", "ticket nope not found"),)
