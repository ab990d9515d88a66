"""Neutralise terminal control characters in untrusted text.

Customer-written subjects, bodies and names reach the terminal (the verbs'
output, the console's widgets). Raw, they can move the cursor, rewrite what the
agent already read (``\\r``, CSI), set the window title or plant hyperlinks
(OSC), or reorder what is displayed (Trojan Source bidi overrides). ``sanitize``
turns every such character into a *visible* escape instead of dropping it, so an
agent sees that something was hidden there.

What is replaced, and by what:

* C0 controls (U+0000–U+001F) except ``\\n`` and ``\\t`` → the matching Control
  Picture (``\\x1b`` → ``␛``, ``\\r`` → ``␍``, ``\\x07`` → ``␇``); DEL → ``␡``.
  ``\\r\\n`` counts as one newline, a lone ``\\r`` does not (it overprints).
* C1 controls (U+0080–U+009F, including the 8-bit CSI ``\\x9b`` and NEL) →
  the text ``\\x9b``.
* Bidi embeddings/overrides U+202A–U+202E and isolates U+2066–U+2069 →
  ``\\u202e``. (LRM/RLM/ALM are left alone: they are invisible, cannot reorder
  text on their own, and real right-to-left writing uses them.)
* U+2028/U+2029 (line/paragraph separator): some renderers break lines on them
  → ``\\u2028``.
* Lone surrogates (from ``surrogateescape`` decoding) would make ``print``
  raise ``UnicodeEncodeError`` → ``\\udcff``.
* Unicode tag characters U+E0000–U+E007F are invisible and used to smuggle
  instructions past a human to an AI agent reading the output → ``\\U000e0041``.
  (The cost: subdivision flag emoji show their tags escaped.)

With ``keep_newlines=False`` (table cells, one-line fields) newlines become
``␤`` and tabs a single space, so one value can never spill onto another row.

Markup (``[@click=…]``) is not this module's business: the UI never parses
untrusted text as markup. The function is pure and takes a fast path for clean
text (one regex scan), so it is cheap on a 1 MB body. It never imports Textual:
the verbs and the console's safe-text gate both use it. JSON output does not
need it — JSON escapes control characters itself.
"""

from __future__ import annotations

import re

__all__ = ["count", "is_clean", "link_target", "sanitize"]

# One class for everything unsafe in both modes; \n and \t depend on the mode.
# CR LF is matched first so it becomes a single newline.
_UNSAFE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff"
    "\U000e0000-\U000e007f"
)
_MULTILINE = re.compile(f"\r\n|[{_UNSAFE_CLASS}]")
_SINGLE_LINE = re.compile(f"\r\n|[\n\t{_UNSAFE_CLASS}]")


def _escape(char: str) -> str:
    """The visible stand-in for one unsafe character."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _multiline_sub(match: re.Match[str]) -> str:
    text = match.group()
    return "\n" if text == "\r\n" else _escape(text)


def _single_line_sub(match: re.Match[str]) -> str:
    text = match.group()
    if text in ("\r\n", "\n"):
        return "\u2424"  # ␤
    if text == "\t":
        return " "
    return _escape(text)


def sanitize(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every terminal control character replaced by a visible escape.

    ``keep_newlines=True`` keeps ``\\n`` (and folds ``\\r\\n`` into it) and ``\\t``;
    ``False`` is for single-line fields: newlines become ``␤``, tabs a space.
    Clean text is returned unchanged (the same object).
    """
    pattern = _MULTILINE if keep_newlines else _SINGLE_LINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_multiline_sub if keep_newlines else _single_line_sub, text)


def is_clean(text: str, *, keep_newlines: bool = True) -> bool:
    """True when ``sanitize`` would return ``text`` unchanged."""
    pattern = _MULTILINE if keep_newlines else _SINGLE_LINE
    return pattern.search(text) is None


#: A link the console makes clickable or copies: http(s), then printable ASCII
#: without spaces. Nothing else can end an OSC 8 sequence early (no ESC, BEL or
#: C1) or run a script (``javascript:``, ``data:``), and what is shown is what opens.
_LINK = re.compile(r"https?://[!-~]+", re.IGNORECASE)
#: Longer than any helpdesk's ticket or article address; a longer "link" is not one.
LINK_LIMIT = 2048


def link_target(url: str | None) -> str | None:
    """``url`` when the console may make it a link (OSC 8) or copy it as one: an
    ``http``/``https`` address of printable ASCII, no spaces or control characters,
    at most ``LINK_LIMIT`` characters; None for anything else (shown as text only)."""
    if not url or len(url) > LINK_LIMIT or _LINK.fullmatch(url) is None:
        return None
    return url


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number English wants: "1 escalation", "3 escalations",
    "0 SLA breaches" (``plural`` where adding "s" is wrong: "breach", "breaches")."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
