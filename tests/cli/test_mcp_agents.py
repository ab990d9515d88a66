"""Issue 22: ``triage mcp`` driven by the MCP SDK's own client over stdio, and the human side.

The server runs as a subprocess on a copy of the demo helpdesk; the verbs that
approve and reject run as the installed ``triage`` script too, so the server,
the verbs and the event log share one real clock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Runner
from triage_tui.engine import outbox_model as om
from triage_tui.engine.outbox import Outbox

TRIAGE = str(Path(sys.executable).parent / "triage")
READ_TOOLS = {"queue", "get_ticket", "get_user", "search_kb", "report"}
PROPOSAL_TOOLS = {"propose_reply", "propose_escalation", "propose_status", "propose_note"}
WRITE_TOOLS = {"reply_ticket", "escalate_ticket", "set_status", "add_note"}


def _env() -> dict[str, str]:
    # The SDK starts the server with a minimal environment: the test's dirs go explicitly.
    return {k: v for k, v in os.environ.items() if k.startswith(("TRIAGE_", "PATH", "HOME"))}


def triage(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRIAGE, *argv], capture_output=True, text=True, env=_env(), timeout=120, check=False
    )


@asynccontextmanager
async def connect(db: Path, *extra: str) -> AsyncIterator[Any]:
    mcp = pytest.importorskip("mcp")
    from mcp.client.stdio import StdioServerParameters
    from mcp.types import Implementation

    params = StdioServerParameters(
        command=TRIAGE, args=["mcp", "--db", str(db), *extra], env=_env()
    )
    info = Implementation(name="test-agent", version="1.0")
    async with mcp.Client(params, client_info=info, read_timeout_seconds=120) as client:
        yield client


async def call(client: Any, name: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content
    return data


def replies(db: Path, ticket_id: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT body FROM messages WHERE ticket_id = ? AND role = 'agent' AND public = 1",
            (ticket_id,),
        ).fetchall()
    return [r[0] for r in rows]


def events(db: Path, name: str) -> list[tuple[str, str, dict[str, Any]]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT ticket_id, actor, payload FROM events WHERE name = ? ORDER BY id", (name,)
        ).fetchall()
    return [(str(t), a, json.loads(p or "{}")) for t, a, p in rows]


async def test_an_agent_reads_and_proposes_and_a_human_approves_or_rejects(demo_db: Path) -> None:
    """Issue 22 items 1 and 3 (Done when): tools with annotations, the queue through a filter,
    a ticket, a reply with an unfilled placeholder (findings returned) and a clean one; the
    helpdesk gets nothing until `triage approve`, then the reply exactly once, with proposer
    and approver in the event log; a rejected proposal's reason reaches the client."""
    async with connect(demo_db) as client:
        listed = (await client.list_tools()).tools
        assert {t.name for t in listed} == READ_TOOLS | PROPOSAL_TOOLS
        by_name = {t.name: t for t in listed}
        assert by_name["queue"].annotations.read_only_hint is True
        propose = by_name["propose_reply"].annotations
        assert (propose.read_only_hint, propose.destructive_hint) == (False, False)
        assert propose.idempotent_hint is False
        assert by_name["get_ticket"].output_schema["type"] == "object"

        queue = await call(client, "queue", filter="priority:high", limit=10)
        assert queue["filter"] == "priority:high" and queue["count"] == 10
        assert {t["priority"] for t in queue["tickets"]} == {"high"}
        assert "tickets[].subject" in queue["untrusted"]

        clean_id = None
        for row in queue["tickets"]:
            ticket = await call(client, "get_ticket", ticket_id=row["id"])
            if not any(r["fired"] for r in ticket["rules"]):
                clean_id = row["id"]
                break
        assert clean_id is not None
        assert ticket["messages"][0]["untrusted"] is True
        assert ticket["kb"] and all(0 <= a["score"] <= 100 for a in ticket["kb"])
        assert ticket["plan"]["ticket_id"] == clean_id and ticket["plan"]["stages"]
        assert "person" in ticket["requester"] and "returning" in ticket["requester"]
        before = replies(demo_db, clean_id)

        rough = await call(
            client, "propose_reply", ticket_id=clean_id, text="Hi {first_name}, it is fixed."
        )
        assert rough["blocking"] is True and rough["state"] == "proposed"
        assert "placeholder" in {f["kind"] for f in rough["findings"]}

        text = "Hello, we re-sent the invoice to your billing address just now. Best, Polaris"
        fine = await call(
            client, "propose_reply", ticket_id=clean_id, text=text, status_after="solved"
        )
        assert fine["blocking"] is False and fine["proposal_id"] != rough["proposal_id"]
        assert replies(demo_db, clean_id) == before  # nothing reached the helpdesk

        listed_json = json.loads(triage("--db", str(demo_db), "proposals", "--json").stdout)
        assert [p["id"] for p in listed_json["proposals"]] == [
            rough["proposal_id"],
            fine["proposal_id"],
        ]
        assert {p["proposer"] for p in listed_json["proposals"]} == {"test-agent"}

        refused = triage("--db", str(demo_db), "approve", rough["proposal_id"][:8])
        assert refused.returncode == 7 and "placeholder" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        rejected = triage(
            "--db", str(demo_db), "reject", rough["proposal_id"][:8], "--reason", "fill the name"
        )
        assert rejected.returncode == 0, rejected.stderr

        approved = triage("--db", str(demo_db), "approve", fine["proposal_id"][:8], "--json")
        assert approved.returncode == 0, approved.stderr
        assert json.loads(approved.stdout)["proposal"]["state"] == "delivered"
        assert replies(demo_db, clean_id) == [*before, text]
        again = triage("--db", str(demo_db), "approve", fine["proposal_id"][:8])
        assert again.returncode == 2 and "already delivered" in again.stderr
        assert replies(demo_db, clean_id) == [*before, text]  # delivered once

        nxt = await call(client, "queue", limit=1)
        decided = {d["id"]: d for d in nxt["decisions"]}
        assert decided[rough["proposal_id"]]["state"] == "rejected"
        assert decided[rough["proposal_id"]]["reason"] == "fill the name"
        assert decided[fine["proposal_id"]]["state"] == "delivered"
        assert (await call(client, "queue", limit=1))["decisions"] == []  # told once

    made = events(demo_db, "proposal.made")
    assert [(t, a) for t, a, _ in made] == [(clean_id, "test-agent")] * 2
    (approval,) = events(demo_db, "proposal.approved")
    assert approval[1] == "Sam Rivera"
    assert approval[2]["proposer"] == "test-agent" and approval[2]["approver"] == "Sam Rivera"
    (rejection,) = events(demo_db, "proposal.rejected")
    assert rejection[2]["reason"] == "fill the name"
    with sqlite3.connect(demo_db) as conn:
        status = conn.execute("SELECT status FROM tickets WHERE id = ?", (clean_id,)).fetchone()
    assert status[0] == "solved"


async def test_direct_writes_need_the_flag_and_the_profile_and_still_run_safeguards(
    demo_db: Path, tmp_path: Path
) -> None:
    """Issue 22 items 1 and 4: without --allow-writes no write tool is listed; the flag is
    refused unless the profile allows it; with it a blocking safeguard refuses the write;
    the per-minute proposal limit and the maximum reply length hold."""
    refused = triage("--db", str(demo_db), "mcp", "--allow-writes")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "triage: error: --allow-writes is refused for profile 'default': set allow_writes = true in"
        " [profiles.default.mcp] to let agents write directly"
    ]
    config = Path(os.environ["TRIAGE_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[profiles.default.mcp]\nallow_writes = true\nproposals_per_minute = 1\n"
        "max_reply_chars = 200\n",
        encoding="utf-8",
    )
    async with connect(demo_db, "--allow-writes", "--client", "nightly-bot") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == READ_TOOLS | PROPOSAL_TOOLS | WRITE_TOOLS
        ticket_id = (await call(client, "queue", limit=1))["tickets"][0]["id"]
        before = replies(demo_db, ticket_id)
        result = await client.call_tool(
            "reply_ticket", {"ticket_id": ticket_id, "text": "Dear {first_name}, done."}
        )
        assert result.is_error and "safeguard placeholder" in result.content[0].text
        long = await client.call_tool(
            "propose_reply", {"ticket_id": ticket_id, "text": "word " * 60}
        )
        assert long.is_error and "max_reply_chars" in long.content[0].text
        await call(client, "propose_note", ticket_id=ticket_id, text="Check the invoice run.")
        limited = await client.call_tool(
            "propose_status", {"ticket_id": ticket_id, "status": "pending"}
        )
        assert limited.is_error and "proposals_per_minute" in limited.content[0].text
        assert replies(demo_db, ticket_id) == before
    listed = json.loads(triage("--db", str(demo_db), "proposals", "--json").stdout)
    assert [p["proposer"] for p in listed["proposals"]] == ["nightly-bot"]

    config.write_text('[profiles.default.mcp]\ntools = ["queue", "get_ticket"]\n')
    async with connect(demo_db) as client:
        assert {t.name for t in (await client.list_tools()).tools} == {"queue", "get_ticket"}


def test_without_the_sdk_mcp_is_one_line_with_how_to_install(
    run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22 item 1: the SDK is optional; `triage mcp` without it says how to install it."""
    from triage_tui.cli import agents

    monkeypatch.setattr(agents.importlib.util, "find_spec", lambda name: None)
    result = run("mcp", "--db", str(demo_db))
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"triage: error: {agents.INSTALL_HINT}"]


def test_an_older_outbox_file_gains_the_proposal_columns(tmp_path: Path, clock: Any) -> None:
    """Issue 22 item 1: the schema migration keeps existing outbox files working."""
    path = tmp_path / "old.sqlite3"
    old_schema = om.SCHEMA.replace(
        "    proposer TEXT,\n    approver TEXT,\n    decision TEXT,\n", ""
    )
    assert "proposer" not in old_schema
    with sqlite3.connect(path) as conn:
        conn.executescript(old_schema)
        conn.execute(
            "INSERT INTO entries (id, batch, origin, ticket_id, kind, payload, state, idem_key,"
            " created_at, updated_at) VALUES ('e1', 'b1', 'console', '7', 'note', '{}',"
            " 'delivered', 'k', '2026-11-22T09:00:00.000000Z', '2026-11-22T09:00:00.000000Z')"
        )
    box = Outbox(path, clock)
    try:
        old = box.get("e1")
        assert old is not None and old.state == om.DELIVERED and old.proposer is None
        (entry,) = box.propose(
            [om.NewEntry("7", "note", {"body": "hi"}, "Note on #7")], proposer="bot", owner="x"
        )
        assert entry.state == om.PROPOSED and entry.proposer == "bot"
        assert box.due(origin=om.CONSOLE) == [] and box.release_holds(everything=True) == 0
    finally:
        box.close()


def test_the_verbs_and_the_console_never_load_the_sdk(demo_db: Path) -> None:
    """Issue 22 item 1: the SDK is `triage mcp`'s alone; a verb, `triage proposals` and the
    console's app module run without importing it."""
    probe = (
        "import sys\n"
        "from triage_tui.cli import main\n"
        f"assert main(['--db', {str(demo_db)!r}, 'queue', '--json']) == 0\n"
        f"assert main(['--db', {str(demo_db)!r}, 'proposals']) == 0\n"
        "import triage_tui.ui.app\n"
        "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
