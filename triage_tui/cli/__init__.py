"""``triage``: the console, the scriptable verbs, demo data, KB import and config.

``main`` parses with the standard library only, then imports what the chosen
command needs: the verbs load pydantic and one adapter, never Textual; only the
console (no command) imports the UI. Every ``TriageError`` ends as one line on
stderr, ``triage: error: <message>``, and the error's exit code; nothing a user
can cause prints a traceback.
"""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui import collector
from triage_tui.cli.parser import parse_args
from triage_tui.domain.errors import TriageError
from triage_tui.domain.text import sanitize

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk
    from triage_tui.domain.clock import Clock
    from triage_tui.session import ConsoleContext
    from triage_tui.cli.verbs import Outcome, View

#: Exit code of an unexpected exception (sysexits' EX_SOFTWARE).
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

VERBS = {
    "queue",
    "create-ticket",
    "get-ticket",
    "get-user",
    "search-kb",
    "reply-ticket",
    "close-ticket",
    "update-ticket",
    "escalate-ticket",
    "report",
    "events",
    "plan",
}


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one ``triage`` command; returns the process exit code.

    ``clock`` lets tests freeze the time countdowns are measured from.
    """
    _tolerant_streams()
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (argparse printed them)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return _dispatch(args, clock)
    except TriageError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `triage queue | head`: the reader left; exit quietly without a
        # second "Broken pipe" when Python flushes stdout at shutdown.
        _silence_stdout()
        return 141
    except Exception as exc:
        if os.environ.get("TRIAGE_DEBUG"):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc}")
        print("triage: re-run with TRIAGE_DEBUG=1 to see the traceback", file=sys.stderr)
        return EXIT_INTERNAL


def _error(message: str) -> None:
    """Exactly one line, terminal-safe even when the message quotes customer text."""
    line = sanitize(" ".join(message.split()), keep_newlines=False)
    print(f"triage: error: {line}", file=sys.stderr)


def _tolerant_streams() -> None:
    # A terminal in a legacy encoding must not turn "␛" or an en dash into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _dispatch(args: Namespace, clock: Clock | None) -> int:
    if args.command is None:
        return _console(args, clock)
    if getattr(args, "view", None) is not None:
        from triage_tui.domain.errors import InvalidInput

        raise InvalidInput("--view opens the console on a view; use it without a command")
    if args.command == "sweep":
        return _console(args, clock, sweep=args.filter)
    if args.command == "config":
        from triage_tui.cli import admin

        return admin.config_command(args, _config_path(args), lambda: _context(args))
    if args.command == "doctor":
        from triage_tui import doctor

        return doctor.command(args, lambda: _context(args), clock)
    if args.command == "demo":
        from triage_tui.cli import admin

        return admin.demo(args, _context(args, local_only="demo"))
    if args.command == "kb":
        from triage_tui.cli import admin

        return admin.kb_import(args, _context(args, local_only="kb import"))
    if args.command in VERBS:
        return _verb(args, clock)
    raise AssertionError(f"unhandled command {args.command!r}")  # pragma: no cover


def _config_path(args: Namespace) -> Path | None:
    return Path(args.config).expanduser() if args.config else None


def _context(
    args: Namespace, *, local_only: str | None = None, view: str | None = None
) -> ConsoleContext:
    """Resolve the helpdesk from flags, environment and config (see ``session``)."""
    from triage_tui import session
    from triage_tui.domain.errors import ConfigError

    adapter = args.adapter
    if local_only:
        # demo and kb import fill the embedded helpdesk whatever the profile uses.
        if adapter and adapter != "local":
            raise ConfigError(f"{local_only} works on the local helpdesk, not adapter {adapter!r}")
        adapter = "local"
    return session.resolve(
        profile=args.profile,
        adapter=adapter,
        db=args.db,
        config_path=_config_path(args),
        theme=args.theme,
        view=view,
    )


def _console(args: Namespace, clock: Clock | None, sweep: str | None = None) -> int:
    # Until the main screen has painted its first rows (``collector``).
    with collector.during_start_up():
        from triage_tui import session

        ctx = _context(args, view=args.view)
        if sweep is not None:
            # Checked before any screen is drawn: a bad filter is a one-line error here.
            import dataclasses

            from triage_tui.domain.filters import parse

            canonical = str(parse(sweep, me=ctx.profile.agent))
            ctx = dataclasses.replace(ctx, initial_sweep=canonical)
        # Every write of the console goes through the profile's outbox: held for
        # the undo window, delivered in the background, never lost or doubled.
        helpdesk = session.buffered(session.build_helpdesk(ctx, clock), ctx, mode="console")
        _local_frame_rate(ctx.profile.preview)
        from triage_tui.ui.app import run  # Textual is imported only here

        extra: dict[str, Any] = {}
        if ctx.initial_filter is not None:
            extra["initial_filter"] = ctx.initial_filter  # --view: the queue's filter at start
        if ctx.initial_sweep is not None:
            extra["initial_sweep"] = ctx.initial_sweep  # the main screen opens its plan
        return int(run(helpdesk, ctx.profile, ctx.config, theme=ctx.theme, **extra) or 0)


#: Frames a second when the detail follows the cursor (Textual's default is 60).
LOCAL_FPS = "240"


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


def _read_text(value: str) -> str:
    """``-`` means the text comes from stdin (long replies, pipes from other tools)."""
    return sys.stdin.read() if value == "-" else value


def _verb(args: Namespace, clock: Clock | None) -> int:
    # Until the helpdesk is open (``collector``): scripts and agents call verbs
    # one after another, each paying the start-up.
    with collector.during_start_up():
        import asyncio

        from triage_tui import session
        from triage_tui.cli import output, verbs
        from triage_tui.domain.clock import SystemClock

        _check_utf8(args)
        ctx = _context(args)
        clock = clock or SystemClock()
        as_json = bool(args.json)
        view = verbs.View(
            now=clock.now(),
            json=as_json,
            colour=not as_json and output.use_colour(sys.stdout),
            width=None if as_json else output.terminal_width(sys.stdout),
        )
        call = _verb_call(args, view, ctx)

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


def _check_utf8(args: Namespace) -> None:
    """Undecodable bytes in argv (lone surrogates) are refused, not sent to a helpdesk."""
    from triage_tui.domain.errors import InvalidInput

    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and name not in ("db", "config"):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    option = name.replace("_", "-")
                    raise InvalidInput(f"{option} is not valid UTF-8 text") from None


def _verb_call(
    args: Namespace, view: View, ctx: ConsoleContext | None = None
) -> Callable[[Helpdesk], Awaitable[Outcome]]:
    """Bind the parsed arguments to the verb; stdin is read here, before any I/O."""
    from triage_tui.cli import verbs

    a = args
    calls: dict[str, Callable[[Helpdesk], Awaitable[Any]]]
    if a.command == "plan":
        from triage_tui.domain.escalation import RuleSet

        escalation = ctx.config.escalation if ctx is not None else None
        rules = (
            RuleSet.from_config(escalation.extra_phrases, escalation.routes)
            if escalation is not None
            else RuleSet.default()
        )
        return lambda hd: verbs.plan(
            hd, view, a.ticket_id, rules=rules, similar=not a.no_similar, record=a.record
        )
    if a.command == "reply-ticket":
        text = _read_text(a.text)
        return lambda hd: verbs.reply_ticket(hd, view, a.ticket_id, text)
    if a.command == "create-ticket":
        body = _read_text(a.body)
        return lambda hd: verbs.create_ticket(
            hd,
            view,
            subject=a.subject,
            body=body,
            requester=a.requester,
            name=a.name,
            priority=a.priority,
            channel=a.channel,
            tags=a.tag,
        )
    calls = {
        "queue": lambda hd: verbs.queue(hd, view, a.limit),
        "get-ticket": lambda hd: verbs.get_ticket(hd, view, a.ticket_id),
        "get-user": lambda hd: verbs.get_user(hd, view, a.person_id, a.tickets),
        "search-kb": lambda hd: verbs.search_kb(hd, view, a.words, a.limit),
        "close-ticket": lambda hd: verbs.close_ticket(hd, view, a.ticket_id, a.note),
        "update-ticket": lambda hd: verbs.update_ticket(
            hd,
            view,
            a.ticket_id,
            status=a.status,
            priority=a.priority,
            assignee=a.assignee,
            group=a.group,
            add_tags=a.add_tag,
            remove_tags=a.remove_tag,
        ),
        "escalate-ticket": lambda hd: verbs.escalate_ticket(
            hd,
            view,
            a.ticket_id,
            reason=a.reason,
            note=a.note,
            priority=a.priority,
            group=a.group,
            tags=a.tag,
        ),
        "report": lambda hd: verbs.report(hd, view, a.since, a.markdown),
        "events": lambda hd: verbs.events(hd, view, a.since),
    }
    if a.command == "report" and a.markdown and a.json:
        from triage_tui.domain.errors import InvalidInput

        raise InvalidInput("choose one of --json and --markdown")
    return calls[a.command]
