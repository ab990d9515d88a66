"""The local event log ``BufferedHelpdesk`` keeps for helpdesks without one of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.adapters.contract import AGENT, seed_local_db
from tests.adapters.remote_factories import zendesk_rig
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.cli import main
from triage_tui.domain import events as ev
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Status
from triage_tui.domain.models import Escalation
from triage_tui.engine import report
from triage_tui.engine.buffered import VERB_MODE, BufferedHelpdesk
from triage_tui.engine.event_log import EventLog, reply_due


def test_event_log_records_lists_and_never_repeats_a_source(
    tmp_path: Path, clock: FrozenClock
) -> None:
    log = EventLog(tmp_path / "events" / "k.sqlite3", clock, actor="Sam")
    first = log.record(ev.VIEWED, "7", {"source": "queue"})
    clock.advance(60)
    since = clock.now()
    log.record(ev.REPLY_SENT, "7", {"chars": 3}, source="entry-1")
    assert log.record(ev.REPLY_SENT, "7", {"chars": 3}, source="entry-1") == 0
    events = log.list()
    assert [(e.id, e.name, e.ticket_id, e.actor) for e in events] == [
        (first, ev.VIEWED, "7", "Sam"),
        (first + 1, ev.REPLY_SENT, "7", "Sam"),
    ]
    assert events[0].at == since - timedelta(seconds=60) and events[0].at.tzinfo is not None
    assert [e.name for e in log.list(since)] == [ev.REPLY_SENT]
    log.close()
    reopened = EventLog(tmp_path / "events" / "k.sqlite3", clock)
    assert len(reopened.list()) == 2
    reopened.close()


async def test_remote_writes_in_verb_mode_are_logged_once_on_delivery(
    tmp_path: Path, clock: FrozenClock
) -> None:
    async with zendesk_rig(clock) as rig:
        hd = BufferedHelpdesk(rig.helpdesk, "test.zendesk.0", mode=VERB_MODE, data_dir=tmp_path)
        assert hd.own_log and not rig.helpdesk.capabilities.event_log
        start = clock.now()
        tid = rig.tid(DEFAULT_SPEC.tickets[1].key)
        before = (await hd.get_ticket(tid)).ticket
        message = await hd.reply(tid, "Hi, use the batch endpoint.")
        clock.advance(30)
        await hd.escalate(rig.tid(DEFAULT_SPEC.tickets[2].key), Escalation(reason="billing/refund"))
        await hd.set_status(tid, Status.PENDING)
        await hd.record_event(ev.VIEWED, tid, {"source": "queue"})
        log = await hd.list_events(start)
        assert [e.name for e in log] == [
            ev.REPLY_SENT, ev.ESCALATED, ev.STATUS_CHANGED, ev.VIEWED,
        ]  # fmt: skip
        reply, escalated, status, _ = log
        assert reply.ticket_id == tid and reply.payload["message_id"] == message.id
        assert reply.payload["chars"] == len("Hi, use the batch endpoint.")
        due = reply_due(before.model_dump(mode="json"))
        assert due is not None and reply.payload["sla_due_at"] == due
        assert escalated.payload["reason"] == "billing/refund"
        assert escalated.payload["status"]["to"] == "open"
        assert status.payload == {"from": before.status.value, "to": "pending"}
        assert (hd.events_path.parent.name, hd.events_path.exists()) == ("events", True)
        built = report.build(log, start, clock.now())
        assert (built.replies, [e.reason for e in built.escalations]) == (1, ["billing/refund"])
        await hd.close()
        # The same file next time: the log outlives the process.
        again = BufferedHelpdesk(rig.helpdesk, "test.zendesk.0", mode=VERB_MODE, data_dir=tmp_path)
        assert len(await again.list_events()) == 4


async def test_local_adapter_keeps_its_own_log_and_each_write_once(
    tmp_path: Path, clock: FrozenClock
) -> None:
    db = tmp_path / "local.db"
    tickets, _, _ = seed_local_db(db, DEFAULT_SPEC)
    inner = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as(AGENT)
    async with BufferedHelpdesk(inner, "test.local.0", mode=VERB_MODE, data_dir=tmp_path) as hd:
        assert not hd.own_log
        tid = next(iter(tickets.values()))
        start = clock.now()
        await hd.reply(tid, "Hello there.")
        await hd.escalate(tid, Escalation(reason="outage"))
        await hd.record_event(ev.VIEWED, tid, {})
        names = [e.name for e in await hd.list_events(start)]
        assert names == [e.name for e in await inner.list_events(start)]
        assert sorted(names) == sorted([ev.REPLY_SENT, ev.ESCALATED, ev.VIEWED])
    assert not (tmp_path / "events").exists()


@pytest.fixture
def zendesk_env(clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZendesk]:
    with FakeZendesk(clock) as server:
        seed_zendesk(server, DEFAULT_SPEC)
        monkeypatch.setenv("TRIAGE_ADAPTER", "zendesk")
        monkeypatch.setenv("TRIAGE_ZENDESK_BASE_URL", server.origin)
        monkeypatch.setenv("TRIAGE_ZENDESK_EMAIL", "sam@triage.example")
        monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "zd-token-123")
        yield server


def test_events_and_report_verbs_on_zendesk(
    zendesk_env: FakeZendesk, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*argv: str) -> dict:  # type: ignore[type-arg]
        code = main(list(argv), clock=clock)
        out = capsys.readouterr()
        assert code == 0, out.err
        return json.loads(out.out) if "--json" in argv else {}

    run("reply-ticket", "102", "Hi Ben, use the batch endpoint.")
    run("escalate-ticket", "103", "--reason", "billing/refund", "--group", "Billing")
    events = run("events", "--since", "1h", "--json")
    assert [(e["name"], e["ticket_id"]) for e in events["events"]] == [
        (ev.REPLY_SENT, "102"), (ev.ESCALATED, "103"),
    ]  # fmt: skip
    assert events["events"][1]["payload"]["group"]["to"] == "Billing"
    data = run("report", "--since", "1h", "--json")
    assert (data["tickets_triaged"], data["replies_sent"]) == (2, 1)
    assert data["escalations"][0]["reason"] == "billing/refund"
