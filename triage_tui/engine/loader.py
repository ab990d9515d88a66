"""Gathers what the console shows for a ticket: UI-free, so it is tested alone.

One ``TicketLoader`` per open helpdesk. It streams the queue as compact rows,
builds the local KB index in a thread (ranking is typo tolerant only when we
rank), and assembles a ``TicketView``: the conversation, the requester's
history, the rules that fire and the KB suggestions, each degrading to a
visible note instead of failing the whole pane.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from triage_tui.adapters.base import Helpdesk
from triage_tui.domain.clock import Clock
from triage_tui.domain.errors import InvalidInput, TriageError
from triage_tui.domain.queue import QueueRow

# KB ranking, escalation rules and drafting are needed for the first ticket,
# not for the first screen of the queue: imported on first use so the
# console's start-up does not pay for them (see benchmarks/tui.py).
if TYPE_CHECKING:
    from triage_tui.config import Profile
    from triage_tui.domain.escalation import RuleResult, RuleSet
    from triage_tui.domain.kb.ranking import KbIndex, KbMatch
    from triage_tui.domain.models import Article, PersonHistory, TicketDetail

KB_SUGGESTIONS = 5
#: Seconds a view read ahead may be opened instead of reading the ticket again
#: (no write happened since: those drop every view read ahead).
AHEAD_FRESH_S = 15.0
#: Views read ahead that are kept (the cursor's row and the open ticket's neighbours).
AHEAD_KEPT = 4
#: Rows handed to the screen at a time while the queue streams in.
BATCH = 500
#: Tickets ``rows`` reads at the same time (the live queue's re-reads).
ROWS_AT_ONCE = 8


@dataclass
class TicketView:
    """Everything the detail pane shows for one ticket."""

    detail: TicketDetail
    history: PersonHistory | None
    rules: list[RuleResult]
    kb: list[KbMatch] | None  # None while the KB is still being indexed
    kb_supported: bool = True
    errors: list[str] = field(default_factory=list)
    #: The ticket's page in the helpdesk's web UI, when it has one and it is a safe
    #: http(s) link (``Helpdesk.ticket_url``, ``domain.text.link_target``).
    url: str | None = None
    #: The reply drafted for it (``TicketLoader.draft``), once drafted.
    drafted: tuple[str, int] | None = field(default=None, repr=False, compare=False)

    @property
    def fired_rules(self) -> list[RuleResult]:
        return [r for r in self.rules if r.fired]

    @property
    def relevant_article(self) -> KbMatch | None:
        from triage_tui.domain.kb.ranking import RELEVANT_SCORE

        if self.kb and self.kb[0].score >= RELEVANT_SCORE:
            return self.kb[0]
        return None


class TicketLoader:
    def __init__(
        self, helpdesk: Helpdesk, rules: RuleSet | Callable[[], RuleSet], clock: Clock
    ) -> None:
        """``rules`` may be a callable, called on the first ticket (it imports the rules)."""
        self.helpdesk = helpdesk
        self._rules: RuleSet | None = None
        self._rules_factory: Callable[[], RuleSet] | None = None
        if hasattr(rules, "evaluate"):
            self._rules = cast("RuleSet", rules)
        else:
            self._rules_factory = rules
        self.clock = clock
        self.opened = False
        self.kb_index: KbIndex | None = None
        self._kb_task: asyncio.Task[None] | None = None
        #: Rules the agent dismissed, per ticket.
        self.overrides: dict[str, set[str]] = {}
        #: Why the profile's reply template was not used (see ``draft``); None while it is.
        self.template_problem: str | None = None
        self._template_problem_told = False
        #: Views read ahead: ticket id -> (when, write generation, _ahead_key, view).
        self._ahead: dict[str, tuple[float, int, tuple[int, frozenset[str]], TicketView]] = {}
        self._generation = 0
        self._watching = helpdesk.watch_writes(self._on_change)

    async def open(self) -> None:
        await self.helpdesk.open()
        self.opened = True

    async def close(self) -> None:
        if self._kb_task is not None:
            self._kb_task.cancel()
        if self.opened:
            await self.helpdesk.close()
            self.opened = False

    @property
    def rules(self) -> RuleSet:
        if self._rules is None:
            assert self._rules_factory is not None
            self._rules = self._rules_factory()
        return self._rules

    # -- queue ------------------------------------------------------------
    async def first_rows(self, limit: int) -> list[QueueRow] | None:
        """What breaches first, sorted, for the first screen (None: not known cheaply)."""
        rows = await self.helpdesk.first_rows(limit)
        return None if rows is None else sorted(rows, key=QueueRow.sort_key)

    async def queue_batches(self) -> AsyncIterator[list[QueueRow]]:
        """The active queue as compact rows, ``BATCH`` at a time, in no particular order."""
        async for batch in self.helpdesk.iter_queue_rows(batch=BATCH):
            yield batch
        # 100 000 rows live as long as the console: moved out of the cyclic
        # collector's reach, a full collection no longer walks them (40-60 ms
        # each, landing on whichever keystroke allocated last).
        gc.freeze()

    async def row(self, ticket_id: str) -> QueueRow:
        detail = await self.helpdesk.get_ticket(ticket_id)
        return QueueRow.from_ticket(detail.ticket)

    # -- knowledge base ---------------------------------------------------
    def start_kb_index(self, on_ready: Callable[[], None] | None = None) -> None:
        """Index the whole KB in a thread when the helpdesk can list it."""
        if not self.helpdesk.capabilities.kb_list or self._kb_task is not None:
            return

        async def build() -> None:
            from triage_tui.domain.kb.ranking import KbIndex

            articles: list[Article] = [a async for a in self.helpdesk.iter_articles()]
            self.kb_index = await asyncio.to_thread(KbIndex, articles)
            if on_ready is not None:
                on_ready()

        self._kb_task = asyncio.create_task(build())

    async def kb_ready(self) -> None:
        """Wait for the index (tests and benchmarks)."""
        if self._kb_task is not None:
            await self._kb_task

    async def suggestions(self, detail: TicketDetail) -> tuple[list[KbMatch] | None, bool]:
        from triage_tui.domain.kb.ranking import rerank, ticket_query

        caps = self.helpdesk.capabilities
        text = ticket_query(detail)
        if caps.kb_list:
            if self.kb_index is None:
                return None, True
            return self.kb_index.rank(text, KB_SUGGESTIONS), True
        if caps.kb_search:
            articles = await self.helpdesk.search_kb(text[:300], limit=20)
            return rerank(articles, text, KB_SUGGESTIONS), True
        return [], False

    # -- one ticket -------------------------------------------------------
    async def load(self, ticket_id: str) -> TicketView:
        """The ticket's view: read ahead if that read is still good, else read now."""
        ahead = self._ahead.pop(ticket_id, None)
        if ahead is not None:
            read_at, generation, key, view = ahead
            if (
                generation == self._generation
                and key == self._ahead_key(ticket_id)
                and time.monotonic() - read_at <= AHEAD_FRESH_S
            ):
                return view
        return await self._read(ticket_id)

    @property
    def reads_ahead(self) -> bool:
        """Whether ``read_ahead`` does anything: only on a helpdesk that says when
        anything is written (the console's outbox does), so a view read ahead is
        never older than the last write."""
        return self._watching

    async def read_ahead(self, ticket_id: str, profile: Profile | None = None) -> TicketView | None:
        """Read ``ticket_id`` before it is opened (the row under a resting cursor,
        the neighbours of the open ticket): opening it then only paints, which
        is most of the way to opening a ticket in under 50 ms at 100 000 tickets.
        With ``profile``, its reply is drafted too. Returns the view (None when
        nothing was read ahead)."""
        if not self._watching:
            return None
        if ticket_id in self._ahead:
            return self._ahead[ticket_id][3]
        generation = self._generation
        view = await self._read(ticket_id)
        if generation != self._generation:
            return None  # something was written meanwhile: this read may be older than it
        if profile is not None:
            self.draft(view, profile)  # drafted now, not while the agent waits
        self._ahead[ticket_id] = (time.monotonic(), generation, self._ahead_key(ticket_id), view)
        while len(self._ahead) > AHEAD_KEPT:
            del self._ahead[next(iter(self._ahead))]
        return view

    def _ahead_key(self, ticket_id: str) -> tuple[int, frozenset[str]]:
        # A view ranks with one KB index and evaluates the rules with the agent's
        # dismissals of that moment: either changing makes it another view.
        return id(self.kb_index), frozenset(self.overrides.get(ticket_id, ()))

    def forget(self, ticket_ids: Iterable[str]) -> None:
        """Drop what was read ahead of these tickets: the helpdesk says they changed."""
        for ticket_id in ticket_ids:
            self._ahead.pop(ticket_id, None)

    async def rows(self, ticket_ids: Iterable[str]) -> dict[str, QueueRow | None]:
        """The queue rows of these tickets as they are now (None: gone), read a few
        at a time; a ticket that cannot be read now is left out (the next change
        or ``r`` brings it)."""
        from triage_tui.domain.errors import NotFound

        gate = asyncio.Semaphore(ROWS_AT_ONCE)

        async def one(ticket_id: str) -> tuple[str, QueueRow | None] | None:
            async with gate:
                try:
                    return ticket_id, await self.row(ticket_id)
                except NotFound:
                    return ticket_id, None
                except TriageError:
                    return None

        found = await asyncio.gather(*(one(ticket_id) for ticket_id in ticket_ids))
        return dict(pair for pair in found if pair is not None)

    def _on_change(self, event: str, entry: object = None) -> None:
        self._generation += 1
        self._ahead.clear()

    async def _read(self, ticket_id: str) -> TicketView:
        detail = await self.helpdesk.get_ticket(ticket_id)
        errors: list[str] = []
        history: PersonHistory | None = None
        if self.helpdesk.capabilities.requester_history:
            try:
                history = await self.helpdesk.get_person(detail.ticket.requester.id)
            except TriageError as error:
                errors.append(f"Requester history unavailable: {error}")
        try:
            kb, kb_supported = await self.suggestions(detail)
        except TriageError as error:
            kb, kb_supported = [], True
            errors.append(f"Knowledge base unavailable: {error}")
        rules = self.rules.evaluate(detail, self.overrides.get(ticket_id, set()))
        url = self.helpdesk.ticket_link(detail.ticket.id)
        return TicketView(detail, history, rules, kb, kb_supported, errors, url)

    def draft(self, view: TicketView, profile: Profile) -> tuple[str, int]:
        """The reply drafted from the profile's template: the agent's own file in
        ``<config dir>/templates`` if there is one, else the built-in.

        A template that cannot be used (unknown name, unreadable file) drafts
        from the built-in default instead; the reason is in ``template_problem``
        for the console to show once.
        """
        from triage_tui import paths
        from triage_tui.domain.replies.drafting import DEFAULT_TEMPLATE, draft_for

        def drafted(template: str, user_dir: Path | None) -> tuple[str, int]:
            draft, cursor = draft_for(
                view.detail,
                view.relevant_article,
                team=profile.team,
                agent=profile.agent,
                now=self.clock.now(),
                template=template,
                user_dir=user_dir,
            )
            return draft.body, cursor

        if view.drafted is None:
            try:
                view.drafted = drafted(profile.template, paths.user_templates_dir())
            except InvalidInput as problem:
                self.template_problem = (
                    f"{problem}; drafting from the built-in {DEFAULT_TEMPLATE!r} template"
                )
                view.drafted = drafted(DEFAULT_TEMPLATE, None)
        return view.drafted

    def untold_template_problem(self) -> str | None:
        """``template_problem`` the first time it is asked for, then None (one notice a session)."""
        if self.template_problem is None or self._template_problem_told:
            return None
        self._template_problem_told = True
        return self.template_problem
