"""What an outbox entry is: states, the record, time as sortable text, owners.

Split from ``outbox`` so the store's SQL stays readable. These names are
imported from here (``from triage_tui.engine import outbox_model as om;
om.Entry``); ``outbox`` holds the store, ``Outbox``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

HELD, PENDING, DELIVERING = "held", "pending", "delivering"
DELIVERED, FAILED, CANCELLED, CONFLICT = "delivered", "failed", "cancelled", "conflict"
#: An AI agent's write (``triage mcp``): it waits for a human's approve or reject and is
#: never released, claimed or delivered before that (no SQL here picks it up).
PROPOSED, REJECTED = "proposed", "rejected"
#: States that will still reach the helpdesk without the agent doing anything.
IN_FLIGHT = (HELD, PENDING, DELIVERING)
#: States that wait for the agent (outbox screen: retry, send anyway, cancel).
ATTENTION = (FAILED, CONFLICT)
KINDS = ("reply", "note", "status", "assign", "tag", "priority", "escalate")
#: Who recorded an entry: the console delivers in the background; a verb
#: delivers its own entry and a dead verb's entry is only ever reconciled.
CONSOLE, VERB = "console", "verb"

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: SQL: nothing recorded earlier on the entry's ticket is still to go out, and
#: nothing earlier in its own batch is failed or in conflict. An entry the
#: agent let ``jump`` waits only for its own batch (not for another's stuck one).
UNBLOCKED = (
    "NOT EXISTS (SELECT 1 FROM entries p WHERE p.ticket_id = e.ticket_id AND p.seq < e.seq"
    " AND ((p.state IN ('held','pending','delivering') AND (e.jump = 0 OR p.batch = e.batch))"
    " OR (p.batch = e.batch AND p.state IN ('failed','conflict'))))"
)
#: SQL: the failed or conflicted entry that entry ``?`` waits behind — in its
#: own batch, or in another batch on the ticket whose later entries are stuck
#: behind it (and so hold up everything recorded after them on the ticket).
WAITS_BEHIND = (
    "SELECT r.* FROM entries r, entries e WHERE e.id = ? AND r.ticket_id = e.ticket_id"
    " AND r.seq < e.seq AND r.state IN ('failed','conflict') AND (r.batch = e.batch"
    " OR (e.jump = 0 AND EXISTS (SELECT 1 FROM entries q WHERE q.batch = r.batch"
    " AND q.ticket_id = r.ticket_id AND q.seq > r.seq AND q.seq < e.seq"
    " AND q.state IN ('held','pending','delivering'))))"
    " ORDER BY r.seq LIMIT 1"
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    batch TEXT NOT NULL,
    origin TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    base TEXT,
    label TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    needs_check INTEGER NOT NULL DEFAULT 0,
    force INTEGER NOT NULL DEFAULT 0,
    conflict TEXT,
    result TEXT,
    idem_key TEXT NOT NULL,
    owner TEXT,
    session TEXT,
    jump INTEGER NOT NULL DEFAULT 0,
    proposer TEXT,
    approver TEXT,
    decision TEXT,
    created_at TEXT NOT NULL,
    hold_until TEXT,
    next_attempt TEXT,
    updated_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS entries_state ON entries(state, next_attempt);
CREATE INDEX IF NOT EXISTS entries_ticket ON entries(ticket_id, seq);
CREATE INDEX IF NOT EXISTS entries_batch ON entries(batch);
CREATE INDEX IF NOT EXISTS entries_idem ON entries(idem_key);
"""
#: Columns added after the first release: an older outbox file gets them on open.
ADDED_COLUMNS = {
    "session": "ALTER TABLE entries ADD COLUMN session TEXT",
    "jump": "ALTER TABLE entries ADD COLUMN jump INTEGER NOT NULL DEFAULT 0",
    # Proposals (``triage mcp``): who proposed, who decided, and a rejection's reason.
    "proposer": "ALTER TABLE entries ADD COLUMN proposer TEXT",
    "approver": "ALTER TABLE entries ADD COLUMN approver TEXT",
    "decision": "ALTER TABLE entries ADD COLUMN decision TEXT",
}
#: Sessions of this process still running (several consoles or verbs may share
#: one process in tests and embedding code; another process is asked by pid).
_LIVE: set[str] = set()


def migrate(conn: sqlite3.Connection) -> None:
    """Add the columns an outbox file written by an older version lacks."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(entries)")}
    for column, statement in ADDED_COLUMNS.items():
        if column not in have:
            conn.execute(statement)


def to_text(value: datetime) -> str:
    """Fixed-width UTC text: string order is time order, so SQL can compare it."""
    return value.astimezone(UTC).strftime(_FORMAT)


def from_text(value: str | None) -> datetime | None:
    # Our own "…Z" format; fromisoformat reads it (3.11+) far faster than strptime.
    return datetime.fromisoformat(value) if value else None


@dataclass
class NewEntry:
    """What a write becomes before it has an id (see ``BufferedHelpdesk``)."""

    ticket_id: str
    kind: str
    payload: dict[str, Any]
    label: str = ""
    #: The ticket as the agent saw it (``collision.Base``), for replies.
    base: dict[str, Any] | None = None


@dataclass
class Entry:
    seq: int
    id: str
    batch: str
    origin: str
    ticket_id: str
    kind: str
    payload: dict[str, Any]
    base: dict[str, Any] | None
    label: str
    state: str
    attempts: int
    last_error: str | None
    needs_check: bool
    force: bool
    conflict: list[str] | None
    result: dict[str, Any] | None
    idem_key: str
    owner: str | None
    created_at: datetime
    hold_until: datetime | None
    next_attempt: datetime | None
    updated_at: datetime
    delivered_at: datetime | None = field(default=None)
    #: The console or verb run that recorded it (``owner_token``): whose write it is.
    session: str | None = None
    #: The agent let it go without waiting for another batch's stuck entry.
    jump: bool = False
    #: The MCP client that proposed it (``triage mcp``); None: a human's own write.
    proposer: str | None = None
    #: Who approved or rejected the proposal.
    approver: str | None = None
    #: A rejection's reason (returned to the proposing client) or the approval's note.
    decision: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Entry:
        def load(text: str | None) -> Any:
            return json.loads(text) if text else None

        return cls(
            seq=row["seq"],
            id=row["id"],
            batch=row["batch"],
            origin=row["origin"],
            ticket_id=row["ticket_id"],
            kind=row["kind"],
            payload=load(row["payload"]) or {},
            base=load(row["base"]),
            label=row["label"],
            state=row["state"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            needs_check=bool(row["needs_check"]),
            force=bool(row["force"]),
            conflict=load(row["conflict"]),
            result=load(row["result"]),
            idem_key=row["idem_key"],
            owner=row["owner"],
            created_at=from_text(row["created_at"]),  # type: ignore[arg-type]
            hold_until=from_text(row["hold_until"]),
            next_attempt=from_text(row["next_attempt"]),
            updated_at=from_text(row["updated_at"]),  # type: ignore[arg-type]
            delivered_at=from_text(row["delivered_at"]),
            session=row["session"],
            jump=bool(row["jump"]),
            proposer=row["proposer"],
            approver=row["approver"],
            decision=row["decision"],
        )


def owner_token() -> str:
    """``pid:random``: the pid tells whether the owner still runs, the token which run."""
    return f"{os.getpid()}:{uuid.uuid4().hex[:8]}"


def session_started(token: str) -> None:
    """``token`` runs in this process until ``session_ended``: its entries are not taken over."""
    _LIVE.add(token)


def session_ended(token: str) -> None:
    _LIVE.discard(token)


def owner_alive(owner: str | None, me: str) -> bool:
    """Whether the session that recorded or claimed an entry may still deliver it."""
    if not owner or owner == me:
        return owner == me
    pid_text = owner.split(":", 1)[0]
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return owner in _LIVE  # another console of this process, or one closed earlier
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
