"""Following the helpdesk's change feed: the poller and the cursor it persists.

``ChangePoller`` asks ``Helpdesk.changes_since`` every ``interval`` seconds and
hands each non-empty batch (or a resync) to a callback; errors back off. It is
a coroutine meant for a Textual worker or any asyncio task: every wait is an
``await``, and the adapters do their blocking I/O off the event loop.

The cursor is saved per profile (``cursor_path``) in the data directory,
private (0600), after the callback has taken each batch: a restart resumes
where the last run stopped, and a change is handed on at least once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from triage_tui import paths, private_files
from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch
from triage_tui.domain.errors import RateLimited, TriageError, Unsupported

log = logging.getLogger(__name__)

#: Seconds between polls when the profile sets no ``poll_seconds``: a local
#: helpdesk answers an idle poll in microseconds; a remote one spends a request
#: of its rate limit on each.
LOCAL_POLL_SECONDS = 5.0
REMOTE_POLL_SECONDS = 30.0
#: The longest wait after repeated errors.
MAX_BACKOFF_SECONDS = 300.0
#: Batches read back to back when the helpdesk has more than one call's worth,
#: before the poller sleeps anyway (a flood must not starve everything else).
MAX_CATCH_UP_CALLS = 20

Sleep = Callable[[float], Awaitable[None]]
OnBatch = Callable[[ChangeBatch], Awaitable[None] | None]


def default_interval(helpdesk: Helpdesk) -> float:
    """The poll interval when the profile does not set ``poll_seconds``."""
    return LOCAL_POLL_SECONDS if helpdesk.name == "local" else REMOTE_POLL_SECONDS


def cursor_path(key: str, consumer: str, data_dir: Path | None = None) -> Path:
    """Where ``consumer`` (``"console"``, ``"cli"``) keeps its cursor for the helpdesk
    ``key`` (``engine.buffered.store_key``: profile, adapter and its options)."""
    return (data_dir or paths.data_dir()) / "changes" / f"{key}.{consumer}.cursor"


class CursorFile:
    """One saved cursor: a private text file, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> str | None:
        """The saved cursor, or None when there is none (or it cannot be read)."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        # A cursor is one short line; anything else is not ours to send anywhere.
        return text if text and len(text) <= 4096 and text.isprintable() else None

    def save(self, cursor: str) -> bool:
        """Keep ``cursor``; False (logged) when the disk refuses: the run goes on
        with the cursor in memory, and a restart resumes from the older one."""
        try:
            private_files.write_text(self.path, cursor + "\n")
        except OSError as exc:
            log.warning("cannot save the change cursor %s: %s", self.path, exc)
            return False
        return True


class ChangePoller:
    """Polls ``helpdesk.changes_since`` and hands batches to ``on_batch``.

    ``on_batch`` gets every batch with changes and every resync (the reader
    then reloads); idle polls are not handed on. ``on_error`` (optional) hears
    each failed poll; the poller then waits ``interval`` × 2, × 4… up to
    ``MAX_BACKOFF_SECONDS`` (or the helpdesk's ``Retry-After``, if longer)
    and tries again. ``Unsupported`` ends ``run``: there is no feed to follow.
    """

    def __init__(
        self,
        helpdesk: Helpdesk,
        on_batch: OnBatch,
        *,
        interval: float,
        cursor: str | None = None,
        cursor_file: CursorFile | None = None,
        on_error: Callable[[TriageError], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        limit: int = MAX_CHANGES_PER_CALL,
    ) -> None:
        if interval <= 0:
            raise ValueError("the poll interval must be positive")
        self.helpdesk = helpdesk
        self.on_batch = on_batch
        self.interval = interval
        self.cursor_file = cursor_file
        #: Where the next poll starts; None: from now.
        if cursor is None and cursor_file is not None:
            cursor = cursor_file.load()
        self.cursor = cursor
        self.on_error = on_error
        self.limit = limit
        self._sleep = sleep
        #: Consecutive failed polls (0 after a good one).
        self.failures = 0
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        """End ``run`` at its next wait."""
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    async def poll_once(self) -> list[ChangeBatch]:
        """One poll: read until the helpdesk says the batch is complete (at most
        ``MAX_CATCH_UP_CALLS`` calls), handing each batch on; the batches read.

        Raises what ``changes_since`` raises; the cursor only moves past a
        batch once ``on_batch`` has returned.
        """
        batches: list[ChangeBatch] = []
        for _ in range(MAX_CATCH_UP_CALLS):
            batch = await self.helpdesk.changes_since(self.cursor, self.limit)
            batches.append(batch)
            if batch.changes or batch.resync:
                handed = self.on_batch(batch)
                if handed is not None:
                    await handed
            if batch.cursor != self.cursor:
                self.cursor = batch.cursor
                if self.cursor_file is not None:
                    self.cursor_file.save(batch.cursor)
            if batch.complete:
                break
        return batches

    def next_wait(self, error: TriageError | None = None) -> float:
        """Seconds until the next poll after a good poll (None) or ``error``."""
        if error is None:
            return self.interval
        # ``failures`` counts this one: × 2 after the first, × 4 after the second…
        wait: float = min(self.interval * 2.0 ** max(1, self.failures), MAX_BACKOFF_SECONDS)
        if isinstance(error, RateLimited) and error.retry_after:
            wait = max(wait, float(error.retry_after))
        return wait

    async def run(self) -> None:
        """Poll until ``stop()``; never raises a helpdesk error but ``Unsupported``."""
        while not self.stopped:
            error: TriageError | None = None
            try:
                await self.poll_once()
            except Unsupported:
                raise
            except TriageError as exc:
                error = exc
                if self.on_error is not None:
                    self.on_error(exc)
            self.failures = self.failures + 1 if error is not None else 0
            wait = self.next_wait(error)
            if self.stopped:
                break
            await self._wait(wait)

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (through the injected ``sleep``), or less if stopped."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
