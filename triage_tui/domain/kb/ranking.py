"""Knowledge-base ranking: BM25F term weighting with typo-tolerant term matching.

Customers misspell ("cancdling", "refnud") and run words together, so each
query word is first mapped to the KB vocabulary words it stands for
(``vocab``: rapidfuzz for typos, word families for "arrive"/"arrival",
WordNet relatives for a word the KB never uses: "reimbursement" -> "refund").
Those terms are weighted like any other: an inverted index with BM25
saturation over weighted fields (title, section, the article's lead sentence,
body) and IDF discounted by match similarity. The best candidates then get a
bonus for covering their article's title (its words counted by their IDF
among the KB's titles), since a KB title names the one question the article
answers, and one for each pair of adjacent query words they have side by side.

Each result's coverage is normalised to 0..100 against what an ideal article
(every matched query word in its title and body) would score for the same
query; its score is a calibrated confidence (``confidence``) from that
coverage and its lead over the other results, so "relevant" is one threshold
on a probability, the same for every KB.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from triage_tui.domain import lexicon
from triage_tui.domain.kb import embedding
from triage_tui.domain.kb.vocab import Candidates, Vocabulary, warm_up
from triage_tui.domain.models import Article, TicketDetail

__all__ = [
    "CONFIDENCE_WEIGHTS",
    "RELEVANT_SCORE",
    "TUNED",
    "KbIndex",
    "KbMatch",
    "best_sentence",
    "confidence",
    "rerank",
    "ticket_query",
]

CONFIDENCE_WEIGHTS: tuple[float, float, float] = (-0.889, -0.303, 7.694)
"""Bias and weights of ``confidence`` (coverage and lead, both per 100 points),
fitted by ``benchmarks/kb_quality.py --fit-confidence`` on the top-3 results of
the questions on even lines of bitext and feedbackqa-au, clean and with typos."""
RELEVANT_SCORE: float = 55.0
"""At or above this confidence (percent) the draft quotes the article's sentence
and the missing-link safeguard asks for its link; below it the console only
lists it. Chosen as the lowest confidence at which the top result the draft
would quote is the right article at least 80 % of the time on the even lines of
both bitext and feedbackqa-au (clean); the benchmark's ``confidence`` shows
what it does on the odd lines."""

# Field weights: the title and the lead sentence (KB answers open by
# restating the question) say what an article is about; the section names
# the topic broadly; a body word may be incidental.
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
SECTION_WEIGHT = 1.0
TITLE_BONUS = 2.0
"""Bonus, in ideal-word units, for covering all of an article's title words
(each counted by its IDF in the KB)."""
PHRASE_WEIGHT = 0.5
"""Bonus, in ideal-word units times the rarer word's IDF, for each pair of
adjacent query words (stopwords skipped) that the article has side by side:
"working holiday", "supplementary payment" name one thing, not two."""
HEADLINE_BOOST = 1.5
"""Weight of first-line words (a ticket's subject) in a multi-line query."""
SCORE_WORDS = 6
"""How many query words the 0..100 score measures coverage of (a question's core)."""
UNKNOWN_SHARE = 0.5
"""A query word the KB does not know weighs this share of a rare word in the
score's denominator (relevance), without changing the order."""
SIM_POWER = 2.0
"""A fuzzy or family match weighs its IDF times similarity to this power."""

EMBED_WEIGHT = 40.0
"""With the ``kb-embed`` extra, the re-ranking pool is ordered by coverage
(0..100) plus this times the cosine similarity of the query's and the
article's embeddings (``embedding``); the confidence still reads coverage."""

EMBED_CHARS = 200
"""An article's embedding reads its title and this many characters of its
body: its opening states what it is about, and tokenising whole pages would
cost more than the rest of the query."""
_K1 = 2.0
_B_BODY = 0.75
_B_TITLE = 0.6
_RERANK_DEPTH = 30
_PAIRS_CACHE = 512
_PRUNE_SHARE = 0.1
"""In a large KB, terms in more than this share of articles only re-score
articles found by rarer terms; alone they cannot lift one into the top k."""
_PRUNE_MIN_DOCS = 2000

TUNED: dict[str, str] = {
    "TITLE_WEIGHT": "bitext and feedbackqa-au, even lines (max of the smaller hit@3 gain)",
    "_B_TITLE": "bitext and feedbackqa-au, even lines (max of the smaller hit@3 gain)",
    "PHRASE_WEIGHT": "bitext and feedbackqa-au, even lines (max of the smaller hit@3 gain)",
    "KbIndex._title_idf (title words by IDF among titles)": "bitext and feedbackqa-au, even "
    "lines (against IDF among articles)",
    "CONFIDENCE_WEIGHTS": "bitext and feedbackqa-au, even lines, clean and typos (logistic fit)",
    "RELEVANT_SCORE": "bitext and feedbackqa-au, even lines (see kb_quality's confidence)",
    "EMBED_WEIGHT": "bitext and feedbackqa-au, even lines (max of the smaller hit@3 gain)",
    "EMBED_CHARS": "bitext and feedbackqa-au, even lines (max of the smaller hit@3 gain)",
    "SECTION_WEIGHT": "bitext, all lines",
    "TITLE_BONUS": "bitext, all lines",
    "HEADLINE_BOOST": "bitext, all lines",
    "SCORE_WORDS": "bitext, all lines",
    "SIM_POWER": "bitext, all lines",
    "_K1": "bitext, all lines",
    "vocab.RELATED_SIMILARITY": "bitext, even lines",
    "thesaurus.HYPERNYM, DERIVED, RANK_DECAY, SENSES": "bitext, even lines",
}
"""Every constant here chosen by looking at ``benchmarks/kb_quality.py`` results,
with the set and the half of its questions it was chosen on (0-based lines of
``queries.jsonl``); the benchmark prints this so the other half, and the other
set, show whether the choice generalises."""

QUERY_CHARS = 10_000
"""A query is read on its first 10 000 characters (about 1 500 words). Ranking
costs time in the number of words; past a few hundred, more words do not
change which article answers (the score measures the ``SCORE_WORDS`` heaviest),
and a pasted log or an attack would make every ticket opening wait for it."""
QUERY_PART_CHARS = 4_000
"""``ticket_query`` takes at most this much of the subject and of each message,
so a huge subject cannot push the customer's message out of the query."""


@dataclass(frozen=True)
class KbMatch:
    """One ranked article and why it ranked."""

    article: Article
    score: float
    """Calibrated confidence, in percent, that this is the article that answers
    the query (``confidence`` times 100); ``>= RELEVANT_SCORE`` means "worth
    quoting and linking"."""
    matched_terms: tuple[str, ...]
    """Query words, as the customer wrote them, that matched the article; a word
    matched only through a related word shows it: "reimbursement→refund"."""
    coverage: float = 0.0
    """0..100: how much of the query's core the article covers, against an ideal
    article; ``score`` is calibrated from it and its lead over the other results."""

    @property
    def confidence(self) -> float:
        """0..1: the share of matches this confident that were the right article."""
        return self.score / 100.0

    @property
    def relevant(self) -> bool:
        return self.score >= RELEVANT_SCORE


@dataclass
class _QueryWord:
    """One distinct query word and the index terms that stand for it."""

    surfaces: list[str]
    candidates: Candidates
    weight: float = 0.0
    """Best IDF x similarity**SIM_POWER: the word's share of the ideal score."""
    postings: dict[int, float] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()
    related: frozenset[str] = frozenset()
    """Terms that stand for the word as WordNet relatives, not as spellings of it."""
    headline: bool = False
    """The word is in a multi-line query's first line (a ticket's subject)."""


class KbIndex:
    """An in-memory inverted index over a knowledge base, built once, queried often."""

    def __init__(
        self, articles: Iterable[Article], *, related_words: bool = True, embeddings: bool = True
    ) -> None:
        """``related_words=False`` matches only the customer's words, their
        spellings and word families, never WordNet relatives;
        ``embeddings=False`` leaves out the optional embedding similarity."""
        self._articles: list[Article] = list(articles)
        n_docs = len(self._articles)
        cache = lexicon.TermCache()
        # A forward index is built eagerly (counting is C-speed), with the
        # list of articles each term is in; weighted postings are built per
        # term on first use and kept, visiting only the articles that have it,
        # so opening a 10 000-article KB costs about two passes over its terms.
        #: Per article, body-equivalent term frequencies (floats once fields are weighed in).
        self._counts: list[dict[str, float]] = []
        self._body_norm: list[float] = []
        self._titles: list[frozenset[str]] = []
        fields = []
        for article in self._articles:
            body = cache.terms(article.body)
            title = cache.terms(article.title)
            extras = cache.terms(article.section), cache.terms(lexicon.lead_sentence(article.body))
            fields.append((title, extras, len(body)))
            self._counts.append(dict(Counter(body)))
            self._titles.append(frozenset(title))
        avg_title = max(1.0, sum(len(f[0]) for f in fields) / (n_docs or 1))
        avg_body = max(1.0, sum(f[2] for f in fields) / (n_docs or 1))
        # BM25F: per-field length-normalised frequencies are combined with the
        # field weights before one saturation, so a word in both title and
        # body counts more than in either, but never unboundedly. Counts hold
        # body-equivalent frequencies; times the body norm they are the tf.
        for counts, (title, (section, lead), body_len) in zip(self._counts, fields, strict=True):
            b_norm = 1.0 / (1 - _B_BODY + _B_BODY * body_len / avg_body)
            t_norm = TITLE_WEIGHT / (1 - _B_TITLE + _B_TITLE * len(title) / avg_title)
            for terms, weight in ((title, t_norm), (section, SECTION_WEIGHT), (lead, LEAD_WEIGHT)):
                for term in terms:
                    counts[term] = counts.get(term, 0.0) + weight / b_norm
            self._body_norm.append(b_norm)
        self._docs_with: dict[str, list[int]] = {}
        docs_with = self._docs_with
        for doc, counts in enumerate(self._counts):
            for term in counts:
                having = docs_with.get(term)
                if having is None:
                    docs_with[term] = [doc]
                else:
                    having.append(doc)
        self._idf = {
            term: math.log(1 + (n_docs - len(having) + 0.5) / (len(having) + 0.5))
            for term, having in docs_with.items()
        }
        # Among titles, not articles: a word most articles mention in passing
        # can still single out the one whose title has it, and a word every
        # heading of a section repeats singles out none.
        title_df = Counter(itertools.chain.from_iterable(self._titles))
        self._title_idf = {
            term: math.log(1 + (n_docs - n + 0.5) / (n + 0.5)) for term, n in title_df.items()
        }
        self._postings: dict[str, dict[int, float]] = {}
        self._cache = cache
        self._pairs: dict[int, frozenset[int]] = {}
        ideal_tf = TITLE_WEIGHT + 1.0
        self._ideal = ideal_tf * (_K1 + 1) / (ideal_tf + _K1)
        self._rare_idf = math.log(1 + (n_docs - 0.5) / 1.5) if n_docs else 1.0
        self._prune_df = max(_PRUNE_MIN_DOCS, int(n_docs * _PRUNE_SHARE))
        self.vocabulary = Vocabulary(docs_with, cache.surfaces(), related_words=related_words)
        self._embedder = embedding.load() if embeddings and n_docs else None
        # An article is embedded when it first reaches a re-ranking pool, so
        # building the index costs no embedding at all.
        self._vectors = (
            embedding.ArticleVectors(self._embedder, n_docs, self._embedding_text)
            if self._embedder is not None
            else None
        )
        if related_words and n_docs:
            warm_up()  # index building runs off the UI thread; the first query may not

    def _posting(self, term: str) -> dict[int, float]:
        """Saturated BM25F weight of ``term`` in each article that has it."""
        posting = self._postings.get(term)
        if posting is None:
            k1, k1_plus = _K1, _K1 + 1
            posting = {}
            counts, norms = self._counts, self._body_norm
            for doc in self._docs_with.get(term, ()):
                tf = counts[doc][term] * norms[doc]
                posting[doc] = tf * k1_plus / (tf + k1)
            self._postings[term] = posting
        return posting

    def __len__(self) -> int:
        return len(self._articles)

    @property
    def articles(self) -> Sequence[Article]:
        return self._articles

    def candidates(self, word: str) -> Candidates:
        """Index terms a folded query word stands for, with a 0..1 similarity."""
        return self.vocabulary.candidates(word)

    def _query_words(self, text: str) -> tuple[list[_QueryWord], int]:
        """The query's distinct words mapped to index terms, rarest first.

        Also returns how many words the KB has no term for (they enter the
        score's denominator: an article that explains only part of what the
        customer wrote is a weaker match). In a multi-line query the first
        line is the headline (a ticket's subject) and its words weigh more.
        """
        text = text[:QUERY_CHARS]
        by_key: dict[Candidates, _QueryWord] = {}
        unknown: set[str] = set()
        newline = text.find("\n")
        headline_end = newline if newline >= 0 else len(text)
        headline: set[Candidates] = set()
        for token in lexicon.tokens(text):
            folded = lexicon.fold(token.surface)
            if not lexicon.is_topic_word(folded):
                continue
            found = [self.vocabulary.candidates(folded)]
            if not found[0]:
                parts = self.vocabulary.split(folded) or ()
                found = [self.vocabulary.candidates(p) for p in parts if lexicon.is_topic_word(p)]
                if not any(found) and folded.isalpha():
                    unknown.add(folded)
            for cands in found:
                if not cands:
                    continue
                if token.start < headline_end:
                    headline.add(cands)
                word = by_key.get(cands)
                if word is None:
                    by_key[cands] = word = _QueryWord([token.surface], cands)
                    if len(found) == 1:
                        word.related = self.vocabulary.via_thesaurus(folded)
                elif token.surface.lower() not in (s.lower() for s in word.surfaces):
                    word.surfaces.append(token.surface)
        words = list(by_key.values())
        for word in words:
            word.terms = frozenset(t for t, _ in word.candidates)
            word.weight = max(self._idf[t] * s**SIM_POWER for t, s in word.candidates)
            word.headline = newline >= 0 and word.candidates in headline
            boost = HEADLINE_BOOST if word.headline else 1.0
            if len(word.candidates) == 1:
                word.postings = self._posting(word.candidates[0][0])
                word.weight *= boost
                continue
            # Alternatives for one word: an article scores by its best
            # alternative, not by their sum.
            merged: dict[int, float] = {}
            for term, sim in word.candidates:
                factor = self._idf[term] * sim**SIM_POWER / word.weight
                for doc, w in self._posting(term).items():
                    if w * factor > merged.get(doc, 0.0):
                        merged[doc] = w * factor
            word.postings = merged
            word.weight *= boost
        words.sort(key=lambda w: (len(w.postings), -w.weight))
        return words, len(unknown)

    def rank(self, text: str, k: int = 5) -> list[KbMatch]:
        """The ``k`` best articles for ``text`` (a ticket, a search box), best first."""
        if k <= 0 or not self._articles:
            return []
        text = text[:QUERY_CHARS]
        words, n_unknown = self._query_words(text)
        if not words:
            return []
        scores: dict[int, float] = {}
        for word in words:  # rarest first, so pruning only skips common words
            weight = word.weight
            if not scores:
                scores = {doc: w * weight for doc, w in word.postings.items()}
            elif len(word.postings) > self._prune_df:
                for doc in scores:
                    w = word.postings.get(doc)
                    if w:
                        scores[doc] += w * weight
            else:
                get = scores.get
                for doc, w in word.postings.items():
                    scores[doc] = get(doc, 0.0) + w * weight
        mean_word = sum(w.weight for w in words) / len(words)
        bonus = TITLE_BONUS * self._ideal * mean_word
        pool = heapq.nlargest(max(k, _RERANK_DEPTH), scores.items(), key=_by_score)
        reranked: dict[int, float] = {}
        for doc, raw in pool:
            title = self._titles[doc]
            if title:
                # Coverage counts title words by their IDF among the KB's
                # titles, so a heading every article of a section shares
                # ("COVID-19 restrictions — …") says little; the rest does.
                idf = self._title_idf
                total = sum(idf[t] for t in title)
                covered = sum(idf[t] for t in title if any(t in w.terms for w in words))
                raw += bonus * covered / total if total else 0.0
            reranked[doc] = raw
        if PHRASE_WEIGHT > 0:
            pairs = self._query_pairs(text)
            for doc in reranked if pairs else ():
                counts = self._counts[doc]
                both = [(hash(p), w) for p, w in pairs if p[0] in counts and p[1] in counts]
                if both:
                    have = self._doc_pairs(doc)
                    reranked[doc] += (
                        PHRASE_WEIGHT * self._ideal * sum(w for pair, w in both if pair in have)
                    )
        # The ideal covers the question's core, not every word of a long
        # ticket: its SCORE_WORDS heaviest words, then unknown words up to that.
        core = heapq.nlargest(SCORE_WORDS, (w.weight for w in words))
        unknown = UNKNOWN_SHARE * self._rare_idf * min(n_unknown, SCORE_WORDS - len(core))
        ideal = self._ideal * (sum(core) + unknown) + bonus
        if self._vectors is not None and EMBED_WEIGHT > 0:
            docs = list(reranked)
            sims = self._vectors.similarities(text, docs)
            order = {
                doc: min(100.0, 100.0 * reranked[doc] / ideal) + EMBED_WEIGHT * sim
                for doc, sim in zip(docs, sims, strict=True)
            }
            best = heapq.nlargest(k + 1, order.items(), key=_by_score)
            top = [(doc, reranked[doc]) for doc, _ in best]
            # A result's lead is measured against the best-covered other
            # article, whatever the embedding made of the order, so its
            # confidence does not depend on how many results were asked for.
            shown = {doc for doc, _ in top}
            strongest = heapq.nlargest(2, reranked.items(), key=_by_score)
            top += [item for item in strongest if item[0] not in shown]
        else:
            top = heapq.nlargest(k + 1, reranked.items(), key=_by_score)
        shares = _subject_shares([doc for doc, _ in top], [w for w in words if w.headline])
        coverage = [
            min(100.0, 100.0 * raw * share / ideal)
            for (_, raw), share in zip(top, shares, strict=True)
        ]
        out: list[KbMatch] = []
        for i, (doc, _) in enumerate(top[:k]):
            others = coverage[:i] + coverage[i + 1 :]
            lead = coverage[i] - (max(others) if others else 0.0)
            matched = tuple(s for w in words if doc in w.postings for s in self._shown(w, doc))
            out.append(
                KbMatch(
                    self._articles[doc],
                    round(100.0 * confidence(coverage[i], lead), 1),
                    _in_text_order(matched, text),
                    round(coverage[i], 1),
                )
            )
        return out

    def _embedding_text(self, doc: int) -> str:
        article = self._articles[doc]
        return f"{article.title}\n{article.body[:EMBED_CHARS]}"

    def _query_pairs(self, text: str) -> list[tuple[tuple[str, str], float]]:
        """Adjacent query words (stopwords skipped) as index-term pairs, with the rarer's IDF."""
        seq: list[str] = []
        for token in lexicon.tokens(text):
            folded = lexicon.fold(token.surface)
            if lexicon.is_topic_word(folded):
                cands = self.vocabulary.candidates(folded)
                if cands:
                    seq.append(cands[0][0])
        idf = self._idf
        return [((a, b), min(idf[a], idf[b])) for a, b in zip(seq, seq[1:], strict=False)]

    def _doc_pairs(self, doc: int) -> frozenset[int]:
        """Hashes of the adjacent index-term pairs in an article's title and body.

        Computed when an article first reaches a query's re-ranking pool and
        kept for the last ``_PAIRS_CACHE`` articles, so building the index
        costs nothing extra and memory stays bounded in a large KB.
        """
        pairs = self._pairs.get(doc)
        if pairs is None:
            article = self._articles[doc]
            found: set[int] = set()
            for part in (article.title, article.body):
                terms = self._cache.terms(part)
                found.update(map(hash, zip(terms, terms[1:], strict=False)))
            if len(self._pairs) >= _PAIRS_CACHE:
                self._pairs.clear()
            self._pairs[doc] = pairs = frozenset(found)
        return pairs

    def _shown(self, word: _QueryWord, doc: int) -> list[str]:
        """How a word that matched ``doc`` is shown: as written, or "as written→related"."""
        if not word.related or any(
            doc in self._posting(t) for t in word.terms if t not in word.related
        ):
            return word.surfaces
        term = max(
            (t for t in word.related if doc in self._posting(t)),
            key=lambda t: (self._posting(t)[doc] * self._idf[t] * dict(word.candidates)[t], t),
        )
        shown = self.vocabulary.display(term)
        return [f"{surface}\u2192{shown}" for surface in word.surfaces]

    def match_terms(self, text: str) -> list[tuple[tuple[str, ...], Candidates]]:
        """Each query word as written and the index terms it stands for (explanations)."""
        return [(tuple(w.surfaces), w.candidates) for w in self._query_words(text)[0]]


def _subject_shares(docs: list[int], headline: list[_QueryWord]) -> list[float]:
    """Per article, how far a ticket's subject backs it: 0.5 to 1 (1 without a subject).

    A ticket's subject states its problem; its messages add chatter ("our
    managers rely on this every morning") whose rare words can make an
    unrelated article look strong. An article's coverage, and so its
    confidence, is scaled by half plus half the share of the subject's weight
    it matches (relative to the best such share among the results): one that
    shares nothing with the subject keeps half, rarely leads by enough to be
    quoted, and is still listed where its words put it. Single-line queries
    (a search box, the benchmark's questions) have no subject.
    """
    if not headline:
        return [1.0] * len(docs)
    total = sum(w.weight for w in headline)
    shares = [sum(w.weight for w in headline if doc in w.postings) / total for doc in docs]
    best = max(shares, default=0.0)
    if best <= 0:
        return [1.0] * len(docs)
    return [(1.0 + share / best) / 2 for share in shares]


def confidence(coverage: float, lead: float) -> float:
    """The chance that an article with this coverage (0..100) and this lead over
    the best other result (coverage points; negative when behind) is the
    answer: a logistic fit on labelled questions (``CONFIDENCE_WEIGHTS``)."""
    bias, w_cov, w_lead = CONFIDENCE_WEIGHTS
    z = bias + w_cov * coverage / 100.0 + w_lead * lead / 100.0
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    return (item[1], -item[0])


def _in_text_order(words: tuple[str, ...], text: str) -> tuple[str, ...]:
    """Each word once (first spelling wins), in the order the customer wrote them."""
    lowered = text.lower()
    unique = {w.lower(): w for w in reversed(words)}
    return tuple(
        sorted(unique.values(), key=lambda w: lowered.find(w.lower().partition("\u2192")[0]))
    )


def ticket_query(detail: TicketDetail, latest: int = 2) -> str:
    """What a ticket is about: subject, the latest customer messages, and tags.

    Quoted reply lines (``> …``) repeat older messages, so they are dropped;
    tags are split on ``_``/``-`` so ``refund_request`` reads as two words.
    Each part is cut at ``QUERY_PART_CHARS``.
    """
    parts = [detail.ticket.subject[:QUERY_PART_CHARS]]
    customer = [m for m in detail.customer_messages if m.public]
    for message in customer[-latest:] if latest > 0 else []:
        # Cut before splitting: the part kept is read, the rest never is.
        body = message.body[: 4 * QUERY_PART_CHARS]
        lines = [ln for ln in body.splitlines() if not ln.lstrip().startswith(">")]
        parts.append("\n".join(lines)[:QUERY_PART_CHARS])
    parts.extend(tag.replace("_", " ").replace("-", " ") for tag in detail.ticket.tags)
    return "\n".join(p for p in parts if p.strip())


def rerank(articles: Sequence[Article], text: str, k: int = 5) -> list[KbMatch]:
    """Re-rank a helpdesk's own search candidates with the local, typo-tolerant ranker.

    Term weights come from the candidates themselves, which is crude for two or
    three articles but still orders them by coverage of the ticket's words.
    """
    return KbIndex(articles).rank(text, k)


def best_sentence(article: Article, text: str) -> str | None:
    """The article sentence that best answers ``text``, for quoting in a reply.

    Sentences with unresolved ``{{template}}`` variables are only used when
    nothing else matches, since quoting them would leak template syntax.
    """
    sentences = lexicon.sentences(article.body)
    if not sentences:
        return None
    # Sentences are picked by coverage alone: embedding them would cost time
    # per draft and change nothing.
    index = KbIndex(
        (Article(id=str(i), title="", body=sentence) for i, sentence in enumerate(sentences)),
        embeddings=False,
    )
    best: tuple[float, int] | None = None
    for match in index.rank(text, k=len(sentences)):
        i = int(match.article.id)
        score = match.coverage * (0.5 if "{{" in sentences[i] else 1.0)
        if best is None or score > best[0]:
            best = (score, i)
    return sentences[best[1]] if best else None
