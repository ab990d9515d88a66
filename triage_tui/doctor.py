"""``triage doctor``: is the active profile ready to triage? One line per check, each with a fix.

Checks, in order (a failure skips the checks that depend on it):

``config``        the file parses, is private if it holds a secret, the profile
                  and the adapter's options validate;
``settings``      the adapter's required options are set (URL, credentials…);
``reachable``     the helpdesk answers at all (network, DNS, proxy, TLS);
``credentials``   it accepts the credentials, and as whom;
``read tickets``  the queue can be read (the view or search is allowed);
``comment``       the account may reply publicly (when the helpdesk can say);
``read KB``       the knowledge base can be searched or listed;
``routes``        each escalation rule's route names a group the helpdesk has (a
                  warning, not a failure: the escalate dialog then asks);
``files``         the config and data folders hold nothing other users can read;
``presence``      with a team directory set (``team_dir``, ``TRIAGE_TEAM_DIR``): it
                  is usable, and shared with its group only (a warning: the
                  console works without presence).

``readiness(helpdesk)`` is the same judgement in one word for the console's
header badge ("Zendesk ✓", "Gleap: needs auth"). What an adapter can add is
declared on ``Helpdesk`` with a default, so a third-party adapter needs none of
it: ``missing_settings()`` lists unset settings, ``probe()`` makes one
authenticated request and says who we are, ``can_comment_publicly()`` answers
True/False/None (or raises ``Unsupported``), and ``doctor_hints`` maps a check
name to the adapter's own fix.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

from triage_tui.adapters.base import first_item
from triage_tui.domain.errors import (
    AuthError,
    ConfigError,
    NotFound,
    RateLimited,
    TriageError,
    Unreachable,
    Unsupported,
)
from triage_tui.domain.text import sanitize

if TYPE_CHECKING:
    from argparse import Namespace
    from pathlib import Path

    from triage_tui.adapters.base import Helpdesk
    from triage_tui.domain.clock import Clock
    from triage_tui.domain.escalation import RuleSet
    from triage_tui.session import ConsoleContext

State = Literal["ok", "warn", "fail", "skip"]
MARKS = {"ok": "✓", "warn": "!", "fail": "✗", "skip": "–"}
CHECKS = (
    "config",
    "settings",
    "reachable",
    "credentials",
    "read tickets",
    "comment",
    "read KB",
    "routes",
)

#: Fixes when the adapter has no ``doctor_hints`` entry of its own.
GENERIC_HINTS = {
    "config": "fix the key named above (`triage config show` validates the file)",
    "settings": "set the adapter's options in the profile or as TRIAGE_<ADAPTER>_<OPTION>",
    "reachable": "check the helpdesk URL, the network and any proxy",
    "credentials": "check the token or API key in TRIAGE_<ADAPTER>_<OPTION>",
    "read tickets": "the account needs read access to the tickets the queue shows",
    "comment": "the account needs permission to reply to customers",
    "read KB": "the account needs read access to the knowledge base",
    "routes": 'name one of the groups in the config: [escalation] routes = { RULE = "GROUP" }',
}


@dataclass(frozen=True)
class Check:
    name: str
    state: State
    detail: str
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.state != "fail"

    def line(self) -> str:
        # Details quote the helpdesk (the account's name and email from
        # ``/users/me``, its error messages) and hints come from adapters: one
        # terminal-safe line each, whatever they hold.
        detail = sanitize(" ".join(self.detail.split()), keep_newlines=False)
        text = f"{MARKS[self.state]} {self.name:<13}{detail}"
        if self.state in ("fail", "warn") and self.hint:
            return f"{text} — fix: {sanitize(' '.join(self.hint.split()), keep_newlines=False)}"
        return text


@dataclass(frozen=True)
class Readiness:
    """The header badge: ``ok`` and a short label; ``detail`` is the one-line reason."""

    ok: bool
    label: str
    detail: str = ""


def _hints(helpdesk: Helpdesk | None) -> dict[str, str]:
    return {**GENERIC_HINTS, **(helpdesk.doctor_hints if helpdesk is not None else {})}


def _skipped(names: tuple[str, ...], why: str) -> list[Check]:
    return [Check(name, "skip", why) for name in names]


async def check_helpdesk(helpdesk: Helpdesk, rules: RuleSet | None = None) -> list[Check]:
    """Every check after ``config``, against an adapter built from the resolved options
    (``rules``: the config's escalation rules, whose routes are checked; default: the
    built-in ones)."""
    hints = _hints(helpdesk)
    checks: list[Check] = []

    def fail(name: str, detail: str) -> Check:
        return Check(name, "fail", detail, hints.get(name, ""))

    missing = helpdesk.missing_settings()
    if missing:
        checks.append(fail("settings", f"{helpdesk.display_name} needs {'; '.join(missing)}"))
        return checks + _skipped(CHECKS[2:], "needs the settings first")
    checks.append(Check("settings", "ok", "every required option is set"))
    try:
        await helpdesk.open()
        who = await helpdesk.probe()
    except ConfigError as exc:
        return [
            *checks[:-1],
            fail("settings", str(exc)),
            *_skipped(CHECKS[2:], "needs the settings first"),
        ]
    except (Unreachable, RateLimited) as exc:
        return checks + [fail("reachable", str(exc))] + _skipped(CHECKS[3:], "not reachable")
    except AuthError as exc:
        checks.append(Check("reachable", "ok", f"{helpdesk.display_name} answered"))
        return checks + [fail("credentials", str(exc))] + _skipped(CHECKS[4:], "needs credentials")
    except TriageError as exc:
        return checks + [fail("reachable", str(exc))] + _skipped(CHECKS[3:], "not reachable")
    checks.append(Check("reachable", "ok", f"{helpdesk.display_name} answered"))
    checks.append(
        Check("credentials", "ok", f"accepted: {who}" if who else "none needed (local helpdesk)")
    )
    checks.append(await _check_tickets(helpdesk, fail))
    checks.append(await _check_comment(helpdesk, fail))
    checks.append(await _check_kb(helpdesk, fail))
    checks.append(await _check_routes(helpdesk, rules, hints["routes"]))
    return checks


async def _check_tickets(helpdesk: Helpdesk, fail: Callable[[str, str], Check]) -> Check:
    try:
        first = await first_item(helpdesk.iter_queue())
    except (AuthError, NotFound, TriageError) as exc:
        return fail("read tickets", str(exc))
    found = f"first ticket {first.id}" if first is not None else "the queue is empty"
    return Check("read tickets", "ok", f"the queue can be read ({found})")


async def _check_comment(helpdesk: Helpdesk, fail: Callable[[str, str], Check]) -> Check:
    try:
        allowed = await helpdesk.can_comment_publicly()
    except Unsupported:
        return Check("comment", "skip", "cannot be checked without writing a comment")
    except TriageError as exc:
        return fail("comment", str(exc))
    if allowed is None:
        return Check("comment", "skip", "the account's role cannot be read to tell")
    if not allowed:
        return fail("comment", "the account may not make public comments (replies would fail)")
    return Check("comment", "ok", "the account may reply publicly and add internal notes")


async def _check_kb(helpdesk: Helpdesk, fail: Callable[[str, str], Check]) -> Check:
    caps = helpdesk.capabilities
    try:
        if caps.kb_list:
            await first_item(helpdesk.iter_articles())
        elif caps.kb_search:
            await helpdesk.search_kb("password reset", limit=1)
        else:
            return Check("read KB", "skip", f"{helpdesk.display_name} has no knowledge base here")
    except Unsupported as exc:
        return Check("read KB", "skip", str(exc))
    except TriageError as exc:
        return fail("read KB", str(exc))
    return Check("read KB", "ok", "the knowledge base can be searched")


async def _check_routes(helpdesk: Helpdesk, rules: RuleSet | None, hint: str) -> Check:
    from triage_tui.domain.escalation import RULE_IDS, RuleSet
    from triage_tui.domain.names import listed, match_name

    caps = helpdesk.capabilities
    if not caps.groups:
        return Check("routes", "skip", f"{helpdesk.display_name} has no groups to route to")
    if not caps.directory:
        return Check("routes", "skip", f"{helpdesk.display_name} does not list its groups")
    try:
        groups = await helpdesk.groups()
    except TriageError as exc:
        return Check("routes", "skip", f"the groups could not be read: {exc}")
    rules = rules or RuleSet.default()
    unknown: dict[str, list[str]] = {}
    for rule_id in RULE_IDS:
        route = rules.route(rule_id)
        if match_name(route, groups).name is None:
            unknown.setdefault(route, []).append(rule_id)
    if not unknown:
        return Check("routes", "ok", f"every rule routes to one of the {len(groups)} groups")
    said = "; ".join(f"{', '.join(ids)} → {route!r}" for route, ids in unknown.items())
    detail = f"routes that name no group: {said} (groups: {listed(groups)})"
    return Check("routes", "warn", detail, hint)


def check_files() -> Check:
    """Are the config and data folders (outbox, drafts, cache, logs, reports) private?"""
    from triage_tui import paths, private_files

    roots = private_files.own_roots()
    config = paths.config_file()
    if config.exists() and not config.is_relative_to(roots[0]):
        roots.append(config)
    found = private_files.loose(roots)
    if not found:
        return Check("files", "ok", "the config and data folders are readable by you only")
    shown = ", ".join(str(p) for p in found[:3]) + (
        f" and {len(found) - 3} more" if len(found) > 3 else ""
    )
    return Check(
        "files",
        "fail",
        f"{len(found)} readable by other users: {shown}",
        "run any triage command (it makes them private), or chmod -R go-rwx "
        + " ".join(str(r) for r in roots if r.exists()),
    )


async def diagnose(
    resolve: Callable[[], ConsoleContext], clock: Clock | None = None
) -> list[Check]:
    """Every check: config, the helpdesk's (if the config passed), the files, and
    presence's team directory when one is set."""
    checks = [*await _diagnose(resolve, clock), check_files()]
    try:
        team = check_presence(resolve().profile.team_dir)
    except ConfigError:
        team = None  # the config check said why
    return checks if team is None else [*checks, team]


def check_presence(setting: Path | None) -> Check | None:
    """The team directory presence uses (None when none is set)."""
    import os
    import stat

    from triage_tui.engine.presence import problem, setup_command, team_dir

    root = team_dir(setting)
    if root is None:
        return None
    found = problem(root)
    if found is not None:
        return Check("presence", "warn", found, setup_command(root))
    info = root.stat()
    group = _group_name(info.st_gid)
    if not info.st_mode & stat.S_ISGID:
        return Check(
            "presence",
            "warn",
            f"team directory {root} is not setgid: records take each agent's own group",
            f"chmod g+s {root}",
        )
    if info.st_mode & 0o070 != 0o070 or not os.access(root, os.R_OK):
        return Check(
            "presence",
            "warn",
            f"team directory {root}: its group {group} cannot read and write it",
            f"chmod 2770 {root}",
        )
    return Check("presence", "ok", f"team directory {root}, shared with group {group} only")


def _group_name(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


async def _diagnose(resolve: Callable[[], ConsoleContext], clock: Clock | None) -> list[Check]:
    """The config check, then (if it passed) every helpdesk check; the helpdesk is closed after."""
    from triage_tui import session
    from triage_tui.domain.escalation import RuleSet

    try:
        ctx = resolve()
        escalation = ctx.config.escalation
        rules = RuleSet.from_config(escalation.extra_phrases, escalation.routes)
    except ConfigError as exc:
        checks = [Check("config", "fail", str(exc), _config_hint(str(exc)))]
        return checks + _skipped(CHECKS[1:], "needs a valid config")
    where = ctx.config_path if ctx.config_path.exists() else f"{ctx.config_path} (absent: defaults)"
    checks = [
        Check(
            "config", "ok", f"profile {ctx.profile_name!r}, adapter {ctx.adapter_name!r}, {where}"
        )
    ]
    if ctx.db_path is not None and not ctx.db_path.exists():
        # Opening would create an empty helpdesk: report instead of writing one.
        missing = Check(
            "settings",
            "fail",
            f"no local helpdesk at {ctx.db_path}",
            "run `triage demo` for demo data, or point TRIAGE_LOCAL_DB / --db at your file",
        )
        return [*checks, missing, *_skipped(CHECKS[2:], "needs the settings first")]
    helpdesk = session.build_helpdesk(ctx, clock)
    try:
        return checks + await check_helpdesk(helpdesk, rules)
    finally:
        await helpdesk.close()


def _config_hint(message: str) -> str:
    if "chmod 600" in message:
        return "run the chmod command above, or move the secret to an environment variable"
    if "unknown adapter" in message:
        return "pick one of the installed adapters listed above (`triage --help`)"
    return GENERIC_HINTS["config"]


async def readiness(helpdesk: Helpdesk) -> Readiness:
    """One request's worth of judgement for the header badge: ``Zendesk ✓`` or why not."""
    name = helpdesk.display_name
    missing = helpdesk.missing_settings()
    if missing:
        return Readiness(False, f"{name}: needs config", "; ".join(missing))
    try:
        await helpdesk.probe()
    except ConfigError as exc:
        return Readiness(False, f"{name}: needs config", str(exc))
    except AuthError as exc:
        return Readiness(False, f"{name}: needs auth", str(exc))
    except RateLimited as exc:
        return Readiness(False, f"{name}: rate limited", str(exc))
    except Unreachable as exc:
        return Readiness(False, f"{name}: offline", str(exc))
    except TriageError as exc:
        return Readiness(False, f"{name}: error", str(exc))
    return Readiness(True, f"{name} ✓")


def render(checks: list[Check], as_json: bool) -> str:
    if as_json:
        data = {"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}
        # ASCII: a C1 control or bidi override in a helpdesk string is a \\u escape.
        return json.dumps(data, ensure_ascii=True, indent=2)
    return "\n".join(c.line() for c in checks)


def command(args: Namespace, resolve: Callable[[], ConsoleContext], clock: Clock | None) -> int:
    """``triage doctor``: print the checks; exit 1 when any failed."""
    import asyncio

    checks = asyncio.run(diagnose(resolve, clock))
    print(render(checks, bool(getattr(args, "json", False))))
    sys.stdout.flush()
    return 0 if all(c.ok for c in checks) else 1
