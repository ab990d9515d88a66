"""A local event log for helpdesks that keep none (Zendesk, Gleap, RT, django-helpdesk).

The same rows and semantics as the local store's ``events`` table (id, name,
at in UTC, ticket_id, actor, JSON payload), in its own SQLite file under
``data_dir()/events/<outbox key>.sqlite3``. ``BufferedHelpdesk`` offers it as
``record_event``/``list_events`` when the adapter has no log of its own, and
records each delivered outbox write in it (``write_event``), so ``triage
events``, ``triage report`` and the console's report work on every helpdesk.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui import private_files
from triage_tui.domain import events as ev
from triage_tui.domain.clock import Clock, ensure_utc
from triage_tui.domain.errors import InvalidInput, Unreachable

if TYPE_CHECKING:
    from triage_tui.domain.models import Event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    at TEXT NOT NULL,
    ticket_id TEXT,
    actor TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    -- the outbox entry a write event was recorded for: never twice
    source TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS events_at ON events(at, id);
"""


def _to_db(at: datetime) -> str:
    return ensure_utc(at).astimezone(UTC).isoformat()


def _prepare(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.executescript(_SCHEMA)


class EventLog:
    """Append-only; one connection guarded by a lock (calls are short)."""

    def __init__(self, path: Path, clock: Clock, actor: str = "") -> None:
        self.path, self.clock, self.actor = path, clock, actor
        self._lock = threading.Lock()
        try:
            # Private; a corrupt log is moved aside with a notice and started afresh.
            self._conn = private_files.open_sqlite(
                path, "the event log", _prepare, check_same_thread=False, isolation_level=None
            )
        except (OSError, sqlite3.Error) as error:
            raise Unreachable(f"event log {path}: {error}") from error

    def record(
        self,
        name: str,
        ticket_id: str | None = None,
        payload: dict[str, Any] | None = None,
        actor: str | None = None,
        *,
        source: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """Append an event; its id (0 when ``source`` was recorded already)."""
        if not name or not name.strip():
            raise InvalidInput("event name is empty")
        row = (
            name.strip(),
            _to_db(at or self.clock.now()),
            None if ticket_id is None else str(ticket_id),
            self.actor if actor is None else actor,
            json.dumps(payload or {}, ensure_ascii=False),
            source,
        )
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO events(name, at, ticket_id, actor, payload, source)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
        return int(cursor.lastrowid or 0) if cursor.rowcount else 0

    def list(self, since: datetime | None = None) -> list[Event]:
        """Events at or after ``since`` (all when None), oldest first."""
        from triage_tui.domain.models import Event  # pydantic: not at import (first screen)

        sql = "SELECT id, name, at, ticket_id, actor, payload FROM events"
        params: tuple[Any, ...] = ()
        if since is not None:
            sql += " WHERE at >= ?"
            params = (_to_db(since),)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY at, id", params).fetchall()
        return [
            Event(
                id=r[0],
                name=r[1],
                at=datetime.fromisoformat(r[2]),
                ticket_id=r[3],
                actor=r[4],
                payload=json.loads(r[5]) if r[5] else {},
            )
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _ticket_fields(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    return {
        k: data.get(k) for k in ("status", "priority", "assignee", "group", "tags") if k in data
    }


def reply_due(ticket: dict[str, Any] | None) -> str | None:
    """The earliest active first/next reply due time of a ticket (JSON), ISO; None if unknown."""
    dues = [
        str(t["due_at"])
        for t in (ticket or {}).get("sla") or []
        if t.get("stage", "active") == "active"
        and t.get("metric") in ("first_reply_time", "next_reply_time")
        and t.get("due_at")
    ]
    if not dues:
        return None
    return min(dues, key=lambda d: ensure_utc(datetime.fromisoformat(d)))


def write_event(
    kind: str,
    payload: dict[str, Any],
    result: dict[str, Any] | None,
    before: dict[str, Any] | None,
) -> tuple[str, dict[str, Any]] | None:
    """The event of a delivered outbox write: (name, payload), as the local adapter records it.

    ``payload`` is the entry's, ``result`` the helpdesk's answer (a message or
    a ticket, as JSON), ``before`` the ticket as last known (None or partial:
    the ``from`` values are then None).
    """
    old = _ticket_fields(before)
    new = _ticket_fields(result)
    if kind == "reply":
        body = str(payload.get("body") or "")
        due = reply_due(before)
        return ev.REPLY_SENT, {
            "message_id": (result or {}).get("id"),
            "chars": len(body),
            "sla_achieved": 1 if due else 0,
            "sla_due_at": due,
        }
    if kind == "note":
        return ev.NOTE_ADDED, {"message_id": (result or {}).get("id")}
    if kind == "status":
        return ev.STATUS_CHANGED, {
            "from": old.get("status"),
            "to": new.get("status") or payload.get("status"),
        }
    if kind == "priority":
        return ev.PRIORITY_CHANGED, {
            "from": old.get("priority"),
            "to": new.get("priority") or payload.get("priority"),
        }
    if kind == "assign":
        out: dict[str, Any] = {"from": old.get("assignee"), "to": payload.get("assignee")}
        if payload.get("group") is not None:
            out.update(group_from=old.get("group"), group_to=payload.get("group"))
        return ev.ASSIGNED, out
    if kind == "tag":
        current = list(old.get("tags") or [])
        after = list(new.get("tags") or [])
        if before is not None and result is not None and "tags" in new:
            added = [t for t in after if t not in current]
            removed = [t for t in current if t not in after]
        else:
            added, removed = list(payload.get("add") or []), list(payload.get("remove") or [])
        return ev.TAGGED, {"added": added, "removed": removed}
    if kind == "escalate":
        out = {
            "reason": payload.get("reason", ""),
            "note": payload.get("note", ""),
            "status": {"from": old.get("status"), "to": new.get("status") or "open"},
        }
        if payload.get("priority") is not None:
            out["priority"] = {"from": old.get("priority"), "to": payload.get("priority")}
        if payload.get("group"):
            out["group"] = {"from": old.get("group"), "to": payload.get("group")}
        if payload.get("tags"):
            current = list(old.get("tags") or [])
            out["tags_added"] = [t for t in payload["tags"] if t not in current]
        return ev.ESCALATED, out
    return None
