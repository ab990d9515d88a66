"""Word normalisation shared by KB ranking, escalation rules and drafting.

A deliberately light English normaliser: lower-casing, apostrophe folding,
a stopword list and a small suffix stripper. Heavier stemmers (Porter) merge
words that support agents keep apart ("cancellation" fee vs "cancel" an
order), and a light one is cheap enough to run on every token of a
10 000-article knowledge base while the index is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

# Words of letters/digits; an inner apostrophe ("can't", "customer's") stays
# part of the word so it is folded rather than split into two tokens.
_WORD_RE = re.compile(r"[0-9a-z]+(?:['\u2019][a-z]+)*", re.IGNORECASE)
# For bulk indexing: apostrophes ride along and are folded away by the cache.
_LOWER_WORD_RE = re.compile(r"[0-9a-z'\u2019]+")
_ASCII_SEPARATORS = {i: " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "'")}
_APOSTROPHE_RE = re.compile(r"['\u2019]")

STOPWORDS: frozenset[str] = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "can",
        "cant",
        "couldnt",
        "dont",
        "doesnt",
        "didnt",
        "im",
        "ive",
        "id",
        "ill",
        "youre",
        "isnt",
        "wont",
        "wouldnt",
        "shouldnt",
        "arent",
        "wasnt",
        "werent",
        "hasnt",
        "havent",
        "hadnt",
        "lets",
        "thats",
        "theres",
        "whats",
        "may",
        "might",
        "must",
        "shall",
        "also",
        "u",
        "ur",
        "ya",
        "pls",
        "plz",
        "please",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "regards",
        "dear",
        "ok",
        "okay",
        "yes",
        "yeah",
    ]
)
"""Function words plus greeting filler; none of them says what a ticket is about."""

REQUEST_FILLER: frozenset[str] = frozenset(
    [
        "help",
        "need",
        "want",
        "assistance",
        "assist",
        "know",
        "try",
        "trying",
        "like",
        "possible",
        "way",
    ]
)
"""Words nearly every support request has ("I need help with…", "is it possible…"):
they say someone asks, not what about, so search ignores them."""

_VOWELS = frozenset("aeiouy")

MAX_WORD = 48
"""Longer words are not stemmed, split into two words, corrected for typos or
looked up in WordNet: they are only ever matched exactly.

The longest words in support text are two long words run together
("customersupportrefund", 21 letters) or a product name; past 48 letters a
"word" is an id, a hash, an encoded blob or an attack. Every per-word step
costs time and cache memory that grow with the word's length, and splitting
tries every split point, so one 1 MB "word" used to cost gigabytes; with this
limit a word costs at most a fixed amount whatever its length.
"""
STEM_CACHE_ENTRIES = 100_000
"""Stems remembered. An entry holds a word of at most ``MAX_WORD`` letters and
its stem (about 320 bytes at worst, 150 for a typical word), so the cache stays
under ~32 MB; a 10 000-article KB has about 35 000 distinct words."""


@dataclass(frozen=True, slots=True)
class Token:
    """A word as written (``surface``), where it is, and its normalised ``term``."""

    surface: str
    start: int
    end: int
    term: str


def fold(word: str) -> str:
    """Lower-case and drop apostrophes so "Can't" and "cant" are the same word."""
    return _APOSTROPHE_RE.sub("", word.lower())


def stem(word: str) -> str:
    """Strip inflections only: plurals, -ing, -ed, -ly, final -e and a doubled final l.

    Input is a folded word. The rules are ordered so that inflected forms land on
    the same stem as their base: cancel/cancels/cancelled/cancelling -> cancel,
    update/updating/updated -> updat, refund/refunds/refunded -> refund.
    A word longer than ``MAX_WORD`` is its own stem (and is not cached).
    """
    return word if len(word) > MAX_WORD else _stem(word)


@lru_cache(maxsize=STEM_CACHE_ENTRIES)
def _stem(word: str) -> str:
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suffix):
            base = w[: -len(suffix)]
            if len(base) >= 3 and _VOWELS.intersection(base[:-1] or base):
                w = base
                if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1] not in _VOWELS:
                    w = w[:-1]  # stopped -> stopp -> stop
            break
    else:
        if w.endswith("ly") and len(w) > 5:
            w = w[:-2]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("ll") and len(w) > 5:
        w = w[:-1]  # cancell(ing) -> cancel, install -> instal, but bill stays
    return w


def normalise(word: str) -> str:
    """The index term for one word (folded, then stemmed)."""
    return stem(fold(word))


def tokens(text: str) -> Iterator[Token]:
    """Every word of ``text`` with its span, stopwords included (rules need them)."""
    for match in _WORD_RE.finditer(text):
        surface = match.group()
        yield Token(surface, match.start(), match.end(), normalise(surface))


def terms(text: str) -> list[str]:
    """Index terms of ``text`` without stopwords, in order (duplicates kept)."""
    out: list[str] = []
    for match in _WORD_RE.finditer(text):
        folded = fold(match.group())
        if folded not in STOPWORDS:
            out.append(stem(folded))
    return out


def is_content_word(folded: str) -> bool:
    """Worth matching on: not a stopword and not a single character."""
    return len(folded) > 1 and folded not in STOPWORDS


def is_topic_word(folded: str) -> bool:
    """Worth searching on: a content word that is not request filler ("help", "need")."""
    return is_content_word(folded) and folded not in REQUEST_FILLER


class TermCache(dict[str, str]):
    """Lower-cased word -> index term ("" for stopwords and filler), computed once.

    Indexing a large KB meets the same few thousand words millions of times;
    looking them up here keeps the per-token work in C. The keys seen are also
    the vocabulary a typo is matched against.
    """

    def __missing__(self, word: str) -> str:
        folded = fold(word)
        term = stem(folded) if is_topic_word(folded) else ""
        self[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        """Index terms of ``text`` in order, without stopwords or filler."""
        low = text.lower()
        # ASCII text (nearly all of a KB) splits fastest with translate+split.
        words = (
            low.translate(_ASCII_SEPARATORS).split()
            if low.isascii()
            else _LOWER_WORD_RE.findall(low)
        )
        return list(filter(None, map(self.__getitem__, words)))

    def surfaces(self) -> dict[str, str]:
        """Folded surface word -> index term, for every topic word seen."""
        return {fold(word): term for word, term in self.items() if term}


_LEAD_END_RE = re.compile(r"[.!?](?=\s)|\n")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#+)\s*")
_MARKUP_RE = re.compile(r"\*\*|__|`|\[([^\]]*)\]\([^)]*\)")


def lead_sentence(text: str, min_words: int = 5) -> str:
    """The first real sentence of a body: an interjection such as "Certainly!"
    is skipped. Cheap enough to run on every article of a large KB."""
    head = text[:600].lstrip()
    start = 0
    for end in _LEAD_END_RE.finditer(head):
        sentence = head[start : end.start() + 1]
        if len(sentence.split()) >= min_words:
            return sentence.strip()
        start = end.end()
    return head[start:].strip()


def sentences(text: str) -> list[str]:
    """Plain-text sentences of a Markdown body: list markers, emphasis and link syntax removed."""
    out: list[str] = []
    for piece in _SENTENCE_SPLIT_RE.split(text):
        piece = _LIST_MARKER_RE.sub("", piece)
        piece = _MARKUP_RE.sub(lambda m: m.group(1) or "", piece).strip()
        if piece:
            out.append(piece)
    return out
