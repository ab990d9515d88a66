"""Presence in the console (issue 18 item 5), driven with Pilot.

A colleague's console is a record planted in the team directory, as that
console would write it (its process alive on this host, a fresh heartbeat);
the console under test reads it on its tick and writes its own record.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.fakes.presence import colleague_process, gone_pid, plant, record_json, team_directory
from tests.ui.test_console import settle
from tests.ui.test_live_queue import until
from triage_tui.domain.presence import parse
from triage_tui.engine.presence import helpdesk_key
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import TicketPane

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and pids")


@pytest.fixture
def team(tmp_path: Path) -> Path:
    return team_directory(tmp_path)


@pytest.fixture
def colleague_pid() -> Iterator[int]:
    with colleague_process() as pid:
        yield pid


def plant_colleague(team: Path, db: Path, pid: int, agent: str, ticket: str, state: str) -> Path:
    """The record Mei's console on this host writes for the helpdesk in ``db``."""
    folder = team / helpdesk_key("local", {"db": str(db)})
    record = record_json(
        pid, socket.gethostname(), time.time(), agent=agent, ticket=ticket, state=state
    )
    return plant(folder, f"colleague-{pid}.json", record)


def row_text(queue: QueueView, ticket_id: str) -> str:
    index = next(i for i, row in enumerate(queue.rows) if row.id == ticket_id)
    y = index - int(queue.scroll_y)
    return "".join(segment.text for segment in queue.render_line(y))


async def look(pilot: Pilot, screen: MainScreen) -> None:
    """One tick of the main screen (the tests drive the ticks), and the look at
    the board it starts, done."""
    presence = screen.live.presence if screen.live is not None else None
    assert presence is not None
    await until(pilot, lambda: not presence.busy, "the last look done")
    before = presence.looks
    screen.tick()
    await until(pilot, lambda: presence.looks > before, "a look at the board")


async def test_a_colleague_replying_shows_on_the_row_the_ticket_and_send(
    demo_db: Path,
    make_app: Callable[..., TriageApp],
    team: Path,
    colleague_pid: int,
) -> None:
    """Issue 18 item 5: Mei (another console on this host) replying to a ticket:
    its row shows ``Mei ✎``, opening it shows ``Mei Chen is replying`` on the
    ticket, and Send warns in its prompt before anything goes. This console's
    own record follows its open ticket and its editor, and goes on quit."""
    app = make_app(demo_db, team_dir=team, preview="follow")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        target = queue.rows[3].id
        plant_colleague(team, demo_db, colleague_pid, "Mei Chen", target, "replying")
        await look(pilot, screen)
        await until(pilot, lambda: queue.presence.get(target) == "Mei ✎", "Mei's marker")
        assert "Mei ✎" in row_text(queue, target)
        # This console's own record: the open ticket, viewing.
        presence = screen.live.presence if screen.live else None
        assert presence is not None
        own = presence.board.path
        assert own.exists() and oct(own.stat().st_mode & 0o777) == oct(0o660)
        opened = screen.requested_id
        record = parse(own.read_bytes())
        assert record is not None and record.ticket == opened and not record.replying

        queue.move_to(3)
        await pilot.pause()
        pane = screen.query_one(TicketPane)
        await until(
            pilot, lambda: "Mei Chen is replying" in str(pane.border_subtitle or ""), "notice"
        )
        await until(
            pilot,
            lambda: (r := parse(own.read_bytes())) is not None and r.ticket == target,
            "own record",
        )
        await pilot.press("e")
        await look(pilot, screen)
        await until(
            pilot, lambda: (r := parse(own.read_bytes())) is not None and r.replying, "replying"
        )

        await pilot.press("escape")
        await pilot.press("s")
        await pilot.pause()
        from triage_tui.ui.screens.prompts import SendScreen

        prompt = app.screen
        assert isinstance(prompt, SendScreen)
        assert "Mei Chen is replying to this ticket right now" in prompt.changed
        await pilot.press("escape")  # nothing sent
        await pilot.pause()
    assert not own.exists()


async def test_a_colleague_leaving_or_going_stale_clears_the_marker(
    demo_db: Path,
    make_app: Callable[..., TriageApp],
    team: Path,
    colleague_pid: int,
) -> None:
    """Issue 18 item 5: the marker goes when the colleague's record goes (a clean
    quit) and when its process is gone (a console killed with -9)."""
    app = make_app(demo_db, team_dir=team, preview="follow")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        target = queue.rows[2].id
        planted = plant_colleague(team, demo_db, colleague_pid, "Mei Chen", target, "viewing")
        await look(pilot, screen)
        await until(pilot, lambda: queue.presence.get(target) == "Mei ◎", "Mei's marker")
        planted.unlink()
        await look(pilot, screen)
        await until(pilot, lambda: target not in queue.presence, "the marker gone")
        assert "Mei" not in row_text(queue, target)
        plant_colleague(team, demo_db, gone_pid(), "Ghost Agent", target, "replying")
        await look(pilot, screen)
        assert target not in queue.presence


async def test_a_hostile_record_cannot_reach_the_terminal(
    demo_db: Path,
    make_app: Callable[..., TriageApp],
    team: Path,
    colleague_pid: int,
) -> None:
    """Issue 18 item 5: a colleague's file whose name carries escapes and markup
    shows them as visible text on the row and the ticket, never raw."""
    app = make_app(demo_db, team_dir=team, preview="follow")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        opened = screen.requested_id
        assert opened is not None
        hostile = "\x1b[2J\x1b]0;pwned\x07Eve [@click=app.quit]x[/]"
        plant_colleague(team, demo_db, colleague_pid, hostile, opened, "replying")
        await look(pilot, screen)
        await until(pilot, lambda: opened in queue.presence, "the planted marker")
        row = row_text(queue, opened)
        assert "\x1b" not in row and "\x07" not in row and "␛" in row
        pane = screen.query_one(TicketPane)
        await until(pilot, lambda: "is replying" in str(pane.border_subtitle or ""), "notice")
        subtitle = pane._border_subtitle
        assert subtitle is not None
        shown = subtitle.plain
        assert "\x1b" not in shown and "␛" in shown
        assert "[@click=app.quit]" in shown  # shown as typed, not parsed
        assert app.is_running


async def test_an_unusable_team_dir_is_one_notice_and_presence_stays_off(
    demo_db: Path, make_app: Callable[..., TriageApp], tmp_path: Path
) -> None:
    """Issue 18 item 5: a missing team directory: one notice naming the fix; the
    console works on without presence."""
    missing = tmp_path / "no-such-team"
    app = make_app(demo_db, team_dir=missing)
    notices: list[str] = []
    original = app.notify

    def keep(message: str, **kwargs: object) -> None:
        notices.append(message)
        original(message, **kwargs)  # type: ignore[arg-type]

    app.notify = keep  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.live is not None and screen.live.presence is None
        said = [n for n in notices if "Presence off" in n]
        assert len(said) == 1 and "install -d -m 2770" in said[0]
        assert "\n" not in said[0]
        await pilot.press("j")
        await pilot.pause()
        assert not missing.exists()
