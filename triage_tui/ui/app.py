"""The Textual application: themes, the main screen, and the console's entry point."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import SystemCommand
from textual.screen import Screen

from triage_tui.adapters.base import Helpdesk
from triage_tui.config import AppConfig, Profile
from triage_tui.domain.clock import Clock
from triage_tui.domain.text import is_clean, sanitize
from triage_tui.ui import themes
from triage_tui.ui.console import ConsoleApp
from triage_tui.ui.keys import bindings

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.widgets import TextArea

    from triage_tui.ui.screens.main import MainScreen


class TriageApp(ConsoleApp):
    """The triage console: the state of ``ConsoleApp`` with its themes, keys and screens."""

    CSS_PATH = "app.tcss"
    TITLE = "triage"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = bindings("app")

    def __init__(
        self,
        helpdesk: Helpdesk,
        *,
        profile: Profile | None = None,
        config: AppConfig | None = None,
        clock: Clock | None = None,
        theme: str | None = None,
        tick_seconds: float = 1.0,
        extra_theme_dirs: Iterable[Path] = (),
        initial_sweep: str | None = None,
        initial_filter: str | None = None,
    ) -> None:
        super().__init__(
            helpdesk,
            profile=profile,
            config=config,
            clock=clock,
            tick_seconds=tick_seconds,
            initial_sweep=initial_sweep,
            initial_filter=initial_filter,
        )
        self._apply_keys()
        from triage_tui.adapters.base import LeftOutSaid

        #: Left-out records already said (a re-read meets the same broken ticket again).
        self._left_out_said = LeftOutSaid()
        from triage_tui.ui.safekeeping import Safekeeping

        #: Drafts, outbox events, undo, quit and signals (active on a buffered helpdesk).
        self.safekeeping = Safekeeping(self)
        from triage_tui.ui.hooks import ConsoleHooks

        #: The hooks on the events of the writes this console delivers (``ui/hooks.py``).
        self.lifecycle_hooks = ConsoleHooks(self)
        loaded = themes.load_all(extra_theme_dirs)
        for theme_obj in loaded.themes:
            self.register_theme(theme_obj)
        self.theme_warnings = loaded.warnings
        wanted = theme or self.profile.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.theme_warnings.append(
                f"unknown theme {wanted!r}; available: {', '.join(sorted(loaded.names))}"
            )
            self.theme = (
                themes.DEFAULT_THEME
                if themes.DEFAULT_THEME in self.available_themes
                else "textual-dark"
            )

    def _apply_keys(self) -> None:
        """The ``[keymap]`` (checked again: a config built in code skips ``config.load``)."""
        #: Mouse reporting wanted (``Profile.mouse``; ``M`` toggles it).
        self.mouse_enabled = self.profile.mouse
        #: The keymap in force, normalised (what ``?`` shows).
        self.keymap: dict[str, str] = {}
        if self.config_model.keymap:
            from triage_tui.domain.keys import check_keymap

            self.keymap = check_keymap(self.config_model.keymap)
            self.set_keymap(self.keymap)

    def action_toggle_mouse(self) -> None:
        """Mouse reporting on or off while running (off: the terminal selects text).

        Textual has no public switch after start-up; its terminal drivers have
        the escape sequences (``_enable_mouse_support``), which are what
        ``App.run(mouse=...)`` uses at start. A driver without them (the web,
        the headless test driver) keeps what it started with.
        """
        self.mouse_enabled = not self.mouse_enabled
        driver = self._driver
        enable = getattr(driver, "_enable_mouse_support", None)
        disable = getattr(driver, "_disable_mouse_support", None)
        if driver is not None and enable is not None and disable is not None:
            if self.mouse_enabled:
                driver._mouse = True
                enable()
            else:
                disable()
                driver._mouse = False
        state = "on" if self.mouse_enabled else "off: the terminal selects text"
        self.notify(f"Mouse {state}", markup=False)

    def get_default_screen(self) -> Screen[Any]:
        from triage_tui.ui.screens.main import MainScreen

        screen = MainScreen()
        # Edited drafts not sent come back: after a crash, a lost SSH session or
        # kill -9, and after a clean quit (marked "edited draft"; ctrl+r resets).
        self.edited_drafts.update(self.safekeeping.restore_drafts())
        return screen

    def on_mount(self) -> None:
        self.safekeeping.start()
        self.lifecycle_hooks.start()
        for warning in self.theme_warnings:
            self.notify(warning, severity="warning", markup=False)
        self.set_interval(1.0, self._say_left_out)

    def _say_left_out(self) -> None:
        """Records the helpdesk sent that could not be read (``Helpdesk.take_left_out``):
        one warning naming them, each record said once however often it is re-read."""
        fresh = self._left_out_said.fresh(self.helpdesk.take_left_out())
        if fresh:
            line = fresh.line(self.helpdesk.display_name)
            self.notify(line, severity="warning", timeout=20, markup=False)

    async def on_event(self, event: events.Event) -> None:
        # Every paste reaches a widget through here (the focused Input, the
        # draft, the command palette): one gate keeps a pasted ESC or bidi
        # override from being echoed raw, whichever widget takes it.
        if isinstance(event, events.Paste) and not is_clean(event.text):
            event.text = sanitize(event.text)
        await super().on_event(event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's ``notify`` with the message and title through the safe-text gate.

        Notices quote helpdesk errors and ticket fields; a toast draws its text
        as given, so this is where their control characters are made visible.
        """
        super().notify(
            sanitize(message),
            title=sanitize(title, keep_newlines=False),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def copy_to_clipboard(self, text: str) -> None:
        """Textual's OSC 52 copy, wrapped for tmux and GNU screen when the console runs
        inside one (``ui.clipboard``): a plain OSC 52 does not get past their default
        settings. ``clipboard`` keeps the text, as Textual's does."""
        self._clipboard = text
        if self._driver is not None:
            from triage_tui.ui.clipboard import clipboard_sequence

            self._driver.write(clipboard_sequence(text))

    def action_help(self) -> None:
        from triage_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_zoom(self) -> None:
        """The focused pane (queue, ticket or draft) fills the screen; again: back."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif screen.focused is not None:
            screen.maximize(screen.focused)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys", "Every key of the console", self.action_help)
        main = self.main_screen
        if main is not None:
            yield from main.palette_commands()
            from triage_tui.ui.widgets.ticket import kb_link_commands

            yield from kb_link_commands(main.view, self.copy_to_clipboard)

    @property
    def main_screen(self) -> MainScreen | None:
        """The main screen, wherever it is in the stack (None before it exists)."""
        from triage_tui.ui.screens.main import MainScreen

        return MainScreen.find(self)

    # -- the outbox (see ui/safekeeping.py) --------------------------------
    def action_undo(self) -> None:
        self.safekeeping.undo()

    def action_outbox(self) -> None:
        from triage_tui.ui.screens.outbox import OutboxScreen

        helpdesk = self.safekeeping.helpdesk
        if helpdesk is None:
            self.notify("This helpdesk writes directly; there is no outbox.", markup=False)
        elif not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen(helpdesk, self.safekeeping))

    async def action_quit(self) -> None:
        """Quit, unless actions are still on their way: then ask (wait or leave them)."""
        self.safekeeping.quit()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "draft":
            self.safekeeping.draft_changed(event.text_area)

    async def on_unmount(self) -> None:
        await self.safekeeping.stop()


def run(
    helpdesk: Helpdesk,
    profile: Profile,
    config: AppConfig,
    theme: str | None = None,
    *,
    initial_sweep: str | None = None,
    initial_filter: str | None = None,
) -> int:
    """Run the console until the agent quits; returns the process exit code.

    ``initial_sweep`` (``triage sweep FILTER``) opens that filter's sweep plan;
    ``initial_filter`` (``triage --view NAME``) is the queue's filter at start.

    Errors that stop the console (an unreachable helpdesk, say) are printed as
    one line on stderr after the terminal has been restored.
    """
    import sys

    from triage_tui.engine.buffered import BufferedHelpdesk

    if isinstance(helpdesk, BufferedHelpdesk):
        # Opened before the first frame: a data folder that cannot hold the
        # outbox (a file in its place, a broken mount) is one line on stderr,
        # not a traceback inside the console. A read-only folder still opens
        # (the console then runs read-only).
        _ = helpdesk.outbox
    app = TriageApp(
        helpdesk,
        profile=profile,
        config=config,
        theme=theme,
        initial_sweep=initial_sweep,
        initial_filter=initial_filter,
    )
    code = app.run(mouse=profile.mouse)
    if app.exit_message:
        print(f"triage: error: {app.exit_message}", file=sys.stderr)
    return code if isinstance(code, int) else (app.return_code or 0)
