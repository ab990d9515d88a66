"""Reply drafts from templates: the workflow's reply format, filled from the ticket.

Templates are plain-text files with ``{placeholder}`` fields. Built-ins ship in
``triage_tui/domain/replies/templates/``; a file ``<name>.md`` in the user's templates
directory overrides or adds one. Placeholders:

``{first_name}`` ``{agent}`` ``{team}`` ``{ticket_id}`` ``{subject}`` (as written)
``{topic}`` (the subject lower-cased for use mid-sentence) ``{acknowledgement}``
``{next_step}`` ``{article_title}`` ``{article_url}`` ``{article_sentence}``
``{cursor}`` (where the editor puts the cursor).

A line that uses an ``{article_…}`` field is dropped when no article is
relevant, which is how the workflow's "[If KB article relevant: …]" line
works. Unknown placeholders stay visible as ``{name}`` so a typo in a template
is seen (and caught by the unfilled-placeholder safeguard) rather than sent
blank. Output is plain text, never markup.

Every value is customer- or helpdesk-written, so ``render`` passes each through
``text.sanitize`` (one line: a subject cannot add lines to the reply) and the
template itself through the multi-line form: a draft never holds a terminal
control character, whichever widget, file or verb it reaches next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.kb.ranking import KbMatch, best_sentence, ticket_query
from triage_tui.domain.models import Article, Draft, TicketDetail
from triage_tui.domain.text import sanitize

CURSOR = "{cursor}"
NEXT_STEP_MARKER = "[Describe the specific next step]"
"""Fill-in shown when no article answers the ticket; the agent must replace it."""

_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
_ARTICLE_FIELDS = frozenset({"article_title", "article_url", "article_sentence"})
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_UNFILLED_RE = re.compile(
    r"\{[a-z_]+\}|\[(?:Describe|Add|Fill|Insert|Name|List|Explain|Enter) [^\]\n]*\]"
)
_REPLY_PREFIX_RE = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv)\s*:\s*)+", re.IGNORECASE)
_QUESTION_WORDS = frozenset(
    [
        "how",
        "why",
        "what",
        "when",
        "where",
        "who",
        "which",
        "can",
        "could",
        "would",
        "will",
        "is",
        "are",
        "do",
        "does",
        "did",
        "should",
    ]
)


@dataclass
class DraftContext:
    """Everything a template can refer to."""

    first_name: str
    agent: str
    team: str
    ticket_id: str
    subject: str
    article: Article | None = None
    article_sentence: str | None = None
    acknowledgement: str | None = None
    """Defaults to one sentence derived from the subject."""
    next_step: str | None = None
    """Defaults to the article sentence, else a cursor and ``NEXT_STEP_MARKER``."""
    context: str = ""
    """The customer's own text (their messages): how they capitalise a subject
    word there tells a name ("Slack", "Monday") from a title-cased word."""

    def values(self) -> dict[str, str]:
        values = {
            "first_name": self.first_name or "there",
            "agent": self.agent,
            "team": self.team,
            "ticket_id": self.ticket_id,
            "subject": self.subject,
            "topic": topic(self.subject, self.context) or "your request",
            "acknowledgement": self.acknowledgement or acknowledgement(self.subject, self.context),
            "next_step": self.next_step or self.article_sentence or CURSOR + NEXT_STEP_MARKER,
        }
        if self.article is not None:
            values["article_title"] = self.article.title
            values["article_url"] = self.article.url
            values["article_sentence"] = self.article_sentence or ""
        return values


def topic(subject: str, context: str = "") -> str:
    """The subject as it reads mid-sentence, in the ticket's own casing.

    "Re: Cannot Export My CSV!" -> "cannot export your CSV";
    "Data loss after Monday import" -> "data loss after Monday import".

    A capitalised word is lower-cased only where its capital says nothing:
    the subject's first word, or any word of a subject in Title Case. Even
    there a word the customer capitalises mid-sentence in ``context`` (their
    messages) is a name and keeps its capital ("Slack notifications stopped").
    Acronyms, product names with inner capitals ("iPhone", "SSO") and words
    with digits keep their spelling. An all-caps subject is shouting, so it is
    lower-cased whole. First-person words are turned around ("my" -> "your")
    because the reply speaks to the customer.
    """
    text = _REPLY_PREFIX_RE.sub("", subject).strip().rstrip(".!?:;, ")
    words = text.split()
    shouting = sum(w.isupper() and len(w) > 1 for w in words) > max(1, len(words) // 2)
    title_case = not any(w.isalpha() and w.islower() for w in words[1:])
    names = _names_in(context) if context else frozenset()
    out: list[str] = []
    for i, word in enumerate(words):
        letters = [c for c in word if c.isalpha()]
        capitalised = (
            letters
            and word[0].isupper()
            and all(c.islower() for c in letters[1:])
            and not any(c.isdigit() for c in word)
        )
        if shouting or (
            capitalised
            and (i == 0 or title_case or len(letters) == 1)
            and word.strip(_EDGE_PUNCTUATION) not in names
        ):
            word = word.lower()
        out.append(_FLIP.get(word.lower().replace("\u2019", "'"), word))
    return " ".join(out)


_EDGE_PUNCTUATION = ".,!?:;\"'()[]\u2018\u2019\u201c\u201d"
_MID_SENTENCE_CAPITAL_RE = re.compile(r"(?<![.!?\n]\s)(?<![.!?\n])(?<=\s)([A-Z][a-z]+)\b")


def _names_in(context: str) -> frozenset[str]:
    """Capitalised words the customer writes mid-sentence (never at a sentence's start)."""
    lowered = set(re.findall(r"\b[a-z]+\b", context))
    found = _MID_SENTENCE_CAPITAL_RE.findall(context)
    return frozenset(w for w in found if w.lower() not in lowered)


_FLIP = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "am": "are",
    "we": "you",
    "our": "your",
    "us": "you",
}
_FILLER_RE = re.compile(
    r"^(?:(?:help|urgent|asap|please|hi|hello|question|issue|problem)\b[\s:!,-]*)+"
)
_DETERMINERS = frozenset(["your", "the", "a", "an", "this", "that", "these", "those", "all"])
_VERBS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "isn't",
        "aren't",
        "wasn't",
        "doesn't",
        "don't",
        "didn't",
        "won't",
        "keeps",
        "can't",
    ]
)
_CANNOT_RE = re.compile(
    r"^(?:you(?:'re)?\s+)?(can't|cant|cannot|can not|unable to|not able to|couldn't)\b"
)


def acknowledgement(subject: str, context: str = "") -> str:
    """One natural sentence acknowledging the ticket, from its subject (``context``:
    the customer's messages, for the casing of names; see ``topic``)."""
    cleaned = _REPLY_PREFIX_RE.sub("", subject).strip()
    if not cleaned:
        return "Thanks for reaching out."
    first = cleaned.split()[0].lower().strip(",.")
    if cleaned.endswith("?") or first in _QUESTION_WORDS:
        question = cleaned.rstrip(" ?.!") + "?"
        return f'Thanks for your question: "{question}"'
    about = topic(cleaned, context)
    about = _FILLER_RE.sub("", about) or about
    if about.startswith(("unable to ", "not able to ")):
        about = "you're " + about
    if _CANNOT_RE.match(about):
        if not about.startswith("you"):
            about = "you " + about
        return f"Sorry to hear {about}, and thanks for letting us know."
    words = set(about.split())
    head = about.split()
    # "Cancel my order", "Reset the password": an imperative is a request.
    if len(head) > 1 and head[0].isalpha() and head[0].islower() and head[1] in _DETERMINERS:
        return f"Thanks for letting us know you'd like to {about}."
    if about.startswith(("you ", "you're ", "you've ", "you'd ", "you'll ")) or (
        about.startswith("your ") and words & _VERBS
    ):
        return f"Thanks for letting us know {about}."
    return f"Thanks for reaching out about {about}."


#: The built-in template a profile drafts from unless it names another.
DEFAULT_TEMPLATE = "default"


@cache
def builtin_templates() -> Mapping[str, str]:
    """Name -> text of every template shipped with the package.

    Read once per process: they are package data, and reading the folder per
    draft would cost ~5 ms of every ticket opened in the console.
    """
    folder = resources.files("triage_tui.domain.replies").joinpath("templates")
    return MappingProxyType(
        {
            entry.name[: -len(".md")]: entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".md")
        }
    )


def template_names(user_dir: Path | None = None) -> list[str]:
    names = set(builtin_templates())
    if user_dir is not None and user_dir.is_dir():
        names.update(p.stem for p in user_dir.glob("*.md") if _NAME_RE.match(p.stem))
    return sorted(names)


def load_template(name: str, user_dir: Path | None = None) -> str:
    """The template called ``name``: the user's file if there is one, else the built-in."""
    if not _NAME_RE.match(name):
        raise InvalidInput(f"invalid template name {name!r}; use letters, digits, '-' and '_'")
    if user_dir is not None:
        path = user_dir / f"{name}.md"
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(f"cannot read template {path}: {exc}") from None
    builtins = builtin_templates()
    if name in builtins:
        return builtins[name]
    known = ", ".join(template_names(user_dir))
    raise InvalidInput(f"unknown template {name!r}; known templates: {known}")


def render(template: str, ctx: DraftContext) -> tuple[str, int]:
    """Fill ``template``; return the text and the cursor offset in it.

    The cursor goes where ``{cursor}`` is (in the template, or in the default
    next step); without one, at the start of the next step, else at the end.
    """
    values = {
        name: sanitize(value, keep_newlines=name == "next_step")
        for name, value in ctx.values().items()
    }
    template = sanitize(template)
    if ctx.article is None:
        lines = template.splitlines(keepends=True)
        kept = [ln for ln in lines if not _ARTICLE_FIELDS & set(_PLACEHOLDER_RE.findall(ln))]
        template = re.sub(r"\n{3,}", "\n\n", "".join(kept))
    out: list[str] = []
    length = 0
    cursor: int | None = None
    next_step_at: int | None = None
    pos = 0
    for m in _PLACEHOLDER_RE.finditer(template):
        piece = template[pos : m.start()]
        out.append(piece)
        length += len(piece)
        pos = m.end()
        name = m.group(1)
        if name == "cursor":
            cursor = length if cursor is None else cursor
            continue
        value = values.get(name)
        if value is None:
            value = m.group(0)
        elif name == "next_step":
            next_step_at = length
            if CURSOR in value and ctx.next_step is None:
                before, _, value = value.partition(CURSOR)
                out.append(before)
                length += len(before)
                cursor = length if cursor is None else cursor
        out.append(value)
        length += len(value)
    out.append(template[pos:])
    text = "".join(out).rstrip()
    if cursor is None:
        cursor = next_step_at if next_step_at is not None else len(text)
    return text, min(cursor, len(text))


def customer_text(detail: TicketDetail) -> str:
    """The customer's public messages, as ``DraftContext.context`` (at most 8 000 characters)."""
    return "\n".join(m.body for m in detail.customer_messages if m.public)[:_CONTEXT_CHARS]


_CONTEXT_CHARS = 8_000


def unfilled_placeholders(text: str) -> list[tuple[int, int, str]]:
    """Spans of ``{fields}`` and ``[Describe …]`` markers still in a draft."""
    return [(m.start(), m.end(), m.group()) for m in _UNFILLED_RE.finditer(text)]


def draft_context(
    detail: TicketDetail, match: KbMatch | None, *, team: str, agent: str
) -> DraftContext:
    """What a template is filled with for ``detail`` (the default draft and macros).

    The article is used only when it is relevant (its calibrated confidence
    reaches ``RELEVANT_SCORE``); a weaker one leaves the next step to the agent.
    """
    article = match.article if match is not None and match.relevant else None
    sentence = best_sentence(article, ticket_query(detail)) if article is not None else None
    ticket = detail.ticket
    return DraftContext(
        first_name=ticket.requester.first_name,
        agent=agent,
        team=team,
        ticket_id=ticket.id,
        subject=ticket.subject,
        article=article,
        article_sentence=sentence,
        context=customer_text(detail),
    )


def draft_for(
    detail: TicketDetail,
    match: KbMatch | None,
    *,
    team: str,
    agent: str,
    now: datetime,
    template: str = DEFAULT_TEMPLATE,
    user_dir: Path | None = None,
) -> tuple[Draft, int]:
    """A draft reply to ``detail`` and its cursor offset.

    ``match`` is the best KB match, if any; its sentence is quoted and the
    article linked only when it is relevant (its calibrated confidence reaches
    ``RELEVANT_SCORE``); a weaker one leaves the next step to the agent.
    """
    text = load_template(template, user_dir)
    ticket = detail.ticket
    ctx = draft_context(detail, match, team=team, agent=agent)
    body, cursor = render(text, ctx)
    draft = Draft(
        ticket_id=ticket.id,
        body=body,
        template=template,
        article_id=ctx.article.id if ctx.article is not None else None,
        created_at=now,
    )
    return draft, cursor
