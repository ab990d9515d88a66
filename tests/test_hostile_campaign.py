"""The quick subset of the hostile campaign (``benchmarks/hostile.py --quick``) finds nothing.

Each case runs a real verb as a subprocess, or the real console in a
pseudo-terminal, against a hostile loopback Zendesk, hostile local data or a
hostile config or data file, and the campaign scans what reached the
terminal. The totals — tracebacks, exit 70, hangs, escape bytes from data,
secrets printed, cases that could not even be set up — must be zero.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def test_quick_campaign_finds_no_traceback_hang_escape_or_secret() -> None:
    pytest.importorskip("pyte", reason="the console cases need pyte: pip install -e '.[bench]'")
    from benchmarks import hostile

    results = hostile.run(quick=True, jobs=2)
    assert len(results) >= 15
    assert {r.surface for r in results} >= {"console", "queue", "get-ticket", "doctor"}
    counted = results
    totals = hostile.totals(counted)
    failures = {r.id: hostile.summary(r) for r in counted if r.failed}
    assert failures == {}
    assert totals["tracebacks"] == totals["exit70"] == totals["hangs"] == 0
    assert totals["escape_bytes"] == totals["secrets"] == totals["broken_cases"] == 0
    # Every case ran to an exit of its own: a code was recorded, none was killed.
    assert all(r.exit is not None and r.exit >= 0 for r in counted)


def test_the_scans_tell_injected_sequences_from_textuals_drawing() -> None:
    from benchmarks import hostile_scan as scan
    from benchmarks.hostile_data import END, START, marked

    drawn = f"\x1b[1;5H\x1b[38;2;1;2;3m{START}osc52>␛]52;c;eA==␇{END}\x1b[0m\x1b[2J"
    assert scan.console_escapes(drawn, own=set()) == []  # colours, moves, its own 2J elsewhere
    injected = f"\x1b[1;5H{marked('csi2j')}\x1b[0m"
    assert "between markers" in scan.console_escapes(injected, own=set())[0]
    osc = f"\x1b[H{marked('osc52')}"
    assert scan.console_escapes(osc, own=set())
    assert scan.console_escapes("\x1b]11;?\x07", own={"\x1b]11;?\x07"}) == []  # its own query
    # The console's own hyperlinks (OSC 8 to a plain http(s) address) are drawing;
    # another scheme, or a sequence broken off by a control character, is not.
    link = "\x1b]8;id=9-7;https://help.example/a/1\x1b\\KB\x1b]8;;\x1b\\"
    assert scan.console_escapes(link, own=set()) == []
    assert scan.console_escapes("\x1b]8;id=1;javascript:alert(1)\x1b\\", own=set())
    assert scan.console_escapes("\x1b]8;id=1;https://a.example/\x1b[2J\x1b\\", own=set())
    assert scan.console_escapes(f"\x1b[1;5H{START}x>{link}{END}", own=set()) == []
    assert scan.verb_escapes("subject \u202eexe.txt") and scan.verb_escapes("plain ␛ text") == []
    assert scan.tracebacks("\x1b[1mTraceback (most recent call last)\x1b[0m:")
    assert scan.secrets_in("token=abc123", ["abc123"]) and not scan.secrets_in("***", ["abc123"])
