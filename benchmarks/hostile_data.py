"""Hostile strings and the data set that carries them, for ``benchmarks/hostile.py``.

Every payload is wrapped in markers (``HXS<kind>>`` … ``<HXE``) so the
campaign can find where the product drew it and look at exactly those bytes:
Textual's own drawing (colours, cursor moves) may sit between the markers,
the payload's escape sequences may not. The same ``SeedSpec`` the adapter
contract uses carries the strings into every field a helpdesk holds —
subjects, bodies, names, emails, organization names, tags, KB titles — and
seeds both the embedded SQLite helpdesk and the fake Zendesk.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from tests.adapters.seed import (
    DEFAULT_SPEC,
    SeedArticle,
    SeedMessage,
    SeedOrg,
    SeedPerson,
    SeedSla,
    SeedSpec,
    SeedTicket,
)
from triage_tui.domain.enums import Priority, Role, Status

START, END = "HXS", "<HXE"

#: Terminal control sequences a customer (or a compromised helpdesk) can put in a string.
PAYLOADS: dict[str, str] = {
    "osc52": "\x1b]52;c;cHduZWQgY2xpcGJvYXJk\x07",  # write the clipboard
    "osc0": "\x1b]0;PWNED-TITLE\x07",  # set the window title
    "osc8": "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # a hidden link
    "dcs": "\x1bP+q544e\x1b\\",  # device control string (termcap query)
    "csi2j": "\x1b[2J\x1b[H",  # clear the screen
    "c1": "\x9b31m\x9b2J\x9d0;c1-title\x9c",  # 8-bit CSI / OSC / ST
    "bidi": "\u202eexe.txt\u202c \u2066iso\u2069",  # right-to-left override, isolates
    "bel": "\x07\x07bell",
    "mixed": "\x1b[31m\x1b]52;c;eA==\x07\x1bP1$r\x1b\\\x9b6n\u202e\x07\r\x08\x00\x7f",
}

#: Terminal control bytes that must never reach a terminal from data (as code points).
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def marked(kind: str) -> str:
    return f"{START}{kind}>{PAYLOADS[kind]}{END}"


def is_control(ch: str) -> bool:
    """ESC, BEL, a C1 control or a bidi override/isolate."""
    code = ord(ch)
    return ch in "\x1b\x07" or 0x80 <= code <= 0x9F or ch in BIDI


def hostile_spec(now: datetime, text: str, *, body: str | None = None) -> SeedSpec:
    """``DEFAULT_SPEC`` moved to ``now`` with ``text`` in every string field.

    ``body`` (default: ``text``) goes into the first message of every ticket;
    the big-text cases put their megabyte there and keep the short fields short.
    """
    body = text if body is None else body
    short = text if len(text) < 4096 else text[:4096]

    def person(p: SeedPerson) -> SeedPerson:
        local = p.email.split("@", 1)
        return replace(p, name=f"{short} {p.name}", email=f"{local[0]}.{short}@{local[1]}")

    def ticket(t: SeedTicket) -> SeedTicket:
        first, *rest = t.messages
        messages = (replace(first, body=f"{body} refund {first.body}"), *rest)
        tags = (*t.tags, short)
        return replace(t, subject=f"{short} {t.subject}", messages=messages, tags=tags)

    extra = SeedTicket(
        "hostile",
        f"Refund {short}",
        Status.OPEN,
        Priority.URGENT,
        "ana",
        ago=timedelta(minutes=20),
        messages=(SeedMessage(Role.CUSTOMER, f"{body} please refund", timedelta(minutes=20)),),
        sla=(SeedSla("first_reply_time", timedelta(minutes=40)),),
        tags=(short,),
    )
    return replace(
        DEFAULT_SPEC,
        now=now,
        orgs=tuple(replace(o, name=f"{short} {o.name}") for o in DEFAULT_SPEC.orgs)
        + (SeedOrg("evil", short, "enterprise", vip=True),),
        people=tuple(person(p) for p in DEFAULT_SPEC.people)
        + (SeedPerson("evil", short or "x", f"evil@{'x' * 8}.example", "evil", short, 1.0),),
        tickets=tuple(ticket(t) for t in DEFAULT_SPEC.tickets) + (extra,),
        articles=tuple(
            replace(a, title=f"{short} {a.title}", body=f"{body} refund {a.body}")
            for a in DEFAULT_SPEC.articles
        )
        + (SeedArticle("evil", f"Refund {short}", f"{body} refund", section=short),),
    )


#: Big local texts: what one customer can paste into a ticket.
BIG_TEXTS: dict[str, str] = {
    "word_1mb": "refund" + "x" * 1_000_000,
    "char_1mb": "\u00e9" * 1_000_000,
    "words_100k": " ".join(f"w{n % 977}" for n in range(100_000)),
    "lines_10k": "\n".join(f"line {n} refund" for n in range(10_000)),
}
