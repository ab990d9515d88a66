"""Work per input on hostile text: time and peak memory of every text-processing path.

    python benchmarks/bounded_work.py [--size 1000000] [--no-plan]

Prints one JSON object. Each path (tokenising, KB ranking with its word
splitter and WordNet look-ups, the escalation rules, the safeguards on a draft,
the handling plan, similar-ticket clusters, the filter's typo vocabulary and
row matching, and what the console computes when the cursor lands on a ticket)
is fed each of the inputs of ``hostile_texts``: one ``--size``-character word,
as many copies of one character, 100 000 tiny words, 10 000 lines and mixed
unicode. Seconds are wall time of one run without tracing; ``peak_mb`` is the
tracemalloc peak of a second run (tracing slows allocation-heavy code several
times, so the two are measured apart). ``triage plan`` runs as a subprocess on
a local helpdesk holding a ticket with a ``--size``-letter word, for its peak
resident size (``ru_maxrss``) and exit code.

``tests/domain/test_bounded_work.py`` checks the same paths against a memory
budget; the limits that keep the work bounded are listed in
docs/reliability.md ("Bounded work per input").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from triage_tui.domain import lexicon
from triage_tui.domain.clock import FrozenClock
from triage_tui.domain.clusters import cluster
from triage_tui.domain.enums import Priority, Role, Status
from triage_tui.domain.escalation import RuleSet
from triage_tui.domain.filters.row_index import RowIndex
from triage_tui.domain.filters.terms import Context, WordCond
from triage_tui.domain.filters.word_match import Vocabulary, WordMatcher
from triage_tui.domain.handling_plan.plan import handling_plan
from triage_tui.domain.kb.ranking import KbIndex, best_sentence, ticket_query
from triage_tui.domain.models import Article, Message, NewTicket, Person, Ticket, TicketDetail
from triage_tui.domain.queue import QueueRow
from triage_tui.domain.safeguards import checks as safeguards

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
SIZE = 1_000_000

KB = [
    Article(
        id="refund",
        title="Get a refund",
        body="Certainly! Ask for a refund from the Billing page. Refunds take 5 days to arrive.",
    ),
    Article(
        id="password",
        title="Reset your password",
        body="Use the Forgot password link on the sign-in page to reset your password.",
    ),
    Article(
        id="support",
        title="Contact customer support",
        body="Write to customer support from the Help menu; a person replies within a day.",
    ),
]


def hostile_texts(size: int = SIZE) -> dict[str, str]:
    """The inputs an attacker (or a pasted log) can put in a subject or a message."""
    unit = "r\u00e9sum\u00e9 \u65e5\u672c\u8a9e \u0130stanbul \U0001f600 \u202e\u0301 "
    return {
        "long_word": "refund " + "a" * size,
        "one_char": "x" * size,
        "tiny_words": " ".join(["ab", "cd", "refnd", "q", "helpme"][i % 5] for i in range(100_000)),
        "lines": "\n".join(f"Refund please, line {i}" for i in range(10_000)),
        "unicode": (unit * (size // len(unit) + 1))[:size],
    }


def detail(text: str, ticket_id: str = "T-1") -> TicketDetail:
    """A ticket whose subject and only customer message are ``text``."""
    person = Person(id="p1", name="Dana Scully", email="dana@example.com")
    ticket = Ticket(
        id=ticket_id,
        subject=text,
        status=Status.OPEN,
        requester=person,
        tags=[text[:30]],
        created_at=NOW - timedelta(hours=3),
        updated_at=NOW,
    )
    message = Message(
        id="m1",
        ticket_id=ticket_id,
        author="Dana",
        role=Role.CUSTOMER,
        body=text,
        created_at=NOW - timedelta(hours=3),
    )
    return TicketDetail(ticket=ticket, messages=[message])


def row(text: str, ticket_id: str) -> QueueRow:
    """A queue row whose subject is ``text``; its excerpt is cut, as helpdesks do."""
    return QueueRow(
        id=ticket_id,
        subject=text + ticket_id,
        status=Status.OPEN,
        priority=Priority.NORMAL,
        requester="Dana",
        requester_id="p1",
        organization="",
        vip=False,
        due=NOW.timestamp() + 3600,
        paused=False,
        created=NOW.timestamp() - 3600,
        tags=(),
        assignee="",
        channel="email",
        excerpt=text[:200] + ticket_id,
    )


def _kb_rank(text: str) -> object:
    return KbIndex(KB).rank(ticket_query(detail(text)))


def _split_and_candidates(text: str) -> object:
    vocabulary = KbIndex(KB).vocabulary
    return [(vocabulary.split(w), vocabulary.candidates(w)) for w in text.split()[:2_000]]


def _best_sentence(text: str) -> object:
    return best_sentence(KB[0], ticket_query(detail(text)))


def _escalation(text: str) -> object:
    return RuleSet.default().evaluate(detail(text))


def _safeguards(text: str) -> object:
    ticket = detail(text)
    rules = RuleSet.default().evaluate(ticket)
    matches = KbIndex(KB).rank("refund")
    return safeguards.check(text, detail=ticket, kb=matches, rules=rules)


def _plan(text: str) -> object:
    ticket = detail(text)
    rules = RuleSet.default().evaluate(ticket)
    made = handling_plan(ticket, None, rules, KbIndex(KB).rank("refund"), None, now=NOW)
    return made.to_markdown()


def _clusters(text: str) -> object:
    return cluster([row(text, str(i)) for i in range(4)])


def _word_filter(text: str) -> object:
    rows = [row(text, str(i)) for i in range(2)]
    vocabulary = Vocabulary()
    vocabulary.ingest(r.haystack() for r in rows)
    words = ["refnud", "password", text.split(maxsplit=1)[0][:60], text[:2_000].lower()]
    hays = [r.haystack() for r in rows]
    found = [WordMatcher(w, vocabulary.corrections(w, 2)).select(rows, hays, False) for w in words]
    index = RowIndex(rows)
    context = Context(now=NOW.timestamp(), me="sam")
    found += [index.select([(WordCond(w), False)], context) for w in words]
    return found


def _tokens(text: str) -> object:
    return len(list(lexicon.tokens(text))), len(lexicon.TermCache().terms(text))


PATHS: dict[str, Callable[[str], object]] = {
    "tokens": _tokens,
    "kb_rank": _kb_rank,
    "kb_split_candidates": _split_and_candidates,
    "kb_best_sentence": _best_sentence,
    "escalation": _escalation,
    "safeguards": _safeguards,
    "plan": _plan,
    "clusters": _clusters,
    "word_filter": _word_filter,
}
"""Every text-processing path, as a function of one hostile text."""


async def seed_helpdesk(db: Path, text: str, *, demo_tickets: int = 40) -> str:
    """A demo helpdesk plus one ticket whose subject and body hold ``text``; its id."""
    from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
    from triage_tui.demo import generator as demo

    demo.generate(db, tickets=demo_tickets, seed=7, now=NOW)
    async with LocalHelpdesk(LocalOptions(db=db), clock=FrozenClock(NOW)) as helpdesk:
        ticket = await helpdesk.create_ticket(
            NewTicket(
                subject="Refund " + text,
                body="Hello, " + text + " I want a refund.",
                requester_email="mallory@example.com",
                priority=Priority.HIGH,
            )
        )
    return ticket.id


async def console_intel(db: Path, ticket_id: str) -> dict[str, Any]:
    """What the console computes when the cursor lands on a ticket: its view (KB
    suggestions, rules), its draft, the safeguards on the draft and its plan."""
    from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
    from triage_tui.config import Profile
    from triage_tui.engine.loader import TicketLoader

    helpdesk = LocalHelpdesk(LocalOptions(db=db), clock=FrozenClock(NOW))
    loader = TicketLoader(helpdesk, RuleSet.default(), FrozenClock(NOW))
    await loader.open()
    try:
        loader.start_kb_index()
        await loader.kb_ready()
        view = await loader.load(ticket_id)
        draft, _ = loader.draft(view, Profile(agent="Sam Agent"))
        findings = safeguards.check(draft, detail=view.detail, kb=view.kb, rules=view.rules)
        made = handling_plan(view.detail, view.history, view.rules, view.kb, None, now=NOW)
    finally:
        await loader.close()
    return {"draft": draft, "findings": findings, "plan": made}


def plan_command(db: Path, ticket_id: str, *, address_space: int | None = None) -> list[str]:
    """``triage plan ID`` as a command line, optionally under a memory rlimit (bytes)."""
    code = "import sys; from triage_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    if address_space is not None:
        code = (
            "import resource; "
            f"resource.setrlimit(resource.RLIMIT_AS, ({address_space}, {address_space})); " + code
        )
    return [sys.executable, "-c", code, "plan", ticket_id, "--db", str(db)]


def _measure(fn: Callable[[], object]) -> dict[str, float]:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"s": round(seconds, 3), "peak_mb": round(peak / 2**20, 1)}


def _plan_subprocess(size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "helpdesk.db"
        ticket_id = asyncio.run(seed_helpdesk(db, "a" * size))
        script = (
            "import resource, subprocess, sys, time; s = time.perf_counter(); "
            "rc = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
            "print(rc, time.perf_counter() - s, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        env = {**os.environ, "TRIAGE_CONFIG_DIR": tmp, "TRIAGE_DATA_DIR": tmp}
        out = subprocess.run(
            [sys.executable, "-c", script, *plan_command(db, ticket_id)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.split()
    return {"exit": int(out[0]), "s": round(float(out[1]), 2), "max_rss_mb": int(out[2]) // 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=SIZE, help="characters of the long inputs")
    parser.add_argument("--no-plan", action="store_true", help="skip the `triage plan` run")
    args = parser.parse_args(argv)
    texts = hostile_texts(args.size)
    result: dict[str, Any] = {"size": args.size, "paths": {}}
    for name, path in PATHS.items():
        result["paths"][name] = {
            kind: _measure(lambda p=path, t=text: p(t))  # type: ignore[misc]
            for kind, text in texts.items()
        }
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "helpdesk.db"
        ticket_id = asyncio.run(seed_helpdesk(db, "a" * args.size))
        os.environ.setdefault("TRIAGE_CONFIG_DIR", tmp)
        result["console_intel"] = _measure(lambda: asyncio.run(console_intel(db, ticket_id)))
    if not args.no_plan:
        result["triage_plan"] = _plan_subprocess(args.size)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
