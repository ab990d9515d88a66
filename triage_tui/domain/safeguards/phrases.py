"""The phrase tables behind the draft safeguards: tone, overpromising, jargon.

Kept apart from ``checks`` so the wording can be reviewed (and extended)
without reading the matching code. Each tone entry is a regular expression
(matched case-insensitively, on word boundaries, a space standing for any run
of whitespace, ``'`` for either apostrophe), why it hurts the reply, and a
rewrite. A rewrite is what the one-key fix puts in its place: a string, ``""``
to delete the phrase (the surrounding comma and spaces are tidied), or a
function of the matched text for swaps that depend on the word form; ``None``
means there is no safe mechanical rewrite and the agent has to reword.

The rewrites follow the workflow's Support Specialist: say what *can* be done,
what happens next and when, instead of defending the team. Where only the
agent knows the date, the rewrite inserts an ``[Add …]`` marker, which the
unfilled-placeholder safeguard then blocks until it is filled in, so a fix can
never send a promise nobody made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Rewrite = str | Callable[[str], str] | None

WHEN_MARKER = "[Add a date or time]"
"""Inserted by rewrites of vague timing; blocked until the agent fills it in."""


@dataclass(frozen=True, slots=True)
class Phrase:
    kind: str
    """``vague``, ``defensive`` or ``overpromise`` (``safeguards.Kind`` values)."""
    pattern: str
    reason: str
    rewrite: Rewrite
    label: str = ""
    """The fix's one-line label; derived from the rewrite when empty."""


_NO_TIME = r"(?! (?:by|today|tomorrow|tonight|within|before|on|at|this|in \d))"

PHRASES: tuple[Phrase, ...] = (
    # -- defensive: hiding behind policy, dead ends, blame --------------------
    Phrase(
        "defensive",
        r"(?:as per|per|according to|in line with|in accordance with) (?:our|the|company) "
        r"(?:company )?polic(?:y|ies)",
        "Hides behind policy: give the actual reason in plain words",
        "",
        "Remove the policy reference",
    ),
    Phrase(
        "defensive",
        r"there(?:'s| is) (?:nothing|not much) (?:more |else )?(?:we|I) can do",
        "A dead end: say what you can do instead",
        "here's what we can do",
    ),
    Phrase(
        "defensive",
        r"unfortunately,? (?:that|this|it)(?:'s| is) (?:not |im)possible",
        "A flat refusal: say what is possible instead",
        "that isn't possible today; here's what you can do instead",
    ),
    Phrase(
        "defensive",
        r"(?:we|I) (?:can't|cannot|can not|are unable to|am unable to) help (?:you )?"
        r"with (?:that|this)",
        "A dead end: say who can help or what the customer can do next",
        None,
    ),
    Phrase(
        "defensive",
        r"(?:per|as per) my (?:last|previous|earlier) (?:e-?mail|message|reply|note)",
        "Reads as passive-aggressive: restate the point instead",
        "to recap",
    ),
    Phrase(
        "defensive",
        r"as (?:I|we) (?:said|mentioned|explained|stated|noted) (?:before|earlier|previously)"
        r"|as (?:previously|already) (?:mentioned|stated|explained)",
        "Reads as impatient: restate the point instead",
        "to recap",
    ),
    Phrase(
        "defensive",
        r"(?:this|that|it) is (?:the )?expected behaviou?r|(?:this|that|it) is by design"
        r"|(?:it's|it is|this is) working as (?:designed|intended)|works as (?:designed|intended)",
        "Defensive: explain why it works this way and what the customer can do",
        "this is how it works today",
    ),
    Phrase(
        "defensive",
        r"(?:that|this|it)(?:'s| is) not our (?:fault|problem|responsibility)"
        r"|(?:we are|we're) not (?:responsible|liable) for",
        "Assigns blame: say what you will do about it",
        None,
    ),
    Phrase(
        "defensive",
        r"you (?:should|must) have (?:read|checked|known|noticed|seen)",
        "Blames the customer: explain what to do next time instead",
        None,
    ),
    Phrase(
        "defensive",
        r"please be advised(?: that)?,?|please note that",
        "Stiff and formal: just say it",
        "",
        "Remove the formula",
    ),
    Phrase(
        "defensive",
        r"obviously,?|as you (?:should|must) know,?",
        "Condescending: drop it",
        "",
        "Remove it",
    ),
    # -- vague: stock apologies, no next step, no time ------------------------
    Phrase(
        "vague",
        r"(?:we|I) (?:sincerely |do )?apologi[sz]e for any (?:inconvenience|trouble|issues?)"
        r"(?: (?:this|that|it) (?:may|might) have caused(?: you)?| caused)?",
        "A stock apology: name what went wrong",
        "I'm sorry for the trouble this caused",
    ),
    Phrase(
        "vague",
        r"(?:I'm |we're |I am |we are )?sorry for any (?:inconvenience|trouble)"
        r"(?: (?:this|that|it) (?:may|might) have caused(?: you)?| caused)?",
        "A stock apology: name what went wrong",
        "I'm sorry for the trouble this caused",
    ),
    Phrase(
        "vague",
        r"(?:we(?:'ll| will)|I(?:'ll| will)) (?:look into|investigate|check on) "
        r"(?:it|this|that|the (?:issue|problem))" + _NO_TIME,
        "No next step or time: say what you will check and when they hear back",
        lambda text: f"{text} and update you by {WHEN_MARKER}",
        "Add when they hear back",
    ),
    Phrase(
        "vague",
        r"(?:we(?:'ll| will)|I(?:'ll| will)) get back to you"
        r"(?: (?:soon|shortly|asap|as soon as possible|as soon as we can))?" + _NO_TIME,
        "No time given: say when they will hear back",
        f"I'll update you by {WHEN_MARKER}",
        "Add when they hear back",
    ),
    Phrase(
        "vague",
        r"in the near future|at some point|in due course|sometime soon|at a later (?:date|time)",
        "Vague timing: give a date, or say when you will update",
        f"by {WHEN_MARKER}",
    ),
    # -- overpromising ---------------------------------------------------------
    Phrase(
        "overpromise",
        r"guarantee[ds]?",
        "Overpromises: we can rarely guarantee an outcome",
        lambda text: {"guarantee": "expect", "guaranteed": "expected", "guarantees": "expects"}[
            text.lower()
        ],
    ),
    Phrase(
        "overpromise",
        r"(?:will never|won't ever|won't|will not|never) happen again",
        "Overpromises: say what was done to prevent it, not that it can never recur",
        "shouldn't happen again, and we're watching for it",
    ),
    Phrase(
        "overpromise",
        r"100(?: )?%(?! of)",
        "Overpromises: absolute certainty",
        "",
        "Remove '100%'",
    ),
    Phrase(
        "overpromise",
        r"(?:fix|fixed|resolve|resolved|sort|sorted)"
        r" (?:immediately|instantly|right away|in no time)"
        r"|immediately (?:fixed|resolved|sorted)",
        "Overpromises a timeline we do not control",
        lambda text: (
            re.sub(
                r"\s*(?:immediately|instantly|right away|in no time)\s*",
                " ",
                text,
                flags=re.IGNORECASE,
            ).strip()
            + " as quickly as we can"
        ),
    ),
    Phrase(
        "overpromise",
        r"permanently (?:fixed|resolved)|fixed for good|fixed forever",
        "Overpromises: a fix can regress; say what changed",
        "fixed",
    ),
    Phrase(
        "overpromise",
        r"rest assured,?",
        "Empty reassurance: say what you have done instead",
        "",
        "Remove 'rest assured'",
    ),
)

DEFAULT_JARGON: tuple[tuple[str, str], ...] = (
    # (term, plain alternative or "" when there is none). A term with a capital
    # letter matches only as written ("SSO"), a lower-case one in any case.
    ("API", ""),
    ("SSO", "single sign-on"),
    ("SAML", ""),
    ("OAuth", ""),
    ("IdP", "sign-in provider"),
    ("NameID", ""),
    ("SCIM", ""),
    ("DNS", ""),
    ("CNAME", ""),
    ("JSON", ""),
    ("CORS", ""),
    ("webhook", ""),
    ("endpoint", ""),
    ("payload", "data"),
    ("backend", "our servers"),
    ("back-end", "our servers"),
    ("frontend", "the app"),
    ("front-end", "the app"),
    ("server-side", "on our side"),
    ("client-side", "on your device"),
    ("latency", "delay"),
    ("deployed", "released"),
    ("deployment", "release"),
    ("hotfix", "quick fix"),
    ("regression", "a bug from a recent update"),
    ("repro", "reproduce"),
    ("stack trace", "error details"),
    ("race condition", "timing bug"),
    ("config", "settings"),
    ("SLA", "response-time commitment"),
    ("L2", "our specialist team"),
    ("L3", "our engineering team"),
    ("P1", "top priority"),
    ("Sev1", "top priority"),
    ("RCA", "incident report"),
)
