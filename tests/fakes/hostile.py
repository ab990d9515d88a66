"""One string carrying every terminal attack, for the tests of the terminal gate.

Each attack once: clipboard write (OSC 52), window title (OSC 0), hyperlink
(OSC 8), DCS (7- and 8-bit), APC/PM/SOS, clear screen (CSI 2J), 8-bit CSI,
NEL and ST, a bidi override and isolate, BEL, a lone CR that would overprint,
a Unicode tag character, and Textual markup that would quit the app.
"""

from __future__ import annotations

import re

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
