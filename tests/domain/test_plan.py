"""Handling plan: the four stages derived from the ticket, rules, KB, history and clusters."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import FROZEN_NOW
from tests.domain.intel_factories import KB, detail
from tests.domain.row_factories import row
from triage_tui.domain.clusters import cluster
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.escalation import evaluate
from triage_tui.domain.handling_plan.plan import HandlingPlan, handling_plan
from triage_tui.domain.kb.ranking import KbIndex, KbMatch, ticket_query
from triage_tui.domain.models import Organization, PersonHistory, SlaTarget, Ticket, TicketDetail

LOGIN = (
    "Hi support,\n\nWhen we sign in through Okta we land back on the login page. "
    "Nothing changed on our side.\n\nAbout 20 people are affected. Any idea what's going on?\n\n"
    "Thanks,\nDana"
)


def plan_for(ticket: TicketDetail, **kwargs: object) -> HandlingPlan:
    kb = kwargs.pop("kb", KbIndex(KB).rank(ticket_query(ticket), 5))
    return handling_plan(
        ticket,
        kwargs.pop("history", None),  # type: ignore[arg-type]
        evaluate(ticket),
        kb,  # type: ignore[arg-type]
        kwargs.pop("clusters", None),  # type: ignore[arg-type]
        now=FROZEN_NOW,
    )


def item(plan: HandlingPlan, stage: int, label: str) -> tuple[str, tuple[str, ...]]:
    for entry in plan.stages[stage].items:
        if entry.label == label:
            return entry.text, entry.points
    raise AssertionError(f"no {label!r} in stage {stage}: {plan.stages[stage].items}")


def login_ticket() -> TicketDetail:
    ticket = detail(LOGIN, subject="SSO login loops back to the login page")
    ticket.ticket.priority = Priority.HIGH
    ticket.ticket.organization = Organization(id="o1", name="Acme Corp", vip=True)
    ticket.ticket.sla = [
        SlaTarget(metric="first_reply_time", due_at=FROZEN_NOW - timedelta(hours=2))
    ]
    ticket.ticket.assignee = "Sam Rivera"
    return ticket


def test_support_specialist_states_goal_words_impact_and_urgency() -> None:
    plan = plan_for(login_ticket())
    assert [s.title for s in plan.stages] == [
        "Support Specialist",
        "Operations Lead",
        "Analyst",
        "Product Manager",
    ]
    assert plan.kind == "problem"
    assert plan.goal == "Fix a problem: SSO login loops back to the login page"
    quote, _ = item(plan, 0, "In their words")
    assert quote == "\u201cWhen we sign in through Okta we land back on the login page.\u201d"
    assert item(plan, 0, "Impact")[0] == "\u201cAbout 20 people are affected.\u201d"
    assert plan.urgency.level == "critical"
    assert plan.urgency.reasons == (
        "SLA first reply time breached 2h00m ago",
        "priority high",
        "VIP organization Acme Corp",
        "impact or deadline stated",
    )
    _, must = item(plan, 0, "The reply must")
    assert must[0] == "Give the specific next step and what the customer sees when it works"
    assert "Acknowledge the impact they described" in must


def test_analyst_checks_prove_the_login_works_and_no_repeat_from_the_org() -> None:
    plan = plan_for(login_ticket())
    assert plan.checks[0] == "Customer confirms they (and everyone affected) can sign in"
    assert "No new ticket from Acme Corp about this within 48 h" in plan.checks


def test_operations_lead_routes_by_the_gravest_fired_rule() -> None:
    ticket = detail(
        "I was charged twice and want a refund. Our lawyer says this breaks GDPR.",
        subject="Double charge",
    )
    plan = plan_for(ticket)
    assert plan.route == "legal"
    route, _ = item(plan, 1, "Route")
    assert route.startswith("escalate to legal \u2014 Legal or compliance question")
    assert item(plan, 1, "Also fired")[0] == "Billing or refund issue \u2192 billing queue"
    assert plan.owner.startswith("unassigned")
    path, _ = item(plan, 1, "Escalation path")
    assert path.startswith("legal owns the resolution")


def test_no_rule_keeps_the_ticket_in_first_line_with_a_tier_2_path() -> None:
    plan = plan_for(detail("How do I reset my password?", subject="Reset my password"))
    assert plan.route is None and plan.kind == "question"
    assert item(plan, 1, "Route")[0] == "stays with first-line support: no escalation rule fired"
    assert "tier 2" in item(plan, 1, "Escalation path")[0]
    assert plan.urgency.level == "low" and str(plan.urgency) == "low"


def test_product_manager_asks_for_a_kb_article_when_none_is_relevant() -> None:
    plan = plan_for(detail("The Gantt chart colours are wrong.", subject="Gantt colours wrong"))
    assert len(plan.follow_ups) == 1
    assert plan.follow_ups[0].startswith("KB: write an article on \u201cGantt colours wrong\u201d")
    assert "ticket T-100" in plan.follow_ups[0]
    assert item(plan, 3, "Follow-up")[1] == plan.follow_ups


def test_product_manager_files_a_bug_when_data_integrity_fires() -> None:
    ticket = detail(
        "After the import our tasks disappeared and comments are missing.",
        subject="Data loss after import",
    )
    plan = plan_for(ticket, kb=[])
    bug = [f for f in plan.follow_ups if f.startswith("Bug:")]
    assert bug and "data-integrity bug for \u201cData loss after import\u201d" in bug[0]
    assert plan.route == "on-call engineering"
    assert "No new ticket from Dana Scully about this within 7 days" in plan.checks


def test_a_weak_article_is_a_kb_fix_and_a_strong_one_no_follow_up() -> None:
    ticket = detail("How can I cancel my order?", subject="Cancel my order")
    weak = plan_for(ticket, kb=[KbMatch(KB[0], 55.0, ("cancel",))])
    assert weak.follow_ups[0].startswith("KB: \u201cCancel an order\u201d is the best match at 55")
    assert "does not mention order" in weak.follow_ups[0]
    strong = plan_for(ticket, kb=[KbMatch(KB[0], 90.0, ("cancel", "order"))])
    assert strong.follow_ups == ()
    assert item(strong, 3, "Follow-up")[0].startswith("none")
    assert (
        "Quote and link \u201cCancel an order\u201d (score 90)"
        in item(strong, 0, "The reply must")[1]
    )


def test_similar_tickets_shape_coordination_checks_and_a_bug() -> None:
    rows = [
        row(i, subject="Slack notifications stopped",
            excerpt=f"Hi, Updates from {p} stopped showing up in our Slack channel.")
        for i, p in (("T-100", "A"), ("T-101", "B"), ("T-102", "C"))
    ]  # fmt: skip
    ticket = detail(
        "Updates from A stopped showing up in our Slack channel.",
        subject="Slack notifications stopped",
    )
    plan = plan_for(ticket, clusters=cluster(rows), kb=[])
    _, coordination = item(plan, 1, "Coordination")
    assert coordination[0] == "2 similar open tickets (T-101, T-102): one answer, one owner"
    assert "2 similar tickets closed with the same answer" in plan.checks
    assert any(
        f.startswith("Bug: file or link a bug \u2014 3 open tickets") for f in plan.follow_ups
    )
    assert plan.checks[0] == "Customer confirms notifications arrive again"


def test_a_repeated_question_with_an_answer_in_the_kb_is_a_doc_gap() -> None:
    ticket = detail("How do I cancel my order?", subject="How do I cancel my order?")
    earlier = Ticket(
        id="T-1",
        subject="How to cancel an order",
        status=Status.SOLVED,
        requester=ticket.ticket.requester,
        created_at=FROZEN_NOW,
        updated_at=FROZEN_NOW,
    )
    history = PersonHistory(person=ticket.ticket.requester, tickets=[ticket.ticket, earlier])
    plan = plan_for(ticket, kb=[KbMatch(KB[0], 90.0, ("cancel", "order"))], history=history)
    assert plan.follow_ups and plan.follow_ups[0].startswith("Docs: customers keep asking this")


def test_repeated_contact_becomes_a_process_follow_up() -> None:
    ticket = detail(
        "Export fails.",
        (Role.AGENT, "Try again?"),
        "Still fails.",
        "Still!",
        subject="Export fails",
    )
    plan = plan_for(ticket, kb=[])
    assert any(
        f.startswith("Process: ticket T-100 needed 3 customer messages") for f in plan.follow_ups
    )


def test_markdown_and_json_carry_the_same_plan_and_it_is_deterministic() -> None:
    first, second = plan_for(login_ticket()), plan_for(login_ticket())
    assert first == second
    text = first.to_markdown()
    assert text.startswith("# Handling plan: ticket T-100 \u2014 SSO login loops back")
    for number, title in enumerate(
        ["Support Specialist", "Operations Lead", "Analyst", "Product Manager"], 1
    ):
        assert f"\n## {number}. {title}\n" in text
    assert "\n## Follow-ups\n" in text
    data = first.to_dict()
    assert data["generated_at"] == FROZEN_NOW.isoformat()
    assert data["urgency"]["level"] == "critical"
    assert data["stages"][0]["context_id"] == "support-specialist"


def test_a_negated_urgency_is_no_impact_and_a_neutral_ask_is_a_request() -> None:
    ticket = detail(
        "Hi,\n\nWe received a subpoena that covers data in our workspace. "
        "It's not urgent but quite annoying.\n\nThanks",
        subject="Subpoena regarding user data",
    )
    plan = plan_for(ticket, kb=[])
    assert plan.kind == "request" and plan.goal.startswith("Get something done: Subpoena")
    assert "impact or deadline stated" not in plan.urgency.reasons
    assert not any(i.label == "Impact" for i in plan.stages[0].items)
    assert plan.route == "legal"


def test_a_weak_article_names_the_subject_words_it_misses() -> None:
    ticket = detail("We'd like to change our workspace URL to match the new name.",
                    subject="Change workspace URL")  # fmt: skip
    article = KbMatch(KB[3], 58.0, ("change",))
    plan = plan_for(ticket, kb=[article])
    assert "does not mention workspace, url \u2014" in plan.follow_ups[0]
