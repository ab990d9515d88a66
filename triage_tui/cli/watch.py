"""``triage watch``: the change feed, headless — each change as a line, as it happens.

The verb is a thin printer on the engine's ``Watcher`` (the process lifecycle
hooks attach to): it resumes from the cursor saved for the profile, prints
each batch and lets the watcher save the cursor after it, so a restart
neither repeats nor skips a change. ``--once`` prints what changed since the
saved cursor and exits. Ctrl-C ends it with 130 and nothing on stderr;
SIGTERM ends it with 0. ``triage changes --follow`` is this verb.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Coroutine, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from triage_tui.cli import output
from triage_tui.cli.run import Invocation, check_utf8, require_helpdesk
from triage_tui.domain import sla
from triage_tui.domain.errors import TriageError, Unsupported

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk
    from triage_tui.domain.changes import Change
    from triage_tui.domain.clock import Clock
    from triage_tui.engine.hooks import HookLease, HookRunner, LogReader, Ran
    from triage_tui.engine.watch import WatchBatch, WatchedChange
    from triage_tui.session import ConsoleContext

#: The saved cursor's consumer name (``engine.changes.cursor_path``): its own,
#: so neither ``triage changes`` nor the console moves what ``watch`` resumes from.
CONSUMER = "watch"
#: Where the hooks' reading of the event log resumes (its own saved position).
HOOK_EVENTS_CONSUMER = "watch-hook-events"
EXIT_INTERRUPTED = 130
RESYNC_LINE = "resync: the cursor could not be resumed; reload, then follow on"


def command(inv: Invocation, paths: frozenset[str], *, once: bool, since: str | None) -> int:
    """Run ``triage watch`` (``since``: start after that cursor and leave the saved one)."""
    from triage_tui import session
    from triage_tui.domain.clock import SystemClock
    from triage_tui.engine.changes import CursorFile, PollPolicy, cursor_path
    from triage_tui.engine.watch import Watcher

    check_utf8(inv.args, skip=paths)
    ctx = inv.context()
    require_helpdesk(ctx)
    clock = inv.clock or SystemClock()
    saved = CursorFile(cursor_path(session.helpdesk_key(ctx), CONSUMER))
    printer = Printer(json=bool(inv.args.json))
    signals: list[int] = []

    async def run() -> None:
        async with session.open_helpdesk(ctx, clock) as helpdesk:
            require_feed(helpdesk)
            watcher = Watcher(
                helpdesk,
                clock=clock,
                policy=PollPolicy.for_helpdesk(helpdesk, ctx.profile.poll_seconds),
                cursor=since,
                cursor_file=saved if since is None else None,
                on_error=printer.error,
            )
            watcher.subscribe(printer.batch)
            watcher.subscribe(lambda _batch: printer.left_out(helpdesk))
            hooks = _hooks(ctx, helpdesk, clock, printer)
            if hooks is not None:
                watcher.subscribe(hooks.batch)
            try:
                if once:
                    if not await watcher.once():
                        print("triage: more changes wait; run again to read on", file=sys.stderr)
                    printer.left_out(helpdesk)  # also when the read delivered no batch
                    if hooks is not None:
                        await hooks.run_due()  # the event log's events, retries come due
                    return
                with _stopping_on_signals(signals):
                    if hooks is None:
                        await watcher.run()
                    else:
                        await _with_retries(watcher.run(), hooks)
            finally:
                if hooks is not None:
                    hooks.lease.release()

    try:
        asyncio.run(run())
    except asyncio.CancelledError:
        if not signals:
            raise
    return EXIT_INTERRUPTED if signal.SIGINT in signals else 0


class WatchHooks:
    """The config's hooks on the watcher's batches: each change's events recorded
    once in the outbox and run (``engine.hooks``), outcomes printed."""

    def __init__(
        self, runner: HookRunner, lease: HookLease, printer: Printer, log: LogReader
    ) -> None:
        self.runner, self.lease, self.printer, self.log = runner, lease, printer, log
        runner.listeners.append(printer.hook)

    async def batch(self, batch: WatchBatch) -> None:
        from triage_tui.domain.changes import ChangeKind

        changes = []
        for watched in batch.changes:
            change = watched.change
            if change.kind is ChangeKind.DELETED:
                continue
            status = watched.ticket.status.value if watched.ticket is not None else None
            occurrence = "|".join(
                (
                    change.ticket_id,
                    change.kind.value,
                    change.at.isoformat() if change.at else "",
                    change.actor,
                )
            )
            changes.append((change.ticket_id, change.kind.value, status, occurrence))
        await self.log.read()
        await self.runner.on_changes(changes)

    async def run_due(self) -> None:
        """What the event log recorded since (escalations, replies, follow-ups…), then
        every hook entry due: run after a feed read and every few seconds."""
        await self.log.read()
        await self.runner.run_due()


def _hooks(
    ctx: ConsoleContext, helpdesk: Helpdesk, clock: Clock, printer: Printer
) -> WatchHooks | None:
    """The hooks this watcher runs: None without hooks, or while another process
    holds the profile's lease (it runs them; this one only prints)."""
    if not ctx.config.hooks:
        return None
    from triage_tui import paths, session
    from triage_tui.config import check_hook_env
    from triage_tui.engine.buffered import BufferedHelpdesk
    from triage_tui.engine.changes import CursorFile, cursor_path
    from triage_tui.engine.hooks import HookLease, HookRunner, LogReader, lease_path

    check_hook_env(ctx.config)
    if not isinstance(helpdesk, BufferedHelpdesk):
        return None
    key = session.helpdesk_key(ctx)
    lease = HookLease(lease_path(paths.data_dir(), key))
    if not lease.acquire():
        print(
            "triage: another triage watch runs this profile's hooks; this one only prints",
            file=sys.stderr,
            flush=True,
        )
        return None
    # The helpdesk's own session: the writes a hook makes (an assignment) then see
    # the hook's entry as this live run's, not as one a dead process left.
    buffered = helpdesk  # narrowed above: the outbox wrapper's own outbox and session
    runner = HookRunner(
        buffered, buffered.outbox, ctx.config, ctx.profile, clock, owner=buffered.session
    )
    log = LogReader(runner, CursorFile(cursor_path(key, HOOK_EVENTS_CONSUMER)))
    return WatchHooks(runner, lease, printer, log)


#: Seconds between looks for hook retries that came due while the feed is quiet.
HOOK_RETRY_LOOK_S = 5.0


async def _with_retries(following: Coroutine[Any, Any, None], hooks: WatchHooks) -> None:
    """Follow the feed and, beside it, run hook retries as they come due."""

    async def retries() -> None:
        while True:
            await asyncio.sleep(HOOK_RETRY_LOOK_S)
            await hooks.run_due()

    looker = asyncio.ensure_future(retries())
    try:
        await following
    finally:
        looker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await looker


@contextlib.contextmanager
def _stopping_on_signals(received: list[int]) -> Iterator[None]:
    """Ctrl-C and SIGTERM cancel the running watch at its next wait or read.

    Cancelling cannot fall between a batch's printing and its cursor's saving
    (nothing awaits there), so a batch is either printed and saved or neither.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    installed: list[int] = []

    def on_signal(signum: int) -> None:
        received.append(signum)
        if task is not None:
            task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            continue
        installed.append(signum)
    try:
        yield None
    finally:
        for installed_signum in installed:
            loop.remove_signal_handler(installed_signum)


def change_line(change: Change) -> str:
    """When, which ticket, what and who: the start of every line about a change."""
    parts = (
        change.at.strftime("%Y-%m-%d %H:%M:%S UTC") if change.at else "",
        f"#{output.one_line(change.ticket_id)}",
        change.kind.value,
        f"by {output.one_line(change.actor)}" if change.actor else "",
    )
    return "  ".join(part for part in parts if part)


def _sla_text(state: sla.SlaState, seconds: int | None) -> str:
    """``SLA 42m left``, ``SLA breached 1h05m ago``, ``SLA paused``, ``no SLA``."""
    if state is sla.SlaState.NONE or seconds is None:
        return "no SLA" if state is sla.SlaState.NONE else f"SLA {state.label}"
    if state is sla.SlaState.PAUSED:
        return "SLA paused"
    countdown = sla.format_countdown(timedelta(seconds=abs(seconds)))
    return f"SLA breached {countdown} ago" if seconds < 0 else f"SLA {countdown} left"


def require_feed(helpdesk: Helpdesk) -> None:
    if not helpdesk.capabilities.change_feed:
        raise Unsupported(f"{helpdesk.display_name} has no change feed")


class Printer:
    """Each batch as lines (or one JSON object per change) on stdout, flushed per
    batch so a pipe sees it at once; every text from the helpdesk terminal-safe."""

    def __init__(self, *, json: bool) -> None:
        from triage_tui.adapters.base import LeftOutSaid

        self.json = json
        self._left_out_said = LeftOutSaid()

    def left_out(self, helpdesk: Helpdesk) -> None:
        """Records the helpdesk sent that could not be read: a warning on stderr after
        the read that met them, each record once however often a poll meets it."""
        fresh = self._left_out_said.fresh(helpdesk.take_left_out())
        if fresh:
            line = output.one_line(fresh.line(helpdesk.display_name))
            print(f"triage: warning: {line}", file=sys.stderr, flush=True)

    def batch(self, batch: WatchBatch) -> None:
        if self.json:
            lines = [
                json.dumps({**c.as_json(), "cursor": batch.cursor}, ensure_ascii=True)
                for c in batch.changes
            ]
            if batch.resync:
                lines.append(json.dumps({"resync": True, "cursor": batch.cursor}))
        else:
            lines = [self.line(c) for c in batch.changes]
            if batch.resync:
                lines.append(RESYNC_LINE)
        if lines:
            print("\n".join(lines), flush=True)

    @staticmethod
    def line(watched: WatchedChange) -> str:
        line, ticket = change_line(watched.change), watched.ticket
        if ticket is None:
            return line
        parts = [
            line,
            f"{ticket.priority.value}{' VIP' if ticket.vip else ''}",
            ticket.status.value,
            _sla_text(ticket.sla_state, ticket.sla_seconds_left),
            output.one_line(ticket.subject),
        ]
        return "  ".join(part for part in parts if part)

    def hook(self, ran: Ran) -> None:
        """A hook's outcome: a line (or a JSON object) on stdout, terminal-safe."""
        if self.json:
            data = {
                "hook": ran.entry.payload.get("hook"),
                "action": ran.entry.payload.get("action"),
                "event": ran.entry.payload.get("event"),
                "ticket_id": ran.entry.payload.get("ticket_id"),
                "entry_id": ran.entry.id,
                "ok": ran.ok,
                "line": ran.line,
            }
            print(json.dumps(data, ensure_ascii=True), flush=True)
        else:
            print(output.one_line(ran.line), flush=True)

    @staticmethod
    def error(error: TriageError) -> None:
        line = output.one_line(str(error))
        print(f"triage: {line} (polling on, backing off)", file=sys.stderr, flush=True)
