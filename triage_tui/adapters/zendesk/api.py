"""Typed calls to the Zendesk API: requests in, wire models out; no domain models.

Separate from ``adapter`` so the adapter reads as "what each operation means"
while this module holds "how Zendesk wants to be asked": auth headers, paging,
side-loads, user and group lookups, the update body with ``safe_update``.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from triage_tui.adapters.http import HttpClient, PageGuard, Sleep
from triage_tui.adapters.wire_records import WireReader
from triage_tui.adapters.zendesk.options import ZendeskOptions
from triage_tui.adapters.zendesk.translate import Directory
from triage_tui.adapters.zendesk.wire import (
    ZArticle,
    ZArticleSearch,
    ZComment,
    ZCommentPage,
    ZCustomRole,
    ZGroupPage,
    ZIncrementalPage,
    ZOrganization,
    ZTicket,
    ZTicketPage,
    ZUpdateResponse,
    ZUser,
    ZUserList,
    ZUserPage,
    ZUserResponse,
    error_detail,
)
from triage_tui.domain.clock import Clock
from triage_tui.domain.errors import AuthError, ConfigError, InvalidInput, NotFound

if TYPE_CHECKING:
    import httpx

M = TypeVar("M", bound=BaseModel)

#: Side-loads that make a ticket page self-contained (no request per row).
SIDELOADS = "users,organizations,groups,slas"
AGENT_ROLES = ("agent", "admin")


class ZendeskApi:
    """One account's API: the httpx client (built lazily) and the side-load ``Directory``."""

    def __init__(
        self,
        options: ZendeskOptions,
        clock: Clock,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.options = options
        self.clock = clock
        self.directory = Directory()
        self.reader = WireReader("Zendesk")
        self._transport = transport
        self._sleep = sleep
        self._http: HttpClient | None = None
        self._me: ZUser | None = None
        self._groups_loaded = False

    @property
    def http(self) -> HttpClient:
        """Built on first use, so a missing setting fails as one ``ConfigError`` line."""
        if self._http is None:
            missing = self.options.missing()
            if missing:
                raise ConfigError(f"Zendesk needs {'; '.join(missing)} (see `triage doctor`)")
            self._http = self._client()
        return self._http

    def _client(self) -> HttpClient:
        o = self.options
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

    async def aclose(self) -> None:
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    # -- plumbing ------------------------------------------------------------------
    def parse(self, model: type[M], data: Any, what: str, *, strict: bool = False) -> M:
        """One answer as ``model`` (``WireReader.parse``: malformed records left out)."""
        return self.reader.parse(model, data, what, strict=strict)

    async def pages(
        self, url: str, params: dict[str, Any], model: type[M], what: str = "listing"
    ) -> AsyncIterator[M]:
        """Follow cursor (``meta.has_more`` + ``links.next``) or offset (``next_page``) paging.

        Guarded (``PageGuard``): a link or cursor that repeats, an empty page
        that still links onward or too many pages end the listing with one line.
        """
        guard = PageGuard("Zendesk", what)
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        while next_url:
            guard.visit(self.http.page_key(next_url, next_params))  # a bad link fails here
            data = await self.http.get(next_url, params=next_params)
            page = self.parse(model, data, "page")
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
            if next_url:
                self.http.page_key(next_url, next_params)  # a link's own error comes first
            guard.after(_items(page), more=bool(next_url))

    # -- tickets --------------------------------------------------------------------
    async def show(self, tid: str) -> ZTicket:
        """``show_many`` for one id: the list form honours ``include=slas``."""
        data = await self.http.get("tickets/show_many", params={"ids": tid, "include": SIDELOADS})
        page = self.parse(ZTicketPage, data, "ticket", strict=True)
        self.directory.absorb(page)
        if not page.tickets:
            raise NotFound(f"Zendesk ticket {tid} not found")
        return page.tickets[0]

    async def comments(self, tid: str) -> list[ZComment]:
        """Every comment, oldest first, cursor-paged, with the authors side-loaded."""
        out: list[ZComment] = []
        params = {"page[size]": 100, "include": "users"}
        async for page in self.pages(f"tickets/{tid}/comments", params, ZCommentPage):
            self.directory.users.update((u.id, u) for u in page.users)
            out += page.comments
        return out

    async def update(self, tid: str, ticket: dict[str, Any]) -> ZUpdateResponse:
        data = await self.http.request(
            "PUT",
            f"tickets/{tid}",
            json_body={"ticket": ticket},
            not_found=f"Zendesk ticket {tid} not found",
            conflict=f"Zendesk ticket {tid} was changed by someone else since it was loaded; "
            "reload it and try again",
        )
        return self.parse(ZUpdateResponse, data, "update response")

    async def incremental(
        self, *, cursor: str | None, start_time: int | None, per_page: int
    ) -> ZIncrementalPage:
        """One page of the cursor-based incremental ticket export, from ``cursor``
        or (the first call) from ``start_time`` (Unix seconds, at least a minute ago).
        Zendesk limits these exports to 10 requests a minute: its 429s are waited out
        by the shared client, like any other."""
        params: dict[str, Any] = {"per_page": per_page}
        if cursor is not None:
            params["cursor"] = cursor
        else:
            params["start_time"] = start_time
        data = await self.http.get("incremental/tickets/cursor", params=params)
        return self.parse(ZIncrementalPage, data, "incremental export")

    async def requested(self, user_id: int, limit: int) -> list[ZTicket]:
        """The user's most recent requested tickets (one offset page, newest first)."""
        params = {"sort_by": "created_at", "sort_order": "desc", "per_page": limit}
        data = await self.http.get(
            f"users/{user_id}/tickets/requested", params={**params, "include": SIDELOADS}
        )
        page = self.parse(ZTicketPage, data, "ticket list")
        self.directory.absorb(page)
        return page.tickets

    # -- people and groups ----------------------------------------------------------
    async def find_user(self, who: str, *, agents_only: bool) -> ZUser:
        """By id, else the one user whose email or name is exactly ``who``."""
        kind = "agent" if agents_only else "user"
        if not who:
            raise InvalidInput(f"no Zendesk {kind} given")
        if who.isdigit():
            data = await self.http.get(
                f"users/{who}",
                params={"include": "organizations"},
                not_found=f"Zendesk {kind} {who} not found",
            )
            found = self.parse(ZUserResponse, data, "user")
            self.directory.orgs.update((o.id, o) for o in found.organizations)
            self.directory.users[found.user.id] = found.user
            return found.user
        data = await self.http.get("users/search", params={"query": who})
        users = self.parse(ZUserList, data, "user list").users
        if agents_only:
            users = [u for u in users if u.role in AGENT_ROLES]
        key = who.lower()
        exact = [u for u in users if (u.email or "").lower() == key or u.name.lower() == key]
        if len(exact) != 1:
            if not exact:
                raise NotFound(f"no Zendesk {kind} matches {who!r}")
            raise InvalidInput(f"{len(exact)} Zendesk {kind}s match {who!r}; use the id")
        self.directory.users[exact[0].id] = exact[0]
        return exact[0]

    async def organization(self, org_id: int) -> ZOrganization:
        known = self.directory.orgs.get(org_id)
        if known is not None:
            return known
        data = await self.http.get(
            f"organizations/{org_id}", not_found=f"Zendesk organization {org_id} not found"
        )
        org = self.parse(ZOrganization, (data or {}).get("organization"), "organization")
        self.directory.orgs[org.id] = org
        return org

    async def load_groups(self) -> None:
        """Every group (``GET /groups``, cursor-paged), once per connection."""
        if not self._groups_loaded:
            async for page in self.pages("groups", {"page[size]": 100}, ZGroupPage, "groups"):
                self.directory.groups.update((g.id, g) for g in page.groups)
            self._groups_loaded = True

    async def agents(self) -> list[ZUser]:
        """Agents and admins (``GET /users?role[]=agent&role[]=admin``, cursor-paged)."""
        found: list[ZUser] = []
        params = {"role[]": list(AGENT_ROLES), "page[size]": 100}
        async for page in self.pages("users", params, ZUserPage, "agents"):
            found += [u for u in page.users if u.role in AGENT_ROLES]
        self.directory.users.update((u.id, u) for u in found)
        return found

    async def group_id(self, name: str) -> int:
        if name.strip().isdigit():
            return int(name)
        found = self.directory.group_id(name)
        if found is None and not self._groups_loaded:
            await self.load_groups()
            found = self.directory.group_id(name)
        if found is None:
            raise NotFound(f"no Zendesk group named {name!r}")
        return found

    async def me(self) -> ZUser:
        """The authenticated user (cached): proves the credentials."""
        if self._me is None:
            data = await self.http.get("users/me")
            raw = data.get("user") if isinstance(data, dict) else None
            if not isinstance(raw, dict) or not raw.get("id"):
                # Zendesk answers an unauthenticated /users/me with an anonymous user.
                raise AuthError(
                    "Zendesk treated the request as anonymous: the credentials were not accepted"
                )
            self._me = self.parse(ZUser, raw, "user")
            self.directory.users[self._me.id] = self._me
        return self._me

    async def comment_access(self, role_id: int) -> str | None:
        """``public``/``private`` from the agent's custom role; None if it cannot be read."""
        try:
            data = await self.http.get(f"custom_roles/{role_id}")
        except (AuthError, NotFound):
            return None
        role = self.parse(ZCustomRole, (data or {}).get("custom_role"), "custom role")
        access = role.configuration.get("comment_access")
        return str(access) if access is not None else None

    # -- Help Center ----------------------------------------------------------------
    async def search_articles(self, query: str, limit: int) -> list[ZArticle]:
        params = {"query": query, "locale": self.options.locale, "per_page": min(limit, 100)}
        data = await self.http.get(
            "help_center/articles/search",
            params=params,
            not_found="Zendesk Help Center is not available on this account",
        )
        return self.parse(ZArticleSearch, data, "article search").results[:limit]


def _items(page: BaseModel) -> int:
    """How many records a page carried: its first list field (``users`` may be a side-load)."""
    for name in ("tickets", "results", "comments", "groups", "users"):
        value = getattr(page, name, None)
        if isinstance(value, list):
            return len(value)
    return 0
