"""The ``triage`` command line: every command, option and help text.

Kept apart from ``cli`` (dispatch) so the help reads as one document. Only the
standard library is imported here: ``triage --help`` and usage errors never pay
for pydantic, an adapter or Textual. The list of installed adapters is looked up
only when a help text is actually printed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from collections.abc import Callable, Iterator, Sequence

from triage_tui import __version__

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
  70   unexpected internal error (re-run with TRIAGE_DEBUG=1)
  130  interrupted (Ctrl-C)
errors are one line on stderr: "triage: error: <message>\""""

EXAMPLES = """\
examples:
  triage demo && triage                  demo data, then the console
  triage sweep "priority:high age:<4h"   plan, then a sweep: one key per decision
  triage queue --limit 10                what breaches next
  triage get-ticket 1042 --json | jq .ticket.subject
  triage get-user dana@example.com --tickets
  triage search-kb "export fails large file"
  triage reply-ticket 1042 "Hi Dana, …"  (or "-" to read the text from stdin)
  triage close-ticket 1042 --note "Resolved: re-sent the invoice"
  triage update-ticket 1042 --status pending
  triage escalate-ticket 1042 --reason billing/refund --priority high"""

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

#: The ``--json`` shape of each command, shown in its ``--help``.
JSON_SHAPES = {
    "queue": '{"generated_at", "total", "count", "tickets": [ticket…]}',
    "create-ticket": '{"ticket": ticket, "confirmation"}',
    "get-ticket": '{"ticket": ticket, "messages": [{id, ticket_id, author, author_email,'
    " role: customer|agent|system, public, body, created_at}]}",
    "get-user": '{"person": {id, name, email, first_name, tier, account_value, created_at,'
    ' organization_id}, "organization", "ticket_count", "returning",'
    ' "tickets": [ticket…] | null without --tickets}',
    "search-kb": '{"query", "count", "articles": [{id, title, body, url, section,'
    " score: 0-100|null, matched_terms: [words]}]}",
    "reply-ticket": '{"ticket_id", "requester": person, "message": message, "confirmation"}',
    "close-ticket": '{"ticket": ticket, "note": message|null, "confirmation"}',
    "update-ticket": '{"ticket": ticket, "changes": {status?, priority?, assignee?, group?,'
    ' tags?: {add, remove}}, "confirmation"}',
    "escalate-ticket": '{"ticket": ticket, "escalation": {reason, note, priority, group, tags},'
    ' "confirmation"}',
    "report": '{"since", "until", "events", "tickets_triaged", "triaged": [id], "replies_sent",'
    ' "escalations": [{ticket_id, reason, at}], "skipped": [id], "notes", "sla_breaches": [id],'
    ' "breaches_avoided": [{ticket_id, seconds_to_spare}], "median_handle_seconds"|null,'
    ' "handle_samples", "follow_ups": [task], "sweeps", "bulk_batches", "drafts"}',
    "events": '{"since", "count", "events": [{id, name, at, ticket_id, actor, payload}]}',
    "plan": '{"ticket_id", "subject", "generated_at", "kind", "goal", "urgency": {level, score,'
    ' reasons}, "owner", "route", "checks", "stages": [{context_id, title, responsibility,'
    ' items: [{label, text, points}]}], "follow_ups", "recorded"?}',
    "demo": '{"db", "seconds", …the generator\'s summary counts}',
    "kb import": '{"db", "directory", "imported", "updated", "unchanged", "skipped",'
    ' "skipped_files": [{file, reason}]}',
    "config show": '{"config_file", "exists", "profile", "adapter", "options", "db", "theme",'
    ' "config"}',
    "doctor": '{"ok", "checks": [{name, state: ok|fail|skip, detail, hint}]}',
}


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


def _adapters_text() -> str:
    from triage_tui.adapters import registry

    names = ", ".join(registry.available()) or "none"
    return f"installed adapters: {names} (default: {registry.DEFAULT_ADAPTER})"


def _main_epilog() -> str:
    return f"{EXAMPLES}\n\n{_adapters_text()}\n\n{ENVIRONMENT}\n\n{EXIT_CODES}"


def _verb_epilog(name: str, extra: str = "") -> Callable[[], str]:
    def factory() -> str:
        parts = [extra] if extra else []
        parts.append(f"--json prints: {JSON_SHAPES[name]}")
        if "ticket" in JSON_SHAPES[name].replace("ticket_id", ""):
            parts.append(TICKET_KEYS)
        parts.append(EXIT_CODES)
        parts.append(SEE_MAIN_HELP)
        return "\n\n".join(parts)

    return factory


@contextlib.contextmanager
def _messages_translated_once() -> Iterator[None]:
    """argparse passes each of its own messages through gettext as options are
    added (74 times for this tree), and gettext searches the locale directories
    on disk on every call when no catalogue is installed. Translations do not
    change while a parser is built, so each message is looked up once, which
    halves building the parser on every start of the console and of every verb."""
    translate = argparse._  # type: ignore[attr-defined]
    argparse._ = functools.cache(translate)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = translate  # type: ignore[attr-defined]


def build_parser() -> Parser:
    """The whole command tree; ``args.command`` names the subcommand (None: console)."""
    with _messages_translated_once():
        return _command_tree()


#: The console's own options that take a value; with the ``--json`` flag, all a
#: plain console start (``triage --db x.db --view urgent``) is made of.
CONSOLE_VALUE_OPTIONS = frozenset({"--profile", "--adapter", "--db", "--config", "--theme", "--view"})


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``build_parser().parse_args(argv)``, without building the commands for a plain console start.

    Building the ~60 commands' parsers costs ~10 ms of a start. When
    ``argv`` is only the console's own options, spelled out, each with a value
    that is not an option, the top-level parser alone gives the same namespace
    (``tests/cli/test_parser_start_up.py``); anything else — a command, help,
    an abbreviation, a mistake — goes to the whole tree and its messages.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if _plain_console_start(args):
        with _messages_translated_once():
            return _top_level().parse_args(args)
    return build_parser().parse_args(args)


def _plain_console_start(args: list[str]) -> bool:
    waiting_for_value = False
    for token in args:
        if waiting_for_value:
            if token.startswith("-"):
                return False
            waiting_for_value = False
        elif token.partition("=")[0] in CONSOLE_VALUE_OPTIONS:
            waiting_for_value = "=" not in token
        elif token != "--json":
            return False
    return not waiting_for_value


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
    _add_context_options(parser)
    parser.add_argument(
        "--theme", metavar="NAME", help="console theme (default: the profile's theme)"
    )
    parser.add_argument(
        "--view", metavar="NAME", help="open the console on a named view from the config"
    )
    parser.add_argument("--json", action="store_true", default=False, help=argparse.SUPPRESS)
    return parser


def _command_tree() -> Parser:
    parser = _top_level()
    # Accepted after the subcommand too ("triage queue --db x --json").
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the local helpdesk's SQLite file (overrides the config)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print JSON for programs (shape below)",
    )

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def verb(name: str, help_text: str, extra: str = "") -> Parser:
        return sub.add_parser(  # type: ignore[no-any-return]
            name,
            help=help_text,
            description=help_text,
            parents=[common],
            epilog_factory=_verb_epilog(name, extra),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = verb(
        "queue",
        "list active tickets, soonest SLA breach first",
        "Markers: '!!' breached (countdown negative), '! ' under 1 h, '--' no SLA, '||' paused.",
    )
    p.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show N tickets; 0 for all (default 20)"
    )

    p = verb(
        "create-ticket",
        "create a ticket as a customer would (how tickets reach the local helpdesk)",
    )
    p.add_argument("--subject", required=True, help="the ticket subject")
    p.add_argument("--body", required=True, help="the customer's first message; '-' reads stdin")
    p.add_argument(
        "--requester", required=True, metavar="EMAIL", help="requester email (created if new)"
    )
    p.add_argument("--name", default="", help="requester name, for a new requester")
    p.add_argument("--priority", help="low, normal (default), high or urgent")
    p.add_argument("--channel", default="email", help="email (default), chat, web, phone, …")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")

    p = verb("get-ticket", "show one ticket with its conversation (workflow step 1)")
    p.add_argument("ticket_id", metavar="ID")

    p = verb("get-user", "show a requester: tier, organization, new or returning (step 2)")
    p.add_argument("person_id", metavar="ID", help="person id or email")
    p.add_argument("--tickets", action="store_true", help="also list their tickets, newest first")

    p = verb(
        "search-kb",
        "search the knowledge base (step 3)",
        "Ranked like the console's KB suggestions: typo tolerant, scored 0-100 (45+ is\n"
        "relevant enough to link), with the words that matched. A helpdesk that cannot\n"
        "list its KB answers with its own search instead (no scores).",
    )
    p.add_argument("words", help='keywords from the issue, e.g. "export fails large file"')
    p.add_argument(
        "--limit", type=int, default=5, metavar="N", help="at most N articles (default 5)"
    )

    p = verb("reply-ticket", "send a public reply to the requester (step 7)")
    p.add_argument("ticket_id", metavar="ID")
    p.add_argument("text", help="the reply; '-' reads it from stdin")

    p = verb("close-ticket", "record the resolution as an internal note, then set solved (step 8)")
    p.add_argument("ticket_id", metavar="ID")
    p.add_argument("--note", help='the resolution, e.g. "Resolved: re-sent the invoice"')

    p = verb(
        "update-ticket",
        "change status, priority, assignee, group or tags (step 8)",
        "Status accepts new, open, pending (also: in-progress), on-hold, solved, closed.\n"
        "Options the active helpdesk cannot apply are refused before anything is written.",
    )
    p.add_argument("ticket_id", metavar="ID")
    p.add_argument("--status", help="new, open, pending, on_hold, solved or closed")
    p.add_argument("--priority", help="low, normal, high or urgent")
    p.add_argument("--assignee", metavar="NAME", help="assign to NAME ('' to unassign)")
    p.add_argument("--group", help="move to a group")
    p.add_argument(
        "--add-tag", action="append", default=[], metavar="TAG", help="add a tag (repeatable)"
    )
    p.add_argument(
        "--remove-tag", action="append", default=[], metavar="TAG", help="remove a tag (repeatable)"
    )

    p = verb(
        "escalate-ticket",
        "escalate: an internal note with the reason, then priority/group/tags",
        "The five rules: the customer asked for a human; billing or refund; a bug affecting\n"
        "data integrity; a legal or compliance question; 3+ customer messages unresolved.",
    )
    p.add_argument("ticket_id", metavar="ID")
    p.add_argument("--reason", required=True, help='why, e.g. "billing/refund"')
    p.add_argument("--note", default="", help="more context for whoever takes it")
    p.add_argument("--priority", help="raise to this priority")
    p.add_argument("--group", help="route to this group")
    p.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="add a tag (repeatable)"
    )

    sub.add_parser(
        "doctor",
        parents=[common],
        help="check the active profile: config, credentials, reachability, permissions",
        description="Check that the active profile can triage: the config, the adapter's\n"
        "settings, that the helpdesk answers and accepts the credentials, and that the\n"
        "account may read tickets, comment and read the knowledge base. One line per\n"
        "check with a fix; exit 1 if any check fails.",
        epilog="examples:\n  triage doctor\n  TRIAGE_ADAPTER=zendesk triage doctor --json\n\n"
        f"--json prints: {JSON_SHAPES['doctor']}\n\n{SEE_MAIN_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    p = verb(
        "report",
        "the session report from the local event log: triaged, replies, escalations, breaches",
        "Breaches avoided are replies sent in the last 90 minutes before the due time.\n"
        "Median handle time runs from ticket.viewed to the decision that follows.",
    )
    p.add_argument(
        "--since", default="8h", metavar="WHEN",
        help="8h, 90m, 2d or an ISO time (default 8h)",
    )
    p.add_argument("--markdown", action="store_true", help="print the report as Markdown")

    p = verb(
        "events",
        "list the local event log (every action and view change; never leaves the machine)",
        "Names: ticket.viewed, draft.created, reply.sent, ticket.escalated,\n"
        "ticket.status_changed, ticket.skipped, note.added, view.changed, sweep.started,\n"
        "sweep.completed, safeguard.raised, bulk.applied, bulk.undone, sla.alerted, …",
    )
    p.add_argument(
        "--since", default="1h", metavar="WHEN",
        help="1h, 30m, 2d or an ISO time (default 1h)",
    )

    p = verb(
        "plan",
        "the ticket's handling plan: the workflow's four stages, as Markdown",
        "Support Specialist (goal, urgency, what the reply must do), Operations Lead\n"
        "(owner, route, escalation path), Analyst (checks that prove it worked) and\n"
        "Product Manager (follow-ups), derived from the ticket, its rules, the KB and\n"
        "similar open tickets.",
    )
    p.add_argument("ticket_id", metavar="ID")
    p.add_argument(
        "--no-similar",
        action="store_true",
        help="skip reading the queue for similar tickets (faster on a large queue)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="log the follow-ups for the session report (local helpdesk)",
    )

    p = sub.add_parser(
        "sweep",
        help="open the console on a sweep over FILTER: the plan first, then one key per decision",
        description="Open the console and start at the sweep plan for the tickets FILTER selects\n"
        "(count, breached, at risk within 90 minutes, VIP, similar incidents, order, batch\n"
        "size, alternatives); enter starts the sweep: Send / Edit / Escalate / Skip / Note /\n"
        "Assign, one key each, in SLA order, ending with the session report.",
        epilog='examples:\n  triage sweep "priority:high age:<4h"\n  triage sweep "breached -vip"'
        ' --db /tmp/demo.db\n\nThe filter language is the one typed at / in the console'
        " (docs/sweeps.md).\n\n" + SEE_MAIN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("filter", metavar="FILTER", help='e.g. "priority:high,urgent sla:<90m"')
    p.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the local helpdesk's SQLite file (overrides the config)",
    )

    p = sub.add_parser(
        "demo",
        parents=[common],
        help="fill the local helpdesk with deterministic demo data",
        description="Create the local helpdesk with a realistic, deterministic data set for one\n"
        "fictional SaaS product (tickets, requesters, conversations, SLA targets, KB).\n"
        "Refuses to overwrite an existing non-demo database unless --force is given.",
        epilog="examples:\n  triage demo                         300 tickets into the data dir\n"
        "  triage demo --tickets 100000 --db /tmp/big.db   a large queue, in seconds\n\n"
        f"--json prints: {JSON_SHAPES['demo']}\n\n{SEE_MAIN_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--tickets", type=int, default=300, metavar="N", help="number of tickets (default 300)"
    )
    p.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default 7)")
    p.add_argument(
        "--force", action="store_true", help="overwrite a database that is not demo data"
    )

    kb = sub.add_parser(
        "kb",
        help="knowledge-base maintenance (kb import DIR)",
        description="Knowledge-base maintenance for the local helpdesk.",
    )
    kb_sub = kb.add_subparsers(
        dest="kb_command", metavar="SUBCOMMAND", title="subcommands", required=True
    )
    p = kb_sub.add_parser(
        "import",
        parents=[common],
        help="import a folder of Markdown articles",
        description="Import every Markdown file under DIR. Front matter: id, title, optional url,\n"
        "section (or category). Re-importing updates articles with the same id.",
        epilog="example:\n  triage kb import ../shared/data/kb/arduino-help-center\n\n"
        f"--json prints: {JSON_SHAPES['kb import']}\n\n{SEE_MAIN_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("directory", metavar="DIR")

    cfg = sub.add_parser(
        "config",
        help="the config file: path, init, show",
        description="The TOML config: profiles choose the adapter and its options.\n"
        "Location: $TRIAGE_CONFIG, else $TRIAGE_CONFIG_DIR/config.toml, else the platform's\n"
        "config directory (see `triage config path`). A missing file means defaults.",
        epilog='examples:\n  triage config init && $EDITOR "$(triage config path)"\n'
        "  triage --profile work config show --json\n\n"
        "Secrets belong in the environment: TRIAGE_<ADAPTER>_<OPTION>, e.g. TRIAGE_ZENDESK_TOKEN.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cfg_sub = cfg.add_subparsers(
        dest="config_command", metavar="SUBCOMMAND", title="subcommands", required=True
    )
    cfg_sub.add_parser("path", help="print where the config file is (it may not exist yet)")
    p = cfg_sub.add_parser("init", help="write a commented example config")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    cfg_sub.add_parser(
        "show",
        parents=[common],
        help="validate and print the effective config, secrets redacted",
        epilog=f"--json prints: {JSON_SHAPES['config show']}",
    )
    return parser


def _add_context_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("helpdesk selection (every command)")
    group.add_argument("--profile", metavar="NAME", help="config profile (env TRIAGE_PROFILE)")
    group.add_argument(
        "--adapter", metavar="NAME", help="adapter, overriding the profile's (env TRIAGE_ADAPTER)"
    )
    group.add_argument(
        "--db", metavar="PATH", help="the local helpdesk's SQLite file (env TRIAGE_LOCAL_DB)"
    )
    group.add_argument("--config", metavar="PATH", help="config file (env TRIAGE_CONFIG)")
