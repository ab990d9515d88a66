"""Issue 19 item 2 in a real pseudo-terminal: the copy key writes OSC 52, wrapped inside tmux.

``triage`` runs as ``python -m triage_tui`` in a pty (``tests/fakes/pty_console.py``)
on the Zendesk adapter against the fake Zendesk, a helpdesk whose tickets have
a web link. ``y`` then ``l`` copies the open ticket's link: the raw bytes the
console wrote (pyte would drop an OSC) must hold an OSC 52 whose base64 is that
link — plain outside a multiplexer, and also in tmux's DCS passthrough (every
ESC doubled) when ``TMUX`` is set in the console's environment.
"""

from __future__ import annotations

import base64
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.pty_console import PtyConsole, wait_for
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui.domain.clock import FrozenClock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ROOT = Path(__file__).resolve().parents[1]
#: OSC 52 as Textual writes it (BEL-terminated), outside any wrapper.
PLAIN = re.compile(rb"(?<!\x1b)\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
#: The same inside tmux's passthrough: ``ESC P tmux; ESC ESC ] 52 ; … BEL ESC \``.
TMUX = re.compile(rb"\x1bPtmux;\x1b\x1b\]52;c;([A-Za-z0-9+/=]*)\x07\x1b\\")


@pytest.fixture
def fake(clock: FrozenClock) -> Iterator[FakeZendesk]:
    with FakeZendesk(clock) as server:
        seed_zendesk(server, DEFAULT_SPEC)
        yield server


def start(tmp_path: Path, fake: FakeZendesk, **extra: str) -> PtyConsole:
    email, token = next(iter(fake.credentials))
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRIAGE_", "SSH_")) and k not in ("TMUX", "STY")
    }
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TRIAGE_ADAPTER": "zendesk",
        "TRIAGE_ZENDESK_BASE_URL": fake.origin,
        "TRIAGE_ZENDESK_EMAIL": email.removesuffix("/token"),
        "TRIAGE_ZENDESK_TOKEN": token,
        "TERM": "xterm-256color",
        **extra,
    }
    return PtyConsole(env, tmp_path)


def copy_link(console: PtyConsole) -> bytes:
    """Open the copy menu and copy the link; the raw bytes written from the ``y`` on."""
    wait_for(lambda: "Ticket #102" in console.text(), 60, "ticket 102 open", console.text)
    mark = len(console.raw())
    console.send("y")
    wait_for(lambda: "Copy from #102" in console.text(), 15, "the copy menu", console.text)
    console.send("l")
    wait_for(lambda: "Copied the link of #102" in console.text(), 15, "the notice", console.text)
    return console.raw()[mark:]


def decoded(found: list[bytes]) -> list[str]:
    return [base64.b64decode(data).decode() for data in found]


@pytest.mark.parametrize("inside_tmux", [False, True], ids=["plain", "tmux"])
def test_copy_key_writes_the_ticket_link_as_osc52(
    tmp_path: Path, fake: FakeZendesk, inside_tmux: bool
) -> None:
    """Issue 19 item 2: y, l writes OSC 52 carrying the link; in tmux, its passthrough too."""
    extra = {"TMUX": "/tmp/tmux-1000/default,4242,0"} if inside_tmux else {}
    console = start(tmp_path, fake, **extra)
    try:
        written = copy_link(console)
    finally:
        console.close()
    link = f"{fake.origin}/agent/tickets/102"
    assert decoded(PLAIN.findall(written)) == [link]
    assert decoded(TMUX.findall(written)) == ([link] if inside_tmux else [])
