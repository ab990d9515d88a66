"""The only path from untrusted text to the screen.

Anything a customer or a helpdesk wrote (subjects, bodies, names, tags,
article titles) reaches a widget through these functions, which

* neutralise terminal control characters (ESC, OSC, other C0/C1, bidi
  overrides) via ``domain.text.sanitize``, so nothing reaches the terminal raw;
* build ``textual.content.Content`` objects directly, never through markup
  parsing, so ``[@click=app.quit]`` or ``[link=…]`` is shown as typed.

Textual parses plain ``str`` as markup in many places (``Static("…")``,
``border_title``, ``notify``, OptionList prompts, DataTable cells); passing a
``Content`` sidesteps that. Escaping is not used because it can be bypassed.
"""

from __future__ import annotations

import os

from textual.content import Content
from textual.style import Style

from triage_tui.domain.text import link_target, sanitize

#: Bodies longer than this are cut on screen (the full text stays in the
#: helpdesk and in ``triage get-ticket``); wrapping a megabyte on every
#: resize would freeze the console.
BODY_LIMIT = 20_000


def clean(text: str | None, *, one_line: bool = False) -> str:
    """Sanitised plain text for code that builds its own segments (the queue)."""
    if not text:
        return ""
    cleaned = sanitize(text, keep_newlines=not one_line)
    if one_line:
        cleaned = " ".join(cleaned.split())
    return cleaned


def literal(text: str | None, style: str = "") -> Content:
    """Untrusted text shown exactly as written, optionally in one of our styles."""
    return Content.styled(clean(text), style) if text else Content("")


def line(text: str | None, style: str = "") -> Content:
    """Untrusted text collapsed to one line (names, subjects, titles)."""
    cleaned = clean(text, one_line=True)
    return Content.styled(cleaned, style) if cleaned else Content("")


#: Set to anything but "" to draw links as plain text (no OSC 8), like NO_COLOR.
NO_HYPERLINKS = "TRIAGE_NO_HYPERLINKS"
#: Terminals known to print an OSC 8 instead of ignoring it (the Linux console).
_NO_OSC8_TERMS = frozenset({"linux", "dumb"})


def hyperlinks_on() -> bool:
    """Whether links are drawn as OSC 8 hyperlinks: not with ``TRIAGE_NO_HYPERLINKS``
    set, nor on the Linux console (``TERM=linux``), which prints the sequence."""
    if os.environ.get(NO_HYPERLINKS):
        return False
    return os.environ.get("TERM", "") not in _NO_OSC8_TERMS


def link_style(url: str | None) -> Style | None:
    """The style making text a hyperlink to ``url`` (OSC 8: a click opens it in
    terminals that support it), or None: not a safe http(s) link
    (``domain.text.link_target``), or hyperlinks are off."""
    target = link_target(url)
    if target is None or not hyperlinks_on():
        return None
    return Style(link=target)


def link(text: str | None, url: str | None, style: str = "") -> Content:
    """Untrusted ``text`` on one line, a hyperlink to ``url`` where ``link_style``
    gives one; plain text otherwise."""
    shown = line(text, style)
    linked = link_style(url)
    return shown.stylize(linked) if linked is not None and shown else shown


def body(text: str | None, limit: int = BODY_LIMIT) -> Content:
    """A message body, cut at ``limit`` characters with a visible notice."""
    text = text or ""
    if len(text) <= limit:
        return literal(text)
    rest_kb = (len(text) - limit) / 1024
    return Content.assemble(
        literal(text[:limit]),
        (f"\n… {rest_kb:,.0f} KB more not shown (full text: triage get-ticket)", "italic"),
    )


def assemble(*parts: Content | tuple[str, str] | str) -> Content:
    """Join pieces; plain ``str`` parts must be our own literals, never untrusted.

    Untrusted parts are passed as ``Content`` built by the helpers above.
    """
    return Content.assemble(*parts)
