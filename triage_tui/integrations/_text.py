"""Reading the hook payload tolerantly, cutting text safely, and the follow-up issue's text.

The payload is built by the hook engine from a ticket, so most of its text
(subject, requester, evidence, reason) was written by a customer: everything
here treats it as untrusted. Any field may be missing, null or of the wrong
type; a missing field is left out of what is sent rather than failing the
delivery.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ELLIPSIS = "…"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
#: CommonMark escapes any ASCII punctuation with a backslash; these are the ones
#: that start markup (links, images, emphasis, code, HTML, tables, headings).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")
#: An @ that starts a word (a mention, unlike the one in an e-mail address).
_MENTION = re.compile(r"(?<![\w.+-])@(?=\w)")


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def text(value: Any, *, lines: bool = False) -> str:
    """A payload value as clean text: None is "", control characters go, whitespace folds.

    ``lines`` keeps line breaks (a problem statement's paragraphs); otherwise
    the text is one line.
    """
    if value is None or isinstance(value, Mapping | list):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    raw = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    if not lines:
        return _SPACE.sub(" ", raw).strip()
    kept = [_SPACE.sub(" ", line).strip() for line in raw.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def items(value: Any) -> list[Any]:
    """A payload list (rules, evidence); anything else is empty."""
    return list(value) if isinstance(value, list | tuple) else []


def texts(value: Any) -> list[str]:
    """A list of strings from the payload (evidence, acceptance criteria), blanks dropped."""
    return [t for t in (text(item) for item in items(value)) if t]


def web_link(value: Any) -> str | None:
    """An http(s) URL fit to link to, or None (a ``javascript:`` link is not one)."""
    link = text(value)
    if not link or any(c in link for c in " <>|\"'`"):
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return link


def clip(value: str, limit: int) -> str:
    """``value`` within ``limit`` characters, ending with an ellipsis when cut.

    The cut never splits a URL, a ``<…>`` token (a Slack link) or an ``&…;``
    entity: it moves back to before it, so what is left still works.
    """
    if len(value) <= limit:
        return value
    head = value[: max(0, limit - len(ELLIPSIS))]
    start = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t")) + 1
    end = len(head)
    while end < len(value) and not value[end].isspace():
        end += 1
    if "://" in value[start:end]:
        head = head[:start]
    opened = head.rfind("<")
    if opened != -1 and head.find(">", opened) == -1:
        head = head[:opened]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:] and len(head) - amp < 10:
        head = head[:amp]
    return head.rstrip() + ELLIPSIS


def md(value: str) -> str:
    """Customer text made inert in Markdown: no links, images, HTML, mentions or headings.

    Backslash escapes (CommonMark) keep the text readable once rendered; a
    zero-width space after a mention's ``@`` stops GitHub from notifying
    whoever the customer names (an e-mail address is left alone).
    """
    return _MENTION.sub("@\u200b", _MD_SPECIAL.sub(r"\\\1", value))


def marker(idempotency_key: str) -> str:
    """The idempotency key as one search-friendly token (the key itself may hold anything)."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"triage-hook-{digest}"


@dataclass(frozen=True)
class FollowUp:
    """The issue a hook files: a title and a Markdown body."""

    title: str
    body: str


def ticket_label(ticket: Mapping[str, Any]) -> str:
    ticket_id = text(ticket.get("id"))
    subject = text(ticket.get("subject"))
    if ticket_id and subject:
        return f"#{ticket_id} {subject}"
    return f"#{ticket_id}" if ticket_id else subject


def requester_line(requester: Mapping[str, Any]) -> str:
    name = text(requester.get("name"))
    email = text(requester.get("email"))
    who = f"{name} ({email})" if name and email else name or email
    extras = []
    tier = text(requester.get("tier"))
    if tier:
        extras.append(f"tier {tier}")
    if requester.get("vip") is True:
        extras.append("VIP")
    if extras:
        who = f"{who}, {', '.join(extras)}" if who else ", ".join(extras)
    return who


def sla_line(sla: Mapping[str, Any]) -> str:
    state = text(sla.get("state"))
    due = text(sla.get("due_at"))
    left = sla.get("minutes_left")
    parts = [state] if state else []
    if due:
        parts.append(f"due {due}")
    if isinstance(left, int | float) and not isinstance(left, bool):
        minutes = int(left)
        parts.append(f"{minutes} min left" if minutes >= 0 else f"{-minutes} min overdue")
    return ", ".join(parts)


def follow_up(
    payload: Mapping[str, Any],
    *,
    title_limit: int,
    body_limit: int,
    mark: str | None = None,
) -> FollowUp:
    """The issue's title and Markdown body from the payload's ``follow_up`` and ticket.

    The body holds the problem statement, the acceptance criteria as a
    checklist and the ticket's context with its link. ``mark``, when given,
    ends the body as an HTML comment (hidden once rendered) and survives the
    cut to ``body_limit``: it is how a retry finds the issue a lost answer
    created.
    """
    plan = mapping(payload.get("follow_up"))
    ticket = mapping(payload.get("ticket"))
    label = ticket_label(ticket)
    title = text(plan.get("title")) or (f"Ticket {label}" if label else "Escalated ticket")
    reason = text(payload.get("reason"), lines=True)
    problem = text(plan.get("problem"), lines=True) or reason or text(ticket.get("subject"))

    sections: list[str] = []
    if problem:
        sections.append(md(problem))
    criteria = texts(plan.get("acceptance"))
    if criteria:
        sections.append(
            "### Acceptance criteria\n\n" + "\n".join(f"- [ ] {md(c)}" for c in criteria)
        )
    context: list[str] = []
    link = web_link(ticket.get("link"))
    if label or link:
        shown = md(label) if label else "the ticket"
        context.append(f"- Ticket: [{shown}]({link})" if link else f"- Ticket: {shown}")
    for name, value in (
        ("Requester", requester_line(mapping(ticket.get("requester")))),
        ("Status", text(ticket.get("status"))),
        ("Priority", text(ticket.get("priority"))),
        ("Group", text(ticket.get("group"))),
        ("Assignee", text(ticket.get("assignee"))),
        ("SLA", sla_line(mapping(ticket.get("sla")))),
    ):
        if value:
            context.append(f"- {name}: {md(value)}")
    if reason and reason != problem:
        context.append(f"- Escalation reason: {md(text(reason))}")
    for entry in items(payload.get("rules")):
        rule = mapping(entry)
        rule_name = text(rule.get("name"))
        if not rule_name:
            continue
        route = text(rule.get("route"))
        evidence = "; ".join(texts(rule.get("evidence")))
        line = f"- Rule {md(rule_name)}" + (f" → {md(route)}" if route else "")
        context.append(line + (f": {md(evidence)}" if evidence else ""))
    if context:
        sections.append("### From the helpdesk\n\n" + "\n".join(context))
    origin = [text(payload.get("hook")), text(payload.get("event"))]
    if any(origin):
        hook, event = origin
        sections.append(
            "_Filed by triage-tui"
            + (f" hook {md(hook)}" if hook else "")
            + (f" on {md(event)}" if event else "")
            + "._"
        )
    tail = f"\n\n<!-- {mark} -->" if mark else ""
    body = clip("\n\n".join(sections), max(0, body_limit - len(tail))) + tail
    return FollowUp(title=clip(title, title_limit), body=body)
