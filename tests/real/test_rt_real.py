"""RT 5 beyond the contract: status mapping, SLA from Due, RT's refusals, auth, message bodies.

Each test seeds its own queue on the session's RT and checks both ways: what
the adapter reports, and what RT's own REST2 API says afterwards.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from pydantic import SecretStr

from tests.adapters.contract import Seeded
from tests.real.seeding import RtFactory
from tests.real.servers import RT_ADMIN, RT_AGENT_PASSWORD, RtServer
from triage_tui.adapters.rt import RtHelpdesk, RtOptions
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.enums import Priority, SlaStage, Status
from triage_tui.domain.errors import AuthError, InvalidInput, NotFound, TriageError
from triage_tui.domain.models import QueueFilter


def one_line(error: BaseException) -> str:
    assert isinstance(error, TriageError)
    text = str(error)
    assert text and "\n" not in text
    return text


def queue_of(seeded: Seeded) -> str:
    assert isinstance(seeded.helpdesk.options, RtOptions)
    return seeded.helpdesk.options.queues[0]


async def rt_field(api: httpx.AsyncClient, tid: str, field: str) -> str:
    response = await api.get(f"/ticket/{tid}")
    response.raise_for_status()
    value = response.json()[field]
    return str(value["id"] if isinstance(value, dict) else value)


@pytest.mark.parametrize(
    ("status", "rt_status", "reads_as"),
    [
        (Status.NEW, "new", Status.NEW),
        (Status.OPEN, "open", Status.OPEN),
        (Status.PENDING, "stalled", Status.PENDING),
        (Status.ON_HOLD, "stalled", Status.PENDING),
        (Status.SOLVED, "resolved", Status.SOLVED),
        (Status.CLOSED, "rejected", Status.CLOSED),
    ],
)
async def test_domain_statuses_are_written_as_rt_statuses(
    rt_seeded: Seeded, rt_api: httpx.AsyncClient, status: Status, rt_status: str, reads_as: Status
) -> None:
    tid = rt_seeded.tid("sso")
    ticket = await rt_seeded.helpdesk.set_status(tid, status)
    assert await rt_field(rt_api, tid, "Status") == rt_status
    assert ticket.status is reads_as


async def test_every_rt_status_reads_as_a_domain_status(
    rt_seeded: Seeded, rt_server: RtServer
) -> None:
    tid = rt_seeded.tid("breached")
    expected = {
        "new": Status.NEW,
        "open": Status.OPEN,
        "stalled": Status.PENDING,
        "resolved": Status.SOLVED,
        "rejected": Status.CLOSED,
        "deleted": Status.CLOSED,  # needs DeleteTicket: set by the administrator
    }
    async with httpx.AsyncClient(base_url=rt_server.api, auth=RT_ADMIN, timeout=60) as admin:
        for rt_status, domain in expected.items():
            (await admin.put(f"/ticket/{tid}", json={"Status": rt_status})).raise_for_status()
            detail = await rt_seeded.helpdesk.get_ticket(tid)
            assert detail.ticket.status is domain, rt_status


async def test_status_maps_are_configurable(
    rt_factory: RtFactory, rt_seeded: Seeded, rt_api: httpx.AsyncClient, clock: FrozenClock
) -> None:
    options = rt_factory.options(
        queue_of(rt_seeded), status_map={"on_hold": "open"}, status_from_rt={"stalled": "on_hold"}
    )
    async with RtHelpdesk(options, clock=clock) as helpdesk:
        tid = rt_seeded.tid("pending")
        assert (await helpdesk.get_ticket(tid)).ticket.status is Status.ON_HOLD
        await helpdesk.set_status(tid, Status.ON_HOLD)
        assert await rt_field(rt_api, tid, "Status") == "open"


async def test_sla_comes_from_due_and_1970_means_none(
    rt_seeded: Seeded, rt_api: httpx.AsyncClient
) -> None:
    helpdesk, tid, now = rt_seeded.helpdesk, rt_seeded.tid("sso"), rt_seeded.spec.now
    (await rt_api.put(f"/ticket/{tid}", json={"Due": "2026-11-22 11:45:00"})).raise_for_status()
    (sla,) = (await helpdesk.get_ticket(tid)).ticket.sla
    assert (sla.metric, sla.stage) == ("due", SlaStage.ACTIVE)
    assert sla.due_at == now.replace(hour=11, minute=45)
    # RT's own "not set": it stores and returns 1970-01-01.
    (await rt_api.put(f"/ticket/{tid}", json={"Due": "1970-01-01 00:00:00"})).raise_for_status()
    assert (await rt_api.get(f"/ticket/{tid}")).json()["Due"].startswith("1970-01-01")
    assert (await helpdesk.get_ticket(tid)).ticket.sla == []
    # The seeded "nosla" ticket never had a Due at all.
    assert (await helpdesk.get_ticket(rt_seeded.tid("nosla"))).ticket.sla == []


async def test_sla_pauses_while_stalled_and_is_achieved_once_resolved(rt_seeded: Seeded) -> None:
    helpdesk, tid = rt_seeded.helpdesk, rt_seeded.tid("breached")
    assert [s.stage for s in (await helpdesk.set_status(tid, Status.PENDING)).sla] == [
        SlaStage.PAUSED
    ]
    assert [s.stage for s in (await helpdesk.set_status(tid, Status.SOLVED)).sla] == [
        SlaStage.ACHIEVED
    ]


async def test_priority_numbers(rt_seeded: Seeded, rt_api: httpx.AsyncClient) -> None:
    helpdesk, tid = rt_seeded.helpdesk, rt_seeded.tid("nosla")
    for priority, number in ((Priority.URGENT, "150"), (Priority.HIGH, "100"), (Priority.LOW, "0")):
        assert (await helpdesk.set_priority(tid, priority)).priority is priority
        assert await rt_field(rt_api, tid, "Priority") == number
    (await rt_api.put(f"/ticket/{tid}", json={"Priority": 60})).raise_for_status()
    assert (await helpdesk.get_ticket(tid)).ticket.priority is Priority.NORMAL  # 50 <= 60 < 100


async def test_refusals_inside_a_200_become_one_line_errors(rt_seeded: Seeded) -> None:
    helpdesk, tid = rt_seeded.helpdesk, rt_seeded.tid("sso")
    # RT applies a PUT field by field: a bad queue is refused before anything is written.
    with pytest.raises(InvalidInput) as caught:
        await helpdesk.assign(tid, "Priya Nair", "No Such Queue")
    assert "no queue 'No Such Queue'" in one_line(caught.value)
    # A requester is not privileged: RT refuses to make them the owner.
    with pytest.raises(InvalidInput) as caught:
        await helpdesk.assign(tid, "ben@globex.example")
    assert "may not own" in one_line(caught.value) or "owner" in str(caught.value).lower()
    with pytest.raises(InvalidInput) as caught:
        await helpdesk.assign(tid, "Nobody We Know")
    assert "no RT user" in one_line(caught.value)
    # Nothing was half-applied by the refused move.
    assert (await helpdesk.get_ticket(tid)).ticket.assignee == "Sam Rivera"


async def test_a_status_rt_does_not_know_is_refused(
    rt_factory: RtFactory, rt_seeded: Seeded, clock: FrozenClock
) -> None:
    options = rt_factory.options(queue_of(rt_seeded), status_map={"pending": "waiting-on-customer"})
    async with RtHelpdesk(options, clock=clock) as helpdesk:
        with pytest.raises(InvalidInput) as caught:
            await helpdesk.set_status(rt_seeded.tid("sso"), Status.PENDING)
    assert "isn't a valid status" in one_line(caught.value)


async def test_bad_ticketsql_and_unknown_ids_are_errors(rt_seeded: Seeded) -> None:
    helpdesk = rt_seeded.helpdesk
    with pytest.raises(TriageError) as caught:
        [t async for t in helpdesk.iter_queue(QueueFilter(query="Bogus = 'x'"))]
    assert "Bogus" in one_line(caught.value)
    for bad in ("abc", "12; DROP", "999999"):
        with pytest.raises(NotFound):
            await helpdesk.get_ticket(bad)


async def test_queue_query_is_ticketsql(rt_seeded: Seeded) -> None:
    found = [t async for t in rt_seeded.helpdesk.iter_queue(QueueFilter(query="Priority >= 100"))]
    assert {rt_seeded.key_of(t.id) for t in found} == {"sso", "breached"}


async def test_basic_auth_works_and_bad_credentials_are_auth_errors(
    rt_factory: RtFactory, rt_seeded: Seeded, rt_server: RtServer, clock: FrozenClock
) -> None:
    queue = queue_of(rt_seeded)
    basic = RtOptions(url=rt_server.url, user="sam", password=RT_AGENT_PASSWORD, queues=[queue])
    async with RtHelpdesk(basic, clock=clock) as helpdesk:
        found = [t.id async for t in helpdesk.iter_queue()]
        assert set(found) == {rt_seeded.tid(k) for k in rt_seeded.spec.active_keys()}
    wrong = {
        "token": rt_factory.options(queue).model_copy(
            update={"token": SecretStr("1-28-notarealtoken")}
        ),
        "password": basic.model_copy(update={"password": SecretStr("wrong-password-123")}),
    }
    for kind, options in wrong.items():
        with pytest.raises(AuthError) as caught:
            async with RtHelpdesk(options, clock=clock):
                pass
        text = one_line(caught.value)
        assert "notarealtoken" not in text and "wrong-password" not in text, kind
        assert base64.b64encode(b"sam:wrong-password-123").decode() not in text


async def test_html_only_messages_and_attachments(
    rt_seeded: Seeded, rt_api: httpx.AsyncClient
) -> None:
    tid = rt_seeded.tid("nosla")
    pdf = base64.b64encode(b"%PDF-1.4 not really").decode()
    body = {
        "Content": "<p>Here is the <b>export</b>:</p><ul><li>one &amp; two</li></ul>",
        "ContentType": "text/html",
        "Attachments": [
            {"FileName": "export.pdf", "FileType": "application/pdf", "FileContent": pdf}
        ],
    }
    (await rt_api.post(f"/ticket/{tid}/correspond", json=body)).raise_for_status()
    last = (await rt_seeded.helpdesk.get_ticket(tid)).messages[-1]
    assert "Here is the export:" in last.body and "one & two" in last.body
    assert "<b>" not in last.body and last.body.endswith("[attachment: export.pdf]")


@pytest.fixture
def other_queue(rt_factory: RtFactory, rt_seeded: Seeded) -> str:
    """Another whole queue of the default spec, so Ana has tickets outside the test's queue
    whatever ran before: the one the next test will take (only read here)."""
    queue, *_ = rt_factory.seeder.ahead().result()
    return str(queue)


@pytest.mark.usefixtures("other_queue")
async def test_requester_history_follows_the_configured_queues(
    rt_factory: RtFactory, rt_seeded: Seeded, clock: FrozenClock
) -> None:
    everywhere = rt_factory.options(queue_of(rt_seeded)).model_copy(update={"queues": []})
    async with RtHelpdesk(everywhere, clock=clock) as helpdesk:
        history = await helpdesk.get_person("ana@acme.example")
    scoped = await rt_seeded.helpdesk.get_person("ana@acme.example")
    assert {t.id for t in scoped.tickets} < {t.id for t in history.tickets}
    assert history.organization is not None and history.organization.vip
