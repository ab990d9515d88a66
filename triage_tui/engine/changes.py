"""Following the helpdesk's change feed: the poller and the cursor it persists.

``ChangePoller`` asks ``Helpdesk.changes_since`` and hands each non-empty batch
(or a resync) to a callback; ``PollPolicy`` says how long it waits between
polls (the interval, longer while nothing changes and after errors). It is
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
from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch, FeedRateLimit
from triage_tui.domain.errors import RateLimited, TriageError, Unsupported

log = logging.getLogger(__name__)

#: Seconds between polls of the local helpdesk: an idle poll is one
#: ``PRAGMA data_version`` (microseconds), so the interval is set by how soon a
#: change must show (the live queue's target: 2 s median) rather than by cost.
LOCAL_POLL_SECONDS = 2.0
#: A remote helpdesk that documents no rate limit (RT, django-helpdesk, a
#: third-party adapter): two requests a minute, whatever the server.
REMOTE_POLL_SECONDS = 30.0
#: The shortest default interval for a remote helpdesk, however generous its
#: limit: a poll is a request (a diff feed's, a queue read of several pages).
REMOTE_MIN_POLL_SECONDS = 10.0
#: Share of a documented account-wide rate limit one follower spends while idle.
IDLE_BUDGET_SHARE = 0.02
#: Share of a feed endpoint's own limit (Zendesk's incremental export: 10 a
#: minute per account) one follower spends: a console and a ``triage watch``
#: on one account leave more than half of it to everything else.
FEED_ENDPOINT_SHARE = 0.2
#: Consecutive polls without a change after which the interval doubles (and
#: doubles again after as many more), up to the idle cap; a change snaps it back.
IDLE_POLLS_PER_STEP = 10
#: The longest interval idleness leads to on a remote helpdesk: a change still
#: shows within two minutes after a quiet hour.
REMOTE_IDLE_CAP_SECONDS = 120.0
#: The longest wait after repeated errors.
MAX_BACKOFF_SECONDS = 300.0
#: Batches read back to back when the helpdesk has more than one call's worth,
#: before the poller sleeps anyway (a flood must not starve everything else).
MAX_CATCH_UP_CALLS = 20

Sleep = Callable[[float], Awaitable[None]]
OnBatch = Callable[[ChangeBatch], Awaitable[None] | None]


def budget_interval(limit: FeedRateLimit) -> float:
    """Seconds between polls that spend ``IDLE_BUDGET_SHARE`` of the account's
    limit and ``FEED_ENDPOINT_SHARE`` of the feed endpoint's, whichever is less."""
    per_minute = limit.per_minute * IDLE_BUDGET_SHARE
    if limit.feed_per_minute:
        per_minute = min(per_minute, limit.feed_per_minute * FEED_ENDPOINT_SHARE)
    return 60.0 / per_minute


def default_interval(helpdesk: Helpdesk) -> float:
    """The poll interval when the profile does not set ``poll_seconds``."""
    if helpdesk.name == "local":
        return LOCAL_POLL_SECONDS
    limit = helpdesk.feed_rate_limit
    if limit is None or limit.per_minute <= 0:
        return REMOTE_POLL_SECONDS
    return max(REMOTE_MIN_POLL_SECONDS, budget_interval(limit))


class PollPolicy:
    """How long to wait before the next poll: the interval, idle and error back-off.

    ``base`` is the interval while changes come. After ``IDLE_POLLS_PER_STEP``
    polls in a row without a change the interval doubles, and again after as
    many more, up to ``idle_cap``; a change (or a resync) snaps it back to
    ``base``. A failed poll waits ``base`` × 2, × 4… up to
    ``MAX_BACKOFF_SECONDS`` (or the helpdesk's ``Retry-After``, if longer);
    the first good poll after errors waits ``base`` again.
    """

    def __init__(
        self,
        base: float,
        *,
        idle_cap: float | None = None,
        idle_polls_per_step: int = IDLE_POLLS_PER_STEP,
    ) -> None:
        if base <= 0:
            raise ValueError("the poll interval must be positive")
        self.base = base
        self.idle_cap = max(base, idle_cap if idle_cap is not None else base)
        self.idle_polls_per_step = max(1, idle_polls_per_step)
        #: Good polls in a row that brought nothing.
        self.idle_polls = 0
        #: Failed polls in a row.
        self.failures = 0

    @classmethod
    def for_helpdesk(cls, helpdesk: Helpdesk, poll_seconds: float = 0.0) -> PollPolicy:
        """The policy for ``helpdesk``; the profile's ``poll_seconds`` (non-zero)
        is taken as is: that interval always, no idle back-off."""
        if poll_seconds > 0:
            return cls(poll_seconds)
        base = default_interval(helpdesk)
        cap = base if helpdesk.name == "local" else max(base, REMOTE_IDLE_CAP_SECONDS)
        return cls(base, idle_cap=cap)

    @property
    def interval(self) -> float:
        """The wait after a good poll, given the idle polls so far."""
        steps = self.idle_polls // self.idle_polls_per_step
        if steps <= 0:
            return self.base
        # The exponent is bounded before it is used: a week of idle polls must not overflow.
        return min(self.base * 2.0 ** min(steps, 32), self.idle_cap)

    def after_poll(self, changed: bool) -> float:
        """Record a good poll (``changed``: it brought changes); the wait before the next."""
        self.failures = 0
        self.idle_polls = 0 if changed else self.idle_polls + 1
        return self.interval

    def error_wait(self, failures: int, error: TriageError) -> float:
        """The wait after the ``failures``-th failed poll in a row, ending with ``error``."""
        wait: float = min(self.base * 2.0 ** min(max(1, failures), 32), MAX_BACKOFF_SECONDS)
        if isinstance(error, RateLimited) and error.retry_after:
            wait = max(wait, float(error.retry_after))
        return wait

    def after_error(self, error: TriageError) -> float:
        """Record a failed poll; the wait before the next."""
        self.failures += 1
        return self.error_wait(self.failures, error)


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
    each failed poll. How long to wait between polls is the ``policy``'s
    (``PollPolicy``: idle and error back-off); ``interval`` alone is a fixed
    interval with error back-off. ``Unsupported`` ends ``run``: there is no
    feed to follow.
    """

    def __init__(
        self,
        helpdesk: Helpdesk,
        on_batch: OnBatch,
        *,
        interval: float | None = None,
        policy: PollPolicy | None = None,
        cursor: str | None = None,
        cursor_file: CursorFile | None = None,
        on_error: Callable[[TriageError], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        limit: int = MAX_CHANGES_PER_CALL,
    ) -> None:
        if policy is None:
            if interval is None:
                raise ValueError("a poll interval or a policy is needed")
            policy = PollPolicy(interval)
        self.helpdesk = helpdesk
        self.on_batch = on_batch
        self.policy = policy
        self.cursor_file = cursor_file
        #: Where the next poll starts; None: from now.
        if cursor is None and cursor_file is not None:
            cursor = cursor_file.load()
        self.cursor = cursor
        self.on_error = on_error
        self.limit = limit
        self._sleep = sleep
        self._stopped = asyncio.Event()

    @property
    def interval(self) -> float:
        """The interval while changes come (the policy's base)."""
        return self.policy.base

    @property
    def failures(self) -> int:
        """Consecutive failed polls (0 after a good one)."""
        return self.policy.failures

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
        """Seconds until the next poll after a good poll (None) or ``error``,
        given the polls so far (nothing is recorded)."""
        if error is None:
            return self.policy.interval
        return self.policy.error_wait(self.policy.failures + 1, error)

    async def run(self) -> None:
        """Poll until ``stop()``; never raises a helpdesk error but ``Unsupported``."""
        while not self.stopped:
            try:
                batches = await self.poll_once()
            except Unsupported:
                raise
            except TriageError as exc:
                if self.on_error is not None:
                    self.on_error(exc)
                wait = self.policy.after_error(exc)
            else:
                changed = any(b.changes or b.resync for b in batches)
                wait = self.policy.after_poll(changed)
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
