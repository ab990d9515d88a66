"""The ``zendesk`` and ``gleap`` options: dataclasses built without pydantic from plain
input, by pydantic from anything else, the same either way; their secrets never shown.

Why dataclasses: a console starting from its offline cache needs them before its
first screen, which imports no pydantic (``tests/cli/test_start_up_imports.py``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from pydantic import TypeAdapter

from triage_tui import config, config_quick, session
from triage_tui.adapters import registry
from triage_tui.adapters.gleap import GleapOptions
from triage_tui.adapters.secret import Secret
from triage_tui.adapters.zendesk import ZendeskOptions
from triage_tui.config import AppConfig, Profile, adapter_options
from triage_tui.domain.enums import Priority
from triage_tui.domain.errors import ConfigError

ZENDESK = {"base_url": "https://support.acme.example", "email": "sam@acme.example", "token": "t-1"}
GLEAP = {"base_url": "https://gleap.acme.example/v3/", "api_key": "gl-1", "project": "64f0ab"}


def _options(adapter: str, values: dict[str, Any], env: dict[str, str] | None = None) -> Any:
    kind = registry.load(adapter).options_model
    options = adapter_options(adapter, kind, Profile(options=values), env or {})
    assert isinstance(options, kind)
    return options


@pytest.mark.parametrize(
    ("adapter", "values"),
    [
        ("zendesk", {}),
        ("zendesk", ZENDESK),
        ("zendesk", {**ZENDESK, "view_id": 360001, "page_size": 50, "timeout": 30}),
        ("zendesk", {"subdomain": " acme ", "oauth_token": "o-1", "search": "  ", "locale": "de"}),
        ("zendesk", {**ZENDESK, "token": "  ", "escalation_tag": None, "safe_update": False}),
        # The environment's text: a number in plain digits is read without pydantic too.
        ("zendesk", {**ZENDESK, "view_id": "360001", "page_size": "25"}),
        ("gleap", {}),
        ("gleap", GLEAP),
        ("gleap", {**GLEAP, "types": " INQUIRY ", "page_size": 1000, "timeout": 5, "lang": "de"}),
        ("gleap", {**GLEAP, "api_key": " ", "project": "", "escalation_tag": None}),
        ("gleap", {**GLEAP, "page_size": "250"}),
    ],
)
def test_plain_input_is_built_without_pydantic_into_what_pydantic_makes(
    adapter: str, values: dict[str, Any]
) -> None:
    kind = registry.load(adapter).options_model
    quick = config_quick.build(kind, dict(values))
    validated = TypeAdapter(kind).validate_python(dict(values))
    assert quick is not None
    assert quick == validated
    assert config_quick.dump(quick) == TypeAdapter(kind).dump_python(validated, mode="json")


@pytest.mark.parametrize(
    ("adapter", "values", "needle"),
    [
        ("zendesk", {"page_size": 500}, "options: page_size must be 1 to 100, not 500"),
        ("zendesk", {"page_size": "0"}, "options: page_size must be 1 to 100, not 0"),
        ("zendesk", {"timeout": math.inf}, "options: timeout must be more than 0 and at most 3600"),
        ("zendesk", {"timeout": "1e400"}, "options: timeout must be more than 0 and at most 3600"),
        ("zendesk", {"timeout": -1}, "options: timeout must be more than 0"),
        ("zendesk", {"base_url": "support.acme"}, "options: base_url must start with https://"),
        ("zendesk", {"status_map": "wat=open"}, "options: status_map: unknown status 'wat'"),
        ("zendesk", {"status_map": '{"open": 5}'}, "options: status_map must map statuses"),
        ("zendesk", {"status_map": "{not json"}, "options: status_map: Expecting property"),
        ("zendesk", {"view_id": "my view"}, "option view_id: "),
        ("zendesk", {"colour": "red"}, "option colour: unknown key"),
        ("gleap", {"page_size": 1001}, "options: page_size must be 1 to 1000, not 1001"),
        ("gleap", {"timeout": 0}, "options: timeout must be more than 0"),
        ("gleap", {"base_url": "api.gleap.io"}, "options: base_url must start with https://"),
        ("gleap", {"status_map": "done=DONE,wat=X"}, "options: status_map: unknown status 'wat'"),
        ("gleap", {"page_size": "many"}, "option page_size: "),
        ("gleap", {"colour": "red"}, "option colour: unknown key"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_option(
    adapter: str, values: dict[str, Any], needle: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _options(adapter, values)
    message = str(caught.value)
    assert message.startswith(f"adapter {adapter!r} option")
    assert needle in message and "\n" not in message


@pytest.mark.parametrize(
    ("adapter", "values", "secret"),
    [("zendesk", ZENDESK, "token"), ("zendesk", {"oauth_token": "t-1"}, "oauth_token")]
    + [("gleap", GLEAP, "api_key")],
)
def test_a_secret_is_never_shown_and_is_sent_as_given(
    adapter: str, values: dict[str, Any], secret: str
) -> None:
    options = _options(adapter, values)
    value = getattr(options, secret)
    assert isinstance(value, Secret)
    assert value.get_secret_value() == values[secret]
    for shown in (repr(options), str(value), repr(value)):
        assert values[secret] not in shown
    assert "**********" in repr(options)
    assert config.to_json(options)[secret] == "**********"
    assert config.to_json(_options(adapter, {secret: ""}))[secret] is None  # blank: not set
    # Built in code (tests, scripts) from text: still a Secret.
    direct = type(options)(**{secret: "t-2"})
    assert getattr(direct, secret) == Secret("t-2") and "t-2" not in repr(direct)
    replaced = dataclasses.replace(direct, **{secret: Secret("t-3")})
    assert getattr(replaced, secret) == Secret("t-3")


def test_zendesk_checks_run_on_either_path() -> None:
    options = _options("zendesk", {"subdomain": " acme ", "token": " ", "page_size": 7})
    assert options.subdomain == "acme" and options.token is None
    assert options.account_url == "https://acme.zendesk.com" and options.page_size == 7
    assert options.missing() == [
        "TRIAGE_ZENDESK_EMAIL + TRIAGE_ZENDESK_TOKEN (or TRIAGE_ZENDESK_OAUTH_TOKEN)"
    ]
    # From the environment every value is text: pydantic converts it, the same checks follow.
    env = {
        "TRIAGE_ZENDESK_SUBDOMAIN": " acme ",
        "TRIAGE_ZENDESK_VIEW_ID": "360001",
        "TRIAGE_ZENDESK_TIMEOUT": "2.5",
        "TRIAGE_ZENDESK_STATUS_MAP": "on hold=Pending",
        "TRIAGE_ZENDESK_ESCALATION_PRIORITY": "urgent",
        "TRIAGE_ZENDESK_OAUTH_TOKEN": "o-1",
    }
    converted = _options("zendesk", {}, env)
    assert converted.subdomain == "acme" and converted.view_id == 360001
    assert converted.timeout == 2.5 and converted.statuses["on_hold"] == "pending"
    assert converted.escalation_priority is Priority.URGENT
    assert converted.oauth_token == Secret("o-1")
    # A table or text (``dict | str``): pydantic takes either, the check reads it.
    assert config_quick.build(ZendeskOptions, {"status_map": {"on-hold": "Pending"}}) is None
    table = _options("zendesk", {"status_map": {"on-hold": "Pending"}})
    assert table.status_map == {"on_hold": "pending"}


def test_gleap_checks_run_on_either_path() -> None:
    options = _options("gleap", {**GLEAP, "project": " 64f0ab ", "types": "  "})
    assert options.base_url == "https://gleap.acme.example/v3"  # no trailing slash
    assert options.project == "64f0ab" and options.types is None and options.missing() == []
    env = {
        "TRIAGE_GLEAP_STATUS_MAP": "pending=IN_PROGRESS",
        "TRIAGE_GLEAP_ESCALATION_PRIORITY": "high",
        "TRIAGE_GLEAP_API_KEY": "",
    }
    converted = _options("gleap", {}, env)
    assert isinstance(converted, GleapOptions)
    # Gleap's status ids keep their case (they are per project).
    assert converted.statuses["pending"] == "IN_PROGRESS"
    assert converted.escalation_priority is Priority.HIGH and converted.api_key is None
    assert converted.missing() == ["TRIAGE_GLEAP_API_KEY", "TRIAGE_GLEAP_PROJECT"]


#: Environments and the names their files had while the options were pydantic models
#: (before 2026-12-07): the cache, outbox and drafts are named from the options' dump.
KEYS_BEFORE = [
    (
        {
            "TRIAGE_ADAPTER": "zendesk",
            "TRIAGE_ZENDESK_BASE_URL": "http://127.0.0.1:9",
            "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
            "TRIAGE_ZENDESK_TOKEN": "zd-token-123",
        },
        "default.zendesk.f91c7a7f47",
    ),
    (
        {
            "TRIAGE_ADAPTER": "zendesk",
            "TRIAGE_ZENDESK_SUBDOMAIN": " acme ",
            "TRIAGE_ZENDESK_OAUTH_TOKEN": "x",
            "TRIAGE_ZENDESK_VIEW_ID": "360001",
            "TRIAGE_ZENDESK_STATUS_MAP": "on-hold=pending",
            "TRIAGE_ZENDESK_ESCALATION_PRIORITY": "urgent",
            "TRIAGE_ZENDESK_TIMEOUT": "30",
            "TRIAGE_ZENDESK_PAGE_SIZE": "50",
            "TRIAGE_ZENDESK_SAFE_UPDATE": "false",
            "TRIAGE_ZENDESK_SEARCH": "  ",
            "TRIAGE_ZENDESK_LOCALE": "de",
        },
        "default.zendesk.39154fb7d7",
    ),
    (
        {
            "TRIAGE_ADAPTER": "gleap",
            "TRIAGE_GLEAP_BASE_URL": "http://127.0.0.1:9/v3/",
            "TRIAGE_GLEAP_API_KEY": "gl-key-1",
            "TRIAGE_GLEAP_PROJECT": "proj-1",
        },
        "default.gleap.aadd811365",
    ),
    (
        {
            "TRIAGE_ADAPTER": "gleap",
            "TRIAGE_GLEAP_API_KEY": "k",
            "TRIAGE_GLEAP_PROJECT": " p2 ",
            "TRIAGE_GLEAP_TYPES": "INQUIRY",
            "TRIAGE_GLEAP_STATUS_MAP": "pending=IN_PROGRESS",
            "TRIAGE_GLEAP_ESCALATION_PRIORITY": "high",
            "TRIAGE_GLEAP_PAGE_SIZE": "500",
            "TRIAGE_GLEAP_TIMEOUT": "30",
            "TRIAGE_GLEAP_LANG": "de",
        },
        "default.gleap.7c1a1a2209",
    ),
]


@pytest.mark.parametrize(("env", "key"), KEYS_BEFORE)
def test_a_helpdesk_keeps_its_files_across_the_change_to_dataclasses(
    env: dict[str, str], key: str
) -> None:
    ctx = session.resolve(environ=env, config=AppConfig())
    assert session.helpdesk_key(ctx) == key
    # A new credential is the same helpdesk.
    rotated = {k: "new" if k.endswith(("TOKEN", "API_KEY")) else v for k, v in env.items()}
    assert session.helpdesk_key(session.resolve(environ=rotated, config=AppConfig())) == key


def test_the_dump_names_every_option_as_before() -> None:
    ctx = session.resolve(environ=KEYS_BEFORE[1][0], config=AppConfig())
    dumped = config.to_json(ctx.adapter_options)
    assert json.dumps(dumped, sort_keys=True) == json.dumps(
        {
            "account_value_field": "account_value",
            "base_url": None,
            "email": None,
            "escalation_group": None,
            "escalation_priority": "urgent",
            "escalation_tag": "escalated",
            "locale": "de",
            "oauth_token": "**********",
            "page_size": 50,
            "safe_update": False,
            "search": None,
            "status_map": {"on_hold": "pending"},
            "subdomain": "acme",
            "tier_field": "tier",
            "timeout": 30.0,
            "token": None,
            "view_id": 360001,
            "vip_tag": "vip",
        },
        sort_keys=True,
    )
