"""Issue 19 items 2 and 3: the copy menu (``y``), the ticket's link (``l``), hyperlinks.

The console runs with Pilot on the real Zendesk adapter against the fake
Zendesk (a helpdesk with a web UI, so tickets have links) and on the local
demo helpdesk (none). What is copied is read from ``App.clipboard`` (what
Textual's OSC 52 copy keeps); the bytes written to the terminal, OSC 8 and
OSC 52 included, from a driver that records them (``test_terminal_gate``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.adapters.remote_factories import zendesk_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from tests.ui.conftest import db_rows
from tests.ui.test_console import settle
from tests.ui.test_terminal_gate import recording, terminal_output
from triage_tui.adapters.django_helpdesk.adapter import DjangoHelpdesk
from triage_tui.adapters.django_helpdesk.options import DjangoHelpdeskOptions
from triage_tui.adapters.gleap.adapter import GleapHelpdesk
from triage_tui.adapters.gleap.options import GleapOptions
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.rt.adapter import RtHelpdesk
from triage_tui.adapters.rt.options import RtOptions
from triage_tui.adapters.zendesk import ZendeskHelpdesk
from triage_tui.adapters.zendesk.options import ZendeskOptions
from triage_tui.config import AppConfig, Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.text import link_target
from triage_tui.ui.app import TriageApp
from triage_tui.ui.clipboard import clipboard_sequence
from triage_tui.ui.screens.copy_menu import CopyMenuScreen
from triage_tui.ui.screens.main import MainScreen
from triage_tui.ui.widgets.draft import DraftPane
from triage_tui.ui.widgets.ticket import TicketPane

__all__ = ["recording"]  # the fixture, used by name

#: An OSC 8 hyperlink as Rich writes it: ``ESC ] 8 ; id=… ; URL ESC \\``.
OSC8 = re.compile(r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\")


@pytest.fixture(autouse=True)
def hyperlink_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal that shows hyperlinks, outside tmux and screen, unless a test says otherwise."""
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("TRIAGE_NO_HYPERLINKS", "TMUX", "STY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake(clock: FrozenClock) -> Iterator[FakeZendesk]:
    with FakeZendesk(clock) as server:
        seed_zendesk(server, DEFAULT_SPEC)
        yield server


def zendesk_app(
    fake: FakeZendesk, clock: FrozenClock, keymap: dict[str, str] | None = None
) -> TriageApp:
    helpdesk = ZendeskHelpdesk(zendesk_options(fake), clock)
    return TriageApp(
        helpdesk,
        profile=Profile(adapter="zendesk", agent="Sam Rivera", undo_seconds=0),
        config=AppConfig(keymap=keymap or {}),
        clock=clock,
        tick_seconds=3600,
    )


def notices(app: TriageApp) -> list[str]:
    return [n.message for n in app._notifications]


def menu_lines(app: TriageApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [
        str(options.get_option_at_index(i).prompt).split()[1] for i in range(options.option_count)
    ]


async def test_copy_menu_copies_id_link_email_draft_and_kb_link(
    fake: FakeZendesk, clock: FrozenClock
) -> None:
    """Issue 19 item 2: y lists what the ticket has; each letter copies it with a notice."""
    app = zendesk_app(fake, clock)
    link = f"{fake.origin}/agent/tickets/102"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.view is not None and screen.view.detail.ticket.id == "102"
        draft = screen.query_one(DraftPane).text
        assert draft.startswith("Hi Ben")

        await pilot.press("y")
        assert isinstance(app.screen, CopyMenuScreen)
        assert menu_lines(app) == ["id", "link", "requester's", "draft", "top"]
        await pilot.press("l")
        assert isinstance(app.screen, MainScreen)
        assert app.clipboard == link
        assert notices(app)[-1] == f"Copied the link of #102 ({len(link)} characters)"

        expected = {
            "i": ("102", "Copied the id of #102 (3 characters)"),
            "e": ("ben@globex.example", "Copied the requester's e-mail of #102 (18 characters)"),
            "d": (draft.strip(), f"Copied the draft of #102 ({len(draft.strip())} characters)"),
            "k": (
                "https://help.example/hc/en-us/articles/9002",
                "Copied the top KB link of #102 (43 characters)",
            ),
        }
        for key, (text, notice) in expected.items():
            await pilot.press("y", key)
            assert (app.clipboard, notices(app)[-1]) == (text, notice), key

        # Arrows and enter copy the highlighted entry; esc (or y again) copies nothing.
        await pilot.press("y", "down", "enter")
        assert app.clipboard == link
        await pilot.press("y", "i", "y", "escape")
        assert isinstance(app.screen, MainScreen) and app.clipboard == "102"


async def test_an_edited_draft_is_what_the_menu_copies(
    fake: FakeZendesk, clock: FrozenClock
) -> None:
    """Issue 19 item 2: the draft copied is the one on screen, edits included."""
    app = zendesk_app(fake, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        await pilot.press("e", *"PS thanks ", "escape")
        typed = screen.query_one(DraftPane).text
        assert "PS thanks " in typed
        await pilot.press("y", "d")
        assert app.clipboard == typed.strip()


async def test_l_copies_and_shows_the_ticket_link_without_a_browser(
    fake: FakeZendesk, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 3: l copies the ticket's link and shows it in a notice; no browser."""
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    app = zendesk_app(fake, clock)
    link = f"{fake.origin}/agent/tickets/102"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        assert app.clipboard == link
        assert notices(app)[-1] == f"Copied the link of #102 ({len(link)} characters): {link}"
    assert opened == []


async def test_remapped_copy_keys_work(fake: FakeZendesk, clock: FrozenClock) -> None:
    """Issue 19 items 2 and 3: [keymap] rebinds copy and open_link by their ids."""
    app = zendesk_app(fake, clock, keymap={"copy": "c", "open_link": "L"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y", "l")
        assert isinstance(app.screen, MainScreen) and app.clipboard == ""
        await pilot.press("c")
        assert isinstance(app.screen, CopyMenuScreen)
        await pilot.press("i")
        assert app.clipboard == "102"
        await pilot.press("L")
        assert app.clipboard == f"{fake.origin}/agent/tickets/102"


async def test_local_helpdesk_has_no_link_to_copy(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 19 items 2 and 3: the local helpdesk has no web UI: no link in the menu, l says so."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.view is not None and screen.view.url is None
        ticket_id = screen.view.detail.ticket.id
        await pilot.press("l")
        assert app.clipboard == ""
        assert notices(app)[-1] == (
            "No link: this helpdesk (Local) has no web page for tickets (y copies the id)."
        )
        await pilot.press("y")
        assert "link" not in menu_lines(app)
        await pilot.press("l")  # a letter for what is not there copies nothing
        assert isinstance(app.screen, CopyMenuScreen) and app.clipboard == ""
        assert notices(app)[-1] == "This ticket has no link to copy."
        await pilot.press("i")
        assert app.clipboard == ticket_id


async def test_in_a_sweep_the_menu_copies_the_sweeps_ticket_and_draft(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 19 item 2: y works in a sweep too: the id and the draft are the sweep's own
    ticket's, and after the menu the sweep's keys are decisions again."""
    from tests.ui.sweep_helpers import start_sweep
    from triage_tui.ui.screens.sweep import SweepScreen

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        sweep = await start_sweep(pilot, "priority:urgent", [])
        assert sweep.view is not None
        ticket_id = sweep.view.detail.ticket.id
        draft = sweep.query_one(DraftPane).text
        assert draft.strip()
        await pilot.press("y")
        assert isinstance(app.screen, CopyMenuScreen)
        question = app.screen.QUESTION
        assert question == f"Copy from #{ticket_id}"
        await pilot.press("d")
        assert isinstance(app.screen, SweepScreen)
        assert app.clipboard == draft.strip()
        assert notices(app)[-1] == (
            f"Copied the draft of #{ticket_id} ({len(draft.strip())} characters)"
        )
        await pilot.press("y", "i")
        assert app.clipboard == ticket_id
        assert sweep.view.detail.ticket.id == ticket_id  # nothing decided meanwhile


async def test_ticket_and_kb_links_are_osc8_hyperlinks(
    fake: FakeZendesk, clock: FrozenClock, recording: list[str]
) -> None:
    """Issue 19 item 3: the ticket's #id and the KB links reach the terminal as OSC 8."""
    app = zendesk_app(fake, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    targets = set(OSC8.findall(terminal_output()))
    assert f"{fake.origin}/agent/tickets/102" in targets
    assert "https://help.example/hc/en-us/articles/9002" in targets
    assert targets <= {""} | {t for t in targets if link_target(t) == t}


async def test_no_hyperlinks_env_var_draws_plain_text(
    fake: FakeZendesk, clock: FrozenClock, recording: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 3: TRIAGE_NO_HYPERLINKS (any value) turns OSC 8 off; the text stays."""
    monkeypatch.setenv("TRIAGE_NO_HYPERLINKS", "1")
    app = zendesk_app(fake, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert "#102 " in screen.query_one(TicketPane).text.plain
    output = terminal_output()
    assert "help.example/hc/en-us/articles/9002" in output
    assert OSC8.findall(output) == []


async def test_a_long_kb_link_is_one_line_cut_never_wrapped_and_links_whole(
    demo_db: Path,
    make_app: Callable[..., TriageApp],
    recording: list[str],
) -> None:
    """Issue 19 item 3: a link wider than the pane stays on one line ending in "…" and
    its hyperlink is the whole address."""
    long_url = "https://kb.example/" + "x" * 150 + "/END"
    db_rows(demo_db, "UPDATE articles SET url = ?", long_url)
    app = make_app(demo_db)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.view is not None and screen.view.kb
        text = screen.query_one(TicketPane).text
        lines = [text.render_line(y).text for y in range(text.size.height)]
        shown = [line for line in lines if "kb.example" in line]
        assert shown and all(line.rstrip().endswith("…") for line in shown)
        assert not any(line.lstrip().startswith("xxx") or "/END" in line for line in lines)
    assert long_url in OSC8.findall(terminal_output())


async def test_hostile_links_are_never_hyperlinks(
    demo_db: Path, make_app: Callable[..., TriageApp], recording: list[str]
) -> None:
    """Issue 19 item 3: a javascript: link or one with an escape in it is shown as text only."""
    hostile = ("javascript:alert(1)", "https://kb.example/a\x1b]0;PWNED\x07")
    ids = [r[0] for r in db_rows(demo_db, "SELECT id FROM articles ORDER BY id")]
    for article_id, url in zip(ids, (hostile * len(ids))[: len(ids)], strict=True):
        db_rows(demo_db, "UPDATE articles SET url = ? WHERE id = ?", url, article_id)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        assert screen.view is not None and screen.view.kb
        await pilot.press("y")
        assert "top" not in menu_lines(app)
    output = terminal_output()
    assert OSC8.findall(output) == []
    assert "javascript:alert(1)" in output or "␛]0;PWNED" in output


def test_link_target_accepts_only_plain_http_links() -> None:
    """Issue 19 item 3: the one gate for links (domain.text.link_target)."""
    assert link_target("https://acme.zendesk.com/agent/tickets/1207") is not None
    assert link_target("HTTP://rt.example/Ticket/Display.html?id=5") is not None
    for bad in (
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "https://a.example/\x1b]8;;x\x1b\\",
        "https://a.example/ b",
        "https://a.example/\u202e",
        "https://",
        "https://a.example/" + "x" * 3000,
        "",
        None,
    ):
        assert link_target(bad) is None, bad


def test_each_adapter_links_to_its_own_web_ui() -> None:
    """Issue 19 item 3: Helpdesk.ticket_url per adapter; the local helpdesk has none."""
    zendesk = ZendeskHelpdesk(ZendeskOptions(subdomain="acme"))
    assert zendesk.ticket_url("1207") == "https://acme.zendesk.com/agent/tickets/1207"
    proxied = ZendeskHelpdesk(ZendeskOptions(base_url="http://127.0.0.1:8080/api/v2"))
    assert proxied.ticket_url("7") == "http://127.0.0.1:8080/agent/tickets/7"
    rt = RtHelpdesk(RtOptions(url="https://rt.example/REST/2.0/"))
    assert rt.ticket_url("42") == "https://rt.example/Ticket/Display.html?id=42"
    dh = DjangoHelpdesk(DjangoHelpdeskOptions(url="https://desk.example/helpdesk/api"))
    assert dh.ticket_url("9") == "https://desk.example/helpdesk/tickets/9/"
    gleap = GleapHelpdesk(GleapOptions(project="64f0ab"))
    assert gleap.ticket_url("65aa01") == "https://app.gleap.io/projects/64f0ab/bugs/65aa01"
    assert GleapHelpdesk(GleapOptions()).ticket_url("1") is None
    assert LocalHelpdesk(LocalOptions()).ticket_url("1") is None
    # An id is one path segment or query value, whatever it holds.
    assert rt.ticket_url("1&x=2") == "https://rt.example/Ticket/Display.html?id=1%26x%3D2"
    assert dh.ticket_url("../admin") == "https://desk.example/helpdesk/tickets/..%2Fadmin/"


@pytest.mark.parametrize(
    ("env", "wrapped"),
    [({}, "plain"), ({"TMUX": "/tmp/tmux-1/default,1,0"}, "tmux"), ({"STY": "1.pts-0"}, "screen")],
)
def test_osc52_is_wrapped_for_tmux_and_screen(env: dict[str, str], wrapped: str) -> None:
    """Issue 19 item 2: plain OSC 52; in tmux also its DCS passthrough; in screen chunked DCS."""
    text = "https://acme.zendesk.com/agent/tickets/1207 " * 4
    plain = "\x1b]52;c;" + base64.b64encode(text.encode()).decode() + "\x07"
    sequence = clipboard_sequence(text, env)
    if wrapped == "plain":
        assert sequence == plain
    elif wrapped == "tmux":
        doubled = plain.replace("\x1b", "\x1b\x1b")
        assert sequence == plain + "\x1bPtmux;" + doubled + "\x1b\\"
    else:
        pieces = re.findall(r"\x1bP(.*?)\x1b\\", sequence, re.DOTALL)
        assert "".join(pieces) == plain
        assert len(pieces) > 1 and all(len(p) <= 76 for p in pieces)
        assert sequence == "".join(f"\x1bP{p}\x1b\\" for p in pieces)
