"""Related English words from WordNet, for query words a knowledge base does not use.

A customer asks for a "reimbursement" where the article says "refund". The
ranker cannot learn that from a 27-article KB, so it asks WordNet 3.0
(Princeton; compiled into ``wordnet_related.txt.gz`` by
``scripts/build_thesaurus.py``, licence notice inside the file): the words
that share a sense with the query word (synonyms), its hypernyms ("rebate" is
a kind of "refund") and similar-to links, and its derivational relatives
("reimbursement" ~ "reimburse", then what "reimburse" is a kind of: "refund").

Ambiguity is the risk: "bill" is an invoice, a bird's beak and a poster.
Only a word's first ``SENSES`` senses per part of speech count (WordNet lists
senses by corpus frequency) and later senses weigh less, so a rare sense
rarely outweighs a common one; a weight is a 0..1 share of an exact match.

Pure Python, no third-party packages: the file is read once, on first use
(about 0.1 s; synsets are parsed as words need them), and stays in memory.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Iterable
from importlib import resources

__all__ = ["DERIVED", "HYPERNYM", "RANK_DECAY", "SENSES", "Thesaurus", "load"]

SENSES = 3
"""A lemma's senses used per part of speech, most frequent first."""
RANK_DECAY = 0.8
"""Weight of sense n+1 relative to sense n."""
HYPERNYM = 0.7
"""A hypernym or similar-to link's weight relative to a synonym."""
DERIVED = 0.5
"""Members and hypernyms of a derivational target's synset, relative to the target
itself (the target word is the same idea as another part of speech; its
synonyms are one more step away)."""

MAX_LEMMA = 48
"""Longer words are never looked up: WordNet's longest single-word lemma has 31
letters, and a longer key would only make the cache grow with the word."""
CACHE_BYTES = 16 * 2**20
"""Memory for remembered relatives; past it the cache starts over. Counted as
``ENTRY_BYTES`` per relative and per key (measured: a relative costs ~100
bytes in the dict; a typical word has ~10 relatives, "set" has 83)."""
ENTRY_BYTES = 100

_DATA = "wordnet_related.txt.gz"
Derivation = tuple[int, int, int]
"""(source member, 1-based, 0 = any; target synset; target member, 1-based)."""
Synset = tuple[tuple[str, ...], tuple[int, ...], tuple[Derivation, ...]]
"""Members, linked synsets (hypernyms, similar-to, verb group, see-also), derivations."""
_WORD = re.compile(r"^[a-z]+$")
# WordNet's "morphy" suffix rules: inflected ending -> base ending.
_SUFFIXES = (
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
)


class Thesaurus:
    """Synsets, the lemmas' senses and irregular forms, as compiled by the build script."""

    def __init__(self, text: str) -> None:
        # Lines are split once and parsed when a word first needs them, so
        # loading costs a few tens of milliseconds, not a parse of 170 000 lines.
        lines = text.split("\n")
        marks = {line: i for i, line in enumerate(lines) if line.startswith("@")}
        synsets, lemmas, exceptions = (marks[m] for m in ("@synsets", "@lemmas", "@exceptions"))
        self._synset_lines = lines[synsets + 1 : lemmas]
        self._synsets: dict[int, Synset] = {}
        self._sense_lines = dict(
            line.split(" ", 1) for line in lines[lemmas + 1 : exceptions] if line
        )
        self._senses: dict[str, tuple[tuple[int, int], ...]] = {}
        self._exceptions = {
            form: tuple(bases.split())
            for form, _, bases in (line.partition(" ") for line in lines[exceptions + 1 :] if line)
        }
        self._cache: dict[str, dict[str, float]] = {}
        self._cache_bytes = 0

    def _synset(self, i: int) -> Synset:
        """Members, linked synsets (hypernyms, similar) and derivations of synset ``i``."""
        synset = self._synsets.get(i)
        if synset is None:
            members, links, derivs = self._synset_lines[i].split("|")
            synset = (
                tuple(members.split()),
                tuple(int(x) for x in links.split(",")) if links else (),
                tuple(_derivation(d) for d in derivs.split()),
            )
            self._synsets[i] = synset
        return synset

    def senses(self, lemma: str) -> tuple[tuple[int, int], ...]:
        """(synset, rank) of a lemma's kept senses; empty for an unknown word."""
        senses = self._senses.get(lemma)
        if senses is None:
            line = self._sense_lines.get(lemma, "")
            senses = tuple((int(s), int(r)) for s, _, r in (x.partition(":") for x in line.split()))
            self._senses[lemma] = senses
        return senses

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(self.lemmas(word))

    def words(self) -> list[str]:
        """Every lemma (for correcting a misspelt word to an English one)."""
        return list(self._sense_lines)

    def lemmas(self, word: str) -> list[str]:
        """The dictionary forms a lower-cased word can be: "refunds" -> "refund",
        "paid" -> "pay" (WordNet's morphy: exception lists, then suffix rules).
        A word longer than ``MAX_LEMMA`` has none (no lemma is that long)."""
        if len(word) > MAX_LEMMA:
            return []
        out = [word] if word in self._sense_lines else []
        for base in self._exceptions.get(word, ()):
            if base not in out:
                out.append(base)
        for suffix, ending in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                base = word[: -len(suffix)] + ending
                if base in self._sense_lines and base not in out:
                    out.append(base)
        return out

    def related(self, word: str) -> dict[str, float]:
        """Words related to ``word`` (any inflected form), each with a 0..1 weight;
        the word itself and its own lemmas are left out."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > MAX_LEMMA:
            return {}  # not cached: the key alone could be megabytes
        out: dict[str, float] = {}

        def add(words: Iterable[str], weight: float) -> None:
            for w in words:
                if weight > out.get(w, 0.0):
                    out[w] = weight

        lemmas = self.lemmas(word)
        for lemma in lemmas:
            for synset, rank in self.senses(lemma):
                if rank >= SENSES:
                    continue
                weight = RANK_DECAY**rank
                members, links, derivations = self._synset(synset)
                add(members, weight)
                for link in links:
                    add(self._synset(link)[0], HYPERNYM * weight)
                mine = members.index(lemma) + 1 if lemma in members else -1
                for source, target, position in derivations:
                    if source not in (0, mine):
                        continue
                    t_members, t_links, _ = self._synset(target)
                    add((t_members[position - 1],), weight)
                    add(t_members, DERIVED * weight)
                    for link in t_links:
                        add(self._synset(link)[0], DERIVED * HYPERNYM * weight)
        for lemma in (word, *lemmas):
            out.pop(lemma, None)
        size = ENTRY_BYTES * (len(out) + 1)
        if self._cache_bytes + size > CACHE_BYTES:
            self._cache.clear()
            self._cache_bytes = 0
        self._cache[word] = out
        self._cache_bytes += size
        return out


def _derivation(text: str) -> Derivation:
    source, _, rest = text.partition(">")
    target, _, position = rest.partition(".")
    return int(source), int(target), int(position)


_LOADED: Thesaurus | None = None
_LOCK = threading.Lock()


def load() -> Thesaurus:
    """The packaged thesaurus, read on first use and shared (thread-safe)."""
    global _LOADED
    if _LOADED is None:
        with _LOCK:
            if _LOADED is None:
                data = resources.files("triage_tui.domain.kb").joinpath(_DATA).read_bytes()
                _LOADED = Thesaurus(gzip.decompress(data).decode("utf-8"))
    return _LOADED
