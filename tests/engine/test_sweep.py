"""Sweep plans and sessions: order, batch size, alternatives, decisions, progress, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from tests.domain.row_factories import hours, minutes, row
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
from triage_tui.engine.sweep import Decision, SweepEvent, SweepSession
from triage_tui.engine.sweep_plan import DEFAULT_HANDLE_TIME, MAX_BATCH, plan_sweep

NOW = FROZEN_NOW


@dataclass
class FakeClusters:
    """What domain.clusters.Clusters offers: size_of / members by ticket id."""

    groups: list[list[str]]

    def members(self, ticket_id: str) -> list[str]:
        return next((g for g in self.groups if ticket_id in g), [ticket_id])

    def size_of(self, ticket_id: str) -> int:
        return len(self.members(ticket_id))


def queue() -> list:
    return [
        row("10", due_in=hours(6), subject="Export fails"),
        row("11", due_in=minutes(-40), vip=True, subject="Login loop"),
        row("12", due_in=minutes(20), subject="Login loop again"),
        row("13", due_in=minutes(-5), subject="Login loop on SSO"),
        row("14", due_in=None, status=Status.PENDING, age=timedelta(days=5), subject="Old"),
        row("15", due_in=minutes(80), vip=True, subject="Invoice copy"),
        row("16", due_in=hours(3), subject="Login loop (iOS)"),
    ]


def test_plan_counts_orders_breached_first_and_spells_out_assumptions() -> None:
    plan = plan_sweep(queue(), NOW)
    assert plan.order == ("11", "13", "12", "15", "16", "10", "14")
    assert (plan.count, plan.breached, plan.at_risk, plan.vip, plan.no_sla) == (7, 2, 2, 2, 1)
    assert plan.next_breach is not None and plan.next_breach.id == "12"
    # 20 minutes to the next breach at 4 minutes a ticket: 5 fit.
    assert plan.handle_time == DEFAULT_HANDLE_TIME and not plan.handle_time_measured
    assert plan.batch_size == 5
    assert plan.assumptions[0].startswith("Handle time 4m a ticket is assumed")
    assert plan.assumptions[1] == (
        "Batch of 5: 5 ticket(s) at 4m take 20m, before the next breach (12) in 20m."
    )
    # 12 is reached third: 12 minutes in, replied at 12 < 20 — nothing new breaches.
    assert plan.projected_breaches == ()
    assert "no clustering" in plan.assumptions[-1]
    assert plan.summary().startswith("7 tickets · 2 breached · 2 in the last 90 min · 2 VIP")


def test_a_slower_measured_pace_projects_breaches_and_offers_alternatives() -> None:
    plan = plan_sweep(queue(), NOW, handle_time=timedelta(minutes=9))
    assert plan.handle_time_measured and plan.batch_size == 2
    # 11, 13 (18 min), then 12 replied at 27 > 20: breaches; 15 replied at 36 < 80.
    assert plan.projected_breaches == ("12",)
    kinds = [a.kind for a in plan.alternatives]
    assert kinds == ["at_risk_first", "close_pending", "hand_off"]
    at_risk = plan.alternatives[0]
    assert at_risk.title == (
        "Answer the 2 tickets in their last 90 minutes before the 2 already breached"
    )
    assert at_risk.detail == "Projected new breaches: 0 instead of 1."
    assert "wait about 18m longer" in at_risk.risk
    close = plan.alternatives[1]
    assert close.ticket_ids == ("14",) and "SLA clocks" in close.risk
    hand = plan.alternatives[2]
    assert hand.ticket_ids == ("12", "15", "16", "10", "14")


def test_similar_incidents_become_a_one_reply_alternative_with_its_risk() -> None:
    clusters = FakeClusters([["11", "12", "13", "16"], ["10", "99"]])
    plan = plan_sweep(queue(), NOW, clusters)
    [group] = plan.clusters  # 10's partner is outside the sweep
    assert group.ticket_ids == ("11", "13", "12", "16") and (group.vip, group.breached) == (1, 2)
    one = plan.alternatives[0]
    assert one.kind == "one_reply"
    assert one.title == "Answer the 4 similar tickets with one reply"
    assert "about 12m saved" in one.detail
    assert "replies cannot be undone" in one.risk and "1 of them VIP" in one.risk
    assert plan.to_json()["clusters"][0]["ticket_ids"] == ["11", "13", "12", "16"]


def test_batch_is_capped_and_explained_without_an_upcoming_breach() -> None:
    many = [row(str(i), due_in=minutes(-i - 1)) for i in range(40)]
    plan = plan_sweep(many, NOW)
    assert plan.batch_size == MAX_BATCH and plan.next_breach is None
    assert "no ticket here has a breach ahead" in plan.assumptions[1]
    assert plan_sweep([], NOW).batch_size == 0


def _session(clock: FrozenClock, rows: list | None = None, **kw) -> tuple[SweepSession, list]:
    log: list[SweepEvent] = []
    session = SweepSession(
        plan_sweep(rows or queue(), clock.now()),
        clock,
        on_event=log.append,
        filter_text="login",
        sweep_id="s-1",
        **kw,
    )
    return session, log


def test_decisions_auto_advance_with_timestamps_and_events(clock: FrozenClock) -> None:
    session, log = _session(clock)
    assert session.start().id == "11"
    clock.advance(120)
    record = session.decide(Decision.SEND)
    assert (record.ticket_id, record.handle, record.at) == ("11", timedelta(minutes=2), clock.now())
    assert session.current.id == "13"
    clock.advance(30)
    session.decide("note", "asked eng")  # a note keeps the ticket current
    assert session.current.id == "13"
    clock.advance(30)
    session.decide(Decision.SKIP, "waiting for logs")
    assert [d.decision for d in session.decisions] == [Decision.SEND, Decision.NOTE, Decision.SKIP]
    assert session.decisions[-1].handle == timedelta(minutes=1)
    names = [(e.name, e.ticket_id) for e in log]
    assert names == [
        ("sweep.started", None),
        ("ticket.viewed", "11"),
        ("ticket.viewed", "13"),
        ("ticket.skipped", "13"),
        ("ticket.viewed", "12"),
    ]
    assert log[0].payload == {
        "sweep_id": "s-1",
        "filter": "login",
        "count": 7,
        "breached": 2,
        "at_risk": 2,
        "vip": 2,
        "batch_size": 5,
        "handle_seconds": 240.0,
    }
    assert log[1].payload["sla_due_at"] == (FROZEN_NOW - minutes(40)).isoformat()
    assert log[3].payload == {"sweep_id": "s-1", "reason": "waiting for logs"}


def test_jump_to_an_alert_then_resume_where_the_sweep_was(clock: FrozenClock) -> None:
    session, _ = _session(clock)
    session.start()
    session.decide(Decision.SEND)
    assert session.jump_to("10").id == "10"
    session.decide(Decision.ESCALATE)
    assert session.current.id == "13"
    with pytest.raises(KeyError):
        session.jump_to("nope")


def test_two_hundred_tickets_one_decision_each(clock: FrozenClock) -> None:
    rows = [row(str(1000 + i), due_in=minutes(30 + i)) for i in range(200)]
    session, log = _session(clock, rows)
    session.start()
    for _ in range(200):
        clock.advance(60)
        session.decide(Decision.SEND)
    assert session.done and session.current is None
    summary = session.finish()
    assert (summary.total, summary.decided, summary.counts) == (200, 200, {"send": 200})
    assert summary.median_handle == timedelta(minutes=1) and summary.undecided == ()
    assert log[-1].name == "sweep.completed" and log[-1].payload["decided"] == 200
    session.finish()
    assert sum(e.name == "sweep.completed" for e in log) == 1
    with pytest.raises(ValueError):
        session.decide(Decision.SEND)


def test_progress_projects_the_finish_against_the_next_breach(clock: FrozenClock) -> None:
    session, _ = _session(clock)
    session.start()
    p = session.progress()
    assert (p.done, p.total, p.position, p.measured) == (0, 7, 1, False)
    assert p.projected_finish == FROZEN_NOW + 7 * DEFAULT_HANDLE_TIME
    assert (p.next_breach_id, p.next_breach_at) == ("12", FROZEN_NOW + minutes(20))
    for _ in range(3):
        clock.advance(25 * 60)  # 25 minutes each: far slower than assumed
        session.decide(Decision.SEND)
    p = session.progress()
    assert p.measured and p.per_ticket == timedelta(minutes=25) and p.done == 3
    assert p.elapsed == timedelta(minutes=75) and p.position == 4
    # 15 is due at 10:50 and would be answered at 11:10.
    assert p.projected_breaches == ("15",)
    assert p.label() == (
        "3 of 7 · 75m spent · done ≈ 12:25 · next breach 10:50 (15) · 1 would breach at this pace"
    )


def test_alerts_only_for_changes_since_the_start_and_recorded_once(clock: FrozenClock) -> None:
    session, log = _session(clock)
    session.start()
    assert session.alerts() == []  # 11/13 breached and 12/15 at risk before the start
    clock.advance(timedelta(minutes=25))  # 12 breaches
    [alert] = session.alerts()
    assert (alert.ticket_id, alert.kind, alert.position) == ("12", "breached", 2)
    assert alert.message(clock.now()) == "12 breached (-5m00s) — Login loop again"
    clock.advance(timedelta(minutes=70))  # 15 breaches; 16 (due at +3h) is 85 minutes away
    kinds = [(a.ticket_id, a.kind) for a in session.alerts()]
    assert kinds == [("12", "breached"), ("15", "breached"), ("16", "at_risk")]
    session.alerts()
    alerted = [(e.ticket_id, e.payload["kind"]) for e in log if e.name == "sla.alerted"]
    assert alerted == [("12", "breached"), ("15", "breached"), ("16", "at_risk")]
    session.jump_to("16")
    session.decide(Decision.SEND)  # answered: its alert goes away
    assert [a.ticket_id for a in session.alerts()] == ["12", "15"]
