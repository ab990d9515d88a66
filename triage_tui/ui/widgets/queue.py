"""The queue: a virtual list on Textual's Line API.

Only the visible rows are rendered (``render_line``), so 100 000 tickets cost
what a screenful costs. Rows are compact ``QueueRow``s, sorted and filtered in
the domain, never widgets. Moving the cursor repaints two lines; a countdown
tick repaints only the rows whose countdown text changed.

Keys (when focused): ``j``/``down`` next, ``k``/``up`` previous,
``g``/``home`` first, ``G``/``end`` last, ``pageup``/``pagedown``, ``enter`` open;
marks for bulk actions: ``space`` mark / unmark and move down, ``*`` mark every
row in view (again: unmark them), ``shift+down``/``shift+up`` extend the marked
range. Marks are ticket ids (``marked``) and survive ``set_rows``; a marked
row shows ``●`` in its first cell; every change posts ``MarksChanged``. When
the detail pane does not follow the cursor, the open ticket's row (``open_id``)
shows ``▶`` there.

The live queue (``ui/live.py``) merges the helpdesk's changes in with
``merge_rows``, which keeps the cursor on its ticket and that row on the same
screen line; rows changed since the agent last opened them carry a text
marker before the subject (``markers``: ``new``, ``re``, ``chg``) in colour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage_tui.domain.clock import Clock
from triage_tui.domain.live import Marker
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.sla import SlaState, format_age
from triage_tui.ui.keys import bindings
from triage_tui.ui.safe_text import clean
from triage_tui.ui.widgets.steady import SteadyScrollbars

_PRIORITY_LABEL = {"urgent": "URG", "high": "HIGH", "normal": "norm", "low": "low"}


#: The subject keeps at least this many cells; below it columns are dropped.
SUBJECT_MIN = 16


@dataclass(frozen=True, slots=True)
class _Columns:
    """Cell widths for the current width. Every column shows while the subject
    keeps ``SUBJECT_MIN`` cells; narrower, the age goes first, then the
    requester's name (its ★ for a VIP organization stays)."""

    countdown: int = 7
    priority: int = 4
    ticket: int = 7
    requester: int = 0
    age: int = 0
    subject: int = 10

    @classmethod
    def for_width(cls, width: int) -> _Columns:
        fixed = 4 + 7 + 1 + 4 + 1 + 7 + 1  # marker, countdown, priority, id (+gaps)
        requester, age = 12, 4
        subject = width - fixed - (requester + 1) - (age + 1)
        if subject < SUBJECT_MIN:
            age, subject = 0, subject + 5
        if subject < SUBJECT_MIN:
            requester, subject = 1, subject + 11
        return cls(requester=requester, age=age, subject=max(4, subject))


def header_text(width: int) -> str:
    """Column titles aligned with ``QueueView`` rows at ``width`` cells."""
    cols = _Columns.for_width(width)
    parts = [
        "    " + _fit("SLA", cols.countdown),
        _fit("PRI", cols.priority),
        _fit("TICKET", cols.ticket),
    ]
    if cols.requester:
        parts.append(_fit("REQUESTER" if cols.requester > 1 else "★", cols.requester))
    parts.append(_fit("SUBJECT", cols.subject))
    if cols.age:
        parts.append(_fit("AGE", cols.age))
    return " ".join(parts)


def _fit(text: str, width: int) -> str:
    """Pad or cut to exactly ``width`` cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class QueueView(SteadyScrollbars, ScrollView, can_focus=True):
    """Tickets in SLA order with a cursor."""

    BINDINGS = bindings("queue")

    COMPONENT_CLASSES = {
        "queue--cursor",
        "queue--breached",
        "queue--at-risk",
        "queue--ok",
        "queue--none",
        "queue--vip",
        "queue--urgent",
        "queue--marked",
        "queue--similar",
        "queue--live",
    }

    DEFAULT_CSS = """
    QueueView { background: $surface; overflow-x: hidden; scrollbar-gutter: stable; }
    QueueView > .queue--cursor { background: $block-cursor-blurred-background; }
    QueueView:focus > .queue--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    QueueView > .queue--breached { color: $text-error; text-style: bold; }
    QueueView > .queue--at-risk { color: $text-warning; text-style: bold; }
    QueueView > .queue--ok { color: $text-success; }
    QueueView > .queue--none { color: $text-muted; }
    QueueView > .queue--vip { color: $text-accent; text-style: bold; }
    QueueView > .queue--urgent { text-style: bold; }
    QueueView > .queue--marked { color: $text-accent; text-style: bold; }
    QueueView > .queue--similar { color: $text-secondary; }
    QueueView > .queue--live { color: $text-accent; text-style: bold reverse; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor moved to ``row``; handled by ``on_queue_view_highlighted``."""

        def __init__(self, row: QueueRow) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        """Enter was pressed on ``row``; handled by ``on_queue_view_selected``."""

        def __init__(self, row: QueueRow) -> None:
            super().__init__()
            self.row = row

    class MarksChanged(Message):
        """The marked tickets changed; ``count`` of them. Handled by
        ``on_queue_view_marks_changed``.
        """

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, clock: Clock, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.clock = clock
        self.rows: list[QueueRow] = []
        #: Size of a row's similar-incident cluster ("+4 similar" shows 5 - 1).
        self.similar: Callable[[str], int] = lambda _ticket_id: 1
        # Countdown text last painted per row id, so a tick repaints only changes.
        # (countdown, age) last painted per row id, so a tick repaints only
        # the cells whose text changed.
        self._painted: dict[str, tuple[str, str]] = {}
        #: Ticket ids marked for a bulk action.
        self.marked: set[str] = set()
        #: Ticket ids with an AI agent's proposal waiting for review.
        self.proposed: set[str] = set()
        # A shift-range in progress: (anchor index, marks before it, cursor after it).
        self._range: tuple[int, frozenset[str], int] | None = None
        #: The ticket open in the detail pane, marked ``▶`` (None: not shown).
        self.open_id: str | None = None
        #: Rendered rows by everything that shapes them (see ``_render_row``).
        self._strips: dict[tuple[object, ...], tuple[QueueRow, Strip]] = {}
        #: Live-queue markers by ticket id (``new``, ``re``, ``chg``): what changed
        #: since the agent last opened the ticket.
        self.markers: dict[str, Marker] = {}
        #: Colleagues on a ticket (``ui/presence.py``), by ticket id: ``Mei ✎``.
        self.presence: dict[str, str] = {}

    def set_presence(self, labels: dict[str, str]) -> None:
        """Show these colleagues' markers, repainting only the rows whose marker changed."""
        before, self.presence = self.presence, labels
        for ticket_id in before.keys() | labels.keys():
            if before.get(ticket_id) != labels.get(ticket_id):
                self._refresh_id(ticket_id)

    def show_open(self, ticket_id: str | None) -> None:
        """Mark ``ticket_id`` as the open ticket, repainting the two rows involved."""
        before, self.open_id = self.open_id, ticket_id
        for index, row in enumerate(
            self.rows[int(self.scroll_y) : int(self.scroll_y) + self.size.height]
        ):
            if row.id in (before, ticket_id):
                self._refresh_row(int(self.scroll_y) + index)

    # -- data --------------------------------------------------------------
    def set_rows(self, rows: list[QueueRow], keep_id: str | None = None) -> None:
        """Show ``rows`` (already sorted); keep the cursor on ``keep_id`` if present.

        ``Highlighted`` is posted only when the row under the cursor is not the
        very row object it was: a filter keystroke, or the rest of the queue
        arriving around the first screenful, does not reload (and repaint) the
        ticket already open; a refresh, which reads new rows, does.
        """
        previous = self.current
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows))
        index = 0
        if keep_id is not None:
            index = next((i for i, r in enumerate(rows) if r.id == keep_id), self.cursor)
        self._painted.clear()
        index = max(0, min(index, len(rows) - 1))
        if previous is not None and rows and rows[index] is previous:
            self.set_reactive(QueueView.cursor, index)
            self.scroll_to_cursor()
        else:
            self.cursor = index
        self.refresh()

    def merge_rows(self, rows: list[QueueRow], index: int | None) -> None:
        """Show ``rows`` (the same queue with changes merged in) with the cursor at
        ``index`` (its ticket's new place; None: it left, the cursor keeps its index).

        The cursor's row stays on the screen line it was on, so rows entering or
        leaving above it do not move what the agent is looking at; the cursor's
        ticket is not announced again (no reload of the open ticket).
        """
        line = self.cursor - int(self.scroll_y)
        same_ticket = index is not None
        if index is None:
            index = self.cursor
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows))
        index = max(0, min(index, len(rows) - 1))
        self._painted.clear()
        if same_ticket:
            self.set_reactive(QueueView.cursor, index)
        else:
            self.cursor = index  # another ticket is under the cursor now: announced
        if rows:
            top = max(0, min(index - line, len(rows) - max(1, self.size.height)))
            self.scroll_to(y=top, animate=False, immediate=True)
            self.scroll_to_cursor()
        self.refresh()

    def set_marker(self, ticket_id: str, marker: Marker | None) -> None:
        if marker is None:
            if self.markers.pop(ticket_id, None) is not None:
                self._refresh_id(ticket_id)
        elif self.markers.get(ticket_id) is not marker:
            self.markers[ticket_id] = marker
            self._refresh_id(ticket_id)

    def _refresh_id(self, ticket_id: str) -> None:
        top = int(self.scroll_y)
        for y, row in enumerate(self.rows[top : top + self.size.height]):
            if row.id == ticket_id:
                self._refresh_row(top + y)

    @property
    def current(self) -> QueueRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def tick(self) -> None:
        """Repaint the cells whose text changed: a visible row's countdown (with its
        state marker and colour) or its age, never the whole row: an idle
        console over SSH sends only what a clock hand would."""
        now = self.clock.now()
        top = int(self.scroll_y)
        width = self.scrollable_content_region.width
        cols = _Columns.for_width(width)
        for y in range(self.size.height):
            index = top + y
            if index >= len(self.rows):
                break
            row = self.rows[index]
            painted = self._painted.get(row.id)
            if painted is None:
                self.refresh(Region(0, y, width, 1))
                continue
            if painted[0] != row.countdown(now):
                self.refresh(Region(_STATE_X, y, _STATE_WIDTH, 1))
            if cols.age and painted[1] != _age(row, now):
                self.refresh(Region(width - cols.age, y, cols.age, 1))

    # -- cursor ------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self.scroll_to_cursor()
        if self.current is not None:
            self.post_message(self.Highlighted(self.current))

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        height = max(1, self.size.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def move_to(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(index, len(self.rows) - 1))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def action_page_down_rows(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height - 1))

    def action_page_up_rows(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height - 1))

    #: Enter is what opens a ticket (the detail does not follow the cursor).
    enter_opens = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.enter_opens if action == "open" else True

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    action_open = action_select

    # -- marks ---------------------------------------------------------------
    def marked_rows(self, rows: list[QueueRow] | None = None) -> list[QueueRow]:
        """The marked rows among ``rows`` (default: the rows shown), in their order."""
        marked = self.marked
        return (
            [r for r in (self.rows if rows is None else rows) if r.id in marked] if marked else []
        )

    def clear_marks(self) -> None:
        if self.marked:
            self.marked = set()
            self._range = None
            self.refresh()
            self.post_message(self.MarksChanged(0))

    def action_toggle_mark(self) -> None:
        row = self.current
        if row is None:
            return
        self._range = None
        self.marked ^= {row.id}
        self._refresh_row(self.cursor)
        self.post_message(self.MarksChanged(len(self.marked)))
        self.action_cursor_down()

    def action_mark_all(self) -> None:
        ids = {r.id for r in self.rows}
        self._range = None
        self.marked = self.marked - ids if ids <= self.marked else self.marked | ids
        self.refresh()
        self.post_message(self.MarksChanged(len(self.marked)))

    def action_extend_marks(self, step: int) -> None:
        """Mark from where the shift-range started to the cursor's new row (moving back shrinks
        it).
        """
        if not self.rows:
            return
        if self._range is None or self._range[2] != self.cursor:
            self._range = (self.cursor, frozenset(self.marked), self.cursor)
        anchor, before, _ = self._range
        self.move_to(self.cursor + step)
        low, high = sorted((anchor, self.cursor))
        self.marked = set(before).union(r.id for r in self.rows[low : high + 1])
        self._range = (anchor, before, self.cursor)
        self.refresh()
        self.post_message(self.MarksChanged(len(self.marked)))

    # -- rendering ---------------------------------------------------------
    class Resized(Message):
        """The row width changed to ``width``; the column header follows it."""

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))
        self.post_message(self.Resized(self.scrollable_content_region.width))
        # A smaller terminal (or a zoom) must not leave the cursor's row out of sight.
        self.call_after_refresh(self.scroll_to_cursor)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        # The scrollbar takes columns from the size; rows fit what is left.
        width = self.scrollable_content_region.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        return self._render_row(self.rows[index], index == self.cursor, width)

    def _render_row(self, row: QueueRow, is_cursor: bool, width: int) -> Strip:
        now = self.clock.now()
        state = row.state(now)
        countdown = row.countdown(now)
        cols = _Columns.for_width(width)
        age = _age(row, now) if cols.age else ""
        self._painted[row.id] = (countdown, age)
        # The same row drawn the same way is drawn once: a filter keystroke, a
        # scroll or a cursor move repaints rows mostly seen a moment ago, and
        # building a row's styled segments cost ~0.25 ms (a screenful ~9 ms).
        # Rows are keyed by identity (a refreshed row is a new object); the row is
        # kept with its strip so a recycled id() never returns another row's.
        key = (
            id(row),
            is_cursor,
            self.has_focus,
            width,
            state,
            countdown,
            age,
            row.id in self.marked,
            row.id == self.open_id,
            self.similar(row.id),
            self.markers.get(row.id),
            self.presence.get(row.id),
        )
        cached = self._strips.get(key)
        if cached is not None and cached[0] is row:
            return cached[1]
        strip = self._build_row(row, is_cursor, width, state, countdown, age, cols)
        if len(self._strips) >= _STRIP_CACHE:
            self._strips.clear()
        self._strips[key] = (row, strip)
        return strip

    def notify_style_update(self) -> None:
        self._strips.clear()  # a theme or focus change restyles every row
        super().notify_style_update()

    def _build_row(
        self,
        row: QueueRow,
        is_cursor: bool,
        width: int,
        state: SlaState,
        countdown: str,
        age: str,
        cols: _Columns,
    ) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("queue--cursor")
        state_style = self.get_component_rich_style(_STATE_CLASS[state], partial=True)
        if row.id in self.marked:
            marked = base + self.get_component_rich_style("queue--marked", partial=True)
            lead = [Segment("●", marked), Segment(state.marker + " ", base + state_style)]
        elif row.id == self.open_id:
            opened = base + self.get_component_rich_style("queue--marked", partial=True)
            lead = [Segment("▶", opened), Segment(state.marker + " ", base + state_style)]
        else:
            lead = [Segment(" " + state.marker + " ", base + state_style)]
        segments = [
            *lead,
            Segment(_fit(countdown, cols.countdown) + " ", base + state_style),
        ]
        priority_style = base
        if row.priority.value == "urgent":
            priority_style = base + self.get_component_rich_style("queue--urgent", partial=True)
        segments.append(
            Segment(_fit(_PRIORITY_LABEL[row.priority.value], cols.priority) + " ", priority_style)
        )
        segments.append(Segment(_fit("#" + clean(row.id, one_line=True), cols.ticket) + " ", base))
        if cols.requester == 1:
            vip_style = base + self.get_component_rich_style("queue--vip", partial=True)
            segments.append(Segment("★ " if row.vip else "  ", vip_style))
        elif cols.requester:
            name = clean(row.requester, one_line=True)
            if row.vip:
                vip_style = base + self.get_component_rich_style("queue--vip", partial=True)
                segments.append(Segment("★", vip_style))
                segments.append(Segment(_fit(name, cols.requester - 1) + " ", base))
            else:
                segments.append(Segment(_fit(name, cols.requester) + " ", base))
        subject = clean(row.subject, one_line=True) or "(no subject)"
        marker = self.markers.get(row.id)
        if marker is not None and cols.subject > SUBJECT_MIN // 2:
            # A word, not only a colour: 16-colour and monochrome terminals read it.
            live = base + self.get_component_rich_style("queue--live", partial=True)
            segments += [Segment(marker.value, live), Segment(" ", base)]
            cols = replace(cols, subject=max(4, cols.subject - len(marker.value) - 1))
        here = self.presence.get(row.id)
        if here and cols.subject > SUBJECT_MIN // 2:
            # Who else is on it, in words and a sign (``Mei ✎``): not a colour alone.
            label = clean(here, one_line=True)
            if cell_len(label) > (room := min(16, cols.subject // 2)):
                label = _fit(label, room)
            shown = base + self.get_component_rich_style("queue--marked", partial=True)
            segments += [Segment(label, shown), Segment(" ", base)]
            cols = replace(cols, subject=max(4, cols.subject - cell_len(label) - 1))
        others = self.similar(row.id) - 1
        # An AI agent's proposal waits on the ticket (``triage mcp``; reviewed with A).
        proposal = PROPOSAL_BADGE if row.id in self.proposed else ""
        if (others > 0 or proposal) and cols.subject >= SUBJECT_MIN:
            badge = (f" +{others}" if others > 0 else "") + proposal
            segments.append(Segment(_fit(subject, cols.subject - len(badge)), base))
            # An opaque theme colour, not $text-muted: that is a translucent
            # "auto 60%", which a partial style resolves to white (white on
            # white in triage-light). On the cursor row the cursor's colours stay.
            similar = (
                base
                if is_cursor
                else base + self.get_component_rich_style("queue--similar", partial=True)
            )
            segments.append(Segment(badge, similar))
        else:
            segments.append(Segment(_fit(subject, cols.subject), base))
        if cols.age:
            segments.append(Segment(" " + _fit(age, cols.age), base))
        # Neighbours in the same style become one segment: each segment costs
        # its own colour sequence and reset on the wire (~25 bytes in 256
        # colours), and a scroll repaints every visible row.
        strip = Strip(segments).adjust_cell_length(width, base)
        return strip.simplify()


#: Rendered rows kept (a few screenfuls); the cache starts over when full.
_STRIP_CACHE = 2_000

#: After the subject of a ticket with an agent's proposal waiting (``A`` reviews it).
PROPOSAL_BADGE = " ◆AI"
#: Cells of a row holding the SLA marker and countdown (after the mark column).
_STATE_X = 1
_STATE_WIDTH = 3 + _Columns().countdown


def _age(row: QueueRow, now: datetime) -> str:
    return format_age(datetime.fromtimestamp(row.created, tz=now.tzinfo), now)


_STATE_CLASS = {
    SlaState.BREACHED: "queue--breached",
    SlaState.AT_RISK: "queue--at-risk",
    SlaState.OK: "queue--ok",
    SlaState.PAUSED: "queue--none",
    SlaState.NONE: "queue--none",
}
