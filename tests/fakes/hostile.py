"""One string carrying every terminal attack, for the tests of the terminal gate.

Each attack once: clipboard write (OSC 52), window title (OSC 0), hyperlink
(OSC 8), DCS (7- and 8-bit), APC/PM/SOS, clear screen (CSI 2J), 8-bit CSI,
NEL and ST, a bidi override and isolate, BEL, a lone CR that would overprint,
a Unicode tag character, and Textual markup that would quit the app.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from triage_tui import paths

ATTACK = (
    "\x1b]52;c;SGVsbG8=\x07\x1b]0;PWNED\x07"
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"
    "\x1bP1$qm\x1b\\\x90dcs\x9c\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\"
    "\x1b[2J\x9b31m\x85\u202eevil\u2066 bell\x07 over\rwrite \U000e0041"
    " [@click=app.quit]quit[/]"
)
#: What the attack looks like once neutralised (OSC 0's visible form).
VISIBLE = "␛]0;PWNED␇"
MARKUP = "[@click=app.quit]quit[/]"

#: Any character of the attack that must never be written raw: ESC and every
#: other C0 control but newline, DEL, C1, bidi controls, line/paragraph
#: separators, tag characters.
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\U000e0000-\U000e007f]"
)


def poison(db: Path) -> None:
    """Put the attack in every field a customer or the helpdesk controls, and in a user macro."""
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE tickets SET subject = 'Refund ' || subject || ?, excerpt = excerpt || ?",
            (ATTACK, ATTACK),
        )
        conn.execute(
            "UPDATE people SET name = name || ?, first_name = first_name || ?, email = email || ?",
            (ATTACK, ATTACK, ATTACK[:12]),
        )
        conn.execute("UPDATE organizations SET name = name || ?", (ATTACK,))
        conn.execute(
            "UPDATE articles SET title = title || ?, body = body || ' ' || ?, url = url || ?",
            (ATTACK, ATTACK, ATTACK),
        )
        conn.execute("UPDATE messages SET body = body || ?, author = author || ?", (ATTACK, ATTACK))
        for ticket_id, tags in conn.execute("SELECT id, tags FROM tickets").fetchall():
            conn.execute(
                "UPDATE tickets SET tags = ? WHERE id = ?",
                (json.dumps([*json.loads(tags), "vip" + ATTACK[:20]]), ticket_id),
            )
    macros = paths.user_macros_dir()
    macros.mkdir(parents=True, exist_ok=True)
    escaped = toml_string(ATTACK)
    (macros / "evil.toml").write_text(
        f'title = {escaped}\ndescription = {escaped}\ntags = ["refund"]\n'
        f"body = {toml_string('Hi {first_name}, ' + ATTACK + ' about {subject}')}\n"
        f"note = {escaped}\n",
        encoding="utf-8",
    )


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string, every control and non-ASCII character escaped."""

    def escape(char: str) -> str:
        if char in '"\\':
            return "\\" + char
        if 0x20 <= ord(char) < 0x7F:
            return char
        return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"

    return '"' + "".join(escape(c) for c in text) + '"'
