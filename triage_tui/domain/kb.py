"""Knowledge-base ranking: BM25F term weighting with typo-tolerant term matching.

Customers misspell ("cancdling", "refnud"), so every query word that is not in
the KB's vocabulary is mapped to the vocabulary words it is probably a typo of;
rapidfuzz scores those candidates (optimal string alignment, so a swapped pair
of letters costs one edit). The mapped terms are then weighted like any other:
an inverted index with BM25 saturation, a title field weighted above the body,
and similarity-discounted IDF for fuzzy matches.

Scores are normalised to 0..100 against what an ideal article (every matched
query term once in the title and once in the body) would score for the same
query, which makes them comparable enough across queries to threshold
"relevant" at ``RELEVANT_SCORE``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from triage_tui.domain import lexicon
from triage_tui.domain.models import Article, TicketDetail

RELEVANT_SCORE: float = 45.0
"""At or above this score the draft quotes and links the article."""

TITLE_WEIGHT = 3.0
"""A title word says what the article is about; a body word may be incidental."""

_K1 = 1.2
_B_BODY = 0.75
_B_TITLE = 0.3
_FUZZY_LIMIT = 3
"""At most this many vocabulary words stand in for one misspelt query word."""
_PRUNE_DF = 0.1
"""Terms in more than this share of a large KB only re-score candidates found
by rarer terms; they cannot lift an article into the top k on their own."""
_PRUNE_MIN_DOCS = 2000
_CACHE_MAX = 50_000


@dataclass(frozen=True)
class KbMatch:
    """One ranked article and why it ranked."""

    article: Article
    score: float
    """0..100, higher is better; ``>= RELEVANT_SCORE`` means "worth linking"."""
    matched_terms: tuple[str, ...]
    """Query words, as the customer wrote them, that matched the article."""

    @property
    def relevant(self) -> bool:
        return self.score >= RELEVANT_SCORE


@dataclass
class _QueryWord:
    """One distinct query term and the index terms that stand for it."""

    surfaces: list[str]
    candidates: tuple[tuple[str, float], ...]  # (index term, similarity 0..1)
    weight: float = 0.0  # best idf * similarity, the word's share of the ideal score
    postings: dict[int, float] = field(default_factory=dict)


def max_edits(length: int) -> int:
    """Typos tolerated in a word of this length: none in short words, two in long ones.

    Two- and three-letter words have too many one-edit neighbours to guess from.
    """
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    return 2


class KbIndex:
    """An in-memory inverted index over a knowledge base, built once, queried often."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._articles: list[Article] = list(articles)
        n_docs = len(self._articles)
        title_terms: list[list[str]] = []
        body_terms: list[list[str]] = []
        surfaces: dict[str, str] = {}
        for article in self._articles:
            title_terms.append(self._terms(article.title, surfaces))
            body_terms.append(self._terms(article.body, surfaces))
        avg_title = (sum(map(len, title_terms)) / n_docs) if n_docs else 1.0
        avg_body = (sum(map(len, body_terms)) / n_docs) if n_docs else 1.0

        # BM25F: per-field length-normalised frequencies are combined with
        # field weights before one saturation, so a word in both title and
        # body counts more than either, but never unboundedly.
        postings: dict[str, dict[int, float]] = {}
        for doc, (title, body) in enumerate(zip(title_terms, body_terms, strict=True)):
            pseudo: dict[str, float] = {}
            t_norm = TITLE_WEIGHT / (1 - _B_TITLE + _B_TITLE * len(title) / (avg_title or 1.0))
            for term in title:
                pseudo[term] = pseudo.get(term, 0.0) + t_norm
            b_norm = 1.0 / (1 - _B_BODY + _B_BODY * len(body) / (avg_body or 1.0))
            for term in body:
                pseudo[term] = pseudo.get(term, 0.0) + b_norm
            for term, tf in pseudo.items():
                postings.setdefault(term, {})[doc] = tf * (_K1 + 1) / (tf + _K1)
        self._postings = postings
        self._idf = {
            term: math.log(1 + (n_docs - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in postings.items()
        }
        ideal_tf = TITLE_WEIGHT + 1.0
        self._ideal = ideal_tf * (_K1 + 1) / (ideal_tf + _K1)
        self._prune_df = max(_PRUNE_MIN_DOCS, int(n_docs * _PRUNE_DF))

        # Folded surface words (and the terms themselves) are what a typo is
        # compared against; each maps to its index term.
        self._vocab: dict[str, str] = {term: term for term in postings}
        for word, term in surfaces.items():
            if term in postings:
                self._vocab.setdefault(word, term)
        # Blocking for the fuzzy search: a word can only be within k edits of
        # a word whose length differs by at most k, and one or two edits leave
        # the first or the last letter in place.
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in self._vocab:
            if len(word) > 3 and not word.isdigit():
                self._buckets.setdefault((word[0], len(word)), []).append(word)
                self._buckets.setdefault(("$" + word[-1], len(word)), []).append(word)
        self._fuzzy_cache: dict[str, tuple[tuple[str, float], ...]] = {}

    @staticmethod
    def _terms(text: str, surfaces: dict[str, str]) -> list[str]:
        out: list[str] = []
        for token in lexicon.tokens(text):
            folded = lexicon.fold(token.surface)
            if lexicon.is_content_word(folded):
                out.append(token.term)
                if folded not in surfaces:
                    surfaces[folded] = token.term
        return out

    def __len__(self) -> int:
        return len(self._articles)

    @property
    def articles(self) -> Sequence[Article]:
        return self._articles

    # -- query side --------------------------------------------------------
    def candidates(self, word: str) -> tuple[tuple[str, float], ...]:
        """Index terms a (folded) query word stands for, with a 0..1 similarity."""
        term = lexicon.stem(word)
        if term in self._postings:
            return ((term, 1.0),)
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        found = self._fuzzy(word)
        if len(self._fuzzy_cache) >= _CACHE_MAX:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = found
        return found

    def _fuzzy(self, word: str) -> tuple[tuple[str, float], ...]:
        edits = max_edits(len(word))
        if edits == 0 or not word.isalpha():
            return ()
        pool: list[str] = []
        for length in range(len(word) - edits, len(word) + edits + 1):
            pool.extend(self._buckets.get((word[0], length), ()))
            pool.extend(self._buckets.get(("$" + word[-1], length), ()))
        if not pool:
            return ()
        cutoff = 1.0 - edits / len(word) - 1e-9
        hits = process.extract(
            word, pool, scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=4 * _FUZZY_LIMIT
        )
        best: dict[str, float] = {}
        for candidate, similarity, _ in hits:
            term = self._vocab[candidate]
            if similarity > best.get(term, 0.0):
                best[term] = similarity
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:_FUZZY_LIMIT]
        return tuple(ranked)

    def _query_words(self, text: str) -> list[_QueryWord]:
        by_key: dict[tuple[tuple[str, float], ...], _QueryWord] = {}
        for token in lexicon.tokens(text):
            folded = lexicon.fold(token.surface)
            if not lexicon.is_content_word(folded):
                continue
            cands = self.candidates(folded)
            if not cands:
                continue
            word = by_key.get(cands)
            if word is None:
                by_key[cands] = _QueryWord([token.surface], cands)
            elif token.surface.lower() not in (s.lower() for s in word.surfaces):
                word.surfaces.append(token.surface)
        words = list(by_key.values())
        for word in words:
            word.weight = max(self._idf[t] * s * s for t, s in word.candidates)
            if len(word.candidates) == 1:
                term, sim = word.candidates[0]
                word.postings = self._postings[term]
                if sim < 1.0:
                    word.postings = {d: w * sim * sim for d, w in word.postings.items()}
            else:
                # Alternatives for one misspelt word: an article scores by its
                # best alternative, not by their sum.
                merged: dict[int, float] = {}
                for term, sim in word.candidates:
                    factor = self._idf[term] * sim * sim / word.weight
                    for doc, w in self._postings[term].items():
                        if w * factor > merged.get(doc, 0.0):
                            merged[doc] = w * factor
                word.postings = merged
        words.sort(key=lambda w: (len(w.postings), -w.weight))
        return words

    def rank(self, text: str, k: int = 5) -> list[KbMatch]:
        """The ``k`` best articles for ``text`` (a ticket, a search box), best first."""
        if k <= 0 or not self._articles:
            return []
        words = self._query_words(text)
        if not words:
            return []
        scores: dict[int, float] = {}
        for word in words:  # rarest first, so pruning only skips common words
            weight = word.weight
            if scores and len(word.postings) > self._prune_df:
                for doc in scores:
                    w = word.postings.get(doc)
                    if w:
                        scores[doc] += w * weight
            elif not scores:
                scores = {doc: w * weight for doc, w in word.postings.items()}
            else:
                get = scores.get
                for doc, w in word.postings.items():
                    scores[doc] = get(doc, 0.0) + w * weight
        ideal = self._ideal * sum(w.weight for w in words)
        top = heapq.nlargest(k, scores.items(), key=lambda item: (item[1], -item[0]))
        out: list[KbMatch] = []
        for doc, raw in top:
            matched = tuple(s for w in words if doc in w.postings for s in w.surfaces)
            out.append(
                KbMatch(
                    self._articles[doc],
                    round(min(100.0, 100.0 * raw / ideal), 1),
                    _in_text_order(matched, text),
                )
            )
        return out

    def match_terms(self, text: str) -> list[tuple[tuple[str, ...], dict[str, float]]]:
        """Each query word's surfaces and its weighted index terms (for sentence picking)."""
        return [
            (tuple(w.surfaces), {t: self._idf[t] * s * s for t, s in w.candidates})
            for w in self._query_words(text)
        ]


def _in_text_order(words: tuple[str, ...], text: str) -> tuple[str, ...]:
    lowered = text.lower()
    return tuple(sorted(words, key=lambda w: lowered.find(w.lower())))


def ticket_query(detail: TicketDetail, latest: int = 2) -> str:
    """What a ticket is about: subject, the latest customer messages, and tags.

    Quoted reply lines (``> …``) repeat older messages, so they are dropped;
    tags are split on ``_``/``-`` so ``refund_request`` reads as two words.
    """
    parts = [detail.ticket.subject]
    customer = [m for m in detail.customer_messages if m.public]
    for message in customer[-latest:] if latest > 0 else []:
        lines = [ln for ln in message.body.splitlines() if not ln.lstrip().startswith(">")]
        parts.append("\n".join(lines))
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
    index = KbIndex(
        Article(id=str(i), title="", body=sentence) for i, sentence in enumerate(sentences)
    )
    best: tuple[float, int] | None = None
    for match in index.rank(text, k=len(sentences)):
        i = int(match.article.id)
        score = match.score * (0.5 if "{{" in sentences[i] else 1.0)
        if best is None or score > best[0]:
            best = (score, i)
    return sentences[best[1]] if best else None
