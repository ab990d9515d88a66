"""The demo data set: deterministic, realistic enough to triage, and fast."""

from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.local.store import to_db
from triage_tui.demo import generator as demo
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import ConfigError
from triage_tui.domain.models import QueueFilter

NOW = to_db(FROZEN_NOW)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "helpdesk.db"
    demo.generate(db, now=FROZEN_NOW)
    return db


def rows(db: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def test_generate_returns_counts_matching_the_file(tmp_path: Path) -> None:
    summary = demo.generate(tmp_path / "d.db", now=FROZEN_NOW)
    assert (
        summary["tickets"] == 300 == rows(tmp_path / "d.db", "SELECT count(*) FROM tickets")[0][0]
    )
    assert summary["messages"] == rows(tmp_path / "d.db", "SELECT count(*) FROM messages")[0][0]
    assert summary["articles"] >= 60 and 15 <= summary["organizations"] <= 30
    assert all(count >= 3 for count in summary["scenarios"].values())


def test_same_seed_and_now_give_the_same_database(tmp_path: Path, demo_db: Path) -> None:
    again = tmp_path / "again.db"
    demo.generate(again, now=FROZEN_NOW)
    assert dump(again) == dump(demo_db)
    demo.generate(again, seed=8, now=FROZEN_NOW)
    assert dump(again) != dump(demo_db)


def test_regenerating_replaces_the_file_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    demo.generate(db, tickets=50, now=FROZEN_NOW)
    demo.generate(db, tickets=40, now=FROZEN_NOW)
    assert rows(db, "SELECT count(*) FROM tickets")[0][0] == 40
    assert rows(db, "PRAGMA journal_mode")[0][0] == "wal"
    assert not list(tmp_path.glob("*demo-tmp*"))
    assert demo.is_demo_db(db)


def test_a_foreign_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    precious = tmp_path / "thesis.db"
    precious.write_bytes(b"my thesis, definitely not SQLite" * 50)
    with pytest.raises(ConfigError) as caught:
        demo.generate(precious, now=FROZEN_NOW)
    assert str(precious) in str(caught.value) and "\n" not in str(caught.value)
    assert precious.read_bytes().startswith(b"my thesis")
    assert not demo.is_demo_db(precious)


def test_variety_of_priorities_channels_statuses_and_tiers(demo_db: Path) -> None:
    assert {r[0] for r in rows(demo_db, "SELECT DISTINCT priority FROM tickets")} == {
        p.value for p in Priority
    }
    assert {r[0] for r in rows(demo_db, "SELECT DISTINCT channel FROM tickets")} == {
        "email",
        "web",
        "chat",
        "api",
        "phone",
    }
    assert {r[0] for r in rows(demo_db, "SELECT DISTINCT status FROM tickets")} == {
        s.value for s in Status
    }
    assert {r[0] for r in rows(demo_db, "SELECT DISTINCT tier FROM people")} == {
        "free",
        "pro",
        "business",
        "enterprise",
    }
    vip = rows(demo_db, "SELECT name, tier FROM organizations WHERE vip = 1")
    assert vip == [("Acme Corp", "enterprise")]
    subjects = rows(
        demo_db, "SELECT count(DISTINCT subject), count(DISTINCT excerpt) FROM tickets"
    )[0]
    assert subjects[0] >= 40 and subjects[1] >= 250


def test_conversations_have_one_to_six_messages_of_every_kind(demo_db: Path) -> None:
    counts = Counter(
        r[0] for r in rows(demo_db, "SELECT count(*) FROM messages GROUP BY ticket_id")
    )
    assert min(counts) == 1 and max(counts) <= 6 and len(counts) >= 4
    kinds = set(rows(demo_db, "SELECT DISTINCT role, public FROM messages"))
    assert kinds == {("customer", 1), ("agent", 1), ("agent", 0)}
    # Messages never postdate "now" and never precede their ticket.
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE created_at > ?", NOW)[0][0] == 0
    assert (
        rows(
            demo_db,
            "SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id "
            "WHERE m.created_at < t.created_at",
        )[0][0]
        == 0
    )


def test_sla_due_times_are_spread(demo_db: Path) -> None:
    active = (
        "SELECT t.id, min(s.due_at) FROM tickets t LEFT JOIN sla_targets s ON s.ticket_id = t.id "
        "AND s.stage = 'active' WHERE t.status IN ('new', 'open') GROUP BY t.id"
    )
    dues = [r[1] for r in rows(demo_db, active)]
    soon = to_db(FROZEN_NOW.replace(hour=11))  # now + 90 min
    breached = sum(1 for d in dues if d and d <= NOW)
    at_risk = sum(1 for d in dues if d and NOW < d <= soon)
    later = sum(1 for d in dues if d and d > soon)
    none = sum(1 for d in dues if d is None)
    assert breached >= 5 and at_risk >= 5 and none >= 1
    assert later > breached and later > at_risk


def test_returning_requesters_have_solved_history(demo_db: Path) -> None:
    returning = rows(
        demo_db,
        "SELECT count(DISTINCT a.requester_id) FROM tickets a JOIN tickets h "
        "ON h.requester_id = a.requester_id AND h.created_at < a.created_at "
        "WHERE a.status IN ('new', 'open') AND h.status IN ('solved', 'closed')",
    )[0][0]
    first_timers = rows(
        demo_db,
        "SELECT count(*) FROM people p WHERE (SELECT count(*) FROM tickets t "
        "WHERE t.requester_id = p.id) = 1",
    )[0][0]
    assert returning >= 10 and first_timers >= 30


def test_ticket_ids_grow_with_creation_time(demo_db: Path) -> None:
    created = [
        r[0] for r in rows(demo_db, "SELECT created_at FROM tickets ORDER BY CAST(id AS INTEGER)")
    ]
    assert created == sorted(created)


def test_kb_articles_are_about_polaris(demo_db: Path) -> None:
    articles = rows(demo_db, "SELECT id, title, body, url, section FROM articles")
    assert len(articles) >= 60
    assert len({a[4] for a in articles}) >= 8
    for article_id, title, body, url, _ in articles:
        assert re.fullmatch(
            rf"https://help\.polaris\.example/articles/{article_id}-[a-z0-9-]+", url
        )
        assert body.count("\n\n") >= 3 and title


async def test_demo_tickets_trip_every_escalation_rule(demo_db: Path) -> None:
    escalation = pytest.importorskip("triage_tui.domain.escalation")
    fired: Counter[str] = Counter()
    async with LocalHelpdesk(LocalOptions(db=demo_db), clock=FrozenClock(FROZEN_NOW)) as helpdesk:
        async for ticket in helpdesk.iter_queue(QueueFilter()):
            detail = await helpdesk.get_ticket(ticket.id)
            fired.update(r.rule_id for r in escalation.evaluate(detail) if r.fired)
    for rule in escalation.RULE_IDS:
        assert fired[rule] >= 3, (rule, fired)


def test_the_playbook_phrases_appear_in_customer_messages(demo_db: Path) -> None:
    text = "\n".join(
        r[0] for r in rows(demo_db, "SELECT body FROM messages WHERE role = 'customer'")
    )
    for phrase in ("refund", "charged twice", "data loss", "GDPR", "lawyer", "HIPAA", "subpoena"):
        assert phrase in text, phrase
    assert re.search(r"talk to a human|speak to a (real person|manager)", text)


def test_the_queue_opens_quickly_with_the_vip_on_it(demo_db: Path) -> None:
    import asyncio

    async def load() -> list:  # type: ignore[type-arg]
        async with LocalHelpdesk(LocalOptions(db=demo_db)) as helpdesk:
            return [t async for t in helpdesk.iter_queue()]

    tickets = asyncio.run(load())
    assert len(tickets) >= 150
    assert any(t.organization and t.organization.vip for t in tickets)


@pytest.mark.skipif(not os.environ.get("TRIAGE_SLOW_TESTS"), reason="set TRIAGE_SLOW_TESTS=1")
def test_one_hundred_thousand_tickets_are_generated(tmp_path: Path) -> None:
    """Correctness at full size; the time it takes is measured by benchmarks/core.py."""
    summary = demo.generate(tmp_path / "big.db", tickets=100_000, now=FROZEN_NOW)
    assert summary["tickets"] == 100_000
