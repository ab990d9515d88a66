"""Importing a folder of Markdown articles into the local helpdesk's KB."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import shared_path
from triage_tui.adapters.local.adapter import LocalHelpdesk, LocalOptions
from triage_tui.adapters.local.kb_import import import_dir, parse_front_matter
from triage_tui.domain.errors import ConfigError, InvalidInput

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


def articles(db: Path) -> dict[str, tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, title, body, url, section FROM articles")
        return {r[0]: tuple(r[1:]) for r in rows}


def test_imports_front_matter_articles_and_explains_the_rest(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    result = import_dir(db, FIXTURE)
    assert (result.imported, result.updated, result.unchanged) == (3, 0, 0)
    assert dict(result.skipped) == {
        "no-id.md": "front matter has no id",
        "no-title.md": "front matter has no title",
        "plain.md": "no front matter (a --- block with id and title)",
        "zz-duplicate.md": "duplicate id 501 (already in sso.md)",
    }
    found = articles(db)
    assert set(found) == {"501", "502", "503"}
    title, body, url, section = found["501"]
    assert title == "Set up single sign-on with Okta"
    assert url == "https://help.example/articles/501-sso-okta" and section == "Sign-in"
    assert body.startswith("Connect Okta") and "## Steps" in body and "---" not in body
    assert found["502"][0] == 'Refunds: what "prorated" means'
    assert found["502"][3] == "Billing & plans"  # `category` when there is no `section`
    assert found["503"][0] == "Download your invoice" and found["503"][3] == "Billing"


def test_reimport_upserts_by_id(tmp_path: Path) -> None:
    db, folder = tmp_path / "kb.db", tmp_path / "kb"
    shutil.copytree(FIXTURE, folder)
    import_dir(db, folder)
    again = import_dir(db, folder)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    sso = folder / "sso.md"
    sso.write_text(sso.read_text().replace("Set up single sign-on with Okta", "Okta SSO, revised"))
    changed = import_dir(db, folder)
    assert (changed.imported, changed.updated, changed.unchanged) == (0, 1, 2)
    assert articles(db)["501"][0] == "Okta SSO, revised"


async def test_imported_articles_are_searchable_and_listed(tmp_path: Path) -> None:
    db, folder = tmp_path / "kb.db", tmp_path / "kb"
    shutil.copytree(FIXTURE, folder)
    import_dir(db, folder)
    sso = folder / "sso.md"
    sso.write_text(sso.read_text().replace("Okta", "Keycloak"))
    import_dir(db, folder)  # the FTS index follows updates, no stale hits
    async with LocalHelpdesk(LocalOptions(db=db)) as helpdesk:
        assert [a.id for a in await helpdesk.search_kb("keycloak sign in")] == ["501"]
        assert await helpdesk.search_kb("okta") == []
        assert {a.id async for a in helpdesk.iter_articles()} == {"501", "502", "503"}


def test_base_url_fills_missing_urls(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    import_dir(db, FIXTURE, base_url="https://support.example/hc/articles/")
    found = articles(db)
    assert found["502"][2] == "https://support.example/hc/articles/502"
    assert found["501"][2] == "https://help.example/articles/501-sso-okta"


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        import_dir(tmp_path / "kb.db", tmp_path / "missing")
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not sqlite" * 100)
    with pytest.raises(ConfigError) as caught:
        import_dir(foreign, FIXTURE)
    assert "\n" not in str(caught.value)


def test_undecodable_file_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "latin1.md").write_bytes(b"---\nid: 1\ntitle: Caf\xe9\n---\nbody")
    result = import_dir(tmp_path / "kb.db", folder)
    assert result.skipped == [("latin1.md", "not UTF-8 text")] and result.imported == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nid: 7\ntitle: T\n---\nBody", ({"id": "7", "title": "T"}, "Body")),
        ("\ufeff---\nID: 7\nTitle: 'It''s'\n...\nB", ({"id": "7", "title": "It's"}, "B")),
        ("---\nurl: https://x.example/a#frag\n---\n", ({"url": "https://x.example/a#frag"}, "")),
        ("---\nid: 7\nno closing fence", None),
        ("Body only", None),
    ],
)
def test_front_matter_parser(text: str, expected: object) -> None:
    assert parse_front_matter(text) == expected


@pytest.mark.shared
def test_arduino_help_center_imports_all_408_articles(tmp_path: Path) -> None:
    folder = shared_path("data", "kb", "arduino-help-center")
    db = tmp_path / "arduino.db"
    result = import_dir(db, folder)
    assert result.imported == 408
    assert [name for name, _ in result.skipped] == ["ATTRIBUTION.md"]
    assert len(articles(db)) == 408
