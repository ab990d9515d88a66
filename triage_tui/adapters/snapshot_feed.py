"""A change feed for helpdesks without one: the diff of periodic re-reads of the queue.

Gleap's and django-helpdesk's APIs offer no "changed since" listing, so their
``changes_since`` re-reads the active queue (``iter_queue``) and compares each
ticket with the previous read. What it can see follows from that, and is
declared as ``Capabilities.change_feed_by_diff``:

* only tickets in the active queue: one that leaves it (solved, closed,
  deleted) is reported as ``updated`` (the reader fetches it to see how);
* kinds come from the compared fields (status, priority, assignee or group,
  SLA targets); any other change, a new message included, is ``updated``;
* the snapshot lives in this process: after a restart the saved cursor is
  unknown, and the first call answers ``resync`` and takes a new snapshot.

Each call that finds no pending changes costs one read of the whole queue.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage_tui.domain.changes import Change, ChangeBatch, ChangeKind
from triage_tui.domain.clock import Clock

if TYPE_CHECKING:
    from triage_tui.domain.models import Ticket

Fingerprint = tuple[Any, ...]


def _fingerprint(ticket: Ticket) -> Fingerprint:
    sla = tuple(sorted((t.metric, t.due_at, str(t.stage)) for t in ticket.sla))
    return (
        ticket.status,
        ticket.priority,
        (ticket.assignee, ticket.group),
        sla,
        ticket.updated_at,
        tuple(ticket.tags),
        ticket.subject,
        ticket.created_at,
    )


def _kinds(before: Fingerprint, after: Fingerprint) -> list[ChangeKind]:
    found = [
        kind
        for index, kind in (
            (0, ChangeKind.STATUS_CHANGED),
            (1, ChangeKind.PRIORITY_CHANGED),
            (2, ChangeKind.ASSIGNEE_CHANGED),
            (3, ChangeKind.SLA_CHANGED),
        )
        if before[index] != after[index]
    ]
    return found or [ChangeKind.UPDATED]


class SnapshotFeed:
    """``changes_since`` for an adapter whose ``read`` yields its active queue.

    Each change found gets the next sequence number; the cursor is the last one
    read. The last ``KEPT`` changes are kept, so any cursor of this process that
    is not older than them resumes (a caller may re-read from an older cursor).
    """

    KEPT = 10_000

    def __init__(self, read: Callable[[], AsyncIterator[Ticket]], clock: Clock) -> None:
        self._read = read
        self._clock = clock
        #: Cursors of another process (or an earlier run) are never taken for ours.
        self._token = uuid.uuid4().hex[:12]
        self._seq = 0
        #: The sequence number of the current baseline: older cursors resync.
        self._floor = 0
        self._log: deque[tuple[int, Change]] = deque(maxlen=self.KEPT)
        self._rows: dict[str, Fingerprint] | None = None
        self._taken: datetime | None = None

    def _cursor(self, seq: int) -> str:
        return f"diff:{self._token}:{seq}"

    def _position(self, cursor: str) -> int | None:
        """The sequence number of one of our cursors still resumable, else None."""
        prefix = f"diff:{self._token}:"
        tail = cursor.removeprefix(prefix)
        if tail == cursor or not (tail.isascii() and tail.isdigit()) or len(tail) > 19:
            return None
        if self._rows is None:
            return None
        seq = int(tail)
        oldest = self._log[0][0] - 1 if self._log else self._seq
        return seq if max(self._floor, oldest) <= seq <= self._seq else None

    async def _snapshot(self) -> tuple[dict[str, Fingerprint], datetime]:
        taken = self._clock.now()
        rows = {ticket.id: _fingerprint(ticket) async for ticket in self._read()}
        return rows, taken

    async def changes_since(self, cursor: str | None, limit: int) -> ChangeBatch:
        after = None if cursor is None else self._position(cursor)
        if after is None:
            # Start now, or a cursor that cannot be resumed: a new baseline.
            self._rows, self._taken = await self._snapshot()
            self._log.clear()
            self._floor = self._seq
            return ChangeBatch((), self._cursor(self._seq), resync=cursor is not None)
        if after == self._seq:
            assert self._rows is not None
            rows, taken = await self._snapshot()
            for change in self._diff(self._rows, rows, taken):
                self._seq += 1
                self._log.append((self._seq, change))
            self._rows, self._taken = rows, taken
        found = [(seq, change) for seq, change in self._log if seq > after][: max(1, limit)]
        last = found[-1][0] if found else after
        changes = tuple(change for _, change in found)
        return ChangeBatch(changes, self._cursor(last), complete=last == self._seq)

    def _diff(
        self, old: dict[str, Fingerprint], new: dict[str, Fingerprint], taken: datetime
    ) -> list[Change]:
        changes: list[Change] = []
        since = self._taken
        for tid, now in new.items():
            before = old.get(tid)
            if before is None:
                # New to the queue: created since the last read, or back (reopened).
                created = now[7]
                fresh = since is None or created >= since
                kind = ChangeKind.CREATED if fresh else ChangeKind.STATUS_CHANGED
                changes.append(Change(tid, kind, now[4]))
            elif before != now:
                changes += [Change(tid, kind, now[4]) for kind in _kinds(before, now)]
        changes += [Change(tid, ChangeKind.UPDATED, taken) for tid in old.keys() - new.keys()]
        return changes
