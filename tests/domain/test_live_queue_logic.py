"""The live queue's pure decisions (issue 18 items 2-4): merge, markers, alerts, notices."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from tests.domain.row_factories import hours, minutes, row
from triage_tui.domain.changes import Change, ChangeKind
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.live import (
    FEW_CHANGES,
    AlertRule,
    AlertStage,
    AlertTracker,
    Marker,
    headline,
    marker_for,
    merge_rows,
    notice_line,
    stronger,
)
from triage_tui.domain.queue import QueueRow


def queue(n: int, seed: int = 3) -> list[QueueRow]:
    rng = random.Random(seed)
    rows = [row(str(i), due_in=minutes(rng.randint(-600, 6000))) for i in range(n)]
    return sorted(rows, key=QueueRow.sort_key)


@pytest.mark.parametrize("changes", [1, FEW_CHANGES, FEW_CHANGES + 1, 300])
@pytest.mark.parametrize("indexed", [True, False])
def test_merge_matches_a_full_resort(changes: int, indexed: bool) -> None:
    """Issue 18 item 2: rows enter, leave and move by SLA order, exactly as a
    re-read and re-sort of the whole queue would order them."""
    rows = queue(500)
    rng = random.Random(changes)
    updates: dict[str, QueueRow | None] = {}
    for ticket_id in rng.sample([r.id for r in rows], changes):
        pick = rng.random()
        if pick < 0.3:
            updates[ticket_id] = None  # deleted
        elif pick < 0.5:
            updates[ticket_id] = row(ticket_id, status=Status.SOLVED)
        else:
            updates[ticket_id] = row(ticket_id, due_in=minutes(rng.randint(-600, 6000)))
    for n in range(changes // 3 + 1):
        updates[f"new{n}"] = row(f"new{n}", due_in=minutes(rng.randint(-600, 6000)))
    by_id = {r.id: r for r in rows} if indexed else None
    merged = merge_rows(rows, updates, by_id)
    expected = sorted(
        [r for r in rows if r.id not in updates]
        + [r for r in updates.values() if r is not None and r.status.is_active],
        key=QueueRow.sort_key,
    )
    assert merged == expected
    assert [r.id for r in merged] == [r.id for r in expected]
    assert merged is not rows and len(rows) == 500  # the shown list is not changed


def test_merge_with_a_stale_index_still_merges() -> None:
    rows = queue(50)
    stale = {r.id: row(r.id, due_in=hours(99)) for r in rows}  # other objects
    target = rows[7].id
    merged = merge_rows(rows, {target: None}, stale)
    assert target not in {r.id for r in merged} and len(merged) == 49


def test_markers_by_kind_and_actor() -> None:
    """Issue 18 item 2: new, customer replied, changed by someone else; the agent's
    own changes carry none."""
    ticket = row("7", requester="Dana Reyes")
    agent = "Sam Rivera"
    assert marker_for(Change("7", ChangeKind.CREATED, None, "Mei Chen"), agent, ticket) is (
        Marker.NEW
    )
    replied = Change("7", ChangeKind.MESSAGE_ADDED, None, "dana reyes")
    assert marker_for(replied, agent, ticket) is Marker.REPLIED
    colleague = Change("7", ChangeKind.MESSAGE_ADDED, None, "Mei Chen")
    assert marker_for(colleague, agent, ticket) is Marker.CHANGED
    assert marker_for(Change("7", ChangeKind.STATUS_CHANGED, None, ""), agent, ticket) is (
        Marker.CHANGED
    )
    assert marker_for(
        Change("7", ChangeKind.STATUS_CHANGED, None, "sam rivera"), agent, ticket
    ) is (None)
    # A stronger marker stays until the ticket is opened.
    assert stronger(Marker.NEW, Marker.CHANGED) is Marker.NEW
    assert stronger(Marker.CHANGED, Marker.REPLIED) is Marker.REPLIED
    assert stronger(None, Marker.CHANGED) is Marker.CHANGED


def test_alert_rule_defaults_new_tickets() -> None:
    """Issue 18 item 4: by default a new ticket alerts when urgent, VIP or due within 90 min."""
    rule = AlertRule()
    now = FROZEN_NOW
    assert rule.matches(row("1", priority=Priority.URGENT, due_in=hours(20)), now)
    assert rule.matches(row("2", vip=True, due_in=hours(20)), now)
    assert rule.matches(row("3", due_in=minutes(80)), now)
    assert not rule.matches(row("4", priority=Priority.HIGH, due_in=hours(20)), now)
    assert not rule.matches(row("5", due_in=None), now)
    assert AlertRule(priorities=frozenset({Priority.HIGH}), vip=False).matches(
        row("6", priority=Priority.HIGH, due_in=hours(20)), now
    )


def test_alerts_once_per_ticket_per_stage() -> None:
    """Issue 18 item 4: never more than one alert per ticket per stage; tickets already
    inside the window when the console starts do not alert; a new ticket that arrives
    inside it alerts as new, not again as due."""
    now = FROZEN_NOW
    rows = sorted(
        [row("in", due_in=minutes(30)), row("later", due_in=minutes(100)), row("far")],
        key=QueueRow.sort_key,
    )
    tracker = AlertTracker()
    tracker.seed(rows, now)
    assert tracker.due(rows, now) == []
    soon = now + timedelta(minutes=11)
    due = tracker.due(rows, soon)
    assert [(a.row.id, a.stage) for a in due] == [("later", AlertStage.DUE)]
    assert tracker.due(rows, soon + timedelta(minutes=1)) == []
    fresh = row("new", priority=Priority.URGENT, due_in=minutes(45))
    created = tracker.created([fresh], now)
    assert [(a.row.id, a.stage) for a in created] == [("new", AlertStage.NEW)]
    assert tracker.created([fresh], now) == []
    assert tracker.due(sorted([*rows, fresh], key=QueueRow.sort_key), soon) == []
    # A change that moves a ticket's due time into the window alerts it once.
    moved = row("far", due_in=minutes(20))
    assert [(a.row.id, a.stage) for a in tracker.moved([moved], soon)] == [("far", AlertStage.DUE)]
    assert tracker.moved([moved], soon) == []
    line = created[0].line(now)
    assert line.startswith("New ticket #new: Help (urgent") and "breaches in 45 min" in line


def test_notice_names_who_did_what_and_when() -> None:
    """Issue 18 item 3: "Dana replied 20 s ago", "Mei set pending"."""
    now = FROZEN_NOW
    pending = row("9", status=Status.PENDING)
    reply = Change("9", ChangeKind.MESSAGE_ADDED, now - timedelta(seconds=20), "Dana Reyes")
    assert notice_line(reply, pending, now) == "Dana Reyes replied 20 s ago"
    status = Change("9", ChangeKind.STATUS_CHANGED, now - timedelta(minutes=3), "Mei")
    assert notice_line(status, pending, now) == "Mei set pending 3 min ago"
    sla = Change("9", ChangeKind.SLA_CHANGED, now, "Mei")
    assert headline([reply, sla]) is reply  # the reply says more than its SLA clock
    assert notice_line(Change("9", ChangeKind.UPDATED), None, now) == "Someone deleted it just now"
