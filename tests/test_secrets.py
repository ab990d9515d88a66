"""Secrets: private config files, and tokens never in errors, logs, tracebacks, config show or
screens."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.remote_factories import gleap_options, no_sleep, zendesk_options
from tests.adapters.seed import DEFAULT_SPEC
from tests.fakes.gleap import FakeGleap
from tests.fakes.seeding import seed_gleap, seed_zendesk
from tests.fakes.zendesk import FakeZendesk
from triage_tui import config as config_mod
from triage_tui.adapters.gleap import GleapHelpdesk
from triage_tui.adapters.http import Redactor
from triage_tui.adapters.zendesk import ZendeskHelpdesk
from triage_tui.cli import main
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.errors import AuthError, ConfigError, HelpdeskError, TriageError

TOKEN = "zd-token-123"
BASIC = base64.b64encode(f"sam@triage.example/token:{TOKEN}".encode()).decode()
GLEAP_KEY = "gl-key-789"
SECRET_PARTS = ("zd-never-", "shown-99")


def leaks(text: str) -> list[str]:
    return [s for s in (TOKEN, BASIC, BASIC.rstrip("="), GLEAP_KEY, "zd-oauth-456") if s in text]


@pytest.fixture
def zendesk(clock: FrozenClock) -> Iterator[FakeZendesk]:
    with FakeZendesk(clock) as fake:
        seed_zendesk(fake, DEFAULT_SPEC)
        yield fake


# -- the config file ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_config_with_a_secret_others_can_read_is_refused_with_the_fix(
    tmp_path: Path, mode: int
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[profiles.default]\nadapter = "gleap"\n'
        '[profiles.default.options]\napi_key = "gl-secret-1"\n'
    )
    path.chmod(mode)
    with pytest.raises(ConfigError) as caught:
        config_mod.load(path)
    message = str(caught.value)
    assert message.endswith(f"run: chmod 600 {path}")
    assert "profiles.default.options.api_key" in message and "gl-secret-1" not in message


def test_private_or_secret_free_configs_load(tmp_path: Path) -> None:
    private = tmp_path / "private.toml"
    private.write_text(
        '[profiles.default]\nadapter = "zendesk"\n[profiles.default.options]\ntoken = "t-1"\n'
    )
    private.chmod(0o600)
    assert config_mod.load(private).profiles["default"].adapter == "zendesk"
    public = tmp_path / "public.toml"
    public.write_text(
        '[profiles.default]\nadapter = "zendesk"\n'
        '[profiles.default.options]\nsubdomain = "acme"\ntoken = ""\n'
    )
    public.chmod(0o644)
    assert config_mod.load(public).profiles["default"].options["subdomain"] == "acme"


def test_config_show_redacts_tokens_from_the_file_and_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[profiles.default]\nadapter = "zendesk"\n[profiles.default.options]\n'
        'subdomain = "acme"\nemail = "sam@triage.example"\noauth_token = "zd-oauth-456"\n'
    )
    path.chmod(0o600)
    monkeypatch.setenv("TRIAGE_CONFIG", str(path))
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", TOKEN)
    for argv in (["config", "show"], ["config", "show", "--json"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert leaks(out) == [] and "***" in out and "sam@triage.example" in out


# -- errors, logs, tracebacks -----------------------------------------------------------------


async def test_an_error_page_echoing_the_authorization_header_is_redacted(
    zendesk: FakeZendesk, clock: FrozenClock
) -> None:
    async with ZendeskHelpdesk(zendesk_options(zendesk), clock) as helpdesk:
        zendesk.fail(500, "proxy error", echo_auth=True, method="PUT")
        with pytest.raises(HelpdeskError) as caught:
            await helpdesk.reply("101", "Hello")
        assert "Authorization: Basic ***" in str(caught.value) and leaks(str(caught.value)) == []
        zendesk.fail(401, {"error": f"token {TOKEN} is invalid"})
        with pytest.raises(AuthError) as caught_auth:
            await helpdesk.get_ticket("101")
        assert leaks(str(caught_auth.value)) == [] and "token ***" in str(caught_auth.value)
    with FakeGleap(clock) as gleap:
        seed_gleap(gleap, DEFAULT_SPEC)
        async with GleapHelpdesk(gleap_options(gleap), clock, sleep=no_sleep) as helpdesk:
            gleap.fail(502, None, echo_auth=True, times=4)  # reads are retried, then fail
            with pytest.raises(HelpdeskError) as caught:
                await helpdesk.probe()
            assert "Bearer ***" in str(caught.value) and leaks(str(caught.value)) == []


async def test_logs_never_carry_tokens(
    zendesk: FakeZendesk, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with ZendeskHelpdesk(zendesk_options(zendesk), clock) as helpdesk:
        [t async for t in helpdesk.iter_queue()]
        await helpdesk.reply("101", "Hello")
        zendesk.fail(429, "slow", headers={"Retry-After": "0"})
        await helpdesk.get_ticket("101")
    assert "GET /search -> 200" in caplog.text
    assert leaks(caplog.text) == []


async def test_tracebacks_even_with_locals_show_no_token(
    zendesk: FakeZendesk, clock: FrozenClock
) -> None:
    from rich.console import Console
    from rich.traceback import Traceback

    # Built at run time: the traceback shows source lines, which must not hold it.
    helpdesk = ZendeskHelpdesk(
        zendesk_options(zendesk, token=SECRET_PARTS[0] + SECRET_PARTS[1]), clock
    )
    async with helpdesk:
        try:
            await helpdesk.get_ticket("101")
        except TriageError as exc:
            error = exc
    assert error.__cause__ is None and error.__context__ is None  # no httpx chain
    buffer = io.StringIO()
    Console(file=buffer, width=200).print(
        Traceback.from_exception(type(error), error, error.__traceback__, show_locals=True)
    )
    rendered = buffer.getvalue()
    assert "ZendeskApi" in rendered  # the locals were rendered…
    secret = "".join(SECRET_PARTS)
    assert secret not in rendered  # …without the token
    assert secret not in repr(helpdesk.options) + repr(helpdesk.api.http._client.auth)


def test_cli_errors_with_debug_tracebacks_carry_no_token(
    zendesk: FakeZendesk,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "TRIAGE_ADAPTER": "zendesk",
        "TRIAGE_ZENDESK_BASE_URL": zendesk.origin,
        "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
        "TRIAGE_ZENDESK_TOKEN": "zd-cli-secret-1",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["get-ticket", "101"], clock=clock) == 4
    captured = capsys.readouterr()
    assert "zd-cli-secret-1" not in captured.err + captured.out
    monkeypatch.setenv("TRIAGE_DEBUG", "1")
    assert main(["get-ticket", "101"], clock=clock) == 4  # project errors never become tracebacks
    assert "Traceback" not in capsys.readouterr().err


def test_the_redactor_masks_known_secrets_their_base64_and_any_bearer() -> None:
    redact = Redactor(["s3cr3t-token"])
    text = redact(
        f"a s3cr3t-token b {base64.b64encode(b's3cr3t-token').decode()} Bearer eyJhbGciOi.xyz"
    )
    assert text == "a *** b *** Bearer ***"
    assert redact("the token is fine") == "the token is fine"


# -- the screen ---------------------------------------------------------------------------------


async def test_console_screens_show_no_token(zendesk: FakeZendesk, clock: FrozenClock) -> None:
    from triage_tui.config import Profile
    from triage_tui.ui.app import TriageApp

    for token in ("zd-token-123", "zd-wrong-token-7"):
        helpdesk = ZendeskHelpdesk(zendesk_options(zendesk, token=token), clock)
        app = TriageApp(
            helpdesk, profile=Profile(adapter="zendesk"), clock=clock, tick_seconds=3600
        )
        told: list[str] = []
        notify = app.notify

        def record(message: str, _notify=notify, _told=told, **kw: object) -> None:  # type: ignore[no-untyped-def]
            _told.append(str(message))
            _notify(message, **kw)  # type: ignore[arg-type]

        app.notify = record  # type: ignore[method-assign,assignment]
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(4):
                await app.workers.wait_for_complete()
                await pilot.pause()
            screen = app.export_screenshot() + "\n".join(told)
        assert token not in screen and leaks(screen) == []
        if token == "zd-wrong-token-7":  # the failure is told, without the token
            assert any("rejected the credentials" in line for line in told)
