"""Domain models shared by every layer.

Pydantic v2, no Textual, no httpx. Ids are opaque strings whatever the helpdesk
uses (integers, ObjectIds, …). All datetimes are timezone-aware UTC; naive
values are read as UTC so stores and APIs that drop the offset still work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from triage_tui.domain.clock import ensure_utc

# The vocabulary (Priority, Status, ...) is imported from ``enums``, its one home.
from triage_tui.domain.enums import ACTIVE_STATUSES, Priority, Role, SlaStage, Status

UtcDatetime = Annotated[datetime, AfterValidator(ensure_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="ignore", use_enum_values=False, defer_build=True)


class SlaTarget(_Model):
    """One SLA metric on a ticket, e.g. first reply time due at 14:05."""

    metric: str
    due_at: UtcDatetime
    stage: SlaStage = SlaStage.ACTIVE


class Organization(_Model):
    id: str
    name: str
    tier: str | None = None
    vip: bool = False


class Person(_Model):
    """A requester (or any helpdesk user)."""

    id: str
    name: str
    email: str = ""
    first_name: str = ""
    tier: str | None = None
    account_value: float | None = None
    created_at: UtcDatetime | None = None
    organization_id: str | None = None

    def model_post_init(self, __context: object) -> None:
        # The reply template greets by first name; derive it once when the
        # helpdesk does not store it separately.
        if not self.first_name:
            source = self.name.strip() or self.email.split("@", 1)[0]
            self.first_name = source.split()[0] if source.split() else ""


class Message(_Model):
    """One entry of a ticket's conversation."""

    id: str
    ticket_id: str
    author: str
    author_email: str = ""
    role: Role = Role.CUSTOMER
    public: bool = True
    body: str = ""
    created_at: UtcDatetime

    @property
    def is_note(self) -> bool:
        return not self.public


class Ticket(_Model):
    """A ticket as the queue shows it (no conversation)."""

    id: str
    subject: str = ""
    status: Status = Status.OPEN
    priority: Priority = Priority.NORMAL
    requester: Person
    organization: Organization | None = None
    assignee: str | None = None
    group: str | None = None
    tags: list[str] = Field(default_factory=list)
    channel: str = "email"
    created_at: UtcDatetime
    updated_at: UtcDatetime
    sla: list[SlaTarget] = Field(default_factory=list)
    # Helpdesk-specific concurrency token (Zendesk updated_stamp, RT's ETag…).
    version: str | None = None
    # A short excerpt of the first customer message, when the store has it
    # cheaply; used for free-text filtering and similar-incident clustering.
    excerpt: str = ""

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        return [t.strip() for t in tags if t and t.strip()]


class TicketDetail(_Model):
    """A ticket with its conversation, oldest message first."""

    ticket: Ticket
    messages: list[Message] = Field(default_factory=list)

    @property
    def customer_messages(self) -> list[Message]:
        return [m for m in self.messages if m.role is Role.CUSTOMER]

    @property
    def latest_customer_message(self) -> Message | None:
        customer = self.customer_messages
        return customer[-1] if customer else None


class PersonHistory(_Model):
    """A person and their tickets (most recent first), for the requester pane."""

    person: Person
    organization: Organization | None = None
    tickets: list[Ticket] = Field(default_factory=list)

    def earlier_tickets(self, current_ticket_id: str) -> list[Ticket]:
        return [t for t in self.tickets if t.id != current_ticket_id]

    def is_returning(self, current_ticket_id: str) -> bool:
        return bool(self.earlier_tickets(current_ticket_id))


class Article(_Model):
    """A knowledge-base article."""

    id: str
    title: str
    body: str = ""
    url: str = ""
    section: str = ""


class Escalation(_Model):
    """An escalation is never a helpdesk primitive: it is this composite.

    Adapters apply what they can (see ``Capabilities``) and always record the
    note, so the reason is never lost.
    """

    reason: str
    note: str = ""
    priority: Priority | None = None
    group: str | None = None
    tags: list[str] = Field(default_factory=list)


class NewTicket(_Model):
    """What ``triage create-ticket`` sends; how tickets arrive on the local helpdesk."""

    subject: str
    body: str
    requester_email: str
    requester_name: str = ""
    priority: Priority = Priority.NORMAL
    channel: str = "email"
    tags: list[str] = Field(default_factory=list)


class Draft(_Model):
    """A reply being prepared for a ticket."""

    ticket_id: str
    body: str
    template: str = "default"
    article_id: str | None = None
    created_at: UtcDatetime


class QueueFilter(_Model):
    """What an adapter is asked to list. Richer view filters run in the domain."""

    statuses: frozenset[Status] = ACTIVE_STATUSES
    assignee: str | None = None
    # Adapter-specific query (a Zendesk view id or search, an RT TicketSQL…).
    query: str | None = None


class Event(_Model):
    """One row of an event log (``reply.sent``, ``ticket.viewed``, …): the local
    helpdesk's own, or the engine's for helpdesks without one."""

    id: int
    name: str
    at: UtcDatetime
    ticket_id: str | None = None
    actor: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)
