"""Following the change feed headless: each change with the ticket as it is now.

``Watcher`` is what ``triage watch`` runs and what anything that reacts to the
helpdesk without a screen (the lifecycle hooks) attaches to: it polls the feed
(``ChangePoller``, ``PollPolicy``), re-reads each changed ticket once per batch
(subject, status, priority, SLA state) and hands the listeners a
``WatchBatch``. The cursor is saved only once every listener has returned, so
a listener that has printed (or run its hook) before a crash is not handed the
same change again, and one that had not is.

Listeners are called in the order they subscribed, one batch at a time; a
listener may be a plain function or a coroutine function. An exception from a
listener ends ``run``/``once`` with the cursor where it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain import sla
from triage_tui.domain.changes import Change, ChangeBatch
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import NotFound, TriageError
from triage_tui.domain.models import Ticket
from triage_tui.engine.changes import ChangePoller, CursorFile, PollPolicy, Sleep

#: Tickets re-read per batch at most: a burst of changes to many tickets must
#: not turn into as many requests to a remote helpdesk; the rest are handed on
#: without a glance (``ticket`` None), the change itself intact.
MAX_REREADS_PER_BATCH = 50
#: Re-reads in flight at once (a remote helpdesk's round trips overlap).
REREAD_CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class TicketGlance:
    """The changed ticket as the re-read found it: what a line about it shows."""

    subject: str
    status: Status
    priority: Priority
    assignee: str
    vip: bool
    sla_state: sla.SlaState
    #: The next SLA target's due time, and seconds until it (negative: breached).
    sla_due_at: datetime | None
    sla_seconds_left: int | None

    @classmethod
    def of(cls, ticket: Ticket, now: datetime) -> TicketGlance:
        target = sla.next_target(ticket)
        left = sla.time_left(ticket, now)
        return cls(
            subject=ticket.subject,
            status=ticket.status,
            priority=ticket.priority,
            assignee=ticket.assignee or "",
            vip=bool(ticket.organization and ticket.organization.vip),
            sla_state=sla.state(ticket, now),
            sla_due_at=target.due_at if target else None,
            sla_seconds_left=int(left.total_seconds()) if left is not None else None,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "status": self.status.value,
            "priority": self.priority.value,
            "assignee": self.assignee,
            "vip": self.vip,
            "sla_state": self.sla_state.value,
            "sla_due_at": self.sla_due_at.isoformat() if self.sla_due_at else None,
            "sla_seconds_left": self.sla_seconds_left,
        }


@dataclass(frozen=True, slots=True)
class WatchedChange:
    """One change and its ticket now; ``ticket`` is None when the ticket is gone
    (deleted, not found) or was not re-read (``MAX_REREADS_PER_BATCH``)."""

    change: Change
    ticket: TicketGlance | None

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = dict(self.change.as_json())
        data["ticket"] = self.ticket.as_json() if self.ticket is not None else None
        return data


@dataclass(frozen=True, slots=True)
class WatchBatch:
    """What one read of the feed brought: its changes in order, the cursor after
    them and whether the reader must reload (``resync``: ``changes`` is empty)."""

    changes: tuple[WatchedChange, ...]
    cursor: str
    resync: bool = False


Listener = Callable[[WatchBatch], Awaitable[None] | None]


class Watcher:
    """The helpdesk's change feed, each change with a glance at its ticket."""

    def __init__(
        self,
        helpdesk: Helpdesk,
        *,
        clock: Clock,
        policy: PollPolicy,
        cursor: str | None = None,
        cursor_file: CursorFile | None = None,
        on_error: Callable[[TriageError], None] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.helpdesk = helpdesk
        self.clock = clock
        self._listeners: list[Listener] = []
        self.poller = ChangePoller(
            helpdesk,
            self._hand_on,
            policy=policy,
            cursor=cursor,
            cursor_file=cursor_file,
            on_error=on_error,
            sleep=sleep,
        )

    @property
    def cursor(self) -> str | None:
        """Where the next read starts (None: from now)."""
        return self.poller.cursor

    def subscribe(self, listener: Listener) -> None:
        """Hand every batch from now on to ``listener`` too, after the earlier ones."""
        self._listeners.append(listener)

    async def once(self) -> bool:
        """Read what changed since the cursor (until the helpdesk says that is all,
        or ``MAX_CATCH_UP_CALLS`` reads), hand it on; False when more changes wait.
        Raises the helpdesk's errors."""
        batches = await self.poller.poll_once()
        return batches[-1].complete

    async def run(self) -> None:
        """Follow the feed until ``stop()``; errors are reported and backed off
        (``Unsupported`` ends it)."""
        await self.poller.run()

    def stop(self) -> None:
        self.poller.stop()

    async def glance(self, ids: Iterable[str]) -> dict[str, TicketGlance | None]:
        """Each ticket of ``ids`` re-read once (the first ``MAX_REREADS_PER_BATCH``)."""
        wanted = list(dict.fromkeys(ids))[:MAX_REREADS_PER_BATCH]
        gate = asyncio.Semaphore(REREAD_CONCURRENCY)
        now = self.clock.now()

        async def one(ticket_id: str) -> TicketGlance | None:
            async with gate:
                try:
                    detail = await self.helpdesk.get_ticket(ticket_id)
                except NotFound:
                    return None
            return TicketGlance.of(detail.ticket, now)

        found = await asyncio.gather(*(one(ticket_id) for ticket_id in wanted))
        return dict(zip(wanted, found, strict=True))

    async def _hand_on(self, batch: ChangeBatch) -> None:
        # A failed re-read fails the poll: the poller backs off and reads the
        # same batch again, rather than hand on changes without their tickets.
        glances = await self.glance(c.ticket_id for c in batch.changes)
        watched = WatchBatch(
            tuple(WatchedChange(c, glances.get(c.ticket_id)) for c in batch.changes),
            batch.cursor,
            batch.resync,
        )
        for listener in self._listeners:
            handed = listener(watched)
            if handed is not None:
                await handed
