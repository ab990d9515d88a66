"""Delivering outbox entries: backoff, rate limits, collisions, exactly-once effect.

The ``Deliverer`` runs as one asyncio task beside the console. It takes one
due entry at a time (so writes on a ticket keep their order and a rate limit
is honoured for everything, not per entry), marks it ``delivering`` on disk,
and makes the helpdesk call. What happens next depends on the error:

* connection errors, timeouts and 5xx (``Unreachable``, ``HelpdeskError`` with
  ``status >= 500``): retried with exponential backoff and jitter from a seeded
  RNG; the helpdesk is marked offline until a call succeeds again;
* ``RateLimited``: waits ``retry_after`` (the adapter parsed seconds or an
  HTTP date), or ``policy.rate_limit_default`` when the helpdesk gave none;
* ``Conflict`` (optimistic concurrency refused the write): re-checked against
  a fresh read; a real change becomes a collision for the agent;
* any other error (4xx: not found, invalid, auth): failed at once with the
  helpdesk's message — sending the same request again cannot succeed.

Exactly-once effect: a failure *after* the request may have left (timeout,
cut connection, 5xx, a kill -9 while ``delivering``) sets ``needs_check``. The
next attempt resends with the same idempotency key when the helpdesk has one
(``Capabilities.idempotency``), otherwise it first reads the ticket and looks
for the write (``collision.already_applied``); only if it is absent is the
write sent again. Time comes from an injected clock and ``sleep`` so tests
drive hours of backoff on a fake clock without real waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from triage_tui.adapters import write_context
from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.clock import Clock
from triage_tui.domain.errors import TriageError, Unreachable
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.delivery_policy import (
    Attempt,
    Connectivity,
    RetryPolicy,
    apply_write,
    classify,
)

__all__ = [
    "Deliverer",
]

Sleep = Callable[[float], Awaitable[None]]
Listener = Callable[[str, "om.Entry | None"], None]


class Deliverer:
    def __init__(
        self,
        outbox: ob.Outbox,
        helpdesk: Helpdesk,
        clock: Clock,
        *,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        policy: RetryPolicy | None = None,
        owner: str | None = None,
        connectivity: Connectivity | None = None,
        probe: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.helpdesk = helpdesk
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.policy = policy or RetryPolicy()
        self.owner = owner or om.owner_token()
        self.connectivity = connectivity or Connectivity()
        self.probe = probe
        self.listeners: list[Listener] = []
        #: A rate limit or an outage pauses every entry, not only the one that met it.
        self.pause_until: datetime | None = None
        self._conflicts: dict[str, int] = {}
        self._probe_failures = 0
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        #: The entry being delivered right now (the quit screen names it).
        self.current: om.Entry | None = None

    # -- events -----------------------------------------------------------
    def emit(self, event: str, entry: om.Entry | None = None) -> None:
        for listener in list(self.listeners):
            listener(event, entry)

    def reached(self, ok: bool, error: str = "") -> None:
        """Record whether the helpdesk answered; emits online/offline on a change."""
        state = self.connectivity
        if state.online != ok:
            state.online, state.since, state.error = ok, self.clock.now(), error
            if not ok:
                self.kick()  # a read may have found out: start probing for the return
            self.emit("online" if ok else "offline")
        elif not ok:
            state.error = error

    # -- one attempt ------------------------------------------------------
    async def attempt(
        self, entry: om.Entry, *, reconcile_only: bool = False, policy: RetryPolicy | None = None
    ) -> Attempt:
        """Deliver a claimed (``delivering``) entry once; the outbox records the outcome."""
        # Here, not at import: the console's path to its first screen imports no pydantic.
        from triage_tui.engine.collision import Base, already_applied, changes_since, sessions_of

        caps = self.helpdesk.capabilities
        base = Base.model_validate(entry.base) if entry.base else None
        check = reconcile_only or (entry.needs_check and not caps.idempotency)
        collide = entry.kind == "reply" and not entry.force and base is not None
        wrote = False
        try:
            version: str | None = None
            if check or collide or (caps.safe_update and entry.kind == "reply"):
                latest = await self.helpdesk.get_ticket(entry.ticket_id)
                self.reached(True)
                version = latest.ticket.version
                # Read anyway: our own write must not look like a collision.
                if entry.needs_check or reconcile_only:
                    found = already_applied(
                        entry.kind, entry.payload, base, latest, self._claimed(entry)
                    )
                    if found is not None:
                        self.outbox.delivered(
                            entry.id,
                            found,
                            note="found on the helpdesk after an interruption; not sent again",
                        )
                        return self._done(entry, Attempt(om.DELIVERED, result=found))
                    if reconcile_only:
                        why = (
                            "interrupted before the helpdesk confirmed it, and it is not on the"
                            " ticket: not sent (retry to send it)"
                            if entry.needs_check
                            else "the script that recorded it stopped before sending it:"
                            " not sent (retry to send it)"
                        )
                        self.outbox.failed(entry.id, why)
                        return self._done(entry, Attempt(om.FAILED, error=Unreachable(why)))
                if collide and base is not None:
                    ours = self.outbox.delivered_results(
                        entry.ticket_id, sessions_of(base, entry.session)
                    )
                    changes = changes_since(base, latest, ours)
                    if changes:
                        self.outbox.conflicted(entry.id, changes)
                        return self._done(entry, Attempt(om.CONFLICT, changes=changes))
            wrote = True
            # The key is the same for every attempt of this entry; adapters that
            # declare ``idempotency`` send it, the others may log it.
            with write_context.writing(
                key=entry.idem_key, version=version if caps.safe_update else None
            ):
                result = await self._apply(entry)
            self.reached(True)
            self._conflicts.pop(entry.id, None)
            self.outbox.delivered(entry.id, result)
            return self._done(entry, Attempt(om.DELIVERED, result=result))
        except asyncio.CancelledError:
            # Shutdown mid-request: it may have landed. The next start checks.
            self.outbox.interrupted(entry.id, self._settle())
            raise
        except TriageError as error:
            return self._failure(entry, error, wrote, policy or self.policy)
        # An adapter bug must not lose the entry or kill the loop.
        except Exception as error:  # noqa: BLE001
            message = f"unexpected {type(error).__name__}: {error}"
            self.outbox.failed(entry.id, " ".join(message.split()), needs_check=wrote)
            return self._done(entry, Attempt(om.FAILED, error=error))

    def _claimed(self, entry: om.Entry) -> set[str]:
        return {
            str(r["id"])
            for r in self.outbox.delivered_results(entry.ticket_id)
            if "body" in r and "id" in r
        }

    async def _apply(self, entry: om.Entry) -> dict[str, Any]:
        return await apply_write(self.helpdesk, entry.kind, entry.ticket_id, entry.payload)

    def _failure(
        self, entry: om.Entry, error: TriageError, wrote: bool, policy: RetryPolicy
    ) -> Attempt:
        kind = classify(error)
        now = self.clock.now()
        message = str(error)
        # After a failure that may have happened past the point of no return,
        # the next attempt looks before it sends again.
        needs_check = entry.needs_check or (wrote and kind in ("retry",))
        if kind == "conflict":
            count = self._conflicts.get(entry.id, 0) + 1
            self._conflicts[entry.id] = count
            if count >= policy.max_conflicts:
                self._conflicts.pop(entry.id, None)
                if entry.kind == "reply":
                    self.outbox.conflicted(entry.id, [f"The helpdesk refused it: {message}"])
                    return self._done(entry, Attempt(om.CONFLICT, error=error, changes=[message]))
                self.outbox.failed(entry.id, message)
                return self._done(entry, Attempt(om.FAILED, error=error))
            wait = 0.0  # re-read and re-check at once
        elif kind == "rate":
            retry_after = getattr(error, "retry_after", None)
            wait = float(retry_after) if retry_after is not None else policy.rate_limit_default
            self.pause_until = now + timedelta(seconds=wait)
        elif kind == "retry":
            wait = policy.backoff(entry.attempts, self.rng)
            if isinstance(error, Unreachable):
                self.reached(False, message)
                if wrote:  # no answer: it may still be applied; look only once it would have been
                    wait = max(wait, self._settle())
                self.pause_until = now + timedelta(seconds=wait)
            elif entry.attempts >= policy.max_server_errors:
                self.outbox.failed(entry.id, message, needs_check=needs_check)
                return self._done(entry, Attempt(om.FAILED, error=error))
        else:
            self.reached(True)
            self.outbox.failed(entry.id, message)
            return self._done(entry, Attempt(om.FAILED, error=error))
        out_of_attempts = policy.max_attempts is not None and entry.attempts >= policy.max_attempts
        too_long = policy.max_wait is not None and wait > policy.max_wait
        if out_of_attempts or too_long:
            self.outbox.failed(entry.id, message, needs_check=needs_check)
            return self._done(entry, Attempt(om.FAILED, error=error, wait=wait))
        self.outbox.retry_later(
            entry.id, message, now + timedelta(seconds=wait), needs_check=needs_check
        )
        return self._done(entry, Attempt(om.PENDING, error=error, wait=wait))

    def _done(self, entry: om.Entry, outcome: Attempt) -> Attempt:
        event = {om.DELIVERED: "delivered", om.FAILED: "failed", om.CONFLICT: "conflict"}
        self.emit(event.get(outcome.state, "retry"), self.outbox.get(entry.id) or entry)
        return outcome

    # -- synchronous delivery (verbs) -------------------------------------
    async def deliver_now(self, entry_id: str) -> Attempt:
        """Attempt ``entry_id`` until delivered or given up; waits with ``sleep``."""
        while True:
            entry = self.outbox.claim(entry_id, self.owner)
            if entry is None:
                current = self.outbox.get(entry_id)
                state = current.state if current else "missing"
                return Attempt(state, error=Unreachable(f"outbox entry {entry_id} is {state}"))
            outcome = await self.attempt(entry)
            if outcome.state != om.PENDING:
                return outcome
            await self.sleep(outcome.wait)

    # -- the background loop ----------------------------------------------
    def start(self) -> asyncio.Task[None]:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="triage-outbox")
        return self._task

    def kick(self) -> None:
        """Look again now (an entry was added, released, retried)."""
        self._kick.set()

    async def stop(self) -> None:
        """Stop; an entry in mid-request is marked to be checked at the next start."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def take_over_interrupted(self) -> list[om.Entry]:
        """Entries left ``delivering`` by a session that is gone: pending, checked first."""
        recovered = self.outbox.recover(self.owner, self._settle())
        if recovered:
            self.emit("recovered")
        return recovered

    def look_around(self) -> None:
        """The console's periodic look: a session that died mid-delivery leaves its entry
        to us, and a dead script's pending one is reconciled by the loop once kicked."""
        if self._task is None or self._stopping:
            return
        self.take_over_interrupted()
        if self.outbox.orphans(self.owner):
            self.kick()

    async def take_over(self, ticket_id: str) -> list[Attempt]:
        """Before a verb writes on ``ticket_id``: what dead sessions left there goes first.

        A dead script's entry is only reconciled (its caller saw a failure); a
        dead console's is delivered as the console would have — or left pending
        for the next console when the helpdesk is away, never failed for it.
        """
        self.take_over_interrupted()
        outcomes: list[Attempt] = []
        tried: set[str] = set()
        while True:
            # Asked again after each attempt: one that fails holds up the rest of its batch.
            left = [e for e in self.outbox.orphans(self.owner, ticket_id) if e.id not in tried]
            if not left:
                break
            tried.add(left[0].id)
            claimed = self.outbox.claim(left[0].id, self.owner)
            if claimed is None:
                continue
            verb = claimed.origin == om.VERB
            if claimed.needs_check and self._settle():
                # It may have left moments ago: look once it would have landed.
                await self.sleep(max(0.0, self._settle_left(claimed)))
            policy = None if verb else RetryPolicy()
            outcomes.append(await self.attempt(claimed, reconcile_only=verb, policy=policy))
        return outcomes

    def _settle_left(self, entry: om.Entry) -> float:
        if entry.next_attempt is None:
            return 0.0
        return (entry.next_attempt - self.clock.now()).total_seconds()

    async def run(self) -> None:
        self.take_over_interrupted()
        last_look = self.clock.now()
        while not self._stopping:
            self._kick.clear()
            if (self.clock.now() - last_look).total_seconds() >= self.policy.takeover_every:
                last_look = self.clock.now()
                if self.take_over_interrupted():
                    continue
            if self.outbox.release_holds():
                self.emit("changed")
            picked = self._next()
            if picked is not None:
                entry, reconcile = picked
                claimed = self.outbox.claim(entry.id, self.owner)
                if claimed is not None:
                    self.current = claimed
                    try:
                        await self.attempt(claimed, reconcile_only=reconcile)
                    finally:
                        self.current = None
                continue
            if not self.connectivity.online and self.probe is not None and self._probe_due():
                await self._probe()
                continue
            await self._wait(self._delay())

    def _settle(self) -> float:
        return 0.0 if self.helpdesk.capabilities.idempotency else self.policy.settle

    def _paused(self) -> bool:
        return self.pause_until is not None and self.clock.now() < self.pause_until

    def _next(self) -> tuple[om.Entry, bool] | None:
        if self._paused():
            return None
        due = self.outbox.due(origin=om.CONSOLE, limit=1)
        if due:
            return due[0], False
        # A verb killed before or while delivering: its caller saw a failure, so
        # only reconcile (found on the ticket: delivered; else failed, for the agent).
        for entry in self.outbox.due(origin=om.VERB, limit=20):
            if not om.owner_alive(entry.owner, self.owner):
                return entry, True
        return None

    def _probe_due(self) -> bool:
        return not self._paused()

    async def _probe(self) -> None:
        assert self.probe is not None
        try:
            await self.probe()
        except TriageError as error:
            self._probe_failures += 1
            wait = min(self.policy.probe_cap, self.policy.backoff(self._probe_failures, self.rng))
            self.pause_until = self.clock.now() + timedelta(seconds=wait)
            self.reached(False, str(error))
            return
        self._probe_failures = 0
        self.pause_until = None
        self.reached(True)

    def _delay(self) -> float | None:
        """Seconds until something can happen; None: nothing until a kick."""
        now = self.clock.now()
        if self._paused():
            assert self.pause_until is not None
            return max(0.0, (self.pause_until - now).total_seconds())
        wake = self.outbox.next_wake()
        delay = None if wake is None else max(0.0, (wake - now).total_seconds())
        if self.outbox.others_in_flight(self.owner):
            # Another session's write under way: look again whether it died with it.
            every = self.policy.takeover_every
            delay = every if delay is None else min(delay, every)
        return delay

    async def _wait(self, delay: float | None) -> None:
        kicked = asyncio.ensure_future(self._kick.wait())
        waits: set[asyncio.Future[Any]] = {kicked}
        if delay is not None:
            waits.add(asyncio.ensure_future(self.sleep(delay)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
