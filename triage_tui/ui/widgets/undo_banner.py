"""The undo banner: "Reply + status pending on #1042 · Undo (u) · 8 s".

Shown while the newest action waits in its undo window (the profile's
``undo_seconds``); hidden otherwise, and always hidden on a helpdesk without
the outbox. It counts down on the console's tick and is refreshed at once by
the outbox's events (queued, undone, released).
"""

from __future__ import annotations

import math

from textual import getters
from textual.content import Content
from textual.widgets import Static

from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.console import ConsoleApp


class UndoBanner(Static):
    DEFAULT_CSS = """
    UndoBanner {
        height: 1;
        padding: 0 1;
        background: $warning-muted;
        color: $text;
        display: none;
    }
    """

    app = getters.app(ConsoleApp)

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.app.tick_seconds, self.refresh_state)

    def text(self) -> Content | None:
        """The banner's line, or None when nothing can be undone."""
        helpdesk = self.app.helpdesk
        if not isinstance(helpdesk, BufferedHelpdesk) or helpdesk.hold_seconds <= 0:
            return None
        batches = helpdesk.outbox.held_batches()
        if not batches:
            return None
        from triage_tui.ui.outbox_lines import describe

        newest = batches[0]
        until = max(e.hold_until for e in newest if e.hold_until is not None)
        left = max(0, math.ceil((until - helpdesk.clock.now()).total_seconds()))
        more = f" (+{len(batches) - 1} more)" if len(batches) > 1 else ""
        return Content.assemble(
            (describe(newest), "bold"),
            more,
            " · ",
            ("Undo (u)", "$text-accent bold"),
            f" · {left} s",
        )

    def refresh_state(self) -> None:
        text = self.text()
        self.display = text is not None
        if text is not None:
            self.update(text)
