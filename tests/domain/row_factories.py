"""Queue rows for filter, sweep and plan tests, with due times relative to FROZEN_NOW."""

from __future__ import annotations

import math
from datetime import timedelta

from tests.conftest import FROZEN_NOW
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.queue import QueueRow

NOW_TS = FROZEN_NOW.timestamp()


def row(
    ticket_id: str = "1",
    *,
    subject: str = "Help",
    excerpt: str = "",
    status: Status = Status.OPEN,
    priority: Priority = Priority.NORMAL,
    requester: str = "Dana Reyes",
    organization: str = "",
    vip: bool = False,
    due_in: timedelta | None = timedelta(hours=5),
    paused: bool = False,
    age: timedelta = timedelta(hours=2),
    tags: tuple[str, ...] = (),
    assignee: str = "",
    channel: str = "email",
) -> QueueRow:
    """A row due ``due_in`` after FROZEN_NOW (negative: breached; None: no SLA)."""
    return QueueRow(
        id=ticket_id,
        subject=subject,
        status=status,
        priority=priority,
        requester=requester,
        requester_id="p" + ticket_id,
        organization=organization,
        vip=vip,
        due=NOW_TS + due_in.total_seconds() if due_in is not None else math.inf,
        paused=paused,
        created=NOW_TS - age.total_seconds(),
        tags=tags,
        assignee=assignee,
        channel=channel,
        excerpt=excerpt,
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
