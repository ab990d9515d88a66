"""create → get → reply → update → escalate → close, checked in the SQLite store itself."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.conftest import Runner


def _rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_ticket_lifecycle_is_written_to_the_store(db_run: Runner, demo_db: Path) -> None:
    created = db_run(
        "create-ticket",
        "--subject",
        "Export fails on large files",
        "--body",
        "Exports over 2 GB stop at 99%.",
        "--requester",
        "dana.reyes@example.net",
        "--name",
        "Dana Reyes",
        "--priority",
        "high",
        "--channel",
        "web",
        "--json",
    )
    assert created.code == 0, created.err
    ticket_id = created.json()["ticket"]["id"]
    assert created.json()["confirmation"] == (
        f"Ticket {ticket_id} created for Dana Reyes – first reply due in 4h00m"
    )
    [(status, priority, channel)] = _rows(
        demo_db, "SELECT status, priority, channel FROM tickets WHERE id = ?", ticket_id
    )
    assert (status, priority, channel) == ("new", "high", "web")

    detail = db_run("get-ticket", ticket_id, "--json").json()
    assert detail["ticket"]["requester"]["email"] == "dana.reyes@example.net"
    assert [m["body"] for m in detail["messages"]] == ["Exports over 2 GB stop at 99%."]

    reply = db_run("reply-ticket", ticket_id, "Hi Dana,\n\nWe are on it.")
    assert reply.out.strip() == f"Responded to {ticket_id} for Dana Reyes"
    assert _rows(
        demo_db,
        "SELECT role, public, body FROM messages WHERE ticket_id = ? ORDER BY created_at, rowid",
        ticket_id,
    )[-1] == ("agent", 1, "Hi Dana,\n\nWe are on it.")

    assert db_run("update-ticket", ticket_id, "--status", "pending").code == 0
    assert _rows(demo_db, "SELECT status FROM tickets WHERE id = ?", ticket_id) == [("pending",)]

    escalated = db_run(
        "escalate-ticket", ticket_id, "--reason", "data integrity", "--priority", "urgent"
    )
    assert escalated.out.strip() == f"Ticket {ticket_id} escalated – data integrity"
    [(status, priority)] = _rows(
        demo_db, "SELECT status, priority FROM tickets WHERE id = ?", ticket_id
    )
    assert (status, priority) == ("open", "urgent")

    closed = db_run("close-ticket", ticket_id, "--note", "Resolved: chunked export enabled")
    assert closed.out.strip() == f"Ticket {ticket_id} closed – Resolved: chunked export enabled"
    assert _rows(demo_db, "SELECT status FROM tickets WHERE id = ?", ticket_id) == [("solved",)]
    notes = _rows(
        demo_db,
        "SELECT body FROM messages WHERE ticket_id = ? AND public = 0 ORDER BY rowid",
        ticket_id,
    )
    assert notes[-1] == ("Resolved: chunked export enabled",)
    assert any("data integrity" in body for (body,) in notes)

    events = _rows(
        demo_db, "SELECT name, payload FROM events WHERE ticket_id = ? ORDER BY id", ticket_id
    )
    names = [name for name, _ in events]
    assert names[0] == "ticket.created"
    assert {"reply.sent", "ticket.status_changed", "ticket.escalated", "note.added"} <= set(names)
    escalation = json.loads(dict(events)["ticket.escalated"])
    assert escalation["reason"] == "data integrity"
    # Solved tickets leave the queue.
    queue = db_run("queue", "--limit", "0", "--json").json()
    assert ticket_id not in {t["id"] for t in queue["tickets"]}


def test_a_failed_validation_writes_nothing(db_run: Runner, demo_db: Path) -> None:
    ticket_id = db_run("queue", "--json").json()["tickets"][0]["id"]
    before = _rows(demo_db, "SELECT count(*) FROM events")
    result = db_run("update-ticket", ticket_id, "--add-tag", "x", "--status", "bogus")
    assert result.code == 2
    assert _rows(demo_db, "SELECT count(*) FROM events") == before
    assert "x" not in db_run("get-ticket", ticket_id, "--json").json()["ticket"]["tags"]
