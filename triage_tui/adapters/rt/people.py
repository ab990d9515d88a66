"""RT users: who wrote a message, a requester and their tickets, whom to assign to.

A mixin of ``RtHelpdesk`` (it uses the adapter's request helpers): users are
the part of REST2 with the most rules (summary fields only without
AdminUsers, lookups by name, email or real name, privileged or not).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from triage_tui.adapters.rt import translate
from triage_tui.domain.enums import Role
from triage_tui.domain.errors import InvalidInput, NotFound
from triage_tui.domain.models import PersonHistory, Ticket

if TYPE_CHECKING:
    from triage_tui.adapters.rt.translate import Translator


#: Users read when listing agents: REST2 cannot filter users on ``Privileged``,
#: so each user's record is read to tell agents from customers. Past this many,
#: names further down the list are not offered (``assign`` still takes them).
AGENT_SCAN = 300
#: User records read at once while listing agents.
AGENT_READS = 8


class RtPeople:
    """Requester history, message roles and owner lookup over REST2's users and TicketSQL."""

    tr: Translator
    _privileged: dict[str, bool]

    # Provided by RtHelpdesk.
    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        raise NotImplementedError

    def _pages(
        self, path: str, params: Mapping[str, Any], body: Any = None
    ) -> AsyncIterator[dict[str, Any]]:
        raise NotImplementedError

    def _search(self, sql: str, orderby: str, order: str) -> AsyncIterator[Ticket]:
        raise NotImplementedError

    def _scope(self) -> str:
        raise NotImplementedError

    async def _role(self, txn: Mapping[str, Any], requesters: set[str]) -> Role:
        creator = translate.mapping(txn.get("Creator"))
        name = str(creator.get("Name") or creator.get("id") or "")
        if name in translate.SYSTEM_USERS:
            return Role.SYSTEM
        if name.lower() in requesters:
            return Role.CUSTOMER
        return Role.AGENT if await self._is_privileged(name) else Role.CUSTOMER

    async def get_person(self, person_id: str) -> PersonHistory:
        """By RT user name or email; their tickets in the configured queues, newest first."""
        key = str(person_id).strip()
        if not key:
            raise NotFound("RT user '' not found")
        try:
            user = await self._call(
                "GET", f"user/{quote(key, safe='@')}", not_found=f"RT user {key} not found"
            )
        except NotFound:
            user = await self._user_by_email(key)
        email = str(user.get("EmailAddress") or "")
        if not email:
            raise NotFound(f"RT user {key} has no email address")
        sql = f"Requestor.EmailAddress = {translate.sql_quote(email)}"
        if self._scope():
            sql = f"{self._scope()} AND {sql}"
        tickets = [t async for t in self._search(sql, "Created", "DESC")]
        tickets.sort(key=lambda t: t.created_at, reverse=True)
        # Users without AdminUsers see only a user's summary fields, which
        # lack Organization; a ticket's expanded requester carries it.
        for ticket in tickets:
            if ticket.requester.email.lower() == email.lower():
                return PersonHistory(
                    person=ticket.requester, organization=ticket.organization, tickets=tickets
                )
        return PersonHistory(
            person=self.tr.person(user), organization=self.tr.organization(user), tickets=tickets
        )

    async def _user_by_email(self, email: str) -> dict[str, Any]:
        if "@" not in email:
            raise NotFound(f"RT user {email} not found")
        body = [{"field": "EmailAddress", "operator": "=", "value": email}]
        async for item in self._pages("users", {"fields": "Name"}, body):
            name = str(item.get("Name") or item.get("id"))
            return dict(await self._call("GET", f"user/{quote(name, safe='@')}"))
        raise NotFound(f"RT user {email} not found")

    async def _is_privileged(self, name: str) -> bool:
        if name not in self._privileged:
            try:
                user = await self._call("GET", f"user/{quote(name, safe='@')}")
                self._privileged[name] = bool(int(str((user or {}).get("Privileged") or 0)))
            except NotFound:
                self._privileged[name] = False
        return self._privileged[name]

    async def agents(self) -> list[str]:
        """Privileged users (``GET /users``, then each user's record), by real name or
        user name as a ticket's owner reads; the first ``AGENT_SCAN`` users."""
        users: list[tuple[str, str]] = []
        async for item in self._pages("users", {"fields": "Name,RealName"}):
            name = str(item.get("Name") or item.get("id") or "")
            if name and name not in translate.SYSTEM_USERS:
                users.append((name, str(item.get("RealName") or "")))
            if len(users) >= AGENT_SCAN:
                break
        found: list[str] = []
        for start in range(0, len(users), AGENT_READS):
            chunk = users[start : start + AGENT_READS]
            flags = await asyncio.gather(*(self._is_privileged(name) for name, _ in chunk))
            found += [real or name for (name, real), ok in zip(chunk, flags, strict=True) if ok]
        return sorted(set(found), key=str.casefold)

    async def _owner(self, assignee: str | None) -> str:
        if assignee is None or not assignee.strip() or assignee.strip() == translate.NOBODY:
            return translate.NOBODY
        who = assignee.strip()
        # One field at a time: REST2 ANDs limits on different fields.
        for field in ("Name", "EmailAddress", "RealName"):
            limit = [{"field": field, "operator": "=", "value": who}]
            matches = [u async for u in self._pages("users", {"fields": "Name"}, limit)]
            if len(matches) == 1:
                return str(matches[0].get("Name") or matches[0].get("id"))
            if len(matches) > 1:
                raise InvalidInput(f"more than one RT user is called {who!r}; use the user name")
        raise InvalidInput(f"no RT user {who!r} to assign the ticket to")
