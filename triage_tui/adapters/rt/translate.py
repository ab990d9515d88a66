"""RT's REST2 JSON turned into the domain models, and the domain's values into RT's.

Kept apart from the HTTP calls so the translation rules (1970 means "not
set", which transactions are messages, what a priority number means, which of
RT's 200 answers report a failure) are testable on plain payloads.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from triage_tui.adapters.rt.options import RtOptions
from triage_tui.domain.enums import Priority, Role, SlaStage, Status
from triage_tui.domain.errors import AuthError, InvalidInput
from triage_tui.domain.models import Article, Message, Organization, Person, SlaTarget, Ticket

#: Ticket fields asked for in every search, with the related records expanded
#: (``fields[Requestor]=…``) so one request gives the whole queue row.
TICKET_FIELDS = "Subject,Status,Priority,Queue,Owner,Requestor,Created,LastUpdated,Due,SLA"
TICKET_PARAMS: dict[str, str] = {
    "fields": TICKET_FIELDS,
    "fields[Requestor]": "Name,RealName,EmailAddress,Organization",
    "fields[Owner]": "Name,RealName,EmailAddress",
    "fields[Queue]": "Name",
}
#: Transactions that carry a message, and whether the requester sees it.
MESSAGE_TYPES = {"Create": True, "Correspond": True, "Comment": False}
NOBODY = "Nobody"
SYSTEM_USERS = {"RT_System", NOBODY}

# RT answers a PUT with 200 and one line per field, successes and refusals
# alike ("Ticket 7: Status 'x' isn't a valid status for this ticket."). These
# are the success phrasings of RT 5's record and ticket methods.
_SUCCESS = re.compile(
    r"(changed from|changed to| set to |\badded\b|\bdeleted\b|\bremoved\b|\bcreated\b|"
    r"already the current value|Message recorded|Correspondence added|Comments added|"
    r"Ticket \d+ \w+ to|Owner changed|Queue changed|Status changed)",
    re.IGNORECASE,
)
_TICKET_PREFIX = re.compile(r"^Ticket \d+:\s*")


def parse_time(value: Any) -> datetime | None:
    """An RT timestamp as UTC; RT's "not set" (1970-01-01) and blanks are None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        return None if parsed.year <= 1970 else parsed.astimezone(UTC)
    except OverflowError:  # past the calendar's end once in UTC: not a time we can use
        return None


def format_time(value: datetime) -> str:
    """RT stores what it is given: only ``YYYY-MM-DD HH:MM:SS`` in UTC is read back correctly."""
    when = value if value.tzinfo else value.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def sql_quote(value: str) -> str:
    """A TicketSQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def refusals(messages: Any) -> list[str]:
    """The lines of a 200 answer that report something RT did not do."""
    if isinstance(messages, str):
        messages = [messages]
    if not isinstance(messages, list):
        return []
    lines = [str(m).strip() for m in messages if str(m).strip()]
    return [_TICKET_PREFIX.sub("", m) for m in lines if not _SUCCESS.search(m)]


def raise_refusals(tid: str, answer: Any) -> None:
    """Turn the refusal lines of a 200 into the project's errors (one line, RT's words)."""
    refused = refusals(answer)
    if not refused:
        return
    text = "; ".join(refused)
    if "unowned" in text:
        # ModifyTicket only reassigns one's own or unowned tickets.
        text += " (the RT user needs the ReassignTicket right)"
    if "permission denied" in text.lower():
        raise AuthError(f"RT refused the change to ticket {tid}: {text}")
    raise InvalidInput(f"RT refused the change to ticket {tid}: {text}")


class Translator:
    """Maps between RT's vocabulary and the domain's, per the adapter's options."""

    def __init__(self, options: RtOptions) -> None:
        self.options = options
        self.read_status = options.read_status
        self.write_status = options.write_status
        self.priority_values = options.priority_values
        self.vip = {o.strip().lower() for o in options.vip_organizations}

    # -- vocabularies ----------------------------------------------------------
    def status(self, rt_status: str) -> Status:
        return Status(self.read_status.get(rt_status.strip().lower(), Status.OPEN.value))

    def rt_status(self, status: Status) -> str:
        return self.write_status[status.value]

    def rt_statuses(self, statuses: Iterable[Status]) -> list[str]:
        """Every RT status that reads as one of ``statuses`` (for a TicketSQL filter)."""
        wanted = {s.value for s in statuses}
        found = {rt for rt, domain in self.read_status.items() if domain in wanted}
        found |= {self.write_status[s] for s in wanted}
        return sorted(found)

    def priority(self, value: Any) -> Priority:
        try:
            number = int(str(value).strip() or 0)
        except ValueError:
            return Priority.NORMAL
        reached = [p for p, n in self.priority_values.items() if number >= n]
        if not reached:
            return Priority.LOW
        return max((Priority(p) for p in reached), key=lambda p: self.priority_values[p.value])

    def rt_priority(self, priority: Priority) -> int:
        return self.priority_values[priority.value]

    # -- records -----------------------------------------------------------------
    def person(self, user: Mapping[str, Any]) -> Person:
        name = str(user.get("Name") or user.get("id") or "")
        email = str(user.get("EmailAddress") or "")
        real = str(user.get("RealName") or "").strip()
        org = str(user.get("Organization") or "").strip()
        return Person(
            id=name,
            name=real or email or name,
            email=email,
            organization_id=org or None,
        )

    def organization(self, user: Mapping[str, Any] | None) -> Organization | None:
        org = str((user or {}).get("Organization") or "").strip()
        if not org:
            return None
        return Organization(id=org, name=org, vip=org.lower() in self.vip)

    def ticket(self, item: Mapping[str, Any]) -> Ticket:
        requestors = _as_list(item.get("Requestor"))
        first = requestors[0] if requestors else {"Name": "", "RealName": "(no requester)"}
        owner = mapping(item.get("Owner"))
        owner_name = str(owner.get("Name") or owner.get("id") or "")
        queue = mapping(item.get("Queue"))
        status = self.status(str(item.get("Status") or ""))
        created = parse_time(item.get("Created")) or datetime(1970, 1, 1, tzinfo=UTC)
        updated = parse_time(item.get("LastUpdated")) or created
        return Ticket(
            id=str(item.get("id")),
            subject=str(item.get("Subject") or ""),
            status=status,
            priority=self.priority(item.get("Priority")),
            requester=self.person(first),
            organization=self.organization(first),
            assignee=None
            if owner_name in ("", NOBODY)
            else str(owner.get("RealName") or owner_name),
            group=str(queue.get("Name") or queue.get("id") or "") or None,
            created_at=created,
            updated_at=updated,
            sla=self.sla(item, status),
            version=str(item.get("LastUpdated") or "") or None,
        )

    def sla(self, item: Mapping[str, Any], status: Status) -> list[SlaTarget]:
        """RT keeps one deadline, ``Due`` (set by hand or by an ``SLA`` level)."""
        due = parse_time(item.get("Due"))
        if due is None:
            return []
        level = str(item.get("SLA") or "").strip()
        metric = f"sla_{level}" if level else "due"
        if not status.is_active:
            stage = SlaStage.ACHIEVED
        elif status in (Status.PENDING, Status.ON_HOLD):
            stage = SlaStage.PAUSED  # RT's SLA extension stops the clock while stalled
        else:
            stage = SlaStage.ACTIVE
        return [SlaTarget(metric=metric, due_at=due, stage=stage)]

    def article(self, item: Mapping[str, Any], classes: Mapping[str, str]) -> Article:
        values: list[str] = []
        for field in _as_list(item.get("CustomFields")):
            if str(field.get("name", "")).lower() == self.options.article_field.lower():
                values.extend(str(v) for v in field.get("values") or [])
        summary = str(item.get("Summary") or "").strip()
        body = "\n\n".join(v.strip() for v in values if str(v).strip())
        klass = mapping(item.get("Class"))
        article_id = str(item.get("id"))
        return Article(
            id=article_id,
            title=str(item.get("Name") or ""),
            body=f"{summary}\n\n{body}".strip() if summary else body,
            url=f"{self.options.web_url}/Articles/Article/Display.html?id={article_id}",
            section=classes.get(str(klass.get("id", "")), ""),
        )


def message(
    ticket_id: str,
    txn: Mapping[str, Any],
    parts: Sequence[Mapping[str, Any]],
    role: Role,
) -> Message:
    """One Create/Correspond/Comment transaction with its attachments as a message."""
    creator = mapping(txn.get("Creator"))
    name = str(creator.get("Name") or creator.get("id") or "")
    return Message(
        id=str(txn.get("id")),
        ticket_id=ticket_id,
        author=str(creator.get("RealName") or "").strip() or name,
        author_email=str(creator.get("EmailAddress") or ""),
        role=role,
        public=MESSAGE_TYPES.get(str(txn.get("Type")), True),
        body=body_of(parts),
        created_at=parse_time(txn.get("Created")) or datetime(1970, 1, 1, tzinfo=UTC),
    )


def body_of(parts: Sequence[Mapping[str, Any]]) -> str:
    """The text of a transaction: its first inline text/plain part, else text/html as text.

    Files attached to the message are listed by name after the text, since
    the console shows text only.
    """
    plain = html_part = None
    files: list[str] = []
    for part in parts:
        kind = str(part.get("ContentType") or "").lower()
        filename = str(part.get("Filename") or "")
        if filename:
            files.append(filename)
        elif kind == "text/plain" and plain is None:
            plain = str(part.get("Content") or "")
        elif kind == "text/html" and html_part is None:
            html_part = str(part.get("Content") or "")
    text = plain if plain is not None else html_to_text(html_part or "")
    if files:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + "\n".join(
            f"[attachment: {name}]" for name in files
        )
    return text


class _TextOfHtml(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "pre", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML mail part (tags dropped, blocks on their own lines)."""
    if not markup:
        return ""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.out))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def mapping(value: Any) -> Mapping[str, Any]:
    """A related record as REST2 expands it, or an empty one when it is absent or a bare id."""
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []
