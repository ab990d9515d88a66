"""The ``zendesk`` options: a dataclass built without pydantic from plain input, by
pydantic from anything else, the same either way; its secrets never shown.

Why a dataclass: a console starting from its offline cache needs them before its
first screen (``tests/cli/test_start_up_imports.py``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from pydantic import TypeAdapter

from triage_tui import config, config_quick, session
from triage_tui.adapters.secret import Secret
from triage_tui.adapters.zendesk import ZendeskOptions
from triage_tui.config import AppConfig, Profile, adapter_options
from triage_tui.domain.enums import Priority
from triage_tui.domain.errors import ConfigError

PLAIN = {"base_url": "https://support.acme.example", "email": "sam@acme.example", "token": "t-1"}


def _options(values: dict[str, Any], env: dict[str, str] | None = None) -> ZendeskOptions:
    options = adapter_options("zendesk", ZendeskOptions, Profile(options=values), env or {})
    assert isinstance(options, ZendeskOptions)
    return options


@pytest.mark.parametrize(
    "values",
    [
        {},
        PLAIN,
        {**PLAIN, "view_id": 360001, "page_size": 50, "timeout": 30, "safe_update": False},
        {"subdomain": " acme ", "oauth_token": "o-1", "search": "  ", "locale": "de"},
        {**PLAIN, "token": "  ", "escalation_tag": None, "tier_field": "plan"},
        # The environment's text: a view's id in plain digits is read without pydantic too.
        {**PLAIN, "view_id": "360001", "page_size": "25"},
    ],
)
def test_plain_input_is_built_without_pydantic_into_what_pydantic_makes(
    values: dict[str, Any],
) -> None:
    quick = config_quick.build(ZendeskOptions, dict(values))
    validated = TypeAdapter(ZendeskOptions).validate_python(dict(values))
    assert quick is not None
    assert quick == validated
    assert config_quick.dump(quick) == TypeAdapter(ZendeskOptions).dump_python(
        validated, mode="json"
    )


def test_the_checks_run_on_either_path() -> None:
    options = _options({"subdomain": " acme ", "token": " ", "search": "", "page_size": 7})
    assert options.subdomain == "acme" and options.token is None and options.search is None
    assert options.account_url == "https://acme.zendesk.com" and options.page_size == 7
    assert options.missing() == [
        "TRIAGE_ZENDESK_EMAIL + TRIAGE_ZENDESK_TOKEN (or TRIAGE_ZENDESK_OAUTH_TOKEN)"
    ]
    # From the environment every value is text: pydantic converts it, the same checks follow.
    env = {
        "TRIAGE_ZENDESK_SUBDOMAIN": " acme ",
        "TRIAGE_ZENDESK_VIEW_ID": "360001",
        "TRIAGE_ZENDESK_PAGE_SIZE": "7",
        "TRIAGE_ZENDESK_TIMEOUT": "2.5",
        "TRIAGE_ZENDESK_STATUS_MAP": "on hold=Pending",
        "TRIAGE_ZENDESK_ESCALATION_PRIORITY": "urgent",
        "TRIAGE_ZENDESK_OAUTH_TOKEN": "o-1",
    }
    converted = _options({}, env)
    assert converted.subdomain == "acme" and converted.view_id == 360001
    assert converted.page_size == 7 and converted.timeout == 2.5
    assert converted.statuses["on_hold"] == "pending"
    assert converted.escalation_priority is Priority.URGENT
    assert converted.oauth_token == Secret("o-1")
    # A table or text (``dict | str``): pydantic takes either, the check reads it.
    assert config_quick.build(ZendeskOptions, {"status_map": {"on-hold": "Pending"}}) is None
    assert _options({"status_map": {"on-hold": "Pending"}}).status_map == {"on_hold": "pending"}


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"page_size": 500}, "options: page_size must be 1 to 100, not 500"),
        ({"page_size": "0"}, "options: page_size must be 1 to 100, not 0"),
        ({"timeout": math.inf}, "options: timeout must be more than 0 and at most 3600"),
        ({"timeout": "1e400"}, "options: timeout must be more than 0 and at most 3600"),
        ({"timeout": -1}, "options: timeout must be more than 0"),
        ({"base_url": "support.acme.example"}, "options: base_url must start with https://"),
        ({"status_map": "wat=open"}, "options: status_map: unknown status 'wat'"),
        ({"status_map": '{"open": 5}'}, "options: status_map must map statuses"),
        ({"status_map": "{not json"}, "status_map"),
        ({"view_id": "my view"}, "option view_id: "),
        ({"colour": "red"}, "option colour: unknown key"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_option(values: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _options(values)
    message = str(caught.value)
    assert message.startswith("adapter 'zendesk' option")
    assert needle in message and "\n" not in message


def test_a_secret_is_never_shown_and_is_sent_as_given() -> None:
    options = _options(PLAIN)
    assert isinstance(options.token, Secret)
    assert options.token.get_secret_value() == "t-1"
    for shown in (repr(options), str(options.token), repr(options.token)):
        assert "t-1" not in shown
    assert "**********" in repr(options)
    assert config.to_json(options)["token"] == "**********"
    assert config.to_json(_options({"token": ""}))["token"] is None  # blank is "not set"
    # Built in code (tests, scripts) from text: still a Secret.
    direct = ZendeskOptions(token="t-2")  # type: ignore[arg-type]
    assert direct.token == Secret("t-2") and "t-2" not in repr(direct)
    assert dataclasses.replace(direct, token=Secret("t-3")).token == Secret("t-3")


def test_a_helpdesk_keeps_its_files_across_the_change_to_a_dataclass() -> None:
    """The cache, outbox and drafts are named from the options' dump: the names these
    options had as a pydantic model (before 2026-12-07) are still theirs."""
    env = {
        "TRIAGE_ADAPTER": "zendesk",
        "TRIAGE_ZENDESK_BASE_URL": "http://127.0.0.1:9",
        "TRIAGE_ZENDESK_EMAIL": "sam@triage.example",
        "TRIAGE_ZENDESK_TOKEN": "zd-token-123",
    }
    ctx = session.resolve(environ=env, config=AppConfig())
    assert session.helpdesk_key(ctx) == "default.zendesk.f91c7a7f47"
    rotated = session.resolve(environ={**env, "TRIAGE_ZENDESK_TOKEN": "new"}, config=AppConfig())
    assert session.helpdesk_key(rotated) == session.helpdesk_key(ctx)
    converted = {
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
    }
    ctx = session.resolve(environ=converted, config=AppConfig())
    assert session.helpdesk_key(ctx) == "default.zendesk.39154fb7d7"
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
