"""The copy menu (``y``) and the ticket's link (``l``), on the main screen and in a sweep.

The menu lists what can be copied from the open ticket — its id, its page in
the helpdesk's web UI, the requester's e-mail, the draft, the top KB
suggestion's link — leaving out what the ticket has not got (the local
helpdesk has no web UI, so no link). A letter copies at once (``i`` id, ``l``
link, ``e`` e-mail, ``d`` draft, ``k`` KB link), as do ``↑``/``↓`` and
``enter``; ``esc`` cancels. The copy is OSC 52 (``TriageApp.copy_to_clipboard``,
wrapped for tmux and screen), so it lands on the agent's own clipboard over
SSH too; the notice says what was copied and how long it is.

``l`` never starts a browser: the console often runs on a jump host, where a
browser would open (if at all) on the wrong machine. It copies the link and
shows it in a notice; a terminal with hyperlinks opens the ticket's ``#id``
in the header on a click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets.option_list import Option

from triage_tui.domain.text import count, link_target, sanitize
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, shown_key
from triage_tui.ui.screens.ask import ListPickScreen

if TYPE_CHECKING:
    from textual.app import App

    from triage_tui.engine.loader import TicketView

#: How much of a value the menu shows (the draft's first line, a long link).
PREVIEW = 60


@dataclass(frozen=True)
class CopyItem:
    """One thing the menu offers: its ``kind`` (the option id), the binding id whose
    key copies it, what the notice calls it, and the text copied."""

    kind: str
    binding: str
    label: str
    text: str


#: kind, binding id, default key, label: the menu's order.
KINDS = (
    ("id", "copy_id", "i", "id"),
    ("link", "copy_link", "l", "link"),
    ("email", "copy_email", "e", "requester's e-mail"),
    ("draft", "copy_draft", "d", "draft"),
    ("kb", "copy_kb_link", "k", "top KB link"),
)


def copy_items(view: TicketView, draft: str) -> list[CopyItem]:
    """What can be copied from ``view`` (with the draft shown, ``draft``), in menu order.

    Every text is what the screen shows: one-line fields through the terminal
    gate, links only when they are safe http(s) links, the draft as sanitised
    at its source (again here: it may come from a saved file).
    """
    ticket = view.detail.ticket
    person = view.history.person if view.history else ticket.requester
    kb = next(
        (m.article.url for m in view.kb or [] if link_target(m.article.url) is not None), None
    )
    texts = {
        "id": st.clean(ticket.id, one_line=True),
        "link": view.url or "",
        "email": st.clean(person.email, one_line=True),
        "draft": sanitize(draft).strip(),
        "kb": kb or "",
    }
    return [
        CopyItem(kind, binding, label, texts[kind])
        for kind, binding, _key, label in KINDS
        if texts[kind]
    ]


def copied_notice(item: CopyItem, ticket_id: str) -> str:
    """``Copied the link of #1207 (38 characters)``."""
    shown = st.clean(ticket_id, one_line=True)
    return f"Copied the {item.label} of #{shown} ({count(len(item.text), 'character')})"


def copy_item(app: App[Any], item: CopyItem, ticket_id: str) -> None:
    app.copy_to_clipboard(item.text)
    app.notify(copied_notice(item, ticket_id), markup=False)


def _preview(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= PREVIEW else first[: PREVIEW - 1] + "…"


class CopyMenuScreen(ListPickScreen):
    """What to copy from the open ticket: a letter, or ``↑``/``↓`` and ``enter``."""

    BINDINGS = bindings("copy_menu")
    #: Where this picker's keys are declared (``domain.keys``): its hints name them.
    SCOPE = "copy_menu"
    ENTER = "copy"
    LIST_ID = "copy-options"

    def __init__(self, ticket_id: str, items: list[CopyItem]) -> None:
        super().__init__()
        self.items = {item.kind: item for item in items}
        self.QUESTION = f"Copy from #{st.clean(ticket_id, one_line=True)}"

    def options(self) -> list[Option]:
        defaults = {kind: key for kind, _binding, key, _label in KINDS}
        return [
            Option(
                Content.assemble(
                    (f"{shown_key(self.app, item.binding, defaults[item.kind]):>3} ", "bold"),
                    (f"{item.label:<20}", "$text-accent"),
                    st.line(_preview(item.text), "$text-muted"),
                ),
                id=item.kind,
            )
            for item in self.items.values()
        ]

    def action_copy(self, kind: str) -> None:
        """A letter: copy that at once (nothing when the ticket has not got it)."""
        if kind in self.items:
            self.dismiss(kind)
        else:
            label = next(label for k, _b, _key, label in KINDS if k == kind)
            self.app.notify(f"This ticket has no {label} to copy.", markup=False)
