"""Issue 19 items 1 and 8: a [keymap] rebinds the console's keys; the mouse can be off."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Label, TextArea
from textual.widgets._footer import FooterKey

from tests.ui.conftest import db_rows
from tests.ui.test_console import move_to_sendable, settle
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.config import AppConfig, Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.errors import ConfigError
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.help import HelpScreen
from triage_tui.ui.screens.prompts import SendScreen


def keyed_app(db: Path, clock: FrozenClock, keymap: dict[str, str], **profile: object) -> TriageApp:
    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=clock).act_as("Sam Agent")
    return TriageApp(
        helpdesk,
        profile=Profile(agent="Sam Agent", **profile),  # type: ignore[arg-type]
        config=AppConfig(keymap=keymap),
        clock=clock,
        tick_seconds=3600,
    )


def replies(db: Path, ticket_id: str) -> int:
    return int(
        db_rows(db, "SELECT count(*) FROM messages WHERE ticket_id=? AND role='agent'", ticket_id)[
            0
        ][0]
    )


async def test_a_rebound_send_sends_on_its_new_key_and_not_on_the_old_one(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 19 item 1: [keymap] send = "ctrl+y": s does nothing, ctrl+y sends (the store)."""
    app = keyed_app(demo_db, clock, {"send": "ctrl+y"})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        draft = screen.query_one("#draft", TextArea).text
        before = replies(demo_db, ticket_id)

        await pilot.press("s")
        await settle(pilot)
        assert not isinstance(app.screen, SendScreen)
        assert replies(demo_db, ticket_id) == before

        await pilot.press("ctrl+y")
        assert isinstance(app.screen, SendScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert replies(demo_db, ticket_id) == before + 1
        body = db_rows(
            demo_db,
            "SELECT body FROM messages WHERE ticket_id=? ORDER BY rowid DESC LIMIT 1",
            ticket_id,
        )[0][0]
        assert body == draft


async def test_the_footer_and_help_show_the_keys_in_force(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 19 item 1: the footer and ? show a rebound key, not the default."""
    app = keyed_app(demo_db, clock, {"send": "ctrl+y", "skip": "N"})
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        footer = {key.action: key.key_display for key in app.screen.query(FooterKey)}
        assert footer["send"] == "^y"
        assert footer["skip"] == "N"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query(".help-section"))
        send_line = next(line for line in text.splitlines() if line.rstrip().endswith("Send"))
        assert "ctrl+y" in send_line and " s " not in f" {send_line.split()[0]} "
        assert any(line.split()[:1] == ["N"] for line in text.splitlines())


def test_a_clashing_keymap_is_refused_before_the_console_draws(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 19 item 1: two ids on one key where both work: one line naming both ids."""
    with pytest.raises(ConfigError) as raised:
        keyed_app(demo_db, clock, {"skip": "e"})
    assert str(raised.value) == "keymap: edit and skip both on e (main screen)"
    assert "\n" not in str(raised.value)


async def test_mouse_off_in_the_profile_and_m_toggles_it(demo_db: Path, clock: FrozenClock) -> None:
    """Issue 19 item 8: mouse = false starts without mouse reporting; M turns it on and off."""
    app = keyed_app(demo_db, clock, {}, mouse=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.mouse_enabled is False
        await pilot.press("M")
        assert app.mouse_enabled is True
        assert any("Mouse on" in n.message for n in app._notifications)
        await pilot.press("M")
        assert app.mouse_enabled is False


def test_every_binding_of_the_console_has_a_declared_id() -> None:
    """Issue 19 item 1: each screen's and widget's binding carries an id of ``domain.keys``."""
    import importlib
    import inspect
    import pkgutil

    import triage_tui.ui
    from triage_tui.domain.keys import KEYS

    declared = {(k.id, k.keys, k.action) for k in KEYS}
    seen: set[tuple[str, str, str]] = set()
    for module_info in pkgutil.walk_packages(triage_tui.ui.__path__, "triage_tui.ui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or "BINDINGS" not in cls.__dict__:
                continue
            for item in cls.__dict__["BINDINGS"]:
                assert isinstance(item, Binding), f"{cls.__name__}: {item!r} has no id"
                assert item.id is not None, f"{cls.__name__}: {item.key} has no id"
                seen.add((item.id, item.key, item.action))
    assert seen == declared


async def test_the_send_dialog_names_and_obeys_its_rebound_keys(
    demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 19 item 1: a dialog's id (send_solved) rebound: its hint line and its key follow."""
    app = keyed_app(demo_db, clock, {"send_solved": "l"})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        ticket_id = await move_to_sendable(pilot, screen)
        await pilot.press("s")
        assert isinstance(app.screen, SendScreen)
        hint = str(app.screen.query_one(".keys", Label).render())
        assert "l send and set solved" in hint and "enter send and set pending" in hint
        await pilot.press("s")  # the old key: nothing
        assert isinstance(app.screen, SendScreen)
        await pilot.press("l")
        await settle(pilot)
        status = db_rows(demo_db, "SELECT status FROM tickets WHERE id=?", ticket_id)[0][0]
        assert status == "solved"
