"""``zendesk``: Zendesk Support API v2 over one keep-alive httpx client.

Requests per operation (why they are shaped this way):

* queue page: **one** request. A view (``/views/{id}/tickets``, cursor-paged)
  or a search (``/search``, offset-paged, 1 000 results at most) with users,
  organizations, groups and SLA targets side-loaded, so no row costs a request.
* ticket: two — ``/tickets/show_many?ids=`` (the list form, which honours
  ``include=slas``; the single show is reported not to) and the comments,
  cursor-paged, with their authors side-loaded.
* a write: one ``PUT /tickets/{id}`` (comment, status, priority, assignee,
  group and tags all go through ticket update, so an escalation is atomic),
  with ``safe_update`` + the ``updated_stamp`` the agent saw, then one re-read
  so the returned ticket carries its new SLA state. A 409 becomes ``Conflict``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from triage_tui.adapters.base import Capabilities, Helpdesk, LeftOut
from triage_tui.adapters.write_context import expected_version
from triage_tui.adapters.zendesk.options import ZendeskOptions
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch, FeedRateLimit
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.errors import InvalidInput, NotFound
from triage_tui.lazy import lazy_module

if TYPE_CHECKING:
    import httpx

    from triage_tui.adapters.http import Sleep
    from triage_tui.adapters.zendesk import api as zendesk_api
    from triage_tui.adapters.zendesk import changes as feed
    from triage_tui.adapters.zendesk import translate, wire
    from triage_tui.adapters.zendesk.api import ZendeskApi
    from triage_tui.adapters.zendesk.translate import Translator
    from triage_tui.adapters.zendesk.wire import ZAudit, ZTicket, ZUser
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
    # Imported on first use, after the console's first screen: httpx, the wire
    # models and the domain's pydantic models are most of this adapter's import,
    # and a console starting from its cache shows the cached queue before any
    # of them is needed (docs/performance.md, "Remote start").
    zendesk_api = lazy_module("triage_tui.adapters.zendesk.api")
    feed = lazy_module("triage_tui.adapters.zendesk.changes")
    models = lazy_module("triage_tui.domain.models")
    translate = lazy_module("triage_tui.adapters.zendesk.translate")
    wire = lazy_module("triage_tui.adapters.zendesk.wire")

log = logging.getLogger(__name__)

#: ``/search`` serves at most this many results (page 11 of 100 is a 422).
SEARCH_CAP = 1000
#: The requester pane shows recent history; older tickets are not fetched.
HISTORY_LIMIT = 100
ACTIVE = frozenset(s for s in Status if s.is_active)


class ZendeskHelpdesk(Helpdesk):
    name: ClassVar[str] = "zendesk"
    display_name: ClassVar[str] = "Zendesk"
    #: 700 requests a minute on most plans (200 on Team), and the incremental
    #: export the feed polls: 10 a minute (developer.zendesk.com, Rate limits).
    feed_rate_limit: ClassVar[FeedRateLimit | None] = FeedRateLimit(700.0, 10.0)
    capabilities: ClassVar[Capabilities] = Capabilities(
        internal_notes=True,
        tags=True,
        kb_search=True,
        kb_list=False,
        requester_history=True,
        assignment=True,
        groups=True,
        priority=True,
        safe_update=True,
        create_ticket=False,
        change_feed=True,
        directory=True,
    )
    options_model: ClassVar[type[Any]] = ZendeskOptions
    doctor_hints: ClassVar[dict[str, str]] = {
        "settings": "export TRIAGE_ZENDESK_SUBDOMAIN=<acme>, TRIAGE_ZENDESK_EMAIL=<you@acme.com> "
        "and TRIAGE_ZENDESK_TOKEN=… (Admin Center › Apps and integrations › Zendesk API), "
        "or TRIAGE_ZENDESK_OAUTH_TOKEN",
        "reachable": "check TRIAGE_ZENDESK_SUBDOMAIN / TRIAGE_ZENDESK_BASE_URL, the network "
        "and any proxy",
        "credentials": "check TRIAGE_ZENDESK_EMAIL and TRIAGE_ZENDESK_TOKEN (token access must "
        "be enabled in Admin Center) or TRIAGE_ZENDESK_OAUTH_TOKEN",
        "read tickets": "the account must be an agent who can see the queue's view "
        "(TRIAGE_ZENDESK_VIEW_ID) or search tickets",
        "comment": "give the agent a role whose ticket comments may be public",
        "read KB": "enable Help Center, or set TRIAGE_ZENDESK_LOCALE to a locale it has",
    }

    def __init__(
        self,
        options: ZendeskOptions | None = None,
        clock: Clock | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(options, clock)
        assert isinstance(self.options, ZendeskOptions)
        self.zd: ZendeskOptions = self.options
        self._transport, self._sleep = transport, sleep
        #: The last version of each ticket read or written: its updated_stamp and tags.
        self._seen: dict[str, ZTicket] = {}

    @cached_property
    def api(self) -> ZendeskApi:
        """The account's API, built on first use (``open``, or a verb's first read)."""
        return zendesk_api.ZendeskApi(
            self.zd, self.clock, transport=self._transport, sleep=self._sleep
        )

    @cached_property
    def tr(self) -> Translator:
        return translate.Translator(self.zd, self.api.directory)

    # -- lifecycle -------------------------------------------------------
    async def open(self) -> None:
        _ = self.api.http  # settings are checked now; the network on first use

    async def close(self) -> None:
        await self.api.aclose()

    # -- helpers ---------------------------------------------------------
    @staticmethod
    def _ticket_id(value: str) -> str:
        tid = str(value).strip().lstrip("#")
        if not tid.isdigit():
            raise NotFound(f"Zendesk ticket {value!r} not found (ticket ids are numbers)")
        return tid

    def take_left_out(self) -> LeftOut:
        return self.api.reader.take_left_out()

    def _translate(self, tickets: list[ZTicket]) -> list[Ticket]:
        out = []
        for zt in tickets:
            self._seen[str(zt.id)] = zt
            out.append(self.tr.ticket(zt))
        return out

    async def _show(self, tid: str) -> ZTicket:
        ticket = await self.api.show(tid)
        self._seen[tid] = ticket
        return ticket

    # -- reads -----------------------------------------------------------
    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """A view when one is configured (or ``query.query`` is a view id), else a search."""
        q = query or models.QueueFilter()
        view, extra = self.zd.view_id, self.zd.search
        text = (q.query or "").strip()
        if text.isdigit():
            view = int(text)
        elif text:  # free text narrows a search; a view cannot take it
            view, extra = None, f"{extra or ''} {text}".strip()
        if view is None:
            async for ticket in self._search_tickets(q, extra):
                yield ticket
            return
        params = {"page[size]": self.zd.page_size, "include": zendesk_api.SIDELOADS}
        listed: set[str] = set()  # pages shifting under a changing view repeat tickets
        pages = self.api.pages(f"views/{view}/tickets", params, wire.ZTicketPage, "view")
        async for page in pages:
            self.api.directory.absorb(page)
            for ticket in self._translate(page.tickets):
                if ticket.id in listed:
                    continue
                listed.add(ticket.id)
                if ticket.status in q.statuses and _assigned_to(ticket, q.assignee):
                    yield ticket

    async def _search_tickets(self, q: QueueFilter, extra: str | None) -> AsyncIterator[Ticket]:
        terms = ["type:ticket"]
        if set(q.statuses) == ACTIVE:
            terms.append("status<solved")
        else:  # repeated terms on one property match any of them
            terms += [f"status:{self.tr.wire_status(s)}" for s in sorted(q.statuses)]
        if q.assignee:
            terms.append(f'assignee:"{q.assignee}"')
        if extra:
            terms.append(extra)
        per_page = self.zd.page_size
        params = {
            "query": " ".join(terms),
            "sort_by": "created_at",
            "sort_order": "asc",
            "per_page": per_page,
            "page": 1,
            "include": f"tickets({zendesk_api.SIDELOADS})",
        }
        served = 0
        listed: set[str] = set()  # offset pages shift under a changing queue
        async for page in self.api.pages("search", params, wire.ZSearchPage, "search"):
            self.api.directory.absorb(page)
            rows = [r for r in page.results if r.get("result_type", "ticket") == "ticket"]
            tickets = self.api.reader.parse_each(wire.ZTicket, rows, "ticket")
            for ticket in self._translate(tickets):
                if ticket.id in listed:
                    continue
                listed.add(ticket.id)
                if ticket.status in q.statuses:
                    yield ticket
            served += len(page.results)
            if page.next_page and served + per_page > SEARCH_CAP:
                log.warning(
                    "Zendesk search stops at %d of %d results; use a view (view_id) for more",
                    served,
                    page.count,
                )
                break

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        tid = self._ticket_id(ticket_id)
        zt = await self._show(tid)
        comments = await self.api.comments(tid)
        messages = [self.tr.message(c, tid, zt.requester_id) for c in comments]
        messages.sort(key=lambda m: m.created_at)  # stable: equal times keep the API's order
        return models.TicketDetail(ticket=self.tr.ticket(zt), messages=messages)

    async def get_person(self, person_id: str) -> PersonHistory:
        """By id, or by email/name through the user search (one exact match)."""
        user = await self.api.find_user(str(person_id).strip(), agents_only=False)
        org = await self.api.organization(user.organization_id) if user.organization_id else None
        tickets = self._translate(await self.api.requested(user.id, HISTORY_LIMIT))
        tickets.sort(key=lambda t: t.created_at, reverse=True)
        return models.PersonHistory(
            person=self.tr.person(user), organization=self.tr.organization(org), tickets=tickets
        )

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        """Help Center article search in the configured locale."""
        if not query.strip() or limit <= 0:
            return []
        return [self.tr.article(a) for a in await self.api.search_articles(query, limit)]

    # -- doctor ----------------------------------------------------------
    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """The incremental ticket export after ``cursor``: one request per call. Kinds
        are told from the ticket's state as last read here, else "updated"."""
        return await feed.changes_since(self.api, self.clock, cursor, limit, self._seen)

    def missing_settings(self) -> list[str]:
        return self.zd.missing()

    def ticket_url(self, ticket_id: str) -> str | None:
        """The agent workspace's page of the ticket (``/agent/tickets/{id}``)."""
        base = self.zd.account_url
        return f"{base}/agent/tickets/{quote(ticket_id, safe='')}" if base else None

    async def probe(self) -> str:
        """Who the credentials belong to (one request): doctor and the header badge."""
        me = await self.api.me()
        return f"{me.name} <{me.email}> ({me.role})"

    async def can_comment_publicly(self) -> bool | None:
        """From the agent's role; None when a custom role cannot be read to tell."""
        me = await self.api.me()
        if me.role not in zendesk_api.AGENT_ROLES:
            return False
        if me.role == "admin" or me.custom_role_id is None:
            return True
        access = await self.api.comment_access(me.custom_role_id)
        return None if access is None else access == "public"

    # -- writes ----------------------------------------------------------
    async def _current(self, tid: str) -> ZTicket:
        """The ticket as last read; safe_update makes acting on it race-free."""
        seen = self._seen.get(tid)
        if seen is not None and self.zd.safe_update:
            return seen
        return await self._show(tid)

    async def _update(
        self, tid: str, changes: dict[str, Any], comment: tuple[str, bool] | None = None
    ) -> tuple[ZTicket, ZAudit]:
        body = dict(changes)
        if comment is not None:
            body["comment"] = {"body": comment[0], "public": comment[1]}
        # The outbox says which version the agent saw; otherwise the one read last.
        version = expected_version() or (
            translate.stamp(self._seen[tid]) if tid in self._seen else None
        )
        if self.zd.safe_update and version:
            body.update(safe_update=True, updated_stamp=version)
        response = await self.api.update(tid, body)
        self._seen[tid] = response.ticket
        return response.ticket, response.audit or wire.ZAudit()

    async def _updated(
        self, tid: str, changes: dict[str, Any], comment: tuple[str, bool] | None = None
    ) -> Ticket:
        await self._update(tid, changes, comment)
        return self.tr.ticket(await self._show(tid))

    async def _message(self, tid: str, body: str, public: bool) -> Message:
        if not body.strip():
            raise InvalidInput("the reply is empty" if public else "the note is empty")
        ticket, audit = await self._update(tid, {}, (body, public))
        event = next((e for e in audit.events if e.type == "Comment"), None)
        author_id = (event.author_id if event else None) or audit.author_id
        author: ZUser | None = self.api.directory.users.get(author_id) if author_id else None
        if author is None:
            author = await self.api.me()
        return models.Message(
            id=str(event.id if event and event.id else audit.id or ""),
            ticket_id=tid,
            author=author.name,
            author_email=author.email or "",
            role=Role.AGENT,
            public=public,
            body=event.body if event and event.body is not None else body,
            created_at=audit.created_at or ticket.updated_at,
        )

    async def reply(self, ticket_id: str, body: str) -> Message:
        return await self._message(self._ticket_id(ticket_id), body, public=True)

    async def add_note(self, ticket_id: str, body: str) -> Message:
        return await self._message(self._ticket_id(ticket_id), body, public=False)

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        if not isinstance(status, Status):
            status = Status.parse(str(status))
        tid = self._ticket_id(ticket_id)
        return await self._updated(tid, {"status": self.tr.wire_status(status)})

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        if not isinstance(priority, Priority):
            priority = Priority.parse(str(priority))
        return await self._updated(self._ticket_id(ticket_id), {"priority": priority.value})

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        """``assignee`` is an agent's id, email or exact name; None unassigns."""
        tid = self._ticket_id(ticket_id)
        changes: dict[str, Any] = {"assignee_id": None}
        if assignee and assignee.strip():
            changes["assignee_id"] = (
                await self.api.find_user(assignee.strip(), agents_only=True)
            ).id
        if group:
            changes["group_id"] = await self.api.group_id(group)
        return await self._updated(tid, changes)

    async def agents(self) -> list[str]:
        """Agents and admins by name (``assign`` takes a name, an email or an id)."""
        return sorted({u.name for u in await self.api.agents() if u.name}, key=str.casefold)

    async def groups(self) -> list[str]:
        """``GET /groups``, by name."""
        await self.api.load_groups()
        names = {g.name for g in self.api.directory.groups.values() if g.name}
        return sorted(names, key=str.casefold)

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        """The whole tag list through ticket update, guarded by ``safe_update``."""
        tid = self._ticket_id(ticket_id)
        current = await self._current(tid)
        return await self._updated(
            tid, {"tags": _merge_tags(current.tags, add or [], remove or [])}
        )

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        """One update: the private note, status open, priority, group and tags together."""
        tid = self._ticket_id(ticket_id)
        if not escalation.reason.strip():
            raise InvalidInput("the escalation reason is empty")
        note = f"Escalated: {escalation.reason.strip()}"
        if escalation.note.strip():
            note += "\n\n" + escalation.note.strip()
        changes: dict[str, Any] = {"status": self.tr.wire_status(Status.OPEN)}
        priority = escalation.priority or self.zd.escalation_priority
        if priority is not None:
            changes["priority"] = priority.value
        group = escalation.group or self.zd.escalation_group
        if group:
            changes["group_id"] = await self.api.group_id(group)
        extra = [self.zd.escalation_tag] if self.zd.escalation_tag else []
        if escalation.tags or extra:
            current = await self._current(tid)
            changes["tags"] = _merge_tags(current.tags, [*escalation.tags, *extra], [])
        return await self._updated(tid, changes, (note, False))


def _merge_tags(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    gone = {t.strip() for t in remove}
    tags = [t for t in current if t not in gone]
    for tag in (t.strip() for t in add):
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _assigned_to(ticket: Ticket, assignee: str | None) -> bool:
    return assignee is None or (ticket.assignee or "").lower() == assignee.strip().lower()
