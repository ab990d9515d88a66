"""The handling plan from a helpdesk: load what the plan reads, and log its follow-ups.

The console already holds a ``TicketView`` and the queue's ``Clusters`` and
calls ``domain.plan.handling_plan`` directly; this module is for callers that
start from a ticket id (``triage plan ID``, scripts), and loads exactly what
the console would show, through the same ``TicketLoader``.
"""

from __future__ import annotations

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain import events
from triage_tui.domain.clock import Clock
from triage_tui.domain.clusters import Clusters, cluster
from triage_tui.domain.escalation import RuleSet
from triage_tui.domain.handling_plan.plan import HandlingPlan, handling_plan
from triage_tui.domain.kb.ranking import KbIndex
from triage_tui.domain.queue import QueueRow
from triage_tui.engine.loader import TicketLoader, TicketView
from triage_tui.engine.recording import record


async def queue_clusters(helpdesk: Helpdesk) -> Clusters:
    """Similar-incident groups over the helpdesk's active queue."""
    rows: list[QueueRow] = []
    async for batch in helpdesk.iter_queue_rows():
        rows.extend(batch)
    return cluster(rows)


async def load_plan(
    helpdesk: Helpdesk,
    ticket_id: str,
    rules: RuleSet,
    clock: Clock,
    *,
    similar: bool = True,
) -> tuple[HandlingPlan, TicketView]:
    """The plan for ``ticket_id`` and the view it was made from.

    ``similar=False`` skips reading the whole queue for similar tickets (a
    large queue takes a few seconds to read).
    """
    loader = TicketLoader(helpdesk, rules, clock)
    if helpdesk.capabilities.kb_list:
        # Built here rather than by ``start_kb_index``, which defers to the
        # console's queue loading: a single plan has no queue to wait for.
        loader.kb_index = KbIndex([a async for a in helpdesk.iter_articles()])
    view = await loader.load(ticket_id)
    clusters = await queue_clusters(helpdesk) if similar else None
    plan = handling_plan(view.detail, view.history, view.rules, view.kb, clusters, now=clock.now())
    return plan, view


async def record_follow_ups(helpdesk: Helpdesk, plan: HandlingPlan) -> bool:
    """Log the plan's follow-ups as a ``plan.follow_up`` event for the session report.

    Only a helpdesk that keeps an event log (the local one) records; returns
    whether anything was recorded.
    """
    if not plan.follow_ups:
        return False
    return await record(
        helpdesk, events.FOLLOW_UP, plan.ticket_id, {"tasks": list(plan.follow_ups)}
    )
