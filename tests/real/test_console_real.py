"""The console driven with keys against a real RT 5 and a real django-helpdesk.

A reply typed in the draft editor and sent (``e``, type, ``ctrl+s``,
``enter``) and an escalation's internal note (``x``, type the reason,
``enter``) must be found afterwards through the helpdesk's own API, not the
adapter: in RT as a Correspond and a Comment transaction, in django-helpdesk
as a public and a private follow-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual._xterm_parser import XTermParser
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.adapters.contract import Seeded
from tests.adapters.seed import DEFAULT_SPEC
from tests.real.seeding import DhFactory, RtFactory
from tests.real.servers import DH_AGENT_PASSWORD, async_client
from tests.ui.test_console import settle
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.ui.app import TriageApp
from triage_tui.ui.screens.prompts import EscalateScreen, SendScreen
from triage_tui.ui.widgets.queue import QueueView

REPLY = "Hi Ben,\n\nThe batch endpoint avoids the limit; details below.\n\nBest,\nSam"
REASON = "Customer asks for engineering"


def own_api(factory: RtFactory | DhFactory) -> httpx.AsyncClient:
    """The helpdesk's API as the agent, without the adapter: what the server itself says."""
    if isinstance(factory, RtFactory):
        token = {"Authorization": f"token {factory.server.token}"}
        return async_client(base_url=factory.server.api, headers=token, timeout=60)
    auth = ("sam", DH_AGENT_PASSWORD)
    return async_client(base_url=factory.server.url + "/api", auth=auth, timeout=60)


def app_for(seeded: Seeded, clock: FrozenClock) -> TriageApp:
    return TriageApp(
        seeded.helpdesk,
        profile=Profile(agent="Sam Rivera", team="Support", send_status="pending", undo_seconds=0),
        clock=clock,
        tick_seconds=3600,
    )


async def type_burst(pilot: Pilot[Any], text: str, typed: Callable[[], str]) -> None:
    """Types ``text`` the way a terminal delivers keys that come faster than the app repaints.

    Each character becomes the key event Textual's own terminal parser makes of
    it (Enter is ``\\r``); they are posted at once, in order, to the focused
    widget's usual path. Then this waits until the widget holds the whole text
    (``typed`` reads it). ``pilot.press`` would instead wait for the app to go
    idle after every key, two 20 ms idle checks and a repaint: ~100 ms a key,
    9 of this test's 14 s for its ~100 keys.
    """
    app = pilot.app
    for event in XTermParser().feed(text.replace("\n", "\r")):
        event.set_sender(app)
        app.post_message(event)
    for _ in range(10 * len(text)):  # a bound, not a time limit: each pause is one idle wait
        if typed() == text:
            break
        await pilot.pause()
    assert typed() == text


async def rt_messages(api: httpx.AsyncClient, tid: str) -> list[tuple[str, str]]:
    """(transaction type, text) of RT's Correspond/Comment transactions, from REST2 itself."""
    history = await api.get(f"/ticket/{tid}/history", params={"fields": "Type", "per_page": 100})
    types = {t["id"]: t["Type"] for t in history.json()["items"]}
    parts = await api.get(
        f"/ticket/{tid}/attachments",
        params={"fields": "TransactionId,ContentType,Content", "per_page": 100},
    )
    return [
        (types[p["TransactionId"]], p["Content"])
        for p in parts.json()["items"]
        if p["ContentType"] == "text/plain"
        and types.get(p["TransactionId"]) in ("Correspond", "Comment")
    ]


async def dh_followups(api: httpx.AsyncClient, tid: str) -> list[tuple[bool, str]]:
    """(public, comment) of each follow-up, from django-helpdesk's API itself."""
    item = (await api.get(f"/tickets/{tid}/")).json()
    return [(f["public"], f["comment"]) for f in item["followup_set"]]


@pytest.mark.parametrize("server", ["rt", "django_helpdesk"])
async def test_reply_and_escalation_note_from_the_console_land_in_the_helpdesk(
    server: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FrozenClock
) -> None:
    factory: RtFactory | DhFactory = request.getfixturevalue(
        "rt_factory" if server == "rt" else "dh_factory"
    )
    async with factory(DEFAULT_SPEC, tmp_path, clock) as seeded, own_api(factory) as api:
        # The next test's queue is being seeded on this server: let it finish
        # first. The console re-requests the open ticket as the queue's similar
        # rows and the KB index come in, cancelling a load still under way, and
        # `settle` fails on a cancelled worker; a server busy seeding makes the
        # loads slow enough for that (seen once in a full run).
        await asyncio.wrap_future(factory.seeder.ahead())
        app = app_for(seeded, clock)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await settle(pilot)
            queue = screen.query_one(QueueView)
            # SLA order: the breached ticket is on top.
            replied = queue.current.id
            assert replied == seeded.tid("breached")
            await pilot.press("e")
            editor = screen.query_one("#draft", TextArea)
            assert editor.has_focus
            editor.select_all()
            await type_burst(pilot, REPLY, lambda: editor.text)
            await pilot.press("ctrl+s")
            assert isinstance(app.screen, SendScreen)
            await pilot.press("enter")  # send and set pending
            await settle(pilot)

            escalated = queue.current.id
            assert escalated != replied
            await pilot.press("x")
            assert isinstance(app.screen, EscalateScreen)
            reason = app.screen.query_one("#reason", Input)
            reason.value = ""
            reason.focus()
            await type_burst(pilot, REASON, lambda: reason.value)
            await pilot.press("enter")
            await settle(pilot)

        if server == "rt":
            sent = await rt_messages(api, replied)
            assert ("Correspond", REPLY) in sent
            status = (await api.get(f"/ticket/{replied}")).json()["Status"]
            assert status == "stalled"  # "pending" in RT's words
            notes = [text for kind, text in await rt_messages(api, escalated) if kind == "Comment"]
        else:
            sent_dh = await dh_followups(api, replied)
            assert (True, REPLY) in sent_dh
            item = (await api.get(f"/tickets/{replied}/")).json()
            assert (item["status"], item["on_hold"]) == (1, True)
            notes = [text for public, text in await dh_followups(api, escalated) if not public]
        assert any(text.startswith(f"Escalated: {REASON}") for text in notes), notes
