"""The session report's numbers from a scripted event log, and from a real sweep."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import FROZEN_NOW
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain import events as ev
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority
from triage_tui.domain.models import NewTicket, QueueFilter
from triage_tui.domain.queue import QueueRow
from triage_tui.engine import report
from triage_tui.engine.sweep import Decision, SweepSession
from triage_tui.engine.sweep_plan import plan_sweep

T0 = FROZEN_NOW - timedelta(hours=2)


@dataclass
class E:
    name: str
    minute: float
    ticket_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def at(self) -> datetime:
        return T0 + timedelta(minutes=self.minute)


def due(minute: float) -> str:
    return (T0 + timedelta(minutes=minute)).isoformat()


LOG = [
    E("demo.generated", -60),  # before the window: ignored
    E(ev.SWEEP_STARTED, 0, payload={"sweep_id": "s1"}),
    E(ev.VIEWED, 1, "A", {"sla_due_at": due(60)}),
    E(ev.DRAFT_CREATED, 2, "A"),
    E(ev.REPLY_SENT, 4, "A", {"sla_due_at": due(60)}),  # 56 min to spare: avoided
    E(ev.STATUS_CHANGED, 4, "A", {"from": "open", "to": "pending"}),
    E(ev.VIEWED, 5, "B", {"sla_due_at": due(30)}),
    E(ev.SKIPPED, 6, "B", {"reason": "logs"}),  # never answered; due at 30: breached
    E(ev.VIEWED, 7, "C", {"sla_due_at": due(-10)}),  # breached before the session
    E(ev.ESCALATED, 15, "C", {"reason": "billing/refund"}),
    E(ev.NOTE_ADDED, 16, "C"),
    E(ev.VIEWED, 20, "D", {"sla_due_at": due(200)}),
    E(ev.REPLY_SENT, 22, "D", {"sla_due_at": due(200)}),  # 178 min to spare: not "avoided"
    E(ev.VIEWED, 30, "E"),
    E(ev.REPLY_SENT, 50, "E", {"sla_due_at": due(45)}),  # answered late: breached
    E(ev.SLA_ALERTED, 55, "F", {"kind": "breached"}),
    E(ev.SLA_ALERTED, 56, "G", {"kind": "at_risk"}),
    E(ev.FOLLOW_UP, 60, None, {"task": "Enrich KB with API auth workaround"}),
    E(
        ev.FOLLOW_UP,
        61,
        None,
        {"tasks": ["Add sentiment tag", "Enrich KB with API auth workaround"]},
    ),
    E(ev.BULK_APPLIED, 70, None, {"batch_id": "b1"}),
    E(ev.STATUS_CHANGED, 70, "H", {"from": "pending", "to": "solved"}),
    E(ev.SWEEP_COMPLETED, 80, payload={"sweep_id": "s1"}),
    E(ev.REPLY_SENT, 130, "Z"),  # after the window: ignored
]


def test_report_numbers_from_a_scripted_log() -> None:
    r = report.build(LOG, T0, FROZEN_NOW)
    assert r.events == 21
    assert r.triaged == ("A", "B", "C", "D", "E", "H")
    assert (r.replies, r.notes, r.drafts, r.sweeps, r.bulk_batches) == (3, 1, 1, 1, 1)
    assert [(e.ticket_id, e.reason) for e in r.escalations] == [("C", "billing/refund")]
    assert r.skipped == ("B",)
    assert r.breaches == ("E", "F", "B")
    assert r.breaches_avoided == (("A", timedelta(minutes=56)),)
    # Handle times: A 3 min (view→reply), B 1, C 8, D 2, E 20 → median 3 min.
    assert r.median_handle == timedelta(minutes=3) and r.handle_samples == 5
    assert report.median_handle_time(LOG) == timedelta(minutes=3)
    assert r.follow_ups == ("Enrich KB with API auth workaround", "Add sentiment tag")
    assert r.headline() == (
        "6 tickets triaged · 3 replies · 1 escalation · 3 SLA breaches · 1 breach avoided"
    )


def test_markdown_and_json() -> None:
    r = report.build(LOG, T0, FROZEN_NOW)
    md = r.to_markdown()
    assert md.startswith("# Session report\n\n**2026-11-22 07:30 → 2026-11-22 09:30 UTC (2h)**")
    assert "| Median handle time per ticket | 3m00s (5 tickets) |" in md
    assert "- **C** — billing/refund (07:45)" in md
    assert "- A: answered 56m00s before the breach" in md
    assert "- [ ] Add sentiment tag" in md
    data = r.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["tickets_triaged"] == 6 and data["median_handle_seconds"] == 180.0
    assert data["breaches_avoided"] == [{"ticket_id": "A", "seconds_to_spare": 3360.0}]


def test_untrusted_text_cannot_break_the_markdown() -> None:
    log = [
        E(ev.ESCALATED, 1, "X", {"reason": "a|b\n# heading \x1b[31m"}),
        E(ev.FOLLOW_UP, 2, None, {"task": "*bold*_x_"}),
    ]
    md = report.build(log, T0, FROZEN_NOW).to_markdown()
    assert "a\\|b # heading" in md and "\x1b" not in md
    assert "- [ ] \\*bold\\*\\_x\\_" in md


def test_an_empty_session() -> None:
    r = report.build([], T0, FROZEN_NOW)
    assert r.median_handle is None and r.to_json()["median_handle_seconds"] is None
    assert "| Median handle time per ticket | — |" in r.to_markdown()


async def test_a_real_sweep_through_the_local_helpdesk(tmp_path: Path, clock: FrozenClock) -> None:
    """Decisions through the adapter and the session's events, then the report agrees."""
    async with LocalHelpdesk(LocalOptions(db=tmp_path / "h.db"), clock=clock).act_as("Sam") as hd:
        for i, prio in enumerate([Priority.URGENT, Priority.HIGH, Priority.HIGH]):
            await hd.create_ticket(
                NewTicket(
                    subject=f"Login fails {i}",
                    body="Help",
                    requester_email=f"u{i}@x.example",
                    priority=prio,
                )
            )
        start = clock.now()
        clock.advance(timedelta(minutes=10))
        rows = [QueueRow.from_ticket(t) async for t in hd.iter_queue(QueueFilter())]
        pending: list[Any] = []
        session = SweepSession(
            plan_sweep(rows, clock.now()),
            clock,
            sweep_id="s-r",
            on_event=lambda e: pending.append(hd.record_event(e.name, e.ticket_id, e.payload)),
        )

        async def flush() -> None:
            while pending:
                await pending.pop(0)

        session.start()
        await flush()
        first = session.current
        clock.advance(timedelta(minutes=3))
        await hd.reply(first.id, "Hi, fixed.")  # urgent: due 60 min after creation
        session.decide(Decision.SEND)
        await flush()
        clock.advance(timedelta(minutes=1))
        session.decide(Decision.SKIP, "needs logs")
        await flush()
        clock.advance(timedelta(minutes=5))
        await hd.reply(session.current.id, "Hi, done.")
        session.decide(Decision.SEND)
        session.finish()
        await flush()
        log = await hd.list_events(start)
    r = report.build(log, start, clock.now())
    assert (len(r.triaged), r.replies, len(r.skipped), r.sweeps) == (3, 2, 1, 1)
    assert r.median_handle == timedelta(minutes=3) and r.handle_samples == 3
    # The urgent ticket was answered with 47 minutes to spare: a breach avoided.
    assert [t for t, _ in r.breaches_avoided] == [first.id]
    assert [e.name for e in log][-1] == ev.SWEEP_COMPLETED
    reply = next(e for e in log if e.name == ev.REPLY_SENT)
    assert reply.payload["sla_due_at"] is not None
    await asyncio.sleep(0)


def test_every_event_the_local_adapter_writes_is_a_documented_name() -> None:
    import re

    from triage_tui.adapters.local import writes

    source = Path(writes.__file__).read_text(encoding="utf-8")
    written = set(re.findall(r'insert_event\(\s*conn,\s*"([a-z_.]+)"', source))
    assert written and written <= set(ev.ALL)
    assert {
        "ticket.viewed",
        "ticket.skipped",
        "bulk.applied",
        "bulk.undone",
        "sweep.started",
        "sweep.completed",
        "safeguard.raised",
        "view.changed",
        "draft.created",
    } <= set(ev.ALL)


def test_viewed_payload_carries_the_due_time() -> None:
    from tests.domain.row_factories import row

    assert ev.viewed_payload(row("1", due_in=timedelta(minutes=30)), position=3) == {
        "source": "queue",
        "sla_due_at": (FROZEN_NOW + timedelta(minutes=30)).isoformat(),
        "position": 3,
    }
    assert ev.viewed_payload(row("2", due_in=None), "sweep")["sla_due_at"] is None
