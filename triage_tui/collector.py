"""Python's cyclic garbage collector, paused while the console or a verb starts.

Start-up allocates a few hundred thousand objects that live as long as the
process: modules, classes, pydantic's validators, Textual's styles. The
collector would keep walking them before the first screen is painted: a
dozen young-generation passes and a full one (~17 ms) that find nothing, so
it is paused until the first rows are on screen. A verb pauses it until its
helpdesk is open: scripts and agents run verbs one after another, and each
pays its start-up. Then whatever is alive is frozen (``gc.freeze``: later full
collections skip it) and collection resumes. The few cycles start-up leaves
unreachable (~1 300 objects in a trace, well under a megabyte) are frozen
with the rest: finding them would take the full collection the pause saved.

From then on the youngest generation is collected every ``YOUNG_THRESHOLD``
allocations instead of Python's 700. Opening a ticket allocates thousands of
short-lived objects (strips, segments, content): at 700 that is ~11 young
collections and one middle one per ticket opened locally (~5 ms of it) and a
full one (~28 ms) every ten tickets or so, landing on whichever key allocated
last; at 7 000, ~1 young collection per ticket. What each step gained is in
docs/performance.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between collections of the youngest generation (Python: 700).
YOUNG_THRESHOLD = 7_000

_paused = False


def pause() -> None:
    """Stop collecting until ``resume`` (a collector already off is left alone)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Undo ``pause``, once: freeze what start-up built, then collect again,
    the youngest generation every ``YOUNG_THRESHOLD`` allocations."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
        gc.enable()


def paused() -> bool:
    return _paused


@contextmanager
def during_start_up() -> Iterator[None]:
    """Paused inside; resumed on the way out if nothing resumed it sooner
    (the console or verb stopped before its first screen or its helpdesk)."""
    pause()
    try:
        yield
    finally:
        resume()
