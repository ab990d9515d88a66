"""The event log of a ``BufferedHelpdesk``: the adapter's own, else a local one.

A mixin of ``engine.buffered.BufferedHelpdesk``: remote helpdesks keep no log of
what the agent did, so one is kept on this machine (``EventLog``), and each
delivered write is logged there as its event (``write_event``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui.domain.errors import TriageError
from triage_tui.engine.event_log import EventLog, write_event

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk
    from triage_tui.domain.clock import Clock
    from triage_tui.domain.models import Event

log = logging.getLogger(__name__)


class EventRecording:
    inner: Helpdesk
    clock: Clock
    events_path: Path
    #: No log of the adapter's own: the local one is used.
    own_log: bool
    _event_log: EventLog | None
    #: The ticket (JSON) as last read or written.
    _known: dict[str, dict[str, Any]]

    @property
    def event_log(self) -> EventLog:
        if self._event_log is None:
            self._event_log = EventLog(self.events_path, self.clock, self.inner.agent)
        return self._event_log

    async def record_event(
        self,
        name: str,
        ticket_id: str | None = None,
        payload: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> int:
        """Append an event: to the adapter's log when it keeps one, else to the local one."""
        if not self.own_log:
            return await self.inner.record_event(name, ticket_id, payload, actor)
        return self.event_log.record(name, ticket_id, payload, actor)

    async def list_events(self, since: datetime | None = None) -> list[Event]:
        """Events at or after ``since`` (all when None), oldest first."""
        if not self.own_log:
            return await self.inner.list_events(since)
        return self.event_log.list(since)

    def _log_write(
        self,
        kind: str,
        ticket_id: str,
        payload: dict[str, Any],
        result: dict[str, Any] | None,
        before: dict[str, Any] | None,
        source: str | None,
    ) -> None:
        """The event of a delivered write, for adapters without a log (the local one logs its
        own)."""
        if kind not in ("reply", "note") and result:
            self._known[ticket_id] = result
        if not self.own_log:
            return
        made = write_event(kind, payload, result, before)
        if made is None:
            return
        try:
            self.event_log.record(made[0], ticket_id, made[1], source=source)
        except TriageError as error:  # the write happened; a lost log line must not undo it
            log.warning("event not logged: %s", error)
