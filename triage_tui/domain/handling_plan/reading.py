"""Reading a ticket for the handling plan: what is asked, in which words, with what impact.

Deterministic keyword heuristics, no model: the plan must say the same thing
every time and be explainable by pointing at the customer's own sentence.

* The **ask** is the first sentence of the first customer message that is
  about the subject (shares a topic word with it, or is a real question);
  greetings, sign-offs and stock questions ("Any idea what's going on?") are
  skipped.
* The **kind** of request (problem / question / request) decides how the
  reply must answer; it is read from the ask and the subject.
* The **area** (sign-in, notifications, import/export, billing…) picks the
  check that proves the handling worked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from triage_tui.domain import lexicon
from triage_tui.domain.enums import Role
from triage_tui.domain.models import TicketDetail


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


QUOTE_MAX = 180
"""Quoted customer sentences are cut to this many characters."""
READ_CHARS = 20_000
"""The first customer message is read on its first 20 000 characters (about
3 000 words) and the subject on its first ``SUBJECT_CHARS``: the ask and its
impact are stated at the top, and reading is per word, so a pasted log or a
megabyte-long message would otherwise hold up every plan."""
SUBJECT_CHARS = 1_000
"""The subject is read (for its topic words and the kind of request) this far."""

_GREETING_RE = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^.!?]{0,40}[,!.:]?$"
    r"|^(?:thanks?|thank you|many thanks|cheers|best|regards|kind regards|best regards"
    r"|sincerely|br)\b[^.!?]{0,40}[,!.]?$",
    re.IGNORECASE,
)
_STOCK_QUESTIONS = frozenset(
    [
        "any idea what's going on?",
        "is this a known issue?",
        "can you help?",
        "could you help?",
        "can you help me?",
        "what should we do?",
        "what should i do?",
        "could you have a look?",
        "can you have a look?",
        "any update?",
        "any news?",
        "thoughts?",
        "please advise?",
    ]
)
_PROBLEM_WORDS = _set(
    "fail fails failed failing error errors broken broke stopped stop stuck loops loop crash "
    "crashes crashed freezes freeze frozen slow sluggish missing lost gone wrong cannot can't "
    "cant unable doesn't doesnt don't dont didn't didnt isn't won't not never invalid rejected "
    "declined locked empty disappeared duplicated timeout forever pending bug issue problem"
)
_QUESTION_START = _set(
    "how what why when where which who can could is are do does should will would"
)
_CALM_RE = re.compile(
    r"\bnot (?:urgent|a priority|blocking|critical)\b|\bno (?:rush|hurry)\b", re.IGNORECASE
)
"""An impact word that is negated ("It's not urgent but quite annoying") is no impact."""
_IMPACT_RE = re.compile(
    r"\b(?:affected|affects|everyone|whole team|all (?:our|of our) (?:users|people|staff)"
    r"|blocking|blocked|deadline|urgent|asap|production|release|month end|month-end"
    r"|rely on|customers? (?:can't|cannot)|losing money)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Ask:
    """What the customer wants, read from the ticket."""

    kind: str
    """``problem`` (something is broken), ``question`` (how do I…) or ``request`` (do X)."""
    quote: str | None
    """The customer's sentence stating it, as written (cut to ``QUOTE_MAX``)."""
    impact: str | None
    """A sentence about impact or deadline ("About 20 people are affected.")."""
    topic_words: tuple[str, ...]
    """The subject's and first message's main words, subject first."""
    subject_words: tuple[str, ...] = ()
    """The subject's main words (what a KB article on it has to mention)."""


def _clip(sentence: str) -> str:
    one_line = " ".join(sentence.split())
    return one_line if len(one_line) <= QUOTE_MAX else one_line[: QUOTE_MAX - 1].rstrip() + "\u2026"


def _topic(text: str) -> list[str]:
    """Topic words as the customer wrote them (lower-cased), first occurrence order."""
    out: dict[str, None] = {}
    for token in lexicon.tokens(text):
        folded = lexicon.fold(token.surface)
        contraction = "'" in token.surface or "\u2019" in token.surface
        if lexicon.is_topic_word(folded) and not folded.isdigit() and not contraction:
            out.setdefault(token.surface.lower(), None)
    return list(out)


def stems(words: Iterable[str]) -> set[str]:
    return {lexicon.normalise(w) for w in words}


def first_customer_text(detail: TicketDetail) -> str:
    """The first public customer message (the problem as first reported)."""
    for message in detail.messages:
        if message.role is Role.CUSTOMER and message.public and message.body.strip():
            return message.body
    return ""


def read_ask(detail: TicketDetail) -> Ask:
    subject = detail.ticket.subject[:SUBJECT_CHARS]
    body = first_customer_text(detail)[:READ_CHARS]
    subject_words = _topic(subject)
    subject_terms = stems(subject_words)
    sentences = [s for s in lexicon.sentences(body) if not _GREETING_RE.match(s.strip())]
    quote = impact = None
    question = False
    for sentence in sentences:
        lowered = " ".join(sentence.lower().split())
        if impact is None and _IMPACT_RE.search(sentence) and not _CALM_RE.search(sentence):
            impact = _clip(sentence)
        if quote is not None or lowered in _STOCK_QUESTIONS:
            continue
        terms = stems(_topic(sentence))
        is_question = sentence.rstrip().endswith("?") and len(terms) >= 2
        if terms & subject_terms or is_question:
            quote, question = _clip(sentence), is_question
    if quote is None and sentences:
        quote = _clip(sentences[0])
    words = subject_words + [w for w in _topic(body) if lexicon.normalise(w) not in subject_terms]
    kind = _kind(subject, quote or "", question)
    return Ask(kind, quote, impact, tuple(words[:6]), tuple(subject_words))


def _kind(subject: str, quote: str, question: bool) -> str:
    """Problem (something is broken), question (how do I…) or request (anything else)."""
    text = f"{subject} {quote}".lower().replace("\u2019", "'")
    words = set(re.findall(r"[a-z']+", text))
    first = (subject.split() or [""])[0].lower()
    if words & _PROBLEM_WORDS and not (question and first in _QUESTION_START):
        return "problem"
    if question or subject.rstrip().endswith("?") or first in _QUESTION_START:
        return "question"
    return "request"


@dataclass(frozen=True, slots=True)
class Area:
    """A product area and the check that proves a ticket in it was handled."""

    name: str
    words: frozenset[str]
    check: str


AREAS: tuple[Area, ...] = (
    Area(
        "sign-in",
        _set("login log sign signin sso saml 2fa password locked authenticator idp"),
        "Customer confirms they (and everyone affected) can sign in",
    ),
    Area(
        "billing",
        _set("refund invoice charge charged billing payment card downgrade plan"),
        "Billing shows the change (refund, credit or invoice) and the customer confirms it",
    ),
    Area(
        "notifications",
        _set("notification notify mention alert digest"),
        "Customer confirms notifications arrive again",
    ),
    Area(
        "import/export",
        _set("import export csv"),
        "Customer confirms the import or export completes with every row and field",
    ),
    Area(
        "performance",
        _set("slow sluggish freez load loading timeout forever"),
        "Customer confirms the page loads normally again",
    ),
    Area(
        "integrations",
        _set("github slack webhook api integration bot key"),
        "The integration delivers again (its delivery log shows new events)",
    ),
    Area(
        "access",
        _set("permission admin guest rights access owner member role"),
        "Customer confirms the person has exactly the access they need",
    ),
)


def area_of(words: Iterable[str]) -> Area | None:
    """The first area whose words the ticket uses (stems compared), else None."""
    used = stems(words)
    for area in AREAS:
        if used & stems(area.words):
            return area
    return None
