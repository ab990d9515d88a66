"""Waiting for the console's workers in tests and the screenshot script (no pytest here)."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.worker import WorkerError, WorkerFailed


async def workers_done(app: App[object]) -> None:
    """Until the app's workers are done. A worker cancelled meanwhile (a newer
    ticket load replaced it) or not yet started is not a failure, as Textual's
    ``wait_for_complete`` reports it: wait again for what replaced it. A worker
    that failed still fails the test."""
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerFailed:
            raise
        except WorkerError:
            await asyncio.sleep(0.01)
    await app.workers.wait_for_complete()
