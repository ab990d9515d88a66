"""Zendesk wire models -> domain models: the one edge where the vocabularies meet.

``Directory`` remembers every user, organization and group that arrived as a
side-load, so translating a ticket never needs a request per row and a write's
response (which carries no side-loads) can still name its requester.
"""

from __future__ import annotations

import html
import re
from typing import Any

from triage_tui.adapters.numbers import amount
from triage_tui.adapters.zendesk.options import ZendeskOptions
from triage_tui.adapters.zendesk.wire import (
    ZArticle,
    ZComment,
    ZGroup,
    ZOrganization,
    ZSideloads,
    ZTicket,
    ZUser,
)
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.models import Article, Message, Organization, Person, SlaTarget, Ticket

_STAGES = {"active": SlaStage.ACTIVE, "achieved": SlaStage.ACHIEVED, "paused": SlaStage.PAUSED}
_AGENT_ROLES = {"agent", "admin"}
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"(?i)</(p|div|li|h[1-6]|tr)>|<br\s*/?>")


class Directory:
    """Side-loaded users, organizations and groups by id, kept for the adapter's lifetime."""

    def __init__(self) -> None:
        self.users: dict[int, ZUser] = {}
        self.orgs: dict[int, ZOrganization] = {}
        self.groups: dict[int, ZGroup] = {}

    def absorb(self, page: ZSideloads) -> None:
        self.users.update((u.id, u) for u in page.users)
        self.orgs.update((o.id, o) for o in page.organizations)
        self.groups.update((g.id, g) for g in page.groups)

    def knows_all(self, ticket: ZTicket) -> bool:
        """Whether ``ticket`` can be translated without another request."""
        needed_users = [ticket.requester_id] + ([ticket.assignee_id] if ticket.assignee_id else [])
        return (
            all(u in self.users for u in needed_users)
            and (ticket.group_id is None or ticket.group_id in self.groups)
            and (ticket.organization_id is None or ticket.organization_id in self.orgs)
        )

    def group_id(self, name: str) -> int | None:
        key = name.strip().lower()
        for group in self.groups.values():
            if group.name.lower() == key or str(group.id) == key:
                return group.id
        return None


class Translator:
    """Builds domain objects for one account's conventions (fields, VIP tag, statuses)."""

    def __init__(self, options: ZendeskOptions, directory: Directory) -> None:
        self.options = options
        self.directory = directory
        self._status_from = {v: Status(k) for k, v in reversed(options.statuses.items())}

    # -- statuses and priorities ---------------------------------------------
    def status(self, value: str) -> Status:
        return self._status_from.get(value.lower(), Status.OPEN)

    def wire_status(self, status: Status) -> str:
        return self.options.statuses[status.value]

    @staticmethod
    def priority(value: str | None) -> Priority:
        try:
            return Priority(value) if value else Priority.NORMAL
        except ValueError:
            return Priority.NORMAL

    # -- people --------------------------------------------------------------
    def organization(self, org: ZOrganization | None) -> Organization | None:
        if org is None:
            return None
        fields = org.organization_fields
        vip = self.options.vip_tag in org.tags or fields.get("vip") is True
        tier = fields.get(self.options.tier_field)
        return Organization(id=str(org.id), name=org.name, tier=_text(tier), vip=vip)

    def person(self, user: ZUser | None, fallback_id: int | None = None) -> Person:
        if user is None:
            # A requester we were not given (deleted user, trimmed side-load).
            return Person(id=str(fallback_id or ""), name=f"user {fallback_id}")
        fields = user.user_fields
        org = self.directory.orgs.get(user.organization_id) if user.organization_id else None
        tier = fields.get(self.options.tier_field)
        if tier is None and org is not None:
            tier = org.organization_fields.get(self.options.tier_field)
        return Person(
            id=str(user.id),
            name=user.name or (user.email or ""),
            email=user.email or "",
            tier=_text(tier),
            account_value=_float(fields.get(self.options.account_value_field)),
            created_at=user.created_at,
            organization_id=str(user.organization_id) if user.organization_id else None,
        )

    # -- tickets -------------------------------------------------------------
    def sla(self, ticket: ZTicket) -> list[SlaTarget]:
        if ticket.slas is None:
            return []
        return [
            SlaTarget(
                metric=m.metric, due_at=m.breach_at, stage=_STAGES.get(m.stage, SlaStage.ACTIVE)
            )
            for m in ticket.slas.policy_metrics
            if m.breach_at is not None  # achieved metrics may come without a time
        ]

    def ticket(self, ticket: ZTicket, sla: list[SlaTarget] | None = None) -> Ticket:
        d = self.directory
        requester = d.users.get(ticket.requester_id)
        org_id = ticket.organization_id or (requester.organization_id if requester else None)
        assignee = d.users.get(ticket.assignee_id) if ticket.assignee_id else None
        group = d.groups.get(ticket.group_id) if ticket.group_id else None
        channel = ticket.via.channel if ticket.via and ticket.via.channel is not None else "email"
        return Ticket(
            id=str(ticket.id),
            subject=ticket.subject or "",
            status=self.status(ticket.status),
            priority=self.priority(ticket.priority),
            requester=self.person(requester, ticket.requester_id),
            organization=self.organization(d.orgs.get(org_id) if org_id else None),
            assignee=(assignee.name if assignee else str(ticket.assignee_id))
            if ticket.assignee_id
            else None,
            group=(group.name if group else str(ticket.group_id)) if ticket.group_id else None,
            tags=list(ticket.tags),
            channel=str(channel),
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            sla=self.sla(ticket) if sla is None else sla,
            version=stamp(ticket),
            excerpt=(ticket.description or "")[:200],
        )

    # -- conversation ----------------------------------------------------------
    def message(self, comment: ZComment, ticket_id: str, requester_id: int | None) -> Message:
        author = self.directory.users.get(comment.author_id) if comment.author_id else None
        if comment.author_id is None or comment.author_id < 0:
            role = Role.SYSTEM
        elif (
            author is not None and author.role in _AGENT_ROLES and comment.author_id != requester_id
        ):
            role = Role.AGENT
        else:
            role = Role.CUSTOMER
        return Message(
            id=str(comment.id),
            ticket_id=ticket_id,
            author=(author.name if author else "") or (author.email or "" if author else "Zendesk"),
            author_email=(author.email or "") if author else "",
            role=role,
            public=comment.public,
            body=comment.body,
            created_at=comment.created_at,
        )

    @staticmethod
    def article(article: ZArticle) -> Article:
        return Article(
            id=str(article.id),
            title=article.title,
            body=html_to_text(article.body or ""),
            url=article.html_url,
            section="",
        )


def stamp(ticket: ZTicket) -> str:
    """The ``updated_stamp`` for ``safe_update``: the ticket's ``updated_at`` as Zendesk wrote
    it."""
    return ticket.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def html_to_text(value: str) -> str:
    """Help Center bodies are HTML; the KB pane and the drafting want plain text."""
    text = _BLOCK_END.sub("\n", value)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _float(value: Any) -> float | None:
    return amount(value)  # inf, nan and absurd values read as not known
