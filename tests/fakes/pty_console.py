"""The real ``triage`` console in a pseudo-terminal, for crash tests.

Standard library only (``pty``-style ``os.openpty``, ``termios``): the child
is a session leader whose controlling terminal is the pty — as under sshd —
so closing the master side delivers a real SIGHUP. A reader thread drains
the output so the child never blocks on a full pty buffer; ``text()`` is the
output so far with escape sequences removed, enough to find a notice or a
typed sentence on screen.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

#: xterm's F7: "select all" in Textual's TextArea (typing then replaces the draft).
F7 = b"\x1b[18~"
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def wait_for(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    screen: Callable[[], str] | None = None,
) -> None:
    """Poll ``condition``; on timeout say what was awaited (and the end of the screen output)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = f"; screen output ended with: {screen()[-1500:]!r}" if screen else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what}{tail}")
        time.sleep(0.02)


class PtyConsole:
    def __init__(self, env: Mapping[str, str], cwd: Path, cols: int = 120, rows: int = 40) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

        # The child makes the pty its controlling terminal itself, then execs
        # the console (preexec_fn is unsafe while the test's server threads run).
        become = (
            "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
            "os.execv(sys.executable, [sys.executable, '-m', 'triage_tui'])"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", become],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.fd: int | None = master
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while self.fd is not None:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.output += data

    def raw(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    def text(self) -> str:
        return _ESCAPES.sub(b"", self.raw()).decode("utf-8", "replace")

    def send(self, keys: str, pause: float = 0.05) -> None:
        """Type ``keys`` one at a time, as a person (and Textual's key parser) expects."""
        assert self.fd is not None
        for key in keys:
            os.write(self.fd, key.encode())
            time.sleep(pause)

    def send_raw(self, data: bytes, pause: float = 0.1) -> None:
        """One write: an escape sequence (a function key) must not be split."""
        assert self.fd is not None
        os.write(self.fd, data)
        time.sleep(pause)

    def kill(self, signum: int = signal.SIGKILL) -> int:
        os.killpg(self.proc.pid, signum)
        return self.proc.wait(timeout=10)

    def hang_up(self) -> int:
        """Close the terminal, as a dropped SSH connection does: the kernel sends SIGHUP."""
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)
        return self.proc.wait(timeout=10)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)
