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

from textual.content import Content

from triage_tui.domain.text import sanitize

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
