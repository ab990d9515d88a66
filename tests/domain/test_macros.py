"""Macros: built-ins, user overrides from macros.toml, errors, and their templates exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.domain.enums import Priority, Status
from triage_tui.domain.errors import InvalidInput
from triage_tui.domain.replies.drafting import load_template
from triage_tui.domain.replies.macros import builtin_macros, get_macro, load_macros


def test_refund_issued_is_reply_plus_tag_plus_pending() -> None:
    macro = get_macro("refund_issued")
    assert macro.tags == ("refund",) and macro.status is Status.PENDING
    assert macro.summary() == "reply (refund_issued) + tag refund + pending"


def test_every_builtin_macro_has_a_template() -> None:
    for macro in builtin_macros().values():
        assert macro.body or load_template(macro.template)
        assert macro.template_text()


def test_user_macros_add_and_override(tmp_path: Path) -> None:
    (tmp_path / "macros.toml").write_text(
        '[macros.refund_issued]\ntemplate = "default"\ntags = ["refund", "vip"]\n'
        'status = "solved"\n'
        '[macros.vip_ack]\ntitle = "VIP"\npriority = "high"\n',
        encoding="utf-8",
    )
    macros = load_macros(tmp_path)
    assert macros["refund_issued"].tags == ("refund", "vip")
    assert macros["refund_issued"].status is Status.SOLVED
    assert macros["vip_ack"].priority is Priority.HIGH and macros["vip_ack"].template == "vip_ack"
    assert "need_info" in macros


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[macros.x]\nstatus = 'later'\n", "unknown status"),
        ("[macros.x]\ntags = 'refund'\n", "tags"),
        ("[macros.x]\ncolour = 'red'\n", "unknown key"),
        ("[macros\n", "invalid TOML"),
    ],
)
def test_bad_macro_files_are_invalid_input(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "macros.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_macros(tmp_path)


def test_unknown_macro_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="unknown macro 'nope'.*refund_issued"):
        get_macro("nope")
