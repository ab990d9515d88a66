"""Presence: who else has a ticket open, and who is replying to it.

Consoles run against one helpdesk from one host (a jump host) each keep a small
record in a shared team directory (``engine.presence``): the agent, the console
(host and pid), the open ticket, whether the agent is replying, and a heartbeat.
This module holds the pure part: the record and its JSON form, which records are
current, and the words the console shows (``Mei ✎`` on a row, ``Mei Chen is
replying`` on the ticket). No file, no clock of its own.

A record is written by a colleague's console, so it is untrusted input: ``parse``
takes only the declared fields with the declared types and bounded lengths, and
the text it keeps still reaches the screen only through the safe-text gate.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: The record's format; another version is ignored (a newer console's record).
VERSION = 1
#: Longest agent name, host name and ticket id a record may carry.
MAX_AGENT = 80
MAX_HOST = 255
MAX_TICKET = 64

#: On a row: the colleague is replying (writing a draft) or only has the ticket open.
REPLYING_MARK = "✎"
VIEWING_MARK = "◎"


@dataclass(frozen=True, slots=True)
class Presence:
    """One console's record: ``agent`` on ``host`` (process ``pid``) has ``ticket``
    open (None: none), ``replying`` or viewing; ``at`` is the last heartbeat
    (POSIX seconds)."""

    agent: str
    host: str
    pid: int
    ticket: str | None
    replying: bool
    at: float

    @property
    def console(self) -> str:
        """The console's name in the team directory: host and process."""
        return f"{self.host}-{self.pid}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": VERSION,
                "agent": self.agent,
                "host": self.host,
                "pid": self.pid,
                "ticket": self.ticket,
                "state": "replying" if self.replying else "viewing",
                "at": self.at,
            },
            ensure_ascii=True,
        )


def parse(data: bytes) -> Presence | None:
    """The record in ``data``, or None when it is not one (any malformed field)."""
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or raw.get("v") != VERSION:
        return None
    agent, host, pid = raw.get("agent"), raw.get("host"), raw.get("pid")
    ticket, state, at = raw.get("ticket"), raw.get("state"), raw.get("at")
    if not isinstance(agent, str) or not agent.strip() or len(agent) > MAX_AGENT:
        return None
    if not isinstance(host, str) or not 0 < len(host) <= MAX_HOST:
        return None
    if type(pid) is not int or not 0 < pid < 2**31:
        return None
    if ticket is not None and not (isinstance(ticket, str) and 0 < len(ticket) <= MAX_TICKET):
        return None
    if state not in ("viewing", "replying"):
        return None
    if not isinstance(at, int | float) or isinstance(at, bool) or not math.isfinite(at):
        return None
    return Presence(agent, host, pid, ticket, state == "replying", float(at))


def current(
    records: Iterable[Presence], now: float, stale_after: float, *, skew: float = 60.0
) -> list[Presence]:
    """The records whose heartbeat is recent: within ``stale_after`` seconds of
    ``now`` (and not more than ``skew`` in the future: a clock gone wrong)."""
    return [r for r in records if now - stale_after <= r.at <= now + skew]


def first_name(agent: str) -> str:
    """What a row shows of a colleague: the first word of the name (``Mei``)."""
    words = agent.split()
    return words[0] if words else agent


def by_ticket(records: Iterable[Presence]) -> dict[str, list[Presence]]:
    """The records with a ticket open, by ticket; replying colleagues first, then by name."""
    found: dict[str, list[Presence]] = {}
    for record in records:
        if record.ticket is not None:
            found.setdefault(record.ticket, []).append(record)
    for on_ticket in found.values():
        on_ticket.sort(key=lambda r: (not r.replying, r.agent.casefold()))
    return found


def row_label(on_ticket: list[Presence]) -> str:
    """A row's marker: ``Mei ✎`` (replying), ``Mei ◎`` (viewing), ``Mei ✎+1`` (and one more)."""
    if not on_ticket:
        return ""
    first = on_ticket[0]
    mark = REPLYING_MARK if first.replying else VIEWING_MARK
    more = len({r.agent for r in on_ticket[1:]} - {first.agent})
    return f"{first_name(first.agent)} {mark}" + (f"+{more}" if more else "")


def labels(records: Iterable[Presence]) -> dict[str, str]:
    """Each ticket someone has open, and its row marker."""
    return {ticket: row_label(on) for ticket, on in by_ticket(records).items()}


def ticket_line(on_ticket: list[Presence]) -> str:
    """The open ticket's one line: ``Mei Chen is replying``, ``Mei Chen has it open``,
    ``Mei Chen is replying, Ana Ortiz has it open``."""
    seen: dict[str, bool] = {}
    for record in on_ticket:
        seen[record.agent] = seen.get(record.agent, False) or record.replying
    parts = [
        f"{agent} {'is replying' if replying else 'has it open'}"
        for agent, replying in seen.items()
    ]
    return ", ".join(parts)


def replying_lines(records: Mapping[str, list[Presence]], ticket_id: str) -> list[str]:
    """For the Send prompt: each colleague replying to ``ticket_id`` right now."""
    agents = dict.fromkeys(r.agent for r in records.get(ticket_id, []) if r.replying)
    return [f"{agent} is replying to this ticket right now" for agent in agents]
