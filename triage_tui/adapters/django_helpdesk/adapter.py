"""``django_helpdesk``: a django-helpdesk site through its DRF API (``/api/``).

The API is small: tickets (filterable by status number only), follow-ups,
and nothing to look up users, queues or knowledge-base items. So queue
scoping, the assignee filter and requester history are done here over the
ticket list; agent names come from the ``agents`` option; the KB is declared
unsupported (the console then uses a local KB if one is configured). Replies
and notes are follow-ups, sent without a ``title`` because a follow-up's
title renames its ticket.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import quote

from triage_tui.adapters.adapter_options import AdapterOptions
from triage_tui.adapters.base import Capabilities, Helpdesk
from triage_tui.adapters.django_helpdesk import translate
from triage_tui.adapters.django_helpdesk.options import DjangoHelpdeskOptions
from triage_tui.adapters.http import HttpClient, PageGuard
from triage_tui.adapters.snapshot_feed import SnapshotFeed
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch
from triage_tui.domain.clock import Clock
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import ConfigError, InvalidInput, NotFound, Unsupported
from triage_tui.domain.models import (
    Escalation,
    Message,
    PersonHistory,
    QueueFilter,
    Ticket,
    TicketDetail,
)


class DjangoHelpdesk(Helpdesk):
    name: ClassVar[str] = "django_helpdesk"
    display_name: ClassVar[str] = "django-helpdesk"
    capabilities: ClassVar[Capabilities] = Capabilities(
        internal_notes=True,
        tags=False,
        kb_search=False,
        kb_list=False,
        requester_history=True,
        assignment=True,
        groups=False,
        priority=True,
        safe_update=False,
        create_ticket=False,
        change_feed=True,
        change_feed_by_diff=True,
        directory=True,
    )
    options_model: ClassVar[type[AdapterOptions]] = DjangoHelpdeskOptions
    #: ``triage doctor``'s fixes, in django-helpdesk's terms.
    doctor_hints: ClassVar[dict[str, str]] = {
        "settings": "export TRIAGE_DJANGO_HELPDESK_URL=https://help.example.com, "
        "TRIAGE_DJANGO_HELPDESK_USER and TRIAGE_DJANGO_HELPDESK_PASSWORD",
        "credentials": "a 401 means a wrong user or password; a 403 that the user is not staff "
        "(the API requires is_staff)",
        "read tickets": "check TRIAGE_DJANGO_HELPDESK_QUEUES (queue ids)",
    }

    def __init__(self, options: AdapterOptions | None = None, clock: Clock | None = None) -> None:
        super().__init__(options, clock)
        #: No "changed since" listing in the API: the feed diffs re-reads of the queue.
        self._feed = SnapshotFeed(self.iter_queue, self.clock)
        assert isinstance(self.options, DjangoHelpdeskOptions)
        self.dh: DjangoHelpdeskOptions = self.options
        self.tr = translate.Translator(self.dh)
        self._http: HttpClient | None = None

    # -- lifecycle -----------------------------------------------------------
    async def open(self) -> None:
        if self._http is not None:
            return
        missing = self.dh.missing()
        if missing:
            raise ConfigError(f"the django_helpdesk adapter needs {' and '.join(missing)}")
        if self.dh.token is not None:
            token = self.dh.token.get_secret_value()
            headers, secrets = {"Authorization": f"Token {token}"}, [token]
        else:
            assert self.dh.user and self.dh.password
            password = self.dh.password.get_secret_value()
            basic = base64.b64encode(f"{self.dh.user}:{password}".encode()).decode()
            headers, secrets = {"Authorization": f"Basic {basic}"}, [password, basic]
        http = HttpClient(
            self.dh.api_url,
            service="django-helpdesk",
            auth_headers=headers,
            secrets=secrets,
            timeout=self.dh.timeout,
            clock=self.clock,
            detail_parser=translate.drf_detail,
        )
        try:
            # Fails here, in one line, on a wrong URL, password or a non-staff user.
            # Follow-ups, not tickets: django-helpdesk's ticket endpoints load the
            # custom fields of every ticket on each request, however few they return.
            await http.get("followups/", params={"page_size": 1})
        except BaseException:
            await http.aclose()
            raise
        self._http = http

    def missing_settings(self) -> list[str]:
        return self.dh.missing()

    def ticket_url(self, ticket_id: str) -> str | None:
        """django-helpdesk's staff page of the ticket (``/tickets/{id}/`` under its root)."""
        base = self.dh.web_url
        return f"{base}/tickets/{quote(ticket_id, safe='')}/" if base else None

    async def probe(self) -> str:
        """Staff access proven by one small request, for ``triage doctor``."""
        data = await self._call("GET", "followups/", params={"page_size": 1})
        return f"{self.dh.user or 'token'} (staff; {(data or {}).get('count', '?')} follow-ups)"

    async def close(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        if self._http is None:
            await self.open()
        assert self._http is not None
        return await self._http.request(method, path, **kw)

    async def _tickets(self, numbers: list[int] | None) -> AsyncIterator[dict[str, Any]]:
        """Raw tickets page by page (``numbers``: status filter; None for all), configured
        queues only."""
        params: dict[str, Any] = {"page_size": self.dh.page_size}
        if numbers is not None:
            params["status"] = ",".join(str(n) for n in numbers) or "0"
        page = 1
        guard = PageGuard("django-helpdesk", "ticket list")
        while True:
            guard.visit(str(page))
            data = await self._call("GET", "tickets/", params={**params, "page": page})
            results = (data or {}).get("results") or []
            for item in results:
                if (
                    isinstance(item, dict)
                    and (not self.dh.queues or translate._int(item.get("queue")) in self.dh.queues)
                    and ("id" not in item or guard.fresh(item["id"]))
                ):
                    yield item
            more = bool((data or {}).get("next"))
            guard.after(len(results), more)
            if not more:
                return
            page += 1

    # -- reads -------------------------------------------------------------------
    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """A diff of the active queue against the previous call's read
        (``adapters.snapshot_feed``): one queue read per call with nothing pending."""
        return await self._feed.changes_since(cursor, limit)

    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """Tickets with the wanted status numbers, then scoped and filtered here."""
        query = query or QueueFilter()
        assignee: int | None = None
        if query.assignee:
            assignee = self.tr.agent_id(query.assignee)
            if assignee is None:
                return  # nobody by that name can have tickets
        words = (query.query or "").strip().lower()
        now = self.clock.now()
        async for item in self._tickets(self.tr.numbers_for(query.statuses)):
            if assignee is not None and translate._int(item.get("assigned_to")) != assignee:
                continue
            if words and words not in f"{item.get('title')}\n{item.get('description')}".lower():
                continue
            ticket = self.tr.ticket(item, now)
            if ticket.status in query.statuses:
                yield ticket

    async def _raw(self, ticket_id: str) -> dict[str, Any]:
        tid = _numeric(ticket_id)
        data = await self._call(
            "GET", f"tickets/{tid}/", not_found=f"django-helpdesk ticket {ticket_id} not found"
        )
        return dict(data or {})

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        item = await self._raw(ticket_id)
        ticket = self.tr.ticket(item, self.clock.now())
        return TicketDetail(ticket=ticket, messages=self.tr.messages(item, ticket))

    async def get_person(self, person_id: str) -> PersonHistory:
        """A submitter by email: their tickets in the configured queues, newest first.

        The API cannot filter by submitter, so this scans the ticket list (at
        most ``history_limit`` tickets).
        """
        email = str(person_id).strip().lower()
        now = self.clock.now()
        found: list[tuple[Ticket, dict[str, Any]]] = []
        scanned = 0
        if "@" in email:
            async for item in self._tickets(None):
                scanned += 1
                if str(item.get("submitter_email") or "").strip().lower() == email:
                    found.append((self.tr.ticket(item, now), item))
                if scanned >= self.dh.history_limit:
                    break
        if not found:
            raise NotFound(f"django-helpdesk has no tickets from {person_id}")
        found.sort(key=lambda pair: pair[0].created_at, reverse=True)
        # The newest ticket that carries a name says who they are now.
        newest = next((item for _, item in found if self.tr.has_name(item)), found[0][1])
        return PersonHistory(
            person=self.tr.person(newest),
            organization=self.tr.organization(newest),
            tickets=[t for t, _ in found],
        )

    # -- writes ------------------------------------------------------------------
    async def _follow_up(self, ticket_id: str, body: str, public: bool, **extra: Any) -> Any:
        tid = _numeric(ticket_id)
        payload = {
            "ticket": int(tid),
            "comment": translate.template_safe(body),
            "public": public,
            **extra,
        }
        try:
            return await self._call("POST", "followups/", json_body=payload)
        except InvalidInput:
            await self._raw(tid)  # an unknown ticket is a 400 here; say NotFound
            raise

    async def _message(self, ticket_id: str, body: str, public: bool) -> Message:
        if not body or not body.strip():
            raise InvalidInput("the message is empty")
        followup = await self._follow_up(ticket_id, body, public)
        ticket = (await self.get_ticket(ticket_id)).ticket
        message = self.tr.message(followup or {}, ticket)
        if message.author.startswith("user ") and self.dh.user:
            message.author = self.dh.user
        return message

    async def reply(self, ticket_id: str, body: str) -> Message:
        """A public follow-up (django-helpdesk mails it to the submitter)."""
        return await self._message(ticket_id, body, public=True)

    async def add_note(self, ticket_id: str, body: str) -> Message:
        """A private follow-up, for staff only."""
        return await self._message(ticket_id, body, public=False)

    async def _patch(self, ticket_id: str, changes: dict[str, Any]) -> Ticket:
        tid = _numeric(ticket_id)
        if changes:
            await self._call(
                "PATCH",
                f"tickets/{tid}/",
                json_body=changes,
                not_found=f"django-helpdesk ticket {ticket_id} not found",
            )
        return (await self.get_ticket(tid)).ticket

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        """A status change is a follow-up with ``new_status`` (history, resolution, mail);
        ``on_hold`` a PATCH."""
        status = status if isinstance(status, Status) else Status.parse(str(status))
        item = await self._raw(ticket_id)
        current = translate._int(item.get("status"))
        number, hold = self.tr.wire_status(status, current)
        if number != current:
            await self._follow_up(ticket_id, "", public=False, new_status=number)
        changes = {"on_hold": hold} if bool(item.get("on_hold")) != hold else {}
        return await self._patch(ticket_id, changes)

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        priority = priority if isinstance(priority, Priority) else Priority.parse(str(priority))
        return await self._patch(ticket_id, {"priority": self.tr.wire_priority(priority)})

    async def agents(self) -> list[str]:
        """The ``agents`` option's names: django-helpdesk's API cannot list users (its
        ``/api/users/`` only creates them), and these are the names ``assign`` takes."""
        return sorted(self.dh.agents, key=str.casefold)

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        """``assigned_to`` by agent name (the ``agents`` option) or user id; None unassigns."""
        if group:
            raise Unsupported("django-helpdesk adapter does not move tickets between queues")
        user_id: int | None = None
        if assignee is not None and assignee.strip():
            user_id = self.tr.agent_id(assignee)
            if user_id is None:
                known = ", ".join(sorted(self.dh.agents)) or "none configured"
                raise InvalidInput(
                    f"unknown agent {assignee!r} (django_helpdesk agents option: {known})"
                )
        return await self._patch(ticket_id, {"assigned_to": user_id})

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        """A private follow-up with the reason, then open (off hold) and the priority."""
        if not escalation.reason.strip():
            raise InvalidInput("the escalation reason is empty")
        note = f"Escalated: {escalation.reason.strip()}"
        if escalation.note.strip():
            note += "\n\n" + escalation.note.strip()
        await self.add_note(ticket_id, note)
        ticket = await self.set_status(ticket_id, Status.OPEN)
        if escalation.priority is not None and escalation.priority is not ticket.priority:
            ticket = await self.set_priority(ticket_id, escalation.priority)
        return ticket


def _numeric(ticket_id: str) -> str:
    tid = str(ticket_id).strip().lstrip("#")
    if not tid.isdigit():
        raise NotFound(f"django-helpdesk ticket {ticket_id} not found")
    return str(int(tid))
