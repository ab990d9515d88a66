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
  with ``safe_update`` + the ``updated_stamp`` last read, then one re-read so
  the returned ticket carries its new SLA state. A 409 becomes ``Conflict``.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from triage_tui.adapters.base import AdapterOptions, Capabilities, Helpdesk
from triage_tui.adapters.http import HttpClient, Sleep
from triage_tui.adapters.write_context import expected_version
from triage_tui.adapters.zendesk.options import ZendeskOptions
from triage_tui.adapters.zendesk.translate import Directory, Translator, stamp
from triage_tui.adapters.zendesk.wire import (
    ZArticleSearch,
    ZAudit,
    ZCommentPage,
    ZCustomRole,
    ZGroupPage,
    ZOrganization,
    ZSearchPage,
    ZTicket,
    ZTicketPage,
    ZUpdateResponse,
    ZUser,
    ZUserList,
    ZUserResponse,
    error_detail,
)
from triage_tui.domain.clock import Clock
from triage_tui.domain.errors import (
    AuthError,
    ConfigError,
    HelpdeskError,
    InvalidInput,
    NotFound,
)
from triage_tui.domain.models import (
    Article,
    Escalation,
    Message,
    PersonHistory,
    Priority,
    QueueFilter,
    Role,
    Status,
    Ticket,
    TicketDetail,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

SIDELOADS = "users,organizations,groups,slas"
#: ``/search`` serves at most this many results (page 11 of 100 is a 422).
SEARCH_CAP = 1000
#: The requester pane shows recent history; older tickets are not fetched.
HISTORY_LIMIT = 100
ACTIVE = frozenset(s for s in Status if s.is_active)


class ZendeskHelpdesk(Helpdesk):
    name: ClassVar[str] = "zendesk"
    display_name: ClassVar[str] = "Zendesk"
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
    )
    options_model: ClassVar[type[AdapterOptions]] = ZendeskOptions

    def __init__(
        self,
        options: AdapterOptions | None = None,
        clock: Clock | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(options, clock)
        assert isinstance(self.options, ZendeskOptions)
        self.zd: ZendeskOptions = self.options
        self.directory = Directory()
        self.tr = Translator(self.zd, self.directory)
        self._transport = transport
        self._sleep = sleep
        self._http: HttpClient | None = None
        #: The last version of each ticket read or written: its updated_stamp and tags.
        self._seen: dict[str, ZTicket] = {}
        self._me: ZUser | None = None
        self._groups_loaded = False

    # -- lifecycle -------------------------------------------------------
    @property
    def http(self) -> HttpClient:
        """The client, built on first use so a missing setting fails as one ConfigError line."""
        if self._http is None:
            missing = self.zd.missing()
            if missing:
                raise ConfigError(f"Zendesk needs {'; '.join(missing)} (see `triage doctor`)")
            self._http = self._client()
        return self._http

    def _client(self) -> HttpClient:
        o = self.zd
        if o.oauth_token is not None:
            secret = o.oauth_token.get_secret_value()
            auth, secrets = {"Authorization": f"Bearer {secret}"}, [secret]
        else:
            assert o.token is not None
            token = o.token.get_secret_value()
            credential = f"{o.email}/token:{token}"
            encoded = base64.b64encode(credential.encode()).decode()
            auth, secrets = {"Authorization": f"Basic {encoded}"}, [token, credential]
        assert o.account_url is not None
        return HttpClient(
            o.account_url + "/api/v2",
            service="Zendesk",
            auth_headers=auth,
            secrets=secrets,
            timeout=o.timeout,
            sleep=self._sleep,
            clock=self.clock,
            transport=self._transport,
            detail_parser=error_detail,
        )

    async def open(self) -> None:
        _ = self.http  # settings are checked now; the network on first use

    async def close(self) -> None:
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    # -- helpers ---------------------------------------------------------
    def _parse(self, model: type[M], data: Any, what: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise HelpdeskError(
                f"Zendesk sent an unexpected {what} ({where}: {first['msg']})"
            ) from None

    @staticmethod
    def _ticket_id(value: str) -> str:
        tid = str(value).strip().lstrip("#")
        if not tid.isdigit():
            raise NotFound(f"Zendesk ticket {value!r} not found (ticket ids are numbers)")
        return tid

    async def _pages(self, url: str, params: dict[str, Any], model: type[M]) -> AsyncIterator[M]:
        """Follow cursor (``meta.has_more`` + ``links.next``) or offset (``next_page``) paging."""
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        while next_url:
            data = await self.http.get(next_url, params=next_params)
            page = self._parse(model, data, "page")
            yield page
            meta, links = getattr(page, "meta", None), getattr(page, "links", None)
            if meta is not None:
                if not meta.has_more:
                    break
                if links is not None and links.next:
                    next_url, next_params = links.next, None
                elif meta.after_cursor:
                    next_params = {**params, "page[after]": meta.after_cursor}
                else:
                    break
            else:
                next_url, next_params = getattr(page, "next_page", None), None

    def _remember(self, ticket: ZTicket) -> None:
        self._seen[str(ticket.id)] = ticket

    def _translate(self, tickets: list[ZTicket]) -> list[Ticket]:
        out = []
        for zt in tickets:
            self._remember(zt)
            out.append(self.tr.ticket(zt))
        return out

    # -- reads -----------------------------------------------------------
    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """A view when one is configured (or ``query.query`` is a view id), else a search."""
        q = query or QueueFilter()
        view, extra = self.zd.view_id, self.zd.search
        text = (q.query or "").strip()
        if text.isdigit():
            view = int(text)
        elif text:  # free text narrows a search; a view cannot take it
            view, extra = None, f"{extra or ''} {text}".strip()
        if view is not None:
            params = {"page[size]": self.zd.page_size, "include": SIDELOADS}
            async for page in self._pages(f"views/{view}/tickets", params, ZTicketPage):
                self.directory.absorb(page)
                for ticket in self._translate(page.tickets):
                    if ticket.status in q.statuses and _assigned_to(ticket, q.assignee):
                        yield ticket
            return
        async for ticket in self._search_tickets(q, extra):
            yield ticket

    async def _search_tickets(self, q: QueueFilter, extra: str | None) -> AsyncIterator[Ticket]:
        terms = ["type:ticket"]
        if set(q.statuses) == ACTIVE:
            terms.append("status<solved")
        else:
            # Repeated terms on one property match any of them.
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
            "include": f"tickets({SIDELOADS})",
        }
        served = 0
        async for page in self._pages("search", params, ZSearchPage):
            self.directory.absorb(page)
            rows = [r for r in page.results if r.get("result_type", "ticket") == "ticket"]
            tickets = [self._parse(ZTicket, r, "search result") for r in rows]
            for ticket in self._translate(tickets):
                if ticket.status in q.statuses:
                    yield ticket
            served += len(page.results)
            if page.next_page and served + per_page > SEARCH_CAP:
                log.warning(
                    "Zendesk search stops at %d of %d results; use a view (view_id) for larger queues",
                    served,
                    page.count,
                )
                break

    async def _show(self, tid: str) -> ZTicket:
        data = await self.http.get("tickets/show_many", params={"ids": tid, "include": SIDELOADS})
        page = self._parse(ZTicketPage, data, "ticket")
        self.directory.absorb(page)
        if not page.tickets:
            raise NotFound(f"Zendesk ticket {tid} not found")
        self._remember(page.tickets[0])
        return page.tickets[0]

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        tid = self._ticket_id(ticket_id)
        zt = await self._show(tid)
        params = {"page[size]": 100, "include": "users"}
        messages: list[Message] = []
        async for page in self._pages(f"tickets/{tid}/comments", params, ZCommentPage):
            self.directory.users.update((u.id, u) for u in page.users)
            messages += [self.tr.message(c, tid, zt.requester_id) for c in page.comments]
        messages.sort(key=lambda m: m.created_at)  # stable: equal times keep the API's order
        return TicketDetail(ticket=self.tr.ticket(zt), messages=messages)

    async def get_person(self, person_id: str) -> PersonHistory:
        """By id, or by email/name through the user search (one exact match)."""
        user = await self._find_user(str(person_id).strip(), agents_only=False)
        if user.organization_id and user.organization_id not in self.directory.orgs:
            org = await self.http.get(
                f"organizations/{user.organization_id}",
                not_found=f"Zendesk organization {user.organization_id} not found",
            )
            found = self._parse(ZOrganization, (org or {}).get("organization"), "organization")
            self.directory.orgs[found.id] = found
        params = {
            "sort_by": "created_at",
            "sort_order": "desc",
            "per_page": HISTORY_LIMIT,
            "include": SIDELOADS,
        }
        data = await self.http.get(f"users/{user.id}/tickets/requested", params=params)
        page = self._parse(ZTicketPage, data, "ticket list")
        self.directory.absorb(page)
        tickets = sorted(self._translate(page.tickets), key=lambda t: t.created_at, reverse=True)
        org = self.directory.orgs.get(user.organization_id) if user.organization_id else None
        return PersonHistory(
            person=self.tr.person(user), organization=self.tr.organization(org), tickets=tickets
        )

    async def _find_user(self, who: str, *, agents_only: bool) -> ZUser:
        kind = "agent" if agents_only else "user"
        if not who:
            raise InvalidInput(f"no Zendesk {kind} given")
        if who.isdigit():
            data = await self.http.get(
                f"users/{who}",
                params={"include": "organizations"},
                not_found=f"Zendesk {kind} {who} not found",
            )
            found = self._parse(ZUserResponse, data, "user")
            self.directory.orgs.update((o.id, o) for o in found.organizations)
            self.directory.users[found.user.id] = found.user
            return found.user
        data = await self.http.get("users/search", params={"query": who})
        users = self._parse(ZUserList, data, "user list").users
        if agents_only:
            users = [u for u in users if u.role in ("agent", "admin")]
        key = who.lower()
        exact = [u for u in users if (u.email or "").lower() == key or u.name.lower() == key]
        if len(exact) != 1:
            if not exact:
                raise NotFound(f"no Zendesk {kind} matches {who!r}")
            raise InvalidInput(f"{len(exact)} Zendesk {kind}s match {who!r}; use the id")
        self.directory.users[exact[0].id] = exact[0]
        return exact[0]

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        """Help Center article search in the configured locale."""
        if not query.strip() or limit <= 0:
            return []
        params = {"query": query, "locale": self.zd.locale, "per_page": min(limit, 100)}
        data = await self.http.get(
            "help_center/articles/search",
            params=params,
            not_found="Zendesk Help Center is not available on this account",
        )
        found = self._parse(ZArticleSearch, data, "article search")
        return [self.tr.article(a) for a in found.results[:limit]]

    async def whoami(self) -> ZUser:
        """The authenticated user (cached): proves the credentials; doctor reads its role."""
        if self._me is None:
            data = await self.http.get("users/me")
            raw = data.get("user") if isinstance(data, dict) else None
            if not isinstance(raw, dict) or not raw.get("id"):
                raise AuthError(
                    "Zendesk treated the request as anonymous: the credentials were not accepted"
                )
            self._me = self._parse(ZUser, raw, "user")
            self.directory.users[self._me.id] = self._me
        return self._me

    async def can_comment_publicly(self) -> bool | None:
        """True/False when the role says so; None when a custom role cannot be read."""
        me = await self.whoami()
        if me.role not in ("agent", "admin"):
            return False
        if me.role == "admin" or me.custom_role_id is None:
            return True
        try:
            data = await self.http.get(f"custom_roles/{me.custom_role_id}")
        except (AuthError, NotFound):
            return None
        role = self._parse(ZCustomRole, (data or {}).get("custom_role"), "custom role")
        access = role.configuration.get("comment_access")
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
    ) -> ZUpdateResponse:
        body = dict(changes)
        if comment is not None:
            body["comment"] = {"body": comment[0], "public": comment[1]}
        # The outbox says which version the agent saw; otherwise the one read last.
        version = expected_version() or (stamp(self._seen[tid]) if tid in self._seen else None)
        if self.zd.safe_update and version:
            body.update(safe_update=True, updated_stamp=version)
        data = await self.http.request(
            "PUT",
            f"tickets/{tid}",
            json_body={"ticket": body},
            not_found=f"Zendesk ticket {tid} not found",
            conflict=f"Zendesk ticket {tid} was changed by someone else since it was loaded; "
            "reload it and try again",
        )
        response = self._parse(ZUpdateResponse, data, "update response")
        self._remember(response.ticket)
        return response

    async def _updated(
        self, tid: str, changes: dict[str, Any], comment: tuple[str, bool] | None = None
    ) -> Ticket:
        await self._update(tid, changes, comment)
        return self.tr.ticket(await self._show(tid))

    async def _message(self, tid: str, body: str, public: bool) -> Message:
        if not body.strip():
            raise InvalidInput("the reply is empty" if public else "the note is empty")
        response = await self._update(tid, {}, (body, public))
        audit = response.audit or ZAudit()
        event = next((e for e in audit.events if e.type == "Comment"), None)
        author_id = (event.author_id if event else None) or audit.author_id
        author = self.directory.users.get(author_id) if author_id else None
        if author is None:
            author = await self.whoami()
        return Message(
            id=str(event.id if event and event.id else audit.id or ""),
            ticket_id=tid,
            author=author.name,
            author_email=author.email or "",
            role=Role.AGENT,
            public=public,
            body=event.body if event and event.body is not None else body,
            created_at=audit.created_at or response.ticket.updated_at,
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
        tid = self._ticket_id(ticket_id)
        changes: dict[str, Any] = {}
        changes["assignee_id"] = (
            (await self._find_user(assignee.strip(), agents_only=True)).id
            if assignee and assignee.strip()
            else None
        )
        if group:
            changes["group_id"] = await self._group_id(group)
        return await self._updated(tid, changes)

    async def _group_id(self, name: str) -> int:
        if name.strip().isdigit():
            return int(name)
        found = self.directory.group_id(name)
        if found is None and not self._groups_loaded:
            async for page in self._pages("groups", {"page[size]": 100}, ZGroupPage):
                self.directory.groups.update((g.id, g) for g in page.groups)
            self._groups_loaded = True
            found = self.directory.group_id(name)
        if found is None:
            raise NotFound(f"no Zendesk group named {name!r}")
        return found

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        tid = self._ticket_id(ticket_id)
        current = await self._current(tid)
        tags = _merge_tags(current.tags, add or [], remove or [])
        return await self._updated(tid, {"tags": tags})

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
            changes["group_id"] = await self._group_id(group)
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
