"""Copying to the agent's clipboard from a terminal, also over SSH and inside tmux or screen.

The console writes OSC 52 (``ESC ] 52 ; c ; <base64> BEL``): the terminal
emulator on the agent's own machine sets its clipboard, wherever the console
runs. A terminal multiplexer sits in between and needs a hand:

* tmux (``TMUX`` is set): with ``set -g set-clipboard on`` tmux takes a plain
  OSC 52 itself, keeps it as a paste buffer and forwards it to the outer
  terminal; the default (``external``) drops it. With ``set -g
  allow-passthrough on`` (tmux 3.3+) a DCS passthrough ``ESC P tmux; … ESC \\``,
  every ESC inside doubled, reaches the outer terminal whatever
  ``set-clipboard`` says. The console writes both, plain first: whichever of
  the two settings is on, the copy arrives (with both on, the same text twice).
* GNU screen (``STY`` is set): screen passes a DCS ``ESC P … ESC \\`` through
  but cuts long ones, so the sequence goes in pieces of 76 characters, each in
  its own DCS, as the usual ``osc52`` scripts do.
* elsewhere: the plain sequence.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

ESC = "\x1b"
#: String terminator (``ESC \\``), which ends a DCS.
ST = ESC + "\\"
#: The characters of the sequence per DCS inside screen (its buffer is 768 bytes).
SCREEN_CHUNK = 76


def osc52(text: str) -> str:
    """The plain OSC 52 sequence that sets the clipboard to ``text``."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"{ESC}]52;c;{data}\a"


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` in tmux's DCS passthrough (needs ``allow-passthrough on``)."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


def screen_passthrough(sequence: str) -> str:
    """``sequence`` in GNU screen's DCS passthrough, cut into pieces screen accepts."""
    return "".join(
        f"{ESC}P{sequence[at : at + SCREEN_CHUNK]}{ST}"
        for at in range(0, len(sequence), SCREEN_CHUNK)
    )


def multiplexer(env: Mapping[str, str] | None = None) -> str:
    """``"tmux"``, ``"screen"`` or ``""``: what the console runs inside (``TMUX`` first:
    tmux started inside screen is the one the console talks to)."""
    env = os.environ if env is None else env
    if env.get("TMUX"):
        return "tmux"
    if env.get("STY"):
        return "screen"
    return ""


def clipboard_sequence(text: str, env: Mapping[str, str] | None = None) -> str:
    """What to write to the terminal to copy ``text``, wrapped for tmux or screen."""
    plain = osc52(text)
    inside = multiplexer(env)
    if inside == "tmux":
        return plain + tmux_passthrough(plain)
    if inside == "screen":
        return screen_passthrough(plain)
    return plain
