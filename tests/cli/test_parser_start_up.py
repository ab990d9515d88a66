"""Building the command tree looks each of argparse's messages up once (start-up cost)."""

from __future__ import annotations

import argparse
from collections import Counter

import pytest

from triage_tui.cli_parser import build_parser


def test_each_argparse_message_is_translated_once_and_argparse_is_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: Counter[str] = Counter()

    def translate(message: str) -> str:
        looked_up[message] += 1  # gettext searches the locale directories on disk per call
        return message

    monkeypatch.setattr(argparse, "_", translate)
    build_parser()
    assert looked_up, "argparse no longer translates its messages while building: drop the cache"
    assert max(looked_up.values()) == 1
    assert argparse._ is translate  # type: ignore[attr-defined]


def test_the_parser_still_reads_the_console_options() -> None:
    args = build_parser().parse_args(["--db", "/tmp/x.db", "--view", "mine"])
    assert (args.command, args.db, args.view) == (None, "/tmp/x.db", "mine")
