"""Issue 23 item 2, in the console: a KB suggestion below the confidence threshold is listed
with its score but not quoted into the draft, and the missing-link safeguard stays quiet;
one at or above it is quoted and linked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.ui.test_console import pane_text, settle
from triage_tui.domain.kb.ranking import RELEVANT_SCORE
from triage_tui.domain.replies.drafting import NEXT_STEP_MARKER
from triage_tui.domain.safeguards.checks import Kind
from triage_tui.ui.app import TriageApp
from triage_tui.ui.widgets.draft import DraftPane
from triage_tui.ui.widgets.queue import QueueView


async def test_weak_suggestions_are_listed_not_quoted_and_strong_ones_quoted(
    demo_db: Path, make_app: Callable[..., TriageApp]
) -> None:
    """Issue 23 item 2: walking the demo queue with ``j``, every ticket whose best suggestion
    is under ``RELEVANT_SCORE`` shows it (title and score) in the detail pane while its
    draft keeps the fill-in and has no missing-link warning; every ticket whose best
    suggestion reaches it gets that article's link in the draft. Both kinds occur (the
    walk stops once each was seen three times)."""
    app = make_app(demo_db)
    weak = strong = 0
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot)
        queue = screen.query_one(QueueView)
        for _ in range(len(queue.rows)):
            view = screen.view
            assert view is not None
            if view.kb:
                top = view.kb[0]
                detail = pane_text(screen)
                assert top.article.title[:30] in detail
                assert f"{top.score:3.0f} " in detail
                pane = screen.query_one(DraftPane)
                kinds = {f.kind for f in pane.findings}
                if top.score < RELEVANT_SCORE:
                    weak += 1
                    assert NEXT_STEP_MARKER in pane.text
                    assert Kind.MISSING_KB_LINK not in kinds
                    assert not top.article.url or top.article.url not in pane.text
                elif top.article.url:
                    strong += 1
                    assert top.article.url in pane.text
                    assert NEXT_STEP_MARKER not in pane.text
            if weak >= 3 and strong >= 3:
                break  # each kind seen on several tickets: enough (the walk costs CI time)
            await pilot.press("j")
            await settle(pilot)
    assert weak and strong, (weak, strong)
