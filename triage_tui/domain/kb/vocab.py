"""The KB's vocabulary and what an arbitrary query word stands for in it.

A query word the KB knows stands for itself and its word family ("arrive" ~
"arrival", "modify" ~ "modification"), which a light stemmer leaves apart on
purpose. An unknown word is most likely a typo: rapidfuzz finds the vocabulary
words within an edit budget (optimal string alignment, so "cotnact" is one
swap from "contact"), unless a stopword is at least as close ("whenj" is
"when", not "where"). Two words run together ("customersupport") are split.

An English word the KB never uses ("reimbursement" where the articles say
"refund") stands for the KB words WordNet relates to it (``thesaurus``:
synonyms, hypernyms, derivational relatives), at a fraction of an exact
match's similarity; a misspelt one ("reimbursment") is first corrected
against WordNet's lemmas the same way typos are corrected against the KB.

Candidates are blocked before rapidfuzz scores them: a word within k edits of
another has a length within k of it, and one or two edits leave its first or
its last letter in place. That keeps a lookup in a 10 000-article KB's
vocabulary well under a millisecond; results are cached per word.

A word longer than ``lexicon.MAX_WORD`` letters only stands for itself (when
the KB has it): it is not corrected, split or looked up in WordNet, and not
cached, so a megabyte-long "word" costs one hash, not a split per letter.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from triage_tui.domain import lexicon
from triage_tui.domain.kb import thesaurus

Candidates = tuple[tuple[str, float], ...]
"""(index term, similarity 0..1) pairs, best first."""

FUZZY_LIMIT = 3
"""At most this many vocabulary words stand in for one query word."""
RELATIVE_SIMILARITY = 0.8
"""How much a word-family relative counts ("arrival" for "arrive")."""
LONG_WORD = 8
"""From this length on a word may carry two typos."""
RELATED_SIMILARITY = 0.4
"""How much a WordNet relation of full weight counts (a synonym in the word's
first sense): well below a typo fix, so an article that has the customer's
own word, or a spelling of it, still wins."""

_RELATIVE_MIN = 4
_RELATIVE_SHARE = 0.8
_RELATIVE_MAX_SUFFIX = 7
_SPLIT_MIN = 7
_CACHE_MAX = 20_000
"""Query words whose candidates are remembered (then the cache starts over). A
key has at most ``lexicon.MAX_WORD`` letters and a value at most
``FUZZY_LIMIT`` terms, so an entry (with its WordNet note) is under ~1 KB:
~20 MB at worst, a few MB for a session's real queries."""
_IGNORED_SET = lexicon.STOPWORDS | lexicon.REQUEST_FILLER
_IGNORED = sorted(_IGNORED_SET)


_ENGLISH: Vocabulary | None = None


def _english() -> Vocabulary:
    """WordNet's lemmas as a vocabulary, to correct typos in words the KB lacks."""
    global _ENGLISH
    if _ENGLISH is None:
        words = thesaurus.load().words()
        _ENGLISH = Vocabulary(words, {}, related_words=False)
    return _ENGLISH


def warm_up() -> None:
    """Read WordNet and index its lemmas now (about 0.2 s, once per process),
    so the first query that needs them does not pay for it."""
    _english()


def max_edits(length: int) -> int:
    """Typos tolerated in a word of this length: none in short words, two in long ones.

    Two-letter words have too many one-edit neighbours to guess from; a
    three-letter word is only taken for a four-letter one that lost a letter.
    """
    if length <= 2:
        return 0
    if length < LONG_WORD:
        return 1
    return 2


class Vocabulary:
    """Index terms plus the folded surface words they were written as."""

    def __init__(
        self, terms: Iterable[str], surfaces: Mapping[str, str], *, related_words: bool = True
    ) -> None:
        self._terms = frozenset(terms)
        self._related_words = related_words
        # Surface words (and the terms themselves) are what typos are compared with.
        self._surface: dict[str, str] = {term: term for term in self._terms}
        for word, term in surfaces.items():
            if term in self._terms:
                self._surface.setdefault(word, term)
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in self._surface:
            if len(word) > 3 and word.isalpha():
                self._buckets.setdefault((word[0], len(word)), []).append(word)
                self._buckets.setdefault(("$" + word[-1], len(word)), []).append(word)
        self._prefixes: dict[str, list[str]] = {}
        for term in self._terms:
            if len(term) >= _RELATIVE_MIN:
                self._prefixes.setdefault(term[:_RELATIVE_MIN], []).append(term)
        self._cache: dict[str, Candidates] = {}
        self._via_thesaurus: dict[str, frozenset[str]] = {}
        self._written = surfaces
        self._display: dict[str, str] | None = None

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def __len__(self) -> int:
        return len(self._terms)

    def candidates(self, word: str) -> Candidates:
        """The index terms a folded query word stands for; empty when none."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > lexicon.MAX_WORD:
            return ((word, 1.0),) if word in self._terms else ()
        term = lexicon.stem(word)
        if term in self._terms:
            found: Candidates = ((term, 1.0), *self._relatives(term))
        else:
            best = dict(self._relatives(term))
            for other, similarity in self._fuzzy(word):
                best[other] = max(similarity, best.get(other, 0.0))
            own = set(best)
            related = self._related(word, bool(best)) if self._related_words else {}
            for other, similarity in related.items():
                best.setdefault(other, similarity)  # the KB's own spelling or family first
            found = tuple(sorted(best.items(), key=lambda i: (-i[1], i[0]))[:FUZZY_LIMIT])
            via = frozenset(t for t, _ in found if t not in own)
            if via:
                self._via_thesaurus[word] = via
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
            self._via_thesaurus.clear()
        self._cache[word] = found
        return found

    def via_thesaurus(self, word: str) -> frozenset[str]:
        """Which of ``candidates(word)`` are WordNet relatives, not spellings of it."""
        if word not in self._cache:
            self.candidates(word)
        return self._via_thesaurus.get(word, frozenset())

    def display(self, term: str) -> str:
        """A word the KB writes for an index term ("update" for "updat")."""
        if self._display is None:
            shortest: dict[str, str] = {}
            for word, t in self._written.items():
                if t in self._terms and (t not in shortest or len(word) < len(shortest[t])):
                    shortest[t] = word
            self._display = shortest
        return self._display.get(term, term)

    def _related(self, word: str, spelt: bool) -> dict[str, float]:
        """KB terms WordNet relates to ``word``, with similarities.

        A word WordNet does not know is taken for a typo of the closest
        English word, unless it already reads as a typo of a KB word (``spelt``).
        """
        if not word.isalpha() or not 3 <= len(word) <= lexicon.MAX_WORD:
            return {}
        words = thesaurus.load()
        # "helped", "needed", "tried" are request filler as much as "help" is.
        if _IGNORED_SET.intersection((lexicon.stem(word), *words.lemmas(word))):
            return {}
        sources = [(word, 1.0)] if word in words else []
        if not sources and not spelt:
            hits = _english()._fuzzy(word)
            sources = [(w, s) for w, s in hits if s >= hits[0][1]][:1] if hits else []
        out: dict[str, float] = {}
        for source, similarity in sources:
            if source != word and lexicon.stem(source) in self._terms:
                out[lexicon.stem(source)] = similarity
            for other, weight in words.related(source).items():
                term = lexicon.stem(other)
                if term in self._terms and term != lexicon.stem(source):
                    sim = RELATED_SIMILARITY * weight * similarity
                    if sim > out.get(term, 0.0):
                        out[term] = sim
        return out

    def split(self, word: str) -> tuple[str, str] | None:
        """Two known words run together ("customersupport"), or None.

        Every split point is tried, so words longer than ``lexicon.MAX_WORD``
        are not split (the cost would grow with the square of their length).
        """
        if not _SPLIT_MIN <= len(word) <= lexicon.MAX_WORD or not word.isalpha():
            return None
        for i in range(3, len(word) - 2):
            left, right = word[:i], word[i:]
            if lexicon.stem(left) in self._terms and lexicon.stem(right) in self._terms:
                return left, right
        for i in (1, 2, 3):  # a stuck-on "u"/"to"/"the": "uhelp", "tocheck"
            if word[:i] in lexicon.STOPWORDS and lexicon.stem(word[i:]) in self._terms:
                return word[:i], word[i:]
        return None

    def _relatives(self, term: str) -> list[tuple[str, float]]:
        """Terms of the same word family: one is a prefix of the other
        ("ship" ~ "shipment"), or both share most of a long stem
        ("modify" ~ "modification", "register" ~ "registration")."""
        if len(term) < _RELATIVE_MIN:
            return []
        out = []
        for other in self._prefixes.get(term[:_RELATIVE_MIN], ()):
            if other == term or abs(len(other) - len(term)) > _RELATIVE_MAX_SUFFIX:
                continue
            shorter = min(len(other), len(term))
            common = len(os.path.commonprefix((term, other)))
            if common == shorter or (common >= 5 and common >= _RELATIVE_SHARE * shorter):
                out.append((other, RELATIVE_SIMILARITY))
        return sorted(out)[:FUZZY_LIMIT]

    def _fuzzy(self, word: str) -> list[tuple[str, float]]:
        edits = max_edits(len(word))
        if edits == 0 or len(word) > lexicon.MAX_WORD or not word.isalpha():
            return []
        # rapidfuzz turns a similarity cutoff into a distance bound with float
        # rounding, so ask with half an edit of slack and filter exactly.
        slack = 1.0 - (edits + 0.5) / len(word)
        exact = 1.0 - edits / len(word) - 1e-9
        lengths = range(len(word) - edits, len(word) + edits + 1) if len(word) > 3 else (4,)
        pool: list[str] = []
        for length in lengths:
            pool.extend(self._buckets.get((word[0], length), ()))
            pool.extend(self._buckets.get(("$" + word[-1], length), ()))
        hits = [
            hit
            for hit in process.extract(
                word,
                pool,
                scorer=OSA.normalized_similarity,
                score_cutoff=slack,
                limit=4 * FUZZY_LIMIT,
            )
            if hit[1] >= exact
        ]
        if not hits:
            return []
        stopword = process.extractOne(
            word, _IGNORED, scorer=OSA.normalized_similarity, score_cutoff=slack
        )
        if stopword is not None and stopword[1] >= max(hits[0][1], 1.0 - 1.0 / len(word) - 1e-9):
            return []
        best: dict[str, float] = {}
        for candidate, similarity, _ in hits:
            term = self._surface[candidate]
            best[term] = max(similarity, best.get(term, 0.0))
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:FUZZY_LIMIT]
