"""The adapter contract's machinery: seeded adapter factories, one per helpdesk.

``test_contract.py`` runs every contract test against every factory in
``FACTORIES``. To put a new adapter under contract, write a factory that
seeds its helpdesk (a fake server on loopback, a container…) with a
``SeedSpec`` and yields a ``Seeded``; then ``register`` it. Nothing else in
the suite changes: capability flags decide which tests apply.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pytest

from tests.adapters.seed import SeedSpec
from triage_tui.adapters.base import Capabilities, Helpdesk
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.local.store import connect, to_db, transaction
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Role, Status
from triage_tui.domain.models import (
    Escalation,
    Message,
    PersonHistory,
    QueueFilter,
    Ticket,
    TicketDetail,
)

AGENT = "Sam Rivera"


@dataclass
class Seeded:
    """An open, seeded adapter and how the spec's keys map to its ids."""

    helpdesk: Helpdesk
    spec: SeedSpec
    tickets: dict[str, str]
    people: dict[str, str]
    articles: dict[str, str] = field(default_factory=dict)
    #: Whether get_person also accepts an email (the base contract only promises ids).
    person_by_email: bool = False

    def tid(self, key: str) -> str:
        return self.tickets[key]

    def key_of(self, ticket_id: str) -> str:
        return {v: k for k, v in self.tickets.items()}[ticket_id]


class AdapterFactory(Protocol):
    name: str

    def __call__(
        self, spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
    ) -> AbstractAsyncContextManager[Seeded]:
        """Seed a helpdesk with ``spec`` and yield it opened; ``page_size`` forces small pages."""
        ...


FACTORIES: dict[str, AdapterFactory] = {}


def install_plugins(site: Path, monkeypatch: pytest.MonkeyPatch, entries: dict[str, str]) -> None:
    """Install a package registering ``entries`` (name → ``module:Class``) under the
    ``triage_tui.adapters`` entry-point group, as pip would put it on ``sys.path``."""
    dist = site / "triage_plugin_fake-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: triage-plugin-fake\nVersion: 0.1\n"
    )
    lines = "".join(f"{name} = {target}\n" for name, target in entries.items())
    (dist / "entry_points.txt").write_text("[triage_tui.adapters]\n" + lines)
    monkeypatch.syspath_prepend(str(site))


def register(name: str) -> Callable[[AdapterFactory], AdapterFactory]:
    def decorator(factory: AdapterFactory) -> AdapterFactory:
        factory.name = name  # type: ignore[misc]
        FACTORIES[name] = factory
        return factory

    return decorator


# -- local --------------------------------------------------------------------


def seed_local_db(
    db_path: Path, spec: SeedSpec
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Write ``spec`` into a fresh local helpdesk file; returns the ticket, people and article id
    maps."""
    tickets = {t.key: str(101 + n) for n, t in enumerate(spec.tickets)}
    people = {p.key: str(1 + n) for n, p in enumerate(spec.people)}
    orgs = {o.key: f"o{1 + n}" for n, o in enumerate(spec.orgs)}
    articles = {a.key: str(9001 + n) for n, a in enumerate(spec.articles)}
    now = spec.now
    conn = connect(db_path)
    try:
        with transaction(conn):
            conn.executemany(
                "INSERT INTO organizations VALUES (?, ?, ?, ?)",
                [(orgs[o.key], o.name, o.tier, int(o.vip)) for o in spec.orgs],
            )
            conn.executemany(
                "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        people[p.key],
                        p.name,
                        p.email,
                        p.name.split()[0],
                        p.tier,
                        p.account_value,
                        to_db(now.replace(year=now.year - 1)),
                        orgs.get(p.org or ""),
                    )
                    for p in spec.people
                ],
            )
            message_rows, sla_rows, ticket_rows = [], [], []
            for t in spec.tickets:
                person = spec.person(t.requester)
                for m in t.messages:
                    customer = m.role is Role.CUSTOMER
                    message_rows.append(
                        (
                            str(len(message_rows) + 1),
                            tickets[t.key],
                            m.author or (person.name if customer else AGENT),
                            person.email if customer else "",
                            m.role.value,
                            int(m.public),
                            m.body,
                            to_db(now - m.ago),
                        )
                    )
                sla_rows += [
                    (tickets[t.key], s.metric, to_db(now + s.due_in), s.stage.value) for s in t.sla
                ]
                updated = min(m.ago for m in t.messages)
                ticket_rows.append(
                    (
                        tickets[t.key],
                        t.subject,
                        t.status.value,
                        t.priority.value,
                        people[t.requester],
                        orgs.get(person.org or ""),
                        t.assignee,
                        t.group,
                        json.dumps(list(t.tags)),
                        t.channel,
                        to_db(now - t.ago),
                        to_db(now - updated),
                        t.messages[0].body[:200],
                    )
                )
            conn.executemany(
                "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ticket_rows
            )
            conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", message_rows)
            conn.executemany("INSERT INTO sla_targets VALUES (?, ?, ?, ?)", sla_rows)
            conn.executemany(
                "INSERT INTO articles(id, title, body, url, section) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        articles[a.key],
                        a.title,
                        a.body,
                        a.url or f"https://help.example/articles/{articles[a.key]}",
                        a.section,
                    )
                    for a in spec.articles
                ],
            )
    finally:
        conn.close()
    return tickets, people, articles


@register("local")
@asynccontextmanager
async def local_factory(
    spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
) -> AsyncIterator[Seeded]:
    db = workdir / "contract.db"
    tickets, people, articles = seed_local_db(db, spec)
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as(AGENT)
    if page_size:
        helpdesk.page_size = page_size
    async with helpdesk:
        yield Seeded(helpdesk, spec, tickets, people, articles, person_by_email=True)


@dataclass
class MinimalOptions:
    """The minimal adapter's options: a plain dataclass, as a third-party adapter may declare."""

    db: Path | None = None
    page_size: int | None = None


class MinimalHelpdesk(Helpdesk):
    """Only the abstract methods, over a local file: proves capability-driven skips.

    Models the least capable helpdesk the contract allows (no notes, tags,
    KB, assignment or ticket creation); everything optional must then raise
    ``Unsupported`` from the base class, and the suite must still pass. It is
    built as the console builds any adapter, ``cls(options, clock)``, so
    ``test_third_party.py`` installs it as a plugin and drives the doctor,
    the verbs and the console with it.
    """

    name = "minimal"
    display_name = "Minimal"
    capabilities = Capabilities(
        internal_notes=False,
        tags=False,
        kb_search=False,
        kb_list=False,
        requester_history=True,
        assignment=False,
        groups=False,
        priority=False,
        safe_update=False,
        create_ticket=False,
    )
    options_model = MinimalOptions

    def __init__(self, options: MinimalOptions | None = None, clock: Clock | None = None) -> None:
        super().__init__(options, clock)
        settings: MinimalOptions = self.options
        self.inner = LocalHelpdesk(LocalOptions(db=settings.db), clock=self.clock).act_as(AGENT)
        if settings.page_size:
            self.inner.page_size = settings.page_size

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        async for ticket in self.inner.iter_queue(query):
            yield ticket

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        return await self.inner.get_ticket(ticket_id)

    async def get_person(self, person_id: str) -> PersonHistory:
        return await self.inner.get_person(person_id)

    async def reply(self, ticket_id: str, body: str) -> Message:
        return await self.inner.reply(ticket_id, body)

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        return await self.inner.set_status(ticket_id, status)

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        # Without notes or priority, the reason is still recorded (the
        # backend can) and the status change is all that applies.
        return await self.inner.escalate(
            ticket_id, Escalation(reason=escalation.reason, note=escalation.note)
        )


@register("minimal")
@asynccontextmanager
async def minimal_factory(
    spec: SeedSpec, workdir: Path, clock: Clock, page_size: int | None = None
) -> AsyncIterator[Seeded]:
    db = workdir / "minimal.db"
    tickets, people, _ = seed_local_db(db, spec)
    async with MinimalHelpdesk(MinimalOptions(db, page_size), clock) as helpdesk:
        yield Seeded(helpdesk, spec, tickets, people, {}, person_by_email=False)
