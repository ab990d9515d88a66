"""A broken disk for tests: a real small or read-only tmpfs, or a fault injected at the write.

``small_tmpfs`` mounts a real tmpfs (root only, and only where the sandbox
allows ``mount``); a test using it skips with the reason otherwise. ``fill``
takes every free byte so the next write meets a real ``ENOSPC``.
``refuse_writes_under`` is the same fault without mounting: every file or
folder created under a path raises the given errno, as a full or read-only
disk would (SQLite's own writes are not Python's, so these tests reach them
through the private-files module, where every writer creates its files).
"""

from __future__ import annotations

import contextlib
import errno as errno_mod
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from triage_tui import private_files
from triage_tui.engine.drafts import DraftStore


def _mount(*args: str) -> str | None:
    """None when it worked, else why not."""
    if shutil.which("mount") is None:
        return "no mount command"
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return (
        None if done.returncode == 0 else (done.stderr.strip() or f"mount exit {done.returncode}")
    )


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str = "256k") -> Iterator[Path]:
    """A real tmpfs of ``size`` at ``where`` for the block; skips the test when unmountable."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    why = _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where))
    if why is not None:
        pytest.skip(f"cannot mount a tmpfs here: {why}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount_read_only(where: Path) -> None:
    why = _mount("-o", "remount,ro", str(where))
    if why is not None:
        pytest.skip(f"cannot remount read-only: {why}")


def remount_writable(where: Path) -> None:
    _mount("-o", "remount,rw", str(where))


def fill(where: Path) -> Path:
    """Take every free byte of the file system at ``where``; delete the file to give it back."""
    filler = where / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as error:
                assert error.errno == errno_mod.ENOSPC, error
    return filler


@contextlib.contextmanager
def refuse_writes_under(
    monkeypatch: pytest.MonkeyPatch, root: Path, code: int = errno_mod.ENOSPC
) -> Iterator[None]:
    """Every private file or folder created under ``root`` fails with ``code`` for the block."""
    root = Path(root).resolve()
    real_fd, real_mkdir = private_files._private_fd, os.mkdir

    def under(path: object) -> bool:
        return Path(str(path)).resolve().is_relative_to(root)

    def fd(path: Path, flags: int) -> int:
        if under(path):
            raise OSError(code, os.strerror(code), str(path))
        return real_fd(path, flags)

    def mkdir(path: object, *args: object, **kwargs: object) -> None:
        if under(path):
            raise OSError(code, os.strerror(code), str(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(private_files, "_private_fd", fd)
        patch.setattr(os, "mkdir", mkdir)
        yield


def body_of(store: DraftStore, ticket_id: str) -> str | None:
    """The draft's text as the store holds it (in memory)."""
    record = store.get(ticket_id)
    return None if record is None else str(record["body"])
