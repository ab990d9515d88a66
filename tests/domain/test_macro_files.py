"""Macro files: built-ins as files, the user macros directory, inline bodies, notes, rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.domain.intel_factories import KB, detail
from triage_tui import paths
from triage_tui.domain.enums import Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.kb.ranking import KbMatch
from triage_tui.domain.replies.drafting import DraftContext, draft_context
from triage_tui.domain.replies.macros import (
    builtin_macros,
    get_macro,
    load_macros,
    user_macros,
)

CTX = DraftContext(
    first_name="Dana", agent="Sam", team="Polaris Support", ticket_id="T-7", subject="Export fails"
)


def test_the_examples_are_built_in() -> None:
    macros = builtin_macros()
    assert macros["refund_issued"].summary() == "reply (refund_issued) + tag refund + pending"
    assert macros["need_info"].title == "Needs more info"
    assert macros["need_info"].status is Status.PENDING
    known = macros["known_bug"]
    assert known.title == "Known bug acknowledged" and known.status is Status.ON_HOLD
    assert known.summary() == "reply + tag known-bug + on_hold + note"


def test_render_reuses_the_drafting_renderer_with_cursor() -> None:
    text, cursor = get_macro("known_bug").render(CTX)
    assert text.startswith("Hi Dana,\n\nThanks for reaching out about export fails.")
    assert text[cursor:].startswith("[Describe the workaround")
    assert "ticket (T-7)" in text and text.endswith("Best,\nPolaris Support")
    assert get_macro("known_bug").render_note(CTX).startswith("Known bug acknowledged on T-7")
    refund, cursor = get_macro("refund_issued").render(CTX)
    assert refund.startswith("Hi Dana,\n\nI've issued your refund.") and 0 < cursor < len(refund)
    assert get_macro("refund_issued").render_note(CTX) == ""


def test_a_file_in_the_macros_dir_is_one_macro_and_changes_a_builtin_key_by_key(
    tmp_path: Path,
) -> None:
    macros_dir = tmp_path / "macros"
    macros_dir.mkdir()
    (macros_dir / "refund_issued.toml").write_text('status = "solved"\n', encoding="utf-8")
    (macros_dir / "vip_thanks.toml").write_text(
        'title = "VIP thanks"\nbody = "Hi {first_name}, thank you!"\ntags = ["vip"]\n',
        encoding="utf-8",
    )
    macros = load_macros(None, macros_dir)
    refund = macros["refund_issued"]
    assert refund.status is Status.SOLVED and refund.tags == ("refund",)
    assert refund.template == "refund_issued"
    assert macros["vip_thanks"].render(CTX) == ("Hi Dana, thank you!", len("Hi Dana, thank you!"))


def test_setting_a_template_drops_an_inherited_inline_body(tmp_path: Path) -> None:
    (tmp_path / "known_bug.toml").write_text('template = "default"\n', encoding="utf-8")
    known = load_macros(None, tmp_path)["known_bug"]
    assert known.body == "" and known.template == "default" and known.tags == ("known-bug",)


def test_macros_dir_wins_over_templates_macros_toml(tmp_path: Path) -> None:
    templates, macros_dir = tmp_path / "templates", tmp_path / "macros"
    templates.mkdir()
    macros_dir.mkdir()
    (templates / "macros.toml").write_text(
        '[macros.need_info]\nstatus = "open"\ntitle = "Ask"\n', encoding="utf-8"
    )
    (macros_dir / "more.toml").write_text('[macros.need_info]\nstatus = "on_hold"\n', "utf-8")
    need = load_macros(templates, macros_dir)["need_info"]
    assert need.status is Status.ON_HOLD and need.title == "Ask"


def test_user_macros_reads_the_config_dir() -> None:
    paths.user_macros_dir().mkdir(parents=True)
    (paths.user_macros_dir() / "hello.toml").write_text('body = "Hello"\n', encoding="utf-8")
    assert user_macros()["hello"].body == "Hello"


def test_broken_user_files_raise_or_are_collected(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("status = 'later'\n", encoding="utf-8")
    (tmp_path / "good.toml").write_text("tags = ['x']\n", encoding="utf-8")
    (tmp_path / "odd name.toml").write_text("tags = ['y']\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="bad.toml: macros.bad: unknown status"):
        load_macros(None, tmp_path)
    errors: list[str] = []
    macros = load_macros(None, tmp_path, errors=errors)
    assert "good" in macros and "bad" not in macros and "refund_issued" in macros
    assert len(errors) == 2 and "invalid macro name 'odd name'" in errors[1]


def test_draft_context_links_only_a_relevant_article() -> None:
    ticket = detail("How do I cancel my order?", subject="Cancel my order")
    strong = draft_context(ticket, KbMatch(KB[0], 90.0, ("cancel",)), team="T", agent="A")
    assert strong.article is KB[0] and strong.article_sentence
    weak = draft_context(ticket, KbMatch(KB[0], 10.0, ("cancel",)), team="T", agent="A")
    assert weak.article is None and weak.first_name == "Dana" and weak.ticket_id == "T-100"
