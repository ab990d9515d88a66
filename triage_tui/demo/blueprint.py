"""Planning the demo tickets: status, priority, requester, times, SLA, conversation shape.

A blueprint is decided before any text is written (and is cheap), so the whole
set can be sorted by creation time and given ids that grow with time.
Every time is an offset from ``now`` in epoch seconds.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from triage_tui.demo.support import DAY, HOUR, MIN, People

FIRST_REPLY = {"urgent": HOUR, "high": 4 * HOUR, "normal": 8 * HOUR, "low": 24 * HOUR}
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_WEIGHTS = (20, 48, 22, 10)
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
STATUS_WEIGHTS = (22, 26, 12, 4, 24, 12)
SCENARIOS = (
    "requested_human",
    "billing_refund",
    "data_integrity",
    "legal_compliance",
    "repeated_contact",
)
#: The first active tickets cycle through the scenarios this many times each,
#: so even a tiny demo has several tickets tripping every escalation rule.
GUARANTEED_PER_SCENARIO = 5
SCENARIO_RATE = 0.025  # per scenario, for the rest of the active tickets

# Conversation shapes by status. C first customer message, c follow-up,
# X chaser, H customer asking for a human, A agent answer, Q agent asking for
# details, F agent fix, T customer thanks, N internal note.
SHAPES = {
    "new": ("C", "C", "C", "CN"),
    "open": ("CAc", "CNAc", "CAcN", "CQc"),
    "pending": ("CQ", "CNQ", "CAcQ", "CAcNQ"),
    "on_hold": ("CAN", "CNAN"),
    "solved": ("CF", "CAcF", "CAcFT", "CNAcFT", "CQcFT"),
    "closed": ("CF", "CAcFT", "CQcFT"),
}
SCENARIO_SHAPES = {
    "requested_human": {"new": ("H",), "open": ("CAH", "CNAH")},
    "repeated_contact": {"new": ("CXX",), "open": ("CAcX", "CAXNX", "CQcAXX")},
}


class TicketBlueprint(NamedTuple):
    """A ticket's skeleton: everything decided before any text is written."""

    created: int  # epoch seconds
    last: int  # time of the last message
    status: str
    priority: str
    requester: int
    scenario: str | None
    sla: tuple[tuple[str, int, str], ...]  # (metric, due epoch, stage)
    shape: str


def _blueprint(
    rng: random.Random, now: int, people: People, status: str, scenario: str | None, requester: int
) -> TicketBlueprint:
    if scenario == "data_integrity":
        priority = rng.choice(("high", "urgent"))
    elif scenario in ("legal_compliance", "billing_refund"):
        priority = rng.choice(("normal", "high"))
    else:
        priority = rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
        if people.is_vip(requester) and priority != "urgent" and rng.random() < 0.5:
            priority = PRIORITIES[PRIORITIES.index(priority) + 1]
    if scenario in SCENARIO_SHAPES:
        shape = rng.choice(SCENARIO_SHAPES[scenario][status])
    else:
        shape = rng.choice(SHAPES[status])
    target = FIRST_REPLY[priority]
    sla: list[tuple[str, int, str]] = []
    if status in ("new", "open"):
        roll = rng.random()
        if roll < 0.05:
            due = None  # a few tickets without any SLA
        elif roll < 0.18:
            due = now - rng.randint(5 * MIN, 2 * DAY)  # breached
        elif roll < 0.36:
            due = now + rng.randint(3 * MIN, 90 * MIN)  # the sweep's last 90 minutes
        else:
            due = now + rng.randint(90 * MIN, 3 * DAY)
        if status == "new":
            last = (
                min(due - target, now - rng.randint(2 * MIN, 40 * MIN))
                if due
                else now - rng.randint(5 * MIN, 3 * DAY)
            )
            created = last - (rng.randint(30 * MIN, 20 * HOUR) if len(shape) > 1 else 0)
            if due:
                sla.append(("first_reply_time", due, "active"))
        else:
            last = min(due - target, now - MIN) if due else now - rng.randint(10 * MIN, 2 * DAY)
            created = last - rng.randint(2 * HOUR, 5 * DAY)
            sla.append(("first_reply_time", created + target, "achieved"))
            if due:
                sla.append(("next_reply_time", due, "active"))
    elif status in ("pending", "on_hold"):
        last = now - rng.randint(HOUR, 5 * DAY)
        created = last - rng.randint(HOUR, 4 * DAY)
        sla.append(("first_reply_time", created + target, "achieved"))
        sla.append(("requester_wait_time", last + 3 * DAY, "paused"))
    else:
        created = now - rng.randint(3 * DAY, 400 * DAY)
        last = created + rng.randint(HOUR, 5 * DAY)
        sla.append(("first_reply_time", created + target, "achieved"))
    return TicketBlueprint(created, last, status, priority, requester, scenario, tuple(sla), shape)


def blueprints_for(
    rng: random.Random, now: int, people: People, count: int
) -> list[TicketBlueprint]:
    statuses = rng.choices(STATUSES, STATUS_WEIGHTS, k=count)
    blueprints, guaranteed = [], [s for s in SCENARIOS for _ in range(GUARANTEED_PER_SCENARIO)]
    active_per_person: dict[int, int] = {}
    for status in statuses:
        scenario = None
        if status not in ("solved", "closed"):
            if guaranteed:
                scenario = guaranteed.pop(0)
            else:
                roll = rng.random()
                index = int(roll / SCENARIO_RATE)
                scenario = SCENARIOS[index] if index < len(SCENARIOS) else None
        if scenario in SCENARIO_SHAPES and status not in ("new", "open"):
            status = "open"  # a customer chasing or asking for a human awaits us
        requester = people.pick(rng)
        if status not in ("solved", "closed"):
            # Most people have one open problem at a time, a few have two or three.
            for _ in range(8):
                if not active_per_person.get(requester) or rng.random() < 0.15:
                    break
                requester = people.pick(rng)
            else:  # everyone drawn is busy: take the next person who is not
                total = len(people.rows)
                requester = next(
                    (
                        i % total
                        for i in range(requester, requester + total)
                        if not active_per_person.get(i % total)
                    ),
                    requester,
                )
            active_per_person[requester] = active_per_person.get(requester, 0) + 1
        blueprints.append(_blueprint(rng, now, people, status, scenario, requester))
    blueprints.sort(key=lambda p: p.created)
    return blueprints
