"""How a command runs once parsed: the helpdesk it resolves, the verb runner.

Only the standard library and ``collector`` are imported here, so building the
parser (which imports the command table, which names these runners) stays
cheap; each runner imports what it needs when it runs. The console is started
through ``Invocation.console`` (``cli.console``, given by ``main``), so the
table, the parser and the verbs never import Textual, not even by name.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from triage_tui import collector

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk
    from triage_tui.cli.verbs import Outcome, View
    from triage_tui.domain.clock import Clock
    from triage_tui.domain.filters.language import Filter
    from triage_tui.session import ConsoleContext

#: A verb bound to its arguments, waiting for an open helpdesk.
Call = Callable[["Helpdesk"], Awaitable["Outcome"]]
#: Binds the parsed arguments to a verb; reads stdin, checks combinations, before any I/O.
Bind = Callable[[Namespace, "View", "ConsoleContext"], Call]


@dataclass(frozen=True)
class Invocation:
    """One run of one command: its parsed arguments and the clock countdowns use."""

    args: Namespace
    clock: Clock | None
    #: Starts the console, opened on a sweep's plan when a filter is given.
    console: Callable[[Invocation, str | None], int]

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


def require_helpdesk(ctx: ConsoleContext) -> None:
    """Refuse a local helpdesk file that does not exist, before anything opens it.

    Opening would create the folder and an empty helpdesk, so a mistyped
    ``--db`` would answer "0 of 0 active tickets" instead of saying it is
    wrong. Only ``demo`` and ``kb import`` create the file.
    """
    if ctx.db_path is None or ctx.db_path.exists():
        return
    from triage_tui.domain.errors import ConfigError

    raise ConfigError(f"no helpdesk at {ctx.db_path} — run `triage demo` or check --db")


def parse_filter(text: str, me: str, what: str = "--filter") -> Filter:
    """The console's filter language; a mistake is one line naming the token's column."""
    from triage_tui.domain.errors import InvalidInput
    from triage_tui.domain.filters.language import FilterError, parse

    try:
        return parse(text, me=me)
    except FilterError as exc:
        message = str(exc)
        if "column" not in message:
            message = f"column {exc.column}: {message}"
        raise InvalidInput(f"{what}: {message}") from None


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
        require_helpdesk(ctx)
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
                started = clock.now()
                outcome = await call(helpdesk)
                left = helpdesk.take_left_out()
                if left:
                    left_out.append(output.one_line(left.line(helpdesk.display_name)))
                if ctx.config.hooks:
                    from triage_tui.cli.hooks import after_verb

                    outcome.hints += await after_verb(ctx, helpdesk, clock, started)
                return outcome

        #: What the helpdesk sent that could not be read: said on stderr, with --json too.
        left_out: list[str] = []
        outcome = asyncio.run(run())
        if as_json:
            print(output.dumps(outcome.data))
        else:
            print("\n".join(outcome.lines))
            for hint in outcome.hints:
                print(f"triage: {hint}", file=sys.stderr)
        for line in left_out:
            print(f"triage: warning: {line}", file=sys.stderr)
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
