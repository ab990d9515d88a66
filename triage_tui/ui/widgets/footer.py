"""The footer: the keys that fit the terminal's width, most used first.

Textual's ``Footer`` lays every shown binding out in a row and cuts the row at
the terminal's edge ("b Bu" at 80 columns). This one is compact below
``COMPACT_BELOW`` columns and leaves out the keys that do not fit, the least
used first (``KEEP``): Send, Edit, Escalate, Skip and Help stay at 60 columns.
Every key is still on ``?``.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Below this width the footer is compact (one space between key and label).
COMPACT_BELOW = 120
#: Below this width the command palette's key is left out (ctrl+p still works).
PALETTE_BELOW = 100
#: Actions in the order they are kept when the row is short of room; the
#: ones not listed go first.
KEEP = (
    "app.help",
    "send",
    "edit",
    "escalate",
    "skip",
    "app.zoom",
    "open",
    "filter",
    "app.quit",
    "toggle_plan",
    "sweep",
    "bulk",
    "views",
)


def _rank(key: FooterKey) -> int:
    action = key.action
    for name in (action, f"app.{action}", action.removeprefix("screen.")):
        if name in KEEP:
            return KEEP.index(name)
    return len(KEEP)


def _cells(key: FooterKey, compact: bool) -> int:
    """The cells a key takes in the row: key, label, padding and margin."""
    text = len(key.key_display) + (1 + len(key.description) if key.description else 0)
    return text + (1 if compact else 2)


class TriageFooter(Footer):
    """``Footer`` whose keys fit the width (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._fitted_to = 0

    def _fit_width(self) -> int:
        return self.size.width or self.app.size.width

    def compose(self) -> ComposeResult:
        width = self._fit_width()
        compact = width < COMPACT_BELOW
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        self.set_reactive(Footer.show_command_palette, width >= PALETTE_BELOW)
        widgets: list[Widget] = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        palette = [w for w in keys if w.has_class("-command-palette")]
        room = width - sum(len(w.key_display) + len(w.description) + 4 for w in palette)
        kept = {id(w) for w in palette}
        for key in sorted((w for w in keys if id(w) not in kept), key=_rank):
            need = _cells(key, compact)
            if need <= room:
                kept.add(id(key))
                room -= need
        yield from (w for w in widgets if not isinstance(w, FooterKey) or id(w) in kept)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_to:
            self._fitted_to = event.size.width
            self.call_after_refresh(self.recompose)
