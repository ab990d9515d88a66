"""Drafts that survive a crash, a dropped SSH session (SIGHUP) or kill -9.

One small JSON file per ticket under ``drafts/<profile key>/``, written
atomically (temporary file, fsync, rename) so a kill mid-write leaves the old
draft or the new one, never half of one. ``changed`` is called on every
keystroke and only schedules a write: the pending text is written at most
``delay`` seconds later (0.5 s by default, so the file is never more than a
second behind what is on screen), and ``flush_now`` writes it at once from a
signal handler.

A draft records the ticket as the agent saw it when the draft *began*
(``collision.Base``); the collision check compares against that, so a draft
restored after a night's crash is checked against what it was written for.

States: ``editing`` (the agent is writing it), ``sending`` (a reply with this
text is in the outbox as ``entry_id``). It is deleted once that reply is
delivered or the agent discards it (the console discards a draft reset to, or
typed back to, its template); an undone or revised reply comes back as
``editing``. An ``editing`` draft is kept across a clean quit as well: the next
start restores it (``restorable``), whatever ended the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage_tui import private_files
from triage_tui.domain.clock import Clock
from triage_tui.engine.outbox_model import to_text

log = logging.getLogger(__name__)
EDITING, SENDING = "editing", "sending"


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


class DraftStore:
    def __init__(
        self, directory: Path, clock: Clock, *, delay: float = 0.5, retry_delay: float = 5.0
    ) -> None:
        self.directory = Path(directory)
        self.clock = clock
        self.delay = delay
        #: After a failed write (full or read-only disk), the next attempt comes
        #: this many seconds later even if the agent types nothing more.
        self.retry_delay = retry_delay
        self._records: dict[str, dict[str, Any]] = {}
        self._pending: set[str] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._io = threading.Lock()
        #: Why the last write failed (one line), None once a write succeeded.
        self.trouble: str | None = None
        #: Told the new ``trouble`` whenever it changes (the console notifies it).
        self.on_trouble: Callable[[str | None], None] | None = None
        self._load()

    # -- files ------------------------------------------------------------
    def _path(self, ticket_id: str) -> Path:
        readable = re.sub(r"[^A-Za-z0-9_-]", "_", ticket_id)[:40]
        digest = hashlib.sha256(ticket_id.encode()).hexdigest()[:8]
        return self.directory / f"{readable}-{digest}.json"

    def _load(self) -> None:
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                self._records[str(record["ticket_id"])] = record
                continue
            except OSError as exc:
                log.warning("unreadable draft %s: %s", path, exc)
                continue
            except (ValueError, KeyError, TypeError) as exc:
                problem = exc
            # Damaged: kept for a person to read, out of the way of the next start.
            try:
                aside = private_files.move_aside(path)
            except OSError as exc:
                log.warning("unreadable draft %s: %s (%s)", path, problem, exc)
                continue
            private_files.notice(
                f"The draft file {path} was unreadable ({problem}); moved aside to {aside.name}."
            )

    def _write(self, records: list[dict[str, Any]], deleted: list[str]) -> None:
        """Atomic per file: a reader (or the next start) sees old or new, never half."""
        with self._io:
            for record in records:
                text = json.dumps(record, ensure_ascii=False)
                private_files.write_text(self._path(record["ticket_id"]), text)
            for ticket_id in deleted:
                with contextlib.suppress(FileNotFoundError):
                    self._path(ticket_id).unlink()

    def _set_trouble(self, error: BaseException | None) -> None:
        trouble = (
            None
            if error is None
            else f"cannot save drafts in {self.directory}: {private_files.describe(error)}"
        )
        if trouble == self.trouble:
            return
        self.trouble = trouble
        if trouble is not None:
            log.warning("%s", trouble)
        if self.on_trouble is not None:
            self.on_trouble(trouble)

    def _failed(self, ids: set[str], error: OSError) -> None:
        """Nothing typed is dropped: the records stay in memory and pending, retried later."""
        self._pending |= ids
        self._set_trouble(error)
        self._schedule(self.retry_delay)

    def _persist(self, ticket_id: str) -> None:
        """Write one record now (state changes are rare and must not lag)."""
        self._pending.discard(ticket_id)
        record = self._records.get(ticket_id)
        try:
            self._write([record] if record else [], [] if record else [ticket_id])
        except OSError as exc:
            self._failed({ticket_id}, exc)
            return
        if self.trouble is not None:
            self.flush_now()  # space is back: write what waited

    # -- reading ----------------------------------------------------------
    def get(self, ticket_id: str) -> dict[str, Any] | None:
        return self._records.get(ticket_id)

    def all(self) -> dict[str, dict[str, Any]]:
        return dict(self._records)

    def base_for(self, ticket_id: str) -> dict[str, Any] | None:
        record = self._records.get(ticket_id)
        return record.get("base") if record else None

    # -- typing -----------------------------------------------------------
    def changed(
        self, ticket_id: str, body: str, base: Callable[[], dict[str, Any] | None] | None = None
    ) -> None:
        """The agent edited the draft; saved within ``delay`` seconds."""
        record = self._records.get(ticket_id)
        if record is not None and record["body"] == body and record["state"] == EDITING:
            return
        now = to_text(self.clock.now())
        if record is None or record["state"] != EDITING:
            began = base() if base is not None else None
            record = {
                "ticket_id": ticket_id,
                "state": EDITING,
                "entry_id": None,
                "base": began,
                "started_at": now,
            }
            self._records[ticket_id] = record
        record.update(body=body, saved_at=now)
        self._pending.add(ticket_id)
        self._schedule()

    def _schedule(self, delay: float | None = None) -> None:
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if delay is None:
                self.flush_now()
            return
        self._timer = loop.call_later(
            self.delay if delay is None else delay, lambda: loop.create_task(self.flush())
        )

    def _take(self) -> tuple[set[str], list[dict[str, Any]], list[str]]:
        ids, self._pending = self._pending, set()
        records = [dict(self._records[i]) for i in ids if i in self._records]
        return ids, records, [i for i in ids if i not in self._records]

    async def flush(self) -> None:
        """Write every pending draft (in a worker thread: fsync must not stall the UI)."""
        self._timer = None
        if not self._pending:
            return
        ids, records, deleted = self._take()
        try:
            await asyncio.to_thread(self._write, records, deleted)
        except OSError as exc:
            self._failed(ids, exc)
            return
        self._set_trouble(None)

    def flush_now(self) -> None:
        """Write pending drafts synchronously (signal handlers, shutdown)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        ids, records, deleted = self._take()
        try:
            self._write(records, deleted)
        except OSError as exc:
            self._failed(ids, exc)
            return
        self._set_trouble(None)

    # -- the reply's way through the outbox --------------------------------
    def sending(self, ticket_id: str, entry_id: str, body: str) -> None:
        record = self._records.get(ticket_id)
        if record is None:
            return
        record.update(
            state=SENDING, entry_id=entry_id, body=body, saved_at=to_text(self.clock.now())
        )
        self._persist(ticket_id)

    def delivered(self, ticket_id: str, entry_id: str) -> None:
        record = self._records.get(ticket_id)
        if record is not None and record.get("entry_id") == entry_id:
            del self._records[ticket_id]
            self._persist(ticket_id)

    def unsent(
        self,
        ticket_id: str,
        entry_id: str,
        body: str,
        base: dict[str, Any] | None,
        *,
        keep_base: bool = True,
    ) -> None:
        """Undo or revise: the reply's text is a draft again (a newer draft keeps it below).

        An undone reply keeps the base its draft began with; a revised one
        (``keep_base=False``) starts again from the ticket as it is now.
        """
        record = self._records.get(ticket_id)
        now = to_text(self.clock.now())
        if record is not None and record["state"] == EDITING and not _same(record["body"], body):
            record.update(body=record["body"].rstrip() + "\n\n" + body, saved_at=now)
        else:
            kept = record.get("base") if record and keep_base else None
            self._records[ticket_id] = {
                "ticket_id": ticket_id,
                "state": EDITING,
                "entry_id": None,
                "base": kept or (base if keep_base else None),
                "started_at": now,
                "body": body,
                "saved_at": now,
            }
        self._persist(ticket_id)

    def discard(self, ticket_id: str) -> None:
        if self._records.pop(ticket_id, None) is not None:
            self._persist(ticket_id)

    def restorable(self, entry_state: Callable[[str], str | None]) -> dict[str, str]:
        """Drafts to put back in the editor at start, by ticket id.

        ``entry_state`` tells what became of a ``sending`` draft's reply: a
        delivered one is dropped, a cancelled or lost one is a draft again,
        one still on its way stays out of the editor (the outbox shows it).
        """
        restored: dict[str, str] = {}
        for ticket_id, record in list(self._records.items()):
            if record["state"] == SENDING:
                state = entry_state(record.get("entry_id") or "")
                if state == "delivered":
                    self.discard(ticket_id)
                    continue
                if state not in (None, "cancelled"):
                    continue
                record["state"] = EDITING
                self._persist(ticket_id)
            restored[ticket_id] = record["body"]
        return restored
