"""Files only the agent can read, and what to do when the disk misbehaves.

Everything triage-tui writes holds customer data or credentials (the local
helpdesk, the outbox, drafts, the offline cache, event logs, reports, the
config), so every writer goes through this module: directories are created
0700 and files 0600 *whatever the umask*, and SQLite files are created empty
and private before SQLite opens them, because SQLite gives a database's
``-wal`` and ``-shm`` files the database file's own mode. The command line
also sets the process umask to 077 at entry, so anything a library creates
on our behalf is private too.

``tighten`` brings files made by an older version (0644 under umask 022)
back to private at start; ``loose`` lists them for ``triage doctor``.

A broken disk is met here as well: ``open_sqlite`` moves a corrupt database
aside (``<file>.corrupt-<time>``) and starts a fresh one, ``unwritable``
tells a read-only or full directory from other failures, and ``notice`` /
``take_notices`` carry the one line the agent should see to the console
(a notification) or to a verb's stderr.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported where a connection is made: ``triage --help`` needs no SQLite.
    import sqlite3
    from typing import Literal, TypedDict, Unpack

    class ConnectOptions(TypedDict, total=False):
        """The ``sqlite3.connect`` options a writer passes along."""

        timeout: float
        isolation_level: Literal["DEFERRED", "EXCLUSIVE", "IMMEDIATE"] | None
        check_same_thread: bool


PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
#: Permission bits that let anyone but the owner in.
OTHERS = 0o077

#: errno values that mean "this disk cannot take writes now" (not a bug of ours).
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
#: SQLite primary result codes of a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
_CORRUPT_CODES = frozenset({11, 26})

_notices: list[str] = []


# -- notices --------------------------------------------------------------


def notice(text: str) -> None:
    """Queue one line for the agent (the console notifies it, a verb prints it)."""
    line = " ".join(text.split())
    if line not in _notices:
        _notices.append(line)


def take_notices() -> list[str]:
    """The lines queued so far, each given once."""
    taken = list(_notices)
    _notices.clear()
    return taken


# -- creating private files -------------------------------------------------


def restrict_umask() -> int:
    """Make everything this process creates private (the previous umask is returned)."""
    return os.umask(PRIVATE_UMASK)


def make_dir(path: Path) -> Path:
    """``path`` and any missing parents, each created 0700; existing ones are left alone."""
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def _private_fd(path: Path, flags: int) -> int:
    fd = os.open(path, flags | os.O_CLOEXEC, FILE_MODE)
    with contextlib.suppress(OSError):  # someone else's file: leave its mode to them
        os.fchmod(fd, FILE_MODE)
    return fd


def write_text(path: Path, text: str, *, fsync: bool = True) -> Path:
    """Replace ``path`` atomically with ``text`` (UTF-8), 0600.

    A temporary file beside it, flushed (and fsynced), then renamed: a reader
    sees the old content or the new, never half. On any failure — a full disk
    included — the temporary file is removed and the error re-raised, so no
    empty leftover sits beside the real file.
    """
    path = Path(path)
    make_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        fd = _private_fd(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def create_file(path: Path) -> None:
    """An empty 0600 file at ``path`` unless one exists (SQLite then keeps that mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(_private_fd(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))


# -- SQLite ----------------------------------------------------------------


def connect(path: Path, **kwargs: Unpack[ConnectOptions]) -> sqlite3.Connection:
    """``sqlite3.connect`` on a private file (created 0600 in a 0700 directory if missing)."""
    import sqlite3

    path = Path(path)
    make_dir(path.parent)
    create_file(path)
    return sqlite3.connect(path, **kwargs)


def is_corrupt(error: BaseException) -> bool:
    """A damaged or foreign database file (not a locked one, not a full disk)."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _CORRUPT_CODES
    text = str(error).lower()
    return "not a database" in text or "malformed" in text


def corrupt_name(path: Path, at: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(at))
    return path.with_name(f"{path.name}.corrupt-{stamp}")


def move_aside(path: Path) -> Path:
    """Rename a damaged file (and an SQLite file's journals) to ``<name>.corrupt-<time>``."""
    path = Path(path)
    target = corrupt_name(path)
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{corrupt_name(path).name}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-journal"):
        journal = path.with_name(path.name + suffix)
        if journal.exists():
            with contextlib.suppress(OSError):
                os.replace(journal, target.with_name(target.name + suffix))
    with contextlib.suppress(OSError):
        path.with_name(path.name + "-shm").unlink()  # an index only, rebuilt on open
    return target


def open_sqlite(
    path: Path,
    what: str,
    prepare: Callable[[sqlite3.Connection], None],
    **kwargs: Unpack[ConnectOptions],
) -> sqlite3.Connection:
    """A private connection to ``path`` made ready by ``prepare``.

    A corrupt file is moved aside with a notice naming both paths and a fresh
    one is started; any other failure is raised (``OSError``/``sqlite3.Error``).
    ``what`` names the file for the agent ("the outbox").
    """
    import sqlite3

    path = Path(path)
    for attempt in (1, 2):
        conn = connect(path, **kwargs)
        try:
            prepare(conn)
            return conn
        except sqlite3.DatabaseError as error:
            conn.close()
            if attempt == 2 or not is_corrupt(error):
                raise
            aside = move_aside(path)
            notice(
                f"{what.capitalize()} {path} was unreadable ({error}); "
                f"moved aside to {aside.name} and a fresh one started."
            )
        except BaseException:
            conn.close()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


# -- a disk that refuses writes ------------------------------------------------


def is_disk_error(error: BaseException) -> bool:
    """A full, read-only or forbidden disk (OSError or its SQLite equivalent)."""
    import sqlite3

    if isinstance(error, OSError):
        return error.errno in DISK_ERRNOS
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        # SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
        return isinstance(code, int) and code & 0xFF in {3, 8, 10, 13, 14}
    return False


def describe(error: BaseException) -> str:
    """``No space left on device`` rather than ``[Errno 28] No space left on device: '…'``."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def unwritable(directory: Path) -> str | None:
    """Why nothing can be written in ``directory`` (read-only, forbidden), or None.

    Creates the directory if missing and a probe file in it, removed at once.
    """
    directory = Path(directory)
    probe = directory / f".triage-probe-{os.getpid()}"
    try:
        make_dir(directory)
        os.close(_private_fd(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC))
        probe.unlink()
    except OSError as error:
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"{directory} is not writable ({describe(error)})"
        return None
    return None


# -- tightening what an older version left readable ----------------------------


def _walk(roots: Iterable[Path]) -> Iterator[tuple[Path, os.stat_result]]:
    """Every directory and file under ``roots`` (roots included), symlinks skipped."""
    seen: set[Path] = set()
    for root in roots:
        root = Path(root)
        if root in seen:
            continue
        seen.add(root)
        try:
            info = root.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        yield root, info
        if not stat.S_ISDIR(info.st_mode):
            continue
        for folder, dirs, files in os.walk(root):
            for name in [*dirs, *files]:
                child = Path(folder, name)
                try:
                    child_info = child.lstat()
                except OSError:
                    continue
                if stat.S_ISDIR(child_info.st_mode) or stat.S_ISREG(child_info.st_mode):
                    yield child, child_info


def loose(roots: Iterable[Path]) -> list[Path]:
    """Files and directories under ``roots`` that other users may read, write or enter."""
    uid = os.getuid()
    return [p for p, info in _walk(roots) if info.st_mode & OTHERS and info.st_uid == uid]


def tighten(roots: Iterable[Path]) -> list[Path]:
    """Make every loose file 0600 and directory 0700 under ``roots``; the paths changed."""
    changed: list[Path] = []
    uid = os.getuid()
    for path, info in _walk(roots):
        if not info.st_mode & OTHERS or info.st_uid != uid:
            continue
        mode = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
        try:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~OTHERS | (mode & 0o700))
        except OSError:
            continue
        changed.append(path)
    return changed


def own_roots() -> list[Path]:
    """The directories triage-tui keeps its files in (config, data with cache and outbox)."""
    from triage_tui import paths

    return [paths.config_dir(), paths.data_dir()]


def tighten_at_start() -> str | None:
    """Tighten our own directories; the one notice line when anything was loosened."""
    changed = tighten(own_roots())
    if not changed:
        return None
    return (
        f"Made {len(changed)} file(s) and folder(s) private (they were readable by other "
        f"users), e.g. {changed[0]}."
    )
