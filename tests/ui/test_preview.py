"""The detail pane with and without preview: over SSH j/k only move the cursor.

A ticket's detail is ~20 KB on the wire, a cursor move ~0.3 KB, so with
``preview = "enter"`` (the default over SSH) the open ticket stays until Enter
opens another; actions act on the open ticket and moving on opens the next.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import db_rows
from tests.ui.test_console import line_text, settle
from triage_tui.config import ConfigError, load, preview_follows_cursor
from triage_tui.domain import events
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.queue import QueueView
from triage_tui.ui.widgets.ticket import TicketPane

SSH = {"SSH_CONNECTION": "203.0.113.7 51514 10.0.0.2 22"}


def viewed(db: Path) -> list[str]:
    return [
        r[0]
        for r in db_rows(
            db, "SELECT ticket_id FROM events WHERE name = ? ORDER BY id", events.VIEWED
        )
    ]


@pytest.mark.parametrize(
    ("preview", "environ", "follows"),
    [
        ("auto", {}, True),
        ("auto", SSH, False),
        ("auto", {"SSH_TTY": "/dev/pts/3"}, False),
        ("follow", SSH, True),
        ("enter", {}, False),
    ],
)
def test_preview_setting_and_ssh_session_decide_who_follows(
    preview: str, environ: dict[str, str], follows: bool
) -> None:
    assert preview_follows_cursor(preview, environ) is follows


def test_an_unknown_preview_value_is_a_one_line_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default]\npreview = "sideways"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load(path)
    assert "preview" in str(error.value) and "\n" not in str(error.value)


def footer_keys(screen: MainScreen) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [key.description for key in screen.query(FooterKey)]


async def test_over_ssh_jk_moves_the_cursor_and_enter_opens(
    demo_db: Path, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SSH.items():
        monkeypatch.setenv(name, value)
    app = make_app(demo_db)  # preview = "auto"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        first, second = queue.rows[0].id, queue.rows[1].id
        assert screen.view is not None and screen.view.detail.ticket.id == first
        assert line_text(queue, 0).startswith("▶")

        await pilot.press("j")
        await settle(pilot)
        assert queue.current.id == second
        assert screen.view.detail.ticket.id == first  # still the open ticket
        assert str(screen.query_one(TicketPane).border_title) == f"Ticket #{first}"
        assert line_text(queue, 0).startswith("▶") and not line_text(queue, 1).startswith("▶")
        assert second not in viewed(demo_db)
        assert "Open" in footer_keys(screen)  # the footer says what opens it

        await pilot.press("enter")
        await settle(pilot)
        assert screen.view.detail.ticket.id == second
        assert str(screen.query_one(TicketPane).border_title) == f"Ticket #{second}"
        assert line_text(queue, 1).startswith("▶") and not line_text(queue, 0).startswith("▶")
        assert viewed(demo_db)[-1] == second
        assert queue.has_focus  # Enter on a closed ticket opens it; again focuses the detail

        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(TicketPane).has_focus


async def test_without_preview_skip_acts_on_the_open_ticket_and_opens_the_next(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db, preview="enter")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        first, second = queue.rows[0].id, queue.rows[1].id
        await pilot.press("j", "j", "j")  # the cursor wanders; the first stays open
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        skipped = db_rows(demo_db, "SELECT ticket_id FROM events WHERE name = ?", events.SKIPPED)
        assert skipped == [(first,)]
        assert queue.current.id == second
        assert screen.view is not None and screen.view.detail.ticket.id == second
        assert line_text(queue, 1).startswith("▶")


async def test_with_preview_the_cursor_row_has_no_open_marker(demo_db: Path, make_app) -> None:
    app = make_app(demo_db, preview="follow")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        await pilot.press("j")
        await settle(pilot)
        assert screen.view is not None and screen.view.detail.ticket.id == queue.rows[1].id
        assert not any(line_text(queue, y).startswith("▶") for y in range(3))
        assert "Open" not in footer_keys(screen)  # j/k open tickets: Enter is not advertised
        await pilot.press("enter")  # Enter on the open ticket still goes to its detail
        await settle(pilot)
        assert screen.query_one(TicketPane).has_focus


async def test_a_ticket_shown_again_is_not_viewed_again(demo_db: Path, make_app) -> None:
    """The queue load, the KB index and the clustering each re-show the open ticket;
    the agent viewed it once. Moving away and back is a second view."""
    app = make_app(demo_db, preview="follow")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        first = screen.query_one(QueueView).rows[0].id
        screen.show_ticket(first)  # as a refresh or the KB index would
        await settle(pilot)
        assert viewed(demo_db) == [first]
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        second = screen.query_one(QueueView).rows[1].id
        assert viewed(demo_db) == [first, second, first]
