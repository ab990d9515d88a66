"""Customer-written text is shown literally and never reaches the terminal raw."""

from __future__ import annotations

import asyncio
import html
import sqlite3
from pathlib import Path

import pytest

from tests.ui.test_console import pane_text, settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.domain.enums import Priority
from triage_tui.domain.models import NewTicket
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.queue import QueueView

MARKUP_SUBJECT = "[@click=app.quit]Quit[/] [link=https://evil.example]x[/link] [b]bold[/b] [/]"
CONTROL_NAME = "Mallory \x1b[2J\x1b]0;pwned\x07 \u202eevil\x9b"
OSC_BODY = "before \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \r overwrite \x1b[31mred"


@pytest.fixture
def hostile_db(tmp_path: Path, clock) -> Path:  # type: ignore[no-untyped-def]
    db = tmp_path / "hostile.db"

    async def seed() -> str:
        async with LocalHelpdesk(LocalOptions(db=db), clock=clock) as hd:
            await hd.create_ticket(
                NewTicket(
                    subject=MARKUP_SUBJECT,
                    body=OSC_BODY,
                    requester_email="m@evil.example",
                    requester_name=CONTROL_NAME,
                    priority=Priority.URGENT,
                )
            )
            big = await hd.create_ticket(
                NewTicket(
                    subject="(to be emptied)",
                    body="x" * (1024 * 1024),
                    requester_email="big@example.com",
                    requester_name="",
                    priority=Priority.HIGH,
                )
            )
            await hd.create_ticket(
                NewTicket(
                    subject="[red]styled?[/red] \\[escaped]",
                    body="[@click=app.bell]ring[/]",
                    requester_email="n@example.com",
                    requester_name="[bold]Name[/bold]",
                )
            )

        return big.id

    big_id = asyncio.run(seed())
    # Other helpdesks allow empty subjects even though `create-ticket` refuses one.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE tickets SET subject = '' WHERE id = ?", (big_id,))
    return db


async def test_markup_and_controls_are_literal_everywhere(hostile_db: Path, make_app) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # nothing quit the app
        queue = screen.query_one(QueueView)
        lines = [queue.render_line(y).text for y in range(3)]
        assert any("[@click=app.quit]Quit[/]" in line for line in lines)
        for line in lines:
            assert "\x1b" not in line and "\x9b" not in line and "\u202e" not in line
        text = pane_text(screen)
        assert "[@click=app.quit]Quit[/] [link=https://evil.example]x[/link]" in text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "␛" in text  # visible, not silently dropped
        # The whole screen as the terminal would get it: no raw ESC from content.
        svg = html.unescape(app.export_screenshot()).replace("\u00a0", " ")
        assert "[@click=app.quit]Quit[/]" in svg
        assert "pwned" in svg and "\x1b" not in svg


async def test_markup_in_names_and_bodies_on_every_ticket(hostile_db: Path, make_app) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        queue.move_to(next(i for i, r in enumerate(queue.rows) if "styled" in r.subject))
        await settle(pilot)
        text = pane_text(screen)
        assert "[red]styled?[/red] \\[escaped]" in text
        assert "[bold]Name[/bold]" in text
        assert "[@click=app.bell]ring[/]" in text


async def test_huge_body_and_empty_subject_do_not_crash(hostile_db: Path, make_app) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        index = next(i for i, r in enumerate(queue.rows) if r.subject == "")
        assert "(no subject)" in queue.render_line(index - int(queue.scroll_y)).text
        queue.move_to(index)
        await settle(pilot)
        text = pane_text(screen)
        assert "KB more not shown" in text
        assert "(unknown requester)" in text or "big" in text


async def test_unknown_requester_shows_the_ticket_with_a_note(hostile_db: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """A helpdesk that no longer knows the requester (deleted user) must not break the pane."""
    from triage_tui.config import Profile
    from triage_tui.domain.errors import NotFound
    from triage_tui.ui.app import TriageApp

    class ForgetfulHelpdesk(LocalHelpdesk):
        async def get_person(self, person_id: str):  # type: ignore[no-untyped-def]
            raise NotFound(f"user {person_id} not found")

    app = TriageApp(
        ForgetfulHelpdesk(LocalOptions(db=hostile_db), clock=clock),
        profile=Profile(),
        clock=clock,
        tick_seconds=3600,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        text = pane_text(screen)
        assert "Requester history unavailable: user" in text
        assert screen.view is not None and screen.query_one("#draft").text.startswith("Hi ")


async def test_inputs_and_the_draft_editor_never_hold_a_control_character() -> None:
    """Whatever sets their text (code, typing, a paste, an edit), the widgets hold the visible
    form.
    """
    from textual import events
    from textual.app import App, ComposeResult

    from tests.fakes.hostile import ATTACK, FORBIDDEN, VISIBLE
    from triage_tui.ui.widgets.draft import DraftEditor
    from triage_tui.ui.widgets.safe_input import SafeInput

    class Widgets(App[None]):
        def compose(self) -> ComposeResult:
            yield SafeInput(value="pre-filled " + ATTACK, id="box")
            yield DraftEditor(id="draft")

    app = Widgets()
    async with app.run_test() as pilot:
        box = app.query_one(SafeInput)
        assert VISIBLE in box.value and not FORBIDDEN.findall(box.value)
        box.value = "line\none " + ATTACK
        assert box.value.startswith("line␤one ") and not FORBIDDEN.findall(box.value)
        box.insert_text_at_cursor(ATTACK)
        assert not FORBIDDEN.findall(box.value)
        editor = app.query_one(DraftEditor)
        editor.load_text("saved\r\n" + ATTACK)
        assert editor.text.startswith("saved\n␛]52") and not FORBIDDEN.findall(editor.text)
        editor.insert("\ninserted " + ATTACK)
        editor.replace(ATTACK, (0, 0), (0, 5))
        editor.focus()
        await pilot.pause()
        editor.post_message(events.Paste(ATTACK))
        await pilot.pause()
        assert editor.text.count(VISIBLE) >= 3 and not FORBIDDEN.findall(editor.text)
