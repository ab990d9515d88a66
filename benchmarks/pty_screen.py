"""A program in a pseudo-terminal, its screen emulated with pyte, every byte timed.

The benchmark needs what an agent's terminal sees, not what a headless
Textual Pilot renders: the program runs on the slave side of a real pty
(raw mode, window size from ``TIOCSWINSZ``, ``TERM`` from the environment),
and everything it writes is read from the master side, counted, and fed to a
``pyte`` screen so conditions ("the queue shows rows", "the detail pane shows
ticket 42") are checked on the emulated screen after each read.

Latency is measured from just before a key is written to the master until
the read whose bytes make the condition true. Textual writes a frame with one
``write``; the pty hands it over in pieces of up to 4 KB, so ``pump`` reads
every piece already written (each timed as it is read) before emulating any:
the condition is met at the time the frame's last piece was read.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

import pyte

Condition = Callable[["Terminal"], bool]
#: How long a read waits for the rest of a frame the program is still writing.
DRAIN_WAIT_S = 0.001


@dataclass
class Chunk:
    at: float
    size: int


@dataclass
class Terminal:
    """``argv`` running in a ``cols``×``rows`` pty; use as a context manager."""

    argv: Sequence[str]
    cols: int
    rows: int
    env: Mapping[str, str]
    cwd: str | None = None
    started: float = 0.0
    chunks: list[Chunk] = field(default_factory=list)
    total: int = 0
    proc: subprocess.Popen[bytes] | None = None
    fd: int = -1
    #: While set, output is counted but not emulated (``catch_up`` feeds it):
    #: emulating a 20 KB frame takes pyte tens of ms, which would otherwise
    #: delay the next key of a timed burst.
    defer_feed: bool = False
    #: Output read but not yet emulated: (time of the read, its bytes).
    _pending: list[tuple[float, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.screen = pyte.Screen(self.cols, self.rows)
        self.stream = pyte.ByteStream(self.screen)

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> Self:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))

        def controlling_tty() -> None:
            # A session leader whose controlling terminal is the pty, as under
            # sshd or a terminal emulator (start_new_session ran setsid()).
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(self.argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(self.env),
            cwd=self.cwd,
            start_new_session=True,
            preexec_fn=controlling_tty,  # noqa: PLW1509 (the benchmark runs no threads)
            close_fds=True,
        )
        os.close(slave)
        self.fd = master
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                # Keep draining so a child blocked on a full pty can exit.
                deadline = time.perf_counter() + 3
                while proc.poll() is None and time.perf_counter() < deadline:
                    self.pump(0.05)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # -- I/O ---------------------------------------------------------------
    def pump(self, timeout: float) -> bool:
        """Read what is available within ``timeout`` seconds; False if nothing came.

        Everything already written is read (and timed) before any of it is
        emulated: pyte takes ~1.4 ms per KB, and while it works the program's
        next write would wait on the full pty buffer and be timed late.
        """
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        got: list[bytes] = []
        while ready:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:  # EIO: the child closed the pty
                break
            if not data:
                break
            self.chunks.append(Chunk(time.perf_counter(), len(data)))
            self.total += len(data)
            got.append(data)
            ready, _, _ = select.select([self.fd], [], [], DRAIN_WAIT_S)
        if not got:
            return False
        self._pending.append((self.chunks[-1].at, b"".join(got)))
        if not self.defer_feed:
            self.catch_up()
        return True

    def catch_up(self) -> None:
        """Emulate output held back while ``defer_feed`` was set."""
        for _ in self.replay():
            pass

    def replay(self) -> Iterator[float]:
        """Emulate held-back output one read at a time, yielding each read's time
        after its bytes are on the emulated screen."""
        pending, self._pending = self._pending, []
        for at, data in pending:
            self.stream.feed(data)
            yield at

    def send(self, data: bytes) -> float:
        at = time.perf_counter()
        os.write(self.fd, data)
        return at

    def wait_for(self, condition: Condition, timeout: float = 30.0) -> float | None:
        """The time of the read after which ``condition`` held (None on timeout)."""
        if condition(self):
            return time.perf_counter()
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            if self.pump(left) and condition(self):
                return self.chunks[-1].at
            if self.proc is not None and self.proc.poll() is not None and not self.pump(0):
                return None
        return None

    def settle(self, quiet: float = 0.25, timeout: float = 10.0) -> None:
        """Read until nothing has come for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self.pump(quiet):
            pass

    def bytes_since(self, at: float) -> int:
        return sum(c.size for c in self.chunks if c.at >= at)

    # -- screen ------------------------------------------------------------
    def lines(self) -> list[str]:
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(self.lines())

    def bg(self, y: int, x: int) -> str:
        return str(self.screen.buffer[y][x].bg)

    def peak_rss_kb(self) -> int | None:
        """VmHWM of the child (peak resident set), from /proc; None elsewhere."""
        if self.proc is None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None
