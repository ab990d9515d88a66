"""Every ``triage`` command, once: its name, help, options, handler and ``--json`` shape.

The parser (``cli.parser``), the dispatch (``cli.main``), each command's
``--help`` and the command list of docs/verbs.md are generated from
``COMMANDS``; the options every command shares are declared once here too.
A new command is one entry in ``COMMANDS`` (with the function adding its
options and, for a verb, the function binding them) plus its behaviour in
``verbs.py``.

Only the standard library is imported at module level: ``triage --help`` and
a usage error never pay for pydantic, an adapter or Textual. Handlers import
what they run when they run (and look verbs up on their module then, so a
test can replace one).
"""

from __future__ import annotations

import argparse
import enum
from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from triage_tui.cli import run
from triage_tui.cli.run import Bind, Call, Invocation, read_text

if TYPE_CHECKING:
    from triage_tui.cli.verbs import View
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.session import ConsoleContext

Handler = Callable[[Invocation], int]
Arguments = Callable[[ArgumentParser], None]


class _Container(Protocol):
    def add_argument(self, *name_or_flags: str, **kwargs: Any) -> argparse.Action: ...


@dataclass(frozen=True)
class Option:
    """An option shared by several commands, declared once."""

    flag: str
    help: str
    #: Shown in the help for the value; None: a flag without a value.
    metavar: str | None = None
    #: A file name: its bytes belong to the file system, not text for a helpdesk.
    path: bool = False

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def add(self, parser: _Container, *, after_command: bool = False, hidden: bool = False) -> None:
        kwargs: dict[str, Any] = {"help": argparse.SUPPRESS if hidden else self.help}
        if self.metavar is None:
            kwargs["action"] = "store_true"
            kwargs["default"] = False
        else:
            kwargs["metavar"] = self.metavar
        if after_command:
            # Given after the command too ("triage queue --db x"); the value given
            # before it stands when the option is not repeated.
            kwargs["default"] = argparse.SUPPRESS
        parser.add_argument(self.flag, **kwargs)


PROFILE = Option("--profile", "config profile (env TRIAGE_PROFILE)", "NAME")
ADAPTER = Option("--adapter", "adapter, overriding the profile's (env TRIAGE_ADAPTER)", "NAME")
DB = Option("--db", "the local helpdesk's SQLite file (env TRIAGE_LOCAL_DB)", "PATH", path=True)
CONFIG = Option("--config", "config file (env TRIAGE_CONFIG)", "PATH", path=True)
THEME = Option("--theme", "console theme (default: the profile's theme)", "NAME")
VIEW = Option("--view", "open the console on a named view from the config", "NAME")
JSON = Option("--json", "print JSON for programs (shape below)")

#: Before any command: which helpdesk (every command uses these).
SELECTION = (PROFILE, ADAPTER, DB, CONFIG)
#: Before any command: the console's own.
CONSOLE_ONLY = (THEME, VIEW)
#: Everything a plain console start (``triage --db x.db --view urgent``) is made of;
#: ``--json`` is accepted there too (hidden) so it may come before a command.
CONSOLE_OPTIONS = (*SELECTION, *CONSOLE_ONLY, JSON)
#: Destinations whose values are file names (see ``Option.path``).
PATH_DESTS = frozenset(o.dest for o in CONSOLE_OPTIONS if o.path)


class Flag(enum.Enum):
    """What running a command does, beyond printing."""

    #: Changes tickets (through the outbox) or local files.
    WRITES = "writes"
    #: Opens the active helpdesk (every verb, and ``doctor``).
    HELPDESK = "helpdesk"
    #: Works on the embedded (local) helpdesk whatever the profile uses.
    LOCAL = "local"
    #: Starts the Textual console.
    CONSOLE = "console"


def _no_arguments(parser: ArgumentParser) -> None:
    del parser  # the command takes only the shared options


@dataclass(frozen=True)
class Command:
    """One command of the table; ``name`` is what is typed (``"kb import"``)."""

    name: str
    #: One line, in ``triage --help``.
    help: str
    handler: Handler
    arguments: Arguments = _no_arguments
    #: What ``--json`` prints (shown in the command's help); None: no ``--json``.
    json: str | None = None
    #: The command's ``--help`` text; the one-line help when empty.
    description: str = ""
    #: More of the command's ``--help``: markers, examples, rules.
    notes: str = ""
    flags: frozenset[Flag] = field(default_factory=frozenset)
    #: ``--db`` may be given after the command.
    db: bool = True

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.name.split())

    @property
    def shared(self) -> tuple[Option, ...]:
        """The shared options accepted after the command."""
        return (*((DB,) if self.db else ()), *((JSON,) if self.json is not None else ()))


@dataclass(frozen=True)
class Group:
    """A command with subcommands (``kb``, ``config``): its own help only."""

    name: str
    help: str
    description: str
    notes: str = ""

    @property
    def dest(self) -> str:
        """Where the subcommand's name lands in the namespace."""
        return f"{self.name}_command"


def verb(bind: Bind) -> Handler:
    """The handler of a scriptable verb: ``bind`` its arguments, run it on the open helpdesk."""

    def handler(inv: Invocation) -> int:
        return run.verb(inv, bind, PATH_DESTS)

    return handler


# -- the ticket workflow's verbs ---------------------------------------------------


def _queue_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show N tickets; 0 for all (default 20)"
    )
    p.add_argument(
        "--filter",
        metavar="EXPR",
        help='only the tickets EXPR matches, in the console\'s filter language ("sla:<90m -vip")',
    )
    # Its own destination: ``--view`` before a command is the console's (see ``_dispatch``).
    p.add_argument(
        "--view", dest="queue_view", metavar="NAME", help="only a saved view's tickets (config)"
    )


def _queue(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui import session
    from triage_tui.cli import verbs

    me = ctx.profile.agent
    text = ""
    if a.queue_view is not None:
        text = session.view_filter(ctx.config, ctx.profile, a.queue_view)
    if a.filter is not None:
        run.parse_filter(a.filter, me)  # its own columns in the error, before the view's
        text = f"{text} {a.filter}".strip()
    chosen = run.parse_filter(text, me) if text.strip() else None
    return lambda hd: verbs.queue(hd, view, a.limit, chosen=chosen, view_name=a.queue_view)


def _create_ticket_arguments(p: ArgumentParser) -> None:
    p.add_argument("--subject", required=True, help="the ticket subject")
    p.add_argument("--body", required=True, help="the customer's first message; '-' reads stdin")
    p.add_argument(
        "--requester", required=True, metavar="EMAIL", help="requester email (created if new)"
    )
    p.add_argument("--name", default="", help="requester name, for a new requester")
    p.add_argument("--priority", help="low, normal (default), high or urgent")
    p.add_argument("--channel", default="email", help="email (default), chat, web, phone, …")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")


def _create_ticket(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    body = read_text(a.body)
    return lambda hd: verbs.create_ticket(
        hd,
        view,
        subject=a.subject,
        body=body,
        requester=a.requester,
        name=a.name,
        priority=a.priority,
        channel=a.channel,
        tags=a.tag,
    )


def _ticket_id(p: ArgumentParser) -> None:
    p.add_argument("ticket_id", metavar="ID")


def _get_ticket(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.get_ticket(hd, view, a.ticket_id)


def _get_user_arguments(p: ArgumentParser) -> None:
    p.add_argument("person_id", metavar="ID", help="person id or email")
    p.add_argument("--tickets", action="store_true", help="also list their tickets, newest first")


def _get_user(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.get_user(hd, view, a.person_id, a.tickets)


def _search_kb_arguments(p: ArgumentParser) -> None:
    p.add_argument("words", help='keywords from the issue, e.g. "export fails large file"')
    p.add_argument(
        "--limit", type=int, default=5, metavar="N", help="at most N articles (default 5)"
    )


def _search_kb(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.search_kb(hd, view, a.words, a.limit)


def _reply_ticket_arguments(p: ArgumentParser) -> None:
    _ticket_id(p)
    p.add_argument("text", help="the reply; '-' reads it from stdin")
    p.add_argument(
        "--send-anyway",
        action="store_true",
        help="send past a blocking safeguard (logged as safeguard.raised, like the console's y)",
    )


def _rules(ctx: ConsoleContext) -> RuleSet:
    """The profile's escalation rules: the defaults with the config's phrases and routes."""
    from triage_tui.domain.escalation import RuleSet

    escalation = ctx.config.escalation
    return RuleSet.from_config(escalation.extra_phrases, escalation.routes)


def _reply_ticket(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs
    from triage_tui.config import safeguard_config

    text = read_text(a.text)
    rules, safeguards = _rules(ctx), safeguard_config(ctx.config)
    return lambda hd: verbs.reply_ticket(
        hd,
        view,
        a.ticket_id,
        text,
        rules=rules,
        safeguards=safeguards,
        send_anyway=a.send_anyway,
    )


def _close_ticket_arguments(p: ArgumentParser) -> None:
    _ticket_id(p)
    p.add_argument("--note", help='the resolution, e.g. "Resolved: re-sent the invoice"')


def _close_ticket(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.close_ticket(hd, view, a.ticket_id, a.note)


def _update_ticket_arguments(p: ArgumentParser) -> None:
    _ticket_id(p)
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


def _update_ticket(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.update_ticket(
        hd,
        view,
        a.ticket_id,
        status=a.status,
        priority=a.priority,
        assignee=a.assignee,
        group=a.group,
        add_tags=a.add_tag,
        remove_tags=a.remove_tag,
    )


def _escalate_ticket_arguments(p: ArgumentParser) -> None:
    _ticket_id(p)
    p.add_argument("--reason", required=True, help='why, e.g. "billing/refund"')
    p.add_argument("--note", default="", help="more context for whoever takes it")
    p.add_argument("--priority", help="raise to this priority")
    p.add_argument("--group", help="route to this group")
    p.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="add a tag (repeatable)"
    )


def _escalate_ticket(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.escalate_ticket(
        hd,
        view,
        a.ticket_id,
        reason=a.reason,
        note=a.note,
        priority=a.priority,
        group=a.group,
        tags=a.tag,
    )


# -- the session: report, events, plan -----------------------------------------------


def _report_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--since", default="8h", metavar="WHEN", help="8h, 90m, 2d or an ISO time (default 8h)"
    )
    p.add_argument("--markdown", action="store_true", help="print the report as Markdown")


def _report(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    if a.markdown and a.json:
        from triage_tui.domain.errors import InvalidInput

        raise InvalidInput("choose one of --json and --markdown")
    return lambda hd: verbs.report(hd, view, a.since, a.markdown)


def _events_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--since", default="1h", metavar="WHEN", help="1h, 30m, 2d or an ISO time (default 1h)"
    )


def _events(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.events(hd, view, a.since)


def _changes_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--since",
        metavar="CURSOR",
        help="read after this cursor (from a previous run); default: where the last run stopped",
    )
    p.add_argument(
        "--follow",
        action="store_true",
        help="an alias of `triage watch` (from --since, if given, leaving the saved cursor)",
    )


def _changes(inv: Invocation) -> int:
    from triage_tui.cli import changes

    return changes.command(inv, PATH_DESTS)


def _watch_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--once",
        action="store_true",
        help="print what changed since the saved cursor, then exit",
    )


def _watch(inv: Invocation) -> int:
    from triage_tui.cli import watch

    return watch.command(inv, PATH_DESTS, once=bool(inv.args.once), since=None)


def _plan_arguments(p: ArgumentParser) -> None:
    _ticket_id(p)
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


def _plan(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    rules = _rules(ctx)
    return lambda hd: verbs.plan(
        hd, view, a.ticket_id, rules=rules, similar=not a.no_similar, record=a.record
    )


def _outbox_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        choices=("retry", "cancel"),
        metavar="retry|cancel",
        help="send a failed entry again now, or cancel an entry (and the rest of its batch)",
    )
    p.add_argument(
        "entry_id", nargs="?", metavar="ID", help="the entry (its first 8 characters do)"
    )


def _outbox(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import verbs

    return lambda hd: verbs.outbox(hd, view, a.action, a.entry_id)


# -- lifecycle hooks and satisfaction ----------------------------------------------


def _hooks_list(inv: Invocation) -> int:
    import sys

    from triage_tui.cli import hooks, output, verbs
    from triage_tui.domain.clock import SystemClock

    ctx = inv.context()
    as_json = bool(inv.args.json)
    view = verbs.View(
        now=(inv.clock or SystemClock()).now(),
        json=as_json,
        width=None if as_json else output.terminal_width(sys.stdout),
    )
    outcome = hooks.hooks_list(ctx.config, view)
    print(output.dumps(outcome.data) if as_json else "\n".join(outcome.lines))
    for hint in [] if as_json else outcome.hints:
        print(f"triage: {hint}", file=sys.stderr)
    return 0


def _hooks_test_arguments(p: ArgumentParser) -> None:
    p.add_argument("event", metavar="EVENT", help="an event name, e.g. ticket.created")
    p.add_argument("--ticket", required=True, metavar="ID", help="the ticket it happens to")


def _hooks_test(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import hooks

    return lambda hd: hooks.hooks_test(hd, view, ctx.config, ctx.profile, a.event, a.ticket)


def _hooks_log_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--since", default="24h", metavar="WHEN", help="1h, 30m, 2d or an ISO time (default 24h)"
    )


def _hooks_log(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import hooks

    return lambda hd: hooks.hooks_log(hd, view, a.since)


def _csat_arguments(p: ArgumentParser) -> None:
    _ticket_id(p)
    p.add_argument("--score", required=True, type=int, metavar="N", help="1 (poor) to 5 (great)")
    p.add_argument("--comment", help="what the requester said, if anything")


def _csat(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import hooks

    return lambda hd: hooks.csat(hd, view, a.ticket_id, a.score, a.comment)


# -- AI agents: the MCP server and the proposals it records ------------------------


def _mcp_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--allow-writes",
        action="store_true",
        help="also serve direct write tools (only if the profile's mcp.allow_writes is true)",
    )
    p.add_argument(
        "--client",
        metavar="NAME",
        help="who proposes, in the outbox and event log (default: the client's own name)",
    )


def _mcp(inv: Invocation) -> int:
    from triage_tui.cli import agents

    return agents.mcp_command(inv, _rules)


def _proposals(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import agents

    return lambda hd: agents.proposals(hd, view)


def _approve_arguments(p: ArgumentParser) -> None:
    p.add_argument("proposal_id", metavar="ID", help="the proposal (its first 8 characters do)")
    p.add_argument("--status", help="the status after the reply instead of the proposed one")
    p.add_argument(
        "--send-anyway",
        action="store_true",
        help="send past a blocking safeguard (logged as safeguard.raised)",
    )


def _approve(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import agents
    from triage_tui.config import safeguard_config

    rules, safeguards = _rules(ctx), safeguard_config(ctx.config)
    return lambda hd: agents.approve(
        hd,
        view,
        a.proposal_id,
        status=a.status,
        send_anyway=a.send_anyway,
        rules=rules,
        safeguards=safeguards,
    )


def _reject_arguments(p: ArgumentParser) -> None:
    p.add_argument("proposal_id", metavar="ID", help="the proposal (its first 8 characters do)")
    p.add_argument("--reason", required=True, help="why; the agent reads it on its next call")


def _reject(a: Namespace, view: View, ctx: ConsoleContext) -> Call:
    from triage_tui.cli import agents

    return lambda hd: agents.reject(hd, view, a.proposal_id, a.reason)


# -- around the helpdesk: sweep, doctor, demo, kb, config -----------------------------


def _sweep_arguments(p: ArgumentParser) -> None:
    p.add_argument("filter", metavar="FILTER", help='e.g. "priority:high,urgent sla:<90m"')


def _sweep(inv: Invocation) -> int:
    return inv.console(inv, inv.args.filter)


def _doctor(inv: Invocation) -> int:
    from triage_tui import doctor

    return doctor.command(inv.args, inv.context, inv.clock)


def _demo_arguments(p: ArgumentParser) -> None:
    p.add_argument(
        "--reset",
        action="store_true",
        help="rebuild an existing demo helpdesk (its tickets and event log are replaced)",
    )
    p.add_argument(
        "--tickets",
        type=int,
        metavar="N",
        help="number of tickets, at most 1,000,000 (default 300; on an existing demo: --reset)",
    )
    p.add_argument("--seed", type=int, metavar="S", help="random seed (default 7; like --tickets)")
    p.add_argument(
        "--force", action="store_true", help="overwrite a database that is not demo data"
    )


def _demo(inv: Invocation) -> int:
    from triage_tui.cli import admin

    return admin.demo(inv.args, inv.context(local_only="demo"))


def _kb_import_arguments(p: ArgumentParser) -> None:
    p.add_argument("directory", metavar="DIR")


def _kb_import(inv: Invocation) -> int:
    from triage_tui.cli import admin

    return admin.kb_import(inv.args, inv.context(local_only="kb import"))


def _config_init_arguments(p: ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def _config(inv: Invocation) -> int:
    from triage_tui.cli import admin

    return admin.config_command(inv.args, inv.config_path, inv.context)


def _keys(inv: Invocation) -> int:
    from triage_tui.cli import keys

    return keys.command(inv.args, inv.config_path)


_READ = frozenset({Flag.HELPDESK})
_WRITE = frozenset({Flag.HELPDESK, Flag.WRITES})

COMMANDS: tuple[Command, ...] = (
    Command(
        "queue",
        "list active tickets, soonest SLA breach first",
        verb(_queue),
        _queue_arguments,
        json='{"generated_at", "filter": text|null, "view": name|null, "active", "total",'
        ' "count", "tickets": [ticket…]}',
        notes="Markers: '!!' breached (countdown negative), '! ' under 1 h, '--' no SLA,"
        " '||' paused.\n--filter and --view together keep what both match; \"total\" counts"
        ' the matching\ntickets, "active" all active ones. The filter language is the'
        " console's (docs/sweeps.md);\na bad filter is one line naming the column of the bad"
        ' token, exit 2.\n\nexamples:\n  triage queue --filter "priority:high,urgent sla:<90m"'
        "\n  triage queue --view mine --limit 0 --json",
        flags=_READ,
    ),
    Command(
        "create-ticket",
        "create a ticket as a customer would (how tickets reach the local helpdesk)",
        verb(_create_ticket),
        _create_ticket_arguments,
        json='{"ticket": ticket, "confirmation"}',
        flags=_WRITE,
    ),
    Command(
        "get-ticket",
        "show one ticket with its conversation (workflow step 1)",
        verb(_get_ticket),
        _ticket_id,
        json='{"ticket": ticket, "messages": [{id, ticket_id, author, author_email,'
        " role: customer|agent|system, public, body, created_at}]}",
        flags=_READ,
    ),
    Command(
        "get-user",
        "show a requester: tier, organization, new or returning (step 2)",
        verb(_get_user),
        _get_user_arguments,
        json='{"person": {id, name, email, first_name, tier, account_value, created_at,'
        ' organization_id}, "organization", "ticket_count", "returning",'
        ' "tickets": [ticket…] | null without --tickets,'
        ' "csat": [{ticket_id, score, …}] with --tickets only}',
        flags=_READ,
    ),
    Command(
        "search-kb",
        "search the knowledge base (step 3)",
        verb(_search_kb),
        _search_kb_arguments,
        json='{"query", "count", "articles": [{id, title, body, url, section,'
        " score: 0-100|null, matched_terms: [words]}]}",
        notes="Ranked like the console's KB suggestions: typo tolerant, scored 0-100 (45+ is\n"
        "relevant enough to link), with the words that matched. A helpdesk that cannot\n"
        "list its KB answers with its own search instead (no scores).",
        flags=_READ,
    ),
    Command(
        "reply-ticket",
        "send a public reply to the requester (step 7)",
        verb(_reply_ticket),
        _reply_ticket_arguments,
        json='{"ticket_id", "requester": person, "message": message, "safeguards":'
        ' [{kind, severity: block|warn, reason, start, end}], "confirmation"}',
        notes="The console's safeguards check the reply first. A blocking finding (an unfilled\n"
        "placeholder such as [Describe the specific next step], an escalation rule that\n"
        "fired) refuses it with exit 7 and writes nothing; --send-anyway sends it and logs\n"
        "safeguard.raised. Warnings (tone, jargon, length) go to stderr.",
        flags=_WRITE,
    ),
    Command(
        "close-ticket",
        "record the resolution as an internal note, then set solved (step 8)",
        verb(_close_ticket),
        _close_ticket_arguments,
        json='{"ticket": ticket, "note": message|null, "changed", "confirmation"}',
        notes='A ticket already solved or closed is left as it is: "ticket N is already solved",\n'
        'exit 0, nothing written (not the note either); "changed" is false then.',
        flags=_WRITE,
    ),
    Command(
        "update-ticket",
        "change status, priority, assignee, group or tags (step 8)",
        verb(_update_ticket),
        _update_ticket_arguments,
        json='{"ticket": ticket, "changes": {status?, priority?, assignee?, group?,'
        ' tags?: {add, remove}}, "confirmation"}',
        notes="Status accepts new, open, pending (also: in-progress), on-hold, solved, closed.\n"
        "Options the active helpdesk cannot apply are refused before anything is written.",
        flags=_WRITE,
    ),
    Command(
        "escalate-ticket",
        "escalate: an internal note with the reason, then priority/group/tags",
        verb(_escalate_ticket),
        _escalate_ticket_arguments,
        json='{"ticket": ticket, "escalation": {reason, note, priority, group, tags},'
        ' "confirmation"}',
        notes="The five rules: the customer asked for a human; billing or refund; a bug"
        " affecting\ndata integrity; a legal or compliance question; 3+ customer messages"
        " unresolved.",
        flags=_WRITE,
    ),
    Command(
        "outbox",
        "list the outbox: every recent write, its state, tries, last error; retry or cancel one",
        verb(_outbox),
        _outbox_arguments,
        json='{"count", "entries": [entry]}; retry: {"entry": entry, "confirmation"};'
        ' cancel: {"cancelled": [entry], "confirmation"}; an entry is {id, ticket_id, kind,'
        " label, state: held|pending|delivering|delivered|failed|conflict|cancelled,"
        " waits_behind: id|null, attempts, last_error, conflict, origin, created_at,"
        " updated_at, delivered_at}",
        description="The profile's outbox, shared with the console's (o): the writes that"
        " need you\n(failed, conflict) first, then those on their way, then the delivered and"
        " cancelled\nhistory. retry ID sends a failed entry again now (after what was recorded"
        " before it on\nthe ticket); cancel ID cancels an entry not yet delivered, with the"
        " rest of its batch on\nthat ticket.",
        notes="examples:\n  triage outbox\n  triage outbox retry 3f2a9c1e\n"
        "  triage outbox cancel 3f2a9c1e --json\n\n"
        "A collision (conflict) is settled in the console's outbox: revise, send anyway or"
        " discard.",
        flags=_WRITE,
    ),
    Command(
        "hooks list",
        "list the config's lifecycle hooks: events, when, action, missing secrets",
        _hooks_list,
        json='{"count", "hooks": [{name, on: [event], when, action, detail, missing_env: [name]}]}',
        description="Every [[hooks]] table of the config: the events it runs on, its `when`"
        " filter,\nits action and what that does; a secret variable it names that is not set"
        " is shown.",
        db=False,
    ),
    Command(
        "hooks test",
        "show what EVENT on a ticket would run, with each payload; sends nothing",
        verb(_hooks_test),
        _hooks_test_arguments,
        json='{"event", "ticket_id", "would_run": [{hook, action, detail, payload}],'
        ' "when_not_matched": [hook], "sent": false}',
        notes="examples:\n  triage hooks test ticket.created --ticket 1042\n"
        "  triage hooks test ticket.solved --ticket 1042 --json\n\nNothing is recorded,"
        " run or sent: no outbox entry, no command, no service call.",
        flags=_READ,
    ),
    Command(
        "hooks log",
        "list the hook runs from the event log: hook.ran and hook.failed",
        verb(_hooks_log),
        _hooks_log_arguments,
        json='{"since", "count", "runs": [{at, ok, ticket_id, hook, action, event, entry_id,'
        " detail, error, exit, stderr_tail}]}",
        flags=_READ,
    ),
    Command(
        "csat",
        "record a requester's satisfaction score (1-5) for a ticket",
        verb(_csat),
        _csat_arguments,
        json='{"ticket_id", "score", "requester_id", "requester", "comment"?, "confirmation"}',
        notes="The score is in the event log (csat.recorded): the report shows the average,"
        "\nget-user the requester's scores. examples:\n  triage csat 1042 --score 5",
        flags=_WRITE,
    ),
    Command(
        "mcp",
        "serve the helpdesk to AI agents over MCP (stdio); their writes wait for you",
        _mcp,
        _mcp_arguments,
        description="A Model Context Protocol server on stdin/stdout for an AI client (Claude"
        " Desktop,\nClaude Code, …): read tools (queue, get_ticket, get_user, search_kb,"
        " report) and\nproposal tools whose writes are held in the outbox until you approve"
        " them\n(triage proposals, triage approve, or A in the console). Needs the mcp extra.",
        notes="examples:\n  triage mcp\n  triage --profile work mcp --client claude-code\n\n"
        "Limits and tools: [profiles.NAME.mcp] in the config (docs/agents.md).",
        flags=_READ,
    ),
    Command(
        "proposals",
        "list the writes AI agents proposed (triage mcp) that wait for your decision",
        verb(_proposals),
        json='{"count", "proposals": [{id, ticket_id, state, proposer, approver, reason,'
        " created_at, writes: [{id, kind, label, payload}]}]}",
        flags=_READ,
    ),
    Command(
        "approve",
        "send an agent's proposal as proposed (the reply passes the safeguards first)",
        verb(_approve),
        _approve_arguments,
        json='{"proposal": {id, ticket_id, state, proposer, approver, …}, "confirmation"}',
        notes="examples:\n  triage approve 3f2a9c1e\n  triage approve 3f2a9c1e --status solved",
        flags=_WRITE,
    ),
    Command(
        "reject",
        "refuse an agent's proposal with a reason it reads on its next call",
        verb(_reject),
        _reject_arguments,
        json='{"proposal": {id, ticket_id, state: rejected, reason, …}, "confirmation"}',
        notes='example:\n  triage reject 3f2a9c1e --reason "quote the refund policy article"',
        flags=_WRITE,
    ),
    Command(
        "doctor",
        "check the active profile: config, credentials, reachability, permissions",
        _doctor,
        json='{"ok", "checks": [{name, state: ok|fail|skip, detail, hint}]}',
        description="Check that the active profile can triage: the config, the adapter's\n"
        "settings, that the helpdesk answers and accepts the credentials, and that the\n"
        "account may read tickets, comment and read the knowledge base. One line per\n"
        "check with a fix; exit 1 if any check fails.",
        notes="examples:\n  triage doctor\n  TRIAGE_ADAPTER=zendesk triage doctor --json",
        flags=_READ,
    ),
    Command(
        "keys",
        "list the console's key bindings: id, keys in force, where, what each does",
        _keys,
        json='{"config_file", "keymap": {id: keys}, "bindings": [{id, keys: [key], default:'
        " [key], rebound, scope, where, description}]}",
        description="Every key binding of the console with its stable id, the keys in force"
        " (the\nconfig's [keymap] applied; * marks a rebound one), where it works and what it"
        ' does.\nA [keymap] entry replaces the keys of that id: send = "ctrl+y,s".',
        notes="examples:\n  triage keys\n  triage keys --json\n\nAn unknown id or two ids on"
        " one key where both work is a config error (exit 2).",
        db=False,
    ),
    Command(
        "report",
        "the session report from the local event log: triaged, replies, escalations, breaches",
        verb(_report),
        _report_arguments,
        json='{"since", "until", "events", "tickets_triaged", "triaged": [id], "replies_sent",'
        ' "escalations": [{ticket_id, reason, at}], "skipped": [id], "notes",'
        ' "sla_breaches": [id], "breaches_avoided": [{ticket_id, seconds_to_spare}],'
        ' "median_handle_seconds"|null, "handle_samples", "follow_ups": [task], "sweeps",'
        ' "bulk_batches", "drafts", "rules_dismissed": [{ticket_id, rules}],'
        ' "csat": [{ticket_id, score}], "csat_average"|null}',
        notes="Breaches avoided are replies sent in the last 90 minutes before the due time.\n"
        "Median handle time runs from ticket.viewed to the decision that follows.\n"
        "Drafts are tickets whose draft the agent edited; undone replies never count.",
        flags=_READ,
    ),
    Command(
        "events",
        "list the local event log (every action and view change; never leaves the machine)",
        verb(_events),
        _events_arguments,
        json='{"since", "count", "events": [{id, name, at, ticket_id, actor, payload}]}',
        notes="Names: ticket.viewed, draft.edited, rules.dismissed, reply.sent, ticket.escalated,\n"
        "ticket.status_changed, ticket.skipped, note.added, view.changed, sweep.started,\n"
        "sweep.completed, safeguard.raised, bulk.applied, bulk.undone, sla.alerted, …",
        flags=_READ,
    ),
    Command(
        "changes",
        "one read of the change feed from a cursor, printing the next cursor (--follow: watch)",
        _changes,
        _changes_arguments,
        json='{"changes": [{ticket_id, kind, at, actor}], "cursor", "complete", "resync"};'
        " with --follow, as triage watch --json",
        notes="Kinds: created, updated, solved, deleted, message_added, assignee_changed,\n"
        "status_changed, priority_changed, sla_changed. The last line is the cursor to\n"
        "pass to --since. Without --since the cursor is saved per profile.\n"
        "--follow is an alias of `triage watch`.",
        flags=_READ,
    ),
    Command(
        "watch",
        "follow the change feed: each change as a line with its ticket, until interrupted",
        _watch,
        _watch_arguments,
        json="one line per change: {ticket_id, kind, at, actor, cursor, ticket: {subject,"
        " status, priority, assignee, vip, sla_state, sla_due_at, sla_seconds_left}|null};"
        ' a resync: {"resync": true, "cursor"}',
        description="Print each change on the helpdesk as it happens, with the ticket as it\n"
        "is now (priority, status, SLA, subject), resuming from the cursor saved for the\n"
        "profile, which is saved after each printed batch: a restart neither repeats nor\n"
        "skips a change. --once prints what changed since then and exits. Polls adapt:\n"
        "2 s locally, within a small share of a remote helpdesk's rate limit, slower\n"
        "while nothing changes (the profile's poll_seconds fixes the interval).",
        notes="examples:\n  triage watch\n"
        "  triage watch --json | jq -r 'select(.kind == \"created\") | .ticket_id'\n"
        "  triage watch --once                 from cron: what changed since the last run\n\n"
        "Ctrl-C exits 130, SIGTERM 0. ticket is null for a ticket that is gone.",
        flags=_READ,
    ),
    Command(
        "plan",
        "the ticket's handling plan: the workflow's four stages, as Markdown",
        verb(_plan),
        _plan_arguments,
        json='{"ticket_id", "subject", "generated_at", "kind", "goal", "urgency": {level,'
        ' score, reasons}, "owner", "route", "checks", "stages": [{context_id, title,'
        ' responsibility, items: [{label, text, points}]}], "follow_ups", "recorded"?}',
        notes="Support Specialist (goal, urgency, what the reply must do), Operations Lead\n"
        "(owner, route, escalation path), Analyst (checks that prove it worked) and\n"
        "Product Manager (follow-ups), derived from the ticket, its rules, the KB and\n"
        "similar open tickets.",
        # --record logs the follow-ups to the local event log.
        flags=_WRITE,
    ),
    Command(
        "sweep",
        "open the console on a sweep over FILTER: the plan first, then one key per decision",
        _sweep,
        _sweep_arguments,
        description="Open the console and start at the sweep plan for the tickets FILTER"
        " selects\n(count, breached, at risk within 90 minutes, VIP, similar incidents, order,"
        " batch\nsize, alternatives); enter starts the sweep: Send / Edit / Escalate / Skip /"
        " Note /\nAssign, one key each, in SLA order, ending with the session report.",
        notes='examples:\n  triage sweep "priority:high age:<4h"\n  triage sweep "breached -vip"'
        " --db /tmp/demo.db\n\nThe filter language is the one typed at / in the console"
        " (docs/sweeps.md).",
        flags=frozenset({Flag.CONSOLE, Flag.WRITES}),
    ),
    Command(
        "demo",
        "fill the local helpdesk with deterministic demo data",
        _demo,
        _demo_arguments,
        json='{"db", "seconds", …the generator\'s summary counts};'
        ' kept: {"db", "kept": true, "tickets", "events"}',
        description="Create the local helpdesk with a realistic, deterministic data set for"
        " one\nfictional SaaS product (tickets, requesters, conversations, SLA targets, KB).\n"
        "An existing demo helpdesk is kept as it is (the tickets, replies and event log\n"
        "of your work in it): `triage demo` says so and writes nothing; --reset rebuilds\n"
        "it, and --tickets/--seed on an existing one need --reset. Refuses to overwrite\n"
        "an existing non-demo database unless --force is given.",
        notes="examples:\n  triage demo                         300 tickets into the data dir"
        " (kept if there)\n"
        "  triage demo --reset                 start the demo over\n"
        "  triage demo --tickets 100000 --db /tmp/big.db   a large queue, in seconds",
        flags=frozenset({Flag.LOCAL, Flag.WRITES}),
    ),
    Command(
        "kb import",
        "import a folder of Markdown articles",
        _kb_import,
        _kb_import_arguments,
        json='{"db", "directory", "imported", "updated", "unchanged", "skipped",'
        ' "skipped_files": [{file, reason}]}',
        description="Import every Markdown file under DIR. Front matter: id, title, optional"
        " url,\nsection (or category). Re-importing updates articles with the same id.",
        notes="example:\n  triage kb import ../shared/data/kb/arduino-help-center",
        flags=frozenset({Flag.LOCAL, Flag.WRITES}),
    ),
    Command(
        "config path",
        "print where the config file is (it may not exist yet)",
        _config,
        db=False,
    ),
    Command(
        "config init",
        "write a commented example config",
        _config,
        _config_init_arguments,
        flags=frozenset({Flag.WRITES}),
        db=False,
    ),
    Command(
        "config show",
        "validate and print the effective config, secrets redacted",
        _config,
        json='{"config_file", "exists", "profile", "adapter", "options", "db", "theme", "config"}',
    ),
)

GROUPS: tuple[Group, ...] = (
    Group(
        "hooks",
        "lifecycle hooks: list, test, log",
        "The config's [[hooks]]: what runs when a ticket is created, assigned, escalated,\n"
        "solved… (`triage watch` runs them, exactly once each, through the outbox).",
        "examples:\n  triage hooks list\n  triage hooks test ticket.created --ticket 1042\n"
        "  triage hooks log --json\n\nSee docs/hooks.md.",
    ),
    Group(
        "kb",
        "knowledge-base maintenance (kb import DIR)",
        "Knowledge-base maintenance for the local helpdesk.",
    ),
    Group(
        "config",
        "the config file: path, init, show",
        "The TOML config: profiles choose the adapter and its options.\n"
        "Location: $TRIAGE_CONFIG, else $TRIAGE_CONFIG_DIR/config.toml, else the platform's\n"
        "config directory (see `triage config path`). A missing file means defaults.",
        'examples:\n  triage config init && $EDITOR "$(triage config path)"\n'
        "  triage --profile work config show --json\n\n"
        "Secrets belong in the environment: TRIAGE_<ADAPTER>_<OPTION>,"
        " e.g. TRIAGE_ZENDESK_TOKEN.",
    ),
)

#: The first word of every command: what may follow the console's options.
FIRST_WORDS = tuple(dict.fromkeys(c.words[0] for c in COMMANDS))


def group(name: str) -> Group | None:
    return next((g for g in GROUPS if g.name == name), None)


def find(args: Namespace) -> Command | None:
    """The command ``args`` was parsed for; None for the console (no command)."""
    first: str | None = args.command
    if first is None:
        return None
    words = [first]
    parent = group(first)
    if parent is not None:
        words.append(getattr(args, parent.dest))
    name = " ".join(words)
    return next(c for c in COMMANDS if c.name == name)
