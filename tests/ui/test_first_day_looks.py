"""Issue 17 items 16-20: what the console looks like at the sizes agents use.

Each test drives the console with Pilot at a stated terminal size and checks
what is drawn: the queue's rendered rows, the widgets' regions, the footer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.geometry import Region
from textual.widgets import DataTable, Static

from tests.fakes.fake_time import FakeTime
from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, settle
from tests.ui.test_outbox_console import make as make_buffered
from tests.ui.test_outbox_console import send_default
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import AppConfig, Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox_model as om
from triage_tui.ui import themes
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.outbox import OutboxScreen
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
    return next((s for s in segments if re.search(r" \+\d+(\s|$)", s.text)), None)


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


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=["80", "120", "200"])
async def test_the_outbox_table_shows_every_column_whole(
    demo_db: Path, clock: FrozenClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Issue 17 item 17: the outbox cut its columns to "cance Stat 0" at 120 and
    200 columns, had no ticket column and an empty last error. Now: ticket, kind,
    state (the full word), attempts, last error (or "—"), age, at 80, 120 and 200."""
    fake = FakeTime(clock, auto=False)
    app = make_buffered(demo_db, clock, fake, tmp_path / "data")
    async with app.run_test(size=size) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        await send_default(pilot)
        await pilot.press("u")  # taken back: cancelled
        await settle(pilot)
        await send_default(pilot)  # held in its undo window, then refused below
        box = app.helpdesk.outbox  # type: ignore[attr-defined]
        reply = next(e for e in box.entries() if e.state == om.HELD and e.kind == "reply")
        error = "HTTP 503: the helpdesk is down for maintenance"
        # The helpdesk refuses the reply as it goes out.
        box.release_holds(everything=True)
        assert box.claim(reply.id, "delivery") is not None
        box.failed(reply.id, error)
        await pilot.press("o")
        await settle(pilot)
        outbox = app.screen
        assert isinstance(outbox, OutboxScreen)
        at = next(i for i, e in enumerate(outbox.entries) if e.id == reply.id)
        await pilot.press(*["down"] * at)  # to the refused reply
        await pilot.pause()
        lines = screen_lines(app)
        [header] = [line for line in lines if " ticket " in line and " kind " in line]
        titles = ["ticket", "kind", "state", "attempts", "last error", "age"]
        at = [header.index(" " + title + " ") for title in titles]
        assert at == sorted(at), header
        rows = [line for line in lines if re.search(rf"#{ticket_id} +(reply|status) ", line)]
        assert len(rows) == 4
        failed = next(line for line in rows if " failed " in line)
        assert " reply " in failed and "HTTP 503: the help" in failed
        assert any(error in line for line in lines)  # whole, in the detail under the table
        cancelled = [line for line in rows if " cancelled " in line]
        assert cancelled and all(" — " in line for line in cancelled)
        assert all("0m" in line for line in rows)  # age
        table = app.screen.query_one(DataTable)
        assert table.region.right <= size[0]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= (
            table.scrollable_content_region.width
        )


def _header(app: App[object]) -> str:
    return str(app.screen.query_one("#queue-header", Static).render())


async def test_the_queue_shows_requester_vip_and_age_at_120_columns(
    demo_db: Path, make_app
) -> None:
    """Issue 17 item 19: at 120×40 the queue hid the requester, ★ and age columns
    the README describes. They show at 120; narrower, the age goes first and the
    requester's ★ stays."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        header = _header(app)
        for title in ("SLA", "PRI", "TICKET", "REQUESTER", "SUBJECT", "AGE"):
            assert title in header, header
        vip = next(i for i, row in enumerate(queue.rows) if row.vip)
        queue.move_to(vip)
        await settle(pilot)
        y = vip - int(queue.scroll_y)
        line = queue.render_line(y).text
        row = queue.rows[vip]
        assert "★" + row.requester.split()[0] in line
        assert line.rstrip().endswith(" " + _age_of(row, app))
    async with make_app(demo_db).run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        header = _header(pilot.app)
        assert "REQUESTER" in header and "AGE" not in header


def _age_of(row: object, app: App[object]) -> str:
    from datetime import datetime

    from triage_tui.domain.sla import format_age

    now = app.clock.now()  # type: ignore[attr-defined]
    return format_age(datetime.fromtimestamp(row.created, tz=now.tzinfo), now)  # type: ignore[attr-defined]


async def test_a_paused_sla_shows_the_marker_the_readme_names(demo_db: Path, make_app) -> None:
    """Issue 17 item 19: the paused marker was `||` where the README says `‖`."""
    from triage_tui.domain.sla import SlaState

    readme = (Path(__file__).parents[2] / "docs" / "console.md").read_text(encoding="utf-8")
    assert "`‖` paused" in readme
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        now = app.clock.now()
        paused = next(i for i, row in enumerate(queue.rows) if row.state(now) == SlaState.PAUSED)
        queue.move_to(paused)
        await settle(pilot)
        line = queue.render_line(paused - int(queue.scroll_y)).text
        assert line.startswith(" ‖ ") and "||" not in line


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (60, 20)], ids=["120", "80", "60"])
async def test_notices_do_not_cover_the_safeguards(
    demo_db: Path, make_app, size: tuple[int, int]
) -> None:
    """Issue 17 item 19: toasts covered the safeguard panel under the draft. They
    sit top right now, under the top bar, and go after 4 s."""
    from textual.widgets._toast import Toast

    app = make_app(demo_db)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        for text in ("Responded to 1042 for Dana Reyes", "Ticket 1043 escalated – billing/refund"):
            app.notify(text)
        await pilot.pause(0.1)
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 2
        findings = app.screen.query_one("#findings").region
        topbar = app.screen.query_one("#topbar").region
        for toast in toasts:
            assert toast.region.area and not toast.region.overlaps(findings)
            assert not toast.region.overlaps(topbar)
            assert toast.region.right <= size[0]
        assert app.NOTIFICATION_TIMEOUT == 4


async def test_kb_links_are_never_broken_mid_word(demo_db: Path, make_app) -> None:
    """Issue 17 item 19: KB URLs wrapped mid-word so they could not be copied.
    Each link is a line of its own, whole or ending in "…", and the command
    palette copies it whole."""
    from triage_tui.ui.widgets.ticket import TicketPane

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        view = screen.view
        assert view is not None and view.kb
        urls = [m.article.url for m in view.kb if m.article.url]
        text = screen.query_one(TicketPane).text.plain.splitlines()
        assert any(len(url) > screen.query_one(TicketPane).text.size.width for url in urls)
        shown = [line.strip() for line in text if "://" in line]
        assert len(shown) == len(urls)
        for url, line in zip(urls, shown, strict=True):
            assert line == url or (line.endswith("…") and url.startswith(line[:-1]))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Copy KB link 1")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == urls[0]


def _footer_keys(app: App[object]) -> list[tuple[str, str, Region]]:
    from textual.widgets._footer import FooterKey

    return [
        (key.key_display, key.description, key.region)
        for key in app.screen.query(FooterKey)
        if key.display
    ]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_short_terminals_give_the_ticket_room_and_z_zooms_it(
    demo_db: Path, make_app, size: tuple[int, int]
) -> None:
    """Issue 17 item 18: at 80×24 the ticket pane showed two lines, at 60×20 none,
    with the draft's border and safeguards cut and the footer cut ("b Bu"). Now
    the ticket has room, the draft and its safeguards are whole, the footer's
    keys fit, and z zooms the focused pane (z again or esc brings it back)."""
    width, height = size
    app = make_app(demo_db)
    async with app.run_test(size=size) as pilot:
        screen = await settle(pilot)
        detail = screen.query_one("#detail")
        assert detail.scrollable_content_region.height >= (5 if height >= 24 else 4)
        footer = screen.query_one("Footer").region
        draft = screen.query_one("#draft").region
        findings = screen.query_one("#findings").region
        assert draft.bottom <= findings.y and findings.bottom <= footer.y  # nothing cut
        assert findings.height >= 2  # the summary and the first finding
        keys = _footer_keys(app)
        assert all(region.right <= width for _, _, region in keys)
        shown = {(key, label) for key, label, _ in keys}
        assert {("s", "Send"), ("e", "Edit"), ("x", "Escalate"), ("n", "Skip")} <= shown
        assert {("?", "Help"), ("z", "Zoom")} <= shown
        footer_line = screen_lines(app)[-1]
        for key, label, _ in keys:
            assert f"{key} {label}" in footer_line

        await pilot.press("tab")  # to the ticket
        assert app.focused is detail
        await pilot.press("z")
        await pilot.pause()
        assert screen.maximized is detail
        assert detail.region.height >= height - 2  # all but the footer
        await pilot.press("z")
        await pilot.pause()
        assert screen.maximized is None
        await pilot.press("z", "escape")
        await pilot.pause()
        assert screen.maximized is None and app.screen is screen
        assert detail.scrollable_content_region.height < height - 4


async def test_help_and_readme_list_the_zoom_key(demo_db: Path, make_app) -> None:
    """Issue 17 item 18: the zoom key is on ? (built from the bindings) and in the README."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        sections = [str(w.render()) for w in app.screen.query(".help-section")]
        assert any("z" in s and "Zoom: the focused pane fills the screen" in s for s in sections)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "| `z` |" in readme


def _app_with_views(db: Path, clock: FrozenClock, **views: str) -> TriageApp:
    """The console with saved views: one top-level, the others the profile's."""
    first, *rest = views.items()
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    return TriageApp(
        helpdesk,
        profile=Profile(agent="Sam Agent", views=dict(rest)),
        config=AppConfig(views=dict([first])),
        clock=clock,
        tick_seconds=3600,
    )


async def test_v_picks_a_saved_view_and_applies_its_filter(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 17 item 20: `config init` says views can be picked in the console, and
    they could not. `v` lists the profile's views (top-level and its own); enter
    applies the view's filter to the queue and logs `view.changed`."""
    from triage_tui.domain.enums import Priority
    from triage_tui.ui.screens.main import MainScreen
    from triage_tui.ui.screens.views import ViewsScreen

    app = _app_with_views(
        demo_db, clock, urgent="priority:urgent", billing="tag:billing", vips="vip"
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        everything = len(queue.rows)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ViewsScreen)
        listed = "\n".join(screen_lines(app))
        for name, text in (("urgent", "priority:urgent"), ("billing", "tag:billing")):
            assert name in listed and text in listed
        await pilot.press("enter")  # the first: urgent
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert 0 < len(queue.rows) < everything
        assert {row.priority for row in queue.rows} == {Priority.URGENT}
        title = str(screen.query_one("#queue-title", Static).render())
        assert f"priority urgent ({len(queue.rows)} of {everything})" in title
        await pilot.press("v", "down", "enter")  # billing
        await settle(pilot)
        assert queue.rows and all("billing" in row.tags for row in queue.rows)
    logged = db_rows(demo_db, "SELECT payload FROM events WHERE name='view.changed'")
    assert [json.loads(p)["view"] for (p,) in logged] == ["urgent", "billing"]


async def test_v_without_views_says_where_to_add_them(demo_db: Path, make_app) -> None:
    """Issue 17 item 20: with no saved views `v` says how to add one, and nothing opens."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert app.screen is screen
        [notice] = [n.message for n in app._notifications]
        assert "No saved views" in notice and "[views]" in notice


async def test_bulk_priority_is_previewed_applied_and_undone_as_one(
    demo_db: Path, make_app
) -> None:
    """Issue 17 item 20: the bulk menu lacked the priority action the README lists.
    b → p → a priority: previewed, applied to the marked tickets through the bulk
    engine, and U undoes the batch."""
    from triage_tui.ui.screens.bulk import BulkActionScreen, BulkPreviewScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        start = next(
            i
            for i in range(len(queue.rows) - 1)
            if "low" not in (queue.rows[i].priority.value, queue.rows[i + 1].priority.value)
        )
        queue.move_to(start)
        await settle(pilot)
        ids = [queue.rows[start].id, queue.rows[start + 1].id]
        before = dict(db_rows(demo_db, "SELECT id, priority FROM tickets WHERE id IN (?, ?)", *ids))
        await pilot.press("space", "space", "b")
        await pilot.pause()
        assert isinstance(app.screen, BulkActionScreen)
        assert "set priority" in "\n".join(screen_lines(app))
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("l")  # low
        await pilot.pause()
        assert isinstance(app.screen, BulkPreviewScreen)
        await pilot.press("enter")
        await settle(pilot)
        after = dict(db_rows(demo_db, "SELECT id, priority FROM tickets WHERE id IN (?, ?)", *ids))
        assert after == {i: "low" for i in ids}
        await pilot.press("U")
        await settle(pilot)
        undone = dict(db_rows(demo_db, "SELECT id, priority FROM tickets WHERE id IN (?, ?)", *ids))
        assert undone == before
    assert db_rows(demo_db, "SELECT count(*) FROM events WHERE name='bulk.undone'") == [(1,)]
