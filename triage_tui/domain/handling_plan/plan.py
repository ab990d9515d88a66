"""The handling plan: the workflow's four stages made concrete for one ticket.

Support Specialist (what the customer is trying to do, how urgent, what the
reply must achieve), Operations Lead (owner, route, escalation path),
Analyst (the check that proves it worked) and Product Manager (the follow-up
the ticket creates). Everything is derived deterministically from what the
console already has — the ticket, the requester's history, the escalation
rules, the KB matches, similar open tickets — so the plan can be shown for
every ticket as it is opened, and the same ticket always gets the same plan.

Urgency is a score, so it can be explained by its reasons: SLA breached 3
(under an hour 2), priority urgent 3 / high 2, VIP organisation 2, a
data-integrity rule 2, legal or a human asked for 1 each, repeated contact 1,
a stated impact or deadline 1. 6+ is critical, 4+ high, 1+ normal, 0 low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from triage_tui.domain import sla
from triage_tui.domain.clusters import Clusters
from triage_tui.domain.enums import Priority
from triage_tui.domain.escalation import RuleResult
from triage_tui.domain.handling_plan.reading import SUBJECT_CHARS, Ask, area_of, read_ask, stems
from triage_tui.domain.kb.ranking import RELEVANT_SCORE, KbMatch
from triage_tui.domain.models import PersonHistory, TicketDetail

STRONG_SCORE = 70.0
"""A relevant article scoring below this is worth improving (a PM follow-up)."""
RULE_ORDER = (
    "legal_compliance",
    "data_integrity",
    "billing_refund",
    "requested_human",
    "repeated_contact",
)
"""Which fired rule routes the ticket when several fire: the gravest first."""
SUBJECT_SHOWN = 200
"""The plan's sentences quote the subject cut to this many characters (with
"…"): a follow-up is one line of a report, and the event log keeps each."""

STAGES = (
    ("support-specialist", "Support Specialist",
     "Clarify the customer issue, urgency, and the response the customer needs now."),
    ("operations-lead", "Operations Lead",
     "Decide the handling path, owner, escalation, and any internal coordination needed."),
    ("analyst", "Analyst",
     "Define what signal or evidence would confirm the issue is understood and resolved."),
    ("product-manager", "Product Manager",
     "Turn the ticket outcome into product, tooling, or documentation follow-through."),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlanItem:
    label: str
    text: str = ""
    points: tuple[str, ...] = ()
    """Sub-points (e.g. each thing the reply must do)."""


@dataclass(frozen=True, slots=True)
class Stage:
    context_id: str
    title: str
    responsibility: str
    items: tuple[PlanItem, ...]


@dataclass(frozen=True, slots=True)
class Urgency:
    level: str
    """``critical``, ``high``, ``normal`` or ``low``."""
    score: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return self.level + (" \u2014 " + "; ".join(self.reasons) if self.reasons else "")


@dataclass(frozen=True, slots=True)
class HandlingPlan:
    ticket_id: str
    subject: str
    generated_at: datetime
    kind: str
    """``problem``, ``question`` or ``request``."""
    goal: str
    urgency: Urgency
    owner: str
    route: str | None
    """Where the ticket goes; None when it stays with first-line support."""
    checks: tuple[str, ...]
    stages: tuple[Stage, ...]
    follow_ups: tuple[str, ...]
    """Concrete follow-through, each line self-contained (ticket id included),
    for the session report."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        return data

    def to_markdown(self) -> str:
        lines = [f"# Handling plan: ticket {self.ticket_id} \u2014 {_shown(self.subject)}", ""]
        lines += [f"**Urgency:** {self.urgency}", ""]
        for number, stage in enumerate(self.stages, 1):
            lines += [f"## {number}. {stage.title}", "", f"_{stage.responsibility}_", ""]
            for item in stage.items:
                lines.append(f"- **{item.label}:** {item.text}".rstrip())
                lines += [f"  - {point}" for point in item.points]
            lines.append("")
        lines += ["## Follow-ups", ""]
        lines += [f"- [ ] {f}" for f in self.follow_ups] or ["- none"]
        return "\n".join(lines) + "\n"


def handling_plan(
    detail: TicketDetail,
    history: PersonHistory | None,
    rules: Sequence[RuleResult],
    kb: Sequence[KbMatch] | None,
    clusters: Clusters | None = None,
    *,
    now: datetime,
) -> HandlingPlan:
    """The plan for one ticket (``TicketView`` fields plus optional clusters)."""
    ticket = detail.ticket
    ask = read_ask(detail)
    fired = sorted((r for r in rules if r.fired), key=lambda r: _rule_rank(r.rule_id))
    fired_ids = {r.rule_id for r in fired}
    similar = clusters.similar(ticket.id) if clusters is not None else []
    urgency = _urgency(detail, fired_ids, ask, now)
    goal = f"{_KIND_LABEL[ask.kind]}: {_shown(ticket.subject) or '(no subject)'}"
    primary = fired[0] if fired else None
    route = primary.route if primary else None
    owner = ticket.assignee or "unassigned \u2014 whoever replies next takes it"
    checks = _checks(detail, ask, fired_ids, similar, now)
    follow_ups = _follow_ups(detail, ask, fired, kb, similar, history)

    support = [PlanItem("Customer's goal", goal)]
    if ask.quote:
        support.append(PlanItem("In their words", f"\u201c{ask.quote}\u201d"))
    if ask.impact and ask.impact != ask.quote:
        support.append(PlanItem("Impact", f"\u201c{ask.impact}\u201d"))
    support.append(PlanItem("Urgency", str(urgency)))
    support.append(PlanItem("The reply must", "", tuple(_reply_must(ask, fired, kb))))

    operations = [PlanItem("Owner", owner + (f" (group {ticket.group})" if ticket.group else ""))]
    if primary is not None:
        evidence = ", ".join(f"\u201c{e}\u201d" for e in primary.evidence)
        text = f"escalate to {primary.route} \u2014 {primary.title}"
        operations.append(PlanItem("Route", text + (f" ({evidence})" if evidence else "")))
        also = [f"{r.title} \u2192 {r.route}" for r in fired[1:]]
        if also:
            operations.append(PlanItem("Also fired", "; ".join(also)))
    else:
        stays = ticket.group or "first-line support"
        operations.append(PlanItem("Route", f"stays with {stays}: no escalation rule fired"))
    dismissed = [r.title for r in rules if r.overridden]
    if dismissed:
        operations.append(PlanItem("Dismissed by the agent", "; ".join(dismissed)))
    operations.append(PlanItem("Escalation path", _escalation_path(primary, owner)))
    coordination = _coordination(detail, history, similar)
    if coordination:
        operations.append(PlanItem("Coordination", "", tuple(coordination)))

    product = (
        [PlanItem("Follow-up", "", follow_ups)]
        if follow_ups
        else [PlanItem("Follow-up", "none: nothing here points to a KB, product or process gap")]
    )
    items = (support, operations, [PlanItem("Proves it worked", "", checks)], product)
    stages = tuple(
        Stage(cid, title, resp, tuple(stage_items))
        for (cid, title, resp), stage_items in zip(STAGES, items, strict=True)
    )
    return HandlingPlan(
        ticket.id, ticket.subject, now, ask.kind, goal, urgency, owner, route,
        checks, stages, follow_ups,
    )  # fmt: skip


_KIND_LABEL = {
    "problem": "Fix a problem",
    "question": "Get an answer",
    "request": "Get something done",
}


def _rule_rank(rule_id: str) -> int:
    return RULE_ORDER.index(rule_id) if rule_id in RULE_ORDER else len(RULE_ORDER)


def _urgency(detail: TicketDetail, fired: set[str], ask: Ask, now: datetime) -> Urgency:
    ticket = detail.ticket
    score = 0
    reasons: list[str] = []
    state = sla.state(ticket, now)
    target = sla.next_target(ticket)
    left = sla.format_countdown(sla.time_left(ticket, now))
    metric = target.metric.replace("_", " ") if target else ""
    if state is sla.SlaState.BREACHED:
        score += 3
        reasons.append(f"SLA {metric} breached {left.lstrip('-')} ago")
    elif state is sla.SlaState.AT_RISK:
        score += 2
        reasons.append(f"SLA {metric} due in {left}")
    elif state is sla.SlaState.OK:
        reasons.append(f"SLA {metric} due in {left}")
    if ticket.priority is Priority.URGENT:
        score += 3
    elif ticket.priority is Priority.HIGH:
        score += 2
    if ticket.priority in (Priority.URGENT, Priority.HIGH):
        reasons.append(f"priority {ticket.priority.value}")
    if ticket.organization is not None and ticket.organization.vip:
        score += 2
        reasons.append(f"VIP organization {ticket.organization.name}")
    for rule_id, points, reason in (
        ("data_integrity", 2, "data integrity at stake"),
        ("legal_compliance", 1, "legal/compliance"),
        ("requested_human", 1, "customer asked for a person"),
        ("repeated_contact", 1, "customer has written 3+ times"),
    ):
        if rule_id in fired:
            score += points
            reasons.append(reason)
    if ask.impact:
        score += 1
        reasons.append("impact or deadline stated")
    level = "critical" if score >= 6 else "high" if score >= 4 else "normal" if score else "low"
    return Urgency(level, score, tuple(reasons))


def _reply_must(ask: Ask, fired: Sequence[RuleResult], kb: Sequence[KbMatch] | None) -> list[str]:
    out: list[str] = []
    if ask.kind == "question":
        out.append("Answer the question directly, in the first lines")
    elif ask.kind == "request":
        out.append("Say whether it can be done, how, and by when")
    else:
        out.append("Give the specific next step and what the customer sees when it works")
    if kb and kb[0].score >= RELEVANT_SCORE:
        out.append(f"Quote and link \u201c{kb[0].article.title}\u201d (score {kb[0].score:.0f})")
    elif kb is not None:
        out.append("Explain the step in the reply itself: no KB article covers this")
    ids = {r.rule_id for r in fired}
    if "legal_compliance" in ids:
        out.append(
            "Do not answer the legal point yourself: confirm legal has it and when they reply"
        )
    if "data_integrity" in ids:
        out.append(
            "Acknowledge the data problem plainly; ask which records are affected if unknown"
        )
    if "billing_refund" in ids:
        out.append("Say what happens with the money and when the customer will see it")
    if "requested_human" in ids:
        out.append("Tell the customer which person now owns the ticket")
    if "repeated_contact" in ids:
        out.append("Recap what was tried so far; ask nothing the customer already answered")
    if ask.impact:
        out.append("Acknowledge the impact they described")
    out.append("Set the expectation: when they will hear from us next")
    out.append("No vague or defensive wording; promise nothing we do not control")
    return out


def _escalation_path(primary: RuleResult | None, owner: str) -> str:
    if primary is None:
        return (
            "if the next step does not resolve it, or the customer writes a third time "
            "without resolution, hand it to tier 2 with what was tried"
        )
    keeper = owner if not owner.startswith("unassigned") else "the agent who escalates"
    path = f"{primary.route} owns the resolution; {keeper} keeps the customer updated here"
    if primary.rule_id == "data_integrity":
        path += "; page on-call engineering if data is still being lost"
    return path


def _coordination(
    detail: TicketDetail, history: PersonHistory | None, similar: Sequence[str]
) -> list[str]:
    out: list[str] = []
    if similar:
        shown = ", ".join(similar[:5]) + (", \u2026" if len(similar) > 5 else "")
        out.append(
            f"{_count(len(similar), 'similar open ticket')} ({shown}): one answer, one owner"
        )
    org = detail.ticket.organization
    if org is not None and org.vip:
        out.append(f"Tell {org.name}'s account owner (VIP)")
    if history is not None:
        other = [t.id for t in history.tickets if t.id != detail.ticket.id and t.status.is_active]
        if other:
            count = _count(len(other), "other open ticket")
            out.append(f"Requester has {count}: {', '.join(other[:5])}")
    return out


def _checks(
    detail: TicketDetail, ask: Ask, fired: set[str], similar: Sequence[str], now: datetime
) -> tuple[str, ...]:
    ticket = detail.ticket
    area = area_of([*ask.topic_words, *ticket.tags])
    out = [
        area.check
        if area
        else f"Customer confirms \u201c{_shown(ticket.subject)}\u201d is resolved"
    ]
    if "data_integrity" in fired:
        out.append("The affected records are restored and counted against the customer's list")
    if "legal_compliance" in fired:
        out.append("Legal confirms the answer went out, within any statutory deadline")
    if "requested_human" in fired:
        out.append("A named person replied within the SLA")
    who = ticket.organization.name if ticket.organization else ticket.requester.name or "them"
    window = "7 days" if "data_integrity" in fired else "48 h"
    out.append(f"No new ticket from {who} about this within {window}")
    if similar:
        out.append(f"{_count(len(similar), 'similar ticket')} closed with the same answer")
    state = sla.state(ticket, now)
    if state in (sla.SlaState.AT_RISK, sla.SlaState.OK):
        target = sla.next_target(ticket)
        metric = target.metric.replace("_", " ") if target else "SLA"
        left = sla.format_countdown(sla.time_left(ticket, now))
        out.append(f"Replied within the SLA ({metric} due in {left})")
    return tuple(out)


def _follow_ups(
    detail: TicketDetail,
    ask: Ask,
    fired: Sequence[RuleResult],
    kb: Sequence[KbMatch] | None,
    similar: Sequence[str],
    history: PersonHistory | None,
) -> tuple[str, ...]:
    ticket = detail.ticket
    tid, subject = ticket.id, _shown(ticket.subject)
    out: list[str] = []
    if kb is not None:
        best = kb[0] if kb else None
        if best is None or best.score < RELEVANT_SCORE:
            closest = (
                f"best: \u201c{best.article.title}\u201d at {best.score:.0f}"
                if best
                else "none found"
            )
            out.append(f"KB: write an article on \u201c{subject}\u201d ({closest}; ticket {tid})")
        elif best.score < STRONG_SCORE:
            matched = stems(best.matched_terms)
            missing = [w for w in ask.subject_words if stems([w]).isdisjoint(matched)][:3]
            gap = f" but does not mention {', '.join(missing)}" if missing else ""
            out.append(
                f"KB: \u201c{best.article.title}\u201d is the best match at {best.score:.0f}{gap}"
                f" \u2014 improve it or write a closer one (ticket {tid})"
            )
    ids = {r.rule_id: r for r in fired}
    if "data_integrity" in ids:
        evidence = ", ".join(f"\u201c{e}\u201d" for e in ids["data_integrity"].evidence)
        linked = f" and {len(similar)} similar" if similar else ""
        out.append(f"Bug: file a data-integrity bug for \u201c{subject}\u201d ({evidence}; "
                   f"ticket {tid}{linked})")  # fmt: skip
    elif ask.kind == "problem" and len(similar) >= 2:
        out.append(
            f"Bug: file or link a bug \u2014 {len(similar) + 1} open tickets report "
            f"\u201c{subject}\u201d (ticket {tid} and {', '.join(similar[:3])})"
        )
    if (
        ask.kind == "question"
        and kb
        and kb[0].score >= STRONG_SCORE
        and (similar or _repeat(detail, history))
    ):
        out.append(
            f"Docs: customers keep asking this though \u201c{kb[0].article.title}\u201d answers it "
            f"\u2014 link it where the question arises (ticket {tid})"
        )
    if "repeated_contact" in ids:
        count = ids["repeated_contact"].message_count or 3
        out.append(f"Process: ticket {tid} needed {count} customer messages \u2014 review the "
                   f"template and KB answer for \u201c{subject}\u201d")  # fmt: skip
    if "legal_compliance" in ids and not (kb and kb[0].score >= RELEVANT_SCORE):
        out.append(f"Docs: add \u201c{subject}\u201d to the compliance FAQ (ticket {tid})")
    if "billing_refund" in ids and similar:
        out.append(f"Billing: {len(similar) + 1} open tickets about \u201c{subject}\u201d \u2014 "
                   f"check the billing flow or its wording (ticket {tid})")  # fmt: skip
    return tuple(out)


def _shown(subject: str) -> str:
    """The subject as the plan quotes it: stripped, cut at ``SUBJECT_SHOWN``."""
    text = subject.strip()
    return text if len(text) <= SUBJECT_SHOWN else text[: SUBJECT_SHOWN - 1].rstrip() + "\u2026"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _repeat(detail: TicketDetail, history: PersonHistory | None) -> bool:
    """The requester asked about the same thing before (two subject words in common)."""
    if history is None:
        return False
    mine = stems(detail.ticket.subject[:SUBJECT_CHARS].lower().split())
    return any(
        len(mine & stems(t.subject[:SUBJECT_CHARS].lower().split())) >= 2
        for t in history.tickets
        if t.id != detail.ticket.id
    )
