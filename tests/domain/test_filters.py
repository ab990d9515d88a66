"""The filter language: every token, negation, canonical form, errors and their messages."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from tests.domain.row_factories import hours, minutes, row
from triage_tui.domain.durations import (
    DurationError,
    format_duration,
    parse_duration,
    parse_since,
)
from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.filters import word_match
from triage_tui.domain.filters.language import Filter, FilterError, parse

NOW = FROZEN_NOW

ROWS = [
    row(
        "1",
        subject="Password reset link expired",
        priority=Priority.URGENT,
        due_in=minutes(-30),
        tags=("login",),
        organization="Acme Corp",
        vip=True,
        assignee="Sam Martinez",
        channel="email",
        age=hours(1),
    ),
    row(
        "2",
        subject="Invoice shows the wrong VAT",
        excerpt="We were charged twice, refund please",
        priority=Priority.HIGH,
        due_in=minutes(45),
        tags=("billing", "refund"),
        organization="Kestrel Health",
        channel="web",
        age=hours(3),
    ),
    row(
        "3",
        subject="API returns 401 after token rotation",
        priority=Priority.HIGH,
        due_in=hours(3),
        tags=("api", "sso"),
        assignee="Mei Chen",
        channel="api",
        status=Status.PENDING,
        age=hours(30),
    ),
    row(
        "4",
        subject="Export to CSV fails",
        excerpt="The single sign-on page loops for our VIP users",
        priority=Priority.NORMAL,
        due_in=None,
        paused=True,
        tags=("export",),
        status=Status.ON_HOLD,
        channel="chat",
        age=hours(50),
    ),
    row(
        "5",
        subject="Dark mode request",
        priority=Priority.LOW,
        due_in=hours(20),
        status=Status.NEW,
        channel="Email",
        age=minutes(20),
    ),
]


def ids(text: str, rows: list | None = None, me: str = "Sam Martinez") -> list[str]:
    return [r.id for r in parse(text, me=me).apply(ROWS if rows is None else rows, NOW)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["1", "2", "3", "4", "5"]),
        ("priority:high", ["2", "3"]),
        ("priority:high,urgent", ["1", "2", "3"]),
        ("PRIORITY:Urgent", ["1"]),
        ("priority:>=high", ["1", "2", "3"]),
        ("priority:<normal", ["5"]),
        ("priority:medium", ["4"]),
        ("status:open,pending", ["1", "2", "3"]),
        ("status:hold", ["4"]),
        ("status:new", ["5"]),
        ("tag:api", ["3"]),
        ("tag:refund,export", ["2", "4"]),
        ("sla:<90m", ["1", "2"]),
        ("sla:<0m", ["1"]),
        ("sla:<-1h", []),
        ("sla:>2h", ["3", "5"]),
        ("sla:>=3h", ["3", "5"]),
        ("breached", ["1"]),
        ("-breached", ["2", "3", "4", "5"]),
        ("age:<4h", ["1", "2", "5"]),
        ("age:>1d", ["3", "4"]),
        ("org:acme", ["1"]),
        ("org:HEALTH,acme", ["1", "2"]),
        ("vip", ["1"]),
        ("-vip", ["2", "3", "4", "5"]),
        ("assignee:me", ["1"]),
        ("assignee:none", ["2", "4", "5"]),
        ("assignee:mei", ["3"]),
        ('assignee:"mei chen"', ["3"]),
        ("assignee:me,none", ["1", "2", "4", "5"]),
        ("-assignee:none", ["1", "3"]),
        ("channel:email", ["1", "5"]),
        ("channel:api,chat", ["3", "4"]),
        ("password", ["1"]),
        ("PASSW", ["1"]),
        ("passwrod", ["1"]),
        ("refnd", ["2"]),
        ("invoce", ["2"]),
        ("-refund", ["1", "3", "4", "5"]),
        ('"single sign-on"', ["4"]),
        ('"sign on"', []),
        ('-"dark mode"', ["1", "2", "3", "4"]),
        ('"vip"', ["4"]),
        ("priority:high sla:<90m", ["2"]),
        ("priority:high,urgent -vip age:<4h", ["2"]),
        ("401 token", ["3"]),
    ],
)
def test_each_token_selects_the_right_rows(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


def test_apply_keeps_input_order_and_matches_agrees() -> None:
    reversed_rows = list(reversed(ROWS))
    flt = parse("-priority:low", me="x")
    assert [r.id for r in flt.apply(reversed_rows, NOW)] == ["4", "3", "2", "1"]
    assert [r.id for r in ROWS if flt.matches(r, NOW)] == ["1", "2", "3", "4"]
    assert flt.apply(iter(ROWS), NOW) == flt.apply(ROWS, NOW)
    assert Filter().apply(ROWS, NOW) == ROWS and Filter().apply(ROWS, NOW) is not ROWS


def test_rows_without_a_running_sla_never_match_an_sla_comparison() -> None:
    assert "4" not in ids("sla:>1m") and "4" not in ids("sla:<100d")
    assert "4" in ids("-sla:<100d")


def test_time_moves_the_answer() -> None:
    flt = parse("sla:<90m", me="x")
    later = NOW + timedelta(hours=2)
    assert [r.id for r in flt.apply(ROWS, later)] == ["1", "2", "3"]


def test_assignee_me_follows_the_profile_name() -> None:
    assert ids("assignee:me", me="mei chen") == ["3"]
    assert ids("assignee:me", me="") == []


def test_a_tag_with_capitals_matches_as_typed_or_lower_cased() -> None:
    rows = [row("9", tags=("VIP-Escalation",)), row("8", tags=("vip-escalation",))]
    assert ids("tag:VIP-Escalation", rows) == ["9", "8"]
    assert ids("tag:vip-escalation", rows) == ["8"]


def test_typo_tolerance_is_per_row_and_needs_five_letters() -> None:
    alone = [r for r in ROWS if r.id == "2"]
    assert ids("refnd", alone) == ids("refnd") == ["2"]
    assert ids("csb") == []  # three letters: exact only
    # "sigle" is one edit from "single" but never matches inside another word.
    assert ids("sigle") == ["4"]
    assert ids("sigle", [row("7", subject="singles club")]) == []


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("priority:urgent,high", "priority:high,urgent"),
        ("Status:Pending,OPEN", "status:open,pending"),
        ("sla:<90m", "sla:<90m"),
        ("sla:<1h30m", "sla:<90m"),
        ("age:<1.5d", "age:<36h"),
        ("age:>=48h", "age:>=2d"),
        ("  -VIP   breached ", "-vip breached"),
        ('org:"Acme, Inc" assignee:"Mei Chen",NONE', 'org:"Acme, Inc" assignee:"Mei Chen",none'),
        ('"Password   Reset" Refund', '"password reset" refund'),
        ('x"vip"', '"xvip"'),
        ("priority:>=high TAG:API,api", "priority:>=high tag:API,api"),
    ],
)
def test_canonical_form_round_trips(text: str, canonical: str) -> None:
    flt = parse(text, me="Sam")
    assert str(flt) == canonical
    assert parse(str(flt), me="Sam") == flt


def test_describe_is_short_words_for_the_queue_title() -> None:
    flt = parse('priority:high,urgent -vip sla:<90m tag:api assignee:me "reset link"', me="S")
    assert flt.describe() == (
        'priority high or urgent · not VIP · SLA < 90m left · tagged api · mine · "reset link"'
    )
    assert parse("age:>2d assignee:none channel:email", me="S").describe() == (
        "older than 2d · unassigned · via email"
    )
    assert Filter().describe() == "all tickets" and not Filter() and parse("vip", me="")


@pytest.mark.parametrize(
    ("text", "message", "position", "token"),
    [
        (
            "prio:high",
            'unknown field "prio" at column 1 — did you mean "priority"?',
            0,
            "prio:high",
        ),
        ("vip tags:api", 'unknown field "tags" at column 5 — did you mean "tag"?', 4, "tags:api"),
        (
            "organization:acme",
            'unknown field "organization" at column 1 — did you mean "org"?',
            0,
            "organization:acme",
        ),
        (
            "foo:bar",
            (
                'unknown field "foo" at column 1 (fields: priority, status, tag, sla, age, '
                'org, assignee, channel, breached, vip; quote "foo:…" to search for the text)'
            ),
            0,
            "foo:bar",
        ),
        ("sla:<90x", 'sla:<90x: bad duration "90x" (use m, h, d)', 0, "sla:<90x"),
        ("vip sla:<90", 'sla:<90: bad duration "90" (use m, h, d)', 4, "sla:<90"),
        ("age:<-1h", 'age:<-1h: bad duration "-1h" (use m, h, d)', 0, "age:<-1h"),
        ("sla:90m", "sla:90m: compare with < or >, e.g. sla:<90m", 0, "sla:90m"),
        (
            "priority:hgh",
            'priority:hgh: unknown priority "hgh" — did you mean "high"?',
            0,
            "priority:hgh",
        ),
        (
            "priority:zzz",
            'priority:zzz: unknown priority "zzz" (use low, normal, high, urgent)',
            0,
            "priority:zzz",
        ),
        (
            "priority:>=hihg",
            'priority:>=hihg: unknown priority "hihg" — did you mean "high"?',
            0,
            "priority:>=hihg",
        ),
        (
            "status:closedd",
            'status:closedd: unknown status "closedd" — did you mean "closed"?',
            0,
            "status:closedd",
        ),
        ("priority:", "priority: needs a value, e.g. priority:high", 0, "priority:"),
        ("tag:,", "tag:, needs a value, e.g. tag:api", 0, "tag:,"),
        ("sla:", "sla: needs a value, e.g. sla:<90m", 0, "sla:"),
        ("-vip:yes", "-vip:yes: vip takes no value (use vip or -vip)", 0, "-vip:yes"),
        ("vip - x", '"-" at column 5: nothing to negate', 4, "-"),
        ('refund "dark mode', "unterminated quote at column 8", 7, '"dark mode'),
        ('org:"acme', "unterminated quote at column 5", 0, 'org:"acme'),
        ('""', '"": empty phrase', 0, '""'),
    ],
)
def test_errors_point_at_the_offending_token(
    text: str, message: str, position: int, token: str
) -> None:
    with pytest.raises(FilterError) as caught:
        parse(text, me="x")
    error = caught.value
    assert str(error) == message
    assert (error.position, error.token, error.column) == (position, token, position + 1)
    assert text[error.span[0] : error.span[1]] == token
    assert isinstance(error, InvalidInput) and error.exit_code == 2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90m", 5400), ("4h", 14400), ("2d", 172800), ("1h30m", 5400), ("1.5h", 5400), (" 2H ", 7200)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "90", "90x", "h", "-5m", "1h 30m", "5 m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(DurationError, match=r"bad duration .* \(use m, h, d\)"):
        parse_duration(text)


def test_duration_formatting_and_since() -> None:
    assert [format_duration(timedelta(minutes=m)) for m in (0, 45, 90, 120, 1440, -30)] == [
        "0m",
        "45m",
        "90m",
        "2h",
        "1d",
        "-30m",
    ]
    assert parse_duration("-30m", allow_negative=True) == timedelta(minutes=-30)
    assert parse_since("8h", NOW) == NOW - timedelta(hours=8)
    assert parse_since("2026-11-22T01:00", NOW) == NOW - timedelta(hours=8, minutes=30)
    with pytest.raises(DurationError):
        parse_since("yesterday", NOW)


def test_parsing_does_not_import_rapidfuzz() -> None:
    """Config validation parses every view at start; that must stay cheap."""
    code = (
        "import sys; from triage_tui.domain.filters import language as filters; "
        "filters.parse('priority:high passwrod \"x y\" -vip', me='a'); "
        "print('rapidfuzz' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_filters_give_the_same_answer_in_bulk_and_row_by_row() -> None:
    """Behaviour at size (the bulk path skips work per term); speed: benchmarks/filters.py."""
    rows = [
        row(
            str(i),
            subject=f"{base.subject} {i}",
            excerpt=base.excerpt,
            priority=base.priority,
            tags=base.tags,
            organization=base.organization,
        )
        for i in range(1_000)
        for base in ROWS
    ]
    word_match.warm(rows)
    for text in ("priority:high,urgent age:<4h", "passwrod", "-refund tag:login"):
        flt = parse(text, me="x")
        assert flt.apply(rows, NOW) == [r for r in rows if flt.matches(r, NOW)], text


def test_vocabulary_proposes_known_spellings_only() -> None:
    vocab = word_match.Vocabulary()
    vocab.ingest(["password passwords reset, re-set pass 2fa", "invoice"])
    assert vocab.corrections("passwrod", 1) == ("password",)
    assert vocab.corrections("passwor", 1) == ()  # "password" already contains it
    assert vocab.corrections("invoce", 1) == ("invoice",)
    assert len(vocab) == 6  # password(s), reset, set, pass, invoice: no "re", no "2fa"
    assert word_match.max_edits("pass") == 0 and word_match.max_edits("passwrd") == 1
    assert word_match.max_edits("authentcation") == 2 and word_match.max_edits("abc12") == 0
