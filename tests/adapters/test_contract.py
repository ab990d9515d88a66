"""The adapter contract: what "an adapter works" means, run against every factory.

Each test reads or writes through the public ``Helpdesk`` API only and
checks the effect through the same API, so it holds for any helpdesk.
Tests of optional features skip when the adapter's capability flag is off,
and ``test_unsupported_operations_raise_unsupported`` checks the flip side.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.adapters.contract import AdapterFactory, MinimalHelpdesk, Seeded
from tests.adapters.seed import DEFAULT_SPEC
from triage_tui.adapters import registry
from triage_tui.adapters.base import CAPABILITY_METHODS, Capabilities, Helpdesk
from triage_tui.doctor import CHECKS
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.errors import InvalidInput, NotFound, TriageError, Unsupported
from triage_tui.domain.models import Escalation, NewTicket, QueueFilter


def needs(helpdesk: Helpdesk, capability: str) -> None:
    if not getattr(helpdesk.capabilities, capability):
        pytest.skip(f"{helpdesk.name} has no {capability}")


def assert_one_line(error: BaseException) -> None:
    assert isinstance(error, TriageError)
    message = str(error)
    assert message and "\n" not in message and "\r" not in message


async def queue(helpdesk: Helpdesk, query: QueueFilter | None = None) -> dict[str, object]:
    tickets = [t async for t in helpdesk.iter_queue(query)]
    ids = [t.id for t in tickets]
    assert len(ids) == len(set(ids)), "a ticket was yielded twice"
    return {t.id: t for t in tickets}


# -- reads ---------------------------------------------------------------------


async def test_queue_yields_active_tickets_only_by_default(seeded: Seeded) -> None:
    found = await queue(seeded.helpdesk)
    assert {seeded.key_of(i) for i in found} == seeded.spec.active_keys()


async def test_queue_tickets_carry_sla_targets_requester_and_organization(seeded: Seeded) -> None:
    found = await queue(seeded.helpdesk)
    ticket = found[seeded.tid("sso")]
    spec = seeded.spec.ticket("sso")
    assert {(s.metric, s.due_at, s.stage) for s in ticket.sla} == {
        (s.metric, seeded.spec.now + s.due_in, s.stage) for s in spec.sla
    }
    assert ticket.requester.email == "ana@acme.example"
    assert ticket.requester.first_name == "Ana"
    assert ticket.organization is not None and ticket.organization.vip
    assert ticket.priority is Priority.HIGH and ticket.status is Status.OPEN
    assert ticket.subject == spec.subject
    assert ticket.created_at == seeded.spec.now - spec.ago
    breached = found[seeded.tid("breached")]
    assert [s.stage for s in breached.sla] == [SlaStage.ACTIVE]
    assert breached.sla[0].due_at < seeded.spec.now
    assert found[seeded.tid("nosla")].sla == []


async def test_queue_filters_by_status(seeded: Seeded) -> None:
    found = await queue(
        seeded.helpdesk, QueueFilter(statuses=frozenset({Status.SOLVED, Status.CLOSED}))
    )
    assert {seeded.key_of(i) for i in found} == {"solved", "closed"}


async def test_queue_filters_by_assignee(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "assignment")
    found = await queue(seeded.helpdesk, QueueFilter(assignee="Sam Rivera"))
    assert {seeded.key_of(i) for i in found} == {"sso"}


async def test_queue_pages_through_more_than_one_page(
    adapter_factory: AdapterFactory, tmp_path: Path, clock: FrozenClock
) -> None:
    page = 7
    spec = DEFAULT_SPEC.with_fillers(3 * page + 2)
    async with adapter_factory(spec, tmp_path, clock, page_size=page) as seeded:
        found = await queue(seeded.helpdesk)
        assert {seeded.key_of(i) for i in found} == spec.active_keys()


async def test_get_ticket_returns_conversation_oldest_first(seeded: Seeded) -> None:
    detail = await seeded.helpdesk.get_ticket(seeded.tid("sso"))
    spec = seeded.spec.ticket("sso")
    assert detail.ticket.id == seeded.tid("sso")
    assert [m.body for m in detail.messages] == [m.body for m in spec.messages]
    assert [m.role for m in detail.messages] == [m.role for m in spec.messages]
    assert [m.created_at for m in detail.messages] == sorted(m.created_at for m in detail.messages)
    assert all(m.ticket_id == seeded.tid("sso") for m in detail.messages)
    customer = detail.messages[0]
    assert customer.author_email == "ana@acme.example" and customer.public


async def test_get_ticket_distinguishes_internal_notes(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "internal_notes")
    detail = await seeded.helpdesk.get_ticket(seeded.tid("sso"))
    assert [m.public for m in detail.messages] == [
        m.public for m in seeded.spec.ticket("sso").messages
    ]
    assert [m.body for m in detail.messages if m.is_note] == [
        "Likely the SAML certificate rotation."
    ]


async def test_unknown_ticket_is_not_found_with_a_one_line_message(helpdesk: Helpdesk) -> None:
    with pytest.raises(NotFound) as caught:
        await helpdesk.get_ticket("999999")
    assert_one_line(caught.value)
    assert "999999" in str(caught.value)


async def test_writes_to_an_unknown_ticket_are_not_found(helpdesk: Helpdesk) -> None:
    with pytest.raises(NotFound):
        await helpdesk.reply("999999", "Hello")
    with pytest.raises(NotFound):
        await helpdesk.set_status("999999", Status.SOLVED)


async def test_get_person_returns_tickets_most_recent_first(seeded: Seeded) -> None:
    history = await seeded.helpdesk.get_person(seeded.people["ana"])
    assert history.person.name == "Ana Lopez"
    assert history.person.email == "ana@acme.example"
    keys = [seeded.key_of(t.id) for t in history.tickets]
    assert keys == ["sso", "pending", "solved"]
    assert history.organization is not None and history.organization.name == "Acme Corp"
    assert history.is_returning(seeded.tid("sso"))


async def test_get_person_accepts_an_email(seeded: Seeded) -> None:
    if not seeded.person_by_email:
        pytest.skip("this adapter looks people up by id only")
    history = await seeded.helpdesk.get_person("Ben@Globex.example")
    assert history.person.id == seeded.people["ben"]


async def test_unknown_person_is_not_found(helpdesk: Helpdesk) -> None:
    with pytest.raises(NotFound) as caught:
        await helpdesk.get_person("nobody-424242")
    assert_one_line(caught.value)


async def test_search_kb_ranks_the_matching_article_first(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "kb_search")
    results = await seeded.helpdesk.search_kb("SSO sign-in loop with Okta", limit=2)
    assert 1 <= len(results) <= 2
    assert results[0].id == seeded.articles["saml"]
    assert results[0].url and results[0].title.startswith("Set up SAML")
    assert await seeded.helpdesk.search_kb("zzzqqq nothing matches") == []


async def test_iter_articles_lists_the_whole_kb(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "kb_list")
    articles = [a async for a in seeded.helpdesk.iter_articles()]
    assert {a.id for a in articles} == set(seeded.articles.values())


# -- writes --------------------------------------------------------------------


async def test_reply_is_a_public_agent_message_visible_afterwards(seeded: Seeded) -> None:
    tid = seeded.tid("breached")
    body = "Hi Ben,\n\nThe batch endpoint avoids the limit.\n\nBest,\nSam"
    message = await seeded.helpdesk.reply(tid, body)
    assert message.role is Role.AGENT and message.public and message.body == body
    detail = await seeded.helpdesk.get_ticket(tid)
    assert detail.messages[-1].body == body
    assert detail.messages[-1].role is Role.AGENT and detail.messages[-1].public


async def test_reply_achieves_the_first_reply_target(seeded: Seeded) -> None:
    tid = seeded.tid("breached")
    await seeded.helpdesk.reply(tid, "On it.")
    detail = await seeded.helpdesk.get_ticket(tid)
    stages = {s.metric: s.stage for s in detail.ticket.sla}
    assert stages.get("first_reply_time") in (SlaStage.ACHIEVED, None)


async def test_empty_reply_is_invalid_input(helpdesk: Helpdesk, seeded: Seeded) -> None:
    for body in ("", "   \n\t"):
        with pytest.raises(InvalidInput) as caught:
            await helpdesk.reply(seeded.tid("sso"), body)
        assert_one_line(caught.value)


async def test_note_is_internal_and_visible_afterwards(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "internal_notes")
    note = await seeded.helpdesk.add_note(seeded.tid("sso"), "Checked the IdP logs.")
    assert not note.public and note.is_note
    detail = await seeded.helpdesk.get_ticket(seeded.tid("sso"))
    assert detail.messages[-1].body == "Checked the IdP logs." and detail.messages[-1].is_note


async def test_set_status_is_visible_and_solving_leaves_the_queue(seeded: Seeded) -> None:
    tid = seeded.tid("sso")
    ticket = await seeded.helpdesk.set_status(tid, Status.PENDING)
    assert ticket.status is Status.PENDING
    assert (await seeded.helpdesk.get_ticket(tid)).ticket.status is Status.PENDING
    await seeded.helpdesk.set_status(tid, Status.SOLVED)
    assert tid not in await queue(seeded.helpdesk)


async def test_assign_sets_assignee_and_group(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "assignment")
    tid = seeded.tid("breached")
    group = "Engineering" if seeded.helpdesk.capabilities.groups else None
    ticket = await seeded.helpdesk.assign(tid, "Priya Nair", group)
    assert ticket.assignee == "Priya Nair"
    detail = await seeded.helpdesk.get_ticket(tid)
    assert detail.ticket.assignee == "Priya Nair"
    if group:
        assert detail.ticket.group == "Engineering"
    await seeded.helpdesk.assign(tid, None)
    assert (await seeded.helpdesk.get_ticket(tid)).ticket.assignee is None


async def test_tag_adds_and_removes(seeded: Seeded) -> None:
    needs(seeded.helpdesk, "tags")
    tid = seeded.tid("sso")
    ticket = await seeded.helpdesk.tag(tid, add=["vip", "okta"], remove=["login"])
    assert set(ticket.tags) == {"sso", "vip", "okta"}
    assert set((await seeded.helpdesk.get_ticket(tid)).ticket.tags) == {"sso", "vip", "okta"}


async def test_escalate_records_the_reason_and_applies_what_it_can(seeded: Seeded) -> None:
    helpdesk, tid = seeded.helpdesk, seeded.tid("pending")
    caps = helpdesk.capabilities
    escalation = Escalation(
        reason="billing/refund",
        note="Customer was charged twice.",
        priority=Priority.URGENT,
        group="Billing" if caps.groups else None,
        tags=["escalated"],
    )
    await helpdesk.escalate(tid, escalation)
    detail = await helpdesk.get_ticket(tid)
    recorded = [m for m in detail.messages if "billing/refund" in m.body]
    assert recorded and "Customer was charged twice." in recorded[-1].body
    if caps.internal_notes:
        assert recorded[-1].is_note
    assert detail.ticket.status.is_active
    if caps.priority:
        assert detail.ticket.priority is Priority.URGENT
    if caps.tags:
        assert "escalated" in detail.ticket.tags
    if caps.groups:
        assert detail.ticket.group == "Billing"


async def test_create_ticket_appears_in_the_queue_with_a_first_reply_sla(
    seeded: Seeded, clock: FrozenClock
) -> None:
    needs(seeded.helpdesk, "create_ticket")
    new = NewTicket(
        subject="Webhook signature doesn't match",
        body="The HMAC never matches.",
        requester_email="dana@newcustomer.example",
        requester_name="Dana Scully",
        priority=Priority.HIGH,
        channel="web",
        tags=["webhooks"],
    )
    ticket = await seeded.helpdesk.create_ticket(new)
    assert ticket.status is Status.NEW and ticket.priority is Priority.HIGH
    assert ticket.requester.email == "dana@newcustomer.example"
    assert [(s.metric, s.stage) for s in ticket.sla] == [("first_reply_time", SlaStage.ACTIVE)]
    assert ticket.sla[0].due_at == clock.now() + timedelta(hours=4)
    assert ticket.id in await queue(seeded.helpdesk)
    detail = await seeded.helpdesk.get_ticket(ticket.id)
    assert [m.body for m in detail.messages] == ["The HMAC never matches."]
    assert detail.messages[0].role is Role.CUSTOMER


async def test_unsupported_operations_raise_unsupported(seeded: Seeded) -> None:
    helpdesk, caps, tid = seeded.helpdesk, seeded.helpdesk.capabilities, seeded.tid("sso")
    calls = {
        "internal_notes": lambda: helpdesk.add_note(tid, "x"),
        "tags": lambda: helpdesk.tag(tid, add=["x"]),
        "assignment": lambda: helpdesk.assign(tid, "x"),
        "kb_search": lambda: helpdesk.search_kb("x"),
        "create_ticket": lambda: helpdesk.create_ticket(
            NewTicket(subject="x", body="x", requester_email="x@x.example")
        ),
    }
    for capability, call in calls.items():
        if not getattr(caps, capability):
            with pytest.raises(Unsupported) as caught:
                await call()
            assert_one_line(caught.value)
    if not caps.kb_list:
        with pytest.raises(Unsupported):
            [a async for a in helpdesk.iter_articles()]
    if not caps.event_log:
        for events in (
            lambda: helpdesk.record_event("ticket.viewed", tid),
            lambda: helpdesk.list_events(),
        ):
            with pytest.raises(Unsupported) as caught:
                await events()
            assert_one_line(caught.value)


# -- what the capabilities claim -------------------------------------------------


def test_every_capability_flag_names_the_methods_it_promises() -> None:
    optional = {f for f in Capabilities.__dataclass_fields__}
    # Not a method of their own: which fields a write sends, how an interrupted
    # write is resent, and whether get_person lists past tickets.
    behaviours = {
        "requester_history",
        "groups",
        "safe_update",
        "idempotency",
        "change_feed_by_diff",
    }
    assert set(CAPABILITY_METHODS) == optional - behaviours
    for methods in CAPABILITY_METHODS.values():
        assert all(callable(getattr(Helpdesk, m)) for m in methods)


@pytest.mark.parametrize("name", [*registry.available(), "minimal"])
def test_a_claimed_capability_is_implemented_not_inherited(name: str) -> None:
    """Every built-in (those without a fake server too) and the minimal one."""
    cls = MinimalHelpdesk if name == "minimal" else registry.load(name)
    for flag, methods in CAPABILITY_METHODS.items():
        claimed = getattr(cls.capabilities, flag)
        for method in methods:
            own = getattr(cls, method) is not getattr(Helpdesk, method)
            assert own == claimed, f"{name}: {flag}={claimed}, {method} overridden: {own}"


async def test_the_event_log_records_and_lists_in_order(seeded: Seeded, clock: FrozenClock) -> None:
    needs(seeded.helpdesk, "event_log")
    helpdesk, tid = seeded.helpdesk, seeded.tid("sso")
    first = await helpdesk.record_event("ticket.viewed", tid, {"pane": "detail"})
    clock.advance(60)
    second = await helpdesk.record_event("ticket.skipped", tid, actor="Priya Nair")
    assert first != second
    events = await helpdesk.list_events(clock.now() - timedelta(minutes=5))
    assert [(e.name, e.ticket_id) for e in events[-2:]] == [
        ("ticket.viewed", tid),
        ("ticket.skipped", tid),
    ]
    assert events[-2].payload == {"pane": "detail"} and events[-1].actor == "Priya Nair"
    assert events[-2].actor == helpdesk.agent
    assert await helpdesk.list_events(clock.now() + timedelta(minutes=1)) == []


# -- what triage doctor and the header badge ask ------------------------------------


async def test_readiness_answers_of_a_configured_adapter(helpdesk: Helpdesk) -> None:
    assert helpdesk.missing_settings() == []
    who = await helpdesk.probe()
    assert who is None or (who.strip() and "\n" not in who)
    try:
        allowed = await helpdesk.can_comment_publicly()
    except Unsupported as unsupported:
        assert_one_line(unsupported)
    else:
        assert allowed in (True, False, None)
    assert set(helpdesk.doctor_hints) <= set(CHECKS)
    assert all(hint and "\n" not in hint for hint in helpdesk.doctor_hints.values())
