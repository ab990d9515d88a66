"""Rendering helpers: alignment by terminal cells, colour only where it is welcome."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from triage_tui.cli import output
from triage_tui.domain.models import Person, SlaTarget, Ticket


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _ticket(ticket_id: str, minutes: int | None, subject: str = "s", name: str = "Dana") -> Ticket:
    sla = (
        [SlaTarget(metric="first_reply_time", due_at=FROZEN_NOW + timedelta(minutes=minutes))]
        if minutes is not None
        else []
    )
    return Ticket(
        id=ticket_id,
        subject=subject,
        requester=Person(id="p", name=name),
        created_at=FROZEN_NOW - timedelta(hours=5),
        updated_at=FROZEN_NOW,
        sla=sla,
    )


def test_cell_len_counts_wide_characters_twice_and_marks_zero() -> None:
    assert output.cell_len("abc") == 3
    assert output.cell_len("日本") == 4
    assert output.cell_len("e\u0301") == 1


def test_fit_cuts_with_an_ellipsis_and_pads_to_the_exact_width() -> None:
    assert output.fit("hello world", 6) == "hello…"
    assert output.fit("日本語テキスト", 7) == "日本語…"
    assert output.cell_len(output.fit("日本語テキスト", 8)) == 8
    assert output.fit("ab", 4) == "ab  "


def test_colour_needs_a_tty_and_no_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    assert output.use_colour(_Tty())
    assert not output.use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.use_colour(_Tty())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not output.use_colour(_Tty())


def test_queue_rows_carry_text_markers_and_colour_never_skews_alignment() -> None:
    tickets = [_ticket("1", -30), _ticket("2", 20), _ticket("3", 600), _ticket("4", None)]
    plain = output.queue_lines(tickets, FROZEN_NOW)
    coloured = output.queue_lines(tickets, FROZEN_NOW, colour=True)
    assert [line[:2] for line in plain[1:]] == ["!!", "! ", "  ", "--"]
    assert (
        "breached" in plain[1]
        and "under 1 h" in plain[2]
        and "ok" in plain[3]
        and "no SLA" in plain[4]
    )
    assert "-30m" in plain[1] and "—" in plain[4]
    strip = [
        line.replace("\x1b[1;31m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[32m", "")
        .replace("\x1b[2m", "")
        .replace("\x1b[0m", "")
        for line in coloured
    ]
    assert strip == plain


def test_the_subject_column_is_cut_to_the_terminal_width() -> None:
    long = _ticket("1", 5, subject="word " * 60, name="A very long requester name indeed, truly")
    lines = output.queue_lines([long], FROZEN_NOW, width=80)
    assert all(output.cell_len(line) <= 80 for line in lines)
    assert lines[1].endswith("…")
    assert output.queue_lines([long], FROZEN_NOW)[1].endswith("word")  # piped: not cut


def test_untrusted_fields_cannot_break_rows() -> None:
    evil = _ticket("1", 5, subject="two\nlines\x1b[2J", name="Eve\r\x1b]0;t\x07")
    lines = output.queue_lines([evil], FROZEN_NOW)
    assert len(lines) == 2
    assert "two␤lines␛[2J" in lines[1] and "Eve␍␛]0;t␇" in lines[1]


def test_json_is_ascii_and_exact() -> None:
    text = output.dumps({"s": "caf\u00e9 \x1b \u202e"})
    assert text.isascii() and "\\u001b" in text and "\\u202e" in text
