"""The five escalation rules: firing, evidence as written, routes, overrides, config."""

from __future__ import annotations

import pytest

from tests.domain.intel_factories import detail
from triage_tui.domain.enums import Role, Status
from triage_tui.domain.errors import ConfigError
from triage_tui.domain.escalation import RULE_IDS, RuleResult, RuleSet, compile_phrase, evaluate


def by_id(results: list[RuleResult]) -> dict[str, RuleResult]:
    return {r.rule_id: r for r in results}


def fired_ids(*bodies: str, subject: str = "Help") -> set[str]:
    return {r.rule_id for r in evaluate(detail(*bodies, subject=subject)) if r.fired}


def test_all_five_rules_are_reported_in_order_with_titles_labels_and_routes() -> None:
    results = evaluate(detail("Hello, the app looks nice."))
    assert [r.rule_id for r in results] == list(RULE_IDS)
    assert not any(r.fired for r in results)
    rules = by_id(results)
    assert rules["requested_human"].label == "requested human"
    assert rules["billing_refund"].route == "billing queue"
    assert rules["data_integrity"].route == "on-call engineering"
    assert rules["legal_compliance"].route == "legal"
    assert rules["repeated_contact"].label == "3+ messages unresolved"
    assert all(r.title for r in results)


@pytest.mark.parametrize(
    ("body", "evidence"),
    [
        ("Can I please speak to a real person?", "speak to a real person"),
        ("I want a HUMAN, not this form", "HUMAN"),
        ("put me through to a representative", "representative"),
        ("i want assikstance to talk with an agent", "talk with an agent"),
    ],
)
def test_requested_human_fires_with_the_words_as_written(body: str, evidence: str) -> None:
    rule = by_id(evaluate(detail(body)))["requested_human"]
    assert rule.fired and evidence in rule.evidence


@pytest.mark.parametrize(
    ("body", "evidence"),
    [
        ("I was charged twice for the same order", "charged twice"),
        ("I'd like my money back", "money back"),
        ("Where is my REFUND?", "REFUND"),
        ("please reimburse the shipping", "reimburse"),
        ("the refnud never arrived", "refnud"),
        ("where is my erfund", "erfund"),
        ("I had problems with the payment", "problems with the payment"),
        ("my card was declined at checkout", "card was declined"),
        ("I need a copy of the invoice", "invoice"),
    ],
)
def test_billing_refund_fires_on_money_words(body: str, evidence: str) -> None:
    rule = by_id(evaluate(detail(body)))["billing_refund"]
    assert rule.fired and evidence in rule.evidence


@pytest.mark.parametrize(
    "body",
    [
        "No need for a refund, just fix the address please",
        "I don't want a refund, I want the item",
        "which payment methods do you accept?",
        "I filled the form yesterday",
        "I'll talk about it with my team",
        "I need to change my order",
        "the agenda for our call",
        "I want to file a complaint",
    ],
)
def test_dismissals_and_near_misses_do_not_fire_billing_or_human(body: str) -> None:
    assert not fired_ids(body) & {"billing_refund", "requested_human"}


def test_data_integrity_and_legal_fire_with_evidence() -> None:
    rules = by_id(
        evaluate(
            detail(
                "After the sync all my records disappeared. Is this GDPR compliant? "
                "Our lawyer asks."
            )
        )
    )
    assert rules["data_integrity"].fired
    assert rules["data_integrity"].evidence == ("records disappeared",)
    assert rules["legal_compliance"].fired
    assert rules["legal_compliance"].evidence == ("GDPR", "lawyer")


def test_duplicated_or_vanished_records_are_data_integrity() -> None:
    for body, quote in [
        ("Duplicated rows after the nightly sync", "Duplicated rows"),
        ("half my tasks disappeared", "tasks disappeared"),
    ]:
        rule = by_id(evaluate(detail(body)))["data_integrity"]
        assert rule.fired and rule.evidence == (quote,)


def test_gaps_do_not_cross_sentences() -> None:
    assert "requested_human" not in fired_ids("I will talk. Someone else.")
    assert "requested_human" in fired_ids("I need to talk with someone")


def test_repeated_contact_counts_customer_messages_only_while_unresolved() -> None:
    three = detail("one", (Role.AGENT, "reply"), "two", "three")
    rule = by_id(evaluate(three))["repeated_contact"]
    assert rule.fired and rule.evidence == ("3 customer messages",) and rule.message_count == 3
    two = by_id(evaluate(detail("one", "two")))["repeated_contact"]
    assert not two.fired and two.message_count == 2 and two.evidence == ()
    solved = detail("one", "two", "three", status=Status.SOLVED)
    assert not by_id(evaluate(solved))["repeated_contact"].fired


def test_agent_replies_and_notes_never_fire_rules() -> None:
    d = detail("Thanks, all good", (Role.AGENT, "I have issued a refund"))
    assert not by_id(evaluate(d))["billing_refund"].fired


def test_the_subject_counts_as_customer_text() -> None:
    assert "billing_refund" in fired_ids("see above", subject="Refund request")


def test_overridden_rules_report_not_fired_but_keep_their_evidence() -> None:
    d = detail("Refund me or I call my lawyer")
    results = by_id(RuleSet.default().evaluate(d, overridden={"billing_refund"}))
    assert not results["billing_refund"].fired and results["billing_refund"].overridden
    assert results["billing_refund"].evidence == ("Refund",)
    assert results["legal_compliance"].fired and not results["legal_compliance"].overridden


def test_config_extends_phrases_and_routes() -> None:
    rules = RuleSet.from_config(
        {"billing_refund": ["credit note"], "requested_human": ["call ... back"]},
        {"billing_refund": "finance", "legal_compliance": "counsel"},
    )
    results = by_id(rules.evaluate(detail("Please send a credit note and call me back")))
    assert results["billing_refund"].fired and results["billing_refund"].evidence == (
        "credit note",
    )
    assert results["billing_refund"].route == "finance"
    assert results["requested_human"].evidence == ("call me back",)
    assert results["legal_compliance"].route == "counsel"
    assert results["data_integrity"].route == "on-call engineering"
    assert not by_id(RuleSet.default().evaluate(detail("a credit note")))["billing_refund"].fired


def test_config_with_unknown_rules_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown rule 'billing'"):
        RuleSet.from_config({"billing": ["x"]}, {})
    with pytest.raises(ConfigError, match="routes"):
        RuleSet.from_config({}, {"nope": "x"})
    with pytest.raises(ConfigError, match="repeated_contact"):
        RuleSet.from_config({"repeated_contact": ["x"]}, {})


def test_phrase_syntax() -> None:
    assert compile_phrase("speak|talk ... person")[1] == (frozenset({"person"}), True)
    assert compile_phrase("money back")[1] == (frozenset({"back"}), False)
    assert compile_phrase("...") == ()


def test_evaluate_text_runs_the_phrase_rules_on_bare_text() -> None:
    results = RuleSet.default().evaluate_text("I want to talk to a human about my refund")
    assert {r.rule_id for r in results if r.fired} == {"requested_human", "billing_refund"}
    assert "repeated_contact" not in {r.rule_id for r in results}


def test_a_long_ticket_finds_the_one_refund_in_it() -> None:
    """Behaviour on a long text; speed is measured by benchmarks/intel_timings.py."""
    body = (
        "The export keeps failing whenever the dataset is large; the workaround did not help. " * 60
    )
    d = detail(body, body, body + " Please refund me.")
    results = by_id(evaluate(d))
    assert results["billing_refund"].evidence == ("refund",)
