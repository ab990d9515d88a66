"""The durable outbox: every write the agent makes, recorded before it is sent.

One SQLite file per profile and helpdesk under the platformdirs data dir
(``outbox/<profile>.<adapter>.<hash>.sqlite3``), so a reply typed against one
helpdesk can never be delivered to another. WAL with ``synchronous = FULL``:
an entry that ``add`` returned is on disk before the console says "queued",
and the ``delivering`` mark is on disk before the request leaves — that mark is
what lets the next start tell "maybe sent" from "never sent" after a kill -9.

Entry life cycle::

    held ──(undo window over)──> pending ──(claimed)──> delivering ──> delivered
      │                            ▲  │                     │  └──> pending (retry, needs_check)
      └──(u)──> cancelled          │  └──> cancelled        ├──> failed ──(retry)──┘
                                   └──── conflict <─────────┘ (ticket changed: revise,
                                                               send anyway, discard)
    proposed ──(a human approves)──> pending      (an AI agent's write, ``triage mcp``)
        └────(a human rejects, with a reason)──> rejected

Entries on one ticket are delivered in the order they were recorded; inside
one batch (a Send = reply + status) a later entry also waits while an earlier
one is failed or in conflict, so a status change never goes out without its
reply. Synchronous on purpose: every call is one short transaction on a local
file, far below a frame, and the deliverer runs on the same event loop.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from triage_tui import private_files
from triage_tui.domain.clock import Clock
from triage_tui.domain.errors import Unreachable
from triage_tui.engine.outbox_model import (
    CANCELLED,
    CONFLICT,
    CONSOLE,
    DELIVERED,
    DELIVERING,
    FAILED,
    HELD,
    PENDING,
    PROPOSED,
    REJECTED,
    SCHEMA,
    UNBLOCKED,
    WAITS_BEHIND,
    Entry,
    NewEntry,
    from_text,
    migrate,
    owner_alive,
    to_text,
)


def _prepare(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    migrate(conn)


class Outbox:
    """The entries of one profile+helpdesk. Thread-safe; used from the event loop."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        #: Why writes are refused (the folder is read-only), or None. Then the
        #: outbox is an empty one in memory: the console shows the queue, and a
        #: write is refused with this line instead of being lost on exit.
        self.read_only: str | None = None
        try:
            # Private, and moved aside with a notice when corrupt (private_files).
            conn = private_files.open_sqlite(
                self.path,
                "the outbox",
                _prepare,
                isolation_level=None,
                check_same_thread=False,
                timeout=5.0,
            )
        except (OSError, sqlite3.Error) as exc:
            why = private_files.unwritable(self.path.parent)
            if why is None:
                raise Unreachable(f"cannot open the outbox {self.path}: {exc}") from None
            self.read_only = why
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            _prepare(conn)
        self._conn: sqlite3.Connection | None = conn

    # -- plumbing ---------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise Unreachable(f"the outbox {self.path} is closed")
        return self._conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _now(self) -> str:
        return to_text(self.clock.now())

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _select(
        self,
        where: str = "1",
        args: Iterable[Any] = (),
        order: str = "seq",
        limit: int | None = None,
    ) -> list[Entry]:
        sql = f"SELECT * FROM entries WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self.conn.execute(sql, tuple(args)).fetchall()
        return [Entry.from_row(r) for r in rows]

    # -- recording --------------------------------------------------------
    def add(
        self,
        new: list[NewEntry],
        *,
        hold_seconds: float = 0.0,
        origin: str = CONSOLE,
        batch: str | None = None,
        owner: str | None = None,
    ) -> list[Entry]:
        """Record entries in one transaction; held for ``hold_seconds`` when > 0.

        ``owner`` is the recording session (``owner_token``): it stays the
        entry's ``session`` (whose write it is) while ``owner`` follows claims.
        """
        now = self.clock.now()
        batch = batch or uuid.uuid4().hex
        held = hold_seconds > 0
        hold_until = to_text(now + timedelta(seconds=hold_seconds)) if held else None
        ids: list[str] = []
        with self._tx() as conn:
            for item in new:
                entry_id = uuid.uuid4().hex
                ids.append(entry_id)
                conn.execute(
                    "INSERT INTO entries (id, batch, origin, ticket_id, kind, payload, base, label,"
                    " state, idem_key, owner, session, created_at, hold_until, next_attempt,"
                    " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        entry_id,
                        batch,
                        origin,
                        item.ticket_id,
                        item.kind,
                        json.dumps(item.payload, ensure_ascii=False),
                        json.dumps(item.base, ensure_ascii=False) if item.base else None,
                        item.label,
                        HELD if held else PENDING,
                        uuid.uuid4().hex,
                        owner,
                        owner,
                        to_text(now),
                        hold_until,
                        to_text(now),
                        to_text(now),
                    ),
                )
        return self._fresh(ids)

    def add_once(
        self, new: NewEntry, *, idem_key: str, origin: str, owner: str | None = None
    ) -> Entry | None:
        """Record ``new`` under ``idem_key`` unless an entry with that key exists (None then).

        One transaction: two processes recording the same key (two watchers, a
        retry after a crash) leave one entry, so its effect happens once.
        """
        now = to_text(self.clock.now())
        entry_id = uuid.uuid4().hex
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM entries WHERE idem_key = ?", (idem_key,)).fetchone():
                return None
            conn.execute(
                "INSERT INTO entries (id, batch, origin, ticket_id, kind, payload, label, state,"
                " idem_key, owner, session, created_at, next_attempt, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    entry_id,
                    entry_id,
                    origin,
                    new.ticket_id,
                    new.kind,
                    json.dumps(new.payload, ensure_ascii=False),
                    new.label,
                    PENDING,
                    idem_key,
                    owner,
                    owner,
                    now,
                    now,
                    now,
                ),
            )
        return self.get(entry_id)

    def with_key(self, idem_key: str) -> Entry | None:
        found = self._select("idem_key = ?", (idem_key,))
        return found[0] if found else None

    # -- proposals (``triage mcp``) -----------------------------------------
    def propose(self, new: list[NewEntry], *, proposer: str, owner: str) -> list[Entry]:
        """Record an AI agent's writes as one proposal: ``proposed`` until a human decides.

        Nothing delivers a proposed entry (``due``, ``release_holds``, ``claim``
        and the take-overs all name other states), so it waits however long
        the human takes; ``approve`` makes it an ordinary pending write.
        """
        entries = self.add(new, origin=CONSOLE, owner=owner)
        ids = [e.id for e in entries]
        with self._tx() as conn:
            conn.executemany(
                "UPDATE entries SET state = ?, proposer = ? WHERE id = ? AND state = ?",
                [(PROPOSED, proposer, i, PENDING) for i in ids],
            )
        return self._fresh(ids)

    def proposals(self, states: Iterable[str] = (PROPOSED,), limit: int = 500) -> list[Entry]:
        """Proposed entries (or those decided, by state), oldest first."""
        wanted = tuple(states)
        return self._select(
            f"proposer IS NOT NULL AND state IN ({','.join('?' * len(wanted))})",
            wanted,
            limit=limit,
        )

    def approve(self, entry_id: str, *, approver: str, origin: str, owner: str) -> list[Entry]:
        """A human's yes: the proposal's batch becomes pending, delivered by ``origin``."""
        entry = self.get(entry_id)
        if entry is None or entry.state != PROPOSED:
            return []
        now = self._now()
        with self._tx() as conn:
            conn.execute(
                "UPDATE entries SET state = 'pending', approver = ?, origin = ?, owner = ?,"
                " next_attempt = ?, updated_at = ? WHERE batch = ? AND state = 'proposed'",
                (approver, origin, owner, now, now, entry.batch),
            )
        return self.batch_entries(entry.batch)

    def reject(self, entry_id: str, *, approver: str, reason: str) -> list[Entry]:
        """A human's no, with the reason the proposing client reads on its next call."""
        entry = self.get(entry_id)
        if entry is None or entry.state != PROPOSED:
            return []
        with self._tx() as conn:
            conn.execute(
                "UPDATE entries SET state = ?, approver = ?, decision = ?, updated_at = ?"
                " WHERE batch = ? AND state = ?",
                (REJECTED, approver, reason, self._now(), entry.batch, PROPOSED),
            )
        return self.batch_entries(entry.batch)

    def replace_payload(self, entry_id: str, payload: dict[str, Any]) -> bool:
        """A proposal edited before approval (the console's Edit): only while proposed."""
        return self._update(entry_id, (PROPOSED,), payload=json.dumps(payload, ensure_ascii=False))

    def recent_proposals(self, proposer: str, since: datetime) -> int:
        """How many proposals ``proposer`` made since ``since`` (the per-minute limit)."""
        with self._lock:
            row = self.conn.execute(
                "SELECT count(DISTINCT batch) FROM entries WHERE proposer = ? AND created_at >= ?",
                (proposer, to_text(since)),
            ).fetchone()
        return int(row[0]) if row else 0

    # -- reading ----------------------------------------------------------
    def get(self, entry_id: str) -> Entry | None:
        found = self._select("id = ?", (entry_id,))
        return found[0] if found else None

    def entries(self, states: Iterable[str] | None = None, limit: int = 500) -> list[Entry]:
        """Newest first; those needing the agent or still on their way come first."""
        where, args = "1", ()
        if states is not None:
            wanted = tuple(states)
            where, args = f"state IN ({','.join('?' * len(wanted))})", wanted  # type: ignore[assignment]
        order = (
            "CASE state WHEN 'conflict' THEN 0 WHEN 'failed' THEN 1 WHEN 'delivering' THEN 2"
            " WHEN 'pending' THEN 3 WHEN 'held' THEN 4 WHEN 'proposed' THEN 5 ELSE 6 END,"
            " seq DESC"
        )
        return self._select(where, args, order, limit)

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self.conn.execute("SELECT state, count(*) FROM entries GROUP BY state")
            return {state: n for state, n in rows}

    def batch_entries(self, batch: str) -> list[Entry]:
        return self._select("batch = ?", (batch,))

    def for_ticket(self, ticket_id: str, states: Iterable[str]) -> list[Entry]:
        wanted = tuple(states)
        return self._select(
            f"ticket_id = ? AND state IN ({','.join('?' * len(wanted))})", (ticket_id, *wanted)
        )

    def tickets_in_flight(self) -> set[str]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT DISTINCT ticket_id FROM entries"
                " WHERE state IN ('held','pending','delivering')"
            )
            return {r[0] for r in rows}

    def held_batches(self) -> list[list[Entry]]:
        """Batches that can still be undone, newest first."""
        held = self._select("state = 'held'", order="seq DESC")
        order: list[str] = []
        groups: dict[str, list[Entry]] = {}
        for entry in held:
            if entry.batch not in groups:
                order.append(entry.batch)
                groups[entry.batch] = []
            groups[entry.batch].insert(0, entry)
        return [groups[b] for b in order]

    def due(self, *, origin: str = CONSOLE, limit: int = 20) -> list[Entry]:
        """Pending entries whose time has come and whose ticket has nothing earlier to send."""
        sql = (
            "SELECT e.* FROM entries e WHERE e.state = 'pending' AND e.origin = ?"
            f" AND e.next_attempt <= ? AND {UNBLOCKED} ORDER BY e.seq LIMIT {int(limit)}"
        )
        with self._lock:
            rows = self.conn.execute(sql, (origin, self._now())).fetchall()
        return [Entry.from_row(r) for r in rows]

    def next_wake(self, origin: str = CONSOLE) -> datetime | None:
        """When the next held entry is released or pending entry retried."""
        with self._lock:
            row = self.conn.execute(
                "SELECT min(CASE e.state WHEN 'held' THEN e.hold_until ELSE e.next_attempt END)"
                " FROM entries e WHERE e.origin = ? AND (e.state = 'held' OR (e.state = 'pending'"
                f" AND {UNBLOCKED}))",
                (origin,),
            ).fetchone()
        return from_text(row[0]) if row and row[0] else None

    def delivered_results(
        self, ticket_id: str, sessions: Iterable[str] | None = None
    ) -> list[dict[str, Any]]:
        """What the helpdesk answered to delivered writes on a ticket.

        ``sessions``: only those the given sessions recorded (a collision check
        counts a colleague's console, or a script, as someone else); None: all.
        """
        where, args = "ticket_id = ? AND state = 'delivered'", [ticket_id]
        if sessions is not None:
            wanted = sorted(set(sessions))
            where += f" AND session IN ({','.join('?' * len(wanted))})"
            args += wanted
        return [e.result for e in self._select(where, args) if e.result]

    def delivered_by_others(self, ticket_id: str, sessions: Iterable[str]) -> list[Entry]:
        """Writes on a ticket that other sessions delivered."""
        wanted = sorted(set(sessions))
        where = (
            f"ticket_id = ? AND state = 'delivered' AND (session IS NULL OR session NOT IN"
            f" ({','.join('?' * len(wanted))}))"
        )
        return self._select(where, [ticket_id, *wanted])

    # -- waiting behind a decision ------------------------------------------
    def waits_behind(self, entry_id: str) -> Entry | None:
        """The failed or conflicted entry this one cannot go out before, if any."""
        with self._lock:
            row = self.conn.execute(WAITS_BEHIND, (entry_id,)).fetchone()
        return Entry.from_row(row) if row else None

    def waiting(self, ticket_id: str | None = None) -> list[tuple[Entry, Entry]]:
        """Entries still to go out that wait for a decision on another: (entry, what blocks it)."""
        where = (
            "state IN ('held','pending') AND ticket_id IN"
            " (SELECT ticket_id FROM entries WHERE state IN ('failed','conflict'))"
        ) + (" AND ticket_id = ?" if ticket_id else "")
        found = []
        for entry in self._select(where, (ticket_id,) if ticket_id else ()):
            root = self.waits_behind(entry.id)
            if root is not None and root.batch != entry.batch:
                found.append((entry, root))
        return found

    # -- transitions ------------------------------------------------------
    def _update(self, entry_id: str, only_from: tuple[str, ...], **columns: Any) -> bool:
        columns["updated_at"] = self._now()
        sets = ", ".join(f"{k} = ?" for k in columns)
        marks = ",".join("?" * len(only_from))
        with self._tx() as conn:
            cursor = conn.execute(
                f"UPDATE entries SET {sets} WHERE id = ? AND state IN ({marks})",
                (*columns.values(), entry_id, *only_from),
            )
            return cursor.rowcount == 1

    def release_holds(self, *, everything: bool = False) -> int:
        """Held entries whose window is over (or all of them) become pending."""
        now = self._now()
        cond = "" if everything else " AND hold_until <= ?"
        args: tuple[Any, ...] = (now, now) if everything else (now, now, now)
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE entries SET state = 'pending', next_attempt = ?, updated_at = ?"
                f" WHERE state = 'held'{cond}",
                args,
            )
            return cursor.rowcount

    def claim(self, entry_id: str, owner: str) -> Entry | None:
        """pending -> delivering, attempts + 1; None if someone else got there first."""
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE entries SET state = 'delivering', owner = ?, attempts = attempts + 1,"
                " updated_at = ? WHERE id = ? AND state = 'pending'",
                (owner, self._now(), entry_id),
            )
            if cursor.rowcount != 1:
                return None
        return self.get(entry_id)

    def delivered(
        self, entry_id: str, result: dict[str, Any] | None, note: str | None = None
    ) -> None:
        self._update(
            entry_id,
            (DELIVERING,),
            state=DELIVERED,
            last_error=note,
            result=json.dumps(result, ensure_ascii=False) if result else None,
            delivered_at=self._now(),
            needs_check=0,
        )

    def retry_later(self, entry_id: str, error: str, at: datetime, *, needs_check: bool) -> None:
        self._update(
            entry_id,
            (DELIVERING,),
            state=PENDING,
            last_error=error,
            next_attempt=to_text(at),
            needs_check=int(needs_check),
        )

    def failed(self, entry_id: str, error: str, *, needs_check: bool = False) -> None:
        self._update(
            entry_id,
            (DELIVERING, PENDING),
            state=FAILED,
            last_error=error,
            needs_check=int(needs_check),
        )

    def conflicted(self, entry_id: str, changes: list[str]) -> None:
        self._update(
            entry_id,
            (DELIVERING,),
            state=CONFLICT,
            last_error="; ".join(changes),
            conflict=json.dumps(changes, ensure_ascii=False),
        )

    def retry(self, entry_id: str) -> bool:
        """The agent's retry of a failed entry: pending now (still checked if it may have
        landed)."""
        return self._update(entry_id, (FAILED,), state=PENDING, next_attempt=self._now())

    def send_anyway(self, entry_id: str) -> bool:
        """A conflict the agent overrides: pending now, without the collision check."""
        return self._update(
            entry_id, (CONFLICT,), state=PENDING, force=1, next_attempt=self._now(), conflict=None
        )

    def jump(self, entry_id: str) -> bool:
        """The agent lets a waiting entry (and its batch on that ticket) go without waiting
        for another batch's failed or conflicted write; the collision check still runs."""
        entry = self.get(entry_id)
        if entry is None or entry.state not in (HELD, PENDING):
            return False
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE entries SET jump = 1, next_attempt = ?, updated_at = ?"
                " WHERE batch = ? AND ticket_id = ? AND state IN ('held','pending')",
                (self._now(), self._now(), entry.batch, entry.ticket_id),
            )
            return cursor.rowcount > 0

    def cancel(self, entry_id: str) -> list[Entry]:
        """Cancel one entry and the rest of its batch on the same ticket (they depend on it)."""
        entry = self.get(entry_id)
        if entry is None or entry.state not in (HELD, PENDING, FAILED, CONFLICT):
            return []
        later = self._select(
            "batch = ? AND ticket_id = ? AND seq >= ? AND state IN"
            " ('held','pending','failed','conflict')",
            (entry.batch, entry.ticket_id, entry.seq),
        )
        done = [
            e.id
            for e in later
            if self._update(e.id, (HELD, PENDING, FAILED, CONFLICT), state=CANCELLED)
        ]
        return self._fresh(done)

    def cancel_batch(self, batch: str) -> list[Entry]:
        """Undo: every still-held entry of the batch is cancelled, as one."""
        held = self._select("batch = ? AND state = 'held'", (batch,))
        return self._fresh([e.id for e in held if self._update(e.id, (HELD,), state=CANCELLED)])

    def _fresh(self, ids: list[str]) -> list[Entry]:
        return [e for e in (self.get(i) for i in ids) if e is not None]

    def recover(self, me: str, settle: float = 0.0) -> list[Entry]:
        """Entries left ``delivering`` by a process that died: pending, to be checked first.

        Never resent blindly: ``needs_check`` makes the deliverer look for the
        write on the helpdesk (or resend with the same idempotency key), and
        not before ``settle`` seconds, so a request the helpdesk was still
        processing when we died has landed by the time we look.
        """
        stuck = [e for e in self._select("state = 'delivering'") if not owner_alive(e.owner, me)]
        for entry in stuck:
            # Counted from when the request left (the claim), not from this start.
            at = max(self.clock.now(), entry.updated_at + timedelta(seconds=settle))
            self._update(
                entry.id,
                (DELIVERING,),
                state=PENDING,
                needs_check=1,
                next_attempt=to_text(at),
                last_error="interrupted while being delivered; checking the helpdesk",
            )
        return stuck

    def orphans(self, me: str, ticket_id: str | None = None) -> list[Entry]:
        """Pending entries whose session is gone (killed or stopped), free to go: to take over."""
        where = f"e.state = 'pending' AND {UNBLOCKED}" + (
            " AND e.ticket_id = ?" if ticket_id else ""
        )
        with self._lock:
            rows = self.conn.execute(
                f"SELECT e.* FROM entries e WHERE {where} ORDER BY e.seq",
                (ticket_id,) if ticket_id else (),
            ).fetchall()
        found = [Entry.from_row(r) for r in rows]
        return [e for e in found if not owner_alive(e.owner, me)]

    def others_in_flight(self, me: str) -> bool:
        """Whether another live session has a write under way here (it may yet die with it)."""
        with self._lock:
            rows = self.conn.execute(
                "SELECT DISTINCT owner FROM entries WHERE state = 'delivering'"
                " OR (origin = 'verb' AND state = 'pending')"
            ).fetchall()
        return any(r[0] != me for r in rows)

    def interrupted(self, entry_id: str, settle: float = 0.0) -> None:
        """Our own delivery was cancelled mid-request (shutdown): maybe sent, check first."""
        self._update(
            entry_id,
            (DELIVERING,),
            state=PENDING,
            needs_check=1,
            next_attempt=to_text(self.clock.now() + timedelta(seconds=settle)),
            last_error="interrupted while being delivered",
        )

    def prune(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Forget delivered and cancelled entries after a week (the screen lists recent work)."""
        cutoff = to_text(self.clock.now() - older_than)
        with self._tx() as conn:
            return conn.execute(
                "DELETE FROM entries WHERE state IN ('delivered','cancelled','rejected')"
                " AND updated_at < ?",
                (cutoff,),
            ).rowcount
