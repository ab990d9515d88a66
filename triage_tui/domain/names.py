"""Matching a typed name against the helpdesk's agents or groups.

What an agent types in an assign picker, a verb's ``--assignee``/``--group``
or an escalation route resolves to one known name, or to nothing: a name
that is typed exactly (any case), a unique prefix of the name or of one of
its words ("Mei" → "Mei Chen", "eng" → "Engineering"), or a unique close
spelling ("Mei Chne", "billing queue" → "Billing"). Several equally good
names are ambiguous: nothing is chosen, and the candidates are said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

#: The least WRatio score (0–100) a close spelling needs to count.
FUZZY_CUTOFF = 86
#: Names listed in a one-line error before "… and N more".
LISTED = 8


@dataclass(frozen=True)
class NameMatch:
    """The known name ``typed`` resolves to (None when none or several), and the
    best candidates (for an error or a picker's list)."""

    name: str | None
    candidates: tuple[str, ...] = ()


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def match_name(typed: str, known: Sequence[str]) -> NameMatch:
    """``typed`` against ``known`` (see the module docstring)."""
    key = _fold(typed)
    if not key or not known:
        return NameMatch(None)
    exact = [n for n in known if _fold(n) == key]
    if exact:
        return NameMatch(exact[0], tuple(exact))
    prefixed = [
        n
        for n in known
        if _fold(n).startswith(key) or any(w.startswith(key) for w in _fold(n).split())
    ]
    if len(prefixed) == 1:
        return NameMatch(prefixed[0], tuple(prefixed))
    if prefixed:
        return NameMatch(None, tuple(prefixed))
    scored = process.extract(
        typed,
        list(known),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=FUZZY_CUTOFF,
        limit=LISTED,
    )
    if not scored:
        return NameMatch(None)
    best = scored[0][1]
    top = tuple(str(name) for name, score, _ in scored if score == best)
    if len(top) == 1:
        return NameMatch(top[0], tuple(str(name) for name, _, _ in scored))
    return NameMatch(None, top)


def listed(names: Sequence[str], limit: int = LISTED) -> str:
    """``A, B, C`` or ``A, B, C … and 12 more``: a bounded list for one line."""
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    rest = len(names) - limit
    return f"{shown} … and {rest} more" if rest > 0 else shown


def unknown_line(kind: str, typed: str, found: NameMatch, known: Sequence[str]) -> str:
    """The one-line refusal: ``no agent 'Nobody Real'; agents: A, B, C``, or, when
    several match, ``'a' matches several agents: A, B``."""
    if found.candidates:
        return f"{typed.strip()!r} matches several {kind}s: {listed(found.candidates)}"
    return f"no {kind} {typed.strip()!r}; {kind}s: {listed(known)}"
