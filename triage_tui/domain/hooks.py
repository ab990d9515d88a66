"""Lifecycle hooks, the pure part: event names, idempotency keys, the payload, ``when``.

A hook (``[[hooks]]`` in the config) names events, an optional ``when`` filter
and one action. The engine (``engine.hooks``) records each (hook, event) in the
outbox under ``idempotency_key`` and runs it once; what it hands the action is
built here, from the ticket, so ``triage hooks test`` shows exactly what a
real run would send. No I/O, no pydantic at import.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage_tui.domain import events as ev
from triage_tui.domain.changes import ChangeKind

if TYPE_CHECKING:
    from triage_tui.domain.escalation import RuleResult
    from triage_tui.domain.filters.language import Filter
    from triage_tui.domain.models import Ticket
    from triage_tui.domain.queue import QueueRow

SOLVED = "ticket.solved"
"""A ticket became solved (``ticket.status_changed`` to solved, or the feed's ``solved``)."""
MESSAGE_ADDED = "message.added"
"""A message on the ticket (the feed's ``message_added``: the customer's or an agent's)."""
HOOK_RAN = "hook.ran"
"""{hook, action, event, entry_id, exit?, stderr_tail?, url?, assignee?, detail}"""
HOOK_FAILED = "hook.failed"
"""{hook, action, event, entry_id, error, attempts, final}"""
SURVEY_SENT = "survey.sent"
"""{hook, requester_id, requester}: a satisfaction request went to the requester (an activity)."""
CSAT_RECORDED = "csat.recorded"
"""{score: 1-5, requester_id, requester, comment?}: ``triage csat ID --score N``."""
HEALTH_CHECK = "health.check"
"""{hook, organization_id, organization, note}: an organisation health-check after a survey."""

#: The events a hook may name in ``on``.
EVENTS: tuple[str, ...] = (
    ev.CREATED,
    ev.ASSIGNED,
    ev.ESCALATED,
    ev.STATUS_CHANGED,
    SOLVED,
    ev.PRIORITY_CHANGED,
    ev.REPLY_SENT,
    ev.NOTE_ADDED,
    MESSAGE_ADDED,
    ev.SLA_ALERTED,
    ev.FOLLOW_UP,
)

#: Events no feed tells: the console and the verbs record them in the event log, where
#: ``triage watch`` reads them (the feed's own kinds come from the feed, never from both).
FROM_LOG: tuple[str, ...] = (
    ev.ESCALATED,
    ev.REPLY_SENT,
    ev.NOTE_ADDED,
    ev.SLA_ALERTED,
    ev.FOLLOW_UP,
)

#: What a change on the helpdesk's feed is, as hook events (``triage watch``).
_FROM_FEED: dict[ChangeKind, tuple[str, ...]] = {
    ChangeKind.CREATED: (ev.CREATED,),
    ChangeKind.ASSIGNEE_CHANGED: (ev.ASSIGNED,),
    ChangeKind.STATUS_CHANGED: (ev.STATUS_CHANGED,),
    ChangeKind.SOLVED: (ev.STATUS_CHANGED, SOLVED),
    ChangeKind.PRIORITY_CHANGED: (ev.PRIORITY_CHANGED,),
    ChangeKind.MESSAGE_ADDED: (MESSAGE_ADDED,),
}

#: The actions a hook may have (exactly one).
ACTIONS = ("exec", "slack", "github", "linear", "assign", "survey")
#: Actions delivered by ``triage_tui.integrations``.
SERVICES = ("slack", "github", "linear")
#: Services whose answer is an issue URL, written back to the ticket as a note.
ISSUE_SERVICES = ("github", "linear")
#: An outbox entry of a hook is recorded on its own "ticket" (``hook:<id>:<hook>``): one
#: hook's runs on a ticket go in order, and never hold up another hook or the agent's writes.
TICKET_PREFIX = "hook:"


def outbox_ticket(ticket_id: str, hook: str) -> str:
    return f"{TICKET_PREFIX}{ticket_id}:{hook}"


#: The survey's public reply unless the hook gives its own ``template``.
DEFAULT_SURVEY = (
    "Hi {first_name},\n\nWe marked your request \u201c{subject}\u201d as solved. How did we do?"
    " Reply with a score from 1 (poor) to 5 (excellent) \u2014 it helps us get better.\n\n"
    "Best,\n{team}"
)
DEFAULT_HEALTH_NOTE = "Health check for {organization}: ticket {ticket_id} solved; survey sent."


def feed_events(kind: ChangeKind, status: str | None = None) -> tuple[str, ...]:
    """The hook events a feed change is; a status change to solved is also ``ticket.solved``."""
    names = _FROM_FEED.get(kind, ())
    if kind is ChangeKind.STATUS_CHANGED and status == "solved":
        names = (*names, SOLVED)
    return names


def log_cursor(text: str | None, now: datetime) -> tuple[int, datetime]:
    """The event-log position ``triage watch`` resumes from: (last event id read, its
    time); none saved (or unreadable): from now."""
    if text:
        last, _, at = text.partition("|")
        try:
            return int(last), datetime.fromisoformat(at)
        except ValueError:
            pass
    return 0, now


def idempotency_key(hook: str, event: str, occurrence: str) -> str:
    """One key per (hook, event occurrence): the outbox records it once, ever.

    ``occurrence`` names the event itself (the feed change's ticket, kind, time
    and actor); the same change read twice gives the same key.
    """
    digest = hashlib.sha256(f"{hook}\0{event}\0{occurrence}".encode()).hexdigest()
    return f"hook-{digest[:32]}"


def matches(when: Filter | None, row: QueueRow, now: datetime) -> bool:
    """Whether ``when`` (None: always) selects the ticket."""
    return when is None or when.matches(row, now)


@dataclass(frozen=True)
class FollowUp:
    title: str
    problem: str
    acceptance: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "problem": self.problem, "acceptance": list(self.acceptance)}


def ticket_summary(ticket: Ticket, now: datetime, *, link: str | None = None) -> dict[str, Any]:
    """The ticket as a hook sees it (JSON values; null where the helpdesk does not say)."""
    from triage_tui.domain import sla

    target = sla.next_target(ticket)
    left = sla.time_left(ticket, now)
    org = ticket.organization
    person = ticket.requester
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "link": link,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "group": ticket.group,
        "assignee": ticket.assignee,
        "requester": {
            "name": person.name or None,
            "email": person.email or None,
            "tier": person.tier or (org.tier if org else None),
            "vip": bool(org and org.vip),
        },
        "sla": {
            "state": sla.state(ticket, now).value,
            "due_at": target.due_at.isoformat() if target else None,
            "minutes_left": (None if left is None else math.floor(left.total_seconds() / 60)),
        },
    }


def build_payload(
    *,
    event: str,
    hook: str,
    ticket: Mapping[str, Any],
    rules: Sequence[RuleResult] = (),
    reason: str | None = None,
    follow_up: FollowUp | None = None,
) -> dict[str, Any]:
    """What an action is handed: the event, the hook, the ticket, the rules that fire."""
    return {
        "event": event,
        "hook": hook,
        "ticket": dict(ticket),
        "rules": [
            {"name": r.title, "route": r.route or None, "evidence": list(r.evidence)}
            for r in rules
            if r.fired
        ],
        "reason": reason,
        "follow_up": follow_up.as_json() if follow_up is not None else None,
    }


def follow_up_of(payload: Mapping[str, Any], ticket: Mapping[str, Any]) -> FollowUp:
    """The follow-up an issue tracker gets: the plan's task when the event has one,
    else the ticket itself as the problem."""
    task = payload.get("task")
    tasks = payload.get("tasks")
    if not task and isinstance(tasks, list) and tasks:
        task = tasks[0]
    title = (
        str(task) if task else f"Follow up on ticket {ticket.get('id')}: {ticket.get('subject')}"
    )
    problem = f"Ticket {ticket.get('id')} ({ticket.get('subject')})"
    acceptance = tuple(str(t) for t in tasks[1:]) if isinstance(tasks, list) else ()
    return FollowUp(title[:200], problem, acceptance)


def render(template: str, values: Mapping[str, Any]) -> str:
    """``{name}`` placeholders filled from ``values``; an unknown one is left as typed."""

    class _Keep(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    try:
        return template.format_map(_Keep(values))
    except (ValueError, IndexError, AttributeError):  # a stray brace: the text as typed
        return template


def least_busy(candidates: Iterable[str], rows: Iterable[QueueRow], away: Iterable[str]) -> str:
    """The candidate holding the fewest open tickets with a running SLA ("" when none);
    a tie goes to the first in ``candidates`` order. Agents away are skipped."""
    gone = {a.casefold() for a in away}
    names = [c for c in dict.fromkeys(candidates) if c.casefold() not in gone]
    if not names:
        return ""
    load = {n.casefold(): 0 for n in names}
    for row in rows:
        key = row.assignee.casefold()
        if key in load and row.due != math.inf and not row.paused:
            load[key] += 1
    return min(names, key=lambda n: load[n.casefold()])


def round_robin(candidates: Sequence[str], last: str | None, away: Iterable[str]) -> str:
    """The candidate after ``last`` in order, skipping those away ("" when none)."""
    gone = {a.casefold() for a in away}
    names = [c for c in dict.fromkeys(candidates) if c.casefold() not in gone]
    if not names:
        return ""
    order = [c.casefold() for c in candidates]
    start = order.index(last.casefold()) + 1 if last and last.casefold() in order else 0
    for step in range(len(candidates)):
        name = candidates[(start + step) % len(candidates)]
        if name.casefold() not in gone:
            return name
    return names[0]


def scores_for(events: Iterable[Any], person_id: str) -> list[dict[str, Any]]:
    """The satisfaction scores (``csat.recorded``) a requester gave, in log order."""
    return [
        {"ticket_id": e.ticket_id, "score": e.payload.get("score"), "at": e.at.isoformat()}
        for e in events
        if e.name == CSAT_RECORDED and str(e.payload.get("requester_id")) == str(person_id)
    ]
