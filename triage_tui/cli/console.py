"""Starting the Textual console from the command line (``triage``, ``triage sweep``).

The one module of the command line that imports Textual (when it starts it).
"""

from __future__ import annotations

import os
from typing import Any

from triage_tui import collector
from triage_tui.cli.run import Invocation, require_helpdesk

#: Frames a second when the detail follows the cursor (Textual's default is 60).
LOCAL_FPS = "240"


def start(inv: Invocation, sweep: str | None = None) -> int:
    """The console (``triage``), or the console opened on a sweep's plan (``triage sweep``)."""
    # Until the main screen has painted its first rows (``collector``).
    with collector.during_start_up():
        from triage_tui import session

        ctx = inv.context(view=inv.args.view)
        require_helpdesk(ctx)  # before the outbox or any screen is set up
        if sweep is not None:
            # Checked before any screen is drawn: a bad filter is a one-line error here.
            import dataclasses

            from triage_tui.cli.run import parse_filter

            canonical = str(parse_filter(sweep, ctx.profile.agent, "FILTER"))
            ctx = dataclasses.replace(ctx, initial_sweep=canonical)
        # Every write of the console goes through the profile's outbox: held for
        # the undo window, delivered in the background, never lost or doubled.
        helpdesk = session.buffered(session.build_helpdesk(ctx, inv.clock), ctx, mode="console")
        _local_frame_rate(ctx.profile.preview)
        from triage_tui.ui.app import run  # Textual is imported only here

        extra: dict[str, Any] = {}
        if ctx.initial_filter is not None:
            extra["initial_filter"] = ctx.initial_filter  # --view: the queue's filter at start
        if ctx.initial_sweep is not None:
            extra["initial_sweep"] = ctx.initial_sweep  # the main screen opens its plan
        return int(run(helpdesk, ctx.profile, ctx.config, theme=ctx.theme, **extra) or 0)


def _local_frame_rate(preview: str) -> None:
    """Where the detail follows the cursor (a local terminal), the ticket's frame
    is ready ~8 ms after the cursor's, and Textual's screen timer, having just
    drawn the cursor, next ticks one to two slots later: 17-33 ms at 60 frames
    a second, 8-17 at 120, 4-8 at 240, and the ticket waits for that tick.
    Locally bytes are free; over SSH,
    where the ticket opens with Enter, the default rate keeps held keys light.
    Read by Textual when it is first imported, so set before; an agent's own
    ``TEXTUAL_FPS`` wins."""
    from triage_tui.config import preview_follows_cursor

    if preview_follows_cursor(preview):
        os.environ.setdefault("TEXTUAL_FPS", LOCAL_FPS)
