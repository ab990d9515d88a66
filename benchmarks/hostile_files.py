"""Hostile local files for ``benchmarks/hostile.py``: config files and the data directory.

A ``ConfigCase`` rewrites the case's config (or points ``TRIAGE_CONFIG`` at
something that is not a file); a ``FileCase`` spoils what the product keeps
in its data directory — the outbox, the offline cache, the event log, the
drafts, the local helpdesk file — after one real write has created them, or
makes the directory unwritable by running the verb as another user.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.hostile_data import marked

Env = MutableMapping[str, str]
PROFILE_HEAD = 'profile = "hostile"\n[profiles.hostile]\n'
LOCAL = 'adapter = "local"\nagent = "Sam Rivera"\nundo_seconds = 0\n'
#: A TOML basic string holding escape sequences (TOML writes them as \u escapes).
ESCAPED = json.dumps(marked("mixed").replace("\x00", ""))


@dataclass(frozen=True)
class ConfigCase:
    name: str
    apply: Callable[[Path, Env], None]


def _text(body: str) -> Callable[[Path, Env], None]:
    def apply(config_dir: Path, env: Env) -> None:
        path = config_dir / "config.toml"
        path.write_text(body)
        path.chmod(0o600)

    return apply


def _raw(data: bytes) -> Callable[[Path, Env], None]:
    def apply(config_dir: Path, env: Env) -> None:
        (config_dir / "config.toml").write_bytes(data)

    return apply


def _fifo(config_dir: Path, env: Env) -> None:
    path = config_dir / "fifo.toml"
    os.mkfifo(path)
    env["TRIAGE_CONFIG"] = str(path)


def _directory(config_dir: Path, env: Env) -> None:
    path = config_dir / "dir.toml"
    path.mkdir()
    env["TRIAGE_CONFIG"] = str(path)


def _huge(config_dir: Path, env: Env) -> None:
    lines = "".join(f'key{n} = "{"v" * 20}"\n' for n in range(250_000))
    (config_dir / "config.toml").write_text(PROFILE_HEAD + LOCAL + "[profiles.hostile.x]\n" + lines)


CONFIGS: tuple[ConfigCase, ...] = (
    ConfigCase(
        "bad_types",
        _text(
            PROFILE_HEAD + 'adapter = "local"\nagent = 12\nundo_seconds = "soon"\n'
            "theme = 3\npreview = [1]\nviews = 5\n"
        ),
    ),
    ConfigCase(
        "option_types",
        _text(PROFILE_HEAD + LOCAL + '[profiles.hostile.options]\ndb = 5\npage_size = "x"\n'),
    ),
    ConfigCase(
        "huge_duration",
        _text(
            PROFILE_HEAD + LOCAL + '[views]\nbig = "sla:<1000000000d"\n'
            'older = "age:>99999999999999999999999999d"\nsmall = "sla:<1e400h"\n'
        ),
    ),
    ConfigCase("escape_view", _text(PROFILE_HEAD + LOCAL + f"[views]\nbad = {ESCAPED}\n")),
    ConfigCase(
        "escape_view_name", _text(PROFILE_HEAD + LOCAL + f'[views]\n{ESCAPED} = "sla:<9x"\n')
    ),
    ConfigCase("escape_key", _text(PROFILE_HEAD + LOCAL + f"{ESCAPED} = 1\n")),
    ConfigCase("escape_adapter", _text(PROFILE_HEAD + f"adapter = {ESCAPED}\n")),
    ConfigCase("escape_theme", _text(PROFILE_HEAD + LOCAL + f"theme = {ESCAPED}\n")),
    ConfigCase(
        "escape_agent", _text(PROFILE_HEAD + 'adapter = "local"\n' + f"agent = {ESCAPED}\n")
    ),
    ConfigCase(
        "deep_table",
        _text(PROFILE_HEAD + LOCAL + "x = " + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n"),
    ),
    ConfigCase(
        "deep_array", _text(PROFILE_HEAD + LOCAL + "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    ),
    ConfigCase("invalid_toml", _raw(b"profile = \x1b]52;c;eA==\x07\n[[[profiles\n= = =\n")),
    ConfigCase("binary", _raw(b"\xff\xfe\x00\x01garbage\x9b2J\x00" * 1000)),
    ConfigCase("huge_file", _huge),
    ConfigCase("fifo", _fifo),
    ConfigCase("directory", _directory),
)


# -- the data directory -------------------------------------------------------------


@dataclass(frozen=True)
class FileCase:
    name: str
    apply: Callable[[Path, Env], None]
    #: Against the fake Zendesk (outbox, cache and event log are separate files there).
    remote: bool = False
    #: Surfaces that cannot run this case (the console cannot run as another user).
    skip: tuple[str, ...] = ()


def prime(data: Path, env: Env) -> str:
    """One real write, so the outbox (and for remote helpdesks the other files) exist."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "triage_tui",
            "--profile",
            "hostile",
            "reply-ticket",
            "101",
            "primer",
            "--send-anyway",  # a real write, whatever the ticket's safeguards say
        ],
        env=dict(env),
        capture_output=True,
        timeout=30,
        check=False,
    )
    stems = sorted(p.name.removesuffix(".sqlite3") for p in (data / "outbox").glob("*.sqlite3"))
    if not stems:
        raise RuntimeError("priming write created no outbox")
    return stems[0]


def _garbage(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00garbage\x1b]52;c;eA==\x07" * 4096)


def _truncate(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with path.open("r+b") as handle:
        handle.truncate(1500)


def _as_directory(path: Path) -> None:
    if path.exists():
        path.unlink()
    path.mkdir(parents=True)
    (path / "x").write_text("x")


def _spoil_rows(path: Path) -> None:
    """Every text column of every row: escape sequences (valid SQLite, hostile content)."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table.startswith("sqlite_"):
                continue
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[2] == "TEXT"]
            for column in columns:
                conn.execute(f"UPDATE {table} SET {column} = ?", (marked("mixed"),))


def _outbox(action: Callable[[Path], None]) -> Callable[[Path, Env], None]:
    def apply(data: Path, env: Env) -> None:
        key = prime(data, env)
        action(data / "outbox" / f"{key}.sqlite3")

    return apply


def _keyed(directory: str, action: Callable[[Path], None]) -> Callable[[Path, Env], None]:
    def apply(data: Path, env: Env) -> None:
        key = prime(data, env)
        action(data / directory / f"{key}.sqlite3")

    return apply


def _drafts(content: bytes) -> Callable[[Path, Env], None]:
    def apply(data: Path, env: Env) -> None:
        key = prime(data, env)
        folder = data / "drafts" / key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "101-hostile.json").write_bytes(content)
        (folder / "x.json").mkdir()

    return apply


def _db(action: Callable[[Path], None]) -> Callable[[Path, Env], None]:
    def apply(data: Path, env: Env) -> None:
        action(data / "helpdesk.db")

    return apply


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _other_sqlite(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE tickets(x)")
        conn.execute("INSERT INTO tickets VALUES (1)")


def _data_is_file(data: Path, env: Env) -> None:
    shutil.rmtree(data, ignore_errors=True)
    data.write_text("not a directory")


def _readonly(data: Path, env: Env) -> None:
    """After one write, the data directory becomes read-only for the verb (see ``run_verb``)."""
    prime(data, env)
    for path in [data, *data.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    env["HX_READONLY_DIR"] = str(data)


DRAFT = {"ticket_id": "101", "body": marked("mixed"), "state": "editing", "base": None}
FILES: tuple[FileCase, ...] = (
    FileCase("outbox_garbage", _outbox(_garbage)),
    FileCase("outbox_truncated", _outbox(_truncate)),
    FileCase("outbox_directory", _outbox(_as_directory)),
    FileCase("outbox_hostile_rows", _outbox(_spoil_rows)),
    FileCase("remote_outbox_garbage", _outbox(_garbage), remote=True),
    FileCase("cache_garbage", _keyed("cache", _garbage), remote=True),
    FileCase("events_garbage", _keyed("events", _garbage), remote=True),
    FileCase("drafts_garbage", _drafts(b"\xff{not json\x1b]0;x\x07"), remote=True),
    FileCase("drafts_wrong_shape", _drafts(b"[1, 2, 3]"), remote=True),
    FileCase("drafts_hostile_body", _drafts(json.dumps(DRAFT).encode()), remote=True),
    FileCase("db_garbage", _db(_garbage)),
    FileCase("db_empty", _db(_empty)),
    FileCase("db_directory", _db(_as_directory)),
    FileCase("db_other_sqlite", _db(_other_sqlite)),
    FileCase("data_dir_is_file", _data_is_file),
    FileCase("readonly_data", _readonly, skip=("console",)),
    FileCase("remote_readonly_data", _readonly, remote=True, skip=("console",)),
)
