"""The go-to dialog: a ticket by its number, from anywhere on the main screen.

``:`` (or ``#``) asks for the number; ``enter`` checks it here
(``domain.find.ticket_ref``: digits where the helpdesk numbers its tickets, no
number past what a helpdesk issues) and says what is wrong under the field, so
the agent can correct it; ``escape`` cancels. The main screen then opens the
ticket (``MainScreen.go_to``): from the queue when it is there, otherwise from
the helpdesk, or one line saying there is no such ticket.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input, Label

from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.find import ID_MAX, ticket_ref
from triage_tui.ui.screens.ask import AskScreen


class GoToScreen(AskScreen):
    """One line: the ticket number. Dismissed with the ticket id, or None (cancelled).

    | key | action |
    | --- | --- |
    | ``enter`` | go (refused, with the reason, when it is not a ticket number) |
    | ``escape`` | cancel |
    """

    def __init__(self, *, numeric: bool) -> None:
        hint = "digits, e.g. 1042" if numeric else "the ticket's id"
        super().__init__(
            Content("Go to ticket #"), placeholder=hint, hint=Content("in the queue or not")
        )
        #: The helpdesk numbers its tickets: anything but digits is refused here.
        self.numeric = numeric

    def on_mount(self) -> None:
        # Room for the longest id and a "#": anything longer is refused as too long.
        # (AskScreen's on_mount runs too and focuses the field.)
        self.query_one(Input).max_length = ID_MAX + 2

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # AskScreen's handler would take any text
        try:
            ticket_id = ticket_ref(event.value, numeric=self.numeric)
        except InvalidInput as error:
            self.query_one("#ask-error", Label).update(Content(str(error)))
            return
        self.dismiss(ticket_id)
