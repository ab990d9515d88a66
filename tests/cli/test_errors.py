"""Every failure is one line on stderr, no traceback, and the documented exit code."""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Result, Runner


def _one_line_error(result: Result, code: int, *needles: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("triage: error: ")
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_unknown_ticket_exits_3(db_run: Runner) -> None:
    for verb in (
        ("get-ticket", "999999"),
        ("reply-ticket", "999999", "hi"),
        ("close-ticket", "999999", "--note", "x"),
        ("update-ticket", "999999", "--status", "open"),
        ("escalate-ticket", "999999", "--reason", "x"),
    ):
        _one_line_error(db_run(*verb), 3, "999999")


def test_unknown_person_exits_3(db_run: Runner) -> None:
    _one_line_error(db_run("get-user", "nobody@nowhere.example", "--tickets"), 3, "nobody@")


def test_invalid_status_names_the_choices(db_run: Runner) -> None:
    ticket_id = db_run("queue", "--json").json()["tickets"][0]["id"]
    _one_line_error(db_run("update-ticket", ticket_id, "--status", "bogus"), 2, "bogus", "pending")


def test_invalid_priority(db_run: Runner) -> None:
    ticket_id = db_run("queue", "--json").json()["tickets"][0]["id"]
    _one_line_error(
        db_run("escalate-ticket", ticket_id, "--reason", "x", "--priority", "asap"),
        2,
        "asap",
        "urgent",
    )
    _one_line_error(
        db_run(
            "create-ticket",
            "--subject",
            "s",
            "--body",
            "b",
            "--requester",
            "a@b.example",
            "--priority",
            "p9",
        ),
        2,
        "p9",
    )


def test_empty_reply_and_empty_stdin(db_run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_id = db_run("queue", "--json").json()["tickets"][0]["id"]
    _one_line_error(db_run("reply-ticket", ticket_id, "   "), 2, "empty")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n"))
    _one_line_error(db_run("reply-ticket", ticket_id, "-"), 2, "empty")


def test_other_invalid_inputs(db_run: Runner) -> None:
    ticket_id = db_run("queue", "--json").json()["tickets"][0]["id"]
    _one_line_error(db_run("update-ticket", ticket_id), 2, "nothing to update")
    _one_line_error(db_run("escalate-ticket", ticket_id, "--reason", " "), 2, "--reason")
    _one_line_error(db_run("close-ticket", ticket_id, "--note", ""), 2, "--note")
    _one_line_error(db_run("search-kb", "  "), 2, "empty")
    _one_line_error(db_run("queue", "--limit", "-1"), 2, "--limit")
    _one_line_error(
        db_run("create-ticket", "--subject", "s", "--body", "b", "--requester", "not-an-email"),
        2,
        "not-an-email",
    )
    _one_line_error(
        db_run("create-ticket", "--subject", "s", "--body", "", "--requester", "a@b.example"),
        2,
        "body",
    )


def test_priority_and_status_change_together(db_run: Runner, demo_db: Path) -> None:
    ticket_id = db_run("queue", "--json").json()["tickets"][0]["id"]
    result = db_run("update-ticket", ticket_id, "--priority", "urgent", "--status", "pending")
    assert result.code == 0, result.err
    ticket = db_run("get-ticket", ticket_id, "--json").json()["ticket"]
    assert (ticket["priority"], ticket["status"]) == ("urgent", "pending")
    with sqlite3.connect(demo_db) as conn:
        names = [
            r[0] for r in conn.execute("SELECT name FROM events WHERE ticket_id=?", (ticket_id,))
        ]
    assert "ticket.priority_changed" in names


def test_undecodable_argument_bytes_are_refused(db_run: Runner) -> None:
    _one_line_error(db_run("get-ticket", "12\udcff"), 2, "UTF-8")


def test_directory_as_database(run: Runner, tmp_path: Path) -> None:
    _one_line_error(run("queue", "--db", str(tmp_path)), 2, str(tmp_path))


def test_unopenable_database_path(run: Runner, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    under_a_file = str(blocker / "sub" / "helpdesk.db")
    # A read finds no helpdesk there; the commands that create one cannot.
    _one_line_error(run("queue", "--db", under_a_file), 2, "a-file", "no helpdesk at")
    _one_line_error(run("demo", "--db", under_a_file), 5, "a-file")
    _one_line_error(run("kb", "import", str(tmp_path), "--db", under_a_file), 5, "a-file")


def test_a_file_that_is_not_a_helpdesk(run: Runner, tmp_path: Path) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text("just some notes\n" * 100)
    result = run("get-ticket", "1", "--db", str(foreign))
    assert result.code in (2, 5)
    _one_line_error(result, result.code, "notes.txt")


def test_invalid_config_names_the_key(run: Runner, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[profiles.default]\nsend_status = "maybe"\n')
    _one_line_error(run("--config", str(config), "queue"), 2, "profiles.default.send_status")
    config.write_text('[profiles.default]\ncolour = "red"\n')
    _one_line_error(
        run("--config", str(config), "queue"), 2, "profiles.default.colour", "unknown key"
    )
    config.write_text("this is = not [toml")
    _one_line_error(run("--config", str(config), "queue"), 2, "invalid TOML")


def test_invalid_adapter_option_names_the_option(run: Runner, tmp_path: Path) -> None:
    config = tmp_path / "opts.toml"
    config.write_text("[profiles.default.options]\nwarp = 9\n")
    _one_line_error(run("--config", str(config), "queue"), 2, "warp")


def test_missing_explicit_config_file(run: Runner, tmp_path: Path) -> None:
    _one_line_error(
        run("--config", str(tmp_path / "nope.toml"), "queue"), 2, "nope.toml", "config init"
    )


def test_unknown_profile(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    _one_line_error(run("--profile", "work", "queue"), 2, "'work'", "default")
    monkeypatch.setenv("TRIAGE_PROFILE", "home")
    _one_line_error(run("queue"), 2, "'home'")


def test_unknown_adapter(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    _one_line_error(run("--adapter", "jira", "queue"), 2, "'jira'", "local")
    monkeypatch.setenv("TRIAGE_ADAPTER", "zendeskk")
    _one_line_error(run("get-ticket", "1"), 2, "'zendeskk'")


def test_usage_errors_exit_2_with_argparse_message(run: Runner) -> None:
    result = run("get-ticket")
    assert result.code == 2 and "the following arguments are required: ID" in result.err
    result = run("queue", "--limit", "many")
    assert result.code == 2 and "invalid int value" in result.err
    result = run("frobnicate")
    assert result.code == 2 and "invalid choice" in result.err


def test_error_messages_quoting_hostile_text_stay_one_safe_line(db_run: Runner) -> None:
    result = db_run("get-ticket", "x\x1b]0;owned\x07\nsecond line")
    _one_line_error(result, 3)
    assert "\x1b" not in result.err and "\x07" not in result.err


def test_unexpected_exception_is_one_line_and_a_hint(
    db_run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.cli import verbs

    async def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom\nwith detail")

    monkeypatch.setattr(verbs, "get_ticket", boom)
    result = db_run("get-ticket", "1")
    assert result.code == 70
    lines = result.err.splitlines()
    assert lines[0] == "triage: error: unexpected RuntimeError: kaboom with detail"
    assert "TRIAGE_DEBUG=1" in lines[1] and len(lines) == 2
    monkeypatch.setenv("TRIAGE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        db_run("get-ticket", "1")


def test_keyboard_interrupt_exits_130_quietly(
    db_run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.cli import verbs

    async def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(verbs, "queue", interrupted)
    result = db_run("queue")
    assert (result.code, result.out, result.err) == (130, "", "")


def test_an_engine_warning_is_one_prefixed_terminal_safe_line(
    db_run: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    """Warnings the engine logs (a cache the disk refused, an unreadable draft)
    reach stderr as ``triage: …`` through the sanitize gate, not as Python's
    bare last-resort line."""
    import logging

    assert db_run("queue").code == 0
    logging.getLogger("triage_tui.engine.cache").warning(
        "offline cache disabled: %s: %s", "/x/\x1b]0;pwned\x07y", "read-only"
    )
    err = capsys.readouterr().err
    assert err.startswith("triage: offline cache disabled: /x/") and err.endswith("read-only\n")
    assert err.count("\n") == 1 and "\x1b" not in err and "\x07" not in err


@pytest.mark.parametrize("adapter", ["zendesk", "gleap", "rt", "django_helpdesk"])
@pytest.mark.parametrize("timeout", ["inf", "nan", "1e9", "0", "-3"])
def test_an_unusable_timeout_is_a_config_error_naming_it(
    run: Runner, tmp_path: Path, adapter: str, timeout: str
) -> None:
    """``timeout = inf`` used to be replaced by 20 s without a word."""
    config = tmp_path / "t.toml"
    config.write_text(
        f'[profiles.default]\nadapter = "{adapter}"\n'
        f"[profiles.default.options]\ntimeout = {timeout}\n"
    )
    result = run("--config", str(config), "queue")
    _one_line_error(result, 2, "timeout")
