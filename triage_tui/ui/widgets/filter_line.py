"""The line under the ``/`` filter box: what is wrong with the expression, and where.

An error echoes the expression exactly as typed — spaces and all, through the
one sanitize gate (``domain.text.sanitize``, one line) — with the offending
token underlined and a caret line under it, at the position the parser gives
(``FilterError.span``). An expression wider than the pane is shown as a window
around the token (``…`` where it is cut), so the caret always lines up.

A filter that parses but matches nothing while it is being typed is not
applied (a half-typed word, ``prio``); ``no_match_content`` says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content

from triage_tui.domain.text import sanitize

if TYPE_CHECKING:
    from triage_tui.domain.filters.language import FilterError

#: The echo and the caret are indented under the "✖ " of the message.
INDENT = "  "


def _head(text: str, cells: int) -> str:
    """The longest start of ``text`` that fits in ``cells`` columns."""
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(out)


def _tail(text: str, cells: int) -> str:
    return _head(text[::-1], cells)[::-1]


def window(before: str, token: str, after: str, width: int) -> tuple[str, str, str]:
    """``before``/``token``/``after`` cut to ``width`` columns, the token kept in view."""
    width = max(width, 4)
    if cell_len(before) + cell_len(token) + cell_len(after) <= width:
        return before, token, after
    room = width - cell_len(token)
    if room < 2:  # the token alone is too wide: its start is what the caret points at
        return "", _head(token, width - 1) + "…", ""
    # Text before the token gets at least half the room, more when the text after is short.
    left = min(cell_len(before), max(room // 2, room - cell_len(after)))
    right = room - left
    if cell_len(before) > left:
        before = "…" + _tail(before, left - 1)
    if cell_len(after) > right:
        after = _head(after, right - 1) + "…"
    return before, token, after


def error_content(text: str, error: FilterError, width: int) -> Content:
    """The message, the expression as typed with the bad token underlined, a caret under it.

    ``width`` is the columns the line has; the echo and the caret fit in it.
    """
    start, end = error.span
    before, token, after = (
        sanitize(part, keep_newlines=False) for part in (text[:start], text[start:end], text[end:])
    )
    before, token, after = window(before, token, after, width - len(INDENT))
    caret = " " * cell_len(before) + "^" * max(1, cell_len(token))
    return Content.assemble(
        ("✖ ", "$text-error bold"),
        Content(sanitize(str(error), keep_newlines=False)),
        "\n" + INDENT,
        Content(before),
        Content.styled(token or " ", "$text-error bold underline"),
        Content(after),
        "\n" + INDENT,
        Content.styled(caret, "$text-error bold"),
    )


def no_match_content(text: str, keeps: str) -> Content:
    """A filter that parses but matches no ticket, while it is typed: not applied yet."""
    shown = sanitize(text.strip(), keep_newlines=False)
    return Content.assemble(
        ("○ ", "$text-warning bold"),
        "No ticket matches “",
        Content(shown),
        "” yet — ",
        ("enter", "bold"),
        f" applies it anyway; the queue keeps {keeps}.",
    )
