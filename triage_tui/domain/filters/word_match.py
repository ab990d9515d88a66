"""Free words of the filter language, tolerant of one typo and still fast on 100 000 rows.

A free word matches a row when

* it occurs in the row's lower-cased text (subject, requester, organization,
  tags, first-message excerpt, id) — so ``passw`` finds ``password`` while
  the agent is still typing; or
* the word has 5+ letters and the text contains a whole word at most one edit
  away (two from 9 letters on): a letter dropped, added, changed, or two
  neighbours swapped (``pasword``, ``passwrod`` → ``password``).

Why not ``rapidfuzz.fuzz.partial_ratio`` on every row: it costs ~180 ms per
word over 100 000 rows. Instead the corrections are looked up once per word in
a *vocabulary* of the words the rows contain (rapidfuzz's optimal-string-
alignment distance over ~100 000 distinct words: a few ms), and rows are then
scanned with plain substring tests (~15 ms a spelling). The vocabulary only
proposes spellings; every match is checked against the row's own text with
word boundaries, so whether a row matches depends on that row alone.

The vocabulary grows as rows are seen (``ingest``) and is shared by the
process; ``warm`` builds it ahead (≈0.5 s for 100 000 rows with their
haystacks, once).
"""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from triage_tui.domain.queue import haystacks

if TYPE_CHECKING:
    from triage_tui.domain.queue import QueueRow

T = TypeVar("T")

MIN_FUZZY_LETTERS = 5
TWO_EDITS_FROM = 9
MAX_CORRECTIONS = 4
MAX_FUZZY_LETTERS = 48
"""Longer words are neither learned nor corrected, only found as typed: no real
word is that long (the same limit as ``lexicon.MAX_WORD``), and rapidfuzz's
cost grows with the length of both words, so a megabyte-long word in a subject
and a long filter word would otherwise be compared letter by letter."""
_WORD = re.compile(r"\w+")
#: Texts split at once when learning words (~0.5 MB of text a chunk).
_INGEST_CHUNK = 2_000
INGEST_CHARS = 500_000
"""At most this many characters are split into words at once. Splitting makes a
string per word (up to ~40 bytes a character of text), so a chunk of 2 000
texts is cut short at this length, and a longer text is scanned word by word,
keeping only its distinct words: learning a megabyte-long subject costs a few
MB, not a list of every word in it."""
_TOKEN = re.compile(r"\S+")


def max_edits(word: str) -> int:
    """Typos tolerated in ``word``: none for short words, numbers, ids and phrases."""
    if not MIN_FUZZY_LETTERS <= len(word) <= MAX_FUZZY_LETTERS or not word.isalpha():
        return 0
    return 2 if len(word) >= TWO_EDITS_FROM else 1


class Vocabulary:
    """Distinct alphabetic words (3+ letters) of every text ingested, by length.

    Thread-safe: the console may warm it in a worker while filtering.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._rows_seen: set[int] = set()
        self._words: set[str] = set()
        self._by_len: dict[int, list[str]] = {}
        self._version = 0
        self._cache: dict[tuple[str, int], tuple[int, tuple[str, ...]]] = {}

    def __len__(self) -> int:
        return len(self._words)

    def ingest(self, texts: Iterable[str]) -> None:
        """Add the words of texts not seen before (tracked by hash; re-ingesting is cheap).

        Texts are split a chunk at a time: splitting 100 000 rows at once made a
        list of ~4 million token strings, ~250 MB at its peak for a few hundred
        KB of distinct words.
        """
        seen = self._seen
        fresh_texts = [t for t in texts if hash(t) not in seen]
        if not fresh_texts:
            return
        # One split of one joined chunk, then a regex per *distinct* token:
        # tokenising 4 million words one by one would take seconds.
        tokens: set[str] = set()
        chunk: list[str] = []
        size = 0
        for text in fresh_texts:
            if len(text) > INGEST_CHARS:
                tokens.update(m.group() for m in _TOKEN.finditer(text))
                continue
            if len(chunk) >= _INGEST_CHUNK or size + len(text) > INGEST_CHARS:
                tokens.update(" ".join(chunk).split())
                chunk, size = [], 0
            chunk.append(text)
            size += len(text) + 1
        tokens.update(" ".join(chunk).split())
        with self._lock:
            seen.update(map(hash, fresh_texts))
            words, added = self._words, False
            for token in tokens:
                for word in _WORD.findall(token) if not token.isalpha() else (token,):
                    if 3 <= len(word) <= MAX_FUZZY_LETTERS and word not in words and word.isalpha():
                        words.add(word)
                        self._by_len.setdefault(len(word), []).append(word)
                        added = True
            if added:
                self._version += 1

    def learn_rows(self, rows: Sequence[QueueRow], hays: Sequence[str]) -> None:
        """Add the words of the rows whose haystack (``hays``, in row order) is new."""
        seen = self._rows_seen
        fresh = [r for r, h in zip(rows, hays, strict=True) if hash(h) not in seen]
        if not fresh:
            return
        self.ingest(row_texts(fresh))
        with self._lock:
            seen.update(hash(h) for h in hays)

    def corrections(self, word: str, edits: int) -> tuple[str, ...]:
        """Known words within ``edits`` of ``word`` that do not already contain it."""
        if edits <= 0:
            return ()
        key = (word, edits)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == self._version:
                return cached[1]
            candidates = [
                w
                for n in range(len(word) - edits, len(word) + edits + 1)
                for w in self._by_len.get(n, ())
            ]
            version = self._version
        from rapidfuzz import process  # only a typo-tolerant filter pays for the import
        from rapidfuzz.distance import OSA

        found = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None
        )
        # Closest first, then alphabetical; a handful is plenty (each costs a scan).
        ranked = sorted((d, w) for w, d, _ in found if word not in w)
        result = tuple(w for _, w in ranked[:MAX_CORRECTIONS])
        with self._lock:
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[key] = (version, result)
        return result


VOCABULARY = Vocabulary()
_learned: tuple[int, int, int, int] | None = None


def learn(rows: Sequence[QueueRow], hays: Callable[[], Sequence[str]] | None = None) -> None:
    """Make sure the vocabulary holds the words of ``rows`` (cheap when it already does).

    Checking 100 000 texts against the vocabulary costs ~20 ms, so the check is
    skipped while the same list is filtered again (the console filters one
    list per keystroke and builds a new list whenever a ticket changes). A list
    changed in place behind our back can only cost a typo correction, never a
    wrong match: every match is verified against the row's own text.
    ``hays``, when given, returns the rows' haystacks (``queue.haystacks(rows)``),
    called only when the list is new.
    """
    global _learned
    if not rows:
        return
    fingerprint = (id(rows), len(rows), id(rows[0]), id(rows[-1]))
    if fingerprint == _learned:
        return
    VOCABULARY.learn_rows(rows, haystacks(rows) if hays is None else hays())
    _learned = fingerprint


def row_texts(rows: Sequence[QueueRow]) -> list[str]:
    """Distinct lower-cased pieces of the rows' fields, holding the words of their haystacks.

    A haystack joins its row's fields with spaces, so its words are those of
    its fields. A queue repeats subjects, names and organizations, and its
    first messages are mostly distinct but made of the same sentences: split
    at ". " (which splits no word), the demo's 100 000 excerpts are ~11 000
    sentences, far fewer to learn than the 4 million words of 100 000 split
    haystacks. Ids of digits only hold no words.
    """
    texts: list[str] = []
    for attr in ("id", "subject", "requester", "organization"):
        distinct = dict.fromkeys(map(operator.attrgetter(attr), rows))
        texts.extend(v.lower() for v in distinct if not v.isdigit())
    texts.extend(" ".join(t).lower() for t in dict.fromkeys(r.tags for r in rows))
    # Joined with the separator they are split at: one split a chunk, not one an excerpt.
    sentences: set[str] = set()
    excerpt = operator.attrgetter("excerpt")
    for start in range(0, len(rows), _INGEST_CHUNK):
        sentences.update(". ".join(map(excerpt, rows[start : start + _INGEST_CHUNK])).split(". "))
    texts.extend(s.lower() for s in sentences)
    return texts


def warm(rows: Sequence[QueueRow]) -> None:
    """Compute every row's haystack and learn its words, e.g. in a worker after a load."""
    learn(rows)


class WordMatcher:
    """``matcher(haystack) -> bool`` for one lower-cased free word."""

    __slots__ = ("corrections", "word")

    def __init__(self, word: str, corrections: tuple[str, ...] = ()) -> None:
        self.word = word
        self.corrections = corrections

    @classmethod
    def for_word(cls, word: str) -> WordMatcher:
        """A matcher with the corrections the vocabulary knows (call ``learn`` first)."""
        return cls(word, VOCABULARY.corrections(word, max_edits(word)))

    def select(self, items: list[T], hays: list[str], negated: bool) -> list[T]:
        """The items whose haystack matches (or does not, when ``negated``), in order.

        C-level substring tests find the few candidates; only those pay for the
        word-boundary check.
        """
        word = self.word
        if not self.corrections:
            return [i for i, h in zip(items, hays, strict=True) if (word in h) is not negated]
        # Plain substring tests per spelling, not one regex: an alternation whose
        # branches start with different letters makes ``re`` stop at every
        # common letter (400 ms over 100 000 rows instead of ~15 ms a spelling).
        spellings = (word, *self.corrections)
        pairs = zip(items, hays, strict=True)
        if len(spellings) == 2:
            a, b = spellings
            found = [(i, h) for i, h in pairs if a in h or b in h]
        elif len(spellings) == 3:
            a, b, c = spellings
            found = [(i, h) for i, h in pairs if a in h or b in h or c in h]
        else:
            found = [(i, h) for i, h in pairs if any(s in h for s in spellings)]
        hits = [i for i, h in found if self(h)]
        if not negated:
            return hits
        if not hits:
            return list(items)
        excluded = set(map(id, hits))
        return [i for i in items if id(i) not in excluded]

    def __call__(self, hay: str) -> bool:
        """The word anywhere, or a correction as a whole word."""
        if self.word in hay:
            return True
        return any(whole_word_in(spelling, hay) for spelling in self.corrections)


def whole_word_in(spelling: str, hay: str) -> bool:
    """``spelling`` occurs in ``hay`` with no letter or digit right before or after it."""
    end = len(hay)
    start = hay.find(spelling)
    while start >= 0:
        stop = start + len(spelling)
        if (start == 0 or not hay[start - 1].isalnum()) and (
            stop == end or not hay[stop].isalnum()
        ):
            return True
        start = hay.find(spelling, start + 1)
    return False
