"""The views picker (``v``): the profile's saved views, Enter applies one's filter.

A view is a named filter in the config (``[views]``, or ``[profiles.NAME.views]``
which override same-named top-level ones; ``triage config init`` writes an
example). Picking one is the same as typing its filter after ``/`` — ``/``
shows it to edit, ``esc`` there clears it — and ``triage --view NAME`` starts
the console on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets.option_list import Option

from triage_tui.config import views_of
from triage_tui.domain import events
from triage_tui.domain.text import count
from triage_tui.engine.recording import record
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings
from triage_tui.ui.screens.ask import ListPickScreen
from triage_tui.ui.widgets.queue import QueueView

if TYPE_CHECKING:
    from triage_tui.ui.screens.main import MainScreen


class ViewsScreen(ListPickScreen):
    """Pick a saved view: ``↑``/``↓`` and ``enter``; ``escape`` cancels."""

    BINDINGS = bindings("views")
    QUESTION = "Show which view?"
    ENTER = "show"
    LIST_ID = "views-list"

    def __init__(self, views: dict[str, str], current: str | None = None) -> None:
        super().__init__()
        self.views = views
        self.current = current

    def options(self) -> list[Option]:
        return [
            Option(
                Content.assemble(
                    st.line(name, "bold"),
                    ("  ✓" if text == self.current else "", "$text-success"),
                    "  ",
                    st.line(text, "$text-muted"),
                ),
                id=name,
            )
            for name, text in self.views.items()
        ]


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

    app.push_screen(ViewsScreen(views, current), chosen)
