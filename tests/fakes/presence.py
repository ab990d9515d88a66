"""A colleague's console on this host, as the presence board sees it: a team
directory set up as the docs say, a live process of someone else's, and the
record that console would write (or a hostile one in its place)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def team_directory(parent: Path) -> Path:
    """A team directory as ``install -d -m 2770 -g GROUP`` makes it."""
    path = parent / "team"
    path.mkdir()
    os.chmod(path, 0o2770)
    return path


@contextmanager
def colleague_process() -> Iterator[int]:
    """The pid of a live process on this host that is not the test's own."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def gone_pid() -> int:
    """The pid of a process that has ended (a console killed with -9)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def record_json(pid: int, host: str, at: float, /, **fields: object) -> str:
    """A record as a colleague's console writes it (``fields`` override any key)."""
    base: dict[str, object] = {
        "v": 1,
        "agent": "Mei Chen",
        "host": host,
        "pid": pid,
        "ticket": "9",
        "state": "replying",
        "at": at,
    }
    return json.dumps({**base, **fields})


def plant(folder: Path, name: str, data: bytes | str) -> Path:
    """A file in a helpdesk's folder of the team directory, as anyone in the group may write."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path
