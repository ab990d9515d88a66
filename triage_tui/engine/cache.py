"""The last data fetched from the helpdesk, kept so the console works offline.

A small SQLite file per profile and helpdesk (``cache/<key>.sqlite3``): the
queue as last listed, each ticket and requester as last opened, the KB as
last listed, each with the time it was fetched (the offline banner shows the
data's age). It is a cache, never a source of truth: any failure to read or
write it is swallowed and the console simply has less to show offline.

The queue is kept as the console holds it — compact ``QueueRow``s, as JSON
documents of ``QUEUE_PAGE_ROWS`` rows each — written on the cache's own
thread after the queue finished streaming (the event loop pays nothing) and
at most once a minute. Pages, not one document: at 64 000 rows one document was a
22 MB string built beside a tuple per row and the encoder's pieces, a ~70 MB
peak on top of the console's queue (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import operator
import sqlite3
import threading
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui import private_files
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.outbox_model import from_text, to_text

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from triage_tui.domain.models import Article, PersonHistory, Ticket, TicketDetail

log = logging.getLogger(__name__)

#: The row fields stored (``_hay`` and other caches are rebuilt on demand).
_ROW_FIELDS = [f.name for f in dataclasses.fields(QueueRow) if not f.name.startswith("_")]
_STATUS_AT, _PRIORITY_AT, _TAGS_AT = (_ROW_FIELDS.index(f) for f in ("status", "priority", "tags"))
_STATUSES = {status.value: status for status in Status}
_PRIORITIES = {priority.value: priority for priority in Priority}
#: Saving the queue again within this time is skipped (a refresh is not news).
SAVE_EVERY = timedelta(seconds=60)
#: Rows per stored page of the cached queue (~0.7 MB of JSON).
QUEUE_PAGE_ROWS = 2_000
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS queue_pages (page INTEGER PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tickets"
    " (id TEXT PRIMARY KEY, data TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS people (id TEXT PRIMARY KEY, data TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


@cache
def _articles() -> TypeAdapter[list[Article]]:
    """Built when the KB is first saved or read offline: the buffered helpdesk
    imports this module on the console's path to its first screen (no pydantic)."""
    from pydantic import TypeAdapter

    from triage_tui.domain.models import Article

    return TypeAdapter(list[Article])


def _decode_rows(document: dict[str, list[Any]]) -> list[QueueRow]:
    """One stored page's rows, read by field name (fields this version does not
    know are left out). Pages this version wrote, in its field order, are read
    by position: ~4x faster, and a remote console shows the cached queue
    before its first frame."""
    names = document["fields"]
    if names != _ROW_FIELDS:
        return [_row_by_name(dict(zip(names, values, strict=True))) for values in document["rows"]]
    rows = []
    for values in document["rows"]:
        values[_STATUS_AT] = _STATUSES[values[_STATUS_AT]]
        values[_PRIORITY_AT] = _PRIORITIES[values[_PRIORITY_AT]]
        values[_TAGS_AT] = tuple(values[_TAGS_AT])
        rows.append(QueueRow(*values))
    return rows


def _row_by_name(row: dict[str, Any]) -> QueueRow:
    row["status"] = Status(row["status"])
    row["priority"] = Priority(row["priority"])
    row["tags"] = tuple(row["tags"])
    return QueueRow(**{k: v for k, v in row.items() if k in _ROW_FIELDS})


def _prepare(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    for statement in _SCHEMA:
        conn.execute(statement)


class ReadCache:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        try:
            # Private; a corrupt cache is moved aside with a notice and started afresh.
            self._conn = private_files.open_sqlite(
                self.path,
                "the offline cache",
                _prepare,
                isolation_level=None,
                check_same_thread=False,
                timeout=5.0,
            )
        except (OSError, sqlite3.Error) as exc:
            log.warning("offline cache disabled: %s: %s", self.path, exc)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            if self._conn is None:
                return []
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                log.warning("offline cache: %s", exc)
                return []

    # -- queue ------------------------------------------------------------
    def save_rows(self, rows: list[QueueRow]) -> None:
        """Replace the cached queue (call from a worker thread).

        A page's document is built by ``attrgetter`` and one ``json.dumps``
        call and written at once: 64 000 rows cost ~0.4 s of a worker thread's
        time and ~8 MB at their peak (all pages built first: ~27 MB, kept by
        the allocator afterwards). The event loop never waits for it: the
        ticket and person saves run on the cache's thread too (``offline``).
        """
        last = self.queue_at()
        if last is not None and self.clock.now() - last < SAVE_EVERY and self._count() == len(rows):
            return
        get = operator.attrgetter(*_ROW_FIELDS)

        def page(at: int) -> str:
            chunk = rows[at : at + QUEUE_PAGE_ROWS]
            return json.dumps({"fields": _ROW_FIELDS, "rows": [get(row) for row in chunk]})

        starts = range(0, len(rows), QUEUE_PAGE_ROWS)
        pages = ((number, page(at)) for number, at in enumerate(starts))
        now = to_text(self.clock.now())
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.execute("DELETE FROM queue_pages")
                self._conn.executemany("INSERT INTO queue_pages VALUES (?, ?)", pages)
                self._conn.execute("DELETE FROM meta WHERE key = 'queue'")  # an older layout
                self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('queue_at', ?)", (now,))
                self._conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('queue_count', ?)", (str(len(rows)),)
                )
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                log.warning("offline cache: %s", exc)
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")

    def save_queue(self, tickets: list[Ticket]) -> None:
        self.save_rows([QueueRow.from_ticket(t) for t in tickets])

    def _count(self) -> int:
        found = self._run("SELECT value FROM meta WHERE key = 'queue_count'")
        return int(str(found[0][0])) if found else -1

    def rows(self) -> list[QueueRow]:
        """The cached queue (rows of an older layout are read by field name; a
        cache written before the queue was paged holds one document in ``meta``)."""
        found = self._run("SELECT data FROM queue_pages ORDER BY page") or self._run(
            "SELECT value FROM meta WHERE key = 'queue'"
        )
        rows: list[QueueRow] = []
        try:
            for (document,) in found:
                rows.extend(_decode_rows(json.loads(str(document))))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("offline cache: unreadable queue: %s", exc)
            return []
        return rows

    def queue_at(self) -> datetime | None:
        """When the cached queue was fetched; None when there is none."""
        rows = self._run("SELECT value FROM meta WHERE key = 'queue_at'")
        return from_text(str(rows[0][0])) if rows else None

    # -- tickets, people, articles ---------------------------------------
    def save_ticket(self, detail: TicketDetail) -> None:
        self._run(
            "INSERT OR REPLACE INTO tickets VALUES (?,?,?)",
            (detail.ticket.id, detail.model_dump_json(), to_text(self.clock.now())),
        )

    def tickets(self) -> list[Ticket]:
        """Every ticket opened before, as last seen (the offline ``iter_queue``)."""
        from triage_tui.domain.models import TicketDetail

        rows = self._run("SELECT data FROM tickets ORDER BY id")
        return [TicketDetail.model_validate_json(str(r[0])).ticket for r in rows]

    def ticket(self, ticket_id: str) -> TicketDetail | None:
        from triage_tui.domain.models import TicketDetail

        rows = self._run("SELECT data FROM tickets WHERE id = ?", (ticket_id,))
        return TicketDetail.model_validate_json(str(rows[0][0])) if rows else None

    def save_person(self, key: str, history: PersonHistory) -> None:
        self._run(
            "INSERT OR REPLACE INTO people VALUES (?,?,?)",
            (key, history.model_dump_json(), to_text(self.clock.now())),
        )

    def person(self, key: str) -> PersonHistory | None:
        from triage_tui.domain.models import PersonHistory

        rows = self._run("SELECT data FROM people WHERE id = ?", (key,))
        return PersonHistory.model_validate_json(str(rows[0][0])) if rows else None

    def save_articles(self, articles: list[Article]) -> None:
        self._run(
            "INSERT OR REPLACE INTO meta VALUES ('articles', ?)",
            (_articles().dump_json(articles).decode(),),
        )

    def articles(self) -> list[Article] | None:
        rows = self._run("SELECT value FROM meta WHERE key = 'articles'")
        return _articles().validate_json(str(rows[0][0])) if rows else None
