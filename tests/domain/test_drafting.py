"""Templates, rendering, the cursor, placeholders and the drafts built from a ticket."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW
from tests.domain.intel_factories import KB, detail
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.kb.ranking import KbIndex, KbMatch
from triage_tui.domain.replies.drafting import (
    CURSOR,
    NEXT_STEP_MARKER,
    DraftContext,
    acknowledgement,
    builtin_templates,
    draft_for,
    load_template,
    render,
    topic,
    unfilled_placeholders,
)


def ctx(**overrides: object) -> DraftContext:
    values: dict[str, object] = {
        "first_name": "Dana",
        "agent": "Ann",
        "team": "Polaris Support",
        "ticket_id": "T-100",
        "subject": "Cannot cancel my order",
    }
    values.update(overrides)
    return DraftContext(**values)  # type: ignore[arg-type]


def test_builtin_templates_include_the_workflow_default() -> None:
    templates = builtin_templates()
    assert {"default", "need_info", "follow_up", "escalated"} <= set(templates)
    default = templates["default"]
    assert default.startswith("Hi {first_name},\n\n{acknowledgement}\n\n{next_step}\n\n")
    assert "You can also find more details here: {article_title} {article_url}" in default
    assert default.rstrip().endswith(
        "Let me know if you have any other questions!\n\nBest,\n{team}"
    )


def test_user_templates_override_and_add(tmp_path: Path) -> None:
    (tmp_path / "default.md").write_text("Yo {first_name}", encoding="utf-8")
    (tmp_path / "mine.md").write_text("Mine {team}", encoding="utf-8")
    assert load_template("default", tmp_path) == "Yo {first_name}"
    assert load_template("mine", tmp_path) == "Mine {team}"
    assert load_template("default").startswith("Hi {first_name}")


def test_unknown_or_unsafe_template_names_are_invalid_input(tmp_path: Path) -> None:
    (tmp_path / "mine.md").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="unknown template 'nope'.*default.*mine"):
        load_template("nope", tmp_path)
    with pytest.raises(InvalidInput, match="invalid template name"):
        load_template("../etc/passwd", tmp_path)


def test_render_fills_placeholders_and_puts_the_cursor_at_the_marker() -> None:
    text, cursor = render("Hi {first_name}, {cursor}from {agent} of {team} on {ticket_id}", ctx())
    assert text == "Hi Dana, from Ann of Polaris Support on T-100"
    assert cursor == len("Hi Dana, ")


def test_unknown_placeholders_stay_visible() -> None:
    text, _ = render("Hi {first_name} {order_nmber}", ctx())
    assert text == "Hi Dana {order_nmber}"
    assert unfilled_placeholders(text) == [(8, 21, "{order_nmber}")]


def test_customer_text_is_never_interpreted_as_a_placeholder() -> None:
    text, cursor = render("{subject} {cursor}!", ctx(subject="My {cursor} {team} bug"))
    assert text == "My {cursor} {team} bug !"
    assert cursor == len("My {cursor} {team} bug ")


def test_without_an_article_its_line_is_dropped_and_next_step_is_a_fill_in() -> None:
    text, cursor = render(load_template("default"), ctx())
    assert "find more details" not in text and "\n\n\n" not in text
    assert text.startswith("Hi Dana,\n\nSorry to hear you cannot cancel your order")
    assert text[cursor:].startswith(NEXT_STEP_MARKER)
    assert CURSOR not in text
    assert unfilled_placeholders(text) == [
        (cursor, cursor + len(NEXT_STEP_MARKER), NEXT_STEP_MARKER)
    ]
    assert text.endswith("Best,\nPolaris Support")


def test_with_an_article_the_sentence_is_quoted_and_linked() -> None:
    article = KB[0]
    text, cursor = render(
        load_template("default"), ctx(article=article, article_sentence="Open My Orders.")
    )
    assert "\n\nOpen My Orders.\n\n" in text
    assert "You can also find more details here: Cancel an order https://kb.example/cancel" in text
    assert text[cursor:].startswith("Open My Orders.")
    assert unfilled_placeholders(text) == []


def test_missing_first_name_greets_there() -> None:
    assert render("Hi {first_name},", ctx(first_name=""))[0] == "Hi there,"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (
            "Re: Cannot Cancel My Order",
            "Sorry to hear you cannot cancel your order, and thanks for letting us know.",
        ),
        (
            "Charged twice for order #123",
            "Thanks for reaching out about charged twice for order #123.",
        ),
        ("SSO broken on iPhone", "Thanks for reaching out about SSO broken on iPhone."),
        (
            "I want to change my address",
            "Thanks for letting us know you want to change your address.",
        ),
        ("How do I export invoices", 'Thanks for your question: "How do I export invoices?"'),
        ("URGENT: MY ACCOUNT IS LOCKED!!", "Thanks for letting us know your account is locked."),
        ("", "Thanks for reaching out."),
    ],
)
def test_acknowledgement_is_one_natural_sentence(subject: str, expected: str) -> None:
    assert acknowledgement(subject) == expected


def test_topic_keeps_acronyms_and_brand_spellings() -> None:
    assert topic("Fwd: Export To CSV Fails On iPad 2") == "export to CSV fails on iPad 2"


def test_draft_for_with_a_relevant_article_quotes_and_links_it() -> None:
    d = detail(
        "Hi, how do I cancel order 1234? I can't find the button.", subject="Cancel my order"
    )
    match = KbIndex(KB).rank("cancel my order", k=1)[0]
    assert match.relevant
    draft, cursor = draft_for(d, match, team="Polaris Support", agent="Ann", now=FROZEN_NOW)
    assert draft.ticket_id == "T-100" and draft.template == "default"
    assert draft.article_id == "cancel" and draft.created_at == FROZEN_NOW
    assert draft.body.startswith(
        "Hi Dana,\n\nThanks for letting us know you'd like to cancel your order."
    )
    assert "Click Cancel next to the order you want to cancel." in draft.body
    assert "https://kb.example/cancel" in draft.body
    assert draft.body[cursor:].startswith("Click Cancel")


def test_draft_for_with_an_irrelevant_or_no_article_leaves_a_fill_in() -> None:
    d = detail("Something odd happened", subject="Odd")
    weak = KbMatch(article=KB[0], score=5.0, matched_terms=("odd",))
    for match in (None, weak):
        draft, cursor = draft_for(d, match, team="T", agent="A", now=FROZEN_NOW)
        assert draft.article_id is None
        assert draft.body[cursor:].startswith(NEXT_STEP_MARKER)
        assert "kb.example" not in draft.body


def test_draft_for_uses_the_named_template(tmp_path: Path) -> None:
    (tmp_path / "short.md").write_text("{first_name}: {cursor}\n-- {agent}\n", encoding="utf-8")
    draft, cursor = draft_for(
        detail("x"),
        None,
        team="T",
        agent="Ann",
        now=FROZEN_NOW,
        template="short",
        user_dir=tmp_path,
    )
    assert draft.body == "Dana: \n-- Ann" and cursor == len("Dana: ") and draft.template == "short"


def test_placeholders_are_filled_with_terminal_safe_one_line_values() -> None:
    """The attacker's subject and article title reach the draft visible, never as escapes."""
    from tests.fakes.hostile import ATTACK, FORBIDDEN, VISIBLE
    from triage_tui.domain.replies.macros import Macro

    article = KB[0].model_copy(update={"title": "Cancel " + ATTACK, "url": "https://kb\n" + ATTACK})
    hostile = ctx(
        subject="Refund " + ATTACK,
        first_name="Dana\n" + ATTACK,
        article=article,
        article_sentence="Open My Orders." + ATTACK,
    )
    template = load_template("default") + "\nfrom the template \x1b[2J\n"
    text, cursor = render(template, hostile)
    assert not FORBIDDEN.findall(text)
    assert text.count(VISIBLE) == 5 and "\x1b" not in text
    assert text.startswith("Hi Dana␤␛]52;c;SGVsbG8=␇")  # a value cannot add lines
    assert "You can also find more details here: Cancel ␛]52" in text
    assert text.endswith("from the template ␛[2J")
    assert text[cursor:].startswith("Open My Orders.␛]52")
    macro = Macro(
        name="evil", title="t", template="", body="Hi {first_name} " + ATTACK, note=ATTACK
    )
    assert not FORBIDDEN.findall(macro.render(hostile)[0] + macro.render_note(hostile))
