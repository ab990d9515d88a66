"""Safeguards on a reply draft, checked before it goes out (and on every keystroke).

``check`` returns ``Finding``s: a kind, a severity (``block`` makes Send ask for
confirmation, ``warn`` only shows), a character span in the draft, a one-line
reason and, where a mechanical rewrite is safe, a ``Fix`` that ``apply_fix``
applies. Findings never change the draft by themselves.

What is checked, and why:

* **vague / defensive phrasing** and **overpromising** (``phrases``):
  the workflow's Support Specialist removes "as per our policy" and "we
  apologize for any inconvenience" and never promises what the team does not
  control ("guaranteed", "will never happen again").
* **jargon** for a non-technical customer. Heuristic (``jargon_audience =
  "auto"``): the requester counts as technical when the ticket came through a
  technical channel (``api``), their tier or organisation tier is listed in
  ``technical_tiers``, or they themselves used at least ``fluent_after``
  distinct jargon terms. For everyone else a jargon term warns — unless the
  customer used that very term (mirroring their own words is clear), or the
  sentence is quoted word for word from a relevant KB article (the draft's own
  quote is the team's published wording).
  ``"always"`` flags every term the customer did not use; ``"never"`` is off.
* **missing KB link**: the top article is relevant (its calibrated confidence
  reaches ``kb.RELEVANT_SCORE``) and no relevant article's URL is in the draft; the fix
  inserts the workflow's "You can also find more details here:" line before
  the closing lines.
* **too long**: more than ``max_words`` words warns ("warn before long"); the
  span covers the words past the limit.
* **unfilled placeholders** block: ``{field}``, ``[Describe …]``-style markers
  (``drafting.unfilled_placeholders``), ``<name>`` markers, TODO/TBD/XXX.
* **escalation**: an escalation rule fired on the ticket and was neither
  dismissed nor already acted on (tag ``escalated`` or the rule id) → block.

Speed: the draft is scanned by three precompiled regular expressions; what
depends only on the ticket (the customer's own jargon, whether they are
technical) is computed once per ticket and cached, so a keystroke costs well
under a millisecond for an ordinary draft (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from triage_tui.domain.escalation import RuleResult
from triage_tui.domain.kb.ranking import KbMatch
from triage_tui.domain.models import TicketDetail
from triage_tui.domain.replies.drafting import unfilled_placeholders
from triage_tui.domain.safeguards.match import (
    CLOSING_RE,
    DEFAULT_CONFIG,
    EXTRA_PLACEHOLDER_RE,
    SENTENCE_END,
    SafeguardConfig,
    TicketFacts,
    fold,
    jargon_hits,
    plain_words,
    ticket_facts,
    tone_regex,
)
from triage_tui.domain.safeguards.phrases import PHRASES, Phrase

__all__ = [
    "Finding",
    "Fix",
    "Kind",
    "Severity",
    "StaleFix",
    "apply_fix",
    "blocking",
    "check",
    "summary",
]


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


class Kind(StrEnum):
    VAGUE = "vague"
    DEFENSIVE = "defensive"
    OVERPROMISE = "overpromise"
    JARGON = "jargon"
    MISSING_KB_LINK = "missing_kb_link"
    TOO_LONG = "too_long"
    PLACEHOLDER = "placeholder"
    ESCALATION = "escalation"


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace ``draft[start:end]`` (``expected``) with ``replacement``; start == end inserts."""

    label: str
    start: int
    end: int
    replacement: str
    expected: str
    at_end: bool = False
    """The span must still end the draft (an append); else the fix is stale."""


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    severity: Severity
    start: int
    """Character offsets into the draft; ``start == end`` marks a point (or, at 0, the whole
    draft)."""
    end: int
    reason: str
    fix: Fix | None = None
    key: str = ""
    """Stable id for "ignore this" (pass it back in ``dismissed``)."""

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCK


class StaleFix(ValueError):
    """The draft changed under the finding; re-run ``check`` and use the new one."""


# -- the checks --------------------------------------------------------------------


def check(
    draft_text: str,
    *,
    detail: TicketDetail,
    kb: Sequence[KbMatch] | None,
    rules: Sequence[RuleResult],
    dismissed: Collection[str] = (),
    config: SafeguardConfig | None = None,
) -> list[Finding]:
    """Every finding on ``draft_text``, in text order (whole-draft findings first).

    ``dismissed`` holds ``Finding.key`` values the agent chose to ignore, and
    escalation rule ids the agent dismissed on this ticket.
    """
    config = config or DEFAULT_CONFIG
    facts = ticket_facts(detail, config)
    found: list[Finding] = []
    found.extend(_escalations(rules, facts))
    folded = fold(draft_text)
    found.extend(_tone(draft_text, folded))
    found.extend(_jargon(draft_text, folded, facts, config, kb))
    found.extend(_placeholders(draft_text, facts))
    link = _missing_link(draft_text, kb, config)
    if link is not None:
        found.append(link)
    long = _too_long(draft_text, config)
    if long is not None:
        found.append(long)
    if dismissed:
        found = [
            f
            for f in found
            if f.key not in dismissed
            and not (f.kind is Kind.ESCALATION and f.key.partition(":")[2] in dismissed)
        ]
    found.sort(key=lambda f: (f.start, f.end, f.severity is not Severity.BLOCK))
    return found


def _escalations(rules: Iterable[RuleResult], facts: TicketFacts) -> Iterable[Finding]:
    for rule in rules:
        if not rule.fired or "escalated" in facts.handled or rule.rule_id in facts.handled:
            continue
        evidence = ", ".join(f"\u201c{e}\u201d" for e in rule.evidence)
        reason = f"{rule.title}" + (f" ({evidence})" if evidence else "")
        reason += f": escalate to {rule.route}, or dismiss the rule before replying"
        yield Finding(
            Kind.ESCALATION, Severity.BLOCK, 0, 0, reason, None, f"escalation:{rule.rule_id}"
        )


def _tone(text: str, folded: str) -> Iterable[Finding]:
    for match in tone_regex(folded is not text).finditer(folded):
        phrase = PHRASES[int(match.lastgroup[1:])]  # type: ignore[index]
        start, end = match.span()
        matched = text[start:end]
        fix = _phrase_fix(text, start, end, phrase)
        key = f"{phrase.kind}:{' '.join(matched.lower().split())}"
        yield Finding(Kind(phrase.kind), Severity.WARN, start, end, phrase.reason, fix, key)


def _phrase_fix(text: str, start: int, end: int, phrase: Phrase) -> Fix | None:
    if phrase.rewrite is None:
        return None
    matched = text[start:end]
    if phrase.rewrite == "":
        return _deletion(text, start, end, phrase.label or "Remove it")
    new = phrase.rewrite if isinstance(phrase.rewrite, str) else phrase.rewrite(matched)
    if matched[:1].isupper() and new[:1].islower():
        new = new[0].upper() + new[1:]
    label = phrase.label or f"Rewrite: \u201c{new}\u201d"
    return Fix(label, start, end, new, matched)


def _deletion(text: str, start: int, end: int, label: str) -> Fix:
    """Remove ``text[start:end]`` and tidy what is left: a trailing comma, the space
    on one side, and a capital for the word that now starts the sentence."""
    if text[end : end + 1] == ",":
        end += 1
    trail = end
    while trail < len(text) and text[trail] in " \t":
        trail += 1
    before = text[:start].rstrip(" \t")[-1:]
    if not before or before in SENTENCE_END:
        if trail < len(text) and text[trail].islower():
            return Fix(label, start, trail + 1, text[trail].upper(), text[start : trail + 1])
        return Fix(label, start, trail, "", text[start:trail])
    if trail < len(text) and text[trail] not in ".,!?;:\n":
        end = trail  # a word follows: take the phrase and the space after it
    elif text[start - 1] in " \t":
        start -= 1  # punctuation follows: take the space before it
    return Fix(label, start, end, "", text[start:end])


def _jargon(
    text: str,
    folded: str,
    facts: TicketFacts,
    config: SafeguardConfig,
    kb: Sequence[KbMatch] | None = None,
) -> Iterable[Finding]:
    if config.jargon_audience == "never":
        return
    if config.jargon_audience == "auto" and facts.technical:
        return
    plain = plain_words(config.all_jargon)
    for match in jargon_hits(text, folded, config.all_jargon):
        term = text[match.start() : match.end()]
        lowered = " ".join(term.lower().split())
        if (
            lowered in facts.customer_terms
            or _on_link_line(text, match.start())
            or _quoted_from_kb(text, match.start(), match.end(), kb)
        ):
            continue
        alternative = _after_determiner(text, match.start(), plain.get(lowered, ""))
        # The span is the term; whoever shows the finding shows the span beside it.
        reason = "Jargon for a non-technical customer"
        fix = None
        if alternative:
            reason += f" (say \u201c{alternative}\u201d)"
            fix = Fix(
                f"Say \u201c{alternative}\u201d", match.start(), match.end(), alternative, term
            )
        yield Finding(
            Kind.JARGON, Severity.WARN, match.start(), match.end(), reason, fix, f"jargon:{lowered}"
        )


def _quoted_from_kb(text: str, at: int, end: int, kb: Sequence[KbMatch] | None) -> bool:
    """The words around ``text[at:end]`` are quoted verbatim from a relevant KB article.

    The draft quotes its article's own wording (the team's published answer);
    flagging that against itself would only teach agents to ignore the warning.
    Once the agent rewrites the words around the term, they are checked again.
    """
    if not kb:
        return False
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    window = text[max(line_start, at - _QUOTE_CONTEXT) : min(line_end, end + _QUOTE_CONTEXT)]
    window = window.strip()
    if len(window) < _MIN_QUOTE:
        return False
    return any(window in m.article.body for m in kb if m.relevant)


_QUOTE_CONTEXT = 30
"""Characters either side of a term (within its line) that must match the article."""
_MIN_QUOTE = 20
"""A quote shorter than this could be any phrase; it is checked as usual."""


def _on_link_line(text: str, at: int) -> bool:
    """A line with a link names an article by its title: not our wording to simplify."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return "://" in text[start : end if end >= 0 else len(text)]


_DETERMINERS = ("our", "the", "a", "an", "your", "this", "that")


def _after_determiner(text: str, start: int, alternative: str) -> str:
    """ "our backend" -> "our servers", not "our our servers"."""
    head, _, rest = alternative.partition(" ")
    if rest and head in _DETERMINERS:
        before = text[max(0, start - 8) : start].rstrip().rpartition(" ")[2].lower()
        if before in _DETERMINERS:
            return rest
    return alternative


def _placeholders(text: str, facts: TicketFacts) -> Iterable[Finding]:
    spans = {(s, e): t for s, e, t in unfilled_placeholders(text)}
    for match in EXTRA_PLACEHOLDER_RE.finditer(text):
        if not any(s <= match.start() < e for s, e in spans):
            spans[match.span()] = match.group()
    fills = {"{first_name}": facts.first_name, "{ticket_id}": facts.ticket_id}
    for (start, end), marker in sorted(spans.items()):
        value = fills.get(marker)
        fix = Fix(f"Fill in \u201c{value}\u201d", start, end, value, marker) if value else None
        reason = f"Unfilled placeholder {marker}: replace it before sending"
        yield Finding(
            Kind.PLACEHOLDER, Severity.BLOCK, start, end, reason, fix, f"placeholder:{marker}"
        )


def _missing_link(
    text: str, kb: Sequence[KbMatch] | None, config: SafeguardConfig
) -> Finding | None:
    if not kb or not kb[0].relevant or not kb[0].article.url:
        return None
    relevant = [m for m in kb if m.relevant and m.article.url]
    if any(m.article.url in text for m in relevant):
        return None
    article = kb[0].article
    line = config.kb_line.format(title=article.title, url=article.url).strip()
    at = _closing_offset(text)
    # The fix rewrites a little context around the insertion point (the closing
    # line, or the draft's tail) so ``apply_fix`` can tell if the draft moved.
    if at >= len(text.rstrip()):
        at = len(text)
        start = max(0, at - _CONTEXT)
        tail = text[start:]
        replacement = tail + ("\n\n" if text.strip() else "") + line
        fix = Fix(_LINK_LABEL, start, at, replacement, tail, at_end=True)
    else:
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        closing = text[at:end]
        fix = Fix(_LINK_LABEL, at, end, line + "\n\n" + closing, closing)
    reason = (
        f"A relevant article is not linked: \u201c{article.title}\u201d"
        f" ({kb[0].score:.0f} % confidence)"
    )
    return Finding(
        Kind.MISSING_KB_LINK, Severity.WARN, at, at, reason, fix, f"missing_kb_link:{article.id}"
    )


_CONTEXT = 24
_LINK_LABEL = "Insert the article link"


def _closing_offset(text: str) -> int:
    """Where the closing lines ("Let me know…", "Best,") start; else the end."""
    first_break = text.find("\n")
    for match in CLOSING_RE.finditer(text):
        if first_break >= 0 and match.start() > first_break:
            return match.start()
    return len(text)


def _too_long(text: str, config: SafeguardConfig) -> Finding | None:
    words = text.split()
    if len(words) <= config.max_words:
        return None
    start = 0
    for i, match in enumerate(re.finditer(r"\S+", text)):
        if i == config.max_words:
            start = match.start()
            break
    reason = (
        f"Long reply: {len(words)} words (over {config.max_words}); "
        "customers skim, so trim or split it before sending"
    )
    return Finding(Kind.TOO_LONG, Severity.WARN, start, len(text), reason, None, "too_long")


# -- applying ---------------------------------------------------------------------------


def apply_fix(text: str, finding: Finding) -> str:
    """``text`` with the finding's fix applied; ``StaleFix`` if the span changed since."""
    fix = finding.fix
    if fix is None:
        raise ValueError(f"{finding.kind.value} finding has no automatic fix")
    moved = fix.at_end and fix.end != len(text)
    if (
        moved
        or not (0 <= fix.start <= fix.end <= len(text))
        or text[fix.start : fix.end] != fix.expected
    ):
        raise StaleFix("the draft changed since it was checked; check it again")
    return text[: fix.start] + fix.replacement + text[fix.end :]


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that make Send ask for confirmation."""
    return [f for f in findings if f.blocking]


def summary(findings: Sequence[Finding]) -> str:
    """ "2 blocking · 1 warning", or "" when the draft is clean (a status-line text)."""
    blocks = sum(1 for f in findings if f.blocking)
    warns = len(findings) - blocks
    parts = []
    if blocks:
        parts.append(f"{blocks} blocking")
    if warns:
        parts.append(f"{warns} warning" + ("" if warns == 1 else "s"))
    return " \u00b7 ".join(parts)
