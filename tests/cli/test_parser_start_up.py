"""A start builds only the parsers its arguments name (start-up cost), as the whole tree would."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection

import pytest

from triage_tui.cli import parser as cli_parser
from triage_tui.cli.commands import COMMANDS, FIRST_WORDS
from triage_tui.cli.parser import build_parser


def test_argparse_is_used_as_it_comes() -> None:
    translate = argparse._  # type: ignore[attr-defined]
    build_parser()
    cli_parser.parse_args(["queue"])
    assert argparse._ is translate  # type: ignore[attr-defined]


def test_the_parser_still_reads_the_console_options() -> None:
    args = build_parser().parse_args(["--db", "/tmp/x.db", "--view", "mine"])
    assert (args.command, args.db, args.view) == (None, "/tmp/x.db", "mine")


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[Collection[str] | None]:
    built: list[Collection[str] | None] = []
    whole = cli_parser.build_parser

    def recording(only: Collection[str] | None = None) -> cli_parser.Parser:
        built.append(None if only is None else tuple(only))
        return whole(only)

    monkeypatch.setattr(cli_parser, "build_parser", recording)
    return built


def _outcome(
    parse: Callable[[list[str]], argparse.Namespace],
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
) -> tuple[object, str, str]:
    try:
        result: object = parse(argv)
    except SystemExit as exc:
        result = ("exit", exc.code)
    captured = capsys.readouterr()
    return result, captured.out, captured.err


CONSOLE_STARTS = [
    [],
    ["--db", "/tmp/x.db"],
    ["--db=/tmp/x.db", "--view", "mine", "--theme", "triage-ansi"],
    ["--profile", "work", "--adapter", "zendesk", "--config", "c.toml", "--json"],
    ["--db", "a.db", "--db", "b.db"],
    ["--profile", "queue"],  # a value, not the command
]


@pytest.mark.parametrize("argv", CONSOLE_STARTS)
def test_a_plain_console_start_parses_as_the_whole_tree_would_without_building_it(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = build_parser().parse_args(argv)
    built = _recording(monkeypatch)
    assert cli_parser.parse_args(argv) == expected
    assert built == [()]


#: Each command with the arguments it needs, then a few ways to get it wrong.
COMMAND_STARTS = [
    {
        "queue": ["queue"],
        "get-ticket": ["get-ticket", "12"],
        "get-user": ["get-user", "dana@example.com", "--tickets"],
        "search-kb": ["search-kb", "export"],
        "reply-ticket": ["reply-ticket", "12", "-"],
        "close-ticket": ["close-ticket", "12", "--note", "done"],
        "update-ticket": ["update-ticket", "12", "--add-tag", "a", "--add-tag", "b"],
        "escalate-ticket": ["escalate-ticket", "12", "--reason", "billing"],
        "create-ticket": ["create-ticket", "--subject", "s", "--body", "b", "--requester", "r@x"],
        "report": ["report", "--since", "2h", "--markdown"],
        "events": ["events"],
        "changes": ["changes", "--since", "7", "--follow"],
        "watch": ["watch", "--once", "--json"],
        "outbox": ["outbox", "retry", "3f2a9c1e", "--json"],
        "mcp": ["mcp", "--allow-writes", "--client", "bot"],
        "hooks list": ["hooks", "list", "--json"],
        "hooks test": ["hooks", "test", "ticket.created", "--ticket", "12"],
        "hooks log": ["hooks", "log", "--since", "2h"],
        "csat": ["csat", "12", "--score", "5"],
        "proposals": ["proposals", "--json"],
        "approve": ["approve", "3f2a9c1e", "--status", "solved"],
        "reject": ["reject", "3f2a9c1e", "--reason", "no"],
        "plan": ["plan", "12", "--no-similar"],
        "sweep": ["sweep", "breached"],
        "doctor": ["doctor", "--json"],
        "keys": ["keys", "--json"],
        "demo": ["demo", "--tickets", "5"],
        "kb import": ["kb", "import", "docs"],
        "config path": ["config", "path"],
        "config init": ["config", "init", "--force"],
        "config show": ["config", "show", "--json"],
    }[command.name]
    for command in COMMANDS
] + [
    ["--db", "x.db", "queue", "--limit", "3"],
    ["--json", "queue", "--db", "y.db"],
    ["queue", "--limit", "x"],  # the command's own usage error
    ["queue", "stray"],  # unrecognized: the top level's error
    ["get-ticket"],
    ["get-ticket", "--help"],
    ["kb"],
    ["config", "nope"],
    ["config", "show", "--help"],
]


@pytest.mark.parametrize("argv", COMMAND_STARTS, ids=" ".join)
def test_a_command_start_builds_only_its_command_and_parses_as_the_whole_tree_would(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _outcome(lambda a: build_parser().parse_args(a), argv, capsys)
    built = _recording(monkeypatch)
    assert _outcome(cli_parser.parse_args, argv, capsys) == expected
    first = next(token for token in argv if token in FIRST_WORDS)
    assert built == [(first,)]


@pytest.mark.parametrize(
    "argv",
    [
        ["--pro", "work"],  # an abbreviation argparse accepts
        ["--db", "--json"],  # a missing value: the whole tree's message
        ["--db"],
        ["-h"],
        ["--help", "queue"],
        ["--version"],
        ["stray"],
        ["quue"],
        ["--json=1"],
    ],
)
def test_anything_else_goes_to_the_whole_tree(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _outcome(lambda a: build_parser().parse_args(a), argv, capsys)
    built = _recording(monkeypatch)
    assert _outcome(cli_parser.parse_args, argv, capsys) == expected
    assert built == [None]
