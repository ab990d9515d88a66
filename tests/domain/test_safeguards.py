"""Draft safeguards: each kind of finding, its span, its fix, dismissals and config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.domain.intel_factories import KB, detail
from triage_tui.config import load, safeguard_config
from triage_tui.domain.enums import Role
from triage_tui.domain.errors import ConfigError
from triage_tui.domain.escalation import RuleResult, evaluate
from triage_tui.domain.kb.ranking import KbIndex, KbMatch
from triage_tui.domain.models import Organization, TicketDetail
from triage_tui.domain.safeguards.checks import (
    Finding,
    Kind,
    Severity,
    StaleFix,
    apply_fix,
    blocking,
    check,
    summary,
)
from triage_tui.domain.safeguards.match import SafeguardConfig
from triage_tui.domain.safeguards.phrases import WHEN_MARKER

PLAIN = detail("My order has not arrived yet.", subject="Where is my order")


def findings(
    text: str,
    *,
    on: TicketDetail = PLAIN,
    kb: list[KbMatch] | None = None,
    rules: list[RuleResult] | None = None,
    **kwargs: object,
) -> list[Finding]:
    return check(text, detail=on, kb=kb, rules=rules or [], **kwargs)  # type: ignore[arg-type]


def only(text: str, kind: Kind, **kwargs: object) -> Finding:
    found = [f for f in findings(text, **kwargs) if f.kind is kind]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("draft", "kind", "phrase", "fixed"),
    [
        (
            "As per our policy, refunds take 5 days.",
            Kind.DEFENSIVE,
            "As per our policy",
            "Refunds take 5 days.",
        ),
        (
            "Sorry, there is nothing we can do.",
            Kind.DEFENSIVE,
            "there is nothing we can do",
            "Sorry, here's what we can do.",
        ),
        (
            "We apologize for any inconvenience.",
            Kind.VAGUE,
            "We apologize for any inconvenience",
            "I'm sorry for the trouble this caused.",
        ),
        (
            "Unfortunately, that\u2019s not possible.",
            Kind.DEFENSIVE,
            "Unfortunately, that\u2019s not possible",
            "That isn't possible today; here's what you can do instead.",
        ),
        (
            "Per my last email, it is on.",
            Kind.DEFENSIVE,
            "Per my last email",
            "To recap, it is on.",
        ),
        (
            "The export is guaranteed to work.",
            Kind.OVERPROMISE,
            "guaranteed",
            "The export is expected to work.",
        ),
        (
            "This will never happen again.",
            Kind.OVERPROMISE,
            "will never happen again",
            "This shouldn't happen again, and we're watching for it.",
        ),
        ("I am 100% sure.", Kind.OVERPROMISE, "100%", "I am sure."),
        (
            "It will be immediately fixed.",
            Kind.OVERPROMISE,
            "immediately fixed",
            "It will be fixed as quickly as we can.",
        ),
        (
            "We'll look into it.",
            Kind.VAGUE,
            "We'll look into it",
            f"We'll look into it and update you by {WHEN_MARKER}.",
        ),
    ],
)
def test_tone_findings_have_a_span_a_reason_and_a_fix(
    draft: str, kind: Kind, phrase: str, fixed: str
) -> None:
    finding = only(draft, kind)
    assert finding.severity is Severity.WARN and finding.reason
    assert draft[finding.start : finding.end] == phrase
    assert apply_fix(draft, finding) == fixed


def test_harmless_lookalikes_do_not_fire() -> None:
    text = (
        "We refunded 100% of the charge. I'll look into it today and update you by 3 pm. "
        "The policy page explains the limits."
    )
    assert findings(text) == []


def test_blame_without_a_safe_rewrite_has_no_fix() -> None:
    finding = only("That's not our fault.", Kind.DEFENSIVE)
    assert finding.fix is None
    with pytest.raises(ValueError, match="no automatic fix"):
        apply_fix("That's not our fault.", finding)


def test_vague_timing_fix_leaves_a_marker_that_then_blocks() -> None:
    draft = "We will fix it in the near future."
    fixed = apply_fix(draft, only(draft, Kind.VAGUE))
    assert fixed == f"We will fix it by {WHEN_MARKER}."
    marker = only(fixed, Kind.PLACEHOLDER)
    assert marker.blocking and fixed[marker.start : marker.end] == WHEN_MARKER


def test_jargon_warns_a_non_technical_customer_with_a_plain_alternative() -> None:
    draft = "Our backend had a regression; the SSO hotfix is deployed."
    found = [f for f in findings(draft) if f.kind is Kind.JARGON]
    assert [draft[f.start : f.end] for f in found] == [
        "backend",
        "regression",
        "SSO",
        "hotfix",
        "deployed",
    ]
    assert apply_fix(draft, found[0]) == "Our servers had a regression; the SSO hotfix is deployed."
    assert "single sign-on" in found[2].reason


def test_jargon_the_customer_used_is_fine_and_a_fluent_customer_is_technical() -> None:
    sso_user = detail("Our SSO login loops.", subject="Login")
    assert [f.key for f in findings("The SSO fix is out.", on=sso_user)] == []
    assert [f.key for f in findings("The API is fine.", on=sso_user)] == ["jargon:api"]
    fluent = detail("The SAML assertion from our IdP fails; the API works.")
    assert findings("Please send the NameID config.", on=fluent) == []


def test_jargon_heuristic_uses_channel_and_tier_and_config() -> None:
    via_api = detail("It fails.")
    via_api.ticket.channel = "api"
    assert findings("The webhook payload is empty.", on=via_api) == []
    partner = detail("It fails.")
    partner.ticket.organization = Organization(id="o", name="Dev Co", tier="Partner")
    assert findings("The webhook payload is empty.", on=partner) == []
    always = SafeguardConfig(jargon_audience="always")
    assert len(findings("The webhook payload is empty.", on=via_api, config=always)) == 2
    never = SafeguardConfig(jargon_audience="never")
    assert findings("The webhook payload is empty.", config=never) == []
    extra = SafeguardConfig(extra_jargon=(("entitlement", "plan"),))
    finding = only("Your entitlement changed.", Kind.JARGON, config=extra)
    assert finding.fix is not None and finding.fix.replacement == "plan"


def test_missing_kb_link_is_inserted_before_the_closing_lines() -> None:
    kb = KbIndex(KB).rank("Cancel my order", 3)
    assert kb[0].article.id == "cancel" and kb[0].relevant
    draft = (
        "Hi Dana,\n\nHere is how.\n\nLet me know if you have any other questions!\n\nBest,\nTeam"
    )
    finding = only(draft, Kind.MISSING_KB_LINK, kb=kb)
    assert finding.start == finding.end == draft.index("Let me know")
    fixed = apply_fix(draft, finding)
    assert "Here is how.\n\nYou can also find more details here: Cancel an order " in fixed
    assert "https://kb.example/cancel\n\nLet me know" in fixed
    assert not [f for f in findings(fixed, kb=kb) if f.kind is Kind.MISSING_KB_LINK]


def test_no_link_finding_without_a_relevant_article_or_when_linked() -> None:
    weak = [KbMatch(KB[0], 20.0, ("order",))]
    assert findings("Hi", kb=weak) == [] and findings("Hi", kb=None) == []
    strong = [KbMatch(KB[0], 80.0, ("cancel",))]
    assert findings("See https://kb.example/cancel", kb=strong) == []
    appended = apply_fix("Hi Dana", only("Hi Dana", Kind.MISSING_KB_LINK, kb=strong))
    assert appended.endswith(
        "Hi Dana\n\nYou can also find more details here: Cancel an order https://kb.example/cancel"
    )


def test_a_long_reply_warns_from_the_first_word_over_the_limit() -> None:
    draft = " ".join(f"w{i}" for i in range(200))
    finding = only(draft, Kind.TOO_LONG)
    assert finding.severity is Severity.WARN and "200 words" in finding.reason
    assert draft[finding.start :].startswith("w180 ") and finding.end == len(draft)
    assert not findings(draft, config=SafeguardConfig(max_words=250))


@pytest.mark.parametrize(
    "marker", ["{order_number}", "[Describe the specific next step]", "<name>", "TODO"]
)
def test_unfilled_placeholders_block(marker: str) -> None:
    draft = f"Hi Dana, thanks. {marker} Best"
    finding = only(draft, Kind.PLACEHOLDER)
    assert finding.blocking and draft[finding.start : finding.end] == marker


def test_placeholders_we_can_fill_have_a_fix_and_links_are_not_placeholders() -> None:
    draft = "Hi {first_name}, see <https://kb.example/x> and <b>this</b>."
    finding = only(draft, Kind.PLACEHOLDER)
    assert apply_fix(draft, finding).startswith("Hi Dana, see <https://")


def test_a_fired_escalation_blocks_until_dismissed_or_escalated() -> None:
    refund = detail("I want a refund, I was charged twice.", subject="Refund")
    rules = evaluate(refund)
    finding = only("Hi Dana", Kind.ESCALATION, on=refund, rules=rules)
    assert finding.blocking and "Billing or refund issue" in finding.reason
    assert "billing queue" in finding.reason and finding.start == finding.end == 0
    assert not findings("Hi Dana", on=refund, rules=rules, dismissed={"billing_refund"})
    assert not findings("Hi Dana", on=refund, rules=rules, dismissed={finding.key})
    refund.ticket.tags = ["escalated", "billing_refund"]
    assert not findings("Hi Dana", on=refund, rules=rules)


def test_dismissed_keys_hide_warnings_and_findings_are_in_text_order() -> None:
    draft = "Obviously it is guaranteed. {x}"
    found = findings(draft)
    assert [f.kind for f in found] == [Kind.DEFENSIVE, Kind.OVERPROMISE, Kind.PLACEHOLDER]
    assert summary(found) == "1 blocking \u00b7 2 warnings"
    assert [f.kind for f in blocking(found)] == [Kind.PLACEHOLDER]
    kept = findings(draft, dismissed={"overpromise:guaranteed"})
    assert [f.kind for f in kept] == [Kind.DEFENSIVE, Kind.PLACEHOLDER]
    assert summary([]) == ""


def test_a_stale_fix_is_refused() -> None:
    draft = "It is guaranteed."
    finding = only(draft, Kind.OVERPROMISE)
    with pytest.raises(StaleFix):
        apply_fix("It was guaranteed.", finding)


def test_offsets_stay_exact_when_lower_casing_changes_length() -> None:
    draft = "\u0130stanbul team: as per our policy, it is guaranteed."
    found = findings(draft)
    assert [draft[f.start : f.end] for f in found] == ["as per our policy", "guaranteed"]


def test_agent_replies_do_not_count_as_the_customer_using_jargon() -> None:
    ticket = detail("It broke.", (Role.AGENT, "Our backend had an issue."))
    assert only("The backend is fixed.", Kind.JARGON, on=ticket)


def test_config_from_mapping_validates_and_names_the_key() -> None:
    config = SafeguardConfig.from_mapping(
        {"max_words": 120, "extra_jargon": ["entitlement"], "technical_tiers": ["Dev"]}
    )
    assert config.max_words == 120 and config.extra_jargon == (("entitlement", ""),)
    assert config.technical_tiers == frozenset({"dev"})
    for raw, message in [
        ({"max_words": 0}, "safeguards.max_words"),
        ({"colour": 1}, "safeguards.colour: unknown key"),
        ({"jargon": [1]}, "safeguards.jargon"),
        ({"jargon_audience": "sometimes"}, "jargon_audience"),
        ({"kb_line": "no link"}, "kb_line"),
    ]:
        with pytest.raises(ConfigError, match=message):
            SafeguardConfig.from_mapping(raw)


def test_the_config_file_safeguards_table_is_validated_at_load(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[safeguards]\nmax_words = 120\nextra_jargon = ['SKU']\n", encoding="utf-8")
    assert safeguard_config(load(path)).max_words == 120
    path.write_text("[safeguards]\nmax_word = 120\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml: safeguards.max_word: unknown key"):
        load(path)


def test_jargon_in_an_article_link_line_is_the_articles_title() -> None:
    draft = "Try this.\n\nYou can also find more details here: SAML errors https://kb.example/saml"
    assert findings(draft) == []


def test_a_link_insertion_is_refused_once_the_draft_moved() -> None:
    strong = [KbMatch(KB[0], 80.0, ("cancel",))]
    draft = "Hi Dana,\n\nHere is how.\n\nLet me know if you have any other questions!\n\nBest"
    finding = only(draft, Kind.MISSING_KB_LINK, kb=strong)
    with pytest.raises(StaleFix):
        apply_fix("Hi Dana, I rewrote it all.\n\nBest", finding)
    tail = only("Hi Dana", Kind.MISSING_KB_LINK, kb=strong)
    with pytest.raises(StaleFix):
        apply_fix("Hi Dana and more", tail)


def test_jargon_is_found_in_any_case_when_lower_casing_changes_length() -> None:
    draft = "\u0130stanbul: the Webhook and the API failed."
    assert [draft[f.start : f.end] for f in findings(draft)] == ["Webhook", "API"]
