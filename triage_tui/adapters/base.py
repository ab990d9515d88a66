"""The adapter contract: the one seam every helpdesk plugs into.

An adapter is a subclass of ``Helpdesk`` registered under the entry-point
group ``triage_tui.adapters``. It translates its helpdesk's wire format into the
domain models at the edge and raises only ``triage_tui.domain.errors`` types.
``tests/adapters/contract.py`` is the definition of "an adapter works".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from triage_tui.domain.changes import MAX_CHANGES_PER_CALL, ChangeBatch, FeedRateLimit
from triage_tui.domain.clock import Clock, SystemClock
from triage_tui.domain.errors import Unsupported
from triage_tui.domain.queue import QueueRow

if TYPE_CHECKING:
    from datetime import datetime

    from triage_tui.domain.enums import Priority, Status
    from triage_tui.domain.models import (
        Article,
        Escalation,
        Event,
        Message,
        NewTicket,
        PersonHistory,
        QueueFilter,
        Ticket,
        TicketDetail,
    )

T = TypeVar("T")


@dataclass(frozen=True)
class Capabilities:
    """What a helpdesk can do; the UI and verbs offer only these.

    A plain dataclass, not a pydantic model: adapters declare theirs at import,
    and the local one is imported on the console's path to its first screen,
    which imports no pydantic (``tests/cli/test_start_up_imports.py``).
    """

    internal_notes: bool = True
    tags: bool = True
    kb_search: bool = True
    # The whole KB can be listed, so it is ranked locally (typo tolerant)
    # instead of relying on the helpdesk's own search.
    kb_list: bool = False
    requester_history: bool = True
    assignment: bool = True
    groups: bool = False
    priority: bool = True
    safe_update: bool = False
    create_ticket: bool = False
    # Writes honour ``write_context.idempotency_key()`` (e.g. an Idempotency-Key
    # header): the outbox then resends an interrupted write with the same key
    # instead of reading the ticket to find out whether it landed.
    idempotency: bool = False
    # The helpdesk keeps an event log of the agent's actions (``record_event``,
    # ``list_events``): the local one. Without it the outbox keeps one on this
    # machine, so sweeps, reports and ``triage events`` still work.
    event_log: bool = False
    # ``changes_since`` answers what changed since a cursor (the live queue).
    change_feed: bool = False
    # The feed is a diff of periodic re-reads of the active queue, not the
    # helpdesk's own change log: it sees only tickets in the queue, kinds are
    # guessed from the fields it compares, and a cursor does not outlive the
    # process (after a restart the first call resyncs).
    change_feed_by_diff: bool = False
    # ``agents()`` lists who ``assign`` accepts and, with ``groups``, ``groups()``
    # lists where a ticket can be moved: pickers, route checks and the verbs'
    # validation take their names from there.
    directory: bool = False

    def __post_init__(self) -> None:
        # A declaration, checked once at import: "no" or 0 must not pass as a flag.
        for flag in fields(self):
            if type(getattr(self, flag.name)) is not bool:
                raise TypeError(f"Capabilities.{flag.name} must be True or False")


@dataclass(frozen=True)
class QueueTop:
    """The head of the queue as the helpdesk counts it (``Helpdesk.queue_top``)."""

    #: Active tickets, and those of them that match.
    active: int
    total: int
    #: Matching tickets breached, and due within the at-risk window.
    breached: int
    at_risk: int
    #: At least the first ``limit`` matching tickets in queue order (any order here).
    tickets: list[Ticket]


@dataclass(frozen=True)
class NoOptions:
    """``Helpdesk.options_model`` of an adapter that declares none: any key is unknown.

    A dataclass, like ``Capabilities``, so that ``base`` imports no pydantic.
    """

    __pydantic_config__ = {"extra": "forbid"}


@dataclass(frozen=True)
class LeftOut:
    """Records a helpdesk sent that could not be read and were left out: how many,
    and a line for each of the first ones ("ticket #123 (created_at: …)")."""

    count: int = 0
    lines: tuple[str, ...] = ()
    #: Records named in ``line``; the rest are counted.
    NAMED: ClassVar[int] = 3

    def __bool__(self) -> bool:
        return self.count > 0

    def line(self, helpdesk_name: str) -> str:
        """One line to show; its parts come from the helpdesk: show it through the
        terminal's text gate."""
        named = "; ".join(self.lines[: self.NAMED])
        rest = self.count - min(len(self.lines), self.NAMED)
        tail = f"; and {rest:,} more" if rest else ""
        noun = "record" if self.count == 1 else "records"
        return (
            f"{helpdesk_name} sent {self.count:,} {noun} that could not be read,"
            f" left out: {named}{tail}"
        )


class LeftOutSaid:
    """The left-out records already said, for a reader that reads again and again
    (the console's refreshes, ``triage watch``): each record is said once."""

    #: Lines remembered; past it, a record may be said again (bounded memory).
    REMEMBERED = 1000

    def __init__(self) -> None:
        self._said: set[str] = set()

    def fresh(self, left: LeftOut) -> LeftOut:
        """The part of ``left`` not said before (empty when all of it was), now said."""
        new = tuple(line for line in left.lines if line not in self._said)
        if not left or (left.lines and not new):
            return LeftOut()
        if len(self._said) < self.REMEMBERED:
            self._said.update(new)
        return LeftOut(left.count - (len(left.lines) - len(new)), new)


class Helpdesk(ABC):
    """An open connection to one helpdesk.

    Use as an async context manager (``async with adapter:``) so clients and
    database handles are closed. Every method may raise ``TriageError``
    subclasses: ``NotFound``, ``InvalidInput``, ``AuthError``, ``RateLimited``,
    ``Conflict``, ``Unreachable``, ``Unsupported``.
    """

    #: Entry-point name, e.g. ``"local"``.
    name: ClassVar[str]
    #: Shown in the header badge, e.g. ``"Zendesk"``.
    display_name: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: The options' class: an ``AdapterOptions`` (pydantic) subclass
    #: (``triage_tui.adapters.adapter_options``), or a dataclass, which pydantic
    #: validates too (``config.adapter_options``) but which can be imported and,
    #: given values of its declared types, built without pydantic (the local
    #: adapter's; ``config_quick``).
    options_model: ClassVar[type[Any]] = NoOptions
    #: Your own fix per ``triage doctor`` check name (``"reachable"``,
    #: ``"credentials"``, ``"read tickets"``, ``"comment"``, ``"read KB"``…),
    #: shown instead of the generic one when that check fails.
    doctor_hints: ClassVar[Mapping[str, str]] = MappingProxyType({})
    #: The request limits the helpdesk documents, which bound how often the
    #: change feed is polled (``engine.changes.default_interval``); None: none
    #: documented (a conservative interval is used).
    feed_rate_limit: ClassVar[FeedRateLimit | None] = None

    def __init__(self, options: Any | None = None, clock: Clock | None = None) -> None:
        self.options = options if options is not None else self.options_model()
        self.clock: Clock = clock or SystemClock()

    # -- lifecycle -------------------------------------------------------
    async def open(self) -> None:  # noqa: B027 - a helpdesk may need no connection
        """Connect; raise ``Unreachable``/``AuthError`` with a one-line message."""

    async def close(self) -> None:  # noqa: B027 - nor anything to release
        """Release clients and handles. Safe to call twice."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- readiness (``triage doctor``, the console's header badge) ----------
    def missing_settings(self) -> list[str]:
        """The required options still unset, each naming where to set it
        (``"the API key (TRIAGE_ACME_KEY)"``); empty when there is enough to connect.

        Reported before connecting is tried. Default: nothing is required.
        """
        return []

    async def probe(self) -> str | None:
        """After ``open()``, one cheap authenticated request: who the helpdesk says
        we are (``"sam@acme.example (agent)"``), or None when there is nobody to
        name (no credentials).

        Raises as any read does: ``Unreachable``/``RateLimited`` (the doctor's
        ``reachable`` check fails), ``AuthError`` (``credentials``). Default:
        read the first ticket of the queue and name nobody.
        """
        await first_item(self.iter_queue())
        return None

    async def can_comment_publicly(self) -> bool | None:
        """Whether the account may reply to customers (the doctor's ``comment``
        check): False fails the check, None means the helpdesk cannot tell.

        Default: raise ``Unsupported`` (the check is skipped: it cannot be
        answered without writing a comment).
        """
        raise Unsupported(f"{self.display_name} cannot tell without writing a comment")

    #: Who works the queue: the profile's ``agent`` setting, given by ``act_as``
    #: (``session.build_helpdesk`` does); "" until then.
    _acting_agent: str = ""

    def act_as(self, agent: str) -> Self:
        """Record the agent's own actions under ``agent`` (the profile's ``agent``)."""
        self._acting_agent = agent
        return self

    @property
    def agent(self) -> str:
        """The name the agent's own actions are recorded under: the author of replies
        and notes where the helpdesk takes one (the local one), and the event log's
        actor. Default: the profile's ``agent`` (``act_as``)."""
        return self._acting_agent

    #: The profile's ``ticket_url`` (``{id}`` for the ticket's id), given by
    #: ``link_tickets``; "" leaves links to the adapter's ``ticket_url``.
    _link_template: str = ""

    def link_tickets(self, template: str) -> Self:
        """Link tickets through ``template`` (the profile's ``ticket_url``) instead of
        the adapter's own ``ticket_url``: a team's own web UI, or the local helpdesk."""
        self._link_template = template.strip()
        return self

    def ticket_link(self, ticket_id: str) -> str | None:
        """The link the console and the hooks use: the profile's template if set,
        else ``ticket_url``; only a safe http(s) address (``domain.text.link_target``)."""
        from urllib.parse import quote

        from triage_tui.domain.text import link_target

        if self._link_template:
            return link_target(self._link_template.replace("{id}", quote(ticket_id, safe="")))
        return link_target(self.ticket_url(ticket_id))

    def ticket_url(self, ticket_id: str) -> str | None:
        """The ticket's page in the helpdesk's own web UI (what an agent opens in a
        browser), or None when there is none (the default; the local helpdesk).

        No request: built from the options. The console copies it and shows it as
        a link only when it is an http(s) address without control characters
        (``domain.text.link_target``), so a helpdesk cannot plant another scheme.
        """
        return None

    def take_left_out(self) -> LeftOut:
        """The records the helpdesk sent that could not be read and were left out since
        the last call. A listing reads on past a malformed record instead of failing
        whole; the console and the verbs say what was left out after their reads.
        Default: none (an adapter that never leaves a record out)."""
        return LeftOut()

    # -- reads -----------------------------------------------------------
    @abstractmethod
    def iter_queue(self, query: QueueFilter | None = None) -> AsyncIterator[Ticket]:
        """Tickets matching ``query`` (default: active ones), any order.

        Paging is hidden here; the caller sorts by SLA. Implementations are
        async generators that yield as each page arrives.
        """

    async def iter_queue_rows(
        self, query: QueueFilter | None = None, batch: int = 500
    ) -> AsyncIterator[list[QueueRow]]:
        """The same tickets as ``iter_queue``, as compact queue rows in lists of up to ``batch``.

        What the console holds for 100 000 tickets. This default converts
        ``iter_queue``'s tickets; an adapter that can read the row fields
        directly (the local one) overrides it to skip building full tickets.
        """
        rows: list[QueueRow] = []
        async for ticket in self.iter_queue(query):
            rows.append(QueueRow.from_ticket(ticket))
            if len(rows) >= batch:
                yield rows
                rows = []
        if rows:
            yield rows

    async def queue_top(
        self,
        limit: int,
        statuses: frozenset[Status],
        priorities: frozenset[Priority] | None,
        now: datetime,
        *,
        states: bool = True,
    ) -> QueueTop | None:
        """The counts of the active queue and its first ``limit`` tickets with one of
        ``statuses`` (and ``priorities``), without reading the rest (the ``queue``
        verb); breached and at risk are counted only with ``states`` (else 0).
        None when the helpdesk cannot tell without reading every ticket (the default)."""
        return None

    async def tickets_by_id(self, ids: list[str]) -> list[Ticket] | None:
        """These tickets (those that exist; any order) in a few reads, or None when the
        helpdesk has no cheaper way than its queue (the default)."""
        return None

    async def first_rows(self, limit: int) -> list[QueueRow] | None:
        """The ``limit`` active tickets that breach first (any order), for the
        console's first screen, or None when the helpdesk cannot tell without
        reading the whole queue (the default): the console then shows the first
        page it reads until the whole queue is in and sorted."""
        return None

    @abstractmethod
    async def get_ticket(self, ticket_id: str) -> TicketDetail:
        """One ticket with its conversation, oldest message first."""

    @abstractmethod
    async def get_person(self, person_id: str) -> PersonHistory:
        """A person (by id; adapters may also accept an email) with their tickets."""

    async def search_kb(self, query: str, limit: int = 10) -> list[Article]:
        """The helpdesk's own KB search, best first."""
        raise Unsupported(f"{self.display_name} has no knowledge-base search")

    def iter_articles(self) -> AsyncIterator[Article]:
        """Every KB article, for local ranking; only when ``capabilities.kb_list``."""
        raise Unsupported(f"{self.display_name} cannot list its knowledge base")

    # -- writes ----------------------------------------------------------
    @abstractmethod
    async def reply(self, ticket_id: str, body: str) -> Message:
        """A public reply to the requester."""

    async def add_note(self, ticket_id: str, body: str) -> Message:
        """An internal note, invisible to the requester."""
        raise Unsupported(f"{self.display_name} has no internal notes")

    @abstractmethod
    async def set_status(self, ticket_id: str, status: Status) -> Ticket:
        """Change the status; the domain status is mapped to the helpdesk's."""

    async def set_priority(self, ticket_id: str, priority: Priority) -> Ticket:
        """Change the priority (only when ``capabilities.priority``)."""
        raise Unsupported(f"{self.display_name} does not change priority directly")

    async def assign(
        self, ticket_id: str, assignee: str | None, group: str | None = None
    ) -> Ticket:
        """Assign to ``assignee`` (a name; None unassigns) and, with ``capabilities.groups``,
        move to ``group`` (only when ``capabilities.assignment``)."""
        raise Unsupported(f"{self.display_name} does not support assignment")

    async def tag(
        self, ticket_id: str, add: list[str] | None = None, remove: list[str] | None = None
    ) -> Ticket:
        """Add and remove tags (only when ``capabilities.tags``)."""
        raise Unsupported(f"{self.display_name} does not support tags")

    @abstractmethod
    async def escalate(self, ticket_id: str, escalation: Escalation) -> Ticket:
        """Apply the composite: a note with the reason, then priority/group/tags as allowed."""

    async def create_ticket(self, new: NewTicket) -> Ticket:
        """A new ticket from a requester (only when ``capabilities.create_ticket``)."""
        raise Unsupported(f"{self.display_name} does not create tickets from the console")

    # -- the directory (only with ``capabilities.directory``) ----------------
    async def agents(self) -> list[str]:
        """The agents a ticket can be assigned to, by the name ``assign`` accepts and
        tickets show as their assignee, sorted; only when ``capabilities.directory``.

        Default: raise ``Unsupported`` (the console and the verbs then take any name).
        """
        raise Unsupported(f"{self.display_name} cannot list its agents")

    async def groups(self) -> list[str]:
        """The groups (queues, teams) a ticket can be moved to, by the name ``assign``
        and ``escalate`` accept, sorted; only when ``capabilities.directory`` and
        ``capabilities.groups``.

        Default: raise ``Unsupported`` (routes and group names are then not checked).
        """
        raise Unsupported(f"{self.display_name} cannot list its groups")

    # -- the event log (only with ``capabilities.event_log``) ---------------
    async def record_event(
        self,
        name: str,
        ticket_id: str | None = None,
        payload: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> int:
        """Append an event (``domain.events``: ``ticket.viewed``, ``sweep.started``…)
        to the helpdesk's own log; its id. ``actor`` defaults to ``agent``.

        Default: raise ``Unsupported``. The console and the verbs then keep the
        log on this machine (``engine.event_recording``).
        """
        raise Unsupported(f"{self.display_name} keeps no event log")

    async def list_events(self, since: datetime | None = None) -> list[Event]:
        """Events at or after ``since`` (all when None), oldest first.

        Default: raise ``Unsupported`` (see ``record_event``).
        """
        raise Unsupported(f"{self.display_name} keeps no event log")

    # -- the change feed (only with ``capabilities.change_feed``) ------------
    async def changes_since(
        self, cursor: str | None, limit: int = MAX_CHANGES_PER_CALL
    ) -> ChangeBatch:
        """What changed on the helpdesk after ``cursor``, oldest first, at most
        ``limit`` changes (default ``MAX_CHANGES_PER_CALL``).

        ``cursor`` is one this method returned before (opaque; persist it as is),
        or None to start now: no changes, only the cursor to follow from. Changes
        made through this very adapter are reported too. A batch cut at ``limit``
        has ``complete`` False (ask again from its cursor); a cursor that cannot
        be resumed gives ``resync`` True and no changes. Bounded work: one call
        is a bounded number of requests or queries, whatever has changed.

        Default: raise ``Unsupported``.
        """
        raise Unsupported(f"{self.display_name} has no change feed")

    # -- change notices ------------------------------------------------------
    def watch_writes(self, listener: Callable[[str, Any], None]) -> bool:
        """Have ``listener(event, entry)`` called whenever one of this helpdesk's
        writes is queued, delivered or taken back; whether it will be.

        The console's outbox (``engine.buffered.BufferedHelpdesk``) does, and only
        then does the console read tickets ahead of being opened: a read ahead
        must be dropped when a write makes it stale. An adapter does not need
        to (the default: False).
        """
        return False


#: The methods each capability flag promises. With the flag off, the base
#: class's default raises ``Unsupported``; with it on, the adapter overrides
#: them (``tests/adapters/test_contract.py`` checks both sides).
CAPABILITY_METHODS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "internal_notes": ("add_note",),
        "tags": ("tag",),
        "kb_search": ("search_kb",),
        "kb_list": ("iter_articles",),
        "assignment": ("assign",),
        "priority": ("set_priority",),
        "create_ticket": ("create_ticket",),
        "event_log": ("record_event", "list_events"),
        "change_feed": ("changes_since",),
        "directory": ("agents",),
    }
)


async def first_item(items: AsyncIterator[T]) -> T | None:
    """The first of ``items`` (None when there is none), closing an async generator
    after it: no half-read page or open connection is left behind."""
    try:
        async for item in items:
            return item
        return None
    finally:
        if isinstance(items, AsyncGenerator):
            await items.aclose()
