"""The live queue's done-when against the real RT 5: the console in a pty follows a
colleague's ``triage`` verbs through RT's own REST2 (issue 18).

The same scenario as ``tests/test_live_queue_pty.py`` (local) and
``tests/test_live_queue_pty_remote.py`` (the fake Zendesk); RT's feed is
TicketSQL on ``LastUpdated``, which names no actor.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.real.seeding import RtFactory
from tests.real.test_verbs_real import env_for, own_api, seed
from tests.test_live_queue_pty import SUBJECT, _env, follow_a_colleague, triage
from tests.test_live_queue_pty_remote import NOTICE
from triage_tui.adapters.rt.options import DEFAULT_PRIORITIES
from triage_tui.adapters.rt.translate import format_time as rt_time

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def customer_opens(rt_factory: RtFactory, queue: str) -> str:
    """A customer opens an urgent ticket due in an hour (by mail: RT, not triage,
    creates it; ``triage create-ticket`` refuses on RT)."""
    with own_api(rt_factory) as http:
        created = http.post(
            "/ticket",
            json={
                "Queue": queue,
                "Subject": SUBJECT,
                "Requestor": "ops@example.com",
                "Content": "Nothing loads.",
                "ContentType": "text/plain",
                "Priority": DEFAULT_PRIORITIES["urgent"],
                "Due": rt_time(datetime.now(UTC) + timedelta(hours=1)),
            },
        )
        created.raise_for_status()
        return str(created.json()["id"])


def test_console_follows_a_colleague_on_the_real_rt(tmp_path: Path, rt_factory: RtFactory) -> None:
    """Issue 18 done-when on the real RT: a new urgent ticket with its marker, the
    reply and a notice on the open ticket, a resolved ticket gone, the title's
    count and the cursor kept, with no key pressed."""
    with seed(rt_factory) as seeded:

        def env(name: str, agent: str) -> dict[str, str]:
            return {**_env(tmp_path, name, agent), **env_for(rt_factory, seeded)}

        mei = env("mei", "Mei Chen")
        follow_a_colleague(
            [sys.executable, "-m", "triage_tui"],
            env("me", "Sam Rivera"),
            lambda *args: triage(mei, *args),
            notice=NOTICE,
            within=30,
            new_ticket=lambda: customer_opens(rt_factory, seeded.queue),
        )
