"""``triage doctor``: each failure it detects gives its line and fix, and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.remote_factories import gleap_options, zendesk_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.gleap import FakeGleap
from tests.fakes.seeding import seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui.adapters.gleap import GleapHelpdesk, GleapOptions
from triage_tui.adapters.zendesk import ZendeskHelpdesk, ZendeskOptions
from triage_tui.cli import main
from triage_tui.doctor import Readiness, readiness
from triage_tui.domain.clock import FrozenClock


@pytest.fixture
def zendesk(clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZendesk]:
    with FakeZendesk(clock) as fake:
        seed_zendesk(fake, DEFAULT_SPEC)
        for name, value in {
            "TRIAGE_ADAPTER": "zendesk",
            "TRIAGE_ZENDESK_BASE_URL": fake.origin,
            "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
            "TRIAGE_ZENDESK_TOKEN": "zd-token-123",
        }.items():
            monkeypatch.setenv(name, value)
        yield fake


def doctor(
    capsys: pytest.CaptureFixture[str], clock: FrozenClock, *argv: str
) -> tuple[int, dict[str, str]]:
    """Exit code and {check name: its line}."""
    code = main(["doctor", *argv], clock=clock)
    out = capsys.readouterr().out
    lines = {line[2:15].strip(): line for line in out.splitlines()}
    return code, lines


def test_all_checks_pass_on_a_healthy_zendesk(zendesk: FakeZendesk, capsys, clock) -> None:
    code, lines = doctor(capsys, clock)
    assert code == 0
    assert list(lines) == [
        "config",
        "settings",
        "reachable",
        "credentials",
        "read tickets",
        "comment",
        "read KB",
        "routes",
        "files",
    ]
    assert lines["read tickets"] == "✓ read tickets the queue can be read (first ticket 103)"
    assert lines["comment"].startswith("✓ comment      the account may reply publicly")


def test_invalid_config_fails_first_and_skips_the_rest(
    tmp_path: Path, capsys, clock, monkeypatch
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('profile = "work"\n[profiles.work]\nsend_status = "later"\n')
    monkeypatch.setenv("TRIAGE_CONFIG", str(config))
    code, lines = doctor(capsys, clock)
    assert code == 1
    assert lines["config"].startswith("✗ config       ") and "send_status" in lines["config"]
    assert "fix: fix the key named above" in lines["config"]
    assert all(
        line.startswith("–") for name, line in lines.items() if name not in ("config", "files")
    )


def test_a_readable_config_holding_a_token_is_refused_with_chmod(
    tmp_path: Path, capsys, clock, monkeypatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[profiles.default]\nadapter = "zendesk"\n'
        '[profiles.default.options]\ntoken = "zd-abc-123"\n'
    )
    config.chmod(0o644)
    monkeypatch.setenv("TRIAGE_CONFIG", str(config))
    code, lines = doctor(capsys, clock)
    assert code == 1
    assert f"run: chmod 600 {config}" in lines["config"] and "zd-abc-123" not in lines["config"]
    assert "fix: run the chmod command above" in lines["config"]


def test_unknown_adapter(capsys, clock, monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_ADAPTER", "freshdesk")
    code, lines = doctor(capsys, clock)
    assert code == 1 and "unknown adapter 'freshdesk'" in lines["config"]


def test_missing_settings_name_the_variables(capsys, clock, monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_ADAPTER", "zendesk")
    monkeypatch.setenv("TRIAGE_ZENDESK_SUBDOMAIN", "acme")
    code, lines = doctor(capsys, clock)
    assert code == 1
    assert "Zendesk needs TRIAGE_ZENDESK_EMAIL + TRIAGE_ZENDESK_TOKEN" in lines["settings"]
    assert "fix: export TRIAGE_ZENDESK_SUBDOMAIN=" in lines["settings"]
    assert lines["reachable"].startswith("– reachable")


def test_missing_local_helpdesk_is_reported_not_created(
    tmp_path: Path, capsys, clock, monkeypatch
) -> None:
    db = tmp_path / "none.db"
    monkeypatch.setenv("TRIAGE_LOCAL_DB", str(db))
    code, lines = doctor(capsys, clock)
    assert (
        code == 1
        and "no local helpdesk at" in lines["settings"]
        and "triage demo" in lines["settings"]
    )
    assert not db.exists()


def test_unreachable_helpdesk(capsys, clock, monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_ADAPTER", "zendesk")
    monkeypatch.setenv("TRIAGE_ZENDESK_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TRIAGE_ZENDESK_EMAIL", "sam@triage.example")
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "zd-token-123")
    code, lines = doctor(capsys, clock)
    assert code == 1
    assert lines["reachable"].startswith("✗ reachable    cannot reach Zendesk at 127.0.0.1:9")
    assert "fix: check TRIAGE_ZENDESK_SUBDOMAIN / TRIAGE_ZENDESK_BASE_URL" in lines["reachable"]
    assert lines["credentials"].startswith("– credentials")


def test_rejected_credentials(zendesk: FakeZendesk, capsys, clock, monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", "zd-stale-token")
    code, lines = doctor(capsys, clock)
    assert code == 1
    assert lines["reachable"].startswith("✓")
    assert lines["credentials"].startswith("✗ credentials  Zendesk rejected the credentials (401")
    assert "fix: check TRIAGE_ZENDESK_EMAIL and TRIAGE_ZENDESK_TOKEN" in lines["credentials"]
    assert "zd-stale-token" not in "".join(lines.values())


def test_tickets_kb_and_comment_permissions(zendesk: FakeZendesk, capsys, clock) -> None:
    zendesk.forbidden |= {"/search", "/help_center"}
    zendesk.users[900]["role"] = "end-user"  # the token's user is not an agent
    code, lines = doctor(capsys, clock)
    assert code == 1
    assert lines["read tickets"].startswith("✗ read tickets Zendesk refused GET /search (403)")
    assert "fix: the account must be an agent" in lines["read tickets"]
    assert lines["comment"].startswith("✗ comment      the account may not make public comments")
    assert lines["read KB"].startswith("✗ read KB      Zendesk refused GET /help_center")
    assert "fix: enable Help Center" in lines["read KB"]


def test_a_custom_role_with_private_comments_only(zendesk: FakeZendesk, capsys, clock) -> None:
    zendesk.users[900]["custom_role_id"] = 7
    zendesk.custom_roles[7] = {
        "id": 7,
        "name": "Light agent",
        "configuration": {"comment_access": "private"},
    }
    code, lines = doctor(capsys, clock)
    assert code == 1 and lines["comment"].startswith("✗ comment")
    zendesk.forbidden.add("/custom_roles")  # non-admins may not read roles: cannot tell
    code, lines = doctor(capsys, clock)
    assert code == 0 and lines["comment"].startswith(
        "– comment      the account's role cannot be read"
    )


def test_json_output(zendesk: FakeZendesk, capsys, clock) -> None:
    assert main(["doctor", "--json"], clock=clock) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["checks"][0] == {
        "name": "config",
        "state": "ok",
        "detail": data["checks"][0]["detail"],
        "hint": "",
    }


def test_local_demo_helpdesk_is_ready(tmp_path: Path, capsys, clock, monkeypatch) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--tickets", "20", "--db", str(db)], clock=clock) == 0
    capsys.readouterr()
    monkeypatch.setenv("TRIAGE_LOCAL_DB", str(db))
    code, lines = doctor(capsys, clock)
    assert code == 0 and lines["credentials"] == "✓ credentials  none needed (local helpdesk)"


async def test_readiness_labels_for_the_header_badge(clock: FrozenClock) -> None:
    with FakeZendesk(clock) as fake:
        seed_zendesk(fake, DEFAULT_SPEC)
        async with ZendeskHelpdesk(zendesk_options(fake), clock) as ok:
            assert await readiness(ok) == Readiness(True, "Zendesk ✓")
        async with ZendeskHelpdesk(zendesk_options(fake, token="nope-nope"), clock) as denied:
            state = await readiness(denied)
            assert (state.ok, state.label) == (False, "Zendesk: needs auth")
            assert "nope-nope" not in state.detail
        fake.fail(429, None, headers={"Retry-After": "999"})
        async with ZendeskHelpdesk(zendesk_options(fake), clock) as limited:
            assert (await readiness(limited)).label == "Zendesk: rate limited"
    options = ZendeskOptions(base_url="http://127.0.0.1:9", email="a@b.example", token="tok-1234")  # type: ignore[arg-type]
    async with ZendeskHelpdesk(options, clock) as offline:
        assert (await readiness(offline)).label == "Zendesk: offline"
    assert (await readiness(GleapHelpdesk(GleapOptions(), clock))).label == "Gleap: needs config"
    with FakeGleap(clock) as gleap:
        async with GleapHelpdesk(gleap_options(gleap, api_key="gl-bad-key"), clock) as bad:
            assert (await readiness(bad)).label == "Gleap: needs auth"
        async with GleapHelpdesk(gleap_options(gleap), clock) as good:
            assert await readiness(good) == Readiness(True, "Gleap ✓")


def test_the_helpdesks_strings_reach_the_terminal_neutralised(
    zendesk: FakeZendesk, capsys, clock, monkeypatch
) -> None:
    """``/users/me`` is the helpdesk's word: a name or email carrying escapes is shown, not
    obeyed."""
    from tests.fakes.hostile import ATTACK, FORBIDDEN, VISIBLE

    email = "sam\x1b]0;PWNED\x07\x9b2J@triage.example"  # latin-1: it travels in the auth header
    with zendesk.lock:
        me = next(u for u in zendesk.users.values() if u.get("email") == "sam@triage.example")
        me.update(name="Sam " + ATTACK, email=email)
        zendesk.credentials.add((f"{email}/token", "zd-token-123"))
    monkeypatch.setenv("TRIAGE_ZENDESK_EMAIL", email)
    code, lines = doctor(capsys, clock)
    assert code == 0, lines
    out = "\n".join(lines.values())
    assert not FORBIDDEN.findall(out)
    assert VISIBLE in lines["credentials"] and "sam␛]0;PWNED␇\\x9b2J@triage.example" in out
    assert len(out.splitlines()) == len(lines)  # the lone CR and the newline added no line
    assert main(["doctor", "--json"], clock=clock) == 0
    raw = capsys.readouterr().out
    assert not FORBIDDEN.findall(raw) and json.loads(raw)["checks"][3]["detail"].startswith(
        "accepted: Sam " + ATTACK[:10]
    )  # JSON keeps the exact text, every control a \u escape
