"""SLA countdowns, their states and the queue order.

The queue is sorted by the soonest active SLA target: breached tickets first
(most overdue on top), then by time left, then tickets with no SLA. Ties go to
the higher priority, then the older ticket, so the order is total and stable.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from triage_tui.domain.enums import SlaStage

if TYPE_CHECKING:
    from triage_tui.domain.models import SlaTarget, Ticket

AT_RISK_WINDOW = timedelta(hours=1)
"""Under this much time left a ticket shows as "under 1 h"."""

SWEEP_RISK_WINDOW = timedelta(minutes=90)
"""The playbook's "last 90 minutes": used by sweeps, alerts and demo data."""


class SlaState(StrEnum):
    BREACHED = "breached"
    AT_RISK = "at_risk"
    OK = "ok"
    PAUSED = "paused"
    NONE = "none"

    @property
    def marker(self) -> str:
        """A text marker so state never relies on colour alone."""
        return _MARKERS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_MARKERS = {
    SlaState.BREACHED: "!!",
    SlaState.AT_RISK: "! ",
    SlaState.OK: "  ",
    SlaState.PAUSED: "‖ ",
    SlaState.NONE: "--",
}
_LABELS = {
    SlaState.BREACHED: "breached",
    SlaState.AT_RISK: "under 1 h",
    SlaState.OK: "ok",
    SlaState.PAUSED: "paused",
    SlaState.NONE: "no SLA",
}


def next_target(ticket: Ticket) -> SlaTarget | None:
    """The active target that is due first, or None."""
    active = [t for t in ticket.sla if t.stage is SlaStage.ACTIVE]
    if not active:
        return None
    return min(active, key=lambda t: t.due_at)


def time_left(ticket: Ticket, now: datetime) -> timedelta | None:
    """Time until the next active target; negative once breached; None without SLA."""
    target = next_target(ticket)
    if target is None:
        return None
    return target.due_at - now


def state(ticket: Ticket, now: datetime) -> SlaState:
    left = time_left(ticket, now)
    if left is None:
        if any(t.stage is SlaStage.PAUSED for t in ticket.sla):
            return SlaState.PAUSED
        return SlaState.NONE
    if left <= timedelta(0):
        return SlaState.BREACHED
    if left < AT_RISK_WINDOW:
        return SlaState.AT_RISK
    return SlaState.OK


def format_countdown(left: timedelta | None) -> str:
    """``-1h05m``, ``42m``, ``3h10m``, ``2d04h``; ``—`` when there is no SLA.

    Minutes are the resolution agents act on; seconds are shown only in the
    last ten minutes, where they matter (and the countdown visibly ticks).
    """
    if left is None:
        return "—"
    total = int(left.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    if minutes >= 10:
        return f"{sign}{minutes}m"
    return f"{sign}{minutes}m{seconds:02d}s"


_FAR_FUTURE = timedelta(days=365 * 100).total_seconds()


def queue_key(ticket: Ticket, now: datetime) -> tuple[float, int, float, str]:
    """Sort key: soonest breach first, then priority, then age, then id."""
    left = time_left(ticket, now)
    seconds = left.total_seconds() if left is not None else _FAR_FUTURE
    return (seconds, -ticket.priority.rank, ticket.created_at.timestamp(), ticket.id)


def sort_queue(tickets: list[Ticket], now: datetime) -> list[Ticket]:
    return sorted(tickets, key=lambda t: queue_key(t, now))


def format_age(created_at: datetime, now: datetime) -> str:
    """Compact age: ``45m``, ``5h``, ``3d``."""
    seconds = max(0, int((now - created_at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"
