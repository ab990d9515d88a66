"""``BufferedHelpdesk``: any adapter, with every write going through the outbox.

It is a ``Helpdesk`` itself, so the console, ``engine.actions`` and the verbs
use it unchanged. Reads go to the real adapter (and into the offline cache);
writes are recorded in the outbox first. Two modes:

* ``console``: a write returns at once with a provisional result; the
  ``Deliverer`` task sends it after the undo window. Reads show queued writes
  (a queued "solved" leaves the queue, a queued reply shows in the
  conversation), and while the helpdesk is unreachable they are served from
  the cache of the last fetched data.
* ``verb``: a write returns only once delivered, or raises the helpdesk's own
  error after a few quick attempts (``delivery.VERB_POLICY``) — scripts keep
  their exit codes. Recording it first still buys exactly-once: a verb killed
  mid-request leaves an entry the next console start reconciles (found on the
  ticket: delivered; not found: failed, never sent behind the script's back).

Group the writes of one action with ``with batch(helpdesk):`` — they are then
undone as one (``engine.actions`` does this for Send; a bulk sweep should wrap
its loop). ``create_ticket`` is not buffered: its caller needs the new id.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from triage_tui import paths
from triage_tui.adapters.base import Helpdesk, LeftOut
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.errors import Conflict, HelpdeskError, TriageError, Unreachable
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.cache import ReadCache
from triage_tui.engine.delivery import Deliverer, Sleep
from triage_tui.engine.delivery_policy import VERB_POLICY, Connectivity, RetryPolicy, apply_write
from triage_tui.engine.drafts import DraftStore
from triage_tui.engine.event_log import EventLog
from triage_tui.engine.event_recording import EventRecording
from triage_tui.engine.offline import OfflineReads
from triage_tui.engine.outbox_controls import OutboxControls
from triage_tui.engine.overlay import PROVISIONAL_PREFIX, overlay_ticket

if TYPE_CHECKING:
    # The models are imported where they are built, not here: this module is
    # on the console's path to its first screen, which imports no pydantic.
    from triage_tui.domain.models import Escalation, Message, NewTicket, Ticket, TicketDetail
    from triage_tui.engine.collision import Base

log = logging.getLogger(__name__)
CONSOLE_MODE, VERB_MODE = "console", "verb"
_BATCH: ContextVar[str | None] = ContextVar("triage_outbox_batch", default=None)


@contextmanager
def batch(helpdesk: Helpdesk) -> Iterator[None]:
    """Record the writes made inside as one batch (undone together); no-op unbuffered."""
    if not isinstance(helpdesk, BufferedHelpdesk) or _BATCH.get() is not None:
        yield
        return
    token = _BATCH.set(uuid.uuid4().hex)
    try:
        yield
    finally:
        _BATCH.reset(token)


def store_key(profile: str, adapter: str, options: dict[str, Any]) -> str:
    """``profile.adapter.hash``: another db file or URL is another outbox (secrets left out)."""
    from triage_tui.config import is_secret

    public = {k: str(v) for k, v in sorted(options.items()) if not is_secret(k) and v is not None}
    digest = hashlib.sha256(json.dumps([adapter, public]).encode()).hexdigest()[:10]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in profile) or "default"
    return f"{safe}.{adapter}.{digest}"


class BufferedHelpdesk(OutboxControls, EventRecording, OfflineReads, Helpdesk):
    def __init__(
        self,
        inner: Helpdesk,
        key: str,
        *,
        mode: str = CONSOLE_MODE,
        hold_seconds: float = 0.0,
        data_dir: Path | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(inner.options, inner.clock)
        self.inner = inner
        # Mirror the adapter's identity: the UI, the verbs and the doctor read these.
        self.name = inner.name  # type: ignore[misc]
        self.display_name = inner.display_name  # type: ignore[misc]
        # An event log is always kept: the adapter's own, else one on this machine.
        self.capabilities = replace(inner.capabilities, event_log=True)  # type: ignore[misc]
        self.doctor_hints = inner.doctor_hints  # type: ignore[misc]
        self.feed_rate_limit = inner.feed_rate_limit  # type: ignore[misc]
        self.mode = mode
        #: This console or verb run: its entries are "ours", everyone else's are not.
        self.session = om.owner_token()
        self.hold_seconds = hold_seconds if mode == CONSOLE_MODE else 0.0
        root = data_dir or paths.data_dir()
        self.outbox_path = root / "outbox" / f"{key}.sqlite3"
        self.drafts = (
            DraftStore(root / "drafts" / key, inner.clock) if mode == CONSOLE_MODE else None
        )
        self.cache = (
            ReadCache(root / "cache" / f"{key}.sqlite3", inner.clock)
            if mode == CONSOLE_MODE
            else None
        )
        self.connectivity = Connectivity()
        self._sleep, self._rng = sleep, rng or random.Random()
        self._policy = policy or (VERB_POLICY if mode == VERB_MODE else RetryPolicy())
        self._outbox: ob.Outbox | None = None
        self._deliverer: Deliverer | None = None
        self._inner_open = False
        #: The last real read of each ticket: the collision base of a reply without a draft.
        self._seen: dict[str, Base] = {}
        self._background: set[asyncio.Future[Any]] = set()
        self._cache_writer: ThreadPoolExecutor | None = None
        self.listeners: list[Callable[[str, om.Entry | None], None]] = []
        #: No log of the adapter's own (remote helpdesks): keep one here, on this machine.
        self.own_log = not inner.capabilities.event_log
        self.events_path = root / "events" / f"{key}.sqlite3"
        self._event_log: EventLog | None = None
        #: The ticket (JSON) as last read or written, and as it was when each entry was recorded.
        self._known: dict[str, dict[str, Any]] = {}
        self._before: dict[str, dict[str, Any] | None] = {}

    # -- the rest of the contract, from the adapter --------------------------
    # Each method ``Helpdesk`` declares is either the outbox's own (writes,
    # reads, ``probe``, the event log) or forwarded here, written out so that
    # mypy checks it; an adapter's other attributes are reached on ``inner``.
    def missing_settings(self) -> list[str]:
        return self.inner.missing_settings()

    def take_left_out(self) -> LeftOut:
        return self.inner.take_left_out()

    async def can_comment_publicly(self) -> bool | None:
        return await self.inner.can_comment_publicly()

    @property
    def agent(self) -> str:
        return self.inner.agent

    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """The adapter's feed, as is: writes this outbox delivers show up there
        once they land, like everyone else's."""
        return await self.inner.changes_since(cursor, limit)

    def ticket_url(self, ticket_id: str) -> str | None:
        return self.inner.ticket_url(ticket_id)

    def ticket_link(self, ticket_id: str) -> str | None:
        return self.inner.ticket_link(ticket_id)

    def link_tickets(self, template: str) -> Self:
        self.inner.link_tickets(template)
        return self

    async def agents(self) -> list[str]:
        return await self.inner.agents()

    async def groups(self) -> list[str]:
        return await self.inner.groups()

    def act_as(self, agent: str) -> Self:
        self.inner.act_as(agent)
        return self

    def watch_writes(self, listener: Callable[[str, om.Entry | None], None]) -> bool:
        """Every write queued, delivered, undone or changed is told to ``listener``."""
        self.listeners.append(listener)
        return True

    # -- the outbox, lazily (a read-only verb never opens it) --------------
    @property
    def outbox(self) -> ob.Outbox:
        if self._outbox is None:
            self._outbox = ob.Outbox(self.outbox_path, self.clock)
            om.session_started(self.session)
        return self._outbox

    @property
    def outbox_opened(self) -> bool:
        """Whether the outbox file is open yet (``outbox`` opens it on first use)."""
        return self._outbox is not None

    def look_around(self) -> None:
        """The console's periodic look for what dead sessions left (once delivering)."""
        if self._deliverer is not None:
            self._deliverer.look_around()

    @property
    def deliverer(self) -> Deliverer:
        if self._deliverer is None:
            self._deliverer = Deliverer(
                self.outbox,
                self.inner,
                self.clock,
                sleep=self._sleep,
                rng=self._rng,
                policy=self._policy,
                owner=self.session,
                connectivity=self.connectivity,
                probe=self.probe if self.mode == CONSOLE_MODE else None,
            )
            self._deliverer.listeners.append(self._on_delivery)
        return self._deliverer

    def _emit(self, event: str, entry: om.Entry | None = None) -> None:
        for listener in list(self.listeners):
            listener(event, entry)

    def _on_delivery(self, event: str, entry: om.Entry | None) -> None:
        # A delivered reply ends its draft (an undone one came back as a draft already).
        if (
            self.drafts is not None
            and entry is not None
            and entry.kind == "reply"
            and event == "delivered"
        ):
            self.drafts.delivered(entry.ticket_id, entry.id)
        if entry is not None and event == "delivered":
            self._log_write(
                entry.kind,
                entry.ticket_id,
                entry.payload,
                entry.result,
                self._before.pop(entry.id, None),
                entry.id,
            )
        self._emit(event, entry)

    # -- lifecycle --------------------------------------------------------
    async def open(self) -> None:
        try:
            await self.inner.open()
            self._inner_open = True
        except Unreachable as error:
            # Offline start: fine when there is last fetched data to work from.
            if self.mode != CONSOLE_MODE or self.cache is None or self.cache.queue_at() is None:
                raise
            self._offline(error)
        if self.mode == CONSOLE_MODE and self.outbox.read_only is None:
            self.outbox.prune()
            self.deliverer.start()

    async def close(self) -> None:
        if self._deliverer is not None:
            await self._deliverer.stop()
        await self._saved()
        if self._cache_writer is not None:
            self._cache_writer.shutdown(wait=False)  # its writes are done
            self._cache_writer = None
        if self.drafts is not None:
            await self.drafts.flush()
        if self._outbox is not None:
            self._outbox.close()
        # From now on what this run left in the outbox is another run's to take over.
        om.session_ended(self.session)
        if self.cache is not None:
            self.cache.close()
        if self._event_log is not None:
            self._event_log.close()
            self._event_log = None
        await self.inner.close()

    # -- writes -----------------------------------------------------------
    def _base_for(self, ticket_id: str, body: str | None) -> dict[str, Any] | None:
        if self.drafts is not None and body is not None:
            base = self.drafts.base_for(ticket_id)
            if base is not None:
                return base
        seen = self._seen.get(ticket_id)
        return seen.model_dump(mode="json") if seen else None

    async def _write(
        self, kind: str, ticket_id: str, payload: dict[str, Any], label: str
    ) -> tuple[om.Entry | None, dict[str, Any] | None]:
        """Record; in verb mode deliver before returning the helpdesk's answer."""
        body = payload.get("body") if kind == "reply" else None
        base = self._base_for(str(ticket_id), body) if kind == "reply" else None
        new = om.NewEntry(str(ticket_id), kind, payload, label, base)
        before = self._known_ticket(str(ticket_id))
        origin = om.VERB if self.mode == VERB_MODE else om.CONSOLE
        try:
            if self.outbox.read_only is not None:
                disabled = "" if self.mode == VERB_MODE else ": writes are disabled"
                raise Unreachable(self.outbox.read_only + disabled)
            if self.mode == VERB_MODE:
                # What a killed console or script left on this ticket goes first.
                await self.deliverer.take_over(str(ticket_id))
            (entry,) = self.outbox.add(
                [new],
                hold_seconds=self.hold_seconds,
                origin=origin,
                batch=_BATCH.get(),
                owner=self.deliverer.owner,
            )
        except sqlite3.Error as error:
            # A full disk: one line, nothing recorded (the reply stays in its draft).
            raise Unreachable(
                f"not recorded: cannot write the outbox {self.outbox_path}: {error}"
            ) from None
        except Unreachable as error:
            if self.mode != VERB_MODE:
                raise
            # A script on a read-only home still works, without the crash safety.
            log.warning("%s; writing directly", error)
            result = await apply_write(self.inner, kind, str(ticket_id), payload)
            self._log_write(kind, str(ticket_id), payload, result, before, None)
            return None, result
        self._before[entry.id] = before
        if self.mode == VERB_MODE:
            return entry, await self._deliver_now(entry)
        if self.drafts is not None and kind == "reply":
            self.drafts.sending(entry.ticket_id, entry.id, payload["body"])
        self._emit("queued", entry)
        self.deliverer.kick()
        return entry, None

    def _known_ticket(self, ticket_id: str) -> dict[str, Any] | None:
        """The ticket as last read or written (JSON), else cached; None when never seen."""
        known = self._known.get(ticket_id)
        if known is None and self.cache is not None:
            cached = self.cache.ticket(ticket_id)
            known = cached.ticket.model_dump(mode="json") if cached else None
        return known

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        detail = await super().get_ticket(ticket_id)
        seen = self._seen.get(detail.ticket.id)
        if seen is not None:
            seen.session = self.session  # the base of a reply: what *this* run saw
        # With queued writes shown: the state a write recorded now starts from.
        self._known[detail.ticket.id] = detail.ticket.model_dump(mode="json")
        return detail

    async def _deliver_now(self, entry: om.Entry) -> dict[str, Any]:
        outcome = await self.deliverer.deliver_now(entry.id)
        if outcome.state == om.DELIVERED and outcome.result is not None:
            return outcome.result
        if outcome.state == om.CONFLICT:
            raise Conflict(
                f"ticket {entry.ticket_id} changed since it was read: "
                + "; ".join(outcome.changes)
                + " — not sent"
            )
        if isinstance(outcome.error, TriageError):
            raise outcome.error
        raise HelpdeskError(f"not delivered: {outcome.error}")

    def _provisional_ticket(self, ticket_id: str) -> Ticket:
        from triage_tui.domain.models import Person, Ticket

        cached = self.cache.ticket(ticket_id) if self.cache else None
        now = self.clock.now()
        ticket = (
            cached.ticket
            if cached
            else Ticket(
                id=ticket_id, requester=Person(id="", name=""), created_at=now, updated_at=now
            )
        )
        return overlay_ticket(ticket, self._in_flight().get(ticket_id, []))

    async def reply(self, ticket_id: str, body: str) -> Message:
        entry, result = await self._write(
            "reply", ticket_id, {"body": body}, f"Reply to #{ticket_id}"
        )
        if result is not None or entry is None:
            from triage_tui.domain.models import Message

            return Message.model_validate(result)
        return self._provisional(entry, body, True)

    async def add_note(self, ticket_id: str, body: str) -> Message:
        if not self.capabilities.internal_notes:
            return await self.inner.add_note(ticket_id, body)  # raises Unsupported
        entry, result = await self._write(
            "note", ticket_id, {"body": body}, f"Note on #{ticket_id}"
        )
        if result is not None or entry is None:
            from triage_tui.domain.models import Message

            return Message.model_validate(result)
        return self._provisional(entry, body, False)

    def _provisional(self, entry: om.Entry, body: str, public: bool) -> Message:
        from triage_tui.domain.models import Message

        return Message(
            id=PROVISIONAL_PREFIX + entry.id,
            ticket_id=entry.ticket_id,
            author="You (queued)",
            role=Role.AGENT,
            public=public,
            body=body,
            created_at=entry.created_at,
        )

    async def _ticket_write(
        self, kind: str, ticket_id: str, payload: dict[str, Any], label: str
    ) -> Ticket:
        from triage_tui.domain.models import Ticket

        _, result = await self._write(kind, ticket_id, payload, label)
        return Ticket.model_validate(result) if result else self._provisional_ticket(ticket_id)

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        status = status if isinstance(status, Status) else Status.parse(str(status))
        return await self._ticket_write(
            "status",
            ticket_id,
            {"status": status.value},
            f"Status of #{ticket_id} → {status.value}",
        )

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        if not self.capabilities.priority:
            return await self.inner.set_priority(ticket_id, priority)  # raises Unsupported
        priority = priority if isinstance(priority, Priority) else Priority.parse(str(priority))
        return await self._ticket_write(
            "priority",
            ticket_id,
            {"priority": priority.value},
            f"Priority of #{ticket_id} → {priority.value}",
        )

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        if not self.capabilities.assignment:
            return await self.inner.assign(ticket_id, assignee, group)  # raises Unsupported
        return await self._ticket_write(
            "assign",
            ticket_id,
            {"assignee": assignee, "group": group},
            f"Assign #{ticket_id} → {assignee or group or 'nobody'}",
        )

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        if not self.capabilities.tags:
            return await self.inner.tag(ticket_id, add, remove)  # raises Unsupported
        return await self._ticket_write(
            "tag",
            ticket_id,
            {"add": list(add or []), "remove": list(remove or [])},
            f"Tags on #{ticket_id}",
        )

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        return await self._ticket_write(
            "escalate",
            ticket_id,
            escalation.model_dump(mode="json"),
            f"Escalate #{ticket_id}: {escalation.reason}",
        )

    async def create_ticket(self, new: NewTicket) -> Ticket:
        return await self.inner.create_ticket(new)
