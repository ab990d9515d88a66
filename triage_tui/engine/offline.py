"""Reads that keep working while the helpdesk is unreachable (offline mode).

The read half of ``BufferedHelpdesk``, kept apart so each half stays small.
Online, every read goes to the adapter and what it returns is cached
(``engine.cache``); a read that meets ``Unreachable`` is answered from the
cache instead and the helpdesk is marked offline, and while offline reads go
straight to the cache (the deliverer's probe notices when the helpdesk is
back, so the agent does not wait for a timeout on every ticket). The queue
is the exception: listing it is an explicit act (start, ``r``), so it always
tries the helpdesk first.

Everything read is overlaid with the writes still in the outbox
(``engine.overlay``), so the console shows the tickets as they will be.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from triage_tui.adapters.base import first_item
from triage_tui.domain.enums import ACTIVE_STATUSES, Priority, Status
from triage_tui.domain.errors import TriageError, Unreachable
from triage_tui.domain.queue import QueueRow
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.overlay import (
    PROVISIONAL_PREFIX,
    overlay_detail,
    overlay_row,
    overlay_ticket,
)

if TYPE_CHECKING:
    # The models are imported where they are used: this module is on the
    # console's path to its first screen, which imports no pydantic.
    from triage_tui.adapters.base import Helpdesk, QueueTop
    from triage_tui.domain.clock import Clock
    from triage_tui.domain.models import Article, PersonHistory, QueueFilter, Ticket, TicketDetail
    from triage_tui.engine.cache import ReadCache
    from triage_tui.engine.collision import Base
    from triage_tui.engine.delivery import Deliverer
    from triage_tui.engine.delivery_policy import Connectivity

R = TypeVar("R")


class OfflineReads:
    inner: Helpdesk
    cache: ReadCache | None
    connectivity: Connectivity
    clock: Clock
    _inner_open: bool
    _outbox: ob.Outbox | None
    _seen: dict[str, Base]
    _background: set[asyncio.Future[Any]]
    _cache_writer: ThreadPoolExecutor | None

    @property
    def outbox(self) -> ob.Outbox:
        raise NotImplementedError

    @property
    def deliverer(self) -> Deliverer:
        raise NotImplementedError

    # -- connectivity -----------------------------------------------------
    def _offline(self, error: TriageError) -> None:
        self.deliverer.reached(False, str(error))

    def _online(self) -> None:
        if not self.connectivity.online:
            self.deliverer.reached(True)

    async def probe(self) -> None:
        """A cheap read to learn whether the helpdesk is back (raises while it is not)."""
        if not self._inner_open:
            await self.inner.open()
            self._inner_open = True
        await first_item(self.inner.iter_queue())

    def seen_base(self, ticket_id: str) -> Base | None:
        """The ticket as last read from the helpdesk (what a new draft is written against)."""
        return self._seen.get(ticket_id)

    def data_as_of(self) -> datetime | None:
        """When the cached queue was fetched (what the console shows while offline)."""
        return self.cache.queue_at() if self.cache is not None else None

    @property
    def starts_from_cache(self) -> bool:
        """Whether a console shows the cached queue while its first read is on the
        way: a console with a cache, on a helpdesk that does not keep its own event
        log (the local one is as quick to read as the cache). No I/O: the local
        console's start asks it on the event loop."""
        return self.cache is not None and not self.inner.capabilities.event_log

    def cached_queue(self) -> tuple[list[QueueRow], datetime] | None:
        """The active queue as last listed (queued writes overlaid, sorted) and when
        it was listed: what a console on a remote helpdesk shows while its first
        read is on the way. None without a cached queue (or ``starts_from_cache``)."""
        if self.cache is None or not self.starts_from_cache:
            return None
        at = self.cache.queue_at()
        if at is None:
            return None
        pending = self._in_flight()
        rows = [overlay_row(r, pending[r.id]) if r.id in pending else r for r in self.cache.rows()]
        rows = sorted((r for r in rows if r.status.is_active), key=QueueRow.sort_key)
        return (rows, at) if rows else None

    def _in_flight(self) -> dict[str, list[om.Entry]]:
        if self._outbox is None:
            return {}
        groups: dict[str, list[om.Entry]] = {}
        for entry in self.outbox.entries(om.IN_FLIGHT, limit=5000):
            groups.setdefault(entry.ticket_id, []).insert(0, entry)
        return groups

    # -- reads ------------------------------------------------------------
    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """Tickets from the helpdesk; offline, the tickets opened before (all that is cached)."""
        from triage_tui.domain.models import QueueFilter

        wanted = query or QueueFilter()
        pending = self._in_flight()
        seen: set[str] = set()
        fetched: list[Ticket] = []
        try:
            if not self._inner_open:
                await self.probe()
            async for ticket in self.inner.iter_queue(query):
                fetched.append(ticket)
                seen.add(ticket.id)
                shown = overlay_ticket(ticket, pending.get(ticket.id, []))
                if shown.status in wanted.statuses:
                    yield shown
        except Unreachable as error:
            if self.cache is None or self.cache.queue_at() is None:
                raise
            self._offline(error)
            for ticket in self.cache.tickets():
                shown = overlay_ticket(ticket, pending.get(ticket.id, []))
                if ticket.id not in seen and _wanted(wanted, shown.status, shown.assignee):
                    yield shown
            return
        self._online()
        if self.cache is not None and query is None:
            self._save_in_background(self.cache.save_queue, fetched)

    async def iter_queue_rows(
        self, query: QueueFilter | None = None, batch: int = 500
    ) -> AsyncIterator[list[QueueRow]]:
        """The adapter's own fast rows, overlaid; offline, the rows cached at the last listing."""
        statuses = query.statuses if query is not None else ACTIVE_STATUSES
        pending = self._in_flight()
        fetched: list[QueueRow] = []
        try:
            if not self._inner_open:
                await self.probe()
            async for rows in self.inner.iter_queue_rows(query, batch):
                fetched.extend(rows)
                if pending:
                    rows = [overlay_row(r, pending[r.id]) if r.id in pending else r for r in rows]
                    rows = [r for r in rows if r.status in statuses]
                if rows:
                    yield rows
        except Unreachable as error:
            if self.cache is None or self.cache.queue_at() is None:
                raise
            self._offline(error)
            seen = {row.id for row in fetched}  # already shown before the connection broke
            cached = [
                overlay_row(r, pending[r.id]) if r.id in pending else r
                for r in self.cache.rows()
                if r.id not in seen
            ]
            cached = [r for r in cached if _wanted(query, r.status, r.assignee or None)]
            for start in range(0, len(cached), batch):
                yield cached[start : start + batch]
            return
        self._online()
        if self.cache is not None and query is None:
            self._save_in_background(self.cache.save_rows, fetched)

    async def first_rows(self, limit: int) -> list[QueueRow] | None:
        """The adapter's first screen with queued actions overlaid; None offline."""
        try:
            if not self._inner_open:
                await self.probe()
            rows = await self.inner.first_rows(limit)
        except Unreachable:
            return None  # the full listing goes offline (and to the cache) itself
        if rows is None:
            return None
        pending = self._in_flight()
        rows = [overlay_row(r, pending[r.id]) if r.id in pending else r for r in rows]
        return [r for r in rows if r.status.is_active]

    async def queue_top(
        self,
        limit: int,
        statuses: frozenset[Status],
        priorities: frozenset[Priority] | None,
        now: datetime,
        *,
        states: bool = True,
    ) -> QueueTop | None:
        """The adapter's counted head of the queue; None while writes are queued (the
        full read overlays them) or the helpdesk is unreachable (it falls back to the cache)."""
        if self._in_flight():
            return None
        try:
            if not self._inner_open:
                await self.inner.open()
                self._inner_open = True
            return await self.inner.queue_top(limit, statuses, priorities, now, states=states)
        except Unreachable:
            return None

    async def tickets_by_id(self, ids: list[str]) -> list[Ticket] | None:
        """The adapter's tickets by id with queued writes overlaid; None offline."""
        try:
            if not self._inner_open:
                await self.inner.open()
                self._inner_open = True
            found = await self.inner.tickets_by_id(ids)
        except Unreachable:
            return None
        if found is None:
            return None
        pending = self._in_flight()
        return [overlay_ticket(t, pending[t.id]) if t.id in pending else t for t in found]

    def _save_in_background(self, save: Callable[[Any], None], items: Any) -> None:
        """On the cache's own thread: its writes wait for each other (the cache
        has one lock, held ~0.3 s while 64 000 rows are written), never for or
        in the pool the helpdesk's reads run on (``asyncio.to_thread``)."""
        if self._cache_writer is None:
            self._cache_writer = ThreadPoolExecutor(1, thread_name_prefix="triage-cache")
        saved = asyncio.get_running_loop().run_in_executor(self._cache_writer, save, items)
        self._background.add(saved)
        saved.add_done_callback(self._background.discard)

    async def _saved(self) -> None:
        """Wait for the cache writes under way, so a read from the cache finds
        what was fetched just before (a failed write was logged by the cache)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        detail = await self._read(
            lambda: self.inner.get_ticket(ticket_id),
            lambda: self.cache.ticket(str(ticket_id)) if self.cache else None,
            f"ticket {ticket_id}",
        )
        if not any(m.id.startswith(PROVISIONAL_PREFIX) for m in detail.messages):
            from triage_tui.engine.collision import Base

            base = Base.of(detail)
            base.seen_at = self.clock.now()
            self._seen[detail.ticket.id] = base
        return overlay_detail(detail, self._in_flight().get(detail.ticket.id, []), self.clock.now())

    async def get_person(self, person_id: str) -> PersonHistory:
        return await self._read(
            lambda: self.inner.get_person(person_id),
            lambda: self.cache.person(str(person_id)) if self.cache else None,
            f"requester {person_id}",
        )

    async def _read(
        self, fetch: Callable[[], Awaitable[R]], cached: Callable[[], R | None], what: str
    ) -> R:
        if self.connectivity.online or self.cache is None:
            try:
                value = await fetch()
            except Unreachable as error:
                await self._saved()
                fallback = cached()
                if fallback is None:
                    raise
                self._offline(error)
                return fallback
            self._online()
            if self.cache is not None:
                from triage_tui.domain.models import PersonHistory, TicketDetail

                if isinstance(value, TicketDetail):
                    self._save_in_background(self.cache.save_ticket, value)
                elif isinstance(value, PersonHistory):
                    save = functools.partial(self.cache.save_person, value.person.id)
                    self._save_in_background(save, value)
            return value
        await self._saved()
        fallback = cached()
        if fallback is None:
            raise Unreachable(
                f"offline: {what} was not opened before the helpdesk became "
                f"unreachable ({self.connectivity.error})"
            )
        return fallback

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        if not self.connectivity.online:
            raise Unreachable("offline: knowledge-base search needs the helpdesk")
        return await self.inner.search_kb(query, limit)

    async def iter_articles(self) -> AsyncIterator[Article]:
        try:
            articles = [a async for a in self.inner.iter_articles()]
        except Unreachable:
            articles = (self.cache.articles() if self.cache else None) or []
            if not articles:
                raise
        else:
            if self.cache is not None:
                self.cache.save_articles(articles)
        for article in articles:
            yield article


def _wanted(query: QueueFilter | None, status: Status, assignee: str | None) -> bool:
    """Whether ``query`` (None: the active queue) lists a ticket."""
    if query is None:
        return status in ACTIVE_STATUSES
    return status in query.statuses and (query.assignee is None or assignee == query.assignee)
