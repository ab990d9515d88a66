"""The domain's enumerations: ticket status and priority, message role, SLA stage.

Apart from ``models``, and imported from here only, so that code on the console's
path to its first screen — the queue's compact rows, SLA countdowns, the
local helpdesk's row reads — can use them without importing pydantic
(~100 ms of a start-up of ~450; see ``tests/cli/test_start_up_imports.py``).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The domain's status vocabulary; each adapter maps its own onto it."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """Active tickets are the ones a queue shows by default."""
        return self not in (Status.SOLVED, Status.CLOSED)

    @classmethod
    def parse(cls, value: str) -> Status:
        """Accept the usual spellings a person types: ``on-hold``, ``HOLD``, ``In progress``."""
        from triage_tui.domain.errors import InvalidInput

        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        key = _STATUS_ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise InvalidInput(f"unknown status {value!r}; expected one of: {choices}") from None


_STATUS_ALIASES = {
    "hold": "on_hold",
    "onhold": "on_hold",
    "in_progress": "pending",
    "inprogress": "pending",
    "resolved": "solved",
    "done": "solved",
}


#: What a queue lists by default (``QueueFilter.statuses``).
ACTIVE_STATUSES = frozenset(s for s in Status if s.is_active)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """Higher is more urgent; used to break SLA ties."""
        return _PRIORITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> Priority:
        from triage_tui.domain.errors import InvalidInput

        key = value.strip().lower()
        key = {"medium": "normal"}.get(key, key)
        try:
            return cls(key)
        except ValueError:
            choices = ", ".join(p.value for p in cls)
            raise InvalidInput(f"unknown priority {value!r}; expected one of: {choices}") from None


_PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Role(StrEnum):
    """Who wrote a message."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class SlaStage(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    PAUSED = "paused"
