"""The README's promises that a file can show: CI runs its test line verbatim,
the screenshots it shows exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_line_verbatim() -> None:
    test_line = next(b.strip() for b in _sh_blocks() if "pytest" in b and "\n" not in b.strip())
    assert test_line in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_run_line_is_one_line_that_starts_the_demo_console() -> None:
    run_line = _sh_blocks()[0].strip()
    assert "\n" not in run_line
    assert "triage demo" in run_line and run_line.endswith("triage")


def test_every_screenshot_the_readme_shows_exists() -> None:
    shown = re.findall(r"\((screenshots/[^)]+\.svg)\)", README)
    assert shown
    for path in shown:
        assert (ROOT / path).is_file(), path
