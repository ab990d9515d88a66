"""AI agents as colleagues: ``triage mcp`` and the human side, ``proposals``/``approve``/``reject``.

``triage mcp`` serves the profile's helpdesk to an MCP client (``cli.mcp_server``,
imported only here and only when the SDK is installed). What the agent writes
is a proposal held in the outbox; these verbs list them, let one go out (the
reply's safeguards are checked again, as ``reply-ticket`` checks them) or say
no with a reason the agent reads on its next call.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from triage_tui.cli import output as out
from triage_tui.cli import verbs
from triage_tui.cli.verbs import Outcome, View, _buffered, _confirm
from triage_tui.domain.errors import ConfigError, Conflict, HelpdeskError, InvalidInput
from triage_tui.engine import outbox_model as om

if TYPE_CHECKING:
    from collections.abc import Callable

    from triage_tui.adapters.base import Helpdesk
    from triage_tui.cli.run import Invocation
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.domain.safeguards.match import SafeguardConfig
    from triage_tui.session import ConsoleContext

#: The one line ``triage mcp`` prints without the SDK.
INSTALL_HINT = "triage mcp needs the MCP SDK: pip install 'triage-tui[mcp]'"


def mcp_command(inv: Invocation, rules: Callable[[ConsoleContext], RuleSet]) -> int:
    """Serve until the client closes stdin; refuse writes the profile does not allow.

    ``rules`` makes the profile's escalation rules (the verbs' own, ``commands``).
    """
    import asyncio

    from triage_tui.cli.run import require_helpdesk
    from triage_tui.config import check_mcp_tools
    from triage_tui.domain.clock import SystemClock

    if importlib.util.find_spec("mcp") is None:
        raise ConfigError(INSTALL_HINT)
    ctx = inv.context()
    require_helpdesk(ctx)
    check_mcp_tools(ctx.profile_name, ctx.profile.mcp)
    if inv.args.allow_writes and not ctx.profile.mcp.allow_writes:
        raise ConfigError(
            f"--allow-writes is refused for profile {ctx.profile_name!r}: set allow_writes ="
            f" true in [profiles.{ctx.profile_name}.mcp] to let agents write directly"
        )
    from triage_tui.cli.agent_tools import client_name

    client = client_name(inv.args.client or "")
    from triage_tui.cli import mcp_server

    asyncio.run(
        mcp_server.serve(
            ctx,
            inv.clock or SystemClock(),
            rules(ctx),
            allow_writes=inv.args.allow_writes,
            client=client,
        )
    )
    return 0


def _describe(entry: om.Entry) -> str:
    body = entry.payload.get("body") if entry.kind in ("reply", "note") else None
    if body:
        return f"{entry.kind}: {out.one_line(str(body))}"
    if entry.kind == "status":
        return f"status → {entry.payload.get('status')}"
    if entry.kind == "escalate":
        route = entry.payload.get("group")
        return f"escalate: {entry.payload.get('reason')}" + (f" → {route}" if route else "")
    return entry.label or entry.kind


async def proposals(helpdesk: Helpdesk, view: View) -> Outcome:
    """The proposals waiting for a human, oldest first."""
    from triage_tui.engine import proposals as pr

    waiting = pr.pending(_buffered(helpdesk))
    outcome = Outcome({"count": len(waiting), "proposals": [p.to_json() for p in waiting]})
    if view.json:
        return outcome
    rows = [
        [
            p.id[:8],
            out.one_line(p.ticket_id),
            out.one_line(p.first.proposer or ""),
            out.one_line(" + ".join(_describe(e) for e in p.entries)),
        ]
        for p in waiting
    ]
    if rows:
        outcome.lines = out.table(
            ["ID", "TICKET", "PROPOSER", "PROPOSED"],
            rows,
            max_widths=[8, 10, 16, None],
            total_width=view.width,
        )
        outcome.lines.append("")
        outcome.hints.append("`triage approve ID` sends one; `triage reject ID --reason …`")
    outcome.lines.append(f"{len(waiting)} proposal(s) waiting")
    return outcome


async def approve(
    helpdesk: Helpdesk,
    view: View,
    proposal_id: str,
    *,
    status: str | None,
    send_anyway: bool,
    rules: RuleSet,
    safeguards: SafeguardConfig,
) -> Outcome:
    """Deliver a proposal now, as its approver; a reply passes the safeguards first."""
    from triage_tui.domain import events
    from triage_tui.domain.enums import Status
    from triage_tui.domain.safeguards.checks import blocking
    from triage_tui.engine import proposals as pr
    from triage_tui.engine.recording import record

    box = _buffered(helpdesk)
    proposal = pr.find(box, proposal_id)
    approver = helpdesk.agent
    if status is not None:
        wanted = Status.parse(status).value
        entry = next((e for e in proposal.entries if e.kind == "status"), None)
        if entry is None:
            raise InvalidInput(f"proposal {proposal.id[:8]} sets no status; approve it as it is")
        box.outbox.replace_payload(entry.id, {"status": wanted})
    reply = next((e for e in proposal.entries if e.kind == "reply"), None)
    if reply is not None:
        _, findings = await verbs._findings(
            helpdesk, proposal.ticket_id, reply.payload["body"], view.now, rules, safeguards
        )
        blocks = blocking(findings)
        if blocks and not send_anyway:
            raise verbs.SafeguardBlocked(
                f"proposal {proposal.id[:8]} not sent: safeguard {blocks[0].kind.value}:"
                f" {blocks[0].reason}; reject it with a reason, or pass --send-anyway"
            )
        if blocks:
            await record(
                helpdesk,
                events.SAFEGUARD_RAISED,
                proposal.ticket_id,
                events.override_payload(blocks),
            )
    proposal = pr.find(box, proposal.id)  # with the status the approver chose
    attempts = await pr.approve(box, proposal, approver=approver)
    for attempt in attempts:
        if attempt.state == om.CONFLICT:
            raise Conflict(
                f"proposal {proposal.id[:8]}: ticket {proposal.ticket_id} changed since the agent"
                " read it: " + "; ".join(attempt.changes) + " — not sent (`triage outbox`)"
            )
        if attempt.state != om.DELIVERED:
            raise HelpdeskError(f"proposal {proposal.id[:8]} not delivered: {attempt.error}")
    done = pr.find(box, proposal.id, (om.DELIVERED,))
    line = f"Approved {proposal.id[:8]} from {proposal.first.proposer}: " + "; ".join(
        e.label for e in done.entries
    )
    return _confirm({"proposal": done.to_json()}, line)


async def reject(helpdesk: Helpdesk, view: View, proposal_id: str, reason: str) -> Outcome:
    """Say no; the reason goes back to the proposing client on its next call."""
    from triage_tui.engine import proposals as pr

    box = _buffered(helpdesk)
    proposal = pr.find(box, proposal_id)
    await pr.reject(box, proposal, approver=helpdesk.agent, reason=reason)
    done = pr.find(box, proposal.id, (om.REJECTED,))
    line = f"Rejected {proposal.id[:8]} from {proposal.first.proposer}: {reason.strip()}"
    data: dict[str, Any] = {"proposal": done.to_json()}
    return _confirm(data, line)
