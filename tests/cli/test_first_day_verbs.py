"""Issue 17 items 3, 4 and 22: one agent identity, verbs with the console's safeguards,
``queue --filter/--view`` and ``triage outbox``.

Each test drives the verbs through the command line's entry (``main``, as the
``triage`` script does; one through the installed script itself) against a copy
of the demo helpdesk and checks the effect in its store, its event log or the
profile's outbox.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result, Runner
from triage_tui import config, paths, session
from triage_tui.cli.commands import COMMANDS
from triage_tui.demo.content import AGENTS
from triage_tui.domain.clock import FrozenClock
from triage_tui.engine import outbox_model as om

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = "[Describe the specific next step]"


def rows(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def write_config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def new_ticket(db_run: Runner, subject: str, body: str) -> str:
    """A fresh ticket no escalation rule fires on (as a customer would send it)."""
    result = db_run(
        "create-ticket",
        "--subject",
        subject,
        "--body",
        body,
        "--requester",
        "first-day@example.com",
        "--json",
    )
    assert result.code == 0, result.err
    return str(result.json()["ticket"]["id"])


def one_error_line(result: Result, code: int) -> str:
    assert result.code == code, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


# -- item 3: one agent identity ------------------------------------------------


def test_reply_author_and_event_actor_are_the_profiles_agent(db_run: Runner, demo_db: Path) -> None:
    """Issue 17 item 3: the profile's ``agent`` is the author of a reply-ticket and the
    actor of its event (not a second, adapter-level "Agent")."""
    write_config('[profiles.default]\nagent = "Priya Nair"\n')
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    result = db_run("reply-ticket", ticket, "Hi, we are re-running the export for you.")
    assert result.code == 0, result.err
    [(author,)] = rows(
        demo_db, "SELECT author FROM messages WHERE ticket_id=? AND role='agent'", ticket
    )
    assert author == "Priya Nair"
    actors = rows(demo_db, "SELECT name, actor FROM events WHERE ticket_id=?", ticket)
    assert ("reply.sent", "Priya Nair") in actors
    assert {actor for _, actor in actors} == {"Priya Nair"}


def test_the_default_agent_is_a_demo_agent_whose_tickets_assignee_me_finds(
    db_run: Runner, demo_db: Path
) -> None:
    """Issue 17 item 3: without a config, "me" is one of the demo's agents, so
    ``assignee:me`` matches that agent's tickets, and replies are signed with the name."""
    me = config.Profile().agent
    assert me in AGENTS
    data = db_run("queue", "--filter", "assignee:me", "--limit", "0", "--json").json()
    mine = rows(
        demo_db,
        "SELECT id FROM tickets WHERE assignee=? AND status NOT IN ('solved','closed')",
        me,
    )
    assert data["count"] == len(mine) > 0
    assert {t["assignee"] for t in data["tickets"]} == {me}
    ticket = new_ticket(db_run, "Dark mode", "Could the app get a dark mode?")
    assert db_run("reply-ticket", ticket, "Hi, thanks for the idea; noted.").code == 0
    assert rows(demo_db, "SELECT author FROM messages WHERE ticket_id=? AND role='agent'", ticket)
    assert rows(demo_db, "SELECT actor FROM events WHERE name='reply.sent'")[-1] == (me,)


def test_the_retired_local_agent_variable_is_ignored_and_says_so(
    db_run: Runner, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 3: TRIAGE_LOCAL_AGENT no longer names the author; one line says
    where the name is set now."""
    monkeypatch.setenv("TRIAGE_LOCAL_AGENT", "Somebody Else")
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    result = db_run("reply-ticket", ticket, "Hi, we are re-running the export for you.")
    assert result.code == 0, result.err
    assert "TRIAGE_LOCAL_AGENT is retired and ignored" in result.err
    assert "set agent in [profiles.default]" in result.err
    [(author,)] = rows(
        demo_db, "SELECT author FROM messages WHERE ticket_id=? AND role='agent'", ticket
    )
    assert author == config.Profile().agent


def test_an_agent_among_the_adapter_options_is_refused_with_the_fix(
    db_run: Runner, demo_db: Path
) -> None:
    """Issue 17 item 3: the old place of the name is an error naming the new one."""
    write_config('[profiles.default.options]\nagent = "Sam"\n')
    before = rows(demo_db, "SELECT count(*) FROM messages")
    line = one_error_line(db_run("reply-ticket", "1001", "Hello"), 2)
    assert "profiles.default.options.agent" in line and "move it to [profiles.default]" in line
    assert rows(demo_db, "SELECT count(*) FROM messages") == before


def test_config_init_and_the_docs_say_who_the_agent_is(run: Runner) -> None:
    """Issue 17 item 3: ``triage config init`` and docs/configuration.md describe the one
    ``agent`` setting with the demo agent's name as its default."""
    assert run("config", "init").code == 0
    text = paths.config_file().read_text(encoding="utf-8")
    assert f'agent = "{config.Profile().agent}"' in text
    assert "the author of your replies" in text and "`assignee:me`" in text
    options = text[text.index("[profiles.default.options]") : text.index("[views]")]
    assert "agent" not in options  # one place for the name: the profile
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f'agent = "{config.Profile().agent}"' in docs
    assert "TRIAGE_LOCAL_AGENT" in docs  # its retirement is documented


# -- item 4: the verbs run the console's safeguards ------------------------------


def test_reply_with_an_unfilled_placeholder_is_refused_and_writes_nothing(
    db_run: Runner, demo_db: Path
) -> None:
    """Issue 17 item 4: ``reply-ticket`` refuses the template's placeholder with exit 7,
    one line naming the finding; no message, no event, no outbox entry."""
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    messages = rows(demo_db, "SELECT count(*) FROM messages")
    events = rows(demo_db, "SELECT count(*) FROM events")
    line = one_error_line(db_run("reply-ticket", ticket, f"Hi,\n\n{PLACEHOLDER}\n\nBest"), 7)
    assert f"reply to {ticket} not sent: safeguard placeholder" in line
    assert PLACEHOLDER in line and "--send-anyway" in line
    assert rows(demo_db, "SELECT count(*) FROM messages") == messages
    assert rows(demo_db, "SELECT count(*) FROM events") == events
    assert json.loads(db_run("outbox", "--json").out)["count"] == 0


def test_send_anyway_sends_and_logs_the_override_as_the_console_does(
    db_run: Runner, demo_db: Path
) -> None:
    """Issue 17 item 4: ``--send-anyway`` is the console's ``y``: the reply goes out and
    ``safeguard.raised`` records what was overridden."""
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    text = f"Hi,\n\n{PLACEHOLDER}\n\nBest"
    result = db_run("reply-ticket", ticket, text, "--send-anyway")
    assert result.code == 0, result.err
    assert "triage: safeguard placeholder (sent anyway): Unfilled placeholder" in result.err
    assert rows(demo_db, "SELECT body FROM messages WHERE ticket_id=? AND role='agent'", ticket)
    [(payload,)] = rows(
        demo_db, "SELECT payload FROM events WHERE name='safeguard.raised' AND ticket_id=?", ticket
    )
    assert json.loads(payload)["overridden"] is True
    assert json.loads(payload)["rule"] == "placeholder"


def test_a_warning_is_said_on_stderr_and_the_reply_still_goes_out(
    db_run: Runner, demo_db: Path
) -> None:
    """Issue 17 item 4: warnings do not block a verb's reply (as under the console's
    draft); each is one line on stderr."""
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    text = "Hi, as per our policy exports are re-run nightly."
    result = db_run("reply-ticket", ticket, text)
    assert result.code == 0, result.err
    assert "triage: safeguard defensive (warning): " in result.err
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE body=?", text) == [(1,)]


def test_a_fired_escalation_rule_blocks_the_reply_until_the_ticket_is_escalated(
    db_run: Runner, demo_db: Path
) -> None:
    """Issue 17 item 4: the console's escalation safeguard holds for the verb too; once
    ``escalate-ticket`` marked the ticket, the same reply goes out."""
    ticket = new_ticket(
        db_run, "Charged twice", "I was charged twice this month and want a refund of one charge."
    )
    text = "Hi, thanks for telling us; we are looking at the charges now."
    line = one_error_line(db_run("reply-ticket", ticket, text), 7)
    assert "safeguard escalation" in line and f"triage escalate-ticket {ticket}" in line
    assert db_run("escalate-ticket", ticket, "--reason", "billing/refund").code == 0
    result = db_run("reply-ticket", ticket, text)
    assert result.code == 0, result.err
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=? AND public=1", ticket)[
        0
    ] == (2,)


def test_closing_a_solved_ticket_again_writes_nothing(db_run: Runner, demo_db: Path) -> None:
    """Issue 17 item 4: ``close-ticket`` is idempotent: "ticket N is already solved",
    exit 0, no note, no status write, no event."""
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    first = db_run("close-ticket", ticket, "--note", "Resolved: re-ran the export")
    assert first.code == 0, first.err
    messages = rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=?", ticket)
    events = rows(demo_db, "SELECT count(*) FROM events WHERE ticket_id=?", ticket)
    updated = rows(demo_db, "SELECT updated_at FROM tickets WHERE id=?", ticket)
    again = db_run("close-ticket", ticket, "--note", "Resolved: again")
    assert again.code == 0, again.err
    assert again.out.strip() == f"ticket {ticket} is already solved; the note was not added"
    data = db_run("close-ticket", ticket, "--json").json()
    assert data["changed"] is False and data["note"] is None
    assert data["confirmation"] == f"ticket {ticket} is already solved"
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=?", ticket) == messages
    assert rows(demo_db, "SELECT count(*) FROM events WHERE ticket_id=?", ticket) == events
    assert rows(demo_db, "SELECT updated_at FROM tickets WHERE id=?", ticket) == updated


# -- item 22: queue --filter/--view and the outbox ----------------------------------


def test_queue_filter_keeps_what_the_console_filter_keeps(db_run: Runner, demo_db: Path) -> None:
    """Issue 17 item 22: ``queue --filter`` speaks the console's filter language."""
    everything = db_run("queue", "--limit", "0", "--json").json()
    data = db_run("queue", "--filter", "priority:high,urgent -vip", "--limit", "0", "--json").json()
    assert data["filter"] == "priority:high,urgent -vip" and data["view"] is None
    assert data["active"] == everything["total"] > data["total"] == data["count"] > 0
    assert {t["priority"] for t in data["tickets"]} <= {"high", "urgent"}
    vip = {str(i) for (i,) in rows(demo_db, "SELECT t.id FROM tickets t JOIN organizations o"
                                   " ON o.id = t.organization_id WHERE o.vip")}  # fmt: skip
    assert not vip & {t["id"] for t in data["tickets"]}
    ids = [t["id"] for t in everything["tickets"] if t["priority"] in ("high", "urgent")]
    assert [t["id"] for t in data["tickets"]] == [i for i in ids if i not in vip]


def test_a_bad_filter_is_one_line_with_the_column_of_the_bad_token(db_run: Runner) -> None:
    """Issue 17 item 22: a mistake in ``--filter`` is one line, the token's column, exit 2."""
    line = one_error_line(db_run("queue", "--filter", "priority:high sla:<90x"), 2)
    assert line == 'triage: error: --filter: column 15: sla:<90x: bad duration "90x" (use m, h, d)'
    line = one_error_line(db_run("queue", "--filter", "priority:high prio:x"), 2)
    assert "--filter: unknown field" in line and "at column 15" in line


def test_queue_view_uses_the_profiles_saved_view(db_run: Runner) -> None:
    """Issue 17 item 22: ``queue --view NAME`` is the view's filter; with ``--filter`` both."""
    write_config(
        '[views]\nurgent = "priority:high,urgent"\n[profiles.default.views]\nmine = "assignee:me"\n'
    )
    by_view = db_run("queue", "--view", "urgent", "--limit", "0", "--json").json()
    by_filter = db_run("queue", "--filter", "priority:high,urgent", "--limit", "0", "--json")
    assert by_view["view"] == "urgent" and by_view["tickets"] == by_filter.json()["tickets"]
    both = db_run("queue", "--view", "mine", "--filter=-priority:low", "--json").json()
    assert both["filter"] == "assignee:me -priority:low" and both["total"] > 0
    human = db_run("queue", "--view", "urgent", "--limit", "2")
    assert human.code == 0 and "view urgent: priority:high,urgent" in human.out
    line = one_error_line(db_run("queue", "--view", "nope"), 2)
    assert 'unknown view "nope"; views in the config: mine, urgent' in line


def outbox_of(demo_db: Path, clock: FrozenClock) -> Any:
    """The profile's outbox as the verbs open it (``session``): what a console shares."""
    ctx = session.resolve(db=demo_db)
    return session.buffered(session.build_helpdesk(ctx, clock), ctx, mode="verb")


def failed_reply(demo_db: Path, clock: FrozenClock, ticket: str, body: str) -> str:
    """A reply the helpdesk refused earlier, left failed in the shared outbox."""
    box = outbox_of(demo_db, clock)
    (entry,) = box.outbox.add(
        [om.NewEntry(ticket, "reply", {"body": body}, f"Reply to #{ticket}")],
        owner=om.owner_token(),
    )
    box.outbox.failed(entry.id, "helpdesk answered 503: try again later")
    box.outbox.close()
    return str(entry.id)


def test_outbox_lists_entries_with_ticket_kind_state_tries_and_last_error(
    db_run: Runner, demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 17 item 22: ``triage outbox`` shows each write: id, ticket, kind, state,
    attempts, last error."""
    assert db_run("outbox").out.strip() == "Outbox: empty"
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    assert db_run("reply-ticket", ticket, "Hi, we are re-running the export.").code == 0
    failed = failed_reply(demo_db, clock, ticket, "Hi again, the export is done.")
    data = db_run("outbox", "--json").json()
    assert data["count"] == 2
    first, second = data["entries"]  # what needs the agent comes first
    assert (first["id"], first["ticket_id"], first["kind"], first["state"]) == (
        failed,
        ticket,
        "reply",
        "failed",
    )
    assert first["last_error"] == "helpdesk answered 503: try again later"
    assert (second["kind"], second["state"], second["attempts"]) == ("reply", "delivered", 1)
    human = db_run("outbox")
    lines = human.out.splitlines()
    assert lines[0].split() == [
        "ID",
        "TICKET",
        "KIND",
        "STATE",
        "TRIES",
        "LAST",
        "ERROR",
        "/",
        "NOTE",
    ]
    assert lines[1].split()[:5] == [failed[:8], ticket, "reply", "failed", "0"]
    assert "helpdesk answered 503" in lines[1]
    assert lines[-1] == "Outbox: 1 delivered, 1 failed"
    assert "triage outbox retry ID" in human.err


def test_outbox_retry_delivers_a_failed_reply_now(
    db_run: Runner, demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 17 item 22: ``triage outbox retry ID`` (an id's first 8 characters) sends a
    failed entry again, as the console's ``r`` does; the reply lands once."""
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    body = "Hi, the export is done now."
    entry = failed_reply(demo_db, clock, ticket, body)
    result = db_run("outbox", "retry", entry[:8])
    assert result.code == 0, result.err
    assert result.out.strip() == f"Delivered: Reply to #{ticket} on {ticket}"
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE ticket_id=? AND body=?", ticket, body)
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE body=?", body) == [(1,)]
    [listed] = [e for e in db_run("outbox", "--json").json()["entries"] if e["id"] == entry]
    assert listed["state"] == "delivered"
    line = one_error_line(db_run("outbox", "retry", entry), 2)
    assert "is delivered: only a failed entry can be retried" in line
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE body=?", body) == [(1,)]


def test_outbox_cancel_drops_an_entry_that_has_not_left(
    db_run: Runner, demo_db: Path, clock: FrozenClock
) -> None:
    """Issue 17 item 22: ``triage outbox cancel ID`` cancels, as the console's ``c`` does;
    nothing reaches the helpdesk, and a second cancel is refused."""
    ticket = new_ticket(db_run, "Export stuck at 99%", "The CSV export never finishes.")
    body = "Hi, this one should never go out."
    entry = failed_reply(demo_db, clock, ticket, body)
    result = db_run("outbox", "cancel", entry, "--json")
    assert result.code == 0, result.err
    assert [e["state"] for e in result.json()["cancelled"]] == ["cancelled"]
    assert rows(demo_db, "SELECT count(*) FROM messages WHERE body=?", body) == [(0,)]
    line = one_error_line(db_run("outbox", "cancel", entry[:8]), 2)
    assert "is cancelled: it has already left or was cancelled" in line
    assert one_error_line(db_run("outbox", "retry", "ffffffff"), 3).endswith(
        "no outbox entry 'ffffffff'; `triage outbox` lists them"
    )
    assert "which entry?" in one_error_line(db_run("outbox", "cancel"), 2)


def test_the_outbox_verb_runs_as_the_installed_script(demo_db: Path) -> None:
    """Issue 17 item 22: ``triage outbox --json`` through the ``triage`` script itself."""
    triage = str(Path(sys.executable).parent / "triage")
    proc = subprocess.run(
        [triage, "--db", str(demo_db), "outbox", "--json"],
        capture_output=True,
        check=False,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"count": 0, "entries": []}


def test_the_readme_names_every_verb() -> None:
    """Issue 17 item 22: the README's list of verbs includes sweep, doctor, report,
    events and outbox (every command of the table)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = " ".join(readme.split("## Two commands")[0].split())
    for first in dict.fromkeys(c.words[0] for c in COMMANDS):
        assert f"`{first}" in intro, first
