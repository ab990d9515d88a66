"""Every screen, with hostile data everywhere, writes nothing to the terminal but drawing.

The console runs with a recording driver: Textual renders each frame exactly as
for a real terminal and hands the bytes to ``write``, which keeps them. The
walk visits every screen and dialog with a ticket, requester, organisation,
tags, KB article, macro, saved draft, paste and helpdesk error message that all
carry terminal attacks. What the console wrote must then parse as text and the
CSI sequences Textual draws with (cursor moves, SGR colours, private modes) —
no OSC, DCS, APC/PM/SOS, BEL, C1 control, bidi override or other control
character from the data, and the markup shown as typed.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from textual import events
from textual.drivers import headless_driver
from textual.pilot import Pilot

from tests.fakes.fake_time import FakeTime, until
from tests.fakes.hostile import ATTACK, FORBIDDEN, MARKUP, VISIBLE, poison
from tests.ui.test_console import settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.models import Escalation, Ticket
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.ask import ConfirmScreen, PickNameScreen
from triage_tui.ui.screens.bulk import BulkPreviewScreen, MacroPickScreen
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.screens.outbox import OutboxScreen
from triage_tui.ui.screens.prompts import EscalateScreen, SendScreen
from triage_tui.ui.screens.report import ReportScreen
from triage_tui.ui.screens.sweep import SweepScreen
from triage_tui.ui.screens.sweep_plan import SweepPlanScreen
from triage_tui.ui.widgets.draft import DraftPane

#: Everything Textual itself writes to draw: CSI with numeric parameters (cursor
#: position and moves, SGR, private modes such as synchronized output), and the
#: pointer shape it resets to (OSC 22, its only OSC while the mouse is still).
_TEXTUAL = re.compile(r"\x1b\[\??[0-9;]*[A-HJKSTfhlmnsu]|\x1b\]22;default\x07")
#: The one CSI the attack carries, told from Textual's drawing by its effect:
#: erase display, which Textual never writes while running.
_ERASE = re.compile(r"\x1b\[[0-9;]*J")


class RecordingDriver(headless_driver.HeadlessDriver):
    """The headless driver, except the app renders for it and it keeps every write."""

    output: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        RecordingDriver.output.append(data)


class HostileHelpdesk(LocalHelpdesk):
    """A helpdesk whose error messages carry the attack too."""

    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        raise InvalidInput(f"escalation refused {ATTACK}")


def helpdesk(db: Path, clock: FrozenClock, data: Path) -> BufferedHelpdesk:
    inner = HostileHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    return BufferedHelpdesk(
        inner,
        "ui.local.0",
        hold_seconds=0,
        data_dir=data,
        sleep=FakeTime(clock, auto=True).sleep,
        rng=random.Random(3),
    )


def terminal_output() -> str:
    return "".join(RecordingDriver.output)


def drawn_text(output: str) -> str:
    """The characters the terminal would show: the output without Textual's sequences."""
    return _TEXTUAL.sub("", output)


async def paste(pilot: Pilot, text: str) -> None:
    """A bracketed paste, as the terminal delivers it to the app."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    RecordingDriver.output = []
    monkeypatch.setattr(headless_driver, "HeadlessDriver", RecordingDriver)
    return RecordingDriver.output


async def test_no_attack_reaches_the_terminal_on_any_screen(
    demo_db: Path, clock: FrozenClock, tmp_path: Path, recording: list[str]
) -> None:
    poison(demo_db)
    data = tmp_path / "data"
    # The second ticket in the queue (soonest SLA first) has a draft saved on
    # disk by an earlier session, holding the attack; the first one a fresh draft.
    second = (
        sqlite3.connect(demo_db)
        .execute(
            "SELECT ticket_id FROM sla_targets WHERE stage = 'active' ORDER BY due_at LIMIT 1 "
            "OFFSET 1"
        )
        .fetchone()[0]
    )
    earlier = helpdesk(demo_db, clock, data)
    earlier.drafts.changed(second, "Saved draft " + ATTACK)
    earlier.drafts.flush_now()

    app = TriageApp(
        helpdesk(demo_db, clock, data),
        profile=Profile(agent="Sam Agent"),
        clock=clock,
        tick_seconds=3600,
    )
    seen: dict[str, str] = {}

    async with app.run_test(size=(120, 40)) as pilot:

        async def visit(
            name: str,
            *keys: str,
            pasted: str = "",
            screen: type | None = None,
            after: Callable[[], bool] | None = None,
        ) -> None:
            start = len(terminal_output())
            if keys:
                await pilot.press(*keys)
            if pasted:
                await paste(pilot, pasted)
            if after is not None:
                await until(after, what=f"{name} to happen")
            await settle(pilot)
            if screen is not None:
                assert isinstance(app.screen, screen), f"{name}: on {type(app.screen).__name__}"
            seen[name] = terminal_output()[start:]

        await visit("main screen")
        await visit("next ticket", "j")
        assert app.screen.query_one(DraftPane).text.startswith("Saved draft ")
        await visit("handling plan", "p")
        await visit("back from the plan", "p")
        await visit("filter", "slash")
        await visit("filter error", pasted="sla:<" + ATTACK)
        await visit("filter cleared", "escape")
        await visit("draft editor", "e")
        await visit("draft with a paste", pasted="\nPasted " + ATTACK)
        await visit("leave the editor", "escape")
        await visit("send dialog", "s", screen=SendScreen)
        await visit("send cancelled", "escape", screen=MainScreen)
        await visit("escalate dialog", "x", screen=EscalateScreen)
        await visit("escalate reason pasted", pasted=" " + ATTACK, screen=EscalateScreen)
        box = app.helpdesk.outbox  # type: ignore[attr-defined]

        def failed() -> bool:
            return any(e.state == om.FAILED for e in box.entries())

        await visit("failure notice", "enter", screen=MainScreen, after=failed)
        await visit("outbox", "o", screen=OutboxScreen)
        await visit("outbox closed", "escape", screen=MainScreen)
        await visit("bulk menu", "space", "space", "b")
        await visit("macro picker", "m", screen=MacroPickScreen)
        picker = app.screen
        assert isinstance(picker, MacroPickScreen)
        from textual.widgets import OptionList

        picker.query_one(OptionList).highlighted = list(picker.macros).index("evil")
        await visit("bulk preview", "enter", screen=BulkPreviewScreen)
        await visit("bulk cancelled", "escape", "escape", screen=MainScreen)
        await visit("sweep plan", "w", screen=SweepPlanScreen)
        await visit("sweep", "enter", screen=SweepScreen)
        await visit("assign dialog", "a")
        await visit("assign name pasted", pasted=ATTACK, screen=PickNameScreen)
        await visit("assign cancelled", "escape", screen=SweepScreen)
        await visit("end the sweep?", "q", screen=ConfirmScreen)
        await visit("sweep summary", "enter", screen=ReportScreen)
        await visit("summary closed", "escape", screen=MainScreen)
        await visit("report", "R", screen=ReportScreen)
        await visit("report closed", "escape", screen=MainScreen)
        await visit("help", "question_mark", screen=HelpScreen)
        await visit("help closed", "escape", screen=MainScreen)
        await visit("command palette", "ctrl+p")
        await visit("palette with a paste", pasted=ATTACK)
        await visit("palette closed", "escape", screen=MainScreen)

    output = terminal_output()
    assert output, "the recording driver saw no frame"
    for name, chunk in seen.items():
        leaked = FORBIDDEN.findall(drawn_text(chunk)) + _ERASE.findall(chunk)
        assert not leaked, f"{name}: wrote {sorted(set(leaked))!r} to the terminal"
    text = drawn_text(output)
    # The data did reach the screen, visibly neutralised, markup as typed.
    assert VISIBLE in text and MARKUP in text
    for name in (
        "main screen",
        "draft with a paste",
        "escalate dialog",
        "escalate reason pasted",
        "failure notice",
        "outbox",
        "macro picker",
        "bulk preview",
        "sweep",
        "assign name pasted",
        "palette with a paste",
        "filter error",
    ):
        shown = drawn_text(seen[name])
        # A one-line input shows the end of the paste, a wrapped line its start.
        assert "PWNED" in shown or MARKUP in shown, f"{name}: the hostile data was not drawn"
