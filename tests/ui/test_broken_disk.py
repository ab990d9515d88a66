"""The console on a broken disk: a full disk loses nothing typed, a read-only data
folder gives a read-only console, a corrupt outbox is moved aside at start."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.fakes.disk import (
    body_of,
    fill,
    refuse_writes_under,
    remount_read_only,
    remount_writable,
    small_tmpfs,
)
from tests.fakes.fake_time import FakeTime, until
from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, settle
from tests.ui.test_outbox_console import make, messages
from triage_tui import private_files
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.drafts import DraftStore
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.prompts import SendScreen
from triage_tui.ui.widgets.queue import QueueView

TYPED = "Hi, I reset your SSO link and it works again now. Thanks for waiting."


@pytest.fixture(autouse=True)
def no_leftover_notices() -> Iterator[None]:
    private_files.take_notices()
    yield
    private_files.take_notices()


def notes(app: TriageApp) -> list[str]:
    return [n.message for n in app._notifications]


def helpdesk_of(app: TriageApp) -> BufferedHelpdesk:
    assert isinstance(app.helpdesk, BufferedHelpdesk)
    return app.helpdesk


async def type_reply(pilot: Pilot) -> tuple[str, TextArea]:
    """Open a sendable ticket, replace its draft with ``TYPED``; (ticket id, editor)."""
    screen = await settle(pilot)
    ticket_id = await move_to_sendable(pilot, screen)
    await pilot.press("e")
    editor = screen.query_one("#draft", TextArea)
    editor.select_all()
    await pilot.press(*TYPED)
    return ticket_id, editor


def saved_draft(app: TriageApp, ticket_id: str) -> str | None:
    """The draft as the next start would read it from disk."""
    drafts = helpdesk_of(app).drafts
    assert drafts is not None

    return body_of(DraftStore(drafts.directory, drafts.clock), ticket_id)


async def test_send_on_a_full_disk_keeps_every_typed_word_and_saves_it_when_space_returns(
    demo_db: Path, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    app = make(demo_db, clock, FakeTime(clock), data, hold=0)

    def disk_full(*args: object, **kwargs: object) -> list[om.Entry]:
        raise sqlite3.OperationalError("database or disk is full")

    async with app.run_test(size=(120, 40)) as pilot:
        drafts = helpdesk_of(app).drafts
        assert drafts is not None
        drafts.retry_delay = 0.05  # the retry that needs no keystroke, sooner for the test
        with refuse_writes_under(monkeypatch, data, errno.ENOSPC):
            monkeypatch.setattr(ob.Outbox, "add", disk_full)
            ticket_id, editor = await type_reply(pilot)
            await until(lambda: drafts.trouble is not None, what="the refused draft save")
            await pilot.press("ctrl+s")
            assert isinstance(app.screen, SendScreen)
            await pilot.press("enter")
            await settle(pilot)
            assert editor.text == TYPED  # still in the editor
            assert body_of(drafts, ticket_id) == TYPED
            assert messages(demo_db, ticket_id, TYPED) == 0
            not_sent = [n for n in notes(app) if n.startswith("Not sent:")]
            assert len(not_sent) == 1 and "database or disk is full" in not_sent[0]
            assert any("Draft not saved" in n and "No space left" in n for n in notes(app))
            assert not list(data.rglob("*.tmp*"))  # no empty temporary draft left behind
            monkeypatch.undo()
        await until(lambda: saved_draft(app, ticket_id) == TYPED, what="the draft saved again")
        await until(lambda: any("Drafts are saved again" in n for n in notes(app)))
        # And now Send goes through.
        await pilot.press("ctrl+s", "enter")
        await until(lambda: messages(demo_db, ticket_id, TYPED) == 1, what="the reply delivered")


async def test_a_really_full_disk_keeps_the_draft_in_the_editor_and_writes_it_later(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    with small_tmpfs(tmp_path / "disk", size="512k") as disk:
        app = make(demo_db, clock, FakeTime(clock), disk / "data", hold=0)
        async with app.run_test(size=(120, 40)) as pilot:
            drafts = helpdesk_of(app).drafts
            assert drafts is not None
            drafts.retry_delay = 0.05
            await settle(pilot)
            filler = fill(disk)
            ticket_id, editor = await type_reply(pilot)
            await until(lambda: drafts.trouble is not None, what="the refused draft save")
            assert "No space left on device" in (drafts.trouble or "")
            assert editor.text == TYPED and body_of(drafts, ticket_id) == TYPED
            filler.unlink()
            await until(lambda: saved_draft(app, ticket_id) == TYPED, what="the draft written")
            await until(lambda: drafts.trouble is None, what="the trouble cleared")


async def read_only_console(app: TriageApp, demo_db: Path, data: Path) -> None:
    """Starts, says once which folder is read-only, shows the queue, refuses Send in one line."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        disabled = [n for n in notes(app) if n.startswith("Writes are disabled:")]
        assert len(disabled) == 1 and str(data) in disabled[0]
        assert len(screen.query_one(QueueView).rows) > 10
        ticket_id = await move_to_sendable(pilot, screen)
        draft = screen.query_one("#draft", TextArea).text
        await pilot.press("s", "enter")
        await settle(pilot)
        not_sent = [n for n in notes(app) if n.startswith("Not sent:")]
        assert len(not_sent) == 1 and "writes are disabled" in not_sent[0]
        assert str(data) in not_sent[0]
        assert messages(demo_db, ticket_id, draft) == 0
        assert screen.query_one("#draft", TextArea).text == draft


async def test_a_read_only_data_folder_gives_a_read_only_console(
    demo_db: Path, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    with refuse_writes_under(monkeypatch, data, errno.EROFS):
        await read_only_console(make(demo_db, clock, FakeTime(clock), data), demo_db, data)


async def test_a_really_read_only_mount_gives_a_read_only_console(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        remount_read_only(disk)
        try:
            app = make(demo_db, clock, FakeTime(clock), disk / "data")
            await read_only_console(app, demo_db, disk)
        finally:
            remount_writable(disk)


async def test_a_corrupt_outbox_is_moved_aside_at_start_and_sending_works(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    box = data / "outbox" / "ui.local.0.sqlite3"
    box.parent.mkdir(parents=True)
    box.write_bytes(b"\x00garbage after a crash\x00" * 100)
    app = make(demo_db, clock, FakeTime(clock), data, hold=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        (moved,) = box.parent.glob(box.name + ".corrupt-*")
        assert any(moved.name in n and "fresh one started" in n for n in notes(app))
        ticket_id = await move_to_sendable(pilot, screen)
        draft = screen.query_one("#draft", TextArea).text
        await pilot.press("s", "enter")
        await until(lambda: messages(demo_db, ticket_id, draft) == 1, what="the reply delivered")
        status = db_rows(demo_db, "SELECT status FROM tickets WHERE id=?", ticket_id)[0][0]
        assert status == "pending"
