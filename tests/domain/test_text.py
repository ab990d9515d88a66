"""The untrusted-text gate: nothing that can drive a terminal survives ``sanitize``."""

from __future__ import annotations

import pytest

from triage_tui.domain.text import is_clean, sanitize


def test_clean_text_is_returned_unchanged_and_identical() -> None:
    text = "Hi Dana,\n\tthe export works again. Café ✓ 日本語 👍🏽"
    assert sanitize(text) is text
    assert is_clean(text)


def test_escape_becomes_a_visible_picture_so_csi_sequences_are_inert() -> None:
    out = sanitize("red \x1b[31mALERT\x1b[0m")
    assert "\x1b" not in out
    assert out == "red ␛[31mALERT␛[0m"


def test_osc_title_and_hyperlink_sequences_are_neutralised() -> None:
    hostile = "\x1b]0;pwned\x07 and \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
    out = sanitize(hostile)
    assert "\x1b" not in out and "\x07" not in out
    assert out.startswith("␛]0;pwned␇ and ␛]8;;https://evil.example␛\\click")


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A)])
def test_every_c0_control_except_newline_and_tab_is_replaced(code: int) -> None:
    out = sanitize(f"a{chr(code)}b")
    assert chr(code) not in out
    assert out == f"a{chr(0x2400 + code)}b"


def test_del_is_replaced() -> None:
    assert sanitize("a\x7fb") == "a␡b"


@pytest.mark.parametrize("code", range(0x80, 0xA0))
def test_every_c1_control_is_replaced_by_a_hex_escape(code: int) -> None:
    out = sanitize(f"a{chr(code)}b")
    assert chr(code) not in out
    assert out == f"a\\x{code:02x}b"


@pytest.mark.parametrize("code", [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
def test_bidi_overrides_and_isolates_are_replaced(code: int) -> None:
    out = sanitize(f"invoice{chr(code)}fdp.exe")
    assert chr(code) not in out
    assert out == f"invoice\\u{code:04x}fdp.exe"


def test_trojan_source_example_is_fully_visible() -> None:
    hostile = 'access_level != "user\u202e \u2066// Check if admin\u2069 \u2066"'
    out = sanitize(hostile)
    assert all(ch not in out for ch in "\u202e\u2066\u2069")
    assert "\\u202e" in out and "\\u2066" in out and "\\u2069" in out


def test_bidi_marks_used_by_real_rtl_text_are_kept() -> None:
    text = "שלום\u200f world \u200e and \u061c"
    assert sanitize(text) == text


def test_line_and_paragraph_separators_are_replaced() -> None:
    assert sanitize("a\u2028b\u2029c") == "a\\u2028b\\u2029c"


def test_lone_surrogates_become_printable_escapes() -> None:
    out = sanitize("bad byte: \udcff end")
    assert out == "bad byte: \\udcff end"
    out.encode("utf-8")  # would raise UnicodeEncodeError with the raw surrogate


def test_tag_characters_used_for_ascii_smuggling_are_revealed() -> None:
    smuggled = "Thanks!" + "".join(chr(0xE0000 + ord(c)) for c in "ignore")
    out = sanitize(smuggled)
    assert out.startswith("Thanks!\\U000e0069")
    assert not any(0xE0000 <= ord(ch) <= 0xE007F for ch in out)


def test_carriage_return_line_feed_is_one_newline_but_a_lone_cr_is_visible() -> None:
    assert sanitize("one\r\ntwo") == "one\ntwo"
    # A lone CR would return the cursor and overprint "Paid in full".
    assert sanitize("Refund denied\rPaid in full") == "Refund denied␍Paid in full"


def test_single_line_mode_flattens_newlines_and_tabs() -> None:
    assert sanitize("a\nb\r\nc\td", keep_newlines=False) == "a␤b␤c d"
    assert not is_clean("a\nb", keep_newlines=False)
    assert is_clean("a\nb")


def test_markup_like_text_is_not_this_modules_business() -> None:
    # Markup is the UI's concern (it must never parse it); here it is plain text.
    text = "[@click=app.quit]x[/] [link=https://e.x]y[/link]"
    assert sanitize(text) is text


def test_visible_escapes_are_themselves_clean() -> None:
    every = "".join(chr(c) for c in range(0xA0)) + "\u202a\u2066\u2028\udc80\U000e0041"
    for keep in (True, False):
        once = sanitize(every, keep_newlines=keep)
        assert is_clean(once, keep_newlines=keep)
        assert sanitize(once, keep_newlines=keep) == once


def test_a_megabyte_body_is_returned_as_is_when_clean() -> None:
    clean = ("The export fails on large files. " * 32 + "\n") * 1000
    dirty = clean[:500_000] + "\x1b[2J" + clean[500_000:]
    assert sanitize(clean) is clean  # the fast path: no copy
    out = sanitize(dirty)
    assert "␛[2J" in out and len(out) == len(dirty)


def test_a_body_full_of_controls_is_still_linear() -> None:
    hostile = "\x1b[31m\u202e" * 50_000
    out = sanitize(hostile)
    assert "\x1b" not in out and "\u202e" not in out


def test_count_says_one_thing_and_many_things() -> None:
    from triage_tui.domain.text import count

    assert count(1, "escalation") == "1 escalation"
    assert count(0, "escalation") == "0 escalations"
    assert count(1, "SLA breach", "SLA breaches") == "1 SLA breach"
    assert count(2, "reply", "replies") == "2 replies"
