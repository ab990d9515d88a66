"""``local``: the embedded helpdesk, a SQLite file on this machine.

The default adapter and the demo's backend. It implements every capability
except ``safe_update`` (there is one writer at a time and no remote state to
race with), so it is also the reference the contract suite is written against.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from triage_tui import paths
from triage_tui.adapters.base import Capabilities, Helpdesk, QueueTop
from triage_tui.adapters.local import feed, row_queries
from triage_tui.adapters.local.store import Store, from_db, to_db
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch
from triage_tui.domain.clock import Clock, ensure_utc
from triage_tui.domain.enums import ACTIVE_STATUSES, Priority, Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.queue import QueueRow
from triage_tui.lazy import lazy_module

if TYPE_CHECKING:
    from triage_tui.adapters.local import queries, writes
    from triage_tui.domain.models import (
        Article,
        Escalation,
        Event,
        Message,
        NewTicket,
        PersonHistory,
        QueueFilter,
        Ticket,
        TicketDetail,
    )
else:
    # They build pydantic models: imported when a ticket is first opened or
    # written, not on the console's path to its first screen (queue rows).
    queries = lazy_module("triage_tui.adapters.local.queries")
    writes = lazy_module("triage_tui.adapters.local.writes")

T = TypeVar("T")


@dataclass(frozen=True)
class LocalOptions:
    """Options of the ``local`` adapter (``TRIAGE_LOCAL_DB``).

    Who writes (the author of replies and notes, the actor of events) is the
    profile's ``agent`` setting, given through ``act_as``, not an option here.

    A dataclass rather than an ``AdapterOptions`` model: the console's usual
    start (``--db PATH``, a ``db`` path, no options) builds it from these
    declarations without importing pydantic (``config_quick``), and pydantic
    validates everything else (``config.adapter_options``).
    """

    # pydantic's settings when it validates this dataclass: unknown keys are errors.
    __pydantic_config__ = {"extra": "forbid"}

    #: The SQLite file; None means ``paths.default_db()`` in the data dir.
    db: Path | None = None

    def __post_init__(self) -> None:
        if self.db is not None:
            object.__setattr__(self, "db", Path(self.db).expanduser())


class LocalHelpdesk(Helpdesk):
    name: ClassVar[str] = "local"
    display_name: ClassVar[str] = "Local"
    capabilities: ClassVar[Capabilities] = Capabilities(
        internal_notes=True,
        tags=True,
        kb_search=True,
        kb_list=True,
        requester_history=True,
        assignment=True,
        groups=True,
        priority=True,
        safe_update=False,
        create_ticket=True,
        event_log=True,
        change_feed=True,
        directory=True,
    )
    options_model: ClassVar[type[Any]] = LocalOptions

    def __init__(self, options: LocalOptions | None = None, clock: Clock | None = None) -> None:
        super().__init__(options, clock)
        self._store: Store | None = None
        #: Rows per queue/article page; tests lower it to exercise paging cheaply.
        self.page_size = row_queries.PAGE_SIZE
        #: (data_version, generation, seq) when the feed was last read to its end:
        #: while the first two stay equal, nothing was written after ``seq``.
        self._feed_idle: tuple[int, int, int] | None = None

    @property
    def local_options(self) -> LocalOptions:
        assert isinstance(self.options, LocalOptions)
        return self.options

    @property
    def db_path(self) -> Path:
        return self.local_options.db or paths.default_db()

    # -- lifecycle -------------------------------------------------------
    async def open(self) -> None:
        if self._store is None:
            # On the event loop, like ``first_rows``: ~1 ms, where a worker thread
            # would wait for the GIL behind the first frame (see there).
            self._store = Store(self.db_path)

    async def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            await asyncio.to_thread(store.close)

    async def _store_ready(self) -> Store:
        # Verbs may call a method without ``async with``; open lazily then.
        if self._store is None:
            await self.open()
        assert self._store is not None
        return self._store

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        # SQLite calls block; a worker thread keeps the UI's event loop
        # responsive while a large page or a search runs.
        store = await self._store_ready()
        return await asyncio.to_thread(store.read, fn, *args)

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        store = await self._store_ready()
        return await asyncio.to_thread(store.write, fn, *args)

    # -- reads -----------------------------------------------------------
    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """Pages of ``page_size`` per status; ``query.query`` is a substring of subject/excerpt."""
        from triage_tui.domain.models import QueueFilter

        query = query or QueueFilter()
        for status in row_queries.statuses_in_order(query.statuses):
            after: int | None = 0
            while after is not None:
                page, after = await self._read(
                    queries.queue_page, status, query.assignee, after, self.page_size, query.query
                )
                for ticket in page:
                    yield ticket

    async def iter_queue_rows(
        self, query: QueueFilter | None = None, batch: int = row_queries.PAGE_SIZE
    ) -> AsyncIterator[list[QueueRow]]:
        """``iter_queue`` as compact rows read straight from SQL, a page per list."""
        statuses = query.statuses if query is not None else ACTIVE_STATUSES
        assignee, text = (query.assignee, query.query) if query is not None else (None, None)
        for status in row_queries.statuses_in_order(statuses):
            after: int | None = 0
            while after is not None:
                page, after = await self._read(
                    row_queries.queue_rows_page, status, assignee, after, batch, text
                )
                if page:
                    yield page

    async def first_rows(self, limit: int) -> list[QueueRow] | None:
        """Read on the event loop, not a worker thread: ~6 ms through an index at
        100 000 tickets, before there is anything else to do. In a thread the
        console would paint an empty first frame meanwhile, and the thread,
        waiting for the GIL behind that frame, would take ~30 ms where it needs
        6: the rows would come later (docs/performance.md)."""
        store = await self._store_ready()
        return store.read(row_queries.first_rows, limit)

    async def queue_top(
        self,
        limit: int,
        statuses: frozenset[Status],
        priorities: frozenset[Priority] | None,
        now: datetime,
        *,
        states: bool = True,
    ) -> QueueTop | None:
        """Counts and the first tickets through the indexes: a few ms at 100 000 tickets
        (the breached and at-risk counts ~0.1 s more)."""
        from triage_tui.domain.sla import AT_RISK_WINDOW

        active = [s.value for s in row_queries.statuses_in_order(ACTIVE_STATUSES)]
        wanted = [s.value for s in row_queries.statuses_in_order(statuses & ACTIVE_STATUSES)]
        levels = None if priorities is None else sorted(p.value for p in priorities)
        now = ensure_utc(now)

        def read(conn: Any) -> QueueTop:
            breached, at_risk = 0, 0
            if states:
                until = to_db(now + AT_RISK_WINDOW)
                breached, at_risk = row_queries.due_counts(conn, wanted, levels, to_db(now), until)
            ids = row_queries.queue_top_ids(conn, wanted, levels, limit)
            return QueueTop(
                active=row_queries.queue_count(conn, active, None),
                total=row_queries.queue_count(conn, wanted, levels),
                breached=breached,
                at_risk=at_risk,
                tickets=queries.tickets_by_id(conn, ids),
            )

        return await self._read(read)

    async def tickets_by_id(self, ids: list[str]) -> list[Ticket] | None:
        return await self._read(queries.tickets_by_id, ids)

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        return await self._read(queries.get_ticket_detail, str(ticket_id).strip())

    async def get_person(self, person_id: str) -> PersonHistory:
        """By id or by email (case-insensitive)."""
        return await self._read(queries.get_person_history, str(person_id).strip())

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        return await self._read(queries.search_articles, query, limit)

    async def iter_articles(self) -> AsyncIterator[Article]:
        after: int | None = 0
        while after is not None:
            page, after = await self._read(queries.articles_page, after, self.page_size)
            for article in page:
                yield article

    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """The ``changes`` table after ``cursor`` (a sequence number). An idle poll
        is one ``PRAGMA data_version`` on the event loop (microseconds): the table
        is read, in a worker thread, only after some process committed a write."""
        store = await self._store_ready()
        after = feed.parse_cursor(cursor)
        version = store.data_version()
        if version is not None and after is not None and self._feed_idle == (*version, after):
            return ChangeBatch((), str(after))
        batch = await asyncio.to_thread(store.read, feed.changes_after, after, limit)
        if version is not None and batch.complete and not batch.resync:
            self._feed_idle = (*version, int(batch.cursor))
        return batch

    async def agents(self) -> list[str]:
        """The helpdesk's assignees and the ``agent`` option (who may take a ticket)."""
        names = set(await self._read(queries.agent_names))
        if self.agent.strip():
            names.add(self.agent.strip())
        return sorted(names, key=str.casefold)

    async def groups(self) -> list[str]:
        """The groups its tickets are in."""
        return sorted(set(await self._read(queries.group_names)), key=str.casefold)

    # -- writes ----------------------------------------------------------
    def _now(self) -> datetime:
        return ensure_utc(self.clock.now())

    async def reply(self, ticket_id: str, body: str) -> Message:
        return await self._write(writes.reply, ticket_id, body, self.agent, self._now())

    async def add_note(self, ticket_id: str, body: str) -> Message:
        return await self._write(writes.add_note, ticket_id, body, self.agent, self._now())

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        if not isinstance(status, Status):
            status = Status.parse(str(status))
        return await self._write(writes.set_status, ticket_id, status, self.agent, self._now())

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        if not isinstance(priority, Priority):
            priority = Priority.parse(str(priority))
        return await self._write(writes.set_priority, ticket_id, priority, self.agent, self._now())

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        return await self._write(writes.assign, ticket_id, assignee, group, self.agent, self._now())

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        return await self._write(
            writes.tag, ticket_id, list(add or []), list(remove or []), self.agent, self._now()
        )

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        return await self._write(writes.escalate, ticket_id, escalation, self.agent, self._now())

    async def create_ticket(self, new: NewTicket) -> Ticket:
        return await self._write(writes.create_ticket, new, self.agent, self._now())

    # -- event log -------------------------------------------------------
    async def record_event(
        self,
        name: str,
        ticket_id: str | None = None,
        payload: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> int:
        """Append an event other layers observe (``ticket.viewed``, ``draft.discarded``…)."""
        if not name or not name.strip():
            raise InvalidInput("event name is empty")
        return await self._write(
            writes.insert_event,
            name.strip(),
            self._now(),
            ticket_id,
            self.agent if actor is None else actor,
            payload or {},
        )

    async def list_events(self, since: datetime | None = None) -> list[Event]:
        """Events at or after ``since`` (all when None), oldest first."""
        return await self._read(_list_events, since)


def _list_events(conn: Any, since: datetime | None) -> list[Event]:
    from triage_tui.domain.models import Event

    sql = "SELECT id, name, at, ticket_id, actor, payload FROM events"
    params: tuple[Any, ...] = ()
    if since is not None:
        sql += " WHERE at >= ?"
        params = (to_db(since),)
    rows = conn.execute(sql + " ORDER BY at, id", params)
    return [
        Event(
            id=row[0],
            name=row[1],
            at=from_db(row[2]),
            ticket_id=row[3],
            actor=row[4],
            payload=json.loads(row[5]) if row[5] else {},
        )
        for row in rows
    ]
