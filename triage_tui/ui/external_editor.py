"""The draft in the agent's own editor: ``$VISUAL``, else ``$EDITOR``.

``edit`` writes the draft to a private file (0600, in a fresh 0700 folder),
hands the terminal to the editor — the console is suspended meanwhile, and
Textual restores the terminal when it comes back — then reads the file back
and removes the folder, whatever happened. The text read back is the new
draft; the caller puts it into the editor widget, whose input path makes
every control character visible (``DraftEditor.edit``), like a paste.

Anything that goes wrong leaves the draft as it was and raises
``EditorFailed`` with the one line to show: no editor set, an editor that is
not there or will not start, one that exits non-zero or is killed, a file
removed, replaced by something that is not a file, larger than ``MAX_BYTES``
or not UTF-8. Where the console cannot hand the terminal over (a test's
headless run, a web terminal) Textual raises ``SuspendNotSupported``, said in
the same way.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from textual.app import SuspendNotSupported

from triage_tui import private_files

#: Largest draft read back from the editor: 1 MiB, the size the safeguards are
#: measured on (docs/reliability.md); a larger file is refused, never read whole.
MAX_BYTES = 1024 * 1024

UNCHANGED = "the draft is unchanged"


class EditorFailed(Exception):
    """The editor did not give a new draft; ``str`` is the line to show."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The editor's command line from ``$VISUAL`` or ``$EDITOR`` (``code -w`` is two words)."""
    environ = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if not value:
            continue
        try:
            argv = shlex.split(value)
        except ValueError as error:
            raise EditorFailed(f"${name} is not a command line ({error}): {UNCHANGED}.") from None
        if argv:
            return argv
    raise EditorFailed("Set $VISUAL or $EDITOR to edit the draft in your own editor.")


def _file_name(ticket_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "", ticket_id)[:32]
    return f"triage-draft-{safe or 'ticket'}.txt"


@contextmanager
def draft_file(text: str, ticket_id: str) -> Iterator[Path]:
    """``text`` in a private file (0600 in a fresh 0700 folder), removed with its folder
    (and whatever the editor left beside it: swap and backup files) afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="triage-edit-"))  # 0700, only ours
    try:
        os.chmod(folder, private_files.DIR_MODE)
        yield private_files.write_text(folder / _file_name(ticket_id), text, fsync=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_editor(argv: list[str], path: Path) -> None:
    """Run the editor on ``path`` in the foreground; ``EditorFailed`` unless it exits 0."""
    name = argv[0]
    try:
        done = subprocess.run([*argv, str(path)], check=False)
    except FileNotFoundError:
        raise EditorFailed(
            f"The editor {name!r} was not found (check $VISUAL / $EDITOR): {UNCHANGED}."
        ) from None
    except OSError as error:
        raise EditorFailed(
            f"The editor {name!r} did not start ({private_files.describe(error)}): {UNCHANGED}."
        ) from None
    if done.returncode < 0:
        try:
            how = signal.Signals(-done.returncode).name
        except ValueError:
            how = f"signal {-done.returncode}"
        raise EditorFailed(f"The editor {name!r} was stopped by {how}: {UNCHANGED}.")
    if done.returncode:
        raise EditorFailed(
            f"The editor {name!r} exited with status {done.returncode}: {UNCHANGED}."
        )


def _in_foreground(argv: list[str], path: Path) -> None:
    """``run_editor`` with ctrl+c left to the editor: the terminal is back in cooked mode,
    so ctrl+c interrupts the whole foreground group, the console included. A handler
    (not SIG_IGN, which the editor would inherit) keeps the console running."""
    try:
        previous = signal.signal(signal.SIGINT, _ignore)
    except ValueError:  # not the main thread: leave signals alone
        run_editor(argv, path)
        return
    try:
        run_editor(argv, path)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore(signum: int, frame: object) -> None:
    return None


def read_back(path: Path) -> str:
    """The file's text: a regular file of at most ``MAX_BYTES``, UTF-8."""
    try:
        # Non-blocking and not through a link: a FIFO or a link left in the file's
        # place must not hang the console or read another file.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise EditorFailed(
            f"The edited draft could not be read ({private_files.describe(error)}): {UNCHANGED}."
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise EditorFailed(f"The edited draft is not a regular file: {UNCHANGED}.")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise EditorFailed(
            f"The edited draft is over {MAX_BYTES // 1024} KB, too long for a reply: {UNCHANGED}."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EditorFailed(
            f"The edited draft is not UTF-8 text (byte {error.start + 1}): {UNCHANGED}."
        ) from None


def edit(text: str, ticket_id: str, suspend: Callable[[], AbstractContextManager[object]]) -> str:
    """``text`` as the agent left it in their editor, run inside ``suspend()`` (the app's
    ``suspend``); ``EditorFailed`` with the reason otherwise."""
    argv = editor_command()
    with draft_file(text, ticket_id) as path:
        failed: EditorFailed | None = None
        try:
            with suspend():
                # Nothing may be raised in here: Textual resumes the console after
                # the block only when it ends normally.
                try:
                    _in_foreground(argv, path)
                except EditorFailed as error:
                    failed = error
        except SuspendNotSupported:
            raise EditorFailed(
                "This console cannot hand the terminal to an editor here"
                f" (no terminal to suspend): {UNCHANGED}."
            ) from None
        if failed is not None:
            raise failed
        edited = read_back(path)
    # Editors end the file with a newline the draft did not have.
    if not text.endswith("\n"):
        for ending in ("\r\n", "\n"):
            if edited.endswith(ending):
                edited = edited[: -len(ending)]
                break
    return edited
