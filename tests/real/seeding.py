"""Seed the real helpdesks with the contract's ``SeedSpec`` and open an adapter on the result.

Each seed gets its own queue and the adapter is configured to work only that
queue, so tests sharing one server per session never see each other's
tickets (django-helpdesk's queue is deleted when its test is done: see
``drop_dh``). The seeder writes as the people in the spec do (a customer's
messages are sent by the customer's own account in RT; in django-helpdesk,
where only staff may use the API, they are marked as arrived by mail), then
back-dates what no API lets a client set.

Both helpdesks keep a single deadline per ticket, so ``project`` maps the
spec onto what they can hold (the earliest unmet SLA target as the due date,
their status vocabulary) and that projection is what the contract checks.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Coroutine, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import httpx

from tests.adapters.contract import Seeded
from tests.adapters.seed import DEFAULT_SPEC, SeedSla, SeedSpec, SeedTicket
from tests.real.servers import (
    AGENTS,
    DH_AGENT_PASSWORD,
    RT_ADMIN,
    DhServer,
    RtServer,
    async_client,
)
from triage_tui.adapters.django_helpdesk import DjangoHelpdesk, DjangoHelpdeskOptions
from triage_tui.adapters.django_helpdesk.translate import Translator as DhTranslator
from triage_tui.adapters.django_helpdesk.translate import format_time as dh_time
from triage_tui.adapters.django_helpdesk.translate import template_safe
from triage_tui.adapters.rt import RtHelpdesk, RtOptions
from triage_tui.adapters.rt.translate import Translator as RtTranslator
from triage_tui.adapters.rt.translate import format_time as rt_time
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Role, SlaStage, Status

VIP = ["Acme Corp"]
#: Tickets seeded at once (each ticket's own steps stay in order).
PARALLEL = 3
CUSTOMER_PASSWORD = "customer-pw-0123"
_seeds = itertools.count(1)
T = TypeVar("T")


def project(spec: SeedSpec, statuses: dict[Status, Status]) -> SeedSpec:
    """The spec as a one-deadline helpdesk holds it (``statuses``: what each status reads back
    as)."""
    tickets = []
    for t in spec.tickets:
        status = statuses.get(t.status, t.status)
        unmet = [s.due_in for s in t.sla if s.stage is not SlaStage.ACHIEVED]
        sla: tuple[SeedSla, ...] = ()
        if unmet:
            if not status.is_active:
                stage = SlaStage.ACHIEVED
            elif status in (Status.PENDING, Status.ON_HOLD):
                stage = SlaStage.PAUSED
            else:
                stage = SlaStage.ACTIVE
            sla = (SeedSla("due", min(unmet), stage),)
        tickets.append(replace(t, status=status, sla=sla, tags=(), group=None))
    return replace(spec, tickets=tuple(tickets))


def _due(ticket: SeedTicket, spec: SeedSpec) -> str | None:
    return None if not ticket.sla else rt_time(spec.now + ticket.sla[0].due_in)


class Seeder(Generic[T]):
    """Runs one server's seedings on a thread of their own, one default seeding ahead.

    Most tests want the default spec. The queue such a test gets was seeded
    while the test before it ran (its own calls, or a test against the other
    server, whose work the other core does), and the next one is started as it
    is handed out. Each queue still goes to one test only, untouched before.
    All of a server's seedings run on this one thread, in order, so the state
    they share (RT's requesters and articles, created once) has one writer.
    """

    def __init__(
        self, seed: Callable[[SeedSpec], Coroutine[Any, Any, T]], default: SeedSpec
    ) -> None:
        self._seed, self._default = seed, default
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="seeder")
        self._ahead: Future[T] | None = None

    def _submit(self, spec: SeedSpec) -> Future[T]:
        return self._thread.submit(lambda: asyncio.run(self._seed(spec)))

    def take(self, spec: SeedSpec) -> Future[T]:
        """A seeding of ``spec`` for one test; seeded ahead when ``spec`` is the default."""
        if spec != self._default:
            return self._submit(spec)
        ahead = self.ahead()
        self._ahead = self._submit(spec)
        return ahead

    def ahead(self) -> Future[T]:
        """The default seeding the next test will take (started now if none is under way)."""
        if self._ahead is None:
            self._ahead = self._submit(self._default)
        return self._ahead

    def close(self) -> None:
        """Drops a seeding not started yet; one under way ends when its server stops.

        Not waiting for it spares a run of one test the seeding of a queue no test takes.
        """
        self._thread.shutdown(wait=False, cancel_futures=True)


# -- RT -------------------------------------------------------------------------


class TokenAuth(httpx.Auth):
    """RT's ``Authorization: token …``, as an httpx auth to give per request."""

    def __init__(self, token: str) -> None:
        self.header = f"token {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header
        yield request


async def seed_rt(
    server: RtServer, spec: SeedSpec
) -> tuple[str, dict[str, str], dict[str, str], dict[str, str]]:
    """Returns (queue name, ticket ids, people ids, article ids) after writing ``spec`` into RT."""
    queue = f"contract-{next(_seeds)}"
    tr = RtTranslator(RtOptions())
    admin, agent = httpx.BasicAuth(*RT_ADMIN), TokenAuth(server.token)
    # One client for every user, each request naming its sender (making a
    # client costs ~45 ms; there used to be five per seed).
    async with async_client(base_url=server.api, timeout=60) as http:
        (await http.post("/queue", json={"Name": queue}, auth=admin)).raise_for_status()
        people = {}
        customers: dict[str, httpx.Auth] = {}
        for p in spec.people:
            name = p.email.lower()
            people[p.key] = name
            if name not in server.users:
                user = {
                    "Name": name,
                    "EmailAddress": p.email,
                    "RealName": p.name,
                    "Organization": next((o.name for o in spec.orgs if o.key == p.org), ""),
                    "Password": CUSTOMER_PASSWORD,
                }
                (await http.post("/user", json=user, auth=admin)).raise_for_status()
                server.users.add(name)
            customers[p.key] = httpx.BasicAuth(name, CUSTOMER_PASSWORD)
        limit = asyncio.Semaphore(PARALLEL)

        async def one(t: SeedTicket) -> tuple[str, str]:
            async with limit:
                return t.key, await _rt_ticket(
                    http, t, spec, queue, people, customers[t.requester], agent, tr
                )

        tickets = dict(await asyncio.gather(*(one(t) for t in spec.tickets)))
        return queue, tickets, people, await _rt_articles(server, spec, http, admin)


async def _rt_ticket(
    http: httpx.AsyncClient,
    t: SeedTicket,
    spec: SeedSpec,
    queue: str,
    people: dict[str, str],
    customer: httpx.Auth,
    agent: httpx.Auth,
    tr: RtTranslator,
) -> str:
    """One ticket as it happens in RT: the customer writes, agents answer, then its state is set."""
    first, rest = t.messages[0], t.messages[1:]
    created = await http.post(
        "/ticket",
        json={
            "Queue": queue,
            "Subject": t.subject,
            "Requestor": people[t.requester],
            "Content": first.body,
            "ContentType": "text/plain",
            "Created": rt_time(spec.now - t.ago),
        },
        auth=customer,
    )
    created.raise_for_status()
    tid = str(created.json()["id"])
    for m in rest:
        sender = customer if m.role is Role.CUSTOMER else agent
        kind = "correspond" if m.public else "comment"
        message = {"Content": m.body, "ContentType": "text/plain"}
        (await http.post(f"/ticket/{tid}/{kind}", json=message, auth=sender)).raise_for_status()
    changes: dict[str, object] = {
        "Status": tr.rt_status(t.status),
        "Priority": tr.rt_priority(t.priority),
    }
    if t.assignee:
        changes["Owner"] = AGENTS[t.assignee]
    if (due := _due(t, spec)) is not None:
        changes["Due"] = due
    answer = await http.put(f"/ticket/{tid}", json=changes, auth=agent)
    answer.raise_for_status()
    assert not [m for m in answer.json() if "does not exist" in m or "isn't" in m], answer.text
    return tid


async def _rt_articles(
    server: RtServer, spec: SeedSpec, http: httpx.AsyncClient, admin: httpx.Auth
) -> dict[str, str]:
    """The spec's articles, written once per session (RT's KB is shared by every queue)."""
    known = server.articles
    for a in spec.articles:
        if a.key not in known:
            body = {
                "Class": "General",
                "Name": a.title,
                "Summary": a.section,
                "CustomFields": {"Content": a.body},
            }
            created = await http.post("/article", json=body, auth=admin)
            created.raise_for_status()
            known[a.key] = str(created.json()["id"])
    return {a.key: known[a.key] for a in spec.articles}


class RtFactory:
    """A contract ``AdapterFactory`` over the session's RT server."""

    name = "rt"
    statuses: ClassVar[dict[Status, Status]] = {Status.ON_HOLD: Status.PENDING}

    def __init__(self, server: RtServer) -> None:
        self.server = server
        default = project(DEFAULT_SPEC, self.statuses)
        self.seeder = Seeder(lambda spec: seed_rt(server, spec), default)

    def options(self, queue: str, page_size: int | None = None, **extra: object) -> RtOptions:
        return RtOptions(
            url=self.server.url,
            token=self.server.token,
            queues=[queue],
            vip_organizations=VIP,
            page_size=page_size or 100,
            **extra,
        )

    @asynccontextmanager
    async def __call__(
        self, spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
    ) -> AsyncIterator[Seeded]:
        expected = project(spec, self.statuses)
        queue, tickets, people, articles = await asyncio.wrap_future(self.seeder.take(expected))
        async with RtHelpdesk(self.options(queue, page_size), clock=clock) as helpdesk:
            yield Seeded(helpdesk, expected, tickets, people, articles, person_by_email=True)


# -- django-helpdesk ------------------------------------------------------------


async def seed_dh(server: DhServer, spec: SeedSpec) -> tuple[int, dict[str, str], dict[str, str]]:
    """Returns (queue id, ticket ids, people ids) after writing ``spec`` into django-helpdesk."""
    n = next(_seeds)
    tr = DhTranslator(DjangoHelpdeskOptions(agents=server.agents))
    # One keep-alive client for the API (as the agent) and the seeder (as the admin).
    async with async_client(
        base_url=server.url + "/api", auth=("sam", DH_AGENT_PASSWORD), timeout=60
    ) as agent:
        made = await server.aseed(agent, "queue", slug=f"contract-{n}", title=f"Contract {n}")
        queue = int(str(made["id"]))
        limit = asyncio.Semaphore(PARALLEL)

        async def one(t: SeedTicket) -> tuple[str, dict[str, object]]:
            async with limit:
                return t.key, await _dh_ticket(t, spec, queue, server, agent, tr)

        done = dict(await asyncio.gather(*(one(t) for t in spec.tickets)))
        # Every ticket's back-dating in one request (it was one per ticket).
        await server.aseed(agent, "history", tickets=list(done.values()))
    tickets = {key: str(history["ticket"]) for key, history in done.items()}
    return queue, tickets, {p.key: p.email.lower() for p in spec.people}


async def drop_dh(server: DhServer, queue: int) -> None:
    """Delete a seeded queue and its tickets once its test is done (see ``_drop_queue``)."""
    async with async_client(timeout=60) as http:
        await server.aseed(http, "drop_queue", id=queue)


async def _dh_ticket(
    t: SeedTicket,
    spec: SeedSpec,
    queue: int,
    server: DhServer,
    agent: httpx.AsyncClient,
    tr: DhTranslator,
) -> dict[str, object]:
    """One ticket through django-helpdesk's API; returns what the test site's seeder back-dates."""
    person = spec.person(t.requester)
    first, rest = t.messages[0], t.messages[1:]
    body: dict[str, object] = {
        "queue": queue,
        "title": t.subject,
        "description": first.body,
        "submitter_email": person.email,
        "priority": tr.wire_priority(t.priority),
        "custom_requester_name": person.name,
    }
    if person.org:
        body["custom_organization"] = next(o.name for o in spec.orgs if o.key == person.org)
    if t.sla:
        body["due_date"] = dh_time(spec.now + t.sla[0].due_in)
    if t.assignee:
        body["assigned_to"] = server.agents[t.assignee]
    created = await agent.post("/tickets/", json=body)
    assert created.status_code == 201, created.text
    ticket = created.json()
    tid = int(ticket["id"])
    history: list[dict[str, object]] = [
        {"id": f["id"], "date": dh_time(spec.now - t.ago)} for f in ticket["followup_set"]
    ]
    for m in rest:
        comment = {"ticket": tid, "comment": template_safe(m.body), "public": m.public}
        followup = await agent.post("/followups/", json=comment)
        assert followup.status_code == 201, followup.text
        history.append(
            {
                "id": followup.json()["id"],
                "date": dh_time(spec.now - m.ago),
                "customer": m.role is Role.CUSTOMER,
            }
        )
    number, hold = tr.wire_status(t.status, None)
    patched = await agent.patch(f"/tickets/{tid}/", json={"status": number, "on_hold": hold})
    assert patched.status_code == 200, patched.text
    return {"ticket": tid, "created": dh_time(spec.now - t.ago), "followups": history}


class DhFactory:
    """A contract ``AdapterFactory`` over the session's django-helpdesk server."""

    name = "django_helpdesk"
    statuses: ClassVar[dict[Status, Status]] = {
        Status.NEW: Status.OPEN,
        Status.ON_HOLD: Status.PENDING,
    }

    def __init__(self, server: DhServer) -> None:
        self.server = server
        default = project(DEFAULT_SPEC, self.statuses)
        self.seeder = Seeder(lambda spec: seed_dh(server, spec), default)

    def options(
        self, queue: int, page_size: int | None = None, **extra: object
    ) -> DjangoHelpdeskOptions:
        return DjangoHelpdeskOptions(
            url=self.server.url,
            user="sam",
            password=DH_AGENT_PASSWORD,
            queues=[queue],
            agents=self.server.agents,
            vip_organizations=VIP,
            page_size=page_size or 100,
            **extra,
        )

    @asynccontextmanager
    async def __call__(
        self, spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
    ) -> AsyncIterator[Seeded]:
        expected = project(spec, self.statuses)
        queue, tickets, people = await asyncio.wrap_future(self.seeder.take(expected))
        try:
            async with DjangoHelpdesk(self.options(queue, page_size), clock=clock) as helpdesk:
                yield Seeded(helpdesk, expected, tickets, people, {}, person_by_email=True)
        finally:
            await drop_dh(self.server, queue)
