"""The session report (the playbook's *Reflect*): what a session did, from the event log.

Computed only from events (``helpdesk.list_events(since)``), so the console's
report screen, ``triage report`` and a test with a scripted log agree, and
nothing leaves the machine. What each figure means:

* **triaged** — distinct tickets with a decision or a change: a reply,
  escalation, skip, status, assignee, tags, priority or note.
* **breaches during the session** — tickets whose SLA target fell due inside
  the window unanswered: a reply sent after its ``sla_due_at``; an
  ``sla.alerted`` breach; or a ticket viewed with an ``sla_due_at`` inside the
  window and no reply (or solve) by then.
* **breaches avoided** — replies sent at most 90 minutes before the due time
  they answered (``reply.sent.sla_due_at``).
* **median handle time** — per ticket, from its latest ``ticket.viewed`` to
  the decision that follows (reply, escalation, skip, assignment, status).
* **follow-up tasks** — ``plan.follow_up`` payloads (``task`` or ``tasks``).
* **drafts prepared** — distinct tickets whose generated draft the agent
  edited (``draft.edited``; ``draft.created`` in older logs), sent or not.
* **rules dismissed** — tickets where the agent overrode the escalation rules
  that fired (``rules.dismissed``) and did not restore them (``rules.restored``).
* **replies** are ``reply.sent`` events: written when the helpdesk took the
  reply, so one undone in its undo window was never sent and is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from triage_tui.domain import events as ev
from triage_tui.domain import sla
from triage_tui.domain.clock import ensure_utc
from triage_tui.domain.durations import format_duration, median_duration
from triage_tui.domain.hooks import CSAT_RECORDED
from triage_tui.domain.text import count, sanitize


class EventLike(Protocol):
    """``domain.models.Event`` or anything shaped like it (read-only, so a
    model's ``dict`` payload fits the ``Mapping`` here)."""

    @property
    def name(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def ticket_id(self) -> str | None: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class EscalationItem:
    ticket_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    events: int
    triaged: tuple[str, ...]
    replies: int
    escalations: tuple[EscalationItem, ...]
    skipped: tuple[str, ...]
    notes: int
    breaches: tuple[str, ...]
    breaches_avoided: tuple[tuple[str, timedelta], ...]
    """(ticket id, time to spare when the reply went out)."""
    median_handle: timedelta | None
    handle_samples: int
    follow_ups: tuple[str, ...]
    sweeps: int
    bulk_batches: int
    drafts: int
    rules_dismissed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(ticket id, the rule ids dismissed on it)."""
    csat: tuple[tuple[str, int], ...] = ()
    """(ticket id, its latest satisfaction score 1-5) from ``csat.recorded``."""

    @property
    def csat_average(self) -> float | None:
        return sum(s for _, s in self.csat) / len(self.csat) if self.csat else None

    def headline(self) -> str:
        """``47 tickets triaged · 12 replies · 3 escalations · 0 SLA breaches · 6 avoided``."""
        return (
            f"{count(len(self.triaged), 'ticket')} triaged · "
            f"{count(self.replies, 'reply', 'replies')} · "
            f"{count(len(self.escalations), 'escalation')} · "
            f"{count(len(self.breaches), 'SLA breach', 'SLA breaches')} · "
            f"{count(len(self.breaches_avoided), 'breach', 'breaches')} avoided"
        )

    def figures(self) -> list[tuple[str, str]]:
        handle = "—"
        if self.median_handle is not None:
            handle = f"{duration_text(self.median_handle)} ({count(self.handle_samples, 'ticket')})"
        return [
            ("Tickets triaged", str(len(self.triaged))),
            ("Replies sent", str(self.replies)),
            ("Escalations", str(len(self.escalations))),
            ("Skipped", str(len(self.skipped))),
            ("Internal notes", str(self.notes)),
            ("SLA breaches during the session", str(len(self.breaches))),
            ("Breaches avoided (answered in the last 90 min)", str(len(self.breaches_avoided))),
            ("Median handle time per ticket", handle),
            ("Drafts prepared (edited by the agent)", str(self.drafts)),
            ("Escalation rules dismissed (tickets)", str(len(self.rules_dismissed))),
            ("Sweeps · bulk batches", f"{self.sweeps} · {self.bulk_batches}"),
            *self._csat_figure(),
        ]

    def _csat_figure(self) -> list[tuple[str, str]]:
        """Satisfaction, only where a score is known (``triage csat``)."""
        average = self.csat_average
        if average is None:
            return []
        return [
            ("Satisfaction (CSAT, 1-5)", f"{average:.1f} avg · {count(len(self.csat), 'score')}")
        ]

    def window(self) -> str:
        span = format_duration(self.until - self.since)
        return f"{self.since:%Y-%m-%d %H:%M} → {self.until:%Y-%m-%d %H:%M} UTC ({span})"

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "events": self.events,
            "tickets_triaged": len(self.triaged),
            "triaged": list(self.triaged),
            "replies_sent": self.replies,
            "escalations": [
                {"ticket_id": e.ticket_id, "reason": e.reason, "at": e.at.isoformat()}
                for e in self.escalations
            ],
            "skipped": list(self.skipped),
            "notes": self.notes,
            "sla_breaches": list(self.breaches),
            "breaches_avoided": [
                {"ticket_id": t, "seconds_to_spare": s.total_seconds()}
                for t, s in self.breaches_avoided
            ],
            "median_handle_seconds": (
                self.median_handle.total_seconds() if self.median_handle is not None else None
            ),
            "handle_samples": self.handle_samples,
            "follow_ups": list(self.follow_ups),
            "sweeps": self.sweeps,
            "bulk_batches": self.bulk_batches,
            "drafts": self.drafts,
            "rules_dismissed": [
                {"ticket_id": t, "rules": list(rules)} for t, rules in self.rules_dismissed
            ],
            "csat": [{"ticket_id": t, "score": s} for t, s in self.csat],
            "csat_average": self.csat_average,
        }

    def to_markdown(self) -> str:
        out = [
            "# Session report",
            "",
            f"**{self.window()}** · {self.events} events",
            "",
            self.headline(),
            "",
            "| Metric | Value |",
            "| --- | --- |",
        ]
        out += [f"| {name} | {value} |" for name, value in self.figures()]
        if self.escalations:
            out += ["", "## Escalations", ""]
            out += [
                f"- **{_md(e.ticket_id)}** — {_md(e.reason)} ({e.at:%H:%M})"
                for e in self.escalations
            ]
        if self.breaches:
            out += ["", "## SLA breaches", "", ", ".join(_md(t) for t in self.breaches)]
        if self.breaches_avoided:
            out += ["", "## Breaches avoided", ""]
            out += [
                f"- {_md(t)}: answered {duration_text(s)} before the breach"
                for t, s in self.breaches_avoided
            ]
        if self.rules_dismissed:
            out += ["", "## Escalation rules dismissed", ""]
            out += [f"- **{_md(t)}**: {_md(', '.join(rules))}" for t, rules in self.rules_dismissed]
        if self.follow_ups:
            out += ["", "## Follow-up tasks", ""] + [f"- [ ] {_md(t)}" for t in self.follow_ups]
        return "\n".join(out) + "\n"

    def lines(self) -> list[str]:
        """The human output of ``triage report``."""
        out = [f"Session report · {self.window()}", self.headline(), ""]
        width = max(len(name) for name, _ in self.figures())
        out += [f"{name.ljust(width)}  {value}" for name, value in self.figures()]
        if self.escalations:
            out += ["", "Escalations"]
            out += [f"  {_one(e.ticket_id)}  {_one(e.reason)}" for e in self.escalations]
        if self.breaches:
            out += ["", "SLA breaches: " + ", ".join(_one(t) for t in self.breaches)]
        if self.rules_dismissed:
            out += ["", "Escalation rules dismissed"]
            out += [f"  {_one(t)}  {_one(', '.join(r))}" for t, r in self.rules_dismissed]
        if self.follow_ups:
            out += ["", "Follow-up tasks"] + [f"  - {_one(t)}" for t in self.follow_ups]
        return out


def duration_text(delta: timedelta) -> str:
    """Handle times at the resolution they are felt: ``45s``, ``3m20s``, ``1h05m``."""
    seconds = round(delta.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _one(text: str) -> str:
    """Untrusted text as one terminal-safe line (newlines become spaces, ESC a visible ␛)."""
    return sanitize(" ".join(str(text).split()), keep_newlines=False)


def _md(text: str) -> str:
    """Untrusted text (reasons, tasks) as one Markdown-inert line."""
    return _one(text).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _due(payload: Mapping[str, Any], key: str = "sla_due_at") -> datetime | None:
    value = payload.get(key)
    if not value:
        return None
    try:
        return ensure_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def handle_times(events: Iterable[EventLike]) -> list[timedelta]:
    """``ticket.viewed`` → the next decision on that ticket, one sample per decision."""
    shown: dict[str, datetime] = {}
    samples = []
    for e in events:
        if not e.ticket_id:
            continue
        if e.name == ev.VIEWED:
            shown[e.ticket_id] = e.at
        elif e.name in ev.DECISIONS and e.ticket_id in shown:
            samples.append(e.at - shown.pop(e.ticket_id))
    return [s for s in samples if s >= timedelta(0)]


def median_handle_time(events: Iterable[EventLike]) -> timedelta | None:
    """For ``plan_sweep(handle_time=…)``: the measured pace, or None without samples."""
    samples = handle_times(events)
    return median_duration(samples)


def build(events: Sequence[EventLike], since: datetime, until: datetime) -> Report:
    """The report over events in ``[since, until]`` (others are ignored), oldest first."""
    log = sorted((e for e in events if since <= e.at <= until), key=lambda e: e.at)
    triaged: dict[str, None] = {}
    skipped: dict[str, None] = {}
    breaches: dict[str, None] = {}
    avoided: dict[str, timedelta] = {}
    answered: dict[str, list[datetime]] = {}
    viewed_due: dict[str, datetime] = {}
    follow: dict[str, None] = {}
    escalations = []
    counts = {
        ev.REPLY_SENT: 0,
        ev.NOTE_ADDED: 0,
        ev.SWEEP_STARTED: 0,
        ev.BULK_APPLIED: 0,
    }
    drafted: dict[str, None] = {}
    dismissed: dict[str, tuple[str, ...]] = {}
    scores: dict[str, int] = {}
    window = sla.SWEEP_RISK_WINDOW
    for e in log:
        tid, p = e.ticket_id, e.payload
        if e.name in counts:
            counts[e.name] += 1
        if tid and e.name in ev.TRIAGE_ACTIONS:
            triaged.setdefault(tid, None)
        if e.name == ev.SKIPPED and tid:
            skipped.setdefault(tid, None)
        elif e.name == ev.ESCALATED and tid:
            escalations.append(EscalationItem(tid, str(p.get("reason") or ""), e.at))
        elif e.name == ev.REPLY_SENT and tid:
            answered.setdefault(tid, []).append(e.at)
            due = _due(p)
            if due is not None and due < e.at and due >= since:
                breaches.setdefault(tid, None)
            elif due is not None and e.at <= due <= e.at + window:
                avoided.setdefault(tid, due - e.at)
        elif e.name == ev.STATUS_CHANGED and tid and p.get("to") in ("solved", "closed"):
            answered.setdefault(tid, []).append(e.at)
        elif e.name == ev.SLA_ALERTED and tid and p.get("kind") == "breached":
            breaches.setdefault(tid, None)
        elif e.name == ev.VIEWED and tid:
            due = _due(p)
            if due is not None and since <= due <= until:
                viewed_due[tid] = due
        elif e.name in (ev.DRAFT_EDITED, ev.DRAFT_CREATED) and tid:
            drafted.setdefault(tid, None)
        elif e.name == ev.RULES_DISMISSED and tid:
            dismissed[tid] = tuple(str(r) for r in p.get("rules") or ())
        elif e.name == ev.RULES_RESTORED and tid:
            dismissed.pop(tid, None)
        elif e.name == CSAT_RECORDED and tid and isinstance(p.get("score"), int):
            scores[tid] = int(p["score"])
        elif e.name == ev.FOLLOW_UP:
            tasks = p.get("tasks") or ([p["task"]] if p.get("task") else [])
            for task in tasks:
                if str(task).strip():
                    follow.setdefault(str(task).strip(), None)
    for tid, due in viewed_due.items():
        if not any(at <= due for at in answered.get(tid, ())):
            breaches.setdefault(tid, None)
    samples = handle_times(log)
    return Report(
        since=since,
        until=until,
        events=len(log),
        triaged=tuple(triaged),
        replies=counts[ev.REPLY_SENT],
        escalations=tuple(escalations),
        skipped=tuple(skipped),
        notes=counts[ev.NOTE_ADDED],
        breaches=tuple(breaches),
        breaches_avoided=tuple(avoided.items()),
        median_handle=median_duration(samples),
        handle_samples=len(samples),
        follow_ups=tuple(follow),
        sweeps=counts[ev.SWEEP_STARTED],
        bulk_batches=counts[ev.BULK_APPLIED],
        drafts=len(drafted),
        rules_dismissed=tuple(dismissed.items()),
        csat=tuple(scores.items()),
    )
