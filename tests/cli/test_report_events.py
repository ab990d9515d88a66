"""``triage report`` and ``triage events`` over the demo helpdesk's event log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from tests.cli.conftest import Runner
from tests.conftest import FROZEN_NOW
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain import events as ev
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.models import Escalation


def _script(db: Path) -> str:
    """Eight minutes of work from 09:00 (FROZEN_NOW is 09:30); returns the ticket answered."""

    async def run() -> str:
        clock = FrozenClock(FROZEN_NOW - timedelta(minutes=30))
        async with LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam") as hd:
            tickets = [t async for t in hd.iter_queue()][:3]
            a, b, c = (t.id for t in tickets)
            await hd.record_event(ev.SWEEP_STARTED, None, {"sweep_id": "s1", "count": 3})
            await hd.record_event(ev.VIEWED, a, {"source": "sweep"})
            clock.advance(120)
            await hd.reply(a, "Hi, sorted.")
            await hd.record_event(ev.VIEWED, b, {"source": "sweep"})
            clock.advance(60)
            await hd.record_event(ev.SKIPPED, b, {"reason": "waiting | on eng"})
            await hd.record_event(ev.VIEWED, c, {"source": "sweep"})
            clock.advance(300)
            await hd.escalate(c, Escalation(reason="billing/refund"))
            await hd.record_event(ev.FOLLOW_UP, None, {"task": "Document the refund path"})
            await hd.record_event(ev.SWEEP_COMPLETED, None, {"sweep_id": "s1"})
            return a

    return asyncio.run(run())


def test_report_human_json_and_markdown(db_run: Runner, demo_db: Path) -> None:
    _script(demo_db)
    human = db_run("report", "--since", "1h")
    assert human.code == 0, human.err
    lines = human.out.splitlines()
    assert lines[0] == "Session report · 2026-11-22 08:30 → 2026-11-22 09:30 UTC (1h)"
    assert lines[1] == (
        "3 tickets triaged · 1 reply · 1 escalation · 0 SLA breaches · 0 breaches avoided"
    )
    assert any(
        line.startswith("Median handle time per ticket") and line.endswith("2m00s (3 tickets)")
        for line in lines
    )
    data = db_run("report", "--since", "1h", "--json").json()
    assert (data["tickets_triaged"], data["replies_sent"], data["skipped"].__len__()) == (3, 1, 1)
    assert data["escalations"][0]["reason"] == "billing/refund"
    assert data["follow_ups"] == ["Document the refund path"]
    assert data["median_handle_seconds"] == 120.0
    md = db_run("report", "--since", "1h", "--markdown")
    assert md.out.startswith("# Session report\n") and "- [ ] Document the refund path" in md.out
    both = db_run("report", "--json", "--markdown")
    assert both.code == 2 and both.err == "triage: error: choose one of --json and --markdown\n"


def test_report_since_excludes_older_events(
    db_run: Runner, run: Runner, demo_db: Path, tmp_path: Path
) -> None:
    _script(demo_db)
    data = db_run("report", "--since", "25m", "--json").json()
    # The script ran 09:00–09:08; from 09:05 only the escalation (09:08) counts.
    assert data["tickets_triaged"] == 1 and data["replies_sent"] == 0
    assert db_run("report", "--since", "2026-11-22T09:29:59", "--json").json()["events"] == 1
    fresh, no_articles = tmp_path / "fresh.db", tmp_path / "no-articles"
    no_articles.mkdir()
    assert run("kb", "import", str(no_articles), "--db", str(fresh)).code == 0  # an empty helpdesk
    empty = run("report", "--db", str(fresh))
    assert empty.code == 0 and empty.err == "triage: no events since 2026-11-22 01:30 UTC\n"
    assert "0 tickets triaged" in empty.out


def test_events_lists_the_log(db_run: Runner, demo_db: Path) -> None:
    answered = _script(demo_db)
    result = db_run("events", "--since", "1h")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["TIME", "EVENT", "TICKET", "ACTOR", "DETAIL"]
    names = [line.split()[1] for line in lines[1:-1]]
    assert names == [
        "sweep.started",
        "ticket.viewed",
        "reply.sent",
        "ticket.viewed",
        "ticket.skipped",
        "ticket.viewed",
        "ticket.escalated",
        "plan.follow_up",
        "sweep.completed",
        "demo.generated",
    ]
    assert lines[-1] == "10 event(s) since 2026-11-22 08:30 UTC"
    data = db_run("events", "--since", "1h", "--json").json()
    assert data["count"] == 10 and data["events"][2]["ticket_id"] == answered
    assert data["events"][2]["payload"]["sla_due_at"]
    assert data["events"][4]["payload"] == {"reason": "waiting | on eng"}
    default = db_run("events", "--json").json()
    assert default["since"] == (FROZEN_NOW - timedelta(hours=1)).isoformat()


def test_bad_since_is_one_line(db_run: Runner) -> None:
    result = db_run("events", "--since", "90x")
    assert result.code == 2
    assert result.err == (
        'triage: error: --since: bad duration "90x" (use m, h, d) or an ISO time such as '
        "2026-11-22T08:00\n"
    )
