"""Issue 21 item 4 and the config checks: `triage hooks list|test|log`, `triage csat`,
and every bad [[hooks]] table as one line naming the hook."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Runner


def config_with(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


@pytest.fixture
def deliveries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``triage_tui.integrations`` as agreed with its author; records any delivery."""
    calls: list[str] = []
    module = types.ModuleType("triage_tui.integrations")

    async def deliver(
        service: str,
        settings: Mapping[str, Any],
        payload: Mapping[str, Any],
        *,
        idempotency_key: str,
        env: Mapping[str, str] | None = None,
    ) -> Any:
        calls.append(service)
        raise AssertionError("hooks test must not deliver")

    module.deliver = deliver  # type: ignore[attr-defined]
    module.ServiceError = RuntimeError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "triage_tui.integrations", module)
    return calls


def test_hooks_test_shows_what_would_run_and_sends_nothing(
    db_run: Runner, tmp_path: Path, deliveries: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21 item 4: `hooks test EVENT --ticket ID` lists the hooks that would run with
    their payloads and the ones whose `when` does not select the ticket; no command runs,
    no service is called, nothing enters the outbox or the event log."""
    monkeypatch.setenv("TRIAGE_GITHUB_TOKEN", "not-printed-secret")
    marker = tmp_path / "ran"
    config = config_with(
        tmp_path,
        f'[[hooks]]\nname = "log"\non = "ticket.created"\nexec = \'touch "{marker}"\'\n'
        '[[hooks]]\nname = "gh"\non = "ticket.created"\n'
        'github = { repo = "acme/app" }\n'
        '[[hooks]]\nname = "vip-only"\non = "ticket.created"\nwhen = "vip"\nexec = "true"\n',
    )
    ticket = db_run("queue", "--filter=-vip", "--limit", "1", "--json").json()["tickets"][0]
    result = db_run("--config", config, "hooks", "test", "ticket.created", "--ticket", ticket["id"])
    assert result.code == 0, result.err
    assert "would run: log (exec)" in result.out and "would run: gh (github)" in result.out
    assert "not run: vip-only" in result.out and "Nothing was sent" in result.out
    assert "not-printed-secret" not in result.out + result.err
    data = db_run(
        "--config", config, "hooks", "test", "ticket.created", "--ticket", ticket["id"], "--json"
    ).json()
    assert [w["hook"] for w in data["would_run"]] == ["log", "gh"]
    assert data["would_run"][0]["payload"]["ticket"]["id"] == ticket["id"]
    assert data["when_not_matched"] == ["vip-only"] and data["sent"] is False
    assert not marker.exists() and deliveries == []
    assert db_run("outbox", "--json").json()["count"] == 0
    names = [e["name"] for e in db_run("events", "--since", "1d", "--json").json()["events"]]
    assert not {"hook.ran", "hook.failed"} & set(names)


def test_hooks_test_refuses_an_unknown_event_in_one_line(db_run: Runner) -> None:
    """Issue 21 item 4: a typo in EVENT is one line listing the events, exit 2."""
    result = db_run("hooks", "test", "ticket.creatd", "--ticket", "1001")
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and "unknown event 'ticket.creatd'" in result.err


def test_hooks_list_names_each_hook_and_a_missing_secret(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21 item 4: `hooks list` shows name, events, when, action and a variable
    the hook needs that is not set."""
    monkeypatch.delenv("SLACK_HOOK_URL", raising=False)
    config = config_with(
        tmp_path,
        '[[hooks]]\nname = "ping"\non = ["ticket.escalated", "sla.alerted"]\n'
        'when = "priority:urgent"\nslack = { webhook_env = "SLACK_HOOK_URL" }\n'
        '[[hooks]]\non = "ticket.solved"\nsurvey = { health_check = true }\n',
    )
    data = run("--config", config, "hooks", "list", "--json").json()
    assert [(h["name"], h["on"], h["action"]) for h in data["hooks"]] == [
        ("ping", ["ticket.escalated", "sla.alerted"], "slack"),
        ("hook-2", ["ticket.solved"], "survey"),
    ]
    assert data["hooks"][0]["missing_env"] == ["SLACK_HOOK_URL"]
    text = run("--config", config, "hooks", "list").out
    assert "missing env SLACK_HOOK_URL" in text and "priority:urgent" in text


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('on = "ticket.creatd"\nexec = "true"', "on: unknown event 'ticket.creatd'"),
        ('on = "ticket.created"\nexec = "true"\nsurvey = {}', "exactly one action"),
        ('on = "ticket.created"\nwhen = "sla:<9x"\nexec = "true"', "when: sla:<9x: bad duration"),
        ('on = "ticket.created"', "exactly one action of exec, slack"),
        ('on = "ticket.created"\nslack = { webhook_env = "A", channel = "#x" }', "slack: give"),
        ('on = "ticket.created"\ngithub = { repo = "acme" }', 'repo must be "owner/name"'),
        ('on = "ticket.created"\nlinear = {}', "linear: team_id is required"),
        (
            'on = "ticket.created"\nlinear = { team_id = "E", token_env = "L" }',
            "linear: token_env is not a setting: the token is read from TRIAGE_LINEAR_API_KEY",
        ),
        ('on = "ticket.created"\nassign = { strategy = "least_busy" }', "assign: give agents"),
    ],
)
def test_every_bad_hook_is_one_line_naming_it(
    db_run: Runner, run: Runner, tmp_path: Path, table: str, words: str
) -> None:
    """Issue 21 done-when: a bad hook (unknown event, two or no actions, a bad `when`,
    a bad service table) stops every command with one line naming the hook, exit 2."""
    config = config_with(tmp_path, f'[[hooks]]\nname = "broken"\n{table}\n')
    for result in (
        db_run("--config", config, "queue"),
        db_run("--config", config, "watch", "--once"),
        run("--config", config, "hooks", "list"),
    ):
        assert result.code == 2, result.err
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
        assert "hooks[0] (broken)" in result.err and words in result.err, result.err


def test_a_secret_missing_from_the_environment_stops_the_watcher_naming_the_hook(
    db_run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21 done-when: `triage watch` with a hook whose token variable is unset is one
    line naming the hook and the variable (never a value), exit 2."""
    monkeypatch.delenv("TRIAGE_LINEAR_API_KEY", raising=False)
    config = config_with(
        tmp_path,
        '[[hooks]]\nname = "triage-to-linear"\non = "plan.follow_up"\n'
        'linear = { team_id = "ENG" }\n',
    )
    result = db_run("--config", config, "watch", "--once")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "hooks[0] (triage-to-linear)" in result.err
    assert "environment variable TRIAGE_LINEAR_API_KEY is not set" in result.err


def test_csat_is_validated_and_shows_in_the_report_and_the_requester_history(
    db_run: Runner,
) -> None:
    """Issue 21 item 1 (survey): `triage csat ID --score N` accepts 1-5 only (one line,
    exit 2 otherwise); the score is in the report (text and JSON) and in get-user."""
    for bad in ("0", "6"):
        refused = db_run("csat", "1001", "--score", bad)
        assert refused.code == 2 and "--score must be 1 to 5" in refused.err
    before = db_run("report", "--json").json()
    assert before["csat"] == [] and before["csat_average"] is None
    assert "Satisfaction" not in db_run("report").out  # shown only where known
    done = db_run("csat", "1001", "--score", "4", "--comment", "quick fix", "--json").json()
    assert done["score"] == 4 and done["confirmation"].startswith("CSAT 4/5 recorded")
    assert db_run("csat", "1002", "--score", "5").code == 0
    report = db_run("report", "--json").json()
    assert report["csat"] == [{"ticket_id": "1001", "score": 4}, {"ticket_id": "1002", "score": 5}]
    assert report["csat_average"] == 4.5
    assert "Satisfaction (CSAT, 1-5)" in db_run("report").out
    requester = db_run("get-ticket", "1001", "--json").json()["ticket"]["requester"]
    history = db_run("get-user", requester["email"], "--tickets", "--json").json()
    assert [(s["ticket_id"], s["score"]) for s in history["csat"]][:1] == [("1001", 4)]
    assert "Satisfaction  4/5 on 1001" in db_run("get-user", requester["email"], "--tickets").out


def test_hooks_log_lists_runs_and_failures(db_run: Runner, demo_db: Path, tmp_path: Path) -> None:
    """Issue 21 item 4: `hooks log` reads hook.ran and hook.failed from the event log,
    with the command's exit and the end of its stderr; `--json` has the same runs."""
    config = config_with(
        tmp_path,
        "[profiles.default]\npoll_seconds = 1\n"
        '[[hooks]]\nname = "ok"\non = "ticket.status_changed"\nexec = "echo fine >&2"\n'
        '[[hooks]]\nname = "bad"\non = "ticket.status_changed"\nexec = "echo nope >&2; exit 4"\n',
    )
    assert db_run("--config", config, "watch", "--once").code == 0
    assert db_run("update-ticket", "1001", "--status", "pending").code == 0
    assert db_run("--config", config, "watch", "--once").code == 0
    runs = db_run("hooks", "log", "--json").json()["runs"]
    assert [(r["hook"], r["ok"]) for r in runs] == [("ok", True), ("bad", False)]
    assert runs[0]["stderr_tail"].strip() == "fine"
    assert "exited 4: nope" in runs[1]["error"]
    text = db_run("hooks", "log").out
    assert "ran     ok" in text and "stderr: fine" in text and "exited 4: nope" in text
    # The failing one waits in the outbox for its retry, with the reason shown there.
    [entry] = [e for e in db_run("outbox", "--json").json()["entries"] if e["kind"] == "hook"
               and e["state"] != "delivered"]  # fmt: skip
    assert entry["state"] == "pending" and "exited 4: nope" in entry["last_error"]


def test_events_only_the_log_tells_run_their_hooks_in_watch(db_run: Runner, tmp_path: Path) -> None:
    """Issue 21 item 3: an escalation and a plan's follow-ups made by the verbs (events the
    feed does not name) run their hooks in `triage watch`, once, with the escalation's
    reason and the follow-up in the payload."""
    got = tmp_path / "got.jsonl"
    config = config_with(
        tmp_path,
        '[[hooks]]\nname = "esc"\non = ["ticket.escalated", "plan.follow_up"]\n'
        f'exec = \'cat >> "{got}"; echo >> "{got}"\'\n',
    )
    assert db_run("--config", config, "watch", "--once").code == 0
    assert db_run("escalate-ticket", "1005", "--reason", "Billing outage").code == 0
    assert db_run("plan", "1040", "--record", "--no-similar", "--json").json()["recorded"]
    for _ in range(2):
        assert db_run("--config", config, "watch", "--once").code == 0
    payloads = [json.loads(line) for line in got.read_text().splitlines() if line.strip()]
    assert [(p["event"], p["ticket"]["id"]) for p in payloads] == [
        ("ticket.escalated", "1005"), ("plan.follow_up", "1040"),
    ]  # fmt: skip
    assert payloads[0]["reason"] == "Billing outage"
    assert payloads[1]["follow_up"]["title"].startswith("KB:")
