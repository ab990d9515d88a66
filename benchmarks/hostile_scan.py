"""What a run wrote that it should not have: escape bytes from data, tracebacks, secrets.

Verbs write to pipes, so any ESC, BEL, C1 control or bidi override in their
output came from the data. The console draws with escape sequences of its
own, so its raw pty output is judged in two ways:

* sequences Textual never sends (OSC, DCS, SOS/PM/APC, a lone BEL, C1
  controls, bidi overrides) anywhere, unless the clean console sent the very
  same sequence too (its own terminal queries and modes) or it is one of the
  console's own OSC 8 hyperlinks to a plain http(s) address;
* around every payload marker (``HXS…`` … ``<HXE``): the bytes between the
  markers may hold Textual's colours (SGR) and cursor moves (CUP, a field
  wrapped to the next line) and nothing else, so an injected CSI 2J — a
  sequence Textual also sends, elsewhere — is caught where it was drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyte

from benchmarks.hostile_data import END, PAYLOADS, START, is_control

TRACEBACK = "Traceback (most recent call last)"
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # other ESC sequences
    r"|\x1b"  # a lone ESC
    r"|[\x07\x80-\x9f\u202a-\u202e\u2066-\u2069]"
)
#: The console's own hyperlinks (OSC 8, ``ui.widgets`` via ``domain.text.link_target``):
#: an id, then a plain http(s) address of printable ASCII, or the empty closing one.
#: A link from data that carried a control character ends the sequence early and
#: the rest is judged on its own.
_OWN_LINK = r"\x1b\]8;[\x21-\x3a\x3c-\x7e]*;(?:https?://[\x21-\x7e]*)?(?:\x1b\\|\x07)"
_LINK = re.compile(_OWN_LINK)
#: Textual's drawing inside a field: colours, cursor positioning and its links.
_DRAWING = re.compile(r"\x1b\[[0-9;:]*[mH]|" + _OWN_LINK)
#: Never sent by Textual itself. A lone BEL is not here: the console rings the bell
#: on an error, and a BEL from data is caught next to its marker instead.
_NEVER_OWN = re.compile(r"\x1b[\]PX^_]|[\x80-\x9f\u202a-\u202e\u2066-\u2069]")
_OPENING = re.compile(re.escape(START) + r"([a-z0-9_]+)>")
#: How far after a start marker to look when the end marker was cut off.
WINDOW = 300


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _context(text: str, at: int) -> str:
    return repr(text[max(0, at - 40) : at + 60])


def verb_escapes(text: str, limit: int = 3) -> list[str]:
    """Every control character in a verb's output (it writes to a pipe: none are its own)."""
    found = []
    for at, ch in enumerate(text):
        if is_control(ch):
            found.append(f"{ch!r} at {at}: {_context(text, at)}")
            if len(found) >= limit:
                break
    return found


def own_sequences(text: str) -> set[str]:
    """The exotic sequences a clean console sends by itself (terminal queries, modes)."""
    return {m.group() for m in _SEQUENCE.finditer(text) if _NEVER_OWN.match(m.group())}


def console_escapes(text: str, own: Iterable[str], limit: int = 3) -> list[str]:
    baseline = set(own)
    found: list[str] = []
    for match in _SEQUENCE.finditer(text):
        seq = match.group()
        if _NEVER_OWN.match(seq) and seq not in baseline and not _link_at(text, match.start()):
            found.append(f"{seq!r}: {_context(text, match.start())}")
            if len(found) >= limit:
                return found
    for region, at in marker_regions(text):
        rest = _DRAWING.sub("", region)
        bad = next((ch for ch in rest if is_control(ch)), None)
        if bad is not None:
            found.append(f"{bad!r} between markers: {_context(text, at)}")
            if len(found) >= limit:
                break
    return found


def _link_at(text: str, at: int) -> bool:
    """The OSC at ``at`` is one of the console's own hyperlinks (see ``_OWN_LINK``)."""
    return _LINK.match(text, at) is not None


def marker_regions(text: str) -> Iterable[tuple[str, int]]:
    """What was drawn from each payload's start marker to its end marker.

    The payload follows the start marker (``HXS<kind>>``) directly, so when
    a field was cut before its end marker, the payload's own first bytes
    right after the marker (with or without Textual's colours between) are
    what an injection looks like; anything else there is Textual's drawing.
    """
    for match in _OPENING.finditer(text):
        begin = match.end()
        end = text.find(END, begin, begin + 4096)
        following = text.find(START, begin)
        if end >= 0 and not 0 <= following < end:
            yield text[begin:end], match.start()
            continue
        head = PAYLOADS.get(match.group(1), "")[:2]
        after = text[begin : begin + WINDOW]
        if head and (after.startswith(head) or _DRAWING.sub("", after).startswith(head)):
            yield head, match.start()


def tracebacks(text: str) -> bool:
    """A Python traceback, or Textual's traceback panel (drawn in one styled run)."""
    if TRACEBACK in text:
        return True
    plain = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", text)
    return TRACEBACK in plain or "most recent call last" in plain


def secrets_in(text: str, secrets: Iterable[str]) -> list[str]:
    return [f"secret #{n} ({len(s)} chars)" for n, s in enumerate(secrets) if s and s in text]


def screen_text(raw: bytes, cols: int = 120, rows: int = 40, tail: int = 256 << 10) -> str:
    """The last screen, as pyte emulates it from the end of the output (for the report)."""
    screen = pyte.Screen(cols, rows)
    pyte.ByteStream(screen).feed(raw[-tail:])
    return "\n".join(line.rstrip() for line in screen.display).strip()
