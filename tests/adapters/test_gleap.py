"""The Gleap adapter against the fake Gleap on loopback: paging, statuses, messages, SLA, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.adapters.remote_factories import gleap_rig
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.seeding import AGENTS
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.errors import AuthError, InvalidInput, NotFound, RateLimited, Unsupported
from triage_tui.domain.models import Escalation, QueueFilter

ACTIVE_IN_SPEC = len(DEFAULT_SPEC.active_keys())


async def test_queue_pages_with_skip_and_limit_per_status(clock: FrozenClock) -> None:
    spec = DEFAULT_SPEC.with_fillers(20)
    async with gleap_rig(clock, spec, page_size=7) as rig:
        tickets = [t async for t in rig.helpdesk.iter_queue()]
        assert len(tickets) == ACTIVE_IN_SPEC + 20
        requests = rig.fake.requests(path="/tickets$")
        open_pages = [r.query for r in requests if r.query.get("status") == "OPEN"]
        assert [q["skip"] for q in open_pages] == ["0", "7", "14", "21"]  # 23 open tickets
        assert all(q["limit"] == "7" and q["archived"] == "false" for q in open_pages)
        assert {r.query.get("status") for r in requests} == {"OPEN", "INPROGRESS"}
        headers = requests[0].headers
        assert headers["authorization"] == "Bearer gl-key-789" and headers["project"] == "proj-1"
        # The session and the assignee come populated: no request per row.
        assert {r.path for r in rig.fake.requests()} == {"/v3/tickets"}


async def test_closed_means_archived_and_types_filter_the_queue(clock: FrozenClock) -> None:
    async with gleap_rig(clock, types="INQUIRY") as rig:
        closed = [
            t
            async for t in rig.helpdesk.iter_queue(QueueFilter(statuses=frozenset({Status.CLOSED})))
        ]
        assert [t.id for t in closed] == [rig.tid("closed")]
        assert rig.fake.requests()[-1].query == {
            "archived": "true",
            "type": "INQUIRY",
            "sort": "createdAt",
            "skip": "0",
            "limit": "100",
        }


async def test_due_date_and_sla_breached_become_one_target(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        now = DEFAULT_SPEC.now
        sso = (await rig.helpdesk.get_ticket(rig.tid("sso"))).ticket
        assert [(s.metric, s.due_at, s.stage) for s in sso.sla] == [
            ("due_date", now + timedelta(minutes=30), SlaStage.ACTIVE)
        ]
        nosla = rig.fake.tickets[rig.tid("nosla")]
        nosla.update(dueDate=None, slaBreached=True)  # breached, time unknown
        target = (await rig.helpdesk.get_ticket(rig.tid("nosla"))).ticket.sla[0]
        assert target.due_at == now - timedelta(minutes=40) and target.stage is SlaStage.ACTIVE
        rig.fake.tickets[rig.tid("sso")]["snoozed"] = True
        assert (await rig.helpdesk.get_ticket(rig.tid("sso"))).ticket.sla[
            0
        ].stage is SlaStage.PAUSED


async def test_messages_tell_comments_from_internal_notes_and_keep_line_breaks(
    clock: FrozenClock,
) -> None:
    async with gleap_rig(clock) as rig:
        tid = rig.tid("sso")
        detail = await rig.helpdesk.get_ticket(tid)
        assert [m.role for m in detail.messages] == [
            Role.CUSTOMER,
            Role.AGENT,
            Role.AGENT,
            Role.CUSTOMER,
        ]
        assert [m.public for m in detail.messages] == [True, True, False, True]
        assert detail.messages[0].author_email == "ana@acme.example"
        body = "Hi Ana,\n\nPlease re-upload the IdP metadata.\n\nBest,\nSam"
        reply = await rig.helpdesk.reply(tid, body)
        note = await rig.helpdesk.add_note(tid, "Cert rotated on Tuesday.")
        posts = rig.fake.requests("POST", "/messages")
        assert [(p.body["type"], p.body["isNote"]) for p in posts] == [
            ("COMMENT", False),
            ("NOTE", True),
        ]
        assert (
            posts[0].body["comment"]["type"] == "doc"
            and len(posts[0].body["comment"]["content"]) == 6
        )
        assert reply.body == body and reply.public and reply.role is Role.AGENT
        assert note.is_note and note.author == "Sam Rivera"
        again = await rig.helpdesk.get_ticket(tid)
        assert [m.body for m in again.messages[-2:]] == [body, "Cert rotated on Tuesday."]
        with pytest.raises(InvalidInput):
            await rig.helpdesk.reply(tid, "  ")


async def test_statuses_follow_the_project_configuration(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        rig.fake.statuses = ("OPEN", "IN_PROGRESS", "DONE")  # this project spells it differently
        with pytest.raises(InvalidInput) as caught:
            await rig.helpdesk.set_status(rig.tid("sso"), Status.PENDING)
        assert str(caught.value) == (
            f"Gleap refused PUT /tickets/{rig.tid('sso')} (400): Invalid status INPROGRESS"
        )
    async with gleap_rig(clock, status_map="pending=IN_PROGRESS,on_hold=IN_PROGRESS") as rig:
        rig.fake.statuses = ("OPEN", "IN_PROGRESS", "DONE")
        rig.fake.tickets[rig.tid("pending")]["status"] = "IN_PROGRESS"
        ticket = await rig.helpdesk.set_status(rig.tid("sso"), Status.PENDING)
        assert ticket.status is Status.PENDING
        assert rig.fake.tickets[rig.tid("sso")]["status"] == "IN_PROGRESS"
        queue = [t async for t in rig.helpdesk.iter_queue()]
        assert {rig.tid("sso"), rig.tid("pending")} <= {t.id for t in queue}


async def test_close_archives_and_reopening_unarchives(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        tid = rig.tid("sso")
        closed = await rig.helpdesk.set_status(tid, Status.CLOSED)
        assert closed.status is Status.CLOSED
        assert rig.fake.tickets[tid]["archived"] and rig.fake.tickets[tid]["status"] == "DONE"
        reopened = await rig.helpdesk.set_status(tid, Status.OPEN)
        assert reopened.status is Status.OPEN and not rig.fake.tickets[tid]["archived"]


async def test_customer_session_with_company_and_their_tickets(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        history = await rig.helpdesk.get_person("Ana@Acme.example")
        assert history.person.id == rig.people["ana"] and history.person.tier == "enterprise"
        assert history.organization is not None and history.organization.name == "Acme Corp"
        assert history.organization.vip
        assert [t.id for t in history.tickets] == [rig.tid(k) for k in ("sso", "pending", "solved")]
        assert rig.fake.requests(path="by-session-query")[-1].query == {"email": "ana@acme.example"}
        with pytest.raises(NotFound, match="no Gleap contact with email"):
            await rig.helpdesk.get_person("nobody@nowhere.example")


async def test_knowledge_search_sends_the_language(clock: FrozenClock) -> None:
    async with gleap_rig(clock, lang="de") as rig:
        (article, *_) = await rig.helpdesk.search_kb("SAML sign-in loop", limit=3)
        assert article.title.startswith("Set up SAML")
        assert rig.fake.requests("POST", "/knowledge/search")[0].body == {
            "query": "SAML sign-in loop",
            "lang": "de",
            "limit": 3,
        }


async def test_assignment_by_name_or_email_and_no_groups(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        tid = rig.tid("breached")
        ticket = await rig.helpdesk.assign(tid, AGENTS[1][1])
        assert ticket.assignee == "Mei Chen"
        with pytest.raises(Unsupported, match="no groups"):
            await rig.helpdesk.assign(tid, "Mei Chen", "Billing")
        with pytest.raises(NotFound, match="no Gleap project member matches 'Nobody'"):
            await rig.helpdesk.assign(tid, "Nobody")
        assert len(rig.fake.requests(path="/projects/users")) == 1  # members are cached


async def test_escalation_notes_the_route_and_raises_priority_to_high(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        tid = rig.tid("pending")
        ticket = await rig.helpdesk.escalate(
            tid, Escalation(reason="billing/refund", priority=Priority.URGENT, group="Billing")
        )
        note = rig.fake.messages[-1]
        assert note["type"] == "NOTE" and "Route to: Billing" in str(note["comment"])
        stored = rig.fake.tickets[tid]
        assert (stored["priority"], stored["status"]) == ("HIGH", "OPEN")
        assert stored["tags"] == ["export", "escalated"]
        assert ticket.priority is Priority.HIGH and ticket.status is Status.OPEN
        with pytest.raises(Unsupported):
            await rig.helpdesk.set_priority(tid, Priority.LOW)


async def test_wrong_key_wrong_project_and_undocumented_429s(clock: FrozenClock) -> None:
    async with gleap_rig(clock, api_key="gl-wrong-key") as rig:
        with pytest.raises(AuthError) as caught:
            await rig.helpdesk.probe()
        assert (
            str(caught.value)
            == "Gleap rejected the credentials (401 on GET /tickets): Unauthorized"
        )
        assert "gl-wrong-key" not in str(caught.value)
    async with gleap_rig(clock, project="proj-2") as rig:
        with pytest.raises(
            AuthError, match=r"refused GET /tickets \(403\).*access to this project"
        ):
            await rig.helpdesk.probe()
    async with gleap_rig(clock) as rig:
        rig.fake.fail(
            429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"}, times=2
        )
        assert "tickets" in await rig.helpdesk.probe()
        assert rig.sleeps == [10.0, 10.0]  # Gleap documents no Retry-After: the default
        rig.fake.fail(429, None, times=9)
        with pytest.raises(RateLimited):
            await rig.helpdesk.get_ticket(rig.tid("sso"))
