"""Finding things: a ticket by the number the agent types, a word in the open ticket.

``ticket_ref`` turns what was typed in the go-to box (``1042``, ``#1042``) into
a ticket id, or raises ``InvalidInput`` with the one line to show: not a number
where the helpdesk numbers its tickets, a number no helpdesk issues (past
``MAX_NUMBER``), or something too long to be an id at all.

``find_all`` is the find box's matching: a plain, case-insensitive substring
(no patterns, so nothing the agent types can make it slow), linear in the
text, with the query cut at ``QUERY_MAX`` characters and at most ``limit``
matches reported.
"""

from __future__ import annotations

import re

from triage_tui.domain.errors import InvalidInput

#: Longest query the find box takes (its input refuses more).
QUERY_MAX = 200
#: Matches counted in one ticket; past it the count says "1000+".
MATCHES_MAX = 1000
#: Largest ticket number: a signed 64-bit integer, what every helpdesk's ids fit in.
MAX_NUMBER = 2**63 - 1
#: Longest ticket id typed (Gleap's are 24 hex digits).
ID_MAX = 64

_ID_CHARS = re.compile(r"[A-Za-z0-9_.-]+")


def _shown(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def ticket_ref(typed: str, *, numeric: bool = True) -> str:
    """The ticket id ``typed`` names (a leading ``#`` allowed), or ``InvalidInput``.

    ``numeric``: the helpdesk numbers its tickets (every id in its queue is
    digits), so anything else is refused here rather than asked for.
    """
    text = typed.strip()
    if text.startswith("#"):
        text = text[1:].strip()
    if not text:
        raise InvalidInput("Type a ticket number, e.g. 1042.")
    if len(text) > ID_MAX:
        raise InvalidInput(f"“{_shown(text)}” is too long for a ticket number.")
    if numeric:
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput(f"“{_shown(text)}” is not a ticket number: digits only, e.g. 1042.")
        number = int(text)  # at most ID_MAX digits: cheap
        if number > MAX_NUMBER:
            raise InvalidInput(f"#{_shown(text)} is too large for a ticket number.")
        return str(number)
    if _ID_CHARS.fullmatch(text) is None:
        raise InvalidInput(
            f"“{_shown(text)}” is not a ticket id: letters, digits, '.', '_' and '-' only."
        )
    return text


def fold(text: str) -> str:
    """``text`` in lower case, one character for one: a match's offsets in the folded
    text are its offsets in ``text`` (``str.lower`` makes two characters of "İ")."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def find_all(text: str, query: str, limit: int = MATCHES_MAX) -> list[int]:
    """Where ``query`` starts in ``text``, case-insensitively, not overlapping; at most
    ``limit`` starts. ``query`` is cut at ``QUERY_MAX`` characters; an empty one finds
    nothing."""
    needle = fold(query[:QUERY_MAX])
    if not needle or limit <= 0:
        return []
    haystack = fold(text)
    starts: list[int] = []
    at = haystack.find(needle)
    while at >= 0 and len(starts) < limit:
        starts.append(at)
        at = haystack.find(needle, at + len(needle))
    return starts
