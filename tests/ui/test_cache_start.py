"""Issue 20 item 3: a console on a remote helpdesk starts from its cache.

The fake Zendesk of ``tests/fakes/zendesk.py`` on loopback; a first console
fills the offline cache, tickets then change on the helpdesk, and the second
console's requests are held at a gate: its first screen is the cached queue
with the data's age in the top bar, and once the gate opens the fresh queue
is merged with the cursor on the ticket it was on.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.adapters.remote_factories import no_sleep, zendesk_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.fake_time import FakeTime
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from tests.ui.settling import workers_done
from triage_tui.adapters.zendesk import ZendeskHelpdesk
from triage_tui.adapters.zendesk.options import ZendeskOptions
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.queue import QueueView

KEY = "ui.zendesk.cache"


class GatedZendesk(FakeZendesk):
    """The fake Zendesk, answering only while ``gate`` is open."""

    gate: threading.Event

    def _serve(self, handler: Any) -> None:
        self.gate.wait(timeout=60)
        super()._serve(handler)


@pytest.fixture
def fake(clock: FrozenClock) -> Iterator[GatedZendesk]:
    with GatedZendesk(clock) as server:
        server.gate = threading.Event()
        server.gate.set()
        seed_zendesk(server, DEFAULT_SPEC.with_fillers(40))
        yield server
        server.gate.set()


def console(
    fake: FakeZendesk, clock: FrozenClock, data: Path, options: ZendeskOptions | None = None
) -> TriageApp:
    """A console on ``fake`` (or on ``options``: a fake since stopped)."""
    inner = ZendeskHelpdesk(options or zendesk_options(fake), clock, sleep=no_sleep)
    helpdesk = BufferedHelpdesk(
        inner,
        KEY,
        hold_seconds=0,
        data_dir=data,
        sleep=FakeTime(clock).sleep,
        rng=random.Random(5),
    )
    return TriageApp(
        helpdesk,
        profile=Profile(agent="Sam Agent", undo_seconds=0),
        clock=clock,
        tick_seconds=3600,
    )


async def until(pilot: Pilot, test: Callable[[], bool], what: str) -> None:
    """Pause until ``test()`` holds (bounded so a broken console fails, not hangs)."""
    for _ in range(600):
        if test():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never: {what}")


def topbar(app: TriageApp) -> str:
    return str(app.screen.query_one("#topbar", Static).render())


def queue_ids(app: TriageApp) -> list[str]:
    return [row.id for row in app.screen.query_one(QueueView).rows]


async def fill_cache(fake: FakeZendesk, clock: FrozenClock, data: Path) -> list[str]:
    """A first console that loads the whole queue (and so caches it); its queue's ids."""
    first = console(fake, clock, data)
    async with first.run_test(size=(120, 40)) as pilot:
        screen = first.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: screen.queue_loaded, "the first console loaded its queue")
        await workers_done(first)
        return queue_ids(first)


async def test_the_first_screen_is_the_cached_queue_then_the_fresh_one_merges_in_place(
    fake: GatedZendesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 20 item 3: cached rows and their age before the network answers; the
    fresh read merges in with the cursor kept on its ticket."""
    data = tmp_path / "data"
    cached_ids = await fill_cache(fake, clock, data)
    assert len(cached_ids) > 5

    # Meanwhile on the helpdesk: a ticket below the cursor solved, the last one made urgent.
    solved, urgent = cached_ids[10], cached_ids[-1]
    with fake.lock:
        fake.tickets[int(solved)]["status"] = "solved"
        fake.touch(int(solved))
        fake.tickets[int(urgent)]["priority"] = "urgent"
        fake.touch(int(urgent))
    clock.advance(timedelta(minutes=4))
    fake.gate.clear()  # the network does not answer yet

    second = console(fake, clock, data)
    async with second.run_test(size=(120, 40)) as pilot:
        screen = second.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: bool(queue_ids(second)), "the cached queue on screen")
        assert queue_ids(second) == cached_ids
        assert "data from 4 min ago · refreshing" in topbar(second)
        assert not screen.queue_loaded
        queue = screen.query_one(QueueView)
        for _ in range(4):
            await pilot.press("j")
        await pilot.pause()
        kept = queue.current
        assert kept is not None and kept.id not in (solved, urgent)
        line = queue.cursor - int(queue.scroll_y)

        fake.gate.set()
        await until(pilot, lambda: screen.queue_loaded, "the fresh queue merged")
        await workers_done(second)
        await asyncio.sleep(0)
        ids = queue_ids(second)
        assert solved not in ids  # the fresh read, not the cache
        fresh_urgent = next(row for row in queue.rows if row.id == urgent)
        assert fresh_urgent.priority.value == "urgent"
        assert queue.current is not None and queue.current.id == kept.id
        assert queue.cursor - int(queue.scroll_y) == line
        assert "refreshing" not in topbar(second)
        assert "Zendesk ✓" in topbar(second)
        assert screen.requested_id == kept.id  # the ticket under the cursor is open


async def test_without_a_cache_the_console_starts_as_before(
    fake: GatedZendesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 20 item 3: no cached queue (a first run): nothing on screen and no age
    line while the helpdesk is read, then the fresh queue with the cursor on top."""
    fake.gate.clear()
    app = console(fake, clock, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for _ in range(5):
            await pilot.pause(0.02)
        assert queue_ids(app) == []
        assert "data from" not in topbar(app)
        assert "Zendesk …" in topbar(app)

        fake.gate.set()
        await until(pilot, lambda: screen.queue_loaded, "the queue loaded")
        await workers_done(app)
        queue = screen.query_one(QueueView)
        rows = queue.rows
        assert len(rows) > 5
        assert [row.sort_key() for row in rows] == sorted(row.sort_key() for row in rows)
        assert queue.cursor == 0
        assert "Zendesk ✓" in topbar(app)
        assert "data from" not in topbar(app)


async def test_an_unreachable_helpdesk_starts_from_the_cache_and_says_offline(
    fake: GatedZendesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 20 item 3: the cached queue first; when the fresh read cannot reach the
    helpdesk, the queue stays the cached one and the offline banner takes over
    from the top bar's *refreshing*."""
    from tests.ui.test_outbox_console import banner
    from triage_tui.ui.widgets.offline_banner import OfflineBanner

    data = tmp_path / "data"
    cached_ids = await fill_cache(fake, clock, data)
    options = zendesk_options(fake)
    fake.stop()  # nothing listens on its port any more
    clock.advance(timedelta(minutes=4))

    second = console(fake, clock, data, options)
    async with second.run_test(size=(120, 40)) as pilot:
        screen = second.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: screen.queue_loaded, "the queue loaded from the cache")
        await workers_done(second)
        assert queue_ids(second) == cached_ids
        assert "refreshing" not in topbar(second)
        text = await banner(pilot, OfflineBanner)
        assert text.startswith("Offline")
        # The cached data's age: 4 minutes when the console started, more once the
        # outbox's back-off (FakeTime: its sleeps move the clock) has retried.
        age = re.search(r"data from (\d+) min ago", text)
        assert age is not None and int(age.group(1)) >= 4, text


async def test_only_a_remote_helpdesk_starts_from_the_cache(
    fake: GatedZendesk, clock: FrozenClock, tmp_path: Path, demo_db: Path
) -> None:
    """Issue 20 item 3: the local helpdesk is read as quickly as the cache (and its
    start is decided without a thread hop); a remote one starts from it."""
    from tests.fakes.fake_time import FakeTime
    from tests.ui.test_outbox_console import make

    local = make(demo_db, clock, FakeTime(clock), tmp_path / "local").helpdesk
    remote = console(fake, clock, tmp_path / "remote").helpdesk
    assert isinstance(local, BufferedHelpdesk) and isinstance(remote, BufferedHelpdesk)
    assert not local.starts_from_cache
    assert remote.starts_from_cache
    assert local.cached_queue() is None


def queue_title(app: TriageApp) -> str:
    return str(app.screen.query_one("#queue-title", Static).render())


def refusing_console(fake: FakeZendesk, clock: FrozenClock, data: Path) -> TriageApp:
    """A console on ``fake`` failing every read (500) until ``answers_again``."""
    fake.fail(500, {"error": "InternalError"}, times=10_000)
    return console(fake, clock, data)


def answers_again(fake: FakeZendesk) -> None:
    with fake.lock:
        fake.faults.clear()


async def failed_first_read(pilot: Pilot, app: TriageApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    await until(pilot, lambda: screen.load_failure is not None, "the failed read")
    return screen


async def test_a_queue_that_could_not_be_read_says_so_and_is_read_again(
    fake: GatedZendesk, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cache and a helpdesk that fails the first read: the screen says the queue
    could not be read (not "0 open" beside "Loading the queue…") and the console
    reads it again by itself, so it comes back with the helpdesk, no key pressed."""
    from tests.ui.test_console import pane_text
    from triage_tui.ui.screens import main as main_screen

    monkeypatch.setattr(main_screen, "RETRY_FIRST_S", 0.3)
    app = refusing_console(fake, clock, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await failed_first_read(pilot, app)
        await until(pilot, lambda: "could not be read" in pane_text(screen), "the reason shown")
        assert "Queue · could not be read" in queue_title(app)
        assert "open" not in queue_title(app)
        text = pane_text(screen)
        assert "Loading the queue" not in text
        assert "500" in text and "r reads it now" in text
        assert queue_ids(app) == []

        answers_again(fake)
        await until(pilot, lambda: screen.queue_loaded, "the queue read again by itself")
        await workers_done(app)
        assert len(queue_ids(app)) > 5
        assert screen.load_failure is None
        assert "open" in queue_title(app) and "could not" not in queue_title(app)
        assert "Zendesk ✓" in topbar(app)
        await until(
            pilot, lambda: "could not be read" not in pane_text(screen), "a ticket in its place"
        )


async def test_r_reads_a_queue_that_could_not_be_read_at_once(
    fake: GatedZendesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """The automatic read waits (10 s, doubling); `r` does not."""
    app = refusing_console(fake, clock, tmp_path / "data")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await failed_first_read(pilot, app)
        answers_again(fake)
        await pilot.press("r")
        await until(pilot, lambda: screen.queue_loaded, "the queue read on r")
        assert len(queue_ids(app)) > 5
        assert "could not" not in queue_title(app)
