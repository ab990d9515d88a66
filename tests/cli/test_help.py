"""``--help`` at every level answers the questions a user (or an agent) has."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Runner
from triage_tui import __version__

VERBS = [
    "queue",
    "create-ticket",
    "get-ticket",
    "get-user",
    "search-kb",
    "reply-ticket",
    "close-ticket",
    "update-ticket",
    "escalate-ticket",
]


def test_main_help_lists_commands_env_adapters_examples_and_exit_codes(run: Runner) -> None:
    result = run("--help")
    assert result.code == 0
    text = result.out
    for word in [*VERBS, "demo", "kb", "config"]:
        assert word in text
    for env in (
        "TRIAGE_PROFILE",
        "TRIAGE_ADAPTER",
        "TRIAGE_<ADAPTER>_<OPTION>",
        "TRIAGE_CONFIG",
        "TRIAGE_CONFIG_DIR",
        "TRIAGE_DATA_DIR",
        "NO_COLOR",
        "TRIAGE_DEBUG",
    ):
        assert env in text
    installed = text.split("installed adapters: ", 1)[1].split("\n", 1)[0]
    assert {"local", "zendesk", "gleap"} <= set(installed.split(" (")[0].split(", "))
    assert "examples:" in text and "exit codes:" in text and "130" in text
    for option in ("--profile", "--adapter", "--db", "--config", "--version", "--theme"):
        assert option in text


@pytest.mark.parametrize("verb", VERBS)
def test_each_verb_documents_its_json_and_exit_codes(run: Runner, verb: str) -> None:
    result = run(verb, "--help")
    assert result.code == 0
    assert "--json prints: {" in result.out
    assert "--db" in result.out and "exit codes:" in result.out


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--help"],
        ["kb", "--help"],
        ["kb", "import", "--help"],
        ["config", "--help"],
        ["config", "init", "--help"],
        ["config", "show", "--help"],
    ],
)
def test_other_commands_have_help(run: Runner, argv: list[str]) -> None:
    result = run(*argv)
    assert result.code == 0 and len(result.out.splitlines()) > 3


def test_version(run: Runner) -> None:
    result = run("--version")
    assert result.code == 0 and result.out.strip() == f"triage {__version__}"


def test_kb_and_config_need_a_subcommand(run: Runner) -> None:
    assert run("kb").code == 2
    assert run("config").code == 2
