"""``rt``: Request Tracker 5 through its REST2 API (``/REST/2.0``).

What RT calls things, and how they map: a ticket's ``Due`` is its SLA
deadline (1970 means unset); its history's Create/Correspond/Comment
transactions are the conversation (Comment = internal note); requesters are
RT users (``RealName``, ``Organization``); queues are the console's groups,
so escalating to a group moves the ticket to that queue; articles are the
knowledge base. RT answers most updates with 200 and a list of lines, one per
field, refusals included; those refusals become ``InvalidInput``/``AuthError``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

from triage_tui.adapters.adapter_options import AdapterOptions
from triage_tui.adapters.base import Capabilities, Helpdesk
from triage_tui.adapters.http import HttpClient, PageGuard
from triage_tui.adapters.rt import changes as rt_changes
from triage_tui.adapters.rt import translate
from triage_tui.adapters.rt.articles import RtArticles
from triage_tui.adapters.rt.options import RtOptions
from triage_tui.adapters.rt.people import RtPeople
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.errors import ConfigError, InvalidInput, NotFound
from triage_tui.domain.models import Escalation, Message, QueueFilter, Ticket, TicketDetail

_ACTIVE_DEFAULT = frozenset(s for s in Status if s.is_active)


class RtHelpdesk(RtPeople, RtArticles, Helpdesk):
    name: ClassVar[str] = "rt"
    display_name: ClassVar[str] = "RT"
    capabilities: ClassVar[Capabilities] = Capabilities(
        internal_notes=True,
        tags=False,
        kb_search=True,
        kb_list=True,
        requester_history=True,
        assignment=True,
        groups=True,
        priority=True,
        safe_update=False,
        create_ticket=False,
        change_feed=True,
        directory=True,
    )
    options_model: ClassVar[type[AdapterOptions]] = RtOptions
    #: ``triage doctor``'s fixes, in RT's terms.
    doctor_hints: ClassVar[dict[str, str]] = {
        "settings": "export TRIAGE_RT_URL=https://rt.example.com and TRIAGE_RT_TOKEN=… "
        "(RT: Logged in as … › Settings › Auth Tokens)",
        "credentials": "a 401 means the token or password is wrong or revoked",
        "read tickets": "the user needs SeeQueue and ShowTicket on the configured queues; "
        "check TRIAGE_RT_QUEUES and TRIAGE_RT_QUERY",
        "read KB": "the user needs SeeClass and ShowArticle on the article classes",
    }

    def __init__(self, options: AdapterOptions | None = None, clock: Clock | None = None) -> None:
        super().__init__(options, clock)
        assert isinstance(self.options, RtOptions)
        self.rt: RtOptions = self.options
        self.tr = translate.Translator(self.rt)
        self._http: HttpClient | None = None
        self._privileged: dict[str, bool] = {}
        self._classes: dict[str, str] | None = None

    # -- lifecycle -----------------------------------------------------------
    async def open(self) -> None:
        if self._http is not None:
            return
        missing = self.rt.missing()
        if missing:
            raise ConfigError(f"the rt adapter needs {' and '.join(missing)}")
        if self.rt.token is not None:
            token = self.rt.token.get_secret_value()
            headers, secrets = {"Authorization": f"token {token}"}, [token]
        else:
            assert self.rt.user and self.rt.password
            password = self.rt.password.get_secret_value()
            basic = base64.b64encode(f"{self.rt.user}:{password}".encode()).decode()
            headers, secrets = {"Authorization": f"Basic {basic}"}, [password, basic]
        http = HttpClient(
            self.rt.api_url,
            service="RT",
            auth_headers=headers,
            secrets=secrets,
            timeout=self.rt.timeout,
            clock=self.clock,
        )
        try:
            # One cheap authenticated call, so a wrong URL or token fails here
            # with one line instead of in the middle of the first queue page.
            await http.get("rt")
        except BaseException:
            await http.aclose()
            raise
        self._http = http

    def missing_settings(self) -> list[str]:
        return self.rt.missing()

    def ticket_url(self, ticket_id: str) -> str | None:
        """RT's own display page of the ticket (``/Ticket/Display.html?id={id}``)."""
        base = self.rt.web_url
        return f"{base}/Ticket/Display.html?id={quote(ticket_id, safe='')}" if base else None

    async def probe(self) -> str:
        """Which RT and which user (an auth token starts ``<n>-<user id>-``), for ``triage
        doctor``."""
        about = await self._call("GET", "rt")
        who = self.rt.user
        if who is None and self.rt.token is not None:
            parts = self.rt.token.get_secret_value().split("-")
            if len(parts) >= 3 and parts[1].isdigit():
                user = await self._call("GET", f"user/{parts[1]}")
                who = str((user or {}).get("Name") or "") or None
        return f"RT {(about or {}).get('Version', '?')} as {who or 'the token owner'}"

    async def close(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    async def _client(self) -> HttpClient:
        if self._http is None:
            await self.open()
        assert self._http is not None
        return self._http

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        return await (await self._client()).request(method, path, **kw)

    async def _pages(
        self, path: str, params: Mapping[str, Any], body: Any = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item of a REST2 collection, page by page (``body``: a JSON search, POSTed)."""
        page = 1
        guard = PageGuard("RT", "listing")
        while True:
            guard.visit(str(page))
            query = {**params, "page": page, "per_page": self.rt.page_size}
            if body is None:
                data = await self._call("GET", path, params=query)
            else:
                data = await self._call("POST", path, params=query, json_body=body)
            items = [i for i in (data or {}).get("items") or [] if isinstance(i, dict)]
            for item in items:
                # Pages shift under a changing queue: each record once.
                if "id" not in item or guard.fresh(item["id"]):
                    yield item
            pages = (data or {}).get("pages")
            done = page >= pages if isinstance(pages, int) else len(items) < self.rt.page_size
            if done or not items:
                return
            page += 1

    # -- TicketSQL -------------------------------------------------------------
    def _scope(self) -> str:
        """The configured queues as a TicketSQL clause ("" for all queues)."""
        if not self.rt.queues:
            return ""
        return "(" + " OR ".join(f"Queue = {translate.sql_quote(q)}" for q in self.rt.queues) + ")"

    def _queue_sql(self, query: QueueFilter) -> str:
        clauses = [self._scope()]
        if frozenset(query.statuses) == _ACTIVE_DEFAULT:
            clauses.append("Status = '__Active__'")  # honours custom lifecycles
        else:
            statuses = self.tr.rt_statuses(query.statuses) or ["__none__"]
            clauses.append(
                "(" + " OR ".join(f"Status = {translate.sql_quote(s)}" for s in statuses) + ")"
            )
        if query.assignee:
            who = translate.sql_quote(query.assignee.strip())
            clauses.append(
                f"(Owner.Name = {who} OR Owner.RealName = {who} OR Owner.EmailAddress = {who})"
            )
        for extra in (self.rt.query, query.query):
            if extra and extra.strip():
                clauses.append(f"({extra.strip()})")
        return " AND ".join(c for c in clauses if c)

    async def _search(self, sql: str, orderby: str, order: str) -> AsyncIterator[Ticket]:
        """Every ticket of ``sql`` by ``orderby``, ties by ``id``: RT orders tickets tied
        on ``orderby`` (all those without a Due, say) afresh on each page's search unless
        given a second key, and a page could then repeat one ticket and miss another."""
        params: dict[str, Any] = {
            **translate.TICKET_PARAMS,
            "query": sql,
            "orderby": [orderby, "id"],
            "order": [order, "ASC"],
        }
        async for item in self._pages("tickets", params):
            yield self.tr.ticket(item)

    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """TicketSQL ``LastUpdated >= T`` in the configured queues (``adapters.rt.changes``):
        usually one request a poll."""

        async def search(params: Mapping[str, Any]) -> tuple[Any, datetime | None]:
            http = await self._client()
            data = await http.request("GET", "tickets", params=dict(params))
            return data, http.server_date

        return await rt_changes.changes_since(search, self._scope(), cursor, limit)

    # -- reads -------------------------------------------------------------------
    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """TicketSQL (configured queues + statuses + assignee + extra SQL), soonest Due first."""
        async for ticket in self._search(self._queue_sql(query or QueueFilter()), "Due", "ASC"):
            yield ticket

    async def _ticket(self, ticket_id: str) -> Ticket:
        tid = _numeric(ticket_id)
        async for ticket in self._search(f"id = {tid}", "id", "ASC"):
            return ticket
        # TicketSQL never finds deleted tickets; the record itself still answers
        # (with related users and queue as bare ids).
        item = await self._call(
            "GET", f"ticket/{tid}", not_found=f"RT ticket {ticket_id} not found"
        )
        return self.tr.ticket(item or {})

    async def _all(
        self, path: str, params: Mapping[str, Any], body: Any = None
    ) -> list[dict[str, Any]]:
        return [item async for item in self._pages(path, params, body)]

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        """The ticket, its history and the message parts: two round trips of parallel requests.

        Every REST2 request pays RT's bcrypt check of the credential (about
        0.3 s at RT's default cost), so independent requests go out together.
        """
        tid = _numeric(ticket_id)
        history_params = {
            "fields": "Type,Creator,Created",
            "fields[Creator]": "Name,RealName,EmailAddress",
        }
        ticket, history = await asyncio.gather(
            self._ticket(tid), self._all(f"ticket/{tid}/history", history_params)
        )
        txns = [t for t in history if t.get("Type") in translate.MESSAGE_TYPES]
        parts = await self._parts(ticket.id, [int(t["id"]) for t in txns])
        requesters = {ticket.requester.id.lower()}
        messages = []
        for txn in txns:
            role = await self._role(txn, requesters)
            messages.append(translate.message(ticket.id, txn, parts.get(str(txn["id"]), []), role))
        messages.sort(key=lambda m: (m.created_at, int(m.id) if m.id.isdigit() else 0))
        return TicketDetail(ticket=ticket, messages=messages)

    async def _parts(self, ticket_id: str, ids: list[int]) -> dict[str, list[dict[str, Any]]]:
        """Attachments of the message transactions: text parts with content, files by name only."""
        if not ids:
            return {}
        in_txns = {"field": "TransactionId", "operator": "IN", "value": ids}
        path = f"ticket/{ticket_id}/attachments"
        text, files = await asyncio.gather(
            self._all(
                path,
                {"fields": "TransactionId,ContentType,Filename,Content"},
                [in_txns, {"field": "ContentType", "operator": "LIKE", "value": "text/"}],
            ),
            self._all(
                path,
                {"fields": "TransactionId,ContentType,Filename"},
                [in_txns, {"field": "Filename", "operator": "!=", "value": ""}],
            ),
        )
        by_txn: dict[str, dict[str, dict[str, Any]]] = {}
        for part in [*text, *files]:
            by_txn.setdefault(str(part.get("TransactionId") or ""), {}).setdefault(
                str(part.get("id")), part
            )
        return {
            txn: sorted(parts.values(), key=lambda p: int(p.get("id") or 0))
            for txn, parts in by_txn.items()
        }

    # -- writes ------------------------------------------------------------------
    async def _exists(self, tid: str) -> None:
        await self._call("GET", f"ticket/{tid}", not_found=f"RT ticket {tid} not found")

    async def _post_message(self, ticket_id: str, body: str, kind: str) -> Message:
        if not body or not body.strip():
            raise InvalidInput("the message is empty")
        tid = _numeric(ticket_id)
        try:
            answer = await self._call(
                "POST",
                f"ticket/{tid}/{kind.lower()}",
                json_body={"Content": body, "ContentType": "text/plain"},
                not_found=f"RT ticket {tid} not found",
            )
        except InvalidInput:
            # RT says 400 "Message could not be recorded" for a missing ticket too.
            await self._exists(tid)
            raise
        translate.raise_refusals(tid, answer)
        # REST2 does not return the transaction; the newest one of this type is it.
        params = {
            "fields": "Type,Creator,Created",
            "fields[Creator]": "Name,RealName,EmailAddress",
            "orderby": "id",
            "order": "DESC",
            "per_page": 20,
        }
        data = await self._call("GET", f"ticket/{tid}/history", params=params)
        for txn in (data or {}).get("items") or []:
            if txn.get("Type") == kind:
                return translate.message(
                    tid, txn, [{"ContentType": "text/plain", "Content": body}], Role.AGENT
                )
        raise InvalidInput(f"RT did not record the {kind.lower()} on ticket {tid}: {answer}")

    async def reply(self, ticket_id: str, body: str) -> Message:
        """``POST /ticket/:id/correspond``: RT mails it to the requesters."""
        return await self._post_message(ticket_id, body, "Correspond")

    async def add_note(self, ticket_id: str, body: str) -> Message:
        """``POST /ticket/:id/comment``: visible to staff only."""
        return await self._post_message(ticket_id, body, "Comment")

    async def _update(self, ticket_id: str, changes: dict[str, Any]) -> Ticket:
        """``PUT /ticket/:id``, then read it back: the 200 lists refusals line by line."""
        tid = _numeric(ticket_id)
        if changes:
            answer = await self._call(
                "PUT", f"ticket/{tid}", json_body=changes, not_found=f"RT ticket {tid} not found"
            )
            translate.raise_refusals(tid, answer)
        return await self._ticket(tid)

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        status = status if isinstance(status, Status) else Status.parse(str(status))
        return await self._update(ticket_id, {"Status": self.tr.rt_status(status)})

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        priority = priority if isinstance(priority, Priority) else Priority.parse(str(priority))
        return await self._update(ticket_id, {"Priority": self.tr.rt_priority(priority)})

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        """Owner (an RT user name, email or real name; None: Nobody) and, with a group, the
        queue."""
        changes: dict[str, Any] = {"Owner": await self._owner(assignee)}
        if group and group.strip():
            changes["Queue"] = await self._queue(group)
        return await self._update(ticket_id, changes)

    async def groups(self) -> list[str]:
        """The queues this user can see (``GET /queues/all``): an escalation's group is a queue."""
        queues = self._pages("queues/all", {"fields": "Name"})
        names = [str(q.get("Name") or "") async for q in queues]
        return sorted({n for n in names if n}, key=str.casefold)

    async def _queue(self, name: str) -> str:
        """A queue that exists: RT applies a PUT field by field, so a bad queue is refused up
        front."""
        try:
            await self._call("GET", f"queue/{quote(name.strip(), safe='')}")
        except NotFound:
            raise InvalidInput(
                f"RT has no queue {name.strip()!r} (or this user cannot see it)"
            ) from None
        return name.strip()

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        """A comment with the reason, then status open, priority and queue in one update."""
        if not escalation.reason.strip():
            raise InvalidInput("the escalation reason is empty")
        group = (escalation.group or "").strip()
        queue = await self._queue(group) if group else None
        note = f"Escalated: {escalation.reason.strip()}"
        if escalation.note.strip():
            note += "\n\n" + escalation.note.strip()
        await self.add_note(ticket_id, note)
        changes: dict[str, Any] = {"Status": self.tr.rt_status(Status.OPEN)}
        if escalation.priority is not None:
            changes["Priority"] = self.tr.rt_priority(escalation.priority)
        if queue:
            changes["Queue"] = queue
        return await self._update(ticket_id, changes)


def _numeric(ticket_id: str) -> str:
    """RT ticket ids are numbers; anything else cannot exist (and must not reach TicketSQL)."""
    tid = str(ticket_id).strip().lstrip("#")
    if not tid.isdigit():
        raise NotFound(f"RT ticket {ticket_id} not found")
    return str(int(tid))
