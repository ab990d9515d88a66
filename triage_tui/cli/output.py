"""Rendering the verbs' results: aligned text for people, JSON for programs.

Human output passes every helpdesk-supplied string through
``domain.text.sanitize`` (customers write subjects, bodies and names), aligns
columns by terminal cells (wide CJK and emoji count two), and shows SLA state as
a text marker plus label, with colour only as an extra on a TTY without
``NO_COLOR``.

JSON output is ``json.dumps(..., ensure_ascii=True)``: exact content, and every
control or non-ASCII character is a ``\\uXXXX`` escape, so even JSON printed to a
terminal cannot drive it. Keys are stable; the shapes are documented in the
verbs' ``--help`` (each command's ``json`` in ``cli.commands``). Tickets are the domain
``Ticket`` (``model_dump(mode="json")``) plus four flat SLA keys:
``sla_state`` (breached / at_risk / ok / paused / none), ``sla_metric``,
``sla_due_at`` and ``sla_seconds_left`` (negative once breached; null without SLA).
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from triage_tui.domain import sla
from triage_tui.domain.enums import Role
from triage_tui.domain.models import Article, Message, Organization, Person, Ticket
from triage_tui.domain.text import sanitize

_STATE_COLOURS = {
    sla.SlaState.BREACHED: "1;31",
    sla.SlaState.AT_RISK: "33",
    sla.SlaState.OK: "32",
    sla.SlaState.PAUSED: "36",
    sla.SlaState.NONE: "2",
}


def use_colour(stream: IO[str]) -> bool:
    """Colour only for a terminal, never with ``NO_COLOR`` set or ``TERM=dumb``."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


# -- plain text helpers -----------------------------------------------------


def one_line(text: str | None) -> str:
    """Untrusted text for a single-line field: sanitised, whitespace collapsed."""
    return " ".join(sanitize(text or "", keep_newlines=False).split())


def snippet(text: str | None) -> str:
    """A long body shown as one line: whitespace (newlines too) collapses to spaces."""
    return sanitize(" ".join((text or "").split()), keep_newlines=False)


def block(text: str | None) -> str:
    """Untrusted multi-line text (a message body), sanitised."""
    return sanitize(text or "").strip("\n")


def cell_len(text: str) -> int:
    """Terminal cells: East Asian wide/fullwidth count two, combining marks zero."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, width: int) -> str:
    """Cut to ``width`` cells with an ellipsis, then pad; never wider than asked."""
    if cell_len(text) > width:
        out, used = [], 0
        for ch in text:
            w = cell_len(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - cell_len(text))


def terminal_width(stream: IO[str]) -> int | None:
    """The width to cut the last column to, or None when not writing to a terminal."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    return shutil.get_terminal_size((100, 24)).columns


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    max_widths: Sequence[int | None] | None = None,
    total_width: int | None = None,
) -> list[str]:
    """Aligned columns; the last one takes what is left of ``total_width`` (if any)."""
    count = len(headers)
    limits = list(max_widths or [None] * count)
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], cell_len(value))
    widths = [min(w, lim) if lim else w for w, lim in zip(widths, limits, strict=True)]
    if total_width:
        used = sum(widths[:-1]) + 2 * (count - 1)
        widths[-1] = max(12, min(widths[-1], total_width - used))
    lines = []
    for row in [list(headers), *rows]:
        cells = [fit(v, widths[i]) for i, v in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


# -- JSON -------------------------------------------------------------------


def dumps(data: Any) -> str:
    """Stable, terminal-safe JSON (see the module docstring)."""
    return json.dumps(data, indent=2, ensure_ascii=True, sort_keys=False)


def ticket_json(ticket: Ticket, now: datetime) -> dict[str, Any]:
    data = ticket.model_dump(mode="json")
    target = sla.next_target(ticket)
    left = sla.time_left(ticket, now)
    data["sla_state"] = sla.state(ticket, now).value
    data["sla_metric"] = target.metric if target else None
    data["sla_due_at"] = target.due_at.isoformat() if target else None
    data["sla_seconds_left"] = int(left.total_seconds()) if left is not None else None
    return data


# -- human renderings -------------------------------------------------------


def sla_cells(ticket: Ticket, now: datetime, colour: bool) -> tuple[str, str, str]:
    """(marker, countdown, label): the state in text, coloured only as an extra."""
    state = sla.state(ticket, now)
    countdown = sla.format_countdown(sla.time_left(ticket, now))
    code = _STATE_COLOURS[state]
    return state.marker, countdown, paint(state.label, code, colour)


def requester_label(ticket: Ticket) -> str:
    name = one_line(ticket.requester.name) or one_line(ticket.requester.email)
    if ticket.organization and ticket.organization.vip:
        name += " (VIP)"
    return name


def queue_lines(
    tickets: Sequence[Ticket], now: datetime, *, colour: bool = False, width: int | None = None
) -> list[str]:
    """The queue table: marker, countdown, state, id, priority, requester, age, subject."""
    rows = []
    for t in tickets:
        marker, countdown, label = sla_cells(t, now, False)
        state_code = _STATE_COLOURS[sla.state(t, now)]
        rows.append(
            [
                marker,
                countdown,
                label,
                one_line(t.id),
                t.priority.value,
                requester_label(t),
                sla.format_age(t.created_at, now),
                one_line(t.subject) or "(no subject)",
                state_code,
            ]
        )
    headers = ["", "DUE", "STATE", "ID", "PRIORITY", "REQUESTER", "AGE", "SUBJECT"]
    lines = table(
        headers,
        [r[:-1] for r in rows],
        max_widths=[2, None, None, 12, None, 24, None, None],
        total_width=width,
    )
    if colour:
        # Colour whole rows by state after alignment, so escapes never skew widths.
        lines = [lines[0]] + [
            paint(line, r[-1], True) for line, r in zip(lines[1:], rows, strict=True)
        ]
    return lines


def queue_summary(shown: int, tickets: Sequence[Ticket], now: datetime) -> str:
    states = [sla.state(t, now) for t in tickets]
    breached = states.count(sla.SlaState.BREACHED)
    at_risk = states.count(sla.SlaState.AT_RISK)
    return queue_counts_line(shown, len(tickets), breached, at_risk)


def queue_counts_line(shown: int, total: int, breached: int, at_risk: int) -> str:
    """The queue's last line, from counts (the verb reads only the tickets it shows)."""
    return f"{shown} of {total} active tickets · {breached} breached · {at_risk} under 1 h"


def person_line(person: Person, organization: Organization | None) -> str:
    parts = [one_line(person.name) or "(no name)"]
    if person.email:
        parts[0] += f" <{one_line(person.email)}>"
    if person.tier:
        parts.append(f"tier {one_line(person.tier)}")
    if person.account_value is not None:
        parts.append(f"account value {person.account_value:,.0f}")
    if organization:
        org = one_line(organization.name)
        if organization.tier:
            org += f" ({one_line(organization.tier)})"
        if organization.vip:
            org += " [VIP]"
        parts.append(org)
    return " · ".join(parts)


def _role_label(message: Message) -> str:
    if message.is_note:
        return "internal note"
    return {Role.CUSTOMER: "customer", Role.AGENT: "agent reply", Role.SYSTEM: "system"}[
        message.role
    ]


def ticket_lines(
    ticket: Ticket,
    messages: Sequence[Message],
    now: datetime,
    *,
    colour: bool = False,
    earlier_tickets: int | None = None,
) -> list[str]:
    """The detail view: header facts, SLA, then the conversation oldest first."""
    marker, countdown, label = sla_cells(ticket, now, colour)
    target = sla.next_target(ticket)
    lines = [
        paint(
            f"Ticket {one_line(ticket.id)} · {one_line(ticket.subject) or '(no subject)'}",
            "1",
            colour,
        ),
        (
            f"Status     {ticket.status.value} · priority {ticket.priority.value}"
            f" · channel {one_line(ticket.channel)}"
        ),
        f"Requester  {person_line(ticket.requester, ticket.organization)}",
    ]
    if earlier_tickets is not None:
        kind = (
            f"returning, {earlier_tickets} earlier tickets" if earlier_tickets else "new requester"
        )
        lines[-1] += f" · {kind}"
    if ticket.assignee or ticket.group:
        lines.append(
            f"Assignee   {one_line(ticket.assignee) or '—'}"
            + (f" · group {one_line(ticket.group)}" if ticket.group else "")
        )
    lines.append(f"Tags       {', '.join(one_line(t) for t in ticket.tags) or '—'}")
    due = f" ({one_line(target.metric)} due {when(target.due_at)})" if target else ""
    lines.append(f"SLA        {marker.strip() or '·'} {label} {countdown}{due}")
    lines.append(
        f"Created    {when(ticket.created_at)} ({sla.format_age(ticket.created_at, now)} ago)"
        f" · updated {when(ticket.updated_at)}"
    )
    for message in messages:
        author = one_line(message.author) or one_line(message.author_email) or "(unknown)"
        head = f"── {author} · {_role_label(message)} · {when(message.created_at)} "
        lines += [
            "",
            paint(
                head + "─" * max(0, 72 - cell_len(head)), "2" if message.is_note else "1", colour
            ),
        ]
        lines.append(block(message.body) or "(empty)")
    if not messages:
        lines += ["", "(no messages)"]
    return lines


def ticket_rows(tickets: Sequence[Ticket], now: datetime, width: int | None) -> list[str]:
    """A compact list of a person's tickets."""
    rows = [
        [
            one_line(t.id),
            t.status.value,
            t.priority.value,
            when(t.created_at)[:10],
            one_line(t.subject) or "(no subject)",
        ]
        for t in tickets
    ]
    return table(["ID", "STATUS", "PRIORITY", "CREATED", "SUBJECT"], rows, total_width=width)


def article_lines(
    ranked: Sequence[tuple[Article, float | None, Sequence[str]]], width: int | None
) -> list[str]:
    """Numbered articles: title, section, score and matched words, link, a preview."""
    lines: list[str] = []
    for rank, (article, score, terms) in enumerate(ranked, start=1):
        section = f" [{one_line(article.section)}]" if article.section else ""
        head = f"{rank:>2}. {one_line(article.title)}{section}"
        facts = [f"id {one_line(article.id)}"]
        if score is not None:
            facts.append(f"score {score:.0f}")
        if terms:
            facts.append("matched " + ", ".join(one_line(t) for t in terms))
        lines.append(f"{head}  ({' · '.join(facts)})")
        if article.url:
            lines.append(f"    {one_line(article.url)}")
        preview = snippet(article.body)
        if preview:
            limit = max(40, (width or 100) - 4)
            lines.append(f"    {fit(preview, limit).rstrip()}")
    return lines
