"""The scriptable verbs: one ticket workflow step each, without any UI.

They mirror the Ticket Response Workflow (get-ticket, get-user --tickets,
search-kb, reply-ticket, close-ticket --note, update-ticket --status,
escalate-ticket) plus ``queue`` and ``create-ticket``. Each is an async
function over an open ``Helpdesk`` returning an ``Outcome``: JSON-ready data
and, unless JSON was asked for, the human lines. Input is validated before the
first write, so a typo never leaves a ticket half-updated. The confirmation
lines use the workflow's words ("Responded to 123 for Dana Reyes").

Nothing here imports Textual or httpx (see tests/cli/test_startup.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from triage_tui.adapters.base import Helpdesk
from triage_tui.cli import output as out
from triage_tui.domain import sla
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import InvalidInput, TriageError, Unsupported
from triage_tui.domain.models import Article, Escalation, NewTicket, Ticket
from triage_tui.domain.text import count
from triage_tui.engine import outbox_model as om

if TYPE_CHECKING:
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.domain.filters.language import Filter
    from triage_tui.domain.safeguards.checks import Finding
    from triage_tui.domain.safeguards.match import SafeguardConfig
    from triage_tui.engine.buffered import BufferedHelpdesk

#: En dash, as in the spec's confirmations ("Ticket 123 closed – Resolved: …").
DASH = "\u2013"


@dataclass(frozen=True)
class View:
    """How results are shown: the instant countdowns are measured from, and the format."""

    now: datetime
    json: bool = False
    colour: bool = False
    #: Terminal width to cut the last column to; None when piped.
    width: int | None = None


@dataclass
class Outcome:
    data: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    #: Extra advice for stderr (never part of the result).
    hints: list[str] = field(default_factory=list)


def _require(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise InvalidInput(f"{what} is empty")
    return _encodable(text, what)


def _encodable(text: str, what: str) -> str:
    """Refuse undecodable bytes (a lone surrogate from argv) before they reach a store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} is not valid UTF-8 text") from None
    return text


#: The one UTF-8 check: the command line applies it to every argument of a verb.
require_utf8 = _encodable


def _name(ticket: Ticket) -> str:
    return ticket.requester.name or ticket.requester.email or "the requester"


# -- reads ---------------------------------------------------------------------


async def queue(
    helpdesk: Helpdesk,
    view: View,
    limit: int = 20,
    *,
    chosen: Filter | None = None,
    view_name: str | None = None,
) -> Outcome:
    """Active tickets, soonest SLA breach first (``domain.sla.sort_queue``).

    ``chosen`` (``--filter``/``--view``) keeps the tickets it matches, as the
    console's ``/`` does over the same rows. Only the tickets printed are read
    in full (``_queue_head``); the rest are counted.
    """
    if limit < 0:
        raise InvalidInput(f"--limit must be 0 (all) or more, not {limit}")
    head = await _queue_head(helpdesk, view, limit, chosen) if limit else None
    if head is None:
        head = await _whole_queue(helpdesk, view.now, limit, chosen)
    active, total, breached, at_risk, shown = head
    data = {
        "generated_at": view.now.isoformat(),
        "filter": str(chosen) if chosen else None,
        "view": view_name,
        "active": active,
        "total": total,
        "count": len(shown),
        "tickets": [out.ticket_json(t, view.now) for t in shown],
    }
    outcome = Outcome(data)
    if not active and helpdesk.name == "local":
        outcome.hints.append("the local helpdesk has no active tickets; `triage demo` fills it")
    if not view.json:
        if shown:
            outcome.lines = out.queue_lines(shown, view.now, colour=view.colour, width=view.width)
            outcome.lines.append("")
        summary = out.queue_counts_line(len(shown), total, breached, at_risk)
        if chosen:
            named = f"view {view_name}: " if view_name else ""
            summary += f" · {named}{out.one_line(str(chosen))} ({active} active in all)"
        outcome.lines.append(summary)
    return outcome


#: (active, matching, breached, at risk, the tickets shown in queue order).
_Head = tuple[int, int, int, int, list[Ticket]]


async def _queue_head(
    helpdesk: Helpdesk, view: View, limit: int, chosen: Filter | None
) -> _Head | None:
    """The queue's counts and its first ``limit`` tickets, reading only those in full:
    counted by the helpdesk when the filter is one it can count (priority and status
    terms), else chosen among compact rows. None when the helpdesk can do neither."""
    from triage_tui.domain.queue import QueueCounts, sort_rows

    now = view.now
    narrowed = _countable(chosen)
    if narrowed is not None:
        # JSON has no breached/at-risk counts: not counted for it.
        top = await helpdesk.queue_top(limit, *narrowed, now, states=not view.json)
        if top is not None:
            shown = sla.sort_queue(top.tickets, now)[:limit]
            return top.active, top.total, top.breached, top.at_risk, shown
    if await helpdesk.tickets_by_id([]) is None:
        return None
    rows = [row async for batch in helpdesk.iter_queue_rows() for row in batch]
    kept = chosen.apply(rows, now) if chosen else rows
    sort_rows(kept)
    tickets = await helpdesk.tickets_by_id([r.id for r in kept[:limit]])
    if tickets is None:
        return None
    counts = QueueCounts.of(kept, now)
    shown = sla.sort_queue(tickets, now)
    return len(rows), counts.total, counts.breached, counts.at_risk, shown


def _countable(
    chosen: Filter | None,
) -> tuple[frozenset[Status], frozenset[Priority] | None] | None:
    """The statuses and priorities ``chosen`` keeps when it says nothing else (the
    terms a helpdesk can count by), else None."""
    from triage_tui.domain.enums import ACTIVE_STATUSES

    statuses, priorities = ACTIVE_STATUSES, None
    if not chosen:
        return statuses, priorities
    # Only with a filter: the terms module is ~5 ms of a plain `queue`'s start.
    from triage_tui.domain.filters.terms import SetCond

    for term in chosen.terms:
        cond = term.cond
        if not isinstance(cond, SetCond) or cond.field not in ("priority", "status"):
            return None
        allowed = cond.allowed()
        if cond.field == "status":
            statuses = statuses - allowed if term.negated else statuses & allowed
        else:
            every = frozenset(Priority) if priorities is None else priorities
            priorities = every - allowed if term.negated else every & allowed
    return statuses, priorities


async def _whole_queue(
    helpdesk: Helpdesk, now: datetime, limit: int, chosen: Filter | None
) -> _Head:
    """Every active ticket read in full (``--limit 0``, or a helpdesk that only lists)."""
    tickets = [t async for t in helpdesk.iter_queue()]
    active = len(tickets)
    if chosen:
        from triage_tui.domain.queue import QueueRow

        kept = {r.id for r in chosen.apply([QueueRow.from_ticket(t) for t in tickets], now)}
        tickets = [t for t in tickets if t.id in kept]
    ordered = sla.sort_queue(tickets, now)
    states = [sla.state(t, now) for t in ordered]
    breached = states.count(sla.SlaState.BREACHED)
    at_risk = states.count(sla.SlaState.AT_RISK)
    return active, len(ordered), breached, at_risk, ordered[:limit] if limit else ordered


async def get_ticket(helpdesk: Helpdesk, view: View, ticket_id: str) -> Outcome:
    detail = await helpdesk.get_ticket(ticket_id)
    data = {
        "ticket": out.ticket_json(detail.ticket, view.now),
        "messages": [m.model_dump(mode="json") for m in detail.messages],
    }
    outcome = Outcome(data)
    if not view.json:
        outcome.lines = out.ticket_lines(
            detail.ticket, detail.messages, view.now, colour=view.colour
        )
    return outcome


async def get_user(helpdesk: Helpdesk, view: View, person_id: str, with_tickets: bool) -> Outcome:
    history = await helpdesk.get_person(person_id)
    person = history.person
    data: dict[str, Any] = {
        "person": person.model_dump(mode="json"),
        "organization": history.organization.model_dump(mode="json")
        if history.organization
        else None,
        "ticket_count": len(history.tickets),
        "returning": len(history.tickets) > 1,
        "tickets": [out.ticket_json(t, view.now) for t in history.tickets]
        if with_tickets
        else None,
    }
    scores: list[dict[str, Any]] = []
    if with_tickets:
        from triage_tui.domain.hooks import scores_for  # satisfaction belongs to the history

        try:
            scores = scores_for(await helpdesk.list_events(None), person.id)
        except TriageError:  # no event log: no scores known
            scores = []
        data["csat"] = scores
    outcome = Outcome(data)
    if view.json:
        return outcome
    count = len(history.tickets)
    kind = "returning" if count > 1 else "new"
    lines = [
        out.person_line(person, history.organization),
        (
            f"Person id  {out.one_line(person.id)} · {kind} requester · {count} ticket(s)"
            f" · since {out.when(person.created_at)[:10] if person.created_at else '—'}"
        ),
    ]
    if scores:
        given = ", ".join(f"{s['score']}/5 on {out.one_line(s['ticket_id'])}" for s in scores)
        lines.append(f"Satisfaction  {given}")
    if with_tickets and history.tickets:
        lines += ["", *out.ticket_rows(history.tickets, view.now, view.width)]
    elif count and not with_tickets:
        outcome.hints.append("add --tickets to list them")
    outcome.lines = lines
    return outcome


async def search_kb(helpdesk: Helpdesk, view: View, words: str, limit: int = 5) -> Outcome:
    """Articles for the words, best first, ranked as the console ranks its suggestions.

    When the helpdesk can list its KB (``kb_list``), the whole KB is ranked
    locally by ``domain.kb`` (typo tolerant, with 0–100 scores and the words
    that matched), so ``search-kb`` agrees with the console's suggestions.
    Otherwise the helpdesk's own search answers, without scores.
    """
    _require(words, "search words")
    if limit < 1:
        raise InvalidInput(f"--limit must be at least 1, not {limit}")
    caps = helpdesk.capabilities
    ranked: list[tuple[Article, float | None, tuple[str, ...]]]
    if caps.kb_list:
        from triage_tui.domain.kb.ranking import KbIndex  # rapidfuzz: only this verb pays for it

        index = KbIndex([a async for a in helpdesk.iter_articles()])
        ranked = [(m.article, m.score, m.matched_terms) for m in index.rank(words, limit)]
    elif caps.kb_search:
        ranked = [(a, None, ()) for a in await helpdesk.search_kb(words, limit)]
    else:
        raise Unsupported(f"{helpdesk.display_name} has no knowledge-base search")
    data = {
        "query": words,
        "count": len(ranked),
        "articles": [
            {**article.model_dump(mode="json"), "score": score, "matched_terms": list(terms)}
            for article, score, terms in ranked
        ],
    }
    outcome = Outcome(data)
    if not view.json:
        outcome.lines = out.article_lines(ranked, view.width) or ["No matching articles."]
    return outcome


async def plan(
    helpdesk: Helpdesk,
    view: View,
    ticket_id: str,
    *,
    rules: RuleSet | None = None,
    similar: bool = True,
    record: bool = False,
) -> Outcome:
    """The ticket's handling plan (the workflow's four stages), as Markdown or JSON.

    ``rules`` is the profile's ``RuleSet`` (default rules when None); ``record``
    logs the plan's follow-ups for the session report (local helpdesk only).
    """
    from triage_tui.domain.clock import FrozenClock
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.domain.text import sanitize
    from triage_tui.engine.plan import load_plan, record_follow_ups

    made, _ = await load_plan(
        helpdesk, ticket_id, rules or RuleSet.default(), FrozenClock(view.now), similar=similar
    )
    data = made.to_dict()
    outcome = Outcome(data)
    if record:
        data["recorded"] = await record_follow_ups(helpdesk, made)
        if not data["recorded"] and made.follow_ups:
            outcome.hints.append(f"{helpdesk.display_name} keeps no event log; nothing recorded")
    if not view.json:
        outcome.lines = sanitize(made.to_markdown()).rstrip("\n").split("\n")
    return outcome


# -- writes --------------------------------------------------------------------


async def create_ticket(
    helpdesk: Helpdesk,
    view: View,
    *,
    subject: str,
    body: str,
    requester: str,
    name: str = "",
    priority: str | None = None,
    channel: str = "email",
    tags: list[str] | None = None,
) -> Outcome:
    _require(subject, "ticket subject")
    _require(body, "ticket body")
    email = _encodable(requester, "--requester").strip()
    _encodable(name, "--name")
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise InvalidInput(f"requester {requester!r} is not an email address")
    if not helpdesk.capabilities.create_ticket:
        raise Unsupported(f"{helpdesk.display_name} does not create tickets from triage")
    try:
        new = NewTicket(
            subject=subject,
            body=body,
            requester_email=email,
            requester_name=name,
            priority=Priority.parse(priority) if priority else Priority.NORMAL,
            channel=channel.strip() or "email",
            tags=tags or [],
        )
    except ValidationError as exc:
        raise InvalidInput(f"invalid ticket: {exc.errors()[0]['msg']}") from None
    ticket = await helpdesk.create_ticket(new)
    left = sla.format_countdown(sla.time_left(ticket, view.now))
    line = f"Ticket {ticket.id} created for {_name(ticket)}"
    if sla.next_target(ticket):
        line += f" {DASH} first reply due in {left}"
    return _confirm({"ticket": out.ticket_json(ticket, view.now)}, line)


class SafeguardBlocked(TriageError):
    """A reply a blocking safeguard stops, as the console's Send would ask first."""

    #: Its own code, so a script tells "fix the text" from a helpdesk's refusal.
    exit_code = 7


async def _findings(
    helpdesk: Helpdesk,
    ticket_id: str,
    text: str,
    now: datetime,
    rules: RuleSet | None,
    config: SafeguardConfig | None,
) -> tuple[Ticket, list[Finding]]:
    """The console's safeguards on ``text``: over the ticket and its rules, gathered by
    the console's own loader.

    The KB index is not built (over a second for the demo's 64 articles, most of
    a reply's run): only the missing-KB-link warning needs it, and a helpdesk
    that searches its KB itself is asked as the console asks it.
    """
    from triage_tui.domain.clock import FrozenClock
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.domain.safeguards.checks import check
    from triage_tui.engine.loader import TicketLoader

    loader = TicketLoader(helpdesk, rules or RuleSet.default(), FrozenClock(now))
    ticket_view = await loader.load(ticket_id)
    findings = check(
        text,
        detail=ticket_view.detail,
        kb=ticket_view.kb,
        rules=ticket_view.rules,
        config=config,
    )
    return ticket_view.detail.ticket, findings


async def reply_ticket(
    helpdesk: Helpdesk,
    view: View,
    ticket_id: str,
    text: str,
    *,
    rules: RuleSet | None = None,
    safeguards: SafeguardConfig | None = None,
    send_anyway: bool = False,
) -> Outcome:
    """Send a public reply once the console's safeguards pass it.

    A blocking finding (an unfilled placeholder, an escalation rule that fired)
    refuses the reply before anything is written, naming it; ``send_anyway``
    sends past it and logs ``safeguard.raised``, as the console's ``y`` does.
    Warnings go to stderr and do not stop it.
    """
    from triage_tui.domain import events
    from triage_tui.domain.safeguards.checks import blocking
    from triage_tui.engine.recording import record

    _require(text, "reply text")
    ticket, findings = await _findings(helpdesk, ticket_id, text, view.now, rules, safeguards)
    blocks = blocking(findings)
    if blocks and not send_anyway:
        first = blocks[0]
        more = f" (and {len(blocks) - 1} more)" if len(blocks) > 1 else ""
        # The console's advice names its own keys ("dismiss the rule"); a script's is a verb.
        reason = first.reason.partition(": escalate to")[0]
        fix = (
            f"escalate it first (triage escalate-ticket {ticket.id} --reason …)"
            if first.kind.value == "escalation"
            else "fix the text"
        )
        raise SafeguardBlocked(
            f"reply to {ticket.id} not sent: safeguard {first.kind.value}: {reason}{more};"
            f" {fix}, or pass --send-anyway"
        )
    if blocks:
        await record(helpdesk, events.SAFEGUARD_RAISED, ticket.id, events.override_payload(blocks))
    message = await helpdesk.reply(ticket.id, text)
    line = f"Responded to {ticket.id} for {_name(ticket)}"
    data = {
        "ticket_id": ticket.id,
        "requester": ticket.requester.model_dump(mode="json"),
        "message": message.model_dump(mode="json"),
        "safeguards": [_finding_json(f) for f in findings],
    }
    outcome = _confirm(data, line)
    outcome.hints += [
        f"safeguard {f.kind.value} ({'sent anyway' if f.blocking else 'warning'}): {f.reason}"
        for f in findings
    ]
    return outcome


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "reason": finding.reason,
        "start": finding.start,
        "end": finding.end,
    }


async def close_ticket(helpdesk: Helpdesk, view: View, ticket_id: str, note: str | None) -> Outcome:
    """Record the resolution as an internal note, then set the ticket solved.

    A ticket already solved or closed is left alone (no note, no status
    write): closing is idempotent, so a script may repeat it.
    """
    if note is not None:
        _require(note, "--note")
        if not helpdesk.capabilities.internal_notes:
            raise Unsupported(
                f"{helpdesk.display_name} has no internal notes; close without --note"
            )
    detail = await helpdesk.get_ticket(ticket_id)
    if detail.ticket.status in (Status.SOLVED, Status.CLOSED):
        line = f"ticket {detail.ticket.id} is already {detail.ticket.status.value}"
        if note is not None:
            line += "; the note was not added"
        data = {"ticket": out.ticket_json(detail.ticket, view.now), "note": None, "changed": False}
        return _confirm(data, line)
    message = await helpdesk.add_note(detail.ticket.id, note) if note is not None else None
    ticket = await helpdesk.set_status(detail.ticket.id, Status.SOLVED)
    line = f"Ticket {ticket.id} closed"
    if note:
        line += f" {DASH} {note.strip()}"
    data = {
        "ticket": out.ticket_json(ticket, view.now),
        "note": message.model_dump(mode="json") if message else None,
        "changed": True,
    }
    return _confirm(data, line)


async def update_ticket(
    helpdesk: Helpdesk,
    view: View,
    ticket_id: str,
    *,
    status: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    group: str | None = None,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
) -> Outcome:
    """Apply only what was asked, after checking all of it is valid and supported."""
    caps = helpdesk.capabilities
    new_status = Status.parse(status) if status is not None else None
    new_priority = Priority.parse(priority) if priority is not None else None
    add, remove = list(add_tags or []), list(remove_tags or [])
    if (
        new_status is None
        and new_priority is None
        and assignee is None
        and group is None
        and not add
        and not remove
    ):
        raise InvalidInput(
            "nothing to update; pass --status, --priority, --assignee, --group, "
            "--add-tag or --remove-tag"
        )
    if new_priority is not None and not caps.priority:
        raise Unsupported(
            f"{helpdesk.display_name} changes priority only through an escalation: "
            f"triage escalate-ticket {ticket_id} --reason … --priority {new_priority.value}"
        )
    if (assignee is not None or group is not None) and not caps.assignment:
        raise Unsupported(f"{helpdesk.display_name} does not support assignment")
    if group is not None and not caps.groups:
        raise Unsupported(f"{helpdesk.display_name} has no groups")
    if (add or remove) and not caps.tags:
        raise Unsupported(f"{helpdesk.display_name} does not support tags")

    # Names the helpdesk knows, resolved before anything is written ("Mei" → "Mei Chen").
    from triage_tui.engine.directory import AGENT, GROUP, directory_of

    if assignee is not None and assignee.strip():
        assignee = await directory_of(helpdesk).resolve(AGENT, assignee)
    if group is not None and group.strip():
        group = await directory_of(helpdesk).resolve(GROUP, group)
    ticket = (await helpdesk.get_ticket(ticket_id)).ticket
    changes: dict[str, Any] = {}
    if assignee is not None or group is not None:
        who = (assignee.strip() or None) if assignee is not None else ticket.assignee
        ticket = await helpdesk.assign(ticket.id, who, group)
        if assignee is not None:
            changes["assignee"] = who
        if group is not None:
            changes["group"] = group
    if add or remove:
        ticket = await helpdesk.tag(ticket.id, add=add, remove=remove)
        changes["tags"] = {"add": add, "remove": remove}
    if new_priority is not None:
        ticket = await helpdesk.set_priority(ticket.id, new_priority)
        changes["priority"] = new_priority.value
    if new_status is not None:
        ticket = await helpdesk.set_status(ticket.id, new_status)
        changes["status"] = new_status.value
    parts = [f"{key} {value}" for key, value in changes.items() if key not in ("tags", "assignee")]
    if "assignee" in changes:
        parts.insert(0, f"assignee {changes['assignee'] or '(none)'}")
    parts += [f"tag +{t}" for t in add] + [f"tag -{t}" for t in remove]
    line = f"Ticket {ticket.id} updated {DASH} {', '.join(parts)}"
    return _confirm({"ticket": out.ticket_json(ticket, view.now), "changes": changes}, line)


async def escalate_ticket(
    helpdesk: Helpdesk,
    view: View,
    ticket_id: str,
    *,
    reason: str,
    note: str = "",
    priority: str | None = None,
    group: str | None = None,
    tags: list[str] | None = None,
) -> Outcome:
    """The composite escalation; the adapter records the note and applies what it can."""
    _require(reason, "--reason")
    try:
        escalation = Escalation(
            reason=reason.strip(),
            note=note,
            priority=Priority.parse(priority) if priority else None,
            group=group.strip() if group else None,
            # Marked as the console marks one: the reply safeguard's escalation check
            # then knows the ticket was escalated.
            tags=list(dict.fromkeys(["escalated", *(tags or [])])),
        )
    except ValidationError as exc:
        raise InvalidInput(f"invalid escalation: {exc.errors()[0]['msg']}") from None
    ticket = await helpdesk.escalate(ticket_id, escalation)
    line = f"Ticket {ticket.id} escalated {DASH} {escalation.reason}"
    data = {
        "ticket": out.ticket_json(ticket, view.now),
        "escalation": escalation.model_dump(mode="json"),
    }
    return _confirm(data, line)


def _confirm(data: dict[str, Any], line: str) -> Outcome:
    """A write's outcome: the confirmation line is the human output and a JSON key."""
    data["confirmation"] = line
    return Outcome(data, [out.one_line(line)])


# -- the event log -------------------------------------------------------------


async def _events_since(
    helpdesk: Helpdesk, since: str, now: datetime
) -> tuple[datetime, list[Any]]:
    """The local event log from ``--since`` (``8h`` or an ISO time) on, oldest first."""
    from triage_tui.domain.durations import DurationError, DurationTooLarge, parse_since

    try:
        start = parse_since(since, now)
    except DurationTooLarge as exc:
        raise InvalidInput(f"--since: {exc}") from None
    except DurationError as exc:
        raise InvalidInput(f"--since: {exc} or an ISO time such as 2026-11-22T08:00") from None
    try:
        log = await helpdesk.list_events(start)
    except Unsupported:
        raise Unsupported(
            f"{helpdesk.display_name} keeps no event log; sweeps, reports and events are "
            "recorded in the local helpdesk (--adapter local)"
        ) from None
    return start, [e for e in log if e.at <= now]


async def report(helpdesk: Helpdesk, view: View, since: str, markdown: bool = False) -> Outcome:
    """The session report over the event log (``engine.report``)."""
    from triage_tui.engine import report as report_mod

    start, log = await _events_since(helpdesk, since, view.now)
    result = report_mod.build(log, start, view.now)
    outcome = Outcome(result.to_json())
    if not view.json:
        outcome.lines = result.to_markdown().splitlines() if markdown else result.lines()
    if not log:
        outcome.hints.append(f"no events since {out.when(start)}")
    return outcome


async def events(helpdesk: Helpdesk, view: View, since: str) -> Outcome:
    """Every event since ``--since``: time, name, ticket, actor, payload."""
    start, log = await _events_since(helpdesk, since, view.now)
    data = {
        "since": start.isoformat(),
        "count": len(log),
        "events": [
            {
                "id": e.id,
                "name": e.name,
                "at": e.at.isoformat(),
                "ticket_id": e.ticket_id,
                "actor": e.actor,
                "payload": e.payload,
            }
            for e in log
        ],
    }
    outcome = Outcome(data)
    if not view.json:
        rows = [
            [
                e.at.strftime("%H:%M:%S"),
                out.one_line(e.name),
                out.one_line(e.ticket_id or "—"),
                out.one_line(e.actor),
                out.one_line(_payload_text(e.payload)),
            ]
            for e in log
        ]
        outcome.lines = out.table(
            ["TIME", "EVENT", "TICKET", "ACTOR", "DETAIL"],
            rows,
            max_widths=[8, 24, 10, 16, None],
            total_width=view.width,
        )
        outcome.lines.append(f"{len(log)} event(s) since {out.when(start)}")
    return outcome


def _payload_text(payload: dict[str, Any]) -> str:
    """``reason=billing/refund status=open→…``: compact, one line, keys in payload order."""
    parts = []
    for key, value in payload.items():
        if isinstance(value, dict | list):
            import json

            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        parts.append(f"{key}={value}")
    return " ".join(parts)


# -- the outbox ----------------------------------------------------------------


def _buffered(helpdesk: Helpdesk) -> BufferedHelpdesk:
    from triage_tui.engine.buffered import BufferedHelpdesk

    if not isinstance(helpdesk, BufferedHelpdesk):  # every verb's helpdesk is (``session``)
        raise Unsupported("this helpdesk was opened without its outbox")
    return helpdesk


def _entry(box: BufferedHelpdesk, wanted: str) -> om.Entry:
    """An entry by id or by the start of its id (as ``triage outbox`` shows it)."""
    from triage_tui.domain.errors import NotFound

    key = wanted.strip().lower()
    if len(key) < 4:
        raise InvalidInput(f"outbox entry id {wanted!r} is too short; give 4 or more characters")
    exact = box.outbox.get(key) if box.outbox_path.exists() else None
    if exact is not None:
        return exact
    found = [e for e in _entries(box, OUTBOX_SCAN) if e.id.startswith(key)]
    if not found:
        raise NotFound(f"no outbox entry {wanted!r}; `triage outbox` lists them")
    if len(found) > 1:
        raise InvalidInput(f"outbox entry id {wanted!r} is ambiguous; give more of it")
    return found[0]


#: Entries ``triage outbox`` lists (the console's outbox screen shows as many).
OUTBOX_SHOWN = 200
#: Entries looked through for an id prefix.
OUTBOX_SCAN = 5_000


def _entries(box: BufferedHelpdesk, limit: int) -> list[om.Entry]:
    # A profile that never wrote has no outbox file: listing it creates none.
    return box.outbox.entries(limit=limit) if box.outbox_path.exists() else []


def _note(entry: om.Entry, root: om.Entry | None, box: BufferedHelpdesk, now: datetime) -> str:
    """What the console's outbox screen says beside the entry: why it waits, or its error."""
    import math

    from triage_tui.engine.outbox_controls import waiting_reason

    note = entry.last_error or ""
    if root is not None:
        return f"{waiting_reason(root, box.session)} ({root.label})"
    if entry.state == om.PENDING and entry.next_attempt and entry.next_attempt > now:
        wait = math.ceil((entry.next_attempt - now).total_seconds())
        return f"next attempt in {wait} s · {note}" if note else f"next attempt in {wait} s"
    if entry.state == om.HELD and entry.hold_until:
        return f"undo window: {max(0, math.ceil((entry.hold_until - now).total_seconds()))} s"
    return note


def _entry_json(entry: om.Entry, root: om.Entry | None) -> dict[str, Any]:
    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": entry.id,
        "ticket_id": entry.ticket_id,
        "kind": entry.kind,
        "label": entry.label,
        "state": entry.state,
        "waits_behind": root.id if root is not None else None,
        "attempts": entry.attempts,
        "last_error": entry.last_error,
        "conflict": entry.conflict,
        "origin": entry.origin,
        "created_at": when(entry.created_at),
        "updated_at": when(entry.updated_at),
        "delivered_at": when(entry.delivered_at),
    }


async def outbox(
    helpdesk: Helpdesk, view: View, action: str | None = None, entry_id: str | None = None
) -> Outcome:
    """The outbox's entries (``triage outbox``), or one retried or cancelled.

    The same operations as the console's outbox screen (``r``, ``c``), on the
    same shared outbox of the profile.
    """
    box = _buffered(helpdesk)
    if action is None:
        if entry_id is not None:
            raise InvalidInput("an entry id goes with retry or cancel: triage outbox retry ID")
        return _outbox_list(box, view)
    if entry_id is None:
        raise InvalidInput(f"which entry? triage outbox {action} ID (`triage outbox` lists them)")
    entry = _entry(box, entry_id)
    if action == "retry":
        return await _outbox_retry(box, view, entry)
    return _outbox_cancel(box, view, entry)


def _outbox_list(box: BufferedHelpdesk, view: View) -> Outcome:
    entries = _entries(box, OUTBOX_SHOWN)
    blocked = {e.id: root for e, root in box.waiting()} if entries else {}
    data = {
        "count": len(entries),
        "entries": [_entry_json(e, blocked.get(e.id)) for e in entries],
    }
    outcome = Outcome(data)
    if view.json:
        return outcome
    rows = [
        [
            e.id[:8],
            out.one_line(e.ticket_id),
            e.kind,
            "waiting" if e.id in blocked else e.state,
            str(e.attempts),
            out.one_line(_note(e, blocked.get(e.id), box, view.now)),
        ]
        for e in entries
    ]
    if rows:
        outcome.lines = out.table(
            ["ID", "TICKET", "KIND", "STATE", "TRIES", "LAST ERROR / NOTE"],
            rows,
            max_widths=[8, 10, 8, 10, 5, None],
            total_width=view.width,
        )
        outcome.lines.append("")
    counts = box.outbox.counts() if entries else {}
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    outcome.lines.append(f"Outbox: {summary}" if summary else "Outbox: empty")
    if any(e.state in om.ATTENTION for e in entries):
        outcome.hints.append(
            "`triage outbox retry ID` sends a failed entry again; `cancel ID` drops it"
        )
    return outcome


async def _outbox_retry(box: BufferedHelpdesk, view: View, entry: om.Entry) -> Outcome:
    """A failed entry sent again now, as a verb's own write is (the console's ``r``)."""
    from triage_tui.domain.errors import Conflict, HelpdeskError

    if entry.state != om.FAILED:
        raise InvalidInput(
            f"outbox entry {entry.id[:8]} is {entry.state}: only a failed entry can be retried"
        )
    box.retry(entry.id)
    if entry.origin == "hook":  # engine.hooks.ORIGIN: run by the hooks' runner, not sent here
        line = f"{entry.label} on {entry.ticket_id}: pending again (triage watch runs it)"
        return _confirm({"entry": _entry_json(box.outbox.get(entry.id) or entry, None)}, line)
    root = box.outbox.waits_behind(entry.id)
    earlier = [e for e in box.outbox.for_ticket(entry.ticket_id, om.IN_FLIGHT) if e.seq < entry.seq]
    if root is not None or earlier:
        # Sent after what was recorded before it on the ticket, never ahead of it.
        why = f"waits behind {root.label}" if root is not None else "waits for earlier writes"
        line = f"{entry.label or entry.kind} on {entry.ticket_id}: pending again ({why})"
        data = {"entry": _entry_json(box.outbox.get(entry.id) or entry, root)}
        return _confirm(data, line)
    attempt = await box.deliverer.deliver_now(entry.id)
    now = box.outbox.get(entry.id) or entry
    if attempt.state == om.CONFLICT:
        raise Conflict(
            f"outbox entry {entry.id[:8]}: ticket {entry.ticket_id} changed since it was read: "
            + "; ".join(attempt.changes)
            + " — not sent"
        )
    if attempt.state != om.DELIVERED:
        if isinstance(attempt.error, TriageError):
            raise attempt.error
        raise HelpdeskError(f"outbox entry {entry.id[:8]} not delivered: {attempt.error}")
    line = f"Delivered: {entry.label or entry.kind} on {entry.ticket_id}"
    return _confirm({"entry": _entry_json(now, None)}, line)


def _outbox_cancel(box: BufferedHelpdesk, view: View, entry: om.Entry) -> Outcome:
    """The entry and the rest of its batch on that ticket, cancelled (the console's ``c``)."""
    cancelled = box.cancel(entry.id)
    if not cancelled:
        raise InvalidInput(
            f"outbox entry {entry.id[:8]} is {entry.state}: it has already left or was cancelled"
        )
    others = len(cancelled) - 1
    line = f"Cancelled: {entry.label or entry.kind} on {entry.ticket_id}"
    if others:
        line += f" and {count(others, 'later write')} of its batch"
    data = {"cancelled": [_entry_json(e, None) for e in cancelled]}
    return _confirm(data, line)
