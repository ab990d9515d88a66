"""A sweep: the matching tickets one at a time, one decision per key, without any UI.

The sweep screen drives a ``SweepSession``: it shows ``current``, performs the
agent's action through the helpdesk (which records ``reply.sent`` and the
like itself), then calls ``decide`` — which timestamps the decision and moves
to the next undecided ticket. ``progress`` gives "n of N", time spent and the
projected finish against the next breach; ``alerts`` lists tickets that
entered their last 90 minutes or breached *since the sweep started* (the plan
already showed the ones that were there before), with their position so a key
can ``jump_to`` them.

Events the helpdesk cannot know about (``sweep.started``, ``ticket.viewed``,
``ticket.skipped``, ``sla.alerted``, ``sweep.completed``) go to ``on_event``;
the console forwards them to ``record_event``. The clock is injected, so a
test can walk 200 tickets in a frozen minute.
"""

from __future__ import annotations

import bisect
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from triage_tui.domain import events, sla
from triage_tui.domain.clock import Clock
from triage_tui.domain.durations import format_duration, median_duration
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.sweep_plan import (
    ClusterLike,
    SweepPlan,
    plan_sweep,
    projected_late,
)

__all__ = [
    "Alert",
    "Decision",
    "DecisionRecord",
    "Progress",
    "SweepEvent",
    "SweepSession",
    "SweepSummary",
]

#: Measured handle times replace the plan's assumption from this many decisions on.
MIN_SAMPLES = 3


class Decision(StrEnum):
    SEND = "send"
    EDIT = "edit"  # the draft was edited, then sent
    ESCALATE = "escalate"
    SKIP = "skip"
    NOTE = "note"
    ASSIGN = "assign"

    @property
    def settles(self) -> bool:
        """Moves the sweep on; a note is added on the way and the ticket stays current."""
        return self is not Decision.NOTE

    @property
    def answers(self) -> bool:
        """The ticket is off the agent's plate (a skipped ticket still needs an answer)."""
        return self not in (Decision.SKIP, Decision.NOTE)


@dataclass(frozen=True)
class DecisionRecord:
    ticket_id: str
    decision: Decision
    at: datetime
    handle: timedelta
    """From the moment the ticket was shown to this decision."""
    detail: str = ""


@dataclass(frozen=True)
class SweepEvent:
    """An event for the log: the console passes it to ``helpdesk.record_event``."""

    name: str
    ticket_id: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class Alert:
    ticket_id: str
    kind: str  # "breached" | "at_risk"
    due_at: datetime
    position: int
    """0-based index in the sweep order, for a key that jumps to it."""
    subject: str

    def message(self, now: datetime) -> str:
        left = sla.format_countdown(self.due_at - now)
        if self.kind == "breached":
            return f"{self.ticket_id} breached ({left}) — {self.subject}"
        return f"{self.ticket_id} in its last 90 minutes ({left} left) — {self.subject}"


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    position: int
    """1-based position of the current ticket; 0 once every ticket is decided."""
    elapsed: timedelta
    per_ticket: timedelta
    measured: bool
    projected_finish: datetime | None
    next_breach_at: datetime | None
    next_breach_id: str | None
    projected_breaches: tuple[str, ...]
    """Remaining tickets that breach before they are reached at this pace."""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def label(self) -> str:
        """``12 of 47 · 38m spent · done ≈ 11:02 · next breach 10:41 (1042)``."""
        parts = [f"{self.done} of {self.total}", f"{format_duration(self.elapsed)} spent"]
        if self.projected_finish is not None:
            parts.append(f"done ≈ {self.projected_finish:%H:%M}")
        if self.next_breach_at is not None:
            parts.append(f"next breach {self.next_breach_at:%H:%M} ({self.next_breach_id})")
        if self.projected_breaches:
            parts.append(f"{len(self.projected_breaches)} would breach at this pace")
        return " · ".join(parts)


@dataclass(frozen=True)
class SweepSummary:
    sweep_id: str
    total: int
    decided: int
    counts: dict[str, int]
    elapsed: timedelta
    median_handle: timedelta | None
    skipped: tuple[str, ...]
    undecided: tuple[str, ...]


@dataclass
class SweepSession:
    plan: SweepPlan
    clock: Clock
    on_event: Callable[[SweepEvent], None] | None = None
    filter_text: str = ""
    sweep_id: str = field(default_factory=lambda: "s-" + uuid.uuid4().hex[:10])
    decisions: list[DecisionRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = self.plan.rows
        self._dues = [r.due for r in self.rows]  # plan order is SLA order: sorted by due
        self._settled: dict[str, Decision] = {}
        self._index: int | None = 0 if self.rows else None
        self._return_to: int | None = None
        self._shown_at = self.started_at = self.clock.now()
        self._alerted: set[tuple[str, str]] = set()
        self._started = self._finished = False

    @classmethod
    def from_rows(
        cls, rows: list[QueueRow], clock: Clock, clusters: ClusterLike | None = None, **kwargs: Any
    ) -> SweepSession:
        return cls(plan_sweep(rows, clock.now(), clusters), clock, **kwargs)

    # -- walking ------------------------------------------------------------
    @property
    def current(self) -> QueueRow | None:
        return None if self._index is None else self.rows[self._index]

    @property
    def done(self) -> bool:
        return self._index is None

    def start(self) -> QueueRow | None:
        """Record ``sweep.started`` and show the first ticket."""
        if not self._started:
            self._started = True
            self._shown_at = self.started_at = self.clock.now()
            p = self.plan
            self._emit(
                events.SWEEP_STARTED,
                None,
                {
                    "filter": self.filter_text,
                    "count": p.count,
                    "breached": p.breached,
                    "at_risk": p.at_risk,
                    "vip": p.vip,
                    "batch_size": p.batch_size,
                    "handle_seconds": p.handle_time.total_seconds(),
                },
            )
            self._viewed()
        return self.current

    def decide(self, decision: Decision | str, detail: str = "") -> DecisionRecord:
        """Record the decision on the current ticket and, unless it was a note, move on."""
        if self._index is None:
            raise ValueError("the sweep is over: every ticket has a decision")
        decision = Decision(decision)
        now = self.clock.now()
        row = self.rows[self._index]
        record = DecisionRecord(row.id, decision, now, now - self._shown_at, detail)
        self.decisions.append(record)
        if decision is Decision.SKIP:
            self._emit(events.SKIPPED, row.id, {"reason": detail or None})
        if decision.settles:
            self._settled[row.id] = decision
            self._advance()
        return record

    def jump_to(self, ticket_id: str) -> QueueRow:
        """Show another ticket (an alert's); after its decision the sweep resumes here."""
        index = next((i for i, r in enumerate(self.rows) if r.id == ticket_id), None)
        if index is None:
            raise KeyError(f"ticket {ticket_id} is not in this sweep")
        if index != self._index:
            if self._return_to is None and self._index is not None:
                self._return_to = self._index
            self._index = index
            self._viewed()
        return self.rows[index]

    def reopen(self, ticket_id: str) -> QueueRow:
        """A decision taken back (its write undone in the undo window): the ticket is
        undecided again, its decision no longer counts, and it is shown now; after its
        new decision the sweep resumes where it was."""
        index = next((i for i, r in enumerate(self.rows) if r.id == ticket_id), None)
        if index is None:
            raise KeyError(f"ticket {ticket_id} is not in this sweep")
        for i in range(len(self.decisions) - 1, -1, -1):
            if self.decisions[i].ticket_id == ticket_id:
                del self.decisions[i]
                break
        self._settled.pop(ticket_id, None)
        if self._index is None:  # every ticket had a decision: this one is back
            self._index = index
            self._viewed()
            return self.rows[index]
        return self.jump_to(ticket_id)

    def _advance(self) -> None:
        start = self._return_to if self._return_to is not None else (self._index or 0)
        self._return_to = None
        n = len(self.rows)
        for offset in range(n):
            i = (start + offset) % n
            if self.rows[i].id not in self._settled:
                self._index = i
                self._viewed()
                return
        self._index = None

    def _viewed(self) -> None:
        if self._index is None:
            return
        self._shown_at = self.clock.now()
        row = self.rows[self._index]
        payload = events.viewed_payload(row, "sweep", position=self._index + 1)
        self._emit(events.VIEWED, row.id, payload)

    # -- reading ------------------------------------------------------------
    def handle_times(self) -> list[timedelta]:
        return [d.handle for d in self.decisions if d.decision.settles]

    def progress(self, now: datetime | None = None) -> Progress:
        now = now or self.clock.now()
        samples = self.handle_times()
        measured = len(samples) >= MIN_SAMPLES
        per = median_duration(samples) if measured else None
        per = per or self.plan.handle_time
        remaining = self._remaining()
        ts = now.timestamp()
        upcoming = [r for r in remaining if ts < r.due < float("inf")]
        nxt = min(upcoming, key=lambda r: r.due) if upcoming else None
        return Progress(
            done=len(self._settled),
            total=len(self.rows),
            position=0 if self._index is None else self._index + 1,
            elapsed=now - self.started_at,
            per_ticket=per,
            measured=measured,
            projected_finish=now + per * len(remaining) if remaining else None,
            next_breach_at=_time(nxt.due) if nxt else None,
            next_breach_id=nxt.id if nxt else None,
            projected_breaches=tuple(projected_late(remaining, now, per)),
        )

    def _remaining(self) -> list[QueueRow]:
        """Undecided rows in the order the sweep will visit them."""
        if self._index is None:
            return []
        order = self.rows[self._index :] + self.rows[: self._index]
        return [r for r in order if r.id not in self._settled]

    def alerts(self, now: datetime | None = None) -> list[Alert]:
        """Tickets still needing an answer that breached, or entered their last 90
        minutes, since the sweep started; breached first. Records ``sla.alerted``
        once per ticket and kind (call it on every tick)."""
        now = now or self.clock.now()
        ts, start = now.timestamp(), self.started_at.timestamp()
        window = sla.SWEEP_RISK_WINDOW.total_seconds()
        lo = bisect.bisect_right(self._dues, start)
        hi = bisect.bisect_right(self._dues, ts + window)
        found: list[Alert] = []
        for i in range(lo, hi):
            row = self.rows[i]
            decided = self._settled.get(row.id)
            if decided is not None and decided.answers:
                continue
            if row.due <= ts:
                kind = "breached"
            elif row.due - window > start:
                kind = "at_risk"
            else:
                continue
            found.append(Alert(row.id, kind, _time(row.due) or now, i, row.subject))
        found.sort(key=lambda a: (a.kind != "breached", a.due_at))
        for alert in found:
            if (alert.ticket_id, alert.kind) not in self._alerted:
                self._alerted.add((alert.ticket_id, alert.kind))
                self._emit(
                    events.SLA_ALERTED,
                    alert.ticket_id,
                    {"kind": alert.kind, "due_at": alert.due_at.isoformat()},
                )
        return found

    def finish(self) -> SweepSummary:
        """The summary; records ``sweep.completed`` once (also for a sweep left early)."""
        now = self.clock.now()
        samples = self.handle_times()
        median = median_duration(samples)
        counts = Counter(d.decision.value for d in self.decisions)
        summary = SweepSummary(
            self.sweep_id,
            len(self.rows),
            len(self._settled),
            dict(counts),
            now - self.started_at,
            median,
            tuple(i for i, d in self._settled.items() if d is Decision.SKIP),
            tuple(r.id for r in self._remaining()),
        )
        if not self._finished:
            self._finished = True
            self._emit(
                events.SWEEP_COMPLETED,
                None,
                {
                    "total": summary.total,
                    "decided": summary.decided,
                    "seconds": summary.elapsed.total_seconds(),
                    "decisions": summary.counts,
                    "median_handle_seconds": median.total_seconds() if median else None,
                },
            )
        return summary

    def _emit(self, name: str, ticket_id: str | None, payload: dict[str, Any]) -> None:
        if self.on_event is not None:
            self.on_event(SweepEvent(name, ticket_id, {"sweep_id": self.sweep_id, **payload}))


def _time(due: float) -> datetime | None:
    return None if due == float("inf") else datetime.fromtimestamp(due, UTC)
