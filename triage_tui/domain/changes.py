"""The change feed: what changed on the helpdesk since a cursor.

``Helpdesk.changes_since`` answers with a ``ChangeBatch``; the engine's poller
(``engine.changes``) asks again from ``batch.cursor`` and hands each batch on.
Plain dataclasses, like ``QueueRow``: the local adapter is imported on the
console's path to its first screen, which imports no pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: The most changes one ``changes_since`` call returns: the work per poll is
#: bounded, and a batch that stops there says so (``complete`` is False).
MAX_CHANGES_PER_CALL = 500


class ChangeKind(StrEnum):
    """What happened to a ticket, as precisely as the helpdesk can tell.

    ``UPDATED`` is the catch-all: a helpdesk that only says "this ticket
    changed" reports that, and the reader fetches the ticket to see how.
    """

    CREATED = "created"
    UPDATED = "updated"
    SOLVED = "solved"
    DELETED = "deleted"
    MESSAGE_ADDED = "message_added"
    ASSIGNEE_CHANGED = "assignee_changed"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"
    SLA_CHANGED = "sla_changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one ticket. ``at`` is when the helpdesk says it happened
    (None when it does not say); ``actor`` who did it, "" when unknown.

    ``repeat``: the feed reported this ticket at this same time before and
    cannot tell whether it changed again since (a helpdesk whose clock counts
    whole seconds): it may be old news. Compare the ticket as re-read with the
    one held before treating it as a change.
    """

    ticket_id: str
    kind: ChangeKind
    at: datetime | None = None
    actor: str = ""
    repeat: bool = False

    def as_json(self) -> dict[str, str | bool | None]:
        return {
            "ticket_id": self.ticket_id,
            "kind": self.kind.value,
            "at": self.at.isoformat() if self.at is not None else None,
            "actor": self.actor,
            "repeat": self.repeat,
        }


@dataclass(frozen=True, slots=True)
class FeedRateLimit:
    """What a helpdesk documents about the requests a poll of its feed spends.

    ``per_minute`` is the account-wide limit every request counts against;
    ``feed_per_minute`` the feed endpoint's own, tighter limit where there is
    one (Zendesk's incremental exports). The engine spends a small share of
    each while idle (``engine.changes.budget_interval``).
    """

    per_minute: float
    feed_per_minute: float | None = None


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """The answer of ``changes_since``.

    ``cursor`` is opaque: pass it back as is to continue after these changes.
    ``complete`` is False when the helpdesk had more than one call's worth
    (``MAX_CHANGES_PER_CALL``): ask again at once from ``cursor``. ``resync``
    is True when the cursor given could not be resumed (unknown, from another
    helpdesk, or older than the helpdesk keeps): ``changes`` is then empty and
    the reader should reload what it shows, then follow ``cursor``.
    """

    changes: tuple[Change, ...]
    cursor: str
    complete: bool = True
    resync: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "changes": [change.as_json() for change in self.changes],
            "cursor": self.cursor,
            "complete": self.complete,
            "resync": self.resync,
        }
