"""The detail pane's text (header, requester, rules, KB, plan, conversation) as one widget.

One widget, not a ``Static`` per section: Textual lays out and wraps each
widget twice (once for its height, once to paint it), and a dozen of them per
ticket opened is much of the time from Enter to the ticket on screen. Here the
sections are wrapped once per width into strips, and a frame copies the
visible ones (the Line API, like the queue).

Customer text reaches this widget only as ``Content`` built by
``ui/safe_text`` (never markup), and is drawn through Textual's own
``Visual.to_strips`` like a ``Static`` would.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from rich.segment import Segment
from textual.content import Content, Span
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget

#: A conversation block's left bar (as Textual's ``outer`` border draws it).
BAR = "▌"
#: Drawn blocks kept for reuse: a few tickets' worth.
KEPT_BLOCKS = 120
#: The find box's matches, and the one it is on (``DetailText.highlight``).
MATCH_STYLE = "reverse"
CURRENT_MATCH_STYLE = "bold reverse $text-warning"


@dataclass(frozen=True)
class Block:
    """A section of the pane: ``kind`` is "" for plain text or a message's
    ``msg-customer`` / ``msg-agent`` / ``msg-note`` / ``msg-system``, drawn
    with a coloured bar and padding; ``gap`` leaves a blank line after it.
    A ``nowrap`` block's lines are never broken (a link cut mid-word cannot be
    copied): one that does not fit ends in "…"."""

    content: Content
    kind: str = ""
    gap: bool = True
    nowrap: bool = False


class DetailText(Widget):
    """Blocks of styled text drawn line by line; its height is its line count."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    DetailText { height: auto; }
    DetailText > .detail--bar-msg-customer { color: $secondary; }
    DetailText > .detail--bar-msg-agent { color: $success; }
    DetailText > .detail--bar-msg-note { color: $warning; }
    DetailText > .detail--bar-msg-system { color: $primary; }
    DetailText > .detail--msg-agent { background: $boost; }
    DetailText > .detail--msg-note { background: $warning 10%; }
    """
    COMPONENT_CLASSES = {
        "detail--bar-msg-customer",
        "detail--bar-msg-agent",
        "detail--bar-msg-note",
        "detail--bar-msg-system",
        "detail--msg-agent",
        "detail--msg-note",
    }

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._blocks: list[Block] = []
        #: The blocks as given (``_blocks`` may be them with find matches highlighted).
        self._base: list[Block] = []
        #: Called when ``set_blocks`` replaces the text (the find box searches it again).
        self.replaced: Callable[[], None] | None = None
        #: For one width: the first line of each block (and the total at the end).
        self._layout: tuple[int, list[int]] = (-1, [0])
        #: Drawn blocks by index, for the width in ``_layout``: only blocks that
        #: came on screen are drawn (a long conversation is mostly below the fold).
        self._drawn: dict[int, list[Strip]] = {}
        #: Drawn blocks by what they show (``_key``): a ticket drawn ahead
        #: (``predraw``) or shown before paints from here.
        self._kept: dict[tuple[object, ...], list[Strip]] = {}

    def set_blocks(self, blocks: list[Block]) -> None:
        """Show ``blocks`` instead of what is there."""
        self._blocks = self._base = blocks
        self._forget()
        self.refresh(layout=True)
        if self.replaced is not None:
            self.replaced()

    @property
    def blocks(self) -> list[Block]:
        """The blocks as given to ``set_blocks`` (without highlights)."""
        return self._base

    def highlight(
        self, marks: Mapping[int, Sequence[tuple[int, int]]], current: tuple[int, int, int] | None
    ) -> None:
        """Show the blocks with the spans in ``marks`` (block index -> (start, end) in its
        plain text) highlighted, and ``current`` (block, start, end) more so; with no
        marks, the blocks as given."""
        blocks = list(self._base)
        for index, spans in marks.items():
            content = blocks[index].content
            # One new Content per block (stylize per match would copy its spans each time).
            added = [Span(start, end, MATCH_STYLE) for start, end in spans]
            if current is not None and current[0] == index:
                added.append(Span(current[1], current[2], CURRENT_MATCH_STYLE))
            content = Content(content.plain, [*content.spans, *added], content.cell_length, False)
            blocks[index] = replace(blocks[index], content=content)
        self._blocks = blocks
        self._forget()
        self.refresh(layout=True)

    def line_of(self, index: int, offset: int) -> int:
        """The line of the widget that shows character ``offset`` of block ``index`` at its
        width (the line that ends the word holding it, where a wrap breaks it off)."""
        width = self.size.width
        start = self._starts(width)[index]
        block = self._blocks[index]
        plain = block.content.plain
        if block.nowrap:
            return start + plain.count("\n", 0, offset)
        end = offset
        while end < len(plain) and not plain[end].isspace():
            end += 1
        inner = max(1, width - 3) if block.kind else width
        height = block.content[:end].get_height(self.styles, inner)  # type: ignore[arg-type]
        return start + max(0, height - 1)

    def _forget(self) -> None:
        self._layout = (-1, [0])
        self._drawn = {}

    @property
    def plain(self) -> str:
        """Every line as drawn, one per row (tests read the pane through it)."""
        width = self.size.width
        return "\n".join(self._line(y, width).text.rstrip() for y in range(self._starts(width)[-1]))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()  # a new theme: the same text in new colours
        self._kept = {}

    def predraw(self, blocks: list[Block], lines: int) -> None:
        """Draw the blocks that fill the first ``lines`` lines, for a later
        ``set_blocks`` of the same text to paint without drawing them."""
        width, y = self.size.width, 0
        for block in blocks:
            if y >= lines or width <= 0:
                break
            y += len(self._draw(block, width)) + (1 if block.gap else 0)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # The layout pass that sized this widget to a new ticket has already
        # placed it: a second pass (what ``layout=True`` asks for when the
        # height changed) would repaint the whole pane again, unchanged.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return self._starts(width)[-1]

    def render_line(self, y: int) -> Strip:
        return self._line(y, self.size.width)

    def _starts(self, width: int) -> list[int]:
        """Where each block starts, counted without drawing anything."""
        if self._layout[0] != width:
            starts, y = [], 0
            for block in self._blocks:
                starts.append(y)
                drawn = self._kept.get(self._key(block, width))
                if (
                    drawn is not None
                ):  # drawn ahead: its height is known (~0.1 ms a block to wrap again)
                    y += len(drawn) + (1 if block.gap else 0)
                    continue
                if block.nowrap:
                    y += block.content.plain.count("\n") + 1 + (1 if block.gap else 0)
                    continue
                inner = max(1, width - 3) if block.kind else width
                # The styles as a rules map, as Textual's own widgets pass them.
                y += block.content.get_height(self.styles, inner) + (1 if block.gap else 0)  # type: ignore[arg-type]
            self._layout = (width, [*starts, y])
            self._drawn = {}
        return self._layout[1]

    def _line(self, y: int, width: int) -> Strip:
        starts = self._starts(width)
        if width <= 0 or not 0 <= y < starts[-1]:
            return Strip.blank(max(0, width), self.rich_style)
        index = bisect_right(starts, y) - 1
        drawn = self._drawn.get(index)
        if drawn is None:
            drawn = self._drawn[index] = self._draw(self._blocks[index], width)
        offset = y - starts[index]
        return drawn[offset] if offset < len(drawn) else Strip.blank(width, self.rich_style)

    @staticmethod
    def _key(block: Block, width: int) -> tuple[object, ...]:
        return (width, block.kind, block.nowrap, block.content.plain, tuple(block.content.spans))

    def _draw(self, block: Block, width: int) -> list[Strip]:
        key = self._key(block, width)
        strips = self._kept.get(key)
        if strips is None:
            strips = self._kept[key] = self._draw_new(block, width)
            while len(self._kept) > KEPT_BLOCKS:
                del self._kept[next(iter(self._kept))]
        return strips

    def _draw_new(self, block: Block, width: int) -> list[Strip]:
        if block.nowrap:
            return [
                Visual.to_strips(
                    self, line.truncate(width, ellipsis=True), width, 1, self.visual_style, pad=True
                )[0].extend_cell_length(width, self.rich_style)
                for line in block.content.split("\n")
            ]
        if not block.kind:
            strips = Visual.to_strips(self, block.content, width, None, self.visual_style, pad=True)
            return [strip.extend_cell_length(width, self.rich_style) for strip in strips]
        return self._message(block, width)

    def _message(self, block: Block, width: int) -> list[Strip]:
        """A conversation block: bar, one cell of padding each side, the role's background."""
        inner = max(1, width - 3)
        background = f"detail--{block.kind}"
        style = (
            self.get_visual_style(background)
            if background in self.COMPONENT_CLASSES
            else self.visual_style
        )
        fill = style.rich_style
        bar = Segment(BAR, self.get_visual_style(f"detail--bar-{block.kind}").rich_style)
        pad = Segment(" ", fill)
        strips = Visual.to_strips(self, block.content, inner, None, style, pad=True)
        return [
            Strip([bar, pad, *strip.extend_cell_length(inner, fill), pad], width)
            for strip in strips
        ]
