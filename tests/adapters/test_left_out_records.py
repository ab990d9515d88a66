"""One malformed record from a remote helpdesk leaves that record out, not the whole answer.

A ticket whose ``created_at`` is not a date (a helpdesk's bug, a proxy that
rewrote a field) used to refuse the whole view page or search with one line,
so the agent saw no queue at all. Now the rest is read, and the record left
out is said: on stderr by the verbs (also with ``--json``), as a warning in
the console, each once. The fakes of ``tests/fakes`` serve the records.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.adapters.remote_factories import gleap_rig, no_sleep, zendesk_options, zendesk_rig
from tests.adapters.test_zendesk_cli import Run
from tests.fakes.fake_time import FakeTime
from tests.fakes.zendesk import FakeZendesk
from tests.ui.settling import workers_done
from triage_tui.adapters.base import LeftOut
from triage_tui.adapters.wire_records import KEPT, WireReader
from triage_tui.adapters.zendesk import ZendeskHelpdesk
from triage_tui.adapters.zendesk.wire import ZTicketPage
from triage_tui.config import Profile
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.errors import HelpdeskError
from triage_tui.domain.models import QueueFilter
from triage_tui.engine.buffered import BufferedHelpdesk
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.queue import QueueView

from .test_zendesk_cli import fake, run  # noqa: F401 - the CLI's fake Zendesk and runner

ESC = "\x1b"


def break_one(tickets: dict[Any, dict[str, Any]], listed: set[str], field: str, value: Any) -> str:
    """Make one stored ticket of those ``listed`` malformed; its id."""
    key = next(k for k in sorted(tickets, key=str) if str(k) in listed)
    tickets[key][field] = value
    return str(key)


def test_the_queue_verb_lists_the_rest_and_names_the_left_out_ticket(
    fake: FakeZendesk,  # noqa: F811
    run: Run,  # noqa: F811
) -> None:
    whole = {t["id"] for t in run("queue", "--limit", "0", "--json").json()["tickets"]}
    broken = break_one(fake.tickets, whole, "created_at", f"yesterday{ESC}[31m")
    out = run("queue", "--limit", "0", "--json")
    assert out.code == 0, out.err
    listed = {t["id"] for t in out.json()["tickets"]}
    assert listed == whole - {broken}
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("triage: warning: Zendesk sent 1 record that could not be read")
    assert f"ticket #{broken} (created_at:" in lines[0]
    assert ESC not in out.err


def test_the_ticket_itself_asked_by_id_is_still_one_error_line(
    fake: FakeZendesk,  # noqa: F811
    run: Run,  # noqa: F811
) -> None:
    listed = {t["id"] for t in run("queue", "--json").json()["tickets"]}
    broken = break_one(fake.tickets, listed, "created_at", "soon")
    out = run("get-ticket", broken)
    assert out.code not in (0, 70)
    assert out.err.startswith("triage: error: Zendesk sent an unexpected ticket (tickets.0.")


async def test_a_view_page_reads_on_past_a_broken_ticket_and_a_broken_user(
    clock: FrozenClock,
) -> None:
    async with zendesk_rig(clock, view_id=1) as rig:
        assert isinstance(rig.fake, FakeZendesk)
        whole = {t.id async for t in rig.helpdesk.iter_queue()}
        broken = break_one(rig.fake.tickets, whole, "updated_at", "at five")
        other = next(t for k, t in rig.fake.tickets.items() if str(k) in whole - {broken})
        rig.fake.users[other["requester_id"]]["id"] = "not-a-number"
        read = {t.id async for t in rig.helpdesk.iter_queue(QueueFilter())}
        assert read == whole - {broken}
        left = rig.helpdesk.take_left_out()
        assert any(line.startswith(f"ticket #{broken} (updated_at:") for line in left.lines)
        assert any(line.startswith("user #not-a-number (id:") for line in left.lines)
        assert rig.helpdesk.take_left_out() == LeftOut()  # taken once


async def test_gleap_reads_on_past_a_broken_ticket(clock: FrozenClock) -> None:
    async with gleap_rig(clock) as rig:
        whole = {t.id async for t in rig.helpdesk.iter_queue()}
        broken = break_one(rig.fake.tickets, whole, "createdAt", "the day before")
        read = {t.id async for t in rig.helpdesk.iter_queue()}
        assert len(read) == len(whole) - 1
        left = rig.helpdesk.take_left_out()
        assert left.count == 1 and left.lines[0].startswith(f"ticket #{broken} (createdAt:")


def test_what_is_left_out_is_bounded_and_counted() -> None:
    reader = WireReader("Zendesk")
    page = {"tickets": [{"id": n, "requester_id": 1} for n in range(1, 10_001)]}
    assert reader.parse(ZTicketPage, page, "page").tickets == []
    left = reader.take_left_out()
    assert left.count == 10_000 and len(left.lines) == KEPT
    line = left.line("Zendesk")
    assert line.startswith(
        "Zendesk sent 10,000 records that could not be read, left out: ticket #1"
    )
    assert line.endswith("; and 9,997 more") and len(line) < 600
    with pytest.raises(HelpdeskError, match="unexpected page"):
        reader.parse(ZTicketPage, {"tickets": {"no": "list"}}, "page")
    long_key = {"id": 5, "requester_id": 1, "created_at": "x" * 100_000}
    reader.parse(ZTicketPage, {"tickets": [long_key]}, "page")
    assert len(reader.take_left_out().lines[0]) < 200


async def test_the_console_shows_the_queue_and_warns_once(
    clock: FrozenClock, tmp_path: Path
) -> None:
    with FakeZendesk(clock) as server:
        from tests.adapters.seed import DEFAULT_SPEC
        from tests.fakes.seeding import seed_zendesk

        seed_zendesk(server, DEFAULT_SPEC)
        active = {str(k) for k, t in server.tickets.items() if t["status"] in ("new", "open")}
        broken = break_one(server.tickets, active, "created_at", "soon")
        inner = ZendeskHelpdesk(zendesk_options(server), clock, sleep=no_sleep)
        helpdesk = BufferedHelpdesk(
            inner,
            "ui.left-out",
            data_dir=tmp_path,
            sleep=FakeTime(clock).sleep,
            rng=random.Random(1),
        )
        app = TriageApp(
            helpdesk,
            profile=Profile(agent="Sam Agent", undo_seconds=0),
            clock=clock,
            tick_seconds=3600,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            rows = {row.id for row in app.screen.query_one(QueueView).rows}
            assert rows and broken not in rows
            said = [n.message for n in app._notifications if "could not be read" in n.message]
            assert len(said) == 1 and f"ticket #{broken} (created_at:" in said[0]
            await pilot.press("r")  # the same ticket, read again: not said again
            await settle(pilot)
            said = [n.message for n in app._notifications if "could not be read" in n.message]
            assert len(said) == 1


async def settle(pilot: Pilot[None]) -> None:
    await workers_done(pilot.app)
    await pilot.pause(1.2)  # the app's check for left-out records runs every second
    await workers_done(pilot.app)


async def test_an_ai_agent_is_told_what_was_left_out(fake: FakeZendesk) -> None:  # noqa: F811
    """``triage mcp`` over the SDK's client: the queue tool's result says so too."""
    mcp = pytest.importorskip("mcp")
    from mcp.client.stdio import StdioServerParameters
    from mcp.types import Implementation

    from tests.cli.test_mcp_agents import TRIAGE, _env, call

    active = {str(k) for k, t in fake.tickets.items() if t["status"] in ("new", "open")}
    broken = break_one(fake.tickets, active, "created_at", "soon")
    params = StdioServerParameters(command=TRIAGE, args=["mcp"], env=_env())
    info = Implementation(name="test-agent", version="1.0")
    async with mcp.Client(params, client_info=info, read_timeout_seconds=60) as client:
        data = await call(client, "queue", limit=50)
    assert broken not in {t["id"] for t in data["tickets"]}
    assert data["left_out"]["count"] == 1
    assert data["left_out"]["records"][0].startswith(f"ticket #{broken} (created_at:")


def test_watch_says_a_left_out_change_once(fake: FakeZendesk, run: Run) -> None:  # noqa: F811
    """``triage watch`` follows the incremental export: a changed ticket that no longer
    parses is a warning on stderr, not a silent gap and not a stopped watcher."""
    assert run("watch", "--once").code == 0  # starts the feed now
    active = {str(k) for k, t in fake.tickets.items() if t["status"] in ("new", "open")}
    broken = break_one(fake.tickets, active, "created_at", "soon")
    fine = next(k for k in fake.tickets if str(k) in active - {broken})
    for key in (int(broken), fine):
        fake.touch(key)
    out = run("watch", "--once")
    assert out.code == 0, out.err
    assert f"#{fine}" in out.out or str(fine) in out.out
    (warning,) = [line for line in out.err.splitlines() if "could not be read" in line]
    assert warning.startswith("triage: warning: Zendesk sent 1 record that could not be read")
    assert f"ticket #{broken} (created_at:" in warning
