"""``triage changes``: the helpdesk's change feed, printed (``--follow``: as it happens).

Without ``--since`` the verb resumes from the cursor it saved for this profile
last time (from now on the first run) and saves the new one; with ``--since``
it reads from that cursor and saves nothing, so a script keeps its own.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from triage_tui.cli import output
from triage_tui.cli.run import Invocation, check_utf8, require_helpdesk
from triage_tui.domain.changes import ChangeBatch
from triage_tui.domain.errors import TriageError, Unsupported

if TYPE_CHECKING:
    from triage_tui.adapters.base import Helpdesk


def command(inv: Invocation, paths: frozenset[str]) -> int:
    from triage_tui import session
    from triage_tui.domain.clock import SystemClock
    from triage_tui.engine.changes import ChangePoller, CursorFile, cursor_path, default_interval

    args = inv.args
    check_utf8(args, skip=paths)
    ctx = inv.context()
    require_helpdesk(ctx)
    since: str | None = args.since
    saved = CursorFile(cursor_path(session.helpdesk_key(ctx), "cli"))
    printer = _Printer(json=bool(args.json), follow=bool(args.follow))

    async def run() -> None:
        async with session.open_helpdesk(ctx, inv.clock or SystemClock()) as helpdesk:
            _require_feed(helpdesk)
            interval = ctx.profile.poll_seconds or default_interval(helpdesk)
            poller = ChangePoller(
                helpdesk,
                printer.batch,
                interval=interval,
                cursor=since,
                # ``--since`` reads from a script's own cursor: the saved one stays.
                cursor_file=saved if since is None else None,
                on_error=printer.error,
            )
            if args.follow:
                await poller.run()
            else:
                printer.finish(await poller.poll_once())

    asyncio.run(run())
    return 0


def _json_line(data: dict[str, Any]) -> str:
    """One JSON object per line (``--follow --json``), terminal-safe like ``output.dumps``."""
    return json.dumps(data, ensure_ascii=True)


def _require_feed(helpdesk: Helpdesk) -> None:
    if not helpdesk.capabilities.change_feed:
        raise Unsupported(f"{helpdesk.display_name} has no change feed")


class _Printer:
    """Changes as lines (or JSON) on stdout, flushed per batch for pipes."""

    def __init__(self, *, json: bool, follow: bool) -> None:
        self.json, self.follow = json, follow

    def batch(self, batch: ChangeBatch) -> None:
        if not self.follow:
            return  # printed once, whole, by ``finish``
        if self.json:
            lines = [
                _json_line({**change.as_json(), "cursor": batch.cursor}) for change in batch.changes
            ]
            if batch.resync:
                lines.append(_json_line({"resync": True, "cursor": batch.cursor}))
        else:
            lines = [*self._text(batch), f"cursor {output.one_line(batch.cursor)}"]
        print("\n".join(lines), flush=True)

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
        lines = [
            "  ".join(
                part
                for part in (
                    change.at.strftime("%Y-%m-%d %H:%M:%S UTC") if change.at else "",
                    f"#{output.one_line(change.ticket_id)}",
                    change.kind.value,
                    f"by {output.one_line(change.actor)}" if change.actor else "",
                )
                if part
            )
            for change in batch.changes
        ]
        if batch.resync:
            lines.append("resync: the cursor could not be resumed; reload, then follow on")
        return lines

    @staticmethod
    def error(error: TriageError) -> None:
        line = output.one_line(str(error))
        print(f"triage: {line} (polling on, backing off)", file=sys.stderr, flush=True)
