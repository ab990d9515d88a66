"""What every screen may use of the console: the app's state and a typed ``app``.

``ConsoleApp`` holds what the screens read (the helpdesk, the agent's profile,
the config, the clock, the escalation rules) and ``fail``; ``TriageApp``
(``ui/app.py``) builds on it with the themes, the keys and the screens. The
screens import this module, never ``ui/app.py``, so no import goes in a circle.
``ConsoleScreen.app`` is that app, typed (``textual.getters.app`` checks it).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from textual import getters
from textual.app import App
from textual.screen import Screen

from triage_tui.adapters.base import Helpdesk
from triage_tui.config import AppConfig, Profile
from triage_tui.domain.clock import Clock, SystemClock
from triage_tui.domain.text import sanitize

if TYPE_CHECKING:
    # Escalation rules are imported when the first ticket is evaluated, not at
    # start-up: the first screen is the queue (benchmarks/tui.py).
    from triage_tui.domain.escalation import RuleSet

ResultType = TypeVar("ResultType")


class ConsoleApp(App[int]):
    """The console's state. ``helpdesk`` is opened by the main screen and closed on exit."""

    #: Screen classes by terminal height: below 30 rows (80×24) the panes
    #: give the ticket the room (app.tcss), below 22 (60×20) more so.
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (22, "-short"), (30, "-tall")]

    #: Seconds a notice stays (Textual's default is 5): confirmations follow every action.
    NOTIFICATION_TIMEOUT = 4

    def __init__(
        self,
        helpdesk: Helpdesk,
        *,
        profile: Profile | None = None,
        config: AppConfig | None = None,
        clock: Clock | None = None,
        tick_seconds: float = 1.0,
        initial_sweep: str | None = None,
        initial_filter: str | None = None,
    ) -> None:
        super().__init__()
        self.helpdesk = helpdesk
        self.profile = profile or Profile()
        self.config_model = config or AppConfig()
        self.clock: Clock = clock or SystemClock()
        self.tick_seconds = tick_seconds
        #: ``triage sweep FILTER``: the main screen opens this filter's sweep plan at start.
        self.initial_sweep = initial_sweep
        #: ``triage --view NAME``: the view's filter, applied once the queue is in.
        self.initial_filter = initial_filter
        self.exit_message: str | None = None
        #: Drafts that differ from the template, by ticket id: one per ticket, shared by
        #: the main screen and every sweep (``screens/desk.py``), kept on disk by safekeeping.
        self.edited_drafts: dict[str, str] = {}

    @cached_property
    def rules(self) -> RuleSet:
        """The escalation rules with the config's extra phrases and routes."""
        from triage_tui.domain.escalation import RuleSet

        escalation = self.config_model.escalation
        return RuleSet.from_config(escalation.extra_phrases, escalation.routes)

    def fail(self, message: str) -> None:
        """Leave the console with a one-line error (e.g. the helpdesk is unreachable)."""
        self.exit_message = sanitize(message, keep_newlines=False)
        self.exit(1)


class ConsoleScreen(Screen[ResultType]):
    """A screen of the console: ``self.app`` is the ``ConsoleApp``, typed."""

    app = getters.app(ConsoleApp)
