"""Python's cyclic garbage collector, paused while the console or a verb starts.

Start-up allocates a few hundred thousand objects that live as long as the
process: modules, classes, pydantic's validators, Textual's styles. The
collector kept walking them before the first screen was painted: a dozen
young-generation passes and a full one (~17 ms) that found nothing. Paused
until the first screen, the console showed its first rows ~55 ms sooner
(598 -> 545 ms at 120x40, 14 alternating runs of ``benchmarks/tui.py``'s
start-up). A verb pauses it until its helpdesk is open (``triage get-ticket``:
352 -> 301 ms, 15 alternating runs): scripts and agents run verbs one after
another. Then whatever is alive is frozen (``gc.freeze``: later full
collections skip it) and collection resumes. The few cycles start-up leaves
unreachable (~1 300 objects in a trace, well under a megabyte) are frozen
with the rest: finding them would take the full collection the pause saved.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop collecting until ``resume`` (a collector already off is left alone)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Undo ``pause``, once: freeze what start-up built, then collect again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def paused() -> bool:
    return _paused
