"""Building the command tree looks each of argparse's messages up once (start-up cost)."""

from __future__ import annotations

import argparse
from collections import Counter

import pytest

from triage_tui.cli import parser as cli_parser
from triage_tui.cli.parser import build_parser


def test_each_argparse_message_is_translated_once_and_argparse_is_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: Counter[str] = Counter()

    def translate(message: str) -> str:
        looked_up[message] += 1  # gettext searches the locale directories on disk per call
        return message

    monkeypatch.setattr(argparse, "_", translate)
    build_parser()
    assert looked_up, "argparse no longer translates its messages while building: drop the cache"
    assert max(looked_up.values()) == 1
    assert argparse._ is translate  # type: ignore[attr-defined]


def test_the_parser_still_reads_the_console_options() -> None:
    args = build_parser().parse_args(["--db", "/tmp/x.db", "--view", "mine"])
    assert (args.command, args.db, args.view) == (None, "/tmp/x.db", "mine")


CONSOLE_STARTS = [
    [],
    ["--db", "/tmp/x.db"],
    ["--db=/tmp/x.db", "--view", "mine", "--theme", "triage-ansi"],
    ["--profile", "work", "--adapter", "zendesk", "--config", "c.toml", "--json"],
    ["--db", "a.db", "--db", "b.db"],
]


@pytest.mark.parametrize("argv", CONSOLE_STARTS)
def test_a_plain_console_start_parses_as_the_whole_tree_would_without_building_it(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = build_parser().parse_args(argv)

    def no_tree() -> None:
        raise AssertionError("the command tree was built for a plain console start")

    monkeypatch.setattr(cli_parser, "_command_tree", no_tree)
    assert cli_parser.parse_args(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["queue"],  # a command
        ["--db", "x.db", "queue", "--limit", "3"],
        ["--pro", "work"],  # an abbreviation argparse accepts
        ["--db", "--json"],  # a missing value: the whole tree's message
        ["--db"],
        ["-h"],
        ["--version"],
        ["stray"],
    ],
)
def test_anything_else_goes_to_the_whole_tree(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def outcome(parse: object) -> tuple[object, str, str]:
        try:
            result: object = parse(argv)  # type: ignore[operator]
        except SystemExit as exc:
            result = ("exit", exc.code)
        captured = capsys.readouterr()
        return result, captured.out, captured.err

    expected = outcome(lambda a: build_parser().parse_args(a))
    built: list[bool] = []
    tree = cli_parser._command_tree

    def counting_tree() -> cli_parser.Parser:
        built.append(True)
        return tree()

    monkeypatch.setattr(cli_parser, "_command_tree", counting_tree)
    assert outcome(cli_parser.parse_args) == expected
    assert built == [True]
