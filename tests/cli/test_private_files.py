"""Customer data stays private on a shared host: under umask 022 the verbs and the
console create nothing other users can read, older loose files are tightened at
start with one notice, and ``triage doctor`` names any left."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import TextArea

from tests.cli.conftest import Result, Runner
from tests.fakes.fake_time import FakeTime, until
from tests.ui.test_console import move_to_sendable, settle
from tests.ui.test_outbox_console import make, messages
from triage_tui import private_files
from triage_tui.domain.clock import FrozenClock
from triage_tui.ui.screens.report import ReportScreen


@pytest.fixture(autouse=True)
def shared_host_umask() -> Iterator[None]:
    old = os.umask(0o022)
    private_files.take_notices()
    yield
    os.umask(old)
    private_files.take_notices()


def readable_by_others(*roots: Path) -> dict[str, str]:
    found = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            for name in [".", *dirs, *files]:
                path = Path(folder, name)
                mode = stat.S_IMODE(path.lstat().st_mode)
                if mode & 0o077:
                    found[str(path)] = oct(mode)
    return found


async def test_verbs_and_the_console_create_only_private_files_under_umask_022(
    run: Runner, isolated_dirs: Path, clock: FrozenClock
) -> None:
    config, data = isolated_dirs / "config", isolated_dirs / "data"

    def verb(*argv: str) -> Result:  # main() runs its own event loop: not on this one
        return run(*argv)

    assert (await asyncio.to_thread(verb, "config", "init")).code == 0
    assert (await asyncio.to_thread(verb, "demo", "--tickets", "60")).code == 0
    first = (await asyncio.to_thread(verb, "queue", "--json")).json()["tickets"][0]["id"]
    assert (
        await asyncio.to_thread(verb, "reply-ticket", first, "We are on it.", "--send-anyway")
    ).code == 0
    assert os.umask(0o022) == 0o022  # the verbs gave the umask back
    # The console, on the same data folder, in this process (umask 022): a draft
    # typed, a reply sent through the outbox, the session report exported.
    app = make(data / "helpdesk.db", clock, FakeTime(clock), data, hold=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        await pilot.press("e", *"Thanks, ")
        drafts = app.helpdesk.drafts  # type: ignore[attr-defined]
        await until(lambda: any(drafts.directory.glob("*.json")), what="the draft saved")
        body = screen.query_one("#draft", TextArea).text
        await pilot.press("ctrl+s", "enter")
        await until(lambda: messages(data / "helpdesk.db", ticket_id, body) == 1)
        await settle(pilot)
        await pilot.press("R")
        await until(lambda: isinstance(app.screen, ReportScreen), what="the report")
        await pilot.press("w")
        await until(lambda: any((data / "reports").glob("*.md")), what="the report file")
    assert (data / "helpdesk.db").exists() and list((data / "outbox").glob("*.sqlite3"))
    assert (config / "config.toml").exists()
    assert readable_by_others(config, data) == {}


def test_loose_files_are_tightened_at_start_with_one_notice(
    db_run: Runner, isolated_dirs: Path
) -> None:
    data = isolated_dirs / "data"
    drafts = data / "drafts" / "old"
    drafts.mkdir(parents=True)
    for folder in (data, data / "drafts", drafts):
        folder.chmod(0o755)
    leaked = drafts / "1042.json"
    leaked.write_text('{"ticket_id": "1042", "body": "secret"}')
    leaked.chmod(0o644)
    result = db_run("queue")
    assert result.code == 0
    notices = [line for line in result.err.splitlines() if "private" in line]
    assert len(notices) == 1 and notices[0].startswith("triage: Made 4 file(s)")
    assert readable_by_others(data) == {}
    assert "private" not in db_run("queue").err  # once: nothing left to tighten


def test_doctor_names_files_other_users_can_read(
    run: Runner, isolated_dirs: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_LOCAL_DB", str(demo_db))
    cache = isolated_dirs / "data" / "cache"
    cache.mkdir(parents=True)
    (cache / "k.sqlite3").write_text("x")
    (cache / "k.sqlite3").chmod(0o644)
    result = run("doctor")
    (line,) = [x for x in result.out.splitlines() if x[2:].startswith("files")]
    assert result.code == 1 and line.startswith("✗ files")
    assert str(cache / "k.sqlite3") in line and "chmod -R go-rwx" in line
    assert stat.S_IMODE((cache / "k.sqlite3").stat().st_mode) == 0o644  # reported, not changed
    run("queue")  # any other command makes them private
    assert run("doctor").code == 0
