"""Deterministic demo data for Polaris, a fictional project-management SaaS.

``generate`` fills a local helpdesk file with organisations, requesters,
tickets (active and solved history), conversations, SLA targets and the KB.
The same ``(tickets, seed, now)`` always gives the same database: all
randomness comes from one seeded ``random.Random`` and every time is an
offset from ``now``, so screenshots and tests can freeze it.

Fast at scale (100 000 tickets in seconds): tickets are planned first (cheap
tuples), sorted by creation time so ids grow with time as in a real
helpdesk, then rendered and written in chunks with ``executemany`` in one
transaction on a file that is journalled only once it is complete.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage_tui.adapters.local.store import connect, is_triage_db, schema_sql, statements, to_db
from triage_tui.demo import content as C
from triage_tui.demo.articles import articles
from triage_tui.demo.blueprint import SCENARIOS, TicketBlueprint, blueprints_for
from triage_tui.demo.support import MIN, FastRandom, People, stamp
from triage_tui.domain.clock import ensure_utc
from triage_tui.domain.errors import ConfigError

FIRST_TICKET_ID = 1001
CHUNK = 5_000
DEMO_EVENT = "demo.generated"


def _fills(rng: random.Random, people: People, requester: int) -> dict[str, str]:
    org = people.orgs[requester]
    values = {name: rng.choice(options) for name, options in C.FILL.items()}
    values["count"] = str(rng.choice((3, 5, 8, 12, 20, 40, 150, 2000)))
    values["code"] = str(rng.randint(1000, 9999))
    values["tier"] = C.ORGANIZATIONS[org].tier if org is not None else people.rows[requester][4]
    return values


def _render(
    rng: random.Random, blueprint: TicketBlueprint, people: People, nth: int
) -> tuple[Any, ...]:
    """Subject, topic, group, assignee and the messages of one planned ticket.

    ``nth`` counts the tickets of the same scenario so far: scenario tickets
    take their cases in turn, so every trigger phrase (refund, GDPR, HIPAA…)
    appears as soon as there are a handful of them.
    """
    scenario_topics = {
        "billing_refund": C.BILLING,
        "data_integrity": C.DATA_INTEGRITY,
        "legal_compliance": C.LEGAL,
    }
    topic = scenario_topics.get(blueprint.scenario or "") or rng.choice(C.TOPICS)
    fills = _fills(rng, people, blueprint.requester)
    first = people.first_names[blueprint.requester]
    agent = rng.choice(C.AGENTS)
    assigned = (blueprint.status != "new" and rng.random() < 0.85) or rng.random() < 0.08
    case = nth % len(topic.subjects) if blueprint.scenario else rng.randrange(len(topic.subjects))
    subject = topic.subjects[case].format_map(fills)
    problem = topic.problems[case % len(topic.problems)]

    def agent_text(core: str) -> str:
        return (
            f"Hi {first},\n\n{core}\n\n{rng.choice(C.CLOSINGS)}\n\nBest,\n{agent}\nPolaris Support"
        )

    def customer_first(extra: str = "") -> str:
        text = (
            f"{rng.choice(C.GREETINGS)}\n\n{problem} "
            f"{rng.choice(topic.details)}\n\n{rng.choice(C.IMPACTS)} {extra}"
            f"{rng.choice(C.ASKS)}"
        ).format_map(fills)
        return f"{text}\n\n{rng.choice(C.SIGNOFFS)}\n{first}"

    bodies: list[tuple[str, str]] = []  # (code, body)
    for code in blueprint.shape:
        if code == "C":
            body = customer_first()
        elif code == "H":
            ask = C.HUMAN_REQUESTS[nth % len(C.HUMAN_REQUESTS)]
            body = customer_first(ask + " ") if not bodies else f"{rng.choice(C.CHASERS)} {ask}"
        elif code == "c":
            body = rng.choice(C.FOLLOW_UPS).format_map(fills)
        elif code == "X":
            body = rng.choice(C.CHASERS)
        elif code == "T":
            body = rng.choice(C.THANKS)
        elif code == "A":
            body = agent_text(f"{rng.choice(C.ACKS)} {rng.choice(topic.steps)}".format_map(fills))
        elif code == "Q":
            body = agent_text(f"{rng.choice(C.ACKS)} {rng.choice(topic.asks)}".format_map(fills))
        elif code == "F":
            body = agent_text(f"Good news: {rng.choice(topic.fixes)}".format_map(fills))
        else:  # "N"
            body = rng.choice(C.NOTES).format_map(fills)
        bodies.append((code, body))
    span = max(blueprint.last - blueprint.created, 0)
    inner = sorted(rng.randint(0, span) for _ in range(max(len(bodies) - 2, 0)))
    times = (
        [blueprint.created]
        + [blueprint.created + t for t in inner]
        + ([blueprint.last] if len(bodies) > 1 else [])
    )
    tags = list(topic.tags) + (["vip"] if people.is_vip(blueprint.requester) else [])
    group = topic.group if assigned or blueprint.scenario else None
    return subject, tags, group, agent if assigned else None, bodies, times, agent


def generate(
    db_path: Path,
    tickets: int = 300,
    seed: int = 7,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write a fresh demo helpdesk to ``db_path`` and return what it holds.

    An existing triage database at ``db_path`` is replaced as a whole (the new
    one is built beside it and moved into place); any other file is refused
    with a ``ConfigError``. Whether replacing a helpdesk that holds real work
    is acceptable is the caller's call (``is_demo_db`` tells them apart;
    ``triage demo`` wants ``--force``). ``progress(done, total)`` is called
    once per chunk of 5 000 tickets.
    """
    if tickets < 1:
        raise ConfigError(f"the demo needs at least 1 ticket, not {tickets}")
    db_path = Path(db_path).expanduser()
    if db_path.exists() and db_path.stat().st_size and not is_triage_db(db_path):
        raise ConfigError(
            f"{db_path} is not a triage-tui helpdesk database; refusing to replace it"
        )
    at = ensure_utc(now or datetime.now(UTC)).replace(microsecond=0)
    rng = FastRandom(seed)
    epoch = int(at.timestamp())
    tmp = db_path.with_name(db_path.name + ".demo-tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
        # A path under a file: ``connect`` below says so as one line.
        with contextlib.suppress(NotADirectoryError):
            leftover.unlink(missing_ok=True)
    conn = connect(tmp)
    # Hundreds of thousands of tuples and no reference cycles: the cyclic GC
    # would only rescan them (about 1 s of a 100 000-ticket run).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        summary = _fill(conn, rng, epoch, tickets, progress)
        conn.execute(
            "INSERT INTO events(name, at, ticket_id, actor, payload)"
            " VALUES (?, ?, NULL, 'demo', ?)",
            (
                DEMO_EVENT,
                to_db(at),
                json.dumps({"seed": seed, "tickets": tickets, "now": to_db(at)}),
            ),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    conn.close()
    for stale in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)  # a stale WAL must never meet the new file
    os.replace(tmp, db_path)
    return summary


def _fill(
    conn: sqlite3.Connection,
    rng: random.Random,
    now: int,
    count: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    # The file is new and private until it is moved into place: no journal,
    # no syncs; WAL is switched on once it is complete.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    # A modest page cache: indexes are built after the load, so a large cache
    # saves little time and costs much peak RSS (docs/performance.md).
    conn.execute("PRAGMA cache_size = -16384")  # KiB
    # Rows are consistent by construction; checking each reference costs a lookup.
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    # Secondary indexes are cheaper built once, sorted, than grown row by row.
    indexes = [s for s in statements(schema_sql()) if s.upper().startswith("CREATE INDEX")]
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    people = People(rng, max(30, count * 80 // 100), now)
    conn.executemany("INSERT INTO organizations VALUES (?, ?, ?, ?)", people.org_rows)
    conn.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?)", people.rows)
    conn.executemany(
        "INSERT INTO articles(id, title, body, url, section) VALUES (?, ?, ?, ?, ?)", articles()
    )
    blueprints = blueprints_for(rng, now, people, count)
    counts = {"breached": 0, "due_90min": 0, "no_sla": 0, "messages": 0}
    scenarios = dict.fromkeys(SCENARIOS, 0)
    ticket_rows: list[tuple[Any, ...]] = []
    message_rows: list[tuple[Any, ...]] = []
    sla_rows: list[tuple[Any, ...]] = []
    message_id = 0
    for index, blueprint in enumerate(blueprints):
        ticket_id = str(FIRST_TICKET_ID + index)
        nth = scenarios[blueprint.scenario] if blueprint.scenario else 0
        subject, tags, group, assignee, bodies, times, agent = _render(rng, blueprint, people, nth)
        person = people.rows[blueprint.requester]
        for (code, body), when in zip(bodies, times, strict=True):
            message_id += 1
            if code in "CcXHT":
                author, email, role, public = person[1], person[2], "customer", 1
            else:
                author, email, role, public = agent, "", "agent", int(code != "N")
            message_rows.append(
                (str(message_id), ticket_id, author, email, role, public, body, stamp(when))
            )
        for metric, due, stage in blueprint.sla:
            sla_rows.append((ticket_id, metric, stamp(due), stage))
        active = [due for _, due, stage in blueprint.sla if stage == "active"]
        if blueprint.status in ("new", "open"):
            counts["no_sla"] += not blueprint.sla
            counts["breached"] += bool(active and min(active) <= now)
            counts["due_90min"] += bool(active and now < min(active) <= now + 90 * MIN)
        if blueprint.scenario:
            scenarios[blueprint.scenario] += 1
        excerpt = " ".join(bodies[0][1].split())[:200]
        ticket_rows.append(
            (
                ticket_id,
                subject,
                blueprint.status,
                blueprint.priority,
                person[0],
                person[7],
                assignee,
                group,
                json.dumps(tags),
                _channel(rng),
                stamp(blueprint.created),
                stamp(max(times)),
                excerpt,
            )
        )
        if len(ticket_rows) >= CHUNK or index == len(blueprints) - 1:
            _flush(conn, ticket_rows, message_rows, sla_rows)
            counts["messages"] += len(message_rows)
            ticket_rows, message_rows, sla_rows = [], [], []
            if progress is not None:
                progress(index + 1, count)
    for statement in indexes:
        conn.execute(statement)
    conn.execute("ANALYZE")
    return {
        "tickets": count,
        "active": sum(p.status not in ("solved", "closed") for p in blueprints),
        "people": len(people.rows),
        "organizations": len(people.org_rows),
        "messages": counts["messages"],
        "articles": len(articles()),
        "breached": counts["breached"],
        "due_90min": counts["due_90min"],
        "no_sla": counts["no_sla"],
        "scenarios": scenarios,
    }


def _channel(rng: random.Random) -> str:
    return rng.choices(C.CHANNELS, C.CHANNEL_WEIGHTS)[0]


def _flush(
    conn: sqlite3.Connection,
    tickets: list[tuple[Any, ...]],
    messages: list[tuple[Any, ...]],
    sla: list[tuple[Any, ...]],
) -> None:
    conn.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tickets)
    conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", messages)
    conn.executemany("INSERT INTO sla_targets VALUES (?, ?, ?, ?)", sla)


def is_demo_db(path: Path) -> bool:
    """True for a triage database that holds no tickets or was written by ``generate``."""
    path = Path(path).expanduser()
    if not is_triage_db(path):
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if conn.execute(
                "SELECT 1 FROM events WHERE name = ? LIMIT 1", (DEMO_EVENT,)
            ).fetchone():
                return True
            return conn.execute("SELECT 1 FROM tickets LIMIT 1").fetchone() is None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def demo_counts(path: Path) -> tuple[int, int] | None:
    """``(tickets, events)`` of a database ``generate`` wrote; None for any other file.

    An empty triage database (no tickets, no demo marker) is None too: there
    is no day's work in it to keep.
    """
    path = Path(path).expanduser()
    if not is_triage_db(path):
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if not conn.execute(
                "SELECT 1 FROM events WHERE name = ? LIMIT 1", (DEMO_EVENT,)
            ).fetchone():
                return None
            tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
            return int(tickets), int(events)
        finally:
            conn.close()
    except sqlite3.Error:
        return None
