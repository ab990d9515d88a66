"""Reading the triage console off an emulated screen (for ``benchmarks/tui.py``).

Everything is recognised from what a person would see: queue rows by their
priority label and ``#id``, the cursor row by its background (the one row
whose background differs), the open ticket by the detail pane's title.
"""

from __future__ import annotations

import re
from collections import Counter

from benchmarks.pty_screen import Condition, Terminal

ROW = re.compile(r"(?:URG |HIGH|norm|low ) #(\S+)")
DETAIL_TITLE = re.compile(r"Ticket #(\S+?)[ ─]")
QUEUE_TITLE = re.compile(r"Queue · ([\d,]+) open")


def queue_rows(term: Terminal) -> list[tuple[int, int, str]]:
    """(y, x of '#', ticket id) for each queue row line on screen."""
    found = []
    for y, line in enumerate(term.lines()):
        match = ROW.search(line)
        if match:
            found.append((y, match.start(1) - 1, match.group(1)))
    return found


def queue_full(term: Terminal) -> bool:
    lines = term.lines()
    header = next((y for y, line in enumerate(lines) if "PRI" in line and "TICKET" in line), None)
    if header is None:
        return False
    bottom = next((y for y in range(header + 1, len(lines)) if lines[y].startswith("╰")), None)
    if bottom is None or bottom == header + 1:
        return False
    return all(ROW.search(lines[y]) for y in range(header + 1, bottom))


def cursor_id(term: Terminal) -> str | None:
    """The id on the row whose background differs from the other rows'."""
    rows = queue_rows(term)
    if len(rows) < 2:
        return rows[0][2] if rows else None
    backgrounds = [term.bg(y, x) for y, x, _ in rows]
    common, _ = Counter(backgrounds).most_common(1)[0]
    odd = [rows[i][2] for i, bg in enumerate(backgrounds) if bg != common]
    return odd[0] if len(odd) == 1 else None


def detail_id(term: Terminal) -> str | None:
    match = DETAIL_TITLE.search(term.text())
    return match.group(1) if match else None


def shows(text: str) -> Condition:
    return lambda term: text in term.text()


def cursor_moved_from(before: str | None) -> Condition:
    return lambda term: cursor_id(term) not in (None, before)


def detail_is(ticket_id: str | None) -> Condition:
    return lambda term: detail_id(term) == ticket_id


def count_changed_from(before: str | None) -> Condition:
    return lambda term: queue_count(term) not in (None, before)


def more_of(char: str, before: int) -> Condition:
    return lambda term: term.text().count(char) > before


def queue_count(term: Terminal) -> str | None:
    match = QUEUE_TITLE.search(term.text())
    return match.group(1) if match else None
