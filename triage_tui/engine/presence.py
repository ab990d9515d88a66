"""The presence board: one small file per console in a team directory on one host.

Agents who run the console against the same helpdesk from one host (a jump
host) share a directory (``Profile.team_dir``, or ``TRIAGE_TEAM_DIR``) that
their team's group owns. Each console keeps one JSON record there
(``domain.presence.Presence``: agent, host and pid, the open ticket, viewing or
replying, a heartbeat), under a folder named for the helpdesk
(``helpdesk_key``), so consoles on two helpdesks never mix. A record is
replaced atomically (a temporary file, then ``rename``): a reader sees the old
record or the new, never half. The console removes its record when it quits.

The directory is shared with the group and nobody else: the folder is made
0770 (keeping the setgid bit the team directory hands down, so every file
belongs to the team's group) and records 0660, whatever the process umask. A
team directory anyone on the host can open is refused with the fix, since the
records say which customer ticket each agent works on.

Reading treats every file as a colleague's untrusted input: only regular files
(no FIFO that blocks, no symlink to elsewhere), at most ``RECORD_MAX`` bytes
each and ``MAX_RECORDS`` files a look; anything malformed is skipped. Records
whose heartbeat is older than ``STALE_SECONDS``, or whose process on this host
is gone (a console killed with -9), are ignored. Over the network there is no
board: only what the helpdesk itself exposes.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import socket
import stat
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from triage_tui import paths
from triage_tui.domain.errors import TriageError
from triage_tui.domain.presence import Presence, current, parse

#: The environment variable that names the team directory (over ``team_dir``).
ENV = "TRIAGE_TEAM_DIR"
#: A record larger than this is not one (a colleague's file is read bounded).
RECORD_MAX = 4096
#: Files read per look at most: a directory stuffed with files cannot stall a console.
MAX_RECORDS = 256
#: A console rewrites its record this often while nothing changes…
HEARTBEAT_SECONDS = 10.0
#: …and a record not rewritten for this long belongs to a console that is gone.
STALE_SECONDS = 45.0
#: The helpdesk's folder and the records: the group's, nobody else's.
FOLDER_MODE = 0o770
RECORD_MODE = 0o660
#: Options that say where a helpdesk is (a file, a URL, an account), not how it is used.
LOCATION_OPTIONS = ("db", "url", "base_url", "subdomain", "project")


class PresenceError(TriageError):
    """The team directory cannot be used; the message is the one line the agent sees."""


def team_dir(setting: Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The team directory in force: ``TRIAGE_TEAM_DIR``, else the profile's
    ``team_dir``; None: presence is off."""
    env = os.environ if environ is None else environ
    chosen = env.get(ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    return setting.expanduser() if setting is not None else None


def helpdesk_key(adapter: str, options: Mapping[str, Any]) -> str:
    """The folder of one helpdesk in the team directory: its adapter and where it is.

    Only the options that locate the helpdesk count (its database file, its URL,
    its account), so two agents whose other options differ (their own email, a
    view) still meet; an adapter with none of them is keyed by all its options
    but the secrets. The local helpdesk's default database is this user's own
    file, so it is named by its resolved path like any other.
    """
    from triage_tui.config import is_secret

    where = {k: options[k] for k in LOCATION_OPTIONS if k in options}
    if "db" in where:
        db = where["db"]
        where["db"] = str(Path(db if db else paths.default_db()).expanduser().resolve())
    if not any(value not in (None, "") for value in where.values()):
        where = {k: v for k, v in options.items() if not is_secret(k)}
    public = sorted((k, str(v)) for k, v in where.items() if v not in (None, ""))
    digest = hashlib.sha256(json.dumps([adapter, public]).encode()).hexdigest()[:12]
    return f"{_safe(adapter)}-{digest}"


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:64] or "x"


def problem(root: Path) -> str | None:
    """Why ``root`` cannot be the team directory (one line with the fix), or None."""
    try:
        info = root.stat()
    except FileNotFoundError:
        return f"team directory {root} does not exist; create it: {setup_command(root)}"
    except OSError as exc:
        return f"team directory {root}: {exc.strerror}"
    if not stat.S_ISDIR(info.st_mode):
        return f"team directory {root} is not a directory"
    if info.st_mode & 0o007:
        return (
            f"team directory {root} is open to every user (mode {info.st_mode & 0o7777:o});"
            f" run: chmod o-rwx {root}"
        )
    if not os.access(root, os.W_OK | os.X_OK):
        return (
            f"team directory {root} is not writable by you; ask its owner to add you to its group"
        )
    return None


def setup_command(root: Path) -> str:
    """How a team sets its directory up (shown when it is missing)."""
    return f"install -d -m 2770 -g <your team's group> {root}"


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # EPERM: someone else's process, alive
    return True


class PresenceBoard:
    """This console's record, and everyone else's, in ``root`` / ``key``."""

    def __init__(
        self,
        root: Path,
        key: str,
        agent: str,
        *,
        host: str | None = None,
        pid: int | None = None,
        now: Callable[[], float] = time.time,
        stale_after: float = STALE_SECONDS,
    ) -> None:
        self.root = root
        self.folder = root / key
        self.agent = agent
        self.host = host or socket.gethostname() or "localhost"
        self.pid = os.getpid() if pid is None else pid
        self.now = now
        self.stale_after = stale_after
        self.path = self.folder / f"{_safe(self.host)}-{self.pid}.json"
        self._joined = False

    # -- this console's record ---------------------------------------------------
    def publish(self, ticket: str | None, replying: bool) -> None:
        """Write this console's record (atomically); ``PresenceError`` says why not."""
        found = problem(self.root)
        if found is not None:
            raise PresenceError(found)
        record = Presence(self.agent, self.host, self.pid, ticket, replying, self.now())
        try:
            self._make_folder()
            tmp = self.folder / f".{self.path.name}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(tmp, flags, RECORD_MODE)
            try:
                os.fchmod(fd, RECORD_MODE)  # the umask (077) left it 0600
                os.write(fd, record.to_json().encode())
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError as exc:
            raise PresenceError(
                f"presence: cannot write to the team directory {self.root}: {exc.strerror}"
            ) from None
        if not self._joined:
            self._joined = True
            atexit.register(self.leave)  # a console that ends without unmounting

    def _make_folder(self) -> None:
        try:
            os.mkdir(self.folder, FOLDER_MODE)
        except FileExistsError:
            if not self.folder.is_dir() or self.folder.is_symlink():
                raise NotADirectoryError(20, "not a directory", str(self.folder)) from None
            return
        # mkdir's mode went through the umask; the setgid bit the team directory
        # handed down (files then belong to the team's group) is kept.
        inherited = os.stat(self.folder).st_mode & stat.S_ISGID
        os.chmod(self.folder, FOLDER_MODE | inherited)

    def leave(self) -> None:
        """Remove this console's record (a clean quit); nothing to do is fine."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        if self._joined:
            self._joined = False
            atexit.unregister(self.leave)

    # -- everyone else's ---------------------------------------------------------
    def others(self) -> list[Presence]:
        """The current records of every other console on this helpdesk."""
        found: list[Presence] = []
        try:
            entries = os.scandir(self.folder)
        except OSError:
            return found  # no folder yet: nobody has written
        own = self.path.name
        with entries:
            for count, entry in enumerate(entries):
                if count >= MAX_RECORDS:
                    break
                name = entry.name
                if name == own or name.startswith(".") or not name.endswith(".json"):
                    continue
                record = _read(Path(entry.path))
                if record is None or record.console == f"{self.host}-{self.pid}":
                    continue
                if record.host == self.host and not alive(record.pid):
                    continue  # its console was killed: the pid says so before the clock
                found.append(record)
        return current(found, self.now(), self.stale_after)


def _read(path: Path) -> Presence | None:
    """A record file, bounded; None for anything that is not a small regular file."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, RECORD_MAX + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > RECORD_MAX:
        return None
    return parse(data)
