"""The scriptable verbs against a real RT 5 and a real django-helpdesk.

Configured the way a script would configure them, through
``TRIAGE_ADAPTER`` and ``TRIAGE_<ADAPTER>_<OPTION>`` environment variables
only (comma lists and ``name=id`` pairs included), and checked against the
helpdesk's own API afterwards.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from tests.adapters.seed import DEFAULT_SPEC
from tests.real.seeding import VIP, DhFactory, RtFactory, drop_dh, project
from tests.real.servers import DH_AGENT_PASSWORD, client
from triage_tui.cli import main
from triage_tui.domain.clock import FrozenClock


@dataclass
class Seed:
    """What a seed made: the queue the verbs are scoped to, and the spec's ids."""

    queue: str
    tickets: dict[str, str]
    articles: dict[str, str]

    def tid(self, key: str) -> str:
        return self.tickets[key]


@contextmanager
def seed(factory: RtFactory | DhFactory) -> Iterator[Seed]:
    """Seeds synchronously (the verbs run their own event loop); a django-helpdesk queue is
    deleted afterwards, as ``DhFactory`` does."""
    spec = project(DEFAULT_SPEC, factory.statuses)
    if isinstance(factory, RtFactory):
        queue, tickets, _, articles = factory.seeder.take(spec).result()
        yield Seed(queue, tickets, articles)
        return
    queue_id, tickets, _ = factory.seeder.take(spec).result()
    try:
        yield Seed(str(queue_id), tickets, {})
    finally:
        asyncio.run(drop_dh(factory.server, queue_id))


def own_api(factory: RtFactory | DhFactory) -> httpx.Client:
    if isinstance(factory, RtFactory):
        token = {"Authorization": f"token {factory.server.token}"}
        return client(base_url=factory.server.api, headers=token, timeout=60)
    return client(base_url=factory.server.url + "/api", auth=("sam", DH_AGENT_PASSWORD), timeout=60)


def env_for(factory: RtFactory | DhFactory, seeded: Seed) -> dict[str, str]:
    queue = seeded.queue
    if isinstance(factory, RtFactory):
        return {
            "TRIAGE_ADAPTER": "rt",
            "TRIAGE_RT_URL": factory.server.url,
            "TRIAGE_RT_TOKEN": factory.server.token,
            "TRIAGE_RT_QUEUES": queue,
            "TRIAGE_RT_VIP_ORGANIZATIONS": ",".join(VIP),
        }
    return {
        "TRIAGE_ADAPTER": "django_helpdesk",
        "TRIAGE_DJANGO_HELPDESK_URL": factory.server.url,
        "TRIAGE_DJANGO_HELPDESK_USER": "sam",
        "TRIAGE_DJANGO_HELPDESK_PASSWORD": DH_AGENT_PASSWORD,
        "TRIAGE_DJANGO_HELPDESK_QUEUES": queue,
        "TRIAGE_DJANGO_HELPDESK_AGENTS": ",".join(
            f"{k}={v}" for k, v in factory.server.agents.items()
        ),
        "TRIAGE_DJANGO_HELPDESK_VIP_ORGANIZATIONS": ",".join(VIP),
    }


@pytest.mark.parametrize("server", ["rt", "django_helpdesk"])
def test_verbs_read_and_write_the_real_helpdesk(
    server: str,
    request: pytest.FixtureRequest,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factory: RtFactory | DhFactory = request.getfixturevalue(
        f"{'rt' if server == 'rt' else 'dh'}_factory"
    )
    with seed(factory) as seeded, own_api(factory) as api:
        for name, value in env_for(factory, seeded).items():
            monkeypatch.setenv(name, value)

        def run(*argv: str) -> tuple[int, str, str]:
            capsys.readouterr()
            code = main(list(argv), clock=clock)
            captured = capsys.readouterr()
            return code, captured.out, captured.err

        def ok(*argv: str) -> dict:  # type: ignore[type-arg]
            code, out, err = run(*argv, "--json")
            assert code == 0, err
            return dict(json.loads(out))

        # `triage doctor`: settings, reachability, credentials (as whom), tickets, KB.
        code, out, err = run("doctor")
        assert code == 0, out + err
        assert ("RT 5" in out and "as sam" in out) if server == "rt" else "sam (staff" in out

        # Reads: the queue in SLA order, a ticket with its conversation, a requester.
        queue = ok("queue", "--limit", "0")
        ids = [t["id"] for t in queue["tickets"]]
        assert set(ids) == {seeded.tid(k) for k in DEFAULT_SPEC.active_keys()}
        assert ids[0] == seeded.tid("breached") and queue["tickets"][0]["sla_state"] == "breached"
        ticket = ok("get-ticket", seeded.tid("sso"))
        assert [m["body"] for m in ticket["messages"]] == [
            m.body for m in DEFAULT_SPEC.ticket("sso").messages
        ]
        assert ticket["ticket"]["organization"]["vip"] is True
        person = ok("get-user", "ana@acme.example", "--tickets")
        assert person["person"]["name"] == "Ana Lopez" and person["ticket_count"] == 3
        if server == "rt":
            kb = ok("search-kb", "SSO sign-in loop")
            assert kb["articles"][0]["id"] == seeded.articles["saml"]
        else:
            code, _out, err = run("search-kb", "SSO sign-in loop")
            assert code == 2 and err.count("\n") == 1 and "knowledge" in err

        # Writes, each checked through the helpdesk's own API.
        tid = seeded.tid("breached")
        ok("reply-ticket", tid, "We are on it.")
        ok(
            "update-ticket",
            tid,
            "--status",
            "pending",
            "--priority",
            "high",
            "--assignee",
            "Priya Nair",
        )
        if server == "rt":
            record = (api.get(f"/ticket/{tid}", params={"fields": "Status"})).json()
            assert (record["Status"], record["Priority"], record["Owner"]["id"]) == (
                "stalled",
                "100",
                "priya",
            )
        else:
            item = (api.get(f"/tickets/{tid}/")).json()
            assert (item["status"], item["on_hold"], item["priority"]) == (1, True, 2)
            assert item["assigned_to"] == factory.server.agents["Priya Nair"]
            assert [f["comment"] for f in item["followup_set"] if f["public"]][
                -1
            ] == "We are on it."
        group = ["--group", "Engineering"] if server == "rt" else []
        ok(
            "escalate-ticket",
            seeded.tid("pending"),
            "--reason",
            "data loss",
            "--priority",
            "urgent",
            *group,
        )
        ok("close-ticket", seeded.tid("sso"), "--note", "Resolved: new SAML certificate")
        if server == "rt":
            escalated = (api.get(f"/ticket/{seeded.tid('pending')}")).json()
            assert escalated["Status"] == "open" and escalated["Priority"] == "150"
            assert escalated["Queue"]["id"] == str((api.get("/queue/Engineering")).json()["id"])
            assert (api.get(f"/ticket/{seeded.tid('sso')}")).json()["Status"] == "resolved"
        else:
            escalated = (api.get(f"/tickets/{seeded.tid('pending')}/")).json()
            assert (escalated["status"], escalated["on_hold"], escalated["priority"]) == (
                1,
                False,
                1,
            )
            closed = (api.get(f"/tickets/{seeded.tid('sso')}/")).json()
            assert closed["status"] == 3
            notes = [f["comment"] for f in closed["followup_set"] if not f["public"]]
            assert "Resolved: new SAML certificate" in notes

        # Errors: one line on stderr, documented exit codes.
        code, _out, err = run("get-ticket", "999999")
        assert code == 3 and err.count("\n") == 1 and "999999" in err
        code, _out, err = run("update-ticket", tid, "--assignee", "Nobody We Know")
        assert code == 2 and err.count("\n") == 1
