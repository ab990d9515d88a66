"""Time for the outbox's tests: a frozen clock and a ``sleep`` that never really waits.

``auto=True``: every sleep advances the clock by its length at once (a
campaign of hours of backoff runs in milliseconds). ``auto=False``: a sleep
waits until the test calls ``advance`` past its end — the undo window and
Retry-After waits are then stepped through exactly. Every requested sleep is
recorded in ``sleeps`` so tests assert what was waited, not how long it took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from triage_tui.domain.clock import FrozenClock


class FakeTime:
    def __init__(self, clock: FrozenClock, *, auto: bool = True) -> None:
        self.clock = clock
        self.auto = auto
        self.sleeps: list[float] = []
        self._waiters: list[tuple[object, asyncio.Future[None]]] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        if self.auto:
            self.clock.advance(seconds)
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self.clock.now() + timedelta(seconds=seconds), future))
        try:
            await future
        finally:
            self._waiters = [(t, f) for t, f in self._waiters if f is not future]

    def advance(self, seconds: float) -> None:
        """Move the clock and wake every sleeper whose time has come."""
        self.clock.advance(seconds)
        now = self.clock.now()
        for until, future in list(self._waiters):
            if until <= now and not future.done():  # type: ignore[operator]
                future.set_result(None)


async def until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll (real time, tiny steps) until ``condition`` holds; the event loop keeps running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.005)
