"""The Zendesk adapter against the fake Zendesk on loopback: paging, side-loads, SLA, writes.

Rate limits, errors and secrets have their own module (``test_zendesk_errors``).
"""

from __future__ import annotations

import json

import pytest

from tests.adapters.remote_factories import zendesk_rig
from tests.adapters.seed import DEFAULT_SPEC
from triage_tui.adapters.zendesk import ZendeskHelpdesk, ZendeskOptions
from triage_tui.config import Profile, adapter_options
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, SlaStage, Status
from triage_tui.domain.errors import NotFound
from triage_tui.domain.models import Escalation, QueueFilter

ACTIVE_IN_SPEC = len(DEFAULT_SPEC.active_keys())


async def test_search_queue_is_offset_paged_with_one_request_per_page(clock: FrozenClock) -> None:
    spec = DEFAULT_SPEC.with_fillers(246)  # 250 active tickets
    async with zendesk_rig(clock, spec, page_size=100) as rig:
        tickets = [t async for t in rig.helpdesk.iter_queue()]
        assert len(tickets) == ACTIVE_IN_SPEC + 246
        requests = rig.fake.requests()
        # One request per page of 100, nothing per row: users, orgs and SLAs are side-loaded.
        assert [r.path for r in requests] == ["/api/v2/search"] * 3
        assert [r.query["page"] for r in requests] == ["1", "2", "3"]
        first = requests[0].query
        assert first["include"] == "tickets(users,organizations,groups,slas)"
        assert first["query"] == "type:ticket status<solved" and first["per_page"] == "100"
        filler = next(t for t in tickets if t.subject == "Filler ticket 245")
        assert filler.requester.name == "Ben Okafor" and filler.organization is not None
        assert filler.sla and filler.sla[0].metric == "first_reply_time"


async def test_view_queue_follows_cursor_links(clock: FrozenClock) -> None:
    spec = DEFAULT_SPEC.with_fillers(21)  # 25 active tickets, pages of 10
    async with zendesk_rig(clock, spec, view_id=1, page_size=10) as rig:
        tickets = [t async for t in rig.helpdesk.iter_queue()]
        assert len({t.id for t in tickets}) == ACTIVE_IN_SPEC + 21
        requests = rig.fake.requests()
        assert {r.path for r in requests} == {"/api/v2/views/1/tickets"}
        assert len(requests) == 3
        assert "page[after]" not in requests[0].query and requests[0].query["page[size]"] == "10"
        # Later pages are exactly the links.next the server sent (cursor + same params).
        assert all("page[after]" in r.query and r.query["include"] for r in requests[1:])


async def test_queue_filter_query_may_name_a_view_or_narrow_the_search(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        in_view = [t async for t in rig.helpdesk.iter_queue(QueueFilter(query="1"))]
        assert len(in_view) == ACTIVE_IN_SPEC
        found = [t async for t in rig.helpdesk.iter_queue(QueueFilter(query="Okta"))]
        assert [t.id for t in found] == [rig.tid("sso")]
        assert rig.fake.requests(path="/search")[-1].query["query"].endswith("Okta")


async def test_search_stops_at_the_1000_result_cap_without_a_422(
    clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    spec = DEFAULT_SPEC.with_fillers(1010)
    async with zendesk_rig(clock, spec, page_size=100) as rig:
        tickets = [t async for t in rig.helpdesk.iter_queue()]
        assert len(tickets) == 1000
        assert len(rig.fake.requests(path="/search")) == 10
        assert "use a view" in caplog.text


async def test_sla_targets_come_from_the_slas_sideload(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        detail = await rig.helpdesk.get_ticket(rig.tid("sso"))
        now = DEFAULT_SPEC.now
        assert {(s.metric, s.due_at, s.stage) for s in detail.ticket.sla} == {
            (s.metric, now + s.due_in, s.stage) for s in DEFAULT_SPEC.ticket("sso").sla
        }
        # The single show ignores include=slas (as reported); show_many honours it.
        paths = [r.path for r in rig.fake.requests()]
        assert paths == ["/api/v2/tickets/show_many", f"/api/v2/tickets/{rig.tid('sso')}/comments"]
        paused = (await rig.helpdesk.get_ticket(rig.tid("pending"))).ticket.sla
        assert SlaStage.PAUSED in {s.stage for s in paused}


async def test_comments_are_cursor_paged_and_private_ones_are_notes(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        tid = int(rig.tid("sso"))
        for n in range(230):
            rig.fake.comments[tid].append(
                {
                    "id": 50_000 + n,
                    "author_id": 900,
                    "body": f"update {n}",
                    "public": n % 2 == 0,
                    "created_at": "2026-11-22T09:00:00Z",
                }
            )
        detail = await rig.helpdesk.get_ticket(str(tid))
        assert len(detail.messages) == 4 + 230
        assert len(rig.fake.requests(path="/comments")) == 3
        assert [m.public for m in detail.messages[:4]] == [True, True, False, True]
        assert detail.messages[-1].body == "update 229" and not detail.messages[-1].public


async def test_person_with_organization_and_requested_tickets(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        history = await rig.helpdesk.get_person("ana@acme.example")
        assert history.person.tier == "enterprise" and history.person.account_value == 120_000
        assert history.organization is not None and history.organization.vip
        assert [t.id for t in history.tickets] == [rig.tid(k) for k in ("sso", "pending", "solved")]
        requested = rig.fake.requests(path="/requested")[0].query
        assert requested["sort_order"] == "desc" and "slas" in requested["include"]
        with pytest.raises(NotFound):
            await rig.helpdesk.get_person("999")


async def test_reply_and_note_are_ticket_updates_with_the_comment_visibility(
    clock: FrozenClock,
) -> None:
    async with zendesk_rig(clock) as rig:
        tid = rig.tid("breached")
        await rig.helpdesk.get_ticket(tid)
        message = await rig.helpdesk.reply(tid, "Hi Ben,\n\nUse the batch endpoint.")
        note = await rig.helpdesk.add_note(tid, "Customer is on the legacy plan.")
        puts = rig.fake.requests("PUT")
        assert [p.body["ticket"]["comment"]["public"] for p in puts] == [True, False]
        assert all(p.body["ticket"]["safe_update"] is True for p in puts)
        stored = rig.fake.comments[int(tid)][-2:]
        assert [(c["body"], c["public"]) for c in stored] == [
            ("Hi Ben,\n\nUse the batch endpoint.", True),
            ("Customer is on the legacy plan.", False),
        ]
        assert message.author == "Sam Rivera" and message.public and not note.public
        assert message.id == str(stored[0]["id"])


async def test_assign_by_email_or_name_and_group_by_name(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        tid = rig.tid("breached")
        ticket = await rig.helpdesk.assign(tid, "mei@triage.example", "Billing")
        assert (ticket.assignee, ticket.group) == ("Mei Chen", "Billing")
        assert rig.fake.tickets[int(tid)]["assignee_id"] == 901
        assert rig.fake.tickets[int(tid)]["group_id"] == 12
        with pytest.raises(NotFound, match="no Zendesk agent matches 'Ana Lopez'"):
            await rig.helpdesk.assign(tid, "Ana Lopez")  # an end user, not an agent
        with pytest.raises(NotFound, match="no Zendesk group named 'Legal'"):
            await rig.helpdesk.assign(tid, "Sam Rivera", "Legal")


async def test_escalation_is_one_update_with_the_configured_defaults(clock: FrozenClock) -> None:
    options = {"escalation_group": "Engineering", "escalation_priority": "high"}
    async with zendesk_rig(clock, **options) as rig:
        tid = rig.tid("pending")
        await rig.helpdesk.get_ticket(tid)
        ticket = await rig.helpdesk.escalate(
            tid, Escalation(reason="data integrity", note="Rows vanished.")
        )
        (put,) = rig.fake.requests("PUT")
        change = put.body["ticket"]
        assert change["status"] == "open" and change["priority"] == "high"
        assert change["group_id"] == 13 and change["tags"] == ["export", "escalated"]
        assert change["comment"] == {
            "body": "Escalated: data integrity\n\nRows vanished.",
            "public": False,
        }
        assert ticket.status is Status.OPEN and ticket.group == "Engineering"
        assert ticket.priority is Priority.HIGH


async def test_tags_are_added_and_removed_in_one_safe_update(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        tid = rig.tid("sso")
        await rig.helpdesk.get_ticket(tid)
        before = rig.fake.tickets[int(tid)]["updated_at"]
        await rig.helpdesk.tag(tid, add=["okta"], remove=["login"])
        (put,) = rig.fake.requests("PUT")
        assert put.body["ticket"] == {
            "tags": ["sso", "okta"],
            "safe_update": True,
            "updated_stamp": before,
        }


async def test_status_map_and_every_option_come_from_the_environment(clock: FrozenClock) -> None:
    env = {
        "TRIAGE_ZENDESK_SUBDOMAIN": "acme",
        "TRIAGE_ZENDESK_EMAIL": "sam@acme.example",
        "TRIAGE_ZENDESK_TOKEN": "t0ken",
        "TRIAGE_ZENDESK_VIEW_ID": "360001",
        "TRIAGE_ZENDESK_LOCALE": "de",
        "TRIAGE_ZENDESK_STATUS_MAP": "on-hold=pending,solved=closed",
        "TRIAGE_ZENDESK_ESCALATION_PRIORITY": "urgent",
    }
    options = adapter_options("zendesk", ZendeskOptions, Profile(adapter="zendesk"), env)
    assert isinstance(options, ZendeskOptions)
    assert options.account_url == "https://acme.zendesk.com" and options.view_id == 360001
    assert options.statuses["on_hold"] == "pending" and options.statuses["solved"] == "closed"
    assert options.escalation_priority is Priority.URGENT and options.locale == "de"
    assert "t0ken" not in repr(options)
    json_map = adapter_options(
        "zendesk",
        ZendeskOptions,
        Profile(),
        {"TRIAGE_ZENDESK_STATUS_MAP": json.dumps({"pending": "hold"})},
    )
    assert json_map.statuses["pending"] == "hold"  # type: ignore[attr-defined]
    async with zendesk_rig(clock, status_map={"on_hold": "pending"}) as rig:
        ticket = await rig.helpdesk.set_status(rig.tid("sso"), Status.ON_HOLD)
        assert rig.fake.tickets[int(rig.tid("sso"))]["status"] == "pending"
        # Two domain statuses now share Zendesk's pending: it reads back as the first.
        assert ticket.status is Status.PENDING


async def test_kb_search_uses_the_configured_locale(clock: FrozenClock) -> None:
    async with zendesk_rig(clock, locale="de") as rig:
        assert await rig.helpdesk.search_kb("SSO Okta") == []
        assert rig.fake.requests(path="/help_center")[0].query["locale"] == "de"
    async with zendesk_rig(clock) as rig:
        (article, *_) = await rig.helpdesk.search_kb("SSO sign-in loop")
        assert article.body.startswith("Connect Okta") and "<p>" not in article.body
        assert article.url.startswith("https://help.example/hc/en-us/articles/")


async def test_one_keep_alive_connection_serves_a_session(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        [t async for t in rig.helpdesk.iter_queue()]
        for key in ("sso", "breached", "pending"):
            await rig.helpdesk.get_ticket(rig.tid(key))
        assert len(rig.fake.requests()) == 7
        assert rig.fake.connections == 1


async def test_oauth_bearer_token_is_accepted(clock: FrozenClock) -> None:
    async with zendesk_rig(clock) as rig:
        options = ZendeskOptions(base_url=rig.fake.origin, oauth_token="zd-oauth-456")  # type: ignore[arg-type]
        async with ZendeskHelpdesk(options, clock) as oauth:
            assert "Sam Rivera" in await oauth.probe()
        assert rig.fake.requests()[-1].headers["authorization"] == "Bearer zd-oauth-456"
