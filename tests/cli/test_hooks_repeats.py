"""Issue 21 item 2 with the RT feed's repeats: a change reported twice runs its hooks once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.engine.test_hooks_runner import desk, events, runner_for
from triage_tui import config as cfg
from triage_tui.cli.watch import Printer, WatchHooks
from triage_tui.domain import hooks as dh
from triage_tui.domain.changes import Change, ChangeKind
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.engine.changes import CursorFile
from triage_tui.engine.hooks import HookLease, LogReader
from triage_tui.engine.watch import WatchBatch, WatchedChange

__all__ = ["desk"]  # the fixture, shared with the runner's tests


async def test_a_repeated_change_runs_its_hooks_once(
    desk: BufferedHelpdesk, clock: FrozenClock, tmp_path: Path
) -> None:
    """Issue 21 item 2 (and main's ``Change.repeat``): the RT feed reports a change a second
    time, flagged repeat, in a later batch; the watcher's hooks on it ran the first time and
    do not run again (the per-(hook, event) key does not depend on the flag). A change at a
    later time is a new event and runs again."""
    marker = tmp_path / "ran"
    hook = cfg.Hook(name="created", on=["ticket.created"], exec=f'echo x >> "{marker}"')
    runner = runner_for(desk, clock, hook)
    watch = WatchHooks(
        runner,
        HookLease(tmp_path / "lease"),
        Printer(json=False),
        LogReader(runner, CursorFile(tmp_path / "cursor")),
    )
    at = clock.now() - timedelta(seconds=5)
    first = Change("102", ChangeKind.CREATED, at, "Ana Lopez")
    again = Change("102", ChangeKind.CREATED, at, "Ana Lopez", repeat=True)
    await watch.batch(WatchBatch((WatchedChange(first, None),), "c1"))
    await watch.batch(WatchBatch((WatchedChange(again, None),), "c2"))
    assert marker.read_text() == "x\n"
    assert len(await events(desk, dh.HOOK_RAN)) == 1

    later = Change("102", ChangeKind.CREATED, at + timedelta(seconds=1), "Ana Lopez")
    await watch.batch(WatchBatch((WatchedChange(later, None),), "c3"))
    assert marker.read_text() == "x\nx\n"
