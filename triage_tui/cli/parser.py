"""The ``triage`` parser, generated from the command table (``cli.commands``).

The texts every help shares live here: the environment, the exit codes, the
examples. Only the standard library is imported: ``triage --help`` and usage
errors never pay for pydantic, an adapter or Textual. The list of installed
adapters is looked up only when a help text is actually printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Collection, Sequence
from typing import NoReturn

from triage_tui import __version__
from triage_tui.cli.commands import (
    COMMANDS,
    CONSOLE_ONLY,
    CONSOLE_OPTIONS,
    FIRST_WORDS,
    JSON,
    SELECTION,
    Command,
    Flag,
    group,
)

ENVIRONMENT = """\
environment:
  TRIAGE_PROFILE            profile to use (like --profile)
  TRIAGE_ADAPTER            adapter to use (like --adapter)
  TRIAGE_<ADAPTER>_<OPTION> an adapter option, e.g. TRIAGE_LOCAL_DB=/tmp/x.db;
                            the place for secrets such as TRIAGE_ZENDESK_TOKEN
  TRIAGE_CONFIG             the config file (like --config)
  TRIAGE_CONFIG_DIR         directory of config.toml, templates/ and themes/
  TRIAGE_DATA_DIR           directory of the local helpdesk (helpdesk.db)
  TRIAGE_DEBUG=1            show the traceback of an unexpected error
  NO_COLOR                  no colour in the console or in verb output"""

EXIT_CODES = """\
exit codes:
  0    success
  1    the helpdesk reported an error
  2    usage error, invalid input, invalid config, unsupported by this helpdesk
  3    ticket, person or article not found
  4    authentication or permission problem
  5    helpdesk unreachable, locked or rate limited
  6    conflict: the ticket changed meanwhile
  7    a safeguard blocks the reply (reply-ticket --send-anyway overrides it)
  70   unexpected internal error (re-run with TRIAGE_DEBUG=1)
  130  interrupted (Ctrl-C)
errors are one line on stderr: "triage: error: <message>\""""

EXAMPLES = """\
examples:
  triage demo && triage                  demo data, then the console
  triage sweep "priority:high age:<4h"   plan, then a sweep: one key per decision
  triage queue --limit 10                what breaches next
  triage queue --filter "sla:<90m -vip"  the console's filter language (or --view NAME)
  triage get-ticket 1042 --json | jq .ticket.subject
  triage get-user dana@example.com --tickets
  triage search-kb "export fails large file"
  triage reply-ticket 1042 "Hi Dana, …"  (or "-" to read the text from stdin)
  triage close-ticket 1042 --note "Resolved: re-sent the invoice"
  triage update-ticket 1042 --status pending
  triage escalate-ticket 1042 --reason billing/refund --priority high
  triage outbox                          every recent write; outbox retry|cancel ID"""

SEE_MAIN_HELP = (
    "profiles, adapters and environment variables (TRIAGE_PROFILE, TRIAGE_ADAPTER,\n"
    "TRIAGE_<ADAPTER>_<OPTION>, TRIAGE_CONFIG, NO_COLOR…): see `triage --help`."
)

TICKET_KEYS = (
    "a ticket object is the domain Ticket (id, subject, status, priority, requester{…},\n"
    "organization{…}|null, assignee, group, tags[], channel, created_at, updated_at,\n"
    "sla[{metric,due_at,stage}], version, excerpt) plus sla_state (breached|at_risk|ok|\n"
    "paused|none), sla_metric, sla_due_at and sla_seconds_left (negative once breached)."
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose epilog may be computed when help is shown.

    Why: the installed adapters are listed in ``--help``, and looking them up
    scans package metadata; verbs should not pay for that on every run.
    """

    def __init__(
        self, *args: object, epilog_factory: Callable[[], str] | None = None, **kwargs: object
    ) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.epilog_factory = epilog_factory

    def format_help(self) -> str:
        if self.epilog_factory is not None:
            self.epilog = self.epilog_factory()
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        """A usage error is one line, like every other error (not argparse's usage block)."""
        self.exit(2, f"triage: error: {message} (see `{self.prog} --help`)\n")


def _adapters_text() -> str:
    from triage_tui.adapters import registry

    names = ", ".join(registry.available()) or "none"
    return f"installed adapters: {names} (default: {registry.DEFAULT_ADAPTER})"


def _main_epilog() -> str:
    return f"{EXAMPLES}\n\n{_adapters_text()}\n\n{ENVIRONMENT}\n\n{EXIT_CODES}"


def _epilog(command: Command) -> str:
    parts = [command.notes] if command.notes else []
    if command.json is not None:
        parts.append(f"--json prints: {command.json}")
        # A full ticket object somewhere in the shape ("ticket_id" and a key
        # named "ticket:" with its own fields, like watch's, are not one).
        if re.search(r"\bticket\b(?!:)", command.json):
            parts.append(TICKET_KEYS)
    parts += [EXIT_CODES, SEE_MAIN_HELP]
    return "\n\n".join(parts)


def build_parser(only: Collection[str] | None = None) -> Parser:
    """The command tree; ``args.command`` names the command (None: the console).

    ``only`` limits the tree to the commands starting with these words (``()``:
    the console's options alone); a command's own parser is the same either way.
    """
    parser = _top_level()
    if only is not None and not only:
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    groups: dict[str, argparse._SubParsersAction[Parser]] = {}
    for command in COMMANDS:
        first = command.words[0]
        if only is not None and first not in only:
            continue
        parent = group(first)
        if parent is None:
            _add_command(sub, command.name, command)
            continue
        if first not in groups:
            node = sub.add_parser(
                parent.name,
                help=parent.help,
                description=parent.description,
                epilog=parent.notes or None,
            )
            groups[first] = node.add_subparsers(
                dest=parent.dest, metavar="SUBCOMMAND", title="subcommands", required=True
            )
        _add_command(groups[first], command.words[1], command)
    return parser


def _add_command(sub: argparse._SubParsersAction[Parser], name: str, command: Command) -> None:
    p = sub.add_parser(
        name,
        help=command.help,
        description=command.description or command.help,
        epilog=_epilog(command),
    )
    for option in command.shared:
        option.add(p, after_command=True)
    command.arguments(p)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``build_parser().parse_args(argv)``, building only the parsers ``argv`` names.

    Building every command's parser costs ~10 ms of a start. When ``argv`` is
    the console's own options, spelled out, each with a value that is not an
    option, perhaps followed by a command, the top-level parser with that one
    command (or none) gives the same namespace and the same messages
    (``tests/cli/test_parser_start_up.py``); anything else — help before a
    command, an abbreviation, a mistake — goes to the whole tree.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    return build_parser(only=_named(args)).parse_args(args)


def _named(args: list[str]) -> tuple[str, ...] | None:
    """``()`` for a plain console start, ``(word,)`` when a command follows the
    console's options, None (the whole tree) for anything else."""
    takes_value = {o.flag for o in CONSOLE_OPTIONS if o.metavar is not None}
    flags = {o.flag for o in CONSOLE_OPTIONS if o.metavar is None}
    waiting_for_value = False
    for token in args:
        if waiting_for_value:
            if token.startswith("-"):
                return None
            waiting_for_value = False
        elif token.partition("=")[0] in takes_value:
            waiting_for_value = "=" not in token
        elif token in FIRST_WORDS:
            return (token,)
        elif token not in flags:
            return None
    return None if waiting_for_value else ()


def _top_level() -> Parser:
    """The console's parser: the options before any command."""
    parser = Parser(
        prog="triage",
        description=(
            "Triage a helpdesk queue by SLA from the terminal.\n\n"
            "Without a command, opens the console (queue, ticket detail, KB suggestions,\n"
            "escalation rules, a reply draft; Send / Edit / Escalate / Skip).\n"
            "The commands below are scriptable verbs for scripts and AI agents: they\n"
            "never start the UI, print aligned text, or JSON with --json."
        ),
        epilog_factory=_main_epilog,
    )
    parser.set_defaults(command=None)  # what the commands' ``dest`` gives without one
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    selection = parser.add_argument_group("helpdesk selection (every command)")
    for option in SELECTION:
        option.add(selection)
    for option in CONSOLE_ONLY:
        option.add(parser)
    JSON.add(parser, hidden=True)  # "triage --json queue" as well as "triage queue --json"
    return parser


def synopsis(command: Command) -> str:
    """``triage NAME ARGS`` without the options every command shares, on one line."""
    p = Parser(
        prog=f"triage {command.name}",
        add_help=False,
        formatter_class=lambda prog: argparse.HelpFormatter(prog, width=1_000),
    )
    command.arguments(p)
    return p.format_usage().removeprefix("usage: ").strip()


def markdown_commands() -> str:
    """The command list of docs/verbs.md (``tests/cli/test_commands.py`` keeps it current)."""
    lines = ["| command | what it does | effect |", "| --- | --- | --- |"]
    for command in COMMANDS:
        effect = _effect(command.flags)
        usage = synopsis(command).replace("|", "\\|")
        lines.append(f"| `{usage}` | {command.help} | {effect} |")
    return "\n".join(lines)


def _effect(flags: frozenset[Flag]) -> str:
    if Flag.CONSOLE in flags:
        return "opens the console"
    verb = "writes" if Flag.WRITES in flags else "reads"
    if Flag.HELPDESK in flags:
        return f"{verb} the helpdesk"
    if Flag.LOCAL in flags:
        return f"{verb} the local helpdesk"
    return f"{verb} the config"
