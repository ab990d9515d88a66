"""The find box: text in the open ticket, match by match ("2 of 7").

``ctrl+f`` opens it under the ticket detail. Typing searches what the detail
pane shows — the header and fields, the requester, the rules, the KB
suggestions and the conversation — case-insensitively, as plain text
(``domain.find.find_all``); every match is highlighted, the current one more
so, and the pane scrolls to it. A new ticket opened while the box is open is
searched again.

| key | action |
| --- | --- |
| ``enter``, ``↓`` | next match |
| ``↑`` | previous match |
| ``escape`` | close the box (the highlights go) |

``f3`` / ``shift+f3`` move between matches from anywhere on the main screen or in a
sweep (where the box sits under the detail and the draft).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Static

from triage_tui.domain.find import MATCHES_MAX, QUERY_MAX, find_all
from triage_tui.ui.keys import bindings
from triage_tui.ui.widgets.safe_input import SafeInput
from triage_tui.ui.widgets.ticket import TicketPane


class FindBar(Horizontal):
    """One line: the query, and where the current match is among them all."""

    BINDINGS = bindings("find")

    DEFAULT_CSS = """
    FindBar { height: 1; background: $boost; }
    FindBar > #find-label { width: auto; padding: 0 1; text-style: bold; }
    FindBar > #find-input { width: 1fr; }
    FindBar > #find-count { width: auto; min-width: 12; padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="find-bar")
        #: (block index, start) of each match, in reading order.
        self.matches: list[tuple[int, int]] = []
        #: The current match (an index into ``matches``).
        self.current = 0
        self._length = 0
        self._capped = False

    def compose(self) -> ComposeResult:
        yield Static(Content("Find"), id="find-label")
        yield SafeInput(
            placeholder="text in this ticket", max_length=QUERY_MAX, compact=True, id="find-input"
        )
        yield Static(Content(""), id="find-count")

    @property
    def pane(self) -> TicketPane:
        return self.screen.query_one(TicketPane)

    @property
    def query_text(self) -> str:
        return self.query_one("#find-input", Input).value

    @property
    def count_text(self) -> str:
        """What the box says: "2 of 7", "no match", or nothing before a query."""
        if not self.query_text:
            return ""
        if not self.matches:
            return "no match"
        more = "+" if self._capped else ""
        return f"{self.current + 1} of {len(self.matches)}{more}"

    # -- opening and closing ---------------------------------------------------
    def open(self) -> None:
        """Show the box with its query selected (typing replaces it), searched again."""
        self.display = True
        self.pane.text.replaced = self._replaced
        field = self.query_one("#find-input", Input)
        field.focus()
        field.select_all()
        if field.value:
            self.search(field.value)

    def action_close(self) -> None:
        self.display = False
        text = self.pane.text
        text.replaced = None
        text.highlight({}, None)
        self.pane.focus()

    # -- searching ---------------------------------------------------------------
    def _replaced(self) -> None:
        # Another ticket (or the plan) is on screen: the same query, on its text.
        if self.display and self.query_text:
            self.search(self.query_text)

    def search(self, query: str) -> None:
        """Find ``query`` in the pane's text; the first match becomes the current one."""
        matches: list[tuple[int, int]] = []
        if query:
            for index, block in enumerate(self.pane.text.blocks):
                room = MATCHES_MAX - len(matches)
                if room <= 0:
                    break
                matches += [(index, at) for at in find_all(block.content.plain, query, room)]
        self.matches, self.current = matches, 0
        self._length = len(query[:QUERY_MAX])
        self._capped = len(matches) >= MATCHES_MAX
        self._show()

    def step(self, by: int) -> None:
        """Move ``by`` matches on (wrapping round); a closed box opens instead."""
        if not self.display or not self.query_text:
            self.open()
            return
        if self.matches:
            self.current = (self.current + by) % len(self.matches)
        self._show()

    def action_next(self) -> None:
        self.step(1)

    def action_previous(self) -> None:
        self.step(-1)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.step(1)

    def _show(self) -> None:
        marks: dict[int, list[tuple[int, int]]] = {}
        for index, start in self.matches:
            marks.setdefault(index, []).append((start, start + self._length))
        current = None
        if self.matches:
            index, start = self.matches[self.current]
            current = (index, start, start + self._length)
        self.pane.text.highlight(marks, current)
        self.query_one("#find-count", Static).update(Content(self.count_text))
        if current is not None:
            # Once laid out: a ticket just replaced has no height yet to scroll in.
            self.call_after_refresh(self._reveal_match, current[0], current[1])

    def _reveal_match(self, index: int, start: int) -> None:
        pane = self.pane
        text = pane.text
        if index >= len(text.blocks):
            return  # replaced meanwhile; its own search scrolls
        line = text.line_of(index, start)
        pane.scroll_to(y=max(0, line - pane.size.height // 3), animate=False, immediate=True)

    @property
    def current_line(self) -> int | None:
        """The pane line of the current match (None without one)."""
        if not self.matches:
            return None
        index, start = self.matches[self.current]
        return self.pane.text.line_of(index, start)
