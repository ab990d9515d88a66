"""The embedded helpdesk's SQLite file: opening, validating, schema, time format.

Synchronous on purpose: the async adapter, the demo generator and the KB
importer all share it, and only the adapter needs to be async (it hops to a
worker thread around these calls).

Every ``sqlite3`` failure that reaches a caller is translated into a
``TriageError`` with a one-line message naming the file, because the user's
fix is almost always "look at that path".
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

from triage_tui import private_files
from triage_tui.domain.errors import ConfigError, HelpdeskError, TriageError, Unreachable

#: 2: index sla_targets(stage, due_at) for the first screen (created on open).
#: 3: the ``changes`` table of the change feed (created on open; older files
#: get it then, and their feed starts empty).
#: 4: index tickets(status, priority) for the queue verb's counts (created on open).
SCHEMA_VERSION = 4
#: The oldest schema read as it is where it cannot be upgraded (a read-only
#: disk): later versions only add (the ``changes`` table in 3, an index in 4),
#: so reads work on it; the change feed then fails with one line.
READ_AS_IS_FROM = 2
#: Stamped in the file header (``PRAGMA application_id``, ASCII "TRIG") so a
#: triage database is recognisable even before its tables are read.
APPLICATION_ID = 0x54524947
BUSY_TIMEOUT_MS = 5000

T = TypeVar("T")

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(value: datetime) -> str:
    """Fixed-width ISO-8601 UTC (``2026-11-22T09:30:00.000000Z``): string order == time order."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def from_db(value: str) -> datetime:
    """Parse a stored time; tolerant of any ISO-8601 a person may have typed in by hand."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is UTC:  # our own "…Z" format: the hot path of a 100 000-ticket queue
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC) if parsed.utcoffset() else parsed.replace(tzinfo=UTC)


def schema_sql() -> str:
    return files("triage_tui.adapters.local").joinpath("schema.sql").read_text(encoding="utf-8")


def _not_ours(path: Path, why: str = "") -> ConfigError:
    suffix = f" ({why})" if why else ""
    return ConfigError(
        f"{path} is not a triage-tui helpdesk database{suffix}; "
        "choose another file with the local adapter's db option"
    )


def translate(error: sqlite3.Error, path: Path) -> TriageError:
    """One line for the user; a locked or unopenable file is 'unreachable'."""
    text = str(error) or type(error).__name__
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return Unreachable(f"the local helpdesk {path} is locked by another process: {text}")
    if "readonly" in lowered:
        return Unreachable(f"the local helpdesk {path} is read-only: {text}")
    if "unable to open" in lowered or "disk i/o" in lowered:
        return Unreachable(f"cannot open the local helpdesk {path}: {text}")
    if "not a database" in lowered or "malformed" in lowered:
        return _not_ours(path, text)
    return HelpdeskError(f"local helpdesk {path}: {text}")


def is_triage_db(path: Path) -> bool:
    """True when ``path`` is an SQLite file stamped by triage-tui (read-only check)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    # The SQLite header stores application_id big-endian at offset 68.
    return (
        len(header) == 100
        and header.startswith(b"SQLite format 3\x00")
        and int.from_bytes(header[68:72], "big") == APPLICATION_ID
    )


def connect(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open (creating if missing) and validate a helpdesk file; ready to use.

    Raises ``Unreachable`` when the file cannot be opened or created and
    ``ConfigError`` when it exists but is not a triage database (or one from a
    newer version), each naming the path.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError(f"the local helpdesk path {path} is a directory, not a database file")
    try:
        # Customer data: a new file is 0600 in a 0700 folder (its -wal/-shm follow).
        private_files.make_dir(path.parent)
        if not path.exists():
            private_files.create_file(path)
    except OSError as exc:
        raise Unreachable(
            f"cannot create the folder for the local helpdesk {path}: {exc.strerror}"
        ) from None
    try:
        conn = sqlite3.connect(
            path,
            isolation_level=None,  # autocommit; writes use explicit BEGIN IMMEDIATE
            check_same_thread=check_same_thread,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    try:
        _prepare(conn, path)
    except TriageError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        if path.is_file() and private_files.unwritable(path.parent) is not None:
            return _read_only(path, check_same_thread)
        raise translate(exc, path) from None
    return conn


def _read_only(path: Path, check_same_thread: bool) -> sqlite3.Connection:
    """A helpdesk on a read-only disk, opened to be read (SQLite cannot make its WAL
    index there); every write then fails with SQLite's "readonly database" error."""
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?immutable=1",
            uri=True,
            isolation_level=None,
            check_same_thread=check_same_thread,
        )
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    if app_id != APPLICATION_ID or not READ_AS_IS_FROM <= version <= SCHEMA_VERSION:
        conn.close()
        raise Unreachable(
            f"the local helpdesk {path} is on a read-only disk and cannot be prepared there"
        )
    return conn


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # Reading the header first turns "file is not a database" into our error
    # before any PRAGMA tries to write to a foreign file.
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if tables:
            raise _not_ours(path, "it holds other tables")
        version = 0
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path} was written by a newer triage-tui (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade triage-tui"
        )
    # WAL: the console reads while a CLI verb or another console writes.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION:
        # One transaction: a crash half-way leaves a file that is still "empty"
        # and is simply initialised again on the next open.
        with transaction(conn):
            for statement in statements(schema_sql()):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def statements(script: str) -> Iterator[str]:
    """Split the schema into statements (``executescript`` would COMMIT our transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


class Store:
    """One connection shared by worker threads, serialised by a lock.

    Why one connection and a lock rather than a connection per thread: the
    adapter runs each call through ``asyncio.to_thread``, whose pool threads
    come and go outside our control, so per-thread connections could neither
    be reused reliably nor closed on ``close()``. SQLite serialises writers
    anyway, and the console issues one call at a time, so the lock costs
    nothing in practice while keeping every transaction on one handle.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._conn: sqlite3.Connection | None = connect(self.path, check_same_thread=False)
        self._lock = threading.Lock()
        #: Bumped by every write through this handle: ``PRAGMA data_version``
        #: only moves for other connections' commits.
        self.generation = 0

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise Unreachable(f"the local helpdesk {self.path} is closed")
        return self._conn

    def read(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(conn, *args)`` under the lock, translating SQLite errors."""
        with self._lock:
            try:
                return fn(self.conn, *args)
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from None

    def write(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(conn, *args)`` in one IMMEDIATE transaction (all or nothing)."""
        with self._lock:
            try:
                with transaction(self.conn):
                    return fn(self.conn, *args)
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from None
            finally:
                self.generation += 1

    def data_version(self) -> tuple[int, int] | None:
        """``(PRAGMA data_version, generation)``: equal on two calls only if nothing
        was committed in between, by any process. None, without waiting, while
        another thread holds the handle (so the event loop can ask it)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._conn is None:
                return None
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0]), self.generation
        except sqlite3.Error:
            return None
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (domain errors included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
