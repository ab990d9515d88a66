"""The table of commands is the whole command line: parser, dispatch, help and docs come from it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_parser_start_up import COMMAND_STARTS
from triage_tui.cli import commands
from triage_tui.cli.commands import COMMANDS, Command
from triage_tui.cli.parser import build_parser, markdown_commands
from triage_tui.cli.run import Invocation

DOCS = Path(__file__).resolve().parents[2] / "docs" / "verbs.md"


def test_each_command_is_named_once() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))


def test_every_command_is_listed_in_the_main_help(run: Runner) -> None:
    text = run("--help").out
    listed = text.split("commands:", 1)[1].split("examples:", 1)[0]
    flat = " ".join(listed.split())
    for command in COMMANDS:
        first = command.words[0]
        assert re.search(rf"^    {re.escape(first)}\s", listed, re.MULTILINE), first
        if first == command.name:
            assert f"{first} {' '.join(command.help.split())}" in flat


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_a_parser_whose_help_shows_its_json_shape(
    run: Runner, command: Command
) -> None:
    result = run(*command.words, "--help")
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert f"usage: triage {command.name}" in text
    assert " ".join((command.description or command.help).split()) in text
    assert "exit codes:" in text
    if command.json is None:
        assert "--json" not in result.out  # a command without a shape refuses --json
        assert run(*command.words, "--json").code == 2
    else:
        assert f"--json prints: {' '.join(command.json.split())}" in text
    assert ("--db PATH" in result.out) == command.db


@pytest.mark.parametrize("argv", COMMAND_STARTS[: len(COMMANDS)], ids=" ".join)
def test_every_command_dispatches_to_its_own_handler(
    run: Runner, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[tuple[str, Invocation]] = []

    def recorder(command: Command) -> Command:
        def handler(inv: Invocation) -> int:
            called.append((command.name, inv))
            return 0

        return dataclasses.replace(command, handler=handler)

    monkeypatch.setattr(commands, "COMMANDS", tuple(recorder(c) for c in COMMANDS))
    result = run(*argv)
    assert result.code == 0, result.err
    [(name, inv)] = called
    assert argv[: len(name.split())] == name.split()
    assert inv.args == build_parser().parse_args(argv)


def test_the_docs_list_every_command_as_the_table_says() -> None:
    text = DOCS.read_text(encoding="utf-8")
    begin = text.index("-->\n", text.index("<!-- commands:")) + len("-->\n")
    listed = text[begin : text.index("<!-- /commands -->")].strip()
    assert listed == markdown_commands(), (
        "docs/verbs.md's command list is out of date; replace it with the output of\n"
        "  python -c 'from triage_tui.cli.parser import markdown_commands as m; print(m())'"
    )
    for command in COMMANDS:
        assert f"| `triage {command.name}" in listed
