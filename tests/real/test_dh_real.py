"""django-helpdesk beyond the contract: statuses and on_hold, due_date as SLA, errors, follow-ups.

Each test seeds its own queue on the session's django-helpdesk and checks
both the adapter's view and what django-helpdesk's own API says afterwards.
"""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from tests.adapters.contract import Seeded
from tests.real.seeding import DhFactory
from tests.real.servers import DhServer
from triage_tui.adapters.django_helpdesk import DjangoHelpdesk, DjangoHelpdeskOptions
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.errors import AuthError, InvalidInput, NotFound, TriageError, Unsupported
from triage_tui.domain.models import Escalation


def one_line(error: BaseException) -> str:
    assert isinstance(error, TriageError)
    text = str(error)
    assert text and "\n" not in text
    return text


def queue_of(seeded: Seeded) -> int:
    assert isinstance(seeded.helpdesk.options, DjangoHelpdeskOptions)
    return seeded.helpdesk.options.queues[0]


async def raw(api: httpx.AsyncClient, tid: str) -> dict:  # type: ignore[type-arg]
    response = await api.get(f"/tickets/{tid}/")
    response.raise_for_status()
    return dict(response.json())


@pytest.mark.parametrize(
    ("status", "number", "on_hold", "reads_as"),
    [
        (Status.OPEN, 1, False, Status.OPEN),
        (Status.NEW, 1, False, Status.OPEN),
        (Status.PENDING, 1, True, Status.PENDING),
        (Status.ON_HOLD, 1, True, Status.PENDING),
        (Status.SOLVED, 3, False, Status.SOLVED),
        (Status.CLOSED, 4, False, Status.CLOSED),
    ],
)
async def test_domain_statuses_are_written_as_numbers_and_on_hold(
    dh_seeded: Seeded,
    dh_api: httpx.AsyncClient,
    status: Status,
    number: int,
    on_hold: bool,
    reads_as: Status,
) -> None:
    tid = dh_seeded.tid("sso")
    ticket = await dh_seeded.helpdesk.set_status(tid, status)
    item = await raw(dh_api, tid)
    assert (item["status"], item["on_hold"]) == (number, on_hold)
    assert ticket.status is reads_as


async def test_every_number_reads_as_a_domain_status_and_reopening_writes_reopened(
    dh_seeded: Seeded, dh_api: httpx.AsyncClient
) -> None:
    helpdesk, tid = dh_seeded.helpdesk, dh_seeded.tid("breached")
    expected = {
        1: Status.OPEN,
        2: Status.OPEN,
        3: Status.SOLVED,
        4: Status.CLOSED,
        5: Status.CLOSED,
    }
    for number, domain in expected.items():
        (await dh_api.patch(f"/tickets/{tid}/", json={"status": number})).raise_for_status()
        assert (await helpdesk.get_ticket(tid)).ticket.status is domain, number
    # From Duplicate (5) back to work: django-helpdesk's flow says Reopened.
    await helpdesk.set_status(tid, Status.OPEN)
    item = await raw(dh_api, tid)
    assert item["status"] == 2
    # The status change is recorded as django-helpdesk records it: a follow-up
    # with new_status, which the conversation leaves out (it has no words).
    assert any(f["new_status"] == 2 for f in item["followup_set"])
    assert all(m.body for m in (await helpdesk.get_ticket(tid)).messages)


async def test_due_date_is_the_sla(dh_seeded: Seeded, dh_api: httpx.AsyncClient) -> None:
    helpdesk, tid, now = dh_seeded.helpdesk, dh_seeded.tid("sso"), dh_seeded.spec.now
    patch = {"due_date": "2026-11-22T11:45:00Z"}
    (await dh_api.patch(f"/tickets/{tid}/", json=patch)).raise_for_status()
    (sla,) = (await helpdesk.get_ticket(tid)).ticket.sla
    assert (sla.metric, sla.due_at, sla.stage) == (
        "due",
        now.replace(hour=11, minute=45),
        SlaStage.ACTIVE,
    )
    assert [s.stage for s in (await helpdesk.set_status(tid, Status.PENDING)).sla] == [
        SlaStage.PAUSED
    ]
    assert [s.stage for s in (await helpdesk.set_status(tid, Status.SOLVED)).sla] == [
        SlaStage.ACHIEVED
    ]
    (await dh_api.patch(f"/tickets/{tid}/", json={"due_date": None})).raise_for_status()
    assert (await helpdesk.get_ticket(tid)).ticket.sla == []


async def test_priorities(dh_seeded: Seeded, dh_api: httpx.AsyncClient) -> None:
    helpdesk, tid = dh_seeded.helpdesk, dh_seeded.tid("nosla")
    for priority, number in (
        (Priority.URGENT, 1),
        (Priority.HIGH, 2),
        (Priority.NORMAL, 3),
        (Priority.LOW, 4),
    ):
        assert (await helpdesk.set_priority(tid, priority)).priority is priority
        assert (await raw(dh_api, tid))["priority"] == number
    (await dh_api.patch(f"/tickets/{tid}/", json={"priority": 5})).raise_for_status()
    assert (await helpdesk.get_ticket(tid)).ticket.priority is Priority.LOW  # 5 "Very Low"


async def test_replies_arrive_verbatim_and_never_rename_the_ticket(
    dh_seeded: Seeded, dh_api: httpx.AsyncClient
) -> None:
    helpdesk, tid = dh_seeded.helpdesk, dh_seeded.tid("sso")
    title = (await raw(dh_api, tid))["title"]
    # Without escaping, django-helpdesk renders this as a template: the
    # variable is replaced, the comment dropped, and "%}" is a server error.
    body = "Hi Ana, {{ ticket.title }} {% now 'Y' %} {# hidden #} 100%} done {x}"
    reply = await helpdesk.reply(tid, body)
    note = await helpdesk.add_note(tid, "Internal: {{ queue.title }}")
    item = await raw(dh_api, tid)
    followups = {str(f["id"]): f for f in item["followup_set"]}
    assert (followups[reply.id]["comment"], followups[reply.id]["public"]) == (body, True)
    assert (followups[note.id]["comment"], followups[note.id]["public"]) == (
        "Internal: {{ queue.title }}",
        False,
    )
    assert item["title"] == title
    assert reply.role is Role.AGENT and reply.author == "Sam Rivera"


async def test_errors_are_one_line(
    dh_seeded: Seeded, dh_factory: DhFactory, clock: FrozenClock
) -> None:
    helpdesk, tid = dh_seeded.helpdesk, dh_seeded.tid("sso")
    with pytest.raises(InvalidInput) as caught:
        await helpdesk.assign(tid, "Nobody We Know")
    assert "Priya Nair" in one_line(caught.value)  # lists the agents it knows
    with pytest.raises(Unsupported):
        await helpdesk.assign(tid, "Priya Nair", "Engineering")
    with pytest.raises(InvalidInput) as caught:
        await helpdesk.assign(tid, "424242")  # a user id django-helpdesk does not have
    assert "assigned_to" in one_line(caught.value) and "does not exist" in str(caught.value)
    bad_priority = dh_factory.options(queue_of(dh_seeded), priorities={"urgent": 9})
    async with DjangoHelpdesk(bad_priority, clock=clock) as other:
        with pytest.raises(InvalidInput) as caught:
            await other.set_priority(tid, Priority.URGENT)
    assert "priority" in one_line(caught.value) and "not a valid choice" in str(caught.value)
    for bad in ("abc", "999999"):
        with pytest.raises(NotFound):
            await helpdesk.get_ticket(bad)
        with pytest.raises(NotFound):
            await helpdesk.add_note(bad, "x")


async def test_bad_credentials_and_non_staff_users_are_auth_errors(
    dh_seeded: Seeded, dh_factory: DhFactory, dh_server: DhServer, clock: FrozenClock
) -> None:
    dh_server.seed("staff", username="customer-only", password="customer-pw-123", staff=False)
    options = dh_factory.options(queue_of(dh_seeded))
    for user, password in (("sam", "wrong-password-123"), ("customer-only", "customer-pw-123")):
        wrong = options.model_copy(update={"user": user, "password": SecretStr(password)})
        with pytest.raises(AuthError) as caught:
            async with DjangoHelpdesk(wrong, clock=clock):
                pass
        assert password not in one_line(caught.value)


async def test_escalation_is_a_private_follow_up_and_reopens(
    dh_seeded: Seeded, dh_api: httpx.AsyncClient
) -> None:
    helpdesk, tid = dh_seeded.helpdesk, dh_seeded.tid("solved")
    ticket = await helpdesk.escalate(
        tid, Escalation(reason="billing/refund", priority=Priority.URGENT)
    )
    item = await raw(dh_api, tid)
    assert (item["status"], item["on_hold"], item["priority"]) == (2, False, 1)
    assert ticket.status is Status.OPEN and ticket.priority is Priority.URGENT
    assert [f["public"] for f in item["followup_set"] if "billing/refund" in f["comment"]] == [
        False
    ]


async def test_requester_history_follows_the_configured_queues(
    dh_seeded: Seeded, dh_factory: DhFactory, clock: FrozenClock
) -> None:
    everywhere = dh_factory.options(queue_of(dh_seeded)).model_copy(update={"queues": []})
    async with DjangoHelpdesk(everywhere, clock=clock) as helpdesk:
        history = await helpdesk.get_person("ana@acme.example")
    scoped = await dh_seeded.helpdesk.get_person("ANA@acme.example")
    assert {t.id for t in scoped.tickets} < {t.id for t in history.tickets}
    assert scoped.person.name == "Ana Lopez" and scoped.organization is not None
    assert scoped.organization.vip
