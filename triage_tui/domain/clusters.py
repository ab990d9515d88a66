"""Similar incidents: open tickets that describe the same problem, grouped.

"+4 similar" in the queue lets one answer serve several tickets. A ticket is
read as its subject plus its *problem statement*, the first real sentence of
its first message (``QueueRow.excerpt``); later sentences are chatter ("we
have a deadline on Friday") that differs between tickets about one problem.
Comparing every pair is quadratic, and a queue may hold 100 000 tickets, so:

1. **Words.** All texts are lower-cased and split in one pass over their
   concatenation; stopwords and greetings take no part. Identical texts are
   clustered once.
2. **Blocking (MinHash-like).** Words are ranked by how many texts use them,
   rarest first; a text's *keys* are the pairs among its ``KEY_WORDS``
   rarest words that another text shares (subject words first). Two texts
   about the same problem pick the same rare words, so they share a key; only
   texts sharing a key are ever compared, and a pair key means they share two
   words before any comparison.
3. **Verification, leader style.** Texts are visited in ticket-id order. In
   each of its blocks a text is compared with the block's leaders (the first
   text of each problem seen there, busiest first) with rapidfuzz's
   ``token_set_ratio`` (typos and extra words tolerated) and joins the first
   that scores ``SIMILARITY``; a text matching none becomes a leader. A block
   of a thousand duplicates costs about one comparison per text, and leaders
   never merge, so unrelated problems are not chained together.

Deterministic: the same rows give the same clusters, in any input order.
Timings: docs/performance.md (``benchmarks/intel_timings.py``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, combinations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from triage_tui.domain.lexicon import STOPWORDS, stem
from triage_tui.domain.queue import QueueRow

SIMILARITY = 82.0
"""``token_set_ratio`` (0..100) from which two tickets describe the same problem."""
MIN_SHARED = 2
"""Content words a ticket needs to be compared at all ("Help!" or "Login" alone
would be a subset of everything that mentions that word); pair keys then also
make two tickets share at least two words before they are compared."""
KEY_WORDS = 4
"""A text is filed under every pair of its ``KEY_WORDS`` rarest shared words."""
SUBJECT_KEYS = 2
"""Of those, up to this many come from the subject, the rest from the statement."""
TYPO_MIN_LENGTH = 5
"""Shorter words have too many one-edit neighbours to guess a typo from."""
MIN_STATEMENT_WORDS = 4
"""A first sentence of fewer words ("Hi there!") is not the problem statement."""
MAX_LEADERS = 48
"""Leaders kept per block; past that a block is mostly unrelated rows sharing a common word."""
STATEMENT_CHARS = 400
"""The problem statement is looked for in the excerpt's first 400 characters."""
SUBJECT_CHARS = 400
"""Subjects are compared on their first 400 characters, like statements: a
signature is then at most ~800 characters, so one ``token_set_ratio`` costs
the same for every ticket, and a megabyte-long subject is not copied and split
again for every clustering of the queue."""

_GREETINGS = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "dear",
        "hiya",
        "greetings",
        "morning",
        "afternoon",
        "evening",
        "team",
        "support",
        "folks",
        "thanks",
        "thank",
        "thx",
        "cheers",
        "regards",
        "best",
        "please",
        "kindly",
        "sorry",
        "urgent",
        "asap",
        "help",
    ]
)
_IGNORED = STOPWORDS | _GREETINGS | frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_SEPARATORS = str.maketrans({chr(i): " " for i in range(128) if not chr(i).isalnum()})
_BYTE_TABLE = bytes(c if c >= 128 or c == 10 or chr(c).isalnum() else 32 for c in range(256))
"""ASCII punctuation and spaces to spaces; newlines (text separators) and UTF-8 bytes kept."""
_WORD_RE = re.compile(r"\w+")
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)")


def _words(text: str) -> list[str]:
    low = text.lower()
    if low.isascii():
        return low.translate(_SEPARATORS).split()
    return _WORD_RE.findall(low)


def problem_statement(excerpt: str) -> str:
    """The excerpt's first real sentence: where a customer states the problem.

    Later sentences are context and chatter ("We have a deadline on Friday")
    that differ between tickets about the same problem. A first sentence of a
    few words ("Hi there!") is a greeting, so the next one is taken with it;
    a greeting joined by a comma ("Hi support, How do I…") is dropped later
    with the other greeting words.
    """
    end = _SENTENCE_END_RE.search(excerpt, 0, STATEMENT_CHARS)
    if end is None:
        return excerpt[:STATEMENT_CHARS]
    stop = end.end()
    if excerpt.count(" ", 0, stop) < MIN_STATEMENT_WORDS:
        more = _SENTENCE_END_RE.search(excerpt, stop, STATEMENT_CHARS)
        stop = more.end() if more is not None else min(len(excerpt), STATEMENT_CHARS)
    return excerpt[:stop]


@dataclass(frozen=True)
class Clusters:
    """Groups of similar tickets; a ticket in no group is its own group of one."""

    groups: tuple[tuple[str, ...], ...]
    """Groups of two or more ticket ids, each in queue (input) order, largest first."""
    _group_of: Mapping[str, int] = field(repr=False, compare=False)

    def size_of(self, ticket_id: str) -> int:
        """How many open tickets describe this problem, the ticket included (1 if alone)."""
        index = self._group_of.get(ticket_id)
        return 1 if index is None else len(self.groups[index])

    def members(self, ticket_id: str) -> list[str]:
        """Every ticket in the ticket's group, itself included, in queue order."""
        index = self._group_of.get(ticket_id)
        return [ticket_id] if index is None else list(self.groups[index])

    def similar(self, ticket_id: str) -> list[str]:
        """The *other* tickets in the group (for the detail pane's list)."""
        return [t for t in self.members(ticket_id) if t != ticket_id]

    def label(self, ticket_id: str) -> str:
        """The queue's badge: "+4 similar", or "" for a ticket with none."""
        others = self.size_of(ticket_id) - 1
        return f"+{others} similar" if others else ""

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def empty(cls) -> Clusters:
        return cls((), {})


def _id_order(ticket_id: str) -> tuple[int, str]:
    """Numeric ids in number order ("99" before "100"), others after, by text."""
    return (len(ticket_id), ticket_id) if ticket_id.isdigit() else (1 << 30, ticket_id)


def _token_lines(texts: list[str]) -> list[str]:
    """Each text lower-cased with every ASCII non-word character turned into a space.

    Done on all texts joined into one string (one ``lower``, one byte-table
    ``translate``), which costs a fraction of doing it text by text.
    """
    joined = "\n".join(t.replace("\n", " ") for t in texts).lower()
    return joined.encode("utf-8").translate(_BYTE_TABLE).decode("utf-8").split("\n")


def _vocabulary(
    subject_words: list[list[str]], statement_words: list[list[str]]
) -> tuple[list[str], dict[str, int], int, int]:
    """Rank every word: (terms by rank, word -> rank, first shared rank, first stopword rank).

    Words are reduced to their stem ("stopped" = "stop"), and a subject word
    no other text uses that is one typo from a word others use is read as that
    word ("notifcations"), so both count as shared. Ranks order words only one
    text has (names, numbers: compared, never keys), then shared words rarest
    first, then stopwords and greetings (never used). Frequent words (the
    product's name) come last among the shared, so they serve as keys only for
    a text with nothing rarer; nothing is dropped for being frequent, because a
    problem half the queue reports is still one problem.
    """
    df = Counter(chain.from_iterable(subject_words))
    df.update(chain.from_iterable(statement_words))
    for word in _IGNORED.intersection(df):
        del df[word]
    term_of = {word: stem(word) for word in df}
    term_df: Counter[str] = Counter()
    for word, count in df.items():
        term_df[term_of[word]] += count
    subject_vocabulary = set(chain.from_iterable(subject_words))
    for word, term in _typo_repairs(term_df, subject_vocabulary, term_of).items():
        term_df[term] += term_df.pop(term_of[word], 1)
        term_of[word] = term
    terms = sorted(term_df, key=lambda t: (term_df[t] > 1, term_df[t], t))
    shared = sum(1 for count in term_df.values() if count == 1)
    term_rank = {term: i for i, term in enumerate(terms)}
    rank = {word: term_rank[term] for word, term in term_of.items()}
    content = len(terms)
    for word in sorted(_IGNORED):
        rank[word] = len(terms)
        terms.append(word)
    return terms, rank, shared, content


def _typo_repairs(
    term_df: Counter[str], subject_vocabulary: set[str], term_of: dict[str, str]
) -> dict[str, str]:
    """Subject words used by one text only that are a typo of a shared term.

    Candidates are blocked like ``kb.vocab`` does: a word within one or two
    edits has a length within one of it and keeps its first or last letter.
    Only subject words are repaired: they choose the keys, and there are few.
    """
    buckets: dict[tuple[str, int], list[str]] = {}
    for term, count in term_df.items():
        if count > 1 and len(term) >= 4 and term.isalpha():
            buckets.setdefault((term[0], len(term)), []).append(term)
            buckets.setdefault(("$" + term[-1], len(term)), []).append(term)
    repairs: dict[str, str] = {}
    for word in subject_vocabulary:
        single = term_of.get(word)
        if single is None or term_df[single] != 1 or len(single) < TYPO_MIN_LENGTH:
            continue
        if not single.isalpha():
            continue
        candidates: list[str] = []
        for length in (len(single) - 1, len(single), len(single) + 1):
            candidates += buckets.get((single[0], length), ())
            candidates += buckets.get(("$" + single[-1], length), ())
        budget = 1 if len(single) < 8 else 2
        best = process.extractOne(single, candidates, scorer=OSA.distance, score_cutoff=budget)
        if best is not None:
            repairs[word] = best[0]
    return repairs


def cluster(
    rows: Sequence[QueueRow], *, similarity: float = SIMILARITY, active_only: bool = True
) -> Clusters:
    """Group ``rows`` that describe the same problem (see the module docstring).

    ``active_only`` leaves solved and closed rows out (the queue has none).
    """
    if active_only:
        rows = [r for r in rows if r.status.is_active]
    # Canonical order: clusters must not depend on how the queue was sorted.
    rows = sorted(rows, key=lambda r: _id_order(r.id))
    if len(rows) < 2:
        return Clusters.empty()
    subject_lines = _token_lines([r.subject[:SUBJECT_CHARS] for r in rows])
    statement_lines = _token_lines([problem_statement(r.excerpt) for r in rows])
    # Identical texts are one problem: cluster each distinct text once.
    distinct: dict[tuple[str, str], int] = {}
    text_of = [
        distinct.setdefault(pair, len(distinct))
        for pair in zip(subject_lines, statement_lines, strict=True)
    ]
    n = len(distinct)
    subject_words = [line.split() for line, _ in distinct]
    statement_words = [line.split() for _, line in distinct]
    vocabulary, rank, shared, content = _vocabulary(subject_words, statement_words)
    lookup = rank.__getitem__
    width = len(vocabulary)

    signatures: list[str] = []
    keys: list[list[int]] = []
    weak: list[bool] = []
    word = vocabulary.__getitem__
    for subject, statement in zip(subject_words, statement_words, strict=True):
        s_ranks = sorted(map(lookup, subject))
        e_ranks = sorted(map(lookup, statement))
        s_end, e_end = bisect_left(s_ranks, content), bisect_left(e_ranks, content)
        compared = s_ranks[:s_end] + e_ranks[:e_end]
        signatures.append(" ".join(map(word, compared)))
        # "Help!" says nothing: too few words to call anything the same problem.
        weak.append(len(compared) < MIN_SHARED or len(set(compared)) < MIN_SHARED)
        # Keys: pairs among the rarest shared words, subject words first (a
        # subject names the problem; a statement's rarest words are often the
        # names of things, which differ between reports of one problem).
        start = bisect_left(s_ranks, shared, 0, s_end)
        top = list(dict.fromkeys(s_ranks[start:s_end]))[:SUBJECT_KEYS]
        start = bisect_left(e_ranks, shared, 0, e_end)
        for candidate in e_ranks[start:e_end]:
            if len(top) >= KEY_WORDS:
                break
            if candidate not in top:
                top.append(candidate)
        top.sort()
        keys.append([a * width + b for a, b in combinations(top, 2)] or top)

    # A text joins the first leader it matches, trying its rarest key first; a
    # text that matches none becomes a leader in all its blocks. Leaders never
    # merge, so a group is a leader and the texts that matched it (no chaining).
    group = list(range(n))
    leaders: dict[int, list[int]] = {}
    ratio = fuzz.token_set_ratio
    for i in range(n):
        if weak[i]:
            continue
        signature = signatures[i]
        match = -1
        for key in keys[i]:
            block = leaders.get(key)
            if block is None:
                continue
            for position, leader in enumerate(block):
                if ratio(signature, signatures[leader], processor=None, score_cutoff=similarity):
                    match = leader
                    if position:  # busiest problems first: most texts match at once
                        block[position], block[0] = block[0], leader
                    break
            if match >= 0:
                break
        if match >= 0:
            group[i] = match
            continue
        for key in keys[i]:
            block = leaders.setdefault(key, [])
            if len(block) < MAX_LEADERS:
                block.append(i)
    # Rows with the same weak text stay apart (each its own group, numbered past n).
    return _collect(rows, [n + k if weak[t] else group[t] for k, t in enumerate(text_of)])


def _collect(rows: Sequence[QueueRow], group_of_row: list[int]) -> Clusters:
    sizes = Counter(group_of_row)
    members: dict[int, list[str]] = {g: [] for g, size in sizes.items() if size > 1}
    for row, g in zip(rows, group_of_row, strict=True):
        if g in members:
            members[g].append(row.id)
    # Largest first, then by the first member's id order; members in id order.
    out = tuple(tuple(m) for _, m in sorted(members.items(), key=lambda gm: (-len(gm[1]), gm[0])))
    index = {ticket_id: g for g, ids in enumerate(out) for ticket_id in ids}
    return Clusters(out, index)


def ordered_like(clusters: Clusters, queue: Sequence[QueueRow]) -> Clusters:
    """The same groups with members in ``queue`` order (e.g. SLA order for display)."""
    position = {row.id: i for i, row in enumerate(queue)}
    far = len(position)
    groups = tuple(
        tuple(sorted(group, key=lambda t: position.get(t, far))) for group in clusters.groups
    )
    return Clusters(groups, clusters._group_of)
