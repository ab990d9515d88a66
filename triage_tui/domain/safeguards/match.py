"""Safeguard configuration and the compiled matchers behind ``checks.check``.

The draft is scanned on every keystroke, so every table is compiled once into a
single regular expression: the tone phrases into one alternation (anchored by
a look-ahead on the letters a phrase can start with, and matched against the
lower-cased draft, which halves the cost of ``re``'s case-insensitive mode),
the jargon terms into two (capitalised acronyms as written, other terms in the
lower-cased draft). Offsets always refer to the original draft: when
lower-casing would change a text's length (a few non-ASCII letters) the
case-insensitive pattern runs on the original instead.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from triage_tui.domain.enums import Role
from triage_tui.domain.errors import ConfigError
from triage_tui.domain.safeguards.phrases import DEFAULT_JARGON, PHRASES

if TYPE_CHECKING:
    from triage_tui.domain.models import TicketDetail

KB_LINE = "You can also find more details here: {title} {url}"
"""The workflow's article line (the default template's wording)."""


@dataclass(frozen=True)
class SafeguardConfig:
    """Tunable knobs; ``from_mapping`` reads a config table (e.g. ``[safeguards]``)."""

    max_words: int = 180
    jargon: tuple[tuple[str, str], ...] = DEFAULT_JARGON
    """(term, plain alternative or "") pairs; replaces the default list."""
    extra_jargon: tuple[tuple[str, str], ...] = ()
    """Added to ``jargon`` (the usual way to extend the list)."""
    jargon_audience: Literal["auto", "always", "never"] = "auto"
    technical_tiers: frozenset[str] = frozenset({"developer", "technical", "partner"})
    technical_channels: frozenset[str] = frozenset({"api"})
    fluent_after: int = 2
    kb_line: str = KB_LINE

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> SafeguardConfig:
        """Validate a TOML table; errors name the key (``safeguards.max_words: …``)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            where = f"safeguards.{key}"
            if key not in known:
                raise ConfigError(f"{where}: unknown key; known: {', '.join(sorted(known))}")
            if key in ("max_words", "fluent_after"):
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ConfigError(f"{where}: expected a whole number of at least 1")
            elif key in ("jargon", "extra_jargon"):
                if isinstance(value, list) and all(isinstance(t, str) for t in value):
                    value = {t: "" for t in value}
                if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and k.strip() and isinstance(v, str)
                    for k, v in value.items()
                ):
                    raise ConfigError(f"{where}: expected a list of terms or a term = plain table")
                value = tuple((k.strip(), v) for k, v in value.items())
            elif key in ("technical_tiers", "technical_channels"):
                if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                    raise ConfigError(f"{where}: expected a list of names")
                value = frozenset(t.strip().lower() for t in value)
            elif key == "jargon_audience" and value not in ("auto", "always", "never"):
                raise ConfigError(f"{where}: expected 'auto', 'always' or 'never'")
            elif key == "kb_line":
                try:
                    ok = isinstance(value, str) and "{url}" in value
                    ok = ok and bool(value.format(title="t", url="u"))
                except (KeyError, IndexError, ValueError):
                    ok = False
                if not ok:
                    raise ConfigError(f"{where}: expected text with {{url}} (and {{title}})")
            values[key] = value
        return cls(**values)

    @property
    def all_jargon(self) -> tuple[tuple[str, str], ...]:
        return self.jargon + self.extra_jargon


DEFAULT_CONFIG = SafeguardConfig()


# -- compiled patterns -----------------------------------------------------------


def phrase_source(pattern: str) -> str:
    return pattern.replace(" ", r"\s+").replace("'", "['\u2019]")


def first_chars(pattern: str) -> set[str]:
    """Characters a match of ``pattern`` can start with (the phrase syntax's subset).

    Scanning the draft only where a phrase could start is what keeps the
    alternation of every phrase cheap enough for each keystroke.
    """
    out: set[str] = set()
    depth, start = 0, 0
    alternatives = []
    for i, char in enumerate(pattern):
        if char == "(" and pattern[i - 1 : i] != "\\":
            depth += 1
        elif char == ")" and pattern[i - 1 : i] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
    alternatives.append(pattern[start:])
    for alt in alternatives:
        if alt.startswith("(?:"):
            end = _group_end(alt)
            out |= first_chars(alt[3:end])
            if alt[end + 1 : end + 2] in ("?", "*"):  # an optional group: what follows can start
                out |= first_chars(alt[end + 2 :].lstrip())
        elif alt[:1].isalnum():
            out.add(alt[0].lower())
        else:
            raise ValueError(f"phrase must start with a word or (?:…): {pattern!r}")
    return out


def _group_end(text: str) -> int:
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced group in {text!r}")


def _trigger(chars: Iterable[str]) -> str:
    return "(?=[" + re.escape("".join(sorted(set(chars)))) + "])"


@lru_cache(maxsize=2)
def tone_regex(folded: bool = True) -> re.Pattern[str]:
    """All phrases in one alternation, anchored where a phrase can start.

    ``folded``: for text already lower-cased (case-insensitive matching in
    ``re`` costs about twice as much); the other form is for the rare text
    whose lower-casing changes its length, where offsets must stay exact.
    """
    parts = []
    for i, phrase in enumerate(PHRASES):
        source = phrase_source(phrase.pattern)
        if re.search(r"\\[A-Z]", source):
            raise ValueError(f"phrase patterns use lower-case escapes only: {phrase.pattern!r}")
        parts.append(f"(?P<p{i}>{source.lower() if folded else source})")
    first = set().union(*(first_chars(p.pattern) for p in PHRASES))
    head = _trigger(first) + r"(?<![\w-])"
    flags = 0 if folded else re.IGNORECASE
    return re.compile(head + "(?:" + "|".join(parts) + r")(?![\w-])", flags)


@lru_cache(maxsize=16)
def jargon_regex(
    terms: tuple[tuple[str, str], ...], exact: bool, ignore_case: bool = False
) -> re.Pattern[str] | None:
    """Capitalised terms (``exact``) match as written in the text; the others are
    matched in the lower-cased text, so both scans run without IGNORECASE
    (``ignore_case`` is for a text ``fold`` could not lower-case)."""
    chosen = sorted(
        (t.lower() if not exact else t for t, _ in terms if (t != t.lower()) == exact),
        key=lambda t: -len(t),
    )
    if not chosen:
        return None
    alternatives = [re.escape(t).replace(r"\ ", r"\s+") for t in chosen]
    head = _trigger(t[0] for t in chosen) + r"(?<![\w-])"
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(head + "(?:" + "|".join(alternatives) + r")(?![\w-])", flags)


def jargon_hits(text: str, folded: str, terms: tuple[tuple[str, str], ...]) -> list[re.Match[str]]:
    hits: list[re.Match[str]] = []
    exact = jargon_regex(terms, True)
    if exact is not None:
        hits.extend(exact.finditer(text))
    loose = jargon_regex(terms, False, ignore_case=folded is text)
    if loose is not None:
        hits.extend(loose.finditer(folded))
    hits.sort(key=lambda m: m.start())
    return hits


def fold(text: str) -> str:
    """Lower-cased text with the same offsets, or the text itself when lower-casing
    would move them (a few non-ASCII letters); callers then match case-insensitively."""
    low = text.lower()
    return low if len(low) == len(text) else text


EXTRA_PLACEHOLDER_RE = re.compile(
    r"\{[^{}\n]{1,40}\}"
    r"|<(?!https?:|mailto:|/?(?:b|i|u|p|br|hr|div|span|a|em|strong|ul|ol|li|code|pre|img"
    r"|blockquote|table|tr|td|th)\b)[A-Za-z][^<>\n@]{0,40}>"
    r"|\b(?:TODO|TBD|XXX+)\b"
    r"|\[(?:Your|Customer|Agent|Link|Date|Time|TODO|TBD)\b[^\]\n]*\]"
)
CLOSING_RE = re.compile(
    r"^[ \t]*(?:(?:let me know|if you have any|feel free to|don't hesitate)\b.*"
    r"|(?:best|best regards|kind regards|regards|warm regards|thanks|thank you|many thanks"
    r"|cheers|sincerely|all the best)[ \t]*[,.!]?[ \t]*)$",
    re.IGNORECASE | re.MULTILINE,
)
SENTENCE_END = frozenset(".!?\n")


@lru_cache(maxsize=8)
def plain_words(terms: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {" ".join(term.lower().split()): plain for term, plain in terms}


# -- per-ticket facts, cached ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketFacts:
    customer_terms: frozenset[str]
    """Jargon terms (lower-cased) the customer used themselves."""
    technical: bool
    first_name: str
    ticket_id: str
    handled: frozenset[str]
    """Rule ids already acted on (the ticket carries ``escalated`` or the rule id as a tag)."""


_FACTS: OrderedDict[tuple[int, bytes], tuple[SafeguardConfig, TicketFacts]] = OrderedDict()
"""Per-ticket facts by (config identity, what they depend on); the config is kept
in the value so a recycled ``id`` can never return another config's facts."""
_FACTS_MAX = 256
"""Tickets whose facts are kept. What they depend on (the customer's text, tags,
requester) enters the key as a 16-byte digest, so an entry is a few hundred
bytes plus the customer's jargon terms, whatever the ticket holds."""
_TAG_CHARS = 100
"""Tags or a first name longer than this are not kept in the facts (no real one is)."""


def _digest(*texts: str) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        encoded = text.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "little"))  # "ab","c" differs from "a","bc"
        digest.update(encoded)
    return digest.digest()


def ticket_facts(detail: TicketDetail, config: SafeguardConfig) -> TicketFacts:
    ticket = detail.ticket
    text = "\n".join(
        [ticket.subject, *(m.body for m in detail.messages if m.role is Role.CUSTOMER)]
    )
    org_tier = ticket.organization.tier if ticket.organization else None
    # What the facts depend on, as one digest: any field may be customer-written
    # and huge, and a key must not keep megabytes alive.
    parts = (
        ticket.id,
        ticket.channel,
        ticket.requester.tier or "",
        org_tier or "",
        ticket.requester.first_name,
        *ticket.tags,
    )
    key = (id(config), _digest(text, *parts))
    cached = _FACTS.get(key)
    if cached is not None and cached[0] is config:
        _FACTS.move_to_end(key)
        return cached[1]
    hits = jargon_hits(text, fold(text), config.all_jargon)
    used = frozenset(" ".join(m.group().lower().split()) for m in hits)
    tiers = {ticket.requester.tier or "", org_tier or ""}
    technical = (
        ticket.channel.lower() in config.technical_channels
        or bool({t.lower() for t in tiers if t} & config.technical_tiers)
        or len(used) >= config.fluent_after
    )
    # Only short tags can name a rule ("escalated", a rule id); a kept entry stays small.
    handled = frozenset(t.lower() for t in ticket.tags if len(t) <= _TAG_CHARS)
    first_name = ticket.requester.first_name
    first_name = first_name if len(first_name) <= _TAG_CHARS else ""  # no fix offered then
    facts = TicketFacts(used, technical, first_name, ticket.id, handled)
    _FACTS[key] = (config, facts)
    if len(_FACTS) > _FACTS_MAX:
        _FACTS.popitem(last=False)
    return facts
