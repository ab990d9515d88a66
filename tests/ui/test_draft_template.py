"""The console drafts from the profile's template: the agent's own file first, else the built-in."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from tests.ui.test_console import settle


async def test_the_draft_comes_from_the_agents_template_file(
    demo_db: Path, make_app, isolated_dirs: Path
) -> None:
    templates = isolated_dirs / "config" / "templates"
    templates.mkdir(parents=True)
    (templates / "short.md").write_text(
        "Hello {first_name}, on it. {cursor}\n\n{team}\n", encoding="utf-8"
    )
    app = make_app(demo_db, template="short", team="Desk Nine")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        draft = screen.query_one("#draft", TextArea).text
        first_name = screen.view.detail.ticket.requester.name.split()[0]
        assert draft == f"Hello {first_name}, on it. \n\nDesk Nine"


async def test_an_unknown_template_drafts_from_the_default_and_says_why_once(
    demo_db: Path, make_app
) -> None:
    app = make_app(demo_db, template="nosuch")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.query_one("#draft", TextArea).text.startswith("Hi ")
        notices = [n.message for n in app._notifications]
        assert sum("unknown template 'nosuch'" in m for m in notices) == 1
        assert "drafting from the built-in 'default' template" in notices[-1]
        await pilot.press(
            "j"
        )  # the next ticket drafts from the default too, without a second notice
        await settle(pilot)
        assert screen.query_one("#draft", TextArea).text.startswith("Hi ")
        assert sum("unknown template" in n.message for n in app._notifications) == 1


async def test_a_loaded_draft_shows_from_its_top_once_its_height_settles(
    demo_db: Path, make_app
) -> None:
    """At 80×24 the editor is a few lines tall and the findings under it change its
    height after a draft loads: wherever a resize left it, the draft is shown from
    its top, scrolled only as far as the cursor needs."""
    from triage_tui.ui.widgets.draft import DraftPane

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot)
        editor = screen.query_one(DraftPane).editor
        settled = []
        for left_at in (0, 3):
            editor.scroll_to(y=left_at, animate=False, immediate=True)
            for columns in (90, 80):  # the editor's own size changes, twice
                await pilot.resize_terminal(columns, 24)
                await settle(pilot)
            settled.append(editor.scroll_y)
            assert editor.region.contains_point(editor.cursor_screen_offset)
        assert settled[0] == settled[1]
