"""The outbox screen (``o``): every recent write and where it stands.

Those that need the agent (a collision, a write the helpdesk refused) come
first, then what is on its way, then the delivered and cancelled history.
Keys act on the highlighted entry: ``r`` retry a failed one (it is checked
on the helpdesk first if it may have landed), ``s`` send a held-by-collision
reply anyway, ``c`` cancel (the rest of its batch on that ticket goes too),
``enter`` show the details — for a collision, what changed, with revise /
send anyway / discard.
"""

from __future__ import annotations

import math
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from triage_tui.engine import outbox as ob
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui import safe_text as st

_STATE_STYLE = {
    ob.CONFLICT: "$text-warning bold",
    ob.FAILED: "$text-error bold",
    ob.DELIVERING: "$text-accent",
    ob.PENDING: "$text-accent",
    ob.HELD: "$text-muted",
    ob.DELIVERED: "$text-success",
    ob.CANCELLED: "$text-muted",
}


class OutboxScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    OutboxScreen {
        align: center middle;
    }
    OutboxScreen .outbox {
        height: 80%;
        max-width: 120;
    }
    OutboxScreen #outbox-table {
        height: 1fr;
    }
    OutboxScreen #outbox-detail {
        height: auto;
        max-height: 6;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry"),
        Binding("s", "send_anyway", "Send anyway"),
        Binding("c", "cancel_entry", "Cancel"),
        Binding("enter", "details", "Details"),
        Binding("escape,o,q", "close", "Close"),
    ]

    def __init__(self, helpdesk: BufferedHelpdesk) -> None:
        super().__init__()
        self.helpdesk = helpdesk
        self.entries: list[ob.Entry] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog outbox"):
            yield Static(Content.styled("Outbox", "bold"), id="outbox-title")
            yield DataTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
            yield Static(Content(""), id="outbox-detail")
            yield Static(
                Content.assemble(
                    ("r", "$text-accent bold"),
                    " retry   ",
                    ("s", "$text-accent bold"),
                    " send anyway   ",
                    ("c", "$text-accent bold"),
                    " cancel   ",
                    ("enter", "$text-accent bold"),
                    " details   ",
                    ("esc", "$text-accent bold"),
                    " close",
                ),
                classes="keys",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("state", "what", "tries", "last error / next attempt")
        self.reload()
        table.focus()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self.entries = self.helpdesk.outbox.entries(limit=200)
        table.clear()
        now = self.helpdesk.clock.now()
        for entry in self.entries:
            note = entry.last_error or ""
            if entry.state == ob.PENDING and entry.next_attempt and entry.next_attempt > now:
                wait = math.ceil((entry.next_attempt - now).total_seconds())
                note = f"next attempt in {wait} s · {note}" if note else f"next attempt in {wait} s"
            elif entry.state == ob.HELD and entry.hold_until:
                note = (
                    f"undo window: {max(0, math.ceil((entry.hold_until - now).total_seconds()))} s"
                )
            table.add_row(
                Content.styled(entry.state, _STATE_STYLE.get(entry.state, "")),
                st.line(entry.label or f"{entry.kind} #{entry.ticket_id}"),
                Content(str(entry.attempts)),
                st.line(note[:120]),
                key=entry.id,
            )
        counts = self.helpdesk.outbox.counts()
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "empty"
        self.query_one("#outbox-title", Static).update(
            Content.assemble(("Outbox", "bold"), f" · {summary}")
        )
        if self.entries:
            table.move_cursor(row=min(keep, len(self.entries) - 1))
        self._show_detail()

    def _current(self) -> ob.Entry | None:
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # The table takes enter itself; selecting a row is "details".
        self.action_details()

    def _show_detail(self) -> None:
        entry = self._current()
        detail = self.query_one("#outbox-detail", Static)
        if entry is None:
            detail.update(Content("Nothing has been written from this console yet."))
            return
        text = entry.payload.get("body") or entry.payload.get("note") or ""
        parts: list[Content | tuple[str, str] | str] = [
            (
                f"#{entry.ticket_id} · {entry.kind} · recorded {entry.created_at:%H:%M:%S} UTC",
                "$text-muted",
            )
        ]
        if entry.conflict:
            parts += ["\n", ("What changed: ", "bold"), st.line("; ".join(entry.conflict))]
        elif entry.last_error:
            parts += ["\n", st.line(entry.last_error)]
        if text:
            parts += ["\n", st.line(text[:200])]
        detail.update(Content.assemble(*parts))

    # -- actions ----------------------------------------------------------
    def action_retry(self) -> None:
        entry = self._current()
        if entry is None or not self.helpdesk.retry(entry.id):
            self.app.notify("Only a failed entry can be retried.", markup=False, timeout=3)
        self.reload()

    def action_send_anyway(self) -> None:
        entry = self._current()
        if entry is None or not self.helpdesk.send_anyway(entry.id):
            self.app.notify(
                "Only a reply held by a collision can be sent anyway.", markup=False, timeout=3
            )
        self.reload()

    def action_cancel_entry(self) -> None:
        entry = self._current()
        if entry is None or not self.helpdesk.cancel(entry.id):
            self.app.notify(
                "That entry has already left (or was cancelled).", markup=False, timeout=3
            )
        else:
            self.app.notify(f"Cancelled: {entry.label}", markup=False, timeout=3)
        self.reload()

    def action_details(self) -> None:
        entry = self._current()
        if entry is None or entry.state != ob.CONFLICT:
            return
        from triage_tui.ui.screens.conflict import ConflictScreen

        def chosen(choice: str | None) -> None:
            keeper = getattr(self.app, "safekeeping", None)
            if choice is None or keeper is None:
                return
            if choice == "send":
                self.helpdesk.send_anyway(entry.id)
            elif choice == "revise":
                keeper.revise(entry)
                self.dismiss(None)
                return
            elif choice == "discard":
                keeper.discard(entry)
            self.reload()

        self.app.push_screen(ConflictScreen(entry), chosen)

    def action_close(self) -> None:
        self.dismiss(None)
