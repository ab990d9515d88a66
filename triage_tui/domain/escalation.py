"""The workflow's five escalation rules, each with the evidence that fired it.

A rule is a list of phrases matched against what the customer wrote (subject
and public customer messages; agents' replies and notes never fire a rule).
Phrases match on normalised words, so "refunds", "refunded" and "Refund"
all match ``refund``, and words of five letters or more tolerate one typo
("refnud"). Phrase syntax, kept small enough to write in a config file:

* words separated by spaces must appear in that order, adjacent;
* ``a|b`` accepts either word in that position;
* ``...`` allows up to three other words in between (within one sentence),
  so ``speak|talk ... person`` matches "speak to a real person".

A hit just after a dismissal ("no need for a refund", "I don't want an
agent") does not count. The evidence is the matched text exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from triage_tui.domain import lexicon
from triage_tui.domain.enums import Role
from triage_tui.domain.errors import ConfigError
from triage_tui.domain.models import TicketDetail

RULE_IDS = (
    "requested_human",
    "billing_refund",
    "data_integrity",
    "legal_compliance",
    "repeated_contact",
)

REPEATED_CONTACT_THRESHOLD = 3
"""The workflow's "3+ messages without resolution"."""

_GAP = 3
_MAX_EVIDENCE = 3
_FUZZY_MIN_LEN = 5

PART_CHARS = 20_000
"""The rules read the subject and each customer message on their first 20 000
characters (about 3 000 words: several pages). What a rule looks for ("refund",
"speak to a person") is said in prose near the top, not deep inside a pasted
log, and reading costs time per word on every ticket opening."""
TEXT_CHARS = 100_000
"""At most this much customer text is read in all: the subject and the newest
messages (a customer asks for a person or a refund in their latest message)."""
RESOLVER_CACHE_ENTRIES = 50_000
"""Words whose rule words are remembered (then the cache starts over): keys are
at most ``lexicon.MAX_WORD`` letters and values a few rule words, so ~15 MB at
worst. The rule set lives as long as the console."""

_PEOPLE = (
    "human|humans|person|people|someone|somebody|agent|assistant|operator|representative|rep"
    "|staff|employee|manager|supervisor|advisor|associate"
)
_CONTACT = "talk|speak|chat|connect|transfer|reach|contact|call|phone|escalate|forward"

_RECORDS = (
    "data|records|entries|rows|files|history|transactions|tasks|comments|attachments|projects"
)
_TROUBLE = "issue|issues|problem|problems|error|errors|trouble|troubles"
_GONE = "lost|losing|missing|deleted|erased|wiped|corrupted|overwritten|vanished|disappeared"

BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    "requested_human": (
        "human",
        "humans",
        "agent",
        "representative",
        "operator",
        "real|live|actual person|people|agent|assistant|human",
        f"{_CONTACT} ... {_PEOPLE}",
        "not|no bot|robot|chatbot|machine|automated",
        "stop|hate automated|bot|chatbot",
    ),
    "billing_refund": (
        "refund",
        "reimburse",
        "reimbursement",
        "compensation",
        "rebate",
        "restitution",
        "money back",
        "chargeback",
        "charged|billed twice|double|again",
        "double|duplicate|extra|unexpected|unauthorized|unauthorised charge|charged|billed",
        "overcharged|overcharge|overbilled",
        "invoice",
        "bill",
        "billing",
        "fee",
        "charge",
        "penalty",
        f"payment ... {_TROUBLE}|fail|failed|failing|declined|rejected|bounced",
        "card ... declined|rejected|charged",
        f"{_TROUBLE} ... payment|payments|checkout|billing",
    ),
    "data_integrity": (
        "data loss",
        f"{_GONE} {_RECORDS}",
        f"{_RECORDS} ... {_GONE}|corrupt|gone|duplicated",
        "corrupt",
        "corrupted",
        "corruption",
        f"duplicate|duplicated|doubled {_RECORDS}",
        "out of sync",
    ),
    "legal_compliance": (
        "gdpr",
        "ccpa",
        "hipaa",
        "lawyer",
        "attorney",
        "solicitor",
        "legal",
        "lawsuit",
        "sue",
        "court",
        "subpoena",
        "compliance",
        "not|non compliant",
        "regulator",
        "data protection",
        "privacy law|regulation|regulations",
        "right to be forgotten",
        "data subject",
        "cease and desist",
    ),
}

_META = {
    # rule id: (title, label, default route)
    "requested_human": ("Customer asked for a human", "requested human", "tier 2"),
    "billing_refund": ("Billing or refund issue", "billing/refund", "billing queue"),
    "data_integrity": ("Bug affecting data integrity", "data integrity", "on-call engineering"),
    "legal_compliance": ("Legal or compliance question", "legal/compliance", "legal"),
    "repeated_contact": (
        "3+ customer messages without resolution",
        "3+ messages unresolved",
        "tier 2",
    ),
}

_NEGATORS = frozenset({"no", "not", "dont", "doesnt", "didnt", "never", "wont", "without"})
_DISMISS_VERBS = frozenset(lexicon.normalise(w) for w in ("need", "want", "require", "asking"))
_SENTENCE_BREAK_RE = re.compile(r"[.!?;\n]")


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict on one ticket."""

    rule_id: str
    title: str
    label: str
    fired: bool
    evidence: tuple[str, ...]
    route: str
    message_count: int | None = None
    overridden: bool = False
    """The agent dismissed this rule on the ticket; ``fired`` is then False."""


# A compiled phrase: slots of accepted terms, each flagged "may follow a gap".
_Slot = tuple[frozenset[str], bool]


def compile_phrase(phrase: str) -> tuple[_Slot, ...]:
    """Parse the phrase syntax (see module docstring) into matchable slots."""
    slots: list[_Slot] = []
    gap = False
    for part in phrase.split():
        if part == "...":
            gap = bool(slots)
            continue
        alternatives = frozenset(lexicon.normalise(a) for a in part.split("|") if a)
        if alternatives:
            slots.append((alternatives, gap))
        gap = False
    return tuple(slots)


@dataclass(frozen=True)
class _Rule:
    rule_id: str
    phrases: tuple[tuple[_Slot, ...], ...]
    route: str


class _Text:
    """A text tokenised once: sentence numbers (gaps never cross sentences) and,
    per token, the phrase words it stands for (itself, or what it is a typo of)."""

    def __init__(self, text: str, resolve: Callable[[str], frozenset[str]]) -> None:
        self.text = text
        self.tokens = list(lexicon.tokens(text))
        self.folded = [lexicon.fold(t.surface) for t in self.tokens]
        self.means = [resolve(t.term) for t in self.tokens]
        self.positions: dict[str, list[int]] = {}
        for i, words in enumerate(self.means):
            for word in words:
                self.positions.setdefault(word, []).append(i)
        self.sentence: list[int] = []
        current, previous_end = 0, 0
        for token in self.tokens:
            if _SENTENCE_BREAK_RE.search(text, previous_end, token.start):
                current += 1
            self.sentence.append(current)
            previous_end = token.end


class _Resolver:
    """Maps a text's term to the phrase words it matches, cached per term.

    rapidfuzz shortlists the phrase words within one edit; ``_is_typo_of``
    then keeps only dropped, doubled or swapped letters.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        self._long = sorted(w for w in self._words if len(w) >= _FUZZY_MIN_LEN)
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, term: str) -> frozenset[str]:
        found = self._cache.get(term)
        if found is None:
            if len(term) > lexicon.MAX_WORD:  # only ever itself; not cached (see MAX_WORD)
                return frozenset((term,)) if term in self._words else frozenset()
            matches = {term} if term in self._words else set()
            if len(term) >= _FUZZY_MIN_LEN - 1 and self._long:
                for word, _, _ in process.extract(
                    term, self._long, scorer=OSA.distance, score_cutoff=1, limit=None
                ):
                    if word != term and _is_typo_of(term, word):
                        matches.add(word)
            if len(self._cache) >= RESOLVER_CACHE_ENTRIES:
                self._cache.clear()
            found = self._cache[term] = frozenset(matches)
        return found


def _is_typo_of(term: str, word: str) -> bool:
    """A dropped, doubled or swapped letter ("refnud", "reffund", "refun").

    Substitutions are not accepted: one changed letter turns too many real
    words into each other ("change"/"charge", "filled"/"billed").
    """
    if len(term) == len(word):
        return sorted(term) == sorted(word) and OSA.distance(term, word, score_cutoff=1) <= 1
    if term[0] != word[0] or abs(len(term) - len(word)) > 1:
        return False
    return OSA.distance(term, word, score_cutoff=1) <= 1


def _match_at(text: _Text, slots: tuple[_Slot, ...], i: int) -> int | None:
    """Index of the last token of a match of ``slots`` starting at token ``i``."""
    if slots[0][0].isdisjoint(text.means[i]):
        return None
    pos = i
    for accepted, gap in slots[1:]:
        found = None
        for j in range(pos + 1, min(pos + 2 + (_GAP if gap else 0), len(text.tokens))):
            if text.sentence[j] != text.sentence[i]:
                break
            if not accepted.isdisjoint(text.means[j]):
                found = j
                break
        if found is None:
            return None
        pos = found
    return pos


def _dismissed(text: _Text, i: int) -> bool:
    """A negated need/want right before token ``i``: "no need for a refund"."""
    start = max(0, i - 4)
    window = range(start, i)
    for j in window:
        if text.sentence[j] != text.sentence[i]:
            continue
        if text.folded[j] in _NEGATORS and any(
            text.tokens[m].term in _DISMISS_VERBS for m in range(j, i)
        ):
            return True
    return False


def _find(text: _Text, rule: _Rule) -> tuple[str, ...]:
    spans: list[tuple[int, int]] = []
    for slots in rule.phrases:
        if not slots:
            continue
        starts = {i for word in slots[0][0] for i in text.positions.get(word, ())}
        for i in sorted(starts):
            end = _match_at(text, slots, i)
            if end is not None and not _dismissed(text, i):
                spans.append((text.tokens[i].start, text.tokens[end].end))
    # Longest span first at each position; drop spans inside one already kept.
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    seen: set[str] = set()
    evidence: list[str] = []
    for start, end in kept:
        quote = text.text[start:end]
        if quote.lower() not in seen:
            seen.add(quote.lower())
            evidence.append(quote)
    return tuple(evidence[:_MAX_EVIDENCE])


def customer_text(detail: TicketDetail) -> str:
    """What the rules read: the subject and every public customer message.

    Each is cut at ``PART_CHARS``; past ``TEXT_CHARS`` in all, the oldest
    messages are left out.
    """
    subject = detail.ticket.subject[:PART_CHARS]
    budget = TEXT_CHARS - len(subject)
    kept: list[str] = []
    for message in reversed(detail.messages):
        if message.role is not Role.CUSTOMER or not message.public or not message.body:
            continue
        if budget <= 0:
            break
        body = message.body[: min(PART_CHARS, budget)]
        kept.append(body)
        budget -= len(body) + 1
    return "\n".join(p for p in (subject, *reversed(kept)) if p)


class RuleSet:
    """The five rules with their phrase lists and routes."""

    def __init__(self, rules: Mapping[str, _Rule]) -> None:
        self._rules = dict(rules)
        self._resolve = _Resolver(
            term
            for rule in self._rules.values()
            for phrase in rule.phrases
            for accepted, _ in phrase
            for term in accepted
        )

    @classmethod
    def default(cls) -> RuleSet:
        return cls.from_config({}, {})

    @classmethod
    def from_config(
        cls, extra_phrases: Mapping[str, Sequence[str]], routes: Mapping[str, str]
    ) -> RuleSet:
        """Built-in phrases plus the config's ``[escalation]`` additions and routes."""
        for key, table in (("extra_phrases", extra_phrases), ("routes", routes)):
            unknown = sorted(set(table) - set(RULE_IDS))
            if unknown:
                raise ConfigError(
                    f"escalation.{key}: unknown rule {unknown[0]!r}; rules: {', '.join(RULE_IDS)}"
                )
        if extra_phrases.get("repeated_contact"):
            raise ConfigError(
                "escalation.extra_phrases.repeated_contact: "
                "this rule counts messages; it takes no phrases"
            )
        rules: dict[str, _Rule] = {}
        for rule_id in RULE_IDS:
            phrases = [*BUILTIN_PHRASES.get(rule_id, ()), *extra_phrases.get(rule_id, ())]
            compiled = tuple(c for c in (compile_phrase(p) for p in phrases) if c)
            route = routes.get(rule_id) or _META[rule_id][2]
            rules[rule_id] = _Rule(rule_id, compiled, route)
        return cls(rules)

    def route(self, rule_id: str) -> str:
        return self._rules[rule_id].route

    def evaluate(self, detail: TicketDetail, overridden: Collection[str] = ()) -> list[RuleResult]:
        """All five rules in ``RULE_IDS`` order; overridden rules report not fired."""
        text = _Text(customer_text(detail), self._resolve)
        results: list[RuleResult] = []
        for rule_id in RULE_IDS:
            rule = self._rules[rule_id]
            title, label, _ = _META[rule_id]
            count: int | None = None
            if rule_id == "repeated_contact":
                count = sum(1 for m in detail.customer_messages if m.public)
                unresolved = detail.ticket.status.is_active
                fired = unresolved and count >= REPEATED_CONTACT_THRESHOLD
                plural = "" if count == 1 else "s"
                evidence: tuple[str, ...] = (f"{count} customer message{plural}",) if fired else ()
            else:
                evidence = _find(text, rule)
                fired = bool(evidence)
            dismissed = rule_id in overridden
            results.append(
                RuleResult(
                    rule_id=rule_id,
                    title=title,
                    label=label,
                    fired=fired and not dismissed,
                    evidence=evidence,
                    route=rule.route,
                    message_count=count,
                    overridden=dismissed and fired,
                )
            )
        return results

    def evaluate_text(self, text: str) -> list[RuleResult]:
        """The phrase rules on a bare text (benchmarks, previews); no message count.
        The text is read on its first ``TEXT_CHARS``."""
        tokens = _Text(text[:TEXT_CHARS], self._resolve)
        return [
            RuleResult(
                rid,
                *_META[rid][:2],
                bool(ev := _find(tokens, self._rules[rid])),
                ev,
                self._rules[rid].route,
            )
            for rid in RULE_IDS
            if rid != "repeated_contact"
        ]


@cache
def _default() -> RuleSet:
    return RuleSet.default()


def evaluate(detail: TicketDetail) -> list[RuleResult]:
    """The default rules on a ticket."""
    return _default().evaluate(detail)


def fired(results: Sequence[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.fired]
