"""The local helpdesk's change feed: its table, the old files it upgrades, other processes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adapters.contract import seed_local_db
from tests.adapters.seed import DEFAULT_SPEC
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.local.store import SCHEMA_VERSION
from triage_tui.domain.changes import ChangeKind
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.models import Escalation, NewTicket


async def test_an_older_helpdesk_file_gains_the_feed_and_keeps_its_tickets(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Issue 18 item 1: a schema-2 file (no ``changes`` table) opens, is upgraded in
    place, keeps every ticket, and its feed starts empty."""
    db = tmp_path / "old.db"
    seed_local_db(db, DEFAULT_SPEC)
    conn = sqlite3.connect(db)
    count = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    conn.execute("DROP TABLE changes")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    async with LocalHelpdesk(LocalOptions(db=db), clock) as helpdesk:
        assert len([t async for t in helpdesk.iter_queue()]) > 0
        start = await helpdesk.changes_since(None)
        assert start.cursor == "0" and start.changes == ()
        await helpdesk.set_priority("101", Priority.URGENT)
        batch = await helpdesk.changes_since(start.cursor)
        assert [(c.ticket_id, c.kind) for c in batch.changes] == [
            ("101", ChangeKind.PRIORITY_CHANGED)
        ]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == count
    conn.close()


async def test_each_write_records_its_kinds_in_its_own_transaction(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Issue 18 item 1: every write names what it changed; a failed write records nothing."""
    db = tmp_path / "h.db"
    seed_local_db(db, DEFAULT_SPEC)
    async with LocalHelpdesk(LocalOptions(db=db), clock).act_as("Sam") as helpdesk:
        cursor = (await helpdesk.changes_since(None)).cursor
        await helpdesk.assign("101", "Mei", "Tier 2")
        await helpdesk.set_status("102", Status.PENDING)
        await helpdesk.escalate("103", Escalation(reason="refund", priority=Priority.URGENT))
        with pytest.raises(InvalidInput):
            await helpdesk.reply("101", "   ")
        batch = await helpdesk.changes_since(cursor)
    got = [(c.ticket_id, c.kind, c.actor) for c in batch.changes]
    assert ("101", ChangeKind.ASSIGNEE_CHANGED, "Sam") in got
    assert ("102", ChangeKind.STATUS_CHANGED, "Sam") in got
    assert ("103", ChangeKind.MESSAGE_ADDED, "Sam") in got
    assert ("103", ChangeKind.PRIORITY_CHANGED, "Sam") in got
    assert not any(t == "101" and k is ChangeKind.MESSAGE_ADDED for t, k, _ in got)


async def test_a_new_ticket_is_the_customers_change_not_the_agents(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Issue 18 item 2: create-ticket stands in for a customer's mail, so its change
    names the requester; with the agent as actor a console took the new ticket for
    its own write and showed it without its ``new`` marker."""
    db = tmp_path / "h.db"
    seed_local_db(db, DEFAULT_SPEC)
    async with LocalHelpdesk(LocalOptions(db=db), clock).act_as("Sam") as helpdesk:
        cursor = (await helpdesk.changes_since(None)).cursor
        ticket = await helpdesk.create_ticket(
            NewTicket(
                subject="Checkout down",
                body="Nobody can pay.",
                requester_email="dana@bigco.example",
                requester_name="Dana Reyes",
                priority=Priority.URGENT,
            )
        )
        batch = await helpdesk.changes_since(cursor)
    assert (ticket.id, ChangeKind.CREATED, "Dana Reyes") in [
        (c.ticket_id, c.kind, c.actor) for c in batch.changes
    ]


async def test_a_write_by_another_process_is_seen_by_an_open_helpdesk(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Issue 18 item 1: the console's open connection (polled idle, on its fast path)
    sees a commit made by another process on the same file."""
    db = tmp_path / "h.db"
    seed_local_db(db, DEFAULT_SPEC)
    async with LocalHelpdesk(LocalOptions(db=db), clock) as helpdesk:
        cursor = (await helpdesk.changes_since(None)).cursor
        assert (await helpdesk.changes_since(cursor)).changes == ()
        assert (await helpdesk.changes_since(cursor)).changes == ()  # the fast path
        done = subprocess.run(
            [sys.executable, "-m", "triage_tui", "close-ticket", "104", "--db", str(db), "--json"],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)
        batch = await helpdesk.changes_since(cursor)
    assert ("104", ChangeKind.SOLVED) in [(c.ticket_id, c.kind) for c in batch.changes]
