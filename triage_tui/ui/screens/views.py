"""The views picker (``v``): the profile's saved views with their counts; Enter applies one.

A view is a named filter in the config (``[views]``, or ``[profiles.NAME.views]``
which override same-named top-level ones; ``triage config init`` writes an
example). Picking one is the same as typing its filter after ``/`` — ``/``
shows it to edit, ``esc`` there clears it — and ``triage --view NAME`` starts
the console on it.

Each entry shows how many tickets of the queue its view matches — what
``triage queue --view NAME`` totals. They are counted over the compact rows
the console already holds, by the filter's index (a mask per view, no list of
rows), in a thread once the picker is on screen: it opens at once even on a
100 000-ticket queue, and each count replaces its ``…`` as it comes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from triage_tui.config import views_of
from triage_tui.domain import events
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.text import count
from triage_tui.engine.recording import record
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings
from triage_tui.ui.screens.ask import ListPickScreen
from triage_tui.ui.widgets.queue import QueueView

if TYPE_CHECKING:
    from triage_tui.ui.screens.main import MainScreen

#: What an entry shows until its count is in (or while the queue still loads).
COUNTING = "…"


class ViewsScreen(ListPickScreen):
    """Pick a saved view: ``↑``/``↓`` and ``enter``; ``escape`` cancels.

    ``rows`` is the whole queue to count each view over (None: not loaded yet,
    no counts); ``me`` is who ``assignee:me`` means.
    """

    BINDINGS = bindings("views")
    QUESTION = "Show which view?"
    ENTER = "show"
    LIST_ID = "views-list"
    SCOPE = "views"
    CANCEL = "close"

    def __init__(
        self,
        views: dict[str, str],
        current: str | None = None,
        *,
        rows: list[QueueRow] | None = None,
        now: datetime | None = None,
        me: str = "",
    ) -> None:
        super().__init__()
        self.views = views
        self.current = current
        self.rows = rows
        self.now = now
        self.me = me
        #: Tickets each view matches, by view name, as they are counted.
        self.counts: dict[str, int] = {}

    def entry(self, name: str) -> Content:
        text = self.views[name]
        found = self.counts.get(name)
        return Content.assemble(
            st.line(name, "bold"),
            ("  ✓" if text == self.current else "", "$text-success"),
            "  ",
            (f"{found:,}" if found is not None else COUNTING, "$text-accent"),
            "  ",
            st.line(text, "$text-muted"),
        )

    def options(self) -> list[Option]:
        return [Option(self.entry(name), id=name) for name in self.views]

    def on_mount(self) -> None:
        # ListPickScreen's on_mount runs too (Textual calls each class's handler).
        if self.rows is not None and self.now is not None:
            self.run_worker(self._count(self.rows, self.now), group="view-counts")

    async def _count(self, rows: list[QueueRow], now: datetime) -> None:
        """Count each view in a thread (the keys stay free), showing each as it comes."""
        from triage_tui.domain.filters.language import FilterError, parse

        listed = self.query_one(OptionList)
        for name, text in self.views.items():
            try:
                chosen = parse(text, me=self.me)
            except FilterError:
                continue  # the config check refuses these; picking it says what is wrong
            self.counts[name] = await asyncio.to_thread(chosen.count, rows, now)
            listed.replace_option_prompt(name, self.entry(name))


def pick_view(main: MainScreen) -> None:
    """Open the picker over the main screen; the view picked becomes the queue's filter."""
    app = main.app
    views = views_of(app.config_model, app.profile)
    if not views:
        app.notify(
            "No saved views: add them under [views] in config.toml"
            " (`triage config init` writes an example).",
            severity="warning",
            markup=False,
        )
        return
    current = str(main.filter) if main.filter is not None else None

    def chosen(name: str | None) -> None:
        if name is None or name not in views:
            return
        if main._try_filter(views[name]):
            rows = len(main.query_one(QueueView).rows)
            app.notify(f"View {name}: {views[name]} · {count(rows, 'ticket')}", markup=False)
            payload = {"filter": str(main.filter or ""), "count": rows, "view": name}
            main.run_worker(record(app.helpdesk, events.VIEW_CHANGED, None, payload))
        else:
            main.action_filter()  # the error under the filter box says what is wrong

    screen = ViewsScreen(
        views,
        current,
        rows=main.all_rows if main.queue_loaded else None,
        now=app.clock.now(),
        me=app.profile.agent,
    )
    app.push_screen(screen, chosen)
