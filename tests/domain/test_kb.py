"""KB ranking: right article first, typo tolerance, matched terms, scores, ticket queries."""

from __future__ import annotations

import pytest

from tests.domain.intel_factories import KB, detail
from triage_tui.domain import lexicon
from triage_tui.domain.enums import Role
from triage_tui.domain.kb.ranking import (
    RELEVANT_SCORE,
    KbIndex,
    KbMatch,
    best_sentence,
    rerank,
    ticket_query,
)
from triage_tui.domain.kb.vocab import max_edits
from triage_tui.domain.models import Article


@pytest.fixture(scope="module")
def index() -> KbIndex:
    return KbIndex(KB)


def top(index: KbIndex, text: str) -> str:
    return index.rank(text, k=1)[0].article.id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how do I cancel my order?", "cancel"),
        ("where is my refund", "refund"),
        ("forgot my password", "password"),
        ("need to change the shipping address", "address"),
        ("can I download an invoice as PDF", "invoice"),
    ],
)
def test_clean_queries_rank_the_right_article_first(
    index: KbIndex, query: str, expected: str
) -> None:
    assert top(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how do I cancdel my ordr", "cancel"),
        ("wheres my refnud", "refund"),
        ("forgot my pasword", "password"),
        ("chnage the shiping adress", "address"),
        ("downlaod an invocie", "invoice"),
    ],
)
def test_misspelt_queries_still_rank_the_right_article_first(
    index: KbIndex, query: str, expected: str
) -> None:
    assert top(index, query) == expected


def test_matched_terms_are_the_words_as_the_customer_wrote_them(index: KbIndex) -> None:
    match = index.rank("Wheres my REFNUD, ticket 123?", k=1)[0]
    assert match.article.id == "refund"
    assert "REFNUD" in match.matched_terms
    # An order number and stopwords explain nothing.
    assert "123" not in match.matched_terms and "my" not in match.matched_terms


def test_matched_terms_follow_the_text_and_repeat_no_word(index: KbIndex) -> None:
    match = index.rank("Cancel order: please cancel the ORDER", k=1)[0]
    assert match.matched_terms == ("Cancel", "order")


def test_scores_are_0_to_100_best_first_and_threshold_relevance(index: KbIndex) -> None:
    matches = index.rank("cancel my order", k=5)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert matches[0].score >= RELEVANT_SCORE and matches[0].relevant


def test_no_match_no_words_and_k_zero_give_empty_lists(index: KbIndex) -> None:
    assert index.rank("zebra xylophone quux") == []
    assert index.rank("the and of") == []
    assert index.rank("cancel", k=0) == []
    assert KbIndex([]).rank("cancel") == []
    assert len(KbIndex([])) == 0 and len(index) == len(KB)


def test_k_limits_the_result_and_ties_are_deterministic(index: KbIndex) -> None:
    assert len(index.rank("order", k=2)) == 2
    assert [m.article.id for m in index.rank("order", k=3)] == [
        m.article.id for m in KbIndex(KB).rank("order", k=3)
    ]


def test_title_words_outweigh_body_words() -> None:
    articles = [
        Article(id="body", title="Shipping", body="password password reset mentioned in passing"),
        Article(id="title", title="Password reset", body="Use the link on the sign-in page."),
    ]
    assert KbIndex(articles).rank("password reset", k=1)[0].article.id == "title"


def test_max_edits_grows_with_word_length() -> None:
    assert [max_edits(n) for n in (2, 3, 4, 7, 8, 12)] == [0, 1, 1, 1, 2, 2]


def test_short_words_are_only_guessed_as_a_longer_word_missing_a_letter(index: KbIndex) -> None:
    assert index.candidates("pdg") == ()  # not "pdf": a substitution in 3 letters is a guess
    assert index.candidates("pdf") == (("pdf", 1.0),)
    assert index.candidates("lnk")[0][0] == "link"


def test_a_typo_closer_to_a_stopword_is_not_guessed_as_a_topic_word(index: KbIndex) -> None:
    # "wher" is one edit from "where" (a stopword) and from "when"; never "ether".
    assert index.candidates("whwre") == ()


def test_words_run_together_are_split(index: KbIndex) -> None:
    match = index.rank("resetpassword", k=1)[0]
    assert match.article.id == "password" and match.matched_terms == ("resetpassword",)


def test_word_families_match_at_a_discount(index: KbIndex) -> None:
    cands = dict(index.candidates("shipment"))
    assert cands["ship"] < 1.0
    assert index.rank("my shipment", k=1)[0].article.id == "address"


def test_ticket_query_uses_subject_latest_customer_messages_and_tags() -> None:
    d = detail(
        "first message about shipping",
        (Role.AGENT, "agent text about passwords"),
        "second > not quoted\n> quoted older text",
        "third message",
        subject="Refund please",
        tags=["billing_refund", "vip"],
    )
    query = ticket_query(d, latest=2)
    assert query.splitlines()[0] == "Refund please"
    assert "third message" in query and "second > not quoted" in query
    assert "first message" not in query and "quoted older" not in query
    assert "passwords" not in query
    assert "billing refund" in query and "vip" in query


def test_rerank_orders_a_helpdesks_candidates() -> None:
    results = rerank(KB[:3], "my refund hasnt arrived", k=2)
    assert [type(r) for r in results] == [KbMatch, KbMatch]
    assert results[0].article.id == "refund"


def test_best_sentence_picks_the_most_relevant_sentence() -> None:
    assert best_sentence(KB[1], "how can I track my refund status") == (
        "You can track the refund status under Billing > Refunds."
    )
    assert best_sentence(KB[0], "click cancel on my order") == (
        "Click Cancel next to the order you want to cancel."
    )
    assert best_sentence(Article(id="x", title="x", body=""), "refund") is None


def test_best_sentence_avoids_template_variables_when_it_can() -> None:
    article = Article(
        id="x",
        title="Cancel",
        body="I can cancel order {{Order ID}} for you. Open My Orders and cancel the order.",
    )
    assert best_sentence(article, "cancel order") == "Open My Orders and cancel the order."


def test_lexicon_folds_inflections_together() -> None:
    groups = [
        ("cancel", "cancels", "cancelled", "cancelling", "canceling"),
        ("refund", "refunds", "refunded", "refunding"),
        ("update", "updated", "updating", "updates"),
        ("charge", "charged", "charges"),
    ]
    for group in groups:
        assert len({lexicon.normalise(w) for w in group}) == 1, group
    assert lexicon.normalise("bill") == lexicon.normalise("billing") == "bill"
    assert lexicon.normalise("Can't") == "cant"


def _synthetic_kb(n: int) -> list[Article]:
    words = [
        f"w{chr(97 + i % 26)}{chr(97 + (i // 26) % 26)}{chr(97 + (i // 676) % 26)}x"
        for i in range(4000)
    ]
    return [
        Article(
            id=str(i),
            title=f"{words[i % 4000]} {words[(i * 7) % 4000]}",
            body=" ".join(words[(i * j * 13) % 4000] for j in range(60)),
        )
        for i in range(n)
    ]


def test_a_large_kb_finds_articles_by_their_titles() -> None:
    """Behaviour at size; speed is measured by benchmarks/kb_quality.py (10 000 articles)."""
    articles = _synthetic_kb(3000)
    index = KbIndex(articles)
    assert len(index) == 3000
    found = sum(
        articles[i].id
        in [m.article.id for m in index.rank(f"{articles[i].title} extra words", k=5)]
        for i in range(50)
    )
    # Synthetic words differ by one letter ("waax", "wbax"), which typo tolerance
    # rightly treats as near-misspellings of each other: most, not all, come first.
    assert found >= 45


def test_words_the_kb_does_not_know_lower_the_score_but_not_the_order(index: KbIndex) -> None:
    alone = index.rank("refund status", k=2)
    noisy = index.rank("refund status xylophone quokka zeppelin", k=2)
    assert [m.article.id for m in alone] == [m.article.id for m in noisy]
    assert noisy[0].score < alone[0].score
    assert alone[0].relevant


def test_a_long_ticket_is_scored_on_its_core_and_its_subject_weighs_more(index: KbIndex) -> None:
    chatter = " ".join(["Thanks for the quick answers last time, the team loves the product."] * 5)
    top = index.rank(f"Refund status\n{chatter}", k=1)[0]
    assert top.article.id == "refund" and top.relevant

    def refund_lead(text: str) -> float:
        scores = {m.article.id: m.score for m in index.rank(text, k=5)}
        return scores["refund"] - scores["invoice"]

    in_subject = refund_lead(f"Refund status\n{chatter} invoice pdf")
    in_body = refund_lead(f"Invoice pdf\n{chatter} refund status")
    assert in_subject > in_body
