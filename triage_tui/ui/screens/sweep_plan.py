"""Plan first: what a sweep over the active filter meets, before the first decision.

``SweepPlanScreen`` shows a ``SweepPlan`` (``engine.sweep_plan``): how many
tickets match, how many have breached, how many are in their last 90 minutes,
VIP, the similar-incident groups, the proposed order (the first tickets with
their countdowns), the batch size with the assumption it rests on, and the
alternatives, each collapsed with its risk spelled out. It returns ``True``
to start the sweep, ``False`` to cancel.

| key | action |
| --- | --- |
| ``enter`` | start the sweep |
| ``escape`` | cancel (nothing is recorded) |
| ``1``…``6`` | expand / collapse that alternative |
| ``a`` | expand / collapse every alternative |
| ``↑``/``↓``, ``pgup``/``pgdn`` | scroll |

``plan_for`` and ``measured_handle_time`` build the plan from the queue's rows
and the event log (UI-free; the main screen and ``triage sweep`` use them).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Collapsible, Label, Static

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.sla import SlaState
from triage_tui.engine.sweep_plan import SweepPlan, pace_text, plan_sweep
from triage_tui.ui import safe_text as st
from triage_tui.ui.keys import bindings, key_for
from triage_tui.ui.screens.ask import keys_line

#: Tickets of the proposed order shown on the plan screen.
ORDER_SHOWN = 10
#: Similar-incident groups listed (the largest first).
GROUPS_SHOWN = 5
#: How far back the event log is read for a measured handle time.
HANDLE_HISTORY = timedelta(days=14)

_PRIORITY = {"urgent": "URG ", "high": "HIGH", "normal": "norm", "low": "low "}
_STATE_STYLE = {
    SlaState.BREACHED: "$text-error bold",
    SlaState.AT_RISK: "$text-warning bold",
    SlaState.OK: "$text-success",
    SlaState.PAUSED: "$text-muted",
    SlaState.NONE: "$text-muted",
}


def plan_for(
    rows: list[QueueRow],
    filter_text: str,
    *,
    me: str,
    now: datetime,
    handle_time: timedelta | None = None,
    similar: bool = True,
) -> tuple[SweepPlan, str]:
    """The plan for the rows ``filter_text`` selects, and the filter's canonical text.

    Raises ``domain.filters.FilterError`` (its message names the token). The
    similar-incident grouping is the costly part: run this in a thread for a
    large queue (``asyncio.to_thread``; ``build_plan`` does).
    """
    from triage_tui.domain.filters.language import parse

    chosen = parse(filter_text, me=me)
    matching = chosen.apply(rows, now)
    clusters = None
    if similar and len(matching) >= 2:
        from triage_tui.domain.clusters import cluster

        clusters = cluster(matching)
    return plan_sweep(matching, now, clusters, handle_time=handle_time), str(chosen)


async def measured_handle_time(helpdesk: Helpdesk, now: datetime) -> timedelta | None:
    """The median handle time of earlier sessions, when the helpdesk keeps an event log."""
    from triage_tui.domain.errors import TriageError
    from triage_tui.engine.report import median_handle_time

    try:
        return median_handle_time(await helpdesk.list_events(now - HANDLE_HISTORY))
    except TriageError:  # no event log (``Unsupported``), or it failed
        return None


async def build_plan(
    helpdesk: Any, rows: list[QueueRow], filter_text: str, *, me: str, now: datetime
) -> tuple[SweepPlan, str]:
    """``plan_for`` off the event loop, with the measured handle time when there is one."""
    handle = await measured_handle_time(helpdesk, now)
    return await asyncio.to_thread(plan_for, rows, filter_text, me=me, now=now, handle_time=handle)


def row_line(row: QueueRow, now: datetime) -> Content:
    """``!! -1h20m HIGH #1042 ★Dana Reyes  Subject`` (untrusted parts through safe_text)."""
    state = row.state(now)
    return Content.assemble(
        (f"{state.marker} {row.countdown(now):>8} ", _STATE_STYLE[state]),
        f"{_PRIORITY[row.priority.value]} ",
        st.line("#" + row.id, "bold"),
        " ",
        ("★" if row.vip else " ", "$text-warning bold"),
        st.line(row.requester[:22]),
        "  ",
        st.line(row.subject or "(no subject)"),
    )


def summary_content(plan: SweepPlan) -> Content:
    """The counts, one labelled figure each, the risky ones coloured."""
    parts: list[Content | tuple[str, str] | str] = [(f"{plan.count}", "bold"), " tickets match   "]
    parts += [
        (f"{plan.breached} breached", "$text-error bold" if plan.breached else "$text-muted"),
        "   ",
    ]
    parts += [
        (
            f"{plan.at_risk} at risk within 90 min",
            "$text-warning bold" if plan.at_risk else "$text-muted",
        ),
        "   ",
        (f"{plan.vip} VIP", "$text-accent bold" if plan.vip else "$text-muted"),
        "   ",
        f"{len(plan.clusters)} similar-incident group{'s' if len(plan.clusters) != 1 else ''}",
    ]
    if plan.no_sla:
        parts.append((f"   {plan.no_sla} without SLA", "$text-muted"))
    parts += [
        "\n",
        ("Estimated ", "$text-muted"),
        f"≈{pace_text(plan.estimated)} at {pace_text(plan.handle_time)} a ticket",
        (" (measured)" if plan.handle_time_measured else " (assumed)", "$text-muted"),
    ]
    if plan.next_breach is not None:
        due = plan.next_breach.countdown(plan.created_at)
        parts += [
            ("   next breach ", "$text-muted"),
            st.line("#" + plan.next_breach.id),
            f" in {due}",
        ]
    return Content.assemble(*parts)


def order_content(plan: SweepPlan, now: datetime) -> Content:
    lines = [row_line(r, now) for r in plan.rows[:ORDER_SHOWN]]
    more = plan.count - ORDER_SHOWN
    if more > 0:
        lines.append(Content.styled(f"… and {more} more, in SLA order", "$text-muted"))
    return Content("\n").join(lines)


def batch_content(plan: SweepPlan) -> Content:
    parts: list[Content | tuple[str, str] | str] = [
        ("Batch size ", "bold"),
        (str(plan.batch_size), "bold $text-accent"),
    ]
    for assumption in plan.assumptions:
        parts += ["\n", ("• ", "$text-muted"), st.line(assumption)]
    return Content.assemble(*parts)


def groups_content(plan: SweepPlan) -> Content:
    if not plan.clusters:
        return Content.styled("No similar incidents among these tickets.", "$text-muted")
    lines = []
    for group in plan.clusters[:GROUPS_SHOWN]:
        extra = []
        if group.vip:
            extra.append(f"{group.vip} VIP")
        if group.breached:
            extra.append(f"{group.breached} breached")
        lines.append(
            Content.assemble(
                (f"{group.size} × ", "bold"),
                "“",
                st.line(group.subject or "(no subject)"),
                "”",
                (f"  ({', '.join(extra)})" if extra else "", "$text-warning"),
                (
                    "  "
                    + ", ".join(st.clean("#" + t, one_line=True) for t in group.ticket_ids[:6]),
                    "$text-muted",
                ),
            )
        )
    if len(plan.clusters) > GROUPS_SHOWN:
        lines.append(
            Content.styled(f"… {len(plan.clusters) - GROUPS_SHOWN} more groups", "$text-muted")
        )
    return Content("\n").join(lines)


#: Alternatives with a key of their own (``alternative_1`` … in ``domain.keys``).
KEYED_ALTERNATIVES = 6


def alternative_keys(app: object, shown: int = KEYED_ALTERNATIVES) -> str:
    """The keys of alternatives 1 to ``shown`` as a hint names them: ``1–6``, or
    each one when a ``[keymap]`` moved any."""
    last = min(KEYED_ALTERNATIVES, max(1, shown))
    keys = [key_for(app, "sweep_plan", f"alternative_{n}") for n in range(1, last + 1)]
    if keys == [str(n) for n in range(1, last + 1)]:
        return f"1–{last}"
    return "/".join(keys)


class SweepPlanScreen(ModalScreen[bool]):
    """The plan for a sweep; see the module docstring for the keys."""

    DEFAULT_CSS = """
    SweepPlanScreen { align: center middle; }
    SweepPlanScreen > #plan-dialog {
        width: 94%; max-width: 130; height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SweepPlanScreen #plan-title { text-style: bold; padding: 0 1; background: $panel; width: 100%; }
    SweepPlanScreen #plan-summary { padding: 0 1; background: $boost; }
    SweepPlanScreen #plan-body { height: 1fr; }
    SweepPlanScreen .plan-heading { text-style: bold; margin-top: 1; color: $text-accent; }
    SweepPlanScreen Collapsible { margin: 0; padding-bottom: 0; }
    SweepPlanScreen .risk { color: $text-warning; }
    SweepPlanScreen .plan-block { margin-top: 1; }
    SweepPlanScreen #plan-keys { dock: bottom; height: 1; padding: 0 1; background: $panel; }
    """

    BINDINGS = bindings("sweep_plan")

    def __init__(self, plan: SweepPlan, filter_text: str = "", now: datetime | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.filter_text = filter_text
        self.now = now or plan.created_at

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="plan-dialog"):
            yield Label(
                Content.assemble(
                    "Sweep plan · ",
                    st.line(self.filter_text or "all tickets", "$text-accent"),
                    f" · {plan.created_at:%H:%M} UTC",
                ),
                id="plan-title",
            )
            yield Static(summary_content(plan), id="plan-summary")
            with VerticalScroll(id="plan-body"):
                if plan.count:
                    yield from self._details()
                else:
                    yield Static(
                        Content.styled(
                            "No ticket matches this filter: nothing to sweep.", "$text-warning"
                        )
                    )
            key = partial(key_for, self.app, "sweep_plan")
            yield Label(
                keys_line(
                    (key("start_sweep"), "start the sweep"),
                    (key("cancel"), "cancel"),
                    (alternative_keys(self.app), "alternative"),
                    (key("alternatives"), "all"),
                ),
                id="plan-keys",
            )

    def _details(self) -> ComposeResult:
        plan = self.plan
        yield Static(Content("Proposed order (SLA: breached first)"), classes="plan-heading")
        yield Static(order_content(plan, self.now), id="plan-order")
        yield Static(batch_content(plan), id="plan-batch", classes="plan-block")
        yield Static(Content("Similar incidents"), classes="plan-heading")
        yield Static(groups_content(plan), id="plan-groups")
        keys = alternative_keys(self.app, len(plan.alternatives))
        expand = key_for(self.app, "sweep_plan", "alternatives")
        yield Static(
            Content(f"Alternatives ({len(plan.alternatives)}) — {keys} or {expand} to expand"),
            classes="plan-heading",
        )
        if not plan.alternatives:
            yield Static(Content.styled("None: the proposed order is the plan.", "$text-muted"))
        for n, alt in enumerate(plan.alternatives, start=1):
            with Collapsible(title=Content.assemble(f"{n}. ", st.line(alt.title)), id=f"alt-{n}"):  # type: ignore[arg-type]
                yield Static(st.line(alt.detail))
                yield Static(
                    Content.assemble(("Risk: ", "bold"), st.line(alt.risk)), classes="risk"
                )
                ids = ", ".join(st.clean("#" + t, one_line=True) for t in alt.ticket_ids[:12])
                more = f" … +{len(alt.ticket_ids) - 12}" if len(alt.ticket_ids) > 12 else ""
                yield Static(
                    Content.styled(f"{len(alt.ticket_ids)} tickets: {ids}{more}", "$text-muted")
                )

    def on_mount(self) -> None:
        self.query_one("#plan-body", VerticalScroll).focus()

    def action_start(self) -> None:
        if not self.plan.count:
            self.notify("No ticket matches: nothing to sweep.", severity="warning", markup=False)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_alternative(self, index: int) -> None:
        found = list(self.query(Collapsible))
        if 0 <= index < len(found):
            found[index].collapsed = not found[index].collapsed

    def action_toggle_all(self) -> None:
        found = list(self.query(Collapsible))
        expand = any(c.collapsed for c in found)
        for c in found:
            c.collapsed = not expand
