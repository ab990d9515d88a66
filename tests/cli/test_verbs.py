"""Every verb against demo data, human-readable and ``--json``."""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.conftest import FROZEN_NOW
from triage_tui.domain import sla
from triage_tui.domain.models import Ticket

TICKET_EXTRA_KEYS = {"sla_state", "sla_metric", "sla_due_at", "sla_seconds_left"}


def _queue(db_run: Runner) -> list[dict]:
    result = db_run("queue", "--limit", "0", "--json")
    assert result.code == 0, result.err
    return result.json()["tickets"]


def test_queue_json_is_in_sla_order_with_stable_keys(db_run: Runner) -> None:
    data = db_run("queue", "--json").json()
    assert set(data) == {"generated_at", "filter", "view", "active", "total", "count", "tickets"}
    assert data["generated_at"] == FROZEN_NOW.isoformat()
    assert data["count"] == 20 <= data["total"]
    tickets = [Ticket.model_validate(t) for t in data["tickets"]]
    assert tickets == sla.sort_queue(tickets, FROZEN_NOW)
    first = data["tickets"][0]
    assert set(first) >= TICKET_EXTRA_KEYS
    assert first["sla_state"] == "breached" and first["sla_seconds_left"] < 0
    assert all(t["status"] not in ("solved", "closed") for t in data["tickets"])


def test_queue_limit_zero_lists_every_active_ticket(db_run: Runner) -> None:
    data = db_run("queue", "--limit", "0", "--json").json()
    assert data["count"] == data["total"] == len(data["tickets"]) > 20


def test_queue_human_shows_markers_countdowns_and_a_summary(db_run: Runner) -> None:
    result = db_run("queue", "--limit", "5")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["DUE", "STATE", "ID", "PRIORITY", "REQUESTER", "AGE", "SUBJECT"]
    assert lines[1].startswith("!!  -") and "breached" in lines[1]
    assert len(lines) == 1 + 5 + 2
    assert lines[-1].startswith("5 of ") and "breached" in lines[-1]
    assert "\x1b" not in result.out  # not a TTY: no colour


def test_queue_states_match_the_domain(db_run: Runner) -> None:
    tickets = _queue(db_run)
    states = {t["sla_state"] for t in tickets}
    assert {"breached", "at_risk", "ok"} <= states
    for t in tickets:
        ticket = Ticket.model_validate(t)
        assert t["sla_state"] == sla.state(ticket, FROZEN_NOW).value


def test_get_ticket_human_and_json(db_run: Runner) -> None:
    ticket_id = _queue(db_run)[0]["id"]
    human = db_run("get-ticket", ticket_id)
    assert human.code == 0, human.err
    assert human.out.startswith(f"Ticket {ticket_id} · ")
    assert "Requester  " in human.out and "SLA        !! breached -" in human.out
    assert "customer" in human.out
    data = db_run("get-ticket", ticket_id, "--json").json()
    assert set(data) == {"ticket", "messages"}
    assert data["ticket"]["id"] == ticket_id and set(data["ticket"]) >= TICKET_EXTRA_KEYS
    assert data["messages"] and data["messages"][0]["role"] == "customer"
    assert set(data["messages"][0]) >= {"id", "author", "role", "public", "body", "created_at"}


def test_get_user_with_tickets_human_and_json(db_run: Runner) -> None:
    requester = _queue(db_run)[0]["requester"]
    data = db_run("get-user", requester["id"], "--tickets", "--json").json()
    assert set(data) == {"person", "organization", "ticket_count", "returning", "tickets", "csat"}
    assert data["csat"] == []  # no satisfaction scores recorded in the demo
    assert data["person"]["email"] == requester["email"]
    assert data["ticket_count"] == len(data["tickets"]) >= 1
    human = db_run("get-user", requester["email"], "--tickets")
    assert human.code == 0
    assert requester["name"] in human.out.splitlines()[0]
    assert "ID" in human.out and "SUBJECT" in human.out


def test_get_user_without_tickets_has_null_list_and_a_hint(db_run: Runner) -> None:
    requester = _queue(db_run)[0]["requester"]
    data = db_run("get-user", requester["id"], "--json").json()
    assert data["tickets"] is None and data["ticket_count"] >= 1
    human = db_run("get-user", requester["id"])
    assert "--tickets" in human.err


def test_search_kb_human_and_json(db_run: Runner) -> None:
    data = db_run("search-kb", "password reset", "--json").json()
    assert set(data) == {"query", "count", "articles"}
    assert data["count"] == len(data["articles"]) >= 1
    first = data["articles"][0]
    assert set(first) == {"id", "title", "body", "url", "section", "score", "matched_terms"}
    assert 0 < first["score"] <= 100 and first["matched_terms"]
    scores = [a["score"] for a in data["articles"]]
    assert scores == sorted(scores, reverse=True)
    human = db_run("search-kb", "password reset", "--limit", "2")
    assert human.code == 0 and human.out.startswith(" 1. ")
    assert " 3. " not in human.out and "score " in human.out


def test_search_kb_tolerates_typos_like_the_consoles_suggestions(db_run: Runner) -> None:
    data = db_run("search-kb", "refnud policy", "--json").json()
    assert data["articles"] and "refnud" in data["articles"][0]["matched_terms"]
    assert "refund" in data["articles"][0]["title"].lower()


def test_search_kb_with_no_match_says_so(db_run: Runner) -> None:
    result = db_run("search-kb", "zzqxjv")
    assert result.code == 0 and result.out.strip() == "No matching articles."


def test_create_ticket_human_and_json(db_run: Runner, demo_db: Path) -> None:
    human = db_run(
        "create-ticket",
        "--subject",
        "Cannot log in",
        "--body",
        "Locked out since 9am",
        "--requester",
        "new.person@example.org",
        "--name",
        "Nova Person",
        "--priority",
        "urgent",
    )
    assert human.code == 0, human.err
    assert human.out.startswith("Ticket ") and "created for Nova Person" in human.out
    data = db_run(
        "create-ticket",
        "--subject",
        "Second",
        "--body",
        "again",
        "--requester",
        "new.person@example.org",
        "--channel",
        "chat",
        "--tag",
        "login",
        "--json",
    ).json()
    assert set(data) == {"ticket", "confirmation"}
    assert data["ticket"]["status"] == "new" and data["ticket"]["channel"] == "chat"
    assert data["ticket"]["tags"] == ["login"]
    assert data["ticket"]["requester"]["name"] == "Nova Person"


def test_create_ticket_body_from_stdin(db_run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Long body\nfrom a pipe\n"))
    data = db_run(
        "create-ticket",
        "--subject",
        "Piped",
        "--body",
        "-",
        "--requester",
        "p@example.org",
        "--json",
    ).json()
    detail = db_run("get-ticket", data["ticket"]["id"], "--json").json()
    assert detail["messages"][0]["body"] == "Long body\nfrom a pipe\n"


def test_reply_ticket_confirms_in_the_workflows_words(db_run: Runner) -> None:
    ticket = _queue(db_run)[0]
    result = db_run("reply-ticket", ticket["id"], "Hi there, on it.")
    assert result.code == 0, result.err
    assert result.out.strip() == f"Responded to {ticket['id']} for {ticket['requester']['name']}"
    data = db_run("reply-ticket", ticket["id"], "Second reply", "--json").json()
    assert set(data) == {"ticket_id", "requester", "message", "safeguards", "confirmation"}
    assert data["message"]["public"] is True and data["message"]["role"] == "agent"
    assert data["message"]["body"] == "Second reply"


def test_reply_text_dash_reads_stdin(db_run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = _queue(db_run)[1]
    monkeypatch.setattr(sys, "stdin", io.StringIO("Hi,\n\nfrom stdin.\n"))
    data = db_run("reply-ticket", ticket["id"], "-", "--json").json()
    assert data["message"]["body"] == "Hi,\n\nfrom stdin.\n"


def test_close_ticket_human_and_json(db_run: Runner) -> None:
    first, second = _queue(db_run)[:2]
    human = db_run("close-ticket", first["id"], "--note", "Resolved: re-sent the invoice")
    assert human.code == 0, human.err
    assert human.out.strip() == f"Ticket {first['id']} closed – Resolved: re-sent the invoice"
    data = db_run("close-ticket", second["id"], "--note", "Resolved: x", "--json").json()
    assert set(data) == {"ticket", "note", "changed", "confirmation"}
    assert data["ticket"]["status"] == "solved" and data["note"]["public"] is False


def test_update_ticket_human_and_json(db_run: Runner) -> None:
    ticket = _queue(db_run)[0]
    human = db_run("update-ticket", ticket["id"], "--status", "INPROGRESS")
    assert human.code == 0, human.err
    assert human.out.strip() == f"Ticket {ticket['id']} updated – status pending"
    data = db_run(
        "update-ticket",
        ticket["id"],
        "--assignee",
        "Sam",
        "--group",
        "engineering",
        "--add-tag",
        "vip-watch",
        "--remove-tag",
        "nonexistent",
        "--json",
    ).json()
    assert set(data) == {"ticket", "changes", "confirmation"}
    # Names the helpdesk has, resolved: "Sam" is the agent Sam Rivera.
    assert data["ticket"]["assignee"] == "Sam Rivera" and data["ticket"]["group"] == "Engineering"
    assert "vip-watch" in data["ticket"]["tags"]
    assert data["changes"]["assignee"] == "Sam Rivera"


def test_escalate_ticket_human_and_json(db_run: Runner) -> None:
    first, second = _queue(db_run)[:2]
    human = db_run("escalate-ticket", first["id"], "--reason", "billing/refund")
    assert human.code == 0, human.err
    assert human.out.strip() == f"Ticket {first['id']} escalated – billing/refund"
    data = db_run(
        "escalate-ticket",
        second["id"],
        "--reason",
        "data integrity",
        "--note",
        "rows lost",
        "--priority",
        "urgent",
        "--group",
        "engineering",
        "--tag",
        "bug",
        "--json",
    ).json()
    assert set(data) == {"ticket", "escalation", "confirmation"}
    assert data["ticket"]["priority"] == "urgent" and data["ticket"]["group"] == "engineering"
    assert "bug" in data["ticket"]["tags"]
    assert data["escalation"]["reason"] == "data integrity"


def test_json_is_ascii_so_it_cannot_drive_a_terminal(db_run: Runner) -> None:
    created = db_run(
        "create-ticket",
        "--subject",
        "evil \x1b]0;pwned\x07 \u202e",
        "--body",
        "b",
        "--requester",
        "e@example.org",
        "--json",
    )
    assert created.out.isascii()
    ticket_id = created.json()["ticket"]["id"]
    detail = db_run("get-ticket", ticket_id, "--json")
    assert detail.out.isascii()
    assert detail.json()["ticket"]["subject"] == "evil \x1b]0;pwned\x07 \u202e"


def test_hostile_text_is_neutralised_in_human_output(db_run: Runner, demo_db: Path) -> None:
    hostile_subject = "Invoice \x1b[2J\x1b]8;;http://evil\x07click\u202e\r overwritten"
    hostile_body = "line one\x1b[1A\x1b[2K\nline two \x9b31m [@click=app.quit]x[/]"
    created = db_run(
        "create-ticket",
        "--subject",
        hostile_subject,
        "--body",
        hostile_body,
        "--requester",
        "evil@example.org",
        "--name",
        "Eve \x1b[5mBlink",
        "--json",
    ).json()
    ticket_id = created["ticket"]["id"]
    for argv in (
        ("get-ticket", ticket_id),
        ("queue", "--limit", "0"),
        ("get-user", "evil@example.org", "--tickets"),
        ("reply-ticket", ticket_id, "ok"),
    ):
        out = db_run(*argv).out
        assert not any(ch in out for ch in "\x1b\x07\x9b\u202e\r"), argv
    detail = db_run("get-ticket", ticket_id).out
    assert "␛[2J" in detail and "\\u202e" in detail and "[@click=app.quit]x[/]" in detail
    # The store itself keeps the exact text: only the display is neutralised.
    with sqlite3.connect(demo_db) as conn:
        (subject,) = conn.execute(
            "SELECT subject FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
    assert subject == hostile_subject.strip()
