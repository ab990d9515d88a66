"""How a command runs once parsed: the helpdesk it resolves, the console, the verb runner.

Only the standard library and ``collector`` are imported here, so building the
parser (which imports the command table, which names these runners) stays
cheap; each runner imports what it needs when it runs.
"""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui import collector

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk
    from triage_tui.cli.verbs import Outcome, View
    from triage_tui.domain.clock import Clock
    from triage_tui.session import ConsoleContext

#: A verb bound to its arguments, waiting for an open helpdesk.
Call = Callable[["Helpdesk"], Awaitable["Outcome"]]
#: Binds the parsed arguments to a verb; reads stdin, checks combinations, before any I/O.
Bind = Callable[[Namespace, "View", "ConsoleContext"], Call]

#: Frames a second when the detail follows the cursor (Textual's default is 60).
LOCAL_FPS = "240"


@dataclass(frozen=True)
class Invocation:
    """One run of one command: its parsed arguments and the clock countdowns use."""

    args: Namespace
    clock: Clock | None = None

    @property
    def config_path(self) -> Path | None:
        config: str | None = self.args.config
        return Path(config).expanduser() if config else None

    def context(self, *, local_only: str | None = None, view: str | None = None) -> ConsoleContext:
        """Resolve the helpdesk from flags, environment and config (see ``session``)."""
        from triage_tui import session
        from triage_tui.domain.errors import ConfigError

        adapter: str | None = self.args.adapter
        if local_only:
            # demo and kb import fill the embedded helpdesk whatever the profile uses.
            if adapter and adapter != "local":
                raise ConfigError(
                    f"{local_only} works on the local helpdesk, not adapter {adapter!r}"
                )
            adapter = "local"
        return session.resolve(
            profile=self.args.profile,
            adapter=adapter,
            db=self.args.db,
            config_path=self.config_path,
            theme=self.args.theme,
            view=view,
        )


def console(inv: Invocation, sweep: str | None = None) -> int:
    """The console (``triage``), or the console opened on a sweep's plan (``triage sweep``)."""
    # Until the main screen has painted its first rows (``collector``).
    with collector.during_start_up():
        from triage_tui import session

        ctx = inv.context(view=inv.args.view)
        if sweep is not None:
            # Checked before any screen is drawn: a bad filter is a one-line error here.
            import dataclasses

            from triage_tui.domain.filters import parse

            canonical = str(parse(sweep, me=ctx.profile.agent))
            ctx = dataclasses.replace(ctx, initial_sweep=canonical)
        # Every write of the console goes through the profile's outbox: held for
        # the undo window, delivered in the background, never lost or doubled.
        helpdesk = session.buffered(session.build_helpdesk(ctx, inv.clock), ctx, mode="console")
        _local_frame_rate(ctx.profile.preview)
        from triage_tui.ui.app import run  # Textual is imported only here

        extra: dict[str, Any] = {}
        if ctx.initial_filter is not None:
            extra["initial_filter"] = ctx.initial_filter  # --view: the queue's filter at start
        if ctx.initial_sweep is not None:
            extra["initial_sweep"] = ctx.initial_sweep  # the main screen opens its plan
        return int(run(helpdesk, ctx.profile, ctx.config, theme=ctx.theme, **extra) or 0)


def _local_frame_rate(preview: str) -> None:
    """Where the detail follows the cursor (a local terminal), the ticket's frame
    is ready ~8 ms after the cursor's, and Textual's screen timer, having just
    drawn the cursor, next ticks one to two slots later: 17-33 ms at 60 frames
    a second, 8-17 at 120, 4-8 at 240, and the ticket waits for that tick.
    Locally bytes are free; over SSH,
    where the ticket opens with Enter, the default rate keeps held keys light.
    Read by Textual when it is first imported, so set before; an agent's own
    ``TEXTUAL_FPS`` wins."""
    from triage_tui.config import preview_follows_cursor

    if preview_follows_cursor(preview):
        os.environ.setdefault("TEXTUAL_FPS", LOCAL_FPS)


def read_text(value: str) -> str:
    """``-`` means the text comes from stdin (long replies, pipes from other tools)."""
    return sys.stdin.read() if value == "-" else value


def verb(inv: Invocation, bind: Bind, paths: Iterable[str]) -> int:
    """Run a scriptable verb: bind it, open the helpdesk, print its outcome.

    ``paths`` are the destinations of file-name options, whose bytes are the
    file system's business rather than text for a helpdesk.
    """
    # Until the helpdesk is open (``collector``): scripts and agents call verbs
    # one after another, each paying the start-up.
    with collector.during_start_up():
        import asyncio

        from triage_tui import session
        from triage_tui.cli import output, verbs
        from triage_tui.domain.clock import SystemClock

        check_utf8(inv.args, skip=frozenset(paths))
        ctx = inv.context()
        clock = inv.clock or SystemClock()
        as_json = bool(inv.args.json)
        view = verbs.View(
            now=clock.now(),
            json=as_json,
            colour=not as_json and output.use_colour(sys.stdout),
            width=None if as_json else output.terminal_width(sys.stdout),
        )
        call = bind(inv.args, view, ctx)

        async def run() -> Outcome:
            async with session.open_helpdesk(ctx, clock) as helpdesk:
                collector.resume()  # the verb's own work is collected as usual
                return await call(helpdesk)

        outcome = asyncio.run(run())
        if as_json:
            print(output.dumps(outcome.data))
        else:
            print("\n".join(outcome.lines))
            for hint in outcome.hints:
                print(f"triage: {hint}", file=sys.stderr)
        sys.stdout.flush()
        return 0


def check_utf8(args: Namespace, *, skip: frozenset[str]) -> None:
    """Undecodable bytes in argv (lone surrogates) are refused, not sent to a helpdesk.

    The check itself is the verbs' own (``verbs.require_utf8``), applied here
    to every text argument before anything is written.
    """
    from triage_tui.cli.verbs import require_utf8

    for name, value in vars(args).items():
        if name in skip:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                require_utf8(item, name.replace("_", "-"))
