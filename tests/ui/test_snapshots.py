"""Snapshots of the main screen and the help screen with a frozen clock.

Regenerate after an intended UI change with ``pytest tests/ui --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.test_console import settle


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_main_screen(snap_compare, demo_db: Path, make_app, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=settle)


def test_help_screen(snap_compare, demo_db: Path, make_app) -> None:
    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=(120, 40), run_before=open_help)


def test_main_screen_ansi_theme(snap_compare, demo_db: Path, make_app) -> None:
    assert snap_compare(
        make_app(demo_db, theme="triage-ansi"), terminal_size=(120, 40), run_before=settle
    )
