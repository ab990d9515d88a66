"""Running lifecycle hooks exactly once, through the outbox.

A hook event (a change on the helpdesk's feed, read by ``triage watch``)
becomes, for each hook whose ``on`` names it and whose ``when`` selects the
ticket, one outbox entry recorded under an idempotency key per (hook, event)
(``Outbox.add_once``): a change read twice, two watchers, a restart after a
crash all find the key taken and record nothing. The entry carries the
payload built when the event was seen; ``HookRunner.run_due`` claims due
entries (``delivering`` is on disk before anything runs) and runs the action.

Failures retry with the outbox's back-off (``RetryPolicy.backoff``) and end
``failed`` after ``MAX_ATTEMPTS``, visible in ``o`` and ``triage outbox``,
where they can be retried by hand. An entry found ``delivering`` by a process
that died is never run blindly again: an ``exec`` command may have run, so it
is failed with that said (retry it by hand), and so is a Slack post (Slack
takes no idempotency key); a GitHub or Linear delivery is resent with the same
idempotency key (the integration finds the issue filed before instead of filing
a second); an assignment or a survey looks at the ticket first. Every outcome is in the event log as
``hook.ran`` or ``hook.failed``.

Hook entries sit on their own "ticket" (``hook:<id>``) in the outbox, with
their own origin, so the console's deliverer never picks them up and they
never hold up the agent's writes on the ticket.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import random
import signal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui.adapters.base import Helpdesk
from triage_tui.config import AppConfig, Hook, Profile, hook_names
from triage_tui.domain import events as ev
from triage_tui.domain import hooks as dh
from triage_tui.domain.clock import Clock
from triage_tui.domain.errors import NotFound, TriageError, Unsupported
from triage_tui.engine import outbox as ob
from triage_tui.engine import outbox_model as om
from triage_tui.engine.changes import CursorFile
from triage_tui.engine.delivery_policy import RetryPolicy

if TYPE_CHECKING:
    from triage_tui.domain.models import Event

ORIGIN = KIND = "hook"
#: Attempts before a failing hook is left ``failed`` for a person to look at.
MAX_ATTEMPTS = 5
#: How much of a command's stderr the event log keeps (its end: where errors are).
STDERR_TAIL = 1000
#: The one-line error of an exec hook found interrupted: it may have run.
INTERRUPTED = "interrupted while running: it may have run, so it is not run again (retry to run it)"
#: Slack takes no idempotency key: a post found interrupted may be in the channel already.
INTERRUPTED_POST = (
    "interrupted while posting: Slack may have posted it, so it is not posted again"
    " (retry to post it)"
)


@dataclass(frozen=True)
class Planned:
    """One hook action due for one event: what would run, and its payload."""

    hook: str
    action: str
    event: str
    ticket_id: str
    key: str
    payload: dict[str, Any]
    #: What it would do, in words (``triage hooks test``).
    detail: str


@dataclass
class Ran:
    """The outcome of one attempt at one hook entry."""

    entry: om.Entry
    ok: bool
    line: str
    retry_in: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


class HookFailure(TriageError):
    """A hook action that did not succeed; ``retryable`` says whether trying again may."""

    def __init__(
        self, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(" ".join(message.split()))
        self.retryable = retryable
        self.retry_after = retry_after


def integrations() -> Any:
    """``triage_tui.integrations``, imported when a service hook first runs: httpx and
    the services' code stay out of a watcher or console that has none."""
    return importlib.import_module("triage_tui.integrations")


class HookRunner:
    """The config's hooks on one helpdesk and its outbox."""

    def __init__(
        self,
        helpdesk: Helpdesk,
        outbox: ob.Outbox | None,
        config: AppConfig,
        profile: Profile,
        clock: Clock,
        *,
        environ: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        owner: str | None = None,
        team: str | None = None,
    ) -> None:
        self.helpdesk = helpdesk
        #: None: only ``plan`` (``triage hooks test``), which records and runs nothing.
        self._outbox = outbox
        self.clock = clock
        self.profile = profile
        self.environ = os.environ if environ is None else environ
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()
        #: Whose claims these are. A token made here is registered as live in this
        #: process (``om.session_started``), so the outbox's take-overs leave them be.
        self.owner = owner or om.owner_token()
        om.session_started(self.owner)
        self.team = team or profile.team
        self.hooks: dict[str, Hook] = dict(zip(hook_names(config), config.hooks, strict=True))
        self._rules = config.escalation
        #: Told of every outcome (``triage watch`` prints a line through the terminal gate).
        self.listeners: list[Callable[[Ran], None]] = []

    @property
    def outbox(self) -> ob.Outbox:
        if self._outbox is None:
            raise RuntimeError("a HookRunner without an outbox only plans")
        return self._outbox

    # -- which hooks an event runs -------------------------------------------
    def wanting(self, event: str) -> list[tuple[str, Hook]]:
        return [(name, h) for name, h in self.hooks.items() if event in h.events]

    async def plan(
        self, event: str, ticket_id: str, occurrence: str, extra: Mapping[str, Any] | None = None
    ) -> list[Planned]:
        """What ``event`` on ``ticket_id`` would run: the hooks that name it and whose
        ``when`` selects the ticket as it is now. Reads the ticket; writes nothing."""
        wanted = self.wanting(event)
        if not wanted:
            return []
        from triage_tui.domain.escalation import RuleSet
        from triage_tui.domain.filters.language import parse
        from triage_tui.domain.queue import QueueRow

        try:
            detail = await self.helpdesk.get_ticket(ticket_id)
        except NotFound:
            return []
        now = self.clock.now()
        row = QueueRow.from_ticket(detail.ticket)
        summary = dh.ticket_summary(
            detail.ticket, now, link=self.helpdesk.ticket_link(detail.ticket.id)
        )
        rules = RuleSet.from_config(self._rules.extra_phrases, self._rules.routes).evaluate(detail)
        extra = dict(extra or {})
        planned = []
        for name, hook in wanted:
            when = parse(hook.when, me=self.profile.agent) if hook.when.strip() else None
            if not dh.matches(when, row, now):
                continue
            action = hook.action
            follow = dh.follow_up_of(extra, summary) if action in dh.ISSUE_SERVICES else None
            if event == ev.FOLLOW_UP:
                follow = dh.follow_up_of(extra, summary)
            payload = dh.build_payload(
                event=event,
                hook=name,
                ticket=summary,
                rules=rules,
                reason=extra.get("reason") if isinstance(extra.get("reason"), str) else None,
                follow_up=follow,
            )
            planned.append(
                Planned(
                    hook=name,
                    action=action,
                    event=event,
                    ticket_id=detail.ticket.id,
                    key=dh.idempotency_key(name, event, occurrence),
                    payload=payload,
                    detail=describe(hook),
                )
            )
        return planned

    def record(self, planned: list[Planned]) -> list[om.Entry]:
        """Each planned action into the outbox, once per key; the entries newly recorded."""
        recorded = []
        for item in planned:
            entry = self.outbox.add_once(
                om.NewEntry(
                    dh.outbox_ticket(item.ticket_id, item.hook),
                    KIND,
                    {
                        "ticket_id": item.ticket_id,
                        "hook": item.hook,
                        "action": item.action,
                        "event": item.event,
                        "payload": item.payload,
                    },
                    f"hook {item.hook}: {item.action} on {item.event}",
                ),
                idem_key=item.key,
                origin=ORIGIN,
                owner=self.owner,
            )
            if entry is not None:
                recorded.append(entry)
        return recorded

    async def record_logged(self, log: Iterable[Event]) -> list[om.Entry]:
        """Record the hooks on event-log rows (``FROM_LOG`` names, keyed by row id)."""
        wanted = {event for hook in self.hooks.values() for event in hook.events}
        recorded: list[om.Entry] = []
        for event in log:
            if event.name in dh.FROM_LOG and event.name in wanted and event.ticket_id:
                planned = await self.plan(
                    event.name, event.ticket_id, f"event:{event.id}", event.payload
                )
                recorded += self.record(planned)
        return recorded

    # -- running ---------------------------------------------------------------
    async def run_due(self) -> list[Ran]:
        """Run every hook entry that is due now, oldest first; what each attempt did."""
        self._take_over_interrupted()
        outcomes: list[Ran] = []
        tried: set[str] = set()
        while True:
            due = [e for e in self.outbox.due(origin=ORIGIN, limit=20) if e.id not in tried]
            if not due:
                return outcomes
            for entry in due:
                tried.add(entry.id)
                claimed = self.outbox.claim(entry.id, self.owner)
                if claimed is not None:
                    outcomes.append(await self.attempt(claimed))

    def _take_over_interrupted(self) -> None:
        # Left ``delivering`` by a process that died: pending with ``needs_check``;
        # ``attempt`` then decides whether it may run again.
        self.outbox.recover(self.owner)

    async def attempt(self, entry: om.Entry) -> Ran:
        """Run one claimed hook entry once; the outbox and the event log record the outcome."""
        name = str(entry.payload.get("hook", ""))
        action = str(entry.payload.get("action", ""))
        event = str(entry.payload.get("event", ""))
        ticket_id = str(entry.payload.get("ticket_id", ""))
        base = {"hook": name, "action": action, "event": event, "entry_id": entry.id}
        try:
            hook = self.hooks.get(name)
            if hook is None or hook.action != action:
                raise HookFailure(f"hook {name} is no longer in the config", retryable=False)
            if entry.needs_check and action == "exec":
                raise HookFailure(INTERRUPTED, retryable=False)
            if entry.needs_check and action == "slack":
                raise HookFailure(INTERRUPTED_POST, retryable=False)
            data = await self._run(hook, action, entry, ticket_id)
        except asyncio.CancelledError:
            # Stopped mid-run: the next run decides (``needs_check``) whether it may run again.
            self.outbox.interrupted(entry.id)
            raise
        except (HookFailure, TriageError) as error:
            return await self._failed(entry, ticket_id, base, error)
        except Exception as error:  # noqa: BLE001 - a hook bug must not end the watcher
            return await self._failed(
                entry, ticket_id, base, HookFailure(f"unexpected {type(error).__name__}: {error}")
            )
        self.outbox.delivered(entry.id, data, note=data.get("detail"))
        await self._log(dh.HOOK_RAN, ticket_id, {**base, **data})
        ran = Ran(
            entry, True, f"hook {name} ({action}) on #{ticket_id}: {data['detail']}", data=data
        )
        self._tell(ran)
        return ran

    async def _failed(
        self, entry: om.Entry, ticket_id: str, base: dict[str, Any], error: Exception
    ) -> Ran:
        message = str(error) or type(error).__name__
        retryable = getattr(error, "retryable", not isinstance(error, Unsupported))
        if isinstance(error, TriageError) and not isinstance(error, HookFailure):
            from triage_tui.engine.delivery_policy import classify

            retryable = classify(error) in ("retry", "rate")
        final = not retryable or entry.attempts >= MAX_ATTEMPTS
        wait: float | None = None
        if final:
            self.outbox.failed(entry.id, message)
        else:
            after = getattr(error, "retry_after", None)
            wait = float(after) if after else self.policy.backoff(entry.attempts, self.rng)
            self.outbox.retry_later(
                entry.id,
                message,
                self.clock.now() + timedelta(seconds=wait),
                needs_check=entry.needs_check,
            )
        await self._log(
            dh.HOOK_FAILED,
            ticket_id,
            {**base, "error": message, "attempts": entry.attempts, "final": final},
        )
        then = "failed" if final else f"retry in {wait:.0f} s"
        ran = Ran(
            entry,
            False,
            f"hook {base['hook']} ({base['action']}) on #{ticket_id}: {message} ({then})",
            retry_in=wait,
        )
        self._tell(ran)
        return ran

    def _tell(self, ran: Ran) -> None:
        for listener in list(self.listeners):
            listener(ran)

    async def _log(self, name: str, ticket_id: str, payload: dict[str, Any]) -> None:
        with contextlib.suppress(TriageError):  # a helpdesk with no log: the outbox has it
            await self.helpdesk.record_event(name, ticket_id, payload)

    async def _run(
        self, hook: Hook, action: str, entry: om.Entry, ticket_id: str
    ) -> dict[str, Any]:
        payload: dict[str, Any] = entry.payload.get("payload") or {}
        if action == "exec":
            assert hook.exec is not None
            return await run_command(
                hook.exec, payload, hook.timeout_seconds, ticket_id, env=self.environ
            )
        if action in dh.SERVICES:
            return await self._deliver(hook, action, entry, payload, ticket_id)
        if action == "assign":
            return await self._assign(hook, ticket_id)
        if action == "survey":
            return await self._survey(hook, ticket_id, name=str(entry.payload.get("hook")))
        raise HookFailure(f"unknown action {action!r}", retryable=False)

    async def _deliver(
        self, hook: Hook, service: str, entry: om.Entry, payload: dict[str, Any], ticket_id: str
    ) -> dict[str, Any]:
        module = integrations()
        settings: dict[str, Any] = dict(getattr(hook, service) or {})
        try:
            delivered = await module.deliver(
                service, settings, payload, idempotency_key=entry.idem_key, env=self.environ
            )
        except module.ServiceError as error:
            raise HookFailure(
                str(error),
                retryable=bool(getattr(error, "retryable", False)),
                retry_after=getattr(error, "retry_after", None),
            ) from None
        url = getattr(delivered, "url", None)
        data: dict[str, Any] = {"url": url, "detail": f"delivered to {service}"}
        if url and service in dh.ISSUE_SERVICES:
            note = f"Follow-up: {url}"
            detail = await self.helpdesk.get_ticket(ticket_id)
            if not any(m.body.strip() == note for m in detail.messages):
                await self.helpdesk.add_note(ticket_id, note)
            data["detail"] = f"{service} issue {url}, noted on the ticket"
        return data

    async def _assign(self, hook: Hook, ticket_id: str) -> dict[str, Any]:
        assert hook.assign is not None
        ticket = (await self.helpdesk.get_ticket(ticket_id)).ticket
        if ticket.assignee:
            return {
                "assignee": ticket.assignee,
                "detail": f"already assigned to {ticket.assignee}; left alone",
            }
        settings = hook.assign
        candidates = list(settings.agents)
        if not candidates:
            candidates = await self.helpdesk.agents()
        if settings.strategy == "round_robin":
            who = dh.round_robin(candidates, self._last_assigned(hook), self.profile.away)
        else:
            rows = []
            async for batch in self.helpdesk.iter_queue_rows():
                rows.extend(batch)
            who = dh.least_busy(candidates, rows, self.profile.away)
        if not who:
            raise HookFailure("no agent to assign: every candidate is away", retryable=False)
        group = settings.group.strip() or None
        await self.helpdesk.assign(ticket_id, who, group)
        return {"assignee": who, "detail": f"assigned to {who} ({settings.strategy})"}

    def _last_assigned(self, hook: Hook) -> str | None:
        name = next((n for n, h in self.hooks.items() if h is hook), "")
        for entry in self.outbox.entries(states=(om.DELIVERED,), limit=200):
            if entry.origin == ORIGIN and entry.payload.get("hook") == name and entry.result:
                who = entry.result.get("assignee")
                if isinstance(who, str):
                    return who
        return None

    async def _survey(self, hook: Hook, ticket_id: str, *, name: str) -> dict[str, Any]:
        assert hook.survey is not None
        detail = await self.helpdesk.get_ticket(ticket_id)
        ticket = detail.ticket
        person = ticket.requester
        values = {
            "first_name": person.first_name or person.name,
            "name": person.name,
            "subject": ticket.subject,
            "ticket_id": ticket.id,
            "team": self.team,
            "organization": ticket.organization.name if ticket.organization else "",
        }
        body = dh.render(hook.survey.template or dh.DEFAULT_SURVEY, values)
        # Looked for first: after an interruption the reply may already be there.
        if not any(m.public and m.body.strip() == body.strip() for m in detail.messages):
            await self.helpdesk.reply(ticket_id, body)
            await self._log(
                dh.SURVEY_SENT,
                ticket_id,
                {"hook": name, "requester_id": person.id, "requester": person.name},
            )
        data: dict[str, Any] = {"detail": f"survey sent to {person.name or person.email}"}
        org = ticket.organization
        if hook.survey.health_check and org is not None:
            note = dh.render(hook.survey.health_note or dh.DEFAULT_HEALTH_NOTE, values)
            if not any(m.body.strip() == note.strip() for m in detail.messages):
                await self.helpdesk.add_note(ticket_id, note)
                await self._log(
                    dh.HEALTH_CHECK,
                    ticket_id,
                    {
                        "hook": name,
                        "organization_id": org.id,
                        "organization": org.name,
                        "note": note,
                    },
                )
            data["detail"] += f"; health check for {org.name}"
        return data

    # -- the watcher's listener ---------------------------------------------------
    async def on_changes(self, changes: list[tuple[str, str, str | None, str]]) -> list[Ran]:
        """Changes from the feed, as (ticket id, change kind, status now, occurrence):
        record the hooks each runs, then run what is due."""
        from triage_tui.domain.changes import ChangeKind

        for ticket_id, kind, status, occurrence in changes:
            for event in dh.feed_events(ChangeKind(kind), status):
                self.record(await self.plan(event, ticket_id, occurrence))
        return await self.run_due()


def describe(hook: Hook) -> str:
    """What a hook's action does, in words (``hooks list``, ``hooks test``)."""
    if hook.exec is not None:
        return f"run {hook.exec!r} (time limit {hook.timeout_seconds:g} s)"
    if hook.assign is not None:
        among = ", ".join(hook.assign.agents) or f"the agents, into group {hook.assign.group}"
        return f"assign ({hook.assign.strategy}) among {among}"
    if hook.survey is not None:
        return "send a satisfaction survey" + (
            " and a health-check note" if hook.survey.health_check else ""
        )
    service = hook.action
    settings: dict[str, Any] = getattr(hook, service) or {}
    where = settings.get("repo") or settings.get("team_id") or settings.get("channel") or ""
    return f"deliver to {service}" + (f" ({where})" if where else "")


class LogReader:
    """The event log after a saved position: the events hooks take from it
    (``domain.hooks.FROM_LOG``), once each, the position saved after they are recorded."""

    def __init__(self, runner: HookRunner, cursor: CursorFile) -> None:
        self.runner, self.cursor = runner, cursor

    async def read(self) -> None:
        saved = self.cursor.load()
        last, since = dh.log_cursor(saved, self.runner.clock.now())
        try:
            log = await self.runner.helpdesk.list_events(since)
        except TriageError:
            return  # no event log: only the feed's events run hooks
        fresh = [e for e in log if e.id > last]
        await self.runner.record_logged(fresh)
        newest = max(fresh, key=lambda e: e.id, default=None)
        if newest is not None:
            self.cursor.save(f"{newest.id}|{newest.at.isoformat()}")
        elif saved is None:
            self.cursor.save(f"0|{since.isoformat()}")


async def run_own_events(
    runner: HookRunner, since: datetime, ticket_id: str | None = None
) -> list[Ran]:
    """After a verb's or the console's write was delivered: the hooks on the events
    it logged (since ``since``, on ``ticket_id`` when given), run now.

    Keyed by the event-log row as ``triage watch``'s log reader keys them, so a
    watcher reading the same rows later finds them recorded and runs nothing
    again; an action that fails waits in the outbox for the watcher's retries.
    """
    try:
        log = await runner.helpdesk.list_events(since)
    except TriageError:
        return []
    if ticket_id is not None:
        log = [e for e in log if e.ticket_id == ticket_id]
    outcomes = []
    for entry in await runner.record_logged(log):
        claimed = runner.outbox.claim(entry.id, runner.owner)
        if claimed is not None:
            outcomes.append(await runner.attempt(claimed))
    return outcomes


async def run_command(
    command: str,
    payload: Mapping[str, Any],
    timeout: float,
    ticket_id: str,
    *,
    env: Mapping[str, str],
) -> dict[str, Any]:
    """Run ``command`` through the shell with ``payload`` as JSON on stdin.

    Its own session (process group), so a time-out kills the command and
    whatever it started. Exit 0 is success; otherwise a ``HookFailure`` with
    the exit status and the last line of stderr.
    """
    environment = dict(env)
    environment["TRIAGE_EVENT"] = str(payload.get("event", ""))
    environment["TRIAGE_TICKET_ID"] = ticket_id
    environment["TRIAGE_HOOK"] = str(payload.get("hook", ""))
    data = json.dumps(payload, ensure_ascii=False).encode()
    try:
        proc = await asyncio.create_subprocess_shell(
            command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
    except OSError as error:
        raise HookFailure(f"cannot start {command!r}: {error.strerror}") from None
    try:
        _, err = await asyncio.wait_for(proc.communicate(data), timeout)
    except TimeoutError:
        _kill(proc)
        await proc.wait()
        raise HookFailure(f"{command!r} timed out after {timeout:g} s (killed)") from None
    except asyncio.CancelledError:
        _kill(proc)
        raise
    tail = err.decode("utf-8", "replace")[-STDERR_TAIL:]
    if proc.returncode != 0:
        last = tail.strip().splitlines()[-1] if tail.strip() else "no stderr"
        raise HookFailure(f"{command!r} exited {proc.returncode}: {last}")
    return {"exit": 0, "stderr_tail": tail, "detail": "exit 0"}


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class HookLease:
    """One process runs a profile's hooks: an exclusive lock on a file in the data dir.

    The operating system drops the lock when the process ends, however it ends,
    so a crashed watcher never blocks the next one; a second watcher on the
    same profile follows the feed but leaves the hooks to the first.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: Any = None

    def acquire(self) -> bool:
        """True when this process now holds the lease (False: another one does)."""
        from triage_tui import private_files

        private_files.make_dir(self.path.parent)
        private_files.create_file(self.path)
        handle = open(self.path, "a+b")  # noqa: SIM115 - held until release
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not POSIX: one watcher per profile is the operator's care
            pass
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def lease_path(data_dir: Path, key: str) -> Path:
    return data_dir / "hooks" / f"{key}.lock"
