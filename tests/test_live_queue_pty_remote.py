"""The live queue's done-when against a remote helpdesk: the real console in a pty
on the fake Zendesk (its cursor-based incremental export), a colleague's
``triage`` verbs writing through Zendesk's API (issue 18).

The same scenario as ``tests/test_live_queue_pty.py`` (local) and
``tests/real/test_live_queue_real_pty.py`` (the real RT).
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from tests.test_live_queue_pty import SUBJECT, _env, follow_a_colleague, triage
from triage_tui.domain.clock import SystemClock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

#: Zendesk's export names no actor: the notice says what happened, by "Someone".
NOTICE = re.compile(r"(Someone|Mei Chen) (replied|updated it|set \w+)")


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    spec = dataclasses.replace(DEFAULT_SPEC, now=datetime.now(UTC))
    with FakeZendesk(SystemClock()) as fake:
        seed_zendesk(fake, spec)
        yield fake


def zendesk_env(tmp_path: Path, fake: FakeZendesk, name: str, agent: str) -> dict[str, str]:
    return {
        **_env(tmp_path, name, agent),
        "TRIAGE_ADAPTER": "zendesk",
        "TRIAGE_ZENDESK_BASE_URL": fake.origin,
        "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
        "TRIAGE_ZENDESK_TOKEN": "zd-token-123",
    }


def test_console_follows_a_colleague_on_zendesk(tmp_path: Path, zendesk: FakeZendesk) -> None:
    """Issue 18 done-when, remote: with no key pressed, within one poll interval and
    the re-reads, the console on Zendesk shows the new urgent ticket with its
    marker, the reply and a notice on the open ticket, the solved ticket gone,
    the title's count, the cursor where it was."""
    me = zendesk_env(tmp_path, zendesk, "me", "Sam Rivera")
    mei = zendesk_env(tmp_path, zendesk, "mei", "Mei Chen")
    follow_a_colleague(
        [sys.executable, "-m", "triage_tui"],
        me,
        lambda *args: triage(mei, *args),
        notice=NOTICE,
        within=30,
        new_ticket=lambda: str(zendesk.customer_opens(SUBJECT)),
    )
    polls = [r for r in zendesk.log if "/incremental/tickets/cursor" in str(r)]
    assert polls, "the console followed the incremental export"
