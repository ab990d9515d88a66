"""``triage changes``: one read of the helpdesk's change feed, with its cursor.

Without ``--since`` the verb resumes from the cursor it saved for this profile
last time (from now on the first run) and saves the new one; with ``--since``
it reads from that cursor and saves nothing, so a script keeps its own.
``--follow`` is ``triage watch`` (``cli.watch``): following the feed is that verb's.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from triage_tui.cli import output
from triage_tui.cli.run import Invocation, check_utf8, require_helpdesk
from triage_tui.cli.watch import RESYNC_LINE, change_line, require_feed
from triage_tui.domain.changes import ChangeBatch


def command(inv: Invocation, paths: frozenset[str]) -> int:
    from triage_tui import session
    from triage_tui.domain.clock import SystemClock
    from triage_tui.engine.changes import ChangePoller, CursorFile, PollPolicy, cursor_path

    args = inv.args
    since: str | None = args.since
    if args.follow:
        from triage_tui.cli import watch

        return watch.command(inv, paths, once=False, since=since)
    check_utf8(args, skip=paths)
    ctx = inv.context()
    require_helpdesk(ctx)
    saved = CursorFile(cursor_path(session.helpdesk_key(ctx), "cli"))
    printer = _Printer(json=bool(args.json))

    async def run() -> None:
        async with session.open_helpdesk(ctx, inv.clock or SystemClock()) as helpdesk:
            require_feed(helpdesk)
            poller = ChangePoller(
                helpdesk,
                printer.collect,
                policy=PollPolicy.for_helpdesk(helpdesk, ctx.profile.poll_seconds),
                cursor=since,
                # ``--since`` reads from a script's own cursor: the saved one stays.
                cursor_file=saved if since is None else None,
            )
            printer.finish(await poller.poll_once())

    asyncio.run(run())
    return 0


class _Printer:
    """The changes read as lines (or one JSON document), then the cursor."""

    def __init__(self, *, json: bool) -> None:
        self.json = json

    @staticmethod
    def collect(batch: ChangeBatch) -> None:
        del batch  # printed once, whole, by ``finish``

    def finish(self, batches: list[ChangeBatch]) -> None:
        last = batches[-1]
        if self.json:
            data: dict[str, Any] = {
                "changes": [c.as_json() for b in batches for c in b.changes],
                "cursor": last.cursor,
                "complete": last.complete,
                "resync": any(b.resync for b in batches),
            }
            print(output.dumps(data), flush=True)
            return
        lines = [line for b in batches for line in self._text(b)]
        print("\n".join([*lines, f"cursor {output.one_line(last.cursor)}"]), flush=True)
        if not last.complete:
            print("triage: more changes wait; run again to read on", file=sys.stderr)

    @staticmethod
    def _text(batch: ChangeBatch) -> list[str]:
        lines = [change_line(change) for change in batch.changes]
        if batch.resync:
            lines.append(RESYNC_LINE)
        return lines
