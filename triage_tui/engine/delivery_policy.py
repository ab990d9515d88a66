"""What the deliverer decides with: retry policy, error classes, the write itself.

Split from ``delivery`` (the loop) so each reads on its own; what is defined
here is imported from here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import Conflict, HelpdeskError, RateLimited, Unreachable


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts, and when to give up."""

    base: float = 2.0
    factor: float = 2.0
    cap: float = 300.0
    rate_limit_default: float = 30.0
    #: Attempts before an entry fails; None retries while the helpdesk is away.
    max_attempts: int | None = None
    #: A server that keeps answering 5xx fails the entry after this many attempts.
    max_server_errors: int = 8
    #: Longest single wait accepted (verbs: a script should not hang for an hour).
    max_wait: float | None = None
    #: 409s in a row before a write the helpdesk keeps refusing becomes a conflict.
    max_conflicts: int = 3
    #: Seconds between reachability probes while offline with nothing to deliver.
    probe_cap: float = 30.0
    #: After a write got no answer (timeout, cut connection, our own crash) the
    #: helpdesk may still be processing it: look for it only this much later.
    #: Not needed when the helpdesk has idempotency keys.
    settle: float = 10.0
    #: While another console or verb has a write under way, look this often
    #: whether it died with it (its entries are then taken over).
    takeover_every: float = 15.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential, capped, with "equal jitter": half fixed, half random."""
        raw = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        return raw / 2 + rng.uniform(0, raw / 2)


#: What verbs use: a few quick attempts, then a clear failure.
VERB_POLICY = RetryPolicy(base=0.5, max_attempts=3, max_wait=30.0, settle=5.0)


@dataclass
class Attempt:
    """The outcome of one attempt: the entry's new state and why."""

    state: str
    error: BaseException | None = None
    wait: float = 0.0
    result: dict[str, Any] | None = None
    changes: list[str] = field(default_factory=list)


def classify(error: BaseException) -> str:
    """``rate``, ``retry`` (transient), ``conflict`` or ``fail`` (permanent)."""
    if isinstance(error, RateLimited):
        return "rate"
    if isinstance(error, Unreachable):
        return "retry"
    if isinstance(error, Conflict):
        return "conflict"
    status = getattr(error, "status", None)
    if isinstance(error, HelpdeskError) and isinstance(status, int) and status >= 500:
        return "retry"
    return "fail"


async def apply_write(hd: Helpdesk, kind: str, ticket: str, p: dict[str, Any]) -> dict[str, Any]:
    """Make one recorded write through the ordinary adapter method; its answer as JSON."""
    result: Any
    if kind == "reply":
        result = await hd.reply(ticket, p["body"])
    elif kind == "note":
        result = await hd.add_note(ticket, p["body"])
    elif kind == "status":
        result = await hd.set_status(ticket, Status(p["status"]))
    elif kind == "priority":
        result = await hd.set_priority(ticket, Priority(p["priority"]))
    elif kind == "assign":
        result = await hd.assign(ticket, p.get("assignee"), p.get("group"))
    elif kind == "tag":
        result = await hd.tag(ticket, add=p.get("add") or [], remove=p.get("remove") or [])
    elif kind == "escalate":
        from triage_tui.domain.models import Escalation  # pydantic: not at import (first screen)

        result = await hd.escalate(ticket, Escalation.model_validate(p))
    else:
        raise HelpdeskError(f"unknown outbox entry kind {kind!r}")
    return dict(result.model_dump(mode="json"))


@dataclass
class Connectivity:
    """Whether the helpdesk answered lately; the offline banner reads it."""

    online: bool = True
    since: datetime | None = None
    error: str = ""
