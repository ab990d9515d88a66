"""The ticket detail pane: who is asking, what they said, what to do about it.

Sections top to bottom: subject and state; requester (tier, new or returning)
and organization (VIP); escalation rules that fire, with the words that fired
them; KB suggestions with scores and links; the conversation (customer, agent
and internal note visibly different, and labelled, never colour alone); the
requester's other tickets, navigable with the keyboard.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult, SystemCommand
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.markup import escape
from textual.message import Message as TextualMessage
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.domain import sla
from triage_tui.domain.enums import Role
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.text import count
from triage_tui.engine.loader import TicketView
from triage_tui.ui import safe_text as st
from triage_tui.ui.widgets.detail_text import Block, DetailText
from triage_tui.ui.widgets.steady import SteadyScrollbars

if TYPE_CHECKING:  # plans (and the clustering behind them) load with the first plan shown
    from triage_tui.domain.handling_plan.plan import HandlingPlan
    from triage_tui.domain.models import Message, Ticket


def _ago(when: datetime, now: datetime) -> str:
    return sla.format_age(when, now) + " ago"


_ROLE_LABEL = {Role.CUSTOMER: "Customer", Role.AGENT: "Agent", Role.SYSTEM: "System"}


def header_content(view: TicketView, now: datetime) -> Content:
    ticket = view.detail.ticket
    left = sla.time_left(ticket, now)
    state = sla.state(ticket, now)
    target = sla.next_target(ticket)
    sla_text = (
        f"{state.marker.strip() or '•'} {sla.format_countdown(left)} {state.label}"
        f" ({target.metric.replace('_', ' ')})"
        if target
        else state.label
    )
    tags = ", ".join(st.clean(t, one_line=True) for t in ticket.tags) or "no tags"
    head = Content.styled(f"#{st.clean(ticket.id, one_line=True)} ", "bold")
    # The id links to the ticket in the helpdesk's web UI (OSC 8), when it has one.
    if (linked := st.link_style(view.url)) is not None:
        head = head.stylize(linked, 0, len(head) - 1)
    return Content.assemble(
        head,
        st.line(ticket.subject or "(no subject)", "bold"),
        "\n",
        (f"SLA {sla_text}", _STATE_STYLE[state]),
        f" · {ticket.status.value} · {ticket.priority.value} priority · ",
        st.line(ticket.channel),
        " · tags: ",
        Content(tags),
    )


_STATE_STYLE = {
    sla.SlaState.BREACHED: "$text-error bold",
    sla.SlaState.AT_RISK: "$text-warning bold",
    sla.SlaState.OK: "$text-success",
    sla.SlaState.PAUSED: "$text-muted",
    sla.SlaState.NONE: "$text-muted",
}


def requester_content(view: TicketView) -> Content:
    ticket = view.detail.ticket
    person = view.history.person if view.history else ticket.requester
    parts: list[Content | tuple[str, str] | str] = [
        ("Requester  ", "bold"),
        st.line(person.name or "(unknown requester)"),
    ]
    if person.email:
        parts += [" <", st.line(person.email), ">"]
    if person.tier:
        parts += [" · tier ", st.line(person.tier)]
    if person.account_value is not None:
        parts.append(f" · ${person.account_value:,.0f}/yr")
    if view.history is not None:
        earlier = len(view.history.earlier_tickets(ticket.id))
        if earlier:
            plural = "s" if earlier != 1 else ""
            parts.append((f" · returning ({earlier} earlier ticket{plural})", "$text-accent"))
        else:
            parts.append((" · new requester", "$text-accent"))
    org = (view.history.organization if view.history else None) or ticket.organization
    if org is not None:
        parts += ["\n", ("Org        ", "bold"), st.line(org.name)]
        if org.tier:
            parts += [" · ", st.line(org.tier)]
        if org.vip:
            parts.append((" ★ VIP", "$text-warning bold"))
    return Content.assemble(*parts)


def rules_content(view: TicketView) -> Content:
    fired = view.fired_rules
    # Rules the agent dismissed (``d``) say so: "no rule fires" alone hid the override.
    dismissed = [r for r in view.rules if r.overridden]
    note: list[Content | tuple[str, str] | str] = []
    if dismissed:
        names = ", ".join(r.title for r in dismissed)
        note = [
            "\n           " if fired else " · ",
            (f"{count(len(dismissed), 'rule')} dismissed", "$text-warning"),
            (f": {names} (d restores)", "$text-muted"),
        ]
    if not fired:
        return Content.assemble(("Escalation ", "bold"), ("no rule fires", "$text-muted"), *note)
    parts: list[Content | tuple[str, str] | str] = [("Escalation ", "bold")]
    for i, rule in enumerate(fired):
        if i:
            parts.append("\n           ")
        parts.append((f"⚑ {rule.title}", "$text-warning bold"))
        if rule.evidence:
            quoted = ", ".join(f"“{st.clean(e, one_line=True)}”" for e in rule.evidence)
            parts += [" — ", Content(quoted)]
        parts.append((f" → {rule.route}", "$text-muted"))
    return Content.assemble(*parts, *note)


def kb_blocks(view: TicketView) -> list[Block]:
    """The KB suggestions: each article's title and matched words wrap; its link
    is a line of its own that never wraps (a link broken mid-word cannot be
    copied), ending in "…" when the pane is narrower (``z`` zooms the pane). The
    line is an OSC 8 hyperlink to the whole address, cut or not (``st.link``)."""
    head: list[Content | tuple[str, str] | str] = [("Knowledge base", "bold")]
    if not view.kb_supported:
        head.append(("  not available for this helpdesk", "$text-muted"))
    elif view.kb is None:
        head.append(("  indexing articles…", "$text-muted"))
    elif not view.kb:
        head.append(("  no matching article", "$text-muted"))
    blocks: list[Block] = []
    parts = head
    for i, match in enumerate(view.kb or [], start=1):
        parts += [
            f"\n {i}. ",
            (f"{match.score:3.0f} ", "$text-accent bold"),
            st.line(match.article.title),
        ]
        if match.article.url:
            blocks.append(Block(Content.assemble(*parts), gap=False))
            url = st.link(match.article.url, match.article.url, "$text-muted underline")
            blocks.append(Block(Content.assemble("   ", url), gap=False, nowrap=True))
            parts = []
        if match.matched_terms:
            terms = ", ".join(st.clean(t, one_line=True) for t in match.matched_terms[:6])
            parts += [
                ("\n" if parts else "", ""),
                ("       matched: ", "$text-muted"),
                Content.styled(terms, "$text-muted"),
            ]
    if parts:
        blocks.append(Block(Content.assemble(*parts), gap=False))
    return [*blocks[:-1], Block(blocks[-1].content, gap=True, nowrap=blocks[-1].nowrap)]


def kb_link_commands(
    view: TicketView | None, copy: Callable[[str], None]
) -> Iterator[SystemCommand]:
    """Command-palette commands copying each suggested article's whole link (OSC 52:
    over SSH and in tmux too), for a link the pane shows cut."""
    for i, match in enumerate((view.kb or []) if view is not None else [], start=1):
        url = st.clean(match.article.url, one_line=True)
        if url:
            title = st.clean(match.article.title, one_line=True)
            yield SystemCommand(
                escape(f"Copy KB link {i}: {title}"), escape(url), partial(copy, url)
            )


def message_content(message: Message, now: datetime) -> Content:
    label = _ROLE_LABEL[message.role]
    if not message.public:
        label = "Internal note"
    head = Content.assemble(
        (f"{label} · ", "bold"),
        st.line(message.author or "unknown"),
        (f" · {_ago(message.created_at, now)}", "$text-muted"),
    )
    return Content.assemble(head, "\n", st.body(message.body))


def message_class(message: Message) -> str:
    if not message.public:
        return "msg-note"
    return {Role.CUSTOMER: "msg-customer", Role.AGENT: "msg-agent", Role.SYSTEM: "msg-system"}[
        message.role
    ]


def _row_option(row: QueueRow, now: datetime) -> Option:
    return Option(
        Content.assemble(
            f"#{st.clean(row.id, one_line=True)} ",
            (f"{row.countdown(now):>8} ", "$text-muted"),
            st.line(row.requester),
            " · ",
            st.line(row.subject or "(no subject)"),
        ),
        id=row.id,
    )


def _other_option(ticket: Ticket, now: datetime) -> Option:
    return Option(
        Content.assemble(
            f"#{st.clean(ticket.id, one_line=True)} ",
            (f"{ticket.status.value:<8}", "$text-muted"),
            " ",
            st.line(ticket.subject or "(no subject)"),
            (f" · {_ago(ticket.created_at, now)}", "$text-muted"),
        ),
        id=ticket.id,
    )


def plan_content(plan: HandlingPlan) -> Content:
    """The plan as styled text (built from our own labels and the ticket's words)."""
    parts: list[Content | tuple[str, str] | str] = [
        ("Handling plan", "bold underline"),
        ("   p returns to the ticket", "$text-muted"),
        "\n",
        ("Urgency: ", "bold"),
        st.line(str(plan.urgency)),
        "\n",
        ("Goal: ", "bold"),
        st.line(plan.goal),
        "\n",
        ("Owner: ", "bold"),
        st.line(plan.owner),
    ]
    if plan.route:
        parts += [("  route: ", "bold"), st.line(plan.route)]
    for number, stage in enumerate(plan.stages, 1):
        parts += [
            "\n\n",
            (f"{number}. {stage.title}", "bold $text-accent"),
            "\n",
            st.line(stage.responsibility, "italic $text-muted"),
        ]
        for item in stage.items:
            parts += [
                "\n • ",
                (f"{st.clean(item.label, one_line=True)}: ", "bold"),
                st.line(item.text),
            ]
            for point in item.points:
                parts += ["\n     – ", st.line(point)]
    parts += ["\n\n", ("Follow-ups", "bold $text-accent")]
    for task in plan.follow_ups or ("none",):
        parts += ["\n ☐ ", st.line(task)]
    return Content.assemble(*parts)


class OtherTickets(SteadyScrollbars, OptionList):
    """The requester's other tickets; Enter opens one in the detail pane."""

    class Open(TextualMessage):
        """Open ``ticket_id``; handled by ``on_other_tickets_open``."""

        def __init__(self, ticket_id: str) -> None:
            super().__init__()
            self.ticket_id = ticket_id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Open(event.option.id))


#: Similar tickets listed in the pane: as many as the list shows at once (8
#: lines); the section title gives the total and a line says how many more.
#: Each listed one is an option built and measured per ticket opened.
SIMILAR_LISTED = 8


class TicketPane(VerticalScroll, can_focus=True):
    """Scrollable detail of the current ticket.

    The text sections are one ``DetailText`` (see there for why); the similar
    and other tickets below it are option lists the keyboard can walk. All are
    mounted once and updated in place.
    """

    ALLOW_MAXIMIZE = True  # z zooms it (scroll containers do not by default)

    DEFAULT_CSS = """
    TicketPane { padding: 0 1; scrollbar-gutter: stable; }
    TicketPane > Static { margin-bottom: 1; }
    TicketPane > OtherTickets { height: auto; max-height: 8; margin-bottom: 1; }
    TicketPane > .section-title { margin: 0; text-style: bold; }
    """

    #: The titles and notes around the option lists, top to bottom.
    _STATICS = ("similar-title", "similar-more", "others-title", "ticket-errors")

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        # Set once the sections are composed: the screen may ask to show a
        # ticket while the pane, mounted after the first screen, is still composing.
        self._composed = asyncio.Event()
        #: Per option list, the (id, text) of the options it shows.
        self._listed: dict[str, list[tuple[str | None, str]]] = {}

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # A new ticket's height changes the pane's virtual size: the scrollbar
        # is updated here (its gutter is stable, so no width changes), and a
        # second layout pass would only repaint the pane unchanged.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def compose(self) -> ComposeResult:
        text = DetailText(id="ticket-text")
        text.set_blocks([Block(Content("Loading the queue…"))])
        yield text
        yield Static(id="similar-title", classes="section-title")
        yield OtherTickets(id="similar-tickets")
        yield Static(id="similar-more")
        yield Static(id="others-title", classes="section-title")
        yield OtherTickets(id="other-tickets")
        yield Static(id="ticket-errors")

    def on_mount(self) -> None:
        self._clear()
        self._composed.set()

    @property
    def text(self) -> DetailText:
        return self.query_one("#ticket-text", DetailText)

    def _put(self, name: str, content: Content | None) -> None:
        """Show ``content`` in section ``name``, or empty and hide it."""
        widget = self.query_one(f"#{name}", Static)
        widget.update(content if content is not None else Content(""))
        widget.display = content is not None

    def _options(self, name: str, options: list[Option]) -> None:
        widget = self.query_one(f"#{name}", OtherTickets)
        # Tickets of one cluster list the same similar tickets: re-measuring an
        # unchanged list would cost ~3 ms of every ticket opened at 100 000 tickets.
        shown = [(option.id, str(option.prompt)) for option in options]
        if shown != self._listed.get(name):
            self._listed[name] = shown
            if options:
                widget.set_options(options)  # one measuring pass; clear + add made two
            else:
                widget.clear_options()
        widget.display = bool(options)

    def _clear(self) -> None:
        """Everything below the text empty and hidden."""
        for name in self._STATICS:
            self._put(name, None)
        for name in ("similar-tickets", "other-tickets"):
            self._options(name, [])

    async def show(
        self, view: TicketView, now: datetime, similar: list[QueueRow] | None = None
    ) -> None:
        """Show ``view`` (and the open tickets ``similar`` to it) in place of what is there."""
        await self._composed.wait()
        with self.app.batch_update():
            self.text.set_blocks(self._blocks(view, now))
            similar = similar or []
            # The list shows 8 lines; at 100 000 tickets a cluster holds thousands,
            # and an option per member would cost 200-400 ms per ticket opened.
            listed = similar[:SIMILAR_LISTED]
            self._put(
                "similar-title",
                Content.styled(
                    f"Similar open tickets ({len(similar)}) — one answer may serve them all", "bold"
                )
                if similar
                else None,
            )
            self._options("similar-tickets", [_row_option(r, now) for r in listed])
            more = f"… and {len(similar) - len(listed):,} more (most urgent listed first)"
            self._put(
                "similar-more",
                Content.styled(more, "$text-muted") if len(similar) > len(listed) else None,
            )
            others = view.history.earlier_tickets(view.detail.ticket.id) if view.history else []
            self._put(
                "others-title",
                Content.styled(f"Other tickets from this requester ({len(others)})", "bold")
                if others
                else None,
            )
            self._options("other-tickets", [_other_option(t, now) for t in others])
            errors = Content("\n").join(Content.styled(e, "$text-error") for e in view.errors)
            self._put("ticket-errors", errors if view.errors else None)
            self.scroll_home(animate=False)

    @staticmethod
    def _blocks(view: TicketView, now: datetime) -> list[Block]:
        messages = view.detail.messages
        blocks = [
            Block(header_content(view, now)),
            Block(requester_content(view)),
            Block(rules_content(view)),
        ]
        if view.kb_supported or view.kb:
            blocks.extend(kb_blocks(view))
        blocks.append(Block(Content.styled(f"Conversation ({len(messages)})", "bold"), gap=False))
        return blocks + [Block(message_content(m, now), message_class(m)) for m in messages]

    def predraw(self, view: TicketView, now: datetime) -> None:
        """Draw ``view``'s first screenful ahead of ``show`` (a ticket read ahead):
        showing it then paints drawn lines. Whatever differs by then (the SLA
        countdown, say) is drawn again at ``show``."""
        if self._composed.is_set():
            self.text.predraw(self._blocks(view, now), self.size.height)

    async def show_plan(self, plan: HandlingPlan, now: datetime) -> None:
        """The four-stage handling plan instead of the detail (``p`` toggles)."""
        await self._composed.wait()
        with self.app.batch_update():
            self._clear()
            self.text.set_blocks([Block(plan_content(plan))])
            self.scroll_home(animate=False)

    async def show_message(self, text: str) -> None:
        await self._composed.wait()
        with self.app.batch_update():
            self._clear()
            self.text.set_blocks([Block(Content(text))])
