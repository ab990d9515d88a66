"""django-helpdesk's DRF JSON turned into the domain models, and back.

Separate from the HTTP calls so the rules are testable on plain payloads:
the ticket's description is the first message (its "Ticket Opened" follow-up
repeats it and is skipped), follow-ups without a user came from the
customer by mail, a follow-up with no text records a change rather than a
message, and a comment is escaped before sending because django-helpdesk
renders every follow-up comment as a Django template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from triage_tui.adapters.django_helpdesk.options import (
    CLOSED,
    DUPLICATE,
    OPEN,
    REOPENED,
    RESOLVED,
    DjangoHelpdeskOptions,
)
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.models import Message, Organization, Person, SlaTarget, Ticket

ACTIVE_NUMBERS = (OPEN, REOPENED)
INACTIVE_NUMBERS = (RESOLVED, CLOSED, DUPLICATE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # past the calendar's end once in UTC: not a time we can use
        return None


def format_time(value: datetime) -> str:
    when = value if value.tzinfo else value.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def template_safe(text: str) -> str:
    """A comment that django-helpdesk's template rendering gives back unchanged.

    ``update_ticket`` renders each comment with the Django template engine:
    ``{{ ticket.title }}`` would be replaced, ``{# … #}`` dropped, and a
    stray ``%}`` makes the server answer 500. Each brace becomes a template
    variable whose value is that brace (string literals are not escaped), so
    no tag, variable or comment syntax survives and the stored text is the
    text that was typed.
    """
    return re.sub(r"[{}]", lambda m: '{{ "' + m.group(0) + '" }}', text)


def drf_detail(data: Any) -> str | None:
    """DRF's error body (``{"field": ["message"]}`` or ``{"detail": …}``) as one line."""
    if isinstance(data, Mapping):
        if isinstance(data.get("detail"), str):
            return str(data["detail"])
        parts = []
        for field, value in data.items():
            messages = value if isinstance(value, list) else [value]
            parts.append(f"{field}: " + " ".join(str(m) for m in messages))
        return "; ".join(parts) or None
    if isinstance(data, list) and data:
        return " ".join(str(m) for m in data)
    return None


class Translator:
    """Maps between django-helpdesk's numbers and the domain, per the adapter's options."""

    def __init__(self, options: DjangoHelpdeskOptions) -> None:
        self.options = options
        self.read_status = options.read_status
        self.write_status = options.write_status
        self.priority_values = options.priority_values
        self.vip = {o.strip().lower() for o in options.vip_organizations}
        self.agent_names = {int(v): k for k, v in options.agents.items()}

    # -- vocabularies ----------------------------------------------------------
    def status(self, number: Any, on_hold: bool) -> Status:
        value = Status(self.read_status.get(_int(number), Status.OPEN.value))
        if on_hold and value.is_active:
            return Status(self.options.hold_status)
        return value

    def wire_status(self, status: Status, current: int | None) -> tuple[int, bool]:
        """(status number, on_hold) to write; reopening uses Reopened."""
        number = self.write_status[status.value]
        if number == OPEN and current in INACTIVE_NUMBERS or number == OPEN and current == REOPENED:
            number = REOPENED
        return number, status.value in self.options.hold_statuses

    def numbers_for(self, statuses: frozenset[Status]) -> list[int]:
        """Every status number that can read as one of ``statuses`` (server-side filter)."""
        wanted = {s.value for s in statuses}
        numbers = {n for n, s in self.read_status.items() if s in wanted}
        if wanted & ({self.options.hold_status} | set(self.options.hold_statuses)):
            numbers |= set(ACTIVE_NUMBERS)
        return sorted(numbers)

    def priority(self, number: Any) -> Priority:
        value = _int(number)
        for name, n in sorted(self.priority_values.items(), key=lambda kv: kv[1]):
            if value <= n:
                return Priority(name)
        return Priority.LOW

    def wire_priority(self, priority: Priority) -> int:
        return self.priority_values[priority.value]

    def agent_name(self, user_id: Any) -> str | None:
        if user_id in (None, ""):
            return None
        return self.agent_names.get(_int(user_id), f"user {user_id}")

    def agent_id(self, name: str) -> int | None:
        """An agent's user id by display name (case-insensitive) or by number."""
        key = name.strip()
        if key.isdigit():
            return int(key)
        for display, user_id in self.options.agents.items():
            if display.strip().lower() == key.lower():
                return int(user_id)
        return None

    # -- records -----------------------------------------------------------------
    def _custom(self, item: Mapping[str, Any], name: str) -> str:
        return str(item.get(f"custom_{name}") or "").strip()

    def has_name(self, item: Mapping[str, Any]) -> bool:
        return bool(self._custom(item, self.options.name_field))

    def person(self, item: Mapping[str, Any]) -> Person:
        email = str(item.get("submitter_email") or "").strip()
        org = self._custom(item, self.options.organization_field)
        return Person(
            id=email.lower(),
            name=self._custom(item, self.options.name_field) or email,
            email=email,
            organization_id=org or None,
        )

    def organization(self, item: Mapping[str, Any]) -> Organization | None:
        org = self._custom(item, self.options.organization_field)
        if not org:
            return None
        return Organization(id=org, name=org, vip=org.lower() in self.vip)

    def ticket(self, item: Mapping[str, Any], now: datetime) -> Ticket:
        dates = [parse_time(f.get("date")) for f in _followups(item)]
        known = sorted(d for d in dates if d is not None)
        # The API has no creation date; the first follow-up ("Ticket Opened")
        # is written with the ticket.
        created = known[0] if known else now
        status = self.status(item.get("status"), bool(item.get("on_hold")))
        return Ticket(
            id=str(item.get("id")),
            subject=str(item.get("title") or ""),
            status=status,
            priority=self.priority(item.get("priority")),
            requester=self.person(item),
            organization=self.organization(item),
            assignee=self.agent_name(item.get("assigned_to")),
            created_at=created,
            updated_at=known[-1] if known else created,
            sla=self.sla(item, status),
            excerpt=str(item.get("description") or "")[:200],
        )

    def sla(self, item: Mapping[str, Any], status: Status) -> list[SlaTarget]:
        due = parse_time(item.get("due_date"))
        if due is None:
            return []
        if not status.is_active:
            stage = SlaStage.ACHIEVED
        elif item.get("on_hold"):
            stage = SlaStage.PAUSED  # django-helpdesk does not escalate tickets on hold
        else:
            stage = SlaStage.ACTIVE
        return [SlaTarget(metric="due", due_at=due, stage=stage)]

    def messages(self, item: Mapping[str, Any], ticket: Ticket) -> list[Message]:
        description = str(item.get("description") or "")
        followups = sorted(
            _followups(item), key=lambda f: (parse_time(f.get("date")) or _EPOCH, _int(f.get("id")))
        )
        out = [
            Message(
                id=f"{ticket.id}-description",
                ticket_id=ticket.id,
                author=ticket.requester.name,
                author_email=ticket.requester.email,
                role=Role.CUSTOMER,
                public=True,
                body=description,
                created_at=ticket.created_at,
            )
        ]
        for n, followup in enumerate(followups):
            comment = str(followup.get("comment") or "")
            if n == 0 and comment.strip() == description.strip():
                continue  # "Ticket Opened": the description again
            if not comment.strip():
                continue  # a status/owner change without words
            out.append(self.message(followup, ticket))
        return out

    def message(self, followup: Mapping[str, Any], ticket: Ticket) -> Message:
        user = followup.get("user")
        customer = user in (None, "")
        return Message(
            id=str(followup.get("id")),
            ticket_id=ticket.id,
            author=ticket.requester.name if customer else self.agent_name(user) or "Agent",
            author_email=ticket.requester.email if customer else "",
            role=Role.CUSTOMER if customer else Role.AGENT,
            public=bool(followup.get("public")),
            body=str(followup.get("comment") or ""),
            created_at=parse_time(followup.get("date")) or _EPOCH,
        )


def _followups(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in item.get("followup_set") or [] if isinstance(f, Mapping)]


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0
