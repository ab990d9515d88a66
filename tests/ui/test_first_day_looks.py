"""Issue 17 items 16-20: what the console looks like at the sizes agents use.

Each test drives the console with Pilot at a stated terminal size and checks
what is drawn: the queue's rendered rows, the widgets' regions, the footer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.app import App

from tests.ui.test_console import settle
from triage_tui.ui import themes
from triage_tui.ui.widgets.queue import QueueView

SHIPPED_THEMES = sorted(path.stem for path in themes.BUILTIN_DIR.glob("*.toml"))


def screen_lines(app: App[object]) -> list[str]:
    """The terminal's text as drawn, one string per line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(app: App[object], style: Style) -> float:
    """WCAG contrast ratio of a drawn style's foreground on its background.

    ANSI and default colours are resolved through the terminal theme Textual
    itself uses to show ANSI colours (``app.ansi_theme``)."""
    terminal = app.ansi_theme
    fg = (style.color or RichColor.default()).get_truecolor(terminal, foreground=True)
    bg = (style.bgcolor or RichColor.default()).get_truecolor(terminal, foreground=False)
    if style.reverse:
        fg, bg = bg, fg
    light, dark = sorted((_luminance(tuple(fg)), _luminance(tuple(bg))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _badge(segments: list[Segment]) -> Segment | None:
    """The segment drawing a row's ``+N`` (merged with the subject's when they share a style)."""
    return next((s for s in segments if re.search(r" \+\d+\s*$", s.text)), None)


@pytest.mark.parametrize("theme", SHIPPED_THEMES)
async def test_cluster_labels_are_readable_in_every_shipped_theme(
    demo_db: Path, make_app, theme: str
) -> None:
    """Issue 17 item 16: the ``+N`` cluster label (white on white in triage-light)
    has a WCAG contrast of at least 4.5 on an ordinary row and on the cursor row,
    in every theme shipped in themes/."""
    app = make_app(demo_db, theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert app.theme == theme
        queue = screen.query_one(QueueView)
        checked = {"row": False, "cursor": False}
        for y in range(queue.size.height):
            index = int(queue.scroll_y) + y
            if index >= len(queue.rows):
                break
            badge = _badge(list(queue.render_line(y)))
            if badge is None:
                continue
            assert badge.style is not None
            ratio = contrast(app, badge.style)
            assert ratio >= 4.5, f"{theme}: {badge.text!r} contrast {ratio:.2f}"
            checked["row"] = True
            if not checked["cursor"]:
                queue.move_to(index)
                await pilot.pause()
                on_cursor = _badge(list(queue.render_line(index - int(queue.scroll_y))))
                assert on_cursor is not None and on_cursor.style is not None
                ratio = contrast(app, on_cursor.style)
                assert ratio >= 4.5, f"{theme} cursor row: contrast {ratio:.2f}"
                checked["cursor"] = True
        assert checked == {"row": True, "cursor": True}, "no +N label on screen to check"
