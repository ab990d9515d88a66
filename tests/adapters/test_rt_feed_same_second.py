"""Request Tracker's change feed and its one-second clock (issue 18 item 1).

``LastUpdated`` counts whole seconds, so a ticket changed twice within one
second looks unchanged to a cursor that skips what it reported at that second.
A scripted RT (tickets with ``LastUpdated`` and a server clock sent as
``Date``) shows the feed never loses such a change, repeats it at most once
(flagged ``repeat``), and does not repeat what was read after its second ended.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from triage_tui.adapters.rt import changes as feed
from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind

T0 = datetime(2026, 12, 7, 9, 0, 0, tzinfo=UTC)


@dataclass
class ScriptedRt:
    """Tickets' ``LastUpdated`` (whole seconds, as RT stores it) and RT's clock."""

    now: datetime = T0
    updated: dict[str, datetime] = field(default_factory=dict)
    created: dict[str, datetime] = field(default_factory=dict)
    send_date: bool = True
    searches: int = 0
    #: Orders tickets updated in the same second afresh on every search, ``id`` only
    #: when the search asks for it: RT promises no order for ties in ``LastUpdated``
    #: (its database may answer each ``LIMIT``/``OFFSET`` differently).
    ties: random.Random | None = None

    def touch(self, tid: str, after: float = 0.0) -> None:
        self.now += timedelta(seconds=after)
        self.updated[tid] = self.now.replace(microsecond=0)

    def create(self, tid: str) -> None:
        self.touch(tid)
        self.created[tid] = self.updated[tid]

    async def search(self, params: Mapping[str, Any]) -> tuple[Any, datetime | None]:
        self.searches += 1
        query = str(params["query"])
        stamp = query.split("'")[-2]
        shape = "%Y-%m-%d %H:%M:%S" if " " in stamp else "%Y-%m-%d"
        floor = datetime.strptime(stamp, shape).replace(tzinfo=UTC)
        strict = "LastUpdated >" in query and ">=" not in query
        rows = [
            (when, int(tid)) for tid, when in self.updated.items()
            if when > floor or (when == floor and not strict)
        ]  # fmt: skip
        orderby = params.get("orderby")
        by_id = isinstance(orderby, list | tuple) and "id" in orderby
        if self.ties is not None and not by_id:
            self.ties.shuffle(rows)
            rows.sort(key=lambda row: row[0])
        else:
            rows.sort()
        order = params.get("order")
        if (order[0] if isinstance(order, list | tuple) else order) == "DESC":
            rows.reverse()
        per_page = int(params.get("per_page", 100))
        page = int(params.get("page", 1))
        chunk = rows[(page - 1) * per_page : page * per_page]
        old = datetime(2026, 1, 1, tzinfo=UTC)
        items = [
            {"id": tid, "Status": "open",
             "Created": self.created.get(str(tid), old).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "LastUpdated": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
            for when, tid in chunk
        ]  # fmt: skip
        date = self.now.replace(microsecond=0) if self.send_date else None
        return {"items": items}, date


async def poll(rt: ScriptedRt, cursor: str | None, limit: int = 100) -> ChangeBatch:
    return await feed.changes_since(rt.search, "", cursor, limit)


async def read_all(rt: ScriptedRt, cursor: str, limit: int = 100) -> tuple[list[Change], str]:
    found: list[Change] = []
    for _ in range(50):
        batch = await poll(rt, cursor, limit)
        found += batch.changes
        cursor = batch.cursor
        if batch.complete:
            return found, cursor
    raise AssertionError("never complete")


async def test_a_second_change_within_the_reported_second_is_not_lost() -> None:
    """Issue 18 item 1: reply, poll, reply again in the same second: the second
    reply is reported (as a repeat) by the first poll after that second ended."""
    rt = ScriptedRt()
    rt.touch("1")
    rt.now += timedelta(seconds=3)
    start = (await poll(rt, None)).cursor
    rt.touch("7", after=1.1)
    first, cursor = await read_all(rt, start)
    assert [(c.ticket_id, c.repeat) for c in first] == [("7", False)]
    rt.touch("7", after=0.3)  # same second: LastUpdated unchanged
    still_running, cursor = await read_all(rt, cursor)
    assert still_running == []  # the second has not ended: nothing yet
    rt.now += timedelta(seconds=2)
    after, cursor = await read_all(rt, cursor)
    assert [(c.ticket_id, c.repeat) for c in after] == [("7", True)]
    rt.now += timedelta(seconds=5)
    assert (await read_all(rt, cursor))[0] == []  # at most one repeat


async def test_a_change_read_after_its_second_ended_is_not_repeated() -> None:
    """Issue 18 item 1: the usual case (the poll comes seconds after the change):
    reported once, never again."""
    rt = ScriptedRt()
    rt.touch("1")
    rt.now += timedelta(seconds=3)
    start = (await poll(rt, None)).cursor
    rt.touch("4", after=3)
    rt.now += timedelta(seconds=4)
    changes, cursor = await read_all(rt, start)
    assert [(c.ticket_id, c.repeat) for c in changes] == [("4", False)]
    rt.now += timedelta(seconds=10)
    assert (await read_all(rt, cursor))[0] == []


async def test_a_newer_update_proves_the_earlier_second_ended() -> None:
    """Issue 18 item 1: without a ``Date`` (and this host's clock behind RT's, so it
    cannot tell), owed ids are settled by the first poll that sees a later second."""
    # On a whole second, so "within its second" below (0.1 s later) stays within it.
    ahead = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    rt = ScriptedRt(send_date=False, now=ahead)
    rt.touch("1")
    start = (await poll(rt, None)).cursor
    rt.touch("2", after=1.0)
    changes, cursor = await read_all(rt, start)
    assert [(c.ticket_id, c.repeat) for c in changes] == [("1", True), ("2", False)]
    rt.touch("2", after=0.1)  # changed again within its second
    rt.touch("3", after=1.0)
    changes, cursor = await read_all(rt, cursor)
    assert [(c.ticket_id, c.repeat) for c in changes] == [("2", True), ("3", False)]


async def test_the_start_second_is_owed_too() -> None:
    """Issue 18 item 1: a ticket in the second the feed started in, changed again
    within it, is reported once that second ends."""
    rt = ScriptedRt()
    rt.touch("5")
    start = (await poll(rt, None)).cursor
    rt.touch("5", after=0.2)
    rt.now += timedelta(seconds=3)
    changes, _ = await read_all(rt, start)
    assert [(c.ticket_id, c.repeat) for c in changes] == [("5", True)]


async def test_limit_one_makes_progress_through_one_busy_second() -> None:
    """Issue 18 item 1: bounded per call; owed repeats never stall the cursor."""
    rt = ScriptedRt()
    rt.touch("1")
    rt.now += timedelta(seconds=3)
    start = (await poll(rt, None)).cursor
    rt.now += timedelta(seconds=1)
    for tid in ("10", "11", "12"):
        rt.touch(tid, after=0.01)
    changes, cursor = await read_all(rt, start, limit=1)
    assert sorted(c.ticket_id for c in changes) == ["10", "11", "12"]
    rt.now += timedelta(seconds=3)
    repeats, cursor = await read_all(rt, cursor, limit=1)
    assert sorted(c.ticket_id for c in repeats) == ["10", "11", "12"]
    assert all(c.repeat for c in repeats)
    assert (await read_all(rt, cursor, limit=1))[0] == []


async def test_a_cursor_from_before_owed_ids_still_resumes() -> None:
    """Cursors saved by the previous version (no owed part) resume as before."""
    rt = ScriptedRt()
    rt.touch("1")
    rt.touch("2", after=5)
    rt.now += timedelta(seconds=5)
    old = f"rt:{(T0).strftime('%Y-%m-%d %H:%M:%S')}|1"
    changes, _ = await read_all(rt, old)
    assert [(c.ticket_id, c.repeat) for c in changes] == [("2", False)]
    assert feed.decode("rt:2026-12-07 09:00:00|1,2|2") is not None
    assert feed.decode("rt:2026-12-07 09:00:00|1|\x1b") is None


async def test_a_ticket_rt_touched_after_creating_it_is_still_new() -> None:
    """Issue 18 items 1-2: RT often updates a ticket a second after creating it (a
    Due or Priority set, a scrip's auto-reply), so Created differs from LastUpdated;
    the feed still reports it as created, and a later change to it as an update."""
    rt = ScriptedRt()
    rt.touch("1")
    start = await poll(rt, None)
    rt.create("2")
    rt.touch("2", after=1)
    rt.touch("1", after=1)
    found, cursor = await read_all(rt, start.cursor)
    rt.now += timedelta(seconds=5)
    repeats, cursor = await read_all(rt, cursor)
    found += repeats
    kinds = {c.ticket_id: c.kind for c in found if not c.repeat}
    assert kinds == {"2": ChangeKind.CREATED, "1": ChangeKind.UPDATED}
    rt.touch("2", after=1)
    rt.now += timedelta(seconds=5)
    later, _ = await read_all(rt, cursor)
    assert [(c.ticket_id, c.kind) for c in later if not c.repeat] == [("2", ChangeKind.UPDATED)]


async def test_limit_one_reports_every_ticket_of_a_second_whatever_order_rt_gives_ties() -> None:
    """Issue 18 item 1: three replies within one second, read one change per call, with
    RT ordering the tied tickets differently on every search: none is skipped. (Read
    by pages of one, a tie seen on page 1 could come back on page 2 and hide the
    other; the real RT 5 lost a reply that way under load.)"""
    for seed in range(40):
        rt = ScriptedRt(ties=random.Random(seed))
        rt.touch("1")
        rt.now += timedelta(seconds=3)
        start = (await poll(rt, None)).cursor
        rt.now += timedelta(seconds=1)
        for tid in ("198", "200", "202"):
            rt.touch(tid, after=0.01)
        rt.touch("204", after=1.0)  # the next second: the cursor moves past the tie
        changes, _ = await read_all(rt, start, limit=1)
        assert {c.ticket_id for c in changes if not c.repeat} == {"198", "200", "202", "204"}, seed
