"""The untrusted-text gate: visible escapes for anything that can drive a terminal.

Ticket subjects, bodies and names come from customers. Escape sequences,
C0/C1 controls, bidi overrides (Trojan Source), line/paragraph separators,
lone surrogates and Unicode tag characters (ASCII smuggling) are replaced by
visible, inert stand-ins; everything else (any script, emoji, RTL marks used by
real text) is kept. Markup is not this module's business: the UI never parses
untrusted text as markup.
"""

from __future__ import annotations

import re

# Everything that is unsafe whatever the mode. CR LF is matched first so it
# becomes a single newline; a lone CR would overprint the line, so it is shown.
_UNSAFE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff"
    "\U000e0000-\U000e007f"
)
_MULTI_LINE_RE = re.compile(f"\r\n|[{_UNSAFE}]")
_ONE_LINE_RE = re.compile(f"\r\n|[\t\n{_UNSAFE}]")


def _escape(char: str, keep_newlines: bool) -> str:
    code = ord(char[0])
    if char == "\r\n" or char == "\n":
        return "\n" if keep_newlines else "\u2424"  # ␤
    if char == "\t":
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ␛ ␇ ␍ …
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def sanitize(text: str, keep_newlines: bool = True) -> str:
    """``text`` with every terminal-driving character made visible and inert.

    Clean text is returned as the very same object (the common case costs one
    regex scan). With ``keep_newlines=False`` newlines become ``␤`` and tabs a
    space, for one-line places (names, subjects, queue rows).
    """
    pattern = _MULTI_LINE_RE if keep_newlines else _ONE_LINE_RE
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: _escape(m.group(), keep_newlines), text)


def is_clean(text: str, keep_newlines: bool = True) -> bool:
    """True when ``sanitize`` would return ``text`` unchanged."""
    pattern = _MULTI_LINE_RE if keep_newlines else _ONE_LINE_RE
    return pattern.search(text) is None
