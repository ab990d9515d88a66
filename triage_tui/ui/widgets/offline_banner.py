"""The offline banner: what the console is working from while the helpdesk is away.

"Offline — cannot reach Zendesk (…) · data from 12 min ago · 3 actions queued"
while the helpdesk is unreachable; otherwise, when outbox entries wait for
the agent (a collision, a refused write), "2 actions need you — press o";
and when a write on the open ticket waits behind such an entry (perhaps
another console's), "Reply to #1137 waits behind a conflict … — press o".
Hidden when all is well.
"""

from __future__ import annotations

from datetime import timedelta

from textual import getters
from textual.content import Content
from textual.widgets import Static

from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.outbox_controls import waiting_reason
from triage_tui.ui import safe_text as st
from triage_tui.ui.console import ConsoleApp


def age(delta: timedelta) -> str:
    """``45 s``, ``12 min``, ``3 h``, ``2 days``: the staleness an agent can judge."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


class OfflineBanner(Static):
    DEFAULT_CSS = """
    OfflineBanner {
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $error-muted;
        color: $text;
        display: none;
    }
    """

    app = getters.app(ConsoleApp)

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.app.tick_seconds, self.refresh_state)

    def text(self) -> Content | None:
        helpdesk = self.app.helpdesk
        if not isinstance(helpdesk, BufferedHelpdesk):
            return None
        counts = helpdesk.outbox.counts()
        queued = sum(counts.get(s, 0) for s in om.IN_FLIGHT)
        attention = sum(counts.get(s, 0) for s in om.ATTENTION)
        state = helpdesk.connectivity
        if not state.online:
            parts: list[Content | tuple[str, str] | str] = [
                ("Offline", "bold"),
                " — ",
                st.line(state.error or "the helpdesk is unreachable"),
            ]
            as_of = helpdesk.data_as_of()
            if as_of is not None:
                parts.append(f" · data from {age(helpdesk.clock.now() - as_of)} ago")
            if queued:
                parts.append(f" · {queued} action(s) queued, sent when it is back")
            return Content.assemble(*parts)
        open_ticket = getattr(self.screen, "requested_id", None)
        here = helpdesk.waiting(open_ticket) if open_ticket and attention else []
        if here:
            entry, root = here[0]
            return Content.assemble(
                st.line(entry.label),
                f" {waiting_reason(root, helpdesk.session)} — press ",
                ("o", "$text-accent bold"),
                " to resolve",
            )
        if attention:
            waiting = len(helpdesk.waiting())
            return Content.assemble(
                (f"{attention} action(s) need you", "bold"),
                " (a collision or a refused write)",
                f" · {waiting} waiting behind them" if waiting else "",
                " — press ",
                ("o", "$text-accent bold"),
            )
        return None

    def refresh_state(self) -> None:
        text = self.text()
        self.display = text is not None
        if text is not None:
            self.update(text)
