"""``gleap``: Gleap REST API v3 (Bearer API key + ``Project`` header) over httpx.

Requests per operation: a queue page is one ``GET /tickets`` (skip/limit, the
session and assignee populated, so no row costs a request) per Gleap status
the filter needs; a ticket is ``GET /tickets/{id}`` plus its messages; a reply
or note is one ``POST /messages``; status, tags and assignment one
``PUT /tickets/{id}`` (tags after reading the current ones: Gleap has no
optimistic concurrency, so ``safe_update`` is off); closing archives.

Capabilities: no groups (teams are not mapped) and no direct priority change:
Gleap has three levels for the domain's four, so "set urgent, read back high"
would lie to the agent; an escalation still raises the priority to HIGH.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import quote

from triage_tui.adapters.base import Capabilities, Helpdesk, LeftOut
from triage_tui.adapters.gleap.options import GleapOptions
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch, FeedRateLimit
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import ConfigError, InvalidInput, NotFound, Unsupported
from triage_tui.lazy import lazy_module

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from triage_tui.adapters import http as shared_http
    from triage_tui.adapters.gleap import translate, wire
    from triage_tui.adapters.gleap.translate import Translator
    from triage_tui.adapters.gleap.wire import GTicket, GUser
    from triage_tui.adapters.http import HttpClient, Sleep
    from triage_tui.adapters.snapshot_feed import SnapshotFeed
    from triage_tui.adapters.wire_records import WireReader
    from triage_tui.domain import models
    from triage_tui.domain.models import (
        Article,
        Escalation,
        Message,
        PersonHistory,
        QueueFilter,
        Ticket,
        TicketDetail,
    )
else:
    # Imported on first use, after the console's first screen: pydantic (the wire
    # and domain models), httpx and the translator are most of this adapter's
    # import, and a console starting from its cache shows the cached queue before
    # any of them is needed (as the Zendesk adapter; docs/performance.md).
    shared_http = lazy_module("triage_tui.adapters.http")
    models = lazy_module("triage_tui.domain.models")
    translate = lazy_module("triage_tui.adapters.gleap.translate")
    wire = lazy_module("triage_tui.adapters.gleap.wire")

M = TypeVar("M", bound="BaseModel")
#: Gleap's dashboard, where an agent opens a ticket (one host for every region).
GLEAP_APP = "https://app.gleap.io"
MESSAGE_PAGE = 500


class GleapHelpdesk(Helpdesk):
    name: ClassVar[str] = "gleap"
    display_name: ClassVar[str] = "Gleap"
    #: 1 000 requests per 60 s per project (docs.gleap.io, REST API).
    feed_rate_limit: ClassVar[FeedRateLimit | None] = FeedRateLimit(1000.0)
    capabilities: ClassVar[Capabilities] = Capabilities(
        internal_notes=True,
        tags=True,
        kb_search=True,
        kb_list=False,
        requester_history=True,
        assignment=True,
        groups=False,
        priority=False,
        safe_update=False,
        create_ticket=False,
        change_feed=True,
        change_feed_by_diff=True,
        directory=True,
    )
    options_model: ClassVar[type[Any]] = GleapOptions
    doctor_hints: ClassVar[dict[str, str]] = {
        "settings": "export TRIAGE_GLEAP_API_KEY=… (Project settings › Security › API key) "
        "and TRIAGE_GLEAP_PROJECT=<project id>",
        "reachable": "check TRIAGE_GLEAP_BASE_URL (default https://api.gleap.io/v3), "
        "the network and any proxy",
        "credentials": "a 401 means the API key is wrong or revoked; a 403 that "
        "TRIAGE_GLEAP_PROJECT is not the project the key belongs to",
        "read tickets": "the API key must belong to the project whose tickets you triage",
        "comment": "API keys act for the whole project; nothing to change",
        "read KB": "publish the help center (Knowledge base) of the project",
    }

    def __init__(
        self,
        options: GleapOptions | None = None,
        clock: Clock | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(options, clock)
        assert isinstance(self.options, GleapOptions)
        self.gl: GleapOptions = self.options
        self._transport = transport
        self._sleep = sleep
        self._http: HttpClient | None = None
        self._agents: list[GUser] | None = None

    @cached_property
    def tr(self) -> Translator:
        return translate.Translator(self.gl)

    @cached_property
    def _feed(self) -> SnapshotFeed:
        """No "changed since" listing in the API: the feed diffs re-reads of the queue."""
        from triage_tui.adapters.snapshot_feed import SnapshotFeed

        return SnapshotFeed(self.iter_queue, self.clock)

    # -- lifecycle -------------------------------------------------------
    @property
    def http(self) -> HttpClient:
        if self._http is None:
            missing = self.gl.missing()
            if missing:
                raise ConfigError(f"Gleap needs {' and '.join(missing)} (see `triage doctor`)")
            assert self.gl.api_key is not None and self.gl.project
            key = self.gl.api_key.get_secret_value()
            self._http = shared_http.HttpClient(
                self.gl.base_url,
                service="Gleap",
                auth_headers={"Authorization": f"Bearer {key}"},
                headers={"Project": self.gl.project},
                secrets=[key],
                timeout=self.gl.timeout,
                sleep=self._sleep,
                clock=self.clock,
                transport=self._transport,
                detail_parser=wire.error_detail,
            )
        return self._http

    async def open(self) -> None:
        _ = self.http

    async def close(self) -> None:
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    # -- helpers ---------------------------------------------------------
    @cached_property
    def _reader(self) -> WireReader:
        from triage_tui.adapters.wire_records import WireReader

        return WireReader("Gleap")

    def _parse(self, model: type[M], data: Any, what: str) -> M:
        """One answer as ``model`` (``WireReader.parse``: malformed records left out)."""
        return self._reader.parse(model, data, what)

    def take_left_out(self) -> LeftOut:
        return self._reader.take_left_out() if "_reader" in self.__dict__ else LeftOut()

    @staticmethod
    def _tid(ticket_id: str) -> str:
        tid = str(ticket_id).strip()
        if not tid or "/" in tid or "?" in tid:
            raise NotFound(f"Gleap ticket {ticket_id!r} not found")
        return tid

    async def _ticket(self, tid: str) -> GTicket:
        data = await self.http.get(f"tickets/{tid}", not_found=f"Gleap ticket {tid} not found")
        return self._parse(wire.GTicket, data, "ticket")

    async def _put(self, tid: str, body: dict[str, Any]) -> GTicket:
        data = await self.http.request(
            "PUT", f"tickets/{tid}", json_body=body, not_found=f"Gleap ticket {tid} not found"
        )
        return self._parse(wire.GTicket, data, "ticket")

    # -- reads -----------------------------------------------------------
    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """A diff of the active queue against the previous call's read
        (``adapters.snapshot_feed``): one queue read per call with nothing pending."""
        return await self._feed.changes_since(cursor, limit)

    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """One skip/limit listing per Gleap status needed; archived tickets only for "closed"."""
        q = query or models.QueueFilter()
        wanted = [s for s in Status if s in q.statuses and s is not Status.CLOSED]
        listings: list[dict[str, Any]] = []
        for gleap_status in dict.fromkeys(self.tr.wire_status(s) for s in wanted):
            listings.append({"status": gleap_status, "archived": "false"})
        if Status.CLOSED in q.statuses:
            listings.append({"archived": "true"})
        text = (q.query or "").strip().lower()
        for filters in listings:
            async for ticket in self._listing(filters):
                if ticket.status not in q.statuses:
                    continue
                if q.assignee and (ticket.assignee or "").lower() != q.assignee.strip().lower():
                    continue
                if text and text not in f"{ticket.subject} {ticket.excerpt}".lower():
                    continue
                yield ticket

    async def _listing(self, filters: dict[str, Any]) -> AsyncIterator[Ticket]:
        limit, skip = self.gl.page_size, 0
        guard = shared_http.PageGuard("Gleap", "ticket list")
        while True:
            params = {
                **filters,
                "type": self.gl.types,
                "sort": "createdAt",
                "skip": skip,
                "limit": limit,
            }
            guard.visit(str(skip))
            page = self._parse(
                wire.GTicketPage, await self.http.get("tickets", params=params), "ticket list"
            )
            for ticket in page.tickets:
                if guard.fresh(ticket.id):  # skip/limit pages shift under a changing queue
                    yield self.tr.ticket(ticket)
            skip += len(page.tickets)
            total = (
                page.totalCount
                if page.totalCount is not None
                else skip + (len(page.tickets) == limit)
            )
            if len(page.tickets) < limit or skip >= total:
                return

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        tid = self._tid(ticket_id)
        ticket = self.tr.ticket(await self._ticket(tid))
        messages: list[Message] = []
        skip = 0
        guard = shared_http.PageGuard("Gleap", "message list")
        while True:
            params = {"ticket": tid, "sort": "createdAt", "skip": skip, "limit": MESSAGE_PAGE}
            guard.visit(str(skip))
            batch = wire.items(await self.http.get("messages", params=params), "messages")
            messages += [
                self.tr.message(self._parse(wire.GMessage, m, "message"), tid) for m in batch
            ]
            skip += len(batch)
            if len(batch) < MESSAGE_PAGE:
                break
        messages.sort(key=lambda m: m.created_at)
        return models.TicketDetail(ticket=ticket, messages=messages)

    async def get_person(self, person_id: str) -> PersonHistory:
        """A session by id, or by email through the tickets that session opened."""
        who = str(person_id).strip()
        if not who:
            raise InvalidInput("no Gleap contact given")
        if "@" in who:
            found = await self._tickets_of({"email": who})
            session = next((t.session for t in found if t.session and t.session.email), None)
            if session is None:
                raise NotFound(f"no Gleap contact with email {who!r} has tickets")
            who = session.id
        data = await self.http.get(f"sessions/{who}", not_found=f"Gleap contact {who} not found")
        session = self._parse(wire.GSession, data, "contact")
        if session.email:
            tickets = await self._tickets_of({"email": session.email})
        elif session.userId:
            tickets = await self._tickets_of({"userId": session.userId})
        else:
            tickets = []
        mapped = sorted(
            (self.tr.ticket(t) for t in tickets), key=lambda t: t.created_at, reverse=True
        )
        return models.PersonHistory(
            person=self.tr.person(session),
            organization=self.tr.organization(session),
            tickets=mapped,
        )

    async def _tickets_of(self, params: dict[str, str]) -> list[GTicket]:
        data = await self.http.get("tickets/by-session-query", params=params)
        return self._reader.parse_each(wire.GTicket, wire.items(data, "tickets"), "ticket")

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        if not query.strip() or limit <= 0:
            return []
        body = {"query": query, "lang": self.gl.lang, "limit": limit}
        data = await self.http.request("POST", "knowledge/search", json_body=body)
        found = self._parse(wire.GKnowledgeSearch, data, "knowledge search")
        return [self.tr.article(r) for r in found.results[:limit]]

    def missing_settings(self) -> list[str]:
        return self.gl.missing()

    def ticket_url(self, ticket_id: str) -> str | None:
        """The ticket in Gleap's dashboard (``app.gleap.io/projects/{project}/bugs/{id}``)."""
        if not self.gl.project:
            return None
        project = quote(self.gl.project, safe="")
        return f"{GLEAP_APP}/projects/{project}/bugs/{quote(ticket_id, safe='')}"

    async def probe(self) -> str:
        """One cheap authenticated request: proves the key and the project (doctor, badge)."""
        data = await self.http.get("tickets", params={"limit": 1, "skip": 0})
        page = self._parse(wire.GTicketPage, data, "ticket list")
        total = page.totalCount if page.totalCount is not None else page.count
        return f"project {self.gl.project}: {total} tickets"

    # -- writes ----------------------------------------------------------
    async def _post_message(self, ticket_id: str, body: str, note: bool) -> Message:
        tid = self._tid(ticket_id)
        if not body.strip():
            raise InvalidInput("the note is empty" if note else "the reply is empty")
        payload = {
            "ticket": tid,
            "comment": wire.text_to_doc(body),
            "type": "NOTE" if note else "COMMENT",
            "isNote": note,
        }
        data = await self.http.request(
            "POST", "messages", json_body=payload, not_found=f"Gleap ticket {tid} not found"
        )
        return self.tr.message(self._parse(wire.GMessage, data, "message"), tid)

    async def reply(self, ticket_id: str, body: str) -> Message:
        return await self._post_message(ticket_id, body, note=False)

    async def add_note(self, ticket_id: str, body: str) -> Message:
        return await self._post_message(ticket_id, body, note=True)

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        """Closed is the solved status plus archive; any other status unarchives first."""
        if not isinstance(status, Status):
            status = Status.parse(str(status))
        tid = self._tid(ticket_id)
        ticket = await self._put(tid, {"status": self.tr.wire_status(status)})
        if status is Status.CLOSED and not ticket.archived:
            data = await self.http.request(
                "PUT", f"tickets/{tid}/archive", not_found=f"Gleap ticket {tid} not found"
            )
            ticket = self._parse(wire.GTicket, data, "ticket") if data else await self._ticket(tid)
        elif status is not Status.CLOSED and ticket.archived:
            await self.http.request("PUT", f"tickets/{tid}/unarchive")
            ticket = await self._ticket(tid)
        return self.tr.ticket(ticket)

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        if group:
            raise Unsupported("Gleap has no groups here; assign to a person")
        tid = self._tid(ticket_id)
        user_id = await self._agent_id(assignee) if assignee and assignee.strip() else None
        return self.tr.ticket(await self._put(tid, {"processingUser": user_id}))

    async def _project_users(self) -> list[GUser]:
        """The project's members (``GET /projects/users``), once per connection."""
        if self._agents is None:
            data = await self.http.get("projects/users")
            rows = [
                r.get("user", r) if isinstance(r, dict) else r for r in wire.items(data, "users")
            ]
            self._agents = [self._parse(wire.GUser, r, "project user") for r in rows]
        return self._agents

    async def agents(self) -> list[str]:
        """The project's members by name (Gleap has no groups here)."""
        names = {a.display_name for a in await self._project_users()}
        return sorted(names, key=str.casefold)

    async def _agent_id(self, who: str) -> str:
        key = who.strip().lower()
        matches = [
            a
            for a in await self._project_users()
            if key in (a.id.lower(), (a.email or "").lower(), a.display_name.lower())
        ]
        if len(matches) != 1:
            if not matches:
                raise NotFound(f"no Gleap project member matches {who!r}")
            raise InvalidInput(f"{len(matches)} Gleap project members match {who!r}; use the email")
        return matches[0].id

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        tid = self._tid(ticket_id)
        current = await self._ticket(tid)
        gone = {t.strip() for t in remove or []}
        tags = [t for t in current.tags if t not in gone]
        tags += [t for t in dict.fromkeys(x.strip() for x in add or []) if t and t not in tags]
        return self.tr.ticket(await self._put(tid, {"tags": tags}))

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        """The note first (so the reason is never lost), then status, priority and tags."""
        tid = self._tid(ticket_id)
        if not escalation.reason.strip():
            raise InvalidInput("the escalation reason is empty")
        note = f"Escalated: {escalation.reason.strip()}"
        if escalation.note.strip():
            note += "\n\n" + escalation.note.strip()
        if escalation.group:
            note += f"\n\nRoute to: {escalation.group}"
        await self._post_message(tid, note, note=True)
        current = await self._ticket(tid)
        changes: dict[str, Any] = {"status": self.tr.wire_status(Status.OPEN)}
        priority = escalation.priority or self.gl.escalation_priority
        if priority is not None:
            changes["priority"] = translate.PRIORITY_TO[priority]
        extra = [self.gl.escalation_tag] if self.gl.escalation_tag else []
        add = [t for t in dict.fromkeys([*escalation.tags, *extra]) if t and t not in current.tags]
        if add:
            changes["tags"] = [*current.tags, *add]
        return self.tr.ticket(await self._put(tid, changes))
