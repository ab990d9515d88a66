"""``triage hooks list|test|log`` and ``triage csat``: the lifecycle hooks from the command line.

``hooks test`` shows what an event on a ticket would run, with the payload
each action would be handed, and sends nothing (no outbox entry, no command,
no service call). ``hooks log`` reads ``hook.ran``/``hook.failed`` from the
event log; ``csat`` records a satisfaction score there, which the report and
the requester's history show.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from triage_tui.cli import output as out
from triage_tui.cli.verbs import Outcome, View, _events_since
from triage_tui.domain import hooks as dh
from triage_tui.domain.errors import InvalidInput

if TYPE_CHECKING:
    from datetime import datetime

    from triage_tui.adapters.base import Helpdesk
    from triage_tui.config import AppConfig, Profile
    from triage_tui.domain.clock import Clock
    from triage_tui.session import ConsoleContext

#: ``triage csat --score``: the survey's scale.
CSAT_MIN, CSAT_MAX = 1, 5


def hooks_list(config: AppConfig, view: View) -> Outcome:
    """Every configured hook: name, events, when, action, what it does, missing secrets."""
    from triage_tui.config import hook_env_missing, hook_names
    from triage_tui.engine.hooks import describe

    items: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for name, hook in zip(hook_names(config), config.hooks, strict=True):
        missing = hook_env_missing(hook)
        detail = describe(hook)
        items.append(
            {
                "name": name,
                "on": hook.events,
                "when": hook.when or None,
                "action": hook.action,
                "detail": detail,
                "missing_env": missing,
            }
        )
        if missing:
            detail += f" (missing env {', '.join(missing)})"
        rows.append(
            [
                out.one_line(name),
                out.one_line(", ".join(hook.events)),
                out.one_line(hook.when or "—"),
                hook.action,
                out.one_line(detail),
            ]
        )
    outcome = Outcome({"count": len(items), "hooks": items})
    if not view.json:
        outcome.lines = out.table(
            ["HOOK", "ON", "WHEN", "ACTION", "WHAT"],
            rows,
            max_widths=[20, 30, 24, 8, None],
            total_width=view.width,
        )
        outcome.lines.append(f"{len(items)} hook(s)")
        if not items:
            outcome.hints.append("no [[hooks]] in the config; see docs/hooks.md")
    return outcome


async def hooks_test(
    helpdesk: Helpdesk,
    view: View,
    config: AppConfig,
    profile: Profile,
    event: str,
    ticket_id: str,
) -> Outcome:
    """What ``event`` on ``ticket_id`` would run now; nothing is recorded, run or sent."""
    from triage_tui.domain.clock import FrozenClock
    from triage_tui.engine.hooks import HookRunner

    if event not in dh.EVENTS:
        raise InvalidInput(f"unknown event {event!r}; the events are {', '.join(dh.EVENTS)}")
    await helpdesk.get_ticket(ticket_id)  # a missing ticket: its own one-line error
    runner = HookRunner(helpdesk, None, config, profile, FrozenClock(view.now))
    planned = await runner.plan(event, ticket_id, "test")
    named = [name for name, _ in runner.wanting(event)]
    chosen = {p.hook for p in planned}
    skipped = [name for name in named if name not in chosen]
    data = {
        "event": event,
        "ticket_id": ticket_id,
        "would_run": [
            {"hook": p.hook, "action": p.action, "detail": p.detail, "payload": p.payload}
            for p in planned
        ],
        "when_not_matched": skipped,
        "sent": False,
    }
    outcome = Outcome(data)
    if not view.json:
        lines = []
        for p in planned:
            lines.append(out.one_line(f"would run: {p.hook} ({p.action}) — {p.detail}"))
            lines += [f"  {line}" for line in json.dumps(p.payload, indent=2).splitlines()]
        for name in skipped:
            lines.append(out.one_line(f"not run: {name} — its `when` does not select #{ticket_id}"))
        if not named:
            lines.append(out.one_line(f"no hook is on {event}"))
        lines.append("Nothing was sent (hooks test only shows what would run).")
        outcome.lines = lines
    return outcome


async def hooks_log(helpdesk: Helpdesk, view: View, since: str) -> Outcome:
    """``hook.ran`` and ``hook.failed`` from the event log, oldest first."""
    start, log = await _events_since(helpdesk, since, view.now)
    chosen = [e for e in log if e.name in (dh.HOOK_RAN, dh.HOOK_FAILED)]
    data = {
        "since": start.isoformat(),
        "count": len(chosen),
        "runs": [
            {
                "at": e.at.isoformat(),
                "ok": e.name == dh.HOOK_RAN,
                "ticket_id": e.ticket_id,
                **{k: e.payload.get(k) for k in ("hook", "action", "event", "entry_id")},
                "detail": e.payload.get("detail") if e.name == dh.HOOK_RAN else None,
                "error": e.payload.get("error"),
                "exit": e.payload.get("exit"),
                "stderr_tail": e.payload.get("stderr_tail"),
            }
            for e in chosen
        ],
    }
    outcome = Outcome(data)
    if not view.json:
        rows = [
            [
                e.at.strftime("%H:%M:%S"),
                "ran" if e.name == dh.HOOK_RAN else "failed",
                out.one_line(str(e.payload.get("hook", ""))),
                out.one_line(e.ticket_id or "—"),
                out.one_line(str(e.payload.get("event", ""))),
                out.one_line(
                    str(e.payload.get("detail") or e.payload.get("error") or "")
                    + _stderr(e.payload)
                ),
            ]
            for e in chosen
        ]
        outcome.lines = out.table(
            ["TIME", "RESULT", "HOOK", "TICKET", "EVENT", "DETAIL"],
            rows,
            max_widths=[8, 6, 20, 10, 22, None],
            total_width=view.width,
        )
        outcome.lines.append(f"{len(chosen)} hook run(s) since {out.when(start)}")
    return outcome


def _stderr(payload: dict[str, Any]) -> str:
    tail = str(payload.get("stderr_tail") or "").strip()
    return f" · stderr: {tail.splitlines()[-1]}" if tail else ""


async def csat(
    helpdesk: Helpdesk, view: View, ticket_id: str, score: int, comment: str | None
) -> Outcome:
    """Record the requester's satisfaction score for a ticket (1-5) in the event log."""
    if not CSAT_MIN <= score <= CSAT_MAX:
        raise InvalidInput(f"--score must be {CSAT_MIN} to {CSAT_MAX}, not {score}")
    ticket = (await helpdesk.get_ticket(ticket_id)).ticket
    person = ticket.requester
    payload: dict[str, Any] = {
        "score": score,
        "requester_id": person.id,
        "requester": person.name,
    }
    if comment and comment.strip():
        payload["comment"] = comment.strip()
    await helpdesk.record_event(dh.CSAT_RECORDED, ticket.id, payload)
    line = f"CSAT {score}/5 recorded for ticket {ticket.id} ({person.name or person.email})"
    data = {"ticket_id": ticket.id, **payload, "confirmation": line}
    return Outcome(data, [out.one_line(line)])


async def after_verb(
    ctx: ConsoleContext, helpdesk: Helpdesk, clock: Clock, since: datetime
) -> list[str]:
    """The hooks on the events a verb logged (an escalation, a reply, a plan's
    follow-ups…), run once its write is delivered; a line per outcome for stderr.
    The helpdesk's own changes (created, assigned, solved…) run in ``triage watch``."""
    from triage_tui.engine.buffered import BufferedHelpdesk
    from triage_tui.engine.hooks import HookRunner, run_own_events

    wanted = {event for hook in ctx.config.hooks for event in hook.events}
    if not isinstance(helpdesk, BufferedHelpdesk) or not wanted & set(dh.FROM_LOG):
        return []
    buffered = helpdesk  # the outbox wrapper's own outbox and session, not the contract's
    runner = HookRunner(
        buffered, buffered.outbox, ctx.config, ctx.profile, clock, owner=buffered.session
    )
    return [out.one_line(ran.line) for ran in await run_own_events(runner, since)]
