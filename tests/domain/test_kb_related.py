"""KB ranking with WordNet relatives: a word the KB never uses reaches the
article that says it differently, and ambiguity guards keep rare senses out."""

from __future__ import annotations

import pytest

from tests.domain.intel_factories import KB
from triage_tui.domain.kb import thesaurus
from triage_tui.domain.kb.ranking import KbIndex
from triage_tui.domain.kb.vocab import RELATED_SIMILARITY
from triage_tui.domain.models import Article

# A hand-made thesaurus in the compiled format: synset ids are line numbers.
TINY = """\
# test data
@synsets
refund repayment|2|
reimburse|0|1>3.1
payment||
reimbursement||1>1.1
tin can|5|
container||
poster placard bill||
@lemmas
refund 0:0
repayment 0:0
reimburse 1:0
payment 2:0
reimbursement 3:0
tin 4:0
can 4:0
container 5:0
bill 0:0 6:3
@exceptions
repaid repay
"""


@pytest.fixture(scope="module")
def tiny() -> thesaurus.Thesaurus:
    return thesaurus.Thesaurus(TINY)


@pytest.fixture(scope="module")
def index() -> KbIndex:
    return KbIndex(KB)


def test_synonyms_and_hypernyms_share_a_sense(tiny: thesaurus.Thesaurus) -> None:
    related = tiny.related("refund")
    assert related["repayment"] == 1.0  # same synset
    assert related["payment"] == pytest.approx(thesaurus.HYPERNYM)  # its hypernym
    assert "refund" not in related


def test_derivations_lead_to_the_derived_word_and_on_to_its_hypernym(
    tiny: thesaurus.Thesaurus,
) -> None:
    related = tiny.related("reimbursement")
    assert related["reimburse"] == 1.0
    # reimburse is a kind of refund: one derivation plus one hypernym away
    assert related["refund"] == pytest.approx(thesaurus.DERIVED * thesaurus.HYPERNYM)


def test_inflected_and_irregular_forms_find_their_lemma(tiny: thesaurus.Thesaurus) -> None:
    assert tiny.lemmas("refunds") == ["refund"]
    assert tiny.lemmas("reimbursements") == ["reimbursement"]
    assert "reimbursement" in tiny and "refundz" not in tiny
    assert tiny.related("refunds") == tiny.related("refund")


def test_senses_beyond_the_most_frequent_ones_are_ignored(tiny: thesaurus.Thesaurus) -> None:
    # "bill" is a refund in its first sense and a poster only in its fourth.
    assert thesaurus.SENSES <= 3
    related = tiny.related("bill")
    assert "refund" in related and "poster" not in related and "placard" not in related


def test_the_packaged_wordnet_relates_the_usual_support_words() -> None:
    words = thesaurus.load()
    assert "refund" in words.related("rebate")  # a rebate is a kind of refund
    assert "reimburse" in words.related("reimbursement")
    assert "pay" in words.lemmas("paid")
    # Rare senses stay out: "deliver" as in rescuing someone, "track" as in a
    # caterpillar track, "account" as in a score to settle.
    assert "rescue" not in words.related("deliver")
    assert "caterpillar" not in words.related("track")
    assert "score" not in words.related("account")


def test_a_word_the_kb_never_uses_reaches_the_article_through_wordnet(index: KbIndex) -> None:
    query = "I am still waiting for my reimbursement"
    assert not {"reimbursement", "reimburse"} & set(index.vocabulary.candidates("reimbursement"))
    match = index.rank(query, k=1)[0]
    assert match.article.id == "refund"
    assert match.matched_terms == ("reimbursement\u2192refund",)


def test_related_words_can_be_turned_off() -> None:
    plain = KbIndex(KB, related_words=False)
    assert plain.vocabulary.candidates("reimbursement") == ()
    assert plain.rank("reimbursement", k=3) == []


def test_a_misspelt_english_word_is_corrected_before_it_is_expanded(index: KbIndex) -> None:
    cands = dict(index.candidates("reimbursment"))
    assert "refund" in cands
    assert index.vocabulary.via_thesaurus("reimbursment") >= {"refund"}


def test_a_typo_of_a_kb_word_is_a_spelling_not_a_relative(index: KbIndex) -> None:
    assert index.candidates("refnud")[0][0] == "refund"
    assert index.vocabulary.via_thesaurus("refnud") == frozenset()


def test_a_word_the_kb_uses_is_not_expanded() -> None:
    articles = [
        Article(id="refund", title="Refunds", body="How a refund is paid back to you."),
        Article(id="rebate", title="Rebates", body="How a rebate is paid back to you."),
    ]
    index = KbIndex(articles)
    assert [m.article.id for m in index.rank("my rebate", k=2)] == ["rebate"]


def test_closer_relatives_weigh_more_and_all_less_than_an_exact_match() -> None:
    articles = [
        Article(id="refund", title="Refunds", body="How a refund is paid back to you."),
        Article(id="compensation", title="Compensation", body="Compensation for a late parcel."),
    ]
    index = KbIndex(articles)
    cands = dict(index.candidates("reimbursement"))
    # a reimbursement is a kind of compensation; a refund is two steps away
    assert cands["compensation"] > cands["refund"]
    assert max(cands.values()) <= RELATED_SIMILARITY < 1.0
    ranked = [m.article.id for m in index.rank("reimbursement", k=2)]
    assert ranked == ["compensation", "refund"]


def test_stopwords_and_request_filler_are_never_expanded() -> None:
    # WordNet has "can" (a tin) and "help" (aid); neither says what a ticket is about.
    articles = [
        Article(id="tin", title="Tin containers", body="Recycling a tin or a container."),
        Article(id="aid", title="First aid", body="Where the first aid kit is."),
    ]
    index = KbIndex(articles)
    assert index.rank("can you help", k=2) == []


def test_a_relative_that_is_a_kb_word_shows_as_matched_through_it(index: KbIndex) -> None:
    (match,) = index.rank("rebate", k=1)
    assert match.article.id == "refund"
    assert match.matched_terms == ("rebate\u2192refund",)


def test_inflected_request_filler_is_not_expanded(index: KbIndex) -> None:
    # "helped" is "help" (filler): WordNet would take it to "support" or "aid".
    for word in ("helped", "needed", "wanted", "tried"):
        assert index.vocabulary.via_thesaurus(word) == frozenset(), word
