"""The README's and the docs' promises that a file can show: CI runs the README's
test line verbatim, the screenshots they show exist, and every relative link
between README.md, CHANGELOG.md and docs/*.md (anchors included) resolves."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
#: The guide pages the README promises.
GUIDES = (
    "console",
    "sweeps",
    "verbs",
    "adapters",
    "configuration",
    "reliability",
    "performance",
    "dependencies",
)

#: ``[text](target)`` and ``![alt](target)``; targets with spaces are not used here.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)


def _sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def _prose(text: str) -> str:
    """The Markdown without fenced code blocks (a ``[x](y)`` in code is not a link)."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped,
    spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())
    text = text.lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file (repeats get ``-1``, ``-2`` as on GitHub)."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in _prose(path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"#{1,6} (.+)", line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for target in LINK.findall(_prose(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: … : not checked here
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / unquote(file_part)).resolve() if file_part else page
        where = f"{page.relative_to(root).as_posix()}: {target}"
        if not linked.exists():
            broken.append(f"{where} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{where} (no heading with that anchor in {linked.name})")
    return broken


def test_ci_runs_the_readme_test_line_verbatim() -> None:
    test_line = next(b.strip() for b in _sh_blocks() if "pytest" in b and "\n" not in b.strip())
    assert test_line in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_run_line_is_one_line_that_starts_the_demo_console() -> None:
    run_line = _sh_blocks()[0].strip()
    assert "\n" not in run_line
    assert "triage demo" in run_line and run_line.endswith("triage")


def test_readme_fits_on_a_few_pages_and_links_every_guide() -> None:
    assert len(README.splitlines()) < 300
    linked = set(LINK.findall(README))
    for guide in GUIDES:
        assert (ROOT / "docs" / f"{guide}.md").is_file(), guide
        assert f"docs/{guide}.md" in linked, f"the README does not link docs/{guide}.md"


def test_every_screenshot_shown_exists() -> None:
    shown = [
        (page, target)
        for page in PAGES
        for target in LINK.findall(_prose(page.read_text(encoding="utf-8")))
        if target.endswith(".svg")
    ]
    assert any(page.name == "README.md" for page, _ in shown)
    for page, target in shown:
        assert (page.parent / target).resolve().is_file(), f"{page.name}: {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert not broken_links(page), "\n".join(broken_links(page))


def test_the_link_check_finds_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    assert "preview-does-the-detail-follow-the-cursor" in anchors(ROOT / "docs" / "console.md")
    assert slug("Checking a profile: `triage doctor`") == "checking-a-profile-triage-doctor"
    assert slug("Request Tracker 5 (`rt`)") == "request-tracker-5-rt"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "console.md").write_text("# Console\n\n## Themes\n", encoding="utf-8")
    probe = tmp_path / "docs" / "probe.md"
    probe.write_text(
        "# Probe\n\n[ok](console.md#themes) [self](#probe) [gone](nowhere.md)\n"
        "[bad anchor](console.md#no-such-heading) [web](https://example.org/x.md)\n\n"
        "```\n[in code](ignored.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(probe, tmp_path) == [
        "docs/probe.md: nowhere.md (no such file)",
        "docs/probe.md: console.md#no-such-heading (no heading with that anchor in console.md)",
    ]
