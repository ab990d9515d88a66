"""Workers that end quietly when their screen is taken down."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from textual.css.query import NoMatches
from textual.screen import Screen

Result = TypeVar("Result")


def being_taken_down(screen: Screen[Any]) -> bool:
    """The app is quitting or this screen is being popped.

    ``_pruning`` is the only mark Textual leaves on a screen whose removal has
    begun; its widgets go first and its workers are cancelled last."""
    return not screen.app.is_running or not screen.is_attached or getattr(screen, "_pruning", False)


@contextmanager
def quiet_when_taken_down(screen: Screen[Any]) -> Iterator[None]:
    """Work that wakes between its screen's widgets' removal and its own
    cancellation finds no widgets: that ends it quietly. While the screen is
    up, a missing widget is a bug and is raised."""
    try:
        yield
    except NoMatches:
        if not being_taken_down(screen):
            raise


def ends_with_screen(
    method: Callable[..., Awaitable[Result]],
) -> Callable[..., Awaitable[Result | None]]:
    """For a screen's display workers (loading a ticket, reading ahead): one
    that wakes between its widgets' removal and its own cancellation finds no
    panes. That is the end of its work, not an error (the app would re-raise
    it on the way out)."""

    @functools.wraps(method)
    async def run(screen: Screen[Any], *args: Any, **kwargs: Any) -> Result | None:
        with quiet_when_taken_down(screen):
            return await method(screen, *args, **kwargs)
        return None

    return run
