"""``triage``: the console, the scriptable verbs, demo data, KB import and config.

Every command is one entry of the table in ``commands``; the parser
(``parser``) and the dispatch here are generated from it. ``main`` parses with
the standard library only, then imports what the chosen command needs: the
verbs load pydantic and one adapter, never Textual; only the console (no
command) imports the UI. Every ``TriageError`` ends as one line on
stderr, ``triage: error: <message>``, and the error's exit code; nothing a user
can cause prints a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from argparse import Namespace
from collections.abc import Sequence
from typing import TYPE_CHECKING

from triage_tui import private_files
from triage_tui.cli.console import LOCAL_FPS
from triage_tui.cli.parser import parse_args
from triage_tui.domain.errors import TriageError
from triage_tui.domain.text import sanitize

if TYPE_CHECKING:
    from triage_tui.domain.clock import Clock

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "LOCAL_FPS", "main"]

#: Exit code of an unexpected exception (sysexits' EX_SOFTWARE).
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    """Run one ``triage`` command; returns the process exit code.

    ``clock`` lets tests freeze the time countdowns are measured from.
    """
    _tolerant_streams()
    _warnings_as_lines()
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (argparse printed them)
        return exc.code if isinstance(exc.code, int) else 2
    # Customer data and credentials: whatever this process creates is private
    # (SQLite's own journal files included), set back for an in-process caller.
    umask = private_files.restrict_umask()
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
    finally:
        os.umask(umask)
        _print_notices()


class _OneLine(logging.Handler):
    """A warning from the engine (a cache the disk refused, an unreadable
    draft) as one ``triage: …`` line on stderr, terminal-safe: without it
    Python's last-resort handler prints the bare message, unprefixed and
    unsanitised."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = sanitize(record.getMessage(), keep_newlines=False)
        except Exception:  # a malformed log call must not end the command
            message = str(record.msg)
        print(f"triage: {message}", file=sys.stderr)


def _warnings_as_lines() -> None:
    root = logging.getLogger("triage_tui")
    if not any(isinstance(h, _OneLine) for h in root.handlers):
        root.addHandler(_OneLine(logging.WARNING))


def _print_notices() -> None:
    """What the disk had to say (a file made private, a corrupt one moved aside): one line each."""
    for line in private_files.take_notices():
        print(f"triage: {sanitize(line, keep_newlines=False)}", file=sys.stderr)


def _error(message: str) -> None:
    """Exactly one line, terminal-safe even when the message quotes customer text."""
    line = sanitize(" ".join(message.split()), keep_newlines=False)
    print(f"triage: error: {line}", file=sys.stderr)


def _tolerant_streams() -> None:
    # A terminal in a legacy encoding must not turn "␛" or an en dash into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _dispatch(args: Namespace, clock: Clock | None) -> int:
    from triage_tui.cli import commands, console, run

    inv = run.Invocation(args, clock, console=console.start)
    command = commands.find(args)
    if args.command != "doctor":  # doctor reports loose files rather than fixing them
        tightened = private_files.tighten_at_start()
        if tightened:
            private_files.notice(tightened)
    if command is None:
        return console.start(inv)
    if getattr(args, "view", None) is not None:
        from triage_tui.domain.errors import InvalidInput

        raise InvalidInput(
            "--view opens the console on a view; use it without a command,"
            " or after one for the queue: triage queue --view NAME"
        )
    return command.handler(inv)
