"""Gleap wire models -> domain models.

Gleap's vocabulary differs from the domain's in three ways absorbed here:
statuses are per-project ids (``status_map``; "closed" is *archived*), the
requester is a *session* whose company is the organization, and the SLA is a
single ``dueDate`` plus a ``slaBreached`` flag.
"""

from __future__ import annotations

from triage_tui.adapters.gleap.options import GleapOptions
from triage_tui.adapters.gleap.wire import (
    GKnowledgeResult,
    GMessage,
    GSession,
    GTicket,
    doc_to_text,
)
from triage_tui.adapters.numbers import amount
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.models import Article, Message, Organization, Person, SlaTarget, Ticket

_PRIORITY_FROM = {"LOW": Priority.LOW, "MEDIUM": Priority.NORMAL, "HIGH": Priority.HIGH}
#: Gleap has three levels; urgent is sent as HIGH.
PRIORITY_TO = {
    Priority.LOW: "LOW",
    Priority.NORMAL: "MEDIUM",
    Priority.HIGH: "HIGH",
    Priority.URGENT: "HIGH",
}
#: When several domain statuses share one Gleap status, reading it back gives the first here.
_READ_PREFERENCE = (Status.OPEN, Status.PENDING, Status.SOLVED, Status.NEW, Status.ON_HOLD)


class Translator:
    def __init__(self, options: GleapOptions) -> None:
        self.options = options
        statuses = options.statuses
        self._status_from: dict[str, Status] = {}
        for status in _READ_PREFERENCE:
            self._status_from.setdefault(statuses[status.value].upper(), status)

    def wire_status(self, status: Status) -> str:
        return self.options.statuses[status.value]

    def status(self, ticket: GTicket) -> Status:
        if ticket.archived:
            return Status.CLOSED
        return self._status_from.get(ticket.status.upper(), Status.OPEN)

    def organization(self, session: GSession | None) -> Organization | None:
        if session is None or not (session.companyId or session.companyName):
            return None
        return Organization(
            id=session.companyId or session.companyName or "",
            name=session.companyName or session.companyId or "",
            vip=self.options.vip_tag in session.tags,
        )

    @staticmethod
    def person(session: GSession | None) -> Person:
        if session is None:
            return Person(id="", name="Unknown customer")
        return Person(
            id=session.id,
            name=session.name or session.email or "Customer",
            email=session.email or "",
            tier=session.plan,
            account_value=amount(session.value),  # inf, nan, absurd: not known
            created_at=session.createdAt,
            organization_id=session.companyId or session.companyName,
        )

    def sla(self, ticket: GTicket, status: Status) -> list[SlaTarget]:
        due = ticket.dueDate
        if due is None and ticket.slaBreached:
            # Breached, time unknown: count it from creation so it sorts on top.
            due = ticket.createdAt
        if due is None:
            return []
        if not status.is_active:
            stage = SlaStage.ACHIEVED
        elif ticket.snoozed:
            stage = SlaStage.PAUSED
        else:
            stage = SlaStage.ACTIVE
        return [SlaTarget(metric=self.options.sla_metric, due_at=due, stage=stage)]

    def ticket(self, ticket: GTicket) -> Ticket:
        status = self.status(ticket)
        channel = ticket.channel if isinstance(ticket.channel, str) else "chat"
        description = ticket.formData.get("description") or ticket.plainContent or ""
        return Ticket(
            id=ticket.id,
            subject=ticket.title or "",
            status=status,
            priority=_PRIORITY_FROM.get((ticket.priority or "").upper(), Priority.NORMAL),
            requester=self.person(ticket.session),
            organization=self.organization(ticket.session),
            assignee=ticket.processingUser.display_name if ticket.processingUser else None,
            group=(ticket.processingTeam.name or ticket.processingTeam.id)
            if ticket.processingTeam
            else None,
            tags=list(ticket.tags),
            channel=channel.lower(),
            created_at=ticket.createdAt,
            updated_at=ticket.updatedAt or ticket.createdAt,
            sla=self.sla(ticket, status),
            version=ticket.updatedAt.isoformat() if ticket.updatedAt else None,
            excerpt=str(description)[:200],
        )

    @staticmethod
    def message(message: GMessage, ticket_id: str) -> Message:
        if message.bot:
            role, author, email = Role.SYSTEM, "Bot", ""
        elif message.user is not None:
            role, author, email = Role.AGENT, message.user.display_name, message.user.email or ""
        else:
            session = message.session
            role = Role.CUSTOMER
            author = (session.name or session.email or "Customer") if session else "Customer"
            email = (session.email or "") if session else ""
        return Message(
            id=message.id,
            ticket_id=ticket_id,
            author=author,
            author_email=email,
            role=role,
            public=not message.is_note,
            body=doc_to_text(message.comment),
            created_at=message.createdAt,
        )

    @staticmethod
    def article(result: GKnowledgeResult) -> Article:
        return Article(
            id=result.sourceId,
            title=result.title or result.sourceId,
            body=result.content,
            url=result.url or "",
        )
