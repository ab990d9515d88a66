"""A tiny adapter for ``tests.fakes.faulty``: httpx, with the project's error mapping.

Deliberately small and independent of ``triage_tui.adapters.http`` (which
retries on its own): the outbox must be proven against raw faults, with no
layer underneath smoothing them over. It maps the wire the way every adapter
must — connection errors and timeouts to ``Unreachable``, 429 to
``RateLimited`` with ``Retry-After`` parsed (seconds or HTTP date), 409 to
``Conflict``, 5xx to ``HelpdeskError(status=…)``, other 4xx to their kinds —
and sends ``write_context`` hints: the entry key as ``X-Trace`` (for counting
effects) and, when declared, as ``Idempotency-Key``; the expected version as
``If-Match``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

from triage_tui.adapters import write_context
from triage_tui.adapters.adapter_options import AdapterOptions
from triage_tui.adapters.base import Capabilities, Helpdesk
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import (
    AuthError,
    Conflict,
    HelpdeskError,
    InvalidInput,
    NotFound,
    RateLimited,
    Unreachable,
)
from triage_tui.domain.models import (
    Escalation,
    Message,
    PersonHistory,
    QueueFilter,
    Ticket,
    TicketDetail,
)


class FaultyOptions(AdapterOptions):
    url: str = "http://127.0.0.1:9"
    timeout: float = 0.5


class FaultyHelpdesk(Helpdesk):
    name: ClassVar[str] = "faulty"
    display_name: ClassVar[str] = "Faulty"
    capabilities: ClassVar[Capabilities] = Capabilities(
        kb_search=False, kb_list=False, groups=True, safe_update=False, idempotency=False
    )
    options_model: ClassVar[type[AdapterOptions]] = FaultyOptions

    def __init__(self, options: AdapterOptions | None = None, clock: Any = None) -> None:
        super().__init__(options, clock)
        self._client: httpx.AsyncClient | None = None

    @property
    def opts(self) -> FaultyOptions:
        assert isinstance(self.options, FaultyOptions)
        return self.options

    async def open(self) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.opts.url, timeout=self.opts.timeout)
        await self._call("GET", "/api/health")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def _call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.opts.url, timeout=self.opts.timeout)
        headers: dict[str, str] = {}
        key = write_context.idempotency_key()
        if key:
            headers["X-Trace"] = key
            if self.capabilities.idempotency:
                headers["Idempotency-Key"] = key
        version = write_context.expected_version()
        if version and self.capabilities.safe_update:
            headers["If-Match"] = version
        try:
            response = await self._client.request(
                method, path, json=body, params=params, headers=headers
            )
        except httpx.TimeoutException:
            raise Unreachable(
                f"faulty helpdesk did not answer {method} {path} within {self.opts.timeout:g} s"
            ) from None
        except httpx.TransportError as exc:
            raise Unreachable(
                f"cannot reach the faulty helpdesk: {exc or type(exc).__name__}"
            ) from None
        status = response.status_code
        if status < 300:
            return response.json()
        try:
            detail = response.json().get("error", "")
        except ValueError:
            detail = response.text[:200]
        message = f"faulty helpdesk answered {status} to {method} {path}: {detail}"
        if status == 429:
            raise RateLimited(message, retry_after=self._retry_after(response))
        if status == 409:
            raise Conflict(message)
        if status == 404:
            raise NotFound(message)
        if status in (400, 422):
            raise InvalidInput(message)
        if status in (401, 403):
            raise AuthError(message)
        raise HelpdeskError(message, status=status)

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        when = parsedate_to_datetime(value)
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return max(0.0, (when - self.clock.now()).total_seconds())

    # -- reads -------------------------------------------------------------
    async def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        statuses = ",".join(s.value for s in (query or QueueFilter()).statuses)
        data = await self._call("GET", "/api/tickets", params={"status": statuses})
        for row in data["tickets"]:
            yield Ticket.model_validate(row)

    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        data = await self._call("GET", f"/api/tickets/{ticket_id}")
        return TicketDetail(
            ticket=Ticket.model_validate(data["ticket"]),
            messages=[Message.model_validate(m) for m in data["messages"]],
        )

    async def get_person(self, person_id: str) -> PersonHistory:
        data = await self._call("GET", f"/api/people/{person_id}")
        return PersonHistory(person=data["person"], tickets=data["tickets"])

    # -- writes ------------------------------------------------------------
    async def reply(self, ticket_id: str, body: str) -> Message:
        data = await self._call(
            "POST", f"/api/tickets/{ticket_id}/messages", {"body": body, "public": True}
        )
        return Message.model_validate(data["message"])

    async def add_note(self, ticket_id: str, body: str) -> Message:
        data = await self._call(
            "POST", f"/api/tickets/{ticket_id}/messages", {"body": body, "public": False}
        )
        return Message.model_validate(data["message"])

    async def _patch(self, ticket_id: str, body: dict[str, Any]) -> Ticket:
        data = await self._call("PATCH", f"/api/tickets/{ticket_id}", body)
        return Ticket.model_validate(data["ticket"])

    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        return await self._patch(ticket_id, {"status": Status(status).value})

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        return await self._patch(ticket_id, {"priority": Priority(priority).value})

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        body: dict[str, Any] = {"assignee": assignee}
        if group is not None:
            body["group"] = group
        return await self._patch(ticket_id, body)

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        return await self._patch(ticket_id, {"add_tags": add or [], "remove_tags": remove or []})

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        data = await self._call(
            "POST", f"/api/tickets/{ticket_id}/escalate", escalation.model_dump(mode="json")
        )
        return Ticket.model_validate(data["ticket"])


class IdempotentFaultyHelpdesk(FaultyHelpdesk):
    """The same helpdesk with an idempotency mechanism and optimistic concurrency."""

    name: ClassVar[str] = "faulty-idem"
    capabilities: ClassVar[Capabilities] = Capabilities(
        kb_search=False, kb_list=False, groups=True, safe_update=True, idempotency=True
    )
