"""The outbox screen (``o``): every recent write and where it stands.

Those that need the agent (a collision, a write the helpdesk refused) come
first, then what is on its way, then the delivered and cancelled history.
Keys act on the highlighted entry: ``r`` retry a failed one (it is checked
on the helpdesk first if it may have landed), ``s`` send a held-by-collision
reply anyway, ``c`` cancel (the rest of its batch on that ticket goes too),
``enter`` show the details — for a collision, what changed, with revise /
send anyway / discard.

The outbox is shared by every console and script of the profile: an entry
that waits behind another batch's collision or refused write (perhaps another
console's) says so, and ``s`` lets it go without waiting (it is still checked
for collisions), ``c`` discards it, ``enter`` offers revise / send / discard.
"""

from __future__ import annotations

import math
from functools import partial
from typing import ClassVar, Protocol

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from triage_tui.domain.sla import format_age
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.outbox_controls import waiting_reason
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for

_STATE_STYLE = {
    om.CONFLICT: "$text-warning bold",
    om.FAILED: "$text-error bold",
    om.DELIVERING: "$text-accent",
    om.PENDING: "$text-accent",
    om.HELD: "$text-muted",
    om.DELIVERED: "$text-success",
    om.CANCELLED: "$text-muted",
    om.PROPOSED: "$text-accent italic",
    om.REJECTED: "$text-muted",
}


#: The table's columns and their widths in cells; the last error takes what is
#: left (``None``). Full state words: "delivering" is the longest.
COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("ticket", 7),
    ("kind", 8),
    ("state", 10),
    ("attempts", 8),
    ("last error", None),
    ("age", 4),
)
#: The least room the last error gets (at 80 columns it has about 20 cells).
ERROR_MIN = 12


def column_widths(width: int, padding: int = 1) -> list[int]:
    """Each column's width in a table ``width`` cells wide (cells are padded by
    ``padding`` on both sides): the fixed columns as they are, the rest to the error."""
    fixed = sum(w for _, w in COLUMNS if w is not None)
    spare = width - fixed - 2 * padding * len(COLUMNS)
    return [w if w is not None else max(ERROR_MIN, spare) for _, w in COLUMNS]


class OutboxTable(DataTable[Content]):
    """The outbox's entries; its columns are fitted to its width whenever that changes."""

    fitted_to = 0

    def on_resize(self, event: events.Resize) -> None:
        # The scrollbar takes its columns from the table's width.
        width = self.scrollable_content_region.width
        if width != self.fitted_to:
            self.fitted_to = width
            screen = self.screen
            if isinstance(screen, OutboxScreen):
                screen.fit_columns(width)


class Resolver(Protocol):
    """What settles a collision for the agent: the reply back in the editor, or gone."""

    def revise(self, entry: om.Entry) -> None: ...

    def discard(self, entry: om.Entry) -> None: ...


class OutboxScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    OutboxScreen {
        align: center middle;
    }
    OutboxScreen .outbox {
        height: 80%;
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

    BINDINGS: ClassVar[list[BindingType]] = bindings("outbox")

    def __init__(self, helpdesk: BufferedHelpdesk, resolver: Resolver | None = None) -> None:
        super().__init__()
        self.helpdesk = helpdesk
        #: Revise and discard (the console's ``Safekeeping``); without it the details only show.
        self.resolver = resolver
        self.entries: list[om.Entry] = []
        #: Entry id -> the failed or conflicted entry it waits behind (another batch's).
        self.blocked: dict[str, om.Entry] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog outbox"):
            yield Static(Content.styled("Outbox", "bold"), id="outbox-title")
            yield OutboxTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
            yield Static(Content(""), id="outbox-detail")
            key = partial(key_for, self.app, "outbox")
            yield Static(
                Content.assemble(
                    (key("retry"), "$text-accent bold"),
                    " retry   ",
                    (key("outbox_send_anyway"), "$text-accent bold"),
                    " send anyway   ",
                    (key("cancel_entry"), "$text-accent bold"),
                    " cancel   ",
                    (key("details"), "$text-accent bold"),
                    " details   ",
                    (key("close"), "$text-accent bold"),
                    " close",
                ),
                classes="keys",
            )

    def on_mount(self) -> None:
        table = self.query_one(OutboxTable)
        # Until the table knows its width (its first resize): fitted to the screen's.
        self.fit_columns(max(40, self.app.size.width - 12))
        table.focus()

    def fit_columns(self, width: int) -> None:
        """Columns fitted to a table ``width`` cells wide, the entries refilled."""
        table = self.query_one(OutboxTable)
        table.clear(columns=True)
        widths = column_widths(width, table.cell_padding)
        for (label, _), cells in zip(COLUMNS, widths, strict=True):
            table.add_column(label, width=cells, key=label)
        self.reload()

    def reload(self) -> None:
        tables = self.query(OutboxTable)
        # Pushed but not composed or mounted yet (the safekeeping look ticks every
        # second, whatever the screen's state): on_mount adds the columns, then reloads.
        if not tables or not tables.first().columns:
            return
        table = tables.first()
        keep = table.cursor_row
        self.entries = self.helpdesk.outbox.entries(limit=200)
        self.blocked = {e.id: root for e, root in self.helpdesk.waiting()}
        table.clear()
        now = self.helpdesk.clock.now()
        error_width = next(
            (c.width for c in table.columns.values() if str(c.label) == "last error"), 40
        )
        for entry in self.entries:
            note = entry.last_error or ""
            root = self.blocked.get(entry.id)
            if root is not None:
                note = f"{waiting_reason(root, self.helpdesk.session)} ({root.label})"
            elif entry.state == om.PENDING and entry.next_attempt and entry.next_attempt > now:
                wait = math.ceil((entry.next_attempt - now).total_seconds())
                note = f"next attempt in {wait} s · {note}" if note else f"next attempt in {wait} s"
            elif entry.state == om.HELD and entry.hold_until:
                note = (
                    f"undo window: {max(0, math.ceil((entry.hold_until - now).total_seconds()))} s"
                )
            state = "waiting" if root is not None else entry.state
            style = _STATE_STYLE[om.CONFLICT] if root is not None else _STATE_STYLE.get(entry.state)
            table.add_row(
                st.line(f"#{entry.ticket_id}"),
                Content(entry.kind),
                Content.styled(state, style or ""),
                Content(str(entry.attempts)),
                _cut(note, error_width) if note else Content.styled("—", "$text-muted"),
                Content(format_age(entry.created_at, now)),
                key=entry.id,
            )
        counts = self.helpdesk.outbox.counts()
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "empty"
        if self.blocked:
            summary += f" · {len(self.blocked)} waiting behind a decision"
        self.query_one("#outbox-title", Static).update(
            Content.assemble(("Outbox", "bold"), f" · {summary}")
        )
        if self.entries:
            table.move_cursor(row=min(keep, len(self.entries) - 1))
        self._show_detail()

    def _current(self) -> om.Entry | None:
        table = self.query_one(OutboxTable)
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
            st.line(entry.label or f"{entry.kind} #{entry.ticket_id}"),
            (
                f" · #{entry.ticket_id} · {entry.kind} · recorded {entry.created_at:%H:%M:%S} UTC",
                "$text-muted",
            ),
        ]
        root = self.blocked.get(entry.id)
        if root is not None:
            parts += [
                "\n",
                (waiting_reason(root, self.helpdesk.session).capitalize() + ": ", "bold"),
                st.line(f"{root.label} ({root.state}: {root.last_error or ''})"),
                "\n",
                (key_for(self.app, "outbox", "outbox_send_anyway"), "$text-accent bold"),
                " send without waiting · ",
                (key_for(self.app, "outbox", "cancel_entry"), "$text-accent bold"),
                " discard · ",
                (key_for(self.app, "outbox", "details"), "$text-accent bold"),
                " revise / send / discard",
            ]
        elif entry.conflict:
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
                "Only a reply held by a collision, or a write waiting behind one,"
                " can be sent anyway.",
                markup=False,
                timeout=3,
            )
        elif entry.state != om.CONFLICT:
            self.app.notify(
                f"{entry.label}: sent without waiting (still checked for collisions).",
                markup=False,
                timeout=3,
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
        root = self.blocked.get(entry.id) if entry is not None else None
        if entry is None or (entry.state != om.CONFLICT and root is None):
            return
        from triage_tui.ui.screens.conflict import ConflictScreen

        screen = ConflictScreen(entry)
        if root is not None:
            reason = waiting_reason(root, self.helpdesk.session)
            screen = ConflictScreen(
                entry,
                heading=f"#{entry.ticket_id}: {entry.label} {reason}",
                changes=[f"{root.label} — {root.state}: {root.last_error or ''}"],
                revisable=entry.kind == "reply",
            )

        def chosen(choice: str | None) -> None:
            keeper = self.resolver
            if choice is None or keeper is None:
                return
            if choice == "send":
                self.helpdesk.send_anyway(entry.id)
            elif choice == "revise" and entry.kind == "reply":
                keeper.revise(entry)
                self.dismiss(None)
                return
            elif choice == "discard":
                keeper.discard(entry)
            self.reload()

        self.app.push_screen(screen, chosen)

    def action_close(self) -> None:
        self.dismiss(None)


def _cut(text: str, width: int) -> Content:
    """One line of at most ``width`` cells, a cut marked with an ellipsis (the
    whole error is in the detail under the table)."""
    line = st.line(text)
    if line.cell_length <= width:
        return line
    return line.truncate(max(1, width - 1)) + Content("…")
